//! `--since REV`: the lines added or changed since a git revision, from
//! `git diff --unified=0 REV` (working tree against REV, staged or not)
//! plus every line of the files git does not track yet. The analysis still
//! covers the whole project; only the report is limited to these lines.
//!
//! The diff is asked for in one fixed shape whatever the user's git
//! configuration (`diff.noprefix`, `diff.mnemonicPrefix`, `diff.relative`,
//! `core.quotePath`, external diff drivers, colour), and quoted paths are
//! unquoted, so the same tree gives the same findings on every machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Changed line ranges (1-based, inclusive) by absolute file path.
pub type Changed = HashMap<PathBuf, Vec<(u32, u32)>>;

/// Why the changed lines could not be had (a usage error for the caller).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SinceError(pub String);

/// Settings that would change the shape of the diff, pinned for our run.
/// Paths are quoted (`core.quotePath=true`): every byte that is not
/// printable ASCII is an octal escape, so names that are not UTF-8 survive
/// the diff's text.
const PINNED: &[&str] = &[
    "core.quotePath=true",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.relative=false",
    "color.ui=false",
    "color.diff=false",
];

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, SinceError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(root);
    for p in PINNED {
        cmd.args(["-c", p]);
    }
    let out = cmd
        .args(args)
        .env_remove("GIT_EXTERNAL_DIFF")
        .env_remove("GIT_DIFF_OPTS")
        .output()
        .map_err(|e| SinceError(format!("--since needs git: {e}")))?;
    if !out.status.success() {
        return Err(SinceError(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(out.stdout)
}

/// Lines changed since `rev` in the repository that holds `root`.
pub fn changed_lines(root: &Path, rev: &str) -> Result<Changed, SinceError> {
    let top = git(root, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        SinceError(format!(
            "--since: {} is not in a git repository ({e})",
            root.display()
        ))
    })?;
    let top = crate::workspace::canonical(&path_of_bytes(top.trim_ascii_end()));
    let spec = format!("{rev}^{{commit}}");
    git(root, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| {
        SinceError(format!(
            "--since: revision `{rev}` not found; in a shallow CI checkout fetch it first (e.g. `git fetch --depth=50 origin` or `fetch-depth: 0`)"
        ))
    })?;
    let diff = git(
        &top,
        &[
            "diff",
            "--unified=0",
            "--inter-hunk-context=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            // Files git treats as binary (`.gitattributes`, the user's
            // `core.attributesFile`) are diffed as text all the same.
            "--text",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
    )?;
    let mut changed = parse_diff(&String::from_utf8_lossy(&diff), &top);
    // Files git does not track yet are new in every line; a directory it
    // lists (another repository inside this one) is new in every file.
    let untracked = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    for name in untracked.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let path = top.join(path_of_bytes(name));
        if name.ends_with(b"/") {
            every_file_below(&path, &mut changed);
        } else {
            changed.insert(path, vec![(1, u32::MAX)]);
        }
    }
    Ok(changed)
}

/// Marks every file below `dir` as changed in every line.
fn every_file_below(dir: &Path, changed: &mut Changed) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => every_file_below(&p, changed),
            Ok(t) if t.is_file() => {
                changed.insert(p, vec![(1, u32::MAX)]);
            }
            _ => {}
        }
    }
}

/// A path from the bytes git gives (not necessarily UTF-8).
fn path_of_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The new file's path on a `+++ ` line: `b/path`, or `"b/..."` quoted
/// the C way when the name has special characters; `None` for a deleted
/// file (`/dev/null`).
fn new_path(header: &str) -> Option<PathBuf> {
    let header = header.trim_end_matches('\r');
    let path: Vec<u8> = if header.starts_with('"') {
        unquote(header)?
    } else {
        // A name with a trailing tab marks where it ends (names with
        // spaces), as in `+++ b/a b.rs\t`.
        header
            .split('\t')
            .next()
            .unwrap_or(header)
            .as_bytes()
            .to_vec()
    };
    path.strip_prefix(b"b/").map(path_of_bytes)
}

/// Undoes git's C-style quoting: `"a\303\251\tb"` is the bytes of
/// `aé<tab>b` (which need not be UTF-8).
fn unquote(s: &str) -> Option<Vec<u8>> {
    let inner = s.strip_prefix('"')?;
    let mut bytes = Vec::with_capacity(inner.len());
    let mut it = inner.bytes().peekable();
    loop {
        match it.next()? {
            b'"' => break,
            b'\\' => {
                let c = it.next()?;
                let b = match c {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'a' => 7,
                    b'b' => 8,
                    b'f' => 12,
                    b'v' => 11,
                    b'0'..=b'7' => {
                        let mut v = u32::from(c - b'0');
                        for _ in 0..2 {
                            match it.peek() {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    it.next();
                                }
                                _ => break,
                            }
                        }
                        u8::try_from(v).ok()?
                    }
                    other => other,
                };
                bytes.push(b);
            }
            b => bytes.push(b),
        }
    }
    Some(bytes)
}

