//! The dataset commands: list, info, fetch, stats, export.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use zukan::{
    DataDir, Dataset, DatasetRoot, Expected, ExportFormat, FetchOptions, FileState, PrepareOptions,
    Provenance, Registry, Selection, Split, SplitSummary,
};

use crate::progress::TerminalProgress;

/// Where a reading command finds the dataset tree.
#[derive(Debug, Args)]
pub struct Location {
    /// A tree you already have, laid out as the official archives unpack (not verified).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The data directory [default: $ZUKAN_DATA_DIR, else the user cache dir + /zukan].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// The data directory: `--data-dir`, else `$ZUKAN_DATA_DIR` or the cache default. Something
/// there that is not a directory is refused at once, before it shows up as a stranger error
/// about a file inside it.
fn data_dir_of(flag: Option<&PathBuf>) -> Result<DataDir> {
    let data_dir = flag.map_or_else(DataDir::from_env, DataDir::new);
    let root = data_dir.root();
    if root.exists() && !root.is_dir() {
        bail!("the data directory {} is not a directory", root.display());
    }
    Ok(data_dir)
}

/// A folder the user names (`--from`, `--manual-dir`) must exist.
fn existing_dir(flag: &str, dir: Option<&PathBuf>) -> Result<()> {
    match dir {
        Some(dir) if !dir.is_dir() => bail!("{flag} {} is not a directory", dir.display()),
        _ => Ok(()),
    }
}

impl Location {
    fn data_dir(&self) -> Result<DataDir> {
        data_dir_of(self.data_dir.as_ref())
    }

    /// The tree to read: `--root`, else the installed one in the data directory.
    fn resolve(&self, dataset: &dyn Dataset) -> Result<DatasetRoot> {
        if let Some(root) = &self.root {
            if !root.is_dir() {
                bail!("--root {} is not a directory", root.display());
            }
            return Ok(DatasetRoot::user(root));
        }
        let info = dataset.info();
        let table = InstalledTable::read(dataset, &self.data_dir()?)?;
        let tree = table.tree;
        if table.rows.iter().all(|r| r.installed == Installed::No) {
            bail!(
                "{} is not fetched into {} yet: run `zukan fetch {}`, or pass --root DIR for a tree you already have",
                info.name,
                tree.display(),
                info.name
            );
        }
        let foreign: Vec<&str> = table
            .rows
            .iter()
            .filter(|r| r.installed == Installed::OtherBytes)
            .map(|r| r.resource.file_name.as_str())
            .collect();
        if !foreign.is_empty() {
            // The demo's fixture release lands here, and so would any other release.
            eprintln!(
                "note: {} in {} {} not the published release (other sha256 or size); reading it anyway",
                foreign.join(", "),
                tree.display(),
                if foreign.len() == 1 { "is" } else { "are" }
            );
        }
        Ok(DatasetRoot::verified(tree))
    }
}

/// Whether a file of the dataset's table is in the data directory's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Installed {
    /// Its marker holds the published (or recorded) sha256 and size.
    Yes,
    /// A marker is there, for other bytes: the demo's fixture release, or another release.
    OtherBytes,
    /// Not installed.
    No,
}

/// One file of the table, with its first-use record applied where none is published.
struct TableRow {
    resource: zukan::Resource,
    /// The record of a file whose authors publish no checksum.
    pin: Option<zukan::Pin>,
    installed: Installed,
}

/// The dataset's files as the data directory holds them (what `info` shows and what reading
/// an installed tree checks).
struct InstalledTable {
    tree: PathBuf,
    pins: zukan::Pins,
    rows: Vec<TableRow>,
}

impl InstalledTable {
    fn read(dataset: &dyn Dataset, data_dir: &DataDir) -> Result<Self> {
        let info = dataset.info();
        let tree = data_dir.tree(&info.name, &info.release);
        let markers = zukan_fetch::install::installed_resources(&tree);
        let pins = zukan::Pins::load(data_dir, &info.name)?;
        let published = dataset.resources();
        let mut table = published.clone();
        pins.apply(&mut table);
        let rows = table
            .into_iter()
            .zip(published)
            .map(|(resource, published)| {
                let installed = if zukan_fetch::install::is_installed(&tree, &resource) {
                    Installed::Yes
                } else if markers.contains(&resource.file_name) {
                    Installed::OtherBytes
                } else {
                    Installed::No
                };
                let pin = published
                    .sha256
                    .is_none()
                    .then(|| pins.entries.get(&resource.file_name).cloned())
                    .flatten();
                TableRow {
                    resource,
                    pin,
                    installed,
                }
            })
            .collect();
        Ok(InstalledTable { tree, pins, rows })
    }
}

