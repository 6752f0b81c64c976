//! Function summaries across the workspace: queries built, scoped or
//! transformed by helper functions (`application::Entity::secure_find(org)`,
//! `document::Entity::live()`, `scoped(q, org)`).
//!
//! The query analysis of each file records, for every function that returns
//! a query, the states it can return ([`FnSummary`]), and leaves calls to
//! such functions as symbolic queries (`Root::Call(key)`, with the query-valued
//! arguments). Once every file is analysed (or read from the cache), the
//! executed queries are resolved here: a helper's returned states replace
//! the call, the caller's own filters are added on top, and a parameter
//! placeholder (`Root::Param(k)`) inside a helper is replaced by the argument the
//! caller passed. Helpers calling helpers are resolved recursively; a
//! recursive helper is unrolled [`MAX_DEPTH`] times, so its base cases
//! decide. A call that matches no summary stays unknown (not judged).

use crate::model::queries::{Bound, Cond, ExecFact, FnSummary, HelperUse, QState, Root, RunArgs};
use std::collections::{HashMap, HashSet};

/// The parameters a function passes on: (parameter, callee key, argument
/// position).
type Forwards = [(usize, String, usize)];

/// How deep helper calls are followed (and recursive helpers unrolled).
pub const MAX_DEPTH: usize = 8;

/// The keys of the summaries that can stand for something at a call: a
/// query on a table, a query, predicate or table the caller passes, rows
/// of a lookup, SQL sent to the database, or a call to another such
/// summary. A summary that only returns what an unknown function returns
/// (`fn f(x: &str) -> Option<usize> { Regex::find(x) }`) resolves to
/// nothing wherever it is called, so its callers have nothing to add.
/// With `tenant`, a function that binds a query's tenant to a parameter
/// (`untrusted-tenant-source` follows request input into it) counts too.
pub fn grounded<'a>(
    all: impl IntoIterator<Item = &'a FnSummary>,
    tenant: bool,
) -> HashSet<&'a str> {
    let all: Vec<&FnSummary> = all.into_iter().collect();
    let linker = Linker::new(all.iter().map(|s| s.key.as_str()));
    let callee = |q: &'a QState| q.root.callee().map(|(k, _)| k);
    let states = |s: &'a FnSummary| s.returns.iter().chain(s.runs.iter().map(|r| &r.state));
    let mut out: HashSet<&str> = HashSet::new();
    // Who calls whom: callee key -> callers' keys.
    let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
    // The functions that bind a child by a parent key they were given, and
    // those that hand a parameter straight on to one (`unscoped-query`
    // follows request input into them whatever `tenant` says). One level
    // of hand-on is grounded here (handler -> service -> repository);
    // deeper chains are followed where their files are read anyway: each
    // level would cost the rescue a round, and common names (`get`) make
    // linking every hand-on slow.
    let call_name = |k: &'a str| -> &'a str { k.rsplit([':', '~', '|']).next().unwrap_or(k) };
    let direct_parents: HashSet<&str> = all
        .iter()
        .filter(|s| !s.parent_params.is_empty())
        .map(|s| s.key.as_str())
        .collect();
    let mut parent_seen: HashSet<&str> = direct_parents.clone();
    if !direct_parents.is_empty() {
        let names: HashSet<&str> = direct_parents.iter().map(|k| call_name(k)).collect();
        let mut linked: HashMap<&str, bool> = HashMap::new();
        for s in &all {
            let hands_on = s.tenant_forwards.iter().any(|(_, k, _)| {
                names.contains(call_name(k))
                    && *linked.entry(k.as_str()).or_insert_with(|| {
                        linker.link(k).iter().any(|d| direct_parents.contains(d))
                    })
            });
            if hands_on {
                parent_seen.insert(&s.key);
            }
        }
    }
    let mut todo: Vec<&str> = Vec::new();
    for s in all {
        let direct = s.rows
            || !s.sql_params.is_empty()
            || (tenant && !s.tenant_params.is_empty())
            || parent_seen.contains(s.key.as_str())
            || states(s).any(|q| callee(q).is_none());
        if direct {
            if out.insert(s.key.as_str()) {
                todo.push(&s.key);
            }
            continue;
        }
        let calls = states(s)
            .filter_map(callee)
            .chain(s.sql_forwards.iter().map(|(_, k, _)| k.as_str()))
            .chain(
                s.tenant_forwards
                    .iter()
                    .filter(|_| tenant)
                    .map(|(_, k, _)| k.as_str()),
            )
            .chain(s.rows_from.iter().map(String::as_str));
        for k in calls {
            for d in linker.link(k) {
                callers.entry(d).or_default().push(&s.key);
            }
        }
    }
    while let Some(k) = todo.pop() {
        for c in callers.get(k).into_iter().flatten() {
            if out.insert(c) {
                todo.push(c);
            }
        }
    }
    out
}

