//! Name resolution as far as syntax allows: each file's (and each block's)
//! `use` items, then a path is matched against the tenant model. Resolves
//! `documents::table`, `dsl::documents`, a bare `documents` / `tenant_id`
//! under `use schema::documents::dsl::*`, `dsl` aliases (`pi_dsl::x`),
//! SeaORM `document::Entity`, `Document` (alias or prelude re-export), bare
//! `Entity` / `Column` inside an entity module, and `Column::TenantId`.

use crate::model::TenantModel;
use crate::orm::{camel_case, snake_case, Shape};
use crate::workspace::layout::Layout;
use std::collections::HashMap;

/// The `use` items of one scope.
#[derive(Debug, Default, Clone)]
pub struct UseMap {
    /// Local name → full path.
    pub names: HashMap<String, Vec<String>>,
    /// Paths imported with `::*`.
    pub globs: Vec<Vec<String>>,
    /// Local name → the path as written (`crate`, `self`, `super` kept).
    pub raw: HashMap<String, Vec<String>>,
    /// Paths imported with `::*`, as written.
    pub raw_globs: Vec<Vec<String>>,
    /// The absolute path of the module the items are in (see
    /// [`crate::workspace::layout`]): what their relative paths start from.
    pub module: Vec<String>,
}

impl UseMap {
    /// Adds one `use` item.
    pub fn add(&mut self, tree: &syn::UseTree) {
        self.add_tree(tree, Vec::new(), Vec::new());
    }

    /// Adds the `use` items and plain type aliases (`type Docs =
    /// document::Entity;` names a path just like a `use .. as`) of a list
    /// of items.
    pub fn add_items(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Use(u) => self.add(&u.tree),
                syn::Item::Type(t) if t.generics.params.is_empty() => {
                    if let syn::Type::Path(tp) = &*t.ty {
                        if tp.qself.is_none() {
                            let mut full = Vec::new();
                            let mut raw = Vec::new();
                            for seg in &tp.path.segments {
                                push_seg(&mut full, seg.ident.to_string());
                                raw.push(seg.ident.to_string());
                            }
                            self.names.insert(t.ident.to_string(), full);
                            self.raw.insert(t.ident.to_string(), raw);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Adds one name a `use` item brings, from its path as written (a
    /// token scan's reading): `path` under its last segment or `alias`,
    /// or every name of `path` when `glob`.
    pub fn add_written(&mut self, path: &[String], alias: Option<&str>, glob: bool) {
        let full: Vec<String> = path
            .iter()
            .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super"))
            .cloned()
            .collect();
        if glob {
            self.globs.push(full);
            self.raw_globs.push(path.to_vec());
            return;
        }
        let Some(local) = alias.or(path.last().map(String::as_str)) else {
            return;
        };
        if local == "_" {
            return;
        }
        self.names.insert(local.to_string(), full);
        self.raw.insert(local.to_string(), path.to_vec());
    }

    fn add_tree(&mut self, tree: &syn::UseTree, mut prefix: Vec<String>, mut raw: Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                push_seg(&mut prefix, p.ident.to_string());
                raw.push(p.ident.to_string());
                self.add_tree(&p.tree, prefix, raw);
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last().cloned() {
                        self.names.insert(last.clone(), prefix);
                        self.raw.insert(last, raw);
                    }
                } else {
                    push_seg(&mut prefix, name.clone());
                    raw.push(name.clone());
                    self.names.insert(name.clone(), prefix);
                    self.raw.insert(name, raw);
                }
            }
            syn::UseTree::Rename(r) => {
                let name = r.ident.to_string();
                if name != "self" {
                    push_seg(&mut prefix, name.clone());
                    raw.push(name);
                }
                self.names.insert(r.rename.to_string(), prefix);
                self.raw.insert(r.rename.to_string(), raw);
            }
            syn::UseTree::Glob(_) => {
                self.globs.push(prefix);
                self.raw_globs.push(raw);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.add_tree(t, prefix.clone(), raw.clone());
                }
            }
        }
    }
}

/// `crate`, `self`, `super` and the leading `::` carry no information here.
fn push_seg(prefix: &mut Vec<String>, seg: String) {
    if !matches!(seg.as_str(), "crate" | "self" | "super") {
        prefix.push(seg);
    }
}

/// What a path names, as far as the tenant model is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A table module's table value (Diesel `documents::table`,
    /// `dsl::documents`).
    TableModule(String),
    /// A SeaORM entity type (`document::Entity`, `Document`).
    Entity(String),
    /// A column: table key (None when a bare name could not be placed),
    /// and the column's Rust name.
    Column(Option<String>, String),
    /// Nothing the model knows.
    Unknown,
}

