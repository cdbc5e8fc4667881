//! Inflating a gzip stream on its own thread, handed over in 1 MiB blocks, so that inflating
//! and writing files overlap (what `tar xzf` gets from running `gzip -d` as a second process).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::mem;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::{Builder, Scope};

use flate2::read::MultiGzDecoder;

use super::tree::fill;

/// Size of one inflated block.
const BLOCK: usize = 1 << 20;
/// Blocks in flight between the threads: bounds memory to a few MiB.
const IN_FLIGHT: usize = 4;
/// Read buffer on the compressed file.
const FILE_BUFFER: usize = 1 << 20;

/// A gzip decoder over `file`: on a thread of `scope` when one can be started, else inline.
pub(super) fn gunzip<'scope>(
    scope: &'scope Scope<'scope, '_>,
    file: File,
) -> Box<dyn Read + 'scope> {
    let (blocks_tx, blocks_rx) = sync_channel(IN_FLIGHT);
    let (spare_tx, spare_rx) = sync_channel(IN_FLIGHT + 1);
    // The thread needs the file; keep a handle to fall back on if it cannot start.
    let Ok(fallback) = file.try_clone() else {
        return Box::new(decoder(file));
    };
    let started = Builder::new()
        .name("zukan-inflate".into())
        .spawn_scoped(scope, move || {
            inflate_blocks(decoder(file), &blocks_tx, &spare_rx)
        });
    match started {
        Ok(_) => Box::new(BlockReader {
            blocks: blocks_rx,
            spare: spare_tx,
            current: Vec::new(),
            pos: 0,
            failed: None,
        }),
        Err(_) => Box::new(decoder(fallback)),
    }
}

/// Multi-member, as `gzip -d` reads (pigz and concatenated files write several members).
fn decoder(file: File) -> MultiGzDecoder<BufReader<File>> {
    MultiGzDecoder::new(BufReader::with_capacity(FILE_BUFFER, file))
}

/// The inflating thread: fills blocks until the stream ends, fails, or the reader goes away.
fn inflate_blocks(
    mut gz: impl Read,
    blocks: &SyncSender<io::Result<Vec<u8>>>,
    spare: &Receiver<Vec<u8>>,
) {
    loop {
        let mut block = match spare.try_recv() {
            Ok(block) => block,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => Vec::with_capacity(BLOCK),
        };
        block.resize(BLOCK, 0);
        match fill(&mut gz, &mut block) {
            Ok(0) => return,
            Ok(n) => {
                block.truncate(n);
                if blocks.send(Ok(block)).is_err() || n < BLOCK {
                    return;
                }
            }
            Err(err) => {
                let _ = blocks.send(Err(err));
                return;
            }
        }
    }
}

/// The reading end: a `Read` over the blocks, returning used blocks for reuse.
struct BlockReader {
    blocks: Receiver<io::Result<Vec<u8>>>,
    spare: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    /// The inflater's error, repeated if the caller reads again after it.
    failed: Option<(io::ErrorKind, String)>,
}

impl Read for BlockReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some((kind, message)) = &self.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        while self.pos == self.current.len() {
            let used = mem::take(&mut self.current);
            if used.capacity() > 0 {
                let _ = self.spare.try_send(used);
            }
            self.pos = 0;
            match self.blocks.recv() {
                Ok(Ok(block)) => self.current = block,
                Ok(Err(err)) => {
                    self.failed = Some((err.kind(), err.to_string()));
                    return Err(err);
                }
                // The inflater finished: end of stream.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len() - self.pos);
        out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
