//! `cargo tenant-lint ...`: cargo runs `cargo-tenant-lint tenant-lint ...`.

use clap::Parser;

// Parsing allocates and frees millions of small syn nodes: with the system
// allocator malloc/free were ~35% of a cold run (perf, 600k-line bench
// corpus); mimalloc cut the cold run by ~45%.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "tenant-lint") {
        args.remove(1);
    }
    let cli = tenant_lint::cli::Cli::parse_from(args);
    std::process::exit(tenant_lint::cli::run(cli));
}
