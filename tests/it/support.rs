//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use tenant_lint::engine::{self, CheckOptions, Report};

/// Path of a fixture directory.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Runs `check` on a fixture through the library.
pub fn check(rel: &str) -> Report {
    check_with(rel, |_| {})
}

/// Runs `check` on a fixture with adjusted options.
pub fn check_with(rel: &str, adjust: impl FnOnce(&mut CheckOptions)) -> Report {
    let mut opts = CheckOptions {
        paths: vec![fixture(rel)],
        ..CheckOptions::default()
    };
    adjust(&mut opts);
    engine::check(&opts).unwrap_or_else(|e| panic!("check {rel}: {e}"))
}

/// (file, line, rule) of every finding.
pub fn found(report: &Report) -> Vec<(String, u32, String)> {
    let mut v: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            (
                tenant_lint::workspace::relative(
                    &std::fs::canonicalize(&report.files[f.file].path).expect("file exists"),
                    &report.root,
                ),
                f.span.start.line,
                f.rule.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// (file, line, rule) of every `//~ rule` (or, inside SQL, `--~ rule`)
/// marker under `dir`; `//~^ rule` points one line up per caret.
pub fn markers(dir: &Path) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        let rel = entry
            .strip_prefix(dir)
            .expect("walked under dir")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        for (i, line) in text.lines().enumerate() {
            // `//~ rule` after Rust code, `--~ rule` inside SQL (a string
            // literal or a `.sql` file).
            let Some(at) = line.find("//~").or_else(|| line.find("--~")) else {
                continue;
            };
            let rest = &line[at + 3..];
            let carets = rest.chars().take_while(|c| *c == '^').count();
            let target = (i + 1 - carets) as u32;
            for word in rest[carets..].split_whitespace() {
                let rule: String = word
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                    .collect();
                if rule.is_empty() {
                    break;
                }
                out.push((rel.clone(), target, rule.clone()));
                if rule.len() != word.len() {
                    break;
                }
            }
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs" || x == "sql") {
                out.push(p);
            }
        }
    }
    out
}

/// Writes `files` (path relative to `root`, text), creating directories.
pub fn write_tree(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let full = root.join(p);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
}
