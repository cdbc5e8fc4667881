//! One memory allowance per file for what a few input bytes can turn into many: bytes
//! inflated from miCOMPRESSED elements, and struct field names, whose in-memory cost does
//! not shrink with the slot they occupy in the file.
//!
//! Everything else this crate allocates is bounded by the bytes it is read from (numeric
//! data by its exact size, cells and structs by their elements' 8-byte tags), so charging
//! these two to one budget keeps the whole read proportional to the file's size.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::ReadOptions;

/// What one field name costs in memory: a `String` (24 bytes) and a heap block for its bytes
/// (32 bytes at least with glibc's malloc). Measured: 60 M one-byte names read at 3.3 GB of
/// RSS (`/usr/bin/time -v` on `python3 /tmp/audit3/bomb.py 60000000 a y.mat 1000000`).
pub(crate) const FIELD_NAME_COST: usize = size_of::<String>() + 32;

/// The bytes left of a file's allowance: [`ReadOptions::max_inflate_ratio`] times its size
/// plus [`ReadOptions::inflate_slack`], less what was spent. Shared by the threads that read
/// a file's variables at once, so the bound holds for them together.
#[derive(Debug)]
pub(crate) struct Budget {
    left: AtomicUsize,
}

impl Budget {
    pub(crate) fn for_file(len: usize, options: &ReadOptions) -> Budget {
        Budget {
            left: AtomicUsize::new(
                len.saturating_mul(options.max_inflate_ratio)
                    .saturating_add(options.inflate_slack),
            ),
        }
    }

    /// The bytes left.
    pub(crate) fn left(&self) -> usize {
        self.left.load(Ordering::Relaxed)
    }

    /// Spends `bytes`, or returns `Err(left)` (spending nothing) if fewer are left.
    pub(crate) fn spend(&self, bytes: usize) -> Result<(), usize> {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
            })
            .map(|_| ())
    }

    /// Gives back bytes spent on memory that was never used (a tag that promised more).
    pub(crate) fn refund(&self, bytes: usize) {
        let _ = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                Some(left.saturating_add(bytes))
            });
    }

    /// Spends what `count` field names cost beyond the `slot` bytes each already took in
    /// the file (inflated bytes were spent as such): names in slots of 56 bytes or more
    /// cost nothing extra, one-byte slots nearly their whole cost.
    pub(crate) fn spend_on_field_names(&self, count: usize, slot: usize) -> Result<(), usize> {
        self.spend(count.saturating_mul(FIELD_NAME_COST.saturating_sub(slot)))
    }
}
