//! The judge phase: runs the rules that are on over the facts. File rules
//! see one file's resolved queries, SQL and suppressions at a time;
//! project rules see the whole project (the schema the migrations leave,
//! the files that could not be analysed). Rules return format-free
//! findings; severities and suppressions are stamped later.

use super::files::FileTable;
use super::read::Sources;
use super::resolve::Resolved;
use crate::config::Config;
use crate::diagnostic::{FileId, Finding};
use crate::discover::{self, FileKind};
use crate::model::queries;
use crate::model::TenantModel;
use crate::parse::Failure;
use crate::rules::{self, Facts, Levels, Phase, Rule};
use crate::suppress::Suppression;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What the file rules hand on.
pub(super) struct Judged {
    /// The findings of the file rules.
    pub findings: Vec<Finding>,
    /// Every cross-tenant call, for the audit.
    pub superuser_calls: Vec<(FileId, queries::SuperuserCall)>,
    /// Each file's inline suppressions (files without any left out).
    pub suppressions: HashMap<FileId, Vec<Suppression>>,
    /// Files whose query facts were parsed.
    pub parsed: usize,
}

/// The rules' view of the run's model and settings.
pub(super) struct Judge<'a> {
    pub model: &'a TenantModel,
    pub config: &'a Config,
    pub levels: &'a Levels,
}

