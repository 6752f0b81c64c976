//! `superuser-access`: a call to a configured cross-tenant helper
//! (`[superuser] calls`) outside `[superuser] allowed-paths`. Such calls
//! are legitimate only where someone decided they are: in admin code, or
//! justified inline with `// tenant-lint: allow(superuser-access) reason`.
//! Every call, flagged or not, is listed in the audit.

use crate::config::Level;
use crate::diagnostic::Finding;
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "superuser-access";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Error,
    summary: "configured cross-tenant call outside allowed paths, without justification",
    doc: include_str!("../../rules/superuser-access.md"),
    security: Some("6.5"),
    needs: &[Fact::SuperuserCalls],
    reach: false,
};

/// Findings for the calls of one file outside the allowed paths.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::File(ff) = &cx.facts else {
        return Vec::new();
    };
    if cx.config.superuser.allowed_set.is_match(ff.rel) {
        return Vec::new();
    }
    let file = ff.file;
    ff.superuser
        .iter()
        .map(|c| {
            let mut f = Finding::new(
                ID,
                file,
                c.span,
                format!(
                    "cross-tenant call `{}` outside the allowed paths",
                    c.call
                ),
            );
            f.primary_label = format!("matches `[superuser] calls` entry `{}`", c.pattern);
            f.help = Some(
                "move it under a path listed in `[superuser] allowed-paths`, or justify it: `// tenant-lint: allow(superuser-access) reason`"
                    .into(),
            );
            f.identity = format!("{}|{}", c.function, c.call);
            f
        })
        .collect()
}
