//! The tenancy tree from each kind of schema declaration, zero config:
//! foreign keys read from Diesel, SeaORM, sea-query and SQL; the root; keys
//! of any name; children; look-alikes; `[tenant] root`; and `schema`'s
//! formats.

use crate::support::{fixture, write_tree};
use assert_cmd::Command;
use tenant_lint::model::{Scope, TenantModel};

/// The model of a temp project holding `files`.
fn model_of(files: &[(&str, &str)]) -> TenantModel {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), files);
    let (model, _, problems) =
        tenant_lint::engine::schema(&[dir.path().to_path_buf()], None).expect("schema");
    assert!(problems.is_empty(), "{problems:?}");
    model
}

/// (scope, binding columns) of `table`.
fn tree(m: &TenantModel, table: &str) -> (Scope, Vec<String>) {
    let t = m
        .tables
        .get(table)
        .unwrap_or_else(|| panic!("no table `{table}` in {:?}", m.tables.keys()));
    (t.scope, t.tenant_columns.clone())
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_fixture_tree_is_what_cases_md_says() {
    let (m, _, _) = tenant_lint::engine::schema(&[fixture("tenancy/fail")], None).expect("schema");
    assert_eq!(m.roots, ["organizations"]);
    let want: &[(&str, Scope, &[&str])] = &[
        ("organizations", Scope::Root, &["id"]),
        ("datasets", Scope::Direct, &["organization_id"]),
        ("org_members", Scope::Direct, &["org_uuid"]),
        ("labels", Scope::Direct, &["owner_org"]),
        ("integrations", Scope::Direct, &["organization_id"]),
        ("shares", Scope::Direct, &["organization_id", "user_id"]),
        ("documents", Scope::Child, &["dataset_id"]),
        ("chunks", Scope::Child, &["document_id"]),
        (
            "document_labels",
            Scope::Child,
            &["label_id", "document_id"],
        ),
        ("audit_notes", Scope::None, &[]),
        ("slack_workspaces", Scope::None, &[]),
        ("users", Scope::None, &[]),
    ];
    for (t, scope, c) in want {
        assert_eq!(tree(&m, t), (*scope, cols(c)), "{t}");
    }
    assert_eq!(
        m.tables["chunks"].via,
        [
            "chunks.document_id -> documents.id",
            "documents.dataset_id -> datasets.id"
        ]
    );
    let notes: Vec<&String> = m.tables.values().flat_map(|t| &t.notes).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("integrations.workspace_id references slack_workspaces")),
        "{notes:?}"
    );
}

const DIESEL_SCHEMA: &str = r#"
diesel::table! {
    workspaces (id) {
        id -> Uuid,
        name -> Text,
    }
}

diesel::table! {
    projects (id) {
        id -> Uuid,
        workspace_id -> Uuid,
        name -> Text,
    }
}

diesel::table! {
    branches (id) {
        id -> Uuid,
        project_id -> Uuid,
        name -> Text,
    }
}

diesel::table! {
    builds (id) {
        id -> Int8,
        branch_id -> Uuid,
        parent_build_id -> Nullable<Int8>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        branch_id -> Nullable<Uuid>,
        url -> Text,
    }
}

diesel::joinable!(projects -> workspaces (workspace_id));
diesel::joinable!(branches -> projects (project_id));
diesel::joinable!(builds -> branches (branch_id));
diesel::joinable!(webhooks -> branches (branch_id));
"#;

#[test]
fn diesel_joinable_makes_children_and_nullable_keys_do_not() {
    let m = model_of(&[("src/schema.rs", DIESEL_SCHEMA)]);
    assert_eq!(m.roots, ["workspaces"]);
    assert_eq!(
        tree(&m, "projects"),
        (Scope::Direct, cols(&["workspace_id"]))
    );
    assert_eq!(tree(&m, "branches"), (Scope::Child, cols(&["project_id"])));
    assert_eq!(tree(&m, "builds"), (Scope::Child, cols(&["branch_id"])));
    // `Nullable<Uuid>`: a webhook need not belong to a branch.
    assert_eq!(tree(&m, "webhooks"), (Scope::None, vec![]));
}

