//! Where each Rust file sits in the module tree, as cargo and rustc lay it
//! out: the package is the nearest `Cargo.toml` with a `[package]` above
//! the file, its library and `src/main.rs` share one namespace named after
//! the library (`[lib] name`, else the package name with `-` as `_`), and
//! a file's module path follows its path under `src/` (`src/db/mod.rs` and
//! `src/db.rs` are `db`). Binaries under `src/bin/`, tests, examples,
//! benches and `build.rs` are crates of their own. A file under no package
//! belongs to one unnamed crate rooted at the project root.
//!
//! A package that other packages of the project use only as a
//! dev-dependency (an API test harness, a test database helper) is test
//! code, like `tests/` ([`Layout::test_support`]).
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
    /// Package directories of packages that the project's packages use as
    /// dev-dependencies only.
    test_support: Vec<String>,
}

/// What a manifest says that the layout needs.
struct Manifest {
    /// The library's name (`[lib] name`, else the package's, `-` as `_`).
    lib: String,
    /// The package's name as written.
    package: String,
    /// Packages it depends on (`[dependencies]`, `[build-dependencies]`,
    /// also per target), by package name.
    deps: Vec<String>,
    /// Packages it depends on in `[dev-dependencies]` only.
    dev_deps: Vec<String>,
}

impl Layout {
    /// Reads the manifests of the packages that hold `rels` (paths of Rust
    /// files relative to `root`). A manifest that cannot be read or has no
    /// `[package]` name leaves its directory's name as the crate's.
    pub fn new<'a>(root: &Path, rels: impl IntoIterator<Item = &'a str>) -> Layout {
        let mut layout = Layout::default();
        let mut manifests: Vec<(String, Manifest)> = Vec::new();
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
                        if let Some(m) = read_manifest(&root.join(dir).join("Cargo.toml")) {
                            layout.crates.insert(m.lib.clone(), m.lib.clone());
                            layout.packages.insert(dir.to_string(), m.lib.clone());
                            manifests.push((dir.to_string(), m));
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
        // By another package: a package often lists itself as a
        // dev-dependency to turn features on in its tests.
        let used = |dev: bool, name: &str| {
            manifests.iter().any(|(_, m)| {
                let list = if dev { &m.dev_deps } else { &m.deps };
                m.package != name && list.iter().any(|d| d == name)
            })
        };
        layout.test_support = manifests
            .iter()
            .filter(|(_, m)| used(true, &m.package) && !used(false, &m.package))
            .map(|(dir, _)| dir.clone())
            .collect();
        layout
    }

    /// The package directory holding `rel` when that package is test
    /// support: the project's other packages use it as a dev-dependency
    /// only.
    pub fn test_support(&self, rel: &str) -> Option<&str> {
        self.test_support
            .iter()
            .find(|dir| {
                dir.is_empty()
                    || rel
                        .strip_prefix(dir.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
            .map(String::as_str)
    }

    /// The absolute module path of the file at `rel`, its crate first
    /// (`["store", "query", "invoices"]` for `store/src/query/invoices.rs`).
    pub fn module_of(&self, rel: &str) -> Vec<String> {
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
        module
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

/// What the manifest at `path` says; `None` without a `[package]` (a
/// virtual workspace manifest) or when it cannot be read.
fn read_manifest(path: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let package = table.get("package")?.as_table()?;
    let package_name = package.get("name").and_then(|n| n.as_str())?;
    let lib = table
        .get("lib")
        .and_then(|l| l.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or(package_name);
    // The sections, also under `[target.'cfg(..)'.*]`.
    let sections = |name: &str| -> Vec<String> {
        let targets = table.get("target").and_then(|t| t.as_table());
        let per_target = targets
            .into_iter()
            .flat_map(|t| t.values())
            .filter_map(|t| t.get(name));
        table
            .get(name)
            .into_iter()
            .chain(per_target)
            .filter_map(|s| s.as_table())
            .flat_map(|deps| {
                deps.iter().map(|(key, v)| {
                    // `harness = { package = "api-test-harness", .. }`.
                    v.get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(key)
                        .to_string()
                })
            })
            .collect()
    };
    let mut deps = sections("dependencies");
    deps.extend(sections("build-dependencies"));
    Some(Manifest {
        lib: lib.replace('-', "_"),
        package: package_name.to_string(),
        deps,
        dev_deps: sections("dev-dependencies"),
    })
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
        l.module_of(rel).join("::")
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

    #[test]
    fn a_package_used_only_as_a_dev_dependency_is_test_support() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "api/Cargo.toml",
            "[package]\nname = \"api\"\n[dependencies]\ndb = { path = \"../db\" }\n\
             [dev-dependencies]\ntest-harness = { path = \"../harness\" }\n\
             db = { path = \"../db\" }\nfixtures = { package = \"test-fixtures\", path = \"../fx\" }\n\
             seed = { package = \"seed-data\", path = \"../seed\" }\n",
        );
        write("db/Cargo.toml", "[package]\nname = \"db\"\n");
        // Itself, for features in its tests: not test support.
        write(
            "sdk/Cargo.toml",
            "[package]\nname = \"sdk\"\n[dev-dependencies]\nsdk = { path = \".\", features = [\"mock\"] }\n",
        );
        write(
            "harness/Cargo.toml",
            "[package]\nname = \"test-harness\"\n[dependencies]\napi = { path = \"../api\" }\n",
        );
        write("fx/Cargo.toml", "[package]\nname = \"test-fixtures\"\n");
        write("seed/Cargo.toml", "[package]\nname = \"seed-data\"\n");
        write(
            "worker/Cargo.toml",
            "[package]\nname = \"worker\"\n[target.'cfg(unix)'.dependencies]\ntest-fixtures = \"1\"\n",
        );
        let files = [
            "api/src/lib.rs",
            "db/src/lib.rs",
            "harness/src/lib.rs",
            "fx/src/lib.rs",
            "seed/src/lib.rs",
            "sdk/src/lib.rs",
            "worker/src/main.rs",
        ];
        let l = Layout::new(dir.path(), files);
        assert_eq!(l.test_support("harness/src/lib.rs"), Some("harness"));
        // A dev-dependency that is also a dependency is not.
        assert_eq!(l.test_support("db/src/lib.rs"), None);
        // Renamed with `package = ..`.
        assert_eq!(l.test_support("seed/src/lib.rs"), Some("seed"));
        // Also used by a target's dependencies.
        assert_eq!(l.test_support("fx/src/lib.rs"), None);
        assert_eq!(l.test_support("api/src/lib.rs"), None);
        assert_eq!(l.test_support("sdk/src/lib.rs"), None);
        assert_eq!(l.test_support("harnessx/src/lib.rs"), None);
    }
}
