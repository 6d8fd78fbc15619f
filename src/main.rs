//! The `plansim` command: parses the command line and hands over to `cli`; the one place that
//! prints an error and picks the exit status (0 success, 1 bad input or failed run, 2 bad usage,
//! which clap reports itself; a run stopped by Ctrl-C or SIGTERM is a failed run, 1).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let invocation: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match cli::execute(args, &invocation) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<cli::Interrupted>().is_some() {
                ExitCode::from(cli::INTERRUPTED_EXIT as u8)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
