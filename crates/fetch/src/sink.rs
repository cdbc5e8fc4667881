//! Where a download's bytes go: gathered into 1 MiB blocks, each written to the `.part` file
//! by one blocking thread and then hashed by another.
//!
//! HTTP bodies arrive in chunks of a few KiB to a few hundred; handing each to a thread costs
//! more than the hash itself, so chunks are gathered into blocks (one memcpy). The async task
//! must not write to disk itself either: hyper reads the socket only while the body is being
//! polled, so a 1 MiB `write` on the async task stalled the network for its duration (the
//! benchmark showed half of curl's speed). Three stages then overlap: the socket (async
//! task), the disk (writer thread), the sha256 (hasher thread). A block is hashed only after
//! it was written, so the hash always describes the bytes on disk. At most [`POOL`] blocks
//! exist; they travel writer → hasher → back to the sink, so memory stays bounded whatever
//! the file size.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc as std_mpsc;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, spawn_blocking};

use crate::verify::BLOCK;

/// Blocks in circulation.
const POOL: usize = 8;

/// Writes and hashes a stream of chunks.
pub(crate) struct HashingSink {
    block: Vec<u8>,
    allocated: usize,
    to_write: mpsc::UnboundedSender<Vec<u8>>,
    returned: mpsc::UnboundedReceiver<Vec<u8>>,
    writing: Option<JoinHandle<io::Result<()>>>,
    hashing: JoinHandle<(Sha256, u64)>,
}

impl HashingSink {
    /// A sink appending to `file`, continuing `hasher` (which covers the bytes before).
    pub fn new(file: File, hasher: Sha256) -> Self {
        let (to_write, mut blocks) = mpsc::unbounded_channel::<Vec<u8>>();
        let (to_hash, written) = std_mpsc::channel::<Vec<u8>>();
        let (give_back, returned) = mpsc::unbounded_channel();
        let writing = spawn_blocking(move || {
            let mut file = file;
            while let Some(block) = blocks.blocking_recv() {
                file.write_all(&block)?;
                if to_hash.send(block).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let hashing = spawn_blocking(move || {
            let mut hasher = hasher;
            let mut len = 0u64;
            while let Ok(block) = written.recv() {
                hasher.update(&block);
                len += block.len() as u64;
                // The sink may be gone already; then the block is simply freed.
                let _ = give_back.send(block);
            }
            (hasher, len)
        });
        HashingSink {
            block: Vec::with_capacity(BLOCK),
            allocated: 1,
            to_write,
            returned,
            writing: Some(writing),
            hashing,
        }
    }

    /// Adds a chunk; hands over a block when one is full.
    pub async fn push(&mut self, mut chunk: &[u8]) -> io::Result<()> {
        while !chunk.is_empty() {
            let room = BLOCK - self.block.len();
            let (now, rest) = chunk.split_at(room.min(chunk.len()));
            self.block.extend_from_slice(now);
            chunk = rest;
            if self.block.len() == BLOCK {
                self.hand_over().await?;
            }
        }
        Ok(())
    }

    async fn hand_over(&mut self) -> io::Result<()> {
        let next = match self.returned.try_recv() {
            Ok(block) => Some(block),
            Err(_) if self.allocated < POOL => {
                self.allocated += 1;
                Some(Vec::with_capacity(BLOCK))
            }
            Err(_) => self.returned.recv().await,
        };
        // No block comes back once the writer failed: report its error.
        let Some(mut next) = next else {
            return Err(self.writer_error().await);
        };
        next.clear();
        let full = std::mem::replace(&mut self.block, next);
        if self.to_write.send(full).is_err() {
            return Err(self.writer_error().await);
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
        if !self.block.is_empty() {
            let last = std::mem::take(&mut self.block);
            if self.to_write.send(last).is_err() {
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
            sink.push(chunk).await.unwrap();
        }
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
            result = sink.push(&vec![1u8; BLOCK]).await;
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
