//! `unscoped-sql`: raw SQL (sqlx, diesel `sql_query`, SeaORM `Statement`,
//! tokio-postgres) that touches a tenant table without binding it to one
//! tenant, or inserts into a tenant table without setting the tenant
//! column. Judges the [`SqlFact`](crate::model::queries::SqlFact)s of the
//! query analysis; the finding points inside the string literal, at the
//! table name.

use crate::config::Level;
use crate::diagnostic::{Finding, Label};
use crate::model::queries::{SqlHit, SqlHitKind};
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "unscoped-sql";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Error,
    summary: "raw SQL touching a tenant table without a tenant predicate; INSERT not setting the tenant column",
    doc: include_str!("../../rules/unscoped-sql.md"),
    security: Some("8.1"),
    needs: &[Fact::Sql],
    reach: true,
};

/// Findings for one file's SQL facts; a finding points into the file the
/// SQL is written in (`query_file!`, `include_str!`).
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::File(ff) = &cx.facts else {
        return Vec::new();
    };
    let (model, file) = (cx.model, ff.file);
    let mut out = Vec::new();
    for r in ff.request_sql {
        out.push(judge_request(model, file, r));
    }
    for c in ff.parent_calls.iter().filter(|c| c.sql) {
        out.push(crate::rules::unscoped_query::judge_parent_call(
            ID, model, file, c,
        ));
    }
    for (fact, at) in ff.sql_in_files() {
        for (hit, more) in statements(&fact.hits) {
            let verb = hit.statement.to_ascii_uppercase();
            // Every unbound table of the statement, each once.
            let mut tables: Vec<&str> = vec![hit.table.as_str()];
            for m in &more {
                if !tables.contains(&m.table.as_str()) {
                    tables.push(&m.table);
                }
            }
            let mut message = match &hit.kind {
                SqlHitKind::Unbound => {
                    let verb = if verb == "INSERT" {
                        "INSERT .. SELECT".to_string()
                    } else {
                        verb
                    };
                    if hit.runtime {
                        format!(
                            "SQL `{verb}` on {} may not be scoped to a tenant: part of its WHERE clause is built at run time",
                            and_list(&tables)
                        )
                    } else {
                        format!(
                            "SQL `{verb}` on {} is not scoped to a tenant",
                            and_list(&tables)
                        )
                    }
                }
                SqlHitKind::InsertWithoutTenant(col) => {
                    format!("SQL `INSERT` into `{}` does not set `{col}`", hit.table)
                }
            };
            let runtime = hit.kind == SqlHitKind::Unbound && hit.runtime;
            if let Some(r) = fact.in_reach.first().filter(|_| !runtime) {
                message.push_str(&format!(", though `{r}` is in scope"));
            }
            let mut f = Finding::new(ID, at, hit.span, message);
            f.lower = runtime;
            f.key_from = std::iter::once(hit)
                .chain(more.iter().copied())
                .find_map(|h| h.key_from.clone())
                .map(|(v, how)| (v, how, None));
            f.primary_label = match hit.kind {
                SqlHitKind::Unbound if runtime => {
                    format!("`{}` may be read or changed for every tenant", hit.table)
                }
                SqlHitKind::Unbound => {
                    format!("`{}` is read or changed for every tenant", hit.table)
                }
                SqlHitKind::InsertWithoutTenant(_) => "the row gets no tenant".to_string(),
            };
            for m in &more {
                f.labels.push(Label {
                    file: at,
                    span: m.span,
                    message: format!("`{}` is read or changed for every tenant too", m.table),
                });
            }
            f.labels.push(Label {
                file,
                span: fact.span,
                message: match &fact.returned_by {
                    Some(_) => format!(
                        "returned by `{}`, whose callers send it to the database",
                        fact.function
                    ),
                    None => format!("sent to the database by `{}`", fact.sink),
                },
            });
            f.labels
                .extend(super::unscoped_query::key_column_label(model, &hit.table));
            f.notes = hit.notes.clone();
            for m in &more {
                for n in &m.notes {
                    let n = format!("`{}`: {n}", m.table);
                    if !f.notes.contains(&n) {
                        f.notes.push(n);
                    }
                }
            }
            for t in &tables {
                f.notes.extend(model.child_note(t));
            }
            if let Some(e) = &fact.fallback {
                f.notes.push(format!(
                    "sqlparser could not parse this SQL ({e}); it was judged by a token scan, so this finding is lower confidence"
                ));
            }
            if let Some(r) = fact.in_reach.first().filter(|_| !runtime) {
                f.notes.push(format!(
                    "`{}` has the tenant in hand (`{r}`) but this SQL ignores it",
                    fact.function
                ));
            }
            let col = model
                .tables
                .get(&hit.table)
                .and_then(|t| t.tenant_column())
                .unwrap_or("tenant_id")
                .to_string();
            let parent = model.parent_link(&hit.table);
            // The placeholder as the SQL writes them (`?`: MySQL, SQLite,
            // ClickHouse).
            let ph = if fact.text.contains('$') || !fact.text.contains('?') {
                "$n"
            } else {
                "?"
            };
            f.help = Some(match &hit.kind {
                SqlHitKind::Unbound if parent.is_some() => {
                    let (key, p, pc) = parent.unwrap_or_default();
                    format!(
                        "add `{key} = {ph}` for `{}` to the WHERE clause, bound to a `{p}` row of the caller's tenant (or join `{p}` on `{p}.{pc} = {}.{key}` and bind `{p}`)",
                        hit.table, hit.table
                    )
                }
                SqlHitKind::Unbound => format!(
                    "add `{col} = {ph}` for `{}` to the WHERE clause (or join it by column equality to a table that is), and bind the caller's tenant",
                    hit.table
                ),
                SqlHitKind::InsertWithoutTenant(c) => {
                    format!("add `{c}` to the column list and bind the caller's tenant")
                }
            });
            if runtime {
                f.help = Some(format!(
                    "write the tenant condition into the SQL text itself (`WHERE {col} = $1 AND {{}}`) so it is visible; if the run-time part always binds it, record that with `tenant-lint: allow({ID})` and the reason"
                ));
            }
            if tables.len() > 1 {
                if let Some(h) = &mut f.help {
                    h.push_str(&format!("; the same for {}", and_list(&tables[1..])));
                }
            }
            // One table: as before, so baselines keep matching.
            f.identity = format!(
                "{}|{}|{}|{}",
                fact.function,
                fact.text,
                tables.join(","),
                hit.statement
            );
            if at == file {
                f.extent = Some(fact.extent);
            }
            out.push(f);
        }
    }
    out
}

