//! The shape of the code: which top-level modules of the library import
//! which (`crate::name` in non-test code, doc comments aside), and that
//! they form no cycle
//! other than the ones still listed here as known debt. A new cycle fails
//! this test; removing one fails it too, until the list is updated.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Cycles not yet broken (issue 21), each as its sorted member modules.
const KNOWN_CYCLES: &[&[&str]] = &[];

/// The layers, lowest first (the table in ARCHITECTURE.md). A module may
/// import its own layer and the ones below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &["diagnostic", "atomic_file", "knowledge", "workspace"],
    ),
    (
        "input",
        &[
            "config", "error", "discover", "since", "rustlex", "parse", "sql", "suppress", "orm",
        ],
    ),
    ("model", &["model"]),
    ("analysis", &["incremental", "rules", "baseline", "reach"]),
    ("run", &["report", "engine"]),
    ("output", &["render", "fix"]),
    ("front", &["init", "cli"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// Top-level modules of the library and the modules each imports.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeSet::new();
    for e in std::fs::read_dir(&src).expect("src").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let name = name.strip_suffix(".rs").unwrap_or(&name).to_string();
        if !matches!(name.as_str(), "lib" | "main" | "bin") {
            modules.insert(name);
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            // Out-of-line unit test modules (`#[cfg(test)] mod tests;`).
            if p.extension().is_none_or(|x| x != "rs")
                || p.file_name().is_some_and(|n| n == "tests.rs")
            {
                continue;
            }
            let rel = p.strip_prefix(&src).expect("under src");
            let first = rel.components().next().expect("a component");
            let first = first.as_os_str().to_string_lossy();
            let top = first.strip_suffix(".rs").unwrap_or(&first).to_string();
            if !modules.contains(&top) {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("read");
            // Unit tests may import anything.
            let code = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => &text[..at],
                None => &text,
            };
            // Doc links (`[`crate::x`]`) are not imports.
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let used = graph.entry(top.clone()).or_default();
            for name in crate_paths(&code) {
                if name != top && modules.contains(&name) {
                    used.insert(name);
                }
            }
        }
    }
    graph
}

/// The first segment of every `crate::a` and `crate::{a, b::c}` path.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                out.push(word(item.trim()));
            }
        } else {
            out.push(word(rest));
        }
    }
    out
}

/// Strongly connected components with more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    // Reachability is enough at this size (~25 modules).
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for n in graph.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let all: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|m| (m, reach(m))).collect();
    let mut out = BTreeSet::new();
    for (m, r) in &all {
        let mut scc: Vec<String> = r
            .iter()
            .filter(|n| all.get(n).is_some_and(|back| back.contains(*m)))
            .cloned()
            .collect();
        if !scc.is_empty() {
            if !scc.contains(m) {
                scc.push((*m).clone());
            }
            scc.sort();
            out.insert(scc);
        }
    }
    out
}

#[test]
fn modules_form_no_new_import_cycle() {
    let graph = imports();
    assert!(graph.len() > 15, "modules found: {graph:?}");
    let found = cycles(&graph);
    let known: BTreeSet<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(
        found, known,
        "import cycles between top-level modules changed; a new one must be broken, a broken one removed from KNOWN_CYCLES (imports: {graph:#?})"
    );
}

#[test]
fn crate_paths_are_read_in_both_forms() {
    assert_eq!(
        crate_paths("use crate::{config::Level, rules};\nlet x = crate::sql::ddl(t);"),
        ["config", "rules", "sql"]
    );
}

#[test]
fn no_module_imports_a_higher_layer() {
    let graph = imports();
    let mut wrong = Vec::new();
    for (module, used) in &graph {
        let Some(mine) = layer_of(module) else {
            wrong.push(format!("`{module}` has no layer in LAYERS"));
            continue;
        };
        for u in used {
            match layer_of(u) {
                Some(theirs) if theirs > mine => wrong.push(format!(
                    "`{module}` ({}) imports `{u}` ({})",
                    LAYERS[mine].0, LAYERS[theirs].0
                )),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The rule table in README.md is the registry's, row for row: id, default
/// level and summary (the registry is the one list of rules).
#[test]
fn readme_rules_table_is_the_registry() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| [`")).collect();
    let expected: Vec<String> = tenant_lint::rules::RULES
        .iter()
        .map(|r| {
            format!(
                "| [`{id}`](rules/{id}.md) | {} | {} |",
                r.default.as_str(),
                r.summary,
                id = r.id
            )
        })
        .collect();
    assert_eq!(rows, expected);
}
