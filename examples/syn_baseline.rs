//! Reference point for `bench/run.sh`: the cheapest possible "read every Rust
//! file and build a syn AST" pass, with no analysis at all.
//!
//! It walks the given directories with the same `ignore::WalkBuilder` filters
//! the linter uses, then parses every `.rs` file with `syn::parse_file` in a
//! rayon pool (64 MiB stacks, like the linter). Linter timings are reported as
//! a ratio to this one.
//!
//! Usage: `syn_baseline [--jobs N] DIR...`
//! Prints: `files=N lines=L parsed=P failed=F` (failed files also go to stderr).

use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let mut jobs = 0; // 0 = rayon default (all cores)
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--jobs" {
            jobs = args
                .next()
                .and_then(|n| n.parse().ok())
                .expect("--jobs needs a number");
        } else {
            dirs.push(PathBuf::from(arg));
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: syn_baseline [--jobs N] DIR...");
        std::process::exit(2);
    }

    let mut walk = ignore::WalkBuilder::new(&dirs[0]);
    for dir in &dirs[1..] {
        walk.add(dir);
    }
    let files: Vec<PathBuf> = walk
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();

    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .num_threads(jobs)
        .build()
        .expect("thread pool");
    let lines = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    pool.install(|| {
        files.par_iter().for_each(|path| {
            let ok = match std::fs::read_to_string(path) {
                Ok(src) => {
                    lines.fetch_add(src.lines().count(), Ordering::Relaxed);
                    let res = syn::parse_file(&src);
                    if let Err(e) = &res {
                        let at = e.span().start();
                        eprintln!("{}:{}:{}: {e}", path.display(), at.line, at.column + 1);
                    }
                    res.is_ok()
                }
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    false
                }
            };
            // Spans of a parsed file are no longer needed; free them so memory stays flat.
            proc_macro2::extra::invalidate_current_thread_spans();
            if !ok {
                failed.fetch_add(1, Ordering::Relaxed);
            }
        });
    });

    let failed = failed.into_inner();
    println!(
        "files={} lines={} parsed={} failed={failed}",
        files.len(),
        lines.into_inner(),
        files.len() - failed
    );
}
