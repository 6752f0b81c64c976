//! Drives the pipeline for one run, as a sequence of phases, each in its
//! own module: discover → [`read`] (the texts, and the cache's [`ledger`],
//! where each later phase records what it reused or made) → [`model`] (the
//! tenant model) → [`extract`] (query facts, with the prefilter and the
//! slicer) → [`rescue`] (files that name a workspace helper) → [`resolve`]
//! (helpers, lookups) → [`judge`] (the rules) → [`suppress`] (severities,
//! fingerprints, allow comments, the audit) → [`finish`] (named paths,
//! texts, baseline, `--since`). Parsing and extraction run on a rayon pool
//! whose threads have large stacks; the result is independent of the
//! number of threads.

use crate::config::{self, Config};
use crate::discover;
use crate::rules;
use crate::workspace::canonical;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use crate::error::Error;
pub use crate::report::{AuditEntry, BaselineStats, ConfigFile, FileEntry, Report, Stats};
pub use crate::workspace::Scope;
pub use model::schema;

mod extract;
mod files;
mod finish;
mod judge;
mod ledger;
mod model;
mod progress;
mod reach;
mod read;
mod rescue;
mod resolve;
mod settings;
mod suppress;
mod timings;

pub use progress::Progress;

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files or directories to scan (empty: `.`).
    pub paths: Vec<PathBuf>,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--include-tests` (OR-ed with the config's `include-tests`).
    pub include_tests: bool,
    /// `--jobs N` (None: all cores).
    pub jobs: Option<usize>,
    /// `--select RULE`: only these rules.
    pub select: Vec<String>,
    /// `--ignore RULE`: not these rules.
    pub ignore: Vec<String>,
    /// `--baseline FILE`: findings in it are not reported.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`: record today's findings.
    pub write_baseline: Option<PathBuf>,
    /// `--since REV`: report only lines changed since REV.
    pub since: Option<String>,
    /// Parse every file instead of only those the prefilter keeps (for
    /// tests and benchmarks: the findings must be the same).
    pub no_prefilter: bool,
    /// Directory of the on-disk cache (`None`: no cache).
    pub cache: Option<PathBuf>,
    /// Called with the discovered files before any is read (tests use it to
    /// change the tree mid-scan, as a user's editor or `git checkout` can).
    #[doc(hidden)]
    pub after_discovery: Option<fn(&[PathBuf])>,
    /// Where the run says how far it is (a progress line; `None`: nobody
    /// asks).
    pub progress: Option<std::sync::Arc<Progress>>,
}

