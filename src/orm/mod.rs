//! The ORM front ends. Each ORM tenant-lint follows is a folder here: its
//! knowledge file (`knowledge.toml`: which calls start, scope, join and
//! execute a query, which types hold a query or a condition, which words
//! mark a schema declaration) and the code that reads its schema
//! declarations. The registry below (`orms!`) lists them; the query
//! analysis, the prefilter and the rules read ORM facts through
//! [`Knowledge`] only, so a method added to a knowledge file is never
//! forgotten by one of them. Raw SQL entry points ([`sql`]) and the
//! predicate vocabulary every ORM shares (`predicates.toml`) live here too.
//!
//! Adding an ORM whose queries have one of the known [`Shape`]s is a
//! folder with a `knowledge.toml` and a `mod.rs` naming it, plus one line
//! in `orms!`; ARCHITECTURE.md walks through it.

use serde::Deserialize;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Declares the ORM front ends: for each, its [`Orm`] variant and its
/// folder, a module exposing `FILES` (its knowledge files) and
/// `read_item` (its schema declarations in one item).
macro_rules! orms {
    ($($variant:ident => $module:ident,)*) => {
        $(pub mod $module;)*

        /// The ORMs tenant-lint follows.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum Orm {
            $(
                #[doc = concat!("See [`", stringify!($module), "`].")]
                $variant,
            )*
        }

        impl Orm {
            /// Every ORM, in registry order.
            pub const ALL: &'static [Orm] = &[$(Orm::$variant),*];

            /// The folder name, which its knowledge files name as `orm`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Orm::$variant => stringify!($module),)*
                }
            }

            /// Reads one item's declarations (see [`read_item`]).
            fn read_item(self, item: &syn::Item, module: &str, out: &mut facts::Declared) {
                match self {
                    $(Orm::$variant => $module::read_item(item, module, out),)*
                }
            }

            /// The knowledge files: (path in the repository, text).
            fn files(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(Orm::$variant => $module::FILES,)*
                }
            }
        }
    };
}

orms! {
    SeaOrm => seaorm,
    Diesel => diesel,
}

pub mod facts;
pub mod sql;

/// Reads one item (not its nested items) with every front end; `module`
/// is the module the item is in.
pub fn read_item(item: &syn::Item, module: &str, out: &mut facts::Declared) {
    for &orm in Orm::ALL {
        orm.read_item(item, module, out);
    }
}

/// An identifier without its raw prefix (`r#type` → `type`).
pub(crate) fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

impl Orm {
    /// Name shown in messages (`display` in its knowledge file).
    pub fn display(self) -> &'static str {
        &Knowledge::get().pack(self).display
    }

    /// Name `tenant-lint schema` gives its declarations (`schema-label`).
    pub fn schema_label(self) -> &'static str {
        &Knowledge::get().pack(self).schema_label
    }
}

/// How an ORM's queries start, which decides how the query analysis
/// recognises a start and how the prefilter finds one in the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// From an entity type: `document::Entity::find()`, `Document::find_by_id(id)`.
    #[default]
    Entity,
    /// From a table module a schema macro declares: `documents::table`,
    /// `dsl::documents`, `<T as HasTable>::table()`.
    TableModule,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PackFile {
    orm: String,
    display: String,
    schema_label: String,
    shape: Shape,
    #[serde(default)]
    schema_markers: Vec<String>,
    #[serde(default)]
    query_types: Vec<String>,
    #[serde(default)]
    query_traits: Vec<String>,
    #[serde(default)]
    predicate_types: Vec<String>,
    #[serde(default)]
    boxed_predicate_traits: Vec<String>,
    #[serde(default)]
    table_members: Vec<String>,
    #[serde(default)]
    table_calls: Vec<String>,
    #[serde(default)]
    schema_macros: Vec<String>,
    #[serde(default)]
    join_conditions: Vec<String>,
    starts: Vec<String>,
    pk_starts: Vec<String>,
    #[serde(default)]
    model_starts: Vec<String>,
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
    #[serde(default)]
    insert_starts: Vec<String>,
    #[serde(default)]
    insert_values: Vec<String>,
    #[serde(default)]
    conflict_targets: Vec<String>,
    #[serde(default)]
    conflict_updates: Vec<String>,
    #[serde(default)]
    new_row_types: Vec<String>,
    #[serde(default)]
    new_row_inserts: Vec<String>,
    #[serde(default)]
    not_set: Vec<String>,
    #[serde(default)]
    sql_fragments: Vec<String>,
    #[serde(default)]
    fragment_binds: Vec<String>,
    #[serde(default)]
    relation_builders: Vec<String>,
    #[serde(default)]
    builder_types: Vec<String>,
    #[serde(default)]
    builder_starts: Vec<String>,
    #[serde(default)]
    builder_tables: Vec<String>,
    #[serde(default)]
    builder_executes: Vec<String>,
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
    excludes: Vec<String>,
    negations: Vec<String>,
    column_casts: Vec<String>,
    subquery_binds: Vec<String>,
    column_equals: Vec<String>,
    set_operations: Vec<String>,
    column_exprs: Vec<(String, String)>,
    condition_types: Vec<String>,
}

