//! The extract phase: turns each Rust file that can hold a query the rules
//! judge into query facts. The prefilter rules most files out from their
//! bytes or tokens, the slicer blanks the bodies that cannot matter before
//! `syn` parses the rest, and a panic anywhere in one file makes that file
//! a failure while the run goes on. Facts of unchanged files come from the
//! cache when the tenant model is the same.

use super::ledger::{Ledger, Origin};
use super::model::SchemaPhase;
use super::read::{text_of, Sources};
use super::settings::Analysis;
use crate::config::Config;
use crate::discover::{self, FileKind};
use crate::incremental::cache;
use crate::incremental::prefilter::QueryNeedles;
use crate::model::queries;
use crate::model::TenantModel;
use crate::parse;
use crate::rustlex::Words;
use rayon::prelude::*;
use std::sync::OnceLock;

/// What analysing one file gave.
pub(super) struct Extracted {
    /// Its query facts or failure (`None`: nothing a rule judges).
    pub facts: cache::QueryResult,
    /// The byte ranges of the bodies blanked before parsing.
    pub blanked: Vec<(u32, u32)>,
    /// The words of what was not parsed.
    pub words: Option<Words>,
    /// The bytes syn read (0: not parsed), for `TENANT_LINT_TIMINGS`.
    pub parsed: usize,
}

impl Extracted {
    /// A file parsed whole (or not at all): nothing blanked.
    fn whole(facts: cache::QueryResult, parsed: usize) -> Extracted {
        Extracted {
            facts,
            parsed,
            blanked: Vec::new(),
            words: None,
        }
    }
}

/// Runs the analysis of one file; a panic in the scan, the slicer or the
/// analysis makes that file a failure, and the run goes on.
pub(super) fn guard_file(run: impl FnOnce() -> Extracted) -> Extracted {
    parse::guarded("analysing", || Ok(run()))
        .unwrap_or_else(|failure| Extracted::whole(Some(Err(failure)), 0))
}

thread_local! {
    /// Each pool thread's token buffer, reused from file to file.
    pub(super) static TOKENS: std::cell::RefCell<Vec<crate::rustlex::Tok>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Extracts the query facts of one file against the tenant model; shared
/// by this phase and the helper rescue, so both use the same needles.
pub(super) struct Extractor<'a> {
    model: &'a TenantModel,
    config: &'a Config,
    qopts: queries::Options<'a>,
    no_prefilter: bool,
    tenant_args: bool,
    /// Built on first use: a warm run may parse nothing.
    needles: OnceLock<QueryNeedles>,
}

impl<'a> Extractor<'a> {
    pub(super) fn new(model: &'a TenantModel, analysis: Analysis<'a>) -> Extractor<'a> {
        Extractor {
            model,
            config: analysis.config,
            qopts: queries::Options {
                include_tests: analysis.include_tests,
                config: analysis.config,
                layout: analysis.layout,
            },
            no_prefilter: analysis.no_prefilter,
            tenant_args: analysis.tenant_args,
            needles: OnceLock::new(),
        }
    }

    /// The project's crates.
    pub(super) fn layout(&self) -> &'a crate::workspace::layout::Layout {
        self.qopts.layout
    }

    /// Whether the helper rescue follows request input into functions that
    /// bind a query's tenant to it.
    pub(super) fn tenant_args(&self) -> bool {
        self.tenant_args
    }

    /// The slicer's [`crate::incremental::slice::Extra`] with nothing
    /// from the rest of the workspace.
    pub(super) fn slice_extra(&self) -> crate::incremental::slice::Extra<'static> {
        crate::incremental::slice::Extra {
            include_tests: self.qopts.include_tests,
            ..Default::default()
        }
    }

    /// Whether the prefilter is on (`--no-prefilter` parses every file).
    pub(super) fn uses_prefilter(&self) -> bool {
        !self.no_prefilter
    }

    /// The prefilter's needles for this model and configuration.
    pub(super) fn needles(&self) -> &QueryNeedles {
        self.needles
            .get_or_init(|| QueryNeedles::new(self.model, self.config))
    }

    /// Parses and analyses the whole of `t`.
    fn parse_whole(&self, f: &discover::SourcePath, t: &str) -> Extracted {
        Extracted::whole(
            Some(parse::with_parsed(t, |file| {
                queries::extract(file, &f.rel, &f.path, self.model, &self.qopts)
            })),
            t.len(),
        )
    }

    /// Parses `t` with the bodies that cannot matter blanked (see `slice`);
    /// `extra` keeps the bodies naming a workspace helper too. A file the
    /// slicer cannot follow is parsed whole, and a syntax error is always
    /// reported from the whole text, so it never points into a blank.
    pub(super) fn parse_sliced(
        &self,
        f: &discover::SourcePath,
        t: &str,
        sliced: Option<crate::incremental::slice::Sliced>,
    ) -> Extracted {
        match sliced {
            // The token scan that sliced it checked nesting and chains.
            Some(sliced) => match parse::with_parsed_shaped(&sliced.text, |file| {
                queries::extract(file, &f.rel, &f.path, self.model, &self.qopts)
            }) {
                Ok(found) => Extracted {
                    parsed: sliced.parsed,
                    facts: Some(Ok(found)),
                    blanked: sliced.blanked,
                    words: Some(sliced.words),
                },
                Err(_) => self.parse_whole(f, t),
            },
            None => self.parse_whole(f, t),
        }
    }

    fn extract(&self, f: &discover::SourcePath, t: &str) -> Extracted {
        if self.no_prefilter {
            return self.parse_whole(f, t);
        }
        // The bytes rule most files out; one pass over the tokens of the
        // others checks that they are Rust tokens at all, finds the needles
        // and the names a file calls.
        let needles = self.needles();
        if let Some(words) = needles.without_needle(t) {
            // No needle, as the bytes show: not even read as tokens.
            return Extracted {
                facts: None,
                blanked: Vec::new(),
                words: Some(words),
                parsed: 0,
            };
        }
        TOKENS.with_borrow_mut(|toks| {
            let scanned = match needles.scan(t, toks) {
                Ok(s) => s,
                Err(e) => return Extracted::whole(Some(Err(e)), 0),
            };
            if scanned.hits.is_empty() {
                // Cannot hold a query the rules judge.
                return Extracted {
                    facts: None,
                    blanked: Vec::new(),
                    words: Some(scanned.words),
                    parsed: 0,
                };
            }
            self.parse_sliced(
                f,
                t,
                crate::incremental::slice::blank(t, toks, &scanned.hits, self.slice_extra()),
            )
        })
    }
}

