//! Progress reporting: the fetcher never prints; it tells a [`Progress`] what happens and the
//! binary decides how to show it (bars on a terminal, log lines otherwise).

/// Receives download events. Called from several tasks at once, hence `Send + Sync`; calls
/// for one file come in order: `begin`, `advance`/`restart`…, then `finish` on success. A
/// file already verified in `downloads/` gets `finish` alone.
pub trait Progress: Send + Sync {
    /// Every file this call will get, with its size when known, before any of them starts
    /// (so a total can be drawn). Optional.
    fn plan(&self, files: &[(String, Option<u64>)]) {
        let _ = files;
    }
    /// A download of `file` starts; `total` is its size when known.
    fn begin(&self, file: &str, total: Option<u64>);
    /// `bytes` more bytes of `file` were written (including a resumed part, once).
    fn advance(&self, file: &str, bytes: u64);
    /// The server ignored a range request: `file` starts again from zero.
    fn restart(&self, file: &str);
    /// `file` is complete and verified.
    fn finish(&self, file: &str);
    /// A plain log line ("resumed a.zip at 1048576 bytes", "retrying after HTTP 500").
    fn note(&self, message: &str);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _file: &str, _total: Option<u64>) {}
    fn advance(&self, _file: &str, _bytes: u64) {}
    fn restart(&self, _file: &str) {}
    fn finish(&self, _file: &str) {}
    fn note(&self, _message: &str) {}
}
