//! Integration tests, compiled into one binary to keep build time down.

mod architecture;
mod cache;
mod cli;
mod corpus;
mod fixtures;
mod fuzz;
mod hostile;
mod reach;
mod sarif;
mod snapshots;
mod support;
mod tenancy;
mod trust;
mod trust_small;
