//! Diesel's schema declarations: `table!` blocks (tables, columns, SQL
//! names, primary keys) and model structs that name their table
//! (`#[diesel(table_name = documents)]`).

use crate::diagnostic::Span;
use crate::orm::facts::{ColumnFact, Declared, ForeignKeyFact, SourceKind, TableFact};
use crate::orm::unraw;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Token};

/// Reads one item (not its nested items).
pub fn read_item(item: &syn::Item, _module: &str, out: &mut Declared) {
    match item {
        syn::Item::Macro(m) => {
            let name = m.mac.path.segments.last().map(|s| s.ident.to_string());
            match name.as_deref() {
                Some("table") => {
                    if let Ok(t) = m.mac.parse_body::<TableMacro>() {
                        out.tables.extend(t.tables);
                    }
                }
                Some("joinable") => {
                    if let Ok(j) = m.mac.parse_body::<Joinable>() {
                        out.foreign_keys.push(j.0);
                    }
                }
                _ => {}
            }
        }
        syn::Item::Struct(s) => {
            if let Some(table) = diesel_table_name(&s.attrs) {
                for (parent, key) in belongs_to(&s.attrs) {
                    // Diesel's default key: the parent struct's name in
                    // snake case, `_id`.
                    let key = key.unwrap_or_else(|| format!("{}_id", crate::orm::snake_case(&parent)));
                    out.foreign_keys.push(ForeignKeyFact {
                        table: table.clone(),
                        columns: vec![key],
                        target: parent,
                        target_columns: Vec::new(),
                        rust: true,
                        span: Span::from_pm2(s.ident.span()),
                        kind: SourceKind::Orm(crate::orm::Orm::Diesel),
                    });
                }
                out.row_structs.push((s.ident.to_string(), table));
            }
        }
        _ => {}
    }
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

/// `#[diesel(belongs_to(Parent))]`, `#[diesel(belongs_to(Parent, foreign_key
/// = parent_id))]` and the Diesel 1 form `#[belongs_to(Parent, ..)]`:
/// (parent struct, key column when written).
fn belongs_to(attrs: &[Attribute]) -> Vec<(String, Option<String>)> {
    fn inner(input: ParseStream) -> syn::Result<(String, Option<String>)> {
        let parent: syn::Path = input.parse()?;
        let mut key = None;
        while input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let k: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let v: syn::Expr = input.parse()?;
            if k == "foreign_key" {
                key = match v {
                    syn::Expr::Path(p) => p.path.segments.last().map(|s| unraw(&s.ident)),
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                };
            }
        }
        let name = parent
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        Ok((name, key))
    }
    let mut out = Vec::new();
    for a in attrs {
        if a.path().is_ident("diesel") {
            let _ = a.parse_nested_meta(|m| {
                if m.path.is_ident("belongs_to") {
                    let content;
                    syn::parenthesized!(content in m.input);
                    out.extend(inner(&content).ok());
                } else if m.input.peek(Token![=]) {
                    let _: syn::Expr = m.value()?.parse()?;
                } else if m.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in m.input);
                    let _: proc_macro2::TokenStream = content.parse()?;
                }
                Ok(())
            });
        } else if a.path().is_ident("belongs_to") {
            out.extend(a.parse_args_with(inner).ok());
        }
    }
    out
}

/// `joinable!(child -> parent (key))`.
struct Joinable(ForeignKeyFact);

impl Parse for Joinable {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        use syn::ext::IdentExt;
        let child: Ident = input.call(Ident::parse_any)?;
        input.parse::<Token![->]>()?;
        let parent: Ident = input.call(Ident::parse_any)?;
        let key;
        syn::parenthesized!(key in input);
        let col: Ident = key.call(Ident::parse_any)?;
        Ok(Joinable(ForeignKeyFact {
            table: unraw(&child),
            columns: vec![unraw(&col)],
            target: unraw(&parent),
            target_columns: Vec::new(),
            rust: true,
            span: Span::from_pm2(child.span()),
            kind: SourceKind::Orm(crate::orm::Orm::Diesel),
        }))
    }
}

/// Whether a `table!` column type is `Nullable<..>`.
fn is_nullable(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Nullable"))
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
                let ty: syn::Type = body.parse()?;
                if body.peek(Token![,]) {
                    body.parse::<Token![,]>()?;
                }
                let rust = unraw(&col);
                columns.push(ColumnFact {
                    sql: sql_name_attr(&cattrs).unwrap_or_else(|| rust.clone()),
                    rust,
                    span: Span::from_pm2(col.span()),
                    file: None,
                    nullable: Some(is_nullable(&ty)),
                });
            }
            let rust = unraw(&name);
            tables.push(TableFact {
                sql: sql_name_attr(&attrs).unwrap_or_else(|| rust.clone()),
                rust,
                kind: SourceKind::Orm(crate::orm::Orm::Diesel),
                columns,
                primary_key,
                span: Span::from_pm2(name.span()),
                keyless: false,
            });
        }
        Ok(TableMacro { tables })
    }
}