/// The absolute paths that `segs`, a path written in `module`, may name,
/// the likelier first: `crate::`, `self::` and `super::` are followed; a
/// path starting with a plain name is an item of `module` (a child module,
/// an import) or, when a crate of the project has that name, that crate.
pub fn absolute(segs: &[String], module: &[String], layout: &Layout) -> Vec<Vec<String>> {
    let join = |base: &[String], rest: &[String]| -> Vec<String> {
        base.iter().chain(rest).cloned().collect()
    };
    let Some(first) = segs.first() else {
        return Vec::new();
    };
    match first.as_str() {
        "crate" => vec![join(&module[..1.min(module.len())], &segs[1..])],
        "self" => vec![join(module, &segs[1..])],
        "super" => {
            let n = segs.iter().take_while(|s| *s == "super").count();
            let keep = module.len().saturating_sub(n).max(1);
            vec![join(&module[..keep.min(module.len())], &segs[n..])]
        }
        name => {
            let mut out = vec![join(module, segs)];
            if let Some(root) = layout.crate_named(name) {
                let abs = join(&[root.to_string()], &segs[1..]);
                if !out.contains(&abs) {
                    out.push(abs);
                }
            }
            out
        }
    }
}

/// Where the code being analysed sits: the project's crates and the
/// absolute path of the module (see [`crate::workspace::layout`]).
#[derive(Clone, Copy)]
pub struct Place<'a> {
    /// The project's crates.
    pub layout: &'a Layout,
    /// The module the code is in.
    pub module: &'a [String],
}

/// A stack of use scopes plus the entity module the code is in.
pub struct Scope<'a> {
    /// The tenant model.
    pub model: &'a TenantModel,
    /// `use` scopes of the file and enclosing modules, innermost last.
    pub outer: &'a [UseMap],
    /// `use` scopes of enclosing blocks, innermost last.
    pub uses: Vec<UseMap>,
    /// The SeaORM entity module the code sits in, if any.
    pub self_entity: Option<String>,
    /// The module the code is in.
    pub place: Place<'a>,
}

impl<'a> Scope<'a> {
    /// The key of a call to a free function of the workspace by the path
    /// `segs` as written (`get`, `db::alerts::get`, `super::get`): `fn:`
    /// then the absolute paths the call may name, the likelier first, and
    /// last `~` with the path without `crate`/`self`/`super` (for
    /// [`crate::model::summaries::Linker`]). A bare name is the module's
    /// own function or one imported by name, else one a glob import
    /// brings.
    pub fn fn_call_key(&self, segs: &[String]) -> String {
        self.call_key("fn", segs)
    }

    /// The key of a call to a function of a type of the workspace
    /// (`Store::find`, `models::Store::find`): like [`Scope::fn_call_key`],
    /// with `type:`; the type's path resolves as a function's does.
    pub fn type_call_key(&self, segs: &[String]) -> String {
        self.call_key("type", segs)
    }

