//! The query interpreter on small snippets: what each executed query
//! starts from, what binds it on each path, and how a helper's symbolic
//! result is resolved at its callers.

use super::*;
use crate::model::summaries::Summaries;
use crate::model::TenantModel;

/// A Diesel schema with one tenant table, one child table and one global
/// table, as `diesel print-schema` writes it.
const SCHEMA: &str = r#"
    diesel::table! {
        documents (id) {
            id -> Uuid,
            tenant_id -> Uuid,
            title -> Text,
        }
    }
    diesel::table! {
        comments (id) {
            id -> Uuid,
            tenant_id -> Uuid,
            document_id -> Uuid,
        }
    }
    diesel::table! {
        countries (code) {
            code -> Text,
        }
    }
"#;

fn model() -> TenantModel {
    let file = syn::parse_file(SCHEMA).expect("schema parses");
    let facts = crate::model::schema::extract(&file, "src/schema.rs", None, false);
    TenantModel::build([(0, &facts)], &Config::default())
}

/// The query facts of `src` (a file of the same crate as [`SCHEMA`]).
fn facts(src: &str) -> (TenantModel, QueryFacts) {
    let model = model();
    let facts = facts_under(&model, src);
    (model, facts)
}

/// The query facts of `src` against `model`.
fn facts_under(model: &TenantModel, src: &str) -> QueryFacts {
    let file = syn::parse_file(src).expect("snippet parses");
    let config = Config::default();
    let layout = crate::workspace::layout::Layout::default();
    let opts = Options {
        include_tests: false,
        config: &config,
        layout: &layout,
    };
    extract(
        &file,
        "src/repo.rs",
        Path::new("/x/src/repo.rs"),
        model,
        &opts,
    )
}

/// The one executed query of `src`.
fn exec(src: &str) -> (TenantModel, ExecFact) {
    let (model, mut f) = facts(src);
    assert_eq!(f.execs.len(), 1, "one executed query: {:#?}", f.execs);
    (model, f.execs.remove(0))
}

fn table(t: &str) -> Root {
    Root::Table(t.to_string())
}

/// For each path: the tenant tables it leaves unbound.
fn unbound(model: &TenantModel, e: &ExecFact) -> Vec<Vec<String>> {
    e.paths.iter().map(|q| unbound_tables(model, q)).collect()
}

const USE: &str = "use crate::schema::{comments, countries, documents};\n";

#[test]
fn a_filter_on_the_tenant_column_binds_the_table() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid) {{
            documents::table.filter(documents::tenant_id.eq(tenant)).load::<Doc>(conn);
        }}"
    ));
    assert_eq!(e.paths.len(), 1);
    let q = &e.paths[0];
    assert_eq!(
        (q.orm, &q.root, q.start.as_str()),
        (Orm::Diesel, &table("documents"), "table")
    );
    assert!(q.cond.bound.contains(&Bound::Table("documents".into())));
    assert_eq!(unbound(&model, &e), [Vec::<String>::new()]);
}

#[test]
fn a_filter_on_another_column_binds_nothing() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, id: Uuid) {{
            documents::table.filter(documents::id.eq(id)).first::<Doc>(conn);
        }}"
    ));
    assert_eq!(unbound(&model, &e), [vec!["documents".to_string()]]);
}

#[test]
fn a_query_on_a_global_table_touches_no_tenant_data() {
    let (_, f) = facts(&format!(
        "{USE}fn f(conn: &mut PgConnection) {{ countries::table.load::<Country>(conn); }}"
    ));
    assert!(f.execs.is_empty(), "{:#?}", f.execs);
}

#[test]
fn branches_are_separate_paths_and_merge_at_the_execution() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid, admin: bool) {{
            let mut q = documents::table.into_boxed();
            if !admin {{
                q = q.filter(documents::tenant_id.eq(tenant));
            }}
            q.load::<Doc>(conn);
        }}"
    ));
    let mut u = unbound(&model, &e);
    u.sort();
    assert_eq!(u, [vec![], vec!["documents".to_string()]]);
}