fn parse_splits(dataset: &dyn Dataset, splits: &[Split]) -> Result<Vec<Split>> {
    let available = dataset.info().splits;
    for split in splits {
        if !available.contains(split) {
            let names: Vec<String> = available.iter().map(Split::to_string).collect();
            bail!(
                "{} has no split `{split}` (it has: {})",
                dataset.info().name,
                names.join(", ")
            );
        }
    }
    Ok(if splits.is_empty() {
        available
    } else {
        splits.to_vec()
    })
}

/// `zukan list`.
pub fn list() -> Result<()> {
    let registry = Registry::new();
    println!("{:<12} {:<16} title", "name", "splits");
    for dataset in registry.iter() {
        let info = dataset.info();
        println!(
            "{:<12} {:<16} {}",
            info.name,
            split_range(&info.splits),
            info.title
        );
    }
    Ok(())
}

/// `train,val,test`, or `fold1..fold10` for a run of folds.
fn split_range(splits: &[Split]) -> String {
    match (splits.first(), splits.last()) {
        (Some(Split::Fold(a)), Some(Split::Fold(b))) if splits.len() > 2 => {
            format!("fold{a}..fold{b}")
        }
        _ => splits
            .iter()
            .map(Split::to_string)
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Arguments of `zukan info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Dataset name (see `zukan list`).
    pub name: String,
    #[command(flatten)]
    pub location: Location,
}

/// `zukan info NAME`.
pub fn info(args: &InfoArgs) -> Result<()> {
    let registry = Registry::new();
    let dataset = registry.require(&args.name)?;
    let info = dataset.info();
    println!("{} — {} (release {})", info.name, info.title, info.release);
    println!("homepage:  {}", info.homepage);
    println!("license:   {}", info.license);
    let splits: Vec<String> = info.splits.iter().map(Split::to_string).collect();
    println!("splits:    {}", splits.join(", "));
    if !info.class_names.is_empty() {
        println!("classes:   {}", info.class_names.join(", "));
    }
    println!("\n{}\n", info.description.trim());
    if let Some(clean) = dataset.clean() {
        println!("--clean keeps: {}\n", clean.description);
    }
    let table = InstalledTable::read(dataset, &args.location.data_dir()?)?;
    println!("files (sha256 and size checked before use):");
    for TableRow {
        resource: r,
        pin,
        installed,
    } in &table.rows
    {
        let state = match installed {
            Installed::Yes => "installed",
            Installed::OtherBytes => "installed from other bytes: not this release",
            Installed::No => "not fetched",
        };
        let size = r
            .size
            .map_or("size unknown".to_owned(), |s| format!("{s} bytes"));
        let sha = r
            .sha256
            .map_or("sha256 unknown".to_owned(), |s| s.to_string());
        println!("  {:<22} {:>18}  {}  [{state}]", r.file_name, size, sha);
        for url in &r.urls {
            println!("  {:<22} from: {url}", "");
        }
        match pin {
            Some(pin) => println!(
                "  {:<22} checksums recorded at first use ({}) in {}; none is published",
                "",
                pin.recorded_on(),
                table.pins.path().display()
            ),
            None => println!("  {:<22} checksums from: {}", "", r.checksum_source),
        }
    }
    let tree = &table.tree;
    println!("\ndata dir tree: {}", tree.display());
    if let Some(root) = &args.location.root {
        println!(
            "--root {}: a tree you provide; its files are not verified by checksum",
            root.display()
        );
    }
    println!("\ncitation:\n{}", info.citation.trim());
    Ok(())
}

/// Arguments of `zukan fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Dataset name (see `zukan list`).
    pub name: String,
    /// Only the files these splits need (repeatable) [default: every split].
    #[arg(long = "split", value_name = "SPLIT")]
    pub splits: Vec<Split>,
    /// Only this file of the dataset's table (repeatable; `zukan info NAME` lists them),
    /// e.g. `--file wiki_crop.tar` for IMDB-WIKI without the IMDb part.
    #[arg(long = "file", value_name = "FILE")]
    pub files: Vec<String>,
    /// Take the archives from this directory instead of downloading them (verified the same way).
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// The data directory [default: $ZUKAN_DATA_DIR, else the user cache dir + /zukan].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// For a registration-gated dataset (adience): the folder holding the files you
    /// downloaded by hand [default: $ZUKAN_DATA_DIR/manual/NAME].
    #[arg(long, value_name = "DIR", conflicts_with = "from")]
    pub manual_dir: Option<PathBuf>,
    /// Never touch the network (same as ZUKAN_OFFLINE=1).
    #[arg(long)]
    pub offline: bool,
}

/// `zukan fetch NAME`.
pub fn fetch(args: &FetchArgs) -> Result<()> {
    let registry = Registry::new();
    let dataset = registry.require(&args.name)?;
    let splits = parse_splits(dataset, &args.splits)?;
    let data_dir = data_dir_of(args.data_dir.as_ref())?;
    let mut fetch = FetchOptions::from_env();
    fetch.offline |= args.offline;
    let gated = dataset.manual(&data_dir.manual(&args.name)).is_some();
    if args.manual_dir.is_some() && !gated {
        bail!(
            "--manual-dir is for registration-gated datasets; {} downloads itself (use --from DIR for archives you already have)",
            args.name
        );
    }
    existing_dir("--from", args.from.as_ref())?;
    existing_dir("--manual-dir", args.manual_dir.as_ref())?;
    let options = PrepareOptions {
        data_dir: data_dir.clone(),
        fetch,
        splits: splits.clone(),
        files: args.files.clone(),
        from: args.manual_dir.clone().or_else(|| args.from.clone()),
        resources: None,
    };
    let prepared = zukan::prepare(dataset, &options, Arc::new(TerminalProgress::new()))
        .with_context(|| format!("could not fetch {}", args.name))?;
    for file in &prepared.newly_installed {
        eprintln!("installed {file}");
    }
    if !prepared.newly_pinned.is_empty() {
        eprintln!(
            "recorded the size and sha256 of {} in {}: the authors publish no checksum, so \
             these first verified copies are the reference every later fetch, import and \
             `zukan verify` is checked against",
            prepared.newly_pinned.join(", "),
            zukan::Pins::path_for(&data_dir, &args.name).display()
        );
    }
    println!(
        "{} is ready in {}",
        args.name,
        prepared.root.path().display()
    );
    print_summaries(dataset, &prepared.root, &splits)?;
    Ok(())
}

/// Arguments of `zukan verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Dataset name (see `zukan list`).
    pub name: String,
    /// The data directory [default: $ZUKAN_DATA_DIR, else the user cache dir + /zukan].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `zukan verify NAME`: exits non-zero when a downloaded file does not match.
pub fn verify(args: &VerifyArgs) -> Result<()> {
    let registry = Registry::new();
    let dataset = registry.require(&args.name)?;
    let data_dir = data_dir_of(args.data_dir.as_ref())?;
    let rows = zukan::verify(dataset, &data_dir)?;
    let mut bad = 0;
    let mut unchecked = 0;
    for row in &rows {
        let against = match &row.expected {
            Expected::Published(source) => format!("published checksum ({source})"),
            Expected::Pinned { recorded_at } => {
                format!(
                    "checksum recorded at first use ({}; none is published)",
                    zukan::utc_minute(*recorded_at)
                )
            }
            Expected::Unknown => "no checksum published or recorded yet".to_owned(),
        };
        match &row.state {
            FileState::Missing => println!("missing   {}  (not downloaded)", row.file_name),
            FileState::Good { sha256, size } if row.expected == Expected::Unknown => {
                unchecked += 1;
                println!(
                    "UNCHECKED {}  {size} bytes  sha256 {sha256}  ({against}: nothing to compare with)",
                    row.file_name
                )
            }
            FileState::Good { sha256, size } => {
                println!(
                    "ok        {}  {size} bytes  sha256 {sha256}  against {against}",
                    row.file_name
                )
            }
            FileState::Bad { expected, actual } => {
                bad += 1;
                let sha = expected.0.map_or("unknown".to_owned(), |s| s.to_string());
                let size = expected.1.map_or("unknown".to_owned(), |s| s.to_string());
                println!(
                    "MISMATCH  {}  expected {size} bytes sha256 {sha}, found {} bytes sha256 {}  ({})",
                    row.file_name,
                    actual.1,
                    actual.0,
                    row.path.display()
                );
            }
            FileState::Unreadable(e) => {
                bad += 1;
                println!("UNREADABLE {}  {e}", row.file_name);
            }
        }
    }
    if bad > 0 {
        bail!("{bad} file(s) of {} failed verification", args.name);
    }
    if unchecked > 0 {
        bail!(
            "{unchecked} file(s) of {} could not be checked: no checksum is published and none is recorded in {} (was it deleted?)",
            args.name,
            zukan::Pins::path_for(&data_dir, &args.name).display()
        );
    }
    if rows.iter().all(|r| matches!(r.state, FileState::Missing)) {
        bail!(
            "nothing of {} is downloaded in {}: run `zukan fetch {}` first",
            args.name,
            data_dir.root().display(),
            args.name
        );
    }
    Ok(())
}

/// Arguments of `zukan stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Dataset name (see `zukan list`).
    pub name: String,
    /// Only these splits (repeatable) [default: every split].
    #[arg(long = "split", value_name = "SPLIT")]
    pub splits: Vec<Split>,
    /// Print every diagnostic, not only the first ten.
    #[arg(long)]
    pub all_diagnostics: bool,
    /// Only the dataset's conventional clean subset (IMDB-WIKI; `zukan info` says which).
    #[arg(long)]
    pub clean: bool,
    #[command(flatten)]
    pub location: Location,
}

