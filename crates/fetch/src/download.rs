//! Downloading one resource over HTTP: sources in order, retries with backoff, resume with
//! `Range`, recognising non-data answers, hashing while streaming.
//!
//! The `.part` file and the in-memory hash state always describe the same bytes: a batch is
//! hashed only after it was written, and after a cut the next attempt resumes from the part's
//! length with the hash state kept (or rebuilt from disk when the part came from an earlier
//! run). The body's chunks go, uncopied, in batches of about 1 MiB to a writer thread and then
//! a hasher thread ([`crate::sink`]), so the socket, the disk and the sha256 overlap and
//! memory stays bounded.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, RANGE};
use sha2::{Digest, Sha256};
use tokio::task::spawn_blocking;
use zukan_schema::{Resource, Sha256Hex};

use crate::error::chain;
use crate::import::import_one;
use crate::lock::LockGuard;
use crate::sink::HashingSink;
use crate::sniff::{SNIFF_LEN, Sniffed, html_hint, is_html_content_type, sniff};
use crate::store::{Downloaded, Origin, check_file_name, commit, find_verified};
use crate::verify::{hash_reader, to_hex};
use crate::{DataDir, FetchError, FetchOptions, Mirror, Progress};

/// Bytes between two progress reports.
const PROGRESS_STEP: u64 = 256 * 1024;

/// What every download task shares.
pub(crate) struct Shared {
    pub client: reqwest::Client,
    pub data_dir: DataDir,
    pub options: FetchOptions,
    pub progress: Arc<dyn Progress>,
}

/// How one attempt at a URL ended, when it did not end with the whole body.
enum Failed {
    /// Worth another try at the same URL (5xx, 408, 429, timeouts, cut bodies).
    Retry(FetchError),
    /// No connection at all (the name did not resolve, the port refused): worth one more try,
    /// not a series of backoffs (without a network that cost half a minute per file).
    Connect(FetchError),
    /// The part no longer fits the server's answer; start again from zero at once.
    Restart,
    /// Not worth retrying this URL.
    Give(FetchError),
}

/// The bytes already in the `.part` file and their hash state.
struct Part {
    hasher: Sha256,
    len: u64,
}

/// Gets `resource` into `downloads/`: a verified copy already there, else each source in turn
/// (the mirror first). Holds the file's lock throughout, so a second fetcher of the same file
/// waits and then finds the verified copy.
pub(crate) async fn fetch_one(
    shared: Arc<Shared>,
    resource: Resource,
) -> Result<Downloaded, FetchError> {
    let name = resource.file_name.clone();
    check_file_name(&name)?;
    let lock_path = shared.data_dir.download_lock(&name);
    let _lock = blocking(move || LockGuard::acquire(&lock_path)).await?;

    let cached = {
        let (shared, resource) = (shared.clone(), resource.clone());
        blocking(move || find_verified(&shared.data_dir, &resource, shared.progress.as_ref()))
            .await?
    };
    if let Some(found) = cached {
        shared.progress.finish(&name);
        return Ok(found);
    }

    let mut sources: Vec<Mirror> = Vec::new();
    match &shared.options.mirror {
        Some(Mirror::Url(_)) if shared.options.offline => {}
        Some(mirror @ Mirror::Url(_)) => sources.push(Mirror::Url(mirror.location(&name))),
        Some(Mirror::Dir(dir)) => sources.push(Mirror::Dir(dir.clone())),
        None => {}
    }
    if !shared.options.offline {
        sources.extend(resource.urls.iter().cloned().map(Mirror::Url));
    }
    if sources.is_empty() {
        return Err(FetchError::NoSources { file: name });
    }

    let mut failures = Vec::new();
    let mut began = false;
    let count = sources.len();
    for (i, source) in sources.into_iter().enumerate() {
        let (label, result) = match source {
            Mirror::Dir(dir) => {
                let label = dir.join(&name).display().to_string();
                let (shared, resource) = (shared.clone(), resource.clone());
                let result = blocking(move || {
                    let src = dir.join(&resource.file_name);
                    if !src.is_file() {
                        return Err(FetchError::MissingInDir {
                            dir,
                            missing: vec![resource.file_name],
                        });
                    }
                    import_one(&shared.data_dir, &resource, &src, shared.progress.as_ref())
                })
                .await;
                (label, result)
            }
            Mirror::Url(url) => {
                let result = download_url(&shared, &resource, &url, &mut began).await;
                (url, result)
            }
        };
        match result {
            Ok(done) => {
                shared.progress.finish(&name);
                return Ok(done);
            }
            Err(e) => {
                if i + 1 < count {
                    shared.progress.note(&format!(
                        "{name}: {label} failed ({e}); trying the next source"
                    ));
                }
                failures.push((label, e));
            }
        }
    }
    if failures.len() == 1 {
        // A single source: its own error says everything.
        return Err(failures.remove(0).1);
    }
    Err(FetchError::AllSourcesFailed {
        file: name,
        failures,
    })
}