#[test]
fn a_branch_that_returns_early_drops_out() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Option<Uuid>) -> Result<(), E> {{
            let mut q = documents::table.into_boxed();
            match tenant {{
                Some(t) => q = q.filter(documents::tenant_id.eq(t)),
                None => return Err(E::Forbidden),
            }}
            q.load::<Doc>(conn)?;
            Ok(())
        }}"
    ));
    assert_eq!(unbound(&model, &e), [Vec::<String>::new()]);
}

#[test]
fn or_filter_loses_the_binding_and_says_why() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid) {{
            documents::table
                .filter(documents::tenant_id.eq(tenant))
                .or_filter(documents::title.eq(\"public\"))
                .load::<Doc>(conn);
        }}"
    ));
    assert_eq!(unbound(&model, &e), [vec!["documents".to_string()]]);
}

#[test]
fn not_equal_on_the_tenant_column_is_noted() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid) {{
            documents::table.filter(documents::tenant_id.ne(tenant)).load::<Doc>(conn);
        }}"
    ));
    assert_eq!(unbound(&model, &e), [vec!["documents".to_string()]]);
    let notes = &e.paths[0].cond.notes;
    assert!(
        notes.iter().any(|n| n.contains("excludes a tenant")),
        "{notes:?}"
    );
}

#[test]
fn a_join_is_bound_through_a_column_equality_with_a_bound_table() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid) {{
            comments::table
                .inner_join(documents::table.on(documents::id.eq(comments::document_id)))
                .filter(documents::tenant_id.eq(tenant))
                .filter(comments::tenant_id.eq(documents::tenant_id))
                .load::<(Comment, Doc)>(conn);
        }}"
    ));
    let q = &e.paths[0];
    assert_eq!(q.root, table("comments"));
    assert_eq!(q.joins, ["documents"]);
    assert_eq!(unbound(&model, &e), [Vec::<String>::new()]);
}

#[test]
fn binding_travels_along_the_join_equality_between_tenant_tables() {
    // The comments of one tenant reference that tenant's documents only.
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid) {{
            comments::table
                .inner_join(documents::table.on(documents::id.eq(comments::document_id)))
                .filter(comments::tenant_id.eq(tenant))
                .load::<(Comment, Doc)>(conn);
        }}"
    ));
    let q = &e.paths[0];
    assert!(q
        .cond
        .edges
        .contains(&("comments".into(), "documents".into())));
    assert_eq!(unbound(&model, &e), [Vec::<String>::new()]);
    // Without the filter both tables are unbound.
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection) {{
            comments::table
                .inner_join(documents::table.on(documents::id.eq(comments::document_id)))
                .load::<(Comment, Doc)>(conn);
        }}"
    ));
    assert_eq!(
        unbound(&model, &e),
        [vec!["comments".to_string(), "documents".to_string()]]
    );
}

#[test]
fn diesel_update_and_delete_wrappers_are_writes() {
    let (_, f) = facts(&format!(
        "{USE}fn f(conn: &mut PgConnection, id: Uuid) {{
            diesel::delete(documents::table.find(id)).execute(conn);
            diesel::update(documents::table.filter(documents::id.eq(id)))
                .set(documents::title.eq(\"x\"))
                .execute(conn);
        }}"
    ));
    let kinds: Vec<_> = f.execs.iter().map(|e| write_kind(&e.paths[0])).collect();
    assert_eq!(kinds, [Some("delete"), Some("update")]);
    assert!(f.execs[0].paths[0].pk_lookup);
}

