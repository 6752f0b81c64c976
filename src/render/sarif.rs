//! `--format sarif`: the finished [`Report`] as one SARIF 2.1.0 log, the
//! format GitHub code scanning and other viewers upload. Like the other
//! renderers it only turns findings into text: one run whose driver lists
//! every rule of [`crate::rules::RULES`] with its docs, one result per
//! finding (suppressed ones included, marked with an `inSource`
//! suppression), paths relative to `%SRCROOT%` (the repository root, or the project
//! root outside git) and
//! 1-based character columns, in the engine's stable order.

use crate::config::Level;
use crate::diagnostic::{Finding, Span};
use crate::render::column1;
use crate::report::Report;
use crate::rules::{RuleMeta, RULES};
use serde::Serialize;
use std::io::{self, Write};

/// Schema the log declares (the SchemaStore copy of the OASIS schema).
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the tool's documentation lives (`tool.driver.informationUri`):
/// the repository named in Cargo.toml.
pub const INFORMATION_URI: &str = crate::render::REPOSITORY;

/// Key of the engine's fingerprint in `result.partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "tenantLint/v1";

/// The `uriBaseId` every location is relative to: the repository root
/// (the project root outside a git repository).
pub const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation; 1],
    original_uri_base_ids: std::collections::BTreeMap<&'static str, BaseId>,
    column_kind: &'static str,
    results: Vec<SResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Tags>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// A security rule's properties: the `security` tag, and the score
/// GitHub code scanning ranks its alerts by (`security-severity`, 0.1 to
/// 10: 9.0 and above critical, 7.0 high, 4.0 medium, below low).
#[derive(Serialize)]
struct Tags {
    tags: [&'static str; 1],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
struct BaseId {
    description: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    partial_fingerprints: Option<std::collections::BTreeMap<&'static str, &'a str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    /// How the query is reached: one thread flow from the entry point
    /// (a request handler, `main`) through the calls to the query.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow>,
    /// `reach`: the kind and the routes, as in the JSON output.
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
    /// The edit `--fix` makes, when it is certain: an insertion (an empty
    /// deleted region) in the finding's file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SFix {
    description: Text,
    artifact_changes: [ArtifactChange; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: [Replacement; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow {
    message: Text,
    thread_flows: [ThreadFlow; 1],
}

#[derive(Serialize)]
struct ThreadFlow {
    locations: Vec<ThreadFlowLocation>,
}

#[derive(Serialize)]
struct ThreadFlowLocation {
    location: Location,
}

#[derive(Serialize)]
struct Properties<'a> {
    reach: ReachProps<'a>,
}

#[derive(Serialize)]
struct ReachProps<'a> {
    kind: &'static str,
    routes: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
}

/// Writes the report as one pretty-printed SARIF 2.1.0 log, newline-terminated.
///
/// Every finding becomes a result; every suppressed finding too, carrying
/// `suppressions: [{kind: "inSource", justification}]` (whatever
/// `opts.show_suppressed` says, since SARIF consumers filter them
/// themselves). Walk errors and run notes become tool execution
/// notifications.
pub fn render(
    report: &Report,
    opts: crate::render::Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let _ = opts;
    let mut suppressed: Vec<&(Finding, Option<String>)> =
        report.suppressed_findings.iter().collect();
    suppressed.sort_by(|(a, _), (b, _)| {
        (&report.files[a.file].rel, a.span.start, a.rule, &a.message).cmp(&(
            &report.files[b.file].rel,
            b.span.start,
            b.rule,
            &b.message,
        ))
    });
    let results = report
        .findings
        .iter()
        .map(|f| result(report, f, None))
        .chain(
            suppressed
                .into_iter()
                .map(|(f, reason)| result(report, f, Some(reason.as_deref()))),
        )
        .collect();

    let notifications = report
        .errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text {
                text: match &e.path {
                    Some(p) => format!("{}: {}", p.display(), e.message),
                    None => e.message.clone(),
                },
            },
        })
        .chain(report.notes.iter().map(|n| Notification {
            level: "note",
            message: Text { text: n.clone() },
        }))
        .collect();

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "tenant-lint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: RULES.iter().map(rule).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: [(
                SRCROOT,
                BaseId {
                    description: Text {
                        text: "The repository root (the project root outside a git repository)."
                            .into(),
                    },
                },
            )]
            .into_iter()
            .collect(),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    writeln!(out)
}

