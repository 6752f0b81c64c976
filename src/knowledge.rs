//! ORM knowledge: which calls start, scope, join and execute a query, read
//! from the data files under `rules/orm/` that ship inside the binary. The
//! query extraction asks this module instead of hard-coding method names,
//! and the prefilter derives its needles from the same data.

use serde::Deserialize;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The ORMs tenant-lint follows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Orm {
    /// SeaORM entities.
    SeaOrm,
    /// Diesel and diesel-async.
    Diesel,
}

impl Orm {
    /// Name shown in messages.
    pub fn display(self) -> &'static str {
        match self {
            Orm::SeaOrm => "SeaORM",
            Orm::Diesel => "Diesel",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PackFile {
    orm: String,
    #[allow(dead_code)]
    display: String,
    starts: Vec<String>,
    pk_starts: Vec<String>,
    related_starts: Vec<String>,
    related_filters: Vec<String>,
    filters: Vec<String>,
    or_filters: Vec<String>,
    joins: Vec<String>,
    related_joins: Vec<String>,
    #[serde(default)]
    wrappers: Vec<String>,
    paginators: Vec<String>,
    paginator_executes: Vec<String>,
    executes: Vec<String>,
    update_starts: Vec<String>,
    delete_starts: Vec<String>,
}

/// Where raw SQL enters a database API (`rules/orm/sql.toml`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SqlSinks {
    /// sqlx macros taking SQL.
    pub macros: HashSet<String>,
    /// sqlx macros taking a SQL file path.
    pub file_macros: HashSet<String>,
    /// Functions taking SQL.
    pub functions: HashSet<String>,
    /// Methods taking SQL.
    pub methods: HashSet<String>,
    /// Query builder types.
    pub builder_types: HashSet<String>,
    /// Builder methods appending SQL text.
    pub builder_push: HashSet<String>,
    /// Builder methods appending a bind placeholder.
    pub builder_bind: HashSet<String>,
    /// Builder methods producing the query.
    pub builder_build: HashSet<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PredicateFile {
    binds: Vec<String>,
    and: Vec<String>,
    or: Vec<String>,
    condition_all: Vec<String>,
    condition_any: Vec<String>,
    condition_add: Vec<String>,
    condition_add_optional: Vec<String>,
    join_on: Vec<String>,
}

/// Method-name sets of one ORM (packs of the same ORM are merged).
#[derive(Debug, Default, Clone)]
pub struct Pack {
    /// `Entity::start()` calls.
    pub starts: HashSet<String>,
    /// Primary-key lookups.
    pub pk_starts: HashSet<String>,
    /// Starts that are bound through a parent row.
    pub related_starts: HashSet<String>,
    /// Filter by the foreign key to a fetched row (bound through it).
    pub related_filters: HashSet<String>,
    /// AND a condition into the query.
    pub filters: HashSet<String>,
    /// OR a condition into the whole WHERE clause.
    pub or_filters: HashSet<String>,
    /// Join another table.
    pub joins: HashSet<String>,
    /// Join through a declared relation.
    pub related_joins: HashSet<String>,
    /// Free functions that wrap a query and keep its filters.
    pub wrappers: HashSet<String>,
    /// Calls that execute the query.
    pub executes: HashSet<String>,
    /// Calls that turn a query into a paginator.
    pub paginators: HashSet<String>,
    /// Paginator calls that execute it (no connection argument).
    pub paginator_executes: HashSet<String>,
    /// Starts (or wrappers) that make the query change rows: an update.
    pub update_starts: HashSet<String>,
    /// Starts (or wrappers) that make the query delete rows.
    pub delete_starts: HashSet<String>,
}

/// All ORM knowledge.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// SeaORM calls.
    pub seaorm: Pack,
    /// Diesel and diesel-async calls.
    pub diesel: Pack,
    /// Comparisons that bind a column's table.
    pub binds: HashSet<String>,
    /// Boolean AND of two conditions.
    pub and: HashSet<String>,
    /// Boolean OR of two conditions.
    pub or: HashSet<String>,
    /// `Condition::all()`.
    pub condition_all: HashSet<String>,
    /// `Condition::any()`.
    pub condition_any: HashSet<String>,
    /// `cond.add(..)`.
    pub condition_add: HashSet<String>,
    /// `cond.add_option(..)`.
    pub condition_add_optional: HashSet<String>,
    /// Diesel `.on(..)`.
    pub join_on: HashSet<String>,
    /// Raw SQL entry points.
    pub sql: SqlSinks,
}

const PACKS: &[(&str, &str)] = &[
    (
        "rules/orm/seaorm.toml",
        include_str!("../rules/orm/seaorm.toml"),
    ),
    (
        "rules/orm/diesel.toml",
        include_str!("../rules/orm/diesel.toml"),
    ),
    (
        "rules/orm/diesel-async.toml",
        include_str!("../rules/orm/diesel-async.toml"),
    ),
];
const PREDICATES: &str = include_str!("../rules/orm/predicates.toml");
const SQL: &str = include_str!("../rules/orm/sql.toml");

fn set(v: Vec<String>) -> HashSet<String> {
    v.into_iter().collect()
}

impl Knowledge {
    /// The knowledge compiled into this binary. The data files are part of
    /// the build, so a malformed one is a bug caught by the test suite.
    pub fn get() -> &'static Knowledge {
        static K: OnceLock<Knowledge> = OnceLock::new();
        K.get_or_init(|| Knowledge::load().unwrap_or_else(|e| panic!("{e}")))
    }