#[test]
fn a_helper_call_is_symbolic_until_resolved_with_the_callers_filters() {
    let (model, f) = facts(&format!(
        "{USE}fn base() -> documents::BoxedQuery<'static, Pg> {{
            documents::table.into_boxed()
        }}
        fn scoped(conn: &mut PgConnection, tenant: Uuid) {{
            base().filter(documents::tenant_id.eq(tenant)).load::<Doc>(conn);
        }}
        fn leaky(conn: &mut PgConnection) {{
            base().load::<Doc>(conn);
        }}"
    ));
    // `base` returns a query; `scoped` binds the tenant to its parameter 1
    // (for `untrusted-tenant-source` at its callers), and returns nothing.
    assert_eq!(f.summaries.len(), 2);
    assert_eq!(f.summaries[1].key, "fn:crate::repo::scoped");
    assert_eq!(f.summaries[1].tenant_params, [1]);
    assert!(f.summaries[1].returns.is_empty());
    // Named by its module path (`src/repo.rs` outside any package).
    assert_eq!(f.summaries[0].key, "fn:crate::repo::base");
    assert_eq!(f.summaries[0].returns[0].root, table("documents"));
    assert_eq!(f.execs.len(), 2);
    for e in &f.execs {
        assert_eq!(
            e.paths[0].root,
            Root::Call("fn:crate::repo::base|~base".into())
        );
        assert!(e.paths[0].is_symbolic() && !e.paths[0].is_parametric());
    }
    let all = Summaries::new(f.summaries.iter().map(|s| (0, s)));
    let resolved: Vec<ExecFact> = f
        .execs
        .iter()
        .map(|e| all.resolve_exec(e).expect("resolves"))
        .collect();
    for e in &resolved {
        assert_eq!(e.paths[0].root, table("documents"));
        assert_eq!(e.paths[0].via, ["base"]);
    }
    assert_eq!(unbound(&model, &resolved[0]), [Vec::<String>::new()]);
    assert_eq!(
        unbound(&model, &resolved[1]),
        [vec!["documents".to_string()]]
    );
}

#[test]
fn a_query_parameter_is_replaced_by_what_the_caller_passed() {
    let (model, f) = facts(&format!(
        "{USE}fn tenant_scope(q: documents::BoxedQuery<'static, Pg>, tenant: Uuid)
            -> documents::BoxedQuery<'static, Pg> {{
            q.filter(documents::tenant_id.eq(tenant))
        }}
        fn f(conn: &mut PgConnection, tenant: Uuid) {{
            tenant_scope(documents::table.into_boxed(), tenant).load::<Doc>(conn);
        }}"
    ));
    let returned = &f.summaries[0].returns[0];
    assert_eq!(returned.root, Root::Param(0));
    assert!(returned.is_parametric());
    let e = &f.execs[0];
    assert_eq!(
        e.paths[0].root,
        Root::Call("fn:crate::repo::tenant_scope|~tenant_scope".into())
    );
    assert_eq!(e.paths[0].args[0][0].root, table("documents"));
    let all = Summaries::new(f.summaries.iter().map(|s| (0, s)));
    let resolved = all.resolve_exec(e).expect("resolves");
    assert_eq!(resolved.paths[0].root, table("documents"));
    assert_eq!(unbound(&model, &resolved), [Vec::<String>::new()]);
}

#[test]
fn a_generic_table_and_a_predicate_are_judged_with_the_callers_arguments() {
    let (model, f) = facts(&format!(
        "{USE}fn find_one<T, P>(conn: &mut PgConnection, pred: P) -> QueryResult<Doc> {{
            <T as HasTable>::table().filter(pred).first(conn)
        }}
        fn bound(conn: &mut PgConnection, tenant: Uuid) {{
            find_one::<documents::table, _>(conn, documents::tenant_id.eq(tenant));
        }}
        fn unbound(conn: &mut PgConnection, id: Uuid) {{
            find_one::<documents::table, _>(conn, documents::id.eq(id));
        }}"
    ));
    let runs = &f.summaries[0].runs;
    assert_eq!(runs.len(), 1);
    let inner = &runs[0].state;
    assert_eq!(inner.root, Root::TypeParam(0));
    assert!(inner.cond.bound.contains(&Bound::Pred(1)));
    // The calls are recorded as runs of the helper with their arguments.
    assert_eq!(f.execs.len(), 2);
    for e in &f.execs {
        let q = &e.paths[0];
        assert_eq!(
            q.root,
            Root::Run("fn:crate::repo::find_one|~find_one".into())
        );
        let run = q.run.as_deref().expect("run arguments");
        assert_eq!(run.types[0], Some(table("documents")));
    }
    let all = Summaries::new(f.summaries.iter().map(|s| (0, s)));
    let u: Vec<_> = f
        .execs
        .iter()
        .map(|e| unbound(&model, &all.resolve_exec(e).expect("resolves")))
        .collect();
    assert_eq!(
        u,
        [
            vec![Vec::<String>::new()],
            vec![vec!["documents".to_string()]]
        ]
    );
}