/// Downloads `resource` from one URL, retrying with exponential backoff.
async fn download_url(
    shared: &Shared,
    resource: &Resource,
    url: &str,
    began: &mut bool,
) -> Result<Downloaded, FetchError> {
    let name = &resource.file_name;
    let part_path = shared.data_dir.part(name);
    let downloads = shared.data_dir.downloads();
    std::fs::create_dir_all(&downloads).map_err(|e| FetchError::io("create", &downloads, e))?;
    let mut part: Option<Part> = None;
    let mut retry = 0u32;
    // How far the part had got when the last retry was counted.
    let mut reached = 0u64;
    let length = |part: &Option<Part>| part.as_ref().map_or(0, |p| p.len);
    loop {
        match attempt(shared, resource, url, &part_path, &mut part, began).await {
            Ok((size, sha256)) => {
                let origin = Origin::Url(url.to_owned());
                let (data_dir, resource, part_path) =
                    (shared.data_dir.clone(), resource.clone(), part_path.clone());
                return blocking(move || {
                    commit(&data_dir, &resource, &part_path, size, sha256, origin)
                })
                .await;
            }
            Err(Failed::Restart) => {
                remove_part(&part_path)?;
                part = None;
                shared.progress.restart(name);
            }
            Err(Failed::Retry(e)) if retry < shared.options.retries || length(&part) > reached => {
                // An attempt that got bytes further resets the count: a long file over a
                // flaky link may be cut many times and still be finished.
                if length(&part) > reached {
                    retry = 0;
                    reached = length(&part);
                }
                let wait = shared.options.backoff.saturating_mul(1 << retry.min(16));
                shared.progress.note(&format!(
                    "{name}: {}; retrying in {}",
                    chain(&e),
                    show(wait)
                ));
                tokio::time::sleep(wait).await;
                retry += 1;
            }
            Err(Failed::Connect(e)) if retry == 0 => {
                shared
                    .progress
                    .note(&format!("{name}: {}; trying once more", chain(&e)));
                tokio::time::sleep(shared.options.backoff).await;
                retry += 1;
            }
            Err(Failed::Retry(e) | Failed::Connect(e) | Failed::Give(e)) => return Err(e),
        }
    }
}

