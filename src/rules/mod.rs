//! The rules and their one registry. Each rule is one file here that
//! declares, once, its id, default severity, summary, doc (`rules/<id>.md`,
//! shipped in the binary for `tenant-lint explain`), whether its findings
//! can leak data across tenants, and the [`Fact`]s it reads; and one
//! `check` that judges a [`Context`] and returns format-free [`Finding`]s.
//! The engine builds the facts, runs only the rules that are on (see
//! [`Levels`]), stamps severity from config and drops suppressed findings;
//! SARIF, `tenant-lint rules`, `explain`, config and suppression validation
//! all read [`RULES`].
//!
//! A new rule `my-rule` is: `src/rules/my_rule.rs` (its `ID`, `META` and
//! `check`), one line in `registry!` below, `rules/my-rule.md` and
//! `fixtures/my-rule/{fail,pass}/` (the tests below check all four). It
//! reads facts the engine already builds; a new kind of fact is a
//! [`Fact`] variant, a field of the phase's facts, and the engine code
//! that fills it.

use crate::config::{Config, Level};
use crate::diagnostic::{FileId, Finding};
use crate::discover::FileKind;
use crate::model::queries::{
    ExecFact, OpaqueMacro, SqlFact, SuperuserCall, UntrustedCall, UntrustedSql,
};
use crate::model::TenantModel;
use crate::parse::Failure;
use crate::suppress::Suppression;
use std::collections::HashSet;

/// Declares the rules from one list: the module of each, the [`Rule`]
/// enum (dispatch is an exhaustive `match`, as the set is closed and known
/// at compile time), [`Rule::ALL`] and [`RULES`] in the same order. Adding
/// a rule is one line here; everything else about it is in its own file.
macro_rules! registry {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        /// A rule of this version.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $($(#[$doc])* $variant,)*
        }

        impl Rule {
            /// Every rule, in the order `tenant-lint rules` and SARIF list them.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            fn dispatch(self, cx: &Context<'_>) -> Vec<Finding> {
                match self {
                    $(Rule::$variant => $module::check(cx),)*
                }
            }
        }

        /// The static description of every rule, in [`Rule::ALL`] order.
        pub const RULES: &[RuleMeta] = &[$($module::META,)*];
    };
}

registry! {
    /// `unscoped-query`.
    UnscopedQuery => unscoped_query,
    /// `unscoped-sql`.
    UnscopedSql => unscoped_sql,
    /// `session-search-path`.
    SessionSearchPath => session_search_path,
    /// `superuser-access`.
    SuperuserAccess => superuser_access,
    /// `tenant-index-order`.
    TenantIndexOrder => tenant_index_order,
    /// `tenant-table-unindexed`.
    TenantTableUnindexed => tenant_table_unindexed,
    /// `missing-rls`.
    MissingRls => missing_rls,
    /// `untrusted-tenant-source`.
    UntrustedTenantSource => untrusted_tenant_source,
    /// `parse-error`.
    ParseError => parse_error,
    /// `invalid-suppression`.
    InvalidSuppression => invalid_suppression,
    /// `unused-suppression`.
    UnusedSuppression => unused_suppression,
}

/// Static description of a rule, declared in the rule's own file.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Public id, used in config, suppressions and output.
    pub id: &'static str,
    /// Severity when config says nothing.
    pub default: Level,
    /// One line for `tenant-lint rules`.
    pub summary: &'static str,
    /// The whole Markdown doc.
    pub doc: &'static str,
    /// When a finding can mean one tenant's data reaching another: how
    /// bad that is, as the CVSS-like score GitHub code scanning ranks
    /// security alerts by (SARIF `security-severity`, with the `security`
    /// tag): "8.1" high for a query that can read or change another
    /// tenant's rows, lower where the leak needs more to go wrong.
    pub security: Option<&'static str>,
    /// What the rule reads; the engine builds these facts only when a
    /// rule that runs needs them, and runs the rule in their phases.
    pub needs: &'static [Fact],
    /// Whether its findings sit at a query the program runs, so that how
    /// the query is reached (a request handler, background work, nothing)
    /// is worth saying and can lower the severity (`[reach]`).
    pub reach: bool,
}

/// A kind of fact a rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    /// ORM queries one file executes, with workspace helpers resolved and
    /// lookup helpers judged at their callers.
    OrmQueries,
    /// Raw SQL one file sends to the database, and the file its text is
    /// in (`query_file!`).
    Sql,
    /// Raw SQL of one file whose tenant placeholder is bound to request
    /// input.
    UntrustedSql,
    /// Calls in one file to configured cross-tenant helpers.
    SuperuserCalls,
    /// Macro bodies in one file that are not Rust and name tenant tables.
    OpaqueMacros,
    /// One file's `tenant-lint: allow(..)` comments.
    Suppressions,
    /// The schema the migrations leave (`TenantModel::migrated`).
    Schema,
    /// The files that could not be read or parsed.
    Failures,
    /// Which allow comments silenced a finding.
    SuppressionUse,
}

