//! Schema changes from SeaORM migrations written in Rust with sea-query
//! builders (`sea-orm-migration`): `Table::create()`, `Table::alter()`,
//! `Table::rename()`, `Table::drop()`, `Index::create()`, `Index::drop()`
//! chains and raw SQL handed to `execute_unprepared(..)` /
//! `Statement::from_string(..)`. Names come from the file's
//! `#[derive(DeriveIden)]` / `#[derive(Iden)]` enums. This is one more
//! source of the tenant model and of index facts, beside SQL migrations:
//! the result is the same [`SchemaOp`] stream, in source order, that SQL
//! migrations produce. Only `up` is read; `down` migrations are not applied.

use crate::diagnostic::Span;
use crate::parse::path_segments;
use crate::sql::{ForeignKey, SchemaOp};
use crate::orm::snake_case;
use crate::sql::text::{self as sqltext, SqlText};
use crate::sql;
use std::collections::HashMap;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Token};

/// Schema changes made by sea-query builder calls in a parsed Rust file, in source order.
pub fn extract(file: &syn::File, include_tests: bool) -> Vec<SchemaOp> {
    let mut idens = IdenCollector::default();
    idens.visit_file(file);
    let mut consts = ConstCollector::default();
    consts.visit_file(file);
    let mut fns = FnCollector::default();
    fns.visit_file(file);
    let mut walker = Walker {
        idens: Idens::build(idens.enums),
        consts: consts.texts,
        ops: Vec::new(),
        include_tests,
        local_fns: fns.names,
        index_helpers: fns.index_helpers,
        calls: Vec::new(),
        bodies: Vec::new(),
    };
    walker.visit_file(file);
    walker.in_call_order()
}

/// A function of the file that builds an index from its arguments
/// (`fn index(name: &str, table: T, columns: [C; N]) -> IndexCreateStatement`):
/// which parameter is the name, the table, the columns.
#[derive(Debug, Clone, Default)]
struct IndexHelper {
    name: Option<usize>,
    table: usize,
    columns: Option<usize>,
    unique: bool,
}

/// The file's function names, and its index-building helpers.
#[derive(Default)]
struct FnCollector {
    names: std::collections::HashSet<String>,
    index_helpers: HashMap<String, IndexHelper>,
}

impl FnCollector {
    fn function(&mut self, sig: &syn::Signature, body: &syn::Block) {
        let name = sig.ident.to_string();
        self.names.insert(name.clone());
        let params: Vec<String> = sig
            .inputs
            .iter()
            .filter_map(|a| match a {
                syn::FnArg::Typed(t) => match &*t.pat {
                    syn::Pat::Ident(i) => Some(i.ident.to_string()),
                    _ => None,
                },
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        if params.len() < 2 {
            return;
        }
        let text = quote::ToTokens::to_token_stream(body).to_string();
        if !text.contains("Index :: create") {
            return;
        }
        // `.table(p)`, `.name(p)`, and `.col(p)` or `for c in p { .. .col(c) }`.
        let arg_of = |method: &str| -> Option<usize> {
            params
                .iter()
                .position(|p| text.contains(&format!(". {method} ({p})")))
        };
        let Some(table) = arg_of("table") else { return };
        let columns = arg_of("col").or_else(|| {
            params
                .iter()
                .position(|p| text.contains(&format!("in {p} ")) && text.contains(". col ("))
        });
        self.index_helpers.insert(
            name,
            IndexHelper {
                name: arg_of("name"),
                table,
                columns,
                unique: text.contains(". unique ()"),
            },
        );
    }
}

impl<'ast> Visit<'ast> for FnCollector {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.function(&f.sig, &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.function(&f.sig, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }
}

// ---------------------------------------------------------------------------
// Iden enums

/// One `#[derive(DeriveIden)]` enum (or unit struct, or hand-written
/// `impl Iden`): the table it names and its variants' column names.
#[derive(Debug, Default, Clone)]
struct IdenEnum {
    /// Name of the `Table` variant (or of the unit struct).
    table: Option<String>,
    /// Variant → database name.
    variants: HashMap<String, String>,
}

#[derive(Debug, Default)]
struct Idens {
    enums: HashMap<String, IdenEnum>,
    /// Variant name → the enum it belongs to, when only one enum has it.
    owner: HashMap<String, Option<String>>,
}

impl Idens {
    fn build(enums: HashMap<String, IdenEnum>) -> Idens {
        let mut owner: HashMap<String, Option<String>> = HashMap::new();
        for (name, e) in &enums {
            for v in e.variants.keys() {
                owner
                    .entry(v.clone())
                    .and_modify(|o| *o = None)
                    .or_insert_with(|| Some(name.clone()));
            }
        }
        Idens { enums, owner }
    }

    /// The name behind `Enum::Variant`: `(name, is_table)`.
    fn variant(&self, en: &str, var: &str) -> (String, bool) {
        let e = self.enums.get(en);
        if var == "Table" {
            let name = e
                .and_then(|e| e.table.clone())
                .unwrap_or_else(|| snake_case(en));
            return (name.to_lowercase(), true);
        }
        let name = e
            .and_then(|e| e.variants.get(var).cloned())
            .unwrap_or_else(|| snake_case(var));
        (name.to_lowercase(), false)
    }

    /// The name behind a path expression (`Documents::OrgId`,
    /// `document::Column::OrgId`, `OrgId` after `use Documents::*`).
    fn path(&self, path: &syn::Path) -> Option<(String, bool)> {
        let segs = path_segments(path);
        match segs.as_slice() {
            [] => None,
            [one] => {
                if let Some(e) = self.enums.get(one) {
                    // A unit struct (or enum) used as a table iden.
                    return Some((
                        e.table
                            .clone()
                            .unwrap_or_else(|| snake_case(one))
                            .to_lowercase(),
                        true,
                    ));
                }
                let en = self.owner.get(one)?.as_ref()?;
                Some(self.variant(en, one))
            }
            [.., en, var] => {
                if var == "Entity" || en == "Self" {
                    // An entity's table name lives in another file.
                    return None;
                }
                Some(self.variant(en, var))
            }
        }
    }
}

/// Collects iden enums from every item of the file.
#[derive(Default)]
struct IdenCollector {
    enums: HashMap<String, IdenEnum>,
}

fn derives_iden(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        if !a.path().is_ident("derive") {
            return false;
        }
        a.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .map(|ps| {
                ps.iter().any(|p| {
                    p.segments
                        .last()
                        .is_some_and(|s| s.ident == "DeriveIden" || s.ident == "Iden")
                })
            })
            .unwrap_or(false)
    })
}

fn lit_str(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        Expr::Group(g) => lit_str(&g.expr),
        Expr::Paren(p) => lit_str(&p.expr),
        _ => None,
    }
}

