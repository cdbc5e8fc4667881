//! Where a download's bytes go: the body's chunks, gathered (not copied) into batches of
//! about 1 MiB, each written to the `.part` file by one blocking thread and then hashed by
//! another.
//!
//! HTTP bodies arrive in chunks of a few KiB to a few hundred; handing each to a thread costs
//! more than the hash itself, so chunks are gathered into batches. The chunks are hyper's own
//! reference-counted buffers, passed along as they are: copying them into blocks cost a tenth
//! of the CPU of a download on two cores, where the socket, the disk and the sha256 already
//! compete for both. The async task must not write to disk itself: hyper reads the socket
//! only while the body is being polled, so a 1 MiB `write` on the async task stalled the
//! network for its duration (the benchmark showed half of curl's speed). Three stages then
//! overlap: the socket (async task), the disk (writer thread, one vectored write per batch),
//! the sha256 (hasher thread). A batch is hashed only after it was written, so the hash always
//! describes the bytes on disk. Both hand-overs are bounded channels of [`POOL`] batches, so
//! memory stays bounded whatever the file size.

use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::sync::mpsc as std_mpsc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, spawn_blocking};

use crate::verify::BLOCK;

/// Batches waiting at each hand-over.
const POOL: usize = 4;

/// Writes and hashes a stream of chunks.
pub(crate) struct HashingSink {
    batch: Vec<Bytes>,
    batch_len: usize,
    to_write: mpsc::Sender<Vec<Bytes>>,
    writing: Option<JoinHandle<io::Result<()>>>,
    hashing: JoinHandle<(Sha256, u64)>,
}

impl HashingSink {
    /// A sink appending to `file`, continuing `hasher` (which covers the bytes before).
    pub fn new(file: File, hasher: Sha256) -> Self {
        let (to_write, mut batches) = mpsc::channel::<Vec<Bytes>>(POOL);
        let (to_hash, written) = std_mpsc::sync_channel::<Vec<Bytes>>(POOL);
        let writing = spawn_blocking(move || {
            let mut file = file;
            while let Some(batch) = batches.blocking_recv() {
                write_all_vectored(&mut file, &batch)?;
                if to_hash.send(batch).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let hashing = spawn_blocking(move || {
            let mut hasher = hasher;
            let mut len = 0u64;
            while let Ok(batch) = written.recv() {
                for chunk in &batch {
                    hasher.update(chunk);
                    len += chunk.len() as u64;
                }
            }
            (hasher, len)
        });
        HashingSink {
            batch: Vec::new(),
            batch_len: 0,
            to_write,
            writing: Some(writing),
            hashing,
        }
    }

    /// Adds a chunk; hands over the batch once it holds about a block.
    pub async fn push(&mut self, chunk: Bytes) -> io::Result<()> {
        self.batch_len += chunk.len();
        self.batch.push(chunk);
        if self.batch_len >= BLOCK {
            self.batch_len = 0;
            let full = std::mem::take(&mut self.batch);
            // No batch is taken once the writer failed: report its error.
            if self.to_write.send(full).await.is_err() {
                return Err(self.writer_error().await);
            }
        }
        Ok(())
    }

    async fn writer_error(&mut self) -> io::Error {
        match self.writing.take() {
            Some(writing) => match writing.await {
                Ok(Err(e)) => e,
                Ok(Ok(())) => io::Error::other("the writing thread stopped"),
                Err(e) => io::Error::other(e),
            },
            None => io::Error::other("the writing thread stopped"),
        }
    }

    /// Writes what is left and returns the hasher and the number of bytes written and hashed
    /// by this sink.
    pub async fn finish(mut self) -> io::Result<(Sha256, u64)> {
        if !self.batch.is_empty() {
            let last = std::mem::take(&mut self.batch);
            if self.to_write.send(last).await.is_err() {
                return Err(self.writer_error().await);
            }
        }
        drop(self.to_write);
        if let Some(writing) = self.writing.take() {
            writing.await.map_err(io::Error::other)??;
        }
        self.hashing.await.map_err(io::Error::other)
    }
}

/// Writes every chunk, in order, with as few `writev` calls as the kernel allows.
fn write_all_vectored(file: &mut File, chunks: &[Bytes]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = chunks.iter().map(|c| IoSlice::new(c)).collect();
    let mut rest = &mut slices[..];
    IoSlice::advance_slices(&mut rest, 0); // drop leading empty chunks
    while !rest.is_empty() {
        match file.write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_and_hashes_every_byte_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        std::fs::write(&path, b"head").unwrap();
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        let data: Vec<u8> = (0..(2 * BLOCK + 999)).map(|i| (i % 241) as u8).collect();
        let mut sink = HashingSink::new(file, Sha256::new_with_prefix(b"head"));
        for chunk in data.chunks(16_384 + 7) {
            sink.push(Bytes::copy_from_slice(chunk)).await.unwrap();
        }
        sink.push(Bytes::new()).await.unwrap(); // an empty chunk changes nothing
        let (hasher, len) = sink.finish().await.unwrap();
        assert_eq!(len, data.len() as u64);
        let mut all = b"head".to_vec();
        all.extend_from_slice(&data);
        assert_eq!(std::fs::read(&path).unwrap(), all);
        assert_eq!(hasher.finalize(), Sha256::digest(&all));
    }

    #[tokio::test]
    async fn a_failed_write_is_reported_not_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        std::fs::write(&path, b"").unwrap();
        // Opened for reading only: every write fails.
        let mut sink = HashingSink::new(File::open(&path).unwrap(), Sha256::new());
        let mut result = Ok(());
        for _ in 0..(2 * POOL + 2) {
            result = sink.push(Bytes::from(vec![1u8; BLOCK])).await;
            if result.is_err() {
                break;
            }
        }
        let error = match result {
            Err(e) => e,
            Ok(()) => sink.finish().await.unwrap_err(),
        };
        assert_ne!(error.to_string(), "the writing thread stopped", "{error}");
    }
}
