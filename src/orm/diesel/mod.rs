//! Diesel and diesel-async: tables declared by `table!`, model structs
//! naming them, and queries started from a table module
//! (`documents::table`).

/// The knowledge files of Diesel: the DSL, and diesel-async's
/// `RunQueryDsl` (same builder, its own executing methods).
pub const FILES: &[(&str, &str)] = &[
    (
        "src/orm/diesel/knowledge.toml",
        include_str!("knowledge.toml"),
    ),
    ("src/orm/diesel/async.toml", include_str!("async.toml")),
];

mod schema;

pub use schema::read_item;