/// `zukan stats NAME`.
pub fn stats(args: &StatsArgs) -> Result<()> {
    let registry = Registry::new();
    let dataset = registry.require(&args.name)?;
    let splits = parse_splits(dataset, &args.splits)?;
    let root = args.location.resolve(dataset)?;
    if root.provenance == Provenance::Unverified {
        eprintln!(
            "note: {} was not fetched by zukan; its files are not verified by checksum",
            root.path().display()
        );
    }
    let limit = if args.all_diagnostics { usize::MAX } else { 10 };
    let clean = clean_selection(dataset, args.clean)?;
    // Without --split, a split whose annotation file is not there (only val fetched, a
    // --root tree holding part of a release) is skipped with a note, not an error.
    let skip_absent = args.splits.is_empty();
    print_summaries_with(dataset, &root, &splits, limit, clean.as_ref(), skip_absent)
}

/// The dataset's clean selection when `--clean` is given; an error if it has none.
fn clean_selection(dataset: &dyn Dataset, wanted: bool) -> Result<Option<Selection>> {
    if !wanted {
        return Ok(None);
    }
    match dataset.clean() {
        Some(selection) => {
            eprintln!("clean: {}", selection.description);
            Ok(Some(selection))
        }
        None => bail!(
            "{} has no clean selection: every sample is usable as published",
            dataset.info().name
        ),
    }
}

