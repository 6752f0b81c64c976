//! Parsing Rust source with syn, defensively: text that is not UTF-8,
//! nesting too deep for the stack, a syntax error, or a panic anywhere in
//! parsing or extraction becomes a [`Failure`] with a position, never a
//! crash and never a silent skip. Parsing runs on worker threads with large
//! stacks (see [`STACK_SIZE`]); the nesting check keeps syn's recursion well
//! inside them.

use crate::diagnostic::{LineIndex, Span};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Stack for worker threads. MEASURED.md: real files need ~128 KiB in
/// release builds (~512 KiB in debug); 2 MiB overflows at ~500 nested
/// blocks. 256 MiB of reserved (not committed) stack covers [`MAX_DEPTH`]
/// with a wide margin in debug builds too.
pub const STACK_SIZE: usize = 256 << 20;

pub use crate::rustlex::{MAX_CHAIN, MAX_DEPTH};

pub use crate::diagnostic::Failure;

/// The message of a file that is not UTF-8 (its position is the first
/// byte that is not).
pub const NOT_UTF8: &str = "file is not valid UTF-8";

/// Decodes bytes as UTF-8 or says where they stop being UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        // The bytes up to `valid` are UTF-8 by definition.
        let before = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or("");
        let at = LineIndex::new(before).pos(valid);
        Failure {
            span: Span { start: at, end: at },
            message: NOT_UTF8.to_string(),
        }
    })
}

/// Message of a caught panic.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Parses `text` and runs `f` on the tree, turning every failure into a
/// [`Failure`]. Span data kept by proc-macro2 for this thread is released
/// afterwards, so `f` must convert spans to [`Span`] before returning.
pub fn with_parsed<T>(text: &str, f: impl FnOnce(&syn::File) -> T) -> Result<T, Failure> {
    crate::rustlex::check_shape(lexed_part(text))?;
    with_parsed_shaped(text, f)
}

/// [`with_parsed`] for text whose nesting and chains were checked already
/// (by [`crate::rustlex::tokens`] on it or on text it was blanked from).
pub fn with_parsed_shaped<T>(text: &str, f: impl FnOnce(&syn::File) -> T) -> Result<T, Failure> {
    guarded("analysing", || match syn::parse_file(text) {
        Ok(file) => Ok(f(&file)),
        Err(e) => Err(Failure {
            span: Span::from_pm2(e.span()),
            message: format!("could not parse as Rust: {e}"),
        }),
    })
}

/// Runs `f`, turning a panic into a [`Failure`], and releases the span data
/// proc-macro2 kept for this thread.
pub(crate) fn guarded<T>(
    doing: &str,
    f: impl FnOnce() -> Result<T, Failure>,
) -> Result<T, Failure> {
    let result = catch_unwind(AssertUnwindSafe(f));
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(r) => r,
        Err(p) => Err(Failure {
            span: Span::line(1),
            message: format!(
                "internal error while {doing} this file: {}",
                panic_message(&*p)
            ),
        }),
    }
}

/// Scans `text` as Rust tokens without building anything: the check every
/// file passes (the query prefilter, [`crate::incremental::prefilter::QueryNeedles`],
/// runs the same lexer). Catches what makes a file not Rust at all
/// (unbalanced delimiters, unterminated strings, a shell script named
/// `.rs`); see [`crate::rustlex`]. Also gives the names the text calls,
/// for the helper rescue.
pub fn lex_check(text: &str) -> Result<crate::rustlex::Words, Failure> {
    crate::rustlex::check(lexed_part(text))
}

/// `text` without a BOM and a shebang line (whose newline is kept, so the
/// lines are the file's).
pub(crate) fn lexed_part(text: &str) -> &str {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A shebang line is not a token; syn skips it too.
    match body.strip_prefix("#!") {
        Some(rest) if !rest.trim_start().starts_with('[') => {
            &rest[rest.find('\n').unwrap_or(rest.len())..]
        }
        _ => body,
    }
}