#[test]
fn diesel_belongs_to_on_a_model_struct_is_a_foreign_key() {
    let schema = "diesel::table! { orgs (id) { id -> Uuid, } }\n\
                  diesel::table! { teams (id) { id -> Uuid, org_id -> Uuid, } }\n\
                  diesel::table! { invites (id) { id -> Uuid, team_ref -> Uuid, } }\n\
                  diesel::table! { seats (id) { id -> Uuid, team_id -> Uuid, } }\n\
                  diesel::joinable!(teams -> orgs (org_id));\n";
    let models = "#[derive(Queryable, Identifiable)]\n#[diesel(table_name = teams)]\npub struct Team { pub id: Uuid, pub org_id: Uuid }\n\n\
                  #[derive(Queryable, Associations)]\n#[diesel(table_name = invites)]\n#[diesel(belongs_to(Team, foreign_key = team_ref))]\npub struct Invite { pub id: Uuid, pub team_ref: Uuid }\n\n\
                  #[derive(Queryable, Associations)]\n#[diesel(belongs_to(Team))]\n#[diesel(table_name = seats)]\npub struct Seat { pub id: Uuid, pub team_id: Uuid }\n";
    let m = model_of(&[("src/schema.rs", schema), ("src/models.rs", models)]);
    assert_eq!(tree(&m, "teams"), (Scope::Direct, cols(&["org_id"])));
    assert_eq!(tree(&m, "invites"), (Scope::Child, cols(&["team_ref"])));
    // Diesel's default key: the parent's name in snake case, `_id`.
    assert_eq!(tree(&m, "seats"), (Scope::Child, cols(&["team_id"])));
}

#[test]
fn a_lone_tenant_named_column_among_declared_keys_is_a_look_alike() {
    // A registry: `teams.org_id` is a GitHub organisation, nothing
    // references it, and the schema declares keys but no tenant root.
    let schema = "diesel::table! { users (id) { id -> Int4, } }\n\
                  diesel::table! { crates (id) { id -> Int4, } }\n\
                  diesel::table! { teams (id) { id -> Int4, org_id -> Nullable<Int4>, login -> Text, } }\n\
                  diesel::table! { owners (crate_id, owner_id) { crate_id -> Int4, owner_id -> Int4, } }\n\
                  diesel::joinable!(owners -> crates (crate_id));\n\
                  diesel::joinable!(owners -> users (owner_id));\n";
    let m = model_of(&[("src/schema.rs", schema)]);
    assert!(m.roots.is_empty(), "{:?}", m.roots);
    assert_eq!(m.tenant_tables().count(), 0);
    assert!(
        m.tables["teams"].notes[0].contains("a look-alike, not a tenant key"),
        "{:?}",
        m.tables["teams"].notes
    );
    // With no keys declared at all nothing contradicts the name.
    let m = model_of(&[(
        "src/schema.rs",
        "diesel::table! { teams (id) { id -> Int4, org_id -> Int4, } }\n",
    )]);
    assert_eq!(tree(&m, "teams"), (Scope::Direct, cols(&["org_id"])));
}

#[test]
fn seaorm_relations_and_option_fields() {
    let org = "use sea_orm::entity::prelude::*;\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm(table_name = \"tenants\")]\npub struct Model {\n    #[sea_orm(primary_key)]\n    pub id: Uuid,\n}\n";
    let chat = "use sea_orm::entity::prelude::*;\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm(table_name = \"chats\")]\npub struct Model {\n    #[sea_orm(primary_key)]\n    pub id: Uuid,\n    pub tenant_ref: Uuid,\n}\n\
                #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {\n    #[sea_orm(belongs_to = \"super::tenant::Entity\", from = \"Column::TenantRef\", to = \"super::tenant::Column::Id\")]\n    Tenant,\n}\n";
    let message = "use sea_orm::entity::prelude::*;\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm(table_name = \"messages\")]\npub struct Model {\n    #[sea_orm(primary_key)]\n    pub id: i64,\n    pub chat_id: Uuid,\n    pub reply_to: Option<i64>,\n}\n\
                   #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {\n    #[sea_orm(belongs_to = \"super::chat::Entity\", from = \"Column::ChatId\", to = \"super::chat::Column::Id\")]\n    Chat,\n}\n";
    let draft = "use sea_orm::entity::prelude::*;\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm(table_name = \"drafts\")]\npub struct Model {\n    #[sea_orm(primary_key)]\n    pub id: i64,\n    pub chat_id: Option<Uuid>,\n}\n\
                 #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {\n    #[sea_orm(belongs_to = \"super::chat::Entity\", from = \"Column::ChatId\", to = \"super::chat::Column::Id\")]\n    Chat,\n}\n";
    let other = "use sea_orm::entity::prelude::*;\n#[derive(Clone, Debug, DeriveEntityModel)]\n#[sea_orm(table_name = \"tenant_settings\")]\npub struct Model {\n    #[sea_orm(primary_key)]\n    pub tenant_ref: Uuid,\n}\n\
                 #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]\npub enum Relation {\n    #[sea_orm(belongs_to = \"super::tenant::Entity\", from = \"Column::TenantRef\", to = \"super::tenant::Column::Id\")]\n    Tenant,\n}\n";
    let m = model_of(&[
        ("src/entities/tenant.rs", org),
        ("src/entities/chat.rs", chat),
        ("src/entities/message.rs", message),
        ("src/entities/draft.rs", draft),
        ("src/entities/tenant_setting.rs", other),
    ]);
    assert_eq!(m.roots, ["tenants"]);
    assert_eq!(tree(&m, "chats"), (Scope::Direct, cols(&["tenant_ref"])));
    assert_eq!(tree(&m, "messages"), (Scope::Child, cols(&["chat_id"])));
    assert_eq!(
        tree(&m, "drafts"),
        (Scope::None, vec![]),
        "Option<Uuid> parent"
    );
}

