//! Streaming sha256 of files, and the verified stamp that spares re-hashing a large download
//! on every run.
//!
//! Hashing reads 1 MiB blocks on one thread and hashes them on another: sha2 runs on the
//! CPU's SHA instructions at about the speed the page cache delivers, so overlapping the two
//! keeps the hash near its own speed (openssl's `dgst` does both on one thread). At most
//! [`BUFFERS`] blocks exist at once, so memory stays a few MiB whatever the file size.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};
use zukan_schema::Sha256Hex;

/// Size of one read block.
pub const BLOCK: usize = 1 << 20;
/// Blocks in flight between the reading and the hashing thread.
pub const BUFFERS: usize = 4;

/// The sha256 of a whole file and its length in bytes.
pub fn sha256_file(path: &Path) -> io::Result<(Sha256Hex, u64)> {
    let file = File::open(path)?;
    let (hasher, len) = hash_reader(file, Sha256::new(), |_| Ok(()))?;
    Ok((to_hex(hasher), len))
}

/// The hex form of a finished hash.
pub fn to_hex(hasher: Sha256) -> Sha256Hex {
    Sha256Hex(hasher.finalize().into())
}

/// Reads `reader` to its end on a second thread, giving each block to `on_block` and then to
/// `hasher` (which may already hold a prefix). Returns the hasher and the bytes read.
pub(crate) fn hash_reader<R: Read + Send>(
    mut reader: R,
    mut hasher: Sha256,
    mut on_block: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(Sha256, u64)> {
    let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<(Vec<u8>, usize)>>(BUFFERS);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..BUFFERS {
        // Cannot fail: the receiver is alive.
        let _ = empty_tx.send(vec![0u8; BLOCK]);
    }
    std::thread::scope(|scope| {
        // Owned by this closure, so every return drops them before the scope joins the reader:
        // a reader blocked on either channel then wakes up and ends.
        let (empty_tx, full_rx) = (empty_tx, full_rx);
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                let filled = read_block(&mut reader, &mut buf);
                let done = !matches!(filled, Ok(n) if n > 0);
                if full_tx.send(filled.map(|n| (buf, n))).is_err() || done {
                    return;
                }
            }
        });
        let mut total = 0u64;
        loop {
            // The reader ends with Ok(0) or an error; a closed channel means it stopped.
            let Ok(block) = full_rx.recv() else {
                return Ok((hasher, total));
            };
            let (buf, n) = block?;
            if n == 0 {
                return Ok((hasher, total));
            }
            on_block(&buf[..n])?;
            hasher.update(&buf[..n]);
            total += n as u64;
            // The reader may already have ended (it had spare buffers); its blocks are queued.
            let _ = empty_tx.send(buf);
        }
    })
}

/// Fills `buf` as far as the reader allows (short only at the end).
fn read_block(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The verified stamp: `<sha256> <size> <mtime seconds>.<nanoseconds>` of the file it vouches
/// for. A stamp counts only while the file's size and mtime are still those written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub sha256: Sha256Hex,
    pub size: u64,
    mtime: (u64, u32),
}

impl Stamp {
    /// A stamp for a file with this metadata and hash.
    pub fn new(sha256: Sha256Hex, meta: &Metadata) -> Stamp {
        Stamp {
            sha256,
            size: meta.len(),
            mtime: mtime(meta),
        }
    }

    /// Reads the stamp at `path` if it exists, parses, and still matches `meta`.
    pub fn read_valid(path: &Path, meta: &Metadata) -> Option<Stamp> {
        let text = std::fs::read_to_string(path).ok()?;
        let mut words = text.split_whitespace();
        let sha256 = words.next()?.parse().ok()?;
        let size = words.next()?.parse().ok()?;
        let (secs, nanos) = words.next()?.split_once('.')?;
        let stamp = Stamp {
            sha256,
            size,
            mtime: (secs.parse().ok()?, nanos.parse().ok()?),
        };
        (stamp.size == meta.len() && stamp.mtime == mtime(meta)).then_some(stamp)
    }

    /// Writes the stamp to `path` (through a temporary file and a rename).
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let tmp = path.with_extension("sha256.tmp");
        let text = format!(
            "{} {} {}.{:09}\n",
            self.sha256, self.size, self.mtime.0, self.mtime.1
        );
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

fn mtime(meta: &Metadata) -> (u64, u32) {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let (sha, len) = sha256_file(&path).unwrap();
        // FIPS 180-2 appendix B.1.
        assert_eq!(
            sha.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(len, 3);
        std::fs::write(&path, b"").unwrap();
        let (sha, _) = sha256_file(&path).unwrap();
        assert_eq!(
            sha.to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn multi_block_file_matches_one_shot_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..(3 * BLOCK + 12345))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        std::fs::write(&path, &data).unwrap();
        let (sha, len) = sha256_file(&path).unwrap();
        assert_eq!(sha, to_hex(Sha256::new_with_prefix(&data)));
        assert_eq!(len, data.len() as u64);
    }

    /// Regression: the reader thread, holding spare buffers, could finish first; the hasher
    /// then stopped at its first failed buffer hand-back and lost the queued last blocks.
    #[test]
    fn queued_blocks_survive_an_early_reader_exit() {
        let data: Vec<u8> = (0..(BUFFERS * BLOCK - 1))
            .map(|i| (i % 253) as u8)
            .collect();
        for _ in 0..20 {
            let (hasher, len) = hash_reader(&data[..], Sha256::new(), |_| Ok(())).unwrap();
            assert_eq!(len, data.len() as u64);
            assert_eq!(to_hex(hasher), to_hex(Sha256::new_with_prefix(&data)));
        }
    }

    /// An error from the block consumer ends the hash without a deadlock.
    #[test]
    fn consumer_error_returns() {
        let data = vec![0u8; 10 * BLOCK];
        let result = hash_reader(&data[..], Sha256::new(), |_| {
            Err(io::Error::other("disk full"))
        });
        assert_eq!(result.unwrap_err().to_string(), "disk full");
    }

    #[test]
    fn stamp_is_valid_only_for_the_same_size_and_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        let stamp_path = dir.path().join("f.sha256");
        std::fs::write(&file, b"abc").unwrap();
        let meta = std::fs::metadata(&file).unwrap();
        let stamp = Stamp::new(sha256_file(&file).unwrap().0, &meta);
        stamp.write(&stamp_path).unwrap();
        assert_eq!(Stamp::read_valid(&stamp_path, &meta), Some(stamp));
        std::fs::write(&file, b"abcd").unwrap();
        let meta = std::fs::metadata(&file).unwrap();
        assert_eq!(Stamp::read_valid(&stamp_path, &meta), None);
    }
}
