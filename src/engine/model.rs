//! The model phase: parses the files that can declare tenant tables
//! (Diesel `table!`, SeaORM entities, structs that carry a tenant), replays
//! the migrations in the order they run, and builds the [`TenantModel`]
//! every later phase reads. Also used alone by `tenant-lint schema`.

use super::extract::TOKENS;
use super::ledger::{schema_of, Ledger, Origin};
use super::read::{self, text_of, Sources};
use super::settings::Analysis;
use super::Error;
use crate::diagnostic::FileId;
use crate::discover::{self, FileKind};
use crate::incremental::cache;
use crate::incremental::prefilter::{self, Prefilter};
use crate::model::migrations;
use crate::model::schema::{self, SchemaFacts};
use crate::model::TenantModel;
use crate::parse::{self, Failure};
use crate::report::FileEntry;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What the schema phase hands on.
pub(super) struct SchemaPhase {
    /// The tenant model.
    pub model: TenantModel,
    /// Files that could not be analysed.
    pub failures: HashMap<FileId, Failure>,
    /// The model's hash (what cached query facts are keyed by).
    pub model_hash: u128,
    /// Files that are test modules declared out of line (`#[cfg(test)]
    /// mod tests;`), set aside like the rest of the test code.
    pub test_files: std::collections::BTreeSet<FileId>,
}