/// Prints one summary line per split.
pub fn print_summaries(dataset: &dyn Dataset, root: &DatasetRoot, splits: &[Split]) -> Result<()> {
    print_summaries_with(dataset, root, splits, 3, None, false)
}

/// Whether a load failed because a file it needs does not exist (as opposed to a file that
/// is there but unreadable or malformed, which is always an error).
fn is_absent(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
        {
            return true;
        }
        cause = e.source();
    }
    false
}

fn print_summaries_with(
    dataset: &dyn Dataset,
    root: &DatasetRoot,
    splits: &[Split],
    diagnostics: usize,
    clean: Option<&Selection>,
    skip_absent: bool,
) -> Result<()> {
    let header = || {
        println!(
            "{:<6} {:>8} {:>9} {:>8} {:>10} {:>11} {:>8} {:>11}",
            "split",
            "images",
            "objects",
            "ignored",
            "no-object",
            "degenerate",
            "missing",
            "diagnostics"
        )
    };
    let mut printed_header = false;
    let mut absent = Vec::new();
    for &split in splits {
        let mut loaded = match root.load(dataset, split) {
            Ok(loaded) => loaded,
            Err(e) if skip_absent && is_absent(e.as_ref()) => {
                absent.push((split, e.to_string()));
                continue;
            }
            Err(e) => {
                return Err(anyhow::anyhow!(e)).with_context(|| {
                    format!(
                        "could not read the {split} annotations of {}",
                        dataset.info().name
                    )
                });
            }
        };
        if !printed_header {
            header();
            printed_header = true;
        }
        if let Some(clean) = clean {
            let all = loaded.samples.len();
            loaded.samples = clean.select(loaded.samples);
            eprintln!("{split}: clean keeps {} of {all}", loaded.samples.len());
        }
        let s = SplitSummary::of(split, &loaded.samples);
        let missing = root.missing_images(&loaded.samples);
        // A split without boxes by design (WIDER test, face crops): zero objects would read
        // as "no faces".
        let unboxed = !loaded.samples.is_empty() && loaded.samples.iter().all(|s| !s.boxed);
        let boxed = |n: usize| match unboxed {
            true => "-".to_owned(),
            false => n.to_string(),
        };
        println!(
            "{:<6} {:>8} {:>9} {:>8} {:>10} {:>11} {:>8} {:>11}",
            split.to_string(),
            s.images,
            boxed(s.objects),
            boxed(s.ignored),
            boxed(s.images_without_objects),
            boxed(s.degenerate_boxes),
            missing,
            loaded.diagnostics.len()
        );
        for d in loaded.diagnostics.iter().take(diagnostics) {
            println!("       {}", crate::printable(&d.to_string()));
        }
        if loaded.diagnostics.len() > diagnostics {
            println!(
                "       … {} more (zukan stats --all-diagnostics)",
                loaded.diagnostics.len() - diagnostics
            );
        }
    }
    if let (false, Some((split, reason))) = (printed_header, absent.first()) {
        bail!(
            "no split of {} could be read under {}: {split}: {reason}",
            dataset.info().name,
            root.path().display()
        );
    }
    for (split, reason) in absent {
        eprintln!("note: skipped {split}: {reason}");
    }
    Ok(())
}

