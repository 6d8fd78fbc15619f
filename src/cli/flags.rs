//! Flags that more than one command takes, each declared once and flattened into the commands'
//! arguments (`#[command(flatten)]`), so a flag means and reads the same everywhere.

use std::path::PathBuf;

use clap::Args;

/// `-o` of `run` and `batch`. (`merge` has no default: its own `-o` is required.)
#[derive(Debug, Args)]
pub struct OutputDir {
    /// Folder for the results, written in DIR/<scenario or batch name>/.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    pub output: PathBuf,
}

/// `-j` of `run` and `batch`.
#[derive(Debug, Args)]
pub struct Threads {
    /// Worker threads [default: one per core]. Results do not depend on it.
    #[arg(short = 'j', long = "threads", value_name = "THREADS", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

impl Threads {
    /// The threads the command will run on: as asked, or one per core.
    pub fn count(&self) -> usize {
        match self.threads {
            Some(n) => n as usize,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// As the job runner takes it: `None` for one per core.
    pub fn option(&self) -> Option<usize> {
        self.threads.map(|n| n as usize)
    }
}

/// What every command that writes results (`run`, `batch`, `merge`) takes.
#[derive(Debug, Args)]
pub struct WriteFlags {
    /// Replace DIR/<name>/ and everything in it if it exists (`batch` then starts again: its
    /// saved jobs go too).
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Do not draw plots (saves a few seconds; `plansim plot` can draw a result folder's later).
    #[arg(long)]
    pub no_plots: bool,
}