    fn call_key(&self, kind: &str, segs: &[String]) -> String {
        let (cands, written) = self.candidates(segs);
        let mut key = format!("{kind}:");
        let mut seen: Vec<&Vec<String>> = Vec::new();
        for c in &cands {
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            key.push_str(&c.join("::"));
            key.push('|');
        }
        key.push('~');
        let written: Vec<&str> = written
            .iter()
            .map(String::as_str)
            .filter(|s| !matches!(*s, "crate" | "self" | "super"))
            .collect();
        key.push_str(&written.join("::"));
        key
    }

    /// The absolute paths `segs` may name, the likelier first, and the path
    /// after `use` renames.
    fn candidates(&self, segs: &[String]) -> (Vec<Vec<String>>, Vec<String>) {
        let mut cands: Vec<Vec<String>> = Vec::new();
        let scopes = || self.uses.iter().rev().chain(self.outer.iter().rev());
        let imported = segs
            .first()
            .and_then(|first| scopes().find_map(|u| Some((u.raw.get(first)?, &u.module))));
        match imported {
            Some((target, declared)) => {
                let full: Vec<String> = target.iter().chain(&segs[1..]).cloned().collect();
                cands.extend(absolute(&full, declared, self.place.layout));
                (cands, full)
            }
            None => {
                cands.extend(absolute(segs, self.place.module, self.place.layout));
                // A glob brings the first name (a function, a type, a module).
                let anchored = segs
                    .first()
                    .is_some_and(|f| matches!(f.as_str(), "crate" | "self" | "super"));
                if !anchored {
                    for u in scopes() {
                        for g in &u.raw_globs {
                            for mut c in absolute(g, &u.module, self.place.layout) {
                                c.extend(segs.iter().cloned());
                                cands.push(c);
                            }
                        }
                    }
                }
                (cands, segs.to_vec())
            }
        }
    }

    /// The absolute path of the type an `impl` block in this scope is for
    /// (`impl Store`, `impl models::Store`), as its functions' keys name
    /// it: through an import by name, else in this module. (A type a glob
    /// brings is keyed in this module too: globs are mostly preludes, and a
    /// call naming the type still resolves by its written `Type::f`.)
    pub fn type_def_path(&self, segs: &[String]) -> String {
        let (cands, _) = self.candidates(segs);
        cands.first().map(|c| c.join("::")).unwrap_or_default()
    }

    fn lookup(&self, name: &str) -> Option<&Vec<String>> {
        self.uses
            .iter()
            .rev()
            .chain(self.outer.iter().rev())
            .find_map(|u| u.names.get(name))
    }

    fn globs(&self) -> impl Iterator<Item = &Vec<String>> {
        self.uses
            .iter()
            .rev()
            .chain(self.outer.iter().rev())
            .flat_map(|u| u.globs.iter())
    }

    /// How code in this scope can name column `col` (a Rust name) of a
    /// table, for help text that compiles where it is pasted: through a
    /// `Column` alias or a `dsl` alias or glob this file already imports.
    pub fn column_path(&self, table_key: &str, col: &str, shape: Shape) -> Option<String> {
        let all = || self.uses.iter().rev().chain(self.outer.iter().rev());
        if shape == Shape::Entity {
            let module = self
                .model
                .entity_modules
                .iter()
                .filter(|(_, t)| t.as_str() == table_key)
                .map(|(m, _)| m.as_str())
                .min()?;
            let variant = camel_case(col);
            for u in all() {
                for (local, full) in &u.names {
                    if full.len() >= 2
                        && full[full.len() - 2] == module
                        && full[full.len() - 1] == "Column"
                    {
                        return Some(format!("{local}::{variant}"));
                    }
                }
            }
            if self.self_entity.as_deref() == Some(module) {
                return Some(format!("Column::{variant}"));
            }
            return None;
        }
        let module = self
            .model
            .table_modules
            .iter()
            .filter(|(_, t)| t.as_str() == table_key)
            .map(|(m, _)| m.as_str())
            .min()?;
        for u in all() {
            if u.globs
                .iter()
                .any(|g| g.len() >= 2 && g[g.len() - 2] == module && g[g.len() - 1] == "dsl")
            {
                return Some(col.to_string());
            }
            for (local, full) in &u.names {
                if full.len() >= 2
                    && full[full.len() - 2] == module
                    && full[full.len() - 1] == "dsl"
                {
                    return Some(format!("{local}::{col}"));
                }
                if full.last().is_some_and(|l| l == module) && local != module {
                    return Some(format!("{local}::{col}"));
                }
            }
        }
        None
    }