fn rule(meta: &RuleMeta) -> Rule {
    Rule {
        id: meta.id,
        name: camel_case(meta.id),
        short_description: Text {
            text: plain(meta.summary),
        },
        full_description: Text {
            text: what_it_does(meta.doc).unwrap_or_else(|| plain(meta.summary)),
        },
        help: Help {
            text: meta.doc,
            markdown: meta.doc,
        },
        help_uri: crate::render::rule_doc_url(meta.id),
        default_configuration: Configuration {
            level: level(meta.default),
        },
        // Rules whose findings can leak data across tenants.
        properties: meta.security.map(|score| Tags {
            tags: ["security"],
            security_severity: score,
        }),
    }
}

fn result<'a>(
    report: &'a Report,
    f: &'a Finding,
    suppressed: Option<Option<&'a str>>,
) -> SResult<'a> {
    let mut text = f.message.clone();
    for n in &f.notes {
        text.push_str("\nnote: ");
        text.push_str(n);
    }
    if let Some(h) = &f.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    SResult {
        rule_id: f.rule,
        rule_index: RULES.iter().position(|r| r.id == f.rule),
        level: level(f.level),
        message: Text { text },
        locations: [Location {
            id: None,
            physical_location: physical(report, f.file, f.span),
            message: (!f.primary_label.is_empty()).then(|| Text {
                text: f.primary_label.clone(),
            }),
        }],
        // Suppressed findings are not fingerprinted by the engine.
        partial_fingerprints: (!f.fingerprint.is_empty()).then(|| {
            [(FINGERPRINT_KEY, f.fingerprint.as_str())]
                .into_iter()
                .collect()
        }),
        related_locations: f
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| Location {
                id: Some(i + 1),
                physical_location: physical(report, l.file, l.span),
                message: Some(Text {
                    text: l.message.clone(),
                }),
            })
            .collect(),
        code_flows: code_flows(report, f),
        properties: f.reach.as_ref().map(|r| Properties {
            reach: ReachProps {
                kind: r.kind.as_str(),
                routes: &r.routes,
            },
        }),
        suppressions: suppressed.map(|justification| {
            [Suppression {
                kind: "inSource",
                justification,
            }]
        }),
        fixes: fixes(report, f),
    }
}

/// The calls from the entry point to the query's function, then the
/// query: GitHub shows them as the steps of the alert.
fn code_flows(report: &Report, f: &Finding) -> Vec<CodeFlow> {
    let Some(r) = f.reach.as_ref().filter(|r| r.path.len() > 1) else {
        return Vec::new();
    };
    let mut locations: Vec<ThreadFlowLocation> = r
        .path
        .iter()
        .map(|step| ThreadFlowLocation {
            location: Location {
                id: None,
                physical_location: physical(report, step.file, Span::line(step.line)),
                message: Some(Text {
                    text: format!("`{}`", step.function),
                }),
            },
        })
        .collect();
    locations.push(ThreadFlowLocation {
        location: Location {
            id: None,
            physical_location: physical(report, f.file, f.span),
            message: Some(Text {
                text: f.primary_label.clone(),
            }),
        },
    });
    vec![CodeFlow {
        message: Text {
            text: crate::render::reach_line(f).unwrap_or_default(),
        },
        thread_flows: [ThreadFlow { locations }],
    }]
}