/// One file's query entry, analysed in this run or reused from the cache.
struct Analysed {
    entry: cache::QueryEntry,
    origin: Origin,
    words: Option<Words>,
    /// The bytes parsed (0: not parsed).
    parsed: usize,
}

/// What the extract phase hands on, besides the entries in the ledger.
pub(super) struct Extraction {
    /// The words of what each file analysed in this run left unparsed, for
    /// the helper rescue.
    pub words: Vec<Option<Words>>,
    /// The files parsed in this run, and the bytes parsed (their texts
    /// less the blanked bodies), for `TENANT_LINT_TIMINGS`.
    pub parsed: (usize, usize),
}

/// Extracts (or reuses) the query facts of every Rust file that is not a
/// failure or a test file of the schema phase, into the ledger.
pub(super) fn extract_all(
    src: Sources,
    schema: &SchemaPhase,
    extractor: &Extractor,
    ledger: &mut Ledger,
) -> Extraction {
    let Sources {
        pool, files, texts, ..
    } = src;
    let SchemaPhase {
        failures,
        test_files,
        model_hash,
        ..
    } = schema;
    let analysed: Vec<Option<Analysed>> = pool.install(|| {
        files
            .par_iter()
            .zip(texts.par_iter())
            .zip(ledger.cached())
            .enumerate()
            // One file per task: most files cost nothing, and the few
            // that cost much sit together in the tree, so rayon's
            // default chunks left one core idle while the other parsed
            // them (openobserve: two cores 1.49x faster than one, now 1.71x).
            .with_max_len(1)
            .map(|(i, ((f, t), mut cached))| {
                src.tick();
                if failures.contains_key(&i)
                    || test_files.contains(&i)
                    || f.kind != FileKind::Rust
                    || matches!(t, Some(Err(_)))
                {
                    return None;
                }
                if let Some(entry) = cached.take_query(*model_hash) {
                    return Some(Analysed {
                        entry,
                        origin: Origin::Cached,
                        words: None,
                        parsed: 0,
                    });
                }
                let t = text_of(f, t);
                let t = t.as_ref().as_ref().ok()?;
                let (x, deps) = cache::tracking(|| guard_file(|| extractor.extract(f, t)));
                Some(Analysed {
                    parsed: x.parsed,
                    entry: cache::QueryEntry {
                        model: *model_hash,
                        facts: cache::WithDeps {
                            deps,
                            value: x.facts,
                        },
                        helpers: 0,
                        blanked: x.blanked,
                    },
                    origin: Origin::Made,
                    words: x.words,
                })
            })
            .collect()
    });
    let mut words: Vec<Option<Words>> = vec![None; files.len()];
    let mut parsed = (0, 0);
    for (i, a) in analysed.into_iter().enumerate() {
        if let Some(a) = a {
            if a.parsed > 0 {
                parsed.0 += 1;
                parsed.1 += a.parsed;
            }
            words[i] = a.words;
            ledger.record_query(i, a.entry, a.origin);
        }
    }
    Extraction { words, parsed }
}
