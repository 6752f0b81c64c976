//! Embeds a fingerprint of the analyser's source and rule data, so a cache
//! written by one build is never trusted by another (the crate version
//! alone does not change between development builds).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

fn visit(dir: &Path, h: &mut DefaultHasher) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            visit(&p, h);
        } else if let Ok(bytes) = std::fs::read(&p) {
            p.to_string_lossy().hash(h);
            bytes.hash(h);
        }
    }
}

fn main() {
    // The platform built for, so tests can ask cargo about the dependencies
    // of this platform only.
    if let Ok(target) = std::env::var("TARGET") {
        println!("cargo:rustc-env=TARGET_TRIPLE={target}");
    }
    let mut h = DefaultHasher::new();
    // The source and the ORM knowledge files beside it (src/orm/).
    println!("cargo:rerun-if-changed=src");
    visit(Path::new("src"), &mut h);
    println!("cargo:rerun-if-changed=Cargo.lock");
    if let Ok(lock) = std::fs::read("Cargo.lock") {
        lock.hash(&mut h);
    }
    println!("cargo:rustc-env=TENANT_LINT_BUILD_ID={:016x}", h.finish());
}
