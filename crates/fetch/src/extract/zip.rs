//! Zip extraction. Every entry of the central directory is checked first (name, kind, size,
//! link target), so nothing is written for a hostile zip. Then directories are created, files
//! are written in parallel (zip entries are independent: each rayon task opens its own handle
//! on the archive and shares the parsed central directory), and links are made last, so no
//! file can be written through one.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use zip::read::ZipArchiveMetadata;
use zip::{CompressionMethod, ZipArchive, ZipReadOptions};

use super::entry_path::{entry_path, symlink_target};
use super::tree::{CopyError, DestTree, Node, write_new_file};
use super::{ArchiveLocation, ExtractError, ExtractLimits, ExtractSummary, UnsafeReason};

/// Unix file-type bits, as zip's external attributes carry them.
const S_IFMT: u32 = 0o170_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFREG: u32 = 0o100_000;

/// The longest symbolic link target read from an entry (Linux's PATH_MAX).
const MAX_LINK_TARGET: u64 = 4096;

/// Read block per worker: most entries of image datasets fit in one read and one write.
const COPY_BUFFER: usize = 256 << 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File { executable: bool },
    Symlink,
}

/// One entry, checked, with where it goes.
struct Planned {
    index: usize,
    name: String,
    rel: PathBuf,
    kind: Kind,
    size: u64,
}

/// Extracts the zip `archive` into `dest`; see the module documentation.
pub(super) fn extract_zip(
    archive: &Path,
    dest: &Path,
    limits: &ExtractLimits,
) -> Result<ExtractSummary, ExtractError> {
    let file = File::open(archive).map_err(|source| ExtractError::Open {
        archive: archive.to_path_buf(),
        source,
    })?;
    let mut zip = ZipArchive::new(BufReader::new(file))
        .map_err(|err| corrupt(archive, ArchiveLocation::Index, err.into()))?;
    let meta = zip.metadata();
    if meta.len() as u64 > limits.max_entries {
        return Err(ExtractError::TooManyEntries {
            archive: archive.to_path_buf(),
            limit: limits.max_entries,
        });
    }
    let plan = plan_entries(archive, &meta, limits)?;

    let mut tree = DestTree::new(archive, dest)?;
    for entry in &plan {
        match entry.kind {
            Kind::Dir => {}
            Kind::File { .. } => tree.claim(&entry.name, &entry.rel, Node::File)?,
            Kind::Symlink => tree.claim(&entry.name, &entry.rel, Node::Symlink)?,
        }
    }
    let mut links = Vec::new();
    for entry in &plan {
        tree.check_parents(&entry.name, &entry.rel)?;
        match entry.kind {
            Kind::Dir => tree.check_dir_claim(&entry.name, &entry.rel)?,
            Kind::Symlink => {
                let raw = read_link_target(archive, &mut zip, entry)?;
                let target = symlink_target(&entry.rel, &raw)
                    .map_err(|reason| tree.refuse(&entry.name, reason))?;
                links.push((entry, target));
            }
            Kind::File { .. } => {}
        }
    }

    // Everything is checked: from here on the archive is written.
    for entry in &plan {
        match entry.kind {
            Kind::Dir => tree.make_dirs(&entry.name, &entry.rel)?,
            _ => tree.make_parents(&entry.name, &entry.rel)?,
        }
    }
    let files: Vec<&Planned> = plan
        .iter()
        .filter(|e| matches!(e.kind, Kind::File { .. }))
        .collect();
    // Several contiguous chunks per thread: reads stay sequential within a chunk, and rayon
    // balances uneven chunks by stealing.
    let chunk_len = files
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1);
    let root = tree.root().to_path_buf();
    let written = files
        .par_chunks(chunk_len)
        .map(|chunk| write_chunk(archive, &meta, &root, chunk))
        .collect::<Result<Vec<u64>, ExtractError>>()?;
    tree.summary.files += files.len() as u64;
    tree.summary.bytes += written.iter().sum::<u64>();

    for (entry, target) in links {
        tree.make_symlink(&entry.rel, &target)?;
    }
    Ok(tree.summary)
}

