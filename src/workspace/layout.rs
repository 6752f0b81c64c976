//! Where each Rust file sits in the module tree, as cargo and rustc lay it
//! out: the package is the nearest `Cargo.toml` with a `[package]` above
//! the file, its library and `src/main.rs` share one namespace named after
//! the library (`[lib] name`, else the package name with `-` as `_`), and
//! a file's module path follows its path under `src/` (`src/db/mod.rs` and
//! `src/db.rs` are `db`). Binaries under `src/bin/`, tests, examples,
//! benches and `build.rs` are crates of their own. A file under no package
//! belongs to one unnamed crate rooted at the project root.
//!
//! The query analysis names functions by these paths, so that a call
//! resolves to the function in scope, not to every function of that name
//! (`model::names::Place`). `#[path]` attributes and modules declared
//! somewhere else than their file's place are not followed.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The crate name given to files under no package.
pub const UNNAMED: &str = "crate";

/// The crates of a project and where their files sit.
#[derive(Debug, Default, Clone)]
pub struct Layout {
    /// Package directory (relative, `/`-separated, `""` for the root) →
    /// its library's name.
    packages: BTreeMap<String, String>,
    /// Library name → the first segment of its module paths (itself).
    crates: HashMap<String, String>,
}

/// A file's place: the absolute module path of the file (first segment:
/// its crate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileModule {
    /// `["store", "query", "invoices"]` for `store/src/query/invoices.rs`.
    pub module: Vec<String>,
}

impl FileModule {
    /// The crate root (what `crate::` names).
    pub fn crate_root(&self) -> &[String] {
        &self.module[..1.min(self.module.len())]
    }
}

impl Layout {
    /// Reads the manifests of the packages that hold `rels` (paths of Rust
    /// files relative to `root`). A manifest that cannot be read or has no
    /// `[package]` name leaves its directory's name as the crate's.
    pub fn new<'a>(root: &Path, rels: impl IntoIterator<Item = &'a str>) -> Layout {
        let mut layout = Layout::default();
        // Directory → whether it holds a package manifest.
        let mut seen: HashMap<String, bool> = HashMap::new();
        for rel in rels {
            let mut dir = parent(rel);
            loop {
                let has = *seen
                    .entry(dir.to_string())
                    .or_insert_with(|| root.join(dir).join("Cargo.toml").is_file());
                if has {
                    if !layout.packages.contains_key(dir) {
                        if let Some(name) = package_name(&root.join(dir).join("Cargo.toml")) {
                            layout.crates.insert(name.clone(), name.clone());
                            layout.packages.insert(dir.to_string(), name);
                        } else {
                            // A virtual workspace manifest: not a package.
                            seen.insert(dir.to_string(), false);
                            if dir.is_empty() {
                                break;
                            }
                            dir = parent(dir);
                            continue;
                        }
                    }
                    break;
                }
                if dir.is_empty() {
                    break;
                }
                dir = parent(dir);
            }
        }
        layout
    }

    /// The module path of the file at `rel`.
    pub fn module_of(&self, rel: &str) -> FileModule {
        // The nearest package directory above the file.
        let mut dir = parent(rel);
        let (pkg_dir, name) = loop {
            if let Some(name) = self.packages.get(dir) {
                break (dir, name.as_str());
            }
            if dir.is_empty() {
                break ("", UNNAMED);
            }
            dir = parent(dir);
        };
        let inner = if pkg_dir.is_empty() {
            rel
        } else {
            rel.get(pkg_dir.len() + 1..).unwrap_or(rel)
        };
        let parts: Vec<&str> = inner.split('/').collect();
        let (krate, rest): (String, &[&str]) = match parts.as_slice() {
            ["src", "bin", bin, rest @ ..] if !rest.is_empty() => {
                (format!("{name}/bin/{bin}"), rest)
            }
            ["src", "bin", file] => (format!("{name}/bin/{}", stem(file)), &[]),
            ["src", rest @ ..] => (name.to_string(), rest),
            [kind @ ("tests" | "examples" | "benches"), file] => {
                (format!("{name}/{kind}/{}", stem(file)), &[])
            }
            [kind @ ("tests" | "examples" | "benches"), sub, rest @ ..] => {
                (format!("{name}/{kind}/{sub}"), rest)
            }
            ["build.rs"] => (format!("{name}/build"), &[]),
            rest => (name.to_string(), rest),
        };
        let mut module = vec![krate];
        if let Some((file, dirs)) = rest.split_last() {
            module.extend(dirs.iter().map(|d| d.to_string()));
            let s = stem(file);
            let is_root = rest.len() == 1 && matches!(s, "lib" | "main");
            if !is_root && s != "mod" {
                module.push(s.to_string());
            }
        }
        FileModule { module }
    }

    /// The module path a path starting with crate `name` (`store::query`)
    /// starts from, when `name` is a crate of the project.
    pub fn crate_named(&self, name: &str) -> Option<&str> {
        self.crates.get(name).map(String::as_str)
    }

    /// Identifies the layout, for the cache: facts name functions by it.
    pub fn hash(&self) -> u128 {
        let mut bytes = Vec::new();
        for (dir, name) in &self.packages {
            for part in [dir, name] {
                bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
                bytes.extend_from_slice(part.as_bytes());
            }
        }
        crate::workspace::deps::hash(&bytes)
    }
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn stem(file: &str) -> &str {
    file.strip_suffix(".rs").unwrap_or(file)
}