/// `#[sea_orm(iden = "x")]`, `#[iden = "x"]`, `#[iden(rename = "x")]`.
fn iden_override(attrs: &[syn::Attribute]) -> Option<String> {
    for a in attrs {
        match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("iden") => {
                if let Some(s) = lit_str(&nv.value) {
                    return Some(s);
                }
            }
            syn::Meta::List(l) if l.path.is_ident("sea_orm") || l.path.is_ident("iden") => {
                let Ok(items) =
                    l.parse_args_with(Punctuated::<syn::Meta, Token![,]>::parse_terminated)
                else {
                    continue;
                };
                for m in items {
                    if let syn::Meta::NameValue(nv) = m {
                        if nv.path.is_ident("iden") || nv.path.is_ident("rename") {
                            if let Some(s) = lit_str(&nv.value) {
                                return Some(s);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

impl<'ast> Visit<'ast> for IdenCollector {
    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        if derives_iden(&e.attrs) {
            let name = e.ident.to_string();
            let mut out = IdenEnum {
                table: iden_override(&e.attrs),
                variants: HashMap::new(),
            };
            for v in &e.variants {
                let vn = v.ident.to_string();
                let db = iden_override(&v.attrs);
                if vn == "Table" {
                    if let Some(db) = db {
                        out.table = Some(db);
                    }
                    continue;
                }
                out.variants
                    .insert(vn.clone(), db.unwrap_or_else(|| snake_case(&vn)));
            }
            self.enums.insert(name, out);
        }
        syn::visit::visit_item_enum(self, e);
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        if derives_iden(&s.attrs) && matches!(s.fields, syn::Fields::Unit) {
            let name = s.ident.to_string();
            let table = iden_override(&s.attrs).unwrap_or_else(|| snake_case(&name));
            self.enums.insert(
                name,
                IdenEnum {
                    table: Some(table),
                    variants: HashMap::new(),
                },
            );
        }
        syn::visit::visit_item_struct(self, s);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        // Hand-written `impl Iden for X { fn unquoted(..) { match self { Self::Table => "docs", .. } } }`.
        let is_iden = i
            .trait_
            .as_ref()
            .and_then(|(p, _)| p.segments.last())
            .is_some_and(|s| s.ident == "Iden");
        let self_name = match &*i.self_ty {
            syn::Type::Path(tp) => tp.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        if let (true, Some(name)) = (is_iden, self_name) {
            let mut arms = ArmCollector::default();
            arms.visit_item_impl(i);
            if !arms.arms.is_empty() {
                let entry = self.enums.entry(name).or_default();
                for (v, s) in arms.arms {
                    if v == "Table" {
                        entry.table = Some(s);
                    } else {
                        entry.variants.insert(v, s);
                    }
                }
            }
        }
        syn::visit::visit_item_impl(self, i);
    }
}

/// `Self::Variant => "name"` arms of a hand-written `Iden` impl.
#[derive(Default)]
struct ArmCollector {
    arms: Vec<(String, String)>,
}

fn arm_value(e: &Expr) -> Option<String> {
    match e {
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => arm_value(e),
            _ => None,
        },
        _ => lit_str(e),
    }
}

fn pat_variants(p: &syn::Pat, out: &mut Vec<String>) {
    match p {
        syn::Pat::Path(pp) => {
            if let Some(s) = pp.path.segments.last() {
                out.push(s.ident.to_string());
            }
        }
        syn::Pat::Ident(pi) => out.push(pi.ident.to_string()),
        syn::Pat::Or(o) => o.cases.iter().for_each(|c| pat_variants(c, out)),
        syn::Pat::TupleStruct(ts) => {
            if let Some(s) = ts.path.segments.last() {
                out.push(s.ident.to_string());
            }
        }
        _ => {}
    }
}

impl<'ast> Visit<'ast> for ArmCollector {
    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        if let Some(v) = arm_value(&a.body) {
            let mut vs = Vec::new();
            pat_variants(&a.pat, &mut vs);
            for name in vs {
                self.arms.push((name, v.clone()));
            }
        }
        syn::visit::visit_arm(self, a);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `write!(s, "{}", match self { .. })`
        for a in sqltext::macro_args(m) {
            self.visit_expr(&a);
        }
    }
}

/// String `const`s / `static`s of the file, for `execute_unprepared(SQL)`.
#[derive(Default)]
struct ConstCollector {
    texts: HashMap<String, SqlText>,
}

impl<'ast> Visit<'ast> for ConstCollector {
    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        if let Some(t) = sqltext::const_text(&c.expr, None) {
            self.texts.insert(c.ident.to_string(), t);
        }
        syn::visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        if let Some(t) = sqltext::const_text(&s.expr, None) {
            self.texts.insert(s.ident.to_string(), t);
        }
        syn::visit::visit_item_static(self, s);
    }
}

// ---------------------------------------------------------------------------
// Builder chains

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    TableCreate,
    TableAlter,
    TableRename,
    TableDrop,
    IndexCreate,
    IndexDrop,
    /// `ForeignKey::create()`.
    ForeignKeyCreate,
}

/// Whether tokens name SQLite or MySQL and not PostgreSQL.
fn names_other_backend(text: &str) -> bool {
    (text.contains("Sqlite") || text.contains("MySql")) && !text.contains("Postgres")
}

/// `backend == DbBackend::Sqlite`, `matches!(backend, Sqlite)`: a condition
/// true only on another backend than PostgreSQL.
fn other_backend(cond: &Expr) -> bool {
    let text = quote::ToTokens::to_token_stream(cond).to_string();
    let negated = text.contains("!=") || text.trim_start().starts_with('!');
    names_other_backend(&text) && !negated
}

/// Strips parentheses, `&` / `&mut` and invisible groups.
fn peel(mut e: &Expr) -> &Expr {
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::Reference(r) => &r.expr,
            Expr::Group(g) => &g.expr,
            _ => return e,
        };
    }
}

/// A method chain: the innermost receiver and the calls on it, inside out.
fn unroll(e: &Expr) -> (&Expr, Vec<&syn::ExprMethodCall>) {
    let mut methods = Vec::new();
    let mut cur = peel(e);
    while let Expr::MethodCall(m) = cur {
        methods.push(m);
        cur = peel(&m.receiver);
    }
    methods.reverse();
    (cur, methods)
}

/// The last two segments of a call's function path.
fn call_path(e: &Expr) -> Option<(&syn::ExprCall, &syn::ExprPath, Vec<String>)> {
    let Expr::Call(c) = e else { return None };
    let Expr::Path(p) = peel(&c.func) else {
        return None;
    };
    let segs = path_segments(&p.path);
    Some((c, p, segs))
}

fn root_kind(segs: &[String]) -> Option<Root> {
    let [.., ty, f] = segs else { return None };
    Some(match (ty.as_str(), f.as_str()) {
        ("Table", "create") | ("TableCreateStatement", "new") => Root::TableCreate,
        ("Table", "alter") | ("TableAlterStatement", "new") => Root::TableAlter,
        ("Table", "rename") | ("TableRenameStatement", "new") => Root::TableRename,
        ("Table", "drop") | ("TableDropStatement", "new") => Root::TableDrop,
        ("Index", "create") | ("IndexCreateStatement", "new") => Root::IndexCreate,
        ("Index", "drop") | ("IndexDropStatement", "new") => Root::IndexDrop,
        ("ForeignKey", "create") | ("ForeignKeyCreateStatement", "new") => Root::ForeignKeyCreate,
        _ => return None,
    })
}

/// A chain rooted at a sea-query statement constructor.
struct Chain<'a> {
    root: Root,
    /// The constructor path (`Table::create`).
    root_span: Span,
    methods: Vec<&'a syn::ExprMethodCall>,
}

