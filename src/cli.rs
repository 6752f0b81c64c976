//! The command line: argument definitions (clap) and the mapping from a
//! run's outcome to an exit code — 0 nothing at failing severity, 1
//! findings at failing severity, 2 usage, configuration or I/O error.

use crate::config::{ConfigError, Level};
use crate::engine::{self, CheckOptions, Error};
use crate::render::{self, Format};
use crate::rules;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Finds database queries that can leak one tenant's data to another.
#[derive(Debug, Parser)]
#[command(name = "tenant-lint", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse a project and report findings.
    Check(CheckArgs),
    /// List the rules with their default severity.
    Rules,
    /// Print the documentation of a rule.
    Explain {
        /// Rule id, e.g. `unscoped-query`.
        rule: String,
    },
    /// Write a commented starter `tenant-lint.toml` from what is discovered.
    Init {
        /// Project directory (default `.`).
        path: Option<PathBuf>,
        /// Overwrite an existing `tenant-lint.toml`.
        #[arg(long)]
        force: bool,
    },
    /// Print the tenant model: each tenant table, its tenant column, and where it is declared.
    Schema {
        /// Project directory (default `.`).
        path: Option<PathBuf>,
        /// Use this config file instead of searching upward.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::render::schema::SchemaFormat::Text)]
        format: crate::render::schema::SchemaFormat,
    },
}

/// When a finding fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only errors fail the run (warnings are shown).
    Error,
    /// Warnings fail the run too (also spelt `warning`, as findings print it).
    #[value(alias = "warning")]
    Warn,
}

/// Colour in human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to analyse (default `.`).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use this config file instead of searching upward for `tenant-lint.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only these rules (repeatable, or comma-separated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not report these rules (repeatable, or comma-separated).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Also analyse test code (`#[cfg(test)]`, `#[test]`, tests/, benches/, examples/).
    #[arg(long)]
    pub include_tests: bool,
    /// Number of worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Colour in human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as the baseline in FILE (keeps notes of entries still present).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings on lines added or changed since this git revision.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Also list the findings silenced by inline suppressions, with their reasons.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Also write the JSON report to FILE (in the same run).
    #[arg(long, value_name = "FILE")]
    pub output_json: Option<PathBuf>,
    /// Also write the Markdown report to FILE (e.g. `$GITHUB_STEP_SUMMARY`).
    #[arg(long, value_name = "FILE")]
    pub output_markdown: Option<PathBuf>,
    /// Also write the GitLab Code Quality report to FILE.
    #[arg(long, value_name = "FILE")]
    pub output_gitlab: Option<PathBuf>,
    /// Also write GitHub Actions annotations (workflow commands) to FILE.
    #[arg(long, value_name = "FILE")]
    pub output_github: Option<PathBuf>,
    /// Do not read or write the cache of per-file facts.
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the cache in DIR [default: the project's `target/tenant-lint/`,
    /// else `.tenant-lint-cache/`; env: TENANT_LINT_CACHE_DIR].
    #[arg(long, value_name = "DIR", env = "TENANT_LINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Parse every file, not only those that can hold a query (for
    /// benchmarks and tests; the findings are the same).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
    /// Also write a SARIF 2.1.0 report to FILE (GitHub code scanning).
    #[arg(long, value_name = "FILE")]
    pub output_sarif: Option<PathBuf>,
    /// Analyse the project of this Cargo.toml (as cargo's flag; instead of
    /// PATHS).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Report only this package of the workspace (repeatable; as cargo's
    /// flag). The whole workspace is still analysed.
    #[arg(long, short = 'p', value_name = "SPEC")]
    pub package: Vec<String>,
    /// Report the whole workspace, also when run inside one of its
    /// packages (as cargo's flag).
    #[arg(long, conflicts_with = "package")]
    pub workspace: bool,
    /// Make the fixes that are certain (`.filter(..)` with the tenant in
    /// scope, right after the call that starts the query), then report
    /// what is left. A file that would not parse afterwards is left alone.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    pub fix: bool,
    /// Print the fixes `--fix` would make, as a unified diff, and change
    /// nothing (exit 1 when there is one).
    #[arg(long, conflicts_with = "write_baseline")]
    pub diff: bool,
    /// Print how many findings each rule has instead of the findings
    /// (a table; JSON with `--format json`).
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when there are findings (report, never fail); errors
    /// that stop the run still exit 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print the findings and nothing else: no summary line, no notes.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print, on standard error, the configuration used and what
    /// was read, parsed and taken from the cache.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// Runs the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    quiet_worker_panics();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules => list_rules(),
        Command::Explain { rule } => explain(&rule),
        Command::Schema {
            path,
            config,
            format,
        } => schema(path, config, format),
        Command::Init { path, force } => {
            let dir = path.unwrap_or_else(|| PathBuf::from("."));
            crate::init::run(&dir, force).map(|p| {
                eprintln!("wrote {}", p.display());
                0
            })
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report_error(&e);
            2
        }
    }
}

