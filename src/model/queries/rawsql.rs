//! Raw SQL inside function bodies: string literals, `const`s, `let`s,
//! `concat!`, `format!` templates, `include_str!` and sqlx `QueryBuilder`
//! pushes become [`SqlText`]; where the text reaches a database API (the
//! sinks in `src/orm/sql/knowledge.toml`) it is handed to [`crate::sql::analyze`]
//! and the result, mapped back to source spans, becomes a [`SqlFact`].

use super::{FnAnalysis, Root, SqlFact, SqlHit, SqlHitKind, SqlRun, UntrustedSql, Val};
use crate::diagnostic::Span;
use crate::sql::text::{self as sqltext, first_lit, literal, macro_args, macro_text, SqlText};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use syn::Expr;

/// The crate root of a file: the nearest ancestor with a Cargo.toml.
fn crate_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

impl FnAnalysis<'_> {
    /// A string-valued macro in an expression, if it is one we read.
    pub(super) fn sql_macro(&mut self, m: &syn::Macro) -> Option<Val> {
        let name = super::macro_name(m);
        let k = self.k;
        if k.sql.macros.contains(&name) || k.sql.file_macros.contains(&name) {
            let args = macro_args(m);
            // The bound arguments are ordinary expressions (closures, ..).
            let vals: Vec<Val> = args.iter().map(|a| self.expr(a)).collect();
            let span = macro_span(m);
            let text = if k.sql.file_macros.contains(&name) {
                let rel = first_lit(&args)?.value();
                let root = self.file_dir.as_deref().and_then(crate_root)?;
                let path = root.join(rel);
                match crate::workspace::deps::read_dependency(&path) {
                    Ok(t) => Some(Rc::new(sqltext::from_file(t, path))),
                    Err(_) => None,
                }
            } else {
                vals.into_iter().find_map(|v| match v {
                    Val::Str(s) => Some(s),
                    _ => None,
                })
            };
            if let Some(t) = text {
                let sunk = self.sql_sink(&t, format!("{name}!"), span);
                // The bound arguments follow the SQL: `query!(sql, a, b)`,
                // `query_as!(Rec, sql, a, b)`.
                let after = args
                    .iter()
                    .position(|a| matches!(a, Expr::Lit(_) | Expr::Macro(_)))
                    .map_or(args.len(), |i| i + 1);
                let binds = args[after..].iter().map(|a| self.taint_of(a)).collect();
                let run = self.sql_run(&t, binds, sunk);
                // The arguments are all there: judge now.
                if args.len() > after {
                    return Some(self.judge_values(run, &args[after..], &format!("{name}!"), span));
                }
                return Some(run);
            }
            return Some(Val::Other);
        }
        if matches!(
            name.as_str(),
            "concat" | "include_str" | "format" | "formatdoc" | "indoc"
        ) {
            let dir = self.file_dir.clone();
            if let Some(t) = macro_text(m, dir.as_deref()) {
                // Evaluate interpolated arguments for their own effects.
                for a in macro_args(m).iter().skip(1) {
                    self.expr(a);
                }
                return Some(Val::Str(Rc::new(t)));
            }
        }
        None
    }

    /// A string literal in an expression.
    pub(super) fn str_lit(&mut self, s: &syn::LitStr) -> Val {
        literal(s).map_or(Val::Other, |t| Val::Str(Rc::new(t)))
    }

    /// A `const`/`static` holding SQL, by the last segment of its path.
    pub(super) fn sql_const(&self, p: &syn::Path) -> Option<Val> {
        let last = p.segments.last()?.ident.to_string();
        if let Some(t) = self.sql_consts.get(&last) {
            return Some(Val::Str(t.clone()));
        }
        // A const of another file of the project, when its name is unique.
        let t = self.scope.model.sql_consts.get(&last)?.as_ref()?;
        Some(Val::Str(Rc::new((**t).clone())))
    }

    /// The values handed with the SQL, all there at once (`query!(sql, a,
    /// b)`, `Statement::from_sql_and_values(.., sql, [a.into()])`,
    /// tokio-postgres `client.query(sql, &[&a])`): judged now, as `.bind(..)`
    /// values are one by one.
    fn judge_values(&mut self, run: Val, values: &[Expr], method: &str, span: Span) -> Val {
        let Val::Sql(r) = &run else {
            return run;
        };
        let mut r = (**r).clone();
        r.binds = values.iter().map(|a| self.taint_of(a)).collect();
        r.derived = values.iter().map(|a| self.built_from_tenant(a)).collect();
        r.keys = values.iter().map(|a| self.request_key(a)).collect();
        r.params = values.iter().map(|a| self.param_of(a)).collect();
        self.bound_by_keys(&r);
        for (n, table, key) in r.soft.clone() {
            if let Some(a) = values.get(n.wrapping_sub(1)) {
                self.soft_bind(&mut r, a, table, key);
            }
        }
        self.request_sql_at(&r, method, span);
        Val::Sql(Rc::new(r))
    }

    /// Free-function sinks (`sqlx::query(..)`, `sql_query(..)`,
    /// `Statement::from_string(..)`) and `QueryBuilder::new(..)`; `exprs`
    /// are the call's arguments as written.
    pub(super) fn sql_call(
        &mut self,
        segs: &[String],
        args: &[Val],
        exprs: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
        span: Span,
    ) -> Option<Val> {
        let last = segs.last()?;
        let k = self.k;
        // `String::from("SELECT ..")`, `String::new()` to push onto.
        if segs.len() >= 2 && segs[segs.len() - 2] == "String" {
            return match last.as_str() {
                "from" => match args.first() {
                    Some(Val::Str(s)) => Some(Val::Str(s.clone())),
                    _ => None,
                },
                "new" | "with_capacity" => Some(Val::Str(Rc::new(SqlText::default()))),
                _ => None,
            };
        }
        if last == "new" && segs.len() >= 2 && k.sql.builder_types.contains(&segs[segs.len() - 2]) {
            let start = args.iter().find_map(|a| match a {
                Val::Str(s) => Some((**s).clone()),
                _ => None,
            });
            return Some(Val::Builder(vec![(Rc::new(start.unwrap_or_default()), 0)]));
        }
        if k.sql.functions.contains(last) {
            let Some((at, sql)) = sql_arg(args) else {
                self.note_sql_result(args);
                return None;
            };
            let sink = if segs.len() >= 2 {
                format!("{}::{last}", segs[segs.len() - 2])
            } else {
                last.clone()
            };
            let sunk = self.sql_sink(&sql, sink.clone(), span);
            let run = self.sql_run(&sql, Vec::new(), sunk);
            // Its values beside it: `from_sql_and_values(.., sql, [id.into()])`.
            if let Some(values) = exprs.iter().skip(at + 1).find_map(super::bound_values) {
                return Some(self.judge_values(run, &values, &sink, span));
            }
            return Some(run);
        }
        None
    }

    /// The value of SQL on its way to the database: tracked until it
    /// executes when its tenant column is compared with placeholders.
    fn sql_run(&self, sql: &SqlText, binds: Vec<Option<String>>, sunk: Sunk) -> Val {
        let Sunk { keyed, soft } = sunk;
        let names = self
            .config
            .tenant
            .columns
            .iter()
            .chain(&self.scope.model.key_names);
        let tenant_params = tenant_placeholders(&sql.text, names);
        if tenant_params.is_empty() && keyed.is_none() && soft.is_empty() {
            return Val::Other;
        }
        let mut text = sql.text.clone();
        text.retain(|c| !c.is_whitespace());
        Val::Sql(Rc::new(SqlRun {
            tenant_params,
            binds,
            text,
            keyed,
            derived: Vec::new(),
            keys: Vec::new(),
            params: Vec::new(),
            soft,
            soft_request: Vec::new(),
        }))
    }

    /// The unbound tables of the run's SQL that a value built from the
    /// tenant binds, at a placeholder one of their columns equals.
    fn bound_by_keys(&mut self, run: &SqlRun) {
        let Some(fact) = run.keyed.and_then(|i| self.sql_facts.get_mut(i)) else {
            return;
        };
        for h in &mut fact.hits {
            if h.keyed_by
                .iter()
                .any(|n| run.derived.get(n.wrapping_sub(1)) == Some(&true))
            {
                h.bound_by_key = true;
            }
            if h.key_from.is_none() {
                h.key_from = h
                    .keyed_by
                    .iter()
                    .find_map(|n| run.keys.get(n.wrapping_sub(1)).cloned().flatten());
            }
            if h.key_param.is_none() {
                h.key_param = h
                    .keyed_by
                    .iter()
                    .find_map(|n| run.params.get(n.wrapping_sub(1)).copied().flatten());
            }
        }
    }

    /// `.bind(x)` adds an argument; an executing call judges where the
    /// tenant placeholders' values came from.
    pub(super) fn sql_run_method(
        &mut self,
        run: &SqlRun,
        m: &syn::ExprMethodCall,
        name: &str,
    ) -> Val {
        const EXECUTES: &[&str] = &[
            "fetch_one",
            "fetch_all",
            "fetch_optional",
            "fetch",
            "execute",
            "fetch_many",
            "load",
            "get_result",
            "get_results",
            "first",
        ];
        if name == "bind" {
            let mut run = run.clone();
            // A parameter bound to a tenant placeholder: a tenant
            // parameter of this function, for its callers.
            let position = run.binds.len() + 1;
            if let Some(k) = m.args.first().and_then(|a| self.param_of(a)) {
                if run.tenant_params.contains(&position) && !self.tenant_params.contains(&k) {
                    self.tenant_params.push(k);
                }
            }
            if let Some(a) = m.args.first() {
                let soft: Vec<(usize, String, String)> = run
                    .soft
                    .iter()
                    .filter(|(n, _, _)| *n == position)
                    .cloned()
                    .collect();
                for (_, table, key) in soft {
                    self.soft_bind(&mut run, a, table, key);
                }
            }
            run.binds
                .push(m.args.first().and_then(|a| self.taint_of(a)));
            run.keys
                .push(m.args.first().and_then(|a| self.request_key(a)));
            run.params
                .push(m.args.first().and_then(|a| self.param_of(a)));
            run.derived
                .push(m.args.first().is_some_and(|a| self.built_from_tenant(a)));
            return Val::Sql(Rc::new(run));
        }
        if !EXECUTES.contains(&name) {
            return Val::Sql(Rc::new(run.clone()));
        }
        self.bound_by_keys(run);
        let span = Span::from_pm2(m.method.span());
        if self.request_sql_at(run, name, span) {
            // `unscoped-sql`'s finding, not `untrusted-tenant-source`'s.
            return Val::Other;
        }
        let source = run
            .tenant_params
            .iter()
            .find_map(|n| run.binds.get(n - 1).cloned().flatten());
        if let Some(source) = source {
            self.untrusted_sql.push(UntrustedSql {
                method: name.to_string(),
                span: Span::from_pm2(m.method.span()),
                function: self.function.clone(),
                source,
                text: run.text.clone(),
            });
        }
        Val::Other
    }

    /// A value bound at a placeholder that binds a child only as its
    /// parent key: request input nothing checked, or a parameter (its
    /// callers must check the parent row).
    fn soft_bind(&mut self, run: &mut SqlRun, arg: &Expr, table: String, key: String) {
        if let Some(how) = self.unchecked_request(arg, &table) {
            run.soft_request.push((table, key, how));
        } else if let Some(param) = self.param_of(arg) {
            let p = super::ParentParam {
                param,
                table,
                key,
                sql: true,
            };
            if !self.sql_parent_params.contains(&p) {
                self.sql_parent_params.push(p);
            }
        }
    }

    /// Records the run's child tables bound by request input nothing
    /// checked; whether there were any.
    fn request_sql_at(&mut self, run: &SqlRun, method: &str, span: Span) -> bool {
        for (table, key, source) in &run.soft_request {
            self.request_sql.push(super::RequestSql {
                method: method.to_string(),
                span,
                function: self.function.clone(),
                table: table.clone(),
                key: key.clone(),
                source: source.clone(),
                text: run.text.clone(),
            });
        }
        !run.soft_request.is_empty()
    }

    /// Methods on strings and builders, and method sinks (`client.query(..)`).
    pub(super) fn sql_method(
        &mut self,
        recv: &Val,
        m: &syn::ExprMethodCall,
        name: &str,
        args: &[Val],
    ) -> Option<Val> {
        let k = self.k;
        match recv {
            Val::Str(s) => {
                if matches!(
                    name,
                    "to_string" | "to_owned" | "into" | "as_str" | "clone" | "trim" | "as_ref"
                ) {
                    return Some(Val::Str(s.clone()));
                }
                // `sql.push_str(" AND status = $2")` changes the string `sql`
                // holds; a piece we cannot read makes it unknown.
                if name == "push_str" {
                    self.write_back(m, &appended(s, args.first()));
                    return Some(Val::Other);
                }
            }
            Val::Builder(alts) => {
                let at = Span::from_pm2(m.method.span()).start;
                if k.sql.builder_build.contains(name) {
                    // One SQL text per path through the pushes.
                    for (b, _) in alts {
                        self.sql_sink(b, format!(".{name}()"), Span::from_pm2(m.method.span()));
                    }
                    return Some(Val::Other);
                }
                let push = k.sql.builder_push.contains(name);
                if !push && !k.sql.builder_bind.contains(name) {
                    return Some(Val::Builder(alts.clone()));
                }
                let next: Vec<(Rc<SqlText>, u32)> = alts
                    .iter()
                    .map(|(b, n)| {
                        let mut b = (**b).clone();
                        let mut n = *n;
                        match args.first() {
                            Some(Val::Str(s)) if push => b.append(s),
                            // A bind, or a pushed value we cannot read: a
                            // placeholder keeps the SQL parseable.
                            _ => {
                                n += 1;
                                b.push_synthetic(&format!("${n}"), at);
                            }
                        }
                        (Rc::new(b), n)
                    })
                    .collect();
                let v = Val::Builder(next);
                // `qb.push(..)` mutates the builder held by `qb`.
                self.write_back(m, &v);
                return Some(v);
            }
            _ => {}
        }
        if k.sql.methods.contains(name) {
            let Some((at, sql)) = sql_arg(args) else {
                self.note_sql_result(args);
                return None;
            };
            let span = Span::from_pm2(m.method.span());
            let sunk = self.sql_sink(&sql, format!(".{name}"), span);
            let run = self.sql_run(&sql, Vec::new(), sunk);
            // A builder given the SQL alone (`client.query(sql)` of the
            // `clickhouse` crate) takes its values by `.bind(..)` after.
            if m.args.len() == 1 {
                return Some(run);
            }
            // tokio-postgres: `client.query(sql, &[&id])`.
            if let Some(values) = m.args.iter().skip(at + 1).find_map(super::bound_values) {
                self.judge_values(run, &values, &format!(".{name}"), span);
            }
            return Some(Val::Other);
        }
        None
    }

    /// A raw-SQL entry point given a workspace function's result as its
    /// SQL (`sqlx::query(&list_sql(..))`): the SQL that function returns
    /// reaches the database.
    fn note_sql_result(&mut self, args: &[Val]) {
        for a in args {
            if let Val::Query(qs) = a {
                for q in qs {
                    if let (Root::Call(key), None) = (&q.root, q.elem) {
                        if !self.sql_result_sinks.contains(key) {
                            self.sql_result_sinks.push(key.clone());
                        }
                    }
                }
            }
        }
    }

    /// Judges SQL where it reaches the database (see [`Sunk`]).
    pub(super) fn sql_sink(&mut self, sql: &SqlText, sink: String, span: Span) -> Sunk {
        // With the caller's tenant in hand, a direct table's parent key
        // binds nothing (see `model::Keys::own`).
        let analysis = if self.in_reach.is_empty() {
            crate::sql::analyze(&sql.text, self.scope.model)
        } else {
            crate::sql::analyze(&sql.text, &crate::model::Keys::own(self.scope.model))
        };
        let soft = self.soft_placeholders(sql, &analysis);
        let hits: Vec<SqlHit> = analysis
            .findings
            .iter()
            .map(|f| SqlHit {
                kind: match &f.kind {
                    crate::sql::FindingKind::Unbound => SqlHitKind::Unbound,
                    crate::sql::FindingKind::InsertWithoutTenant { column } => {
                        SqlHitKind::InsertWithoutTenant(column.clone())
                    }
                },
                table: f.table.clone(),
                statement: f.statement.to_string(),
                span: sql.span(f.range.clone()),
                notes: f.notes.clone(),
                keyed_by: f.keyed_by.clone(),
                bound_by_key: false,
                at: f.at,
                runtime: f.runtime_condition,
                key_from: None,
                key_param: None,
            })
            .collect();
        let search_path: Vec<Span> = analysis
            .session_search_path
            .iter()
            .map(|r| sql.span(r.clone()))
            .collect();
        if hits.is_empty() && search_path.is_empty() {
            return Sunk { keyed: None, soft };
        }
        let keyed = hits.iter().any(|h| !h.keyed_by.is_empty());
        let mut normalized = sql.text.clone();
        normalized.retain(|c| !c.is_whitespace());
        let end_line = sql.map.last().map_or(span.start.line, |p| p.line);
        self.sql_facts.push(SqlFact {
            sink,
            span,
            function: self.function.clone(),
            in_reach: self.in_reach.clone(),
            text: normalized,
            hits,
            search_path,
            fallback: analysis.parse_error.clone().filter(|_| analysis.fallback),
            file: sql.file.clone(),
            extent: (
                span.start
                    .line
                    .min(sql.map.first().map_or(u32::MAX, |p| p.line)),
                end_line.max(span.start.line),
            ),
            through: None,
            returned_by: None,
        });
        Sunk {
            keyed: keyed.then(|| self.sql_facts.len() - 1),
            soft,
        }
    }
}

