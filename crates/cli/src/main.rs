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
            for line in error_lines(&err) {
                eprintln!("{line}");
            }
            ExitCode::FAILURE
        }
    }
}

/// `error: …` then one `caused by: …` per cause. Many errors already quote their cause in
/// their own message (`wiki.mat: … at byte 12`), so a cause that the line above contains
/// word for word is not printed again.
fn error_lines(err: &anyhow::Error) -> Vec<String> {
    let mut lines = vec![format!("error: {}", printable(&err.to_string()))];
    let mut previous = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !previous.contains(&text) {
            lines.push(format!("  caused by: {}", printable(&text)));
        }
        previous = text;
    }
    lines
}

/// Errors quote names and bytes from hostile input (an archive entry called
/// `..\x1b[31m…`): control characters are shown escaped, never sent to the terminal.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that quotes its cause in its message and also exposes it as `source`.
    #[derive(Debug)]
    struct Quoting {
        file: &'static str,
        source: std::io::Error,
    }

    impl std::fmt::Display for Quoting {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}:3: bad row: {}", self.file, self.source)
        }
    }

    impl std::error::Error for Quoting {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    /// Regression: an archive entry named with escape sequences reached the terminal raw.
    #[test]
    fn control_characters_in_errors_are_escaped() {
        let err = anyhow::anyhow!("entry `../\u{1b}[31mRED\u{1b}[0m\u{7}` is refused");
        assert_eq!(
            error_lines(&err),
            ["error: entry `../\\u{1b}[31mRED\\u{1b}[0m\\u{7}` is refused"]
        );
    }

    /// Regression: every cause that its error quotes was printed twice.
    #[test]
    fn a_cause_quoted_by_its_error_is_printed_once() {
        let err = anyhow::Error::new(Quoting {
            file: "a.txt",
            source: std::io::Error::other("disk on fire"),
        })
        .context("could not read the val annotations");
        assert_eq!(
            error_lines(&err),
            [
                "error: could not read the val annotations",
                "  caused by: a.txt:3: bad row: disk on fire",
            ]
        );
    }
}
