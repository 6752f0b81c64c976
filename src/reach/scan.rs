//! One file's functions as tokens show them, for reach: where each is,
//! what it is (its attributes, the `impl` it sits in, its parameters),
//! what it calls, and the handlers it registers on routes. Read from
//! [`crate::rustlex`] tokens, not a syntax tree: every file of the
//! workspace is read, and most never need parsing.

use super::knowledge::{Knowledge, METHODS};
use crate::rustlex::{Kind, Tok};
use serde::{Deserialize, Serialize};

/// A file's functions, modules and route registrations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileItems {
    /// The file's module (index 0) and the inline modules in it.
    pub scopes: Vec<ModScope>,
    /// Its functions, in text order (functions nested in a body are part
    /// of the body's function).
    pub fns: Vec<FnItem>,
    /// Handlers registered on routes in its bodies.
    pub routes: Vec<RouteReg>,
    /// The paths its calls name, each once ([`Call::path`] indexes it).
    pub paths: Vec<String>,
    /// Modules declared here in their own file under `#[cfg(test)]`
    /// (`#[cfg(test)] mod contract_tests;`): their path below the file's
    /// module.
    pub test_mods: Vec<Vec<String>>,
    /// The [`crate::rustlex::word_hash`] of each path's name
    /// ([`FileItems::name`]), filled by [`FileItems::hash_names`] where
    /// the files are read in parallel: the call graph looks up every call
    /// by it, and reading 151k names scattered over the heap cost most of
    /// building the graph on openobserve. Not stored in the cache.
    #[serde(skip)]
    pub name_hashes: Vec<u32>,
}

impl FileItems {
    /// The path call `c` names, as written (`db::alerts::get`; a method's
    /// name alone).
    pub fn path(&self, c: &Call) -> &str {
        self.paths.get(c.path as usize).map_or("", String::as_str)
    }

    /// Fills [`FileItems::name_hashes`].
    pub fn hash_names(&mut self) {
        self.name_hashes = self
            .paths
            .iter()
            .map(|p| crate::rustlex::word_hash(last_segment(p)))
            .collect();
    }

    /// The [`crate::rustlex::word_hash`] of [`FileItems::name`].
    pub fn name_hash(&self, c: &Call) -> u32 {
        match self.name_hashes.get(c.path as usize) {
            Some(&h) => h,
            None => crate::rustlex::word_hash(self.name(c)),
        }
    }

    /// The name of the function call `c` calls (its path's last segment).
    pub fn name(&self, c: &Call) -> &str {
        last_segment(self.path(c))
    }
}

/// A path's last segment: after its last `:` (a path has no lone one), a
/// byte search, where `rsplit("::")` built a substring searcher per call
/// (1% of a cold run's instructions).
fn last_segment(p: &str) -> &str {
    p.rsplit(':').next().unwrap_or(p)
}

/// A module of the file: the file's own (empty `path`) or an inline
/// `mod name { .. }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModScope {
    /// Names of the inline modules from the file's module down.
    pub path: Vec<String>,
    /// The enclosing scope.
    pub parent: Option<u32>,
    /// Its `use` items.
    pub uses: Vec<UseItem>,
    /// Test code: `#[cfg(test)] mod ..`, or inside one.
    pub test: bool,
}

/// One name a `use` item brings in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseItem {
    /// The path as written (`crate`, `self`, `super` kept).
    pub path: Vec<String>,
    /// The local name when renamed (`as x`).
    pub alias: Option<String>,
    /// `path::*`.
    pub glob: bool,
}

/// A function with a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnItem {
    pub name: String,
    /// Its module (index into [`FileItems::scopes`]).
    pub scope: u32,
    /// The `impl` or `trait` it is in.
    pub owner: Option<Owner>,
    /// The line of `fn` and the line its body ends on.
    pub line: u32,
    pub end: u32,
    /// Its attributes.
    pub attrs: Vec<Attr>,
    /// Whether its parameters take a request extractor (`Path<..>`,
    /// `web::Json<..>`, `HttpRequest`: the frameworks' `extractors`).
    pub extractor: bool,
    /// What its body calls or hands on as a function value.
    pub calls: Vec<Call>,
}

/// The `impl` (or `trait`) block a function is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The type's path as written (`Store`, `models::Store`; a trait's
    /// own name for its default methods).
    pub ty: Vec<String>,
    /// The trait implemented (its last segment).
    pub trait_name: Option<String>,
    /// The block's attributes.
    pub attrs: Vec<Attr>,
}

/// An attribute: its path as written (`tokio::main`) and the text of its
/// arguments (tokens joined with single spaces, at most 400 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attr {
    pub path: String,
    pub args: String,
}

