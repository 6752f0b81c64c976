//! Extraction of tenant-model facts from one parsed Rust file: Diesel
//! `table!` declarations, SeaORM `DeriveEntityModel` entities, prelude
//! re-exports (`pub use super::document::Entity as Document`), Diesel model
//! structs (`#[diesel(table_name = ..)]`) and SeaORM `Related` impls that go
//! through a link table (`fn via()`). The facts are plain data; merging
//! them into a [`crate::model::TenantModel`] happens in `model`.

use crate::diagnostic::Span;
use syn::parse::{Parse, ParseStream};
use syn::visit::Visit;
use syn::{Attribute, Ident, Token};

/// One column of a declared table.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ColumnFact {
    /// Name used in Rust code (`kind`, `tenant_id`).
    pub rust: String,
    /// Name in the database (`type`, `tenant_id`).
    pub sql: String,
    /// Where it is declared.
    pub span: Span,
    /// The file of the declaration when it is not the table's (a column
    /// added by a later migration).
    pub file: Option<crate::diagnostic::FileId>,
}

/// Where a table declaration came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SourceKind {
    /// Diesel `table!`.
    Diesel,
    /// SeaORM `DeriveEntityModel`.
    SeaOrm,
    /// SQL `CREATE TABLE` (migrations, schema dumps, SQL in Rust strings).
    Sql,
}

/// A table declared in Rust.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TableFact {
    /// Diesel table module name, or SeaORM entity module name.
    pub rust: String,
    /// Table name in the database.
    pub sql: String,
    /// Which declaration style.
    pub kind: SourceKind,
    /// Declared columns.
    pub columns: Vec<ColumnFact>,
    /// Primary-key columns (Rust names), when declared.
    pub primary_key: Vec<String>,
    /// The table's name in the declaration.
    pub span: Span,
}

/// Everything one file contributes to the tenant model.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SchemaFacts {
    /// Tables (Diesel) and entities (SeaORM).
    pub tables: Vec<TableFact>,
    /// `pub use super::m::Entity as Alias`: (alias, entity module).
    pub entity_aliases: Vec<(String, String)>,
    /// Diesel model struct name → table module name.
    pub diesel_structs: Vec<(String, String)>,
    /// SeaORM `impl Related<m2::Entity> for Entity { fn via() }` in module
    /// m1: (m1, m2), a relation through a link table.
    pub related_via: Vec<(String, String)>,
    /// Structs with a tenant-column field (`OrgContext { org_id, .. }`):
    /// (struct name, field), filled by [`crate::prefilter::tenant_structs`].
    /// A parameter of such a type has the tenant in hand.
    pub tenant_types: Vec<(String, String)>,
    /// String `const`s / `static`s that read as SQL, by name, for raw SQL
    /// analysis in other files.
    pub sql_consts: Vec<(String, crate::model::sqltext::SqlText)>,
    /// Schema changes of a SeaORM (sea-query) migration in this file.
    pub migration_ops: Vec<crate::model::migrations::SchemaOp>,
    /// SeaORM `enum Relation` variants: (module, variant, target module).
    pub relations: Vec<(String, String, String)>,
    /// Modules this file declares out of line under a test-only `cfg`
    /// (`#[cfg(test)] mod tests;`), as project-relative paths: a file
    /// (`src/sql/tests.rs`) or a directory prefix (`src/sql/tests/`).
    pub test_modules: Vec<String>,
}

impl SchemaFacts {
    /// True when the file contributed nothing.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.entity_aliases.is_empty()
            && self.diesel_structs.is_empty()
            && self.related_via.is_empty()
            && self.relations.is_empty()
            && self.tenant_types.is_empty()
            && self.sql_consts.is_empty()
            && self.migration_ops.is_empty()
            && self.test_modules.is_empty()
    }
}

