//! Drives the pipeline for one run: config → discover → read → parse the
//! schema files → build the tenant model → parse and analyse the files that
//! can matter → rules → suppressions → severities and fingerprints. Parsing
//! and extraction run on a rayon pool whose threads have large stacks; the
//! result is independent of the number of threads.

use crate::config::{self, Config, ConfigError, Level};
use crate::diagnostic::{stable_hash, FileId, Finding};
use crate::discover::{self, FileKind, WalkError};
use crate::model::migrations;
use crate::model::queries::{self, QueryFacts};
use crate::model::schema::{self, SchemaFacts};
use crate::model::TenantModel;
use crate::parse::{self, Failure};
use crate::prefilter::{self, Prefilter};
use crate::rules;
use crate::suppress;
use crate::{baseline, since};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A failure of the run itself (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A path could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
}

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
    /// Called with the discovered files before any is read (tests use it to
    /// change the tree mid-scan, as a user's editor or `git checkout` can).
    #[doc(hidden)]
    pub after_discovery: Option<fn(&[PathBuf])>,
}

/// One call to a configured cross-tenant helper, for the audit list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// File, relative to the root.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// Enclosing function.
    pub function: String,
    /// The call as written.
    pub call: String,
    /// `flagged`, `allowed-path` or `justified`.
    pub status: &'static str,
    /// The reason given in the suppression, when justified.
    pub justification: Option<String>,
}

/// How the baseline applied.
#[derive(Debug, Clone, Default)]
pub struct BaselineStats {
    /// Findings hidden because they are in the baseline.
    pub matched: usize,
    /// Baseline entries that matched no finding (fixed, or edited).
    pub stale: usize,
    /// Entries written with `--write-baseline`.
    pub written: Option<usize>,
}

/// One file of the run.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Relative path with `/` separators.
    pub rel: String,
    /// Path on disk.
    pub path: PathBuf,
    /// The text, when it was read and is needed for rendering.
    pub text: Option<String>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// `.rs` files found by the walk.
    pub discovered: usize,
    /// Files analysed (parsed, or shown by the prefilter to contain no
    /// query or schema token).
    pub analysed: usize,
    /// Files that could not be analysed (each has a `parse-error` finding).
    pub failed: usize,
    /// Files left out by `[files] exclude` or as test code.
    pub skipped: usize,
    /// Files parsed in full.
    pub parsed: usize,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Everything a renderer needs.
#[derive(Debug)]
pub struct Report {
    /// Findings after suppression and severity, sorted.
    pub findings: Vec<Finding>,
    /// The file table findings point into.
    pub files: Vec<FileEntry>,
    /// Run statistics.
    pub stats: Stats,
    /// Entries the walk could not read.
    pub errors: Vec<WalkError>,
    /// Notes for the user about the run (stderr in human mode).
    pub notes: Vec<String>,
    /// The tenant model used.
    pub model: TenantModel,
    /// Number of findings silenced by inline suppressions.
    pub suppressed: usize,
    /// The silenced findings and the reason given.
    pub suppressed_findings: Vec<(Finding, Option<String>)>,
    /// Every configured cross-tenant call.
    pub audit: Vec<AuditEntry>,
    /// Baseline bookkeeping, when one was used or written.
    pub baseline: Option<BaselineStats>,
}

/// What a run scans and reports.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Paths to walk.
    pub scan: Vec<PathBuf>,
    /// What output paths are relative to.
    pub root: PathBuf,
    /// When the user named files: report findings in these only (the
    /// analysis still covers the whole project, since the tenant model
    /// needs every schema file).
    pub only: Option<Vec<PathBuf>>,
}

/// The path with symlinks and `..` resolved, or as given when it cannot be.
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The canonical path of each file findings point into, resolved once.
fn canonical_of(findings: &[Finding], files: &[FileEntry]) -> HashMap<FileId, PathBuf> {
    findings
        .iter()
        .map(|f| f.file)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|id| (id, canonical(&files[id].path)))
        .collect()
}

