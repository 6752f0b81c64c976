//! Reach: which entry points of the program lead to a query. The
//! workspace's functions and calls come from a token scan of every Rust
//! file ([`scan`]); entry points from what each framework says
//! ([`knowledge`]: route attributes and registrations, `main`, job traits,
//! migrations, tests).
//!
//! A call is linked to every function it may name: a bare name to the
//! functions of the caller's module (and below) or the ones a `use`
//! brings, `a::q::f` to the functions `f` whose path has `q`, a method call
//! (whose receiver's type a token scan cannot know) to every method of that
//! name. That is a superset of what the helper summaries resolve
//! ([`crate::model::summaries::Linker`] takes one of these or none): a
//! loose edge can only make a query reachable from more entry points,
//! never hide a request handler, and it costs no name resolution per call.
//!
//! A finding's reach is then searched backwards from its function:
//! reached from a request handler is `request`; otherwise a caller nothing
//! links to (its name is called somewhere, or it takes request extractors)
//! makes it `unknown` (or `request`); otherwise background entry points
//! make it `background`, and nothing (or tests only) `none`.

pub mod knowledge;
pub mod scan;

pub use scan::{FileItems, How};

use crate::config::ReachConfig;
use crate::diagnostic::{FileId, Reach, ReachKind, Step};
use crate::rustlex::word_hash;
use crate::workspace::layout::Layout;
use knowledge::{Knowledge, METHODS};
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already [`word_hash`]es.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        // Spread over the high bits too: hashbrown takes its tag from them.
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type ByHash = HashMap<u32, Vec<u32>, BuildHasherDefault<WordHasher>>;

/// Reads one file's functions (its whole text's tokens).
pub fn scan_text(text: &str, toks: &mut Vec<crate::rustlex::Tok>) -> FileItems {
    match crate::rustlex::tokens_into(text, toks) {
        Ok(()) => scan::scan(text, toks),
        // Not Rust tokens: the parse phases report it.
        Err(_) => FileItems::default(),
    }
}

/// The reach of one finding as the cache keeps it (files by path).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredReach {
    kind: ReachKind,
    routes: Vec<String>,
    /// (function, file's path relative to the project root, line).
    path: Vec<(String, String, u32)>,
    reason: String,
}

/// The reach of a file's findings, by line, and the hash of the workspace
/// (every file's bytes, the layout, `[reach]`) it was computed over: a run
/// over the same workspace reuses it without reading any function.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReachResults {
    pub workspace: u128,
    pub lines: Vec<(u32, Option<StoredReach>)>,
}

impl StoredReach {
    /// `r` with its files named by `rel`.
    pub fn new(r: &Reach, rel: impl Fn(FileId) -> String) -> StoredReach {
        StoredReach {
            kind: r.kind,
            routes: r.routes.clone(),
            path: r
                .path
                .iter()
                .map(|s| (s.function.clone(), rel(s.file), s.line))
                .collect(),
            reason: r.reason.clone(),
        }
    }

