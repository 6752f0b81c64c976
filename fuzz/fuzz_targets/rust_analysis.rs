//! Arbitrary bytes as a Rust file: decoding, the token check, the query
//! prefilter's byte gate (checked against its token scan) and scan, the
//! slicer, parsing and the whole query analysis (against the
//! unscoped-query fixtures' tenant model) must never panic; a caught panic
//! surfaces as an "internal error" failure, which is a crash here too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;
use tenant_lint::config::Config;
use tenant_lint::model::{queries, TenantModel};
use tenant_lint::parse;
use tenant_lint::incremental::prefilter::QueryNeedles;

fn model() -> &'static TenantModel {
    static M: OnceLock<TenantModel> = OnceLock::new();
    M.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/unscoped-query/fail");
        tenant_lint::engine::schema(&[dir], None).expect("schema").0
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = parse::decode(data.to_vec()) else {
        return;
    };
    let config = Config::default();
    let layout = tenant_lint::workspace::layout::Layout::default();
    let opts = queries::Options {
        include_tests: false,
        config: &config,
        layout: &layout,
    };
    let path = Path::new("/nonexistent/src/x.rs");
    // What a run does with a file: the token scan, and for a file with a
    // needle the slicer and a parse of what it left.
    let mut toks = Vec::new();
    let needles = QueryNeedles::new(model(), &config);
    let scanned = needles.scan(&text, &mut toks).ok();
    // The byte gate before the scan never stops a needle, nor loses a
    // name the file calls.
    if let (Some(words), Some(s)) = (needles.without_needle(&text), &scanned) {
        assert!(s.hits.is_empty(), "the byte gate stopped a needle");
        for h in s.words.hashes() {
            assert!(words.any_of(&[*h]), "the byte gate lost a called name");
        }
    }
    let sliced = scanned
        .filter(|s| !s.hits.is_empty())
        .and_then(|s| tenant_lint::incremental::slice::blank(&text, &toks, &s.hits, Default::default()));
    for failure in [
        parse::lex_check(&text).err(),
        parse::with_parsed(&text, |f| {
            queries::extract(f, "src/x.rs", path, model(), &opts);
        })
        .err(),
        sliced.and_then(|s| {
            parse::with_parsed_shaped(&s.text, |f| {
                queries::extract(f, "src/x.rs", path, model(), &opts);
            })
            .err()
        }),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            !failure.message.starts_with("internal error"),
            "{}",
            failure.message
        );
    }
});
