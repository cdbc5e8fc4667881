//! Where a download's bytes go: gathered into 1 MiB blocks, each written to the `.part` file
//! and then handed to a blocking thread that hashes it.
//!
//! HTTP bodies arrive in chunks of a few KiB; waking a hashing thread per chunk costs more
//! than the hash itself. Gathering blocks costs one memcpy and makes both the write and the
//! channel traffic per MiB. Blocks come back to the sink for reuse, and the channel holds at
//! most [`DEPTH`] of them, so memory stays bounded whatever the file size. A block is hashed
//! only after it was written, so the hash always describes the bytes on disk.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc as std_mpsc;

use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, spawn_blocking};

use crate::verify::BLOCK;

/// Blocks waiting for the hashing thread.
const DEPTH: usize = 4;

/// Writes and hashes a stream of chunks.
pub(crate) struct HashingSink {
    file: File,
    block: Vec<u8>,
    to_hash: mpsc::Sender<Vec<u8>>,
    returned: std_mpsc::Receiver<Vec<u8>>,
    hashing: JoinHandle<(Sha256, u64)>,
}

impl HashingSink {
    /// A sink appending to `file`, continuing `hasher` (which covers the bytes before).
    pub fn new(file: File, hasher: Sha256) -> Self {
        let (to_hash, mut blocks) = mpsc::channel::<Vec<u8>>(DEPTH);
        let (give_back, returned) = std_mpsc::channel();
        let hashing = spawn_blocking(move || {
            let mut hasher = hasher;
            let mut len = 0u64;
            while let Some(block) = blocks.blocking_recv() {
                hasher.update(&block);
                len += block.len() as u64;
                // The sink may be gone already; then the block is simply freed.
                let _ = give_back.send(block);
            }
            (hasher, len)
        });
        HashingSink {
            file,
            block: Vec::with_capacity(BLOCK),
            to_hash,
            returned,
            hashing,
        }
    }

    /// Adds a chunk; writes and hands over a block when one is full.
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
        self.file.write_all(&self.block)?;
        let next = self
            .returned
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK));
        let full = std::mem::replace(&mut self.block, next);
        self.block.clear();
        self.to_hash
            .send(full)
            .await
            .map_err(|_| io::Error::other("the hashing thread stopped"))
    }

    /// Writes what is left and returns the hasher and the number of bytes hashed by this sink.
    pub async fn finish(mut self) -> io::Result<(Sha256, u64)> {
        if !self.block.is_empty() {
            self.hand_over().await?;
        }
        drop(self.to_hash);
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
}