#[test]
fn a_row_checked_against_the_tenant_after_the_fetch_is_not_unbound() {
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, tenant: Uuid, id: Uuid) -> Result<Doc, E> {{
            let doc = documents::table.find(id).first::<Doc>(conn)?;
            if doc.tenant_id != tenant {{
                return Err(E::NotFound);
            }}
            Ok(doc)
        }}"
    ));
    assert!(e.checked_after);
    assert!(unbound_paths(&model, &e).is_empty());
}

#[test]
fn a_bare_tenant_column_binds_the_root_whatever_it_is() {
    // A column name that cannot be placed (a macro's `tenant_id`, no
    // `dsl` import) binds the query's root: after a join, still the root.
    let (model, e) = exec(&format!(
        "{USE}fn f(conn: &mut PgConnection, t: Uuid) {{
            comments::table
                .left_join(documents::table.on(documents::id.eq(comments::document_id)))
                .filter(tenant_id.eq(t))
                .load::<(Comment, Option<Doc>)>(conn);
        }}"
    ));
    let q = &e.paths[0];
    assert_eq!(q.root, table("comments"));
    assert!(q.cond.bound.contains(&Bound::Root), "{:?}", q.cond.bound);
    assert_eq!(unbound(&model, &e), [Vec::<String>::new()]);
}

/// A SeaORM entity with a tenant column, in its own module file.
const ENTITY: &str = r#"
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: Uuid,
        pub org_id: Uuid,
        pub title: String,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
"#;

/// The executed queries of `src` with [`ENTITY`] as `src/entities/document.rs`.
fn sea_execs(src: &str) -> (TenantModel, Vec<ExecFact>) {
    let entity = syn::parse_file(ENTITY).expect("entity parses");
    let facts = crate::model::schema::extract(&entity, "src/entities/document.rs", None, false);
    let model = TenantModel::build([(0, &facts)], &Config::default());
    let file = syn::parse_file(src).expect("snippet parses");
    let config = Config::default();
    let layout = crate::workspace::layout::Layout::default();
    let opts = Options {
        include_tests: false,
        config: &config,
        layout: &layout,
    };
    let f = extract(
        &file,
        "src/handlers.rs",
        Path::new("/x/src/handlers.rs"),
        &model,
        &opts,
    );
    (model, f.execs)
}

const SEA_USE: &str = "use crate::entities::document;\nuse sea_orm::*;\n";

#[test]
fn seaorm_entity_find_with_a_tenant_filter_is_bound() {
    let (model, execs) = sea_execs(&format!(
        "{SEA_USE}async fn list(db: &DatabaseConnection, org_id: Uuid) {{
            document::Entity::find()
                .filter(document::Column::OrgId.eq(org_id))
                .all(db)
                .await;
            document::Entity::find_by_id(id).one(db).await;
        }}"
    ));
    assert_eq!(execs.len(), 2);
    let q = &execs[0].paths[0];
    assert_eq!(
        (q.orm, &q.root, q.start.as_str()),
        (Orm::SeaOrm, &table("documents"), "find")
    );
    assert_eq!(unbound(&model, &execs[0]), [Vec::<String>::new()]);
    let pk = &execs[1].paths[0];
    assert!(pk.pk_lookup && pk.start == "find_by_id");
    assert_eq!(unbound(&model, &execs[1]), [vec!["documents".to_string()]]);
}