/// The finding's fix as SARIF: insert the text at the place `--fix`
/// would.
fn fixes(report: &Report, f: &Finding) -> Vec<SFix> {
    let Some(fix) = &f.fix else {
        return Vec::new();
    };
    let entry = &report.files[fix.file];
    let Some((at, text)) = entry
        .text
        .as_deref()
        .and_then(|t| crate::fix::placed(t, fix))
    else {
        return Vec::new();
    };
    vec![SFix {
        description: Text {
            text: fix.message.clone(),
        },
        artifact_changes: [ArtifactChange {
            artifact_location: ArtifactLocation {
                uri: uri(&entry.rel),
                uri_base_id: SRCROOT,
            },
            replacements: [Replacement {
                deleted_region: Region {
                    start_line: at.line,
                    start_column: column1(at.col),
                    end_line: at.line,
                    end_column: Some(column1(at.col)),
                },
                inserted_content: Text { text },
            }],
        }],
    }]
}

fn physical(report: &Report, file: usize, span: Span) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri(&report.files[file].rel),
            uri_base_id: SRCROOT,
        },
        region: region(span),
    }
}

/// SARIF region of a span: 1-based lines and character columns, the end
/// column exclusive. A span without an end is the point at its start; an
/// empty span at column 0 (`Span::line`) is the whole line, which SARIF
/// says by leaving `endColumn` out.
fn region(span: Span) -> Region {
    let start = span.start;
    let end = if span.end.line == 0 || span.end < start {
        start
    } else {
        span.end
    };
    let whole_line = end == start && start.col == 0;
    Region {
        start_line: start.line.max(1),
        start_column: column1(start.col),
        end_line: end.line.max(1),
        end_column: (!whole_line).then(|| column1(end.col)),
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Off => "none",
    }
}

/// A relative path as a URI reference: `/`-separated, anything outside the
/// unreserved and sub-delimiter characters percent-encoded (`:` too, so a
/// first segment never reads as a scheme).
fn uri(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len());
    for b in rel.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `unscoped-query` → `UnscopedQuery`, the rule's SARIF `name`.
fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// First paragraph of the doc's `## What it does` section as plain text;
/// when that paragraph introduces a list (ends with `:`), the list too.
fn what_it_does(doc: &str) -> Option<String> {
    let mut lines = doc
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1)
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.starts_with("## "));
    let mut para: Vec<&str> = lines
        .by_ref()
        .take_while(|l| !l.trim().is_empty())
        .collect();
    if para.last().is_some_and(|l| l.trim_end().ends_with(':')) {
        let list: Vec<&str> = lines
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect();
        if list
            .first()
            .is_some_and(|l| l.starts_with("- ") || l.starts_with("* "))
        {
            para.extend(list);
        }
    }
    let text = plain(&para.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" "));
    (!text.is_empty()).then_some(text)
}

/// Inline Markdown to plain text: drops code backticks and emphasis
/// markers and keeps a link's text.
fn plain(md: &str) -> String {
    let md = md.replace("**", "").replace('`', "");
    let mut out = String::with_capacity(md.len());
    let mut rest = md.as_str();
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn span(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
        Span {
            start: Pos { line: l1, col: c1 },
            end: Pos { line: l2, col: c2 },
        }
    }

    #[test]
    fn regions_are_one_based_and_end_exclusive() {
        let r = region(span(3, 4, 5, 9));
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (3, 5, 5, Some(10))
        );
        let r = region(span(3, 4, 0, 0));
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (3, 5, 3, Some(5))
        );
        let r = region(Span::line(7));
        assert_eq!(
            (r.start_line, r.start_column, r.end_line, r.end_column),
            (7, 1, 7, None)
        );
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("src/a b/ü.rs"), "src/a%20b/%C3%BC.rs");
        assert_eq!(uri("../x#1.rs"), "../x%231.rs");
    }

    #[test]
    fn full_description_is_plain_first_paragraph() {
        let doc = "# r\n\n## What it does\n\nFinds `x` and **y**\nin [docs](http://e).\n\nMore.\n\n## Why\n";
        assert_eq!(what_it_does(doc).as_deref(), Some("Finds x and y in docs."));
        let doc = "## What it does\n\nReports:\n\n- a\n- b\n\nMore.\n";
        assert_eq!(what_it_does(doc).as_deref(), Some("Reports: - a - b"));
        assert_eq!(camel_case("unscoped-query"), "UnscopedQuery");
    }
}
