//! Where a run stands. The project is found upward from the paths the user
//! named, as cargo finds a workspace: the nearest `Cargo.toml` with a
//! `[workspace]` that has the package as a member, else the package's own
//! `Cargo.toml`, never past the root of the git repository. The whole project is analysed (the tenant model
//! needs every schema file and migration), and only what lies under the
//! named paths is reported. Report paths are relative to one base whatever
//! the arguments: the repository root, or the project root outside git.

pub mod deps;
pub mod layout;

use std::path::{Component, Path, PathBuf};

/// What a run analyses, and what it reports.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The project root (canonical): walked whole; discovery's relative
    /// paths, `[files] exclude` and `allowed-paths` are relative to it.
    pub root: PathBuf,
    /// The repository root, or `root` outside a git repository
    /// (canonical): report paths are relative to it, and the search for
    /// a configuration file stops there.
    pub base: PathBuf,
    /// The named paths (canonical), when they do not cover the whole
    /// project: only findings in files under them are reported.
    pub only: Option<Vec<PathBuf>>,
}

/// Why the named paths could not be resolved.
#[derive(Debug)]
pub enum PathError {
    /// A path that could not be used.
    Unusable {
        /// The path as given.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The paths belong to different projects (each has its own tenant
    /// model and configuration), none of which holds the others.
    Projects(Vec<PathBuf>),
}

/// The path with symlinks and `..` resolved, or as given when it cannot be.
pub fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The root of the git repository holding `dir` (a directory with a
/// `.git` directory or file), if any.
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The project `dir` belongs to, as cargo finds it: the nearest package
/// (`Cargo.toml`) is in the workspace of the nearest ancestor whose
/// `Cargo.toml` has a `[workspace]` listing it in `members` (and not in
/// `exclude`); a package that is no member is a project of its own. A
/// directory in no package belongs to the nearest workspace above it; with
/// neither, the project is `dir` itself. The search stops at `ceiling`
/// (included).
pub fn project_root(dir: &Path, ceiling: Option<&Path>) -> PathBuf {
    let mut package: Option<PathBuf> = None;
    for d in dir.ancestors() {
        let manifest = d.join("Cargo.toml");
        if manifest.is_file() {
            let text = std::fs::read_to_string(&manifest).unwrap_or_default();
            if declares_workspace(&text) {
                match &package {
                    Some(p) if p != d && !is_member(&text, d, p) => return p.clone(),
                    _ => return d.to_path_buf(),
                }
            }
            package.get_or_insert_with(|| d.to_path_buf());
        }
        if Some(d) == ceiling {
            break;
        }
    }
    package.unwrap_or_else(|| dir.to_path_buf())
}

/// Whether the package at `package` is a member of the workspace whose
/// manifest (at `root`) is `manifest`: its path matches a `members` glob
/// and lies under no `exclude` path. A manifest that cannot be read as
/// TOML counts every package as a member (the answer before members were
/// looked at).
fn is_member(manifest: &str, root: &Path, package: &Path) -> bool {
    let Ok(doc) = manifest.parse::<toml::Table>() else {
        return true;
    };
    let Some(ws) = doc.get("workspace").and_then(|w| w.as_table()) else {
        return true;
    };
    let Ok(rel) = package.strip_prefix(root) else {
        return false;
    };
    let rel = slashed(rel);
    let list = |key: &str| -> Vec<String> {
        ws.get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(|s| s.trim_end_matches('/').trim_start_matches("./").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let excluded = list("exclude")
        .iter()
        .any(|e| rel == *e || rel.starts_with(&format!("{e}/")));
    if excluded {
        return false;
    }
    let listed = list("members").iter().any(|m| {
        globset::GlobBuilder::new(m)
            .literal_separator(true)
            .build()
            .is_ok_and(|g| g.compile_matcher().is_match(&rel))
    });
    // Cargo also makes members of the path dependencies inside the
    // workspace: those of `[workspace.dependencies]` and of the root
    // package are read here (not those of other members).
    let tables = [
        ws.get("dependencies"),
        doc.get("dependencies"),
        doc.get("dev-dependencies"),
        doc.get("build-dependencies"),
    ];
    let by_path = tables
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_table())
        .flat_map(|t| t.values())
        .filter_map(|d| d.get("path").and_then(|p| p.as_str()))
        .any(|p| normalize(&root.join(p)) == package);
    listed || by_path
}

/// `p` with `.` and `..` steps resolved lexically (no file system access).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether a manifest has a `[workspace]` table (a line that opens it,
/// not a mention in a comment or a string).
fn declares_workspace(manifest: &str) -> bool {
    manifest.lines().any(|l| {
        let l = l.trim();
        l == "[workspace]" || l.starts_with("[workspace]") && l[11..].trim_start().starts_with('#')
    })
}

/// The directory a named path stands for: itself, or a file's directory.
fn dir_of(p: &Path) -> PathBuf {
    if p.is_dir() {
        return p.to_path_buf();
    }
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The deepest directory that holds all of `dirs`.
fn common_ancestor(dirs: &[PathBuf]) -> PathBuf {
    let mut out = dirs[0].clone();
    for d in &dirs[1..] {
        while !d.starts_with(&out) {
            if !out.pop() {
                break;
            }
        }
    }
    out
}

/// The packages under `root` (its manifests with a `[package] name`, where
/// git would see them: ignored and hidden directories and `target/` are
/// left out), as (name, directory), sorted by name.
pub fn packages(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = ignore::WalkBuilder::new(root)
        .filter_entry(|e| e.file_name() != "target")
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "Cargo.toml")
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let table: toml::Table = toml::from_str(&text).ok()?;
            let name = table.get("package")?.get("name")?.as_str()?.to_string();
            Some((name, e.path().parent()?.to_path_buf()))
        })
        .collect();
    out.sort();
    out
}

/// Resolves the named paths (none: the current directory) to the project
/// to analyse and the part of it to report.
pub fn resolve(paths: &[PathBuf]) -> Result<Scope, PathError> {
    let named: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut canon = Vec::with_capacity(named.len());
    for p in &named {
        let c = std::fs::canonicalize(p).map_err(|error| PathError::Unusable {
            path: p.clone(),
            error,
        })?;
        canon.push(c);
    }
    let roots: Vec<PathBuf> = canon
        .iter()
        .map(|p| {
            let dir = dir_of(p);
            project_root(&dir, repo_root(&dir).as_deref())
        })
        .collect();
    // One project per run: paths in two projects would merge two tenant
    // models under one configuration (the first path's, or an ancestor's).
    let root = common_ancestor(&roots);
    if !roots.contains(&root) {
        let mut distinct = roots.clone();
        distinct.sort();
        distinct.dedup();
        return Err(PathError::Projects(distinct));
    }
    let base = repo_root(&root).unwrap_or_else(|| root.clone());
    let only = if canon.iter().any(|p| root.starts_with(p)) {
        None
    } else {
        Some(canon.clone())
    };
    Ok(Scope { root, base, only })
}

/// Whether `path` is to be reported: under one of the named paths, or
/// anywhere when they cover the whole project (`only` is `None`).
pub fn reported(only: &Option<Vec<PathBuf>>, path: &Path) -> bool {
    only.as_ref()
        .is_none_or(|only| only.iter().any(|o| path.starts_with(o)))
}

impl Scope {
    /// What the named paths make test code no longer, relative to the
    /// project root (directories end with `/`): each named path's package
    /// (the nearest directory below the root with a `Cargo.toml`), else
    /// the path itself. Naming `examples/shop/src/lib.rs` puts the whole
    /// `examples/shop` package, its migrations included, in the analysis.
    pub fn named_in_project(&self) -> Vec<String> {
        self.only
            .iter()
            .flatten()
            .filter_map(|p| {
                let package = p
                    .ancestors()
                    .take_while(|a| a.starts_with(&self.root) && *a != self.root)
                    .find(|a| a.join("Cargo.toml").is_file());
                let p = package.unwrap_or(p);
                let rel = relative(p, &self.root);
                if rel == "." || rel.starts_with("..") {
                    return None;
                }
                Some(if p.is_dir() { format!("{rel}/") } else { rel })
            })
            .collect()
    }
}

/// `path` relative to `from` with `/` separators, with `..` steps when it
/// is not under it (both absolute, or both relative to the same place).
pub fn relative(path: &Path, from: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let f: Vec<Component> = from.components().collect();
    let same = p.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if same == 0 && path.is_absolute() != from.is_absolute() {
        return slashed(path);
    }
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - same];
    parts.extend(p[same..].iter().filter_map(|c| match c {
        Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
        Component::ParentDir => Some("..".into()),
        _ => None,
    }));
    if parts.is_empty() {
        return ".".into();
    }
    parts.join("/")
}

