//! Raw SQL inside function bodies: string literals, `const`s, `let`s,
//! `concat!`, `format!` templates, `include_str!` and sqlx `QueryBuilder`
//! pushes become [`SqlText`]; where the text reaches a database API (the
//! sinks in `rules/orm/sql.toml`) it is handed to [`crate::sql::analyze`]
//! and the result, mapped back to source spans, becomes a [`SqlFact`].

use super::{FnAnalysis, SqlFact, SqlHit, SqlHitKind, Val};
use crate::diagnostic::Span;
use crate::model::sqltext::{self, first_lit, literal, macro_args, macro_text, SqlText};
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
                match crate::cache::read_dependency(&path) {
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
                self.sql_sink(&t, format!("{name}!"), span);
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

    /// Free-function sinks (`sqlx::query(..)`, `sql_query(..)`,
    /// `Statement::from_string(..)`) and `QueryBuilder::new(..)`.
    pub(super) fn sql_call(&mut self, segs: &[String], args: &[Val], span: Span) -> Option<Val> {
        let last = segs.last()?;
        let k = self.k;
        if last == "new" && segs.len() >= 2 && k.sql.builder_types.contains(&segs[segs.len() - 2]) {
            let start = args.iter().find_map(|a| match a {
                Val::Str(s) => Some((**s).clone()),
                _ => None,
            });
            return Some(Val::Builder(vec![(Rc::new(start.unwrap_or_default()), 0)]));
        }
        if k.sql.functions.contains(last) {
            let sql = args.iter().find_map(|a| match a {
                Val::Str(s) if s.looks_like_sql() => Some(s.clone()),
                _ => None,
            })?;
            let sink = if segs.len() >= 2 {
                format!("{}::{last}", segs[segs.len() - 2])
            } else {
                last.clone()
            };
            self.sql_sink(&sql, sink, span);
            return Some(Val::Other);
        }
        None
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
                if let Some(var) = root_var(&m.receiver) {
                    self.assign(&var, v.clone());
                }
                return Some(v);
            }
            _ => {}
        }
        if k.sql.methods.contains(name) {
            let sql = args.iter().find_map(|a| match a {
                Val::Str(s) if s.looks_like_sql() => Some(s.clone()),
                _ => None,
            })?;
            self.sql_sink(&sql, format!(".{name}"), Span::from_pm2(m.method.span()));
            return Some(Val::Other);
        }
        None
    }

    /// Judges one SQL text that reaches the database.
    pub(super) fn sql_sink(&mut self, sql: &SqlText, sink: String, span: Span) {
        let analysis = crate::sql::analyze(&sql.text, self.scope.model);
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
            })
            .collect();
        let search_path: Vec<Span> = analysis
            .session_search_path
            .iter()
            .map(|r| sql.span(r.clone()))
            .collect();
        if hits.is_empty() && search_path.is_empty() {
            return;
        }
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
        });
    }
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
fn root_var(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::MethodCall(m) => root_var(&m.receiver),
        Expr::Reference(r) => root_var(&r.expr),
        Expr::Paren(p) => root_var(&p.expr),
        _ => None,
    }
}