/// The files of the modules `text` (the file at `rel_path`) declares out
/// of line under a test-only `cfg` (`#[cfg(test)] mod tests;` is
/// `tests.rs` or `tests/mod.rs` beside a `mod.rs`, `lib.rs` or `main.rs`,
/// else in the directory named after the file), as paths relative to the
/// project: the module's file and the prefix of its directory, whose files
/// are its submodules. `#[path]` attributes are not followed.
pub fn test_modules(text: &str, rel_path: &str) -> Vec<String> {
    let b = text.as_bytes();
    let has = |w: &[u8]| memchr::memmem::find(b, w).is_some();
    // Most files with tests have them inline (`mod tests {`): only a file
    // that may declare a module out of line (`mod name;`) is tokenised.
    if !(has(b"test") && has(b"cfg") && declares_mod_out_of_line(b)) {
        return Vec::new();
    }
    let Ok(toks) = crate::rustlex::tokens(text) else {
        return Vec::new();
    };
    use crate::rustlex::Kind;
    let word = |t: &crate::rustlex::Tok| &text[t.range()];
    /// What an open bracket opened.
    enum Frame<'t> {
        /// `mod name {`: an inline module.
        Module(&'t str),
        /// A macro's body (`m! { .. }`, `macro_rules! m { .. }`): not
        /// items of this file.
        Macro,
        Other,
    }
    let mut frames: Vec<Frame> = Vec::new();
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Open(_) => {
                let before = |n: usize| k.checked_sub(n).map(|i| toks[i]);
                let frame = match (before(2), before(1)) {
                    (Some(m), Some(name))
                        if m.kind == Kind::Ident
                            && word(&m) == "mod"
                            && name.kind == Kind::Ident =>
                    {
                        Frame::Module(word(&name))
                    }
                    (_, Some(bang)) if bang.kind == Kind::Punct(b'!') => Frame::Macro,
                    (Some(bang), Some(name))
                        if bang.kind == Kind::Punct(b'!') && name.kind == Kind::Ident =>
                    {
                        Frame::Macro
                    }
                    _ => Frame::Other,
                };
                frames.push(frame);
                continue;
            }
            Kind::Close(_) => {
                frames.pop();
                continue;
            }
            _ => {}
        }
        let decl = t.kind == Kind::Ident
            && word(t) == "mod"
            && toks.get(k + 1).is_some_and(|n| n.kind == Kind::Ident)
            && toks.get(k + 2).is_some_and(|n| n.kind == Kind::Punct(b';'));
        if !decl || frames.iter().any(|f| matches!(f, Frame::Macro)) {
            continue;
        }
        // Back over the visibility and the outer attributes.
        let mut start = k;
        loop {
            match start.checked_sub(1).map(|i| (i, toks[i])) {
                Some((i, p)) if p.kind == Kind::Ident && word(&p) == "pub" => start = i,
                Some((i, p)) if p.kind == Kind::Close(b')') || p.kind == Kind::Close(b']') => {
                    let (open, close) = if p.kind == Kind::Close(b')') {
                        (b'(', b')')
                    } else {
                        (b'[', b']')
                    };
                    let mut depth = 0usize;
                    let mut j = i;
                    let found = loop {
                        match toks[j].kind {
                            Kind::Close(c) if c == close => depth += 1,
                            Kind::Open(c) if c == open => {
                                depth -= 1;
                                if depth == 0 {
                                    break Some(j);
                                }
                            }
                            _ => {}
                        }
                        if j == 0 {
                            break None;
                        }
                        j -= 1;
                    };
                    let Some(j) = found else { break };
                    if open == b'[' {
                        // `#[..]` (or `#![..]`, which belongs to the file).
                        match j.checked_sub(1).map(|i| toks[i].kind) {
                            Some(Kind::Punct(b'#')) => start = j - 1,
                            _ => break,
                        }
                    } else {
                        // `pub(crate)`, `pub(in path)`.
                        match j.checked_sub(1).map(|i| (i, toks[i])) {
                            Some((i, q)) if q.kind == Kind::Ident && word(&q) == "pub" => start = i,
                            _ => break,
                        }
                    }
                }
                _ => break,
            }
        }
        let item = &text[toks[start].start as usize..toks[k + 2].end as usize];
        let Ok(m) = syn::parse_str::<syn::ItemMod>(item) else {
            continue;
        };
        // With `#[path]` the file is elsewhere: better none than the
        // wrong one set aside.
        if !crate::model::queries::is_test_attr(&m.attrs)
            || m.attrs.iter().any(|a| a.path().is_ident("path"))
        {
            continue;
        }
        let name = word(&toks[k + 1]);
        let name = name.strip_prefix("r#").unwrap_or(name);
        let (dir, file) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
        let stem = file.strip_suffix(".rs").unwrap_or(file);
        // `mod.rs` owns its directory, and so does a crate root
        // (`src/lib.rs`, `src/main.rs`, `src/bin/x.rs`); another file owns
        // the directory named after it.
        let crate_root = matches!(stem, "lib" | "main")
            && (dir.is_empty() || dir == "src" || dir.ends_with("/src"))
            || dir == "src/bin"
            || dir.ends_with("/src/bin");
        let mut base = dir.to_string();
        if stem != "mod" && !crate_root {
            if !base.is_empty() {
                base.push('/');
            }
            base.push_str(stem);
        }
        for f in &frames {
            if let Frame::Module(m) = f {
                if !base.is_empty() {
                    base.push('/');
                }
                base.push_str(m.strip_prefix("r#").unwrap_or(m));
            }
        }
        let prefix = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/")
        };
        out.push(format!("{prefix}{name}.rs"));
        out.push(format!("{prefix}{name}/"));
    }
    out
}

