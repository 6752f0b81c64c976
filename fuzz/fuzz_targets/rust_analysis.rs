//! Arbitrary bytes as a Rust file: decoding, the token check, parsing and
//! the whole query analysis (against the unscoped-query fixtures' tenant
//! model) must never panic; a caught panic surfaces as an "internal error"
//! failure, which is a crash here too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;
use tenant_lint::config::Config;
use tenant_lint::model::{queries, TenantModel};
use tenant_lint::parse;

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
    for failure in [parse::lex_check(&text).err(), {
        let config = Config::default();
        let opts = queries::Options {
            include_tests: false,
            config: &config,
        };
        parse::with_parsed(&text, |f| {
            queries::extract(
                f,
                "src/x.rs",
                Path::new("/nonexistent/src/x.rs"),
                model(),
                &opts,
            );
        })
        .err()
    }]
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