/// The project a file belongs to: the nearest ancestor whose Cargo.toml
/// declares a `[workspace]`, else the nearest with a Cargo.toml, else the
/// file's directory.
fn project_root(file: &Path) -> PathBuf {
    let abs = canonical(file);
    let dir = abs
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut nearest = None;
    for d in dir.ancestors() {
        let manifest = d.join("Cargo.toml");
        if manifest.is_file() {
            if std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("[workspace]")) {
                return d.to_path_buf();
            }
            nearest.get_or_insert_with(|| d.to_path_buf());
        }
    }
    nearest.unwrap_or(dir)
}

/// Resolves the scanned paths: directories are walked as given; when only
/// files are named, their project is analysed and the report is limited to
/// them.
pub fn resolve_paths(paths: &[PathBuf]) -> Result<Scope, Error> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for p in &paths {
        if let Err(e) = std::fs::metadata(p) {
            return Err(Error::Io {
                path: p.clone(),
                message: e.to_string(),
            });
        }
    }
    if paths.iter().all(|p| p.is_file()) {
        let root = project_root(&paths[0]);
        let only = paths.iter().map(|p| canonical(p)).collect();
        return Ok(Scope {
            scan: vec![root.clone()],
            root,
            only: Some(only),
        });
    }
    let root = match paths.as_slice() {
        [one] => one.clone(),
        _ => PathBuf::from("."),
    };
    Ok(Scope {
        scan: paths,
        root,
        only: None,
    })
}

/// Loads `--config FILE`, or finds the config upward from `root`.
pub fn load_config(explicit: Option<&Path>, root: &Path) -> Result<Config, Error> {
    let known = rules::known_ids();
    match explicit {
        Some(p) => Ok(config::load_file(p, &known)?),
        None => {
            let start = canonical(root);
            Ok(config::find_and_load(&start, &known)?.unwrap_or_default())
        }
    }
}

/// Name prefix of the worker threads.
pub const WORKER_PREFIX: &str = "tenant-lint-worker";

fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Error> {
    let mut b = rayon::ThreadPoolBuilder::new()
        .stack_size(parse::STACK_SIZE)
        .thread_name(|i| format!("{WORKER_PREFIX}-{i}"));
    if let Some(j) = jobs {
        b = b.num_threads(j.max(1));
    }
    b.build()
        .map_err(|e| Error::Usage(format!("could not start worker threads: {e}")))
}

/// Reads every discovered file; a file that cannot be read or decoded is a failure.
fn read_all(
    pool: &rayon::ThreadPool,
    files: &[discover::SourcePath],
) -> Vec<Result<String, Failure>> {
    pool.install(|| {
        files
            .par_iter()
            .map(|f| match std::fs::read(&f.path) {
                Ok(bytes) => parse::decode(bytes),
                Err(e) => Err(Failure {
                    span: crate::diagnostic::Span::line(1),
                    message: format!("could not read file: {e}"),
                }),
            })
            .collect()
    })
}