/// The library name of the package whose manifest is at `path`: `[lib]
/// name`, else `[package] name` with `-` as `_`; `None` without a
/// `[package]` (a virtual workspace manifest).
fn package_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let package = table.get("package")?.as_table()?;
    let lib = table
        .get("lib")
        .and_then(|l| l.get("name"))
        .and_then(|n| n.as_str());
    let name = lib.or_else(|| package.get("name").and_then(|n| n.as_str()))?;
    Some(name.replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(packages: &[(&str, &str)]) -> Layout {
        let mut l = Layout::default();
        for (dir, name) in packages {
            l.packages.insert(dir.to_string(), name.to_string());
            l.crates.insert(name.to_string(), name.to_string());
        }
        l
    }

    fn module(l: &Layout, rel: &str) -> String {
        l.module_of(rel).module.join("::")
    }

    #[test]
    fn files_map_to_module_paths_as_cargo_lays_them_out() {
        let l = layout(&[("crates/store", "store"), ("", "app")]);
        assert_eq!(module(&l, "crates/store/src/lib.rs"), "store");
        assert_eq!(module(&l, "crates/store/src/query/mod.rs"), "store::query");
        assert_eq!(
            module(&l, "crates/store/src/query/invoices.rs"),
            "store::query::invoices"
        );
        assert_eq!(module(&l, "src/main.rs"), "app");
        assert_eq!(module(&l, "src/handlers/users.rs"), "app::handlers::users");
        assert_eq!(module(&l, "src/bin/worker.rs"), "app/bin/worker");
        assert_eq!(module(&l, "src/bin/worker/jobs.rs"), "app/bin/worker::jobs");
        assert_eq!(module(&l, "tests/api.rs"), "app/tests/api");
        assert_eq!(module(&l, "build.rs"), "app/build");
        // Not under `src/`: laid out from the package directory.
        assert_eq!(module(&l, "crates/store/other/x.rs"), "store::other::x");
    }

    #[test]
    fn files_under_no_package_share_one_unnamed_crate() {
        let l = layout(&[]);
        assert_eq!(module(&l, "handlers.rs"), "crate::handlers");
        assert_eq!(module(&l, "src/db/mod.rs"), "crate::db");
        assert_eq!(module(&l, "src/lib.rs"), "crate");
    }

    #[test]
    fn manifests_name_the_crate_by_its_library() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n");
        write("a/Cargo.toml", "[package]\nname = \"my-api\"\n");
        write(
            "b/Cargo.toml",
            "[package]\nname = \"b\"\n[lib]\nname = \"bee\"\n",
        );
        let l = Layout::new(dir.path(), ["a/src/x.rs", "b/src/lib.rs", "tools/y.rs"]);
        assert_eq!(module(&l, "a/src/x.rs"), "my_api::x");
        assert_eq!(module(&l, "b/src/lib.rs"), "bee");
        // The virtual workspace manifest is no package.
        assert_eq!(module(&l, "tools/y.rs"), "crate::tools::y");
        assert_eq!(l.crate_named("bee"), Some("bee"));
        assert_eq!(l.crate_named("b"), None);
    }
}
