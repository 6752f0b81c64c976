//! SeaORM's schema declarations: entities (`DeriveEntityModel`), their
//! `enum Relation`, `Related` impls through a link table, and re-exports
//! of an entity under another name (`pub use super::document::Entity as
//! Document`).

use crate::diagnostic::Span;
use crate::orm::facts::{ColumnFact, Declared, ForeignKeyFact, SourceKind, TableFact};
use crate::orm::unraw;
use syn::{Attribute, Token};

/// Reads one item (not its nested items); `module` is the module it is in.
pub fn read_item(item: &syn::Item, module: &str, out: &mut Declared) {
    match item {
        syn::Item::Struct(s) if has_derive(&s.attrs, "DeriveEntityModel") => {
            out.tables.extend(sea_entity(s, module));
        }
        syn::Item::Enum(e) => relation_enum(e, module, out),
        syn::Item::Use(u) => {
            if matches!(u.vis, syn::Visibility::Public(_)) {
                collect_entity_aliases(&u.tree, None, &mut out.entity_aliases);
            }
        }
        syn::Item::Impl(i) => related_via(i, module, out),
        _ => {}
    }
}

/// `enum Relation { #[sea_orm(belongs_to = "super::org::Entity", ..)] Org }`.
fn relation_enum(e: &syn::ItemEnum, module: &str, out: &mut Declared) {
        if e.ident != "Relation" {
            return;
        }
        for v in &e.variants {
            let target = ["belongs_to", "has_many", "has_one"]
                .iter()
                .find_map(|k| sea_orm_str(&v.attrs, k));
            if let Some(target) = target {
                let segs: Vec<&str> = target.split("::").collect();
                let target_module = match segs.as_slice() {
                    [.., m, "Entity"] => m.to_string(),
                    [.., m] => m.to_string(),
                    [] => continue,
                };
                if let Some(from) = sea_orm_str(&v.attrs, "belongs_to")
                    .and(sea_orm_str(&v.attrs, "from"))
                {
                    // `from = "Column::AppId"`, `to = "super::app::Column::Id"`;
                    // a tuple `"(Column::A, Column::B)"` for a composite key.
                    let cols = |s: &str| -> Vec<String> {
                        s.trim_matches(|c| c == '(' || c == ')')
                            .split(',')
                            .filter_map(|c| c.trim().rsplit("::").next())
                            .filter(|c| !c.is_empty())
                            .map(crate::orm::snake_case)
                            .collect()
                    };
                    out.foreign_keys.push(ForeignKeyFact {
                        table: module.to_string(),
                        columns: cols(&from),
                        target: target_module.clone(),
                        target_columns: sea_orm_str(&v.attrs, "to")
                            .map(|t| cols(&t))
                            .unwrap_or_default(),
                        rust: true,
                        span: Span::from_pm2(v.ident.span()),
                        kind: SourceKind::Orm(crate::orm::Orm::SeaOrm),
                    });
                }
                out.relations
                    .push((module.to_string(), v.ident.to_string(), target_module));
            }
        }
    }


/// `impl Related<m2::Entity> for Entity { fn via() .. }`: a relation through
/// a link table.
fn related_via(i: &syn::ItemImpl, module: &str, out: &mut Declared) {
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
                let segs = crate::parse::path_segments(&tp.path);
                if segs.len() >= 2 && segs[segs.len() - 1] == "Entity" {
                    let target = segs[segs.len() - 2].clone();
                    out.related_via.push((module.to_string(), target));
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
            nullable: Some(is_option(&f.ty)),
        });
    }
    Some(TableFact {
        rust: module.to_string(),
        sql: table,
        kind: SourceKind::Orm(crate::orm::Orm::SeaOrm),
        columns,
        primary_key,
        span: Span::from_pm2(s.ident.span()),
        keyless: false,
    })
}

/// `Option<T>`: a nullable column.
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
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
