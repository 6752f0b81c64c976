//! The resolve phase: joins what files say about each other. Calls to the
//! workspace's own helpers that build, scope or transform queries are
//! resolved to what the helper does, and lookup helpers are moved to their
//! callers, where they are judged. Facts that no running rule reads are
//! not built.

use super::ledger::facts_of;
use crate::incremental::cache;
use crate::model::queries;
use crate::model::summaries::{Lookups, Summaries};
use crate::model::TenantModel;
use crate::rules::{Fact, Levels};

/// The facts the per-file rules read: each file's, and the
/// workspace-wide ones.
pub(super) struct Resolved<'a> {
    /// Each file's entry (query facts, allow comments), aligned with the
    /// files.
    pub entries: &'a [cache::Entry],
    /// Whether a running rule reads ORM query facts.
    pub judge_queries: bool,
    /// Whether a running rule reads SQL facts.
    pub judge_sql: bool,
    /// Helpers that build, scope or transform queries, across the workspace.
    pub helpers: Summaries<'a>,
    /// Each file's executed queries, with helper calls resolved.
    pub execs: Vec<Vec<queries::ExecFact>>,
    /// Lookup helpers, judged with their callers.
    pub lookups: Lookups,
}

/// Resolves helpers and lookups over the query facts of `entries`.
pub(super) fn resolve<'a>(
    model: &TenantModel,
    levels: &Levels,
    entries: &'a [cache::Entry],
) -> Resolved<'a> {
    // Facts that no rule that runs reads are not built.
    let judge_queries = levels.need(Fact::OrmQueries);
    let judge_sql = levels.need(Fact::Sql);
    // Helpers that build, scope or transform queries, across the workspace.
    let helpers = Summaries::new(
        entries
            .iter()
            .enumerate()
            .filter(|_| judge_queries || judge_sql)
            .flat_map(|(i, e)| {
                facts_of(e)
                    .into_iter()
                    .flat_map(move |f| f.summaries.iter().map(move |s| (i, s)))
            }),
    );
    let execs: Vec<Vec<queries::ExecFact>> = entries
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
    let lookups = if judge_queries {
        Lookups::new(
            execs.iter().enumerate().map(|(i, e)| (i, e.as_slice())),
            entries.iter().enumerate().flat_map(|(i, e)| {
                facts_of(e)
                    .into_iter()
                    .flat_map(move |f| f.uses.iter().map(move |u| (i, u)))
            }),
            &helpers,
            |e| !queries::unbound_paths(model, e).is_empty(),
        )
    } else {
        Lookups::default()
    };
    Resolved {
        entries,
        judge_queries,
        judge_sql,
        helpers,
        execs,
        lookups,
    }
}
