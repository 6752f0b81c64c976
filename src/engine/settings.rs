//! The settings of one run beyond the configuration file: the rule levels
//! from the configuration and `--select` / `--ignore`, the settings a
//! file's facts depend on, the notes a run prints about settings that have
//! no effect or an unusual one, and the worker pool sized by `--jobs`.

use super::{CheckOptions, Error, WORKER_PREFIX};
use crate::config::{Config, Level};
use crate::parse;
use crate::rules;

/// The rule levels of a run; a rule named with `--select` or `--ignore`
/// must exist.
pub(super) fn levels(opts: &CheckOptions, config: &Config) -> Result<rules::Levels, Error> {
    let known = rules::known_ids();
    for r in opts.select.iter().chain(&opts.ignore) {
        if !known.contains(&r.as_str()) {
            return Err(Error::Usage(rules::unknown_rule(r)));
        }
    }
    Ok(rules::Levels::new(config, &opts.select, &opts.ignore))
}

/// What a file's facts depend on besides its bytes (and so what the
/// cache's key for a run's settings covers).
#[derive(Clone, Copy)]
pub(super) struct Analysis<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// Test code is analysed (`--include-tests` or the configuration).
    pub include_tests: bool,
    /// Every file is parsed, not only those the prefilter keeps.
    pub no_prefilter: bool,
    /// The project's crates, by which functions are named.
    pub layout: &'a crate::workspace::layout::Layout,
    /// A running rule follows request input into the functions that bind
    /// a query's tenant to it (`untrusted-tenant-source`): the helper
    /// rescue parses their callers too.
    pub tenant_args: bool,
}

/// Notes on settings of rules this version does not implement yet.
pub(super) fn planned_notes(config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    for (id, level) in &config.rules {
        if rules::PLANNED.contains(&id.as_str()) && *level != Level::Off {
            notes.push(format!(
                "rule `{id}` is not implemented in this version; its setting has no effect yet"
            ));
        }
    }
    notes
}

/// A rule named with `--select` runs even when it is off (by default or
/// in the config): at `warn`, and the run says so.
pub(super) fn selected_off_notes(
    opts: &CheckOptions,
    config: &Config,
    levels: &rules::Levels,
) -> Vec<String> {
    let mut notes = Vec::new();
    for r in &opts.select {
        if opts.ignore.contains(r) {
            continue;
        }
        if levels.configured(r) == Level::Off {
            let why = if config.rules.contains_key(r.as_str()) {
                "turned off in the configuration"
            } else {
                "off by default"
            };
            notes.push(format!(
                "rule `{r}` is {why}; `--select` runs it, at warning severity"
            ));
        }
    }
    notes
}

/// The worker threads: large stacks for deep syntax trees, and named
/// (`WORKER_PREFIX`) so the CLI can keep a panic in one file quiet.
pub(super) fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    let mut b = rayon::ThreadPoolBuilder::new()
        .stack_size(parse::STACK_SIZE)
        .thread_name(|i| format!("{WORKER_PREFIX}-{i}"));
    if let Some(j) = jobs {
        b = b.num_threads(j.max(1));
    }
    b.build()
        .map_err(|e| Error::Usage(format!("could not start worker threads: {e}")))
}
