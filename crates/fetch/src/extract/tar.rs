//! Tar and tar.gz extraction. A tar is a stream, so each entry is checked just before it is
//! written and the first unsafe one ends the extraction (entries before it stay in `dest`;
//! the caller extracts into a temporary directory). Links are made as they come; later
//! entries below a link are refused by [`DestTree::check_parents`].

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use tar::EntryType;

use super::entry_path::{entry_path, lossy, symlink_target};
use super::inflate::gunzip;
use super::tree::{CopyError, DestTree, Node, write_new_file};
use super::{ArchiveLocation, ExtractError, ExtractLimits, ExtractSummary, UnsafeReason};

/// Read block for file data; most image files take one read and one write.
const COPY_BUFFER: usize = 256 << 10;
/// Read buffer on an uncompressed tar file.
const FILE_BUFFER: usize = 1 << 20;

/// Extracts the tar (or, when `gzipped`, tar.gz) file `archive` into `dest`.
pub(super) fn extract_tar_file(
    archive: &Path,
    dest: &Path,
    limits: &ExtractLimits,
    gzipped: bool,
) -> Result<ExtractSummary, ExtractError> {
    let file = File::open(archive).map_err(|source| ExtractError::Open {
        archive: archive.to_path_buf(),
        source,
    })?;
    if gzipped {
        std::thread::scope(|scope| extract_tar(archive, gunzip(scope, file), dest, limits))
    } else {
        let reader = BufReader::with_capacity(FILE_BUFFER, file);
        extract_tar(archive, reader, dest, limits)
    }
}

/// Extracts the tar stream `reader` (read from `archive`) into `dest`.
fn extract_tar(
    archive: &Path,
    reader: impl Read,
    dest: &Path,
    limits: &ExtractLimits,
) -> Result<ExtractSummary, ExtractError> {
    let offset = Rc::new(Cell::new(0));
    let mut tar = tar::Archive::new(Counting {
        inner: reader,
        count: Rc::clone(&offset),
    });
    let corrupt_at_offset = |source| ExtractError::Corrupt {
        archive: archive.to_path_buf(),
        at: ArchiveLocation::Offset(offset.get()),
        source,
    };
    let mut tree = DestTree::new(archive, dest)?;
    let mut buf = vec![0u8; COPY_BUFFER];
    let mut entries_seen = 0u64;
    let mut total = 0u64;
    for item in tar.entries().map_err(corrupt_at_offset)? {
        let mut entry = item.map_err(corrupt_at_offset)?;
        entries_seen += 1;
        if entries_seen > limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                archive: archive.to_path_buf(),
                limit: limits.max_entries,
            });
        }
        let raw = entry.path_bytes().into_owned();
        let name = lossy(&raw);
        let kind = entry.header().entry_type();
        let checked = |tree: &DestTree<'_>| match entry_path(&raw) {
            Ok(Some(rel)) => Ok(Some(rel)),
            Ok(None) if kind.is_dir() => Ok(None),
            Ok(None) => Err(tree.refuse(&name, UnsafeReason::Empty)),
            Err(reason) => Err(tree.refuse(&name, reason)),
        };
        match kind {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                let Some(rel) = checked(&tree)? else { continue };
                let size = entry.size();
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
                tree.check_parents(&name, &rel)?;
                tree.claim(&name, &rel, Node::File)?;
                tree.make_parents(&name, &rel)?;
                let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
                let path = tree.root().join(&rel);
                let corrupt_entry = |source| ExtractError::Corrupt {
                    archive: archive.to_path_buf(),
                    at: ArchiveLocation::Entry(name.clone()),
                    source,
                };
                let written = match write_new_file(&path, &mut entry, size, executable, &mut buf) {
                    Ok(n) => n,
                    Err(CopyError::Read(err)) => return Err(corrupt_entry(err)),
                    Err(CopyError::Write(source)) => {
                        return Err(ExtractError::Write { path, source });
                    }
                    Err(CopyError::Exceeded) => {
                        return Err(ExtractError::SizeMismatch {
                            archive: archive.to_path_buf(),
                            entry: name,
                            declared: size,
                        });
                    }
                };
                if written != size {
                    return Err(corrupt_entry(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the stream ended after {written} of {size} bytes"),
                    )));
                }
                tree.summary.files += 1;
                tree.summary.bytes += written;
            }
            EntryType::Directory => {
                let Some(rel) = checked(&tree)? else { continue };
                tree.check_parents(&name, &rel)?;
                tree.check_dir_claim(&name, &rel)?;
                tree.make_dirs(&name, &rel)?;
            }
            EntryType::Symlink => {
                let Some(rel) = checked(&tree)? else { continue };
                let raw_target = entry.link_name_bytes().unwrap_or_default();
                let target = symlink_target(&rel, &raw_target)
                    .map_err(|reason| tree.refuse(&name, reason))?;
                tree.check_parents(&name, &rel)?;
                tree.claim(&name, &rel, Node::Symlink)?;
                tree.make_parents(&name, &rel)?;
                tree.make_symlink(&rel, &target)?;
            }
            EntryType::Link => {
                let Some(rel) = checked(&tree)? else { continue };
                let raw_target = entry.link_name_bytes().unwrap_or_default();
                let target = match entry_path(&raw_target) {
                    Ok(Some(target)) if tree.node(&target) == Some(Node::File) => target,
                    _ => {
                        let target = lossy(&raw_target);
                        return Err(tree.refuse(&name, UnsafeReason::HardlinkTarget { target }));
                    }
                };
                tree.check_parents(&name, &rel)?;
                tree.claim(&name, &rel, Node::File)?;
                tree.make_parents(&name, &rel)?;
                tree.make_hardlink(&rel, &target)?;
            }
            // Metadata the tar crate has already applied to the entries that follow.
            EntryType::XGlobalHeader
            | EntryType::XHeader
            | EntryType::GNULongName
            | EntryType::GNULongLink => {}
            EntryType::Char | EntryType::Block => {
                let kind = "device file";
                return Err(tree.refuse(&name, UnsafeReason::SpecialFile { kind }));
            }
            EntryType::Fifo => {
                let kind = "FIFO";
                return Err(tree.refuse(&name, UnsafeReason::SpecialFile { kind }));
            }
            other => {
                return Err(ExtractError::Unsupported {
                    archive: archive.to_path_buf(),
                    entry: name,
                    what: format!("tar entry type {:?}", other.as_byte() as char),
                });
            }
        }
    }
    Ok(tree.summary)
}

/// Counts the bytes read, to name the offset of a corrupt header.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}
