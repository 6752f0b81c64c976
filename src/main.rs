use clap::Parser;

// Parsing allocates and frees millions of small syn nodes: with the system
// allocator malloc/free were ~35% of a cold run (perf, 600k-line bench
// corpus); mimalloc cut the cold run by ~45%.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = tenant_lint::cli::Cli::parse();
    std::process::exit(tenant_lint::cli::run(cli));
}