const SEA_QUERY_MIGRATION: &str = r#"
use sea_orm_migration::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(ColumnDef::new(Organizations::Identifier).string().not_null().primary_key())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Folders::Table)
                    .col(ColumnDef::new(Folders::Id).string().not_null().primary_key())
                    .col(ColumnDef::new(Folders::Org).string().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .col(ColumnDef::new(Alerts::Id).string().not_null().primary_key())
                    .col(ColumnDef::new(Alerts::Org).string().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Dashboards::Table)
                    .col(ColumnDef::new(Dashboards::Id).string().not_null().primary_key())
                    .col(ColumnDef::new(Dashboards::FolderId).string().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("dashboards_folders_fk")
                            .from(Dashboards::Table, Dashboards::FolderId)
                            .to(Folders::Table, Folders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Panels::Table)
                    .col(ColumnDef::new(Panels::Id).string().not_null().primary_key())
                    .col(ColumnDef::new(Panels::DashboardId).string().not_null())
                    .col(ColumnDef::new(Panels::Note).string())
                    .to_owned(),
            )
            .await?;
        manager
            .create_foreign_key(
                ForeignKey::create()
                    .from(Panels::Table, Panels::DashboardId)
                    .to(Dashboards::Table, Dashboards::Id)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Organizations { Table, Identifier }
#[derive(DeriveIden)]
enum Folders { Table, Id, Org }
#[derive(DeriveIden)]
enum Alerts { Table, Id, Org }
#[derive(DeriveIden)]
enum Dashboards { Table, Id, FolderId }
#[derive(DeriveIden)]
enum Panels { Table, Id, DashboardId, Note }
"#;

#[test]
fn sea_query_keys_and_columns_named_after_the_root() {
    let m = model_of(&[(
        "src/migration/m20240101_000001_init.rs",
        SEA_QUERY_MIGRATION,
    )]);
    // No key references `organizations`, but two tables carry a column
    // named after it (`org`).
    assert_eq!(m.roots, ["organizations"]);
    assert_eq!(tree(&m, "folders"), (Scope::Direct, cols(&["org"])));
    assert_eq!(tree(&m, "alerts"), (Scope::Direct, cols(&["org"])));
    assert_eq!(tree(&m, "dashboards"), (Scope::Child, cols(&["folder_id"])));
    // `manager.create_foreign_key(..)` after the table.
    assert_eq!(tree(&m, "panels"), (Scope::Child, cols(&["dashboard_id"])));
}

#[test]
fn sql_constraints_dropped_and_not_null_changed_follow_the_migrations() {
    let m = model_of(&[
        (
            "migrations/0001_init.sql",
            "CREATE TABLE accounts (id uuid PRIMARY KEY);\n\
             CREATE TABLE boards (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts (id));\n\
             CREATE TABLE cards (id uuid PRIMARY KEY, board_id uuid NOT NULL,\n\
                CONSTRAINT cards_board_fk FOREIGN KEY (board_id) REFERENCES boards (id));\n\
             CREATE TABLE pins (id uuid PRIMARY KEY, board_id uuid REFERENCES boards (id));\n\
             CREATE TABLE stars (id uuid PRIMARY KEY, card_id uuid NOT NULL REFERENCES cards);\n\
             CREATE TABLE owners (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts (id));\n",
        ),
        (
            "migrations/0002_more.sql",
            "ALTER TABLE pins ALTER COLUMN board_id SET NOT NULL;\n\
             ALTER TABLE stars DROP CONSTRAINT stars_card_id_fkey;\n",
        ),
    ]);
    assert_eq!(m.roots, ["accounts"]);
    assert_eq!(tree(&m, "cards"), (Scope::Child, cols(&["board_id"])));
    assert_eq!(
        tree(&m, "pins"),
        (Scope::Child, cols(&["board_id"])),
        "SET NOT NULL"
    );
    // PostgreSQL's name for the unnamed key, dropped.
    assert_eq!(tree(&m, "stars"), (Scope::None, vec![]));
}

#[test]
fn a_configured_root_overrides_the_inference() {
    let files = [
        (
            "migrations/0001_init.sql",
            "CREATE TABLE stores (id uuid PRIMARY KEY);\n\
             CREATE TABLE products (id uuid PRIMARY KEY, store_id uuid NOT NULL REFERENCES stores (id));\n\
             CREATE TABLE variants (id uuid PRIMARY KEY, product_id uuid NOT NULL REFERENCES products (id));\n",
        ),
        ("tenant-lint.toml", "[tenant]\nroot = \"stores\"\n"),
    ];
    let m = model_of(&files);
    assert_eq!(m.roots, ["stores"]);
    assert_eq!(tree(&m, "products"), (Scope::Direct, cols(&["store_id"])));
    assert_eq!(tree(&m, "variants"), (Scope::Child, cols(&["product_id"])));
    // Without it, `stores` is not a name of tenants: nothing is tenant data.
    let m = model_of(&files[..1]);
    assert!(m.roots.is_empty());
    assert_eq!(m.tenant_tables().count(), 0);
}

fn schema_cli(args: &[&str]) -> String {
    let out = Command::cargo_bin("tenant-lint")
        .expect("built")
        .arg("schema")
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn schema_formats_draw_the_tree() {
    let d = fixture("tenancy/fail").display().to_string();
    let json: serde_json::Value =
        serde_json::from_str(&schema_cli(&[&d, "--format", "json"])).expect("json");
    assert_eq!(json["version"], 1);
    assert_eq!(json["roots"], serde_json::json!(["organizations"]));
    let chunks = json["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["name"] == "chunks")
        .expect("chunks");
    assert_eq!(chunks["scope"], "child");
    assert_eq!(chunks["key"], serde_json::json!(["document_id"]));
    assert_eq!(chunks["via"][0], "chunks.document_id -> documents.id");
    let mermaid = schema_cli(&[&d, "--format", "mermaid"]);
    assert!(mermaid.starts_with("flowchart BT\n"), "{mermaid}");
    assert!(
        mermaid.contains("  chunks -->|document_id| documents\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  datasets -->|organization_id| organizations\n"),
        "{mermaid}"
    );
    assert!(!mermaid.contains("slack_workspaces"), "{mermaid}");
    let dot = schema_cli(&[&d, "--format", "dot"]);
    assert!(
        dot.contains("  documents -> datasets [label=\"dataset_id\"];"),
        "{dot}"
    );
    let text = schema_cli(&[&d]);
    assert!(text.starts_with("tenant root: organizations"), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("  chunks ")
            && l.contains(
                "child via chunks.document_id -> documents.id, documents.dataset_id -> datasets.id"
            )),
        "{text}"
    );
    assert!(text.contains("decisions:\n- "), "{text}");
}

#[test]
fn a_bad_root_value_names_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &[("tenant-lint.toml", "[tenant]\nroot = 3\n")]);
    let out = Command::cargo_bin("tenant-lint")
        .expect("built")
        .args(["schema", &dir.path().display().to_string()])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("tenant-lint.toml:2:"), "{err}");
    assert!(
        err.contains("`tenant.root` must be a table name or an array of them, found an integer"),
        "{err}"
    );
}

