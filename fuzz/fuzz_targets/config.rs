//! Arbitrary text as `tenant-lint.toml`: loading never panics, and an
//! error points inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenant_lint::config::Config;

fuzz_target!(|text: &str| {
    let known = tenant_lint::rules::known_ids();
    if let Err(e) = Config::from_str(text, std::path::Path::new("tenant-lint.toml"), &known) {
        if let Some(span) = &e.span {
            assert!(span.end <= text.len(), "{e:?}");
        }
        assert!(!e.message.is_empty());
    }
});