fn ignore_broken_pipe(r: io::Result<()>) -> Result<(), Error> {
    match r {
        Err(e) if !is_broken_pipe(&e) => Err(Error::Io {
            path: PathBuf::from("<output>"),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Whether writing stopped because the reader went away (`| head`), also
/// when a serializer wrapped the error.
fn is_broken_pipe(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return true;
    }
    let Some(inner) = e.get_ref() else {
        return false;
    };
    if let Some(io) = inner.downcast_ref::<io::Error>() {
        return is_broken_pipe(io);
    }
    inner
        .downcast_ref::<serde_json::Error>()
        .is_some_and(|j| j.io_error_kind() == Some(io::ErrorKind::BrokenPipe))
}

/// The paths to analyse, with cargo's `--manifest-path`, `-p` and
/// `--workspace` read as paths: the manifest's directory, the packages'
/// directories, the project's root.
fn cargo_paths(args: &CheckArgs) -> Result<Vec<PathBuf>, Error> {
    let mut paths = args.paths.clone();
    if let Some(m) = &args.manifest_path {
        if !paths.is_empty() {
            return Err(Error::Usage(
                "give paths or `--manifest-path`, not both".into(),
            ));
        }
        if !m.is_file() {
            return Err(Error::Usage(format!(
                "`--manifest-path` {}: no such file",
                m.display()
            )));
        }
        let dir = m
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        paths = vec![dir.to_path_buf()];
    }
    if args.package.is_empty() && !args.workspace {
        return Ok(paths);
    }
    let here = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let root = engine::resolve_paths(std::slice::from_ref(&here))?.root;
    if args.workspace {
        return Ok(vec![root]);
    }
    let packages = crate::workspace::packages(&root);
    // Cargo treats `-` and `_` in package names alike.
    let same = |a: &str, b: &str| a.replace('-', "_") == b.replace('-', "_");
    let mut out = Vec::new();
    for spec in &args.package {
        let found: Vec<&PathBuf> = packages
            .iter()
            .filter(|(name, _)| same(name, spec))
            .map(|(_, dir)| dir)
            .collect();
        if found.is_empty() {
            let names: Vec<&str> = packages.iter().map(|(n, _)| n.as_str()).collect();
            let near = crate::config::validate::did_you_mean(spec, &names).unwrap_or_default();
            return Err(Error::Usage(format!(
                "package `{spec}` not found in {}{near}",
                root.display()
            )));
        }
        out.extend(found.into_iter().cloned());
    }
    Ok(out)
}

fn check(args: CheckArgs) -> Result<i32, Error> {
    let paths = cargo_paths(&args)?;
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise | Format::Json) {
        return Err(Error::Usage(format!(
            "`--statistics` prints a table or, with `--format json`, JSON; not `--format {}`",
            args.format
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string())
        )));
    }
    let cache = match (&args.cache_dir, args.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => Some(engine::default_cache_dir(&paths)?),
    };
    let opts = CheckOptions {
        cache,
        paths,
        config: args.config,
        include_tests: args.include_tests,
        jobs: args.jobs,
        select: args.select,
        ignore: args.ignore,
        baseline: args.baseline,
        write_baseline: args.write_baseline.clone(),
        since: args.since,
        no_prefilter: args.no_prefilter,
        after_discovery: None,
        progress: None,
    };
    let mut report = with_progress_line(opts, !args.quiet)?;
    if args.diff {
        return show_fixes(&report, args.output.as_deref());
    }
    if args.fix {
        make_fixes(&mut report, args.quiet)?;
    }
    if !args.quiet {
        for n in &report.notes {
            eprintln!("note: {n}");
        }
    }
    if args.verbose {
        eprint!("{}", verbose_lines(&report));
    }
    for e in &report.errors {
        match &e.path {
            Some(p) => eprintln!("warning: {}: {}", p.display(), e.message),
            None => eprintln!("warning: {}", e.message),
        }
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && io::stdout().is_terminal()
        }
    };
    let ropts = render::Options {
        color,
        show_suppressed: args.show_suppressed,
        quiet: args.quiet,
    };
    // The main report: the findings, or their counts.
    let main = |out: &mut dyn Write| -> io::Result<()> {
        match (args.statistics, args.format) {
            (true, Format::Json) => render::statistics::json(&report, out),
            (true, _) => render::statistics::text(&report, args.quiet, out),
            (false, format) => render::render(&report, format, ropts, out),
        }
    };
    // Extra reports of the same run, so CI can print for people and
    // upload machine-readable results at once.
    let extra = [
        (Format::Json, &args.output_json),
        (Format::Markdown, &args.output_markdown),
        (Format::Gitlab, &args.output_gitlab),
        (Format::Github, &args.output_github),
        (Format::Sarif, &args.output_sarif),
    ];
    for (format, path) in extra {
        if let Some(path) = path {
            let mut buf = Vec::new();
            ignore_broken_pipe(render::render(
                &report,
                format,
                render::Options {
                    color: false,
                    ..ropts
                },
                &mut buf,
            ))?;
            write_file(path, &buf)?;
        }
    }
    if let (Some(path), Some(w)) = (
        &args.write_baseline,
        report.baseline.as_ref().and_then(|b| b.written),
    ) {
        // Recording a baseline is the job done: no report on standard
        // output, and success.
        if let Some(out) = &args.output {
            let mut buf = Vec::new();
            ignore_broken_pipe(main(&mut buf))?;
            write_file(out, &buf)?;
        }
        let kept = if w.kept > 0 {
            format!(
                ", and kept {} entr{} of rules or files this run did not cover",
                w.kept,
                if w.kept == 1 { "y" } else { "ies" }
            )
        } else {
            String::new()
        };
        eprintln!(
            "wrote {} finding{} to the baseline {}{kept}",
            w.findings,
            if w.findings == 1 { "" } else { "s" },
            path.display()
        );
        return Ok(0);
    }
    match &args.output {
        Some(path) => {
            let mut buf = Vec::new();
            ignore_broken_pipe(main(&mut buf))?;
            write_file(path, &buf)?;
        }
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            ignore_broken_pipe(main(&mut out).and_then(|_| out.flush()))?;
        }
    }
    let threshold = match args.fail_on {
        FailOn::Error => Level::Error,
        FailOn::Warn => Level::Warn,
    };
    let failing = report.findings.iter().any(|f| f.level >= threshold);
    Ok(i32::from(failing && !args.exit_zero))
}