    /// Expands the first segment through `use` items.
    pub fn expand(&self, segs: &[String]) -> Vec<String> {
        if let Some(first) = segs.first() {
            if let Some(full) = self.lookup(first) {
                let mut out = full.clone();
                out.extend(segs[1..].iter().cloned());
                return out;
            }
        }
        segs.to_vec()
    }

    /// Resolves a path given as its segment names.
    pub fn resolve(&self, segs: &[String]) -> Resolved {
        if segs.is_empty() {
            return Resolved::Unknown;
        }
        let p = self.expand(segs);
        if let Some(r) = self.resolve_sea(&p) {
            return r;
        }
        if let Some(r) = self.resolve_diesel(&p) {
            return r;
        }
        // A single name imported as a module (`use schema::{documents}`)
        // lives in the type namespace; a `dsl::*` glob can still supply
        // the value of the same name, which is what an expression means.
        if segs.len() == 1 {
            return self.resolve_bare(&segs[0]);
        }
        Resolved::Unknown
    }

    fn entity_of_module(&self, module: Option<&String>) -> Option<String> {
        let m = module.or(self.self_entity.as_ref())?;
        self.model.entity_modules.get(m).cloned()
    }

    fn resolve_sea(&self, p: &[String]) -> Option<Resolved> {
        let m = &self.model;
        if let Some(i) = p.iter().rposition(|s| s == "Column") {
            if i + 1 < p.len() {
                let module = if i > 0 { Some(&p[i - 1]) } else { None };
                let table = self.entity_of_module(module)?;
                return Some(Resolved::Column(Some(table), snake_case(&p[i + 1])));
            }
        }
        if p.last().is_some_and(|s| s == "Entity") {
            let module = if p.len() > 1 {
                Some(&p[p.len() - 2])
            } else {
                None
            };
            return self.entity_of_module(module).map(Resolved::Entity);
        }
        if p.len() == 1 {
            if let Some(module) = m.entity_aliases.get(&p[0]) {
                if let Some(t) = m.entity_modules.get(module) {
                    return Some(Resolved::Entity(t.clone()));
                }
            }
        }
        None
    }

    fn resolve_diesel(&self, p: &[String]) -> Option<Resolved> {
        let m = &self.model;
        // Find the last segment that names a Diesel table module.
        let i = p.iter().rposition(|s| m.table_modules.contains_key(s))?;
        let key = m.table_modules.get(&p[i])?.clone();
        let rest = &p[i + 1..];
        match rest {
            [] if i > 0 && p[i - 1] == "dsl" => {
                // `documents::dsl::documents` — the table itself.
                Some(Resolved::TableModule(key))
            }
            [t] if t == "table" => Some(Resolved::TableModule(key)),
            [d, x] if d == "dsl" => Some(self.diesel_member(&p[i], &key, x)),
            [x] if x != "dsl" => Some(self.diesel_member(&p[i], &key, x)),
            _ => None,
        }
    }

    fn diesel_member(&self, rust_table: &str, key: &str, name: &str) -> Resolved {
        if name == rust_table {
            Resolved::TableModule(key.to_string())
        } else if name == "star" {
            Resolved::Unknown
        } else {
            Resolved::Column(Some(key.to_string()), name.to_string())
        }
    }