#[test]
fn migrations_kept_per_backend_parse_in_their_dialect_and_postgresql_wins() {
    let m = model_of(&[
        (
            "migrations/mysql/2024-01-01-000000_init/up.sql",
            "CREATE TABLE `organizations` (`uuid` CHAR(36) NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n\
             CREATE TABLE `collections` (`uuid` CHAR(36) NOT NULL PRIMARY KEY,\n\
               `org_uuid` CHAR(36) NOT NULL REFERENCES `organizations` (`uuid`));\n\
             CREATE TABLE `items` (`uuid` CHAR(36) NOT NULL PRIMARY KEY, `collection_uuid` CHAR(36));\n",
        ),
        (
            "migrations/sqlite/2024-01-01-000000_init/up.sql",
            "CREATE TABLE organizations (uuid TEXT NOT NULL PRIMARY KEY);\n\
             CREATE TABLE collections (uuid TEXT NOT NULL PRIMARY KEY,\n\
               org_uuid TEXT NOT NULL REFERENCES organizations (uuid));\n\
             CREATE TABLE items (uuid INTEGER PRIMARY KEY AUTOINCREMENT, collection_uuid TEXT);\n",
        ),
        (
            "migrations/postgresql/2024-01-01-000000_init/up.sql",
            "CREATE TABLE organizations (uuid CHAR(36) NOT NULL PRIMARY KEY);\n\
             CREATE TABLE groups (uuid CHAR(36) NOT NULL PRIMARY KEY,\n\
               organizations_uuid CHAR(36) NOT NULL REFERENCES organizations (uuid));\n\
             CREATE TABLE collections (uuid CHAR(36) NOT NULL PRIMARY KEY,\n\
               org_uuid CHAR(36) NOT NULL REFERENCES organizations (uuid));\n\
             CREATE TABLE items (uuid CHAR(36) NOT NULL PRIMARY KEY,\n\
               collection_uuid CHAR(36) NOT NULL REFERENCES collections (uuid));\n",
        ),
    ]);
    // The MySQL and SQLite sets parse (no problem reported by `model_of`),
    // and only the PostgreSQL set makes `items` a child.
    assert_eq!(m.roots, ["organizations"]);
    assert_eq!(
        tree(&m, "collections"),
        (Scope::Direct, cols(&["org_uuid"]))
    );
    assert_eq!(
        tree(&m, "groups"),
        (Scope::Direct, cols(&["organizations_uuid"]))
    );
    assert_eq!(
        tree(&m, "items"),
        (Scope::Child, cols(&["collection_uuid"]))
    );
}