/// Segment names of a syn path.
pub fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// `#[cfg(test)]`, `#[test]`, `#[tokio::test]`, `#[rstest]`...
pub fn is_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let p = a.path();
        if p.is_ident("cfg") {
            return a
                .parse_args::<syn::Meta>()
                .is_ok_and(|m| cfg_requires_test(&m));
        }
        p.segments
            .last()
            .is_some_and(|s| s.ident == "test" || s.ident == "rstest")
    })
}

/// Whether a `cfg` predicate holds only in test builds: `test`,
/// `all(test, ..)`; not `any(test, feature = "x")` nor `not(test)`.
fn cfg_requires_test(m: &syn::Meta) -> bool {
    match m {
        syn::Meta::Path(p) => p.is_ident("test"),
        syn::Meta::List(l) => {
            let Ok(args) = l.parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            ) else {
                return false;
            };
            if l.path.is_ident("all") {
                args.iter().any(cfg_requires_test)
            } else if l.path.is_ident("any") {
                !args.is_empty() && args.iter().all(cfg_requires_test)
            } else {
                false
            }
        }
        syn::Meta::NameValue(_) => false,
    }
}

/// The outer attributes of an item.
pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The attributes of an item in an `impl` block.
pub fn impl_item_attrs(item: &syn::ImplItem) -> &[syn::Attribute] {
    match item {
        syn::ImplItem::Const(i) => &i.attrs,
        syn::ImplItem::Fn(i) => &i.attrs,
        syn::ImplItem::Type(i) => &i.attrs,
        syn::ImplItem::Macro(i) => &i.attrs,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_syntax_error_position() {
        let err = with_parsed("fn main() {\n    let x = ;\n}\n", |_| ()).unwrap_err();
        assert_eq!(err.span.start.line, 2);
        assert!(
            err.message.starts_with("could not parse as Rust"),
            "{}",
            err.message
        );
    }

    #[test]
    fn refuses_absurd_nesting() {
        let text = format!("fn f() {{ {}1{} }}", "(".repeat(5000), ")".repeat(5000));
        let err = with_parsed(&text, |_| ()).unwrap_err();
        assert!(err.message.contains("nesting deeper"), "{}", err.message);
    }

    #[test]
    fn lexing_catches_non_rust() {
        let err = lex_check("#!/bin/sh\necho \"hi\n").unwrap_err();
        assert_eq!(err.span.start.line, 2);
        assert!(lex_check("#!/usr/bin/env run-cargo-script\nfn main() {}\n").is_ok());
        assert!(lex_check("fn f( {\n").is_err());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_nest() {
        let deep = "(".repeat(5000);
        let text = format!("// {deep}\nconst S: &str = \"{deep}\";\nfn f() {{}}\n");
        assert!(with_parsed(&text, |_| ()).is_ok());
        // Text that is not tokens gets syn's own message.
        let err = with_parsed("fn f() { \"open }\n", |_| ()).unwrap_err();
        assert!(
            err.message.starts_with("could not parse as Rust"),
            "{}",
            err.message
        );
    }

    #[test]
    fn refuses_absurd_chains() {
        let text = format!("fn f() {{\n let x = a{}; }}", ".b()".repeat(40_000));
        let err = with_parsed(&text, |_| ()).unwrap_err();
        assert_eq!(err.span.start.line, 2);
        assert!(err.message.contains("chains more than"), "{}", err.message);
        // Long but sane chains are analysed.
        let ok = format!("fn f() {{ let x = a{}; }}", ".b()".repeat(5_000));
        assert!(with_parsed(&ok, |_| ()).is_ok());
    }

    #[test]
    fn invalid_utf8_position() {
        let err = decode(b"fn a() {}\nfn \xff() {}".to_vec()).unwrap_err();
        assert_eq!((err.span.start.line, err.span.start.col), (2, 3));
    }
}
