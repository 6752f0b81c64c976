//! Query facts: follows ORM queries through each function body, from the
//! call that starts them to the call that executes them, and records at
//! each execution what the query touches and what binds it to a tenant on
//! every path. This is an abstract interpretation over syn's tree: variables
//! hold sets of possible query states (one per path), branches are analysed
//! separately and merged, diverging branches (`return`, `break`, `bail!`)
//! drop out, closures and async blocks see the enclosing bindings, and macro
//! bodies that parse as Rust are analysed like any other code. Judging the
//! facts is the rules' job; the one judgement made here is whether a row
//! fetched without binding is checked against the caller's tenant before
//! it is used, because that depends on the statements that follow.

use crate::config::Config;
use crate::diagnostic::Span;
use crate::model::names::{Place, Resolved, Scope, UseMap};
use crate::model::TenantModel;
use crate::orm::{snake_case, unraw};
use crate::orm::{Knowledge, Orm, Shape};
use crate::parse::is_test_attr;
use crate::parse::path_segments;
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{BTreeSet, HashMap, HashSet};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Pat, Stmt, Token};

mod rawsql;

use crate::sql::text::SqlText;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Most alternatives kept per variable; beyond it the first ones are kept.
const MAX_ALTERNATIVES: usize = 32;

/// What binds a query to a tenant on one path.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Cond {
    /// What is compared for equality with a tenant value.
    pub bound: BTreeSet<Bound>,
    /// Column equalities between two tables.
    pub edges: BTreeSet<(String, String)>,
    /// Why a binding was lost, for the message.
    pub notes: Vec<String>,
    /// Tenant values taken from request input (not the authenticated
    /// caller) that a tenant equality compares with: how each got there.
    pub untrusted: Vec<String>,
    /// Bindings of a child table by its parent key to a value that only
    /// picks the parent row: request input nothing checked, or a parameter
    /// of the enclosing function. They are in `bound` too; one is soft
    /// when nothing else binds the same table.
    #[serde(default)]
    pub soft: Vec<Soft>,
}

/// A child table bound by its parent key to a value that only picks the
/// parent row (see [`Cond::soft`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Soft {
    /// What the equality binds.
    pub bound: Bound,
    /// The parent key (Rust name).
    pub key: String,
    /// Where the value came from.
    pub origin: Origin,
}

/// Where the value a parent key is compared with came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// Request input taken directly (not through a loaded row), and no
    /// check that the parent row is the caller's came before: how.
    Request(String),
    /// The enclosing function's parameter K: judged at its callers.
    Param(usize),
}

impl Cond {
    /// Whether `b` is bound by something other than a soft binding.
    fn firmly(&self, b: &Bound) -> bool {
        self.bound.contains(b) && !self.soft.iter().any(|s| s.bound == *b)
    }

    /// Both conditions hold.
    pub(crate) fn and(mut self, other: &Cond) -> Cond {
        let mut soft: Vec<Soft> = Vec::new();
        for s in self.soft.iter().chain(&other.soft) {
            if !self.firmly(&s.bound) && !other.firmly(&s.bound) && !soft.contains(s) {
                soft.push(s.clone());
            }
        }
        self.soft = soft;
        self.bound.extend(other.bound.iter().cloned());
        self.edges.extend(other.edges.iter().cloned());
        self.notes.extend(other.notes.iter().cloned());
        for u in &other.untrusted {
            if !self.untrusted.contains(u) {
                self.untrusted.push(u.clone());
            }
        }
        self
    }

    fn or(&self, other: &Cond, why: &str) -> Cond {
        let bound: BTreeSet<Bound> = self.bound.intersection(&other.bound).cloned().collect();
        let mut notes: Vec<String> = self.notes.clone();
        notes.extend(other.notes.iter().cloned());
        if bound.len() < self.bound.len().max(other.bound.len()) {
            notes.push(why.to_string());
        }
        let mut untrusted = self.untrusted.clone();
        for u in &other.untrusted {
            if !untrusted.contains(u) {
                untrusted.push(u.clone());
            }
        }
        let mut soft: Vec<Soft> = Vec::new();
        for s in self.soft.iter().chain(&other.soft) {
            if bound.contains(&s.bound) && !soft.contains(s) {
                soft.push(s.clone());
            }
        }
        Cond {
            bound,
            edges: self.edges.intersection(&other.edges).cloned().collect(),
            notes,
            untrusted,
            soft,
        }
    }
}

/// One possible state of a query at a point of the program.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QState {
    /// Which ORM builds it.
    pub orm: Orm,
    /// What the query starts from.
    pub root: Root,
    /// Where the query starts.
    pub source: Span,
    /// The starting call (`find`, `find_by_id`, `table`, ...).
    pub start: String,
    /// Other tables joined in.
    pub joins: Vec<String>,
    /// What binds it.
    pub cond: Cond,
    /// Bound through a parent row or a scope method: the call's name.
    pub scoped_by: Option<String>,
    /// Selects by primary key.
    pub pk_lookup: bool,
    /// The key it looks up is request input taken directly (the value as
    /// written, where it came from: `project_id`, "from the `Path`
    /// extractor").
    #[serde(default)]
    pub key_from: Option<(String, String)>,
    /// The key it looks up is the enclosing function's parameter (by
    /// position): its callers say where the key comes from.
    #[serde(default)]
    pub key_param: Option<usize>,
    /// A Diesel `.on(..)` condition, used when this query is joined.
    pub on: Option<Cond>,
    /// A SeaORM paginator: its calls execute without a connection argument.
    pub paginated: bool,
    /// Tenant tables of queries combined with `union` & co. that were
    /// unbound at that point.
    pub unbound_parts: Vec<String>,
    /// Helper functions the query was built through, outermost first.
    pub via: Vec<String>,
    /// For a call to a helper not resolved yet ([`Root::Call`]): the
    /// query-valued arguments, by parameter position.
    pub args: Vec<Vec<QState>>,
    /// For a call to a helper not resolved yet: the caller took element K
    /// of the tuple it returns (`let (q, dir) = paginate(q)`), which
    /// stands for the query only if the helper returns it there.
    #[serde(default)]
    pub elem: Option<usize>,
    /// For an insert (`insert_into(t).values(..)`): what makes an upsert's
    /// update safe.
    #[serde(default)]
    pub insert: Option<InsertFacts>,
    /// For a call to a helper that may execute what it is given
    /// ([`Root::Run`]): its predicate and table arguments.
    pub run: Option<Box<RunArgs>>,
    /// Where helpers this query went through executed it (file, span of
    /// the executing call, helper): filled in by cross-function
    /// resolution, for secondary labels.
    #[serde(skip)]
    pub sites: Vec<(usize, Span, String)>,
    /// For a helper's result: the pending check on the rows it may hold
    /// (analysis-time only).
    #[serde(skip)]
    pending: Option<usize>,
}

/// What an insert knows of the rows it writes and of its conflict clause.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct InsertFacts {
    /// The rows are a row the function holds as its tenant's (`self` of a
    /// model, a row fetched scoped): a conflict on its key is that row.
    pub own_row: bool,
    /// The conflict target names a tenant column.
    pub conflict_on_tenant: bool,
    /// `.do_update()`: a conflict updates the existing row.
    pub upsert: bool,
}

/// Arguments of a call to a helper that may execute a query built from
/// them (`generic_find_one::<payment_attempt::table, _, _>(conn, pred)`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RunArgs {
    /// Predicate-valued arguments (alternatives), by parameter position.
    pub preds: Vec<Option<Vec<Cond>>>,
    /// Tables (or the caller's own generic parameters) named by the
    /// turbofish, by generic position.
    pub types: Vec<Option<Root>>,
}

/// What a query state starts from: a table, or a value of the enclosing
/// function or of a workspace helper that is resolved to tables later,
/// where the function is called ([`crate::model::summaries`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Root {
    /// A table, by its key in the tenant model.
    Table(String),
    /// The query a workspace helper returns (its summary key), with the
    /// caller's query-valued arguments in [`QState::args`].
    Call(String),
    /// A call to a workspace helper that may execute a query built from its
    /// arguments (its summary key), with the predicate and table arguments
    /// in [`QState::run`].
    Run(String),
    /// The query the enclosing function received as parameter K.
    Param(usize),
    /// The table the enclosing function's generic type parameter K names
    /// (`<T as HasTable>::table()`).
    TypeParam(usize),
}

impl Root {
    /// The table, when it is one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Root::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The summary key of the helper it calls, and whether the helper runs
    /// the query itself ([`Root::Run`]) rather than returning it.
    pub fn callee(&self) -> Option<(&str, bool)> {
        match self {
            Root::Call(k) => Some((k, false)),
            Root::Run(k) => Some((k, true)),
            _ => None,
        }
    }
}

impl std::fmt::Display for Root {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Root::Table(t) => f.write_str(t),
            Root::Call(k) => write!(f, "the result of `{k}`"),
            Root::Run(k) => write!(f, "what `{k}` runs"),
            Root::Param(i) => write!(f, "parameter {i}"),
            Root::TypeParam(i) => write!(f, "generic parameter {i}"),
        }
    }
}

/// What a condition binds to a tenant.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Bound {
    /// The query's root table (a bare column name that could not be placed).
    Root,
    /// A table whose tenant column is compared for equality with a value.
    Table(String),
    /// Whatever the predicate the enclosing function received as parameter
    /// K binds: replaced by the caller's predicate when resolved.
    Pred(usize),
}

impl QState {
    /// A query built with `orm`, starting from `root` at `source` with the
    /// call `start`, that nothing binds yet.
    fn new(orm: Orm, root: Root, source: Span, start: &str) -> QState {
        QState {
            orm,
            root,
            source,
            start: start.to_string(),
            joins: Vec::new(),
            cond: Cond::default(),
            scoped_by: None,
            pk_lookup: false,
            key_from: None,
            key_param: None,
            on: None,
            paginated: false,
            unbound_parts: Vec::new(),
            via: Vec::new(),
            args: Vec::new(),
            elem: None,
            insert: None,
            run: None,
            sites: Vec::new(),
            pending: None,
        }
    }

    /// A query whose table is not known yet (a helper's result, with the
    /// caller's query arguments, or a parameter). Its ORM is a placeholder
    /// (the first of the registry) until it is resolved.
    fn symbolic(root: Root, source: Span, args: Vec<Vec<QState>>) -> QState {
        QState {
            args,
            ..QState::new(Orm::ALL[0], root, source, "")
        }
    }

    /// The table the query starts from, when it is known.
    pub fn table(&self) -> Option<&str> {
        self.root.table()
    }

    /// True for a sea-query statement (`Query::select().from(E)`): its
    /// start is one of its ORM's `builder-starts`.
    pub fn is_statement(&self) -> bool {
        Knowledge::get()
            .pack(self.orm)
            .builder_starts
            .contains(&self.start)
    }

    /// True for a query whose table is not known yet (a helper's result or
    /// a parameter).
    pub fn is_symbolic(&self) -> bool {
        !matches!(self.root, Root::Table(_))
    }

    /// True when the query depends on what the enclosing function was
    /// given (a query, a predicate or a generic table): it is judged where
    /// the function is called, with the caller's arguments.
    pub fn is_parametric(&self) -> bool {
        let pred = |c: &Cond| c.bound.iter().any(|b| matches!(b, Bound::Pred(_)));
        matches!(self.root, Root::Param(_) | Root::TypeParam(_))
            || pred(&self.cond)
            || self.args.iter().flatten().any(QState::is_parametric)
            || self.run.as_ref().is_some_and(|r| {
                r.types
                    .iter()
                    .flatten()
                    .any(|t| matches!(t, Root::TypeParam(_)))
                    || r.preds.iter().flatten().flatten().any(pred)
            })
    }
}

/// Whether a call of a function named `name` can be a call to a
/// workspace helper (see `FnAnalysis::helper_key`).
pub fn may_name_helper(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') && !NOT_HELPERS.contains(&name)
}

/// Calls that are never workspace helpers returning queries.
const NOT_HELPERS: &[&str] = &[
    "new",
    "from",
    "default",
    "into",
    "clone",
    "to_string",
    "to_owned",
    "with_capacity",
    "format",
    "vec",
    "spawn",
    "block_on",
    "min",
    "max",
    "drop",
];

/// The result of helper calls, of which no tuple element was taken yet.
fn untaken_result(v: &Val) -> bool {
    matches!(v, Val::Query(qs) if !qs.is_empty()
        && qs.iter().all(|q| matches!(q.root, Root::Call(_)) && q.elem.is_none()))
}

/// The result of a call to a helper: a query to resolve later, carrying
/// the query-valued arguments (for helpers that transform a query).
fn helper_call(key: String, span: Span, args: &[Val]) -> Val {
    let args = args
        .iter()
        .map(|a| match a {
            Val::Query(qs) => qs.clone(),
            _ => Vec::new(),
        })
        .collect();
    Val::Query(vec![QState::symbolic(Root::Call(key), span, args)])
}

/// What a function returns when it returns a query: a helper that scopes
/// (`secure_find(org)`), builds (`base()`) or transforms (`scoped(q, org)`)
/// queries for its callers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FnSummary {
    /// How calls name it: `entity:document::in_org`, `type:Store::find`,
    /// `fn:scoped`.
    pub key: String,
    /// Its name for messages (`document::Entity::in_org`).
    pub name: String,
    /// The query states it can return, one per path.
    pub returns: Vec<QState>,
    /// Queries it executes that depend on its parameters (a predicate, a
    /// query or a generic table it was given): judged at each call.
    pub runs: Vec<Run>,
    /// Its string parameters that reach a raw-SQL entry point, by position.
    pub sql_params: Vec<usize>,
    /// Its string parameters passed on to other functions: (parameter,
    /// callee key, argument position).
    pub sql_forwards: Vec<(usize, String, usize)>,
    /// It returns rows fetched by a query that may not bind the tenant (a
    /// lookup helper, judged with its callers).
    pub rows: bool,
    /// It returns rows that calls to these functions (keys) fetched or
    /// returned: a lookup helper if one of them is.
    pub rows_from: Vec<String>,
    /// Its parameters whose value a query it builds is bound to as the
    /// tenant (`fn users_of(org_id: Uuid)` with `.filter(OrgId.eq(org_id))`),
    /// by position.
    #[serde(default)]
    pub tenant_params: Vec<usize>,
    /// Its parameters passed on to other functions: (parameter, callee key,
    /// argument position); a tenant parameter if the callee's is.
    #[serde(default)]
    pub tenant_forwards: Vec<(usize, String, usize)>,
    /// Its parameters that a query it builds or runs is bound by only as a
    /// child's parent key (`fn find_by_group(group_uuid)` with
    /// `.filter(groups_users::groups_uuid.eq(group_uuid))`): its callers
    /// must have checked that parent row.
    #[serde(default)]
    pub parent_params: Vec<ParentParam>,
    /// Its parameters that a lookup it runs picks rows by (the key of
    /// `find_by_id(id)`, `WHERE id = $1`), with the line the lookup is
    /// reported on: its callers say where the key comes from.
    #[serde(default)]
    pub key_params: Vec<(usize, u32)>,
    /// It returns its queries as element K of a tuple
    /// (`fn paginate(q: Q) -> (Q, Direction)`): only a caller that takes
    /// that element gets them.
    #[serde(default)]
    pub returns_elem: Option<usize>,
}

/// A parameter a helper binds a child table by, as its parent key only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParentParam {
    /// The parameter's position.
    pub param: usize,
    /// The child table.
    pub table: String,
    /// Its parent key (Rust name).
    pub key: String,
    /// The query is raw SQL (`unscoped-sql`'s), not the ORM's.
    #[serde(default)]
    pub sql: bool,
}

/// A query a helper executes with what its caller gave it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Run {
    /// The query, with placeholders for the parameters.
    pub state: QState,
    /// The executing call (or the call to the next executing helper).
    pub span: Span,
}

/// Fact recorded at each call that executes a query.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExecFact {
    /// ORM of the query.
    pub orm: Orm,
    /// The executing method's name.
    pub method: String,
    /// Span of the executing method's name.
    pub span: Span,
    /// Enclosing function (`Type::method` or `name`).
    pub function: String,
    /// Possible query states reaching the call, one per path.
    pub paths: Vec<QState>,
    /// Tenant values in reach in the function (names, `ctx.tenant_id`).
    pub in_reach: Vec<String>,
    /// The fetched row is compared with the caller's tenant before use.
    pub checked_after: bool,
    /// The query expression with whitespace removed (for fingerprints).
    pub text: String,
    /// How this file names the root table's tenant column, when it
    /// imports it under an alias or a `dsl` glob (for the help text).
    pub tenant_path: Option<String>,
    /// The fetched rows are returned by the enclosing function (key of its
    /// summary): a lookup helper, judged with its callers.
    pub returned_by: Option<String>,
    /// Reported at a caller of a lookup helper (the rows it uses unchecked).
    pub lookup: bool,
}

/// A call to a workspace function whose result may be rows a lookup
/// helper fetched without binding the tenant (`Folder::find_by_uuid(..)`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct HelperUse {
    /// The helper's key ([`FnSummary::key`]).
    pub key: String,
    /// The call as written, for messages.
    pub name: String,
    /// The called name.
    pub span: Span,
    /// Enclosing function.
    pub function: String,
    /// Tenant values in reach in the enclosing function.
    pub in_reach: Vec<String>,
    /// The rows are compared with the caller's tenant before use.
    pub checked_after: bool,
    /// The rows are returned to the enclosing function's callers (its key).
    pub returned_by: Option<String>,
}

/// A macro whose body could not be read as Rust but mentions the model.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OpaqueMacro {
    /// The macro's name.
    pub name: String,
    /// Span of the invocation.
    pub span: Span,
}

/// What a raw SQL statement does wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SqlHitKind {
    /// A tenant table instance that is not bound.
    Unbound,
    /// An INSERT into a tenant table that does not set this tenant column.
    InsertWithoutTenant(String),
}

/// One problem inside a SQL text.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SqlHit {
    /// What is wrong.
    pub kind: SqlHitKind,
    /// Table (lowercase).
    pub table: String,
    /// `select`, `update`, `delete` or `insert`.
    pub statement: String,
    /// The table reference, inside the string literal (or SQL file).
    pub span: Span,
    /// Why the binding was lost.
    pub notes: Vec<String>,
    /// Placeholders a column of the table equals on every path
    /// (`stream = $1`).
    #[serde(default)]
    pub keyed_by: Vec<usize>,
    /// Bound after all: the caller binds a value built from the tenant at
    /// one of `keyed_by` (`.bind(format!("{org_id}/.."))`); not reported.
    #[serde(default)]
    pub bound_by_key: bool,
    /// Byte offset of its statement in the SQL text: the hits of one
    /// statement are one finding.
    #[serde(default)]
    pub at: usize,
    /// Part of its conditions is built at run time: it may be bound after
    /// all (reported one level lower).
    #[serde(default)]
    pub runtime: bool,
    /// The value bound at one of `keyed_by` is request input taken
    /// directly: as written, and where it came from.
    #[serde(default)]
    pub key_from: Option<(String, String)>,
    /// The value bound at one of `keyed_by` is the enclosing function's
    /// parameter (by position).
    #[serde(default)]
    pub key_param: Option<usize>,
}

/// A SQL text that reaches a database API and has something to report.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SqlFact {
    /// The API it reaches (`query_as!`, `sqlx::query`, `.execute`).
    pub sink: String,
    /// The call.
    pub span: Span,
    /// Enclosing function.
    pub function: String,
    /// Tenant values in reach in the function.
    pub in_reach: Vec<String>,
    /// The SQL, whitespace removed (for fingerprints).
    pub text: String,
    /// Unbound tables and inserts without tenant.
    pub hits: Vec<SqlHit>,
    /// Session-wide `SET search_path`s.
    pub search_path: Vec<Span>,
    /// sqlparser's error when the statement was judged by a token scan.
    pub fallback: Option<String>,
    /// The file the SQL was read from, when not this one.
    pub file: Option<PathBuf>,
    /// First and last line of the call and its SQL in this file.
    pub extent: (u32, u32),
    /// Passed to a workspace function (its key and the argument's
    /// position): judged only if that function sends it to the database.
    pub through: Option<(String, usize)>,
    /// Returned by the function (its key) rather than sent here: judged
    /// only if a caller sends the result to the database.
    #[serde(default)]
    pub returned_by: Option<String>,
}

/// A call to a configured cross-tenant ("superuser") helper.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SuperuserCall {
    /// The `[superuser] calls` entry it matched.
    pub pattern: String,
    /// The call as written (`AdminDb::list_all`, `unscoped_all`).
    pub call: String,
    /// The called name.
    pub span: Span,
    /// Enclosing function.
    pub function: String,
}

