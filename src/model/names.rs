//! Name resolution as far as syntax allows: each file's (and each block's)
//! `use` items, then a path is matched against the tenant model. Resolves
//! `documents::table`, `dsl::documents`, a bare `documents` / `tenant_id`
//! under `use schema::documents::dsl::*`, `dsl` aliases (`pi_dsl::x`),
//! SeaORM `document::Entity`, `Document` (alias or prelude re-export), bare
//! `Entity` / `Column` inside an entity module, and `Column::TenantId`.

use crate::model::TenantModel;
use crate::orm::{camel_case, snake_case, Shape};
use std::collections::HashMap;

/// The `use` items of one scope.
#[derive(Debug, Default, Clone)]
pub struct UseMap {
    /// Local name → full path.
    pub names: HashMap<String, Vec<String>>,
    /// Paths imported with `::*`.
    pub globs: Vec<Vec<String>>,
}

impl UseMap {
    /// Adds one `use` item.
    pub fn add(&mut self, tree: &syn::UseTree) {
        self.add_tree(tree, Vec::new());
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
                            for seg in &tp.path.segments {
                                push_seg(&mut full, seg.ident.to_string());
                            }
                            self.names.insert(t.ident.to_string(), full);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn add_tree(&mut self, tree: &syn::UseTree, mut prefix: Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                push_seg(&mut prefix, p.ident.to_string());
                self.add_tree(&p.tree, prefix);
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last().cloned() {
                        self.names.insert(last, prefix);
                    }
                } else {
                    push_seg(&mut prefix, name.clone());
                    self.names.insert(name, prefix);
                }
            }
            syn::UseTree::Rename(r) => {
                let name = r.ident.to_string();
                if name != "self" {
                    push_seg(&mut prefix, name);
                }
                self.names.insert(r.rename.to_string(), prefix);
            }
            syn::UseTree::Glob(_) => self.globs.push(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.add_tree(t, prefix.clone());
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
}

impl<'a> Scope<'a> {
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
}
