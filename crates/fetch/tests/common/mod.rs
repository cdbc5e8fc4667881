//! Shared test helpers: deterministic payloads, resources for them, a fast fetcher, and a
//! progress recorder.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use zukan_fetch::{DataDir, FetchOptions, Fetcher, Progress};
use zukan_schema::{ArchiveKind, Resource, Sha256Hex};

/// `len` bytes that are not all alike (a cut or a shifted resume changes the hash).
pub fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + i / 251) as u8) ^ seed)
        .collect()
}

pub fn sha256(bytes: &[u8]) -> Sha256Hex {
    Sha256Hex(Sha256::digest(bytes).into())
}

/// A resource for `bytes`, published as `name` at `urls`.
pub fn resource(name: &str, bytes: &[u8], urls: Vec<String>) -> Resource {
    Resource {
        file_name: name.to_owned(),
        urls,
        size: Some(bytes.len() as u64),
        sha256: Some(sha256(bytes)),
        checksum_source: "computed by the test".to_owned(),
        page: "https://example.invalid/dataset".to_owned(),
        archive: ArchiveKind::File,
        splits: vec![],
    }
}

/// Options with tiny backoff and timeouts, so fault tests take milliseconds.
pub fn fast_options() -> FetchOptions {
    FetchOptions {
        backoff: Duration::from_millis(5),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        ..FetchOptions::default()
    }
}

pub fn fetcher(dir: &Path, options: FetchOptions) -> (Fetcher, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let fetcher = Fetcher::new(DataDir::new(dir), options, recorder.clone()).unwrap();
    (fetcher, recorder)
}

/// Records progress events as text lines.
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<String>>,
}

impl Recorder {
    pub fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    fn push(&self, event: String) {
        self.events.lock().unwrap().push(event);
    }
}

impl Progress for Recorder {
    fn begin(&self, file: &str, total: Option<u64>) {
        self.push(format!("begin {file} {total:?}"));
    }
    fn advance(&self, _file: &str, _bytes: u64) {}
    fn restart(&self, file: &str) {
        self.push(format!("restart {file}"));
    }
    fn finish(&self, file: &str) {
        self.push(format!("finish {file}"));
    }
    fn note(&self, message: &str) {
        self.push(format!("note {message}"));
    }
}

/// The names of the files in `dir` (sorted), or nothing when it does not exist.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