/// Everything the query analysis found in one file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct QueryFacts {
    /// One per executed query on a known table.
    pub execs: Vec<ExecFact>,
    /// Raw SQL with findings.
    pub sql: Vec<SqlFact>,
    /// Calls (their keys) whose result a raw-SQL entry point receives as
    /// its SQL (`sqlx::query(&list_sql(..))`).
    #[serde(default)]
    pub sql_result_sinks: Vec<String>,
    /// Calls matching `[superuser] calls`.
    pub superuser: Vec<SuperuserCall>,
    /// Macros that hid code from the analysis.
    pub opaque_macros: Vec<OpaqueMacro>,
    /// Functions of this file that return queries.
    pub summaries: Vec<FnSummary>,
    /// Calls to workspace functions that may return rows.
    pub uses: Vec<HelperUse>,
    /// Raw SQL whose tenant placeholder is bound to request input.
    pub untrusted_sql: Vec<UntrustedSql>,
    /// Request input passed to workspace functions: reported when the
    /// callee binds a query's tenant to it.
    #[serde(default)]
    pub untrusted_calls: Vec<UntrustedCall>,
    /// Raw SQL binding a child by a parent key from the request.
    #[serde(default)]
    pub request_sql: Vec<RequestSql>,
}

/// Request input passed to a workspace function (`get_org_users(org_id)`
/// with `org_id` from a `Path` extractor), not authorized first.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UntrustedCall {
    /// The callee's key.
    pub key: String,
    /// The callee as written.
    pub name: String,
    /// The argument's position.
    pub arg: usize,
    /// The callee's name in the call.
    pub span: Span,
    /// Enclosing function.
    pub function: String,
    /// How the argument is request input.
    pub source: String,
    /// The argument is the request value itself (or a copy), not a row
    /// loaded with it.
    #[serde(default)]
    pub direct: bool,
    /// The words of what statements before the call combined it with
    /// (a check of a parent row names what the parent hangs from).
    #[serde(default)]
    pub seen: Vec<String>,
    /// The argument as written and where it came from, when it is request
    /// input taken directly.
    #[serde(default)]
    pub request: Option<(String, String)>,
}

/// Raw SQL executed with a child table's parent key bound to request
/// input that nothing checked: the request picks a parent row of any
/// tenant.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RequestSql {
    /// The executing call (or macro).
    pub method: String,
    /// Its name.
    pub span: Span,
    /// Enclosing function.
    pub function: String,
    /// The child table.
    pub table: String,
    /// Its parent key.
    pub key: String,
    /// How the value is request input.
    pub source: String,
    /// The SQL, whitespace removed (for fingerprints).
    pub text: String,
}

/// Raw SQL executed with its tenant placeholder bound to request input.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UntrustedSql {
    /// The executing method (`fetch_one`).
    pub method: String,
    /// Its name.
    pub span: Span,
    /// Enclosing function.
    pub function: String,
    /// How the bound tenant value is request input.
    pub source: String,
    /// The SQL, whitespace removed (for fingerprints).
    pub text: String,
}

/// Tenant tables a query state leaves unbound.
pub fn unbound_tables(model: &TenantModel, q: &QState) -> Vec<String> {
    unbound_unless(model, q, &|_| false)
}

/// Child tables a query state binds only by a parent key compared with a
/// value that just picks the parent row, the origin matching `which`: each
/// with the parent key and the value's origin. What `unscoped-query`
/// reports for request input nothing checked ([`Origin::Request`]), and
/// what makes a helper's parameter a parent key its callers must check
/// ([`Origin::Param`]).
pub fn softly_bound<'q>(
    model: &TenantModel,
    q: &'q QState,
    which: &dyn Fn(&Origin) -> bool,
) -> Vec<(String, &'q Soft)> {
    if !q.cond.soft.iter().any(|s| which(&s.origin)) {
        return Vec::new();
    }
    let firm = unbound_tables(model, q);
    let loose = unbound_unless(model, q, &|s| which(&s.origin));
    loose
        .into_iter()
        .filter(|t| !firm.contains(t))
        .filter_map(|t| {
            let own = |s: &&Soft| match &s.bound {
                Bound::Table(b) => *b == t,
                Bound::Root => q.table() == Some(t.as_str()),
                Bound::Pred(_) => false,
            };
            let soft = q
                .cond
                .soft
                .iter()
                .filter(|s| which(&s.origin))
                .find(own)
                .or_else(|| q.cond.soft.iter().find(|s| which(&s.origin)))?;
            Some((t, soft))
        })
        .collect()
}

/// Tenant tables a query state leaves unbound when the soft bindings
/// `drop` picks do not count.
fn unbound_unless(model: &TenantModel, q: &QState, drop: &dyn Fn(&Soft) -> bool) -> Vec<String> {
    let root = q.table();
    let mut tenant: Vec<String> = Vec::new();
    for t in root.into_iter().chain(q.joins.iter().map(String::as_str)) {
        // The root unbound is the list of tenants, not one tenant's data.
        if model.is_tenant(t) && !model.is_root(t) && !tenant.iter().any(|x| x == t) {
            tenant.push(t.to_string());
        }
    }
    if tenant.is_empty() {
        return tenant;
    }
    let dropped = |b: &Bound| q.cond.soft.iter().any(|s| s.bound == *b && drop(s));
    let mut bound: BTreeSet<String> = q
        .cond
        .bound
        .iter()
        .filter(|b| !dropped(b))
        .filter_map(|b| match b {
            Bound::Root => root.map(str::to_string),
            Bound::Table(t) => Some(t.clone()),
            Bound::Pred(_) => None,
        })
        .collect();
    if let Some(root) = root.filter(|_| q.scoped_by.is_some()) {
        bound.insert(root.to_string());
    }
    // Binding travels along column equalities between tenant tables, and
    // from a parent into its child: never through a table that is not
    // tenant data, nor from a child up to its parent
    // (`TenantModel::binds_into`).
    loop {
        let mut changed = false;
        for (a, b) in &q.cond.edges {
            let at = |x: &String| -> String {
                match root {
                    Some(r) if x == ROOT_EDGE => r.to_string(),
                    _ => x.clone(),
                }
            };
            let (a, b) = (&at(a), &at(b));
            if bound.contains(a) && model.binds_into(a, b) && bound.insert(b.clone()) {
                changed = true;
            }
            if bound.contains(b) && model.binds_into(b, a) && bound.insert(a.clone()) {
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    tenant.retain(|t| !bound.contains(t));
    for t in &q.unbound_parts {
        if !tenant.contains(t) {
            tenant.push(t.clone());
        }
    }
    tenant
}

/// The paths of an executed query that leave tenant tables unbound, each
/// with those tables; none when a row read without binding is compared
/// with the caller's tenant before it is used (and so are the tables
/// joined to it by column equality), as a write has happened by then.
/// What `unscoped-query` reports, and what makes a lookup helper judged
/// at its callers.
pub fn unbound_paths<'e>(model: &TenantModel, e: &'e ExecFact) -> Vec<(&'e QState, Vec<String>)> {
    let bad: Vec<(&QState, Vec<String>)> = e
        .paths
        .iter()
        .map(|q| (q, unbound_tables(model, q)))
        .filter(|(_, u)| !u.is_empty())
        .collect();
    if e.checked_after
        && bad.iter().all(|(q, _)| {
            let mut checked = (*q).clone();
            checked.cond.bound.insert(Bound::Root);
            write_kind(q).is_none() && unbound_tables(model, &checked).is_empty()
        })
    {
        return Vec::new();
    }
    bad
}

/// `update` / `delete` for queries that change rows (the ORM's
/// `update-starts` / `delete-starts` in `src/orm/*/knowledge.toml`), and
/// `insert` / `upsert` for inserts.
pub fn write_kind(q: &QState) -> Option<&'static str> {
    let pack = Knowledge::get().pack(q.orm);
    if let Some(i) = &q.insert {
        return Some(if i.upsert { "upsert" } else { "insert" });
    }
    if pack.update_starts.contains(&q.start) {
        Some("update")
    } else if pack.delete_starts.contains(&q.start) {
        Some("delete")
    } else {
        None
    }
}

/// Options the analysis needs from the run.
pub struct Options<'a> {
    /// Analyse `#[test]` functions and `#[cfg(test)]` modules too.
    pub include_tests: bool,
    /// The configuration.
    pub config: &'a Config,
    /// The project's crates: functions are named by their module paths.
    pub layout: &'a crate::workspace::layout::Layout,
}

/// Analyses every function of a file; `abs_path` locates `include_str!`
/// and `query_file!` files.
pub fn extract(
    file: &syn::File,
    rel_path: &str,
    abs_path: &Path,
    model: &TenantModel,
    opts: &Options,
) -> QueryFacts {
    let mod_path = opts.layout.module_of(rel_path);
    let mut uses = UseMap {
        module: mod_path.clone(),
        ..UseMap::default()
    };
    uses.add_items(&file.items);
    let module = crate::model::schema::file_module_name(rel_path);
    let dir = abs_path.parent().map(Path::to_path_buf);
    let mut consts = HashMap::new();
    collect_consts(&file.items, dir.as_deref(), opts.include_tests, &mut consts);
    let mut out = QueryFacts::default();
    let mut ctx = ItemCtx {
        model,
        opts,
        uses: vec![uses],
        modules: vec![module],
        mod_path,
        self_key: None,
        self_ty: None,
        self_path: Vec::new(),
        out: &mut out,
        sql_consts: consts,
        tenant_fields: model
            .tenant_tables()
            .filter_map(crate::model::Table::tenant_rust)
            .collect(),
        file_dir: dir,
        route: None,
    };
    ctx.items(&file.items);
    out
}

struct ItemCtx<'a, 'o> {
    model: &'a TenantModel,
    opts: &'a Options<'a>,
    uses: Vec<UseMap>,
    modules: Vec<String>,
    /// The absolute path of the module being read (see
    /// [`crate::workspace::layout`]).
    mod_path: Vec<String>,
    /// The absolute path of the `impl` block's type, as its functions'
    /// keys name it (`type:PATH::f`).
    self_key: Option<String>,
    self_ty: Option<String>,
    /// The `impl` block's self type as a path (`project::Entity`).
    self_path: Vec<String>,
    out: &'o mut QueryFacts,
    sql_consts: HashMap<String, Rc<SqlText>>,
    /// The Rust names of the tenant tables' tenant columns, computed once
    /// per file (every field access asks).
    tenant_fields: HashSet<String>,
    file_dir: Option<PathBuf>,
    /// The route of the function being read, when a route attribute puts
    /// its parameters in the URL (rocket `#[get("/orgs/<org_id>")]`): the
    /// route and those parameters' names.
    route: Option<(String, Vec<String>)>,
}

/// Route attributes that name URL parameters `<name>` (rocket).
const ROUTE_ATTRS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "route",
];

/// The route of a handler whose attribute names its URL parameters
/// `<name>` / `<name..>` (rocket `#[get("/orgs/<org_id>/groups/<id>")]`,
/// `#[post("/x?<page>", data = "<body>")]`), with those names.
fn route_params(attrs: &[syn::Attribute]) -> Option<(String, Vec<String>)> {
    for a in attrs {
        let is_route = a
            .path()
            .segments
            .last()
            .is_some_and(|s| ROUTE_ATTRS.contains(&s.ident.to_string().as_str()));
        let syn::Meta::List(list) = &a.meta else {
            continue;
        };
        if !is_route {
            continue;
        }
        let mut route = None;
        let mut names = Vec::new();
        for t in list.tokens.clone() {
            let TokenTree::Literal(lit) = t else { continue };
            let Ok(syn::Lit::Str(text)) = syn::parse_str::<syn::Lit>(&lit.to_string()) else {
                continue;
            };
            let text = text.value();
            let mut rest = text.as_str();
            while let Some(open) = rest.find('<') {
                let Some(close) = rest[open..].find('>') else {
                    break;
                };
                let name = rest[open + 1..open + close].trim_end_matches("..");
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    names.push(name.to_string());
                }
                rest = &rest[open + close + 1..];
            }
            route.get_or_insert(text);
        }
        if let (Some(route), false) = (route, names.is_empty()) {
            return Some((route, names));
        }
    }
    None
}