/// What one ORM's knowledge files say (files of the same ORM are merged).
#[derive(Debug, Default, Clone)]
pub struct Pack {
    /// Name shown in messages.
    pub display: String,
    /// Name `tenant-lint schema` gives its declarations.
    pub schema_label: String,
    /// How its queries start.
    pub shape: Shape,
    /// Words that mark a file as a possible source of schema facts.
    pub schema_markers: Vec<String>,
    /// Query builder types a helper may take, filter and return.
    pub query_types: foldhash::HashSet<String>,
    /// Traits a generic parameter bound by holds a query
    /// (`fn paginate<Q: QueryFilter>(q: Q)`).
    pub query_traits: foldhash::HashSet<String>,
    /// Types of a parameter that holds a condition.
    pub predicate_types: HashSet<String>,
    /// Traits whose boxed trait objects hold a condition.
    pub boxed_predicate_traits: Vec<String>,
    /// What a table module has besides its columns ([`Shape::TableModule`]).
    pub table_members: Vec<String>,
    /// `T::table()`: calls naming the table of a type.
    pub table_calls: HashSet<String>,
    /// Macros that declare the schema, not code to analyse.
    pub schema_macros: HashSet<String>,
    /// `.on(cond)`: a join's own condition, used when the query is joined.
    pub join_conditions: HashSet<String>,
    /// `Entity::start()` calls.
    pub starts: HashSet<String>,
    /// Primary-key lookups.
    pub pk_starts: HashSet<String>,
    /// Calls on a model struct that start a query on its table
    /// (`User::query()`, Diesel 2.3's `HasQuery`).
    pub model_starts: HashSet<String>,
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
    /// Calls that start an insert into a table (`diesel::insert_into(t)`,
    /// SeaORM `Entity::insert(row)`).
    pub insert_starts: HashSet<String>,
    /// The call that gives an insert its rows (`.values(..)`).
    pub insert_values: HashSet<String>,
    /// The call that names an upsert's conflict target (`.on_conflict(..)`).
    pub conflict_targets: HashSet<String>,
    /// The call that makes a conflict update the existing row
    /// (`.do_update()`).
    pub conflict_updates: HashSet<String>,
    /// Types whose struct literal is a new row of its entity's table
    /// (SeaORM `document::ActiveModel { .. }`); Diesel's are the model
    /// structs that name their table.
    pub new_row_types: HashSet<String>,
    /// Methods of such a row that insert it (`row.insert(db)`).
    pub new_row_inserts: HashSet<String>,
    /// A field value that leaves the column unset (`NotSet`).
    pub not_set: HashSet<String>,
    /// Functions that make a condition of SQL text (Diesel's
    /// `sql::<Bool>("..")`).
    pub sql_fragments: HashSet<String>,
    /// Methods that bind a value to such a fragment (`.bind::<T, _>(v)`).
    pub fragment_binds: HashSet<String>,
    /// Calls that build a relation inline, joining two entities
    /// (`a::Entity::belongs_to(b::Entity).from(..).to(..).into()`).
    pub relation_builders: HashSet<String>,
    /// sea-query's statement builder: the type whose calls start a
    /// statement (`Query::select()`), the calls that name its table
    /// (`.from(E)`) and those that make it SQL (`.build(..)`).
    pub builder_types: HashSet<String>,
    pub builder_starts: HashSet<String>,
    pub builder_tables: HashSet<String>,
    pub builder_executes: HashSet<String>,
}