    fn load() -> Result<Knowledge, String> {
        let mut k = Knowledge::default();
        for (name, text) in PACKS {
            let f: PackFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
            let pack = match f.orm.as_str() {
                "seaorm" => &mut k.seaorm,
                "diesel" => &mut k.diesel,
                other => return Err(format!("{name}: unknown orm `{other}`")),
            };
            pack.starts.extend(f.starts);
            pack.pk_starts.extend(f.pk_starts);
            pack.related_starts.extend(f.related_starts);
            pack.related_filters.extend(f.related_filters);
            pack.filters.extend(f.filters);
            pack.or_filters.extend(f.or_filters);
            pack.joins.extend(f.joins);
            pack.related_joins.extend(f.related_joins);
            pack.wrappers.extend(f.wrappers);
            pack.executes.extend(f.executes);
            pack.paginators.extend(f.paginators);
            pack.paginator_executes.extend(f.paginator_executes);
            pack.update_starts.extend(f.update_starts);
            pack.delete_starts.extend(f.delete_starts);
        }
        let p: PredicateFile =
            toml::from_str(PREDICATES).map_err(|e| format!("rules/orm/predicates.toml: {e}"))?;
        k.binds = set(p.binds);
        k.and = set(p.and);
        k.or = set(p.or);
        k.condition_all = set(p.condition_all);
        k.condition_any = set(p.condition_any);
        k.condition_add = set(p.condition_add);
        k.condition_add_optional = set(p.condition_add_optional);
        k.join_on = set(p.join_on);
        k.sql = toml::from_str(SQL).map_err(|e| format!("rules/orm/sql.toml: {e}"))?;
        Ok(k)
    }

    /// The pack of one ORM.
    pub fn pack(&self, orm: Orm) -> &Pack {
        match orm {
            Orm::SeaOrm => &self.seaorm,
            Orm::Diesel => &self.diesel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_load_and_merge() {
        let k = Knowledge::load().expect("packs parse");
        assert!(k.seaorm.executes.contains("all"));
        assert!(
            k.diesel.executes.contains("load_stream"),
            "diesel-async merged"
        );
        assert!(k.diesel.or_filters.contains("or_filter"));
        assert!(k.seaorm.delete_starts.contains("delete_by_id"));
        assert!(k.diesel.update_starts.contains("update"));
        assert!(k.binds.contains("eq") && !k.binds.contains("ne"));
        assert!(k.sql.macros.contains("query_as") && k.sql.builder_bind.contains("push_bind"));
    }
}
