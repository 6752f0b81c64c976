//! The `.gitignore`-like glob dialect of `files.exclude` and
//! `superuser.allowed-paths`: how one pattern as written becomes the globs
//! matched against root-relative, `/`-separated paths.

use std::ops::Range;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Compiles the patterns of `field`, each with the span of its string.
///
/// On failure returns the span to point at (the pattern's, or `list_span`
/// when only the whole set fails) and the message.
pub(super) fn compile(
    field: &str,
    patterns: &[(String, Option<Range<usize>>)],
    list_span: Option<Range<usize>>,
) -> Result<GlobSet, (Option<Range<usize>>, String)> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        let body = pattern
            .strip_prefix("./")
            .unwrap_or(pattern)
            .trim_matches('/');
        if body.is_empty() {
            return Err((span.clone(), format!("empty glob `{pattern}` in `{field}`")));
        }
        for variant in glob_variants(pattern) {
            let glob = GlobBuilder::new(&variant)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    let message = format!("invalid glob `{pattern}` in `{field}`: {}", e.kind());
                    (span.clone(), message)
                })?;
            builder.add(glob);
        }
    }
    builder.build().map_err(|e| {
        let message = format!("invalid globs in `{field}`: {}", e.kind());
        (list_span, message)
    })
}

/// The glob patterns actually compiled for one user pattern.
///
/// Patterns are matched against root-relative paths with `/` separators. A
/// leading `/` or `./` anchors the pattern at the root; a pattern without any
/// other `/` also matches at any depth (`*.gen.rs` → `**/*.gen.rs`), and every
/// pattern also matches everything below a directory it names
/// (`src/generated` → `src/generated/**`), as in `.gitignore`.
fn glob_variants(pattern: &str) -> Vec<String> {
    let (anchored, body) = if let Some(rest) = pattern.strip_prefix("./") {
        (true, rest)
    } else if let Some(rest) = pattern.strip_prefix('/') {
        (true, rest)
    } else {
        (false, pattern)
    };
    let body = body.strip_suffix('/').unwrap_or(body);
    let mut bases = vec![body.to_string()];
    if !anchored && !body.contains('/') && !body.starts_with("**") {
        bases.push(format!("**/{body}"));
    }
    let mut out = Vec::new();
    for base in bases {
        let dir = (!base.ends_with("**")).then(|| format!("{base}/**"));
        out.push(base);
        out.extend(dir);
    }
    out
}