fn chain(e: &Expr) -> Option<Chain<'_>> {
    let (base, methods) = unroll(e);
    let (_, p, segs) = call_path(base)?;
    let root = root_kind(&segs)?;
    Some(Chain {
        root,
        root_span: Span::from_pm2(p.span()),
        methods,
    })
}

/// What `Index::create()` chains say.
#[derive(Debug, Default)]
struct IndexInfo {
    name: Option<String>,
    table: Option<String>,
    columns: Vec<String>,
    unique: bool,
    primary: bool,
    partial: bool,
    span: Span,
}

/// A column definition inside `.col(..)` / `.add_column(..)`.
struct ColInfo {
    name: String,
    span: Span,
    primary: bool,
    unique: bool,
    /// `.not_null()`, a primary key, or a schema helper without `_null`.
    not_null: bool,
}

/// A function walked: its name, its operations, and its calls to other
/// functions of the file (how many operations came before, callee).
type Body = (String, Vec<SchemaOp>, Vec<(usize, String)>);

struct Walker {
    idens: Idens,
    consts: HashMap<String, SqlText>,
    ops: Vec<SchemaOp>,
    /// Walk `#[cfg(test)]` and `#[test]` code too.
    include_tests: bool,
    /// Functions of the file, by name.
    local_fns: std::collections::HashSet<String>,
    /// Functions of the file that build an index from their arguments.
    index_helpers: HashMap<String, IndexHelper>,
    /// Calls to functions of the file in the body being walked: (how many
    /// of its operations came before, callee).
    calls: Vec<(usize, String)>,
    /// Each function walked: name, its operations, its calls.
    bodies: Vec<Body>,
}

impl Walker {
    /// Walks one function body on its own, keeping its operations and its
    /// calls to other functions of the file apart.
    fn body(&mut self, name: String, walk: impl FnOnce(&mut Self)) {
        let outer_ops = std::mem::take(&mut self.ops);
        let outer_calls = std::mem::take(&mut self.calls);
        walk(self);
        let ops = std::mem::replace(&mut self.ops, outer_ops);
        let calls = std::mem::replace(&mut self.calls, outer_calls);
        self.bodies.push((name, ops, calls));
    }

    /// The operations as the migration runs them: from each `up`, with
    /// the functions it calls expanded where they are called (wherever
    /// they are defined); functions `up` never reaches do not run. A file
    /// without `up` (helpers used elsewhere) keeps source order.
    fn in_call_order(mut self) -> Vec<SchemaOp> {
        let mut out = std::mem::take(&mut self.ops);
        if !self.bodies.iter().any(|(n, ..)| n == "up") {
            for (_, ops, _) in &self.bodies {
                out.extend(ops.iter().cloned());
            }
            return out;
        }
        fn expand(
            bodies: &[Body],
            at: usize,
            stack: &mut Vec<usize>,
            out: &mut Vec<SchemaOp>,
        ) {
            if stack.contains(&at) || stack.len() > 16 {
                return;
            }
            stack.push(at);
            let (_, ops, calls) = &bodies[at];
            let mut next = 0;
            for (before, callee) in calls {
                out.extend(ops[next..(*before).min(ops.len())].iter().cloned());
                next = (*before).min(ops.len()).max(next);
                if let Some(i) = bodies.iter().position(|(n, ..)| n == callee) {
                    expand(bodies, i, stack, out);
                }
            }
            out.extend(ops[next..].iter().cloned());
            stack.pop();
        }
        for i in 0..self.bodies.len() {
            if self.bodies[i].0 == "up" {
                expand(&self.bodies, i, &mut Vec::new(), &mut out);
            }
        }
        out
    }

    /// `index("idx", T::Table, [T::A, T::B])` through a helper of the file.
    fn index_helper_call(&mut self, h: &IndexHelper, c: &syn::ExprCall) {
        let arg = |i: usize| c.args.iter().nth(i);
        let Some((table, _)) = arg(h.table).and_then(|a| self.table_ref(a)) else {
            return;
        };
        let columns: Vec<String> = match h.columns.and_then(arg).map(peel) {
            Some(Expr::Array(a)) => a.elems.iter().map(|x| self.index_col(x)).collect(),
            Some(Expr::Macro(m)) => sqltext::macro_args(&m.mac)
                .iter()
                .map(|x| self.index_col(x))
                .collect(),
            Some(other) => vec![self.index_col(other)],
            None => Vec::new(),
        };
        if columns.is_empty() {
            return;
        }
        self.ops.push(SchemaOp::CreateIndex {
            name: h.name.and_then(arg).and_then(|a| self.string(a)).map(|s| s.to_lowercase()),
            table,
            columns,
            unique: h.unique,
            partial: false,
            span: Span::from_pm2(c.span()),
        });
    }

    /// An iden expression: `(name, span, is_table)`.
    fn iden(&self, e: &Expr) -> Option<(String, Span, bool)> {
        let e = peel(e);
        match e {
            Expr::Path(p) => {
                let (name, is_table) = self.idens.path(&p.path)?;
                Some((name, Span::from_pm2(p.span()), is_table))
            }
            Expr::Call(_) => {
                // `Alias::new("documents")`, `SeaRc::new(Documents::Table)`.
                let (c, _, segs) = call_path(e)?;
                let [.., ty, f] = segs.as_slice() else {
                    return None;
                };
                if f != "new" {
                    return None;
                }
                let arg = c.args.first()?;
                if ty == "Alias" {
                    let s = lit_str(peel(arg)).or_else(|| {
                        // `Alias::new("x".to_string())`
                        let (base, ms) = unroll(arg);
                        (ms.len() == 1).then(|| lit_str(base)).flatten()
                    })?;
                    return Some((s.to_lowercase(), Span::from_pm2(arg.span()), false));
                }
                if ty == "SeaRc" || ty == "Rc" || ty == "Arc" {
                    return self.iden(arg);
                }
                None
            }
            Expr::MethodCall(m) if m.method == "into_iden" => self.iden(&m.receiver),
            _ => None,
        }
    }