/// Resolves the key a call carries to the keys of the workspace functions
/// it names. A call to a free function carries the absolute paths it may
/// name, the likelier first, then the path as written
/// (`fn:app::h::get|app::get|~get`, see `Scope::fn_call_key`); it
/// resolves, as rustc would as far as syntax shows:
/// 1. to the first path that a function of the workspace has;
/// 2. else to the one function of that name in a module right below one of
///    those paths' modules (`pub use child::*`, a re-export the analysis
///    did not read);
/// 3. else, for a path of two names or more (`alerts::get`), to the one
///    function whose path ends with it (a module laid out where the
///    layout does not see it: `#[path]`, a renamed dependency);
///
/// and to nothing otherwise, or when 2 or 3 find several: an ambiguous name
/// is not resolved to every candidate (private helpers of the same name in
/// twenty modules are twenty different functions), and a bare name that
/// is neither the module's own function nor imported is some other
/// function (only functions that build, run or return queries have keys).
/// A call to a type's function (`type:app::store::Store::find|..|~Store::find`)
/// resolves the same way; other keys (`entity:`, a function's own key)
/// resolve to themselves.
#[derive(Debug, Default)]
pub struct Linker<'a> {
    /// Every key defined.
    defined: HashSet<&'a str>,
    /// Free functions' and types' functions' paths (key without `fn:` /
    /// `type:`), by kind and last segment.
    by_name: HashMap<(&'a str, &'a str), Vec<Def<'a>>>,
    /// Their keys, by kind and path.
    key_of: HashMap<(&'a str, &'a str), &'a str>,
}

/// A defined function's path and the modules above it, cut once: the
/// linker compares them for every call of a common name.
#[derive(Debug)]
struct Def<'a> {
    path: &'a str,
    /// The module above its module or type (`a` of `a::b::f`).
    o2: &'a str,
    /// And the one above (a type's module's parent).
    o3: &'a str,
    /// The last segment of `o1` (a type's name).
    o1_last: &'a str,
}

impl<'a> Def<'a> {
    fn new(path: &'a str) -> Def<'a> {
        let o1 = owner(path);
        let o2 = owner(o1);
        Def {
            path,
            o2,
            o3: owner(o2),
            o1_last: o1.rsplit("::").next().unwrap_or(o1),
        }
    }
}

/// A path without its last segment (`a::b::f` → `a::b`).
fn owner(path: &str) -> &str {
    path.rsplit_once("::").map_or("", |(o, _)| o)
}

impl<'a> Linker<'a> {
    /// A linker for the functions with these keys.
    pub fn new(keys: impl IntoIterator<Item = &'a str>) -> Self {
        let mut l = Linker::default();
        for k in keys {
            if !l.defined.insert(k) {
                continue;
            }
            if let Some((kind @ ("fn" | "type"), path)) = k.split_once(':') {
                let name = path.rsplit("::").next().unwrap_or(path);
                l.by_name
                    .entry((kind, name))
                    .or_default()
                    .push(Def::new(path));
                l.key_of.insert((kind, path), k);
            }
        }
        l
    }