/// When the engine runs a rule: once per file, once for the project after
/// every file, or once after findings were matched to suppressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Each file, in file order ([`Facts::File`]).
    File,
    /// The whole project ([`Facts::Project`]).
    Project,
    /// After suppression ([`Facts::Suppressed`]).
    Suppressed,
}

impl Fact {
    /// The phase in which this fact is ready.
    pub fn phase(self) -> Phase {
        match self {
            Fact::OrmQueries
            | Fact::Sql
            | Fact::UntrustedSql
            | Fact::SuperuserCalls
            | Fact::OpaqueMacros
            | Fact::Suppressions => Phase::File,
            Fact::Schema | Fact::Failures => Phase::Project,
            Fact::SuppressionUse => Phase::Suppressed,
        }
    }
}

impl Rule {
    /// The rule's static description.
    pub fn meta(self) -> &'static RuleMeta {
        &RULES[self as usize]
    }

    /// The rule's id.
    pub fn id(self) -> &'static str {
        self.meta().id
    }

    /// Whether the rule runs in `phase`.
    pub fn runs_in(self, phase: Phase) -> bool {
        self.meta().needs.iter().any(|f| f.phase() == phase)
    }

    /// The rule's findings for `cx`; nothing when `cx` is of a phase the
    /// rule does not run in.
    pub fn check(self, cx: &Context<'_>) -> Vec<Finding> {
        #[cfg(test)]
        tests::record_run(self);
        self.dispatch(cx)
    }
}

/// What a rule is given.
pub struct Context<'a> {
    /// The tenant model of the project.
    pub model: &'a TenantModel,
    /// The configuration of the run.
    pub config: &'a Config,
    /// The severity of every rule in this run.
    pub levels: &'a Levels,
    /// The facts of the phase being judged.
    pub facts: Facts<'a>,
}

/// The facts of one phase.
pub enum Facts<'a> {
    /// One file ([`Phase::File`]).
    File(&'a FileFacts<'a>),
    /// The project ([`Phase::Project`]).
    Project(&'a ProjectFacts<'a>),
    /// The suppressions, matched ([`Phase::Suppressed`]).
    Suppressed(&'a SuppressionUse<'a>),
}

/// The facts of one file. A fact no running rule needs is left empty.
#[derive(Default)]
pub struct FileFacts<'a> {
    /// The file.
    pub file: FileId,
    /// Its path relative to the project root.
    pub rel: &'a str,
    /// [`Fact::OrmQueries`].
    pub execs: &'a [ExecFact],
    /// [`Fact::Sql`]: SQL that reaches the database.
    pub sql: &'a [SqlFact],
    /// The file each of `sql` is written in: this one, or the one it was
    /// read from.
    pub sql_at: &'a [FileId],
    /// [`Fact::UntrustedSql`].
    pub untrusted_sql: &'a [UntrustedSql],
    /// [`Fact::UntrustedSql`] too: request input passed to a workspace
    /// function that binds a query's tenant to it.
    pub untrusted_calls: &'a [UntrustedCall],
    /// [`Fact::OrmQueries`] too: request input passed to a workspace
    /// function that binds a child table by it, as its parent key only,
    /// with no check of that parent row before the call.
    pub parent_calls: &'a [ParentCall],
    /// [`Fact::Sql`] too: raw SQL binding a child table by a parent key
    /// from the request, with no check of that parent row before.
    pub request_sql: &'a [crate::model::queries::RequestSql],
    /// [`Fact::SuperuserCalls`].
    pub superuser: &'a [SuperuserCall],
    /// [`Fact::OpaqueMacros`].
    pub opaque_macros: &'a [OpaqueMacro],
    /// [`Fact::Suppressions`] (none for test code).
    pub suppressions: &'a [Suppression],
}

/// Request input handed to a workspace function that binds a child table
/// by it, as its parent key only (`GroupUser::find_by_group(&group_id)`
/// with `group_id` from the URL).
#[derive(Debug, Clone)]
pub struct ParentCall {
    /// The call.
    pub call: UntrustedCall,
    /// The child table the callee binds by it.
    pub table: String,
    /// The parent key (Rust name).
    pub key: String,
    /// The callee's query is raw SQL (`unscoped-sql`'s finding).
    pub sql: bool,
}

