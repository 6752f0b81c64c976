//! What the web frameworks, runtimes and migration tools say about entry
//! points, read from the data files in `frameworks/` (one per framework;
//! a new framework is a new file, not code).

use foldhash::HashSet;
use serde::Deserialize;
use std::sync::OnceLock;

/// One framework's file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
struct FrameworkFile {
    framework: String,
    method_routers: Vec<String>,
    handler_calls: Vec<String>,
    route_paths: Vec<String>,
    route_prefixes: Vec<String>,
    handler_macros: Vec<String>,
    route_attributes: Vec<String>,
    handler_attributes: Vec<String>,
    extractors: Vec<String>,
    main_attributes: Vec<String>,
    test_attributes: Vec<String>,
    request_impl_attributes: Vec<String>,
    background_trait_suffixes: Vec<String>,
    migration_traits: Vec<String>,
    migration_folders: Vec<String>,
    common_methods: Vec<String>,
}

const FILES: &[(&str, &str)] = &[
    ("axum.toml", include_str!("frameworks/axum.toml")),
    ("actix-web.toml", include_str!("frameworks/actix-web.toml")),
    ("rocket.toml", include_str!("frameworks/rocket.toml")),
    ("poem.toml", include_str!("frameworks/poem.toml")),
    ("openapi.toml", include_str!("frameworks/openapi.toml")),
    ("tonic.toml", include_str!("frameworks/tonic.toml")),
    ("runtime.toml", include_str!("frameworks/runtime.toml")),
    (
        "migrations.toml",
        include_str!("frameworks/migrations.toml"),
    ),
    ("std.toml", include_str!("frameworks/std.toml")),
];

/// Every framework's knowledge, merged.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// Calls whose function-value arguments are handlers for the method
    /// the call names (`get(h)`, `.post(h)`, `post_with(h, docs)`).
    pub method_routers: HashSet<String>,
    /// Calls whose argument is a handler for the method of the call
    /// before them (actix `web::get().to(h)`).
    pub handler_calls: HashSet<String>,
    /// Calls whose first argument is a route's path.
    pub route_paths: HashSet<String>,
    /// Calls whose first argument prefixes the routes registered in their
    /// chain (actix `web::scope("/api")`).
    pub route_prefixes: HashSet<String>,
    /// Macros whose arguments are handlers (`routes![a, b]`).
    pub handler_macros: HashSet<String>,
    /// Attributes (as written, or their last segment) that make a handler
    /// with a method and a path.
    pub route_attributes: HashSet<String>,
    /// Attributes that make a handler without a path.
    pub handler_attributes: HashSet<String>,
    /// Parameter type texts that make a function a handler.
    pub extractors: Vec<String>,
    /// Attributes of a program's start.
    pub main_attributes: HashSet<String>,
    /// Attributes of tests.
    pub test_attributes: HashSet<String>,
    /// Attributes of an `impl` whose methods answer requests.
    pub request_impl_attributes: HashSet<String>,
    /// Trait name endings whose impls run as background jobs.
    pub background_trait_suffixes: Vec<String>,
    /// Traits whose impls are migrations.
    pub migration_traits: HashSet<String>,
    /// Folder (or crate) names holding migrations.
    pub migration_folders: HashSet<String>,
    /// Method names of std, async runtimes and the ORMs: a call `.name()`
    /// is not linked to the workspace's methods of that name.
    pub common_methods: HashSet<String>,
}

/// The HTTP methods a router or attribute name can give.
pub const METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "trace", "connect",
];

impl Knowledge {
    /// The knowledge compiled into this binary (a malformed file is a bug
    /// the test suite catches).
    pub fn get() -> &'static Knowledge {
        static K: OnceLock<Knowledge> = OnceLock::new();
        K.get_or_init(|| Knowledge::load().unwrap_or_else(|e| panic!("{e}")))
    }

    fn load() -> Result<Knowledge, String> {
        let mut k = Knowledge::default();
        for (name, text) in FILES {
            let f: FrameworkFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            if f.framework.is_empty() {
                return Err(format!("{name}: `framework` is missing"));
            }
            k.method_routers.extend(f.method_routers);
            k.handler_calls.extend(f.handler_calls);
            k.route_paths.extend(f.route_paths);
            k.route_prefixes.extend(f.route_prefixes);
            k.handler_macros.extend(f.handler_macros);
            k.route_attributes.extend(f.route_attributes);
            k.handler_attributes.extend(f.handler_attributes);
            k.extractors.extend(f.extractors);
            k.main_attributes.extend(f.main_attributes);
            k.test_attributes.extend(f.test_attributes);
            k.request_impl_attributes.extend(f.request_impl_attributes);
            k.background_trait_suffixes
                .extend(f.background_trait_suffixes);
            k.migration_traits.extend(f.migration_traits);
            k.migration_folders.extend(f.migration_folders);
            k.common_methods.extend(f.common_methods);
        }
        Ok(k)
    }

    /// Whether `attr` (a path as written, `tokio::main`) is in `set`, as
    /// written or by its last segment when the set holds a bare name.
    pub fn attr_in(set: &HashSet<String>, attr: &str) -> bool {
        set.contains(attr)
            || attr
                .rsplit_once("::")
                .is_some_and(|(_, last)| set.contains(last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framework_files_load() {
        let k = Knowledge::load().unwrap();
        assert!(k.method_routers.contains("post_with"));
        assert!(k.route_attributes.contains("get"));
        assert!(k.main_attributes.contains("tokio::main"));
        assert!(k.migration_traits.contains("MigrationTrait"));
        assert!(k.common_methods.contains("len"));
    }

    #[test]
    fn every_file_in_the_frameworks_folder_is_read() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/reach/frameworks");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut read: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        read.sort();
        assert_eq!(on_disk, read);
    }

    #[test]
    fn attributes_match_as_written_or_by_last_segment() {
        let set: HashSet<String> = ["get".to_string(), "tokio::main".to_string()]
            .into_iter()
            .collect();
        assert!(Knowledge::attr_in(&set, "get"));
        assert!(Knowledge::attr_in(&set, "actix_web::get"));
        assert!(Knowledge::attr_in(&set, "tokio::main"));
        assert!(!Knowledge::attr_in(&set, "main"));
        assert!(!Knowledge::attr_in(&set, "post"));
    }
}