#[test]
fn seaorm_condition_any_binds_only_what_every_branch_binds() {
    let (model, execs) = sea_execs(&format!(
        "{SEA_USE}async fn search(db: &DatabaseConnection, org_id: Uuid) {{
            document::Entity::find()
                .filter(
                    Condition::any()
                        .add(document::Column::OrgId.eq(org_id))
                        .add(document::Column::Title.eq(\"public\")),
                )
                .all(db)
                .await;
            document::Entity::find()
                .filter(
                    Condition::all()
                        .add(document::Column::OrgId.eq(org_id))
                        .add(document::Column::Title.eq(\"public\")),
                )
                .all(db)
                .await;
        }}"
    ));
    let u: Vec<_> = execs.iter().map(|e| unbound(&model, e)).collect();
    assert_eq!(u, [vec![vec!["documents".to_string()]], vec![vec![]]]);
}

#[test]
fn seaorm_find_related_on_a_fetched_row_is_bound_through_it() {
    let (model, execs) = sea_execs(&format!(
        "{SEA_USE}async fn docs(db: &DatabaseConnection, org: organization::Model) {{
            org.find_related(document::Entity).all(db).await;
        }}"
    ));
    let q = &execs[0].paths[0];
    assert_eq!(q.scoped_by.as_deref(), Some("find_related"));
    assert_eq!(unbound(&model, &execs[0]), [Vec::<String>::new()]);
}

#[test]
fn identifiers_split_into_lowercase_words() {
    assert_eq!(
        ident_words("find_by_uuid_and_org"),
        ["find", "by", "uuid", "and", "org"]
    );
    assert_eq!(ident_words("AppId"), ["app", "id"]);
    assert_eq!(ident_words("_workspace_id"), ["workspace", "id"]);
    assert_eq!(ident_words("orgID2"), ["org", "id2"]);
}

#[test]
fn rocket_routes_name_their_url_parameters() {
    let f: syn::ItemFn = syn::parse_quote! {
        #[post("/organizations/<org_id>/groups/<group_id>?<page>", data = "<data>")]
        async fn h(org_id: &str, group_id: &str, page: u32, data: Json<X>) {}
    };
    let (route, names) = route_params(&f.attrs).expect("a route");
    assert_eq!(route, "/organizations/<org_id>/groups/<group_id>?<page>");
    assert_eq!(names, ["org_id", "group_id", "page", "data"]);
    // A path with a trailing segment parameter, and an actix route (its
    // parameters come through `web::Path`, not by name).
    let f: syn::ItemFn = syn::parse_quote! {
        #[get("/files/<path..>")]
        async fn files(path: PathBuf) {}
    };
    assert_eq!(route_params(&f.attrs).expect("a route").1, ["path"]);
    let f: syn::ItemFn = syn::parse_quote! {
        #[get("/orgs/{org_id}")]
        async fn actix(path: web::Path<Uuid>) {}
    };
    assert_eq!(route_params(&f.attrs), None);
}

#[test]
fn json_macro_values_are_read_and_its_keys_are_not_code() {
    let tokens: TokenStream = quote::quote!({
        "ciphers": ciphers_json,
        "key": &access.key_encrypted,
        "nested": { "n": count(&conn), "list": [a, b.c] },
    });
    let values = json_values(tokens).expect("json-shaped");
    let texts: Vec<String> = values
        .iter()
        .map(|e| compact(e.to_token_stream()))
        .collect();
    assert_eq!(
        texts,
        [
            "ciphers_json",
            "&access.key_encrypted",
            "count(&conn)",
            "a",
            "b.c"
        ]
    );
    // Not JSON-shaped: a key that is not a string, or more than one group.
    assert!(json_values(quote::quote!({ ciphers: x })).is_none());
    assert!(json_values(quote::quote!(a, b)).is_none());
}

