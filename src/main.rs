use clap::Parser;

fn main() {
    let cli = tenant_lint::cli::Cli::parse();
    std::process::exit(tenant_lint::cli::run(cli));
}