/// Resolves the named paths to the project to analyse and the part of it
/// to report (see [`crate::workspace`]).
pub fn resolve_paths(paths: &[PathBuf]) -> Result<Scope, Error> {
    use crate::workspace::PathError;
    crate::workspace::resolve(paths).map_err(|e| match e {
        PathError::Unusable { path, error } => Error::Io {
            path,
            message: error.to_string(),
        },
        PathError::Projects(roots) => Error::Usage(format!(
            "the paths belong to different projects ({}); run tenant-lint once for each",
            roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    })
}

/// Loads `--config FILE`, or finds the project's config upward from the
/// project root, stopping at the repository root: the same configuration
/// whichever part of the project the paths name.
pub fn load_config(explicit: Option<&Path>, scope: &Scope) -> Result<Config, Error> {
    let known = rules::known_ids();
    match explicit {
        Some(p) => Ok(config::load_file(p, &known)?),
        None => {
            Ok(config::find_and_load(&scope.root, Some(&scope.base), &known)?.unwrap_or_default())
        }
    }
}

/// Name prefix of the worker threads.
pub const WORKER_PREFIX: &str = "tenant-lint-worker";

/// Where `check` keeps its cache unless told otherwise: see
/// [`crate::incremental::cache::default_dir`]; the project is the scanned directory's
/// Cargo workspace (or package), else the directory itself.
pub fn default_cache_dir(paths: &[PathBuf]) -> Result<PathBuf, Error> {
    Ok(crate::incremental::cache::default_dir(
        &resolve_paths(paths)?.root,
    ))
}

/// The crates of the discovered files; without `include_tests`, the files
/// of packages the others use only as a dev-dependency are left out like
/// test code (counted as skipped), unless a named path lies inside one.
pub(super) fn layout_of(
    root: &std::path::Path,
    found: &mut discover::Discovery,
    include_tests: bool,
    named: &[String],
) -> crate::workspace::layout::Layout {
    let layout = crate::workspace::layout::Layout::new(
        root,
        found
            .files
            .iter()
            .filter(|f| f.kind == discover::FileKind::Rust)
            .map(|f| f.rel.as_str()),
    );
    if !include_tests {
        let before = found.files.len();
        found.files.retain(|f| {
            layout.test_support(&f.rel).is_none_or(|dir| {
                named
                    .iter()
                    .any(|n| n.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
            })
        });
        found.skipped += before - found.files.len();
    }
    layout
}

/// Runs `check`.
pub fn check(opts: &CheckOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let mut phase = timings::Phases::new(started);
    let scope = resolve_paths(&opts.paths)?;
    let config = load_config(opts.config.as_deref(), &scope)?;
    let named = scope.named_in_project();
    let Scope {
        root, base, only, ..
    } = scope;
    let paths = vec![root.clone()];
    let levels = settings::levels(opts, &config)?;
    let mut notes = settings::planned_notes(&config);
    let include_tests = opts.include_tests || config.files.include_tests;
    let names = files::Names::new(&root, &base);

    // Discover.
    let mut found = discover::discover(
        &paths,
        &root,
        &config,
        include_tests,
        &named,
        opts.jobs.unwrap_or(0),
    );
    // The crates: functions are named by their module paths, and a crate
    // the others use only as a dev-dependency is test code.
    let layout = layout_of(&root, &mut found, include_tests, &named);
    // A named path with nothing to analyse under it (ignored by git,
    // hidden, excluded, test code, or not Rust / a migration) is said, not
    // passed over: "no findings" would read as "looked, and it is fine".
    for p in only.iter().flatten() {
        if !found.files.iter().any(|f| f.path.starts_with(p)) {
            notes.push(format!(
                "nothing under `{}` was analysed: no Rust file or migration there that is not ignored (.gitignore, hidden), excluded by [files] exclude, or test code",
                names.shown(p)
            ));
        }
    }
    if let Some(hook) = opts.after_discovery {
        let list: Vec<PathBuf> = found.files.iter().map(|f| f.path.clone()).collect();
        hook(&list);
    }
    phase.mark("discover");

    // Read.
    let pool = settings::pool(opts.jobs)?;
    let analysis = settings::Analysis {
        config: &config,
        include_tests,
        no_prefilter: opts.no_prefilter,
        layout: &layout,
        tenant_args: levels.need(crate::rules::Fact::UntrustedSql),
    };
    let store = read::open_cache(opts.cache.as_ref(), &paths, &root, analysis);
    let read::Read {
        mut texts,
        mut ledger,
    } = read::read(&pool, &found.files, store);
    let src = read::Sources {
        pool: &pool,
        files: &found.files,
        texts: &texts,
        progress: opts.progress.as_deref(),
    };
    phase.mark("read, cache");

    // Model.
    src.stage("finding tables", found.files.len());
    let mut schema = model::schema_phase(src, analysis, &mut ledger);
    if schema.model.tenant_tables().next().is_none() {
        notes.push(model::NO_TENANT_TABLES.into());
    }
    phase.mark("schema");

    // Extract, then rescue the files that name a workspace helper.
    let extractor = extract::Extractor::new(&schema.model, analysis);
    src.stage("analysing queries", found.files.len());
    let extraction = extract::extract_all(src, &schema, &extractor, &mut ledger);
    phase.mark(&format!(
        "queries: {} files, {} kB parsed",
        extraction.parsed.0,
        extraction.parsed.1 / 1000
    ));
    src.stage("following workspace helpers", 0);
    rescue::rescue(src, &extractor, extraction, &mut ledger, &mut phase);
    suppress::parse_all(src, &mut ledger);
    let mut table = files::FileTable::new(&names, &found.files, &base);
    phase.mark("suppressions");

    // Resolve and judge.
    src.stage("judging", 0);
    let judge = judge::Judge {
        model: &schema.model,
        config: &config,
        levels: &levels,
    };
    let resolved = resolve::resolve(&schema.model, &levels, ledger.entries());
    let mut judged = judge.files(
        resolved,
        src,
        &schema.test_files,
        &mut schema.failures,
        &mut table,
    );
    let mut stats = Stats {
        discovered: found.files.len() + found.skipped,
        skipped: found.skipped + schema.test_files.len(),
        cached_schema: ledger.cached_schema(),
        cached_queries: ledger.cached_queries(),
        parsed: judged.parsed,
        failed: schema.failures.len(),
        analysed: found.files.len() - schema.failures.len() - schema.test_files.len(),
        ..Stats::default()
    };
    phase.mark("rules");
    src.stage("tracing calls from entry points", found.files.len());
    reach::attach(
        src,
        &mut ledger,
        &layout,
        &config.reach,
        &mut judged.findings,
        &mut phase,
    );
    phase.mark("reach, search");
    ledger.write_back(src, &mut notes);
    phase.mark("cache write");
    let mut findings = judged.findings;
    findings.extend(judge.project(&found.files, &schema.failures));

    // Suppress.
    let mut files = table.files;
    notes.extend(settings::selected_off_notes(opts, &config, &levels));
    suppress::stamp(&mut findings, &levels, &config.reach, &files);
    let suppressed_findings = suppress::apply(&mut findings, &judged.suppressions, &judge, &files);
    let audit = suppress::audit(
        &judged.superuser_calls,
        &suppressed_findings,
        &config,
        &found.files,
        &files,
    );

    // Finish.
    finish::only_in(&mut findings, &files, &only);
    finish::attach_texts(
        &mut findings,
        &suppressed_findings,
        &mut files,
        &mut texts,
        &found.files,
    );
    let baseline = finish::baseline(opts, &mut findings, &files, &levels, &only, &base)?;
    let since_hidden = finish::since(opts.since.as_deref(), &root, &mut findings, &files)?;
    phase.mark("findings");
    stats.elapsed = started.elapsed();
    Ok(Report {
        findings,
        files,
        stats,
        errors: found.errors,
        notes,
        model: schema.model,
        suppressed: suppressed_findings.len(),
        suppressed_findings,
        audit,
        baseline,
        since_hidden,
        config: config.path.as_deref().map(|p| {
            let p = canonical(p);
            ConfigFile {
                rel: crate::workspace::relative(&p, &base),
                shown: names.shown(&p),
            }
        }),
        root,
        base,
    })
}