/// String `const`s and `static`s of a file (any module, impl blocks too),
/// by name: SQL is often kept in one. Without `tests`, not those of test
/// modules or `impl` blocks, which the analysis skips (and the slicer
/// blanks).
fn collect_consts(
    items: &[syn::Item],
    dir: Option<&Path>,
    tests: bool,
    out: &mut HashMap<String, Rc<SqlText>>,
) {
    for item in items {
        match item {
            syn::Item::Mod(_) | syn::Item::Impl(_)
                if !tests && is_test_attr(crate::parse::item_attrs(item)) => {}
            syn::Item::Const(c) => {
                if let Some(t) = crate::sql::text::const_text(&c.expr, dir) {
                    out.insert(c.ident.to_string(), Rc::new(t));
                }
            }
            syn::Item::Static(s) => {
                if let Some(t) = crate::sql::text::const_text(&s.expr, dir) {
                    out.insert(s.ident.to_string(), Rc::new(t));
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    collect_consts(items, dir, tests, out);
                }
            }
            syn::Item::Impl(i) => {
                for it in &i.items {
                    if let syn::ImplItem::Const(c) = it {
                        if let Some(t) = crate::sql::text::const_text(&c.expr, dir) {
                            out.insert(c.ident.to_string(), Rc::new(t));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a, 'o> ItemCtx<'a, 'o> {
    fn skip(&self, attrs: &[syn::Attribute]) -> bool {
        !self.opts.include_tests && is_test_attr(attrs)
    }

    fn items(&mut self, items: &[syn::Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Fn(f) if !self.skip(&f.attrs) => {
                self.route = route_params(&f.attrs);
                self.function(&f.sig, &f.block, f.sig.ident.to_string());
                self.route = None;
            }
            syn::Item::Mod(m) => {
                if self.skip(&m.attrs) {
                    return;
                }
                if let Some((_, items)) = &m.content {
                    self.mod_path.push(m.ident.to_string());
                    let mut uses = UseMap {
                        module: self.mod_path.clone(),
                        ..UseMap::default()
                    };
                    uses.add_items(items);
                    self.uses.push(uses);
                    self.modules.push(m.ident.to_string());
                    self.items(items);
                    self.modules.pop();
                    self.uses.pop();
                    self.mod_path.pop();
                }
            }
            syn::Item::Impl(i) => {
                if self.skip(&i.attrs) {
                    return;
                }
                let prev = self.self_ty.take();
                self.self_ty = type_name(&i.self_ty);
                let prev_path = std::mem::replace(
                    &mut self.self_path,
                    match &*i.self_ty {
                        syn::Type::Path(tp) => path_segments(&tp.path),
                        _ => Vec::new(),
                    },
                );
                let key = self.type_key_path();
                let prev_key = std::mem::replace(&mut self.self_key, key);
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        if self.skip(&f.attrs) {
                            continue;
                        }
                        let name = match &self.self_ty {
                            Some(t) => format!("{t}::{}", f.sig.ident),
                            None => f.sig.ident.to_string(),
                        };
                        self.route = route_params(&f.attrs);
                        self.function(&f.sig, &f.block, name);
                        self.route = None;
                    }
                }
                self.self_ty = prev;
                self.self_path = prev_path;
                self.self_key = prev_key;
            }
            syn::Item::Trait(t) => {
                if self.skip(&t.attrs) {
                    return;
                }
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it {
                        if let Some(b) = &f.default {
                            self.function(&f.sig, b, format!("{}::{}", t.ident, f.sig.ident));
                        }
                    }
                }
            }
            syn::Item::Macro(m) => self.item_macro(m),
            _ => {}
        }
    }

    /// Item-position macros (job macros, `db_run!`-style wrappers): their
    /// bodies are read as items, or as statements of a pseudo-function.
    fn item_macro(&mut self, m: &syn::ItemMacro) {
        let name = macro_name(&m.mac);
        if Knowledge::get()
            .packs()
            .any(|(_, p)| p.schema_macros.contains(&name))
        {
            return;
        }
        if let Ok(file) = m.mac.parse_body_with(syn::Block::parse_within) {
            if !file.is_empty() {
                let block = syn::Block {
                    brace_token: Default::default(),
                    stmts: file,
                };
                let sig: syn::Signature = syn::parse_quote!(fn __macro());
                self.function(&sig, &block, format!("{name}!"));
                return;
            }
        }
        let blocks = brace_blocks(m.mac.tokens.clone());
        if !blocks.is_empty() {
            for stmts in blocks {
                let block = syn::Block {
                    brace_token: Default::default(),
                    stmts,
                };
                let sig: syn::Signature = syn::parse_quote!(fn __macro());
                self.function(&sig, &block, format!("{name}!"));
            }
            return;
        }
        if mentions_model(m.mac.tokens.clone(), self.model) {
            self.out.opaque_macros.push(OpaqueMacro {
                name,
                span: Span::from_pm2(
                    m.mac
                        .path
                        .segments
                        .first()
                        .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span()),
                ),
            });
        }
    }

    /// The key calls use to reach the function `name` being defined here.
    fn summary_key(&self, name: &str) -> String {
        if self.self_path.is_empty() {
            return format!("fn:{}::{name}", self.mod_path.join("::"));
        }
        match self.self_entity() {
            Some(t) => format!("entity:{t}::{name}"),
            None => format!("type:{}::{name}", self.self_key.as_deref().unwrap_or("")),
        }
    }

    /// The absolute path of the `impl` block's type (`self_path`) as keys
    /// name it, when it is not an entity.
    fn type_key_path(&self) -> Option<String> {
        if self.self_path.is_empty() || self.self_entity().is_some() {
            return None;
        }
        let scope = Scope {
            model: self.model,
            outer: &self.uses,
            uses: Vec::new(),
            self_entity: None,
            place: self.place(),
        };
        Some(scope.type_def_path(&self.self_path))
    }

    fn place(&self) -> Place<'_> {
        Place {
            layout: self.opts.layout,
            module: &self.mod_path,
        }
    }

    /// The table whose rows the `impl` block's type holds: a Diesel model
    /// struct, or `Model` / `ActiveModel` in a SeaORM entity module.
    fn row_table(&self) -> Option<String> {
        let ty = self.self_ty.as_deref()?;
        if let Some(t) = self.model.row_structs.get(ty) {
            return Some(t.clone());
        }
        if matches!(ty, "Model" | "ActiveModel") && self.self_path.len() <= 2 {
            let module = match self.self_path.as_slice() {
                [m, _] => Some(m.clone()),
                _ => self.modules.last().cloned(),
            }?;
            return self.model.entity_modules.get(&module).cloned();
        }
        None
    }

    /// The entity's table when inside `impl .. for some_entity::Entity`.
    fn self_entity(&self) -> Option<String> {
        if self.self_path.is_empty() {
            return None;
        }
        let module = self.modules.last().cloned();
        let scope = Scope {
            model: self.model,
            outer: &self.uses,
            uses: Vec::new(),
            self_entity: module.filter(|m| self.model.entity_modules.contains_key(m)),
            place: self.place(),
        };
        match scope.resolve(&self.self_path) {
            Resolved::Entity(t) => Some(t),
            _ => None,
        }
    }

    fn function(&mut self, sig: &syn::Signature, block: &syn::Block, name: String) {
        let module = self.modules.last().cloned();
        let self_entity = module.filter(|m| self.model.entity_modules.contains_key(m));
        let scope = Scope {
            model: self.model,
            outer: &self.uses,
            uses: Vec::new(),
            self_entity,
            place: Place {
                layout: self.opts.layout,
                module: &self.mod_path,
            },
        };
        let mut f = FnAnalysis {
            scope,
            k: Knowledge::get(),
            config: self.opts.config,
            env: vec![foldhash::HashMap::default()],
            diverged: false,
            pending: Vec::new(),
            execs: Vec::new(),
            opaque: Vec::new(),
            function: name,
            in_reach: Vec::new(),
            params: Vec::new(),
            nested: Vec::new(),
            sql_consts: &self.sql_consts,
            tenant_fields: &self.tenant_fields,
            sql_facts: Vec::new(),
            returned_sql: Vec::new(),
            sql_result_sinks: Vec::new(),
            file_dir: self.file_dir.clone(),
            depth: 0,
            superuser: Vec::new(),
            returned: Vec::new(),
            returned_elem: None,
            runs: Vec::new(),
            uses: Vec::new(),
            tainted: Vec::new(),
            mentions: HashMap::new(),
            tenant_derived: Vec::new(),
            untrusted_sql: Vec::new(),
            str_params: Vec::new(),
            tenant_params: Vec::new(),
            tenant_forwards: Vec::new(),
            untrusted_calls: Vec::new(),
            sql_parent_params: Vec::new(),
            request_sql: Vec::new(),
            sql_params: Vec::new(),
            sql_forwards: Vec::new(),
            returned_rows: Vec::new(),
            tparams: sig
                .generics
                .type_params()
                .map(|t| t.ident.to_string())
                .collect(),
            self_ty: self.self_ty.clone(),
            self_table: self.self_entity(),
            self_key: self.self_key.clone(),
        };
        for input in &sig.inputs {
            match input {
                syn::FnArg::Typed(pt) => {
                    let mut names = Vec::new();
                    pat_idents(&pt.pat, &mut names);
                    let ty = type_name(&pt.ty);
                    let tenant = &self.opts.config.tenant;
                    let typed_tenant = ty.as_ref().is_some_and(|t| lists(&tenant.types, t));
                    let carried = ty.as_ref().and_then(|t| self.model.tenant_types.get(t));
                    let query_typed = is_query_type(&pt.ty) || query_generic(&pt.ty, &sig.generics);
                    let extractor =
                        request_extractor(&pt.ty, &self.opts.config.tenant.trusted_sources);
                    let trusted_type = ty
                        .as_ref()
                        .is_some_and(|t| lists(&tenant.trusted_sources, t));
                    let routed = self
                        .route
                        .as_ref()
                        .filter(|_| !trusted_type)
                        .filter(|(_, params)| names.iter().any(|n| params.contains(n)));
                    for n in names {
                        if let Some(x) = &extractor {
                            f.tainted.push(Taint {
                                name: n.clone(),
                                how: format!("from the `{x}` extractor"),
                                direct: true,
                                from: None,
                            });
                        } else if let Some((route, _)) = routed {
                            f.tainted.push(Taint {
                                name: n.clone(),
                                how: format!("from the route `{route}`"),
                                direct: true,
                                from: None,
                            });
                        }
                        if typed_tenant || f.is_tenant_name(&n) {
                            f.in_reach.push(n.clone());
                        } else if let Some(field) = carried {
                            f.in_reach.push(format!("{n}.{field}"));
                        }
                        let v = if query_typed {
                            let root = Root::Param(f.params.len());
                            Val::Query(vec![QState::symbolic(root, Span::line(1), Vec::new())])
                        } else if is_str_type(&pt.ty) {
                            f.str_params.push((n.clone(), f.params.len()));
                            Val::Other
                        } else if is_pred_type(&pt.ty, &f.tparams) {
                            let mut c = Cond::default();
                            c.bound.insert(Bound::Pred(f.params.len()));
                            Val::Pred(vec![c], None)
                        } else {
                            Val::Other
                        };
                        f.env[0].insert(n.clone(), v);
                        f.params.push(n);
                    }
                }
                syn::FnArg::Receiver(_) => {
                    // `&self` of a repository holding the tenant.
                    if let Some(field) = self
                        .self_ty
                        .as_ref()
                        .and_then(|t| self.model.tenant_types.get(t))
                    {
                        f.in_reach.push(format!("self.{field}"));
                    }
                    // `&self` of a row type (a Diesel model struct, a SeaORM
                    // `Model`): a row its caller loaded, which is where it
                    // is judged; its own key selects that row.
                    if let Some(t) = self.row_table() {
                        f.env[0].insert("self".into(), Val::Proven(t));
                    }
                    f.params.push("self".into());
                }
            }
        }
        f.collect_field_reach(block);
        let tail = f.block(block);
        f.note_returned(&tail);
        f.return_val(tail);
        f.finish_pending_all();
        let key = self.summary_key(&sig.ident.to_string());
        for i in std::mem::take(&mut f.returned_sql) {
            if let Some(fact) = f.sql_facts.get_mut(i) {
                fact.returned_by = Some(key.clone());
            }
        }
        self.out.sql_result_sinks.append(&mut f.sql_result_sinks);
        let mut rows = false;
        let mut rows_from: Vec<String> = Vec::new();
        for id in std::mem::take(&mut f.returned_rows) {
            match f.pending.get(id).map(|p| p.target) {
                Some(Target::Exec(e)) => {
                    let model = self.model;
                    for q in &f.execs[e].paths {
                        if let Root::Call(k) = &q.root {
                            rows_from.push(k.clone());
                        } else {
                            rows |= q.is_symbolic() || !unbound_tables(model, q).is_empty();
                        }
                    }
                    f.execs[e].returned_by = Some(key.clone());
                }
                Some(Target::Use(u)) => {
                    rows_from.push(f.uses[u].key.clone());
                    f.uses[u].returned_by = Some(key.clone());
                }
                None => {}
            }
        }
        rows_from.sort();
        rows_from.dedup();
        let mut parent_params: Vec<ParentParam> = std::mem::take(&mut f.sql_parent_params);
        self.out.request_sql.append(&mut f.request_sql);
        {
            let model = self.model;
            let states = f
                .returned
                .iter()
                .chain(f.execs.iter().flat_map(|e| &e.paths))
                .chain(f.runs.iter().map(|r| &r.state));
            for q in states {
                for (table, soft) in softly_bound(model, q, &|o| matches!(o, Origin::Param(_))) {
                    if let Origin::Param(param) = soft.origin {
                        let p = ParentParam {
                            param,
                            table,
                            key: soft.key.clone(),
                            sql: false,
                        };
                        if !parent_params.contains(&p) {
                            parent_params.push(p);
                        }
                    }
                }
            }
        }
        let mut key_params: Vec<(usize, u32)> = Vec::new();
        for e in &f.execs {
            for q in &e.paths {
                match q.key_param {
                    // Only a lookup that is reported: one that leaves a
                    // table unbound, or one its callers resolve.
                    Some(k) if !unbound_tables(self.model, q).is_empty() => {
                        key_params.push((k, e.span.start.line));
                    }
                    _ => {}
                }
            }
        }
        for fact in f.sql_facts.iter().filter(|x| x.file.is_none()) {
            for h in &fact.hits {
                if let Some(k) = h.key_param {
                    key_params.push((k, h.span.start.line));
                }
            }
        }
        key_params.sort_unstable();
        key_params.dedup();
        self.out.uses.append(&mut f.uses);
        self.out.untrusted_sql.append(&mut f.untrusted_sql);
        if !f.returned.is_empty()
            || !f.runs.is_empty()
            || !f.sql_params.is_empty()
            || !f.sql_forwards.is_empty()
            || rows
            || !rows_from.is_empty()
            || !f.tenant_params.is_empty()
            || !f.tenant_forwards.is_empty()
            || !parent_params.is_empty()
            || !key_params.is_empty()
        {
            self.out.summaries.push(FnSummary {
                key,
                name: f.function.clone(),
                returns: std::mem::take(&mut f.returned),
                runs: std::mem::take(&mut f.runs),
                sql_params: std::mem::take(&mut f.sql_params),
                sql_forwards: std::mem::take(&mut f.sql_forwards),
                rows,
                rows_from,
                tenant_params: std::mem::take(&mut f.tenant_params),
                tenant_forwards: std::mem::take(&mut f.tenant_forwards),
                parent_params,
                key_params,
                returns_elem: f.returned_elem,
            });
        }
        self.out.untrusted_calls.append(&mut f.untrusted_calls);
        self.out.execs.append(&mut f.execs);
        self.out.opaque_macros.append(&mut f.opaque);
        self.out.sql.append(&mut f.sql_facts);
        self.out.superuser.append(&mut f.superuser);
        let nested = std::mem::take(&mut f.nested);
        drop(f);
        for item in nested {
            self.item(&item);
        }
    }
}

/// Whether a configured list names `name`: has an entry whose last path
/// segment it is (`auth::ensure_member` names `ensure_member`).
fn lists(list: &[String], name: &str) -> bool {
    list.iter().any(|e| e.rsplit("::").next() == Some(name))
}

/// Whether a parameter's type is a generic one bound by a query builder
/// trait (`query-traits`): `query: Q` with `Q: QueryFilter + QueryOrder`,
/// inline or in the `where` clause, or `impl QueryFilter`.
fn query_generic(ty: &syn::Type, generics: &syn::Generics) -> bool {
    let is_query_bound = |b: &syn::TypeParamBound| match b {
        syn::TypeParamBound::Trait(t) => t
            .path
            .segments
            .last()
            .is_some_and(|s| Knowledge::get().is_query_trait(&s.ident.to_string())),
        _ => false,
    };
    match ty {
        syn::Type::ImplTrait(it) => it.bounds.iter().any(is_query_bound),
        syn::Type::Reference(r) => query_generic(&r.elem, generics),
        syn::Type::Paren(p) => query_generic(&p.elem, generics),
        syn::Type::Path(tp) if tp.qself.is_none() => {
            let Some(id) = tp.path.get_ident() else {
                return false;
            };
            let inline = generics
                .type_params()
                .filter(|t| &t.ident == id)
                .any(|t| t.bounds.iter().any(is_query_bound));
            let in_where = generics
                .where_clause
                .iter()
                .flat_map(|w| &w.predicates)
                .any(|p| {
                    matches!(p, syn::WherePredicate::Type(pt)
                    if matches!(&pt.bounded_ty, syn::Type::Path(b) if b.path.is_ident(id))
                        && pt.bounds.iter().any(is_query_bound))
                });
            inline || in_where
        }
        _ => false,
    }
}

/// Whether a parameter's type is a query builder type of an ORM
/// (`query-types`: SeaORM `Select<E>`, Diesel boxed queries, ...).
fn is_query_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(tp) => tp
            .path
            .segments
            .last()
            .is_some_and(|s| Knowledge::get().is_query_type(&s.ident.to_string())),
        syn::Type::Reference(r) => is_query_type(&r.elem),
        syn::Type::Paren(p) => is_query_type(&p.elem),
        _ => false,
    }
}

/// The extractor a handler parameter's value comes from when it is
/// request input (axum `Path` / `Query` / `Json` / `Form`, actix
/// `web::Path` / ...), unless its type is a configured trusted source.
fn request_extractor(ty: &syn::Type, trusted: &[String]) -> Option<String> {
    const EXTRACTORS: &[&str] = &["Path", "Query", "Json", "Form"];
    let syn::Type::Path(tp) = ty else {
        return None;
    };
    let last = tp.path.segments.last()?;
    let name = last.ident.to_string();
    if !EXTRACTORS.contains(&name.as_str()) {
        return None;
    }
    let is_trusted = |n: &str| lists(trusted, n);
    if is_trusted(&name) || type_name(ty).is_some_and(|inner| is_trusted(&inner)) {
        return None;
    }
    Some(
        path_segments(&tp.path)
            .into_iter()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .filter(|s| s == "web" || EXTRACTORS.contains(&s.as_str()))
            .collect::<Vec<_>>()
            .join("::"),
    )
}

/// A value as written, without borrows and conversions: `params.org_id`
/// for `&params.org_id.clone()`.
fn value_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Field(f) => {
            let base = value_text(&f.base)?;
            match &f.member {
                syn::Member::Named(m) => Some(format!("{base}.{m}")),
                syn::Member::Unnamed(i) => Some(format!("{base}.{}", i.index)),
            }
        }
        Expr::Reference(r) => value_text(&r.expr),
        Expr::Paren(p) => value_text(&p.expr),
        Expr::Group(g) => value_text(&g.expr),
        Expr::Unary(u) => value_text(&u.expr),
        Expr::MethodCall(m) => value_text(&m.receiver),
        _ => None,
    }
}

/// The values of an array or `vec![..]` argument, handed to a function
/// beside SQL as its bound values (`query_raw(db, sql, vec![id.into()])`).
fn bound_values(e: &Expr) -> Option<Vec<Expr>> {
    match e {
        Expr::Array(a) => Some(a.elems.iter().cloned().collect()),
        Expr::Reference(r) => bound_values(&r.expr),
        Expr::Macro(m) if m.mac.path.is_ident("vec") => m
            .mac
            .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
            .ok()
            .map(|p| p.into_iter().collect()),
        _ => None,
    }
}

/// The variable an expression reads from: `org_id`, `params.org_id`,
/// `&body.tenant_id`, `filter.tenant_id.clone()`, `*x`.
fn root_ident(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Field(f) => root_ident(&f.base),
        Expr::Reference(r) => root_ident(&r.expr),
        Expr::Paren(p) => root_ident(&p.expr),
        Expr::Group(g) => root_ident(&g.expr),
        Expr::Unary(u) => root_ident(&u.expr),
        Expr::MethodCall(m) => root_ident(&m.receiver),
        _ => None,
    }
}

/// Whether a parameter's type is a string (`&str`, `String`, `Cow<str>`,
/// `impl AsRef<str>` / `impl Into<String>`): it may carry SQL.
fn is_str_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(tp) => tp.path.segments.last().is_some_and(|s| {
            matches!(s.ident.to_string().as_str(), "str" | "String")
                || (s.ident == "Cow" && s.to_token_stream().to_string().contains("str"))
        }),
        syn::Type::ImplTrait(t) => {
            let text = t.to_token_stream().to_string();
            text.contains("AsRef < str >") || text.contains("Into < String >")
        }
        syn::Type::Reference(r) => is_str_type(&r.elem),
        syn::Type::Paren(p) => is_str_type(&p.elem),
        _ => false,
    }
}

/// Whether a parameter's type is a predicate a helper may filter with: a
/// generic parameter (`predicate: P`), `impl Trait`, a boxed Diesel
/// expression, or a SeaORM `Condition` / `SimpleExpr`.
fn is_pred_type(ty: &syn::Type, tparams: &[String]) -> bool {
    match ty {
        syn::Type::ImplTrait(_) => true,
        syn::Type::Path(tp) if tp.qself.is_none() => {
            if let Some(id) = tp.path.get_ident() {
                if tparams.iter().any(|t| id == t) {
                    return true;
                }
            }
            let Some(last) = tp.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            let k = Knowledge::get();
            if k.packs().any(|(_, p)| p.predicate_types.contains(&name)) {
                return true;
            }
            // `Box<dyn BoxableExpression<..>>`: the type's text, once.
            name == "Box" && {
                let text = last.to_token_stream().to_string();
                k.packs()
                    .flat_map(|(_, p)| &p.boxed_predicate_traits)
                    .any(|t| text.contains(t.as_str()))
            }
        }
        syn::Type::Reference(r) => is_pred_type(&r.elem, tparams),
        syn::Type::Paren(p) => is_pred_type(&p.elem, tparams),
        _ => false,
    }
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(tp) => tp.path.segments.last().map(|s| {
            // `Path<OrgId>`, `Option<TenantId>`: look at the innermost type.
            if let syn::PathArguments::AngleBracketed(a) = &s.arguments {
                if let Some(syn::GenericArgument::Type(inner)) = a.args.first() {
                    if let Some(n) = type_name(inner) {
                        return n;
                    }
                }
            }
            s.ident.to_string()
        }),
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Group(g) => type_name(&g.elem),
        _ => None,
    }
}