/// Whether the bytes hold `mod name;` (blanks allowed around the name),
/// in code or not: a cheap test before the token scan, which decides.
/// A comment inside the declaration (`mod /* .. */ x;`) hides it; the file
/// is then analysed as it was before test modules were set aside.
fn declares_mod_out_of_line(b: &[u8]) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    memchr::memmem::find_iter(b, b"mod").any(|at| {
        if at > 0 && word(b[at - 1]) {
            return false;
        }
        let mut i = at + 3;
        let blank = |i: &mut usize| {
            while *i < b.len() && b[*i].is_ascii_whitespace() {
                *i += 1;
            }
        };
        let start = i;
        blank(&mut i);
        if i == start {
            return false;
        }
        let name = i;
        while i < b.len() && (word(b[i]) || b[i] == b'#') {
            i += 1;
        }
        if i == name {
            return false;
        }
        blank(&mut i);
        b.get(i) == Some(&b';')
    })
}

/// Whether the file at `rel` is one of `test_modules` (or below one).
pub fn in_test_module(rel: &str, test_modules: &[String]) -> bool {
    test_modules.iter().any(|m| {
        if m.ends_with('/') {
            rel.starts_with(m.as_str())
        } else {
            rel == m
        }
    })
}

/// Module name of a file as Rust sees it (`src/entities/document.rs` →
/// `document`, `src/entities/document/mod.rs` → `document`).
pub fn file_module_name(rel_path: &str) -> String {
    let mut parts: Vec<&str> = rel_path.split('/').collect();
    let file = parts.pop().unwrap_or("");
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    if matches!(stem, "mod" | "lib" | "main") {
        parts.pop().unwrap_or(stem).to_string()
    } else {
        stem.to_string()
    }
}

/// Collects schema facts from a parsed file; `dir` is its directory (for
/// `include_str!`). Test code (`#[cfg(test)]` items, `#[test]` functions)
/// contributes nothing unless `include_tests`.
pub fn extract(
    file: &syn::File,
    rel_path: &str,
    dir: Option<&std::path::Path>,
    include_tests: bool,
) -> SchemaFacts {
    let mut v = SchemaVisitor {
        facts: SchemaFacts::default(),
        modules: vec![file_module_name(rel_path)],
        dir,
        include_tests,
    };
    v.visit_file(file);
    v.facts.migration_ops = crate::model::seaorm_migration::extract(file, include_tests);
    v.facts
}

/// The outer attributes of an item.
pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The attributes of an item in an `impl` block.
pub fn impl_item_attrs(item: &syn::ImplItem) -> &[syn::Attribute] {
    match item {
        syn::ImplItem::Const(i) => &i.attrs,
        syn::ImplItem::Fn(i) => &i.attrs,
        syn::ImplItem::Type(i) => &i.attrs,
        syn::ImplItem::Macro(i) => &i.attrs,
        _ => &[],
    }
}

