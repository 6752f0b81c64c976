//! `untrusted-tenant-source`: a query bound to a tenant, but the tenant
//! value comes from request input (an axum / actix `Path`, `Query`, `Json`
//! or `Form` extractor, or a field of one) instead of the authenticated
//! caller, and no configured authorize function was given it first.
//! Filtering by a tenant the attacker chose is not isolation. Judges the
//! [`ExecFact`]s the query analysis recorded.

use crate::config::Level;
use crate::diagnostic::{FileId, Finding};
use crate::model::queries::{
    softly_bound, unbound_tables, ExecFact, Origin, UntrustedCall, UntrustedSql,
};
use crate::model::TenantModel;
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "untrusted-tenant-source";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Off,
    summary: "query scoped to a tenant taken from request input (path, query, body) instead of the authenticated caller",
    doc: include_str!("../../rules/untrusted-tenant-source.md"),
    security: Some("7.5"),
    needs: &[Fact::OrmQueries, Fact::UntrustedSql],
    reach: true,
};

const HELP: &str = "take the tenant from the authenticated context (the session or auth extractor), or call a function that checks the caller's membership first and list it in `[tenant] authorize-functions`; a source you trust goes in `[tenant] trusted-sources`";

/// Findings for the executed ORM queries and raw SQL of one file.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::File(f) = &cx.facts else {
        return Vec::new();
    };
    let mut out: Vec<Finding> = f
        .execs
        .iter()
        .filter(|e| !e.lookup)
        .filter_map(|e| judge(cx.model, f.file, e))
        .collect();
    out.extend(f.untrusted_sql.iter().map(|s| judge_sql(f.file, s)));
    out.extend(f.untrusted_calls.iter().map(|c| judge_call(f.file, c)));
    out
}

/// Request input handed to a workspace function that binds a query's
/// tenant to it (itself or through the functions it calls).
fn judge_call(file: FileId, c: &UntrustedCall) -> Finding {
    let mut f = Finding::new(
        ID,
        file,
        c.span,
        format!(
            "`{}` scopes its query to a tenant taken from the request ({}), not from the authenticated caller",
            c.name, c.source
        ),
    );
    f.primary_label = format!(
        "argument {} of `{}` is the tenant of its query",
        c.arg + 1,
        c.name
    );
    f.notes = vec![format!(
        "whoever sends the request chooses this tenant; `{}` does not check that the caller belongs to it before passing it on",
        c.function
    )];
    f.help = Some(HELP.to_string());
    f.identity = format!("{}|{}|{}", c.function, c.name, c.arg);
    f
}

fn judge_sql(file: FileId, s: &UntrustedSql) -> Finding {
    let mut f = Finding::new(
        ID,
        file,
        s.span,
        format!(
            "SQL query is scoped to a tenant taken from the request ({}), not from the authenticated caller",
            s.source
        ),
    );
    f.primary_label = format!("`{}` executes it", s.method);
    f.notes = vec![format!(
        "the tenant placeholder is bound to request input; `{}` does not check that the caller belongs to that tenant before the query runs",
        s.function
    )];
    f.help = Some(HELP.to_string());
    f.identity = format!("{}|{}", s.function, s.text);
    f
}

fn judge(model: &TenantModel, file: FileId, e: &ExecFact) -> Option<Finding> {
    // An unbound query is `unscoped-query`'s; here every path is bound.
    if e.paths.is_empty() || e.paths.iter().any(|q| !unbound_tables(model, q).is_empty()) {
        return None;
    }
    // A child whose parent is bound in the same query (joined and filtered
    // by the caller's tenant) keeps only the caller's rows, whatever parent
    // key the request names.
    let parent_bound = |q: &crate::model::queries::QState| {
        q.table()
            .and_then(|t| model.parent_link(t))
            .is_some_and(|(_, parent, _)| {
                q.cond
                    .bound
                    .contains(&crate::model::queries::Bound::Table(parent))
            })
    };
    // A parent key from the request nothing checked is `unscoped-query`'s.
    let promoted = |q: &crate::model::queries::QState| {
        !softly_bound(model, q, &|o| matches!(o, Origin::Request(_))).is_empty()
    };
    if e.paths.iter().any(promoted) {
        return None;
    }
    let q = e
        .paths
        .iter()
        .find(|q| !q.cond.untrusted.is_empty() && !parent_bound(q))?;
    let source = &q.cond.untrusted[0];
    // A child table is scoped by its parent key: the request picks the
    // parent row, and nothing shows it is the caller's.
    let message = match q.table().and_then(|t| model.parent_link(t)) {
        Some((key, parent, _)) => format!(
            "{} query on `{}` is bound by its parent key `{key}` taken from the request ({source}); nothing shows that `{parent}` row is the caller's",
            e.orm.display(),
            q.root
        ),
        None => format!(
            "{} query on `{}` is scoped to a tenant taken from the request ({source}), not from the authenticated caller",
            e.orm.display(),
            q.root
        ),
    };
    let mut f = Finding::new(ID, file, e.span, message);
    f.primary_label = format!("`{}` executes it", e.method);
    if q.source.start.line != 0 && q.source != e.span {
        f.labels.push(crate::diagnostic::Label {
            file,
            span: q.source,
            message: format!("query on `{}` starts here", q.root),
        });
    }
    f.notes = vec![format!(
        "whoever sends the request chooses this tenant; `{}` does not check that the caller belongs to it before the query runs",
        e.function
    )];
    f.help = Some(HELP.to_string());
    f.identity = format!("{}|{}", e.function, e.text);
    f.extent = Some((
        q.source.start.line.min(e.span.start.line),
        e.span.start.line,
    ));
    Some(f)
}