impl Attr {
    /// `#[cfg(test)]`, or a `cfg` that holds only in test builds
    /// (`all(test, feature = "pg")`), as the query analysis reads it: code
    /// it skips as test code is test code here too.
    pub fn is_cfg_test(&self) -> bool {
        self.path == "cfg"
            && (self.args == "test" || crate::rustlex::cfg_args_require_test(&self.args))
    }
}

/// How a body names a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum How {
    /// `f(..)`, `m::f(..)`, `Type::f(..)`.
    Path,
    /// `self.f(..)`.
    SelfMethod,
    /// `x.f(..)`.
    Method,
    /// A path given as an argument (`.map(to_dto)`, `spawn(job::run)`):
    /// the function may be called by what it is given to.
    Value,
}

/// One call (or function value) in a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// The path as written (index into [`FileItems::paths`]).
    pub path: u32,
    pub how: How,
    pub line: u32,
}

/// A handler registered on a route (`.route("/p", get(h))`,
/// `web::resource("/p").route(web::get().to(h))`, `routes![h]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteReg {
    /// The HTTP method, upper case (`*`: any; `None`: the handler's own
    /// attribute says).
    pub method: Option<String>,
    /// The path of the route call it sits in, when one was seen.
    pub path: Option<String>,
    /// The handler's path as written.
    pub handler: Vec<String>,
    /// Where it is registered.
    pub line: u32,
    /// The function registering it.
    pub in_fn: Option<u32>,
}

/// Most text kept of an attribute's arguments.
const MAX_TEXT: usize = 400;

/// Reads `toks` (all of `text`'s tokens) into a [`FileItems`].
pub fn scan(text: &str, toks: &[Tok]) -> FileItems {
    let mut close = vec![usize::MAX; toks.len()];
    let mut open = vec![usize::MAX; toks.len()];
    let mut stack = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Open(_) => stack.push(i),
            Kind::Close(_) => {
                if let Some(o) = stack.pop() {
                    close[o] = i;
                    open[i] = o;
                }
            }
            _ => {}
        }
    }
    let mut lines = vec![0usize];
    lines.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    let mut s = Scanner {
        text,
        toks,
        close,
        open,
        lines,
        k: Knowledge::get(),
        interned: foldhash::HashMap::default(),
        out: FileItems {
            scopes: vec![ModScope::default()],
            ..FileItems::default()
        },
    };
    s.items(0, toks.len(), 0, None);
    s.out
}

/// An open bracket in a body and the call it holds the arguments of.
struct Group {
    open: usize,
    /// The call's last segment (`name!` for a macro).
    call: Option<String>,
    /// The call can register a handler: a method router called as a
    /// function, or chained on one.
    router: bool,
}

struct Scanner<'a> {
    text: &'a str,
    toks: &'a [Tok],
    /// Per opening bracket, its closing one; per closing, its opening.
    close: Vec<usize>,
    open: Vec<usize>,
    lines: Vec<usize>,
    k: &'static Knowledge,
    out: FileItems,
    interned: foldhash::HashMap<String, u32>,
}

