//! A generated workspace, for the tests that need more than a fixture: a
//! SeaORM, a Diesel and a sqlx crate per "service", each with its tenant
//! tables and a global one, safe and leaking queries among code that
//! touches no database, and library crates with no database at all. It
//! knows every finding it must give: file, line, rule, and the text the
//! finding points at. The same seed and style give the same bytes.
//!
//! `bench/gen_corpus.py` makes the larger and more varied corpora the
//! benchmarks time; this one keeps `cargo test` free of Python.

use std::fmt::Write as _;
use std::path::Path;

/// How the generated text is laid out, so positions are tested on more
/// than one shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// `\r\n` line ends.
    pub crlf: bool,
    /// Indent with tabs instead of four spaces.
    pub tabs: bool,
    /// A byte-order mark before each Rust file.
    pub bom: bool,
    /// Non-ASCII text on the lines the findings point at, before the
    /// place they point to (columns count characters, not bytes).
    pub non_ascii: bool,
}

/// A finding the workspace must give.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Leak {
    /// File, relative to the workspace root, `/`-separated.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// Rule id.
    pub rule: &'static str,
    /// The text the finding's span covers: the executing method of an ORM
    /// query, the table name in SQL.
    pub token: String,
}

/// The generated files and the findings they must give.
pub struct Corpus {
    /// (path relative to the root, text).
    pub files: Vec<(String, String)>,
    /// Sorted by file and line.
    pub leaks: Vec<Leak>,
}

impl Corpus {
    /// Writes every file under `dir`.
    pub fn write(&self, dir: &Path) {
        for (rel, text) in &self.files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
    }

    /// (file, line, rule) of every leak, as `support::found` gives them.
    pub fn expected(&self) -> Vec<(String, u32, String)> {
        self.leaks
            .iter()
            .map(|l| (l.file.clone(), l.line, l.rule.to_string()))
            .collect()
    }
}