#[test]
fn a_migration_runs_the_helpers_it_calls_even_without_a_schema_marker() {
    // `indexes()` names no sea-query type: the schema pass must still keep
    // it, as `up` calls it.
    let migration = r#"
use sea_orm_migration::prelude::*;
pub struct Migration;
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(queues()).await?;
        for ix in indexes() {
            manager.create_index(ix).await?;
        }
        Ok(())
    }
}
fn indexes() -> Vec<IndexCreateStatement> {
    vec![by_columns("queues_org_idx", Queues::Table, [Queues::OrgId, Queues::Name])]
}
fn by_columns<T: IntoIden + 'static, C: IntoIden + 'static, const N: usize>(
    name: &str,
    table: T,
    columns: [C; N],
) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table);
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
"#;
    let m = model_of(&[("src/migration/m20240101_000001_queues.rs", migration)]);
    let t = m
        .migrated
        .tables
        .iter()
        .find(|t| t.name == "queues")
        .expect("queues migrated");
    let names: Vec<Option<&str>> = t.indexes.iter().map(|i| i.name.as_deref()).collect();
    assert!(names.contains(&Some("queues_org_idx")), "{names:?}");
}

#[test]
fn init_writes_the_inferred_root_and_tree_as_comments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = fixture("tenancy/fail");
    let mut files: Vec<(String, String)> = Vec::new();
    for rel in [
        "Cargo.toml",
        "migrations/20240101000000_init.sql",
        "src/repo/chunks.rs",
    ] {
        files.push((
            rel.to_string(),
            std::fs::read_to_string(src.join(rel)).expect("read"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_tree(dir.path(), &refs);
    let out = Command::cargo_bin("tenant-lint")
        .expect("built")
        .args(["init", &dir.path().display().to_string()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("tenant-lint.toml")).expect("config");
    assert!(text.contains("# root = [\"organizations\"]\n"), "{text}");
    assert!(
        text.contains("below a parent: chunks (via chunks.document_id -> documents.id)"),
        "{text}"
    );
    // Keys found by foreign key are inferred again: `columns` stays a comment.
    assert!(!text.lines().any(|l| l.starts_with("columns")), "{text}");
    assert!(!text.contains("org_uuid\", "), "{text}");
}

#[test]
fn partitions_inherit_their_parent_and_go_with_it() {
    let m = model_of(&[
        (
            "migrations/0001_init.sql",
            "CREATE TABLE workspaces (id uuid PRIMARY KEY);\n\
             CREATE TABLE pages (oid text NOT NULL, workspace_id uuid NOT NULL REFERENCES workspaces (id),\n\
               partition_key int NOT NULL) PARTITION BY LIST (partition_key);\n\
             CREATE TABLE pages_doc PARTITION OF pages FOR VALUES IN (0);\n\
             CREATE INDEX pages_ws_idx ON pages (workspace_id);\n\
             CREATE TABLE blobs (id uuid PRIMARY KEY, workspace_id uuid NOT NULL REFERENCES workspaces (id));\n\
             CREATE TABLE old_snaps (oid text NOT NULL, workspace_id uuid NOT NULL, k int NOT NULL) PARTITION BY LIST (k);\n\
             CREATE TABLE old_snaps_doc PARTITION OF old_snaps FOR VALUES IN (0);\n",
        ),
        ("migrations/0002_drop.sql", "DROP TABLE old_snaps;\n"),
    ]);
    assert_eq!(
        tree(&m, "pages_doc"),
        (Scope::Direct, cols(&["workspace_id"]))
    );
    assert!(
        !m.tables.contains_key("old_snaps_doc"),
        "{:?}",
        m.tables.keys()
    );
    // An index made on the parent later is on the partition too.
    let doc = m
        .migrated
        .tables
        .iter()
        .find(|t| t.name == "pages_doc")
        .expect("pages_doc");
    assert!(
        doc.indexes
            .iter()
            .any(|i| i.name.as_deref() == Some("pages_ws_idx")),
        "{:?}",
        doc.indexes
    );
}

#[test]
fn a_parent_key_from_the_request_nothing_checked_is_unscoped() {
    let src = fixture("tenancy/fail");
    let read = |rel: &str| std::fs::read_to_string(src.join(rel)).expect("read");
    let handler = r#"
use axum::extract::{Path, State};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sqlx::PgPool;
use uuid::Uuid;
use crate::entities::{dataset, document};

pub async fn docs_of(State(db): State<DatabaseConnection>, Path(dataset_id): Path<Uuid>) -> usize {
    document::Entity::find()
        .filter(document::Column::DatasetId.eq(dataset_id))
        .all(&db)
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

pub async fn docs_checked(State(db): State<DatabaseConnection>, Path((org_id, dataset_id)): Path<(Uuid, Uuid)>) -> usize {
    // The dataset is loaded for the organization first: a check (the org
    // from the URL is then `untrusted-tenant-source`'s concern).
    let Ok(Some(ds)) = dataset::Entity::find_by_id(dataset_id)
        .filter(dataset::Column::OrganizationId.eq(org_id))
        .one(&db)
        .await
    else {
        return 0;
    };
    document::Entity::find()
        .filter(document::Column::DatasetId.eq(ds.id))
        .all(&db)
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

pub async fn docs_sql(State(pool): State<PgPool>, Path(dataset_id): Path<Uuid>) -> usize {
    let rows: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM documents WHERE dataset_id = $1")
        .bind(dataset_id)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    rows.len()
}
"#;
    let files = [
        ("Cargo.toml".to_string(), read("Cargo.toml")),
        (
            "migrations/20240101000000_init.sql".to_string(),
            read("migrations/20240101000000_init.sql"),
        ),
        (
            "src/entities/mod.rs".to_string(),
            read("src/entities/mod.rs"),
        ),
        (
            "src/entities/organization.rs".to_string(),
            read("src/entities/organization.rs"),
        ),
        (
            "src/entities/dataset.rs".to_string(),
            read("src/entities/dataset.rs"),
        ),
        (
            "src/entities/document.rs".to_string(),
            read("src/entities/document.rs"),
        ),
        (
            "src/main.rs".to_string(),
            "mod entities;\nmod handlers;\n".to_string(),
        ),
        ("src/handlers.rs".to_string(), handler.to_string()),
        (
            "tenant-lint.toml".to_string(),
            "[rules]\nuntrusted-tenant-source = \"error\"\n".to_string(),
        ),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), &refs);
    let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .expect("check");
    let got: Vec<(&str, u32, &str)> = report
        .findings
        .iter()
        .filter(|f| report.files[f.file].rel == "src/handlers.rs")
        .map(|f| (f.rule, f.span.start.line, f.message.as_str()))
        .collect();
    // Not `untrusted-tenant-source`'s: with nothing checked, the child is
    // not scoped at all. The org from the URL in `docs_checked` is.
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), ("unscoped-query", 11), "{got:#?}");
    assert!(
        got[0].2.contains(
            "on `documents` is bound only by its parent key `dataset_id`, taken from the request (`dataset_id`, from the `Path` extractor)"
        ),
        "{got:#?}"
    );
    assert_eq!(got[1].0, "untrusted-tenant-source", "{got:#?}");
    assert!(got[1].2.contains("`org_id`"), "{got:#?}");
    assert_eq!((got[2].0, got[2].1), ("unscoped-sql", 38), "{got:#?}");
    assert!(
        got[2]
            .2
            .starts_with("SQL on `documents` is bound only by its parent key `dataset_id`"),
        "{got:#?}"
    );
}

#[test]
fn a_table_an_impl_method_creates_at_start_up_is_in_the_tree() {
    let m = model_of(&[(
        "src/pipelines.rs",
        r#"
pub struct PgPipelines;

impl PipelineTable for PgPipelines {
    async fn create_table(&self, pool: &PgPool) -> Result<()> {
        sqlx::query("CREATE TABLE IF NOT EXISTS pipelines (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL)")
            .execute(pool)
            .await?;
        Ok(())
    }

    #[cfg(test)]
    fn fixture() -> &'static str {
        "CREATE TABLE scratch (id TEXT, org_id TEXT)"
    }
}
"#,
    )]);
    assert_eq!(tree(&m, "pipelines"), (Scope::Direct, cols(&["org_id"])));
    assert!(!m.tables.contains_key("scratch"), "a test method's table");
}

#[test]
fn a_child_of_a_row_owned_by_a_user_or_a_tenant_is_bound_by_its_user_key_too() {
    let m = model_of(&[(
        "migrations/0001_init.sql",
        "CREATE TABLE organizations (uuid text PRIMARY KEY);\n\
         CREATE TABLE users (uuid text PRIMARY KEY);\n\
         CREATE TABLE collections (uuid text PRIMARY KEY, org_uuid text NOT NULL REFERENCES organizations (uuid));\n\
         CREATE TABLE ciphers (uuid text PRIMARY KEY,\n\
           user_uuid text REFERENCES users (uuid),\n\
           organization_uuid text REFERENCES organizations (uuid));\n\
         CREATE TABLE favorites (user_uuid text NOT NULL REFERENCES users (uuid),\n\
           cipher_uuid text NOT NULL REFERENCES ciphers (uuid), PRIMARY KEY (user_uuid, cipher_uuid));\n\
         CREATE TABLE attachments (id text PRIMARY KEY, cipher_uuid text NOT NULL REFERENCES ciphers (uuid));\n",
    )]);
    assert_eq!(
        tree(&m, "ciphers"),
        (Scope::Direct, cols(&["organization_uuid", "user_uuid"]))
    );
    // A user's favorites are the user's: `user_uuid = $1` binds them.
    assert_eq!(
        tree(&m, "favorites"),
        (Scope::Child, cols(&["cipher_uuid", "user_uuid"]))
    );
    assert_eq!(
        tree(&m, "attachments"),
        (Scope::Child, cols(&["cipher_uuid"]))
    );
}

/// Findings of a tree written to a temporary directory: (rule, file,
/// line).
fn findings_of(files: &[(&str, &str)]) -> Vec<(String, String, u32)> {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(dir.path(), files);
    let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .expect("check");
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                report.files[f.file].rel.clone(),
                f.span.start.line,
            )
        })
        .collect()
}