impl<'a> Scanner<'a> {
    fn word(&self, i: usize) -> &'a str {
        &self.text[self.toks[i].range()]
    }

    fn is_ident(&self, i: usize) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Ident
    }

    fn is_punct(&self, i: usize, c: u8) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Punct(c)
    }

    fn is_open(&self, i: usize, c: u8) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Open(c)
    }

    /// `::` at `i`.
    fn path_sep(&self, i: usize) -> bool {
        self.is_punct(i, b':') && self.is_punct(i + 1, b':')
    }

    /// The index of `path` in the file's paths, added when new.
    fn intern(&mut self, path: &str) -> u32 {
        if let Some(&at) = self.interned.get(path) {
            return at;
        }
        let at = self.out.paths.len() as u32;
        self.out.paths.push(path.to_string());
        self.interned.insert(path.to_string(), at);
        at
    }

    /// The `(`/`[`/`{` a closing bracket at `c` closes.
    fn open_of(&self, c: usize) -> Option<usize> {
        self.open.get(c).copied().filter(|&o| o != usize::MAX)
    }

    fn line(&self, i: usize) -> u32 {
        let at = self
            .toks
            .get(i)
            .map_or(self.text.len(), |t| t.start as usize);
        (self.lines.partition_point(|&s| s <= at)) as u32
    }

    /// The tokens `lo..hi` as text, joined by `sep`, cut at [`MAX_TEXT`].
    fn joined(&self, lo: usize, hi: usize, sep: &str) -> String {
        let mut s = String::new();
        for i in lo..hi.min(self.toks.len()) {
            if !s.is_empty() {
                s.push_str(sep);
            }
            s.push_str(self.word(i));
            if s.len() > MAX_TEXT {
                let mut cut = MAX_TEXT;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
                break;
            }
        }
        s
    }

    /// The end of a `<..>` group starting at `i` (the index after `>`).
    fn skip_angles(&self, mut i: usize, hi: usize) -> usize {
        let mut depth = 0i32;
        while i < hi {
            match self.toks[i].kind {
                Kind::Punct(b'<') => depth += 1,
                // `->` inside `Fn() -> T` is no closing bracket.
                Kind::Punct(b'>') if !self.is_punct(i.wrapping_sub(1), b'-') => {
                    depth -= 1;
                    if depth <= 0 {
                        return i + 1;
                    }
                }
                Kind::Open(_) => i = self.close[i],
                Kind::Punct(b';') | Kind::Close(_) => return i,
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// A path starting at `i` (`a::b::<T>::c`): its segments and the index
    /// after it.
    fn path_at(&self, i: usize, hi: usize) -> (Vec<String>, usize) {
        let mut segs = Vec::new();
        let after = self.path_walk(i, hi, |w| segs.push(w.to_string()));
        (segs, after)
    }

    /// Walks a path starting at `i`, handing each segment to `seg`; the
    /// index after it.
    fn path_walk(&self, mut i: usize, hi: usize, mut seg: impl FnMut(&'a str)) -> usize {
        while i < hi && self.is_ident(i) {
            seg(self.word(i));
            i += 1;
            if !self.path_sep(i) {
                break;
            }
            i += 2;
            if self.is_punct(i, b'<') {
                i = self.skip_angles(i, hi);
                if !self.path_sep(i) {
                    break;
                }
                i += 2;
            }
        }
        i
    }

    /// The items in `lo..hi`, in module scope `scope`, inside `owner`.
    fn items(&mut self, lo: usize, hi: usize, scope: u32, owner: Option<&Owner>) {
        let mut attrs: Vec<Attr> = Vec::new();
        let mut i = lo;
        while i < hi {
            match self.toks[i].kind {
                Kind::Punct(b'#') => {
                    let inner = self.is_punct(i + 1, b'!');
                    let open = if inner { i + 2 } else { i + 1 };
                    if self.is_open(open, b'[') {
                        let end = self.close[open].min(hi);
                        if !inner {
                            attrs.push(self.attr(open + 1, end));
                        }
                        i = end + 1;
                    } else {
                        i += 1;
                    }
                }
                Kind::Ident => match self.word(i) {
                    "use" if owner.is_none() => {
                        i = self.use_item(i + 1, hi, scope);
                        attrs.clear();
                    }
                    "mod" if self.is_ident(i + 1) && self.is_open(i + 2, b'{') => {
                        let end = self.close[i + 2].min(hi);
                        let mut path = self.out.scopes[scope as usize].path.clone();
                        path.push(self.word(i + 1).to_string());
                        let test = self.out.scopes[scope as usize].test
                            || attrs.iter().any(Attr::is_cfg_test);
                        self.out.scopes.push(ModScope {
                            path,
                            parent: Some(scope),
                            uses: Vec::new(),
                            test,
                        });
                        let inner = (self.out.scopes.len() - 1) as u32;
                        self.items(i + 3, end, inner, None);
                        i = end + 1;
                        attrs.clear();
                    }
                    "mod" if self.is_ident(i + 1) && self.is_punct(i + 2, b';') => {
                        if self.out.scopes[scope as usize].test
                            || attrs.iter().any(Attr::is_cfg_test)
                        {
                            let mut path = self.out.scopes[scope as usize].path.clone();
                            path.push(self.word(i + 1).to_string());
                            self.out.test_mods.push(path);
                        }
                        i += 3;
                        attrs.clear();
                    }
                    "impl" | "trait" => {
                        let Some((o, body)) = self.owner_of(i, hi, std::mem::take(&mut attrs))
                        else {
                            i += 1;
                            continue;
                        };
                        let end = self.close[body].min(hi);
                        self.items(body + 1, end, scope, Some(&o));
                        i = end + 1;
                    }
                    "fn" if self.is_ident(i + 1) => {
                        i = self.function(i, hi, scope, owner, std::mem::take(&mut attrs));
                    }
                    "macro_rules" => {
                        let mut j = i + 1;
                        while j < hi && !matches!(self.toks[j].kind, Kind::Open(_)) {
                            j += 1;
                        }
                        i = if j < hi { self.close[j] + 1 } else { hi };
                        attrs.clear();
                    }
                    _ => i += 1,
                },
                Kind::Open(b'{') => {
                    i = self.close[i].saturating_add(1);
                    attrs.clear();
                }
                Kind::Open(_) => i = self.close[i].saturating_add(1),
                Kind::Punct(b';') => {
                    attrs.clear();
                    i += 1;
                }
                _ => i += 1,
            }
        }
    }

    /// `path(args)` or `path = ..` inside `#[..]` (`lo..hi`).
    fn attr(&self, lo: usize, hi: usize) -> Attr {
        let (segs, after) = self.path_at(lo, hi);
        let args = if self.is_open(after, b'(') && after < hi {
            self.joined(after + 1, self.close[after], " ")
        } else {
            String::new()
        };
        Attr {
            path: segs.join("::"),
            args,
        }
    }

    /// A `use` tree starting at `i`; the index after its `;`.
    fn use_item(&mut self, i: usize, hi: usize, scope: u32) -> usize {
        let mut end = i;
        while end < hi && !self.is_punct(end, b';') {
            if let Kind::Open(_) = self.toks[end].kind {
                end = self.close[end];
            }
            end += 1;
        }
        let mut out = Vec::new();
        self.use_tree(i, end.min(hi), Vec::new(), &mut out);
        self.out.scopes[scope as usize].uses.extend(out);
        end + 1
    }

    fn use_tree(&self, mut i: usize, hi: usize, mut prefix: Vec<String>, out: &mut Vec<UseItem>) {
        if self.path_sep(i) {
            i += 2;
        }
        while i < hi {
            match self.toks[i].kind {
                Kind::Ident => {
                    let w = self.word(i).to_string();
                    if self.path_sep(i + 1) {
                        prefix.push(w);
                        i += 3;
                        continue;
                    }
                    let alias =
                        (self.is_ident(i + 1) && self.word(i + 1) == "as" && self.is_ident(i + 2))
                            .then(|| self.word(i + 2).to_string());
                    if w == "self" {
                        out.push(UseItem {
                            path: prefix,
                            alias,
                            glob: false,
                        });
                    } else {
                        prefix.push(w);
                        out.push(UseItem {
                            path: prefix,
                            alias,
                            glob: false,
                        });
                    }
                    return;
                }
                Kind::Punct(b'*') => {
                    out.push(UseItem {
                        path: prefix,
                        alias: None,
                        glob: true,
                    });
                    return;
                }
                Kind::Open(b'{') => {
                    let end = self.close[i].min(hi);
                    let mut start = i + 1;
                    let mut j = start;
                    while j <= end {
                        if j == end || self.is_punct(j, b',') {
                            if j > start {
                                self.use_tree(start, j, prefix.clone(), out);
                            }
                            start = j + 1;
                        } else if let Kind::Open(_) = self.toks[j].kind {
                            j = self.close[j];
                        }
                        j += 1;
                    }
                    return;
                }
                _ => return,
            }
        }
    }

    /// The `impl`/`trait` header at `i`: the owner and the index of its
    /// body's `{`.
    fn owner_of(&self, i: usize, hi: usize, attrs: Vec<Attr>) -> Option<(Owner, usize)> {
        let is_trait = self.word(i) == "trait";
        let mut j = i + 1;
        if self.is_punct(j, b'<') {
            j = self.skip_angles(j, hi);
        }
        let start = j;
        let mut body = j;
        let mut for_at = None;
        while body < hi && !self.is_open(body, b'{') {
            if self.is_punct(body, b';') {
                return None;
            }
            if self.is_ident(body) && self.word(body) == "for" && for_at.is_none() {
                for_at = Some(body);
            }
            if self.is_punct(body, b'<') {
                body = self.skip_angles(body, hi);
                continue;
            }
            if let Kind::Open(_) = self.toks[body].kind {
                body = self.close[body];
            }
            body += 1;
        }
        if body >= hi {
            return None;
        }
        let type_path = |from: usize| {
            let mut k = from;
            while k < body
                && (self.is_punct(k, b'&')
                    || self.toks[k].kind == Kind::Other
                    || (self.is_ident(k) && matches!(self.word(k), "dyn" | "mut" | "unsafe")))
            {
                k += 1;
            }
            self.path_at(k, body).0
        };
        let owner = if is_trait {
            let name = type_path(start);
            Owner {
                trait_name: name.last().cloned(),
                ty: name.last().cloned().into_iter().collect(),
                attrs,
            }
        } else {
            match for_at {
                Some(f) => Owner {
                    trait_name: type_path(start).last().cloned(),
                    ty: type_path(f + 1),
                    attrs,
                },
                None => Owner {
                    trait_name: None,
                    ty: type_path(start),
                    attrs,
                },
            }
        };
        Some((owner, body))
    }

    /// A function at `i` (`fn`); the index after it.
    fn function(
        &mut self,
        i: usize,
        hi: usize,
        scope: u32,
        owner: Option<&Owner>,
        attrs: Vec<Attr>,
    ) -> usize {
        let name = self.word(i + 1).to_string();
        let mut j = i + 2;
        if self.is_punct(j, b'<') {
            j = self.skip_angles(j, hi);
        }
        let extractor = self.is_open(j, b'(') && {
            let (from, to) = (
                self.toks[j].end as usize,
                self.toks[self.close[j]].start as usize,
            );
            let params = &self.text[from..to.max(from)];
            j = self.close[j] + 1;
            self.k
                .extractors
                .iter()
                .any(|e| params.contains(e.as_str()))
        };
        while j < hi && !self.is_open(j, b'{') {
            if self.is_punct(j, b';') {
                return j + 1;
            }
            if let Kind::Open(_) = self.toks[j].kind {
                j = self.close[j];
            }
            j += 1;
        }
        if j >= hi {
            return hi;
        }
        let end = self.close[j].min(hi);
        let at = self.out.fns.len() as u32;
        let calls = self.body(j + 1, end, at);
        self.out.fns.push(FnItem {
            name,
            scope,
            owner: owner.cloned(),
            line: self.line(i),
            end: self.line(end),
            attrs,
            extractor,
            calls,
        });
        end + 1
    }

    /// The calls in a body (`lo..hi`), and the routes it registers.
    fn body(&mut self, lo: usize, hi: usize, at: u32) -> Vec<Call> {
        let mut calls: Vec<Call> = Vec::new();
        // Per open group: the call it is the arguments of (its last
        // segment), and whether that call is a macro.
        let mut groups: Vec<Group> = Vec::new();
        // The call each argument group belongs to, by its `(`.
        let mut called: Vec<(usize, String)> = Vec::new();
        let mut route_path: Option<String> = None;
        // Scope prefixes (`web::scope("/api").service(..)`): each with the
        // number of groups open around its chain, which it ends with.
        let mut prefixes: Vec<(usize, String)> = Vec::new();
        // The path being read, its buffer reused from call to call.
        let mut buf = String::new();
        let mut i = lo;
        while i < hi {
            while groups.last().is_some_and(|g| self.close[g.open] < i) {
                groups.pop();
            }
            while prefixes.last().is_some_and(|(d, _)| *d > groups.len()) {
                prefixes.pop();
            }
            if self.is_punct(i, b';') {
                while prefixes.last().is_some_and(|(d, _)| *d >= groups.len()) {
                    prefixes.pop();
                }
            }
            let t = self.toks[i];
            match t.kind {
                Kind::Open(_) => {
                    groups.push(Group {
                        open: i,
                        call: None,
                        router: false,
                    });
                    i += 1;
                }
                Kind::Other => {
                    // A route's path: the first argument of a route call.
                    let w = self.word(i);
                    if w.starts_with('"') && self.is_open(i.wrapping_sub(1), b'(') {
                        if let Some(Group {
                            open,
                            call: Some(call),
                            ..
                        }) = groups.last()
                        {
                            let literal = w.trim_matches('"').to_string();
                            if *open == i - 1 && self.k.route_prefixes.contains(call.as_str()) {
                                prefixes.push((groups.len() - 1, literal));
                                route_path = None;
                            } else if *open == i - 1 && self.k.route_paths.contains(call.as_str()) {
                                route_path = Some(literal);
                            }
                        }
                    }
                    i += 1;
                }
                Kind::Ident if !self.path_sep(i.wrapping_sub(2)) || i < lo + 2 => {
                    let (mut n, mut last) = (0usize, "");
                    let after = self.path_walk(i, hi, |w| {
                        n += 1;
                        last = w;
                    });
                    if n == 1 && crate::rustlex::is_keyword(last) && last != "self" {
                        i = after;
                        continue;
                    }
                    // What the path could be: a call, a macro, a value.
                    let opens = self.is_open(after, b'(');
                    let bang = self.is_punct(after, b'!');
                    let alone_after = self.is_punct(after, b',')
                        || matches!(
                            self.toks.get(after).map(|t| t.kind),
                            Some(Kind::Close(b')'))
                        );
                    let closes_brace = matches!(
                        self.toks.get(after).map(|t| t.kind),
                        Some(Kind::Close(b'}'))
                    );
                    if !opens && !bang && !alone_after && !closes_brace {
                        i = after.max(i + 1);
                        continue;
                    }
                    let mut path = std::mem::take(&mut buf);
                    path.clear();
                    self.path_walk(i, hi, |w| {
                        if !path.is_empty() {
                            path.push_str("::");
                        }
                        path.push_str(w);
                    });
                    let last = last.to_string();
                    let before = i.checked_sub(1).filter(|&b| b >= lo);
                    let dotted = before.is_some_and(|b| self.is_punct(b, b'.'));
                    if self.is_open(after, b'(') {
                        // `.route("/p", get(h))`: a router given to a route
                        // call; `get(h).post(h2)`, `web::resource("/p").to(h)`:
                        // one chained on a router or a route call.
                        let routing = |n: &str| {
                            self.k.method_routers.contains(n)
                                || self.k.route_paths.contains(n)
                                || self.k.route_prefixes.contains(n)
                        };
                        let router = if dotted {
                            before
                                .and_then(|b| b.checked_sub(1))
                                .and_then(|c| {
                                    let o = self.open_of(c)?;
                                    called.iter().rev().find(|(at, _)| *at == o)
                                })
                                .is_some_and(|(_, n)| routing(n))
                        } else {
                            groups.last().is_some_and(|g| {
                                g.call
                                    .as_deref()
                                    .is_some_and(|c| self.k.route_paths.contains(c))
                            })
                        };
                        // A method router registering a handler (`get(h)` in a
                        // route call, `.post(h2)` chained on one) is routing,
                        // not a call of the workspace's `get` or `post`.
                        let registers = router && self.k.method_routers.contains(last.as_str());
                        if !(registers || n == 1 && last.starts_with(char::is_uppercase)) {
                            let how = if !dotted {
                                How::Path
                            } else if before
                                .and_then(|b| b.checked_sub(1))
                                .is_some_and(|r| self.is_ident(r) && self.word(r) == "self")
                            {
                                How::SelfMethod
                            } else {
                                How::Method
                            };
                            let at = self.intern(if dotted { &last } else { &path });
                            calls.push(Call {
                                path: at,
                                how,
                                line: self.line(i),
                            });
                        }
                        called.push((after, last.clone()));
                        groups.push(Group {
                            open: after,
                            call: Some(last),
                            router,
                        });
                        buf = path;
                        i = after + 1;
                        continue;
                    }
                    if self.is_punct(after, b'!') && after + 1 < hi {
                        if let Kind::Open(_) = self.toks[after + 1].kind {
                            let end = self.close[after + 1];
                            if self.k.handler_macros.contains(last.as_str()) {
                                self.macro_handlers(after + 2, end, at);
                            }
                            groups.push(Group {
                                open: after + 1,
                                call: Some(format!("{last}!")),
                                router: false,
                            });
                            i = after + 2;
                            continue;
                        }
                    }
                    // A function stored in a field (`on_message: jobs::process,`).
                    let field = before.is_some_and(|b| {
                        self.is_punct(b, b':')
                            && !self.is_punct(b.wrapping_sub(1), b':')
                            && self.is_ident(b.wrapping_sub(1))
                    }) && (self.is_punct(after, b',')
                        || matches!(
                            self.toks.get(after).map(|t| t.kind),
                            Some(Kind::Close(b'}'))
                        ))
                        && groups.last().is_some_and(|g| self.is_open(g.open, b'{'))
                        && path.contains("::");
                    if field {
                        calls.push(Call {
                            path: self.intern(&path),
                            how: How::Value,
                            line: self.line(i),
                        });
                        buf = path;
                        i = after;
                        continue;
                    }
                    // A path standing alone as an argument: a function value.
                    let alone_before = before.is_some_and(|b| {
                        self.is_punct(b, b',')
                            || groups
                                .last()
                                .is_some_and(|g| g.open == b && g.call.is_some())
                    });
                    let in_call = groups
                        .last()
                        .and_then(|g| Some((g.call.clone()?, g.router, g.open)));
                    if alone_before
                        && alone_after
                        && !dotted
                        && last.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                        && last != "self"
                    {
                        if let Some((call, router, open)) = in_call.filter(|c| !c.0.ends_with('!'))
                        {
                            if let Some(method) = self.router_method(&call, router, open) {
                                self.out.routes.push(RouteReg {
                                    method: Some(method),
                                    path: match (&route_path, prefixes.is_empty()) {
                                        (p, true) => p.clone(),
                                        (p, false) => Some(
                                            prefixes
                                                .iter()
                                                .map(|(_, p)| p.as_str())
                                                .chain(p.as_deref())
                                                .collect(),
                                        ),
                                    },
                                    handler: path.split("::").map(str::to_string).collect(),
                                    line: self.line(i),
                                    in_fn: Some(at),
                                });
                                i = after;
                                continue;
                            }
                            calls.push(Call {
                                path: self.intern(&path),
                                how: How::Value,
                                line: self.line(i),
                            });
                        }
                    }
                    buf = path;
                    i = after.max(i + 1);
                }
                _ => i += 1,
            }
        }
        calls.sort_by_key(|c| (c.path, c.how as u8));
        calls.dedup_by(|a, b| a.path == b.path && a.how == b.how);
        calls
    }

    /// The method a handler given to `call` (whose argument group opens
    /// at `open`) answers, when `call` registers handlers.
    fn router_method(&self, call: &str, router: bool, o: usize) -> Option<String> {
        if router && self.k.method_routers.contains(call) {
            let m = call.strip_suffix("_with").unwrap_or(call);
            let m = m.strip_suffix("_service").unwrap_or(m);
            return Some(if METHODS.contains(&m) {
                m.to_ascii_uppercase()
            } else {
                "*".to_string()
            });
        }
        if self.k.handler_calls.contains(call) {
            // `web::get().to(h)`: `get ( ) . to (`.
            let m = o
                .checked_sub(5)
                .filter(|&m| {
                    self.is_ident(m)
                        && self.is_open(m + 1, b'(')
                        && self.close[m + 1] == m + 2
                        && self.is_punct(m + 3, b'.')
                })
                .map(|m| self.word(m));
            return Some(match m {
                Some(m) if METHODS.contains(&m) => m.to_ascii_uppercase(),
                _ => "*".to_string(),
            });
        }
        None
    }

    /// The handlers a `routes![a, b::c]` lists (`lo..hi`).
    fn macro_handlers(&mut self, lo: usize, hi: usize, at: u32) {
        let mut i = lo;
        while i < hi {
            if self.is_ident(i) {
                let (segs, after) = self.path_at(i, hi);
                if segs
                    .last()
                    .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_lowercase() || c == '_'))
                {
                    self.out.routes.push(RouteReg {
                        method: None,
                        path: None,
                        handler: segs,
                        line: self.line(i),
                        in_fn: Some(at),
                    });
                }
                i = after.max(i + 1);
            } else {
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> FileItems {
        scan(text, &crate::rustlex::tokens(text).unwrap())
    }

    #[test]
    fn functions_owners_and_calls() {
        let f = items(
            "use crate::db::{self, alerts as al, jobs::*};\n\
             mod inner { use super::x; pub fn g() { x::h(); } }\n\
             #[get(\"/orgs/{org}/a\")]\n\
             pub async fn handler(path: web::Path<(String, i64)>) -> impl Responder {\n\
                 let v = db::alerts::get::<Row>(&org, id).await;\n\
                 self.store.find(1);\n\
                 items.iter().map(to_dto).collect::<Vec<_>>();\n\
                 Self::helper();\n\
             }\n\
             impl<T> Store<T> for crate::Pg where T: X { fn find(&self) { self.inner(); } }\n\
             trait Repo { fn all(&self) -> Vec<u8> { vec![] } fn decl(&self); }\n",
        );
        assert_eq!(f.scopes.len(), 2);
        assert_eq!(f.scopes[0].uses.len(), 3);
        assert_eq!(f.scopes[0].uses[1].alias.as_deref(), Some("al"));
        assert!(f.scopes[0].uses[2].glob);
        assert_eq!(f.scopes[1].path, ["inner"]);
        let names: Vec<&str> = f.fns.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["g", "handler", "find", "all"]);
        let h = &f.fns[1];
        assert_eq!(h.attrs[0].path, "get");
        assert!(h.attrs[0].args.starts_with("\"/orgs/{org}/a\""));
        assert!(h.extractor);
        assert!(!f.fns[0].extractor);
        assert_eq!((h.line, h.end), (4, 9));
        let calls: Vec<(String, How)> = h
            .calls
            .iter()
            .map(|c| (f.path(c).to_string(), c.how))
            .collect();
        assert!(calls.contains(&("db::alerts::get".into(), How::Path)));
        assert!(calls.contains(&("find".into(), How::Method)));
        assert!(calls.contains(&("to_dto".into(), How::Value)));
        assert!(calls.contains(&("Self::helper".into(), How::Path)));
        let find = &f.fns[2];
        let o = find.owner.as_ref().unwrap();
        assert_eq!(o.ty, ["crate", "Pg"]);
        assert_eq!(o.trait_name.as_deref(), Some("Store"));
        assert_eq!(find.calls[0].how, How::SelfMethod);
        assert_eq!(
            f.fns[3].owner.as_ref().unwrap().trait_name.as_deref(),
            Some("Repo")
        );
    }

    #[test]
    fn scope_prefixes_join_the_routes_in_their_chain() {
        let f = items(
            "pub fn chat_scope() -> Scope {\n\
                 web::scope(\"/api/chat/{workspace_id}\")\n\
                     .service(web::resource(\"/{chat_id}\").route(web::get().to(get_chat)))\n\
                     .service(web::scope(\"/admin\").route(\"/purge\", web::post().to(purge)))\n\
                     .service(web::resource(\"/list\").route(web::get().to(list_chats)))\n\
             }\n\
             fn other(cfg: &mut ServiceConfig) {\n\
                 cfg.service(web::resource(\"/health\").to(health));\n\
             }\n",
        );
        let regs: Vec<(&str, Option<&str>)> = f
            .routes
            .iter()
            .map(|r| {
                (
                    r.handler.last().map_or("", String::as_str),
                    r.path.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            regs,
            [
                ("get_chat", Some("/api/chat/{workspace_id}/{chat_id}")),
                ("purge", Some("/api/chat/{workspace_id}/admin/purge")),
                ("list_chats", Some("/api/chat/{workspace_id}/list")),
                ("health", Some("/health")),
            ]
        );
    }

    #[test]
    fn name_hashes_are_the_hashes_of_the_names() {
        let mut f =
            items("fn f() { a::b::load(x); r#type(y); <T as Store>::find(z); x.get(); go(); }");
        let fns = f.fns.clone();
        let calls = &fns[0].calls;
        assert!(calls.len() >= 5);
        f.hash_names();
        assert_eq!(f.name_hashes.len(), f.paths.len());
        for c in calls {
            assert_eq!(
                f.name_hash(c),
                crate::rustlex::word_hash(f.name(c)),
                "{}",
                f.path(c)
            );
        }
    }

    #[test]
    fn test_modules_and_stored_functions() {
        let f = items(
            "fn consumers() -> Consumers {\n\
                 Consumers { on_message: jobs::process, retries: 3 }\n\
             }\n\
             #[cfg(test)]\n\
             mod tests { mod inner { fn helper() {} } #[test] fn t() {} }\n\
             mod prod { fn p() {} #[cfg(test)] mod prod_tests; }\n\
             #[cfg(test)]\n\
             mod contract_tests;\n\
             #[cfg(all(test, feature = \"pg\"))]\n\
             mod pg_tests;\n\
             #[cfg(any(test, feature = \"fixtures\"))]\n\
             mod fixtures;\n\
             mod store;\n",
        );
        assert_eq!(
            f.test_mods,
            [
                vec!["prod".to_string(), "prod_tests".to_string()],
                vec!["contract_tests".to_string()],
                vec!["pg_tests".to_string()],
            ]
        );
        let calls: Vec<(&str, How)> = f.fns[0].calls.iter().map(|c| (f.path(c), c.how)).collect();
        assert_eq!(calls, [("jobs::process", How::Value)]);
        let tests: Vec<(&[String], bool)> = f
            .scopes
            .iter()
            .map(|s| (s.path.as_slice(), s.test))
            .collect();
        assert_eq!(tests[1], (&["tests".to_string()][..], true));
        assert_eq!(
            tests[2],
            (&["tests".to_string(), "inner".to_string()][..], true)
        );
        assert_eq!(tests[3], (&["prod".to_string()][..], false));
    }

    #[test]
    fn route_registrations() {
        let f = items(
            "fn router() -> Router {\n\
                 Router::new()\n\
                     .route(\"/orgs/{org}/jobs\", get(jobs::list).post(jobs::create))\n\
                     .route(\"/x\", post_with(x::create, x::docs))\n\
             }\n\
             fn config(cfg: &mut web::ServiceConfig) {\n\
                 cfg.service(web::resource(\"/w/{id}\").route(web::delete().to(w::remove)).route(web::route().to(w::any)));\n\
                 let r = rocket::build().mount(\"/\", routes![a::one, two]);\n\
                 map.get(key);\n\
                 put(&cache, meta, stats);\n\
                 slos::get(db, id);\n\
             }\n",
        );
        let regs: Vec<(Option<&str>, Option<&str>, String)> = f
            .routes
            .iter()
            .map(|r| (r.method.as_deref(), r.path.as_deref(), r.handler.join("::")))
            .collect();
        assert_eq!(
            regs,
            [
                (
                    Some("GET"),
                    Some("/orgs/{org}/jobs"),
                    "jobs::list".to_string()
                ),
                (
                    Some("POST"),
                    Some("/orgs/{org}/jobs"),
                    "jobs::create".to_string()
                ),
                (Some("POST"), Some("/x"), "x::create".to_string()),
                (Some("POST"), Some("/x"), "x::docs".to_string()),
                (Some("DELETE"), Some("/w/{id}"), "w::remove".to_string()),
                (Some("*"), Some("/w/{id}"), "w::any".to_string()),
                (None, None, "a::one".to_string()),
                (None, None, "two".to_string()),
            ]
        );
    }
}