/// A workspace of about `lines` lines of Rust (at least one service).
pub fn generate(seed: u64, lines: usize, style: Style) -> Corpus {
    let mut g = Gen {
        rng: Rng(seed ^ 0x9e37_79b9_7f4a_7c15),
        style,
        files: Vec::new(),
        leaks: Vec::new(),
        lines: 0,
        members: Vec::new(),
    };
    let services = (lines / 4000).clamp(1, 8);
    for s in 0..services {
        g.seaorm_crate(s);
        g.diesel_crate(s);
        g.sqlx_crate(s);
    }
    let libs = (lines / 6000).clamp(1, 6);
    let mut lib_files: Vec<Vec<String>> = vec![Vec::new(); libs];
    let mut k = 0;
    while g.lines < lines {
        let lib = k % libs;
        let stem = format!("{}_{k}", g.pick(WORDS));
        let size = g.rng.range(60, 240);
        let text = g.plain_module(size);
        g.add(format!("crates/lib{lib}/src/{stem}.rs"), text);
        lib_files[lib].push(stem);
        k += 1;
    }
    for (lib, stems) in lib_files.iter().enumerate() {
        let mut root = String::from("//! Shared code with no database.\n\n");
        for s in stems {
            let _ = writeln!(root, "pub mod {s};");
        }
        g.add(format!("crates/lib{lib}/src/lib.rs"), root);
        g.members.push(format!("crates/lib{lib}"));
    }
    let mut ws = String::from("[workspace]\nresolver = \"2\"\nmembers = [\n");
    for m in &g.members {
        let _ = writeln!(ws, "    \"{m}\",");
    }
    ws.push_str("]\n");
    g.files.push(("Cargo.toml".into(), ws));
    for m in g.members.clone() {
        let name = m.rsplit('/').next().expect("name").to_string();
        g.files.push((
            format!("{m}/Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
        ));
    }
    g.leaks.sort();
    Corpus {
        files: g.files,
        leaks: g.leaks,
    }
}

const NOUNS: &[&str] = &[
    "document", "invoice", "project", "comment", "payment", "ticket", "folder", "report",
    "contact", "order", "shipment", "contract", "budget", "device", "campaign", "survey",
];
const GLOBAL: &[&str] = &["country", "currency", "plan", "locale"];
const WORDS: &[&str] = &[
    "account", "amount", "batch", "cursor", "entry", "event", "filter", "group", "index", "limit",
    "metric", "offset", "page", "period", "price", "queue", "range", "rate", "record", "region",
    "score", "segment", "slot", "source", "stage", "step", "target", "token", "total", "window",
];
const VERBS: &[&str] = &[
    "apply",
    "build",
    "compute",
    "collect",
    "convert",
    "derive",
    "expand",
    "format",
    "merge",
    "normalize",
    "parse",
    "prepare",
    "render",
    "resolve",
    "split",
    "validate",
];

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Lines of one file, with a marker for the leak each line may carry.
#[derive(Default)]
struct Text {
    lines: Vec<String>,
    leaks: Vec<(usize, &'static str, String)>,
}

impl Text {
    fn line(&mut self, depth: usize, s: impl AsRef<str>) {
        self.lines
            .push(format!("{}{}", "\u{1}".repeat(depth), s.as_ref()));
    }
    /// A line the analysis must report, pointing at `token`.
    fn leak(&mut self, depth: usize, s: impl AsRef<str>, rule: &'static str, token: &str) {
        self.leaks.push((self.lines.len(), rule, token.to_string()));
        self.line(depth, s);
    }
    fn blank(&mut self) {
        self.lines.push(String::new());
    }
}

struct Gen {
    rng: Rng,
    style: Style,
    files: Vec<(String, String)>,
    leaks: Vec<Leak>,
    lines: usize,
    members: Vec<String>,
}

struct Table {
    module: String,
    name: String,
    tenant: bool,
}

impl Gen {
    fn pick(&mut self, v: &[&'static str]) -> &'static str {
        v[self.rng.range(0, v.len())]
    }

    /// Lays the text out in the style, records its leaks, adds the file.
    fn add_text(&mut self, rel: String, t: Text) {
        let indent = if self.style.tabs { "\t" } else { "    " };
        let eol = if self.style.crlf { "\r\n" } else { "\n" };
        let mut out = String::new();
        if self.style.bom && rel.ends_with(".rs") {
            out.push('\u{feff}');
        }
        for l in &t.lines {
            out.push_str(&l.replace('\u{1}', indent));
            out.push_str(eol);
        }
        for (i, rule, token) in t.leaks {
            self.leaks.push(Leak {
                file: rel.clone(),
                line: i as u32 + 1,
                rule,
                token,
            });
        }
        self.lines += t.lines.len();
        self.files.push((rel, out));
    }

    fn add(&mut self, rel: String, text: String) {
        let mut t = Text::default();
        for l in text.lines() {
            t.lines.push(l.replace("    ", "\u{1}"));
        }
        self.add_text(rel, t);
    }

    /// Text placed before what a finding points at, on its line.
    fn before(&mut self) -> &'static str {
        if self.style.non_ascii {
            self.pick(&["/* é */ ", "/* 日本語 ✓ */ ", "/* naïve — café */ "])
        } else {
            ""
        }
    }

    fn tables(&mut self, service: usize) -> Vec<Table> {
        let mut nouns: Vec<&str> = NOUNS.to_vec();
        let n = self.rng.range(3, 6);
        let mut out = Vec::new();
        for _ in 0..n {
            let noun = nouns.remove(self.rng.range(0, nouns.len()));
            out.push(Table {
                name: format!("{noun}s_{service}"),
                module: format!("{noun}_{service}"),
                tenant: true,
            });
        }
        let g = self.pick(GLOBAL);
        out.push(Table {
            name: format!("{g}s_{service}"),
            module: format!("{g}_{service}"),
            tenant: false,
        });
        out
    }

    fn seaorm_crate(&mut self, service: usize) {
        let root = format!("crates/svc{service}-api");
        let tables = self.tables(service);
        for t in &tables {
            let mut e = Text::default();
            e.line(0, "use sea_orm::entity::prelude::*;");
            e.blank();
            e.line(0, "#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]");
            e.line(0, format!("#[sea_orm(table_name = \"{}\")]", t.name));
            e.line(0, "pub struct Model {");
            e.line(1, "#[sea_orm(primary_key, auto_increment = false)]");
            e.line(1, "pub id: Uuid,");
            if t.tenant {
                e.line(1, "pub org_id: Uuid,");
            }
            e.line(1, "pub status: String,");
            e.line(1, "pub created_at: DateTimeWithTimeZone,");
            e.line(0, "}");
            e.blank();
            e.line(0, "#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]");
            e.line(0, "pub enum Relation {}");
            e.blank();
            e.line(0, "impl ActiveModelBehavior for ActiveModel {}");
            self.add_text(format!("{root}/src/entities/{}.rs", t.module), e);
        }
        let mods: String = tables
            .iter()
            .map(|t| format!("pub mod {};\n", t.module))
            .collect();
        self.add(format!("{root}/src/entities/mod.rs"), mods);
        let mut handlers = Vec::new();
        for h in 0..self.rng.range(2, 5) {
            let stem = format!("{}_{h}", self.pick(WORDS));
            let mut t = Text::default();
            t.line(0, "use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};");
            t.line(0, "use uuid::Uuid;");
            t.blank();
            let used: Vec<String> = tables.iter().map(|t| t.module.clone()).collect();
            t.line(0, format!("use crate::entities::{{{}}};", used.join(", ")));
            for i in 0..self.rng.range(3, 8) {
                t.blank();
                if self.rng.chance(55) {
                    let k = self.rng.range(0, tables.len());
                    self.seaorm_query(&mut t, &tables[k], i);
                } else {
                    self.plain_item(&mut t);
                }
            }
            self.add_text(format!("{root}/src/handlers/{stem}.rs"), t);
            handlers.push(stem);
        }
        let mods: String = handlers.iter().map(|h| format!("pub mod {h};\n")).collect();
        self.add(format!("{root}/src/handlers/mod.rs"), mods);
        self.add(
            format!("{root}/src/lib.rs"),
            "pub mod entities;\npub mod handlers;\n".into(),
        );
        self.members.push(root);
    }

    fn seaorm_query(&mut self, t: &mut Text, table: &Table, i: usize) {
        let m = &table.module;
        let leak = table.tenant && self.rng.chance(35);
        let rule = "unscoped-query";
        let pre = self.before();
        match self.rng.range(0, 4) {
            0 => {
                t.line(0, format!("pub async fn list_{m}_{i}(db: &DatabaseConnection, org_id: Uuid) -> Result<Vec<{m}::Model>, DbErr> {{"));
                t.line(1, format!("{m}::Entity::find()"));
                if table.tenant && !leak {
                    t.line(2, format!(".filter({m}::Column::OrgId.eq(org_id))"));
                }
                t.line(2, format!(".order_by_desc({m}::Column::CreatedAt)"));
                let s = format!("{pre}.all(db)");
                if leak {
                    t.leak(2, s, rule, "all");
                } else {
                    t.line(2, s);
                }
                t.line(2, ".await");
                t.line(0, "}");
            }
            1 => {
                t.line(0, format!("pub async fn get_{m}_{i}(db: &DatabaseConnection, org_id: Uuid, id: Uuid) -> Result<Option<{m}::Model>, DbErr> {{"));
                t.line(1, format!("{m}::Entity::find_by_id(id)"));
                if table.tenant && !leak {
                    t.line(2, format!(".filter({m}::Column::OrgId.eq(org_id))"));
                }
                let s = format!("{pre}.one(db)");
                if leak {
                    t.leak(2, s, rule, "one");
                } else {
                    t.line(2, s);
                }
                t.line(2, ".await");
                t.line(0, "}");
            }
            2 => {
                // An OR with a disjunct that lacks the tenant is no scope.
                t.line(0, format!("pub async fn visible_{m}_{i}(db: &DatabaseConnection, org_id: Uuid) -> Result<Vec<{m}::Model>, DbErr> {{"));
                t.line(
                    1,
                    format!(
                        "let cond = Condition::{}()",
                        if leak { "any" } else { "all" }
                    ),
                );
                if table.tenant {
                    t.line(2, format!(".add({m}::Column::OrgId.eq(org_id))"));
                }
                t.line(2, format!(".add({m}::Column::Status.eq(\"public\"));"));
                let s = format!("{m}::Entity::find().filter(cond).{pre}all(db).await");
                if leak {
                    t.leak(1, s, rule, "all");
                } else {
                    t.line(1, s);
                }
                t.line(0, "}");
            }
            _ => {
                t.line(0, format!("pub async fn purge_{m}_{i}(db: &DatabaseConnection, org_id: Uuid) -> Result<u64, DbErr> {{"));
                t.line(1, format!("let res = {m}::Entity::delete_many()"));
                if table.tenant && !leak {
                    t.line(2, format!(".filter({m}::Column::OrgId.eq(org_id))"));
                }
                t.line(2, format!(".filter({m}::Column::Status.eq(\"archived\"))"));
                let s = format!("{pre}.exec(db)");
                if leak {
                    t.leak(2, s, rule, "exec");
                } else {
                    t.line(2, s);
                }
                t.line(2, ".await?;");
                t.line(1, "Ok(res.rows_affected)");
                t.line(0, "}");
            }
        }
    }

    fn diesel_crate(&mut self, service: usize) {
        let root = format!("crates/svc{service}-worker");
        let tables = self.tables(service + 100);
        let mut s = Text::default();
        s.line(0, "// @generated automatically by Diesel CLI.");
        for t in &tables {
            s.blank();
            s.line(0, "diesel::table! {");
            s.line(1, format!("{} (id) {{", t.name));
            s.line(2, "id -> Uuid,");
            if t.tenant {
                s.line(2, "tenant_id -> Uuid,");
            }
            s.line(2, "status -> Varchar,");
            s.line(2, "created_at -> Timestamptz,");
            s.line(1, "}");
            s.line(0, "}");
        }
        self.add_text(format!("{root}/src/schema.rs"), s);
        let mut repos = Vec::new();
        for h in 0..self.rng.range(2, 5) {
            let stem = format!("{}_{h}", self.pick(WORDS));
            let mut t = Text::default();
            t.line(0, "use diesel::prelude::*;");
            t.line(0, "use uuid::Uuid;");
            t.blank();
            let used: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
            t.line(0, format!("use crate::schema::{{{}}};", used.join(", ")));
            for i in 0..self.rng.range(3, 8) {
                t.blank();
                if self.rng.chance(55) {
                    let k = self.rng.range(0, tables.len());
                    self.diesel_query(&mut t, &tables[k], i);
                } else {
                    self.plain_item(&mut t);
                }
            }
            self.add_text(format!("{root}/src/repo/{stem}.rs"), t);
            repos.push(stem);
        }
        let mods: String = repos.iter().map(|h| format!("pub mod {h};\n")).collect();
        self.add(format!("{root}/src/repo/mod.rs"), mods);
        self.add(
            format!("{root}/src/lib.rs"),
            "pub mod repo;\npub mod schema;\n".into(),
        );
        self.members.push(root);
    }

    fn diesel_query(&mut self, t: &mut Text, table: &Table, i: usize) {
        let n = &table.name;
        let leak = table.tenant && self.rng.chance(35);
        let rule = "unscoped-query";
        let pre = self.before();
        let scope = if table.tenant && !leak {
            format!(".filter({n}::tenant_id.eq(tenant))")
        } else {
            String::new()
        };
        if self.rng.chance(50) {
            t.line(0, format!("pub fn list_{n}_{i}(conn: &mut PgConnection, tenant: Uuid, limit: i64) -> QueryResult<Vec<(Uuid, String)>> {{"));
            t.line(1, format!("{n}::table"));
            if !scope.is_empty() {
                t.line(2, &scope);
            }
            t.line(2, format!(".select(({n}::id, {n}::status))"));
            t.line(2, ".limit(limit)");
            let s = format!("{pre}.load(conn)");
            if leak {
                t.leak(2, s, rule, "load");
            } else {
                t.line(2, s);
            }
            t.line(0, "}");
        } else {
            t.line(0, format!("pub fn delete_{n}_{i}(conn: &mut PgConnection, tenant: Uuid, key: Uuid) -> QueryResult<usize> {{"));
            let s = format!(
                "diesel::delete({n}::table{scope}.filter({n}::id.eq(key))).{pre}execute(conn)"
            );
            if leak {
                t.leak(1, s, rule, "execute");
            } else {
                t.line(1, s);
            }
            t.line(0, "}");
        }
    }

    fn sqlx_crate(&mut self, service: usize) {
        let root = format!("crates/svc{service}-jobs");
        let tables = self.tables(service + 200);
        let mut sql = String::new();
        for t in &tables {
            let tenant = if t.tenant {
                "    org_id UUID NOT NULL,\n"
            } else {
                ""
            };
            let _ = write!(
                sql,
                "CREATE TABLE {} (\n    id UUID PRIMARY KEY,\n{tenant}    status TEXT NOT NULL,\n    created_at TIMESTAMPTZ NOT NULL\n);\n",
                t.name
            );
            if t.tenant {
                let _ = writeln!(
                    sql,
                    "CREATE INDEX {0}_org_idx ON {0} (org_id, created_at);",
                    t.name
                );
            }
            sql.push('\n');
        }
        self.files
            .push((format!("{root}/migrations/0001_init.sql"), sql));
        let mut jobs = Vec::new();
        for h in 0..self.rng.range(2, 5) {
            let stem = format!("{}_{h}", self.pick(WORDS));
            let mut t = Text::default();
            t.line(0, "use sqlx::PgPool;");
            t.line(0, "use uuid::Uuid;");
            for i in 0..self.rng.range(3, 8) {
                t.blank();
                if self.rng.chance(55) {
                    let k = self.rng.range(0, tables.len());
                    self.sqlx_query(&mut t, &tables[k], i);
                } else {
                    self.plain_item(&mut t);
                }
            }
            self.add_text(format!("{root}/src/{stem}.rs"), t);
            jobs.push(stem);
        }
        let mods: String = jobs.iter().map(|h| format!("pub mod {h};\n")).collect();
        self.add(format!("{root}/src/lib.rs"), mods);
        self.members.push(root);
    }

    fn sqlx_query(&mut self, t: &mut Text, table: &Table, i: usize) {
        let n = &table.name;
        let leak = table.tenant && self.rng.chance(35);
        let rule = "unscoped-sql";
        // Inside the SQL: a comment, which sqlparser skips.
        let pre = if self.style.non_ascii {
            self.pick(&["/* é */ ", "/* 日本語 ✓ */ "])
        } else {
            ""
        };
        let filter = if table.tenant && !leak {
            "org_id = $1 AND "
        } else {
            ""
        };
        if self.rng.chance(50) {
            t.line(0, format!("pub async fn list_{n}_{i}(pool: &PgPool, org_id: Uuid, status: &str) -> Result<Vec<(Uuid,)>, sqlx::Error> {{"));
            let s =
                format!("sqlx::query_as(\"SELECT id {pre}FROM {n} WHERE {filter}status = $2\")");
            if leak {
                t.leak(1, s, rule, n);
            } else {
                t.line(1, s);
            }
            t.line(2, ".bind(org_id)");
            t.line(2, ".bind(status)");
            t.line(2, ".fetch_all(pool)");
            t.line(2, ".await");
            t.line(0, "}");
        } else {
            t.line(0, format!("pub async fn close_{n}_{i}(pool: &PgPool, org_id: Uuid, key: Uuid) -> Result<u64, sqlx::Error> {{"));
            let s = format!("let res = sqlx::query(\"UPDATE {pre}{n} SET status = 'closed' WHERE {filter}id = $2\")");
            if leak {
                t.leak(1, s, rule, n);
            } else {
                t.line(1, s);
            }
            t.line(2, ".bind(org_id)");
            t.line(2, ".bind(key)");
            t.line(2, ".execute(pool)");
            t.line(2, ".await?;");
            t.line(1, "Ok(res.rows_affected())");
            t.line(0, "}");
        }
    }

    /// A module of code that touches no database.
    fn plain_module(&mut self, lines: usize) -> String {
        let mut t = Text::default();
        t.line(0, "//! Domain logic.");
        t.blank();
        t.line(0, "use std::collections::HashMap;");
        while t.lines.len() < lines {
            t.blank();
            self.plain_item(&mut t);
        }
        let indent = "    ";
        t.lines
            .iter()
            .map(|l| format!("{}\n", l.replace('\u{1}', indent)))
            .collect()
    }

    /// One item that touches no database (some with words a query has:
    /// `find`, `filter`, `load`, `execute`).
    fn plain_item(&mut self, t: &mut Text) {
        let name = format!("{}_{}", self.pick(VERBS), self.pick(WORDS));
        let ty = {
            let w = self.pick(WORDS);
            let mut c = w.chars();
            let first = c.next().expect("word").to_ascii_uppercase();
            format!("{first}{}{}", c.as_str(), self.rng.range(0, 1000))
        };
        match self.rng.range(0, 4) {
            0 => {
                t.line(0, "#[derive(Debug, Clone, Default)]");
                t.line(0, format!("pub struct {ty} {{"));
                t.line(1, "pub key: String,");
                t.line(1, "pub amount: i64,");
                t.line(1, "pub active: bool,");
                t.line(0, "}");
                t.blank();
                t.line(0, format!("impl {ty} {{"));
                t.line(1, "pub fn load(&mut self, text: &str) -> Option<()> {");
                t.line(2, "let (k, v) = text.split_once('=')?;");
                t.line(2, "self.key = k.trim().to_string();");
                t.line(2, "self.amount = v.trim().parse().ok()?;");
                t.line(2, "Some(())");
                t.line(1, "}");
                t.line(0, "}");
            }
            1 => {
                t.line(
                    0,
                    "/// Groups amounts by key and keeps the totals above `min`.",
                );
                t.line(
                    0,
                    format!(
                        "pub fn {name}(items: &[(String, i64)], min: i64) -> Vec<(String, i64)> {{"
                    ),
                );
                t.line(1, "let mut groups: HashMap<&str, i64> = HashMap::new();");
                t.line(1, "for (k, v) in items.iter().filter(|(_, v)| *v > 0) {");
                t.line(2, "*groups.entry(k.as_str()).or_default() += v;");
                t.line(1, "}");
                t.line(1, "let mut out: Vec<(String, i64)> = groups");
                t.line(2, ".into_iter()");
                t.line(2, ".filter(|(_, total)| *total >= min)");
                t.line(2, ".map(|(k, total)| (k.to_string(), total))");
                t.line(2, ".collect();");
                t.line(
                    1,
                    "out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));",
                );
                t.line(1, "out");
                t.line(0, "}");
            }
            2 => {
                t.line(
                    0,
                    format!("pub fn {name}(entries: &[String], needle: &str) -> Option<usize> {{"),
                );
                t.line(1, "let needle = needle.trim().to_lowercase();");
                t.line(1, "entries");
                t.line(2, ".iter()");
                t.line(2, ".position(|e| e.to_lowercase().contains(&needle))");
                t.line(
                    2,
                    ".or_else(|| entries.iter().find(|e| e.is_empty()).map(|_| 0))",
                );
                t.line(0, "}");
            }
            _ => {
                t.line(0, "#[derive(Debug, Clone, Copy, PartialEq, Eq)]");
                t.line(0, format!("pub enum {ty} {{"));
                t.line(1, "Draft,");
                t.line(1, "Active,");
                t.line(1, "Closed,");
                t.line(0, "}");
                t.blank();
                t.line(0, format!("impl {ty} {{"));
                t.line(
                    1,
                    "pub fn execute(self, step: &str) -> Result<Self, String> {",
                );
                t.line(2, "match (self, step) {");
                t.line(3, "(Self::Draft, \"submit\") => Ok(Self::Active),");
                t.line(3, "(Self::Active, \"close\") => Ok(Self::Closed),");
                t.line(3, "(s, e) => Err(format!(\"cannot {e} in state {s:?}\")),");
                t.line(2, "}");
                t.line(1, "}");
                t.line(0, "}");
            }
        }
    }
}
