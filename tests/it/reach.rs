//! Reach (`fixtures/reach`): an axum, an actix-web and a rocket app, with
//! a background loop, a migration, tests and dead code. Each finding's line
//! carries `(reach: KIND)` after its `//~` marker; the kind and the
//! severity it gives must match, and the SARIF log carries the call path.

use crate::support::{check, check_with, fixture, found, markers, write_tree};
use std::collections::BTreeMap;
use tenant_lint::config::Level;
use tenant_lint::diagnostic::ReachKind;
use tenant_lint::render::{self, Format, Options};

/// `(file, line) -> kind` from the `(reach: KIND)` markers.
fn expected_kinds() -> BTreeMap<(String, u32), String> {
    let root = fixture("reach");
    let mut out = BTreeMap::new();
    for (file, line, _) in markers(&root) {
        let text = std::fs::read_to_string(root.join(&file)).expect("read");
        let l = text.lines().nth(line as usize - 1).expect("marked line");
        let kind = l
            .split("(reach: ")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap_or_else(|| panic!("{file}:{line}: no `(reach: KIND)`"));
        out.insert((file, line), kind.to_string());
    }
    out
}

#[test]
fn every_finding_has_the_marked_reach_and_severity() {
    let report = check("reach");
    let expected = expected_kinds();
    assert_eq!(expected.len(), 22, "the fixture's markers");
    // Exactly the marked findings.
    let mut got: Vec<(String, u32)> = found(&report).into_iter().map(|(f, l, _)| (f, l)).collect();
    got.sort();
    let want: Vec<(String, u32)> = expected.keys().cloned().collect();
    assert_eq!(got, want);
    for f in &report.findings {
        let file = report.files[f.file]
            .rel
            .trim_start_matches("fixtures/reach/")
            .to_string();
        let r = f.reach.as_ref().expect("a query finding has a reach");
        let kind = r.kind.as_str();
        assert_eq!(
            expected[&(file.clone(), f.span.start.line)],
            kind,
            "{file}:{}: {}",
            f.span.start.line,
            r.reason
        );
        let level = match r.kind {
            ReachKind::Request | ReachKind::Unknown => Level::Error,
            ReachKind::Background | ReachKind::None => Level::Warn,
        };
        assert_eq!(f.level, level, "{file}:{}", f.span.start.line);
        if r.kind == ReachKind::Request {
            assert!(!r.routes.is_empty(), "{file}: a request has routes");
        }
    }
}

/// The functions on a reach's call path, the entry first.
fn functions(r: &tenant_lint::diagnostic::Reach) -> Vec<&str> {
    r.path.iter().map(|s| s.function.as_str()).collect()
}

