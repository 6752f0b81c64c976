//! The rules and their one registry. Each rule is one file here that
//! declares, once, its id, default severity, summary, doc (`rules/<id>.md`,
//! shipped in the binary for `tenant-lint explain`) and whether its
//! findings can leak data across tenants; each judges facts from the model
//! and returns format-free [`Finding`](crate::diagnostic::Finding)s. The
//! engine, not the rule, stamps severity from config and drops suppressed
//! findings. SARIF, `tenant-lint rules`, `explain`, config and suppression
//! validation all read [`RULES`].

pub mod invalid_suppression;
pub mod missing_rls;
pub mod parse_error;
pub mod session_search_path;
pub mod superuser_access;
pub mod tenant_index_order;
pub mod tenant_table_unindexed;
pub mod unscoped_query;
pub mod unscoped_sql;
pub mod untrusted_tenant_source;
pub mod unused_suppression;

use crate::config::Level;

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
    /// Whether a finding can mean one tenant's data reaching another
    /// (tagged `security` in SARIF).
    pub security: bool,
}

/// Rules this version implements, in the order `tenant-lint rules` and
/// SARIF list them.
pub const RULES: &[RuleMeta] = &[
    unscoped_query::META,
    unscoped_sql::META,
    session_search_path::META,
    superuser_access::META,
    tenant_index_order::META,
    tenant_table_unindexed::META,
    missing_rls::META,
    untrusted_tenant_source::META,
    parse_error::META,
    invalid_suppression::META,
    unused_suppression::META,
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
