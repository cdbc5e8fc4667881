//! Getting dataset files onto the machine and proving they are the real bytes: download
//! (reqwest on tokio), resume, retries, mirrors, sha256 + size verification, quarantine,
//! locks, and safe extraction.
//!
//! This crate knows nothing of any dataset: it takes [`zukan_schema::Resource`]s (a file
//! name, URLs, size, sha256, official page) and a [`DataDir`]. It never prints; progress and
//! log lines go through the [`Progress`] trait, which the binary implements.
//!
//! The design decisions:
//!
//! - **Nothing half-done is ever taken for done.** Bytes stream into `downloads/NAME.part`
//!   while being hashed; only when size and sha256 match the resource is the part renamed to
//!   its final name (an atomic rename). Bytes that do not match go to `quarantine/`, and the
//!   error names expected and actual values and the official page.
//! - **Answers that are not data are recognised before anything is written**: an HTML page
//!   (by `Content-Type` or by its first bytes: Google Drive quota and virus-scan pages, login
//!   walls) or a Git LFS pointer is an error of its own and leaves no file behind.
//! - **Resume is exact or not at all.** A `.part` continues with `Range: bytes=N-`; a server
//!   that ignores the range (200) or answers another range restarts the file from zero,
//!   never appends. 5xx, 408, 429, timeouts and bodies cut mid-stream are retried with
//!   exponential backoff, resuming from the part.
//! - **Sources in order**: the mirror (`ZUKAN_MIRROR`, a base URL or a directory), then each
//!   of the resource's URLs. If all fail, the error lists each source and why.
//! - **Verified once.** A stamp `NAME.sha256` next to a verified file (hash, size, mtime)
//!   spares re-hashing a 1.4 GB archive on every run; it counts only while size and mtime
//!   are unchanged.
//! - **Two processes, one good copy.** Each file is downloaded under an OS file lock
//!   (`std::fs::File::lock` on `NAME.lock`); the second fetcher waits, then finds the
//!   verified file.
//! - **Blocking API.** [`Fetcher`] owns a small tokio runtime; callers stay synchronous. The
//!   TLS provider is rustls on ring (no aws-lc build).
//! - **Offline means offline**: with `ZUKAN_OFFLINE=1` nothing touches the network, and a
//!   missing file fails at once, naming where it would have to be.
//! - A download is not fsynced before its rename: this guards against a killed process,
//!   not a power cut (the stamp then fails to match a file whose mtime changed, and zip/tar
//!   checks catch the rest).
//!
//! [`loopback`] is a small HTTP server on 127.0.0.1 with injectable faults, used by the tests
//! and by `cargo xtask demo`.
//!
//! ```
//! use std::sync::Arc;
//! use zukan_fetch::{DataDir, FetchOptions, Fetcher, NoProgress, loopback::LoopbackServer};
//! use zukan_schema::{ArchiveKind, Resource};
//!
//! let server = LoopbackServer::serve_bytes([("hello.txt", b"hello\n".to_vec())]).unwrap();
//! let resource = Resource {
//!     file_name: "hello.txt".into(),
//!     urls: vec![server.url("hello.txt")],
//!     size: Some(6),
//!     // `printf 'hello\n' | sha256sum`
//!     sha256: Some("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03".parse().unwrap()),
//!     checksum_source: "sha256sum".into(),
//!     page: "https://example.invalid/".into(),
//!     archive: ArchiveKind::File,
//!     splits: vec![],
//! };
//! let data = tempfile::tempdir().unwrap();
//! let fetcher = Fetcher::new(DataDir::new(data.path()), FetchOptions::default(), Arc::new(NoProgress)).unwrap();
//! let paths = fetcher.download_all(&[resource]).unwrap();
//! assert_eq!(std::fs::read(&paths[0]).unwrap(), b"hello\n");
//! ```
#![deny(missing_docs)]

mod data_dir;
mod download;
mod error;
pub mod extract;
mod fetcher;
mod import;
pub mod install;
mod lock;
pub mod loopback;
mod options;
mod progress;
mod sink;
pub mod sniff;
mod store;
pub mod verify;

pub use data_dir::DataDir;
pub use error::{FetchError, Mismatch};
pub use fetcher::Fetcher;
pub use lock::LockGuard;
pub use options::{FetchOptions, Mirror};
pub use progress::{NoProgress, Progress};
pub use store::{Downloaded, Origin, quarantine_download};