const WEBHOOK_SCHEMA: &str = "\
CREATE TABLE application (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL);
CREATE INDEX application_org ON application (org_id);
CREATE TABLE eventtype (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL);
CREATE INDEX eventtype_org ON eventtype (org_id);
CREATE TABLE endpoint (id TEXT PRIMARY KEY, app_id TEXT NOT NULL REFERENCES application (id), url TEXT NOT NULL);
CREATE TABLE delivery (id TEXT PRIMARY KEY, endp_id TEXT NOT NULL REFERENCES endpoint (id), status INT NOT NULL);
";

const WEBHOOK_ENTITIES: &str = "\
pub mod endpoint {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = \"endpoint\")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: String,
        pub app_id: String,
        pub url: String,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    impl Entity {
        pub fn secure_find_by_id(app_id: String, id: String) -> Select<Entity> {
            Self::find().filter(Column::AppId.eq(app_id)).filter(Column::Id.eq(id))
        }
    }
}

pub mod delivery {
    use sea_orm::entity::prelude::*;
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = \"delivery\")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: String,
        pub endp_id: String,
        pub status: i32,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    impl Entity {
        pub fn secure_find_by_endpoint(endp_id: String) -> Select<Entity> {
            Self::find().filter(Column::EndpId.eq(endp_id))
        }
    }
}
";

