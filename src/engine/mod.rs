//! Drives the pipeline for one run: config → discover → read → parse the
//! schema files → build the tenant model → parse and analyse the files that
//! can matter → rules → suppressions → severities and fingerprints. Parsing
//! and extraction run on a rayon pool whose threads have large stacks; the
//! result is independent of the number of threads.

use crate::config::{self, Config, Level};
use crate::diagnostic::{stable_hash, FileId, Finding};
use crate::discover::{self, FileKind};
use crate::model::queries;
use crate::model::TenantModel;
use crate::parse::{self, Failure};
use crate::prefilter::QueryNeedles;
use crate::rules::{self, Fact, Facts, Phase, Rule};
use crate::rustlex::Words;
use crate::suppress;
use crate::{baseline, cache, since};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use crate::error::Error;
pub use crate::report::{AuditEntry, BaselineStats, ConfigFile, FileEntry, Report, Stats};
use crate::workspace::canonical;
pub use crate::workspace::Scope;
pub use model::{schema_phase, SchemaPhase};
use read::{facts_of, read_all, read_file, run_key, scan_id, text_of};
pub use read::{Carry, Text};

mod model;
mod read;

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
}

/// Names the files of a run for its reports.
struct Names {
    /// The project root relative to the report base (`""` when the same).
    prefix: String,
    /// The current directory, canonical.
    cwd: Option<PathBuf>,
}

impl Names {
    fn new(root: &Path, base: &Path) -> Names {
        let prefix = match crate::workspace::relative(root, base) {
            p if p == "." => String::new(),
            p => p + "/",
        };
        Names {
            prefix,
            cwd: std::env::current_dir().ok().map(|d| canonical(&d)),
        }
    }

    /// The file table entry of a discovered file.
    fn entry(&self, f: &discover::SourcePath) -> FileEntry {
        FileEntry {
            rel: format!("{}{}", self.prefix, f.rel),
            shown: self.shown(&f.path),
            in_project: f.rel.clone(),
            path: f.path.clone(),
            text: None,
        }
    }