/// Checks every entry's name, kind and size, without writing anything.
fn plan_entries(
    archive: &Path,
    meta: &ZipArchiveMetadata,
    limits: &ExtractLimits,
) -> Result<Vec<Planned>, ExtractError> {
    let mut plan = Vec::with_capacity(meta.len());
    let mut total = 0u64;
    for index in 0..meta.len() {
        let at = || ArchiveLocation::EntryIndex(index);
        let entry = meta
            .entry(index)
            .map_err(|err| corrupt(archive, at(), err.into()))?;
        let name = entry
            .name()
            .map_err(|err| corrupt(archive, at(), err.into()))?
            .into_owned();
        let refuse = |reason| ExtractError::UnsafeEntry {
            archive: archive.to_path_buf(),
            entry: name.clone(),
            reason,
        };
        let unsupported = |what: String| ExtractError::Unsupported {
            archive: archive.to_path_buf(),
            entry: name.clone(),
            what,
        };
        if entry.encrypted() {
            return Err(unsupported("encryption".into()));
        }
        let method = entry.compression();
        if !matches!(
            method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(unsupported(format!("compression method {method}")));
        }
        let mode = entry.unix_mode().unwrap_or(0);
        let kind = match mode & S_IFMT {
            _ if name.ends_with('/') => Kind::Dir,
            S_IFDIR => Kind::Dir,
            S_IFLNK => Kind::Symlink,
            0 | S_IFREG => Kind::File {
                executable: mode & 0o111 != 0,
            },
            0o010_000 => return Err(refuse(UnsafeReason::SpecialFile { kind: "FIFO" })),
            0o140_000 => return Err(refuse(UnsafeReason::SpecialFile { kind: "socket" })),
            _ => {
                return Err(refuse(UnsafeReason::SpecialFile {
                    kind: "device file",
                }));
            }
        };
        let rel = match (entry_path(name.as_bytes()).map_err(refuse)?, kind) {
            (Some(rel), _) => rel,
            // `./`: the destination itself.
            (None, Kind::Dir) => continue,
            (None, _) => return Err(refuse(UnsafeReason::Empty)),
        };
        let size = entry.size();
        if let Kind::File { .. } = kind {
            if size > limits.max_entry_bytes {
                return Err(ExtractError::EntryTooLarge {
                    archive: archive.to_path_buf(),
                    entry: name,
                    size,
                    limit: limits.max_entry_bytes,
                });
            }
            total = total.saturating_add(size);
            if total > limits.max_total_bytes {
                return Err(ExtractError::TotalTooLarge {
                    archive: archive.to_path_buf(),
                    limit: limits.max_total_bytes,
                });
            }
        }
        plan.push(Planned {
            index,
            name,
            rel,
            kind,
            size,
        });
    }
    Ok(plan)
}

/// The raw target of a symlink entry (its content).
fn read_link_target(
    archive: &Path,
    zip: &mut ZipArchive<BufReader<File>>,
    entry: &Planned,
) -> Result<Vec<u8>, ExtractError> {
    let at = || ArchiveLocation::Entry(entry.name.clone());
    let file = zip
        .by_index(entry.index)
        .map_err(|err| corrupt(archive, at(), err.into()))?;
    let mut target = Vec::new();
    file.take(MAX_LINK_TARGET + 1)
        .read_to_end(&mut target)
        .map_err(|err| corrupt(archive, at(), err))?;
    if target.len() as u64 > MAX_LINK_TARGET {
        return Err(ExtractError::UnsafeEntry {
            archive: archive.to_path_buf(),
            entry: entry.name.clone(),
            reason: UnsafeReason::LinkTargetMalformed {
                target: String::from_utf8_lossy(&target[..64]).into_owned() + "…",
            },
        });
    }
    Ok(target)
}

/// Writes one chunk of file entries through its own handle on the archive; returns the bytes
/// written.
fn write_chunk(
    archive: &Path,
    meta: &ZipArchiveMetadata,
    root: &Path,
    chunk: &[&Planned],
) -> Result<u64, ExtractError> {
    let mut reader = File::open(archive).map_err(|source| ExtractError::Open {
        archive: archive.to_path_buf(),
        source,
    })?;
    let mut buf = vec![0u8; COPY_BUFFER];
    let mut bytes = 0;
    for entry in chunk {
        let Kind::File { executable } = entry.kind else {
            continue;
        };
        let at = || ArchiveLocation::Entry(entry.name.clone());
        let mut data = meta
            .entry(entry.index)
            .and_then(|e| e.with_reader(&mut reader, ZipReadOptions::new()))
            .map_err(|err| corrupt(archive, at(), err.into()))?;
        let path = root.join(&entry.rel);
        bytes += match write_new_file(&path, &mut data, entry.size, executable, &mut buf) {
            Ok(n) => n,
            Err(CopyError::Read(err)) => return Err(corrupt(archive, at(), err)),
            Err(CopyError::Write(source)) => return Err(ExtractError::Write { path, source }),
            Err(CopyError::Exceeded) => {
                return Err(ExtractError::SizeMismatch {
                    archive: archive.to_path_buf(),
                    entry: entry.name.clone(),
                    declared: entry.size,
                });
            }
        };
    }
    Ok(bytes)
}

fn corrupt(archive: &Path, at: ArchiveLocation, source: io::Error) -> ExtractError {
    ExtractError::Corrupt {
        archive: archive.to_path_buf(),
        at,
        source,
    }
}