impl<'a> FileFacts<'a> {
    /// Whether there is nothing to judge (no rule finds anything then).
    pub fn is_empty(&self) -> bool {
        self.execs.is_empty()
            && self.sql.is_empty()
            && self.untrusted_sql.is_empty()
            && self.untrusted_calls.is_empty()
            && self.parent_calls.is_empty()
            && self.request_sql.is_empty()
            && self.superuser.is_empty()
            && self.opaque_macros.is_empty()
            && self.suppressions.is_empty()
    }

    /// Each SQL fact with the file its text is written in.
    pub fn sql_in_files(&self) -> impl Iterator<Item = (&'a SqlFact, FileId)> {
        debug_assert_eq!(self.sql.len(), self.sql_at.len());
        self.sql.iter().zip(self.sql_at.iter().copied())
    }
}

/// The facts of the whole project (the schema is the model's).
pub struct ProjectFacts<'a> {
    /// [`Fact::Failures`], in file order.
    pub failures: &'a [(FileId, FileKind, &'a Failure)],
}

/// [`Fact::SuppressionUse`].
pub struct SuppressionUse<'a> {
    /// The allow comments of each file, in file order.
    pub suppressions: &'a [(FileId, &'a [Suppression])],
    /// The (file, index) of each comment that silenced a finding.
    pub used: &'a HashSet<(FileId, usize)>,
}

/// The severity of each rule in one run, from its default, the config,
/// `--select` and `--ignore`. A rule without one does not run.
#[derive(Debug, Clone)]
pub struct Levels {
    select: Vec<String>,
    ignore: Vec<String>,
    config: std::collections::BTreeMap<String, Level>,
    running: Vec<Rule>,
}

impl Levels {
    /// The levels for `config` with `--select` and `--ignore`.
    pub fn new(config: &Config, select: &[String], ignore: &[String]) -> Levels {
        let mut levels = Levels {
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            config: config.rules.clone(),
            running: Vec::new(),
        };
        levels.running = Rule::ALL
            .iter()
            .copied()
            .filter(|r| levels.of(r.id()).is_some())
            .collect();
        levels
    }

    /// The severity of the rule `id` in this run; `None` when it does not
    /// run. A rule named with `--select` runs even when it is off: at
    /// `warn`.
    pub fn of(&self, id: &str) -> Option<Level> {
        let selected = self.select.iter().any(|s| s == id);
        if !self.select.is_empty() && !selected {
            return None;
        }
        if self.ignore.iter().any(|s| s == id) {
            return None;
        }
        match self.configured(id) {
            Level::Off if selected => Some(Level::Warn),
            Level::Off => None,
            l => Some(l),
        }
    }

    /// The level of the rule `id` from its default and the config alone.
    pub fn configured(&self, id: &str) -> Level {
        let default = meta(id).map_or(Level::Error, |m| m.default);
        self.config.get(id).copied().unwrap_or(default)
    }

    /// The rules that run in `phase`, in registry order.
    pub fn running(&self, phase: Phase) -> impl Iterator<Item = Rule> + '_ {
        self.running
            .iter()
            .copied()
            .filter(move |r| r.runs_in(phase))
    }

    /// Whether a rule that runs needs `fact`.
    pub fn need(&self, fact: Fact) -> bool {
        self.running.iter().any(|r| r.meta().needs.contains(&fact))
    }
}

/// Rule ids of the product brief that this version does not implement yet.
/// Config may name them (so a config written for a later version loads);
/// the run says they are not enforced.
pub const PLANNED: &[&str] = &[];

/// Looks a rule up by id.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// What to say of a rule id on the command line that no rule has: the
/// closest id when it looks like a typo, and where the ids are listed.
pub fn unknown_rule(id: &str) -> String {
    let near = crate::config::validate::did_you_mean(id, &known_ids()).unwrap_or_default();
    format!("unknown rule `{id}`{near} (see `tenant-lint rules`)")
}