struct SchemaVisitor<'d> {
    facts: SchemaFacts,
    modules: Vec<String>,
    dir: Option<&'d std::path::Path>,
    include_tests: bool,
}

impl SchemaVisitor<'_> {
    fn module(&self) -> String {
        self.modules.last().cloned().unwrap_or_default()
    }
}

impl<'ast> Visit<'ast> for SchemaVisitor<'_> {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if self.include_tests || !crate::model::queries::is_test_attr(item_attrs(i)) {
            syn::visit::visit_item(self, i);
        }
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        if self.include_tests || !crate::model::queries::is_test_attr(impl_item_attrs(i)) {
            syn::visit::visit_impl_item(self, i);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.modules.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.modules.pop();
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        let is_table = m
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "table");
        if is_table {
            if let Ok(t) = m.mac.parse_body::<TableMacro>() {
                self.facts.tables.extend(t.tables);
            }
        }
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        if has_derive(&s.attrs, "DeriveEntityModel") {
            if let Some(t) = sea_entity(s, &self.module()) {
                self.facts.tables.push(t);
            }
        }
        if let Some(table) = diesel_table_name(&s.attrs) {
            self.facts.diesel_structs.push((s.ident.to_string(), table));
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.sql_const(&c.ident, &c.expr);
        syn::visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, c: &'ast syn::ItemStatic) {
        self.sql_const(&c.ident, &c.expr);
        syn::visit::visit_item_static(self, c);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.sql_const(&c.ident, &c.expr);
        syn::visit::visit_impl_item_const(self, c);
    }

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        // Some projects create their tables at start-up.
        let value = lit.value();
        if !value.to_ascii_lowercase().contains("create table") {
            return;
        }
        let Some(text) = crate::model::sqltext::literal(lit) else {
            return;
        };
        for op in crate::sql::ddl(&text.text).ops {
            if let crate::sql::SchemaOp::CreateTable {
                table,
                span: range,
                columns,
                primary_key,
                ..
            } = op
            {
                self.facts.tables.push(TableFact {
                    rust: table.clone(),
                    sql: table,
                    kind: SourceKind::Sql,
                    columns: columns
                        .into_iter()
                        .map(|(c, r)| ColumnFact {
                            rust: c.clone(),
                            sql: c,
                            span: text.span(r),
                            file: None,
                        })
                        .collect(),
                    primary_key,
                    span: text.span(range),
                });
            }
        }
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        if e.ident != "Relation" {
            return;
        }
        for v in &e.variants {
            let target = ["belongs_to", "has_many", "has_one"]
                .iter()
                .find_map(|k| sea_orm_str(&v.attrs, k));
            if let Some(target) = target {
                let segs: Vec<&str> = target.split("::").collect();
                let module = match segs.as_slice() {
                    [.., m, "Entity"] => m.to_string(),
                    [.., m] => m.to_string(),
                    [] => continue,
                };
                self.facts
                    .relations
                    .push((self.module(), v.ident.to_string(), module));
            }
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if matches!(u.vis, syn::Visibility::Public(_)) {
            collect_entity_aliases(&u.tree, None, &mut self.facts.entity_aliases);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let Some((trait_path, _)) = &i.trait_ else {
            return;
        };
        let Some(last) = trait_path.segments.last() else {
            return;
        };
        if last.ident != "Related" {
            return;
        }
        let has_via = i.items.iter().any(|it| match it {
            syn::ImplItem::Fn(f) => f.sig.ident == "via",
            _ => false,
        });
        if !has_via {
            return;
        }
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
            if let Some(syn::GenericArgument::Type(syn::Type::Path(tp))) = args.args.first() {
                let segs: Vec<String> = tp
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                if segs.len() >= 2 && segs[segs.len() - 1] == "Entity" {
                    let target = segs[segs.len() - 2].clone();
                    self.facts.related_via.push((self.module(), target));
                }
            }
        }
    }
}

impl SchemaVisitor<'_> {
    fn sql_const(&mut self, name: &Ident, e: &syn::Expr) {
        if let Some(t) = crate::model::sqltext::const_text(e, self.dir) {
            if t.looks_like_sql() {
                self.facts.sql_consts.push((name.to_string(), t));
            }
        }
    }
}

