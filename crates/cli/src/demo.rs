//! `zukan demo`: the whole pipeline on the fixture releases, through the real download path.
//!
//! Each fixture release (`fixtures/<dataset>/`: archives in the official layout holding real
//! annotation files, and real images where a real copy exists, with their own checksum table)
//! is served by an HTTP server on 127.0.0.1; the real fetcher downloads it, verifies it,
//! extracts it into a fresh data directory, and the real parsers read it. A registration-gated
//! release (Adience) has nothing to download: its files are copied into the data directory's
//! `manual/<dataset>/` folder, where a user puts them, and the same prepare imports them.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use zukan::{
    DataDir, Dataset, ExportFormat, FetchOptions, PrepareOptions, Registry, Resource, Split,
};
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

/// Runs the demo over every fixture release whose folder names a registered dataset.
pub fn run(args: &DemoArgs) -> Result<()> {
    let fixtures = args
        .fixtures
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FIXTURES));
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("zukan-demo-{}", std::process::id())),
    };
    println!("data directory: {}", data_dir.display());
    let registry = Registry::new();
    let mut releases = 0;
    for dataset in registry.iter() {
        let release = fixtures.join(dataset.info().name);
        if release.join("resources.json").is_file() {
            demo_one(dataset, &release, &data_dir)?;
            releases += 1;
        }
    }
    anyhow::ensure!(
        releases > 0,
        "no fixture release found under {}",
        fixtures.display()
    );
    println!(
        "\nnext: zukan stats widerface --data-dir {}",
        data_dir.display()
    );
    Ok(())
}

fn demo_one(dataset: &dyn Dataset, release: &Path, data_dir: &Path) -> Result<()> {
    let name = dataset.info().name;
    let table_path = release.join("resources.json");
    let table = File::open(&table_path)
        .with_context(|| format!("could not open the fixture table {}", table_path.display()))?;
    let mut resources: Vec<Resource> = serde_json::from_reader(BufReader::new(table))
        .with_context(|| format!("could not read {}", table_path.display()))?;

    let data = DataDir::new(data_dir);
    let manual_dir = data.manual(&name);
    // Kept alive until the fetch is done; a gated dataset has nothing to serve.
    let _server = if dataset.manual(&manual_dir).is_some() {
        // Registration-gated (Adience): no URL to fetch from. Do what a user does: put the
        // downloaded files in the manual folder, then fetch, which checks and imports them.
        println!(
            "\n== {name}: registration-gated; copying the fixture release {} into {}",
            release.display(),
            manual_dir.display()
        );
        place_manual_files(release, &resources, &manual_dir)?;
        None
    } else {
        let server =
            LoopbackServer::serve_dir(release).context("could not start the loopback server")?;
        for r in &mut resources {
            r.urls = vec![server.url(&r.file_name)];
        }
        println!(
            "\n== {name}: serving the fixture release {} at {}",
            release.display(),
            server.url("")
        );
        Some(server)
    };

    let mut fetch = FetchOptions::from_env();
    // The demo is about the real download path: a mirror or offline mode set in the
    // environment does not apply to a loopback release.
    fetch.mirror = None;
    fetch.offline = false;
    let mut options = PrepareOptions::new(data, fetch);
    options.resources = Some(resources);
    let prepared = zukan::prepare(dataset, &options, Arc::new(TerminalProgress::new()))
        .with_context(|| format!("could not fetch the {name} fixture release"))?;
    for file in &prepared.files {
        let sha = file.sha256.to_string();
        // A file with no checksum yet was only hashed: its sha256 becomes the record.
        let state = match prepared.newly_pinned.contains(&file.file_name) {
            true => "recorded",
            false => "verified",
        };
        println!(
            "{state:<9} sha256 {}…  {:>8} bytes  {}",
            &sha[..16],
            file.size,
            file.path.display()
        );
    }
    if !prepared.newly_pinned.is_empty() {
        println!(
            "recorded: no checksum is published for {}, so the sha256 seen now is the reference \
             every later fetch is checked against",
            prepared.newly_pinned.join(", ")
        );
    }
    println!("tree: {}\n", prepared.root.path().display());
    let splits = dataset.info().splits;
    print_summaries(dataset, &prepared.root, &splits)?;

    // Val is where WIDER Face has its public boxes; otherwise the first split.
    let split = if splits.contains(&Split::Val) {
        Split::Val
    } else {
        splits[0]
    };
    let out = data_dir.join(format!("{name}-{split}.jsonl"));
    let loaded = prepared
        .root
        .load(dataset, split)
        .map_err(|e| anyhow::anyhow!(e))?;
    let file = File::create(&out).with_context(|| format!("could not create {}", out.display()))?;
    let n = zukan::export(&loaded.samples, ExportFormat::Jsonl, BufWriter::new(file))?;
    println!(
        "wrote {n} {split} samples as JSON Lines to {}",
        out.display()
    );
    Ok(())
}

/// Copies the files of a gated fixture release's table into the manual folder, as a user
/// places what they downloaded after registering.
fn place_manual_files(release: &Path, resources: &[Resource], manual_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(manual_dir)
        .with_context(|| format!("could not create {}", manual_dir.display()))?;
    for r in resources {
        let (from, to) = (release.join(&r.file_name), manual_dir.join(&r.file_name));
        std::fs::copy(&from, &to)
            .with_context(|| format!("could not copy {} to {}", from.display(), to.display()))?;
    }
    Ok(())
}
