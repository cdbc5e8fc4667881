//! The one error type of downloading, importing and verifying: every variant names the file
//! (and the URL or path) it is about, and keeps its cause as a `source`.

use std::fmt;
use std::io;
use std::path::PathBuf;

use zukan_schema::Sha256Hex;

/// Why a resource could not be downloaded, imported or verified.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Offline mode (`ZUKAN_OFFLINE`, `--offline`) and these files are not in the data
    /// directory yet.
    #[error("offline (--offline or ZUKAN_OFFLINE) and {} not downloaded yet: {}", count(.missing.len()), list_missing(.missing))]
    Offline {
        /// Each missing file's name and where it would have to be.
        missing: Vec<(String, PathBuf)>,
    },
    /// `fetch --from DIR`: these files are not in `DIR`.
    #[error("{} not found in {}: {}", count(.missing.len()), .dir.display(), .missing.join(", "))]
    MissingInDir {
        /// The directory searched.
        dir: PathBuf,
        /// The file names not found there.
        missing: Vec<String>,
    },
    /// The server answered with an error status (after the retries, for a 5xx, 408 or 429).
    #[error("{url} answered HTTP {status} for {file}")]
    Status {
        /// The resource's file name.
        file: String,
        /// The URL asked.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The connection failed, timed out or was cut mid-body (after the retries).
    #[error("could not download {file} from {url}")]
    Network {
        /// The resource's file name.
        file: String,
        /// The URL asked.
        url: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The body ended before the announced length, and retrying did not complete it.
    #[error("{url} ended the body of {file} after {received} of {expected} bytes")]
    Truncated {
        /// The resource's file name.
        file: String,
        /// The URL asked.
        url: String,
        /// Bytes of the file received in total.
        received: u64,
        /// Bytes the file should have.
        expected: u64,
    },
    /// The server answered something this fetcher does not speak (a bad `Content-Range`).
    #[error("{url} gave an unusable answer for {file}: {reason}")]
    Protocol {
        /// The resource's file name.
        file: String,
        /// The URL asked.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The answer is an HTML page, not the file: nothing was kept.
    #[error("{url} answered an HTML page instead of {file}: {hint}")]
    HtmlPage {
        /// The resource's file name.
        file: String,
        /// The URL asked.
        url: String,
        /// What such a page usually means.
        hint: String,
    },
    /// The answer is a Git LFS pointer file, not the file: nothing was kept.
    #[error(
        "{url} answered a Git LFS pointer instead of {file}: the repository stores the file in \
         LFS and this URL serves the pointer (use the LFS media URL)"
    )]
    LfsPointer {
        /// The resource's file name.
        file: String,
        /// The URL asked.
        url: String,
    },
    /// A local file (`--from`, a mirror directory) has another size than the resource; it
    /// was left where it is and nothing was copied.
    #[error("{} is {found} bytes, but {file} is {expected} bytes: not this file (nothing was copied)", .path.display())]
    WrongSize {
        /// The resource's file name.
        file: String,
        /// The local file.
        path: PathBuf,
        /// The expected size.
        expected: u64,
        /// Its size.
        found: u64,
    },
    /// The bytes received (or imported) are not the published file; they were quarantined.
    #[error("{0}")]
    Mismatch(Box<Mismatch>),
    /// Every source of a file was tried and each failed; the reasons are listed in order.
    #[error("could not get {file} from any of its {} sources:{}", .failures.len(), list_failures(.failures))]
    AllSourcesFailed {
        /// The resource's file name.
        file: String,
        /// Each source (mirror, URL) tried and why it failed.
        failures: Vec<(String, FetchError)>,
    },
    /// A resource has no URL and no mirror is configured.
    #[error("{file} has no URL to download it from")]
    NoSources {
        /// The resource's file name.
        file: String,
    },
    /// A resource's file name is not a plain file name (it has a `/`, `..`, or is empty).
    #[error("`{file}` is not a plain file name; refusing to use it as a path")]
    BadFileName {
        /// The file name as given.
        file: String,
    },
    /// Several files failed; each error is kept.
    #[error("{} files could not be fetched:{}", .errors.len(), list_errors(.errors))]
    Several {
        /// One error per failed file, in the order of the resources.
        errors: Vec<FetchError>,
    },
    /// A file or directory of the data directory could not be read or written.
    #[error("could not {action} {}", .path.display())]
    Io {
        /// What was being done ("create", "rename … to", "lock").
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The HTTP client or the async runtime could not be set up.
    #[error("could not set up the downloader: {what}")]
    Setup {
        /// What failed to start.
        what: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// What [`FetchError::Mismatch`] found: expected and actual size and sha256, where the bad
/// bytes went, and the page to get the file from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The resource's file name.
    pub file: String,
    /// Where the bytes came from (a URL or a path).
    pub origin: String,
    /// The published size, when known.
    pub expected_size: Option<u64>,
    /// The size received.
    pub actual_size: u64,
    /// The published sha256, when known.
    pub expected_sha256: Option<Sha256Hex>,
    /// The sha256 of the bytes received.
    pub actual_sha256: Sha256Hex,
    /// Where the bad bytes were moved for inspection.
    pub quarantined: PathBuf,
    /// The resource's official page.
    pub page: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} from {} is not the expected file: expected {}, got {} bytes, sha256 {}; moved to {}; \
             the official page is {}",
            self.file,
            self.origin,
            expected(&self.expected_size, &self.expected_sha256),
            self.actual_size,
            self.actual_sha256,
            self.quarantined.display(),
            self.page
        )
    }
}