/// Parses `git diff --unified=0` output (with `a/` and `b/` prefixes).
pub fn parse_diff(diff: &str, top: &Path) -> Changed {
    let mut out = Changed::new();
    let mut current: Option<PathBuf> = None;
    // Lines of the current hunk still to come (old, new): inside a hunk,
    // `+++ x` is an added line that reads `++ x`, not a file header.
    let mut pending = (0u32, 0u32);
    for line in diff.lines() {
        if pending != (0, 0) {
            match line.as_bytes().first() {
                Some(b'-') => {
                    pending.0 = pending.0.saturating_sub(1);
                    continue;
                }
                Some(b'+') => {
                    pending.1 = pending.1.saturating_sub(1);
                    continue;
                }
                Some(b' ') => {
                    pending = (pending.0.saturating_sub(1), pending.1.saturating_sub(1));
                    continue;
                }
                // `\ No newline at end of file`
                Some(b'\\') => continue,
                _ => pending = (0, 0),
            }
        }
        if let Some(p) = line.strip_prefix("+++ ") {
            current = new_path(p).map(|p| top.join(p));
            continue;
        }
        let (Some(file), Some(hunk)) = (&current, line.strip_prefix("@@ ")) else {
            continue;
        };
        // `@@ -a,b +c,d @@`: lines c .. c+d-1 of the new file.
        let range = |sign: char| -> Option<(u32, u32)> {
            let w = hunk.split_whitespace().find(|w| w.starts_with(sign))?;
            let mut parts = w[1..].split(',');
            let start = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            Some((start, count))
        };
        let Some((start, count)) = range('+') else {
            continue;
        };
        pending = (range('-').map_or(0, |(_, n)| n), count);
        if count > 0 {
            out.entry(file.clone())
                .or_default()
                .push((start, start + count - 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks() {
        let d = "diff --git a/src/a.rs b/src/a.rs\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -3 +3,2 @@\n-x\n+y\n+z\n@@ -10,2 +11,0 @@\n-q\n--- /dev/null\n+++ b/new.rs\n@@ -0,0 +1 @@\n+n\n";
        let c = parse_diff(d, Path::new("/r"));
        assert_eq!(c[&PathBuf::from("/r/src/a.rs")], [(3, 4)]);
        assert_eq!(c[&PathBuf::from("/r/new.rs")], [(1, 1)]);
    }

    #[test]
    fn quoted_and_odd_names() {
        let d = "--- a/x\n+++ \"b/src/caf\\303\\251 \\\"q\\\".rs\"\n@@ -1 +1 @@\n+y\n--- a/d.rs\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n+++ b/with space.rs\t\n@@ -0,0 +2,2 @@\n";
        let c = parse_diff(d, Path::new("/r"));
        assert_eq!(c[&PathBuf::from("/r/src/café \"q\".rs")], [(1, 1)]);
        assert_eq!(c[&PathBuf::from("/r/with space.rs")], [(2, 3)]);
        assert_eq!(c.len(), 2, "{c:?}");
    }

    #[test]
    fn an_added_line_that_looks_like_a_header_is_a_line() {
        // Line 2 adds `++ not a header`, which the diff shows as `+++ ..`.
        let d = "--- a/a.rs\n+++ b/a.rs\n@@ -1,0 +2,2 @@\n+++ not a header\n+x\n@@ -9 +10 @@\n-y\n+z\n--- a/b.rs\n+++ b/b.rs\n@@ -1 +1 @@\n-p\n+q\n";
        let c = parse_diff(d, Path::new("/r"));
        assert_eq!(c[&PathBuf::from("/r/a.rs")], [(2, 3), (10, 10)]);
        assert_eq!(c[&PathBuf::from("/r/b.rs")], [(1, 1)]);
        assert_eq!(c.len(), 2, "{c:?}");
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote("\"a\\tb\\\\c\"").as_deref(), Some(&b"a\tb\\c"[..]));
        assert_eq!(unquote("\"\\303\\251\"").as_deref(), Some("é".as_bytes()));
        assert_eq!(unquote("\"caf\\351\"").as_deref(), Some(&b"caf\xe9"[..]));
        assert_eq!(unquote("\"unterminated"), None);
    }
}