    /// A path as shown at the terminal: relative to the current directory
    /// when under it, else absolute (as ruff and rustc print them).
    fn shown(&self, path: &Path) -> String {
        match &self.cwd {
            Some(cwd) if path.starts_with(cwd) => crate::workspace::relative(path, cwd),
            _ => path.to_string_lossy().replace('\\', "/"),
        }
    }
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

/// Resolves the named paths to the project to analyse and the part of it
/// to report (see [`crate::workspace`]).
pub fn resolve_paths(paths: &[PathBuf]) -> Result<Scope, Error> {
    crate::workspace::resolve(paths).map_err(|e| Error::Io {
        path: e.path,
        message: e.error.to_string(),
    })
}

/// Loads `--config FILE`, or finds the config upward from where the scan
/// starts, stopping at the repository (or project) root.
pub fn load_config(explicit: Option<&Path>, scope: &Scope) -> Result<Config, Error> {
    let known = rules::known_ids();
    match explicit {
        Some(p) => Ok(config::load_file(p, &known)?),
        None => {
            Ok(config::find_and_load(&scope.start, Some(&scope.base), &known)?.unwrap_or_default())
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

/// workspace (or package), else the directory itself.
pub fn default_cache_dir(paths: &[PathBuf]) -> Result<PathBuf, Error> {
    Ok(cache::default_dir(&resolve_paths(paths)?.root))
}

/// Wall time per phase on standard error, when `TENANT_LINT_TIMINGS` is
/// set (for profiling; not part of the interface).
struct Phases {
    on: bool,
    last: Instant,
}

impl Phases {
    fn new(started: Instant) -> Phases {
        Phases {
            on: std::env::var_os("TENANT_LINT_TIMINGS").is_some(),
            last: started,
        }
    }

    fn mark(&mut self, what: &str) {
        if self.on {
            let now = Instant::now();
            // Peak resident memory so far (Linux only), as touching fresh
            // pages is a measurable part of a run.
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    Some(format!(", peak RSS {}", line[6..].trim()))
                })
                .unwrap_or_default();
            eprintln!(
                "tenant-lint: {what}: {:.1} ms{peak}",
                (now - self.last).as_secs_f64() * 1e3
            );
            self.last = now;
        }
    }
}

/// What analysing one file gave: its query facts (or failure), the byte
/// ranges of the bodies blanked before parsing, and the words of what was
/// not parsed.
type Extracted = (cache::QueryResult, Vec<(u32, u32)>, Option<Words>);

/// Runs the analysis of one file; a panic in the scan, the slicer or the
/// analysis makes that file a failure, and the run goes on.
fn guard_file(run: impl FnOnce() -> Extracted) -> Extracted {
    parse::guarded("analysing", || Ok(run()))
        .unwrap_or_else(|failure| (Some(Err(failure)), Vec::new(), None))
}

thread_local! {
    /// Each pool thread's token buffer, reused from file to file.
    static TOKENS: std::cell::RefCell<Vec<crate::rustlex::Tok>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `check`.
pub fn check(opts: &CheckOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let mut phase = Phases::new(started);
    let scope = resolve_paths(&opts.paths)?;
    let config = load_config(opts.config.as_deref(), &scope)?;
    let named = scope.named_in_project();
    let Scope {
        root, base, only, ..
    } = scope;
    let paths = vec![root.clone()];
    let known = rules::known_ids();
    for r in opts.select.iter().chain(&opts.ignore) {
        if !known.contains(&r.as_str()) {
            return Err(Error::Usage(format!(
                "unknown rule `{r}` (see `tenant-lint rules`)"
            )));
        }
    }
    let levels = rules::Levels::new(&config, &opts.select, &opts.ignore);
    let mut notes = Vec::new();
    for (id, level) in &config.rules {
        if rules::PLANNED.contains(&id.as_str()) && *level != Level::Off {
            notes.push(format!(
                "rule `{id}` is not implemented in this version; its setting has no effect yet"
            ));
        }
    }
    let include_tests = opts.include_tests || config.files.include_tests;
    let found = discover::discover(
        &paths,
        &root,
        &config,
        include_tests,
        &named,
        opts.jobs.unwrap_or(0),
    );
    if let Some(hook) = opts.after_discovery {
        let list: Vec<PathBuf> = found.files.iter().map(|f| f.path.clone()).collect();
        hook(&list);
    }
    phase.mark("discover");
    let pool = pool(opts.jobs)?;
    let run_started = cache::now();
    let mut store = opts.cache.as_ref().map(|dir| {
        cache::Cache::open(
            dir,
            &scan_id(&paths, &root),
            run_key(&config, include_tests, opts.no_prefilter),
        )
    });
    let (mut texts, hashes) = read_all(&pool, &found.files, store.as_ref());
    let mut carry = Carry::from_cache(&pool, store.as_mut(), &found.files, &hashes);
    phase.mark("read, cache");
    let SchemaPhase {
        model,
        mut failures,
        model_hash,
        test_files,
    } = schema_phase(
        &pool,
        &found.files,
        &texts,
        &config,
        include_tests,
        !opts.no_prefilter,
        &mut carry,
    );
    if model.tenant_tables().next().is_none() {
        notes.push(
            "no tenant tables found (no Diesel `table!`, SeaORM entity or SQL migration with a tenant column); only the rules that need none (`session-search-path`, `superuser-access`) can report. Run `tenant-lint schema` to see what was discovered".into(),
        );
    }

    let filter = std::sync::OnceLock::new();
    let qopts = queries::Options {
        include_tests,
        config: &config,
    };
    let facts = |f: &discover::SourcePath, file: &syn::File| {
        queries::extract(file, &f.rel, &f.path, &model, &qopts)
    };
    let parse_queries = |f: &discover::SourcePath, t: &str| -> cache::QueryResult {
        Some(parse::with_parsed(t, |file| facts(f, file)))
    };
    // Parses `t` with the bodies that cannot matter blanked (see `slice`);
    // `extra` keeps the bodies naming a workspace helper too. A file the
    // slicer cannot follow is parsed whole, and a syntax error is always
    // reported from the whole text, so it never points into a blank.
    let parse_sliced = |f: &discover::SourcePath,
                        t: &str,
                        sliced: Option<crate::slice::Sliced>|
     -> Extracted {
        match sliced {
            // The token scan that sliced it checked nesting and chains.
            Some(sliced) => match parse::with_parsed_shaped(&sliced.text, |file| facts(f, file)) {
                Ok(found) => (Some(Ok(found)), sliced.blanked, Some(sliced.words)),
                Err(_) => (parse_queries(f, t), Vec::new(), None),
            },
            None => (parse_queries(f, t), Vec::new(), None),
        }
    };
    let extract = |f: &discover::SourcePath, t: &str| -> Extracted {
        if opts.no_prefilter {
            return (parse_queries(f, t), Vec::new(), None);
        }
        // The bytes rule most files out; one pass over the tokens of the
        // others checks that they are Rust tokens at all, finds the needles
        // and the names a file calls.
        let needles = filter.get_or_init(|| QueryNeedles::new(&model, &config));
        if let Some(words) = needles.without_needle(t) {
            // No needle, as the bytes show: not even read as tokens.
            return (None, Vec::new(), Some(words));
        }
        TOKENS.with_borrow_mut(|toks| {
            let scanned = match needles.scan(t, toks) {
                Ok(s) => s,
                Err(e) => return (Some(Err(e)), Vec::new(), None),
            };
            if scanned.hits.is_empty() {
                // Cannot hold a query the rules judge.
                return (None, Vec::new(), Some(scanned.words));
            }
            parse_sliced(f, t, crate::slice::blank(t, toks, &scanned.hits, None))
        })
    };
    type Analysed = Option<(
        cache::WithDeps<cache::QueryResult>,
        u128,
        Vec<(u32, u32)>,
        bool,
        Option<Words>,
    )>;
    phase.mark("schema");
    let analysed: Vec<Analysed> = pool.install(|| {
        found
            .files
            .par_iter()
            .zip(texts.par_iter())
            .zip(carry.old.par_iter_mut())
            .enumerate()
            .map(|(i, ((f, t), prev))| {
                if failures.contains_key(&i)
                    || test_files.contains(&i)
                    || f.kind != FileKind::Rust
                    || matches!(t, Some(Err(_)))
                {
                    return None;
                }
                if let Some(q) = prev
                    .query
                    .take()
                    .filter(|q| q.model == model_hash && cache::fresh(&q.facts.deps))
                {
                    return Some((q.facts, q.helpers, q.blanked, true, None));
                }
                let t = text_of(f, t);
                let t = t.as_ref().as_ref().ok()?;
                let ((value, blanked, words), deps) =
                    cache::tracking(|| guard_file(|| extract(f, t)));
                Some((cache::WithDeps { deps, value }, 0, blanked, false, words))
            })
            .collect()
    });
    let mut reused_queries = 0;
    // The words of what each file analysed in this run left unparsed, for
    // the helper rescue.
    let mut words: Vec<Option<Words>> = vec![None; found.files.len()];
    for (i, (r, entry)) in analysed.into_iter().zip(carry.new.iter_mut()).enumerate() {
        if let Some((facts, helpers, blanked, reused, w)) = r {
            words[i] = w;
            reused_queries += usize::from(reused);
            if !reused {
                carry.touched[i] = true;
            }
            entry.query = Some(cache::QueryEntry {
                model: model_hash,
                facts,
                helpers,
                blanked,
            });
        }
    }
    phase.mark("queries");
    // The prefilter cannot know the workspace's own helpers: a file it
    // skipped is parsed after all when it names one (`with_status(q, ..)`),
    // and a file parsed with bodies blanked is parsed again when a blanked
    // body names one. The result is recorded with the helper set it was
    // checked against.
    // A rescued body can be a helper itself, whose callers are then
    // rescued in the next round, until the set of helpers stops growing.
    let helpers_of = |entries: &[cache::Entry]| {
        crate::rescue::Helpers::new(
            entries
                .iter()
                .filter_map(facts_of)
                .flat_map(|f| f.summaries.iter()),
        )
    };
    let mut helpers = helpers_of(&carry.new);
    const MAX_RESCUE_ROUNDS: usize = 8;
    for round in 0..MAX_RESCUE_ROUNDS {
        if opts.no_prefilter || helpers.is_empty() {
            break;
        }
        let helpers_hash = helpers.hash;
        type Rescued = (
            usize,
            cache::WithDeps<cache::QueryResult>,
            Vec<(u32, u32)>,
            Option<Words>,
        );
        let rescued: Vec<Rescued> = pool.install(|| {
            carry
                .new
                .par_iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    let q = e.query.as_ref()?;
                    let partial = !q.blanked.is_empty();
                    if (q.facts.value.is_some() && !partial) || q.helpers == helpers_hash {
                        return None;
                    }
                    if words[i]
                        .as_ref()
                        .is_some_and(|w| !w.any_of(helpers.hashes()))
                    {
                        return None;
                    }
                    let f = &found.files[i];
                    let t = text_of(f, &texts[i]);
                    let t = t.as_ref().as_ref().ok()?;
                    let named = helpers.calls_in(t);
                    if named.is_empty() {
                        return None;
                    }
                    let in_blanked = |&(a, b): &(u32, u32)| {
                        crate::prefilter::any_within(&named, &(a as usize..b as usize))
                    };
                    if partial && !q.blanked.iter().any(in_blanked) {
                        // No blanked body names a helper.
                        return None;
                    }
                    let ((value, blanked, w), deps) = cache::tracking(|| {
                        guard_file(|| {
                            let sliced = TOKENS.with_borrow_mut(|toks| {
                                let s = filter
                                    .get_or_init(|| QueryNeedles::new(&model, &config))
                                    .scan(t, toks)
                                    .ok()?;
                                crate::slice::blank(t, toks, &s.hits, Some(&named))
                            });
                            parse_sliced(f, t, sliced)
                        })
                    });
                    Some((i, cache::WithDeps { deps, value }, blanked, w))
                })
                .collect()
        });
        phase.mark(&format!(
            "helper rescue, round {}: {} files",
            round + 1,
            rescued.len()
        ));
        if rescued.is_empty() {
            break;
        }
        for (i, facts, blanked, w) in rescued {
            if w.is_some() {
                words[i] = w;
            }
            if !carry.touched[i] {
                reused_queries = reused_queries.saturating_sub(1);
            }
            carry.touched[i] = true;
            if let Some(q) = carry.new[i].query.as_mut() {
                q.facts = facts;
                q.blanked = blanked;
            }
        }
        let next = helpers_of(&carry.new);
        if next.hash == helpers.hash {
            break;
        }
        helpers = next;
    }
    let helpers_hash = helpers.hash;
    for (e, touched) in carry.new.iter_mut().zip(carry.touched.iter_mut()) {
        if let Some(q) = e.query.as_mut().filter(|q| q.helpers != helpers_hash) {
            *touched = true;
            q.helpers = helpers_hash;
        }
    }
    let mut file_suppressions: Vec<Vec<suppress::Suppression>> = pool.install(|| {
        texts
            .par_iter()
            .zip(carry.old.par_iter())
            .map(|(t, old)| match t {
                Some(Ok(t)) => suppress::parse(t),
                Some(Err(_)) => Vec::new(),
                None => old.suppressions.clone(),
            })
            .collect()
    });
    for (n, s) in carry.new.iter_mut().zip(&file_suppressions) {
        n.suppressions.clone_from(s);
    }
    let mut stats = Stats {
        discovered: found.files.len() + found.skipped,
        skipped: found.skipped,
        cached_schema: carry.reused,
        cached_queries: reused_queries,
        ..Stats::default()
    };
    let names = Names::new(&root, &base);
    let mut files: Vec<FileEntry> = found.files.iter().map(|f| names.entry(f)).collect();
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
            files.push(FileEntry {
                rel: crate::workspace::relative(&key, &base),
                shown: names.shown(&key),
                in_project: crate::workspace::relative(&key, &root),
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
    phase.mark("suppressions");
    // Facts that no rule that runs reads are not built.
    let judge_queries = levels.need(Fact::OrmQueries);
    let judge_sql = levels.need(Fact::Sql);
    // Helpers that build, scope or transform queries, across the workspace.
    let helpers = crate::model::summaries::Summaries::new(
        carry
            .new
            .iter()
            .enumerate()
            .filter(|_| judge_queries || judge_sql)
            .flat_map(|(i, e)| {
                facts_of(e)
                    .into_iter()
                    .flat_map(move |f| f.summaries.iter().map(move |s| (i, s)))
            }),
    );
    let resolved: Vec<Vec<queries::ExecFact>> = carry
        .new
        .iter()
        .map(|e| match facts_of(e) {
            _ if !judge_queries => Vec::new(),
            Some(f) if !helpers.is_empty() => f
                .execs
                .iter()
                .map(|e| helpers.resolve_exec(e).unwrap_or_else(|| e.clone()))
                .collect(),
            Some(f) => f.execs.clone(),
            None => Vec::new(),
        })
        .collect();
    // Lookup helpers are judged with their callers.
    let mut lookups = if judge_queries {
        crate::model::summaries::Lookups::new(
            resolved.iter().enumerate().map(|(i, e)| (i, e.as_slice())),
            carry.new.iter().enumerate().flat_map(|(i, e)| {
                facts_of(e)
                    .into_iter()
                    .flat_map(move |f| f.uses.iter().map(move |u| (i, u)))
            }),
            |e| !queries::unbound_paths(&model, e).is_empty(),
        )
    } else {
        crate::model::summaries::Lookups::default()
    };
    let file_rules: Vec<Rule> = levels.running(Phase::File).collect();
    for (i, file_execs) in resolved.into_iter().enumerate() {
        let facts = match carry.new[i]
            .query
            .as_ref()
            .and_then(|q| q.facts.value.as_ref())
        {
            Some(Ok(facts)) => {
                stats.parsed += 1;
                superuser_calls.extend(facts.superuser.iter().map(|c| (i, c.clone())));
                Some(facts)
            }
            Some(Err(e)) => {
                failures.insert(i, e.clone());
                None
            }
            None => None,
        };
        if let Some(Some(Err(e))) = texts.get(i) {
            failures.entry(i).or_insert_with(|| e.clone());
        }
        let own_suppressions = file_suppressions
            .get_mut(i)
            .filter(|s| !s.is_empty() && !test_files.contains(&i))
            .map(std::mem::take)
            .unwrap_or_default();
        let execs: Vec<queries::ExecFact> = match facts {
            Some(_) if judge_queries => {
                let mut execs: Vec<queries::ExecFact> = file_execs
                    .into_iter()
                    .enumerate()
                    .filter(|(k, _)| !lookups.moved.contains(&(i, *k)))
                    .map(|(k, mut e)| {
                        if let Some(n) = lookups.notes.get(&(i, k)) {
                            for q in &mut e.paths {
                                q.cond.notes.push(n.clone());
                            }
                        }
                        e
                    })
                    .collect();
                execs.extend(lookups.at_callers.remove(&i).unwrap_or_default());
                execs
            }
            _ => Vec::new(),
        };
        // SQL handed to a function counts if it reaches the database.
        let sql: std::borrow::Cow<[queries::SqlFact]> = match facts {
            Some(facts) if judge_sql && facts.sql.iter().any(|f| f.through.is_some()) => facts
                .sql
                .iter()
                .filter(|f| {
                    f.through
                        .as_ref()
                        .is_none_or(|(k, a)| helpers.sends_sql(k, *a))
                })
                .cloned()
                .collect(),
            Some(facts) if judge_sql => std::borrow::Cow::Borrowed(&facts.sql),
            _ => std::borrow::Cow::Borrowed(&[]),
        };
        let sql_at: Vec<FileId> = sql
            .iter()
            .map(|f| f.file.as_deref().map_or(i, &mut sql_file))
            .collect();
        let file_facts = rules::FileFacts {
            file: i,
            rel: &found.files[i].rel,
            execs: &execs,
            sql: &sql,
            sql_at: &sql_at,
            untrusted_sql: facts.map_or(&[], |f| &f.untrusted_sql),
            superuser: facts.map_or(&[], |f| &f.superuser),
            opaque_macros: facts.map_or(&[], |f| &f.opaque_macros),
            suppressions: &own_suppressions,
        };
        if !file_facts.is_empty() {
            let cx = rules::Context {
                model: &model,
                config: &config,
                levels: &levels,
                facts: Facts::File(&file_facts),
            };
            for rule in &file_rules {
                findings.extend(rule.check(&cx));
            }
        }
        if !own_suppressions.is_empty() {
            suppressions.insert(i, own_suppressions);
        }
    }
    // Nothing to write when every file was reused and none went away.
    let unchanged = store.as_ref().is_some_and(|s| s.is_empty())
        && carry.reused + reused_queries
            == carry.new.iter().filter(|e| e.schema.is_some()).count()
                + carry.new.iter().filter(|e| e.query.is_some()).count()
        && carry
            .new
            .iter()
            .zip(&carry.old)
            .all(|(n, o)| n.migration.is_none() || o.migration.is_some());
    phase.mark("rules");
    if let Some(store) = store.as_mut().filter(|_| !unchanged) {
        let mut blobs = std::mem::take(&mut carry.blobs);
        blobs.resize_with(found.files.len(), || None);
        let entries = found
            .files
            .iter()
            .zip(std::mem::take(&mut carry.new))
            .zip(blobs)
            .enumerate()
            .filter(|(_, ((_, e), _))| e.hash != 0)
            .map(|(i, ((f, e), blob))| {
                // A file read this run may have a new size or time.
                let same = !carry.touched[i] && texts[i].is_none();
                (f.rel.clone(), e, blob.filter(|_| same))
            })
            .collect();
        if let Err(e) = store.store(entries, run_started) {
            notes.push(format!(
                "could not write the cache at {}: {e} (use `--no-cache` to skip it)",
                store.path.display()
            ));
        }
    }

    phase.mark("cache write");
    // Rules over the whole project: the schema the migrations leave, the
    // files that could not be analysed.
    let mut failed: Vec<(FileId, FileKind, &Failure)> = failures
        .iter()
        .map(|(i, f)| (*i, found.files[*i].kind, f))
        .collect();
    failed.sort_by_key(|(i, _, _)| *i);
    let project = rules::ProjectFacts { failures: &failed };
    let cx = rules::Context {
        model: &model,
        config: &config,
        levels: &levels,
        facts: Facts::Project(&project),
    };
    for rule in levels.running(Phase::Project) {
        findings.extend(rule.check(&cx));
    }
    stats.failed = failures.len();
    stats.skipped += test_files.len();
    stats.analysed = found.files.len() - stats.failed - test_files.len();

    // One SQL text can reach the database on several paths.
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.file, f.span, f.message.clone())));

