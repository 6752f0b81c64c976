#[test]
fn dbg_schema() {
    let src =
        std::fs::read_to_string("fixtures/unscoped-query/fail/diesel_app/src/schema.rs").unwrap();
    let f = syn::parse_file(&src).unwrap();
    for it in &f.items {
        if let syn::Item::Macro(m) = it {
            let r = m.mac.parse_body_with(|i: syn::parse::ParseStream| {
                let _ = i;
                Ok(())
            });
            eprintln!(
                "{:?} {:?}",
                m.mac.path.segments.last().map(|s| s.ident.to_string()),
                r.is_ok()
            );
        }
    }
    let facts = tenant_lint::model::schema::extract(&f, "src/schema.rs");
    eprintln!("{}", facts.tables.len());
}
