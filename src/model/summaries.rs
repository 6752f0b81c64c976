//! Function summaries across the workspace: queries built, scoped or
//! transformed by helper functions (`application::Entity::secure_find(org)`,
//! `document::Entity::live()`, `scoped(q, org)`).
//!
//! The query analysis of each file records, for every function that returns
//! a query, the states it can return ([`FnSummary`]), and leaves calls to
//! such functions as symbolic queries (`@call:KEY`, with the query-valued
//! arguments). Once every file is analysed (or read from the cache), the
//! executed queries are resolved here: a helper's returned states replace
//! the call, the caller's own filters are added on top, and a parameter
//! placeholder (`@param:K`) inside a helper is replaced by the argument the
//! caller passed. Helpers calling helpers are resolved recursively; a
//! recursive helper is unrolled [`MAX_DEPTH`] times, so its base cases
//! decide. A call that matches no summary stays unknown (not judged).

use crate::model::queries::{ExecFact, FnSummary, QState, CALL_ROOT, PARAM_ROOT};
use std::collections::HashMap;

/// How deep helper calls are followed (and recursive helpers unrolled).
pub const MAX_DEPTH: usize = 8;

/// Every summary of the workspace, by key.
#[derive(Debug, Default)]
pub struct Summaries<'a> {
    by_key: HashMap<&'a str, Vec<&'a FnSummary>>,
}

impl<'a> Summaries<'a> {
    /// Collects the summaries of all files.
    pub fn new(all: impl IntoIterator<Item = &'a FnSummary>) -> Self {
        let mut by_key: HashMap<&str, Vec<&FnSummary>> = HashMap::new();
        for s in all {
            by_key.entry(s.key.as_str()).or_default().push(s);
        }
        Summaries { by_key }
    }

    /// True when there is nothing to resolve with.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
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
        let Some(key) = q.root.strip_prefix(CALL_ROOT) else {
            return if q.is_symbolic() {
                Vec::new()
            } else {
                vec![q.clone()]
            };
        };
        if depth >= MAX_DEPTH {
            return Vec::new();
        }
        let Some(defs) = self.by_key.get(key) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for def in defs {
            for r in &def.returns {
                // What the helper returns, in terms of the caller's values.
                let bases: Vec<QState> = match r.root.strip_prefix(PARAM_ROOT) {
                    Some(k) => {
                        let arg = k
                            .parse::<usize>()
                            .ok()
                            .and_then(|k| q.args.get(k))
                            .cloned()
                            .unwrap_or_default();
                        arg.iter()
                            .flat_map(|a| self.resolve(a, depth + 1))
                            .map(|a| combine(&a, r, None))
                            .collect()
                    }
                    None => self.resolve(r, depth + 1),
                };
                for b in bases {
                    let mut c = combine(&b, q, Some(&def.name));
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
    q.args = Vec::new();
    q
}
