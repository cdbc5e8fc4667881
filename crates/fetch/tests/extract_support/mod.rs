//! Builders for the archives the extraction and install tests feed in, hostile ones
//! included, and a sandbox that proves nothing was written outside the destination.
//!
//! The tar builder writes raw 512-byte headers because `tar::Builder` refuses `..` and
//! absolute paths, which are exactly what these tests need.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{EntryType, Header};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One entry of a test archive.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A regular file with this content and mode.
    File(String, Vec<u8>, u32),
    /// A directory.
    Dir(String),
    /// A symbolic link and its target.
    Symlink(String, String),
    /// A hard link (tar only) and its target.
    Hardlink(String, String),
    /// A FIFO (special file).
    Fifo(String),
}

/// A regular file, mode 0644.
pub fn file(name: impl Into<String>, data: &[u8]) -> Entry {
    Entry::File(name.into(), data.to_vec(), 0o644)
}

/// A regular file with the executable bits.
pub fn exe(name: impl Into<String>, data: &[u8]) -> Entry {
    Entry::File(name.into(), data.to_vec(), 0o755)
}

/// A directory.
pub fn dir(name: impl Into<String>) -> Entry {
    Entry::Dir(name.into())
}

/// A symbolic link `name -> target`.
pub fn symlink(name: impl Into<String>, target: impl Into<String>) -> Entry {
    Entry::Symlink(name.into(), target.into())
}

/// A hard link `name` to `target` (tar only).
pub fn hardlink(name: impl Into<String>, target: impl Into<String>) -> Entry {
    Entry::Hardlink(name.into(), target.into())
}

/// A FIFO.
pub fn fifo(name: impl Into<String>) -> Entry {
    Entry::Fifo(name.into())
}

/// A zip holding `entries`, deflated, names written as given.
pub fn zip_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for entry in entries {
        match entry {
            Entry::File(name, data, mode) => {
                zip.start_file(name.as_str(), options.unix_permissions(*mode))
                    .unwrap();
                zip.write_all(data).unwrap();
            }
            Entry::Dir(name) => zip.add_directory(name.as_str(), options).unwrap(),
            Entry::Symlink(name, target) => zip
                .add_symlink(name.as_str(), target.as_str(), options)
                .unwrap(),
            Entry::Fifo(name) => {
                let fifo = options.external_attributes(0o010_644 << 16);
                zip.start_file(name.as_str(), fifo).unwrap();
            }
            Entry::Hardlink(..) => panic!("zip has no hard links"),
        }
    }
    zip.finish().unwrap().into_inner()
}

/// A tar holding `entries`, with raw GNU headers: names and link targets are copied
/// byte for byte (at most 100 bytes), unchecked.
pub fn tar_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        let (name, kind, link, data, mode): (&str, EntryType, &str, &[u8], u32) = match entry {
            Entry::File(name, data, mode) => (name, EntryType::Regular, "", data, *mode),
            Entry::Dir(name) => (name, EntryType::Directory, "", &[], 0o755),
            Entry::Symlink(name, target) => (name, EntryType::Symlink, target, &[], 0o777),
            Entry::Hardlink(name, target) => (name, EntryType::Link, target, &[], 0o644),
            Entry::Fifo(name) => (name, EntryType::Fifo, "", &[], 0o644),
        };
        let mut header = Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(data.len() as u64);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

/// `data` gzipped.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// A scratch directory holding the archive and the destination `dest/`, with a snapshot
/// of everything outside `dest/`.
pub struct Sandbox {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// Where archives are extracted.
    pub dest: PathBuf,
}

impl Sandbox {
    /// A fresh sandbox whose `dest/` is nested two levels deep (`a/b/dest`), so that
    /// `../../x` still lands inside the sandbox where the test can see it.
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a/b/dest");
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        Sandbox { dir, dest }
    }

    /// Writes `bytes` to an archive file in the sandbox (outside `dest`).
    pub fn archive(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        path
    }

    /// Every path in the sandbox outside `dest/`, with its size (links: their target).
    pub fn outside(&self) -> BTreeMap<PathBuf, String> {
        let mut seen = BTreeMap::new();
        walk(self.dir.path(), &self.dest, &mut seen);
        seen
    }
}

fn walk(dir: &Path, skip: &Path, seen: &mut BTreeMap<PathBuf, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path == skip {
            continue;
        }
        let meta = fs::symlink_metadata(&path).unwrap();
        let what = if meta.file_type().is_symlink() {
            format!("-> {}", fs::read_link(&path).unwrap().display())
        } else {
            format!("{} bytes", meta.len())
        };
        seen.insert(path.clone(), what);
        if meta.is_dir() {
            walk(&path, skip, seen);
        }
    }
}

/// Every path under `root`, relative, with `dir`, `-> target` or the file's content.
pub fn listing(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    list_into(root, root, &mut out);
    out
}

fn list_into(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            out.insert(
                rel,
                format!("-> {}", fs::read_link(&path).unwrap().display()),
            );
        } else if meta.is_dir() {
            out.insert(rel, "dir".into());
            list_into(root, &path, out);
        } else {
            let content = fs::read(&path).unwrap();
            out.insert(rel, String::from_utf8_lossy(&content).into_owned());
        }
    }
}

/// A unique absolute path in the system temp directory, for absolute-entry tests.
pub fn absolute_target(tag: &str) -> String {
    let path = std::env::temp_dir().join(format!("zukan-evil-{tag}-{}", std::process::id()));
    let _ = fs::remove_file(&path);
    path.display().to_string()
}

/// Pseudo-random bytes (xorshift), for incompressible content.
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    seed |= 1;
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}