fn pat_idents(p: &Pat, out: &mut Vec<String>) {
    match p {
        Pat::Ident(i) => {
            out.push(i.ident.to_string());
            if let Some((_, sub)) = &i.subpat {
                pat_idents(sub, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|e| pat_idents(e, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|e| pat_idents(e, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        Pat::Reference(r) => pat_idents(&r.pat, out),
        Pat::Type(t) => pat_idents(&t.pat, out),
        Pat::Slice(s) => s.elems.iter().for_each(|e| pat_idents(e, out)),
        Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                pat_idents(first, out);
            }
        }
        Pat::Paren(p) => pat_idents(&p.pat, out),
        _ => {}
    }
}

fn macro_name(m: &syn::Macro) -> String {
    m.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Brace groups inside a macro body whose contents parse as statements
/// (`db_run! { conn: { .. } }`), searched recursively.
fn brace_blocks(tokens: TokenStream) -> Vec<Vec<Stmt>> {
    let mut out = Vec::new();
    for tt in tokens {
        if let TokenTree::Group(g) = tt {
            let parsed = if g.delimiter() == proc_macro2::Delimiter::Brace {
                syn::parse::Parser::parse2(syn::Block::parse_within, g.stream()).ok()
            } else {
                None
            };
            match parsed {
                Some(stmts) if !stmts.is_empty() => out.push(stmts),
                _ => out.extend(brace_blocks(g.stream())),
            }
        }
    }
    out
}

/// The values of a JSON-like macro body (`{ "k": v, "l": [a, b] }`, one
/// brace or bracket group), when every value parses as an expression;
/// `None` when the body is not shaped so.
fn json_values(tokens: TokenStream) -> Option<Vec<Expr>> {
    let mut it = tokens.into_iter();
    let (Some(TokenTree::Group(g)), None) = (it.next(), it.next()) else {
        return None;
    };
    let mut out = Vec::new();
    json_group(&g, &mut out).then_some(out)
}

fn json_group(g: &proc_macro2::Group, out: &mut Vec<Expr>) -> bool {
    let object = match g.delimiter() {
        proc_macro2::Delimiter::Brace => true,
        proc_macro2::Delimiter::Bracket => false,
        _ => return false,
    };
    let toks: Vec<TokenTree> = g.stream().into_iter().collect();
    for piece in toks.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        if piece.is_empty() {
            continue;
        }
        let value = if object {
            // `"key": value`
            match piece {
                [TokenTree::Literal(_), TokenTree::Punct(c), rest @ ..]
                    if c.as_char() == ':' && !rest.is_empty() =>
                {
                    rest
                }
                _ => return false,
            }
        } else {
            piece
        };
        if let [TokenTree::Group(inner)] = value {
            if matches!(
                inner.delimiter(),
                proc_macro2::Delimiter::Brace | proc_macro2::Delimiter::Bracket
            ) {
                if !json_group(inner, out) {
                    return false;
                }
                continue;
            }
        }
        let Ok(e) = syn::parse2::<Expr>(value.iter().cloned().collect()) else {
            return false;
        };
        out.push(e);
    }
    true
}

/// Pieces of a macro body that is not Rust as a whole: the runs of tokens
/// between top-level `,` `;` `=>` and `=` that parse as expressions, and
/// the brace groups inside the other pieces that parse as statements.
fn salvage(tokens: TokenStream) -> (Vec<Expr>, Vec<Vec<Stmt>>) {
    let toks: Vec<TokenTree> = tokens.into_iter().collect();
    let mut pieces: Vec<TokenStream> = Vec::new();
    let mut cur: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let sep = match &toks[i] {
            TokenTree::Punct(p) if p.as_char() == ',' || p.as_char() == ';' => Some(1),
            TokenTree::Punct(p) if p.as_char() == '=' => {
                let joint_before = i > 0
                    && matches!(&toks[i - 1], TokenTree::Punct(q) if q.spacing() == proc_macro2::Spacing::Joint);
                match toks.get(i + 1) {
                    Some(TokenTree::Punct(n))
                        if p.spacing() == proc_macro2::Spacing::Joint && n.as_char() == '>' =>
                    {
                        Some(2)
                    }
                    Some(TokenTree::Punct(n))
                        if p.spacing() == proc_macro2::Spacing::Joint && n.as_char() == '=' =>
                    {
                        None
                    }
                    _ if joint_before => None,
                    _ => Some(1),
                }
            }
            _ => None,
        };
        match sep {
            Some(n) => {
                pieces.push(cur.drain(..).collect());
                i += n;
            }
            None => {
                cur.push(toks[i].clone());
                i += 1;
            }
        }
    }
    pieces.push(cur.into_iter().collect());
    let mut exprs = Vec::new();
    let mut blocks = Vec::new();
    for piece in pieces {
        if piece.is_empty() {
            continue;
        }
        match syn::parse2::<Expr>(piece.clone()) {
            Ok(e) => exprs.push(e),
            Err(_) => blocks.extend(brace_blocks(piece)),
        }
    }
    (exprs, blocks)
}

/// Whether a token stream names a table or entity of the model as a path
/// or receiver (`documents.filter`, `document::Entity`, `Document::find`).
pub fn mentions_model(tokens: TokenStream, model: &TenantModel) -> bool {
    let toks: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in toks.iter().enumerate() {
        match tt {
            TokenTree::Ident(id) => {
                let s = id.to_string();
                let known = model.table_modules.contains_key(&s)
                    || model.entity_modules.contains_key(&s)
                    || model.entity_aliases.contains_key(&s);
                let followed = matches!(toks.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == ':');
                if known && followed {
                    return true;
                }
            }
            TokenTree::Group(g) if mentions_model(g.stream(), model) => return true,
            _ => {}
        }
    }
    false
}

/// Raw SQL on its way to the database whose tenant column is compared
/// with placeholders: which ones, and where each bound value came from.
#[derive(Debug, Clone, PartialEq)]
struct SqlRun {
    /// Placeholder numbers (1-based) compared with a tenant column.
    tenant_params: Vec<usize>,
    /// For each bound argument in order: how it is request input, if it is.
    binds: Vec<Option<String>>,
    /// The SQL, whitespace removed (for fingerprints).
    text: String,
    /// The fact (index in `sql_facts`) whose unbound tables a value built
    /// from the tenant can bind at a placeholder.
    keyed: Option<usize>,
    /// For each bound argument in order: built from the tenant.
    derived: Vec<bool>,
    /// For each bound argument in order: request input taken directly
    /// (as written, where it came from).
    keys: Vec<Option<(String, String)>>,
    /// For each bound argument in order: the enclosing function's
    /// parameter it is.
    params: Vec<Option<usize>>,
    /// Placeholders that bind a child table only as its parent key:
    /// (placeholder, child table, parent key).
    soft: Vec<(usize, String, String)>,
    /// Those bound so far to request input nothing checked: (child table,
    /// parent key, how).
    soft_request: Vec<(String, String, String)>,
}

/// The word a value combined with the caller's tenant counts as (see
/// `FnAnalysis::mention_words`): the parent row was checked against it.
pub const TENANT_IN_HAND: &str = "@tenant";

/// A variable holding request input.
#[derive(Debug, Clone)]
struct Taint {
    name: String,
    /// Where it came from, for messages.
    how: String,
    /// The value itself (or a copy or conversion of it), not something
    /// made from it such as a row loaded by it.
    direct: bool,
    /// The variable it was made from.
    from: Option<String>,
}

/// Every identifier of `e`, macro bodies included (not logging macros'),
/// once each.
fn idents_of(e: &Expr) -> Vec<String> {
    let mut c = IdentCollector::default();
    c.visit_expr(e);
    c.0
}

/// Every identifier of a syntax tree, macro bodies included, once each.
#[derive(Default)]
struct IdentCollector(Vec<String>);

impl<'ast> Visit<'ast> for IdentCollector {
    fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
        let s = unraw(i);
        if !self.0.contains(&s) {
            self.0.push(s);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Logging the tenant next to a value checks nothing.
        if m.path
            .segments
            .last()
            .is_some_and(|s| LOG_MACROS.contains(&s.ident.to_string().as_str()))
        {
            return;
        }
        syn::visit::visit_path(self, &m.path);
        collect_idents(m.tokens.clone(), &mut self.0);
    }
}

/// Macros that only log or print (`tracing`, `log`, std): what they mention
/// together is not a check.
const LOG_MACROS: &[&str] = &[
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
    "log",
    "println",
    "eprintln",
    "print",
    "eprint",
    "dbg",
];

/// Every identifier in `tokens`, nested groups included.
fn collect_idents(tokens: TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            TokenTree::Ident(i) => {
                let s = unraw(&i);
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            TokenTree::Group(g) => collect_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The lowercase words of an identifier: `find_by_uuid_and_org` → find,
/// by, uuid, and, org; `AppId` → app, id.
pub(crate) fn ident_words(ident: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in ident.split('_').filter(|p| !p.is_empty()) {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in part.chars() {
            if c.is_uppercase() && prev_lower && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            word.extend(c.to_lowercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// Abstract value of an expression.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Other,
    /// Raw SQL with tenant placeholders, not executed yet.
    Sql(Rc<SqlRun>),
    Query(Vec<QState>),
    /// A condition (alternatives), and whether it is a `Condition::any()`
    /// builder (adds are ORed) or `Condition::all()` (adds are ANDed).
    Pred(Vec<Cond>, Option<bool>),
    Col(Option<String>, String),
    Entity(String),
    /// Rows fetched by an unbound query, awaiting a tenant check.
    Rows(usize),
    /// Rows of this table fetched by a query that binds the tenant on every
    /// path: the tenant's own.
    Proven(String),
    /// The primary key read from such a row (`doc.id`): a query on the
    /// same table by it selects that row, the tenant's.
    ProvenId(String),
    /// A string (SQL or a piece of it).
    Str(Rc<SqlText>),
    /// A sqlx `QueryBuilder`: the SQL so far and the number of binds, one
    /// per path through conditional pushes.
    Builder(Vec<(Rc<SqlText>, u32)>),
    /// A tuple whose element K holds a query, the others nothing followed
    /// (`(query.limit(n), direction)`).
    Tuple(usize, Box<Val>),
    /// A new row of a table (`document::ActiveModel { .. }`, a Diesel
    /// model struct's literal), and the tenant column it leaves unset.
    NewRow(String, Option<String>),
    /// A sea-query statement before its table is named
    /// (`Query::select()`): its kind.
    Stmt(String),
}

/// What a pending tenant check is for.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// Rows fetched by an executed query (index into the execs).
    Exec(usize),
    /// A helper's result (index into the uses).
    Use(usize),
}

#[derive(Debug)]
struct Pending {
    target: Target,
    /// Variables holding the fetched rows (a `let` that moves them on adds
    /// the new name).
    vars: Vec<String>,
    open: bool,
    /// Statement nesting depth where the rows were fetched.
    depth: usize,
}

struct FnAnalysis<'a> {
    scope: Scope<'a>,
    k: &'static Knowledge,
    config: &'a Config,
    env: Env,
    diverged: bool,
    pending: Vec<Pending>,
    execs: Vec<ExecFact>,
    opaque: Vec<OpaqueMacro>,
    function: String,
    in_reach: Vec<String>,
    params: Vec<String>,
    nested: Vec<syn::Item>,
    sql_consts: &'a HashMap<String, Rc<SqlText>>,
    tenant_fields: &'a HashSet<String>,
    sql_facts: Vec<SqlFact>,
    file_dir: Option<PathBuf>,
    /// Statement nesting depth.
    depth: usize,
    superuser: Vec<SuperuserCall>,
    /// Queries the function returns (`return q` and the tail value).
    returned: Vec<QState>,
    /// The tuple element they are returned as, if in a tuple.
    returned_elem: Option<usize>,
    /// Its SQL facts made of SQL text it returns (indexes).
    returned_sql: Vec<usize>,
    /// Calls whose result it sends to the database as SQL.
    sql_result_sinks: Vec<String>,
    /// Queries it executes with what it was given.
    runs: Vec<Run>,
    /// Calls to helpers that may return rows.
    uses: Vec<HelperUse>,
    /// Raw SQL executed with request input as its tenant.
    untrusted_sql: Vec<UntrustedSql>,
    /// Variables holding request input (an axum / actix extractor's value,
    /// or copied from one), with where it came from.
    tainted: Vec<Taint>,
    /// For each variable holding request input: the words of everything
    /// the statements that used it so far combined it with
    /// (`find_by_uuid_and_org(&group_id, &org_id)`: `find`, `uuid`,
    /// `org`, ...). A word naming what the parent hangs from means the
    /// parent row was checked against the caller's tenant.
    mentions: HashMap<String, BTreeSet<String>>,
    /// Variables holding a value built from the tenant
    /// (`let key = format!("{org_id}/{name}")`).
    tenant_derived: Vec<String>,
    /// String parameters (name, position), which may carry SQL.
    str_params: Vec<(String, usize)>,
    /// Parameters that a query here binds as the tenant, by position.
    tenant_params: Vec<usize>,
    /// Parameters passed on: (parameter, callee key, argument position).
    tenant_forwards: Vec<(usize, String, usize)>,
    /// Request input passed to workspace functions.
    untrusted_calls: Vec<UntrustedCall>,
    /// Parameters raw SQL here binds a child table by, as its parent key
    /// only.
    sql_parent_params: Vec<ParentParam>,
    /// Raw SQL executed with a child's parent key bound to request input
    /// nothing checked.
    request_sql: Vec<RequestSql>,
    /// Those that reach a raw-SQL entry point.
    sql_params: Vec<usize>,
    /// Those passed on to other functions.
    sql_forwards: Vec<(usize, String, usize)>,
    /// Pending checks whose rows the function returns.
    returned_rows: Vec<usize>,
    /// Its generic type parameters (`T` of `fn f<T: Table>`).
    tparams: Vec<String>,
    /// The `impl` block's type, for `Self::helper(..)` calls.
    self_ty: Option<String>,
    /// The entity's table inside `impl Trait for some_entity::Entity`.
    self_table: Option<String>,
    /// The `impl` block's type as keys name it (`Self::f`).
    self_key: Option<String>,
}

fn merge_vals(a: Val, b: Val) -> Val {
    match (a, b) {
        (Val::Query(mut x), Val::Query(y)) => {
            for q in y {
                if !x.contains(&q) && x.len() < MAX_ALTERNATIVES {
                    x.push(q);
                }
            }
            Val::Query(x)
        }
        (Val::Pred(mut x, k), Val::Pred(y, _)) => {
            for c in y {
                if !x.contains(&c) && x.len() < MAX_ALTERNATIVES {
                    x.push(c);
                }
            }
            Val::Pred(x, k)
        }
        (Val::Builder(mut x), Val::Builder(y)) => {
            for b in y {
                if !x.contains(&b) && x.len() < MAX_ALTERNATIVES {
                    x.push(b);
                }
            }
            Val::Builder(x)
        }
        (Val::Tuple(i, x), Val::Tuple(j, y)) if i == j => {
            Val::Tuple(i, Box::new(merge_vals(*x, *y)))
        }
        (Val::Other, b) => b,
        (a, _) => a,
    }
}

/// The bindings in scope, innermost last (foldhash: every name a body
/// binds or reads is looked up here, and branches merge them).
type Env = Vec<foldhash::HashMap<String, Val>>;

fn merge_envs(base: &Env, branches: Vec<Env>) -> Env {
    let mut out = base.clone();
    let mut first = true;
    for br in branches {
        for (depth, frame) in br.into_iter().enumerate() {
            if depth >= out.len() {
                break;
            }
            for (k, v) in frame {
                if first {
                    out[depth].insert(k, v);
                } else {
                    let cur = out[depth].remove(&k).unwrap_or(Val::Other);
                    out[depth].insert(k, merge_vals(cur, v));
                }
            }
        }
        first = false;
    }
    out
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        Expr::Reference(r) => strip(&r.expr),
        _ => e,
    }
}

fn compact(tokens: TokenStream) -> String {
    let mut s = tokens.to_string();
    s.retain(|c| !c.is_whitespace());
    s
}

impl<'a> FnAnalysis<'a> {
    /// Where the value of `e` came from, when it is request input.
    /// The parameter (position) whose value `e` is, or a field of
    /// (`org_id`, `&org_id`, `ctx.org_id`, `org_id.clone()`).
    fn param_of(&self, e: &Expr) -> Option<usize> {
        let root = root_ident(e)?;
        self.params.iter().position(|p| *p == root)
    }

    /// For each argument of a call to workspace function `key`: a
    /// parameter passed on, or request input passed in.
    fn note_tenant_args(
        &mut self,
        args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
        key: &str,
        name: &str,
        span: Span,
    ) {
        for (i, a) in args.iter().enumerate() {
            if let Some(k) = self.param_of(a) {
                self.tenant_forwards.push((k, key.to_string(), i));
            }
            if let Some(source) = self.taint_of(a) {
                let root = root_ident(a).unwrap_or_default();
                let direct = self.tainted.iter().any(|t| t.name == root && t.direct);
                // A function given the value together with what its parent
                // hangs from (`find_by_uuid_and_org(&group_id, &org_id)`)
                // may check it: the other arguments count as combined.
                let mut seen: BTreeSet<String> =
                    self.mentions.get(&root).cloned().unwrap_or_default();
                for (j, other) in args.iter().enumerate() {
                    if j != i {
                        seen.extend(idents_of(other).iter().flat_map(|w| self.mention_words(w)));
                    }
                }
                self.untrusted_calls.push(UntrustedCall {
                    key: key.to_string(),
                    name: name.to_string(),
                    arg: i,
                    span,
                    function: self.function.clone(),
                    source,
                    direct,
                    seen: seen.into_iter().collect(),
                    request: self.request_key(a),
                });
            }
        }
    }

    /// `e` as written and where it came from, when it is request input
    /// taken directly (the key a lookup by it picks rows with).
    fn request_key(&self, e: &Expr) -> Option<(String, String)> {
        let root = root_ident(e)?;
        let t = self.tainted.iter().find(|t| t.name == root && t.direct)?;
        Some((value_text(e).unwrap_or(root), t.how.clone()))
    }

    fn taint_of(&self, e: &Expr) -> Option<String> {
        let root = root_ident(e)?;
        let t = self.tainted.iter().find(|t| t.name == root)?;
        Some(format!("`{}`, {}", value_text(e).unwrap_or(root), t.how))
    }

    /// How `e` is request input taken directly (the extractor's value, a
    /// field or a copy of it, not a row loaded with it), when nothing the
    /// function did before shows that the parent row it picks is the
    /// caller's: no statement combined it with a word naming what the
    /// parent of `table` hangs from (`find_by_uuid_and_org(&group_id,
    /// &org_id)`, `secure_find(app.id, endp_id)`).
    fn unchecked_request(&self, e: &Expr, table: &str) -> Option<String> {
        let root = root_ident(e)?;
        let direct = self.tainted.iter().any(|t| t.name == root && t.direct);
        if !direct || self.parent_checked(e, table) {
            return None;
        }
        self.taint_of(e)
    }

    /// The words an identifier a request value is combined with counts
    /// as: its own, and [`TENANT_IN_HAND`] when it holds the caller's
    /// tenant (`ctx` of `ctx.org_id`, an `org_id` parameter).
    fn mention_words(&self, ident: &str) -> Vec<String> {
        let vocab = &self.scope.model.parent_vocab;
        let mut words = ident_words(ident);
        words.retain(|w| vocab.contains(w));
        let in_hand = self
            .in_reach
            .iter()
            .any(|r| r.split('.').next() == Some(ident))
            && !self.tainted.iter().any(|t| t.name == ident);
        if in_hand {
            words.push(TENANT_IN_HAND.to_string());
        }
        words
    }

    /// Whether what request values are combined with is worth noting:
    /// there is request input, and child tables a check could be for.
    fn tracks_mentions(&self) -> bool {
        !self.tainted.is_empty() && !self.scope.model.parent_vocab.is_empty()
    }

    /// Whether a statement before combined the request value `e` with a
    /// word naming what the parent of `table` hangs from.
    fn parent_checked(&self, e: &Expr, table: &str) -> bool {
        let Some(root) = root_ident(e) else {
            return false;
        };
        self.mentions
            .get(&root)
            .is_some_and(|seen| self.scope.model.checks_parent(table, |w| seen.contains(w)))
    }

    /// After a statement (or an `if` / `match` head): what each request
    /// value it uses was combined with (see [`FnAnalysis::mentions`]).
    fn note_mentions(&mut self, idents: Vec<String>) {
        if !self.tracks_mentions() {
            return;
        }
        let present: Vec<String> = self
            .tainted
            .iter()
            .filter(|t| idents.contains(&t.name))
            .map(|t| t.name.clone())
            .collect();
        if present.is_empty() {
            return;
        }
        // Only the words a check could be named by are kept.
        let mut words: Vec<String> = Vec::new();
        for i in idents.iter().filter(|i| !present.contains(i)) {
            for w in self.mention_words(i) {
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
        if words.is_empty() {
            return;
        }
        for t in present {
            // What a row loaded with a value is checked against checks the
            // value (`if collection.org_uuid != org.uuid { err!(..) }`
            // after `Collection::find_by_uuid(col_id)`).
            let mut name = Some(t);
            for _ in 0..8 {
                let Some(n) = name else { break };
                self.mentions
                    .entry(n.clone())
                    .or_default()
                    .extend(words.iter().cloned());
                name = self
                    .tainted
                    .iter()
                    .find(|x| x.name == n)
                    .and_then(|x| x.from.clone());
            }
        }
    }

    /// `let x = <request input>`: `x` is request input too, unless a
    /// trusted function produced it (`resolve_org(&user, &slug)?`). The
    /// value read through fields and method calls on it (`let id =
    /// path.into_inner().0`, `params.id.clone()`) is the value itself;
    /// anything else made from it (a row loaded by it) is request input
    /// only indirectly.
    fn propagate_taint(&mut self, pat: &Pat, init: &Expr) {
        if self.tainted.is_empty() {
            // Nothing to copy from, nor to overwrite.
            return;
        }
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        let tokens = init.to_token_stream();
        let copied = root_ident(init)
            .and_then(|r| self.tainted.iter().find(|t| t.name == r))
            .cloned();
        let from = match &copied {
            Some(t) => Some((
                format!(
                    "`{}`, {}",
                    value_text(init).unwrap_or(t.name.clone()),
                    t.how
                ),
                t.direct,
                t.name.clone(),
            )),
            None => self
                .tainted
                .iter()
                .find(|t| token_mentions(tokens.clone(), &t.name))
                .map(|t| (format!("`{}`, {}", t.name, t.how), false, t.name.clone())),
        };
        let via_trusted = from.is_some()
            && self
                .config
                .tenant
                .trusted_sources
                .iter()
                .any(|t| token_mentions(tokens.clone(), t.rsplit("::").next().unwrap_or(t)));
        for n in names {
            let own = self.tainted.iter().position(|t| t.name == n);
            let kept = own.map(|i| self.tainted.remove(i));
            if let (Some((how, direct, source)), false) = (&from, via_trusted) {
                // `let tenant_id = tenant_id.into_inner();` keeps its story.
                let how = match kept {
                    Some(old) if root_ident(init).as_deref() == Some(n.as_str()) => old.how,
                    _ => format!("copied from {how}"),
                };
                // What the source was combined with holds for the copy.
                if let Some(seen) = copied.as_ref().and_then(|c| self.mentions.get(&c.name)) {
                    let seen = seen.clone();
                    self.mentions.entry(n.clone()).or_default().extend(seen);
                }
                // A row loaded with it: what the loading combined it with
                // (`secure_find(app.id, endp_id)`) holds for the row.
                if !direct {
                    let mut idents = Vec::new();
                    collect_idents(tokens.clone(), &mut idents);
                    let found: Vec<String> = idents
                        .iter()
                        .filter(|i| !self.tainted.iter().any(|t| t.name == **i))
                        .flat_map(|i| self.mention_words(i))
                        .collect();
                    self.mentions.entry(n.clone()).or_default().extend(found);
                }
                self.tainted.push(Taint {
                    name: n.clone(),
                    how,
                    direct: *direct,
                    from: (*source != n).then(|| source.clone()),
                });
            }
        }
    }

    /// A call to a configured authorize function clears the request
    /// values it is given (`ensure_member(&user, org_id)?`).
    fn authorize(&mut self, last: &str, args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>) {
        let listed = lists(&self.config.tenant.authorize_functions, last);
        if !listed {
            return;
        }
        for a in args {
            if let Some(root) = root_ident(a) {
                self.tainted.retain(|t| t.name != root);
            }
        }
    }

    /// A value built from the tenant: `format!("{org_id}/{name}")`,
    /// `format!("{}/..", ctx.org_id)`, or a variable holding one (through
    /// `&`, `.clone()`, `.as_str()`, `.to_string()`).
    fn built_from_tenant(&self, e: &Expr) -> bool {
        let mut e = strip(e);
        while let Expr::MethodCall(m) = e {
            if !matches!(
                m.method.to_string().as_str(),
                "clone" | "as_str" | "to_string" | "to_owned" | "as_ref"
            ) {
                break;
            }
            e = strip(&m.receiver);
        }
        match e {
            Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.tenant_derived.iter().any(|d| i == d)),
            Expr::Macro(m) if m.mac.path.is_ident("format") => {
                let tokens = m.mac.tokens.clone();
                let names: Vec<&str> = self
                    .scope
                    .model
                    .tenant_columns
                    .iter()
                    .map(String::as_str)
                    .chain(self.in_reach.iter().filter_map(|r| r.rsplit('.').next()))
                    .collect();
                names.iter().any(|n| token_mentions(tokens.clone(), n))
            }
            _ => false,
        }
    }

    fn is_tenant_name(&self, name: &str) -> bool {
        let n = name.trim_start_matches('_');
        self.scope.model.tenant_columns.iter().any(|c| c == n)
    }

    fn is_tenant_field(&self, name: &str) -> bool {
        self.is_tenant_name(name) || self.tenant_fields.contains(name)
    }

    /// `ctx.tenant_id` anywhere in the body, where `ctx` is a parameter:
    /// the tenant is in reach even when no parameter is named after it.
    fn collect_field_reach(&mut self, block: &syn::Block) {
        struct V<'b, 'c> {
            f: &'b FnAnalysis<'c>,
            found: Vec<String>,
        }
        impl<'ast> Visit<'ast> for V<'_, '_> {
            fn visit_expr_field(&mut self, e: &'ast syn::ExprField) {
                if let (Expr::Path(p), syn::Member::Named(m)) = (strip(&e.base), &e.member) {
                    if let Some(base) = p.path.get_ident() {
                        let base = base.to_string();
                        let m = m.to_string();
                        if self.f.params.contains(&base) && self.f.is_tenant_name(&m) {
                            let s = format!("{base}.{m}");
                            if !self.found.contains(&s) {
                                self.found.push(s);
                            }
                        }
                    }
                }
                syn::visit::visit_expr_field(self, e);
            }
        }
        let mut v = V {
            f: self,
            found: Vec::new(),
        };
        v.visit_block(block);
        let found = v.found;
        for s in found {
            if !self.in_reach.contains(&s) {
                self.in_reach.push(s);
            }
        }
    }

    // ---- environment ----

    fn lookup(&self, name: &str) -> Option<&Val> {
        self.env.iter().rev().find_map(|f| f.get(name))
    }

    fn bind(&mut self, name: String, v: Val) {
        if let Some(i) = self.rows_of(&v) {
            if let Some(p) = self.pending.get_mut(i) {
                if !p.vars.contains(&name) {
                    p.vars.push(name.clone());
                }
            }
        }
        if self.is_tenant_name(&name) && !self.in_reach.contains(&name) {
            self.in_reach.push(name.clone());
        }
        if let Some(top) = self.env.last_mut() {
            top.insert(name, v);
        }
    }

    fn assign(&mut self, name: &str, v: Val) {
        for frame in self.env.iter_mut().rev() {
            if let Some(slot) = frame.get_mut(name) {
                *slot = v;
                return;
            }
        }
    }

    fn bind_pat(&mut self, pat: &Pat, v: Val) {
        match pat {
            Pat::Ident(i) => self.bind(i.ident.to_string(), v),
            Pat::Type(t) => self.bind_pat(&t.pat, v),
            Pat::Paren(p) => self.bind_pat(&p.pat, v),
            Pat::Tuple(t) if matches!(v, Val::Tuple(..)) || untaken_result(&v) => {
                for (k, e) in t.elems.iter().enumerate() {
                    let part = match &v {
                        Val::Tuple(i, inner) if *i == k => (**inner).clone(),
                        // A helper's result not resolved yet: element K
                        // is its query if the helper returns it there; the
                        // rows it may hold go with the first, as below.
                        Val::Query(qs) => Val::Query(
                            qs.iter()
                                .map(|q| QState {
                                    elem: Some(k),
                                    pending: q.pending.filter(|_| k == 0),
                                    ..q.clone()
                                })
                                .collect(),
                        ),
                        _ => Val::Other,
                    };
                    self.bind_pat(e, part);
                }
            }
            _ => {
                // Destructuring: `Some(doc)`, `(a, b)`. The first name
                // carries fetched rows; the others are opaque.
                let mut names = Vec::new();
                pat_idents(pat, &mut names);
                let mut it = names.into_iter();
                if let Some(first) = it.next() {
                    let carried = match self.rows_of(&v) {
                        Some(id) => Val::Rows(id),
                        None => Val::Other,
                    };
                    self.bind(first, carried);
                }
                for n in it {
                    self.bind(n, Val::Other);
                }
            }
        }
    }

    // ---- pending post-fetch checks ----

    /// The pending check on the rows a value holds: fetched rows, or a
    /// helper's result.
    fn rows_of(&self, v: &Val) -> Option<usize> {
        match v {
            Val::Rows(id) => Some(*id),
            Val::Query(qs) => qs.iter().find_map(|q| q.pending),
            _ => None,
        }
    }

    /// The pending check on the rows `v` holds, while it is still open.
    fn open_rows(&self, v: &Val) -> Option<usize> {
        self.rows_of(v)
            .filter(|&id| self.pending.get(id).is_some_and(|p| p.open))
    }

    /// The rows of pending check `id` were compared with the tenant.
    /// The one table of the rows pending check `id`, once they were
    /// compared with the caller's tenant.
    fn checked_table(&self, id: usize) -> Option<String> {
        let Target::Exec(e) = self.pending.get(id)?.target else {
            return None;
        };
        let exec = self.execs.get(e).filter(|x| x.checked_after)?;
        single_table(&exec.paths).map(str::to_string)
    }

    fn mark_checked(&mut self, id: usize) {
        let Some(p) = self.pending.get_mut(id) else {
            return;
        };
        p.open = false;
        match p.target {
            Target::Exec(e) => self.execs[e].checked_after = true,
            Target::Use(u) => self.uses[u].checked_after = true,
        }
    }

    /// A value the function returns: the queries in it go to its callers,
    /// whole or as one element of a tuple (a function that returns both
    /// forms cannot type-check; the first form seen is kept).
    fn return_val(&mut self, v: Val) {
        // SQL text it returns: judged here, kept if a caller sends it.
        if let Val::Str(s) = &v {
            if s.looks_like_sql() {
                let at = s.map.first().copied().unwrap_or_default();
                let before = self.sql_facts.len();
                self.sql_sink(
                    s,
                    format!("{}(..)", self.function),
                    Span { start: at, end: at },
                );
                self.returned_sql.extend(before..self.sql_facts.len());
            }
            return;
        }
        let (elem, qs) = match v {
            Val::Query(qs) => (None, qs),
            Val::Tuple(i, inner) => match *inner {
                Val::Query(qs) => (Some(i), qs),
                _ => return,
            },
            _ => return,
        };
        if self.returned.is_empty() {
            self.returned_elem = elem;
        } else if self.returned_elem != elem {
            return;
        }
        self.returned.extend(qs);
    }

    /// A value the function returns: rows in it go to its callers.
    fn note_returned(&mut self, v: &Val) {
        if let Some(id) = self.rows_of(v) {
            if self.pending.get(id).is_some_and(|p| p.open) && !self.returned_rows.contains(&id) {
                self.returned_rows.push(id);
            }
        }
    }

    /// `hands_on`: the statement is its block's value (or a `return`):
    /// rows it mentions go on with that value, they are not used up here.
    fn check_stmt(&mut self, stmt: &Stmt, hands_on: bool) {
        if !self.pending.iter().any(|p| p.open && !p.vars.is_empty()) {
            return;
        }
        let tokens = stmt.to_token_stream();
        let mut has_check = None;
        for i in 0..self.pending.len() {
            if !self.pending[i].open {
                continue;
            }
            let vars = self.pending[i].vars.clone();
            if !vars.iter().any(|v| token_mentions(tokens.clone(), v)) {
                continue;
            }
            let checked = *has_check.get_or_insert_with(|| {
                self.has_tenant_check(tokens.clone()) && stops_on_mismatch(tokens.clone())
            });
            if !checked && hands_on {
                continue;
            }
            if !checked {
                // `let doc = match doc { Some(d) => d, None => return .. }`
                // moves the rows on; keep following them under the new name.
                if let Stmt::Local(l) = stmt {
                    let mut names = Vec::new();
                    pat_idents(&l.pat, &mut names);
                    if !names.is_empty() {
                        for n in names {
                            if !self.pending[i].vars.contains(&n) {
                                self.pending[i].vars.push(n);
                            }
                        }
                        continue;
                    }
                }
            }
            self.pending[i].open = false;
            if checked {
                self.mark_checked(i);
            }
        }
    }

    /// Rows fetched in the statement just finished and not bound to a
    /// variable were used as they are: no check can follow.
    fn end_stmt(&mut self) {
        let depth = self.depth;
        for p in self.pending.iter_mut() {
            if p.open && p.vars.is_empty() && p.depth >= depth {
                p.open = false;
            }
        }
    }

    fn finish_pending_all(&mut self) {
        for p in self.pending.iter_mut() {
            p.open = false;
        }
    }

    /// A comparison of a tenant column field with something else: `a.tenant_id
    /// != b`, `a.org_id.eq(&b)`, `assert_eq!(a.org_id, b)`, `ensure!(..)`.
    fn has_tenant_check(&self, tokens: TokenStream) -> bool {
        let toks: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in toks.iter().enumerate() {
            // `assert_eq!(doc.org_id, org_id)`: the comparison is the macro.
            if let (TokenTree::Ident(id), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(g))) =
                (tt, toks.get(i + 1), toks.get(i + 2))
            {
                let cmp_macro = matches!(
                    id.to_string().as_str(),
                    "assert_eq" | "assert_ne" | "debug_assert_eq" | "ensure_eq"
                );
                if cmp_macro && bang.as_char() == '!' && self.mentions_tenant_field(g.stream()) {
                    return true;
                }
            }
            match tt {
                TokenTree::Group(g) if self.has_tenant_check(g.stream()) => return true,
                TokenTree::Ident(id) => {
                    let after_dot =
                        i > 0 && matches!(&toks[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    if !after_dot || !self.is_tenant_field(&id.to_string()) {
                        continue;
                    }
                    // Look a few tokens on either side for a comparison.
                    let lo = i.saturating_sub(8);
                    let hi = (i + 8).min(toks.len());
                    let window = &toks[lo..hi];
                    let cmp = window.windows(2).any(|w| match (&w[0], &w[1]) {
                        (TokenTree::Punct(a), TokenTree::Punct(b)) => {
                            (a.as_char() == '=' || a.as_char() == '!') && b.as_char() == '='
                        }
                        _ => false,
                    }) || window.iter().any(|t| {
                        matches!(t, TokenTree::Ident(x) if x == "eq" || x == "ne" || x == "assert_eq" || x == "assert_ne" || x == "ensure_eq")
                    });
                    if cmp {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// `x.org_id` somewhere in the tokens.
    fn mentions_tenant_field(&self, tokens: TokenStream) -> bool {
        let toks: Vec<TokenTree> = tokens.into_iter().collect();
        toks.iter().enumerate().any(|(i, tt)| match tt {
            TokenTree::Ident(id) => {
                i > 0
                    && matches!(&toks[i - 1], TokenTree::Punct(p) if p.as_char() == '.')
                    && self.is_tenant_field(&id.to_string())
            }
            TokenTree::Group(g) => self.mentions_tenant_field(g.stream()),
            _ => false,
        })
    }

    /// Records a call matching `[superuser] calls`: a method or function
    /// name (`unscoped_all`), `Type::name`, or `Type::*`.
    fn superuser_call(&mut self, segs: &[String], span: Span) {
        let calls = &self.config.superuser.calls;
        if calls.is_empty() {
            return;
        }
        let Some(last) = segs.last() else { return };
        let ty = segs.len().checked_sub(2).and_then(|i| segs.get(i));
        let hit = calls.iter().find(|c| match c.rsplit_once("::") {
            Some((t, "*")) => ty.is_some_and(|ty| t.rsplit("::").next() == Some(ty.as_str())),
            Some((t, n)) => {
                n == last && ty.is_some_and(|ty| t.rsplit("::").next() == Some(ty.as_str()))
            }
            None => c.as_str() == last.as_str(),
        });
        if let Some(c) = hit {
            self.superuser.push(SuperuserCall {
                pattern: c.clone(),
                call: segs.join("::"),
                span,
                function: self.function.clone(),
            });
        }
    }

    // ---- statements ----

    fn block(&mut self, b: &syn::Block) -> Val {
        self.stmts(&b.stmts)
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> Val {
        self.env.push(foldhash::HashMap::default());
        let mut uses = UseMap {
            module: self.scope.place.module.to_vec(),
            ..UseMap::default()
        };
        let mut has_uses = false;
        for s in stmts {
            if let Stmt::Item(syn::Item::Use(u)) = s {
                uses.add(&u.tree);
                has_uses = true;
            }
        }
        if has_uses {
            self.scope.uses.push(uses);
        }
        let mut last = Val::Other;
        for (i, s) in stmts.iter().enumerate() {
            // The block's value, or a `return`: the rows go on with it.
            let hands_on = (i + 1 == stmts.len() && matches!(s, Stmt::Expr(_, None)))
                || matches!(s, Stmt::Expr(Expr::Return(_), _));
            self.check_stmt(s, hands_on);
            self.depth += 1;
            let v = self.stmt(s);
            if self.tracks_mentions() {
                // What a `let` binds is not combined with anything.
                // A statement made of blocks (`if`, `match`, loops) had
                // its parts noted one by one.
                match s {
                    Stmt::Local(l) => {
                        if let Some(init) = &l.init {
                            let mut c = IdentCollector::default();
                            c.visit_expr(&init.expr);
                            if let Some((_, els)) = &init.diverge {
                                c.visit_expr(els);
                            }
                            self.note_mentions(c.0);
                        }
                    }
                    Stmt::Expr(
                        Expr::If(_)
                        | Expr::Match(_)
                        | Expr::Block(_)
                        | Expr::ForLoop(_)
                        | Expr::While(_)
                        | Expr::Loop(_)
                        | Expr::Unsafe(_),
                        _,
                    ) => {}
                    _ => {
                        let mut c = IdentCollector::default();
                        c.visit_stmt(s);
                        self.note_mentions(c.0);
                    }
                }
            }
            let is_tail = i + 1 == stmts.len() && matches!(s, Stmt::Expr(_, None));
            if is_tail {
                last = v;
            } else {
                self.end_stmt();
            }
            self.depth -= 1;
        }
        if has_uses {
            self.scope.uses.pop();
        }
        self.env.pop();
        last
    }

    fn stmt(&mut self, s: &Stmt) -> Val {
        match s {
            Stmt::Local(l) => {
                let v = match &l.init {
                    Some(init) => {
                        let v = self.expr(&init.expr);
                        if let Some((_, els)) = &init.diverge {
                            let saved = self.diverged;
                            let env = self.env.clone();
                            self.expr(els);
                            self.env = env;
                            self.diverged = saved;
                        }
                        v
                    }
                    None => Val::Other,
                };
                if let Some(init) = &l.init {
                    self.propagate_taint(&l.pat, &init.expr);
                    if self.built_from_tenant(&init.expr) {
                        let mut names = Vec::new();
                        pat_idents(&l.pat, &mut names);
                        self.tenant_derived.extend(names);
                    }
                }
                self.bind_pat(&l.pat, v);
                Val::Other
            }
            Stmt::Expr(e, _) => self.expr(e),
            Stmt::Macro(m) => self.mac(&m.mac),
            Stmt::Item(item) => {
                if !matches!(item, syn::Item::Use(_)) {
                    self.nested.push(item.clone());
                }
                Val::Other
            }
        }
    }

    // ---- expressions ----

    fn branch<F: FnOnce(&mut Self) -> Val>(&mut self, f: F) -> Option<(Env, Val)> {
        let saved_env = self.env.clone();
        let saved_div = self.diverged;
        self.diverged = false;
        let v = f(self);
        let out = if self.diverged {
            None
        } else {
            Some((std::mem::replace(&mut self.env, saved_env.clone()), v))
        };
        self.env = saved_env;
        self.diverged = saved_div;
        out
    }

    fn join_branches(&mut self, results: Vec<Option<(Env, Val)>>) -> Val {
        let live: Vec<(Env, Val)> = results.into_iter().flatten().collect();
        if live.is_empty() {
            self.diverged = true;
            return Val::Other;
        }
        let mut val = Val::Other;
        let mut envs = Vec::new();
        for (e, v) in live {
            val = merge_vals(val, v);
            envs.push(e);
        }
        self.env = merge_envs(&self.env, envs);
        val
    }

    fn closure_body(&mut self, inputs: &[Pat], body: &Expr) -> Val {
        let saved_div = self.diverged;
        self.env.push(foldhash::HashMap::default());
        for p in inputs {
            let mut names = Vec::new();
            pat_idents(p, &mut names);
            for n in names {
                self.bind(n, Val::Other);
            }
        }
        let v = self.expr(body);
        self.env.pop();
        self.diverged = saved_div;
        v
    }

    fn expr(&mut self, e: &Expr) -> Val {
        match e {
            Expr::Path(p) => self.path(&p.path),
            Expr::MethodCall(m) => self.method_call(m),
            Expr::Call(c) => self.call(c),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Reference(r) => self.expr(&r.expr),
            Expr::Try(t) => self.expr(&t.expr),
            Expr::Await(a) => self.expr(&a.base),
            Expr::Cast(c) => self.expr(&c.expr),
            Expr::Field(f) => {
                let base = self.expr(&f.base);
                let proven = match base {
                    Val::Proven(t) => Some(t),
                    // Rows compared with the caller's tenant already.
                    Val::Rows(id) => self.checked_table(id),
                    _ => None,
                };
                match (proven, &f.member) {
                    (Some(t), syn::Member::Named(field))
                        if self.scope.model.is_primary_key(&t, &unraw(field)) =>
                    {
                        Val::ProvenId(t)
                    }
                    _ => Val::Other,
                }
            }
            Expr::Unary(u) => {
                let v = self.expr(&u.expr);
                match (u.op, v) {
                    // `&*self`: the same row.
                    (syn::UnOp::Deref(_), Val::Proven(t)) => Val::Proven(t),
                    _ => Val::Other,
                }
            }
            Expr::Binary(b) => {
                let left = self.expr(&b.left);
                let right = self.expr(&b.right);
                match b.op {
                    // `sql + " AND status = $2"`.
                    syn::BinOp::Add(_) => rawsql::str_add(&left, &right),
                    // `sql += " ORDER BY created_at"`.
                    syn::BinOp::AddAssign(_) => {
                        if let Some(var) = rawsql::root_var(&b.left) {
                            let v = rawsql::str_add(&left, &right);
                            if !matches!(left, Val::Other) {
                                self.assign(&var, v);
                            }
                        }
                        Val::Other
                    }
                    _ => Val::Other,
                }
            }
            Expr::Index(i) => {
                self.expr(&i.expr);
                self.expr(&i.index);
                Val::Other
            }
            Expr::Block(b) => self.block(&b.block),
            Expr::Unsafe(u) => self.block(&u.block),
            Expr::Const(c) => self.block(&c.block),
            Expr::TryBlock(t) => self.block(&t.block),
            Expr::Async(a) => {
                let saved = self.diverged;
                let v = self.block(&a.block);
                self.diverged = saved;
                v
            }
            Expr::Closure(c) => {
                let inputs: Vec<Pat> = c.inputs.iter().cloned().collect();
                self.closure_body(&inputs, &c.body);
                Val::Other
            }
            Expr::Let(l) => {
                let v = self.expr(&l.expr);
                self.bind_pat(&l.pat, v);
                Val::Other
            }
            Expr::If(i) => self.if_expr(i),
            Expr::Match(m) => self.match_expr(m),
            Expr::ForLoop(f) => {
                self.expr(&f.expr);
                let r = self.branch(|s| {
                    s.env.push(foldhash::HashMap::default());
                    let mut names = Vec::new();
                    pat_idents(&f.pat, &mut names);
                    for n in names {
                        s.bind(n, Val::Other);
                    }
                    s.block(&f.body);
                    s.env.pop();
                    Val::Other
                });
                self.join_loop(r);
                Val::Other
            }
            Expr::While(w) => {
                let r = self.branch(|s| {
                    s.env.push(foldhash::HashMap::default());
                    s.expr(&w.cond);
                    s.block(&w.body);
                    s.env.pop();
                    Val::Other
                });
                self.join_loop(r);
                Val::Other
            }
            Expr::Loop(l) => {
                let r = self.branch(|s| s.block(&l.body));
                self.join_loop(r);
                Val::Other
            }
            Expr::Assign(a) => {
                let v = self.expr(&a.right);
                if let Expr::Path(p) = strip(&a.left) {
                    if let Some(id) = p.path.get_ident() {
                        self.assign(&id.to_string(), v);
                        return Val::Other;
                    }
                }
                // `row.org_id = Set(org_id)` on a new row.
                if let Expr::Field(f) = strip(&a.left) {
                    self.set_row_field(f, &a.right);
                }
                self.expr(&a.left);
                Val::Other
            }
            Expr::Return(r) => {
                if let Some(x) = &r.expr {
                    let v = self.expr(x);
                    self.note_returned(&v);
                    self.return_val(v);
                }
                self.diverged = true;
                Val::Other
            }
            Expr::Break(b) => {
                if let Some(x) = &b.expr {
                    self.expr(x);
                }
                self.diverged = true;
                Val::Other
            }
            Expr::Continue(_) => {
                self.diverged = true;
                Val::Other
            }
            Expr::Macro(m) => self.mac(&m.mac),
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => self.str_lit(s),
            Expr::Tuple(t) => {
                let vals: Vec<Val> = t.elems.iter().map(|x| self.expr(x)).collect();
                // `(query.limit(n), direction)`: one element holds a query.
                let mut queries = vals
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| matches!(v, Val::Query(_)));
                if let (Some((i, _)), None) = (queries.next(), queries.next()) {
                    let q = vals.into_iter().nth(i).unwrap_or(Val::Other);
                    return Val::Tuple(i, Box::new(q));
                }
                // `(a.eq(x), b.eq(y))`: Diesel's values of an insert, all
                // of them.
                if vals.len() > 1 && vals.iter().all(|v| matches!(v, Val::Pred(..))) {
                    let cs = vals
                        .iter()
                        .map(|v| pred_of(Some(v)))
                        .reduce(|a, b| conj(&a, &b))
                        .unwrap_or_default();
                    return Val::Pred(cs, None);
                }
                // `(Entity, Column::X)` as a column reference.
                let cols: Vec<Val> = vals
                    .into_iter()
                    .filter(|v| matches!(v, Val::Col(..)))
                    .collect();
                match <[Val; 1]>::try_from(cols) {
                    Ok([col]) => col,
                    Err(_) => Val::Other,
                }
            }
            Expr::Array(a) => {
                for x in &a.elems {
                    self.expr(x);
                }
                Val::Other
            }
            Expr::Struct(s) => {
                for f in &s.fields {
                    self.expr(&f.expr);
                }
                if let Some(r) = &s.rest {
                    self.expr(r);
                }
                self.new_row(s).unwrap_or(Val::Other)
            }
            Expr::Repeat(r) => {
                self.expr(&r.expr);
                Val::Other
            }
            Expr::Range(r) => {
                if let Some(x) = &r.start {
                    self.expr(x);
                }
                if let Some(x) = &r.end {
                    self.expr(x);
                }
                Val::Other
            }
            Expr::Yield(y) => {
                if let Some(x) = &y.expr {
                    self.expr(x);
                }
                Val::Other
            }
            _ => Val::Other,
        }
    }

    fn join_loop(&mut self, r: Option<(Env, Val)>) {
        if let Some((env, _)) = r {
            let base = self.env.clone();
            self.env = merge_envs(&base, vec![base.clone(), env]);
        }
    }

    fn if_expr(&mut self, i: &syn::ExprIf) -> Val {
        // The condition's bindings (`if let Some(x) = ..`) live in the
        // then-branch only.
        let then_r = self.branch(|s| {
            s.env.push(foldhash::HashMap::default());
            s.expr(&i.cond);
            if s.tracks_mentions() {
                s.note_mentions(idents_of(&i.cond));
            }
            let v = s.block(&i.then_branch);
            s.env.pop();
            v
        });
        let else_r = match &i.else_branch {
            Some((_, e)) => self.branch(|s| s.expr(e)),
            None => Some((self.env.clone(), Val::Other)),
        };
        self.join_branches(vec![then_r, else_r])
    }

    fn match_expr(&mut self, m: &syn::ExprMatch) -> Val {
        let scrut = self.expr(&m.expr);
        if self.tracks_mentions() {
            self.note_mentions(idents_of(&m.expr));
        }
        let rows = self.rows_of(&scrut);
        if let Some(id) = rows {
            // `match X.one(db).await? { Some(d) if d.org_id == org => .. }`
            if self.has_tenant_check(arms_tokens(&m.arms)) {
                self.mark_checked(id);
            }
        }
        let mut results = Vec::new();
        for arm in &m.arms {
            results.push(self.branch(|s| {
                s.env.push(foldhash::HashMap::default());
                // syn 3 keeps a guard in the pattern: `Some(d) if d.org_id == org`.
                let (pat, guard) = match &arm.pat {
                    syn::Pat::Guard(g) => (&*g.pat, Some(&*g.guard)),
                    p => (p, None),
                };
                s.bind_pat(pat, rows.map_or(Val::Other, Val::Rows));
                if let Some(g) = guard {
                    s.expr(g);
                }
                let v = s.expr(&arm.body);
                s.env.pop();
                v
            }));
        }
        let v = self.join_branches(results);
        match rows {
            Some(id) if self.pending[id].open => Val::Rows(id),
            _ => v,
        }
    }

    fn mac(&mut self, m: &syn::Macro) -> Val {
        if let Some(v) = self.sql_macro(m) {
            return v;
        }
        let name = macro_name(m);
        if matches!(
            name.as_str(),
            "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
        ) {
            let _ = self.macro_body(m);
            self.diverged = true;
            return Val::Other;
        }
        self.macro_body(m)
    }

    fn macro_body(&mut self, m: &syn::Macro) -> Val {
        let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
        if let Ok(exprs) = m.parse_body_with(parser) {
            let mut last = Val::Other;
            for e in &exprs {
                last = self.expr(e);
            }
            return if exprs.len() == 1 { last } else { Val::Other };
        }
        if let Ok(stmts) = m.parse_body_with(syn::Block::parse_within) {
            return self.stmts(&stmts);
        }
        // `json!({ "ciphers": list, "n": count(&conn).await })`: data
        // whose keys are strings; its values are expressions.
        if let Some(values) = json_values(m.tokens.clone()) {
            for e in &values {
                self.expr(e);
                self.end_stmt();
            }
            return Val::Other;
        }
        // `tokio::select! { v = fut => { .. } }`, `db_run! { conn: { .. } }`:
        // salvage the pieces between separators that parse as expressions,
        // and the blocks inside the others.
        let (exprs, blocks) = salvage(m.tokens.clone());
        if !exprs.is_empty() || !blocks.is_empty() {
            for e in &exprs {
                self.expr(e);
                self.end_stmt();
            }
            for b in blocks {
                self.stmts(&b);
            }
            return Val::Other;
        }
        if mentions_model(m.tokens.clone(), self.scope.model) {
            let span = m
                .path
                .segments
                .first()
                .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span());
            self.opaque.push(OpaqueMacro {
                name: macro_name(m),
                span: Span::from_pm2(span),
            });
        }
        Val::Other
    }

    fn path(&mut self, p: &syn::Path) -> Val {
        if let Some(id) = p.get_ident() {
            if let Some(v) = self.lookup(&id.to_string()) {
                return v.clone();
            }
        }
        let segs = path_segments(p);
        match self.scope.resolve(&segs) {
            Resolved::TableModule(t) => Val::Query(vec![QState::new(
                self.table_orm(&t),
                Root::Table(t),
                Span::from_pm2(p_span(p)),
                "table",
            )]),
            Resolved::Entity(t) => Val::Entity(t),
            Resolved::Column(t, c) => Val::Col(t, c),
            Resolved::Unknown => self.sql_const(p).unwrap_or(Val::Other),
        }
    }

    fn call(&mut self, c: &syn::ExprCall) -> Val {
        let args: Vec<Val> = c.args.iter().map(|a| self.expr(a)).collect();
        let Expr::Path(fp) = strip(&c.func) else {
            self.expr(&c.func);
            return Val::Other;
        };
        let segs = path_segments(&fp.path);
        let Some(last) = segs.last().cloned() else {
            return Val::Other;
        };
        let span = Span::from_pm2(p_span(&fp.path));
        self.superuser_call(&segs, span);
        self.authorize(&last, &c.args);
        let k = self.k;
        // `Query::select()`: a sea-query statement, its table to come.
        if let [.., ty, _] = segs.as_slice() {
            if c.args.is_empty()
                && k.packs()
                    .any(|(_, p)| p.builder_types.contains(ty) && p.builder_starts.contains(&last))
            {
                return Val::Stmt(last);
            }
        }
        // `sql::<Bool>("documents.org_id = ")`: Diesel's SQL fragment.
        let turbofish = fp
            .path
            .segments
            .last()
            .is_some_and(|s| matches!(s.arguments, syn::PathArguments::AngleBracketed(_)));
        if (turbofish || segs.len() > 1) && k.packs().any(|(_, p)| p.sql_fragments.contains(&last))
        {
            if let Some(Val::Str(text)) = args.first() {
                return self.fragment_pred(&text.text);
            }
        }
        // `<T as HasTable>::table()`, `T::table()`, `Self::table()`.
        let table_call = k
            .with_shape(Shape::TableModule)
            .find(|(_, p)| p.table_calls.contains(&last));
        if let Some((orm, _)) = table_call.filter(|_| c.args.is_empty()) {
            let ty_path = fp.qself.as_ref().map(|q| &*q.ty);
            let table = match (ty_path, segs.as_slice()) {
                (Some(ty), _) => self.table_of_type(ty),
                (None, [t, _]) => self.table_of_name(t),
                _ => None,
            };
            if let Some(t) = table {
                let orm = match &t {
                    Root::Table(name) => self.table_orm(name),
                    _ => orm,
                };
                return Val::Query(vec![QState::new(orm, t, span, "table")]);
            }
        }
        // `Entity::find()` and friends.
        if segs.len() >= 2 {
            let ty = &segs[..segs.len() - 1];
            let resolved = self.scope.resolve(ty);
            // `<Entity>::find` may also be `Self::find` inside the entity module.
            let resolved = match (&resolved, ty) {
                (Resolved::Unknown, [s]) if s == "Self" => match &self.self_table {
                    Some(t) => Resolved::Entity(t.clone()),
                    None => self.scope.resolve(&["Entity".to_string()]),
                },
                _ => resolved,
            };
            match resolved {
                // `Entity::insert(row)`.
                Resolved::Entity(t)
                    if k.with_shape(Shape::Entity)
                        .any(|(_, p)| p.insert_starts.contains(&last)) =>
                {
                    let orm = k
                        .with_shape(Shape::Entity)
                        .find(|(_, p)| p.insert_starts.contains(&last))
                        .map_or(Orm::ALL[0], |(o, _)| o);
                    return Val::Query(vec![insert_state(orm, &t, span, &last, args.first())]);
                }
                Resolved::Entity(t) => {
                    let scope_method = self.config.tenant.scope_methods.contains(&last);
                    let start = k
                        .with_shape(Shape::Entity)
                        .find(|(_, p)| p.starts.contains(&last) || p.pk_starts.contains(&last));
                    let start = start.or_else(|| {
                        scope_method
                            .then(|| k.with_shape(Shape::Entity).next())
                            .flatten()
                    });
                    if let Some((orm, pack)) = start {
                        let pk_lookup = pack.pk_starts.contains(&last);
                        let scoped_by = if scope_method {
                            Some(last.clone())
                        } else if pk_lookup && self.scope.model.pk_binds_tenant(&t) {
                            Some("primary key".into())
                        } else if pk_lookup && proven_id(args.first(), &t) {
                            Some(PROVEN_ID.into())
                        } else {
                            None
                        };
                        let key_arg = c.args.first().filter(|_| pk_lookup);
                        let key_from = key_arg.and_then(|a| self.request_key(a));
                        let key_param = key_arg.and_then(|a| self.param_of(a));
                        return Val::Query(vec![QState {
                            scoped_by,
                            pk_lookup,
                            key_from,
                            key_param,
                            ..QState::new(orm, Root::Table(t), span, &last)
                        }]);
                    }
                    // A function of the entity: a helper, resolved later.
                    let key = format!("entity:{t}::{last}");
                    self.note_tenant_args(&c.args, &key, &segs.join("::"), span);
                    return self.helper_use(key, segs.join("::"), span, &args);
                }
                Resolved::Unknown
                    if k.with_shape(Shape::TableModule)
                        .any(|(_, p)| p.model_starts.contains(&last))
                        && c.args.is_empty() =>
                {
                    // `User::query()`, `Self::query()`: a query on the
                    // model struct's table.
                    if let Some(Root::Table(t)) = ty.last().and_then(|s| self.table_of_name(s)) {
                        let orm = self.table_orm(&t);
                        return Val::Query(vec![QState::new(orm, Root::Table(t), span, &last)]);
                    }
                }
                Resolved::Unknown
                    if k.with_shape(Shape::TableModule)
                        .any(|(_, p)| p.related_starts.contains(&last)) =>
                {
                    // `Document::belonging_to(&org)`.
                    if let Some(t) = ty.last().and_then(|s| self.scope.model.row_structs.get(s)) {
                        let orm = self.table_orm(t);
                        return Val::Query(vec![QState {
                            scoped_by: Some(last.clone()),
                            ..QState::new(orm, Root::Table(t.clone()), span, &last)
                        }]);
                    }
                }
                Resolved::Unknown
                    if (k.condition_all.contains(&last) || k.condition_any.contains(&last))
                        && ty.last().is_some_and(|s| k.condition_types.contains(s)) =>
                {
                    return Val::Pred(vec![], Some(k.condition_any.contains(&last)));
                }
                Resolved::Unknown
                    if k.column_exprs
                        .iter()
                        .any(|(t, call)| *call == last && ty.last().is_some_and(|s| s == t)) =>
                {
                    // sea-query `Expr::col(Column::X)` / `Expr::col((Entity, Column::X))`,
                    // or an iden enum's column, `Expr::col(Documents::OrgId)`.
                    return match args.into_iter().next().map(first_col) {
                        Some(Val::Other) | None => c
                            .args
                            .first()
                            .and_then(|a| self.iden_path(a))
                            .filter(|(_, col)| col.is_some())
                            .map_or(Val::Other, |(t, col)| {
                                Val::Col(Some(t), col.unwrap_or_default())
                            }),
                        Some(v) => v,
                    };
                }
                _ => {}
            }
        }
        // `diesel::update(q)`, `delete(q)`, `select(exists(q))`.
        if k.negations.contains(&last) {
            if let Some(Val::Pred(..)) = args.first() {
                let mut c = Cond::default();
                c.notes
                    .push(format!("`{last}(..)` negates the tenant condition"));
                return Val::Pred(vec![c], None);
            }
        }
        // `diesel::insert_into(documents::table)`.
        if k.with_shape(Shape::TableModule)
            .any(|(_, p)| p.insert_starts.contains(&last))
        {
            if let Some(Val::Query(qs)) = args.first() {
                let states: Vec<QState> = qs
                    .iter()
                    .filter_map(QState::table)
                    .map(|t| insert_state(self.table_orm(t), t, span, &last, None))
                    .collect();
                if !states.is_empty() {
                    return Val::Query(states);
                }
            }
        }
        // The wrapped query's own ORM first.
        let own = match args.first() {
            Some(Val::Query(q)) => q.first().filter(|q| !q.is_symbolic()).map(|q| q.orm),
            _ => None,
        };
        let wrapper = own
            .map(|o| (o, k.pack(o)))
            .filter(|(_, p)| p.wrappers.contains(&last))
            .or_else(|| k.packs().find(|(_, p)| p.wrappers.contains(&last)));
        if let Some((_, pack)) = wrapper {
            if let Some(Val::Query(q)) = args.first() {
                let mut q = q.clone();
                if pack.update_starts.contains(&last) || pack.delete_starts.contains(&last) {
                    for s in &mut q {
                        s.start = last.clone();
                    }
                }
                return Val::Query(q);
            }
        }
        if k.sql.functions.contains(&last) {
            self.note_sql_params(&c.args, None);
        }
        if let Some(v) = self.sql_call(&segs, &args, &c.args, span) {
            return v;
        }
        let Some(key) = self.helper_key(&segs) else {
            // `Ok(row)`, `Some(row)`, `Box::new(row)`: the rows go on.
            return args
                .iter()
                .find_map(|a| self.open_rows(a))
                .map_or(Val::Other, Val::Rows);
        };
        // SQL handed to a workspace function (`query_raw(db, "SELECT ..")`):
        // judged here if that function sends it to the database.
        self.note_sql_params(&c.args, Some(&key));
        // A tenant value handed on: judged once the callee is known.
        self.note_tenant_args(&c.args, &key, &segs.join("::"), span);
        for (i, a) in args.iter().enumerate() {
            if let Val::Str(sql) = a {
                if sql.looks_like_sql() {
                    let before = self.sql_facts.len();
                    let sunk = self.sql_sink(sql, last.clone(), span);
                    for f in &mut self.sql_facts[before..] {
                        f.through = Some((key.clone(), i));
                    }
                    // Its values handed on beside it (`vec![id.into()]`):
                    // a parent key taken from the request binds nothing.
                    let values = c.args.iter().skip(i + 1).find_map(bound_values);
                    let Some(values) = values else { continue };
                    for (n, table, key) in sunk.soft {
                        let value = values.get(n.wrapping_sub(1));
                        let Some(how) = value.and_then(|e| self.unchecked_request(e, &table))
                        else {
                            continue;
                        };
                        let mut text = sql.text.clone();
                        text.retain(|c| !c.is_whitespace());
                        self.request_sql.push(RequestSql {
                            method: last.clone(),
                            span,
                            function: self.function.clone(),
                            table,
                            key,
                            source: how,
                            text,
                        });
                    }
                }
            }
        }
        // A helper given a predicate or a table may execute a query built
        // from them (`generic_find_one::<payment_attempt::table, _, _>(conn,
        // pred)`): recorded for judging once the helper is known.
        let types: Vec<Option<Root>> = match &fp.path.segments.last().map(|s| &s.arguments) {
            Some(syn::PathArguments::AngleBracketed(a)) => a
                .args
                .iter()
                .map(|g| match g {
                    syn::GenericArgument::Type(ty) => self.table_of_type(ty),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let preds: Vec<Option<Vec<Cond>>> = args
            .iter()
            .map(|a| match a {
                Val::Pred(cs, _) => Some(cs.clone()),
                _ => None,
            })
            .collect();
        if preds.iter().all(Option::is_none) && types.iter().all(Option::is_none) {
            return self.helper_use(key, segs.join("::"), span, &args);
        }
        let has_query_arg = args.iter().any(|a| matches!(a, Val::Query(_)));
        let Val::Query(mut states) = helper_call(key.clone(), span, &args) else {
            return Val::Other;
        };
        let mut state = states.remove(0);
        state.root = Root::Run(key.clone());
        state.orm = match state
            .run
            .as_deref()
            .and_then(|r| r.types.iter().flatten().next())
        {
            Some(Root::Table(t)) => self.table_orm(t),
            _ => k.table_module_orm(),
        };
        state.run = Some(Box::new(RunArgs { preds, types }));
        if state.is_parametric() {
            self.runs.push(Run { state, span });
            return if has_query_arg {
                helper_call(key, span, &args)
            } else {
                Val::Other
            };
        }
        let idx = self.execs.len();
        self.execs.push(ExecFact {
            orm: state.orm,
            method: last,
            span,
            function: self.function.clone(),
            paths: vec![state],
            in_reach: self.in_reach.clone(),
            checked_after: false,
            text: compact(c.to_token_stream()),
            tenant_path: None,
            returned_by: None,
            lookup: false,
        });
        if has_query_arg {
            return helper_call(key, span, &args);
        }
        Val::Rows(self.pend(Target::Exec(idx)))
    }

    /// String parameters among `args` that reach a raw-SQL entry point
    /// (`callee` None) or are passed on to workspace function `callee`.
    fn note_sql_params(
        &mut self,
        args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
        callee: Option<&str>,
    ) {
        for (i, a) in args.iter().enumerate() {
            let Expr::Path(p) = strip(a) else { continue };
            let Some(id) = p.path.get_ident() else {
                continue;
            };
            let Some(&(_, k)) = self.str_params.iter().find(|(n, _)| id == n) else {
                continue;
            };
            match callee {
                None if !self.sql_params.contains(&k) => self.sql_params.push(k),
                Some(key) => self.sql_forwards.push((k, key.to_string(), i)),
                None => {}
            }
        }
    }

    /// The value of a call to workspace function `key`: a query to resolve
    /// later. Unless it is given a query to transform, it may also return
    /// rows fetched without binding (a lookup helper), so the call is
    /// recorded and whether the caller checks the rows is followed.
    fn helper_use(&mut self, key: String, name: String, span: Span, args: &[Val]) -> Val {
        let v = helper_call(key.clone(), span, args);
        let Val::Query(mut qs) = v else {
            return v;
        };
        // A query handed in: the helper transforms it. A tuple element of
        // a helper's result not resolved yet does not count: it is most
        // often no query (`let (hits, _) = search(..)`), and what is
        // derived from it (`hits.iter().map(..).collect()`) still less.
        let query_arg =
            |a: &Val| matches!(a, Val::Query(qs) if qs.iter().any(|q| q.elem.is_none()));
        if args.iter().any(query_arg) {
            return Val::Query(qs);
        }
        self.uses.push(HelperUse {
            key,
            name,
            span,
            function: self.function.clone(),
            in_reach: self.in_reach.clone(),
            checked_after: false,
            returned_by: None,
        });
        // Rows handed in (`model_to_provider(row)`, `Dto::from(row)`): what
        // comes back is those rows converted, followed as they are.
        let id = match args.iter().find_map(|a| self.open_rows(a)) {
            Some(id) => id,
            None => self.pend(Target::Use(self.uses.len() - 1)),
        };
        for q in &mut qs {
            q.pending = Some(id);
        }
        Val::Query(qs)
    }

    /// A struct literal that is a new row of a tenant table: SeaORM's
    /// `document::ActiveModel { .. }` (`new-row-types`), or a Diesel model
    /// struct that names its table. The tenant column it leaves unset, if
    /// it does: not among the fields (after `..Default::default()`, or a
    /// Diesel `Insertable` without it), or set to `NotSet`.
    fn new_row(&self, s: &syn::ExprStruct) -> Option<Val> {
        let segs = path_segments(&s.path);
        let last = segs.last()?;
        let k = self.k;
        let model = self.scope.model;
        let table = if k.packs().any(|(_, p)| p.new_row_types.contains(last)) {
            if segs.len() == 1 {
                self.self_table.clone()?
            } else {
                let mut e = segs[..segs.len() - 1].to_vec();
                e.push("Entity".into());
                match self.scope.resolve(&e) {
                    Resolved::Entity(t) => t,
                    _ => return None,
                }
            }
        } else {
            model.row_structs.get(last)?.clone()
        };
        if !model.is_tenant(&table) || model.is_root(&table) {
            return None;
        }
        // `..row.into_active_model()`, `..other`: the rest copies a row's
        // columns, the tenant's among them; only a default leaves it unset.
        let rest_copies = s.rest.as_deref().is_some_and(|r| !is_default_call(r));
        let sets = rest_copies
            || s.fields.iter().any(|f| match &f.member {
                syn::Member::Named(n) => {
                    model.is_own_key(&table, &n.to_string()) && !is_not_set(&f.expr)
                }
                syn::Member::Unnamed(_) => false,
            });
        let missing = if sets {
            None
        } else {
            Some(
                model
                    .tables
                    .get(&table)
                    .and_then(|t| t.tenant_rust())
                    .unwrap_or_else(|| "tenant_id".into()),
            )
        };
        Some(Val::NewRow(table, missing))
    }

    /// `row.org_id = Set(org_id)`: the new row held by `row` sets its
    /// tenant column now.
    fn set_row_field(&mut self, f: &syn::ExprField, value: &Expr) {
        let (Expr::Path(p), syn::Member::Named(n)) = (strip(&f.base), &f.member) else {
            return;
        };
        let Some(var) = p.path.get_ident().map(|i| i.to_string()) else {
            return;
        };
        let Some(Val::NewRow(t, Some(_))) = self.lookup(&var).cloned() else {
            return;
        };
        if self.scope.model.is_own_key(&t, &n.to_string()) && !is_not_set(value) {
            self.assign(&var, Val::NewRow(t, None));
        }
    }

    /// A sea-query statement's table, `.from(document::Entity)`: from
    /// there it is a query of that table.
    fn stmt_method(
        &mut self,
        kind: String,
        m: &syn::ExprMethodCall,
        name: &str,
        args: &[Val],
    ) -> Val {
        let Some((orm, _)) = self
            .k
            .packs()
            .find(|(_, p)| p.builder_tables.contains(name))
        else {
            return Val::Stmt(kind);
        };
        let table = match args.first() {
            Some(Val::Entity(t)) => Some(t.clone()),
            // `Documents::Table` of a `#[derive(Iden)]` enum.
            _ => m
                .args
                .first()
                .and_then(|a| self.iden_path(a))
                .filter(|(_, col)| col.is_none())
                .map(|(t, _)| t),
        };
        match table {
            Some(t) => {
                let span = Span::from_pm2(m.method.span());
                Val::Query(vec![QState::new(orm, Root::Table(t), span, &kind)])
            }
            None => Val::Other,
        }
    }

    /// A path of a sea-query iden enum, `Documents::Table` or
    /// `Documents::OrgId`, as `DeriveIden` names them (the enum's name in
    /// snake case is the table, a variant's the column), when that table
    /// and column are in the model: the table, and the column's name
    /// (`None` for `Table`). An `#[iden = ".."]` override is not read.
    fn iden_path(&self, e: &Expr) -> Option<(String, Option<String>)> {
        let Expr::Path(p) = strip(e) else {
            return None;
        };
        let segs = path_segments(&p.path);
        let [en, var] = segs.as_slice() else {
            return None;
        };
        let model = self.scope.model;
        let table = crate::orm::snake_case(en);
        let t = model.tables.get(&table)?;
        if var == "Table" {
            return Some((table, None));
        }
        let col = crate::orm::snake_case(var);
        t.columns
            .iter()
            .any(|c| c.rust == col || c.sql == col)
            .then_some((table, Some(col)))
    }

    /// `row.insert(db)`, `row.save(db)` on a new row: an insert into its
    /// table, executed here.
    fn new_row_method(
        &mut self,
        table: &str,
        missing: Option<String>,
        m: &syn::ExprMethodCall,
        name: &str,
    ) -> Val {
        let Some((orm, _)) = self
            .k
            .packs()
            .find(|(_, p)| p.new_row_inserts.contains(name))
        else {
            return Val::Other;
        };
        if m.args.is_empty() {
            return Val::Other;
        }
        let span = Span::from_pm2(m.method.span());
        let row = Val::NewRow(table.to_string(), missing);
        let q = insert_state(orm, table, span, name, Some(&row));
        self.execute(vec![q], m, name)
    }

    /// The condition an SQL fragment states: it binds a table when it
    /// compares a tenant column for equality (`documents.org_id = `, with
    /// the value bound after it, `tenant_id = $1`, `org_id IN (..)`), and
    /// nothing when it holds an `OR` (the equality may be one branch).
    fn fragment_pred(&self, text: &str) -> Val {
        let model = self.scope.model;
        let lower = text.to_ascii_lowercase();
        let mut c = Cond::default();
        if has_or(text) {
            return Val::Pred(vec![c], None);
        }
        let mut rest = lower.as_str();
        while let Some(i) = rest.find(|ch: char| ch.is_ascii_alphabetic() || ch == '_') {
            rest = &rest[i..];
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let after = rest[end..].trim_start();
            let is_eq = (after.starts_with('=') && !after.starts_with("=="))
                || after.starts_with("in ")
                || after.starts_with("in(");
            if is_eq {
                let (table, col) = match word.rsplit_once('.') {
                    Some((t, col)) => (Some(t), col),
                    None => (None, word),
                };
                match table.filter(|t| model.is_tenant_column(t, col)) {
                    Some(t) => {
                        c.bound.insert(Bound::Table(t.to_string()));
                    }
                    // A bare column or an alias's: the query's own table.
                    None if model.is_tenant_name(col) => {
                        c.bound.insert(Bound::Root);
                    }
                    None => {}
                }
            }
            rest = &rest[end..];
        }
        Val::Pred(vec![c], None)
    }

    /// The steps of an insert: its rows (`.values(..)`), its conflict
    /// target (`.on_conflict(..)`) and whether a conflict updates the
    /// existing row (`.do_update()`).
    fn insert_method(
        &mut self,
        qs: &[QState],
        m: &syn::ExprMethodCall,
        name: &str,
        args: &[Val],
    ) -> Option<Val> {
        let k = self.k;
        let has = |f: fn(&crate::orm::Pack) -> &HashSet<String>| {
            k.packs().any(|(_, p)| f(p).contains(name))
        };
        let model = self.scope.model;
        let mut out = qs.to_vec();
        if has(|p| &p.insert_values) {
            let rows = args.first().cloned().unwrap_or(Val::Other);
            // `(notes::customer_id.eq(c), notes::body.eq(b))`: the columns
            // set, to tell a parent key set from the table's own tenant key.
            let set = m.args.first().and_then(eq_columns);
            for q in out.iter_mut().filter(|q| q.insert.is_some()) {
                let own_unset = match (&set, q.table()) {
                    (Some(cols), Some(t)) => {
                        model.is_tenant(t) && !cols.iter().any(|c| model.is_own_key(t, c))
                    }
                    _ => false,
                };
                if own_unset && matches!(rows, Val::Pred(..)) {
                    insert_rows(q, &Val::Pred(vec![Cond::default()], None));
                } else {
                    insert_rows(q, &rows);
                }
            }
        } else if has(|p| &p.conflict_targets) {
            // `.on_conflict(col)`, `.on_conflict((a, b))`.
            let cols: Vec<Val> = match m.args.first().map(strip) {
                Some(Expr::Tuple(t)) => t.elems.iter().map(|e| self.expr(e)).collect(),
                _ => args.to_vec(),
            };
            for q in out.iter_mut() {
                let Some(t) = q.table().map(str::to_string) else {
                    continue;
                };
                let on_tenant = cols.iter().any(|c| match c {
                    Val::Col(ct, c) => {
                        ct.as_deref().is_none_or(|ct| ct == t) && model.is_tenant_column(&t, c)
                    }
                    _ => false,
                });
                if let Some(i) = q.insert.as_mut() {
                    i.conflict_on_tenant = on_tenant;
                }
            }
        } else if has(|p| &p.conflict_updates) {
            for q in out.iter_mut() {
                let Some(i) = q.insert.as_mut() else {
                    continue;
                };
                i.upsert = true;
                if !i.own_row && !i.conflict_on_tenant {
                    q.cond.bound.remove(&Bound::Root);
                    q.cond.notes.push(format!(
                        "`.{name}()` on a conflict overwrites the existing row with that key, whichever tenant owns it: the conflict target does not hold the tenant column"
                    ));
                }
            }
        } else {
            return None;
        }
        Some(Val::Query(out))
    }

    /// A method that changes its receiver in place (`qb.push(..)`,
    /// `stmt.and_where(..)`): the variable it was called on holds `v` now.
    pub(super) fn write_back(&mut self, m: &syn::ExprMethodCall, v: &Val) {
        if let Some(var) = rawsql::root_var(&m.receiver) {
            self.assign(&var, v.clone());
        }
    }

    /// Starts following the rows of `target` for a tenant check.
    fn pend(&mut self, target: Target) -> usize {
        self.pending.push(Pending {
            target,
            vars: Vec::new(),
            open: true,
            depth: self.depth,
        });
        self.pending.len() - 1
    }

    /// The table a type names: a Diesel table module path
    /// (`payment_attempt::table`), `<Self as HasTable>::Table` of a model
    /// struct, or a generic parameter of this function (`Root::TypeParam(k)`).
    fn table_of_type(&self, ty: &syn::Type) -> Option<Root> {
        let syn::Type::Path(tp) = ty else {
            return None;
        };
        if let Some(q) = &tp.qself {
            return self.table_of_type(&q.ty);
        }
        if let Some(id) = tp.path.get_ident() {
            return self.table_of_name(&id.to_string());
        }
        match self.scope.resolve(&path_segments(&tp.path)) {
            Resolved::TableModule(t) => Some(Root::Table(t)),
            _ => None,
        }
    }

    /// The table a single type name stands for: `Self` (or a model struct)
    /// through `#[diesel(table_name = ..)]`, or a generic parameter.
    /// The ORM whose knowledge reads queries started from `table`'s module:
    /// the one that declared the module, else the first with table modules.
    fn table_orm(&self, table: &str) -> Orm {
        self.scope
            .model
            .table_module_orms
            .get(table)
            .copied()
            .unwrap_or_else(|| self.k.table_module_orm())
    }

    fn table_of_name(&self, name: &str) -> Option<Root> {
        if let Some(i) = self.tparams.iter().position(|t| t == name) {
            return Some(Root::TypeParam(i));
        }
        let name = if name == "Self" {
            self.self_ty.as_deref()?
        } else {
            name
        };
        self.scope
            .model
            .row_structs
            .get(name)
            .cloned()
            .map(Root::Table)
    }

    /// How a call may name a helper function of the workspace, for
    /// [`FnSummary::key`].
    fn helper_key(&self, written: &[String]) -> Option<String> {
        // `use vault::Send as SendModel;` names `Send`'s functions.
        let segs = &self.scope.expand(written)[..];
        let last = segs.last()?;
        if !may_name_helper(last) {
            return None;
        }
        match segs {
            [_] => Some(self.scope.fn_call_key(written)),
            [.., ty, _] if ty == "Self" => {
                self.self_key.as_ref().map(|t| format!("type:{t}::{last}"))
            }
            [.., ty, _] if ty.starts_with(|c: char| c.is_ascii_uppercase()) => {
                Some(self.scope.type_call_key(written))
            }
            // `module::function`.
            _ => Some(self.scope.fn_call_key(written)),
        }
    }

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> Val {
        let recv = self.expr(&m.receiver);
        let args: Vec<Val> = m.args.iter().map(|a| self.expr(a)).collect();
        let name = m.method.to_string();
        self.superuser_call(std::slice::from_ref(&name), Span::from_pm2(m.method.span()));
        let k = self.k;
        if matches!(
            recv,
            Val::Other | Val::Entity(_) | Val::Str(_) | Val::Builder(..)
        ) || matches!(&recv, Val::Query(qs) if qs.iter().all(QState::is_symbolic))
        {
            if k.sql.methods.contains(&name) {
                self.note_sql_params(&m.args, None);
            }
            if let Some(v) = self.sql_method(&recv, m, &name, &args) {
                return v;
            }
        }
        // A helper's result checked in place:
        // `Folder::find(..).await.filter(|f| f.tenant_id == t)`.
        if let (Val::Query(_), Some(id)) = (&recv, self.rows_of(&recv)) {
            if self.pending[id].open && self.has_tenant_check(m.args.to_token_stream()) {
                self.mark_checked(id);
                return Val::Other;
            }
        }
        match recv {
            Val::Sql(run) => self.sql_run_method(&run, m, &name),
            Val::Str(_) | Val::Builder(..) | Val::Tuple(..) => Val::Other,
            Val::NewRow(t, missing) => self.new_row_method(&t, missing, m, &name),
            // A sea-query statement's methods change it in place
            // (`stmt.and_where(..)` takes `&mut self`).
            Val::Stmt(kind) => {
                let v = self.stmt_method(kind, m, &name, &args);
                if matches!(v, Val::Query(_)) {
                    self.write_back(m, &v);
                }
                v
            }
            Val::Query(qs) => {
                let statement = qs.iter().all(QState::is_statement);
                let v = self.query_method(qs, m, &name, args);
                if statement && matches!(v, Val::Query(_)) {
                    self.write_back(m, &v);
                }
                v
            }
            Val::Col(t, c) => {
                let arg = m.args.first();
                let param = arg.and_then(|a| self.param_of(a));
                // A parent key (a child's, or a direct table's key to other
                // tenant data): the value picks the parent row.
                let parent_key = t
                    .as_deref()
                    .filter(|t| self.scope.model.is_parent_key(t, &c));
                let (taint, soft) = match (arg, parent_key) {
                    (Some(a), Some(table)) => {
                        let request = self.unchecked_request(a, table);
                        let origin = match (&request, param) {
                            (Some(how), _) => Some(Origin::Request(how.clone())),
                            (None, Some(k)) => Some(Origin::Param(k)),
                            (None, None) => None,
                        };
                        // A parent key whose row was checked is trusted.
                        let taint = self.taint_of(a).filter(|_| !self.parent_checked(a, table));
                        (taint, origin)
                    }
                    (a, None) => (a.and_then(|a| self.taint_of(a)), None),
                    (None, Some(_)) => (None, None),
                };
                // A direct table's parent key where the caller's tenant is
                // in hand: the function could have used the tenant, so the
                // parent key binds nothing here.
                let own_only = !self.in_reach.is_empty()
                    && t.as_deref().is_some_and(|t| {
                        let m = &self.scope.model;
                        m.is_parent_key(t, &c) && m.parent_link(t).is_none()
                    });
                let key = c.clone();
                let mut v = self.col_method(t, c, &name, args, taint);
                if let (true, Val::Pred(cs, _)) = (own_only, &mut v) {
                    for cond in cs.iter_mut() {
                        cond.bound.clear();
                    }
                    return v;
                }
                if let (Some(origin), Val::Pred(cs, _)) = (soft, &mut v) {
                    for cond in cs.iter_mut() {
                        let bound: Vec<Bound> = cond.bound.iter().cloned().collect();
                        for b in bound {
                            cond.soft.push(Soft {
                                bound: b,
                                key: key.clone(),
                                origin: origin.clone(),
                            });
                        }
                    }
                }
                if let (Some(k), Val::Pred(cs, _)) = (param, &v) {
                    if cs.iter().any(|c| !c.bound.is_empty()) && !self.tenant_params.contains(&k) {
                        self.tenant_params.push(k);
                    }
                }
                v
            }
            Val::Pred(cs, kind) => {
                // `sql::<Bool>("org_id = ").bind::<Uuid, _>(org)`.
                if k.packs().any(|(_, p)| p.fragment_binds.contains(&name)) {
                    return Val::Pred(cs, kind);
                }
                // `.sql(" AND ..")` appends to the fragment; an `OR` makes
                // what came before one branch.
                if k.packs().any(|(_, p)| p.sql_fragments.contains(&name)) {
                    if let Some(Val::Str(text)) = args.first() {
                        let more = pred_of(Some(&self.fragment_pred(&text.text)));
                        if has_or(&text.text) {
                            let mut c = Cond::default();
                            c.notes.push(
                                "the SQL fragment ORs the tenant condition with another".into(),
                            );
                            return Val::Pred(vec![c], kind);
                        }
                        return Val::Pred(conj(&cs, &more), kind);
                    }
                }
                if k.and.contains(&name) {
                    return Val::Pred(conj(&cs, &pred_of(args.first())), kind);
                }
                if k.or.contains(&name) {
                    return Val::Pred(
                        disj(
                            &cs,
                            &pred_of(args.first()),
                            "an `or` condition drops the tenant filter",
                        ),
                        kind,
                    );
                }
                if k.condition_add.contains(&name) {
                    let p = pred_of(args.first());
                    return match kind {
                        Some(true) => Val::Pred(
                            if cs.is_empty() {
                                p
                            } else {
                                disj(&cs, &p, "`Condition::any()` ORs the tenant filter with other conditions")
                            },
                            kind,
                        ),
                        _ => Val::Pred(if cs.is_empty() { p } else { conj(&cs, &p) }, kind),
                    };
                }
                if k.condition_add_optional.contains(&name) {
                    // The condition is added only when the option is `Some`.
                    let mut none = Cond::default();
                    none.notes.push(
                        "`add_option` applies the tenant condition only when it is `Some`".into(),
                    );
                    let p = pred_of(args.first());
                    let opt = [p, vec![none]].concat();
                    return match kind {
                        Some(true) => Val::Pred(
                            disj(
                                &cs,
                                &opt,
                                "`Condition::any()` ORs the tenant filter with other conditions",
                            ),
                            kind,
                        ),
                        _ => Val::Pred(if cs.is_empty() { opt } else { conj(&cs, &opt) }, kind),
                    };
                }
                if k.negations.contains(&name) {
                    let mut c = Cond::default();
                    if cs.iter().any(|c| !c.bound.is_empty()) {
                        c.notes
                            .push(format!("`.{name}()` negates the tenant condition"));
                    }
                    return Val::Pred(vec![c], None);
                }
                Val::Pred(cs, kind)
            }
            // `.ok_or(..)`, `.unwrap()`, `.clone()`: the same row, the same id.
            Val::Proven(t) => Val::Proven(t),
            Val::ProvenId(t) => Val::ProvenId(t),
            Val::Rows(id) => {
                // `X.one(db).await?.filter(|d| d.org_id == org)`.
                if self.has_tenant_check(m.args.to_token_stream()) {
                    self.mark_checked(id);
                    return Val::Other;
                }
                Val::Rows(id)
            }
            Val::Entity(_) | Val::Other => {
                let related = k
                    .with_shape(Shape::Entity)
                    .find(|(_, p)| p.related_starts.contains(&name));
                if let Some((orm, _)) = related {
                    // `org.find_related(Document)`: bound through the row.
                    if let Some(Val::Entity(t)) = args.first() {
                        let span = Span::from_pm2(m.method.span());
                        return Val::Query(vec![QState {
                            scoped_by: Some(name.clone()),
                            ..QState::new(orm, Root::Table(t.clone()), span, &name)
                        }]);
                    }
                }
                Val::Other
            }
        }
    }

    fn col_method(
        &mut self,
        t: Option<String>,
        c: String,
        name: &str,
        args: Vec<Val>,
        taint: Option<String>,
    ) -> Val {
        let k = self.k;
        if k.column_casts.contains(name) {
            return Val::Col(t, c);
        }
        // A bare column that could not be placed is the query's root's.
        let bound = t.clone().map_or(Bound::Root, Bound::Table);
        let is_tenant = match &t {
            Some(t) => self.scope.model.is_tenant_column(t, &c),
            None => self.scope.model.is_tenant_name(&c),
        };
        let binds = k.binds.contains(name) || k.subquery_binds.contains(name);
        let mut cond = Cond::default();
        match args.into_iter().next() {
            Some(Val::Col(t2, _)) if binds || k.column_equals.contains(name) => {
                // An equality with a column that could not be placed links
                // no table.
                if let (Some(a), Some(b)) = (&t, &t2) {
                    cond.edges.insert(edge(a, b));
                }
            }
            Some(Val::Query(sub)) if binds => {
                // `project_id.eq_any(<bound subquery>)` picks rows of bound
                // tables only.
                let model = self.scope.model;
                let bound_subquery = !sub.is_empty()
                    && sub.iter().all(|q| {
                        unbound_tables(model, q).is_empty()
                            && (q.table().is_some_and(|t| model.is_tenant(t))
                                || q.scoped_by.is_some())
                    });
                if bound_subquery || is_tenant {
                    cond.bound.insert(bound);
                }
            }
            Some(_) if binds && is_tenant => {
                cond.bound.insert(bound);
                cond.untrusted.extend(taint);
            }
            // `Column::Id.eq(doc.id)` with `doc` fetched with the tenant bound.
            Some(Val::ProvenId(of))
                if binds
                    && t.as_deref().is_none_or(|t| t == of)
                    && self.scope.model.is_primary_key(&of, &c) =>
            {
                cond.bound.insert(bound);
            }
            _ if is_tenant && k.excludes.contains(name) => {
                cond.notes.push(format!(
                    "`.{name}` on `{c}` excludes a tenant instead of selecting one"
                ));
            }
            _ => {}
        }
        Val::Pred(vec![cond], None)
    }

    fn query_method(
        &mut self,
        qs: Vec<QState>,
        m: &syn::ExprMethodCall,
        name: &str,
        args: Vec<Val>,
    ) -> Val {
        let k = self.k;
        // A helper's result: its ORM is known once resolved; the method
        // says which pack to read it with meanwhile.
        let orm = if qs.iter().all(QState::is_symbolic) {
            k.packs()
                .find(|(_, p)| p.executes.contains(name))
                .map_or(Orm::ALL[0], |(o, _)| o)
        } else {
            qs[0].orm
        };
        let pack = k.pack(orm);
        if qs.iter().any(|q| q.insert.is_some()) {
            if let Some(v) = self.insert_method(&qs, m, name, &args) {
                return v;
            }
        }
        // A sea-query statement made SQL: `.build(PostgresQueryBuilder)`.
        if pack.builder_executes.contains(name)
            && !m.args.is_empty()
            && qs.iter().all(QState::is_statement)
        {
            return self.execute(qs, m, name);
        }
        let paginator_call =
            qs.iter().any(|q| q.paginated) && pack.paginator_executes.contains(name);
        if (pack.executes.contains(name) && !m.args.is_empty()) || paginator_call {
            return self.execute(qs, m, name);
        }
        if pack.paginators.contains(name) {
            return Val::Query(apply(qs, |q| {
                let mut q = q.clone();
                q.paginated = true;
                vec![q]
            }));
        }
        if k.set_operations.contains(name) {
            // Every branch of a set operation must be bound on its own.
            let model = self.scope.model;
            let other: Vec<String> = match args.first() {
                Some(Val::Query(o)) => o.iter().flat_map(|q| unbound_tables(model, q)).collect(),
                _ => Vec::new(),
            };
            return Val::Query(apply(qs, |q| {
                let mut q = q.clone();
                for t in &other {
                    if !q.unbound_parts.contains(t) {
                        q.unbound_parts.push(t.clone());
                    }
                }
                vec![q]
            }));
        }
        if pack.filters.contains(name) {
            let p = pred_of(args.first());
            return Val::Query(apply(qs, |q| {
                p.iter()
                    .map(|c| {
                        let mut q = q.clone();
                        q.cond = q.cond.clone().and(c);
                        q
                    })
                    .collect()
            }));
        }
        if pack.or_filters.contains(name) {
            let p = pred_of(args.first());
            return Val::Query(apply(qs, |q| {
                p.iter()
                    .map(|c| {
                        let mut q = q.clone();
                        q.cond = q.cond.or(
                            c,
                            &format!("`{name}` ORs the tenant filter with another condition"),
                        );
                        q
                    })
                    .collect()
            }));
        }
        if pack.join_conditions.contains(name) {
            let p = pred_of(args.first());
            return Val::Query(apply(qs, |q| {
                p.iter()
                    .map(|c| {
                        let mut q = q.clone();
                        q.on = Some(c.clone());
                        q
                    })
                    .collect()
            }));
        }
        if pack.pk_starts.contains(name) && m.args.len() == 1 {
            let key_from = m.args.first().and_then(|a| self.request_key(a));
            let key_param = m.args.first().and_then(|a| self.param_of(a));
            return Val::Query(apply(qs, |q| {
                let mut q = q.clone();
                q.pk_lookup = true;
                q.key_from.clone_from(&key_from);
                q.key_param = key_param;
                if q.table()
                    .is_some_and(|t| self.scope.model.pk_binds_tenant(t))
                {
                    q.scoped_by = Some("primary key".into());
                } else if q.table().is_some_and(|t| proven_id(args.first(), t)) {
                    q.scoped_by = Some(PROVEN_ID.into());
                }
                q.start = name.to_string();
                vec![q]
            }));
        }
        if pack.related_filters.contains(name)
            || self.config.tenant.scope_methods.iter().any(|s| s == name)
        {
            return Val::Query(apply(qs, |q| {
                let mut q = q.clone();
                q.scoped_by = Some(name.to_string());
                vec![q]
            }));
        }
        if pack.joins.contains(name) || pack.related_joins.contains(name) {
            return Val::Query(self.join(qs, &m.args, args));
        }
        // Builders that keep the query: select, order_by, limit,
        // into_boxed, paginate, column, into_model, ...
        Val::Query(qs)
    }

    fn join(
        &mut self,
        qs: Vec<QState>,
        arg_exprs: &Punctuated<Expr, Token![,]>,
        args: Vec<Val>,
    ) -> Vec<QState> {
        let model = self.scope.model;
        let mut out = Vec::new();
        for q in qs {
            let root_module = model
                .entity_modules
                .iter()
                .find(|(_, t)| q.table() == Some(t.as_str()))
                .map(|(m, _)| m.clone());
            let mut variants: Vec<QState> = Vec::new();
            // SeaORM `.join(JoinType, rel.def())`: the relation names both
            // ends, joined by column equality.
            let rel = arg_exprs.iter().find_map(|a| self.relation_of(a));
            let joined: Option<Val> = args
                .iter()
                .find(|v| matches!(v, Val::Entity(_) | Val::Query(_)))
                .cloned();
            match (rel, joined) {
                (Some((from, to)), _) => {
                    let mut q = q.clone();
                    let (other, anchor) =
                        if q.table() == Some(from.as_str()) || q.joins.contains(&from) {
                            (to, from)
                        } else {
                            (from, to)
                        };
                    q.joins.push(other.clone());
                    q.cond.edges.insert(edge(&anchor, &other));
                    variants.push(q);
                }
                (None, Some(Val::Entity(t))) => {
                    let mut q = q.clone();
                    let t_module = model
                        .entity_modules
                        .iter()
                        .find(|(_, x)| **x == t)
                        .map(|(m, _)| m.clone());
                    let via = match (&root_module, &t_module) {
                        (Some(a), Some(b)) => {
                            model.related_via.contains(&(a.clone(), b.clone()))
                                || model.related_via.contains(&(b.clone(), a.clone()))
                        }
                        _ => false,
                    };
                    q.joins.push(t.clone());
                    if !via {
                        // A root resolved only at the callers (a helper's
                        // query) is named by `ROOT_EDGE` until then.
                        let root = q.table().unwrap_or(ROOT_EDGE).to_string();
                        q.cond.edges.insert(edge(&root, &t));
                    }
                    variants.push(q);
                }
                (None, Some(Val::Query(others))) => {
                    for o in others {
                        let mut q = q.clone();
                        let joined = o.table();
                        q.joins.extend(joined.map(str::to_string));
                        q.joins.extend(o.joins.iter().cloned());
                        // What binds the joined query's root binds that
                        // table here, not this query's root.
                        let mut oc = o.cond.clone();
                        oc.bound = oc
                            .bound
                            .into_iter()
                            .filter_map(|b| match b {
                                Bound::Root => joined.map(|t| Bound::Table(t.to_string())),
                                b => Some(b),
                            })
                            .collect();
                        if let Some(t) = joined.filter(|_| o.scoped_by.is_some()) {
                            oc.bound.insert(Bound::Table(t.to_string()));
                        }
                        q.cond = q.cond.and(&oc);
                        match (&o.on, q.table(), joined) {
                            (Some(on), _, _) => q.cond = q.cond.and(on),
                            (None, Some(a), Some(b)) => {
                                q.cond.edges.insert(edge(a, b));
                            }
                            _ => {}
                        }
                        variants.push(q);
                    }
                }
                _ => variants.push(q),
            }
            out.extend(variants);
        }
        out.truncate(MAX_ALTERNATIVES);
        out
    }

    /// `document::Relation::Project.def()` → (documents, projects).
    /// A relation written inline, `message::Entity::belongs_to(
    /// messageattempt::Entity)` (then `.from(..).to(..).into()`): its two
    /// tables, the entity it is built on first.
    fn inline_relation(&self, c: &syn::ExprCall) -> Option<(String, String)> {
        let Expr::Path(fp) = strip(&c.func) else {
            return None;
        };
        let segs = path_segments(&fp.path);
        let (last, ty) = segs.split_last()?;
        if !self
            .k
            .with_shape(Shape::Entity)
            .any(|(_, p)| p.relation_builders.contains(last))
        {
            return None;
        }
        let entity = |segs: &[String]| match self.scope.resolve(segs) {
            Resolved::Entity(t) => Some(t),
            _ => None,
        };
        let Expr::Path(arg) = strip(c.args.first()?) else {
            return None;
        };
        Some((entity(ty)?, entity(&path_segments(&arg.path))?))
    }

    fn relation_of(&self, e: &Expr) -> Option<(String, String)> {
        let e = strip(e);
        let path = match e {
            Expr::MethodCall(mc) => return self.relation_of(&mc.receiver),
            Expr::Call(c) => return self.inline_relation(c),
            Expr::Path(p) => &p.path,
            _ => return None,
        };
        let segs = path_segments(path);
        let i = segs.iter().position(|s| s == "Relation")?;
        let variant = segs.get(i + 1)?;
        let module = if i > 0 {
            let expanded = self.scope.resolve(
                &segs[..i]
                    .iter()
                    .cloned()
                    .chain(["Entity".to_string()])
                    .collect::<Vec<_>>(),
            );
            match expanded {
                Resolved::Entity(t) => self
                    .scope
                    .model
                    .entity_modules
                    .iter()
                    .find(|(_, x)| **x == t)
                    .map(|(m, _)| m.clone())?,
                _ => segs[i - 1].clone(),
            }
        } else {
            self.scope.self_entity.clone()?
        };
        let model = self.scope.model;
        let from = model.entity_modules.get(&module)?.clone();
        let target_module = model
            .relations
            .get(&(module.clone(), variant.clone()))
            .cloned()
            .unwrap_or_else(|| snake_case(variant));
        let to = model.entity_modules.get(&target_module)?.clone();
        Some((from, to))
    }

    fn execute(&mut self, qs: Vec<QState>, m: &syn::ExprMethodCall, name: &str) -> Val {
        let model = self.scope.model;
        // Built from what this function was given: judged at its callers.
        if qs.iter().any(QState::is_parametric) {
            let span = Span::from_pm2(m.method.span());
            self.runs
                .extend(qs.into_iter().map(|state| Run { state, span }));
            return Val::Other;
        }
        // A helper's result is judged once resolved; until then it may be
        // unbound, so a tenant check on its rows is looked for too.
        let any_unbound = qs
            .iter()
            .any(|q| q.is_symbolic() || !unbound_tables(model, q).is_empty());
        let touches_tenant = qs.iter().any(|q| {
            q.is_symbolic()
                || q.table().is_some_and(|t| model.is_tenant(t))
                || q.joins.iter().any(|j| model.is_tenant(j))
        });
        if !touches_tenant {
            return Val::Other;
        }
        let root = &qs[0];
        let tenant_path = root.table().and_then(|table| {
            let c = model.tables.get(table)?.tenant_rust()?;
            let shape = self.k.pack(root.orm).shape;
            self.scope.column_path(table, &c, shape)
        });
        let idx = self.execs.len();
        self.execs.push(ExecFact {
            orm: qs[0].orm,
            method: name.to_string(),
            span: Span::from_pm2(m.method.span()),
            function: self.function.clone(),
            paths: qs,
            in_reach: self.in_reach.clone(),
            checked_after: false,
            text: compact(m.receiver.to_token_stream()),
            tenant_path,
            returned_by: None,
            lookup: false,
        });
        if any_unbound {
            return Val::Rows(self.pend(Target::Exec(idx)));
        }
        // Bound on every path, all on one table: the rows are the tenant's.
        match single_table(&self.execs[idx].paths) {
            Some(t) => Val::Proven(t.to_string()),
            None => Val::Other,
        }
    }
}

/// The one table every path queries, none joining another.
fn single_table(paths: &[QState]) -> Option<&str> {
    let t = paths.first()?.table()?;
    paths
        .iter()
        .all(|q| q.table() == Some(t) && q.joins.is_empty())
        .then_some(t)
}

/// How a lookup by a proven id is scoped (see [`Val::ProvenId`]).
const PROVEN_ID: &str = "the id of a row fetched with the tenant bound";

/// Whether `v` is the primary key of a row of `table` fetched with the
/// tenant bound.
fn proven_id(v: Option<&Val>, table: &str) -> bool {
    matches!(v, Some(Val::ProvenId(t)) if t == table)
}

/// Whether a statement that compares the tenant can also stop the caller
/// (`return`, `Err(..)`, `bail!`, `ensure!`, `assert!`, `panic!`): a
/// comparison that only logs is no check.
fn stops_on_mismatch(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(id) => matches!(
            id.to_string().as_str(),
            "return"
                | "Err"
                | "bail"
                | "ensure"
                | "ensure_eq"
                | "assert"
                | "assert_eq"
                | "assert_ne"
                | "panic"
                | "unreachable"
                | "None"
                | "Forbidden"
                | "NotFound"
                | "Unauthorized"
                // vaultwarden's `err!` family returns an error response.
                | "err"
                | "err_code"
                | "err_silent"
                | "err_json"
        ),
        TokenTree::Group(g) => stops_on_mismatch(g.stream()),
        _ => false,
    })
}

fn arms_tokens(arms: &[syn::Arm]) -> TokenStream {
    let mut ts = TokenStream::new();
    for a in arms {
        a.to_tokens(&mut ts);
    }
    ts
}

fn p_span(p: &syn::Path) -> proc_macro2::Span {
    let first = p.segments.first().map(|s| s.ident.span());
    let last = p.segments.last().map(|s| s.ident.span());
    match (first, last) {
        (Some(a), Some(b)) => a.join(b).unwrap_or(a),
        (Some(a), None) => a,
        _ => proc_macro2::Span::call_site(),
    }
}

fn first_col(v: Val) -> Val {
    match v {
        Val::Col(..) => v,
        _ => Val::Other,
    }
}

/// The end of a join edge that is the query's root table when the root is
/// not known where the join is written (a helper's query).
const ROOT_EDGE: &str = "";

fn edge(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

fn pred_of(v: Option<&Val>) -> Vec<Cond> {
    match v {
        Some(Val::Pred(cs, _)) if !cs.is_empty() => cs.clone(),
        _ => vec![Cond::default()],
    }
}

fn conj(a: &[Cond], b: &[Cond]) -> Vec<Cond> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let c = x.clone().and(y);
            if !out.contains(&c) && out.len() < MAX_ALTERNATIVES {
                out.push(c);
            }
        }
    }
    out
}

fn disj(a: &[Cond], b: &[Cond], why: &str) -> Vec<Cond> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let c = x.or(y, why);
            if !out.contains(&c) && out.len() < MAX_ALTERNATIVES {
                out.push(c);
            }
        }
    }
    out
}

fn apply(qs: Vec<QState>, f: impl Fn(&QState) -> Vec<QState>) -> Vec<QState> {
    let mut out: Vec<QState> = Vec::new();
    for q in &qs {
        for n in f(q) {
            if !out.contains(&n) && out.len() < MAX_ALTERNATIVES {
                out.push(n);
            }
        }
    }
    out
}

/// Whether `name` occurs as an identifier in the tokens (macro bodies
/// included, so `format!("{}", doc.title)` and `json!(doc)` count).
fn token_mentions(tokens: TokenStream, name: &str) -> bool {
    // Inline format args: `format!("{doc:?}")`.
    let inline = format!("{{{name}");
    mentions_in(tokens, name, &inline)
}

fn mentions_in(tokens: TokenStream, name: &str, inline: &str) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(id) => id == name,
        TokenTree::Group(g) => mentions_in(g.stream(), name, inline),
        TokenTree::Literal(l) => {
            let s = l.to_string();
            s.starts_with('"') && s.contains(inline)
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests;

/// An insert into `table` started by `start`, with the rows it writes when
/// they are known. It binds nothing to judge (an insert reads no rows)
/// unless the rows leave the tenant column unset.
fn insert_state(orm: Orm, table: &str, span: Span, start: &str, rows: Option<&Val>) -> QState {
    let mut q = QState::new(orm, Root::Table(table.to_string()), span, start);
    q.cond.bound.insert(Bound::Root);
    q.insert = Some(InsertFacts::default());
    if let Some(v) = rows {
        insert_rows(&mut q, v);
    }
    q
}

/// The columns a Diesel insert's values set, when written as `col.eq(..)`
/// or a tuple of them (`(notes::body.eq(b), notes::pinned.eq(true))`).
fn eq_columns(e: &Expr) -> Option<Vec<String>> {
    let one = |e: &Expr| match strip(e) {
        Expr::MethodCall(m) if m.method == "eq" => match strip(&m.receiver) {
            Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        },
        _ => None,
    };
    match strip(e) {
        Expr::Tuple(t) => t.elems.iter().map(one).collect(),
        Expr::Reference(r) => eq_columns(&r.expr),
        e => one(e).map(|c| vec![c]),
    }
}

/// `insert.values(rows)`: an insert of rows that leave the tenant column
/// unset binds nothing; rows the function holds as its tenant's make a
/// conflict on their key harmless.
fn insert_rows(q: &mut QState, rows: &Val) {
    let Some(table) = q.table().map(str::to_string) else {
        return;
    };
    let missing = match rows {
        Val::NewRow(t, Some(col)) if *t == table => {
            Some(format!("the inserted row does not set `{col}`"))
        }
        Val::Pred(cs, _)
            if cs.iter().any(|c| {
                !c.bound.contains(&Bound::Root) && !c.bound.contains(&Bound::Table(table.clone()))
            }) =>
        {
            Some(format!(
                "the inserted values do not set `{table}`'s tenant column"
            ))
        }
        Val::Proven(t) if *t == table => {
            if let Some(i) = q.insert.as_mut() {
                i.own_row = true;
            }
            None
        }
        _ => None,
    };
    if let Some(note) = missing {
        q.cond.bound.remove(&Bound::Root);
        q.cond.notes.push(note);
    }
}

/// A field value that leaves its column unset (`NotSet`,
/// `ActiveValue::NotSet`: the ORMs' `not-set`).
fn is_not_set(e: &Expr) -> bool {
    matches!(strip(e), Expr::Path(p)
    if p.path.segments.last().is_some_and(|x| {
        let name = x.ident.to_string();
        Knowledge::get().packs().any(|(_, pk)| pk.not_set.contains(&name))
    }))
}

/// `Default::default()`, `ActiveModel::default()`, `T::default()`.
fn is_default_call(e: &Expr) -> bool {
    matches!(strip(e), Expr::Call(c)
        if c.args.is_empty()
            && matches!(strip(&c.func), Expr::Path(p)
                if p.path.segments.last().is_some_and(|x| x.ident == "default")))
}

/// Whether SQL text holds an `OR` (as a word, any case).
fn has_or(sql: &str) -> bool {
    sql.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .any(|w| w.eq_ignore_ascii_case("or"))
}