/// What judging SQL where it reaches the database leaves for the values
/// bound to it later.
pub(super) struct Sunk {
    /// The index of the fact recorded, when a value bound later can still
    /// bind one of its tables.
    keyed: Option<usize>,
    /// The placeholders that bind a child table only as its parent key:
    /// (placeholder, child table, parent key).
    pub(super) soft: Vec<(usize, String, String)>,
}

impl FnAnalysis<'_> {
    /// The placeholders of `sql` that bind a child table only as its
    /// parent key: the child is bound as read (`analysis`), and unbound
    /// when its parent keys do not count.
    fn soft_placeholders(
        &self,
        sql: &SqlText,
        analysis: &crate::sql::Analysis,
    ) -> Vec<(usize, String, String)> {
        let model = self.scope.model;
        if model.parent_words.is_empty() {
            return Vec::new();
        }
        let lower = sql.text.to_ascii_lowercase();
        if !model
            .parent_words
            .keys()
            .any(|t| lower.contains(t.as_str()))
        {
            return Vec::new();
        }
        let strict =
            crate::sql::analyze(&sql.text, &crate::model::Keys::without_parent_keys(model));
        let mut soft: Vec<(usize, String, String)> = Vec::new();
        for f in &strict.findings {
            let crate::sql::FindingKind::Unbound = f.kind else {
                continue;
            };
            let already = analysis
                .findings
                .iter()
                .any(|a| a.table == f.table && a.range == f.range);
            let Some(t) = model.tables.get(&f.table) else {
                continue;
            };
            if already || f.keyed_by.is_empty() {
                continue;
            }
            for key in &t.tenant_columns {
                for n in tenant_placeholders(&sql.text, std::iter::once(key)) {
                    if f.keyed_by.contains(&n) {
                        let entry = (n, f.table.clone(), key.clone());
                        if !soft.contains(&entry) {
                            soft.push(entry);
                        }
                    }
                }
            }
        }
        soft
    }
}

