//! Safe extraction of zip, tar and tar.gz archives into a destination directory.
//!
//! Every entry name is checked here, before anything is written for it; the archive crates'
//! own checks are not relied on (`shared/research/crates.md`: `tar` silently skips `../x` and
//! creates symlinks pointing out, `zip` normalises names). The policy:
//!
//! - a name must be relative and stay inside the destination: no leading `/`, no `..`
//!   component, no Windows drive prefix, no backslash, no NUL;
//! - a symbolic link must be relative, may only climb (`..`) at its start and not above the
//!   destination; `a/../b` in a link target is refused because `a` could itself be a link;
//! - a hard link must name a regular file extracted earlier from the same archive;
//! - nothing is ever written through a symbolic link: an entry whose parent is a link of the
//!   archive (or any non-directory already in the destination) is refused, and regular files
//!   are created with `create_new`, so an existing file or link is never followed or replaced;
//! - device files, FIFOs and sockets are refused.
//!
//! A refusal is [`ExtractError::UnsafeEntry`], naming the entry, and ends the extraction.
//! For a zip every entry of the central directory is checked (names, link targets, sizes)
//! before the first byte is written, so nothing at all is written for a hostile zip. A tar is
//! a stream: entries before the first unsafe one are already in `dest`, so callers extract into
//! a temporary directory they remove on error ([`crate::install`] does).
//!
//! Against archive bombs, [`ExtractLimits`] bounds each entry, the total and the entry count;
//! a zip entry that inflates past its declared size is an error.
//!
//! Speed: zip entries are extracted in parallel with rayon, each worker reading through its
//! own file handle; a tar.gz is inflated (flate2 on zlib-rs) on its own thread while the
//! calling thread writes the files.

mod entry_path;
mod error;
mod inflate;
mod tar;
mod tree;
mod zip;

use std::path::Path;

use zukan_schema::ArchiveKind;

pub use error::{ArchiveLocation, ExtractError, UnsafeReason};

/// What an extraction wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractSummary {
    /// Regular files written (hard links included).
    pub files: u64,
    /// Directories created.
    pub dirs: u64,
    /// Symbolic links created.
    pub symlinks: u64,
    /// Bytes of file content written.
    pub bytes: u64,
}

/// Bounds that stop an archive bomb before it fills the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractLimits {
    /// The largest single entry, in bytes.
    pub max_entry_bytes: u64,
    /// The most bytes all entries together may hold.
    pub max_total_bytes: u64,
    /// The most entries an archive may hold.
    pub max_entries: u64,
}

impl Default for ExtractLimits {
    /// Generous for real datasets: the largest planned archive (IMDB-WIKI's `imdb_crop.tar`)
    /// is about 7 GB; ImageNet-sized trees stay under 256 GiB and ten million entries.
    fn default() -> Self {
        ExtractLimits {
            max_entry_bytes: 64 << 30,
            max_total_bytes: 256 << 30,
            max_entries: 10_000_000,
        }
    }
}

/// Extracts `archive` of the given kind into `dest` (created if missing) with the default
/// [`ExtractLimits`].
///
/// See the module documentation for what is refused. `ArchiveKind::File` is not an archive
/// and gives [`ExtractError::NotAnArchive`]; [`crate::install`] copies such files.
pub fn extract_archive(
    archive: &Path,
    kind: ArchiveKind,
    dest: &Path,
) -> Result<ExtractSummary, ExtractError> {
    extract_archive_with(archive, kind, dest, &ExtractLimits::default())
}

/// Like [`extract_archive`], with explicit limits.
pub fn extract_archive_with(
    archive: &Path,
    kind: ArchiveKind,
    dest: &Path,
    limits: &ExtractLimits,
) -> Result<ExtractSummary, ExtractError> {
    match kind {
        ArchiveKind::Zip => zip::extract_zip(archive, dest, limits),
        ArchiveKind::Tar => tar::extract_tar_file(archive, dest, limits, false),
        ArchiveKind::TarGz => tar::extract_tar_file(archive, dest, limits, true),
        ArchiveKind::File => Err(ExtractError::NotAnArchive {
            archive: archive.to_path_buf(),
        }),
    }
}