#[test]
fn a_test_modules_const_does_not_replace_the_files_own() {
    // Whole and sliced parses must agree: the slicer blanks test modules,
    // so their `const`s must not count when the whole file is parsed.
    let src = r#"
        const LIST: &str = "SELECT id FROM documents WHERE tenant_id = $1";
        async fn list(pool: &PgPool, tenant: Uuid) {
            sqlx::query(LIST).bind(tenant).fetch_all(pool).await;
        }
        #[cfg(test)]
        mod tests {
            const LIST: &str = "SELECT id FROM documents";
        }
    "#;
    let (_, found) = facts(src);
    assert!(found.sql.is_empty(), "{:?}", found.sql);
    let (_, found) = facts(&src.replace("#[cfg(test)]", ""));
    assert_eq!(found.sql.len(), 1, "the const of a non-test module is read");
}

#[test]
fn a_row_checked_by_the_rust_name_of_its_tenant_column_is_checked() {
    // `#[sql_name = "tenant_id"] owner -> Uuid`: the row's field is
    // `owner`, which no tenant column is named.
    let schema = r#"
        diesel::table! {
            notes (id) {
                id -> Uuid,
                #[sql_name = "tenant_id"]
                owner -> Uuid,
            }
        }
    "#;
    let file = syn::parse_file(schema).expect("schema parses");
    let schema_facts = crate::model::schema::extract(&file, "src/schema.rs", None, false);
    let model = TenantModel::build([(0, &schema_facts)], &Config::default());
    assert_eq!(
        model.tables.get("notes").and_then(|t| t.tenant_rust()),
        Some("owner".to_string())
    );
    let src = "use crate::schema::notes;\n\
        fn f(conn: &mut PgConnection, tenant: Uuid, id: Uuid) -> Result<Note, E> {
            let note = notes::table.find(id).first::<Note>(conn)?;
            if note.owner != tenant {
                return Err(E::NotFound);
            }
            Ok(note)
        }";
    let found = facts_under(&model, src);
    assert_eq!(found.execs.len(), 1, "{:#?}", found.execs);
    assert!(found.execs[0].checked_after, "{:#?}", found.execs[0]);
}

#[test]
fn a_query_returned_in_a_tuple_reaches_the_caller_that_takes_its_element() {
    let (model, f) = facts(&format!(
        "{USE}fn page<Q: QueryDsl>(q: Q, after: Option<Uuid>) -> (Q, bool) {{
            let (q, forward) = match after {{
                Some(a) => (q.filter(documents::id.gt(a)), true),
                None => (q, false),
            }};
            (q, forward)
        }}
        fn counted<Q: QueryDsl>(q: Q) -> (u64, Q) {{
            (50, q)
        }}
        fn f(conn: &mut PgConnection, tenant: Uuid, after: Option<Uuid>) {{
            let (q, _forward) = page(documents::table.filter(documents::title.eq(\"x\")), after);
            q.load::<Doc>(conn);
            let (_n, q) = counted(documents::table.filter(documents::tenant_id.eq(tenant)));
            q.load::<Doc>(conn);
            let (_wrong, q) = page(documents::table, after);
            q.load::<Doc>(conn);
        }}"
    ));
    let elems: Vec<Option<usize>> = f
        .summaries
        .iter()
        .filter(|s| !s.returns.is_empty())
        .map(|s| s.returns_elem)
        .collect();
    assert_eq!(elems, [Some(0), Some(1)]);
    let all = Summaries::new(f.summaries.iter().map(|s| (0, s)));
    let resolved: Vec<Vec<Vec<String>>> = f
        .execs
        .iter()
        .map(|e| {
            all.resolve_exec(e)
                .map(|r| unbound(&model, &r))
                .unwrap_or_default()
        })
        .collect();
    // The first is unbound (both paths of `page` leave it so); the second
    // bound; the third took the element `page` does not return its query in.
    assert_eq!(
        resolved,
        [
            vec![vec!["documents".to_string()]],
            vec![Vec::new()],
            Vec::new(),
        ]
    );
}
