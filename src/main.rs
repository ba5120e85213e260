//! `cnnc`: parse the arguments, run the driver, exit with its status.

use clap::Parser;

fn main() {
    let cli = cnnc::cli::Cli::parse();
    std::process::exit(cnnc::driver::run(&cli));
}