#[test]
fn an_entity_helper_given_a_parent_key_from_the_url_is_reported_at_the_call() {
    // The shape of a real fix (an attempts listing by endpoint id, where the
    // authenticated application was discarded): the entity's helper binds
    // the child by its parent key, and the handler hands it the id from
    // the path. Once the endpoint is loaded for the caller's application,
    // its id is checked.
    let handlers = "\
use axum::extract::{Extension, Path};
use sea_orm::{DatabaseConnection, EntityTrait};
use crate::models::{delivery, endpoint};

pub struct AuthenticatedApp { pub app: endpoint::Model }

pub async fn list_unchecked(
    Extension(ref db): Extension<DatabaseConnection>,
    Path((_app_id, endp_id)): Path<(String, String)>,
    AuthenticatedApp { app: _ }: AuthenticatedApp,
) -> usize {
    delivery::Entity::secure_find_by_endpoint(endp_id).all(db).await.map(|v| v.len()).unwrap_or(0)
}

pub async fn list_checked(
    Extension(ref db): Extension<DatabaseConnection>,
    Path((_app_id, endp_id)): Path<(String, String)>,
    AuthenticatedApp { app }: AuthenticatedApp,
) -> usize {
    let Ok(Some(endp)) = endpoint::Entity::secure_find_by_id(app.id.clone(), endp_id).one(db).await else {
        return 0;
    };
    delivery::Entity::secure_find_by_endpoint(endp.id).all(db).await.map(|v| v.len()).unwrap_or(0)
}
";
    let got = findings_of(&[
        ("Cargo.toml", "[package]\nname = \"hooks\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsea-orm = \"1\"\naxum = \"0.7\"\n"),
        ("migrations/1_init.sql", WEBHOOK_SCHEMA),
        ("src/main.rs", "mod handlers;\nmod models;\nfn main() {}\n"),
        ("src/models.rs", WEBHOOK_ENTITIES),
        ("src/handlers.rs", handlers),
    ]);
    assert_eq!(
        got,
        [(
            "unscoped-query".to_string(),
            "src/handlers.rs".to_string(),
            12
        )],
        "{got:#?}"
    );
}

