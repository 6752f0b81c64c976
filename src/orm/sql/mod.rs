//! Raw SQL entry points: the calls, macros and builders through which SQL
//! text reaches a database (sqlx, tokio-postgres, Diesel `sql_query`,
//! SeaORM `Statement`). The query analysis judges the SQL they are given
//! with [`crate::sql`].

use serde::Deserialize;
use std::collections::HashSet;

const KNOWLEDGE: &str = include_str!("knowledge.toml");

/// Where raw SQL enters a database API (`src/orm/sql/knowledge.toml`).
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
    /// Words that mark a file as a possible source of schema facts.
    pub schema_markers: Vec<String>,
}

impl SqlSinks {
    pub(super) fn load() -> Result<SqlSinks, String> {
        toml::from_str(KNOWLEDGE).map_err(|e| format!("src/orm/sql/knowledge.toml: {e}"))
    }
}