    /// A table reference: an iden, or a `(schema, table)` tuple.
    fn table_ref(&self, e: &Expr) -> Option<(String, Span)> {
        match peel(e) {
            Expr::Tuple(t) => t.elems.last().and_then(|x| self.table_ref(x)),
            other => self.iden(other).map(|(n, s, _)| (n, s)),
        }
    }

    /// An index column: an iden, `(iden, IndexOrder::Desc)`, `(iden, 10)`;
    /// anything else becomes its expression text.
    fn index_col(&self, e: &Expr) -> String {
        match peel(e) {
            Expr::Tuple(t) => t
                .elems
                .first()
                .map(|x| self.index_col(x))
                .unwrap_or_default(),
            other => self
                .iden(other)
                .map(|(n, _, _)| n)
                .unwrap_or_else(|| quote::ToTokens::to_token_stream(other).to_string()),
        }
    }

    /// A column definition: `ColumnDef::new(X::Col)..`, `pk_auto(X::Col)`,
    /// `uuid(X::Col).unique_key()`, or a bare iden.
    fn column_def(&self, e: &Expr) -> Option<ColInfo> {
        let (base, methods) = unroll(e);
        let mut info = match base {
            Expr::Call(c) => {
                let (_, _, segs) = call_path(base)?;
                let f = segs.last()?.as_str();
                // `uuid(X::Col)`; else a bare `Alias::new("col")`.
                let (name, span, is_table) = c
                    .args
                    .first()
                    .and_then(|a| self.iden(a))
                    .or_else(|| self.iden(base))?;
                if is_table {
                    return None;
                }
                ColInfo {
                    name,
                    span,
                    primary: f.starts_with("pk_"),
                    unique: f.ends_with("_uniq"),
                    // sea-orm-migration's helpers: `uuid(c)` is NOT NULL,
                    // `uuid_null(c)` is not.
                    not_null: !f.ends_with("_null") && f != "new",
                }
            }
            other => {
                let (name, span, is_table) = self.iden(other)?;
                if is_table {
                    return None;
                }
                ColInfo {
                    name,
                    span,
                    primary: false,
                    unique: false,
                    not_null: false,
                }
            }
        };
        for m in methods {
            match m.method.to_string().as_str() {
                "primary_key" => {
                    info.primary = true;
                    info.not_null = true;
                }
                "unique_key" => info.unique = true,
                "not_null" => info.not_null = true,
                "null" => info.not_null = false,
                _ => {}
            }
        }
        Some(info)
    }

    /// `ForeignKey::create().from(T::Table, T::Col).to(P::Table, P::Id)`:
    /// the referencing table and the key.
    fn foreign_key(&self, c: &Chain<'_>) -> Option<(String, ForeignKey)> {
        let mut from: Option<(String, Vec<String>)> = None;
        let mut to: Option<(String, Vec<String>)> = None;
        let mut name = None;
        for m in &c.methods {
            let side = match m.method.to_string().as_str() {
                "from" => &mut from,
                "to" => &mut to,
                "name" => {
                    name = m.args.first().and_then(|a| self.string(a)).map(|s| s.to_lowercase());
                    continue;
                }
                _ => continue,
            };
            let (Some(t), Some(cols)) = (m.args.first(), m.args.get(1)) else {
                continue;
            };
            let Some((table, _)) = self.table_ref(t) else {
                continue;
            };
            // One column, or a tuple of them.
            let cols = match peel(cols) {
                Expr::Tuple(tu) => tu
                    .elems
                    .iter()
                    .filter_map(|x| self.iden(x).map(|(n, ..)| n))
                    .collect(),
                other => self.iden(other).map(|(n, ..)| n).into_iter().collect(),
            };
            *side = Some((table, cols));
        }
        let ((table, columns), (target, target_columns)) = (from?, to?);
        Some((
            table,
            ForeignKey {
                columns,
                target,
                target_columns,
                name,
            },
        ))
    }

    fn index_info(&self, c: &Chain<'_>, span: Span) -> IndexInfo {
        let mut info = IndexInfo {
            span,
            ..IndexInfo::default()
        };
        for m in &c.methods {
            let arg = m.args.first();
            match m.method.to_string().as_str() {
                "name" => {
                    if let Some(s) = arg.and_then(|a| self.string(a)) {
                        info.name = Some(s.to_lowercase());
                    }
                }
                "table" => {
                    if let Some((t, _)) = arg.and_then(|a| self.table_ref(a)) {
                        info.table = Some(t);
                    }
                }
                "col" => {
                    if let Some(a) = arg {
                        info.columns.push(self.index_col(a));
                    }
                }
                "unique" => info.unique = true,
                "primary" => info.primary = true,
                "and_where" | "cond_where" => info.partial = true,
                _ => {}
            }
        }
        info
    }

    /// A plain string argument: a literal, `"x".to_owned()`, a const.
    fn string(&self, e: &Expr) -> Option<String> {
        self.sql_text(e).map(|t| t.text)
    }