/// Builds the tenant model of a project (also used by `tenant-lint schema`).
pub fn schema_phase(
    pool: &rayon::ThreadPool,
    files: &[discover::SourcePath],
    texts: &[Result<String, Failure>],
    config: &Config,
    use_prefilter: bool,
) -> (TenantModel, HashMap<FileId, Failure>) {
    let filter = Prefilter::schema();
    let results: Vec<Option<Result<SchemaFacts, Failure>>> = pool.install(|| {
        files
            .par_iter()
            .zip(texts.par_iter())
            .map(|(f, t)| {
                let t = t.as_ref().ok()?;
                if f.kind != FileKind::Rust {
                    return None;
                }
                // Structs that carry a tenant (`OrgContext { org_id }`) put
                // the tenant in reach with zero config; a token scan finds
                // them in every file without parsing it.
                let carriers = prefilter::tenant_structs(t, &config.tenant.columns);
                if use_prefilter && !filter.matches(t) {
                    if carriers.is_empty() {
                        return None;
                    }
                    return Some(Ok(SchemaFacts {
                        tenant_types: carriers,
                        ..SchemaFacts::default()
                    }));
                }
                Some(parse::with_parsed(t, |file| {
                    let mut facts = schema::extract(file, &f.rel, f.path.parent());
                    facts.tenant_types = carriers;
                    // Positions of a const's SQL refer to this file.
                    for (_, text) in &mut facts.sql_consts {
                        text.file.get_or_insert_with(|| f.path.clone());
                    }
                    facts
                }))
            })
            .collect()
    });
    let mut failures = HashMap::new();
    let mut facts: Vec<(FileId, SchemaFacts)> = Vec::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Some(Ok(f)) if !f.is_empty() => facts.push((i, f)),
            Some(Err(e)) => {
                failures.insert(i, e);
            }
            _ => {}
        }
    }
    // Migrations, SQL and SeaORM, in the order they run.
    let mut histories: Vec<(&str, migrations::History)> = Vec::new();
    for (i, (f, t)) in files.iter().zip(texts).enumerate() {
        if f.kind != FileKind::Migration {
            continue;
        }
        let Ok(t) = t else { continue };
        let (ops, failure) = migrations::sql_ops(t);
        if let Some(e) = failure {
            failures.entry(i).or_insert(e);
        }
        histories.push((&f.rel, migrations::History { file: i, ops }));
    }
    for (i, f) in &mut facts {
        if !f.migration_ops.is_empty() {
            histories.push((
                &files[*i].rel,
                migrations::History {
                    file: *i,
                    ops: std::mem::take(&mut f.migration_ops),
                },
            ));
        }
    }
    histories.sort_by(|a, b| discover::natural_cmp(a.0, b.0));
    let histories: Vec<migrations::History> = histories.into_iter().map(|(_, h)| h).collect();
    let applied = migrations::apply(&histories);
    for (i, t) in applied.table_facts() {
        facts.push((
            i,
            SchemaFacts {
                tables: vec![t],
                ..SchemaFacts::default()
            },
        ));
    }
    let mut model = TenantModel::build(facts.iter().map(|(i, f)| (*i, f)), config);
    model.migrated = applied;
    (model, failures)
}

