//! `zukan demo`: the whole pipeline on the fixture release, through the real download path.
//!
//! The fixture release (`fixtures/widerface/`: zips in the official layout holding real
//! annotation files and real images) is served by an HTTP server on 127.0.0.1; the real
//! fetcher downloads it with its own checksum table, extracts it into a fresh data directory,
//! and the real parsers read it.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use zukan::{DataDir, ExportFormat, FetchOptions, PrepareOptions, Registry, Resource, Split};
use zukan_fetch::loopback::LoopbackServer;

use crate::dataset_cmds::print_summaries;
use crate::progress::TerminalProgress;

/// Arguments of `zukan demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The fixtures directory [default: the one in the zukan source tree].
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Where to put the data directory [default: a new directory under the system temp dir].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

const DEFAULT_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<()> {
    let fixtures = args
        .fixtures
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FIXTURES));
    let release = fixtures.join("widerface");
    let table_path = release.join("resources.json");
    let table = File::open(&table_path).with_context(|| {
        format!(
            "could not open the fixture checksum table {}",
            table_path.display()
        )
    })?;
    let mut resources: Vec<Resource> = serde_json::from_reader(BufReader::new(table))
        .with_context(|| format!("could not read {}", table_path.display()))?;

    let server =
        LoopbackServer::serve_dir(&release).context("could not start the loopback server")?;
    for r in &mut resources {
        r.urls = vec![server.url(&r.file_name)];
    }
    let data_dir_path = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("zukan-demo-{}", std::process::id())),
    };
    println!(
        "serving the fixture release {} at {}",
        release.display(),
        server.url("")
    );
    println!("data directory: {}", data_dir_path.display());

    let registry = Registry::new();
    let dataset = registry.require("widerface")?;
    let mut fetch = FetchOptions::from_env();
    // The demo is about the real download path: mirrors and offline mode from the
    // environment do not apply to a loopback release.
    fetch.mirror = None;
    fetch.offline = false;
    let mut options = PrepareOptions::new(DataDir::new(&data_dir_path), fetch);
    options.resources = Some(resources);
    let prepared = zukan::prepare(dataset, &options, Arc::new(TerminalProgress::new()))
        .context("could not fetch the fixture release")?;
    println!(
        "\nfetched, verified (sha256 + size) and extracted {} archives:",
        prepared.files.len()
    );
    for file in &prepared.files {
        let sha = file.sha256.to_string();
        println!(
            "  sha256 {}…  {:>8} bytes  {}",
            &sha[..16],
            file.size,
            file.path.display()
        );
    }
    println!("tree: {}\n", prepared.root.path().display());
    let splits = dataset.info().splits;
    print_summaries(dataset, &prepared.root, &splits)?;

    let out = data_dir_path.join("widerface-val.jsonl");
    let val = prepared
        .root
        .load(dataset, Split::Val)
        .map_err(|e| anyhow::anyhow!(e))?;
    let file = File::create(&out).with_context(|| format!("could not create {}", out.display()))?;
    let n = zukan::export(&val.samples, ExportFormat::Jsonl, BufWriter::new(file))?;
    println!("\nwrote {n} val samples as JSON Lines to {}", out.display());
    if let Some(first) = val.samples.first() {
        let line = zukan::jsonl::to_line(first)?;
        let shown: String = line.chars().take(160).collect();
        println!("first line: {shown}…");
    }
    println!(
        "\nnext: zukan stats widerface --data-dir {}",
        data_dir_path.display()
    );
    Ok(())
}