/// Raw SQL that binds a child table only by its parent key, compared with
/// request input nothing checked.
fn judge_request(
    model: &crate::model::TenantModel,
    file: crate::diagnostic::FileId,
    r: &crate::model::queries::RequestSql,
) -> Finding {
    let parent = model
        .parent_by_key(&r.table, &r.key)
        .unwrap_or_else(|| "parent".to_string());
    let mut f = Finding::new(
        ID,
        file,
        r.span,
        format!(
            "SQL on `{}` is bound only by its parent key `{}`, taken from the request ({}); nothing checks that this `{parent}` row is the caller's",
            r.table, r.key, r.source
        ),
    );
    f.primary_label = format!("`{}` executes it", r.method);
    super::unscoped_query::parent_parts(&mut f, ID, model, &r.table, &parent, &r.function);
    f.identity = format!("parent|{}|{}", r.function, r.text);
    f
}

/// The hits to report, one per statement: each unbound hit with the other
/// unbound hits of its statement (other tables, or the same table read
/// twice), and each insert without its tenant alone.
fn statements(hits: &[SqlHit]) -> Vec<(&SqlHit, Vec<&SqlHit>)> {
    let mut out: Vec<(&SqlHit, Vec<&SqlHit>)> = Vec::new();
    for h in hits.iter().filter(|h| !h.bound_by_key) {
        if h.kind == SqlHitKind::Unbound {
            if let Some((_, more)) = out
                .iter_mut()
                .find(|(first, _)| first.kind == SqlHitKind::Unbound && first.at == h.at)
            {
                more.push(h);
                continue;
            }
        }
        out.push((h, Vec::new()));
    }
    out
}

/// `a`, `a` and `b`, `a`, `b` and `c`, each in backticks.
fn and_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}