    /// The reach, with its files found by `id` (`None`: a file that is no
    /// longer there).
    pub fn get(&self, id: impl Fn(&str) -> Option<FileId>) -> Option<Reach> {
        Some(Reach {
            kind: self.kind,
            routes: self.routes.clone(),
            path: self
                .path
                .iter()
                .map(|(function, file, line)| {
                    Some(Step {
                        function: function.clone(),
                        file: id(file)?,
                        line: *line,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
            reason: self.reason.clone(),
        })
    }
}

/// Routes shown per finding at most.
const MAX_ROUTES: usize = 3;
/// Functions searched per finding at most; beyond, the reach is unknown.
const MAX_VISITED: usize = 50_000;

/// Why a function is an entry point.
#[derive(Debug, Clone)]
enum Entry {
    /// A request handler, with its routes.
    Request(Vec<String>),
    /// The program's start (`main`, `#[tokio::main]`, `#[launch]`).
    Main,
    /// A method of a job trait's impl.
    Job(String),
    /// A migration.
    Migration,
    /// A test.
    Test,
}

/// The functions of the workspace, their entry points, and the calls
/// between them, linked as the search needs them.
pub struct Graph<'a> {
    items: Vec<(FileId, &'a FileItems)>,

    /// Per file (as in `items`), per scope: the module's absolute path,
    /// `::`-joined.
    modules: Vec<Vec<String>>,
    /// Per file (as in `items`): the node of its first function (a file's
    /// functions are numbered in order).
    first: Vec<u32>,
    /// Each node: its file (index into `items`) and function.
    nodes: Vec<(u32, u32)>,
    /// Per file id, the index into `items`.
    item_of: HashMap<FileId, u32>,
    entries: HashMap<u32, Entry>,
    /// Nodes by the hash of their name.
    fns_named: ByHash,
    /// Call sites by the hash of the name they call, as `node << 32 |
    /// call index`; a hash can collide, so a site's name is checked.
    calls_named: HashMap<u32, Vec<u64>, BuildHasherDefault<WordHasher>>,
    /// Whether any entry point of a program (not a test) was found.
    has_entry: bool,
    /// The workspace's crates (their modules' first segment).
    crates: HashSet<String>,
    /// Each module's file (index into `items`) and scope.
    module_at: HashMap<String, (u32, u32)>,
}

fn label_of(f: &scan::FnItem) -> String {
    match f.owner.as_ref().and_then(|o| o.ty.last()) {
        Some(t) => format!("{t}::{}", f.name),
        None => f.name.clone(),
    }
}

/// The route of a handler whose route is not known (`handler show`).
fn unrouted(label: &str) -> String {
    format!("{UNROUTED}{label}")
}

/// What [`unrouted`] routes start with.
const UNROUTED: &str = "handler ";

/// The first string literal of an attribute's arguments, or the one after
/// `path =`.
fn attr_route(attr: &scan::Attr) -> Option<String> {
    let toks: Vec<&str> = attr.args.split(' ').collect();
    let lit = |s: &str| s.starts_with('"').then(|| s.trim_matches('"').to_string());
    let path = toks
        .windows(3)
        .find(|w| w[0] == "path" && w[1] == "=")
        .and_then(|w| lit(w[2]))
        .or_else(|| toks.first().and_then(|t| lit(t)))?;
    let last = attr.path.rsplit("::").next().unwrap_or(&attr.path);
    let method = toks
        .windows(3)
        .find(|w| w[0] == "method" && w[1] == "=")
        .map(|w| w[2].trim_matches('"').to_ascii_lowercase())
        .or_else(|| METHODS.contains(&last).then(|| last.to_string()))
        .or_else(|| {
            toks.first()
                .filter(|t| METHODS.contains(&t.to_ascii_lowercase().as_str()))
                .map(|t| t.to_ascii_lowercase())
        })
        .filter(|m| METHODS.contains(&m.as_str()));
    Some(format!(
        "{} {path}",
        method.map_or_else(|| "*".to_string(), |m| m.to_ascii_uppercase())
    ))
}

/// Whether module `module` is `base` or below it.
fn within(module: &str, base: &str) -> bool {
    module
        .strip_prefix(base)
        .is_some_and(|r| r.is_empty() || r.starts_with("::"))
}

/// The name a `use` item brings in scope.
fn local(u: &scan::UseItem) -> Option<&str> {
    u.alias.as_deref().or(u.path.last().map(String::as_str))
}

/// Whether glob `use` item `u`, in module `module`, may bring in a
/// function of module `t_module`: `use super::*` the parent's,
/// `use crate::store::*` (and `use store::*`, `use some_crate::store::*`)
/// one whose path has `store`. A glob of another crate's items
/// (`use sea_orm::*`) brings in none of the workspace's functions unless the
/// crate is the workspace's own.
fn glob_has(module: &str, u: &scan::UseItem, t_module: &str) -> bool {
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let mut rest: &[String] = &u.path;
    let mut relative = false;
    while let Some((first, tail)) = rest.split_first() {
        match first.as_str() {
            "self" => relative = true,
            "super" => {
                relative = true;
                base.pop();
            }
            "crate" => {
                relative = true;
                base.truncate(1);
            }
            _ => break,
        }
        rest = tail;
    }
    match rest.last() {
        // `use super::*`, `use self::*`: that module itself, or below.
        None if relative => within(t_module, &base.join("::")),
        None => false,
        Some(last) => t_module.split("::").any(|s| s == last),
    }
}

fn entry_of(k: &Knowledge, f: &scan::FnItem, top: bool, in_migrations: bool) -> Option<Entry> {
    for a in &f.attrs {
        if Knowledge::attr_in(&k.route_attributes, &a.path) {
            if let Some(route) = attr_route(a) {
                return Some(Entry::Request(vec![route]));
            }
        }
        if Knowledge::attr_in(&k.handler_attributes, &a.path) {
            return Some(Entry::Request(vec![unrouted(&label_of(f))]));
        }
        if k.test_attributes.contains(&a.path) {
            return Some(Entry::Test);
        }
        if k.main_attributes.contains(&a.path) {
            return Some(Entry::Main);
        }
    }
    if let Some(o) = &f.owner {
        if o.attrs
            .iter()
            .any(|a| k.request_impl_attributes.contains(&a.path))
        {
            return Some(Entry::Request(vec![format!("rpc {}", label_of(f))]));
        }
        if let Some(t) = &o.trait_name {
            if k.migration_traits.contains(t) {
                return Some(Entry::Migration);
            }
            if k.background_trait_suffixes
                .iter()
                .any(|s| t.ends_with(s.as_str()))
            {
                return Some(Entry::Job(t.clone()));
            }
        }
    } else if top && f.name == "main" {
        return Some(Entry::Main);
    }
    if in_migrations {
        return Some(Entry::Migration);
    }
    None
}

impl<'a> Graph<'a> {
    /// The graph of these files' functions (`rel` is each file's path
    /// relative to the project root).
    pub fn new(
        files: impl IntoIterator<Item = (FileId, &'a str, &'a FileItems)>,
        layout: &'a Layout,
        config: &ReachConfig,
    ) -> Graph<'a> {
        let k = Knowledge::get();
        let mut g = Graph {
            items: Vec::new(),
            modules: Vec::new(),
            first: Vec::new(),
            nodes: Vec::new(),
            item_of: HashMap::new(),
            entries: HashMap::new(),
            fns_named: ByHash::default(),
            calls_named: HashMap::default(),
            has_entry: false,
            crates: HashSet::new(),
            module_at: HashMap::new(),
        };
        let mut in_migrations = Vec::new();
        for (file, rel, items) in files {
            let module = layout.module_of(rel);
            g.modules.push(
                items
                    .scopes
                    .iter()
                    .map(|sc| {
                        module
                            .iter()
                            .chain(&sc.path)
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join("::")
                    })
                    .collect(),
            );
            g.item_of.insert(file, g.items.len() as u32);
            g.items.push((file, items));
            in_migrations.push(rel.split('/').any(|seg| k.migration_folders.contains(seg)));
        }
        for (item, scopes) in g.modules.iter().enumerate() {
            for (scope, m) in scopes.iter().enumerate() {
                g.module_at
                    .entry(m.clone())
                    .or_insert((item as u32, scope as u32));
            }
        }
        g.crates = g
            .modules
            .iter()
            .filter_map(|m| m.first()?.split("::").next())
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        // Modules declared in another file under `#[cfg(test)]`: test code
        // down to their leaves.
        let test_mods: Vec<String> = g
            .items
            .iter()
            .zip(&g.modules)
            .flat_map(|((_, items), scopes)| {
                items.test_mods.iter().map(|m| {
                    scopes[0]
                        .split("::")
                        .filter(|s| !s.is_empty())
                        .chain(m.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join("::")
                })
            })
            .collect();
        let in_test_mod = |module: &str| test_mods.iter().any(|t| within(module, t));
        let n_fns: usize = g.items.iter().map(|(_, i)| i.fns.len()).sum();
        g.nodes.reserve(n_fns);
        g.fns_named.reserve(n_fns);
        g.calls_named.reserve(n_fns);
        for (idx, &(_, items)) in g.items.iter().enumerate() {
            g.first.push(g.nodes.len() as u32);
            for (at, f) in items.fns.iter().enumerate() {
                let id = g.nodes.len() as u32;
                g.nodes.push((idx as u32, at as u32));
                g.fns_named.entry(word_hash(&f.name)).or_default().push(id);
                for (c, call) in f.calls.iter().enumerate() {
                    g.calls_named
                        .entry(items.name_hash(call))
                        .or_default()
                        .push((u64::from(id) << 32) | c as u64);
                }
                let scope = &items.scopes[f.scope as usize];
                let test = scope.test
                    || f.attrs.iter().any(scan::Attr::is_cfg_test)
                    || (!test_mods.is_empty() && in_test_mod(&g.modules[idx][f.scope as usize]));
                if test {
                    g.entries.insert(id, Entry::Test);
                } else if let Some(e) = entry_of(k, f, scope.parent.is_none(), in_migrations[idx]) {
                    g.entries.insert(id, e);
                }
            }
        }
        // Handlers registered on routes.
        let mut handlers: Vec<(u32, String)> = Vec::new();
        for (idx, &(_, items)) in g.items.iter().enumerate() {
            for r in &items.routes {
                let Some(name) = r.handler.last() else {
                    continue;
                };
                let Some(at) = r.in_fn else {
                    continue;
                };
                let caller = g.first[idx] + at;
                if matches!(g.entries.get(&caller), Some(Entry::Test)) {
                    continue;
                }
                let path = r.handler.join("::");
                for &n in g.fns_named.get(&word_hash(name)).into_iter().flatten() {
                    if g.fn_of(n).name == *name && g.may_name(caller, &path, n) {
                        let label = label_of(g.fn_of(n));
                        let route = match (&r.method, &r.path) {
                            (Some(m), Some(p)) => format!("{m} {p}"),
                            (Some(m), None) => format!("{m} (handler {label})"),
                            (None, _) => unrouted(&label),
                        };
                        handlers.push((n, route));
                    }
                }
            }
        }
        for (n, route) in handlers {
            match g.entries.get_mut(&n) {
                Some(Entry::Request(routes)) => {
                    // A route replaces a bare `handler f` (a poem `#[handler]`,
                    // or `routes![f]` before its attribute is read).
                    if route.starts_with(UNROUTED) || routes.contains(&route) {
                        continue;
                    }
                    routes.retain(|r| !r.starts_with(UNROUTED));
                    routes.push(route);
                }
                _ => {
                    g.entries.insert(n, Entry::Request(vec![route]));
                }
            }
        }
        // Entry points the configuration names.
        if !config.request.is_empty() || !config.background.is_empty() {
            for n in 0..g.nodes.len() as u32 {
                let label = label_of(g.fn_of(n));
                let path = g.path_of(n);
                let named = |names: &[String]| {
                    names.iter().any(|name| {
                        path == *name || path.ends_with(&format!("::{name}")) || label == *name
                    })
                };
                if named(&config.request) {
                    g.entries.insert(n, Entry::Request(vec![unrouted(&label)]));
                } else if named(&config.background) && !g.entries.contains_key(&n) {
                    g.entries.insert(n, Entry::Main);
                }
            }
        }
        g.has_entry = g.entries.values().any(|e| !matches!(e, Entry::Test));
        g
    }

    /// The function node `n` is.
    fn fn_of(&self, n: u32) -> &'a scan::FnItem {
        let (item, at) = self.nodes[n as usize];
        &self.items[item as usize].1.fns[at as usize]
    }

    /// The path a function is defined under (`app::db::jobs::get`,
    /// `app::store::Store::find`): its module's, then for a method the
    /// `impl` type as written (its last segment when it has several).
    fn path_of(&self, n: u32) -> String {
        let (item, _) = self.nodes[n as usize];
        let f = self.fn_of(n);
        let module = &self.modules[item as usize][f.scope as usize];
        match f.owner.as_ref().and_then(|o| o.ty.last()) {
            Some(t) => format!("{module}::{t}::{}", f.name),
            None => format!("{module}::{}", f.name),
        }
    }

    /// The file node `n` is in.
    fn file_of(&self, n: u32) -> &'a FileItems {
        self.items[self.nodes[n as usize].0 as usize].1
    }

    /// A call site of [`Graph::calls_named`]: the calling node and the
    /// call's index in it.
    fn site(site: u64) -> (u32, u32) {
        ((site >> 32) as u32, site as u32)
    }

    /// The `use` items in scope of `caller`'s body: its module's, then the
    /// enclosing ones'.
    fn uses_in_scope(&self, caller: u32) -> impl Iterator<Item = &'a scan::UseItem> {
        let items = self.file_of(caller);
        std::iter::successors(Some(self.fn_of(caller).scope), move |&q| {
            items.scopes[q as usize].parent
        })
        .flat_map(move |q| items.scopes[q as usize].uses.iter())
    }

    /// Whether path call `path` in `caller` may name `n` (its name is the
    /// call's last segment): a bare name names a function of the caller's
    /// module or below, or one a `use` brings in scope (by name, judged by
    /// the `use`'s path, or by a glob of its module); `a::q::f` one whose
    /// path has `q` ([`Graph::qualified`]).
    fn may_name(&self, caller: u32, path: &str, n: u32) -> bool {
        let (item, _) = self.nodes[caller as usize];
        let scope = self.fn_of(caller).scope;
        let uses = || self.uses_in_scope(caller);
        let (t_item, _) = self.nodes[n as usize];
        let t_module = &self.modules[t_item as usize][self.fn_of(n).scope as usize];
        let module = &self.modules[item as usize][scope as usize];
        match path.rsplit_once("::") {
            None => {
                within(t_module, module)
                    || uses().any(|u| {
                        if u.glob {
                            glob_has(module, u, t_module)
                        } else {
                            // `use axum::routing::get;` brings axum's `get`.
                            local(u) == Some(path)
                                && self.qualified(
                                    caller,
                                    u.path[..u.path.len().saturating_sub(1)]
                                        .iter()
                                        .map(String::as_str)
                                        .collect(),
                                    n,
                                )
                        }
                    })
            }
            Some((qual, _)) => self.qualified(caller, qual.split("::").collect(), n),
        }
    }

    /// [`Graph::may_name`] for a call through the module path `segs`
    /// (`a::q` of `a::q::f`, or of `use a::q::f`): a function whose path
    /// (its module's, then its type's) has `q`, after a leading alias is
    /// replaced by the path its `use` names; a bare `crate::f`, `self::f`,
    /// `super::f` one of that module or below.
    fn qualified<'s>(&'s self, caller: u32, mut segs: Vec<&'s str>, n: u32) -> bool {
        let (item, _) = self.nodes[caller as usize];
        let module = &self.modules[item as usize][self.fn_of(caller).scope as usize];
        let (t_item, _) = self.nodes[n as usize];
        let target = self.fn_of(n);
        let t_module = &self.modules[t_item as usize][target.scope as usize];
        let above = || {
            t_module.split("::").chain(
                target
                    .owner
                    .iter()
                    .flat_map(|o| o.ty.iter().map(String::as_str)),
            )
        };
        let uses = || self.uses_in_scope(caller);
        let Some(&head) = segs.first() else {
            return true;
        };
        // `db::get` with `use crate::store as db` (or `use crate as
        // db`): the path the `use` names.
        if let Some(u) = uses().find(|u| !u.glob && local(u) == Some(head)) {
            let mut full: Vec<&str> = u.path.iter().map(String::as_str).collect();
            full.extend_from_slice(&segs[1..]);
            segs = full;
        }
        // A leading `crate`, `self`, `super`: the module it names.
        let mut base: Option<Vec<&str>> = None;
        while let Some(&first) = segs.first() {
            match first {
                "crate" => base = Some(module.split("::").take(1).collect()),
                "self" => {
                    base.get_or_insert_with(|| module.split("::").collect());
                }
                "super" => {
                    base.get_or_insert_with(|| module.split("::").collect())
                        .pop();
                }
                _ => break,
            }
            segs.remove(0);
        }
        // Only a bare `crate::f` (`self::f`, `super::f`) is held to its
        // module (the function is defined there, or the module's `use`
        // items bring it in: `pub use store::get;`); `crate::service::jobs::f`
        // may go through a re-export, so it is judged by `jobs` alone.
        let in_base = !segs.is_empty()
            || base.is_none_or(|b| {
                let b = b.join("::");
                *t_module == b
                    || self.module_at.get(&b).is_some_and(|&(item, scope)| {
                        let items = self.items[item as usize].1;
                        items.scopes[scope as usize].uses.iter().any(|u| {
                            if u.glob {
                                glob_has(&b, u, t_module)
                            } else {
                                local(u) == Some(target.name.as_str())
                                    && u.path
                                        .iter()
                                        .rev()
                                        .nth(1)
                                        .is_none_or(|q| t_module.split("::").any(|s| s == q))
                            }
                        })
                    })
            });
        in_base
            && segs
                .last()
                .is_none_or(|&q| q == "Self" || above().any(|s| s == q))
    }