    /// SQL text of an argument, with positions.
    fn sql_text(&self, e: &Expr) -> Option<SqlText> {
        let e = peel(e);
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => sqltext::literal(s),
            Expr::Macro(m) => sqltext::macro_text(&m.mac, None),
            Expr::Path(p) => {
                let name = p.path.segments.last()?.ident.to_string();
                self.consts.get(&name).cloned()
            }
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && matches!(
                        m.method.to_string().as_str(),
                        "to_owned" | "to_string" | "into" | "as_str"
                    ) =>
            {
                self.sql_text(&m.receiver)
            }
            Expr::Call(_) => {
                let (c, _, segs) = call_path(e)?;
                let [.., ty, f] = segs.as_slice() else {
                    return None;
                };
                if ty == "String" && f == "from" {
                    return self.sql_text(c.args.first()?);
                }
                None
            }
            _ => None,
        }
    }

    /// Raw SQL in migration code.
    fn raw_sql(&mut self, e: &Expr) {
        let Some(t) = self.sql_text(e) else { return };
        if !t.looks_like_sql() {
            return;
        }
        let ddl = sql::ddl(&t.text);
        for op in ddl.ops {
            self.ops.push(op.map_span(|r| t.span(r)));
        }
    }

    fn table_create(&mut self, c: &Chain<'_>) {
        let mut table: Option<(String, Span)> = None;
        let mut columns: Vec<(String, Span)> = Vec::new();
        let mut primary_key: Vec<String> = Vec::new();
        let mut unique: Vec<Vec<String>> = Vec::new();
        let mut not_null: Vec<String> = Vec::new();
        let mut foreign_keys: Vec<ForeignKey> = Vec::new();
        let mut indexes: Vec<IndexInfo> = Vec::new();
        let mut rest: Vec<&Expr> = Vec::new();
        for m in &c.methods {
            let arg = m.args.first();
            match m.method.to_string().as_str() {
                "table" => {
                    if let Some(t) = arg.and_then(|a| self.table_ref(a)) {
                        table = Some(t);
                    }
                }
                "col" | "column" => {
                    let Some(a) = arg else { continue };
                    match self.column_def(a) {
                        Some(ci) => {
                            if ci.primary && !primary_key.contains(&ci.name) {
                                primary_key.push(ci.name.clone());
                            }
                            if ci.unique {
                                unique.push(vec![ci.name.clone()]);
                            }
                            if ci.not_null && !not_null.contains(&ci.name) {
                                not_null.push(ci.name.clone());
                            }
                            if !columns.iter().any(|(n, _)| *n == ci.name) {
                                columns.push((ci.name, ci.span));
                            }
                        }
                        None => rest.push(a),
                    }
                }
                "primary_key" | "index" => {
                    let Some(a) = arg else { continue };
                    match chain(a).filter(|ic| ic.root == Root::IndexCreate) {
                        Some(ic) => {
                            let span = ic.root_span;
                            let mut info = self.index_info(&ic, span);
                            if m.method == "primary_key" {
                                info.primary = true;
                            }
                            if info.primary {
                                for col in &info.columns {
                                    if !primary_key.contains(col) {
                                        primary_key.push(col.clone());
                                    }
                                }
                            } else {
                                if info.unique {
                                    unique.push(info.columns.clone());
                                }
                                indexes.push(info);
                            }
                            // Arguments of the nested chain may hold more chains.
                            for im in &ic.methods {
                                rest.extend(im.args.iter());
                            }
                        }
                        None => rest.push(a),
                    }
                }
                "foreign_key" => {
                    let Some(a) = arg else { continue };
                    match chain(a).filter(|fc| fc.root == Root::ForeignKeyCreate) {
                        Some(fc) => foreign_keys.extend(self.foreign_key(&fc).map(|(_, k)| k)),
                        None => rest.push(a),
                    }
                }
                _ => rest.extend(m.args.iter()),
            }
        }
        for c in &primary_key {
            if !not_null.contains(c) {
                not_null.push(c.clone());
            }
        }
        let (table, span) = match table {
            Some(t) => t,
            None => {
                // No table named (or an entity from another file): the
                // statement cannot be placed.
                self.visit_rest(&rest);
                return;
            }
        };
        self.ops.push(SchemaOp::CreateTable {
            table: table.clone(),
            span,
            columns,
            primary_key,
            unique,
            not_null,
            foreign_keys,
            partition_of: None,
            keyless: false,
        });
        for ix in indexes {
            self.ops.push(SchemaOp::CreateIndex {
                name: ix.name,
                table: ix.table.unwrap_or_else(|| table.clone()),
                columns: ix.columns,
                unique: ix.unique,
                partial: ix.partial,
                span: ix.span,
            });
        }
        self.visit_rest(&rest);
    }

    fn visit_rest(&mut self, rest: &[&Expr]) {
        for e in rest {
            self.visit_expr(e);
        }
    }

    fn handle_chain(&mut self, c: &Chain<'_>) {
        let mut rest: Vec<&Expr> = Vec::new();
        match c.root {
            Root::TableCreate => {
                self.table_create(c);
                return;
            }
            Root::IndexCreate => {
                let info = self.index_info(c, c.root_span);
                if let Some(table) = info.table {
                    self.ops.push(SchemaOp::CreateIndex {
                        name: info.name,
                        table,
                        columns: info.columns,
                        unique: info.unique || info.primary,
                        partial: info.partial,
                        span: info.span,
                    });
                }
                for m in &c.methods {
                    rest.extend(m.args.iter());
                }
            }
            Root::IndexDrop => {
                for m in &c.methods {
                    if m.method == "name" {
                        if let Some(s) = m.args.first().and_then(|a| self.string(a)) {
                            self.ops.push(SchemaOp::DropIndex {
                                name: s.to_lowercase(),
                            });
                        }
                    } else {
                        rest.extend(m.args.iter());
                    }
                }
            }
            Root::TableDrop => {
                for m in &c.methods {
                    if m.method == "table" {
                        if let Some((t, _)) = m.args.first().and_then(|a| self.table_ref(a)) {
                            self.ops.push(SchemaOp::DropTable { table: t });
                        }
                    } else {
                        rest.extend(m.args.iter());
                    }
                }
            }
            Root::TableRename => {
                for m in &c.methods {
                    if m.method == "table" && m.args.len() == 2 {
                        let from = m.args.first().and_then(|a| self.table_ref(a));
                        let to = m.args.get(1).and_then(|a| self.table_ref(a));
                        if let (Some((from, _)), Some((to, _))) = (from, to) {
                            self.ops.push(SchemaOp::RenameTable { from, to });
                        }
                    } else {
                        rest.extend(m.args.iter());
                    }
                }
            }
            Root::TableAlter => self.table_alter(c, &mut rest),
            Root::ForeignKeyCreate => {
                if let Some((table, fk)) = self.foreign_key(c) {
                    self.ops.push(SchemaOp::AddForeignKey { table, fk });
                }
                for m in &c.methods {
                    rest.extend(m.args.iter());
                }
            }
        }
        self.visit_rest(&rest);
    }

    fn table_alter<'a>(&mut self, c: &Chain<'a>, rest: &mut Vec<&'a Expr>) {
        enum Act {
            Add(String, Span, bool),
            Drop(String),
            Rename(String, String),
        }
        let mut table: Option<String> = None;
        let mut acts: Vec<Act> = Vec::new();
        for m in &c.methods {
            let arg = m.args.first();
            match m.method.to_string().as_str() {
                "table" => {
                    if let Some((t, _)) = arg.and_then(|a| self.table_ref(a)) {
                        table = Some(t);
                    }
                }
                "add_column" | "add_column_if_not_exists" => {
                    match arg.and_then(|a| self.column_def(a)) {
                        Some(ci) => acts.push(Act::Add(ci.name, ci.span, ci.not_null)),
                        None => rest.extend(m.args.iter()),
                    }
                }
                "drop_column" => {
                    if let Some((n, _, false)) = arg.and_then(|a| self.iden(a)) {
                        acts.push(Act::Drop(n));
                    }
                }
                "rename_column" => {
                    let from = arg.and_then(|a| self.iden(a));
                    let to = m.args.get(1).and_then(|a| self.iden(a));
                    if let (Some((from, _, false)), Some((to, _, false))) = (from, to) {
                        acts.push(Act::Rename(from, to));
                    }
                }
                _ => rest.extend(m.args.iter()),
            }
        }
        let Some(table) = table else { return };
        let ops: Vec<SchemaOp> = acts
            .into_iter()
            .map(|a| match a {
                Act::Add(column, span, not_null) => SchemaOp::AddColumn {
                    table: table.clone(),
                    column,
                    span,
                    not_null,
                    nullable_type: false,
                },
                Act::Drop(column) => SchemaOp::DropColumn {
                    table: table.clone(),
                    column,
                },
                Act::Rename(from, to) => SchemaOp::RenameColumn {
                    table: table.clone(),
                    from,
                    to,
                },
            })
            .collect();
        self.ops.extend(ops);
    }
}