/// Placeholders (1-based) a tenant column is compared with for equality:
/// `org_id = $1`, `d.org_id = ?`, `$2 = tenant_id`.
fn tenant_placeholders<'c>(sql: &str, columns: impl IntoIterator<Item = &'c String>) -> Vec<usize> {
    let b = sql.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    // A placeholder starting at `i`: its number and end.
    let placeholder = |i: usize| -> Option<(usize, usize)> {
        match b.get(i)? {
            b'$' => {
                let end = (i + 1..b.len())
                    .find(|&j| !b[j].is_ascii_digit())
                    .unwrap_or(b.len());
                sql.get(i + 1..end)?.parse().ok().map(|n| (n, end))
            }
            // ClickHouse's `?fields` is no positional placeholder.
            b'?' => Some((
                crate::sql::positional_placeholders_before(sql, i) + 1,
                i + 1,
            )),
            _ => None,
        }
    };
    let lower = sql.to_ascii_lowercase();
    let mut out = Vec::new();
    for col in columns {
        let col = col.to_ascii_lowercase();
        let mut from = 0;
        while let Some(k) = lower[from..].find(&col) {
            let at = from + k;
            let end = at + col.len();
            from = end;
            if at > 0 && is_word(b[at - 1]) || b.get(end).is_some_and(|c| is_word(*c)) {
                continue;
            }
            // `col = $N`
            let i = skip_ws(end);
            if b.get(i) == Some(&b'=') {
                if let Some((n, _)) = placeholder(skip_ws(i + 1)) {
                    out.push(n);
                    continue;
                }
            }
            // `$N = col` (possibly `t.col`)
            let mut j = at;
            while j > 0 && (is_word(b[j - 1]) || b[j - 1] == b'.') {
                j -= 1;
            }
            let before = sql[..j].trim_end();
            if let Some(rest) = before.strip_suffix('=') {
                let rest = rest.trim_end();
                let start = rest
                    .rfind(|c: char| !(c.is_ascii_digit() || c == '$'))
                    .map_or(0, |p| p + 1);
                if let Some((n, _)) = placeholder(start) {
                    out.push(n);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn macro_span(m: &syn::Macro) -> Span {
    let first = m.path.segments.first().map(|s| s.ident.span());
    let last = m.path.segments.last().map(|s| s.ident.span());
    match (first, last) {
        (Some(a), Some(b)) => Span::from_pm2(a.join(b).unwrap_or(a)),
        _ => Span::default(),
    }
}

/// `qb` in `qb.push(..).push_bind(..)`.
pub(super) fn root_var(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::MethodCall(m) => root_var(&m.receiver),
        Expr::Reference(r) => root_var(&r.expr),
        Expr::Paren(p) => root_var(&p.expr),
        _ => None,
    }
}

/// The first argument holding SQL, with its position.
fn sql_arg(args: &[Val]) -> Option<(usize, Rc<SqlText>)> {
    args.iter().enumerate().find_map(|(i, a)| match a {
        Val::Str(s) if s.looks_like_sql() => Some((i, s.clone())),
        _ => None,
    })
}

/// `sql += piece`, `sql + piece`: the string `left` holds, with `right`
/// appended, or nothing known once a piece cannot be read.
pub(super) fn str_add(left: &Val, right: &Val) -> Val {
    match left {
        Val::Str(s) => appended(s, Some(right)),
        _ => Val::Other,
    }
}

/// `s` with `piece` appended, when the piece is a string we read.
fn appended(s: &SqlText, piece: Option<&Val>) -> Val {
    match piece {
        Some(Val::Str(p)) => {
            let mut t = s.clone();
            t.append(p);
            Val::Str(Rc::new(t))
        }
        _ => Val::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::tenant_placeholders;

    #[test]
    fn finds_tenant_placeholders() {
        let cols = vec!["org_id".to_string(), "tenant_id".to_string()];
        let t = |sql: &str| tenant_placeholders(sql, &cols);
        assert_eq!(t("SELECT * FROM d WHERE org_id = $1 AND id = $2"), [1]);
        assert_eq!(t("SELECT * FROM d WHERE id = $1 AND d.ORG_ID=$2"), [2]);
        assert_eq!(t("SELECT * FROM d WHERE $3 = d.tenant_id"), [3]);
        assert_eq!(t("SELECT * FROM d WHERE id = ? AND org_id = ?"), [2]);
        // ClickHouse's `?fields` is the row's columns, not a placeholder.
        assert_eq!(t("SELECT ?fields FROM d WHERE org_id = ?"), [1]);
        assert_eq!(t("SELECT ?fields FROM d WHERE id = ? AND org_id = ?"), [2]);
        assert!(t("SELECT * FROM d WHERE other_org_id = $1").is_empty());
        assert!(t("SELECT org_id FROM d WHERE id = $1").is_empty());
    }
}
