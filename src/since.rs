//! `--since REV`: the lines added or changed since a git revision, from
//! `git diff --unified=0 REV`. The analysis still covers the whole
//! project; only the report is limited to these lines.

use crate::engine::Error;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Changed line ranges (1-based, inclusive) by absolute file path.
pub type Changed = HashMap<PathBuf, Vec<(u32, u32)>>;

fn git(root: &Path, args: &[&str]) -> Result<String, Error> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .map_err(|e| Error::Usage(format!("--since needs git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Lines changed since `rev` in the repository that holds `root`.
pub fn changed_lines(root: &Path, rev: &str) -> Result<Changed, Error> {
    let top = git(root, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        Error::Usage(format!(
            "--since: {} is not in a git repository ({e})",
            root.display()
        ))
    })?;
    let top = PathBuf::from(top.trim());
    let spec = format!("{rev}^{{commit}}");
    git(root, &["rev-parse", "--verify", "--quiet", &spec]).map_err(|_| {
        Error::Usage(format!(
            "--since: revision `{rev}` not found; in a shallow CI checkout fetch it first (e.g. `git fetch --depth=50 origin` or `fetch-depth: 0`)"
        ))
    })?;
    let diff = git(
        root,
        &[
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            rev,
            "--",
        ],
    )?;
    Ok(parse_diff(&diff, &top))
}

/// Parses `git diff --unified=0` output.
pub fn parse_diff(diff: &str, top: &Path) -> Changed {
    let mut out = Changed::new();
    let mut current: Option<PathBuf> = None;
    for line in diff.lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            current = p.strip_prefix("b/").map(|p| top.join(p));
            continue;
        }
        let (Some(file), Some(hunk)) = (&current, line.strip_prefix("@@ ")) else {
            continue;
        };
        // `@@ -a,b +c,d @@`: lines c .. c+d-1 of the new file.
        let Some(plus) = hunk.split_whitespace().find(|w| w.starts_with('+')) else {
            continue;
        };
        let mut parts = plus[1..].split(',');
        let start: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let count: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
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
}