/// Runs `check`.
pub fn check(opts: &CheckOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let Scope {
        scan: paths,
        root,
        only,
    } = resolve_paths(&opts.paths)?;
    let config = load_config(opts.config.as_deref(), &root)?;
    let known = rules::known_ids();
    for r in opts.select.iter().chain(&opts.ignore) {
        if !known.contains(&r.as_str()) {
            return Err(Error::Usage(format!(
                "unknown rule `{r}` (see `tenant-lint rules`)"
            )));
        }
    }
    let mut notes = Vec::new();
    for (id, level) in &config.rules {
        if rules::PLANNED.contains(&id.as_str()) && *level != Level::Off {
            notes.push(format!(
                "rule `{id}` is not implemented in this version; its setting has no effect yet"
            ));
        }
    }
    let include_tests = opts.include_tests || config.files.include_tests;
    let found = discover::discover(&paths, &root, &config, include_tests);
    if let Some(hook) = opts.after_discovery {
        let list: Vec<PathBuf> = found.files.iter().map(|f| f.path.clone()).collect();
        hook(&list);
    }
    let pool = pool(opts.jobs)?;
    let texts = read_all(&pool, &found.files);
    let (model, mut failures) =
        schema_phase(&pool, &found.files, &texts, &config, !opts.no_prefilter);
    if model.tenant_tables().next().is_none() {
        notes.push(
            "no tenant tables found (no Diesel `table!`, SeaORM entity or SQL migration with a tenant column); only the rules that need none (`session-search-path`, `superuser-access`) can report. Run `tenant-lint schema` to see what was discovered".into(),
        );
    }

    let filter = Prefilter::queries(&model, &config);
    let qopts = queries::Options {
        include_tests,
        config: &config,
    };
    let analysed: Vec<Option<Result<QueryFacts, Failure>>> = pool.install(|| {
        found
            .files
            .par_iter()
            .zip(texts.par_iter())
            .enumerate()
            .map(|(i, (f, t))| {
                let t = t.as_ref().ok()?;
                if failures.contains_key(&i) || f.kind != FileKind::Rust {
                    return None;
                }
                if !opts.no_prefilter && !filter.matches(t) {
                    // Cannot hold a query the rules judge; still make sure
                    // it is Rust at all.
                    return parse::lex_check(t).err().map(Err);
                }
                Some(parse::with_parsed(t, |file| {
                    queries::extract(file, &f.rel, &f.path, &model, &qopts)
                }))
            })
            .collect()
    });

    let mut stats = Stats {
        discovered: found.files.len() + found.skipped,
        skipped: found.skipped,
        ..Stats::default()
    };
    let mut files: Vec<FileEntry> = found
        .files
        .iter()
        .map(|f| FileEntry {
            rel: f.rel.clone(),
            path: f.path.clone(),
            text: None,
        })
        .collect();
    // SQL read from other files (`query_file!`, `include_str!`) gets an
    // entry of its own in the file table.
    let mut by_path: HashMap<PathBuf, FileId> = HashMap::new();
    let mut sql_file = |p: &Path| -> FileId {
        let key = canonical(p);
        if let Some(id) = by_path.get(&key) {
            return *id;
        }
        let existing = files.iter().position(|f| canonical(&f.path) == key);
        let id = existing.unwrap_or_else(|| {
            let canon_root = canonical(&root);
            let rel = key
                .strip_prefix(&canon_root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| p.display().to_string());
            files.push(FileEntry {
                rel,
                path: p.to_path_buf(),
                text: std::fs::read_to_string(p).ok(),
            });
            files.len() - 1
        });
        by_path.insert(key, id);
        id
    };
    let mut findings: Vec<Finding> = Vec::new();
    let mut superuser_calls: Vec<(FileId, queries::SuperuserCall)> = Vec::new();
    let mut suppressions: HashMap<FileId, Vec<suppress::Suppression>> = HashMap::new();
    for (i, r) in analysed.into_iter().enumerate() {
        match r {
            Some(Ok(facts)) => {
                stats.parsed += 1;
                findings.extend(rules::unscoped_query::check(&model, i, &facts.execs));
                findings.extend(rules::unscoped_sql::check(
                    &model,
                    i,
                    &facts.sql,
                    &mut sql_file,
                ));
                findings.extend(rules::session_search_path::check(
                    i,
                    &facts.sql,
                    &mut sql_file,
                ));
                findings.extend(rules::superuser_access::check(
                    &config,
                    i,
                    &found.files[i].rel,
                    &facts.superuser,
                ));
                superuser_calls.extend(facts.superuser.into_iter().map(|c| (i, c)));
                for m in &facts.opaque_macros {
                    findings.push(rules::parse_error::opaque_macro(i, m));
                }
            }
            Some(Err(e)) => {
                failures.insert(i, e);
            }
            None => {}
        }
        if let Some(Err(e)) = texts.get(i) {
            failures.entry(i).or_insert_with(|| e.clone());
        }
        if let Some(Ok(t)) = texts.get(i) {
            let s = suppress::parse(t);
            if !s.is_empty() {
                findings.extend(suppress::problems(i, &s, &known));
                suppressions.insert(i, s);
            }
        }
    }
    // Rules over the schema the migrations leave.
    findings.extend(rules::tenant_index_order::check(&model));
    findings.extend(rules::tenant_table_unindexed::check(&model));
    findings.extend(rules::missing_rls::check(&model, config.rls.require_force));
    let mut failed: Vec<(&FileId, &Failure)> = failures.iter().collect();
    failed.sort_by_key(|(i, _)| **i);
    for (i, f) in failed {
        findings.push(rules::parse_error::file_failure(*i, f));
    }
    stats.failed = failures.len();
    stats.analysed = found.files.len() - stats.failed;

    // One SQL text can reach the database on several paths.
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.file, f.span, f.message.clone())));

    // Severities from config and flags; a rule at `off` or not selected
    // does not run.
    let level_of = |rule: &str| -> Option<Level> {
        if !opts.select.is_empty() && !opts.select.iter().any(|s| s == rule) {
            return None;
        }
        if opts.ignore.iter().any(|s| s == rule) {
            return None;
        }
        let default = rules::meta(rule).map_or(Level::Error, |m| m.default);
        Some(config.rules.get(rule).copied().unwrap_or(default)).filter(|l| *l != Level::Off)
    };
    findings.retain_mut(|f| match level_of(f.rule) {
        Some(l) => {
            f.level = l;
            true
        }
        None => false,
    });

    // Sorted and fingerprinted before anything is set aside, so suppressed
    // findings keep the fingerprint they would have (SARIF carries them).
    sort_findings(&mut findings, &files);
    fingerprint(&mut findings, &files);

    // Inline suppressions; an allow that silences nothing is reported.
    let mut used: std::collections::HashSet<(FileId, usize)> = std::collections::HashSet::new();
    let mut suppressed_findings: Vec<(Finding, Option<String>)> = Vec::new();
    findings.retain(|f| {
        if f.rule == suppress::ID {
            return true;
        }
        let hit = suppressions
            .get(&f.file)
            .and_then(|ss| ss.iter().enumerate().find(|(_, s)| s.covers(f)));
        match hit {
            Some((k, s)) => {
                used.insert((f.file, k));
                suppressed_findings.push((f.clone(), s.reason.clone()));
                false
            }
            None => true,
        }
    });
    let suppressed = suppressed_findings.len();
    if let Some(level) = level_of(suppress::UNUSED_ID) {
        let mut ids: Vec<&FileId> = suppressions.keys().collect();
        ids.sort();
        for id in ids {
            for (k, s) in suppressions[id].iter().enumerate() {
                let judged = !s.rules.is_empty()
                    && s.rules
                        .iter()
                        .all(|r| known.contains(&r.as_str()) && level_of(r).is_some());
                if !s.malformed && judged && !used.contains(&(*id, k)) {
                    let mut f = suppress::unused(*id, s);
                    f.level = level;
                    findings.push(f);
                }
            }
        }
        sort_findings(&mut findings, &files);
        fingerprint(&mut findings, &files);
    }

    // The audit of cross-tenant calls: every one, and how it is allowed.
    let audit: Vec<AuditEntry> = superuser_calls
        .iter()
        .map(|(i, c)| {
            let rel = &found.files[*i].rel;
            let allowed = config.superuser.allowed_set.is_match(rel);
            let justification = suppressed_findings
                .iter()
                .find(|(f, _)| {
                    f.rule == rules::superuser_access::ID && f.file == *i && f.span == c.span
                })
                .map(|(_, r)| r.clone());
            let (status, justification) = match (allowed, justification) {
                (true, _) => ("allowed-path", None),
                (false, Some(r)) => ("justified", r),
                (false, None) => ("flagged", None),
            };
            AuditEntry {
                file: rel.clone(),
                line: c.span.start.line,
                function: c.function.clone(),
                call: c.call.clone(),
                status,
                justification,
            }
        })
        .collect();

    if let Some(only) = &only {
        let paths = canonical_of(&findings, &files);
        findings.retain(|f| only.contains(&paths[&f.file]));
    }

    let mut needed: Vec<FileId> = findings.iter().map(|f| f.file).collect();
    needed.extend(
        findings
            .iter()
            .flat_map(|f| f.labels.iter().map(|l| l.file)),
    );
    let mut texts = texts;
    for id in needed {
        if files[id].text.is_none() {
            if let Some(Ok(t)) = texts.get_mut(id) {
                files[id].text = Some(std::mem::take(t));
            }
        }
    }
    sort_findings(&mut findings, &files);

    let mut baseline_stats: Option<BaselineStats> = None;
    if let Some(path) = &opts.write_baseline {
        let n = baseline::write(path, &findings, &files)?;
        baseline_stats
            .get_or_insert_with(BaselineStats::default)
            .written = Some(n);
    }
    if let Some(path) = &opts.baseline {
        let entries = baseline::load(path)?;
        let known: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.fingerprint.as_str()).collect();
        let present: std::collections::HashSet<String> =
            findings.iter().map(|f| f.fingerprint.clone()).collect();
        let before = findings.len();
        findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        let stats = baseline_stats.get_or_insert_with(BaselineStats::default);
        stats.matched = before - findings.len();
        stats.stale = entries
            .iter()
            .filter(|e| !present.contains(&e.fingerprint))
            .count();
    }
    if let Some(rev) = &opts.since {
        let changed = since::changed_lines(&root, rev)?;
        let paths = canonical_of(&findings, &files);
        findings.retain(|f| {
            let line = f.span.start.line;
            changed
                .get(&paths[&f.file])
                .is_some_and(|ranges| ranges.iter().any(|(a, b)| (*a..=*b).contains(&line)))
        });
    }
    stats.elapsed = started.elapsed();
    Ok(Report {
        findings,
        files,
        stats,
        errors: found.errors,
        notes,
        model,
        suppressed,
        suppressed_findings,
        audit,
        baseline: baseline_stats,
    })
}

