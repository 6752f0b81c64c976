//! `unscoped-query`: an ORM query on a tenant table reaches the call that
//! executes it without being bound to one tenant on every path. Judges the
//! [`ExecFact`]s the query analysis recorded.

use crate::config::Level;
use crate::diagnostic::{FileId, Finding, Fix, Label};
use crate::orm::{Knowledge, Shape};
use crate::orm::camel_case;
use crate::model::queries::{
    softly_bound, unbound_paths, write_kind, ExecFact, Origin, QState,
};
use crate::model::TenantModel;
use crate::rules::{Context, Fact, Facts, ParentCall, RuleMeta};

/// Rule id.
pub const ID: &str = "unscoped-query";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Error,
    summary: "ORM query on a tenant table executed without tenant scope on some path",
    doc: include_str!("../../rules/unscoped-query.md"),
    security: Some("8.1"),
    needs: &[Fact::OrmQueries],
    reach: true,
};

/// Findings for the executed queries of one file.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::File(f) = &cx.facts else {
        return Vec::new();
    };
    let mut out: Vec<Finding> = f
        .execs
        .iter()
        .filter_map(|e| judge(cx.model, f.file, e).or_else(|| judge_parent(cx.model, f.file, e)))
        .collect();
    out.extend(
        f.parent_calls
            .iter()
            .filter(|c| !c.sql)
            .map(|c| judge_parent_call(ID, cx.model, f.file, c)),
    );
    out
}

/// What the findings on a child bound by a parent key from the request
/// share (`unscoped-query`'s, and `unscoped-sql`'s as `rule`): the label
/// on the parent key, what it lacks, and the help.
pub(crate) fn parent_parts(
    f: &mut Finding,
    rule: &str,
    model: &TenantModel,
    table: &str,
    parent: &str,
    function: &str,
) {
    f.labels.extend(key_column_label(model, table));
    let mut notes: Vec<String> = model.child_note(table).into_iter().collect();
    let words = model.above_parent_words(table);
    let named = if words.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = words.iter().take(4).map(|w| format!("`{w}`")).collect();
        format!(" (named {})", list.join(", "))
    };
    notes.push(format!(
        "whoever sends the request picks the `{parent}` row; nothing in `{function}` before this uses the value together with the caller's tenant or with what `{parent}` belongs to{named}"
    ));
    f.notes = notes;
    let by = model
        .tables
        .get(parent)
        .and_then(|t| t.tenant_rust())
        .map_or(String::new(), |c| format!(" (its `{c}` bound)"));
    f.help = Some(format!(
        "load the `{parent}` row with the caller's tenant{by} first and use its id, or join `{parent}` and bind it in this query; a check the tool cannot see (middleware, an extractor) can be recorded with a `tenant-lint: allow({rule})` comment and its reason"
    ));
}

/// A query that binds a child table only by its parent key, compared with
/// request input that nothing checked: the request picks a parent row of
/// any tenant.
fn judge_parent(model: &TenantModel, file: FileId, e: &ExecFact) -> Option<Finding> {
    if e.lookup {
        return None;
    }
    let request = |o: &Origin| matches!(o, Origin::Request(_));
    let (q, (table, soft)) = e.paths.iter().find_map(|q| {
        softly_bound(model, q, &request)
            .into_iter()
            .next()
            .map(|hit| (q, hit))
    })?;
    let Origin::Request(source) = &soft.origin else {
        return None;
    };
    // The parent the key picks: of the table the key is on, when that is
    // another table of the query (`documents.project_id` in a query on
    // `comments` joined to `documents`).
    let on = match &soft.bound {
        crate::model::queries::Bound::Table(t) => t.as_str(),
        _ => table.as_str(),
    };
    let parent = model
        .parent_by_key(on, &soft.key)
        .or_else(|| model.parent_by_key(&table, &soft.key))?;
    let what = match (q.pk_lookup, write_kind(q)) {
        (_, Some(w)) => w.to_string(),
        _ => "query".to_string(),
    };
    let mut f = Finding::new(
        ID,
        file,
        e.span,
        format!(
            "{} {what} on `{table}` is bound only by its parent key `{}`, taken from the request ({source}); nothing checks that this `{parent}` row is the caller's",
            e.orm.display(),
            soft.key
        ),
    );
    f.primary_label = format!("`{}` executes it", e.method);
    if q.source.start.line != 0 && q.source != e.span {
        f.labels.push(Label {
            file,
            span: q.source,
            message: format!("query on `{}` starts here", q.root),
        });
    }
    parent_parts(&mut f, ID, model, &table, &parent, &e.function);
    f.identity = format!("{}|{}", e.function, e.text);
    f.extent = Some((
        q.source.start.line.min(e.span.start.line),
        e.span.start.line,
    ));
    Some(f)
}