/// `--diff`: the fixes as a unified diff on standard output (or in
/// `-o FILE`); exit 1 when there is one (like a finding), 0 when there is
/// none.
fn show_fixes(report: &crate::report::Report, output: Option<&Path>) -> Result<i32, Error> {
    let (fixed, refused) = crate::fix::plan(report);
    let mut out = String::new();
    for f in &fixed {
        out.push_str(&crate::fix::diff(f));
    }
    match output {
        Some(path) => write_file(path, out.as_bytes())?,
        None => ignore_broken_pipe(io::stdout().write_all(out.as_bytes()))?,
    }
    for r in &refused {
        eprintln!("not fixable: {}: {}", r.shown, r.why);
    }
    let n: usize = fixed.iter().map(|f| f.findings.len()).sum();
    eprintln!(
        "{n} finding{} can be fixed in {} file{} with `--fix`",
        if n == 1 { "" } else { "s" },
        fixed.len(),
        if fixed.len() == 1 { "" } else { "s" }
    );
    Ok(i32::from(!fixed.is_empty()))
}

/// `--fix`: writes the fixed files and takes the fixed findings out of the
/// report, which then shows what is left.
fn make_fixes(report: &mut crate::report::Report, quiet: bool) -> Result<(), Error> {
    let (fixed, refused) = crate::fix::plan(report);
    let mut gone: Vec<usize> = Vec::new();
    for f in &fixed {
        write_file(&f.path, f.after.as_bytes())?;
        gone.extend(&f.findings);
    }
    for r in &refused {
        eprintln!(
            "not fixed: {}: {} ({} finding{} left as they are)",
            r.shown,
            r.why,
            r.findings,
            if r.findings == 1 { "" } else { "s" }
        );
    }
    if !quiet && !fixed.is_empty() {
        eprintln!(
            "fixed {} finding{} in {} file{}; review the change (the filter compares with the tenant value in scope)",
            gone.len(),
            if gone.len() == 1 { "" } else { "s" },
            fixed.len(),
            if fixed.len() == 1 { "" } else { "s" }
        );
    }
    gone.sort_unstable();
    let mut k = 0;
    report.findings.retain(|_| {
        let keep = gone.binary_search(&k).is_err();
        k += 1;
        keep
    });
    Ok(())
}

/// Whether to show a progress line: on a terminal, never in CI (`CI` set,
/// as CI services do) or when asked to be quiet.
fn progress_line_wanted(terminal: bool, ci: Option<std::ffi::OsString>, quiet: bool) -> bool {
    terminal && ci.is_none_or(|v| v.is_empty()) && !quiet
}

