//! `parse-error`: a file, or a macro body, that could not be analysed. A
//! leak can hide in it, so it is reported, never skipped.

use crate::config::Level;
use crate::diagnostic::{FileId, Finding};
use crate::discover::FileKind;
use crate::model::queries::OpaqueMacro;
use crate::parse::Failure;
use crate::rules::{Context, Fact, Facts, RuleMeta};

/// Rule id.
pub const ID: &str = "parse-error";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Warn,
    summary: "a file (or macro body) that could not be analysed",
    doc: include_str!("../../rules/parse-error.md"),
    security: None,
    needs: &[Fact::OpaqueMacros, Fact::Failures],
    reach: false,
};

/// The opaque macros of one file, or the files that failed.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    match &cx.facts {
        Facts::File(f) => f
            .opaque_macros
            .iter()
            .map(|m| opaque_macro(f.file, m))
            .collect(),
        Facts::Project(p) => p
            .failures
            .iter()
            .map(|(file, kind, f)| file_failure(*file, *kind, f))
            .collect(),
        Facts::Suppressed(_) => Vec::new(),
    }
}

/// A file of `kind` that could not be read or parsed.
fn file_failure(file: FileId, kind: FileKind, f: &Failure) -> Finding {
    let mut out = Finding::new(ID, file, f.span, f.message.clone());
    out.primary_label = "analysis stopped here".into();
    // Rust and SQL files are UTF-8; a Latin-1 comment is the usual cause.
    let not_utf8 = f.message == crate::parse::NOT_UTF8;
    let fix = match kind {
        _ if not_utf8 => "save the file as UTF-8 (the first byte that is not is marked)",
        FileKind::Rust => "fix the syntax",
        FileKind::Migration => "fix the SQL",
    };
    let rest = match kind {
        FileKind::Rust => "or exclude the file with `[files] exclude` if it is not Rust",
        // What a migration defines feeds the tenant model of every other
        // file, so say what is at stake.
        FileKind::Migration => {
            "or exclude the file with `[files] exclude` if it is not a migration or schema dump; tables it defines may be missing from the tenant model (see `tenant-lint schema`)"
        }
    };
    out.help = Some(format!("{fix}, {rest}"));
    out.identity = f.message.clone();
    out
}

/// A macro whose body is not Rust but names tenant tables.
fn opaque_macro(file: FileId, m: &OpaqueMacro) -> Finding {
    let mut out = Finding::new(
        ID,
        file,
        m.span,
        format!(
            "body of macro `{}!` is not Rust and mentions tenant tables; queries in it were not analysed",
            m.name
        ),
    );
    out.primary_label = "not analysed".into();
    out.help =
        Some("review the queries in this macro by hand, or move them into a function".into());
    out.identity = format!("macro:{}", m.name);
    out
}
