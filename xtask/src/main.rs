//! `cargo xtask`: the one entry point for developer work, and a forwarder to the `zukan` CLI.
//!
//! Developer tasks: `ci` (fmt check, clippy with warnings denied, the whole test suite, the
//! fixture check), `demo`, `fixtures [--check]`, `bench fetch|nn|mat`. Anything else
//! (`fetch widerface`, `info widerface`, …) is forwarded to the `zukan` binary, so
//! `cargo xtask fetch widerface` and `zukan fetch widerface` are the same command.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod fixtures;
mod layering;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    let root = workspace_root();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        Some("ci") => ci(&root),
        Some("demo") => zukan(&root, &["demo"].into_iter().chain(rest).collect::<Vec<_>>()),
        Some("fixtures") => {
            fixtures::run(&root, rest.contains(&"--check"))?;
            Ok(ExitCode::SUCCESS)
        }
        Some("bench") => bench(&root, &rest),
        Some(_) => zukan(&root, &args.iter().map(String::as_str).collect::<Vec<_>>()),
    }
}

const HELP: &str = "\
cargo xtask <task>

developer tasks:
  ci                 fmt check, clippy -D warnings, cargo test --workspace, fixture check
  demo               fetch the fixture release over loopback, summarise, export (zukan demo)
  fixtures [--check] rebuild fixtures/ byte-identically from ../shared/real (or check them)
  bench fetch|nn|mat benchmarks, side by side with reference tools

anything else is forwarded to the zukan CLI, e.g.
  cargo xtask list
  cargo xtask fetch widerface --split val
  cargo xtask export widerface --split val --format jsonl --out val.jsonl
";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn step(root: &Path, name: &str, args: &[&str]) -> Result<()> {
    eprintln!("==> cargo {}", args.join(" "));
    let status = cargo()
        .args(args)
        .current_dir(root)
        .status()
        .with_context(|| format!("could not run cargo for {name}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn ci(root: &Path) -> Result<ExitCode> {
    step(root, "format check", &["fmt", "--all", "--", "--check"])?;
    step(
        root,
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    step(root, "tests", &["test", "--workspace", "--locked"])?;
    eprintln!("==> fixtures --check");
    fixtures::run(root, true)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the CLI in the caller's directory, so relative paths (`--out val.jsonl`, `--root`,
/// `--from`) mean what they mean to the user, not to the workspace root.
fn zukan(root: &Path, args: &[&str]) -> Result<ExitCode> {
    let manifest = root.join("Cargo.toml");
    let status = cargo()
        .arg("run")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--quiet", "--package", "zukan-cli", "--bin", "zukan", "--"])
        .args(args)
        .status()
        .context("could not run the zukan CLI")?;
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

fn bench(root: &Path, args: &[&str]) -> Result<ExitCode> {
    let benches: &[(&str, &str)] = match args.first() {
        Some(&"fetch") => &[
            ("zukan-fetch", "fetch"),
            ("zukan-fetch", "extract"),
            ("zukan-widerface", "parse"),
        ],
        Some(&"nn") => &[("zukan-nn", "nn")],
        Some(&"mat") => &[("zukan-mat", "mat")],
        _ => bail!("usage: cargo xtask bench fetch|nn|mat"),
    };
    for (package, bench) in benches {
        step(
            root,
            &format!("bench {bench}"),
            &["bench", "--package", package, "--bench", bench],
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
