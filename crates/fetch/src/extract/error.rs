//! The errors of extraction and installation, each naming the archive and the entry (or the
//! byte offset) it is about.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Where in an archive a read failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveLocation {
    /// The archive's index: a zip's central directory.
    Index,
    /// The entry with this name.
    Entry(String),
    /// The entry at this position in the zip central directory (its name could not be read).
    EntryIndex(usize),
    /// This byte offset in the (decompressed) tar stream.
    Offset(u64),
}

impl fmt::Display for ArchiveLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveLocation::Index => f.write_str("central directory"),
            ArchiveLocation::Entry(name) => write!(f, "entry `{name}`"),
            ArchiveLocation::EntryIndex(i) => write!(f, "entry #{i}"),
            ArchiveLocation::Offset(at) => write!(f, "byte offset {at} of the tar stream"),
        }
    }
}

/// Why an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeReason {
    /// The name is empty (or only `.` and `/`) for an entry that is not a directory.
    #[error("the name is empty")]
    Empty,
    /// The name holds a NUL byte.
    #[error("the name contains a NUL byte")]
    Nul,
    /// The name holds a backslash, a Windows separator that could hide `..\`.
    #[error("the name contains a backslash")]
    Backslash,
    /// The name starts with `/`.
    #[error("the path is absolute")]
    Absolute,
    /// The name starts with a Windows drive (`C:`).
    #[error("the path starts with a Windows drive prefix")]
    WindowsPrefix,
    /// The name has a `..` component.
    #[error("the path contains a `..` component")]
    ParentDir,
    /// The name is not valid text on a platform whose paths must be.
    #[error("the name is not valid UTF-8")]
    NotUnicode,
    /// A link target is absolute.
    #[error("link target `{target}` is absolute")]
    LinkTargetAbsolute {
        /// The target as the archive gives it.
        target: String,
    },
    /// A link target climbs above the destination.
    #[error("link target `{target}` resolves outside the destination")]
    LinkTargetOutside {
        /// The target as the archive gives it.
        target: String,
    },
    /// A link target has `..` after a name (`a/../b`); `a` could be a link itself.
    #[error("link target `{target}` has `..` after a directory name")]
    LinkTargetClimbsBack {
        /// The target as the archive gives it.
        target: String,
    },
    /// A link target is empty or holds NUL or a backslash.
    #[error("link target `{target}` is empty or malformed")]
    LinkTargetMalformed {
        /// The target as the archive gives it (lossy).
        target: String,
    },
    /// A hard link's target is not a regular file extracted earlier from this archive.
    #[error("hard link target `{target}` is not a file extracted earlier from this archive")]
    HardlinkTarget {
        /// The target as the archive gives it.
        target: String,
    },
    /// A parent of the entry is a symbolic link.
    #[error("its parent `{link}` is a symbolic link")]
    ThroughSymlink {
        /// The parent path that is a link.
        link: String,
    },
    /// A parent of the entry is a regular file.
    #[error("its parent `{parent}` is not a directory")]
    ParentNotDirectory {
        /// The parent path that is not a directory.
        parent: String,
    },
    /// An earlier entry has the same path.
    #[error("an earlier entry has the same path")]
    Duplicate,
    /// A device file, FIFO or socket.
    #[error("it is a {kind}, which is never extracted")]
    SpecialFile {
        /// What kind of special file.
        kind: &'static str,
    },
    /// The top-level name is reserved for zukan's own bookkeeping (`.zukan`).
    #[error("the top-level name is reserved for zukan")]
    ReservedName,
}

/// An extraction or installation failure.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The archive file could not be opened or read.
    #[error("cannot read archive {}", archive.display())]
    Open {
        /// The archive.
        archive: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// `ArchiveKind::File` was given to the extractor.
    #[error("{} is a plain file, not an archive", archive.display())]
    NotAnArchive {
        /// The file.
        archive: PathBuf,
    },
    /// An entry would land outside the destination or write through a link.
    #[error("{}: entry `{entry}` refused: {reason}", archive.display())]
    UnsafeEntry {
        /// The archive.
        archive: PathBuf,
        /// The entry name as the archive gives it (lossy UTF-8).
        entry: String,
        /// Why.
        reason: UnsafeReason,
    },
    /// The archive is corrupt or truncated at this place.
    #[error("{}: corrupt or truncated at {at}", archive.display())]
    Corrupt {
        /// The archive.
        archive: PathBuf,
        /// Where.
        at: ArchiveLocation,
        /// The decoder's or reader's error.
        #[source]
        source: io::Error,
    },
    /// The entry uses a feature this extractor does not support (encryption, a compression
    /// method other than stored or deflate).
    #[error("{}: entry `{entry}` uses {what}, which is not supported", archive.display())]
    Unsupported {
        /// The archive.
        archive: PathBuf,
        /// The entry name.
        entry: String,
        /// The unsupported feature.
        what: String,
    },
    /// An entry is larger than [`crate::extract::ExtractLimits::max_entry_bytes`].
    #[error("{}: entry `{entry}` holds {size} bytes, over the limit of {limit}", archive.display())]
    EntryTooLarge {
        /// The archive.
        archive: PathBuf,
        /// The entry name.
        entry: String,
        /// Its declared (or actual) size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The entries together exceed [`crate::extract::ExtractLimits::max_total_bytes`].
    #[error("{}: entries hold more than the limit of {limit} bytes", archive.display())]
    TotalTooLarge {
        /// The archive.
        archive: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// The archive has more entries than [`crate::extract::ExtractLimits::max_entries`].
    #[error("{}: more than {limit} entries", archive.display())]
    TooManyEntries {
        /// The archive.
        archive: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A zip entry inflated to more bytes than its header declares.
    #[error(
        "{}: entry `{entry}` declares {declared} bytes but inflates to more",
        archive.display()
    )]
    SizeMismatch {
        /// The archive.
        archive: PathBuf,
        /// The entry name.
        entry: String,
        /// The size its header declares.
        declared: u64,
    },
    /// Writing into the destination or the dataset tree failed.
    #[error("cannot write {}", path.display())]
    Write {
        /// The path being written.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A resource's file name cannot be used as a file name in the tree.
    #[error("resource file name `{file_name}` is not a plain file name")]
    InvalidFileName {
        /// The offending name.
        file_name: String,
    },
    /// Installing would put a directory where the tree has a file, or the reverse.
    #[error("{}: cannot install {}: the tree has a different kind of entry there", archive.display(), path.display())]
    Conflict {
        /// The archive being installed.
        archive: PathBuf,
        /// The path in the tree.
        path: PathBuf,
    },
}