/// All ORM knowledge.
#[derive(Debug, Default)]
pub struct Knowledge {
    /// Each ORM's pack, in [`Orm::ALL`] order.
    packs: Vec<Pack>,
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
    /// Comparisons that exclude a tenant instead of selecting one.
    pub excludes: HashSet<String>,
    /// Negations of a whole condition.
    pub negations: HashSet<String>,
    /// Conversions that keep a column.
    pub column_casts: HashSet<String>,
    /// Comparisons with a subquery that bind when it is bound.
    pub subquery_binds: HashSet<String>,
    /// Column equalities between two tables.
    pub column_equals: HashSet<String>,
    /// Set operations combining queries.
    pub set_operations: HashSet<String>,
    /// A column as an expression: (type, call).
    pub column_exprs: Vec<(String, String)>,
    /// Types whose `condition-all` / `condition-any` calls start a condition.
    pub condition_types: HashSet<String>,
    /// Raw SQL entry points.
    pub sql: sql::SqlSinks,
}

const PREDICATES: &str = include_str!("predicates.toml");

impl Knowledge {
    /// The knowledge compiled into this binary. The data files are part of
    /// the build, so a malformed one is a bug caught by the test suite.
    pub fn get() -> &'static Knowledge {
        static K: OnceLock<Knowledge> = OnceLock::new();
        K.get_or_init(|| Knowledge::load().unwrap_or_else(|e| panic!("{e}")))
    }

    fn load() -> Result<Knowledge, String> {
        let mut k = Knowledge::default();
        for &orm in Orm::ALL {
            let mut pack = Pack::default();
            for (i, (name, text)) in orm.files().iter().enumerate() {
                let f: PackFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
                if f.orm != orm.id() {
                    return Err(format!(
                        "{name}: `orm = \"{}\"` in the folder of `{}`",
                        f.orm,
                        orm.id()
                    ));
                }
                if i > 0
                    && (f.display != pack.display
                        || f.schema_label != pack.schema_label
                        || f.shape != pack.shape)
                {
                    return Err(format!(
                        "{name}: `display`, `schema-label` and `shape` differ from the first file of `{}`",
                        orm.id()
                    ));
                }
                pack.display = f.display;
                pack.schema_label = f.schema_label;
                pack.shape = f.shape;
                pack.schema_markers.extend(f.schema_markers);
                pack.query_types.extend(f.query_types);
                pack.query_traits.extend(f.query_traits);
                pack.predicate_types.extend(f.predicate_types);
                pack.boxed_predicate_traits.extend(f.boxed_predicate_traits);
                pack.table_members.extend(f.table_members);
                pack.table_calls.extend(f.table_calls);
                pack.schema_macros.extend(f.schema_macros);
                pack.join_conditions.extend(f.join_conditions);
                pack.starts.extend(f.starts);
                pack.pk_starts.extend(f.pk_starts);
                pack.model_starts.extend(f.model_starts);
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
                pack.insert_starts.extend(f.insert_starts);
                pack.insert_values.extend(f.insert_values);
                pack.conflict_targets.extend(f.conflict_targets);
                pack.conflict_updates.extend(f.conflict_updates);
                pack.new_row_types.extend(f.new_row_types);
                pack.new_row_inserts.extend(f.new_row_inserts);
                pack.not_set.extend(f.not_set);
                pack.sql_fragments.extend(f.sql_fragments);
                pack.fragment_binds.extend(f.fragment_binds);
                pack.relation_builders.extend(f.relation_builders);
                pack.builder_types.extend(f.builder_types);
                pack.builder_starts.extend(f.builder_starts);
                pack.builder_tables.extend(f.builder_tables);
                pack.builder_executes.extend(f.builder_executes);
            }
            k.packs.push(pack);
        }
        let p: PredicateFile =
            toml::from_str(PREDICATES).map_err(|e| format!("src/orm/predicates.toml: {e}"))?;
        let set = |v: Vec<String>| v.into_iter().collect::<HashSet<String>>();
        k.binds = set(p.binds);
        k.and = set(p.and);
        k.or = set(p.or);
        k.condition_all = set(p.condition_all);
        k.condition_any = set(p.condition_any);
        k.condition_add = set(p.condition_add);
        k.condition_add_optional = set(p.condition_add_optional);
        k.excludes = set(p.excludes);
        k.negations = set(p.negations);
        k.column_casts = set(p.column_casts);
        k.subquery_binds = set(p.subquery_binds);
        k.column_equals = set(p.column_equals);
        k.set_operations = set(p.set_operations);
        k.column_exprs = p.column_exprs;
        k.condition_types = set(p.condition_types);
        k.sql = sql::SqlSinks::load()?;
        Ok(k)
    }

    /// The pack of one ORM.
    pub fn pack(&self, orm: Orm) -> &Pack {
        &self.packs[orm as usize]
    }

    /// The ORM of queries started from a table module (the first with
    /// [`Shape::TableModule`]; the first ORM when none has it).
    pub fn table_module_orm(&self) -> Orm {
        self.with_shape(Shape::TableModule)
            .next()
            .map_or(Orm::ALL[0], |(o, _)| o)
    }

    /// Whether `name` is a query builder type of some ORM (`query-types`).
    pub fn is_query_type(&self, name: &str) -> bool {
        self.packs.iter().any(|p| p.query_types.contains(name))
    }

    /// Whether `name` is a trait of query builders of some ORM
    /// (`query-traits`).
    pub fn is_query_trait(&self, name: &str) -> bool {
        self.packs.iter().any(|p| p.query_traits.contains(name))
    }

    /// Every ORM with its pack.
    pub fn packs(&self) -> impl Iterator<Item = (Orm, &Pack)> {
        Orm::ALL.iter().map(|&o| (o, self.pack(o)))
    }

    /// The ORMs whose queries have `shape`, with their packs.
    pub fn with_shape(&self, shape: Shape) -> impl Iterator<Item = (Orm, &Pack)> {
        self.packs().filter(move |(_, p)| p.shape == shape)
    }

    /// Words that mark a file as a possible source of schema facts, from
    /// every ORM and the raw SQL entry points, each once.
    pub fn schema_markers(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let all = self.packs.iter().flat_map(|p| &p.schema_markers);
        for m in all.chain(&self.sql.schema_markers) {
            if !out.contains(&m.as_str()) {
                out.push(m);
            }
        }
        out
    }
}

