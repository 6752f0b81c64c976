//! What users see: the rendered human output of each failing fixture, and
//! the demo project in every output format.

use crate::support::check;
use std::time::Duration;
use tenant_lint::render::{self, Format};

fn rendered(rel: &str, format: Format) -> String {
    // A rule's tree is shown with that rule only; the demo with all.
    let rule = rel.split('/').next().unwrap_or("");
    let mut report = if rel.ends_with("/fail")
        && !matches!(rule, "invalid-suppression" | "cross-function" | "tenancy")
    {
        crate::support::check_with(rel, |o| o.select = vec![rule.to_string()])
    } else {
        check(rel)
    };
    // Elapsed time is the one non-deterministic part of the output.
    report.stats.elapsed = Duration::ZERO;
    let mut out = Vec::new();
    render::render(&report, format, render::Options::default(), &mut out)
        .expect("render to memory");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn unscoped_query_human() {
    insta::assert_snapshot!(rendered("unscoped-query/fail", Format::Human));
}

#[test]
fn untrusted_tenant_source_human() {
    insta::assert_snapshot!(rendered("untrusted-tenant-source/fail", Format::Human));
}

#[test]
fn tenancy_human() {
    insta::assert_snapshot!(rendered("tenancy/fail", Format::Human));
}

#[test]
fn cross_function_human() {
    insta::assert_snapshot!(rendered("cross-function/fail", Format::Human));
}

#[test]
fn parse_error_human() {
    insta::assert_snapshot!(rendered("parse-error/fail", Format::Human));
}

#[test]
fn invalid_suppression_human() {
    insta::assert_snapshot!(rendered("invalid-suppression/fail", Format::Human));
}

#[test]
fn demo_human() {
    insta::assert_snapshot!(rendered("demo", Format::Human));
}

#[test]
fn demo_concise() {
    insta::assert_snapshot!(rendered("demo", Format::Concise));
}

#[test]
fn demo_json() {
    let out = rendered("demo", Format::Json);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid json");
    assert_eq!(v["version"], 1);
    for f in v["findings"].as_array().expect("findings array") {
        let mut keys: Vec<&str> = f
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "reach" && *k != "fix")
            .collect();
        keys.sort_unstable();
        // Findings at a query say how it is reached.
        if f["rule"]
            .as_str()
            .is_some_and(|r| r.starts_with("unscoped"))
        {
            let kind = f["reach"]["kind"].as_str().expect("reach.kind");
            assert!(
                ["request", "background", "none", "unknown"].contains(&kind),
                "{kind}"
            );
        }
        assert_eq!(
            keys,
            [
                "column",
                "doc",
                "end_column",
                "end_line",
                "file",
                "fingerprint",
                "help",
                "labels",
                "line",
                "message",
                "notes",
                "rule",
                "severity"
            ]
        );
        // The primary label is where the finding is.
        let primary = &f["labels"][0];
        assert_eq!(primary["primary"], true);
        for k in ["file", "line", "column", "end_line", "end_column"] {
            assert_eq!(primary[k], f[k], "{k}");
        }
        let rule = f["rule"].as_str().expect("rule");
        assert!(
            f["doc"]
                .as_str()
                .is_some_and(|d| d.ends_with(&format!("/rules/{rule}.md"))),
            "{}",
            f["doc"]
        );
    }
    // The certain fixes: where `--fix` inserts what.
    let fixes: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f.get("fix"))
        .collect();
    assert_eq!(fixes.len(), 6);
    for fix in fixes {
        assert!(
            fix["insert"]
                .as_str()
                .is_some_and(|i| i.contains(".filter(")),
            "{fix}"
        );
        assert!(fix["line"].as_u64().is_some() && fix["column"].as_u64().is_some());
    }
    insta::assert_snapshot!(out);
}

#[test]
fn unscoped_sql_human() {
    // Carets land on the table name inside multi-line raw strings, `const`s
    // of other files and `query_file!` files.
    insta::assert_snapshot!(rendered("unscoped-sql/fail", Format::Human));
}

#[test]
fn session_search_path_human() {
    insta::assert_snapshot!(rendered("session-search-path/fail", Format::Human));
}

#[test]
fn migration_rules_human() {
    let out = [
        rendered("tenant-index-order/fail", Format::Human),
        rendered("tenant-table-unindexed/fail", Format::Human),
        rendered("missing-rls/fail", Format::Human),
    ]
    .join("\n");
    insta::assert_snapshot!(out);
}

#[test]
fn demo_markdown() {
    insta::assert_snapshot!(rendered("demo", Format::Markdown));
}

#[test]
fn audit_markdown() {
    insta::assert_snapshot!(rendered("superuser-access/fail", Format::Markdown));
}

#[test]
fn demo_github() {
    insta::assert_snapshot!(rendered("demo", Format::Github));
}

#[test]
fn demo_gitlab() {
    insta::assert_snapshot!(rendered("demo", Format::Gitlab));
}

/// The SARIF log's structure. Each rule's doc (its help, and the first
/// paragraph of it in `fullDescription`) is replaced by the doc's name:
/// `sarif::sarif_rule_help_is_the_rule_doc` checks that text, and an edit
/// of a doc does not change this snapshot.
#[test]
fn demo_sarif() {
    let mut out = rendered("demo", Format::Sarif);
    let log: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
    {
        let doc = format!("rules/{}.md", rule["id"].as_str().expect("id"));
        for (text, placeholder) in [
            (&rule["help"]["text"], format!("[{doc}]")),
            (
                &rule["fullDescription"]["text"],
                format!("[{doc}: What it does]"),
            ),
        ] {
            let quoted = serde_json::to_string(text).expect("JSON string");
            assert!(out.contains(&quoted), "{doc}");
            out = out.replace(&quoted, &serde_json::to_string(&placeholder).expect("JSON"));
        }
    }
    insta::assert_snapshot!(out);
}
