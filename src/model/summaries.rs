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

/// How deep helper calls are followed (and recursive helpers unrolled).
pub const MAX_DEPTH: usize = 8;

/// The keys of the summaries that can stand for something at a call: a
/// query on a table, a query, predicate or table the caller passes, rows
/// of a lookup, SQL sent to the database, or a call to another such
/// summary. A summary that only returns what an unknown function returns
/// (`fn f(x: &str) -> Option<usize> { Regex::find(x) }`) resolves to
/// nothing wherever it is called, so its callers have nothing to add.
pub fn grounded<'a>(all: impl IntoIterator<Item = &'a FnSummary>) -> HashSet<&'a str> {
    let callee = |q: &'a QState| q.root.callee().map(|(k, _)| k);
    let states = |s: &'a FnSummary| s.returns.iter().chain(s.runs.iter().map(|r| &r.state));
    let mut out: HashSet<&str> = HashSet::new();
    // Who calls whom: callee key -> callers' keys.
    let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut todo: Vec<&str> = Vec::new();
    for s in all {
        let direct = s.rows || !s.sql_params.is_empty() || states(s).any(|q| callee(q).is_none());
        if direct {
            if out.insert(s.key.as_str()) {
                todo.push(&s.key);
            }
            continue;
        }
        let calls = states(s)
            .filter_map(callee)
            .chain(s.sql_forwards.iter().map(|(_, k, _)| k.as_str()))
            .chain(s.rows_from.iter().map(String::as_str));
        for k in calls {
            callers.entry(k).or_default().push(&s.key);
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

/// Every summary of the workspace, by key, with the file it is in.
#[derive(Debug, Default)]
pub struct Summaries<'a> {
    by_key: HashMap<&'a str, Vec<(usize, &'a FnSummary)>>,
}

impl<'a> Summaries<'a> {
    /// Collects the summaries of all files (file id, summary).
    pub fn new(all: impl IntoIterator<Item = (usize, &'a FnSummary)>) -> Self {
        let mut by_key: HashMap<&str, Vec<(usize, &FnSummary)>> = HashMap::new();
        for (file, s) in all {
            by_key.entry(s.key.as_str()).or_default().push((file, s));
        }
        Summaries { by_key }
    }

    /// True when there is nothing to resolve with.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Whether the function(s) named `key` send their argument `idx` to
    /// the database as SQL, themselves or through other functions.
    pub fn sends_sql(&self, key: &str, idx: usize) -> bool {
        self.sends_sql_at(key, idx, 0)
    }

    fn sends_sql_at(&self, key: &str, idx: usize, depth: usize) -> bool {
        depth < MAX_DEPTH
            && self.by_key.get(key).is_some_and(|defs| {
                defs.iter().any(|(_, d)| {
                    d.sql_params.contains(&idx)
                        || d.sql_forwards
                            .iter()
                            .any(|(p, k, j)| *p == idx && self.sends_sql_at(k, *j, depth + 1))
                })
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
        let Some(defs) = self.by_key.get(key) else {
            return Vec::new();
        };
        let defs: Vec<&(usize, &FnSummary)> = defs
            .iter()
            .filter(|(_, d)| {
                if runs {
                    !d.runs.is_empty()
                } else {
                    !d.returns.is_empty()
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
                            key.split_once(':').map_or(key, |(_, n)| n),
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
/// workspace: at the callers that use the rows unchecked, when at least
/// one caller checks; at the helper itself when none does or it has no
/// callers.
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
        is_bad: impl Fn(&ExecFact) -> bool,
    ) -> Lookups {
        let mut by_key: HashMap<&str, Vec<(usize, &HelperUse)>> = HashMap::new();
        for (file, u) in uses {
            by_key.entry(u.key.as_str()).or_default().push((file, u));
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
                            Some(w) if !u.checked_after => {
                                let mut c = chain.clone();
                                c.push(u.function.as_str());
                                todo.push((w, c));
                            }
                            _ => callers.push((*f, u, chain.clone())),
                        }
                    }
                }
                if !callers.iter().any(|(_, u, _)| u.checked_after) {
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