#[test]
fn a_rocket_route_parameter_handed_to_a_diesel_helper_is_request_input() {
    // Rocket puts URL parameters in the handler's arguments by name. The
    // model function binds the link table by one parent key; the handler
    // that checks the group against the org first (a function given both)
    // is fine, the one that only looks the group up by its id is not.
    let schema = "\
diesel::table! { organizations (uuid) { uuid -> Text, name -> Text, } }
diesel::table! { groups (uuid) { uuid -> Text, organizations_uuid -> Text, name -> Text, } }
diesel::table! { collections (uuid) { uuid -> Text, org_uuid -> Text, name -> Text, } }
diesel::table! { groups_users (groups_uuid, users_uuid) { groups_uuid -> Text, users_uuid -> Text, } }
diesel::joinable!(groups -> organizations (organizations_uuid));
diesel::joinable!(collections -> organizations (org_uuid));
diesel::joinable!(groups_users -> groups (groups_uuid));
";
    let models = "\
use diesel::prelude::*;
use crate::schema::{groups, groups_users};

#[derive(Queryable)]
#[diesel(table_name = groups)]
pub struct Group { pub uuid: String, pub organizations_uuid: String, pub name: String }

impl Group {
    pub async fn find_by_uuid(uuid: &str, conn: &mut DbConn) -> Option<Self> {
        groups::table.filter(groups::uuid.eq(uuid)).first::<Self>(conn).ok()
    }
    pub async fn find_by_uuid_and_org(uuid: &str, org_uuid: &str, conn: &mut DbConn) -> Option<Self> {
        groups::table
            .filter(groups::uuid.eq(uuid))
            .filter(groups::organizations_uuid.eq(org_uuid))
            .first::<Self>(conn)
            .ok()
    }
}

#[derive(Queryable)]
#[diesel(table_name = groups_users)]
pub struct GroupUser { pub groups_uuid: String, pub users_uuid: String }

impl GroupUser {
    pub async fn find_by_group(group_uuid: &str, conn: &mut DbConn) -> Vec<Self> {
        groups_users::table
            .filter(groups_users::groups_uuid.eq(group_uuid))
            .load::<Self>(conn)
            .unwrap_or_default()
    }
}
";
    let api = "\
use crate::models::{Group, GroupUser};

#[get(\"/organizations/<org_id>/groups/<group_id>/users\")]
async fn get_group_users(org_id: &str, group_id: &str, headers: AdminHeaders, mut conn: DbConn) -> usize {
    if Group::find_by_uuid(group_id, &mut conn).await.is_none() {
        return 0;
    }
    GroupUser::find_by_group(group_id, &mut conn).await.len()
}

#[get(\"/organizations/<org_id>/groups/<group_id>/members\")]
async fn get_group_members(org_id: &str, group_id: &str, headers: AdminHeaders, mut conn: DbConn) -> usize {
    if Group::find_by_uuid_and_org(group_id, org_id, &mut conn).await.is_none() {
        return 0;
    }
    GroupUser::find_by_group(group_id, &mut conn).await.len()
}
";
    let got = findings_of(&[
        ("Cargo.toml", "[package]\nname = \"vault\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ndiesel = \"2\"\nrocket = \"0.5\"\n"),
        ("src/main.rs", "mod api;\nmod models;\nmod schema;\nfn main() {}\n"),
        ("src/schema.rs", schema),
        ("src/models.rs", models),
        ("src/api.rs", api),
    ]);
    let in_api: Vec<&(String, String, u32)> =
        got.iter().filter(|(_, f, _)| f == "src/api.rs").collect();
    assert_eq!(
        in_api,
        [&("unscoped-query".to_string(), "src/api.rs".to_string(), 8)],
        "{got:#?}"
    );
}

#[test]
fn direct_tables_get_parent_keys_and_clickhouse_tables_parents_by_name() {
    let m = model_of(&[
        (
            "migrations/0001_init/up.sql",
            "CREATE TABLE orgs (id uuid PRIMARY KEY);\n\
             CREATE TABLE datasets (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id));\n\
             CREATE TABLE files (id uuid PRIMARY KEY, org_id uuid NOT NULL REFERENCES orgs (id),\n\
               dataset_id uuid NOT NULL REFERENCES datasets (id),\n\
               folder_id uuid REFERENCES datasets (id));\n",
        ),
        (
            "migrations/0002_drop/up.sql",
            "-- moved to ClickHouse\nDROP TABLE IF EXISTS events;\n",
        ),
        (
            "ch_migrations/0001_events/up.sql",
            "CREATE TABLE events (id UUID, dataset_id UUID, request_id String)\n\
             ENGINE = MergeTree() ORDER BY id;\n\
             CREATE TABLE hits (id UUID, dataset_id Nullable(UUID)) ORDER BY id;\n",
        ),
    ]);
    // A direct table's NOT NULL key to other tenant data binds it too; a
    // nullable one does not.
    assert_eq!(
        tree(&m, "files"),
        (Scope::Direct, cols(&["org_id", "dataset_id"]))
    );
    assert_eq!(m.tables["files"].parent_keys, cols(&["dataset_id"]));
    assert_eq!(m.tables["files"].own_keys().collect::<Vec<_>>(), ["org_id"]);
    // ClickHouse: the parent by the column's name; applied after the
    // database's migrations, whose DROP does not remove it.
    assert_eq!(tree(&m, "events"), (Scope::Child, cols(&["dataset_id"])));
    assert!(m.tables["events"]
        .notes
        .iter()
        .any(|n| n.contains("inferred from the column's name")));
    // `Nullable(UUID)`: no child.
    assert_eq!(tree(&m, "hits").0, Scope::None);
    assert!(m.keyless.contains("events") && !m.keyless.contains("files"));
}
