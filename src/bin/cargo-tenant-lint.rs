//! `cargo tenant-lint ...`: cargo runs `cargo-tenant-lint tenant-lint ...`.

use clap::Parser;

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "tenant-lint") {
        args.remove(1);
    }
    let cli = tenant_lint::cli::Cli::parse_from(args);
    std::process::exit(tenant_lint::cli::run(cli));
}