fn sort_findings(findings: &mut [Finding], files: &[FileEntry]) {
    findings.sort_by(|a, b| {
        (&files[a.file].rel, a.span.start, a.rule, &a.message).cmp(&(
            &files[b.file].rel,
            b.span.start,
            b.rule,
            &b.message,
        ))
    });
}

impl Report {
    /// Number of findings at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }
}

/// Stable fingerprints: rule, file, enclosing item and normalised code,
/// plus an occurrence index for identical ones. Line numbers are not part
/// of it, so unrelated edits that move lines keep it stable.
fn fingerprint(findings: &mut [Finding], files: &[FileEntry]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for f in findings.iter_mut() {
        let key = format!("{}|{}|{}", f.rule, files[f.file].rel, f.identity);
        let n = seen.entry(key.clone()).or_insert(0);
        let h = stable_hash(format!("{key}|{n}").as_bytes());
        *n += 1;
        // Findings added late (unused suppressions) get theirs; earlier
        // ones keep the fingerprint they had before anything was removed.
        if f.fingerprint.is_empty() {
            f.fingerprint = format!("{h:016x}");
        }
    }
}

/// Runs the discovery and schema stages only (for `tenant-lint schema`).
pub fn schema(
    paths: &[PathBuf],
    config_path: Option<&Path>,
) -> Result<(TenantModel, Vec<FileEntry>, Vec<String>), Error> {
    let Scope {
        scan: paths, root, ..
    } = resolve_paths(paths)?;
    let config = load_config(config_path, &root)?;
    let found = discover::discover(&paths, &root, &config, config.files.include_tests);
    let pool = pool(None)?;
    let texts = read_all(&pool, &found.files);
    let (model, failures) = schema_phase(&pool, &found.files, &texts, &config, true);
    let mut problems: Vec<String> = failures
        .iter()
        .map(|(i, f)| {
            format!(
                "{}:{}: {}",
                found.files[*i].rel, f.span.start.line, f.message
            )
        })
        .collect();
    problems.sort();
    let files = found
        .files
        .iter()
        .map(|f| FileEntry {
            rel: f.rel.clone(),
            path: f.path.clone(),
            text: None,
        })
        .collect();
    Ok((model, files, problems))
}