/// Runs the check; a run still going after a second shows how far it is
/// on one line of standard error (a terminal's), rewritten in place and
/// cleared before the report.
fn with_progress_line(
    mut opts: CheckOptions,
    allowed: bool,
) -> Result<crate::report::Report, Error> {
    let wanted = progress_line_wanted(io::stderr().is_terminal(), std::env::var_os("CI"), !allowed);
    if !wanted {
        return engine::check(&opts);
    }
    let progress = std::sync::Arc::new(engine::Progress::default());
    opts.progress = Some(progress.clone());
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let shower = std::thread::spawn(move || {
        use std::sync::mpsc::RecvTimeoutError;
        use std::time::Duration;
        if stopped.recv_timeout(Duration::from_secs(1)) != Err(RecvTimeoutError::Timeout) {
            return;
        }
        let mut err = io::stderr();
        loop {
            // `\r` and erase the line: the next one replaces it.
            let _ = write!(err, "\r\x1b[2K{}", progress.line());
            let _ = err.flush();
            if stopped.recv_timeout(Duration::from_millis(100)) != Err(RecvTimeoutError::Timeout) {
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
                return;
            }
        }
    });
    let report = engine::check(&opts);
    let _ = stop.send(());
    let _ = shower.join();
    report
}

/// What `--verbose` adds on standard error: the configuration, the
/// project, and what was read, parsed and taken from the cache.
fn verbose_lines(report: &crate::report::Report) -> String {
    let s = &report.stats;
    let config = match &report.config {
        Some(c) => c.shown.clone(),
        None => "none (defaults)".into(),
    };
    format!(
        "config: {config}\n\
         project: {}\n\
         files: {} found, {} analysed ({} parsed; facts from the cache: {} schema, {} queries), \
         {} skipped by configuration or as tests, {} could not be analysed\n\
         findings: {} shown, {} suppressed\n\
         time: {:.2}s\n",
        report.root.display(),
        s.discovered,
        s.analysed,
        s.parsed,
        s.cached_schema,
        s.cached_queries,
        s.skipped,
        s.failed,
        report.findings.len(),
        report.suppressed,
        s.elapsed.as_secs_f64(),
    )
}

/// Writes a report file through a temporary file, so an interrupted run
/// leaves no half-written report.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::atomic_file::write(path, bytes).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn list_rules() -> Result<i32, Error> {
    let mut out = String::new();
    let width = rules::RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in rules::RULES {
        out.push_str(&format!(
            "{:<width$} {:<8} {}\n",
            r.id,
            render::json::severity(r.default),
            r.summary
        ));
    }
    ignore_broken_pipe(io::stdout().write_all(out.as_bytes()))?;
    Ok(0)
}

fn explain(rule: &str) -> Result<i32, Error> {
    match rules::meta(rule) {
        Some(m) => {
            ignore_broken_pipe(io::stdout().write_all(m.doc.as_bytes()))?;
            Ok(0)
        }
        None if rules::PLANNED.contains(&rule) => Err(Error::Usage(format!(
            "rule `{rule}` is planned but not implemented in this version"
        ))),
        None => Err(Error::Usage(rules::unknown_rule(rule))),
    }
}

fn schema(
    path: Option<PathBuf>,
    config: Option<PathBuf>,
    format: crate::render::schema::SchemaFormat,
) -> Result<i32, Error> {
    use crate::render::schema::{self, SchemaFormat};
    let paths: Vec<PathBuf> = path.into_iter().collect();
    let (model, files, problems) = engine::schema(&paths, config.as_deref())?;
    let out = match format {
        SchemaFormat::Text => schema::text(&model, &files, &problems),
        SchemaFormat::Json => schema::json(&model, &files, &problems),
        SchemaFormat::Mermaid => schema::mermaid(&model, None),
        SchemaFormat::Dot => schema::dot(&model),
    };
    ignore_broken_pipe(io::stdout().write_all(out.as_bytes()))?;
    Ok(0)
}

/// A panic while analysing a file becomes a `parse-error` finding for that
/// file; printing it as well would look like a crash.
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with(engine::WORKER_PREFIX));
        if !worker {
            default(info);
        }
    }));
}

fn report_error(e: &Error) {
    match e {
        Error::Config(c) => report_config_error(c),
        other => eprintln!("error: {other}"),
    }
}

fn report_config_error(c: &ConfigError) {
    let mut err = io::stderr();
    if render::human::config_error(c, &mut err).is_err() {
        eprintln!("error: {}", c.display_line());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_only_on_a_terminal_outside_ci() {
        assert!(progress_line_wanted(true, None, false));
        assert!(progress_line_wanted(true, Some("".into()), false));
        assert!(!progress_line_wanted(true, Some("true".into()), false));
        assert!(!progress_line_wanted(false, None, false));
        assert!(!progress_line_wanted(true, None, true));
    }
}