    /// The keys of the functions `key` resolves to.
    pub fn link(&self, key: &str) -> Vec<&'a str> {
        let call = key
            .split_once(':')
            .filter(|(kind, _)| matches!(*kind, "fn" | "type"))
            .and_then(|(kind, rest)| Some((kind, rest.rsplit_once('~')?)));
        let Some((kind, (cands, written))) = call else {
            return self.defined.get(key).copied().into_iter().collect();
        };
        let cands: Vec<&str> = cands.split('|').filter(|c| !c.is_empty()).collect();
        let name = written.rsplit("::").next().unwrap_or(written);
        let defs = self
            .by_name
            .get(&(kind, name))
            .map_or(&[][..], Vec::as_slice);
        let key_of = |path: &str| self.key_of.get(&(kind, path)).copied();
        // 1. A path that a function has.
        for c in &cands {
            if defs.iter().any(|d| d.path == *c) {
                return key_of(c).into_iter().collect();
            }
        }
        // 2. The one function right below a path's module: a function
        //    (or, for a type's function, the type) re-exported one level up.
        let cuts: Vec<(&str, &str, &str)> = cands
            .iter()
            .map(|c| {
                let c1 = owner(c);
                (c1, owner(c1), c1.rsplit("::").next().unwrap_or(c1))
            })
            .collect();
        let below: Vec<&str> = defs
            .iter()
            .filter(|d| {
                cuts.iter().any(|&(c1, c2, c1_last)| match kind {
                    "fn" => !c1.is_empty() && d.o2 == c1,
                    _ => d.o1_last == c1_last && !c2.is_empty() && d.o3 == c2,
                })
            })
            .map(|d| d.path)
            .collect();
        let found: Vec<&str> = if !below.is_empty() {
            below
        } else if written.contains("::") {
            // 3. The one function whose path ends with the written one.
            let tail = format!("::{written}");
            defs.iter()
                .map(|d| d.path)
                .filter(|d| d.ends_with(&tail))
                .collect()
        } else {
            Vec::new()
        };
        match found.as_slice() {
            [one] => key_of(one).into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// What a key shows in messages: the path as written for a call, the
/// path without its kind for a function.
pub fn key_label(key: &str) -> &str {
    match key.rsplit_once('~') {
        Some((_, written)) => written,
        None => key.split_once(':').map_or(key, |(_, n)| n),
    }
}

/// Every summary of the workspace, by key, with the file it is in.
#[derive(Debug, Default)]
pub struct Summaries<'a> {
    by_key: HashMap<&'a str, Vec<(usize, &'a FnSummary)>>,
    linker: Linker<'a>,
}

impl<'a> Summaries<'a> {
    /// Collects the summaries of all files (file id, summary).
    pub fn new(all: impl IntoIterator<Item = (usize, &'a FnSummary)>) -> Self {
        let mut by_key: HashMap<&str, Vec<(usize, &FnSummary)>> = HashMap::new();
        for (file, s) in all {
            by_key.entry(s.key.as_str()).or_default().push((file, s));
        }
        let linker = Linker::new(by_key.keys().copied());
        Summaries { by_key, linker }
    }

    /// The keys of the functions a call's key resolves to ([`Linker`]).
    pub fn link(&self, key: &str) -> Vec<&'a str> {
        self.linker.link(key)
    }

    /// The definitions a call's key resolves to.
    fn defs(&self, key: &str) -> Vec<(usize, &'a FnSummary)> {
        self.link(key)
            .into_iter()
            .flat_map(|k| self.by_key.get(k).into_iter().flatten().copied())
            .collect()
    }

    /// True when there is nothing to resolve with.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Whether the function(s) named `key` send their argument `idx` to
    /// the database as SQL, themselves or through other functions.
    pub fn sends_sql(&self, key: &str, idx: usize) -> bool {
        self.walk_handed(key, idx, 0, &|d| &d.sql_forwards, &mut |_, d, i| {
            d.sql_params.contains(&i)
        })
    }

    /// Whether the function(s) named `key` bind a query's tenant to their
    /// argument `idx`, themselves or through other functions.
    pub fn binds_tenant(&self, key: &str, idx: usize) -> bool {
        self.walk_handed(key, idx, 0, &|d| &d.tenant_forwards, &mut |_, d, i| {
            d.tenant_params.contains(&i)
        })
    }

    /// The child table and parent key the function(s) named `key` bind a
    /// query by, only, with their argument `idx` (themselves or through the
    /// functions they pass it to).
    /// The third value says the query is raw SQL.
    pub fn binds_parent(&self, key: &str, idx: usize) -> Option<(String, String, bool)> {
        let mut found = None;
        self.walk_handed(key, idx, 0, &|d| &d.tenant_forwards, &mut |_, d, i| {
            found = d
                .parent_params
                .iter()
                .find(|p| p.param == i)
                .map(|p| (p.table.clone(), p.key.clone(), p.sql));
            found.is_some()
        });
        found
    }

