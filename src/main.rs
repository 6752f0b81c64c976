use clap::Parser;

// Parsing allocates and frees millions of small syn nodes; mimalloc makes
// that a third cheaper than the system allocator (see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = tenant_lint::cli::Cli::parse();
    std::process::exit(tenant_lint::cli::run(cli));
}
