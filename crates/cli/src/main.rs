//! `zukan`: fetch, verify, read and export face and fine-grained vision datasets.
//!
//! This binary is a thin layer over the `zukan` crate: it parses arguments, draws progress
//! and prints results. Errors print as one message with its cause chain and exit non-zero;
//! user errors never show a backtrace.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod dataset_cmds;
mod demo;
mod nn_cmd;
mod progress;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Face and fine-grained vision datasets: fetched, proven byte-exact, read into one schema.
#[derive(Debug, Parser)]
#[command(name = "zukan", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the datasets zukan knows.
    List,
    /// Show a dataset's info card, its published files and what is installed.
    Info(dataset_cmds::InfoArgs),
    /// Download (or import with --from), verify and extract a dataset.
    Fetch(dataset_cmds::FetchArgs),
    /// Re-hash the downloaded files of a dataset against their published or recorded checksums.
    Verify(dataset_cmds::VerifyArgs),
    /// Count images, objects, ignored objects and problems per split.
    Stats(dataset_cmds::StatsArgs),
    /// Write a split's samples in an interchange format.
    Export(dataset_cmds::ExportArgs),
    /// Serve the fixture release on loopback, fetch it for real, summarise and export it.
    Demo(demo::DemoArgs),
    /// The model core: run Darknet models.
    #[command(subcommand)]
    Nn(NnCommand),
}

#[derive(Debug, Subcommand)]
enum NnCommand {
    /// Run a Darknet model on a tensor and write the raw output of its last layer.
    Run(nn_cmd::NnRunArgs),
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List => dataset_cmds::list(),
        Command::Info(args) => dataset_cmds::info(&args),
        Command::Fetch(args) => dataset_cmds::fetch(&args),
        Command::Verify(args) => dataset_cmds::verify(&args),
        Command::Stats(args) => dataset_cmds::stats(&args),
        Command::Export(args) => dataset_cmds::export(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Nn(NnCommand::Run(args)) => nn_cmd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so `zukan stats … | head` would panic on the closed pipe; a command-line
/// tool should end quietly instead, as `cat` does.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