fn has_derive(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        if !a.path().is_ident("derive") {
            return false;
        }
        let mut found = false;
        let _ = a.parse_nested_meta(|m| {
            if m.path.segments.last().is_some_and(|s| s.ident == name) {
                found = true;
            }
            Ok(())
        });
        found
    })
}

/// `#[sea_orm(key = "value")]` lookups on an attribute list.
fn sea_orm_str(attrs: &[Attribute], key: &str) -> Option<String> {
    let mut out = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident(key) {
                let lit: syn::LitStr = m.value()?.parse()?;
                out = Some(lit.value());
            } else if m.input.peek(Token![=]) {
                // Skip the value of keys we do not care about.
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

fn sea_orm_flag(attrs: &[Attribute], key: &str) -> bool {
    let mut out = false;
    for a in attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident(key) {
                out = true;
            } else if m.input.peek(Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

fn sea_entity(s: &syn::ItemStruct, module: &str) -> Option<TableFact> {
    let table = sea_orm_str(&s.attrs, "table_name")?;
    let syn::Fields::Named(fields) = &s.fields else {
        return None;
    };
    let mut columns = Vec::new();
    let mut primary_key = Vec::new();
    for f in &fields.named {
        let Some(ident) = &f.ident else { continue };
        if sea_orm_flag(&f.attrs, "ignore") || is_relation_type(&f.ty) {
            continue;
        }
        let rust = unraw(ident);
        if sea_orm_flag(&f.attrs, "primary_key") {
            primary_key.push(rust.clone());
        }
        let sql = sea_orm_str(&f.attrs, "column_name").unwrap_or_else(|| rust.clone());
        columns.push(ColumnFact {
            rust,
            sql,
            span: Span::from_pm2(ident.span()),
            file: None,
        });
    }
    Some(TableFact {
        rust: module.to_string(),
        sql: table,
        kind: SourceKind::SeaOrm,
        columns,
        primary_key,
        span: Span::from_pm2(s.ident.span()),
    })
}

/// SeaORM 2 "dense" entities hold relations as fields; they are not columns.
fn is_relation_type(ty: &syn::Type) -> bool {
    let syn::Type::Path(tp) = ty else {
        return false;
    };
    tp.path.segments.last().is_some_and(|s| {
        matches!(
            s.ident.to_string().as_str(),
            "HasMany" | "HasOne" | "BelongsTo" | "HasManyVia"
        )
    })
}

/// `#[diesel(table_name = documents)]`, `#[diesel(table_name = crate::schema::documents)]`
/// or the Diesel 1 form `#[table_name = "documents"]`.
fn diesel_table_name(attrs: &[Attribute]) -> Option<String> {
    let mut out = None;
    for a in attrs {
        if a.path().is_ident("diesel") {
            let _ = a.parse_nested_meta(|m| {
                if m.path.is_ident("table_name") {
                    let p: syn::Path = m.value()?.parse()?;
                    out = p.segments.last().map(|s| s.ident.to_string());
                } else if m.input.peek(Token![=]) {
                    let _: syn::Expr = m.value()?.parse()?;
                } else if m.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in m.input);
                    let _: proc_macro2::TokenStream = content.parse()?;
                }
                Ok(())
            });
        } else if a.path().is_ident("table_name") {
            if let syn::Meta::NameValue(nv) = &a.meta {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    out = Some(s.value());
                }
            }
        }
    }
    out
}

fn collect_entity_aliases(
    tree: &syn::UseTree,
    parent: Option<&str>,
    out: &mut Vec<(String, String)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            let name = p.ident.to_string();
            collect_entity_aliases(&p.tree, Some(&name), out);
        }
        syn::UseTree::Rename(r) if r.ident == "Entity" => {
            if let Some(m) = parent {
                out.push((r.rename.to_string(), m.to_string()));
            }
        }
        syn::UseTree::Group(g) => {
            for t in &g.items {
                collect_entity_aliases(t, parent, out);
            }
        }
        _ => {}
    }
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

fn sql_name_attr(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| {
        if !a.path().is_ident("sql_name") {
            return None;
        }
        match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        }
    })
}