    /// Whether a function's body holds `line` of `file`.
    pub fn holds(&self, file: FileId, line: u32) -> bool {
        self.fn_at(file, line).is_some()
    }

    /// The function of `file` whose body holds `line`.
    fn fn_at(&self, file: FileId, line: u32) -> Option<u32> {
        let &item = self.item_of.get(&file)?;
        let items = self.items[item as usize].1;
        items
            .fns
            .iter()
            .enumerate()
            .filter(|(_, f)| f.line <= line && line <= f.end)
            .max_by_key(|(_, f)| f.line)
            .map(|(at, _)| self.first[item as usize] + at as u32)
    }

    /// The nodes that call `n` (`memo`: callers already found).
    fn callers(&self, n: u32, memo: &mut HashMap<u32, Vec<u32>>) -> Vec<u32> {
        if let Some(c) = memo.get(&n) {
            return c.clone();
        }
        let me = self.fn_of(n);
        let name = me.name.as_str();
        let my_type = me.owner.as_ref().and_then(|o| o.ty.last());
        let mut out = Vec::new();
        for &site in self.calls_named.get(&word_hash(name)).into_iter().flatten() {
            let (caller, c) = Self::site(site);
            if caller == n || out.last() == Some(&caller) {
                continue;
            }
            let them = self.fn_of(caller);
            let file = self.file_of(caller);
            let call = &them.calls[c as usize];
            let path = file.path(call);
            if file.name(call) != name {
                continue;
            }
            let self_call = call.how == How::SelfMethod
                || (call.how != How::Method
                    && path
                        .strip_prefix("Self::")
                        .is_some_and(|r| !r.contains("::")));
            let hit = if self_call {
                // `self.f()` / `Self::f()`: a method of the caller's type
                // (or of any type, from a trait's default method).
                let theirs = them.owner.as_ref();
                my_type.is_some()
                    && theirs.is_some_and(|o| {
                        o.ty.last() == my_type || o.trait_name.as_ref() == o.ty.last()
                    })
            } else if call.how == How::Method {
                // `.len()`, `.execute(..)`: a std or ORM method far more
                // often than the workspace's.
                my_type.is_some() && !Knowledge::get().common_methods.contains(name)
            } else {
                self.may_name(caller, path, n)
            };
            if hit {
                out.push(caller);
            }
        }
        out.sort_unstable();
        out.dedup();
        memo.insert(n, out.clone());
        out
    }

