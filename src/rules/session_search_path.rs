//! `session-search-path`: `SET search_path` (or `SET SESSION ..`, or
//! `set_config('search_path', .., false)`) in SQL sent from the
//! application. The setting outlives the transaction on a pooled
//! connection, so the next request — another tenant's — runs against the
//! wrong schema.

use crate::config::Level;
use crate::diagnostic::{Finding, Label};
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "session-search-path";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Warn,
    summary: "`SET search_path` / `set_config('search_path', .., false)` not scoped to a transaction",
    doc: include_str!("../../rules/session-search-path.md"),
    security: Some("6.5"),
    needs: &[Fact::Sql],
    reach: false,
};

/// Findings for one file's SQL facts.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::File(ff) = &cx.facts else {
        return Vec::new();
    };
    let file = ff.file;
    let mut out = Vec::new();
    for (fact, at) in ff.sql_in_files() {
        for span in &fact.search_path {
            let mut f = Finding::new(
                ID,
                at,
                *span,
                "`search_path` is set for the whole session, not the transaction",
            );
            f.primary_label = "outlives this request on a pooled connection".into();
            f.labels.push(Label {
                file,
                span: fact.span,
                message: format!("sent to the database by `{}`", fact.sink),
            });
            f.help = Some(
                "use `SET LOCAL search_path ..` inside a transaction, or `set_config('search_path', .., true)`".into(),
            );
            f.identity = format!("{}|{}", fact.function, fact.text);
            if at == file {
                f.extent = Some(fact.extent);
            }
            out.push(f);
        }
    }
    out
}