/// The body of a Diesel `table!` invocation: several tables, optionally
/// preceded by `use` items, each `#[attrs] [schema.]name (pk) { col -> Type, }`.
struct TableMacro {
    tables: Vec<TableFact>,
}

impl Parse for TableMacro {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        use syn::ext::IdentExt;
        let mut tables = Vec::new();
        while !input.is_empty() {
            if input.peek(Token![use]) {
                input.parse::<syn::ItemUse>()?;
                continue;
            }
            let attrs = input.call(Attribute::parse_outer)?;
            let mut name: Ident = input.call(Ident::parse_any)?;
            if input.peek(Token![.]) {
                input.parse::<Token![.]>()?;
                name = input.call(Ident::parse_any)?;
            }
            let mut primary_key = Vec::new();
            if input.peek(syn::token::Paren) {
                let pk;
                syn::parenthesized!(pk in input);
                let cols = pk.parse_terminated(Ident::parse_any, Token![,])?;
                primary_key = cols.iter().map(unraw).collect();
            }
            let body;
            syn::braced!(body in input);
            let mut columns = Vec::new();
            while !body.is_empty() {
                let cattrs = body.call(Attribute::parse_outer)?;
                let col: Ident = body.call(Ident::parse_any)?;
                body.parse::<Token![->]>()?;
                let _ty: syn::Type = body.parse()?;
                if body.peek(Token![,]) {
                    body.parse::<Token![,]>()?;
                }
                let rust = unraw(&col);
                columns.push(ColumnFact {
                    sql: sql_name_attr(&cattrs).unwrap_or_else(|| rust.clone()),
                    rust,
                    span: Span::from_pm2(col.span()),
                    file: None,
                });
            }
            let rust = unraw(&name);
            tables.push(TableFact {
                sql: sql_name_attr(&attrs).unwrap_or_else(|| rust.clone()),
                rust,
                kind: SourceKind::Diesel,
                columns,
                primary_key,
                span: Span::from_pm2(name.span()),
            });
        }
        Ok(TableMacro { tables })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_line_test_modules() {
        let t = |text: &str, rel: &str| test_modules(text, rel);
        assert_eq!(
            t("#[cfg(test)]\nmod tests;\n", "src/sql/mod.rs"),
            ["src/sql/tests.rs", "src/sql/tests/"]
        );
        assert_eq!(
            t(
                "#[cfg(test)] #[allow(dead_code)] pub(crate) mod it;",
                "src/db.rs"
            ),
            ["src/db/it.rs", "src/db/it/"]
        );
        assert_eq!(
            t("#[cfg(test)]\nmod r#async;", "lib.rs"),
            ["async.rs", "async/"]
        );
        // Not test-only, or not out of line.
        assert!(t("#[cfg(not(test))]\nmod real;", "src/lib.rs").is_empty());
        assert!(t(
            "#[cfg(any(test, feature = \"x\"))]\nmod both;",
            "src/lib.rs"
        )
        .is_empty());
        assert!(t("#[cfg(test)]\nmod inline { }\nmod later;", "src/lib.rs").is_empty());
        assert!(t("// #[cfg(test)]\nmod commented;", "src/lib.rs").is_empty());
        assert!(declares_mod_out_of_line(b"pub mod a;\nmod  r#b \n ;"));
        assert!(!declares_mod_out_of_line(
            b"mod tests {\n    fn model() {}\n}\n// mod;"
        ));
        // Found by review: the wrong files were set aside.
        assert!(
            t(
                "macro_rules! m { () => { #[cfg(test)] mod macmod; } }",
                "src/lib.rs"
            )
            .is_empty(),
            "a macro body is not this file's items"
        );
        assert!(
            t(
                "#[cfg(test)]\n#[path = \"helpers_for_tests.rs\"]\nmod support;",
                "src/lib.rs"
            )
            .is_empty(),
            "#[path] is not followed, so nothing is guessed"
        );
        assert_eq!(
            t(
                "mod db {\n    #[cfg(test)]\n    mod tests;\n}\n",
                "src/lib.rs"
            ),
            ["src/db/tests.rs", "src/db/tests/"]
        );
        assert_eq!(
            t("#[cfg(test)] mod api;", "src/handlers/main.rs"),
            ["src/handlers/main/api.rs", "src/handlers/main/api/"],
            "main.rs outside src/ is not a crate root"
        );
        assert_eq!(
            t("#[cfg(test)] mod it;", "src/bin/tool.rs"),
            ["src/bin/it.rs", "src/bin/it/"]
        );
        assert!(in_test_module(
            "src/db/it/helpers.rs",
            &t("#[cfg(test)] mod it;", "src/db.rs")
        ));
        assert!(!in_test_module(
            "src/db/items.rs",
            &t("#[cfg(test)] mod it;", "src/db.rs")
        ));
    }

