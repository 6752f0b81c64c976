//! The rules: each judges facts from the model and returns format-free
//! [`Finding`]s. The engine, not the rule, stamps severity from config and
//! drops suppressed findings. Rule docs under `rules/*.md` ship in the
//! binary for `tenant-lint explain`.

pub mod missing_rls;
pub mod parse_error;
pub mod session_search_path;
pub mod superuser_access;
pub mod tenant_index_order;
pub mod tenant_table_unindexed;
pub mod unscoped_query;
pub mod unscoped_sql;
pub mod untrusted_tenant_source;

use crate::config::Level;

/// Static description of a rule.
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
}

/// Rules this version implements.
pub const RULES: &[RuleMeta] = &[
    RuleMeta {
        id: "unscoped-query",
        default: Level::Error,
        summary: "ORM query on a tenant table executed without tenant scope on some path",
        doc: include_str!("../../rules/unscoped-query.md"),
    },
    RuleMeta {
        id: "unscoped-sql",
        default: Level::Error,
        summary: "raw SQL touching a tenant table without a tenant predicate; INSERT not setting the tenant column",
        doc: include_str!("../../rules/unscoped-sql.md"),
    },
    RuleMeta {
        id: "session-search-path",
        default: Level::Warn,
        summary: "`SET search_path` / `set_config('search_path', .., false)` not scoped to a transaction",
        doc: include_str!("../../rules/session-search-path.md"),
    },
    RuleMeta {
        id: "superuser-access",
        default: Level::Error,
        summary: "configured cross-tenant call outside allowed paths, without justification",
        doc: include_str!("../../rules/superuser-access.md"),
    },
    RuleMeta {
        id: "tenant-index-order",
        default: Level::Warn,
        summary: "index on a tenant table containing the tenant column, but not first",
        doc: include_str!("../../rules/tenant-index-order.md"),
    },
    RuleMeta {
        id: "tenant-table-unindexed",
        default: Level::Warn,
        summary: "tenant table with no index / PK / unique constraint led by the tenant column",
        doc: include_str!("../../rules/tenant-table-unindexed.md"),
    },
    RuleMeta {
        id: "missing-rls",
        default: Level::Off,
        summary: "tenant table without `ENABLE ROW LEVEL SECURITY` and a tenant policy",
        doc: include_str!("../../rules/missing-rls.md"),
    },
    RuleMeta {
        id: "untrusted-tenant-source",
        default: Level::Off,
        summary: "query scoped to a tenant taken from request input (path, query, body) instead of the authenticated caller",
        doc: include_str!("../../rules/untrusted-tenant-source.md"),
    },
    RuleMeta {
        id: "parse-error",
        default: Level::Warn,
        summary: "a file (or macro body) that could not be analysed",
        doc: include_str!("../../rules/parse-error.md"),
    },
    RuleMeta {
        id: "invalid-suppression",
        default: Level::Warn,
        summary: "a `tenant-lint: allow(..)` comment without a reason or naming an unknown rule",
        doc: include_str!("../../rules/invalid-suppression.md"),
    },
    RuleMeta {
        id: "unused-suppression",
        default: Level::Warn,
        summary: "a `tenant-lint: allow(..)` comment that silences nothing",
        doc: include_str!("../../rules/unused-suppression.md"),
    },
];

/// Rule ids of the product brief that this version does not implement yet.
/// Config may name them (so a config written for a later version loads);
/// the run says they are not enforced.
pub const PLANNED: &[&str] = &[];

/// Looks a rule up by id.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

/// Every id the config accepts.
pub fn known_ids() -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.id)
        .chain(PLANNED.iter().copied())
        .collect()
}