/// Builds the tenant model of a project (also used by `tenant-lint
/// schema`), taking what it can from the cache and recording each file's
/// facts in the ledger.
pub(super) fn schema_phase(src: Sources, analysis: Analysis, ledger: &mut Ledger) -> SchemaPhase {
    let Sources {
        pool, files, texts, ..
    } = src;
    let Analysis {
        config,
        include_tests,
        no_prefilter,
        ..
    } = analysis;
    // Built on first use: a warm run may parse nothing.
    let filter = std::sync::OnceLock::new();
    let extract = |f: &discover::SourcePath, t: &str| -> cache::SchemaResult {
        // Structs that carry a tenant (`OrgContext { org_id }`) put the
        // tenant in reach with zero config; a token scan finds them in
        // every file without parsing it.
        let carriers = prefilter::tenant_structs(t, &config.tenant.columns);
        let test_modules = if include_tests {
            Vec::new()
        } else {
            schema::test_modules(t, &f.rel)
        };
        // Where the schema markers are: none, and the file holds no schema.
        let hits = if no_prefilter {
            Vec::new()
        } else {
            filter.get_or_init(Prefilter::schema).find_all(t)
        };
        if !no_prefilter && hits.is_empty() {
            if carriers.is_empty() && test_modules.is_empty() {
                return None;
            }
            return Some(Ok(SchemaFacts {
                tenant_types: carriers,
                test_modules,
                ..SchemaFacts::default()
            }));
        }
        let read = |file: &syn::File| {
            let mut facts = schema::extract(file, &f.rel, f.path.parent(), include_tests);
            facts.tenant_types = carriers.clone();
            facts.test_modules = test_modules.clone();
            // Positions of a const's SQL refer to this file.
            for (_, text) in &mut facts.sql_consts {
                text.file.get_or_insert_with(|| f.path.clone());
            }
            facts
        };
        if no_prefilter {
            return Some(parse::with_parsed(t, read));
        }
        // Free functions without a marker are blanked before the parse
        // (`slice::blank_for_schema`); a syntax error is reported from the
        // whole text, so it never points into a blank.
        let sliced = TOKENS.with_borrow_mut(|toks| {
            crate::rustlex::tokens_into(t, toks).ok()?;
            crate::incremental::slice::blank_for_schema(t, toks, &hits)
        });
        match sliced.map(|s| parse::with_parsed_shaped(&s.text, read)) {
            Some(Ok(facts)) => Some(Ok(facts)),
            _ => Some(parse::with_parsed(t, read)),
        }
    };
    type Computed = Option<(cache::WithDeps<cache::SchemaResult>, u128, Origin)>;
    let results: Vec<Computed> = pool.install(|| {
        files
            .par_iter()
            .zip(texts.par_iter())
            .zip(ledger.cached())
            // One file per task (see `extract_all`).
            .with_max_len(1)
            .map(|((f, t), mut cached)| {
                src.tick();
                if f.kind != FileKind::Rust || matches!(t, Some(Err(_))) {
                    return None;
                }
                if let Some((facts, digest)) = cached.take_schema() {
                    return Some((facts, digest, Origin::Cached));
                }
                let t = text_of(f, t);
                let Ok(t) = t.as_ref() else {
                    return None;
                };
                let (value, deps) = cache::tracking(|| extract(f, t));
                let digest = postcard::to_stdvec(&value).map_or(0, |b| cache::hash(&b));
                Some((cache::WithDeps { deps, value }, digest, Origin::Made))
            })
            .collect()
    });
    let mut model_hash = cache::Hasher::default();
    let mut failures = HashMap::new();
    for (i, r) in results.into_iter().enumerate() {
        let Some((facts, digest, origin)) = r else {
            continue;
        };
        model_hash
            .part(files[i].rel.as_bytes())
            .part(&digest.to_le_bytes());
        if let Some(Err(e)) = &facts.value {
            failures.insert(i, e.clone());
        }
        ledger.record_schema(i, facts, digest, origin);
    }
    // Out-of-line test modules are test code: set aside whole.
    let test_modules: Vec<String> = ledger
        .entries()
        .iter()
        .filter_map(schema_of)
        .flat_map(|f| f.test_modules.iter().cloned())
        .collect();
    let test_files: std::collections::BTreeSet<FileId> = if test_modules.is_empty() {
        Default::default()
    } else {
        files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.kind == FileKind::Rust && schema::in_test_module(&f.rel, &test_modules)
            })
            .map(|(i, _)| i)
            .collect()
    };
    failures.retain(|i, _| !test_files.contains(i));
    // Migrations, SQL and SeaORM, in the order they run.
    let mut histories: Vec<(&str, migrations::History)> = Vec::new();
    for (i, (f, t)) in files.iter().zip(texts).enumerate() {
        if f.kind != FileKind::Migration {
            continue;
        }
        let ((ops, failure), origin) = match ledger.cached_migration(i) {
            Some(m) => (m, Origin::Cached),
            None => match text_of(f, t).as_ref() {
                Ok(t) => (migrations::sql_ops(t), Origin::Made),
                Err(_) => continue,
            },
        };
        let digest = postcard::to_stdvec(&(&ops, &failure)).map_or(0, |b| cache::hash(&b));
        model_hash
            .part(f.rel.as_bytes())
            .part(&digest.to_le_bytes());
        ledger.record_migration(i, (ops.clone(), failure.clone()), origin);
        if let Some(e) = failure {
            failures.entry(i).or_insert(e);
        }
        histories.push((&f.rel, migrations::History { file: i, ops }));
    }
    for (i, e) in ledger.entries().iter().enumerate() {
        if test_files.contains(&i) {
            continue;
        }
        if let Some(f) = schema_of(e).filter(|f| !f.migration_ops.is_empty()) {
            histories.push((
                &files[i].rel,
                migrations::History {
                    file: i,
                    ops: f.migration_ops.clone(),
                },
            ));
        }
    }
    one_backend(&mut histories);
    histories.sort_by(|a, b| discover::natural_cmp(a.0, b.0));
    keyless_stores_last(&mut histories);
    let histories: Vec<migrations::History> = histories.into_iter().map(|(_, h)| h).collect();
    let applied = migrations::apply(&histories);
    let migrated: Vec<(FileId, SchemaFacts)> = applied
        .table_facts()
        .into_iter()
        .map(|(i, t)| {
            (
                i,
                SchemaFacts {
                    tables: vec![t],
                    ..SchemaFacts::default()
                },
            )
        })
        .chain(applied.foreign_key_facts().into_iter().map(|(i, k)| {
            (
                i,
                SchemaFacts {
                    foreign_keys: vec![k],
                    ..SchemaFacts::default()
                },
            )
        }))
        .collect();
    let facts = ledger
        .entries()
        .iter()
        .enumerate()
        .filter(|(i, _)| !test_files.contains(i))
        .filter_map(|(i, e)| schema_of(e).map(|f| (i, f)))
        .chain(migrated.iter().map(|(i, f)| (*i, f)));
    let mut model = TenantModel::build(facts, config);
    model.migrated = applied;
    SchemaPhase {
        model,
        failures,
        model_hash: model_hash.finish(),
        test_files,
    }
}