    #[test]
    fn diesel_table_with_attrs_and_use() {
        let src = r#"
            diesel::table! {
                use diesel::sql_types::*;
                use crate::types::Status;
                /// Documents.
                #[sql_name = "docs"]
                documents (id) {
                    id -> Uuid,
                    #[max_length = 255]
                    title -> Varchar,
                    #[sql_name = "type"]
                    kind -> Nullable<Text>,
                    tenant_id -> Uuid,
                }
                public.plans (id) { id -> Int4, name -> Text }
            }
        "#;
        let f = syn::parse_file(src).unwrap();
        let facts = extract(&f, "src/schema.rs", None, false);
        assert_eq!(facts.tables.len(), 2);
        let d = &facts.tables[0];
        assert_eq!((d.rust.as_str(), d.sql.as_str()), ("documents", "docs"));
        let cols: Vec<_> = d
            .columns
            .iter()
            .map(|c| (c.rust.as_str(), c.sql.as_str()))
            .collect();
        assert_eq!(
            cols,
            [
                ("id", "id"),
                ("title", "title"),
                ("kind", "type"),
                ("tenant_id", "tenant_id")
            ]
        );
        assert_eq!(facts.tables[1].rust, "plans");
        // The model keeps the Rust names of a module's columns even where
        // another declaration of the table (a migration) came first.
        let mut migration = facts.clone();
        migration.tables.truncate(1);
        migration.tables[0].kind = SourceKind::Sql;
        for c in &mut migration.tables[0].columns {
            c.rust.clone_from(&c.sql);
        }
        let model = crate::model::TenantModel::build(
            [(0, &migration), (1, &facts)],
            &crate::config::Config::default(),
        );
        assert!(model.tables["docs"]
            .columns
            .iter()
            .all(|c| c.rust != "kind"));
        assert_eq!(
            model.diesel_columns["documents"],
            ["id", "title", "kind", "tenant_id"]
        );
    }

    #[test]
    fn seaorm_entity_and_prelude() {
        let src = r#"
            #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
            #[sea_orm(table_name = "documents", schema_name = "public")]
            pub struct Model {
                #[sea_orm(primary_key, auto_increment = false)]
                pub id: Uuid,
                #[sea_orm(column_name = "org")]
                pub org_id: Uuid,
                #[sea_orm(ignore)]
                pub cached: String,
                pub tags: HasMany<super::tag::Entity>,
            }
            impl Related<super::tag::Entity> for Entity {
                fn to() -> RelationDef { todo!() }
                fn via() -> Option<RelationDef> { None }
            }
            pub use super::document::Entity as Document;
        "#;
        let f = syn::parse_file(src).unwrap();
        let facts = extract(&f, "src/entities/document.rs", None, false);
        let t = &facts.tables[0];
        assert_eq!((t.rust.as_str(), t.sql.as_str()), ("document", "documents"));
        let cols: Vec<_> = t.columns.iter().map(|c| c.sql.as_str()).collect();
        assert_eq!(cols, ["id", "org"]);
        assert_eq!(
            facts.entity_aliases,
            [("Document".to_string(), "document".to_string())]
        );
        assert_eq!(
            facts.related_via,
            [("document".to_string(), "tag".to_string())]
        );
    }

    #[test]
    fn module_names() {
        assert_eq!(file_module_name("src/entities/document.rs"), "document");
        assert_eq!(file_module_name("src/entities/mod.rs"), "entities");
        assert_eq!(file_module_name("lib.rs"), "lib");
    }
}