    // A rule named with `--select` runs even when it is off (by default or
    // in the config): at `warn`, and the run says so.
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
    // Severities from config and flags (a rule without one did not run).
    findings.retain_mut(|f| match levels.of(f.rule) {
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
        if f.rule == rules::invalid_suppression::ID {
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
    let late: Vec<Rule> = levels.running(Phase::Suppressed).collect();
    if !late.is_empty() {
        let mut ids: Vec<&FileId> = suppressions.keys().collect();
        ids.sort();
        let by_file: Vec<(FileId, &[suppress::Suppression])> = ids
            .into_iter()
            .map(|id| (*id, suppressions[id].as_slice()))
            .collect();
        let matched = rules::SuppressionUse {
            suppressions: &by_file,
            used: &used,
        };
        let cx = rules::Context {
            model: &model,
            config: &config,
            levels: &levels,
            facts: Facts::Suppressed(&matched),
        };
        for rule in late {
            for mut f in rule.check(&cx) {
                if let Some(level) = levels.of(f.rule) {
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
                file: files[*i].rel.clone(),
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
        findings.retain(|f| only.iter().any(|o| paths[&f.file].starts_with(o)));
    }

    // Suppressed findings are shown on request (`--show-suppressed`, SARIF)
    // with their excerpt too.
    let shown = findings
        .iter()
        .chain(suppressed_findings.iter().map(|(f, _)| f));
    let needed: Vec<FileId> = shown
        .flat_map(|f| std::iter::once(f.file).chain(f.labels.iter().map(|l| l.file)))
        .collect();
    for id in needed {
        if files[id].text.is_none() {
            match texts.get_mut(id) {
                Some(Some(Ok(t))) => files[id].text = Some(std::mem::take(t)),
                Some(None) => files[id].text = read_file(&found.files[id]).ok(),
                _ => {}
            }
        }
    }
    sort_findings(&mut findings, &files);

    let mut baseline_stats: Option<BaselineStats> = None;
    if let Some(path) = &opts.write_baseline {
        // Entries this run could not have reported stay: a rule it did not
        // run, a file outside the named paths.
        let outside = |e: &baseline::Entry| {
            levels.of(&e.rule).is_none()
                || only.as_ref().is_some_and(|only| {
                    let file = base.join(&e.file);
                    !only.iter().any(|o| file.starts_with(o))
                })
        };
        let written = baseline::write(path, &findings, |id| files[id].rel.clone(), outside)?;
        baseline_stats
            .get_or_insert_with(BaselineStats::default)
            .written = Some(written);
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
    let mut since_hidden = None;
    if let Some(rev) = &opts.since {
        let changed = since::changed_lines(&root, rev).map_err(|e| Error::Usage(e.0))?;
        let paths = canonical_of(&findings, &files);
        let before = findings.len();
        findings.retain(|f| {
            let line = f.span.start.line;
            changed
                .get(&paths[&f.file])
                .is_some_and(|ranges| ranges.iter().any(|(a, b)| (*a..=*b).contains(&line)))
        });
        since_hidden = Some(before - findings.len());
    }
    phase.mark("findings");
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

/// Stable fingerprints: rule, file, enclosing item and normalised code,
/// plus an occurrence index for identical ones. Line numbers are not part
/// of it, so unrelated edits that move lines keep it stable.
fn fingerprint(findings: &mut [Finding], files: &[FileEntry]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for f in findings.iter_mut() {
        let key = format!("{}|{}|{}", f.rule, files[f.file].in_project, f.identity);
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
    let scope = resolve_paths(paths)?;
    let config = load_config(config_path, &scope)?;
    let root = &scope.root;
    let found = discover::discover(
        std::slice::from_ref(root),
        root,
        &config,
        config.files.include_tests,
        &scope.named_in_project(),
        0,
    );
    let pool = pool(None)?;
    let (texts, _) = read_all(&pool, &found.files, None);
    let SchemaPhase {
        model, failures, ..
    } = schema_phase(
        &pool,
        &found.files,
        &texts,
        &config,
        config.files.include_tests,
        true,
        &mut Carry::default(),
    );
    let names = Names::new(root, &scope.base);
    let files: Vec<FileEntry> = found.files.iter().map(|f| names.entry(f)).collect();
    let mut problems: Vec<String> = failures
        .iter()
        .map(|(i, f)| format!("{}:{}: {}", files[*i].shown, f.span.start.line, f.message))
        .collect();
    problems.sort();
    Ok((model, files, problems))
}