    /// Whether something calls a function named like `n` that the linking
    /// may have missed: a path call of that name that links to no function
    /// of the workspace (a re-export, an alias the reader does not follow),
    /// or, for a method, a call of a common method name (never linked). A
    /// call linked to another function of that name is that function's.
    fn named_elsewhere(&self, n: u32) -> bool {
        let me = self.fn_of(n);
        let name = me.name.as_str();
        let common = me.owner.is_some() && Knowledge::get().common_methods.contains(name);
        let Some(sites) = self.calls_named.get(&word_hash(name)) else {
            return false;
        };
        sites.iter().any(|&site| {
            let (caller, c) = Self::site(site);
            let file = self.file_of(caller);
            let call = &self.fn_of(caller).calls[c as usize];
            if caller == n || file.name(call) != name {
                return false;
            }
            match call.how {
                How::Method => common,
                How::SelfMethod => false,
                How::Path | How::Value => {
                    let path = file.path(call);
                    // A bare name nothing links to is a closure, a nested
                    // function or another crate's, unless a glob of the
                    // workspace's may have brought it in.
                    if !path.contains("::")
                        && !self.uses_in_scope(caller).any(|u| {
                            u.glob
                                && u.path.first().is_some_and(|f| {
                                    matches!(f.as_str(), "crate" | "self" | "super")
                                        || self.crates.contains(f)
                                })
                        })
                    {
                        return false;
                    }
                    !self
                        .fns_named
                        .get(&word_hash(name))
                        .into_iter()
                        .flatten()
                        .any(|&m| self.fn_of(m).name == name && self.may_name(caller, path, m))
                }
            }
        })
    }

