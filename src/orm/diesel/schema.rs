//! Diesel's schema declarations: `table!` blocks (tables, columns, SQL
//! names, primary keys) and model structs that name their table
//! (`#[diesel(table_name = documents)]`).

use crate::diagnostic::Span;
use crate::orm::facts::{ColumnFact, Declared, SourceKind, TableFact};
use crate::orm::unraw;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, Token};

/// Reads one item (not its nested items).
pub fn read_item(item: &syn::Item, _module: &str, out: &mut Declared) {
    match item {
        syn::Item::Macro(m) => {
            let is_table = m
                .mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "table");
            if is_table {
                if let Ok(t) = m.mac.parse_body::<TableMacro>() {
                    out.tables.extend(t.tables);
                }
            }
        }
        syn::Item::Struct(s) => {
            if let Some(table) = diesel_table_name(&s.attrs) {
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
                kind: SourceKind::Orm(crate::orm::Orm::Diesel),
                columns,
                primary_key,
                span: Span::from_pm2(name.span()),
            });
        }
        Ok(TableMacro { tables })
    }
}