#[test]
fn routes_and_paths_name_the_handler_and_the_calls() {
    let report = check("reach");
    let by_line = |file: &str, line: u32| {
        report
            .findings
            .iter()
            .find(|f| report.files[f.file].rel.ends_with(file) && f.span.start.line == line)
            .and_then(|f| f.reach.clone())
            .unwrap_or_else(|| panic!("{file}:{line}"))
    };
    // axum: a method router chained on another, and a helper below it.
    let r = by_line("axum_app/src/store.rs", 13);
    assert_eq!(r.routes, ["GET /orgs/:org_id/projects/:project_id"]);
    assert_eq!(functions(&r), ["show", "project_by_id"]);
    assert_eq!(
        by_line("axum_app/src/routes/projects.rs", 19).routes,
        ["DELETE /orgs/:org_id/projects/:project_id"]
    );
    // A method call on a repository value.
    let r = by_line("axum_app/src/store.rs", 25);
    assert_eq!(functions(&r), ["rename", "ProjectRepo::rename"]);
    // actix: the attribute's route, and web::resource(..).route(web::delete().to(h)).
    assert_eq!(
        by_line("actix_app/src/main.rs", 13).routes,
        ["GET /orgs/{org_id}/invoices/{id}"]
    );
    assert_eq!(
        by_line("actix_app/src/reports.rs", 10).routes,
        ["DELETE /reports/{id}"]
    );
    // rocket: the attribute's route of a handler mounted with routes![].
    assert_eq!(
        by_line("rocket_app/src/notes.rs", 4).routes,
        ["GET /orgs/<_org_id>/notes/<id>"]
    );
    // poem `#[handler]` routed with `.at(..)`, a tonic service method, a
    // utoipa path attribute.
    assert_eq!(
        by_line("poem_app/src/main.rs", 11).routes,
        ["GET /tags/:id"]
    );
    assert_eq!(
        by_line("poem_app/src/grpc.rs", 12).routes,
        ["rpc TagService::delete_tag"]
    );
    assert_eq!(
        by_line("poem_app/src/openapi.rs", 7).routes,
        ["PUT /tags/{id}/label"]
    );
    // Background: spawned by main; a migration; tests only; nothing.
    let r = by_line("axum_app/src/jobs.rs", 21);
    assert_eq!(
        functions(&r),
        ["main", "retention_loop", "purge_old_events"]
    );
    assert!(by_line("actix_app/src/m20240301_backfill_status.rs", 24)
        .reason
        .contains("migration"));
    assert_eq!(
        by_line("rocket_app/src/notes.rs", 13).reason,
        "called only from tests"
    );
    assert_eq!(
        by_line("axum_app/src/store.rs", 36).reason,
        "no caller in the workspace"
    );
    // Called by the set-up of a test module declared in another file
    // (`#[cfg(test)] mod store_tests;`), which a handler's `.fetch_all(pool)`
    // does not call.
    assert_eq!(
        by_line("axum_app/src/store.rs", 52).reason,
        "called only from tests"
    );
    assert!(by_line("axum_app/src/jobs.rs", 30)
        .reason
        .contains("count_events"));
}

#[test]
fn sarif_carries_the_call_path_as_a_code_flow() {
    let report = check("reach");
    let mut out = Vec::new();
    render::render(&report, Format::Sarif, Options::default(), &mut out).expect("render");
    let log: serde_json::Value = serde_json::from_slice(&out).expect("json");
    crate::sarif::assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().expect("results");
    let job = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("axum_app/src/jobs.rs"))
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 21
        })
        .expect("the retention job's finding");
    let steps = job["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .expect("thread flow");
    let lines: Vec<u64> = steps
        .iter()
        .map(|s| {
            s["location"]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    // main, retention_loop, purge_old_events, then the query.
    assert_eq!(lines, [14, 6, 20, 21]);
    assert_eq!(job["properties"]["reach"]["kind"], "background");
    assert_eq!(job["level"], "warning");
}

#[test]
fn reach_lower_can_be_turned_off_and_entry_points_declared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        ("migrations/1_init.sql", "CREATE TABLE docs (id UUID PRIMARY KEY, org_id UUID NOT NULL);\nCREATE INDEX docs_org ON docs (org_id);\n"),
        (
            "src/main.rs",
            "mod jobs;\nfn main() {\n    jobs::sweep(&pool());\n}\n",
        ),
        (
            "src/jobs.rs",
            "pub async fn sweep(pool: &sqlx::PgPool) {\n    sqlx::query(\"DELETE FROM docs\").execute(pool).await;\n}\n\n/// Called by a framework this reading does not know.\npub async fn on_message(pool: &sqlx::PgPool) {\n    sqlx::query(\"SELECT * FROM docs\").fetch_all(pool).await;\n}\n",
        ),
    ];
    write_tree(dir.path(), &files);
    let run = |config: &str| {
        std::fs::write(dir.path().join("tenant-lint.toml"), config).expect("config");
        check_with("reach", |o| o.paths = vec![dir.path().to_path_buf()])
            .findings
            .iter()
            .map(|f| (f.span.start.line, f.level, f.reach.as_ref().map(|r| r.kind)))
            .collect::<Vec<_>>()
    };
    // Defaults: the sweep (from main) and the handler nobody calls are lower.
    assert_eq!(
        run(""),
        [
            (2, Level::Warn, Some(ReachKind::Background)),
            (7, Level::Warn, Some(ReachKind::None)),
        ]
    );
    // `lower = []`: severity is the rule's whatever the reach.
    assert_eq!(
        run("[reach]\nlower = []\n"),
        [
            (2, Level::Error, Some(ReachKind::Background)),
            (7, Level::Error, Some(ReachKind::None)),
        ]
    );
    // A handler of a framework the reading does not know, declared.
    assert_eq!(
        run("[reach]\nrequest = [\"jobs::on_message\"]\n"),
        [
            (2, Level::Warn, Some(ReachKind::Background)),
            (7, Level::Error, Some(ReachKind::Request)),
        ]
    );
}