impl Judge<'_> {
    fn context<'f>(&'f self, facts: Facts<'f>) -> rules::Context<'f> {
        rules::Context {
            model: self.model,
            config: self.config,
            levels: self.levels,
            facts,
        }
    }

    /// Runs the file rules over each file in turn (the allow comments of
    /// `test_files` are left out); a file whose analysis or reading failed
    /// is added to `failures`.
    pub(super) fn files(
        &self,
        resolved: Resolved,
        src: Sources,
        test_files: &BTreeSet<FileId>,
        failures: &mut HashMap<FileId, Failure>,
        table: &mut FileTable,
    ) -> Judged {
        let Resolved {
            entries,
            judge_queries,
            judge_sql,
            helpers,
            execs: resolved,
            mut lookups,
        } = resolved;
        let mut judged = Judged {
            findings: Vec::new(),
            superuser_calls: Vec::new(),
            suppressions: HashMap::new(),
            parsed: 0,
        };
        let file_rules: Vec<Rule> = self.levels.running(Phase::File).collect();
        let sql_returned_sent = returned_sql_sent(entries);
        let keyed = keys_from_requests(entries, &helpers);
        for (i, file_execs) in resolved.into_iter().enumerate() {
            let facts = match entries[i]
                .query
                .as_ref()
                .and_then(|q| q.facts.value.as_ref())
            {
                Some(Ok(facts)) => {
                    judged.parsed += 1;
                    judged
                        .superuser_calls
                        .extend(facts.superuser.iter().map(|c| (i, c.clone())));
                    Some(facts)
                }
                Some(Err(e)) => {
                    failures.insert(i, e.clone());
                    None
                }
                None => None,
            };
            if let Some(Some(Err(e))) = src.texts.get(i) {
                failures.entry(i).or_insert_with(|| e.clone());
            }
            let own_suppressions = if test_files.contains(&i) {
                Vec::new()
            } else {
                entries[i].suppressions.clone()
            };
            let execs: Vec<queries::ExecFact> = match facts {
                Some(_) if judge_queries => {
                    let mut execs: Vec<queries::ExecFact> = file_execs
                        .into_iter()
                        .enumerate()
                        .filter(|(k, _)| !lookups.moved.contains(&(i, *k)))
                        .map(|(k, mut e)| {
                            if let Some(n) = lookups.notes.get(&(i, k)) {
                                for q in &mut e.paths {
                                    q.cond.notes.push(n.clone());
                                }
                            }
                            e
                        })
                        .collect();
                    execs.extend(lookups.at_callers.remove(&i).unwrap_or_default());
                    execs
                }
                _ => Vec::new(),
            };
            // SQL handed to a function counts if it reaches the database.
            // SQL a function returns counts if a caller sends it.
            let sql: std::borrow::Cow<[queries::SqlFact]> = match facts {
                Some(facts)
                    if judge_sql
                        && facts
                            .sql
                            .iter()
                            .any(|f| f.through.is_some() || f.returned_by.is_some()) =>
                {
                    facts
                        .sql
                        .iter()
                        .filter(|f| {
                            f.through
                                .as_ref()
                                .is_none_or(|(k, a)| helpers.sends_sql(k, *a))
                                && f.returned_by
                                    .as_deref()
                                    .is_none_or(|k| sql_returned_sent.contains(k))
                        })
                        .cloned()
                        .collect()
                }
                Some(facts) if judge_sql => std::borrow::Cow::Borrowed(&facts.sql),
                _ => std::borrow::Cow::Borrowed(&[]),
            };
            let sql_at: Vec<FileId> = sql
                .iter()
                .map(|f| f.file.as_deref().map_or(i, |p| table.sql_file(p)))
                .collect();
            // Request input handed to a function counts if the function
            // binds a query's tenant to it.
            // A parent key is request input only until something ties its
            // row to the caller's tenant; one nothing checked is
            // `unscoped-query`'s (below).
            let parent_of = |c: &queries::UntrustedCall| {
                helpers
                    .binds_parent(&c.key, c.arg)
                    .map(|(table, key, sql)| {
                        let checked = self
                            .model
                            .checks_parent(&table, |w| c.seen.iter().any(|s| s == w));
                        (table, key, sql, checked)
                    })
            };
            let untrusted_calls: Vec<queries::UntrustedCall> = match facts {
                Some(facts) if judge_queries => facts
                    .untrusted_calls
                    .iter()
                    .filter(|c| helpers.binds_tenant(&c.key, c.arg))
                    .filter(|c| parent_of(c).is_none_or(|(_, _, _, checked)| !checked && !c.direct))
                    .cloned()
                    .collect(),
                _ => Vec::new(),
            };
            // Request input handed to a function that binds a child table
            // by it, as its parent key only, with nothing before the call
            // checking that parent row (`unscoped-query`).
            let parent_calls: Vec<rules::ParentCall> = match facts {
                Some(facts) if judge_queries || judge_sql => facts
                    .untrusted_calls
                    .iter()
                    .filter(|c| c.direct)
                    .filter_map(|c| {
                        let (table, key, sql, checked) = parent_of(c)?;
                        if checked || !(if sql { judge_sql } else { judge_queries }) {
                            return None;
                        }
                        Some(rules::ParentCall {
                            call: c.clone(),
                            table,
                            key,
                            sql,
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let file_facts = rules::FileFacts {
                file: i,
                rel: &src.files[i].rel,
                execs: &execs,
                sql: &sql,
                sql_at: &sql_at,
                untrusted_sql: facts.map_or(&[], |f| &f.untrusted_sql),
                request_sql: match facts {
                    Some(f) if judge_sql => &f.request_sql,
                    _ => &[],
                },
                untrusted_calls: &untrusted_calls,
                parent_calls: &parent_calls,
                superuser: facts.map_or(&[], |f| &f.superuser),
                opaque_macros: facts.map_or(&[], |f| &f.opaque_macros),
                suppressions: &own_suppressions,
            };
            if !file_facts.is_empty() {
                let cx = self.context(Facts::File(&file_facts));
                for rule in &file_rules {
                    judged.findings.extend(rule.check(&cx));
                }
            }
            if !own_suppressions.is_empty() {
                judged.suppressions.insert(i, own_suppressions);
            }
        }
        // A lookup whose key a handler took from the request and handed down.
        if !keyed.is_empty() {
            for f in &mut judged.findings {
                if f.key_from.is_none()
                    && (f.rule == rules::unscoped_query::ID || f.rule == rules::unscoped_sql::ID)
                {
                    f.key_from = keyed.get(&(f.file, f.span.start.line)).cloned();
                }
            }
        }
        judged
    }

    /// Runs the rules over the whole project: the schema the migrations
    /// leave, the files that could not be analysed.
    pub(super) fn project(
        &self,
        found: &[discover::SourcePath],
        failures: &HashMap<FileId, Failure>,
    ) -> Vec<Finding> {
        let mut failed: Vec<(FileId, FileKind, &Failure)> = failures
            .iter()
            .map(|(i, f)| (*i, found[*i].kind, f))
            .collect();
        failed.sort_by_key(|(i, _, _)| *i);
        let project = rules::ProjectFacts { failures: &failed };
        let cx = self.context(Facts::Project(&project));
        let mut findings = Vec::new();
        for rule in self.levels.running(Phase::Project) {
            findings.extend(rule.check(&cx));
        }
        findings
    }

    /// Runs the rules that judge the suppressions themselves, once the
    /// others' findings are matched against them.
    pub(super) fn suppressed(&self, matched: &rules::SuppressionUse) -> Vec<Finding> {
        let cx = self.context(Facts::Suppressed(matched));
        let mut findings = Vec::new();
        for rule in self.levels.running(Phase::Suppressed) {
            for mut f in rule.check(&cx) {
                if let Some(level) = self.levels.of(f.rule) {
                    f.level = level;
                    findings.push(f);
                }
            }
        }
        findings
    }
}

/// The lookups (file, line) whose key a function took from the request and
/// handed down to the function running them, unchecked (nothing before the
/// call combined it with the caller's tenant): the value as written, where
/// it came from, and the function that took it.
fn keys_from_requests(
    entries: &[crate::incremental::cache::Entry],
    helpers: &crate::model::summaries::Summaries,
) -> HashMap<(FileId, u32), (String, String, Option<String>)> {
    let mut out = HashMap::new();
    if helpers.is_empty() {
        return out;
    }
    for e in entries {
        let Some(facts) = super::ledger::facts_of(e) else {
            continue;
        };
        for c in &facts.untrusted_calls {
            let Some((value, how)) = &c.request else {
                continue;
            };
            // Checked before the call, or the rows it returns after.
            if c.seen.iter().any(|w| w == queries::TENANT_IN_HAND)
                || facts
                    .uses
                    .iter()
                    .any(|u| u.span == c.span && u.checked_after)
            {
                continue;
            }
            for at in helpers.keyed_lookups(&c.key, c.arg) {
                out.entry(at)
                    .or_insert_with(|| (value.clone(), how.clone(), Some(c.function.clone())));
            }
        }
    }
    out
}

/// The functions (keys) whose returned SQL some call sends to the database
/// (`sqlx::query(&list_sql(..))`), linked as helper calls are.
fn returned_sql_sent(entries: &[crate::incremental::cache::Entry]) -> HashSet<String> {
    let facts = || {
        entries
            .iter()
            .filter_map(|e| e.query.as_ref()?.facts.value.as_ref()?.as_ref().ok())
    };
    let returning: Vec<&str> = facts()
        .flat_map(|f| f.sql.iter().filter_map(|s| s.returned_by.as_deref()))
        .collect();
    if returning.is_empty() {
        return HashSet::new();
    }
    let linker = crate::model::summaries::Linker::new(returning.iter().copied());
    facts()
        .flat_map(|f| &f.sql_result_sinks)
        .flat_map(|k| linker.link(k))
        .map(str::to_string)
        .collect()
}