// Naming conventions of the derives: SeaORM names a column variant by
// camel-casing the column (`tenant_id` → `Column::TenantId`), sea-query
// migrations name tables and columns by snake-casing an enum variant.

/// `TenantId` → `tenant_id`.
pub fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev_lower = false;
    for ch in s.chars() {
        if ch.is_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
            prev_lower = false;
        } else {
            out.push(ch);
            prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        }
    }
    out
}

/// `tenant_id` → `TenantId`.
pub fn camel_case(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(snake_case("TenantId"), "tenant_id");
        assert_eq!(snake_case("OrgID"), "org_id");
        assert_eq!(camel_case("organization_id"), "OrganizationId");
    }

    #[test]
    fn packs_load_and_merge() {
        let k = Knowledge::load().expect("packs parse");
        let sea = k.pack(Orm::SeaOrm);
        let diesel = k.pack(Orm::Diesel);
        assert!(sea.executes.contains("all"));
        assert!(
            diesel.executes.contains("load_stream"),
            "diesel-async merged"
        );
        assert!(diesel.or_filters.contains("or_filter"));
        assert!(sea.delete_starts.contains("delete_by_id"));
        assert!(diesel.update_starts.contains("update"));
        assert_eq!(
            (sea.shape, diesel.shape),
            (Shape::Entity, Shape::TableModule)
        );
        assert_eq!(
            (Orm::SeaOrm.display(), Orm::Diesel.display()),
            ("SeaORM", "Diesel")
        );
        assert!(k.binds.contains("eq") && !k.binds.contains("ne"));
        assert!(k.sql.macros.contains("query_as") && k.sql.builder_bind.contains("push_bind"));
        let markers = k.schema_markers();
        assert!(markers.contains(&"table!") && markers.contains(&"CREATE TABLE"));
        assert!(markers.contains(&"diesel(") && !markers.contains(&"table_name"));
    }

    #[test]
    fn every_knowledge_file_names_its_folder() {
        for &orm in Orm::ALL {
            for (path, _) in orm.files() {
                assert!(
                    path.starts_with(&format!("src/orm/{}/", orm.id())),
                    "{path} is not in the folder of {}",
                    orm.id()
                );
            }
        }
    }
}
