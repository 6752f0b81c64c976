//! Extraction of tenant-model facts from one parsed Rust file. Every item
//! is handed to the ORM front ends (`crate::orm::read_item`: Diesel
//! `table!` blocks and model structs, SeaORM entities, relations and
//! re-exports), sea-query migrations to `crate::orm::seaorm::migration`;
//! this visitor adds what is not an ORM's: SQL `CREATE TABLE` in string
//! literals, SQL kept in `const`s, the modules. The facts are plain data;
//! merging them into a [`crate::model::TenantModel`] happens in `model`.

use crate::orm::facts::{ColumnFact, Declared, SourceKind, TableFact};
use crate::parse::item_attrs;
use syn::visit::Visit;
use syn::Ident;

/// Everything one file contributes to the tenant model.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SchemaFacts {
    /// Tables (Diesel) and entities (SeaORM).
    pub tables: Vec<TableFact>,
    /// `pub use super::m::Entity as Alias`: (alias, entity module).
    pub entity_aliases: Vec<(String, String)>,
    /// Model struct name → table module name (`#[diesel(table_name = ..)]`).
    pub row_structs: Vec<(String, String)>,
    /// SeaORM `impl Related<m2::Entity> for Entity { fn via() }` in module
    /// m1: (m1, m2), a relation through a link table.
    pub related_via: Vec<(String, String)>,
    /// Structs with a tenant-column field (`OrgContext { org_id, .. }`):
    /// (struct name, field), filled by [`crate::incremental::prefilter::tenant_structs`].
    /// A parameter of such a type has the tenant in hand.
    pub tenant_types: Vec<(String, String)>,
    /// String `const`s / `static`s that read as SQL, by name, for raw SQL
    /// analysis in other files.
    pub sql_consts: Vec<(String, crate::sql::text::SqlText)>,
    /// Schema changes of a SeaORM (sea-query) migration in this file.
    pub migration_ops: Vec<crate::model::migrations::SchemaOp>,
    /// SeaORM `enum Relation` variants: (module, variant, target module).
    pub relations: Vec<(String, String, String)>,
    /// Foreign keys: ORM declarations, SQL `REFERENCES` in Rust strings,
    /// and (for the migrated schema) the migrations'.
    #[serde(default)]
    pub foreign_keys: Vec<crate::orm::facts::ForeignKeyFact>,
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
            && self.row_structs.is_empty()
            && self.related_via.is_empty()
            && self.relations.is_empty()
            && self.foreign_keys.is_empty()
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
        if !crate::parse::is_test_attr(&m.attrs)
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
    v.facts.migration_ops = crate::orm::seaorm::migration::extract(file, include_tests);
    v.facts
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
        if self.include_tests || !crate::parse::is_test_attr(item_attrs(i)) {
            let mut d = Declared::default();
            crate::orm::read_item(i, &self.module(), &mut d);
            self.facts.tables.append(&mut d.tables);
            self.facts.entity_aliases.append(&mut d.entity_aliases);
            self.facts.row_structs.append(&mut d.row_structs);
            self.facts.related_via.append(&mut d.related_via);
            self.facts.relations.append(&mut d.relations);
            self.facts.foreign_keys.append(&mut d.foreign_keys);
            syn::visit::visit_item(self, i);
        }
    }

    // Declarations the front ends read whole: their insides (attributes,
    // field types) hold no schema of their own.
    fn visit_item_macro(&mut self, _: &'ast syn::ItemMacro) {}
    fn visit_item_struct(&mut self, _: &'ast syn::ItemStruct) {}
    fn visit_item_enum(&mut self, _: &'ast syn::ItemEnum) {}
    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}

    // An impl's methods may create tables at start-up (`fn create_table(&self)
    // { sqlx::query("CREATE TABLE ..") }`): their bodies' strings count; test
    // methods do not.
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if self.include_tests || !crate::parse::is_test_attr(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.modules.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.modules.pop();
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.sql_const(&c.ident, &c.expr);
        syn::visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, c: &'ast syn::ItemStatic) {
        self.sql_const(&c.ident, &c.expr);
        syn::visit::visit_item_static(self, c);
    }

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        // Some projects create their tables at start-up.
        let value = lit.value();
        if !value.to_ascii_lowercase().contains("create table") {
            return;
        }
        let Some(text) = crate::sql::text::literal(lit) else {
            return;
        };
        for op in crate::sql::ddl(&text.text).ops {
            if let crate::sql::SchemaOp::CreateTable {
                table,
                span: range,
                columns,
                primary_key,
                not_null,
                foreign_keys,
                ..
            } = op
            {
                for fk in foreign_keys {
                    self.facts
                        .foreign_keys
                        .push(crate::orm::facts::ForeignKeyFact {
                            table: table.clone(),
                            columns: fk.columns,
                            target: fk.target,
                            target_columns: fk.target_columns,
                            rust: false,
                            span: text.span(range.clone()),
                            kind: SourceKind::Sql,
                        });
                }
                self.facts.tables.push(TableFact {
                    rust: table.clone(),
                    sql: table,
                    kind: SourceKind::Sql,
                    columns: columns
                        .into_iter()
                        .map(|(c, r)| ColumnFact {
                            nullable: Some(!not_null.contains(&c)),
                            rust: c.clone(),
                            sql: c,
                            span: text.span(r),
                            file: None,
                        })
                        .collect(),
                    primary_key,
                    span: text.span(range),
                    keyless: false,
                });
            }
        }
    }
}

impl SchemaVisitor<'_> {
    fn sql_const(&mut self, name: &Ident, e: &syn::Expr) {
        if let Some(t) = crate::sql::text::const_text(e, self.dir) {
            if t.looks_like_sql() {
                self.facts.sql_consts.push((name.to_string(), t));
            }
        }
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
            model.table_module_columns["documents"],
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