#[test]
fn a_cached_reach_is_reused_only_for_the_same_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("cache dir");
    write_tree(
        dir.path(),
        &[
            ("migrations/1_init.sql", "CREATE TABLE docs (id UUID PRIMARY KEY, org_id UUID NOT NULL);\nCREATE INDEX docs_org ON docs (org_id);\n"),
            ("src/main.rs", "mod jobs;\nfn main() {\n    jobs::sweep(&pool());\n}\n"),
            ("src/jobs.rs", "pub async fn sweep(pool: &sqlx::PgPool) {\n    sqlx::query(\"DELETE FROM docs\").execute(pool).await;\n}\n"),
        ],
    );
    let run = || {
        check_with("reach", |o| {
            o.paths = vec![dir.path().to_path_buf()];
            o.cache = Some(cache.path().to_path_buf());
        })
        .findings
        .iter()
        .map(|f| f.reach.as_ref().map(|r| (r.kind, r.path.len())))
        .collect::<Vec<_>>()
    };
    let cold = run();
    assert_eq!(cold, [Some((ReachKind::Background, 2))]);
    assert_eq!(run(), cold, "warm: the cached answer");
    // `main` no longer calls the job: another file changed, same finding.
    std::fs::write(dir.path().join("src/main.rs"), "mod jobs;\nfn main() {}\n").expect("write");
    assert_eq!(run(), [Some((ReachKind::None, 1))]);
}

/// A lookup by a key the request chooses leads its message with it, and
/// with the route that brings it: Diesel's `.find(id)` on a table, in a
/// rocket handler whose route names the parameter.
#[test]
fn a_key_from_the_request_leads_the_message_with_its_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tree(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"notes\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nrocket = \"0.5\"\ndiesel = { version = \"2\", features = [\"postgres\"] }\n",
            ),
            (
                "src/schema.rs",
                "diesel::table! {\n    orgs (id) {\n        id -> Int4,\n    }\n}\n\ndiesel::table! {\n    notes (id) {\n        id -> Int4,\n        org_id -> Int4,\n        body -> Text,\n    }\n}\n\ndiesel::joinable!(notes -> orgs (org_id));\n",
            ),
            (
                "src/main.rs",
                "#[macro_use]\nextern crate rocket;\nmod schema;\nuse diesel::prelude::*;\nuse schema::notes;\n\n#[get(\"/orgs/<org_id>/notes/<id>\")]\nfn show(conn: &mut PgConnection, org_id: i32, id: i32) -> String {\n    let _ = org_id;\n    notes::table\n        .find(id)\n        .select(notes::body)\n        .first::<String>(conn)\n        .unwrap_or_default()\n}\n\n#[launch]\nfn rocket() -> _ {\n    rocket::build().mount(\"/\", routes![show])\n}\n",
            ),
        ],
    );
    let report = tenant_lint::engine::check(&tenant_lint::engine::CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .expect("check");
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == "unscoped-query")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].starts_with(
            "`id` comes from the request to `GET /orgs/<org_id>/notes/<id>` (from the route"
        ),
        "{messages:#?}"
    );
}
