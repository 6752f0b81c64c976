//! `--format sarif`: the log validates against the official SARIF 2.1.0
//! schema (vendored in `tests/data`), and carries the rules, findings and
//! suppressions that GitHub code scanning reads.

use crate::support::check;
use serde_json::Value;
use tenant_lint::render::{self, Format, Options};
use tenant_lint::rules::RULES;

/// The OASIS SARIF 2.1.0 schema (Errata 01), byte for byte.
const SCHEMA: &str = include_str!("../data/sarif-schema-2.1.0.json");

fn rendered(rel: &str, opts: Options) -> String {
    let report = check(rel);
    let mut out = Vec::new();
    render::render(&report, Format::Sarif, opts, &mut out).expect("render to memory");
    let text = String::from_utf8(out).expect("utf-8 output");
    assert!(text.ends_with("}\n"), "one document, newline-terminated");
    text
}

fn sarif(rel: &str, opts: Options) -> Value {
    serde_json::from_str(&rendered(rel, opts)).expect("SARIF output is JSON")
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("vendored schema is JSON");
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    jsonschema::validator_for(&schema).expect("vendored schema compiles")
}

pub fn assert_valid(log: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results array")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let log = sarif("unscoped-sql/fail", Options::default());
    assert_valid(&log);

    // The validator does reject what the schema forbids.
    let v = validator();
    let mut broken = log.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(!v.is_valid(&broken), "a log without `version` must fail");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!v.is_valid(&broken), "a 0 line must fail");

    // The demo's certain fixes are valid `fixes`, and checked as such.
    let demo = sarif("demo", Options::default());
    assert_valid(&demo);
    let with_fix = results(&demo)
        .iter()
        .position(|r| r.get("fixes").is_some())
        .expect("a result with a fix");
    let mut broken = demo.clone();
    broken["runs"][0]["results"][with_fix]["fixes"][0]["artifactChanges"][0]["replacements"][0]
        ["deletedRegion"]["startLine"] = 0.into();
    assert!(!v.is_valid(&broken), "a fix at line 0 must fail");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!v.is_valid(&broken), "an unknown level must fail");
}

#[test]
fn sarif_describes_the_tool_and_every_rule() {
    let log = sarif("unscoped-sql/fail", Options::default());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(1));
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "tenant-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules array");
    assert_eq!(rules.len(), RULES.len());
    for (rule, meta) in rules.iter().zip(RULES) {
        assert_eq!(rule["id"], meta.id);
    }
    let sql = &rules[1];
    assert_eq!(sql["id"], "unscoped-sql");
    assert_eq!(sql["defaultConfiguration"]["level"], "error");
    assert_eq!(sql["properties"]["tags"][0], "security");
    assert!(sql["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Finds SQL text where it reaches the database"));
    let rls = rules.iter().find(|r| r["id"] == "missing-rls").unwrap();
    assert_eq!(rls["defaultConfiguration"]["level"], "none");
    assert!(rls.get("properties").is_none());
}

/// The help of each rule is its doc file, as on disk, and its full
/// description the first paragraph of the doc's "What it does" as plain
/// text (the demo SARIF snapshot leaves both out).
#[test]
fn sarif_rule_help_is_the_rule_doc() {
    let log = sarif("demo", Options::default());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules array");
    assert_eq!(rules.len(), RULES.len());
    let squeeze = |s: &str| -> String {
        s.replace("**", "")
            .replace('`', "")
            .split_whitespace()
            .collect()
    };
    for rule in rules {
        let id = rule["id"].as_str().expect("id");
        let path = crate::support::fixture("../rules").join(format!("{id}.md"));
        let doc = std::fs::read_to_string(&path).expect("rule doc");
        assert_eq!(rule["help"]["text"], doc.as_str(), "{id}");
        assert_eq!(rule["help"]["markdown"], doc.as_str(), "{id}");
        let full = rule["fullDescription"]["text"].as_str().expect("text");
        assert!(!full.contains('`') && !full.contains("**"), "{id}: {full}");
        let what = doc
            .split("## What it does")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("What it does");
        assert!(
            full.len() > 40 && squeeze(what).starts_with(&squeeze(full)),
            "{id}: {full:?} is not the start of What it does"
        );
    }
}

#[test]
fn sarif_has_one_result_per_finding() {
    let report = check("unscoped-sql/fail");
    let log = sarif("unscoped-sql/fail", Options::default());
    let results = results(&log);
    assert_eq!(results.len(), report.findings.len() + report.suppressed);
    assert!(!results.is_empty());
    for (r, f) in results.iter().zip(&report.findings) {
        assert_eq!(r["ruleId"], f.rule);
        assert_eq!(
            r["partialFingerprints"]["tenantLint/v1"],
            f.fingerprint.as_str()
        );
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(RULES[index].id, f.rule);
    }

    // `DELETE FROM audit_events` in src/jobs/cleanup.rs, line 6: the table
    // name starts at character 45 and is 12 long (end column exclusive).
    let r = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "fixtures/unscoped-sql/fail/src/jobs/cleanup.rs"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
        })
        .expect("the cleanup.rs finding");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(r["ruleId"], "unscoped-sql");
    // A `static` sent by a job `main` runs: a background query, one level
    // lower.
    assert_eq!(r["level"], "warning");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startColumn"], 45);
    assert_eq!(loc["region"]["endLine"], 6);
    assert_eq!(loc["region"]["endColumn"], 57);
    let text = r["message"]["text"].as_str().unwrap();
    assert!(text.starts_with("SQL `DELETE` on `audit_events` is not scoped to a tenant"));
    assert!(text.contains("\nhelp: "), "{text}");
    let related = r["relatedLocations"].as_array().expect("labels");
    assert!(!related.is_empty());
    assert_eq!(related[0]["id"], 1);
    assert!(related[0]["message"]["text"].is_string());
    assert!(r.get("suppressions").is_none());
}

#[test]
fn sarif_carries_suppressed_findings() {
    // Whatever `--show-suppressed` says: SARIF viewers filter them.
    for show_suppressed in [false, true] {
        let log = sarif(
            "invalid-suppression/pass",
            Options {
                show_suppressed,
                ..Options::default()
            },
        );
        assert_valid(&log);
        let suppressed: Vec<&Value> = results(&log)
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .collect();
        assert_eq!(suppressed.len(), 4);
        let mut reasons = Vec::new();
        for r in &suppressed {
            assert_eq!(r["ruleId"], "unscoped-query");
            assert_eq!(r["suppressions"][0]["kind"], "inSource");
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("uri");
            assert!(
                uri.starts_with("fixtures/invalid-suppression/pass/src/"),
                "paths are relative to the repository root: {uri}"
            );
            reasons.push(r["suppressions"][0]["justification"].as_str().unwrap());
        }
        assert_eq!(
            reasons,
            [
                "superadmin console, behind the staff-only router",
                "billing roll-up across tenants",
                "staff only, mounted behind AdminGuard",
                "staff only, mounted behind AdminGuard",
            ]
        );
    }
}

#[test]
fn sarif_output_is_deterministic() {
    let a = rendered("unscoped-sql/fail", Options::default());
    let b = rendered("unscoped-sql/fail", Options::default());
    assert!(a == b, "two runs rendered differently");
    assert!(a.starts_with("{\n  \"$schema\": "), "pretty-printed");
}