/// Arguments of `zukan export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Dataset name (see `zukan list`).
    pub name: String,
    /// The split to export.
    #[arg(long)]
    pub split: Split,
    /// Output format: jsonl.
    #[arg(long, default_value = "jsonl")]
    pub format: ExportFormat,
    /// Output file (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only the dataset's conventional clean subset (IMDB-WIKI; `zukan info` says which).
    #[arg(long)]
    pub clean: bool,
    #[command(flatten)]
    pub location: Location,
}

/// `zukan export NAME --split S --format F --out FILE`.
pub fn export(args: &ExportArgs) -> Result<()> {
    let registry = Registry::new();
    let dataset = registry.require(&args.name)?;
    parse_splits(dataset, &[args.split])?;
    let clean = clean_selection(dataset, args.clean)?;
    let root = args.location.resolve(dataset)?;
    let mut loaded = root
        .load(dataset, args.split)
        .map_err(|e| anyhow::anyhow!(e))
        .with_context(|| {
            format!(
                "could not read the {} annotations of {}",
                args.split, args.name
            )
        })?;
    if let Some(clean) = &clean {
        let all = loaded.samples.len();
        loaded.samples = clean.select(loaded.samples);
        eprintln!("clean keeps {} of {all} samples", loaded.samples.len());
    }
    let to_stdout = args.out.as_os_str() == "-";
    let n = if to_stdout {
        zukan::export(&loaded.samples, args.format, std::io::stdout().lock())
            .context("could not write to standard output")?
    } else {
        let file = File::create(&args.out)
            .with_context(|| format!("could not create {}", args.out.display()))?;
        zukan::export(&loaded.samples, args.format, BufWriter::new(file))
            .with_context(|| format!("could not write {}", args.out.display()))?
    };
    let missing = root.missing_images(&loaded.samples);
    match to_stdout {
        true => eprintln!("wrote {n} samples to standard output"),
        false => eprintln!("wrote {n} samples to {}", args.out.display()),
    }
    if missing > 0 {
        eprintln!(
            "note: {missing} of {n} images are not on disk under {}",
            root.path().display()
        );
    }
    if !loaded.diagnostics.is_empty() {
        let root_arg = args
            .location
            .root
            .as_ref()
            .map_or(String::new(), |r| format!(" --root {}", r.display()));
        eprintln!(
            "note: {} source diagnostics (see `zukan stats {} --split {}{root_arg}`)",
            loaded.diagnostics.len(),
            args.name,
            args.split
        );
    }
    Ok(())
}