impl FetchError {
    /// The files whose bytes (or local file's size) did not match their expected size or
    /// sha256, anywhere in this error (one file, one of several, or one source of many).
    pub fn mismatched_files(&self) -> Vec<&str> {
        match self {
            FetchError::Mismatch(m) => vec![m.file.as_str()],
            FetchError::WrongSize { file, .. } => vec![file.as_str()],
            FetchError::Several { errors } => errors
                .iter()
                .flat_map(FetchError::mismatched_files)
                .collect(),
            FetchError::AllSourcesFailed { failures, .. } => {
                let mut files: Vec<&str> = failures
                    .iter()
                    .flat_map(|(_, e)| e.mismatched_files())
                    .collect();
                files.dedup();
                files
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        FetchError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 file is".to_owned()
    } else {
        format!("{n} files are")
    }
}

fn list_missing(missing: &[(String, PathBuf)]) -> String {
    let items: Vec<String> = missing
        .iter()
        .map(|(f, p)| format!("{f} (expected at {})", p.display()))
        .collect();
    items.join(", ")
}

fn expected(size: &Option<u64>, sha: &Option<Sha256Hex>) -> String {
    let size = size.map_or_else(|| "an unknown number of".to_owned(), |s| s.to_string());
    let sha = sha.map_or_else(|| "unknown".to_owned(), |s| s.to_string());
    format!("{size} bytes, sha256 {sha}")
}

/// One indented line per source (`\n  - from SOURCE: reason`), nested lists indented further.
fn list_failures(failures: &[(String, FetchError)]) -> String {
    failures
        .iter()
        .map(|(src, e)| format!("\n  - from {src}: {}", indent(&chain(e))))
        .collect()
}

/// One indented line per failed file (`\n  - reason`), nested lists indented further.
fn list_errors(errors: &[FetchError]) -> String {
    errors
        .iter()
        .map(|e| format!("\n  - {}", indent(&chain(e))))
        .collect()
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n    ")
}

/// The error and its causes on one line, so a list of failures keeps each reason.
pub(crate) fn chain(error: &FetchError) -> String {
    struct Chain<'a>(&'a dyn std::error::Error);
    impl fmt::Display for Chain<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{}", self.0)?;
            let mut cause = self.0.source();
            while let Some(c) = cause {
                write!(f, ": {c}")?;
                cause = c.source();
            }
            Ok(())
        }
    }
    Chain(error).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_lists_every_missing_file_and_where() {
        let e = FetchError::Offline {
            missing: vec![
                ("a.zip".into(), PathBuf::from("/d/downloads/a.zip")),
                ("b.zip".into(), PathBuf::from("/d/downloads/b.zip")),
            ],
        };
        let text = e.to_string();
        assert!(text.contains("2 files are"), "{text}");
        assert!(
            text.contains("a.zip (expected at /d/downloads/a.zip)"),
            "{text}"
        );
        assert!(
            text.contains("b.zip (expected at /d/downloads/b.zip)"),
            "{text}"
        );
    }

    #[test]
    fn all_sources_failed_names_each_url_and_reason() {
        let e = FetchError::AllSourcesFailed {
            file: "a.zip".into(),
            failures: vec![
                (
                    "http://x/a.zip".into(),
                    FetchError::Status {
                        file: "a.zip".into(),
                        url: "http://x/a.zip".into(),
                        status: 404,
                    },
                ),
                (
                    "http://y/a.zip".into(),
                    FetchError::LfsPointer {
                        file: "a.zip".into(),
                        url: "http://y/a.zip".into(),
                    },
                ),
            ],
        };
        let text = e.to_string();
        assert!(
            text.contains("404") && text.contains("LFS") && text.contains("http://y/a.zip"),
            "{text}"
        );
    }
}
