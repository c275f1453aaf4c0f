//! The `drgdip` binary.

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = drgdip::cli::Cli::parse();
    match drgdip::cli::run(&cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("drgdip: error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