/// Request input handed to a function that binds a child table by it, as
/// its parent key only (`rule`: this rule for ORM queries, `unscoped-sql`
/// for raw SQL).
pub(crate) fn judge_parent_call(
    rule: &'static str,
    model: &TenantModel,
    file: FileId,
    c: &ParentCall,
) -> Finding {
    let parent = model
        .parent_by_key(&c.table, &c.key)
        .unwrap_or_else(|| "parent".to_string());
    let call = &c.call;
    let mut f = Finding::new(
        rule,
        file,
        call.span,
        format!(
            "`{}` queries `{}` by its parent key `{}`, with a value taken from the request ({}); nothing checks that this `{parent}` row is the caller's",
            call.name, c.table, c.key, call.source
        ),
    );
    f.primary_label = format!(
        "argument {} of `{}` picks the `{parent}` row",
        call.arg + 1,
        call.name
    );
    parent_parts(&mut f, rule, model, &c.table, &parent, &call.function);
    f.identity = format!("parent|{}|{}|{}", call.function, call.name, call.arg);
    f
}

fn judge(model: &TenantModel, file: FileId, e: &ExecFact) -> Option<Finding> {
    let bad = unbound_paths(model, e);
    let (q, unbound) = bad.first()?;
    // Unbound tables are tables of the query: the root, when it is one,
    // else a joined table.
    let root = q.table().filter(|r| unbound.iter().any(|u| u == r));
    let every_path = bad.len() == e.paths.len();
    let orm = e.orm.display();
    let root_unbound = root.is_some();
    let table = root.unwrap_or(&unbound[0]);
    let what = match (q.pk_lookup, write_kind(q)) {
        (true, Some(w)) => format!("primary-key {w}"),
        (true, None) => "primary-key lookup".to_string(),
        (false, Some(w)) => w.to_string(),
        (false, None) => "query".to_string(),
    };
    let mut message = if e.lookup {
        let helper = q.via.last().map_or("the helper", String::as_str);
        format!(
            "{orm} {what} on `{table}` in `{helper}` is not scoped to a tenant, and its rows are used here without a tenant check"
        )
    } else if !root_unbound {
        format!("{orm} {what} joins `{table}`, which is not scoped to a tenant")
    } else if what == "insert" {
        format!("{orm} insert into `{table}` does not set its tenant column")
    } else if what == "upsert" {
        format!("{orm} upsert on `{table}` can overwrite another tenant's row on a conflict")
    } else {
        format!("{orm} {what} on `{table}` is not scoped to a tenant")
    };
    if !every_path {
        message.push_str(" on every path");
    }
    let key_from = bad
        .iter()
        .find_map(|(q, _)| q.key_from.clone())
        .map(|(v, how)| (v, how, None));
    if !q.via.is_empty() && (!e.lookup || q.via.len() > 1) {
        let chain: Vec<String> = q.via.iter().map(|v| format!("`{v}`")).collect();
        let how = if e.lookup {
            "reached"
        } else if q.sites.is_empty() {
            "built"
        } else {
            "executed"
        };
        message.push_str(&format!(" ({how} through {})", chain.join(" → ")));
    }
    // The tenant in hand, unless the query already uses it (then the
    // problem is how: an OR, a negation, one branch only).
    let ignored = e
        .in_reach
        .iter()
        .find(|r| !e.text.contains(r.rsplit('.').next().unwrap_or(r)));
    if let Some(r) = ignored {
        message.push_str(&format!(", though `{r}` is in scope"));
    }
    let mut f = Finding::new(ID, file, e.span, message);
    f.key_from = key_from;
    f.primary_label = format!("`{}` executes it", e.method);
    for (i, (site_file, span, helper)) in q.sites.iter().enumerate() {
        let what = if i + 1 == q.sites.len() {
            "executes it here"
        } else {
            "passes it on here"
        };
        f.labels.push(Label {
            file: *site_file,
            span: *span,
            message: format!("`{helper}` {what}"),
        });
    }
    if q.source.start.line != 0 && q.source != e.span {
        f.labels.push(Label {
            file,
            span: q.source,
            message: format!("query on `{}` starts here", q.root),
        });
    }
    f.labels.extend(key_column_label(model, table));
    let mut notes: Vec<String> = Vec::new();
    notes.extend(model.child_note(table));
    for (q, _) in &bad {
        for n in &q.cond.notes {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
    }
    if !every_path {
        notes.push(format!(
            "the tenant filter is applied on {} of {} paths to this call, e.g. only inside an `if let Some(..)` or one `match` arm",
            e.paths.len() - bad.len(),
            e.paths.len()
        ));
    }
    if unbound.len() > 1 {
        let list: Vec<String> = unbound.iter().map(|t| format!("`{t}`")).collect();
        notes.push(format!("unbound tenant tables: {}", list.join(", ")));
    }
    if let Some(r) = ignored {
        notes.push(format!(
            "`{}` has the tenant in hand (`{r}`) but this query ignores it",
            e.function
        ));
    } else if let Some(r) = e.in_reach.first() {
        notes.push(format!(
            "the query uses `{r}`, but not in an equality that binds the tenant on every path"
        ));
    }
    f.notes = notes;
    f.help = Some(help(model, e, q, table, root_unbound));
    if root_unbound {
        f.fix = certain_fix(model, file, e, q, table, unbound);
    }
    f.identity = format!("{}|{}", e.function, e.text);
    f.extent = Some((
        q.source.start.line.min(e.span.start.line),
        e.span.start.line,
    ));
    Some(f)
}

fn is_write(q: &QState) -> bool {
    write_kind(q).is_some()
}

/// The label on the declaration of the column that makes `table` tenant
/// data, when it is known.
pub(crate) fn key_column_label(model: &TenantModel, table: &str) -> Option<Label> {
    let col = model.tables.get(table)?.tenant_decl()?;
    let c = &col.sql;
    let message = match model.parent_link(table) {
        Some((_, parent, _)) => format!("`{c}` ties `{table}` to its parent `{parent}`"),
        None => format!("`{c}` makes `{table}` tenant-scoped"),
    };
    Some(Label {
        file: col.decl.file,
        span: col.decl.span,
        message,
    })
}

/// The condition that binds `table` to the tenant in hand, as this file
/// would write it (`document::Column::OrganizationId.eq(ctx.org_id)`), and
/// whether every part of it is known rather than a placeholder: the
/// tenant's value in scope, the column's name, the entity or table module.
fn filter_expr(model: &TenantModel, e: &ExecFact, q: &QState, table: &str) -> (String, bool) {
    // A child is bound by its parent key, to a parent row of the caller's
    // tenant, not by the tenant value itself.
    let parent = model.parent_link(table);
    let in_scope = e.in_reach.first();
    let value = match &parent {
        Some((_, p, pc)) => format!("{p}.{pc}"),
        None => in_scope.cloned().unwrap_or_else(|| "tenant_id".to_string()),
    };
    let t = model.tables.get(table);
    let known_col = t.and_then(|t| t.tenant_rust());
    let col = known_col.clone().unwrap_or_else(|| "tenant_id".into());
    // The file's own name for the column, unless a variable of the same
    // name (`tenant_id`) would shadow a bare `dsl` column.
    let local = (q.table() == Some(table))
        .then_some(e.tenant_path.as_ref())
        .flatten()
        .filter(|p| **p != value);
    let modules = match Knowledge::get().pack(e.orm).shape {
        Shape::Entity => &model.entity_modules,
        Shape::TableModule => &model.table_modules,
    };
    let module = modules
        .iter()
        .filter(|(_, t)| t.as_str() == table)
        .map(|(m, _)| m.as_str())
        .min();
    let known = parent.is_none()
        && in_scope.is_some()
        && (local.is_some() || (known_col.is_some() && module.is_some()));
    let filter = match (Knowledge::get().pack(e.orm).shape, local) {
        (_, Some(path)) => format!("{path}.eq({value})"),
        (Shape::Entity, None) => format!(
            "{}::Column::{}.eq({value})",
            module.unwrap_or("entity"),
            camel_case(&col)
        ),
        (Shape::TableModule, None) => format!("{}::{col}.eq({value})", module.unwrap_or(table)),
    };
    (filter, known)
}

/// `.filter(..)` right after the call that starts the query, when that
/// certainly binds the tenant: the query's own table is the one unbound
/// and is tenant data itself (not a child), the query is started and run
/// here (no helper, no predicate handed on, no lookup judged at a caller),
/// it is no insert, and the condition is all known ([`filter_expr`]).
/// After the start, not before the executing call, because only the
/// builder the start returns surely takes `.filter` (`into_model()` and
/// `paginate()` do not); a Diesel `table.find(id)` keeps its `find`, which
/// a filtered table no longer has.
fn certain_fix(
    model: &TenantModel,
    file: FileId,
    e: &ExecFact,
    q: &QState,
    table: &str,
    unbound: &[String],
) -> Option<Fix> {
    let own_table = q.table() == Some(table) && unbound.len() == 1;
    if !own_table
        || e.lookup
        || !q.via.is_empty()
        || !q.sites.is_empty()
        || q.source.start.line == 0
        || q.start.contains("insert")
        || q.insert.is_some()
        || q.is_statement()
    {
        return None;
    }
    let (filter, known) = filter_expr(model, e, q, table);
    if !known {
        return None;
    }
    let pack = Knowledge::get().pack(e.orm);
    let step_over = match pack.shape {
        Shape::TableModule => {
            let mut v: Vec<String> = pack.pk_starts.iter().cloned().collect();
            v.sort();
            v
        }
        Shape::Entity => Vec::new(),
    };
    Some(Fix {
        message: format!("add `.filter({filter})`"),
        file,
        after_start: q.source.end,
        step_over,
        through: filter
            .split_once("::")
            .map(|(first, _)| first.to_string()),
        insert: format!(".filter({filter})"),
        value: e.in_reach.first()?.clone(),
    })
}

fn help(model: &TenantModel, e: &ExecFact, q: &QState, table: &str, root: bool) -> String {
    let parent = model.parent_link(table);
    let col = model
        .tables
        .get(table)
        .and_then(|t| t.tenant_rust())
        .unwrap_or_else(|| "tenant_id".into());
    let (filter, _) = filter_expr(model, e, q, table);
    match (write_kind(q), Knowledge::get().pack(e.orm).shape) {
        (Some("insert"), Shape::Entity) => {
            return format!("set `{col}: Set(..)` to the caller's tenant in the new row");
        }
        (Some("insert"), _) => {
            return format!(
                "set `{table}::{col}` to the caller's tenant in the inserted values (a field of the `Insertable` struct, or `{table}::{col}.eq(..)` in the tuple)"
            );
        }
        _ if q.is_statement() => {
            return format!(
                "add `.and_where({filter})` to the statement before `.{}(..)`",
                e.method
            );
        }
        (Some("upsert"), _) => {
            return format!(
                "put the tenant column in the conflict target, `.on_conflict(({table}::{col}, ..))`, so a conflict can only be with the tenant's own row"
            );
        }
        _ => {}
    }
    if let Some((key, p, _)) = &parent {
        return format!(
            "bind `{table}` by its parent key `{key}` to a `{p}` row of the caller's tenant: `.filter({filter})` on every path before `.{}(..)`, or join `{p}` and bind it",
            e.method
        );
    }
    if !root {
        return format!(
            "bind `{table}` too: `.filter({filter})`, or join it by column equality to a bound tenant table (not through a link table)"
        );
    }
    if e.lookup {
        let helper = q.via.last().map_or("the helper", String::as_str);
        return format!(
            "compare the row's `{col}` with the caller's tenant before using it, as other callers of `{helper}` do, or give `{helper}` the tenant and `.filter({filter})`"
        );
    }
    if !q.sites.is_empty() && root {
        return format!(
            "add `{filter}` (with `.and(..)`) to the predicate passed to `{}`",
            e.method
        );
    }
    if q.pk_lookup && !is_write(q) {
        return format!(
            "add `.filter({filter})`, or compare the row's `{col}` with the caller's tenant before using it"
        );
    }
    format!(
        "add `.filter({filter})` on every path before `.{}(..)`",
        e.method
    )
}