/// One request: resumes from the part's length, checks the answer, streams the body into the
/// part. `Ok` carries the size and sha256 of the whole part once the body is complete.
async fn attempt(
    shared: &Shared,
    resource: &Resource,
    url: &str,
    part_path: &Path,
    part: &mut Option<Part>,
    began: &mut bool,
) -> Result<(u64, Sha256Hex), Failed> {
    let name = &resource.file_name;
    let progress = shared.progress.as_ref();
    let io_err = |action, e| Failed::Give(FetchError::io(action, part_path, e));

    let mut offset = match std::fs::metadata(part_path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => return Err(io_err("read", e)),
    };
    if resource.size.is_some_and(|size| offset >= size) && offset > 0 {
        // A full-length (or longer) part cannot be resumed: a range past its end gets 416.
        return Err(Failed::Restart);
    }
    let prefix = match part.take() {
        Some(p) if p.len == offset => p.hasher,
        _ if offset == 0 => Sha256::new(),
        _ => {
            let path = part_path.to_owned();
            let hashed = blocking(move || {
                let file = File::open(&path).map_err(|e| FetchError::io("read", &path, e))?;
                hash_reader(file, Sha256::new(), |_| Ok(()))
                    .map_err(|e| FetchError::io("read", &path, e))
            })
            .await
            .map_err(Failed::Give)?;
            offset = hashed.1;
            hashed.0
        }
    };
    if !*began {
        *began = true;
        progress.begin(name, resource.size);
        if offset > 0 {
            progress.advance(name, offset);
            progress.note(&format!("{name}: resuming at {offset} bytes"));
        }
    }

    let mut request = shared.client.get(url);
    if offset > 0 {
        request = request.header(RANGE, format!("bytes={offset}-"));
    }
    let network = |e: reqwest::Error| FetchError::Network {
        file: name.clone(),
        url: url.to_owned(),
        source: e,
    };
    let mut response = request.send().await.map_err(|e| match e.is_connect() {
        true => Failed::Connect(network(e)),
        false => Failed::Retry(network(e)),
    })?;
    let status = response.status().as_u16();
    let mut hasher = prefix;
    match status {
        200 if offset > 0 => {
            progress.note(&format!(
                "{name}: {url} ignored the range request; restarting from zero"
            ));
            progress.restart(name);
            offset = 0;
            hasher = Sha256::new();
        }
        200 => {}
        206 => {
            let start = response
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(content_range_start);
            if start != Some(offset) {
                if offset > 0 {
                    progress.note(&format!(
                        "{name}: {url} answered another range; restarting from zero"
                    ));
                    return Err(Failed::Restart);
                }
                return Err(Failed::Give(FetchError::Protocol {
                    file: name.clone(),
                    url: url.to_owned(),
                    reason: "a partial answer (206) to a request for the whole file".to_owned(),
                }));
            }
        }
        416 if offset > 0 => {
            // The server says the part already holds the whole file: let verification judge it.
            return Ok((offset, to_hex(hasher)));
        }
        _ => {
            let e = FetchError::Status {
                file: name.clone(),
                url: url.to_owned(),
                status,
            };
            let retryable = matches!(status, 408 | 429 | 500..=599);
            return Err(if retryable {
                Failed::Retry(e)
            } else {
                Failed::Give(e)
            });
        }
    }
    let html = FetchError::HtmlPage {
        file: name.clone(),
        url: url.to_owned(),
        hint: html_hint(url),
    };
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if content_type.is_some_and(is_html_content_type) {
        return Err(Failed::Give(html));
    }
    let expected_end = response.content_length().map(|n| offset + n);

    // Look at the first bytes of a file before writing any of them.
    let mut held = Vec::new();
    if offset == 0 {
        let mut head = Vec::new();
        while head.len() < SNIFF_LEN {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    head.extend_from_slice(&chunk[..chunk.len().min(SNIFF_LEN)]);
                    held.push(chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(Failed::Retry(network(e))),
            }
        }
        match sniff(&head) {
            Sniffed::Data => {}
            Sniffed::Html => return Err(Failed::Give(html)),
            Sniffed::LfsPointer => {
                return Err(Failed::Give(FetchError::LfsPointer {
                    file: name.clone(),
                    url: url.to_owned(),
                }));
            }
        }
    }

    let file = if offset == 0 {
        File::create(part_path)
    } else {
        OpenOptions::new()
            .write(true)
            .open(part_path)
            .and_then(|mut f| {
                f.set_len(offset)?;
                f.seek(SeekFrom::Start(offset))?;
                Ok(f)
            })
    }
    .map_err(|e| io_err("write", e))?;
    let mut sink = HashingSink::new(file, hasher);
    let mut written = offset;
    let mut unreported = 0u64;
    let mut cut = None;
    let mut oversize = false;
    let mut next = held.into_iter();
    loop {
        let chunk = match next.next() {
            Some(chunk) => chunk,
            None => match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    cut = Some(e);
                    break;
                }
            },
        };
        let len = chunk.len() as u64;
        sink.push(chunk).await.map_err(|e| io_err("write", e))?;
        written += len;
        if resource.size.is_some_and(|size| written > size) {
            // Never the file: stop instead of filling the disk with an endless answer.
            oversize = true;
            break;
        }
        // Progress per chunk would be tens of thousands of calls a second.
        unreported += len;
        if unreported >= PROGRESS_STEP {
            progress.advance(name, std::mem::take(&mut unreported));
        }
    }
    progress.advance(name, unreported);
    let (hasher, hashed_len) = sink.finish().await.map_err(|e| io_err("write", e))?;
    if hashed_len != written - offset {
        return Err(Failed::Give(FetchError::io(
            "hash",
            part_path,
            io::Error::other("the hashing thread stopped early"),
        )));
    }
    if oversize {
        drop(response);
        remove_part(part_path).map_err(Failed::Give)?;
        return Err(Failed::Give(FetchError::Protocol {
            file: name.clone(),
            url: url.to_owned(),
            reason: format!(
                "it sent more than the expected {} bytes (stopped there and discarded)",
                resource.size.unwrap_or(0)
            ),
        }));
    }
    if let Some(e) = cut {
        *part = Some(Part {
            hasher,
            len: written,
        });
        return Err(Failed::Retry(network(e)));
    }
    let expected = expected_end.or(resource.size).unwrap_or(written);
    if written < expected {
        *part = Some(Part {
            hasher,
            len: written,
        });
        let e = FetchError::Truncated {
            file: name.clone(),
            url: url.to_owned(),
            received: written,
            expected,
        };
        return Err(Failed::Retry(e));
    }
    Ok((written, to_hex(hasher)))
}

/// The first byte position of a `Content-Range: bytes START-END/TOTAL` value.
fn content_range_start(value: &str) -> Option<u64> {
    let range = value.trim().strip_prefix("bytes")?.trim_start();
    range.split_once('-')?.0.trim().parse().ok()
}

fn remove_part(path: &Path) -> Result<(), FetchError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(FetchError::io("remove", path, e)),
        _ => Ok(()),
    }
}

/// Runs blocking file work off the async worker threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, FetchError> + Send + 'static,
) -> Result<T, FetchError> {
    spawn_blocking(work).await.map_err(join_error)?
}

pub(crate) fn join_error(e: tokio::task::JoinError) -> FetchError {
    FetchError::Setup {
        what: "a download task stopped unexpectedly".to_owned(),
        source: Box::new(e),
    }
}

fn show(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_values() {
        assert_eq!(content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(content_range_start("bytes 0-0/1"), Some(0));
        assert_eq!(content_range_start("bytes */200"), None);
        assert_eq!(content_range_start("items 1-2/3"), None);
    }
}