    fn resolve_bare(&self, name: &str) -> Resolved {
        let m = &self.model;
        for g in self.globs() {
            let Some(last) = g.last() else { continue };
            // `use schema::documents::dsl::*` or `use schema::documents::*`.
            let (table_mod, is_dsl) = if last == "dsl" && g.len() >= 2 {
                (&g[g.len() - 2], true)
            } else {
                (last, false)
            };
            let Some(key) = m.table_modules.get(table_mod) else {
                continue;
            };
            if is_dsl && name == table_mod {
                return Resolved::TableModule(key.clone());
            }
            if let Some(t) = m.tables.get(key) {
                if t.columns.iter().any(|c| c.rust == name) {
                    return Resolved::Column(Some(key.clone()), name.to_string());
                }
            }
        }
        if let Some(e) = &self.self_entity {
            if name == "Entity" {
                if let Some(t) = m.entity_modules.get(e) {
                    return Resolved::Entity(t.clone());
                }
            }
        }
        if m.is_tenant_name(name) {
            return Resolved::Column(None, name.to_string());
        }
        Resolved::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn use_map_collects_renames_groups_and_globs() {
        let f: syn::File = syn::parse_str(
            "use crate::schema::documents::dsl::*; \
             use crate::entities::document::{self, Entity as Document, Column as DocCol}; \
             use schema::payment_intent::dsl as pi_dsl;",
        )
        .unwrap();
        let mut u = UseMap::default();
        for it in &f.items {
            if let syn::Item::Use(x) = it {
                u.add(&x.tree);
            }
        }
        assert_eq!(u.globs, vec![vec!["schema", "documents", "dsl"]]);
        assert_eq!(u.names["Document"], ["entities", "document", "Entity"]);
        assert_eq!(u.names["document"], ["entities", "document"]);
        assert_eq!(u.names["DocCol"], ["entities", "document", "Column"]);
        assert_eq!(u.names["pi_dsl"], ["schema", "payment_intent", "dsl"]);
    }

    fn call_key(src: &str, module: &[&str], call: &str) -> String {
        let f: syn::File = syn::parse_str(src).unwrap();
        let module: Vec<String> = module.iter().map(|s| s.to_string()).collect();
        let mut u = UseMap {
            module: module.clone(),
            ..UseMap::default()
        };
        u.add_items(&f.items);
        let model = TenantModel::default();
        let outer = [u];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
        let layout = Layout::new(dir.path(), ["src/lib.rs"]);
        let scope = Scope {
            model: &model,
            outer: &outer,
            uses: Vec::new(),
            self_entity: None,
            place: Place {
                layout: &layout,
                module: &module,
            },
        };
        let segs: Vec<String> = call.split("::").map(str::to_string).collect();
        scope.fn_call_key(&segs)
    }

    #[test]
    fn a_call_key_lists_the_paths_rustc_would_try() {
        let m = ["app", "api", "users"];
        // The module's own function.
        assert_eq!(call_key("", &m, "get"), "fn:app::api::users::get|~get");
        // Imported by name, renamed, through `super` or `crate`.
        assert_eq!(
            call_key("use crate::db::users::get as fetch;", &m, "fetch"),
            "fn:app::db::users::get|~db::users::get"
        );
        assert_eq!(
            call_key("use super::common::get;", &m, "get"),
            "fn:app::api::common::get|~common::get"
        );
        // A module imported, then a path through it.
        assert_eq!(
            call_key("use crate::db;", &m, "db::users::get"),
            "fn:app::db::users::get|~db::users::get"
        );
        // A plain first segment: a child module, or a crate of the project.
        assert_eq!(
            call_key("", &m, "app::db::get"),
            "fn:app::api::users::app::db::get|app::db::get|~app::db::get"
        );
        // A bare name: the module's own, then each glob's.
        assert_eq!(
            call_key("use super::*; use crate::db::users::*;", &m, "get"),
            "fn:app::api::users::get|app::api::get|app::db::users::get|~get"
        );
        assert_eq!(call_key("", &m, "super::super::get"), "fn:app::get|~get");
    }
}
