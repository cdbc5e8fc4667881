//! Exclusive file locks (`std::fs::File::lock`, an OS advisory lock released when the file is
//! closed, even if the process dies), so two processes never write the same download or
//! install the same dataset at once.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::FetchError;

/// Holds an exclusive lock on a lock file until dropped.
#[derive(Debug)]
pub struct LockGuard {
    // Closing the file releases the lock; the lock file itself stays (removing it would let a
    // third process lock a fresh inode while a second still waits on the old one).
    _file: File,
    path: PathBuf,
}

impl LockGuard {
    /// Waits until the lock at `path` is free, then takes it. Creates the file (and its
    /// directory) if needed.
    pub fn acquire(path: &Path) -> Result<LockGuard, FetchError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| FetchError::io("create", dir, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| FetchError::io("open the lock file", path, e))?;
        file.lock().map_err(|e| FetchError::io("lock", path, e))?;
        Ok(LockGuard {
            _file: file,
            path: path.to_owned(),
        })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.lock");
        let first = LockGuard::acquire(&path).unwrap();
        let other = File::open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(first);
        assert!(other.try_lock().is_ok());
    }
}