    /// The lookups (file, line of the finding) that the function(s) named
    /// `key` pick rows with by their argument `idx`, themselves or through
    /// the functions they pass it to.
    pub fn keyed_lookups(&self, key: &str, idx: usize) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        self.walk_handed(key, idx, 0, &|d| &d.tenant_forwards, &mut |file, d, i| {
            out.extend(
                d.key_params
                    .iter()
                    .filter(|(p, _)| *p == i)
                    .map(|&(_, line)| (file, line)),
            );
            false
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Visits each summary of the function(s) named `key` with their
    /// argument `idx` (its file, the summary, the position), then, depth
    /// first, the functions they pass that argument on to (`forwards`: the
    /// parameter, the callee's key, the position there), down to
    /// [`MAX_DEPTH`]. Stops, and says so, when `visit` says to.
    fn walk_handed(
        &self,
        key: &str,
        idx: usize,
        depth: usize,
        forwards: &dyn Fn(&FnSummary) -> &Forwards,
        visit: &mut dyn FnMut(usize, &'a FnSummary, usize) -> bool,
    ) -> bool {
        depth < MAX_DEPTH
            && self.defs(key).into_iter().any(|(file, d)| {
                visit(file, d, idx)
                    || forwards(d)
                        .iter()
                        .filter(|(p, _, _)| *p == idx)
                        .any(|(_, k, j)| self.walk_handed(k, *j, depth + 1, forwards, visit))
            })
    }

    /// The executed query with helper calls resolved; `None` when it does
    /// not involve any.
    pub fn resolve_exec(&self, e: &ExecFact) -> Option<ExecFact> {
        if !e.paths.iter().any(QState::is_symbolic) {
            return None;
        }
        let mut out = e.clone();
        out.paths = e.paths.iter().flat_map(|q| self.resolve(q, 0)).collect();
        // The caller saw only a call: the ORM is the helper's query's.
        if let Some(q) = out.paths.iter().find(|q| !q.is_symbolic()) {
            out.orm = q.orm;
        }
        Some(out)
    }

    /// The concrete states a (possibly symbolic) state stands for.
    fn resolve(&self, q: &QState, depth: usize) -> Vec<QState> {
        let (key, runs) = match q.root.callee() {
            Some(callee) => callee,
            None if q.is_symbolic() || q.is_parametric() => return Vec::new(),
            None => return vec![q.clone()],
        };
        if depth >= MAX_DEPTH {
            return Vec::new();
        }
        let defs: Vec<(usize, &FnSummary)> = self
            .defs(key)
            .into_iter()
            .filter(|(_, d)| {
                if runs {
                    !d.runs.is_empty()
                } else {
                    // `let (q, dir) = paginate(..)`: the element taken must
                    // be the one the helper returns its query in.
                    !d.returns.is_empty() && d.returns_elem == q.elem
                }
            })
            .collect();
        let mut out = Vec::new();
        for (file, def) in &defs {
            let states: Vec<(&QState, Option<crate::diagnostic::Span>)> = if runs {
                def.runs.iter().map(|r| (&r.state, Some(r.span))).collect()
            } else {
                def.returns.iter().map(|r| (r, None)).collect()
            };
            for (r, site) in states {
                // What the helper returns or runs, in terms of the
                // caller's values.
                for b in self.substitute(r, q, depth) {
                    let mut c = combine(&b, q, Some(&def.name));
                    if let Some(span) = site {
                        c.sites.insert(0, (*file, span, def.name.clone()));
                    }
                    if defs.len() > 1 {
                        c.cond.notes.push(format!(
                            "`{}` matches {} functions of the workspace; each was considered",
                            key_label(key),
                            defs.len()
                        ));
                    }
                    out.push(c);
                }
            }
        }
        out
    }

    /// `r` (a state inside a helper) with the helper's parameters replaced
    /// by what the call `call` passed, resolved to concrete states.
    fn substitute(&self, r: &QState, call: &QState, depth: usize) -> Vec<QState> {
        let run = call.run.as_deref();
        let mut states = Vec::new();
        for cond in subst_cond(&r.cond, run) {
            let mut s = r.clone();
            s.cond = cond;
            // The table the caller named for generic parameter K.
            let named = |k: usize| run?.types.get(k).cloned().flatten();
            if let Root::TypeParam(k) = s.root {
                match named(k) {
                    Some(t) => s.root = t,
                    None => continue,
                }
            }
            // A call to the next helper: its arguments, in the caller's terms.
            if let Some(inner) = s.run.as_deref_mut() {
                for t in inner.types.iter_mut() {
                    if let Some(Root::TypeParam(k)) = *t {
                        *t = named(k);
                    }
                }
                for p in inner.preds.iter_mut().flatten() {
                    *p = p.iter().flat_map(|c| subst_cond(c, run)).collect();
                }
            }
            s.args = s
                .args
                .iter()
                .map(|alts| {
                    alts.iter()
                        .flat_map(|a| self.substitute(a, call, depth))
                        .collect()
                })
                .collect();
            match s.root {
                Root::Param(k) => {
                    let arg = call.args.get(k).cloned().unwrap_or_default();
                    states.extend(
                        arg.iter()
                            .flat_map(|a| self.resolve(a, depth + 1))
                            .map(|a| combine(&a, &s, None)),
                    );
                }
                _ => states.extend(self.resolve(&s, depth + 1)),
            }
        }
        states
    }
}

/// `cond` with the predicates a helper received (`Bound::Pred(k)`) replaced by
/// the alternatives the call passed; a missing one binds nothing.
fn subst_cond(cond: &Cond, run: Option<&RunArgs>) -> Vec<Cond> {
    let mut conds = vec![Cond {
        bound: Default::default(),
        ..cond.clone()
    }];
    for b in &cond.bound {
        match b {
            Bound::Pred(k) => {
                let alts = run
                    .and_then(|r| r.preds.get(*k).cloned().flatten())
                    .unwrap_or_else(|| vec![Cond::default()]);
                conds = conds
                    .iter()
                    .flat_map(|c| alts.iter().map(move |a| c.clone().and(a)))
                    .collect();
            }
            _ => {
                for c in &mut conds {
                    c.bound.insert(b.clone());
                }
            }
        }
    }
    conds
}

/// `outer` (what a caller did with a helper's result, or what a helper did
/// with its parameter) applied on top of `base`.
fn combine(base: &QState, outer: &QState, helper: Option<&str>) -> QState {
    let mut q = base.clone();
    q.source = outer.source;
    for j in &outer.joins {
        if !q.joins.contains(j) {
            q.joins.push(j.clone());
        }
    }
    q.cond = q.cond.clone().and(&outer.cond);
    q.scoped_by = q.scoped_by.or_else(|| outer.scoped_by.clone());
    q.pk_lookup |= outer.pk_lookup;
    q.paginated |= outer.paginated;
    if q.on.is_none() {
        q.on.clone_from(&outer.on);
    }
    for t in &outer.unbound_parts {
        if !q.unbound_parts.contains(t) {
            q.unbound_parts.push(t.clone());
        }
    }
    let mut via = outer.via.clone();
    via.extend(helper.map(str::to_string));
    via.append(&mut q.via);
    q.via = via;
    let mut sites = outer.sites.clone();
    sites.append(&mut q.sites);
    q.sites = sites;
    q.args = Vec::new();
    q.run = None;
    q
}

/// How lookup helpers (functions returning rows they fetched without
/// binding the tenant, `Folder::find_by_uuid`) are judged across the
/// workspace: at the callers that use the rows unchecked, when some
/// callers check and those that do not are at most twice as many; at the
/// helper itself, once, when more callers use the rows unchecked, when none
/// checks, or when it has no callers.
#[derive(Debug, Default)]
pub struct Lookups {
    /// Executed queries (file, index) not reported in the helper because
    /// its callers are judged instead.
    pub moved: HashSet<(usize, usize)>,
    /// Findings-to-be at the callers, by file.
    pub at_callers: HashMap<usize, Vec<ExecFact>>,
    /// Notes for executed queries reported in the helper although it has
    /// callers (none of which checks).
    pub notes: HashMap<(usize, usize), String>,
}

impl Lookups {
    /// `execs`: every file's executed queries (resolved) with its file id;
    /// `uses`: every call to a workspace function; `is_bad`: whether an
    /// executed query would be reported on its own.
    pub fn new<'a>(
        execs: impl IntoIterator<Item = (usize, &'a [ExecFact])>,
        uses: impl IntoIterator<Item = (usize, &'a HelperUse)>,
        helpers: &Summaries,
        is_bad: impl Fn(&ExecFact) -> bool,
    ) -> Lookups {
        // Calls by the function they resolve to (many calls share a key).
        let mut by_key: HashMap<&str, Vec<(usize, &HelperUse)>> = HashMap::new();
        let mut links: HashMap<&str, Vec<&str>> = HashMap::new();
        for (file, u) in uses {
            let linked = links
                .entry(u.key.as_str())
                .or_insert_with(|| helpers.link(&u.key));
            for d in linked.iter() {
                by_key.entry(d).or_default().push((file, u));
            }
        }
        let mut out = Lookups::default();
        for (file, list) in execs {
            for (i, e) in list.iter().enumerate() {
                let Some(key) = e.returned_by.as_deref() else {
                    continue;
                };
                if !is_bad(e) {
                    continue;
                }
                // Every call that ends up with these rows, through wrappers
                // that pass them on (`find_writable` calling `find_by_uuid`).
                let mut callers: Vec<(usize, &HelperUse, Vec<&str>)> = Vec::new();
                let mut todo: Vec<(&str, Vec<&str>)> = vec![(key, Vec::new())];
                let mut seen: HashSet<&str> = HashSet::new();
                while let Some((k, chain)) = todo.pop() {
                    if !seen.insert(k) || chain.len() > MAX_DEPTH {
                        continue;
                    }
                    for (f, u) in by_key.get(k).into_iter().flatten() {
                        match u.returned_by.as_deref() {
                            // Returned by a function nothing in the workspace
                            // calls (a request handler's response): used
                            // there, unchecked.
                            Some(w) if !u.checked_after && by_key.contains_key(w) => {
                                let mut c = chain.clone();
                                c.push(u.function.as_str());
                                todo.push((w, c));
                            }
                            _ => callers.push((*f, u, chain.clone())),
                        }
                    }
                }
                // The callers that check set the convention; the ones that
                // do not are reported while they deviate from it (at most
                // twice as many). When most callers use the rows as they are,
                // the helper itself is reported, once.
                let checking = callers.iter().filter(|(_, u, _)| u.checked_after).count();
                let unchecked = callers.len() - checking;
                if checking > 0 && unchecked > 2 * checking {
                    out.notes.insert(
                        (file, i),
                        format!(
                            "`{}` returns the rows to {} callers in the workspace, and only {checking} of them {} their tenant before using them",
                            e.function,
                            callers.len(),
                            if checking == 1 { "compares" } else { "compare" },
                        ),
                    );
                    continue;
                }
                if checking == 0 {
                    if !callers.is_empty() {
                        out.notes.insert(
                            (file, i),
                            format!(
                                "`{}` returns the rows to {} caller(s) in the workspace, and none compares their tenant before using them",
                                e.function,
                                callers.len()
                            ),
                        );
                    }
                    continue;
                }
                out.moved.insert((file, i));
                for (f, u, chain) in callers.into_iter().filter(|(_, u, _)| !u.checked_after) {
                    let mut fact = e.clone();
                    fact.span = u.span;
                    fact.function.clone_from(&u.function);
                    fact.in_reach.clone_from(&u.in_reach);
                    fact.method.clone_from(&u.name);
                    fact.checked_after = false;
                    fact.returned_by = None;
                    fact.lookup = true;
                    fact.tenant_path = None;
                    for q in &mut fact.paths {
                        let mut via: Vec<String> =
                            chain.iter().rev().map(|s| s.to_string()).collect();
                        via.push(e.function.clone());
                        via.append(&mut q.via);
                        q.via = via;
                        q.sites.push((file, e.span, e.function.clone()));
                        q.source = u.span;
                        q.cond.notes.push(format!(
                            "`{}` returns rows it fetched without binding the tenant; other callers compare their tenant before using them, this one does not",
                            e.function
                        ));
                    }
                    out.at_callers.entry(f).or_default().push(fact);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFS: &[&str] = &[
        "fn:app::db::alerts::get",
        "fn:app::db::folders::get",
        "fn:app::db::folders::list",
        "fn:app::handlers::list_query",
        "fn:app::jobs::list_query",
        "fn:app::service::scope::scoped",
        "type:Store::get",
        "type:app::a::Page::query",
        "type:app::b::Page::query",
        "type:vault::folder::Folder::find",
    ];

    fn link(key: &str) -> Vec<&'static str> {
        Linker::new(DEFS.iter().copied()).link(key)
    }

    #[test]
    fn a_call_resolves_to_the_function_in_scope_first() {
        // The module's own function, not the other module's of that name.
        assert_eq!(
            link("fn:app::jobs::list_query|~list_query"),
            ["fn:app::jobs::list_query"]
        );
        // The likelier path first: a glob candidate comes after.
        assert_eq!(
            link("fn:app::x::list_query|app::handlers::list_query|~list_query"),
            ["fn:app::handlers::list_query"]
        );
        assert_eq!(
            link("fn:app::db::folders::get|~db::folders::get"),
            ["fn:app::db::folders::get"]
        );
    }

    #[test]
    fn a_reexport_from_below_resolves_when_only_one_function_fits() {
        // `use crate::db::folders::*` re-exported as `crate::db::list`.
        assert_eq!(
            link("fn:app::db::list|~db::list"),
            ["fn:app::db::folders::list"]
        );
        // `crate::db::get` could be either module's: ambiguous.
        assert!(link("fn:app::db::get|~db::get").is_empty());
        // Only right below: `crate::list` is not `crate::db::folders::list`.
        assert!(link("fn:app::list|~list").is_empty());
    }

    #[test]
    fn a_path_the_layout_missed_resolves_by_its_written_tail_when_unique() {
        // `ext` is the crate renamed in a manifest: the written path's
        // tail still names one function.
        assert_eq!(
            link("fn:ext::alerts::get|~alerts::get"),
            ["fn:app::db::alerts::get"]
        );
        assert_eq!(
            link("fn:ext::scope::scoped|~scope::scoped"),
            ["fn:app::service::scope::scoped"]
        );
        // Twenty private helpers of one name are twenty functions.
        assert!(link("fn:other::m::list_query|~list_query").is_empty());
        assert!(link("fn:x::y::get|~y::get").is_empty());
        // A bare name in scope by no path the file shows is some other
        // function, even when one helper has that name.
        assert!(link("fn:other::m::scoped|~scoped").is_empty());
        // A function the workspace does not have: nothing.
        assert!(link("fn:app::m::fetch|~fetch").is_empty());
    }

    #[test]
    fn a_types_function_resolves_by_the_types_path() {
        // Each module's own `Page`.
        assert_eq!(
            link("type:app::a::Page::query|~Page::query"),
            ["type:app::a::Page::query"]
        );
        // A `Page` neither module's: nothing, not both.
        assert!(link("type:app::c::Page::query|~Page::query").is_empty());
        // `use vault::Folder` where `vault` re-exports `folder::Folder`.
        assert_eq!(
            link("type:api::r::vault::Folder::find|vault::Folder::find|~vault::Folder::find"),
            ["type:vault::folder::Folder::find"]
        );
        // A type a glob brought, keyed where the impl is: by its written
        // `Folder::find`, the one function of that type and name.
        assert_eq!(
            link("type:api::r::Folder::find|~Folder::find"),
            ["type:vault::folder::Folder::find"]
        );
    }

    #[test]
    fn other_keys_resolve_to_themselves_when_defined() {
        assert_eq!(link("entity:documents::live"), Vec::<&str>::new());
        assert_eq!(link("type:Store::get"), ["type:Store::get"]);
        assert!(link("type:Other::get").is_empty());
        assert_eq!(
            link("fn:app::jobs::list_query"),
            ["fn:app::jobs::list_query"]
        );
        assert_eq!(key_label("fn:app::x::get|app::get|~db::get"), "db::get");
        assert_eq!(key_label("type:Store::get"), "Store::get");
    }
}
