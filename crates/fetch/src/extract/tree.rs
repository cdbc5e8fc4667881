//! The destination side of an extraction: which paths the archive has claimed, which
//! directories are known to be real directories, and how files, links and directories are
//! created without following or replacing anything already there.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::{ExtractError, ExtractSummary, UnsafeReason};

/// What a claimed non-directory path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    /// A regular file (or a hard link to one).
    File,
    /// A symbolic link.
    Symlink,
}

/// The destination directory and what this archive has put (or will put) in it.
pub(super) struct DestTree<'a> {
    archive: &'a Path,
    root: PathBuf,
    /// Relative paths known to be real directories: created here, or checked with `lstat`.
    dirs: HashSet<PathBuf>,
    /// Relative paths of the files and links the archive claims.
    nodes: HashMap<PathBuf, Node>,
    /// Counts so far.
    pub(super) summary: ExtractSummary,
}

impl<'a> DestTree<'a> {
    /// Creates `root` if missing.
    pub(super) fn new(archive: &'a Path, root: &Path) -> Result<Self, ExtractError> {
        fs::create_dir_all(root).map_err(|source| ExtractError::Write {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(DestTree {
            archive,
            root: root.to_path_buf(),
            dirs: HashSet::new(),
            nodes: HashMap::new(),
            summary: ExtractSummary::default(),
        })
    }

    /// The destination directory.
    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// The refusal of `entry` for `reason`.
    pub(super) fn refuse(&self, entry: &str, reason: UnsafeReason) -> ExtractError {
        ExtractError::UnsafeEntry {
            archive: self.archive.to_path_buf(),
            entry: entry.to_owned(),
            reason,
        }
    }

    /// Records that the archive puts a file or link at `rel`; a second claim is refused.
    pub(super) fn claim(
        &mut self,
        entry: &str,
        rel: &Path,
        node: Node,
    ) -> Result<(), ExtractError> {
        if self.dirs.contains(rel) || self.nodes.contains_key(rel) {
            return Err(self.refuse(entry, UnsafeReason::Duplicate));
        }
        self.nodes.insert(rel.to_path_buf(), node);
        Ok(())
    }

    /// Refuses a directory entry at a path claimed by a file or link.
    pub(super) fn check_dir_claim(&self, entry: &str, rel: &Path) -> Result<(), ExtractError> {
        if self.nodes.contains_key(rel) {
            return Err(self.refuse(entry, UnsafeReason::Duplicate));
        }
        Ok(())
    }

    /// The kind of node claimed at `rel`, if any.
    pub(super) fn node(&self, rel: &Path) -> Option<Node> {
        self.nodes.get(rel).copied()
    }

    /// Refuses `rel` when one of its parents is a file or link claimed by this archive, so
    /// nothing is ever written through a link.
    pub(super) fn check_parents(&self, entry: &str, rel: &Path) -> Result<(), ExtractError> {
        for parent in rel.ancestors().skip(1) {
            if parent.as_os_str().is_empty() {
                break;
            }
            let shown = parent.display().to_string();
            match self.nodes.get(parent) {
                Some(Node::Symlink) => {
                    return Err(self.refuse(entry, UnsafeReason::ThroughSymlink { link: shown }));
                }
                Some(Node::File) => {
                    return Err(
                        self.refuse(entry, UnsafeReason::ParentNotDirectory { parent: shown })
                    );
                }
                None => {}
            }
        }
        Ok(())
    }

    /// Creates `rel` and its missing parents as real directories (mode 0755). A parent that
    /// already exists must be a directory, not a link to one.
    pub(super) fn make_dirs(&mut self, entry: &str, rel: &Path) -> Result<(), ExtractError> {
        let mut missing: Vec<&Path> = rel
            .ancestors()
            .take_while(|p| !p.as_os_str().is_empty() && !self.dirs.contains(*p))
            .collect();
        missing.reverse();
        for dir in missing {
            let path = self.root.join(dir);
            match create_dir(&path) {
                Ok(()) => self.summary.dirs += 1,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    let meta = fs::symlink_metadata(&path)
                        .map_err(|source| ExtractError::Write { path, source })?;
                    let shown = dir.display().to_string();
                    if meta.file_type().is_symlink() {
                        return Err(
                            self.refuse(entry, UnsafeReason::ThroughSymlink { link: shown })
                        );
                    }
                    if !meta.is_dir() {
                        return Err(
                            self.refuse(entry, UnsafeReason::ParentNotDirectory { parent: shown })
                        );
                    }
                }
                Err(source) => return Err(ExtractError::Write { path, source }),
            }
            self.dirs.insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// Creates the parents of `rel`.
    pub(super) fn make_parents(&mut self, entry: &str, rel: &Path) -> Result<(), ExtractError> {
        match rel.parent() {
            Some(parent) => self.make_dirs(entry, parent),
            None => Ok(()),
        }
    }

    /// Creates the symbolic link `rel -> target` (a target checked by
    /// [`super::entry_path::symlink_target`]); its parents must exist.
    pub(super) fn make_symlink(&mut self, rel: &Path, target: &Path) -> Result<(), ExtractError> {
        let path = self.root.join(rel);
        symlink(target, &path).map_err(|source| ExtractError::Write { path, source })?;
        self.summary.symlinks += 1;
        Ok(())
    }

    /// Creates `rel` as a hard link to the regular file `target` that this archive wrote.
    pub(super) fn make_hardlink(&mut self, rel: &Path, target: &Path) -> Result<(), ExtractError> {
        let path = self.root.join(rel);
        fs::hard_link(self.root.join(target), &path)
            .map_err(|source| ExtractError::Write { path, source })?;
        self.summary.files += 1;
        Ok(())
    }
}

/// How copying one entry into a new file failed.
pub(super) enum CopyError {
    /// Reading the entry failed: corrupt or truncated data.
    Read(io::Error),
    /// Creating or writing the file failed.
    Write(io::Error),
    /// The entry yielded more than the bound.
    Exceeded,
}

/// Copies `reader` to end of stream into a new file at `path` (never an existing one, never
/// through a link at `path`), mode 0644, or 0755 when `executable`. Fails once more than
/// `bound` bytes come out. Reads in `buf`-sized blocks so small files take one write.
pub(super) fn write_new_file(
    path: &Path,
    reader: &mut impl Read,
    bound: u64,
    executable: bool,
    buf: &mut [u8],
) -> Result<u64, CopyError> {
    let mut file = create_new_file(path, executable).map_err(CopyError::Write)?;
    let mut total = 0u64;
    loop {
        let filled = fill(reader, buf).map_err(CopyError::Read)?;
        if filled == 0 {
            return Ok(total);
        }
        total += filled as u64;
        if total > bound {
            return Err(CopyError::Exceeded);
        }
        file.write_all(&buf[..filled]).map_err(CopyError::Write)?;
    }
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
pub(super) fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(unix)]
fn create_new_file(path: &Path, executable: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn create_new_file(path: &Path, _executable: bool) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn create_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o755).create(path)
}

#[cfg(not(unix))]
fn create_dir(path: &Path) -> io::Result<()> {
    fs::create_dir(path)
}

#[cfg(unix)]
fn symlink(target: &Path, path: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _path: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "symbolic links are only extracted on Unix",
    ))
}