impl<'ast> Visit<'ast> for Walker {
    // Test code does not migrate the schema.
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if self.include_tests
            || !crate::parse::is_test_attr(crate::parse::item_attrs(i))
        {
            syn::visit::visit_item(self, i);
        }
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        if self.include_tests
            || !crate::parse::is_test_attr(crate::parse::impl_item_attrs(i))
        {
            syn::visit::visit_impl_item(self, i);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if f.sig.ident != "down" {
            self.body(f.sig.ident.to_string(), |w| syn::visit::visit_item_fn(w, f));
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if f.sig.ident != "down" {
            self.body(f.sig.ident.to_string(), |w| {
                syn::visit::visit_impl_item_fn(w, f);
            });
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if f.sig.ident != "down" {
            syn::visit::visit_trait_item_fn(self, f);
        }
    }

    // Statements outside function bodies (consts, statics) are not run.
    fn visit_item_const(&mut self, _: &'ast syn::ItemConst) {}

    fn visit_item_static(&mut self, _: &'ast syn::ItemStatic) {}

    fn visit_expr(&mut self, e: &'ast Expr) {
        if matches!(e, Expr::MethodCall(_) | Expr::Call(_)) {
            if let Some(c) = chain(e) {
                self.handle_chain(&c);
                return;
            }
        }
        // Another function of the file: expanded here when the migration
        // runs (`in_call_order`); an index helper makes its index here.
        let callee = match e {
            Expr::Call(c) => match peel(&c.func) {
                Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            },
            Expr::MethodCall(m) if matches!(peel(&m.receiver), Expr::Path(p) if p.path.is_ident("self")) => {
                Some(m.method.to_string())
            }
            _ => None,
        };
        if let Some(callee) = callee.filter(|c| self.local_fns.contains(c)) {
            if let (Some(h), Expr::Call(c)) = (self.index_helpers.get(&callee).cloned(), e) {
                self.index_helper_call(&h, c);
                return;
            }
            self.calls.push((self.ops.len(), callee));
        }
        // A branch for another backend (`if backend == DbBackend::Sqlite`,
        // a `Sqlite =>` arm) does not change the PostgreSQL schema.
        match e {
            Expr::If(i) if other_backend(&i.cond) => {
                if let Some((_, els)) = &i.else_branch {
                    self.visit_expr(els);
                }
                return;
            }
            Expr::Match(m) => {
                self.visit_expr(&m.expr);
                for arm in &m.arms {
                    let pat = quote::ToTokens::to_token_stream(&arm.pat).to_string();
                    if !names_other_backend(&pat) {
                        self.visit_arm(arm);
                    }
                }
                return;
            }
            _ => {}
        }
        match e {
            Expr::MethodCall(m) if m.method == "execute_unprepared" => {
                if let Some(a) = m.args.first() {
                    self.raw_sql(a);
                }
            }
            Expr::Call(_) => {
                if let Some((c, _, segs)) = call_path(e) {
                    if let [.., ty, f] = segs.as_slice() {
                        if ty == "Statement"
                            && matches!(f.as_str(), "from_string" | "from_sql_and_values")
                        {
                            if let Some(a) = c.args.get(1) {
                                self.raw_sql(a);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        syn::visit::visit_expr(self, e);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // `vec![Table::create()..]`, `println!(..)`: expression arguments.
        for a in sqltext::macro_args(m) {
            self.visit_expr(&a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(src: &str) -> Vec<SchemaOp> {
        extract(&syn::parse_file(src).expect("test source parses"), false)
    }

    const CREATE: &str = r#"
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Documents::Id).uuid().not_null())
                    .col(ColumnDef::new(Documents::OrgId).uuid().not_null())
                    .col(ColumnDef::new(Documents::Title).string().not_null().unique_key())
                    .col(ColumnDef::new(Documents::CreatedAt).timestamp_with_time_zone())
                    .primary_key(Index::create().col(Documents::OrgId).col(Documents::Id))
                    .index(
                        Index::create()
                            .unique()
                            .name("uq-documents-org-title")
                            .col(Documents::OrgId)
                            .col(Documents::Title),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Documents::Table, Documents::OrgId)
                            .to(Orgs::Table, Orgs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx-documents-org-created")
                    .table(Documents::Table)
                    .col(Documents::OrgId)
                    .col((Documents::CreatedAt, IndexOrder::Desc))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    OrgId,
    Title,
    CreatedAt,
}
"#;

    #[test]
    fn create_table_with_composite_pk_and_indexes() {
        let ops = ops(CREATE);
        assert_eq!(ops.len(), 3, "{ops:#?}");
        let SchemaOp::CreateTable {
            table,
            span,
            columns,
            primary_key,
            unique,
            ..
        } = &ops[0]
        else {
            panic!("{ops:#?}")
        };
        assert_eq!(table, "documents");
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["id", "org_id", "title", "created_at"]);
        assert_eq!(primary_key, &["org_id", "id"]);
        assert_eq!(
            unique,
            &vec![
                vec!["title".to_string()],
                vec!["org_id".to_string(), "title".to_string()]
            ]
        );
        // `Documents::Table` on line 13 (the text starts with a line break,
        // so `use` is line 2); `Documents::OrgId` column on line 16.
        assert_eq!(span.start.line, 13);
        assert_eq!(span.start.col, 27);
        assert_eq!(columns[1].1.start.line, 16);
        match &ops[1] {
            SchemaOp::CreateIndex {
                name,
                table,
                columns,
                unique,
                partial,
                span,
            } => {
                assert_eq!(name.as_deref(), Some("uq-documents-org-title"));
                assert_eq!(table, "documents");
                assert_eq!(columns, &["org_id", "title"]);
                assert!(*unique && !*partial);
                assert_eq!(span.start.line, 21);
            }
            other => panic!("{other:?}"),
        }
        match &ops[2] {
            SchemaOp::CreateIndex {
                name,
                table,
                columns,
                unique,
                partial,
                span,
            } => {
                assert_eq!(name.as_deref(), Some("idx-documents-org-created"));
                assert_eq!(table, "documents");
                assert_eq!(columns, &["org_id", "created_at"], "tuple with IndexOrder");
                assert!(!*unique && !*partial);
                assert_eq!(span.start.line, 37);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn down_is_ignored() {
        assert!(!ops(CREATE)
            .iter()
            .any(|o| matches!(o, SchemaOp::DropTable { .. })));
    }

    #[test]
    fn helper_style_columns() {
        let ops = ops(r#"
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(
            Table::create()
                .table(Projects::Table)
                .col(pk_auto(Projects::Id))
                .col(uuid(Projects::TenantId))
                .col(string_uniq(Projects::Slug))
                .col(string_null(Projects::Title))
                .col(timestamp_with_time_zone(Projects::CreatedAt).default(Expr::current_timestamp()))
                .to_owned(),
        ).await
    }
}
#[derive(DeriveIden)]
enum Projects { Table, Id, TenantId, Slug, Title, CreatedAt }
"#);
        let [SchemaOp::CreateTable {
            table,
            columns,
            primary_key,
            unique,
            ..
        }] = ops.as_slice()
        else {
            panic!("{ops:#?}")
        };
        assert_eq!(table, "projects");
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["id", "tenant_id", "slug", "title", "created_at"]);
        assert_eq!(primary_key, &["id"]);
        assert_eq!(unique, &vec![vec!["slug".to_string()]]);
        assert_eq!(columns[1].1.start.line, 8);
    }

    #[test]
    fn pk_uuid_and_let_bound_statement() {
        let ops = ops(r#"
async fn up(manager: &SchemaManager) -> Result<(), DbErr> {
    let stmt = Table::create()
        .table(Alias::new("Audit_Log"))
        .col(pk_uuid(Alias::new("id")))
        .col(uuid(Alias::new("org_id")))
        .to_owned();
    manager.create_table(stmt).await
}
"#);
        let [SchemaOp::CreateTable {
            table,
            span,
            columns,
            primary_key,
            unique,
            ..
        }] = ops.as_slice()
        else {
            panic!("{ops:#?}")
        };
        assert_eq!(table, "audit_log", "Alias names are literal, lowercased");
        assert_eq!((span.start.line, span.start.col), (4, 26));
        assert_eq!(primary_key, &["id"]);
        assert!(unique.is_empty());
        assert_eq!(columns[0].1.start.line, 5);
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["id", "org_id"]);
    }

    #[test]
    fn alter_add_drop_rename_column() {
        let ops = ops(r#"
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Invoices::Table)
                    .add_column(ColumnDef::new(Invoices::OrgId).uuid().not_null())
                    .add_column_if_not_exists(big_integer_null(Invoices::Total))
                    .drop_column(Invoices::Legacy)
                    .rename_column(Invoices::Amt, Invoices::Amount)
                    .to_owned(),
            )
            .await
    }
}
#[derive(DeriveIden)]
enum Invoices { Table, OrgId, Total, Legacy, Amt, Amount }
"#);
        assert_eq!(ops.len(), 4, "{ops:#?}");
        match &ops[0] {
            SchemaOp::AddColumn {
                table,
                column,
                span,
                not_null,
                ..
            } => {
                assert!(not_null);
                assert_eq!((table.as_str(), column.as_str()), ("invoices", "org_id"));
                assert_eq!(span.start.line, 8);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&ops[1], SchemaOp::AddColumn { column, .. } if column == "total"));
        assert_eq!(
            ops[2],
            SchemaOp::DropColumn {
                table: "invoices".into(),
                column: "legacy".into()
            }
        );
        assert_eq!(
            ops[3],
            SchemaOp::RenameColumn {
                table: "invoices".into(),
                from: "amt".into(),
                to: "amount".into()
            }
        );
    }

    #[test]
    fn rename_and_drop_table_and_index() {
        let ops = ops(r#"
async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
    manager.rename_table(Table::rename().table(Docs::Table, Documents::Table).to_owned()).await?;
    manager.drop_table(Table::drop().table(OldThings::Table).if_exists().to_owned()).await?;
    manager.drop_index(Index::drop().name("IDX-old").table(Documents::Table).to_owned()).await
}
"#);
        assert_eq!(
            ops,
            vec![
                SchemaOp::RenameTable {
                    from: "docs".into(),
                    to: "documents".into()
                },
                SchemaOp::DropTable {
                    table: "old_things".into()
                },
                SchemaOp::DropIndex {
                    name: "idx-old".into()
                },
            ]
        );
    }

    #[test]
    fn iden_overrides() {
        let ops = ops(r#"
fn up() {
    let a = Table::create().table(Documents::Table).col(ColumnDef::new(Documents::OrgId)).col(ColumnDef::new(Documents::Id)).to_owned();
    let b = Table::create().table(Notes::Table).col(ColumnDef::new(Notes::TenantRef)).to_owned();
    let c = Table::create().table(Tags::Table).col(ColumnDef::new(Tags::Id)).to_owned();
    let d = Table::create().table(Users::Table).col(ColumnDef::new(Users::Id)).to_owned();
}
#[derive(DeriveIden)]
#[sea_orm(iden = "Docs")]
enum Documents { Table, #[sea_orm(iden = "organization_id")] OrgId, Id }
#[derive(DeriveIden)]
enum Notes { #[sea_orm(iden = "note")] Table, #[sea_orm(iden = "tenant")] TenantRef }
#[derive(Iden)]
#[iden = "labels"]
enum Tags { Table, #[iden = "tag_id"] Id }
"#);
        let summary: Vec<(String, Vec<String>)> = ops
            .iter()
            .filter_map(|o| match o {
                SchemaOp::CreateTable { table, columns, .. } => Some((
                    table.clone(),
                    columns.iter().map(|(n, _)| n.clone()).collect(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "docs".to_string(),
                    vec!["organization_id".to_string(), "id".to_string()]
                ),
                ("note".to_string(), vec!["tenant".to_string()]),
                ("labels".to_string(), vec!["tag_id".to_string()]),
                // No enum in this file: snake case of the names.
                ("users".to_string(), vec!["id".to_string()]),
            ]
        );
    }

    #[test]
    fn partial_and_desc_index() {
        let ops = ops(r#"
async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
    manager.create_index(
        Index::create()
            .name("uq-members-org-email")
            .table(Members::Table)
            .col(Members::OrgId)
            .col((Members::Email, IndexOrder::Desc))
            .unique()
            .and_where(Expr::col(Members::DeletedAt).is_null())
            .to_owned(),
    ).await
}
"#);
        let [SchemaOp::CreateIndex {
            name,
            table,
            columns,
            unique,
            partial,
            ..
        }] = ops.as_slice()
        else {
            panic!("{ops:#?}")
        };
        assert_eq!(name.as_deref(), Some("uq-members-org-email"));
        assert_eq!(table, "members");
        assert_eq!(columns, &["org_id", "email"]);
        assert!(*unique && *partial);
    }

    #[test]
    fn raw_sql_enable_rls_and_policy() {
        let src = r##"
const POLICY: &str = "CREATE POLICY tenant_isolation ON documents USING (org_id = current_setting('app.org')::uuid)";
async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared("ALTER TABLE documents ENABLE ROW LEVEL SECURITY").await?;
    db.execute_unprepared(POLICY).await?;
    db.execute(Statement::from_string(
        manager.get_database_backend(),
        r#"CREATE INDEX idx_docs_org ON documents (org_id)"#.to_owned(),
    ))
    .await?;
    Ok(())
}
async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
    manager.get_connection().execute_unprepared("ALTER TABLE documents DISABLE ROW LEVEL SECURITY; DROP TABLE documents").await?;
    Ok(())
}
"##;
        let ops = ops(src);
        assert_eq!(ops.len(), 3, "{ops:#?}");
        assert_eq!(
            ops[0],
            SchemaOp::EnableRls {
                table: "documents".into(),
                force: false
            }
        );
        assert!(
            matches!(&ops[1], SchemaOp::CreatePolicy { table, text } if table == "documents" && text.contains("org_id"))
        );
        match &ops[2] {
            SchemaOp::CreateIndex {
                name,
                table,
                columns,
                span,
                ..
            } => {
                assert_eq!(name.as_deref(), Some("idx_docs_org"));
                assert_eq!(table, "documents");
                assert_eq!(columns, &["org_id"]);
                assert_eq!(span.start.line, 9);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn raw_create_table_spans_inside_literal() {
        let ops = ops(
            "fn up(db: &DatabaseConnection) {\n    db.execute_unprepared(\n        \"CREATE TABLE items (id uuid PRIMARY KEY, org_id uuid NOT NULL)\",\n    );\n}\n",
        );
        let [SchemaOp::CreateTable {
            table,
            span,
            columns,
            primary_key,
            ..
        }] = ops.as_slice()
        else {
            panic!("{ops:#?}")
        };
        assert_eq!(table, "items");
        assert_eq!(primary_key, &["id"]);
        assert_eq!(span.start.line, 3);
        assert_eq!(span.start.col, 9 + "CREATE TABLE ".len() as u32);
        assert_eq!(columns[1].0, "org_id");
    }

    #[test]
    fn manual_iden_impl_and_glob_variants() {
        let ops = ops(r#"
use Accounts::*;
pub enum Accounts { Table, Id, OrgId }
impl Iden for Accounts {
    fn unquoted(&self, s: &mut dyn Write) {
        write!(s, "{}", match self {
            Self::Table => "account",
            Self::Id => "id",
            Self::OrgId => "organisation",
        }).unwrap();
    }
}
fn up() {
    Table::create().table(Accounts::Table).col(ColumnDef::new(Id)).col(ColumnDef::new(OrgId)).to_owned();
}
"#);
        let [SchemaOp::CreateTable { table, columns, .. }] = ops.as_slice() else {
            panic!("{ops:#?}")
        };
        assert_eq!(table, "account");
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["id", "organisation"]);
    }

    #[test]
    fn odd_input_does_not_panic() {
        let ops = ops(r#"
fn up() {
    Table::create();
    Table::create().table(document::Entity).col(ColumnDef::new(document::Column::Id));
    Index::create().col(X::Y);
    Table::alter().add_column(1);
    Table::rename().table(A::Table);
    Index::drop().name(name);
    Table::create().table().col().primary_key().index(5);
    db.execute_unprepared("not sql");
    db.execute_unprepared("CREATE TABLE (");
    Statement::from_string();
    vec![Table::drop().table(Gone::Table)];
}
"#);
        assert_eq!(
            ops,
            vec![SchemaOp::DropTable {
                table: "gone".into()
            }]
        );
    }

    #[test]
    fn up_runs_in_call_order_with_index_helpers_and_no_sqlite_branch() {
        let got = ops(r#"
use sea_orm_migration::prelude::*;
pub struct Migration;
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(queues()).await?;
        for ix in indexes() {
            manager.create_index(ix).await?;
        }
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager.drop_table(Table::drop().table(Queues::Table).to_owned()).await?;
            manager.create_table(queues()).await?;
        }
        match manager.get_database_backend() {
            DbBackend::MySql => manager.drop_index(Index::drop().name("uq_queues_org").to_owned()).await?,
            _ => {}
        }
        Ok(())
    }
}
fn indexes() -> Vec<IndexCreateStatement> {
    vec![unique_index("uq_queues_org", Queues::Table, [Queues::OrgId, Queues::Name])]
}
fn unused() -> TableCreateStatement {
    Table::create().table(Alias::new("never_run")).col(ColumnDef::new(Alias::new("id")).uuid()).to_owned()
}
fn unique_index<T, C, const N: usize>(name: &str, table: T, columns: [C; N]) -> IndexCreateStatement
where T: IntoIden + 'static, C: IntoIden + 'static {
    let mut statement = Index::create();
    statement.if_not_exists().unique().name(name).table(table);
    for column in columns {
        statement.col(column);
    }
    statement.to_owned()
}
fn queues() -> TableCreateStatement {
    Table::create()
        .table(Queues::Table)
        .col(ColumnDef::new(Queues::Id).uuid().not_null().primary_key())
        .col(ColumnDef::new(Queues::OrgId).uuid().not_null())
        .col(ColumnDef::new(Queues::Name).string().not_null())
        .to_owned()
}
#[derive(DeriveIden)]
enum Queues { Table, Id, OrgId, Name }
"#);
        // The table (defined last) before the index (made by a generic
        // helper); nothing from the SQLite or MySQL branch, nor from
        // `unused`.
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(matches!(&got[0], SchemaOp::CreateTable { table, .. } if table == "queues"));
        assert!(matches!(
            &got[1],
            SchemaOp::CreateIndex { name: Some(n), table, columns, unique: true, .. }
                if n == "uq_queues_org" && table == "queues" && columns == &["org_id", "name"]
        ));
    }

}