/// The database backend a migration is kept for, from a folder named after
/// it (`migrations/mysql/..`, `migrations/postgresql/..`), best first.
fn backend_of(rel: &str) -> Option<u8> {
    rel.split('/')
        .find_map(|seg| match seg.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(0),
            "mysql" | "mariadb" => Some(1),
            "sqlite" => Some(2),
            _ => None,
        })
}

/// Migrations kept once per backend describe one schema: only the
/// PostgreSQL set is applied (else MySQL, else SQLite), as the queries are
/// read as PostgreSQL; migrations in no backend's folder always are.
fn one_backend(histories: &mut Vec<(&str, migrations::History)>) {
    let best = histories
        .iter()
        .filter_map(|(rel, _)| backend_of(rel))
        .min();
    if let Some(best) = best {
        histories.retain(|(rel, _)| backend_of(rel).is_none_or(|b| b == best));
    }
}

/// The folder of migrations a file is in (`server/ch_migrations`), or
/// its own folder.
fn migration_folder(rel: &str) -> &str {
    let mut end = rel.rfind('/').unwrap_or(0);
    let mut at = 0;
    for part in rel.split('/') {
        at += part.len() + 1;
        if discover::is_migration_folder(part) {
            end = at - 1;
            break;
        }
    }
    &rel[..end.min(rel.len())]
}

/// A store without foreign keys (ClickHouse) keeps its own migrations
/// beside the database's (`ch_migrations/` next to `migrations/`); its
/// tables live apart, so they are applied after the others: the
/// database's `DROP TABLE events` does not drop the analytics `events`.
fn keyless_stores_last(histories: &mut [(&str, migrations::History)]) {
    let keyless: std::collections::HashSet<&str> = histories
        .iter()
        .filter(|(_, h)| {
            h.ops
                .iter()
                .any(|o| matches!(o, crate::sql::SchemaOp::CreateTable { keyless: true, .. }))
        })
        .map(|(rel, _)| migration_folder(rel))
        .collect();
    if !keyless.is_empty() {
        // A stable sort keeps each store's order.
        histories.sort_by_key(|(rel, _)| keyless.contains(migration_folder(rel)));
    }
}

/// Runs the discovery and schema stages only (for `tenant-lint schema`).
pub fn schema(
    paths: &[PathBuf],
    config_path: Option<&Path>,
) -> Result<(TenantModel, Vec<FileEntry>, Vec<String>), Error> {
    let scope = super::resolve_paths(paths)?;
    let config = super::load_config(config_path, &scope)?;
    let root = &scope.root;
    let named = scope.named_in_project();
    let mut found = discover::discover(
        std::slice::from_ref(root),
        root,
        &config,
        config.files.include_tests,
        &named,
        0,
    );
    // As `check` does: test-support packages are test code.
    let layout = super::layout_of(root, &mut found, config.files.include_tests, &named);
    let pool = super::settings::pool(None)?;
    let read::Read { texts, mut ledger } = read::read(&pool, &found.files, None);
    let src = Sources {
        pool: &pool,
        files: &found.files,
        texts: &texts,
        progress: None,
    };
    let analysis = Analysis {
        config: &config,
        include_tests: config.files.include_tests,
        no_prefilter: false,
        layout: &layout,
        tenant_args: false,
    };
    let SchemaPhase {
        model, failures, ..
    } = schema_phase(src, analysis, &mut ledger);
    let names = super::files::Names::new(root, &scope.base);
    let files: Vec<FileEntry> = found.files.iter().map(|f| names.entry(f)).collect();
    let mut problems: Vec<String> = failures
        .iter()
        .map(|(i, f)| format!("{}:{}: {}", files[*i].shown, f.span.start.line, f.message))
        .collect();
    problems.sort();
    Ok((model, files, problems))
}

/// The note of a run that found no tenant table.
pub(super) const NO_TENANT_TABLES: &str = "no tenant tables found (no Diesel `table!`, SeaORM entity or SQL migration with a tenant column, and no table of tenants that others reference); only the rules that need none (`session-search-path`, `superuser-access`) can report. Run `tenant-lint schema` to see what was discovered; if your tenants are the rows of one table, name it with `[tenant] root`";