    fn step(&self, n: u32) -> Step {
        let f = self.fn_of(n);
        Step {
            function: label_of(f),
            file: self.items[self.nodes[n as usize].0 as usize].0,
            line: f.line,
        }
    }

    /// How the function holding each `(file, line)` is reached (`None`:
    /// the line is in no function).
    ///
    /// The functions are searched from in parallel (on the current rayon
    /// pool); each search is independent of the others.
    pub fn reach_all(&self, sites: &[(FileId, u32)]) -> Vec<Option<Reach>> {
        use rayon::prelude::*;
        let starts: Vec<Option<u32>> = sites
            .iter()
            .map(|&(file, line)| self.fn_at(file, line))
            .collect();
        let mut unique: Vec<u32> = starts.iter().flatten().copied().collect();
        unique.sort_unstable();
        unique.dedup();
        let found: HashMap<u32, Option<Reach>> = unique
            .par_iter()
            .map_init(HashMap::new, |memo, &start| {
                (start, self.reach(start, memo))
            })
            .collect();
        starts
            .into_iter()
            .map(|start| found.get(&start?).cloned().flatten())
            .collect()
    }

    fn reach(&self, start: u32, memo: &mut HashMap<u32, Vec<u32>>) -> Option<Reach> {
        if !self.has_entry {
            return Some(Reach {
                kind: ReachKind::Unknown,
                routes: Vec::new(),
                path: Vec::new(),
                reason: "no entry point (request handler, main, job) found in the workspace".into(),
            });
        }
        let mut prev: HashMap<u32, u32> = HashMap::new();
        let mut seen: HashSet<u32> = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        let mut request: Vec<u32> = Vec::new();
        let mut background: Vec<u32> = Vec::new();
        let mut tests = false;
        let mut unresolved: Option<u32> = None;
        let mut extractor_top: Option<u32> = None;
        while let Some(n) = queue.pop_front() {
            match self.entries.get(&n) {
                Some(Entry::Request(_)) => {
                    request.push(n);
                    // The nearest handlers are enough to show.
                    if request.len() >= MAX_ROUTES {
                        break;
                    }
                }
                Some(Entry::Main | Entry::Job(_) | Entry::Migration) => background.push(n),
                Some(Entry::Test) => tests = true,
                None => {}
            }
            if seen.len() > MAX_VISITED {
                unresolved.get_or_insert(n);
                break;
            }
            let mut callers = self.callers(n, memo);
            if matches!(self.entries.get(&n), Some(Entry::Test)) {
                // Test code is compiled for tests only: whatever else links
                // to it names something else (`get(db, id)` is no call of a
                // test's `fn db()`).
                callers.retain(|c| matches!(self.entries.get(c), Some(Entry::Test)));
            }
            if callers.is_empty() && !self.entries.contains_key(&n) {
                if self.fn_of(n).extractor {
                    extractor_top.get_or_insert(n);
                } else if self.named_elsewhere(n) {
                    unresolved.get_or_insert(n);
                }
            }
            for c in callers {
                if seen.insert(c) {
                    prev.insert(c, n);
                    queue.push_back(c);
                }
            }
        }
        let path_from = |g: &Graph, mut n: u32| {
            let mut path = vec![g.step(n)];
            while let Some(&p) = prev.get(&n) {
                path.push(g.step(p));
                n = p;
            }
            path
        };
        if let Some(&first) = request.first() {
            let mut routes: Vec<String> = Vec::new();
            for n in &request {
                if let Some(Entry::Request(rs)) = self.entries.get(n) {
                    for r in rs {
                        if !routes.contains(r) {
                            routes.push(r.clone());
                        }
                    }
                }
            }
            let more = routes.len().saturating_sub(MAX_ROUTES);
            routes.truncate(MAX_ROUTES);
            let reason = if more > 0 {
                format!("reached from request handlers ({more} more routes)")
            } else {
                "reached from a request handler".to_string()
            };
            return Some(Reach {
                kind: ReachKind::Request,
                routes,
                path: path_from(self, first),
                reason,
            });
        }
        if let Some(top) = extractor_top {
            return Some(Reach {
                kind: ReachKind::Request,
                routes: vec![unrouted(&label_of(self.fn_of(top)))],
                path: path_from(self, top),
                reason:
                    "reached from a function that takes request extractors (its route was not seen)"
                        .into(),
            });
        }
        if let Some(top) = unresolved {
            return Some(Reach {
                kind: ReachKind::Unknown,
                routes: Vec::new(),
                path: path_from(self, top),
                reason: format!(
                    "`{}` is called where the call cannot be followed",
                    label_of(self.fn_of(top))
                ),
            });
        }
        if let Some(&first) = background.first() {
            let what = match self.entries.get(&first) {
                Some(Entry::Migration) => "a migration".to_string(),
                Some(Entry::Job(t)) => format!("a `{t}` job"),
                _ => format!("`{}` at start-up", label_of(self.fn_of(first))),
            };
            return Some(Reach {
                kind: ReachKind::Background,
                routes: Vec::new(),
                path: path_from(self, first),
                reason: format!("reached only from background work: {what}"),
            });
        }
        Some(Reach {
            kind: ReachKind::None,
            routes: Vec::new(),
            path: vec![self.step(start)],
            reason: if tests {
                "called only from tests".into()
            } else {
                "no caller in the workspace".into()
            },
        })
    }
}
