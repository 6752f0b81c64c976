//! SeaORM: entities (`DeriveEntityModel`), their relations, and queries
//! started from an entity type (`document::Entity::find()`).

/// The knowledge files of SeaORM.
pub const FILES: &[(&str, &str)] = &[(
    "src/orm/seaorm/knowledge.toml",
    include_str!("knowledge.toml"),
)];

pub mod migration;
mod schema;

pub use schema::read_item;