/// A path with `/` separators.
fn slashed(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A temporary directory (removed when the first value drops) and its
    /// canonical path.
    fn scratch() -> (tempfile::TempDir, PathBuf) {
        let t = tempfile::tempdir().expect("tempdir");
        let top = canonical(t.path());
        (t, top)
    }

    fn write(top: &Path, p: &str, text: &str) {
        let f = top.join(p);
        fs::create_dir_all(f.parent().expect("parent")).expect("mkdir");
        fs::write(f, text).expect("write");
    }

    #[test]
    fn relative_paths() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(r("/r/a/b.rs", "/r"), "a/b.rs");
        assert_eq!(r("/r/a/b.rs", "/r/c"), "../a/b.rs");
        assert_eq!(r("/r/a/b.rs", "/r/a/b.rs"), ".");
        assert_eq!(r("/x/y.rs", "/r/s"), "../../x/y.rs");
    }

    #[test]
    fn workspace_table_is_a_line_not_a_mention() {
        assert!(declares_workspace(
            "[package]\n\n[workspace]\nmembers = []\n"
        ));
        assert!(declares_workspace("[workspace] # the root\n"));
        assert!(!declares_workspace("# no [workspace] here\n[package]\n"));
        assert!(!declares_workspace("[workspace.metadata.x]\na = 1\n"));
    }

    #[test]
    fn the_project_is_found_upward_and_not_past_the_repository() {
        let (_t, top) = scratch();
        let w = |p: &str, s: &str| write(&top, p, s);
        w("Cargo.toml", "[workspace]\nmembers = []\n");
        w("repo/.git/HEAD", "ref: refs/heads/main\n");
        w("repo/Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
        w("repo/crates/api/Cargo.toml", "[package]\nname = \"api\"\n");
        w("repo/crates/api/src/lib.rs", "");
        w("repo/loose/src/x.rs", "");
        let s = resolve(&[top.join("repo/crates/api/src")]).expect("resolves");
        assert_eq!(s.root, top.join("repo"));
        assert_eq!(s.base, top.join("repo"));
        assert_eq!(s.only, Some(vec![top.join("repo/crates/api/src")]));
        let s = resolve(&[top.join("repo/crates/api/src/lib.rs")]).expect("resolves");
        assert_eq!(s.root, top.join("repo"));
        let s = resolve(&[top.join("repo")]).expect("resolves");
        assert_eq!(s.only, None);
        // The outer workspace lies past the repository root.
        fs::remove_file(top.join("repo/Cargo.toml")).expect("rm");
        let s = resolve(&[top.join("repo/loose/src")]).expect("resolves");
        assert_eq!(s.root, top.join("repo/loose/src"));
        assert_eq!(s.base, top.join("repo"));
        let s = resolve(&[top.join("repo/crates/api/src")]).expect("resolves");
        assert_eq!(s.root, top.join("repo/crates/api"));
        assert!(resolve(&[top.join("nope")]).is_err());
    }

    #[test]
    fn a_package_that_is_no_member_is_its_own_project() {
        let (_t, top) = scratch();
        let w = |p: &str, s: &str| write(&top, p, s);
        w(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\", \"./tools/gen/\"]\nexclude = [\"crates/legacy\"]\n",
        );
        for p in ["crates/api", "crates/legacy", "tools/gen", "examples/shop"] {
            w(&format!("{p}/Cargo.toml"), "[package]\nname = \"x\"\n");
            w(&format!("{p}/src/lib.rs"), "");
        }
        w("migrations/0001.sql", "");
        let root = |p: &str| project_root(&top.join(p), None);
        assert_eq!(root("crates/api/src"), top);
        assert_eq!(root("tools/gen"), top);
        assert_eq!(
            root("crates/legacy/src"),
            top.join("crates/legacy"),
            "excluded"
        );
        assert_eq!(
            root("examples/shop/src"),
            top.join("examples/shop"),
            "not a member"
        );
        assert_eq!(root("migrations"), top, "in no package");
        // A path dependency is a member without being listed.
        w("libs/auth/Cargo.toml", "[package]\nname = \"auth\"\n");
        assert_eq!(root("libs/auth"), top.join("libs/auth"));
        w(
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nauth = { path = \"./libs/auth/\" }\n",
        );
        assert_eq!(root("libs/auth"), top, "a workspace path dependency");
        w(
            "Cargo.toml",
            "[package]\nname = \"app\"\n\n[dependencies]\nauth = { path = \"libs/auth\" }\n\n[workspace]\n",
        );
        assert_eq!(
            root("libs/auth"),
            top,
            "a path dependency of the root package"
        );
    }
}
