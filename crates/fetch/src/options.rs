//! How to fetch: mirror, offline mode, concurrency, retries and timeouts, and reading them
//! from the environment (`ZUKAN_MIRROR`, `ZUKAN_OFFLINE`).

use std::path::PathBuf;
use std::time::Duration;

/// A place tried before a resource's own URLs (`ZUKAN_MIRROR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    /// A base URL: the file is asked as `<base>/<file_name>`.
    Url(String),
    /// A local directory holding the files by their published names.
    Dir(PathBuf),
}

impl Mirror {
    /// Reads a `ZUKAN_MIRROR` value: `file://` and anything without a scheme are a
    /// directory, any other `scheme://` a base URL (so `ftp://` fails as an unsupported URL
    /// instead of being looked for as a folder). Empty means no mirror.
    pub fn parse(value: &str) -> Option<Mirror> {
        let value = value.trim();
        let scheme = value.split_once("://").filter(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        if value.is_empty() {
            None
        } else if scheme.is_some_and(|(s, _)| !s.eq_ignore_ascii_case("file")) {
            Some(Mirror::Url(value.trim_end_matches('/').to_owned()))
        } else {
            Some(Mirror::Dir(PathBuf::from(
                value.strip_prefix("file://").unwrap_or(value),
            )))
        }
    }

    /// Where this mirror has `file_name`: a URL or a path, as text.
    pub fn location(&self, file_name: &str) -> String {
        match self {
            Mirror::Url(base) => format!("{}/{file_name}", base.trim_end_matches('/')),
            Mirror::Dir(dir) => dir.join(file_name).display().to_string(),
        }
    }
}

/// Settings of a [`crate::Fetcher`].
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Tried before each resource's own URLs.
    pub mirror: Option<Mirror>,
    /// Never touch the network: only files already verified (or in a mirror directory) count.
    pub offline: bool,
    /// Files downloaded at once (at least 1).
    pub concurrency: usize,
    /// Retries of one URL after a 5xx, 408, 429, a timeout or a cut connection.
    pub retries: u32,
    /// The first wait before a retry; each later one doubles it.
    pub backoff: Duration,
    /// Limit on establishing a connection.
    pub connect_timeout: Duration,
    /// Limit on waiting for the next bytes of an answer (a stalled server).
    pub read_timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            mirror: None,
            offline: false,
            concurrency: 3,
            retries: 4,
            backoff: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
        }
    }
}

impl FetchOptions {
    /// The defaults, with `ZUKAN_MIRROR` and `ZUKAN_OFFLINE` from the environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The defaults, with `ZUKAN_MIRROR` and `ZUKAN_OFFLINE` read through `lookup` (tests pass a
    /// map instead of touching the process environment).
    ///
    /// `ZUKAN_OFFLINE` is on for any value but empty, `0`, `false`, `no` and `off`: a user who
    /// sets it means it, so an unusual spelling errs on the side of no network.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let offline = lookup("ZUKAN_OFFLINE").is_some_and(|v| {
            !matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "" | "0" | "false" | "no" | "off"
            )
        });
        let mirror = lookup("ZUKAN_MIRROR").and_then(|v| Mirror::parse(&v));
        FetchOptions {
            mirror,
            offline,
            ..FetchOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> FetchOptions {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FetchOptions::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn offline_values() {
        assert!(!from(&[]).offline);
        for on in ["1", "true", "YES", "on", "anything"] {
            assert!(from(&[("ZUKAN_OFFLINE", on)]).offline, "{on}");
        }
        for off in ["", "0", "false", "No", " off "] {
            assert!(!from(&[("ZUKAN_OFFLINE", off)]).offline, "{off}");
        }
    }

    #[test]
    fn mirror_values() {
        assert_eq!(from(&[]).mirror, None);
        assert_eq!(from(&[("ZUKAN_MIRROR", "")]).mirror, None);
        assert_eq!(
            from(&[("ZUKAN_MIRROR", "https://m.example/data/")]).mirror,
            Some(Mirror::Url("https://m.example/data".into()))
        );
        assert_eq!(
            from(&[("ZUKAN_MIRROR", "/srv/zukan")]).mirror,
            Some(Mirror::Dir("/srv/zukan".into()))
        );
        assert_eq!(
            from(&[("ZUKAN_MIRROR", "file:///srv/zukan")]).mirror,
            Some(Mirror::Dir("/srv/zukan".into()))
        );
        // Regression: any other scheme was looked for as a directory named `ftp:`.
        assert_eq!(
            from(&[("ZUKAN_MIRROR", "ftp://m.example/data")]).mirror,
            Some(Mirror::Url("ftp://m.example/data".into()))
        );
        assert_eq!(
            Mirror::Url("http://m".into()).location("a.zip"),
            "http://m/a.zip"
        );
        // Built directly (not parsed), a base may keep its slash.
        assert_eq!(
            Mirror::Url("http://m/d/".into()).location("a.zip"),
            "http://m/d/a.zip"
        );
    }

    #[test]
    fn defaults() {
        let o = FetchOptions::default();
        assert_eq!((o.concurrency, o.retries), (3, 4));
    }
}