/// Every id the config accepts.
pub fn known_ids() -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.id)
        .chain(PLANNED.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::path::Path;

    thread_local! {
        /// The rules run on this thread (the engine runs them on the
        /// calling thread), for the tests that check which ran.
        static RUN: RefCell<Vec<Rule>> = const { RefCell::new(Vec::new()) };
    }

    pub(super) fn record_run(rule: Rule) {
        RUN.with_borrow_mut(|r| r.push(rule));
    }

    /// The rules `check` ran (each once however many times it was called).
    fn rules_run(opts: &crate::engine::CheckOptions) -> Vec<&'static str> {
        RUN.with_borrow_mut(Vec::clear);
        let report = crate::engine::check(opts).expect("check runs");
        assert!(!report.findings.is_empty(), "the tree has findings");
        let mut ran: Vec<&str> = RUN.with_borrow(|r| r.iter().map(|r| r.id()).collect());
        ran.sort();
        ran.dedup();
        ran
    }

    fn fixture(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel)
    }

    fn opts(rel: &str) -> crate::engine::CheckOptions {
        crate::engine::CheckOptions {
            paths: vec![fixture(rel)],
            ..Default::default()
        }
    }

    #[test]
    fn ids_are_unique_and_the_enum_matches_the_table() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "rule id `{}` declared twice", r.id);
        }
        assert_eq!(Rule::ALL.len(), RULES.len());
        for (i, r) in Rule::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i);
            assert_eq!(r.meta().id, RULES[i].id);
            assert_eq!(meta(r.id()).map(|m| m.id), Some(r.id()));
            assert!(!r.meta().needs.is_empty(), "`{}` needs no facts", r.id());
        }
    }

    #[test]
    fn every_rule_has_its_doc_and_fixture_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for r in RULES {
            let doc = root.join("rules").join(format!("{}.md", r.id));
            let on_disk =
                std::fs::read_to_string(&doc).unwrap_or_else(|e| panic!("{}: {e}", doc.display()));
            assert_eq!(on_disk, r.doc, "`{}` ships rules/{}.md", r.id, r.id);
            for kind in ["fail", "pass"] {
                let dir = root.join("fixtures").join(r.id).join(kind);
                assert!(dir.is_dir(), "{} is missing", dir.display());
            }
        }
    }

    #[test]
    fn the_rule_file_is_named_after_the_id() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for r in RULES {
            let file = root
                .join("src/rules")
                .join(format!("{}.rs", r.id.replace('-', "_")));
            assert!(file.is_file(), "{} is missing", file.display());
        }
    }

    #[test]
    fn off_rules_do_not_run() {
        // `missing-rls` and `untrusted-tenant-source` are off by default,
        // `unscoped-query` is ignored.
        let mut o = opts("demo");
        o.ignore = vec!["unscoped-query".into()];
        let ran = rules_run(&o);
        for off in ["missing-rls", "untrusted-tenant-source", "unscoped-query"] {
            assert!(!ran.contains(&off), "`{off}` ran: {ran:?}");
        }
        for on in ["unscoped-sql", "tenant-table-unindexed", "parse-error"] {
            assert!(ran.contains(&on), "`{on}` did not run: {ran:?}");
        }
    }

    #[test]
    fn select_runs_only_the_selected_rules_even_when_off() {
        let mut o = opts("missing-rls/fail");
        o.select = vec!["missing-rls".into()];
        assert_eq!(rules_run(&o), ["missing-rls"]);
    }

    #[test]
    fn a_rule_turned_off_in_the_config_does_not_run() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("tenant-lint.toml");
        std::fs::write(
            &config,
            "[rules]\nunscoped-sql = \"off\"\nmissing-rls = \"warn\"\n",
        )
        .expect("config written");
        let mut o = opts("demo");
        o.config = Some(config);
        let ran = rules_run(&o);
        assert!(!ran.contains(&"unscoped-sql"), "{ran:?}");
        assert!(ran.contains(&"missing-rls"), "{ran:?}");
    }

    #[test]
    fn levels_follow_select_ignore_and_config() {
        let mut config = Config::default();
        config.rules.insert("unscoped-query".into(), Level::Off);
        let levels = Levels::new(&config, &[], &[]);
        assert_eq!(levels.of("unscoped-query"), None);
        let levels = Levels::new(&config, &["unscoped-query".into()], &[]);
        assert_eq!(levels.of("unscoped-query"), Some(Level::Warn));
        let config = Config::default();
        let levels = Levels::new(&config, &[], &["unscoped-sql".into()]);
        assert_eq!(levels.of("unscoped-query"), Some(Level::Error));
        assert_eq!(levels.of("unscoped-sql"), None);
        assert_eq!(levels.of("missing-rls"), None);
        assert!(!levels.need(Fact::UntrustedSql));
        let levels = Levels::new(&config, &["missing-rls".into()], &[]);
        assert_eq!(levels.of("missing-rls"), Some(Level::Warn));
        assert_eq!(levels.of("unscoped-query"), None);
        let running: Vec<Rule> = levels.running(Phase::Project).collect();
        assert_eq!(running, [Rule::MissingRls]);
        assert!(levels.need(Fact::Schema) && !levels.need(Fact::OrmQueries));
    }
}
