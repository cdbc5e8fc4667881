//! A small HTTP/1.1 file server on 127.0.0.1 for tests and `cargo xtask demo`: it serves a
//! directory or an in-memory map, supports `Range: bytes=N-` (206 + `Content-Range`), records
//! every request, and answers injected faults per path. Standard library only; one thread per
//! connection; it stops accepting when dropped.
//!
//! ```
//! use zukan_fetch::loopback::{Fault, LoopbackServer};
//!
//! let server = LoopbackServer::serve_bytes([("a.bin", vec![7u8; 100])]).unwrap();
//! server.inject("a.bin", Fault::Status(500), 2); // the next two requests get a 500
//! assert!(server.url("a.bin").starts_with("http://127.0.0.1:"));
//! ```

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
#[cfg(not(target_os = "linux"))]
use std::io::{Read, Seek, SeekFrom};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// A misbehaviour to answer a request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Announce the full length, send only this many body bytes, then close the connection.
    CutAfter(u64),
    /// Answer 200 with the whole file even to a range request.
    IgnoreRange,
    /// Answer this status with a short text body.
    Status(u16),
    /// Answer 200 with an HTML page and `Content-Type: text/html`.
    Html,
    /// Answer 200 with an HTML page labelled `application/octet-stream` (only sniffing finds it).
    HtmlAsData,
    /// Answer 200 with a Git LFS pointer file.
    LfsPointer,
    /// Answer a redirect (301, 302, 307…) to another path of this server.
    Redirect {
        /// The status code.
        status: u16,
        /// The path to go to (`/b.zip`).
        to: String,
    },
    /// Send this many body bytes, then wait before sending the rest.
    Stall {
        /// Body bytes sent before the pause.
        after: u64,
        /// The pause.
        pause: Duration,
    },
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, …
    pub method: String,
    /// The path without its leading `/` or query.
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
    /// The `User-Agent` header, if any.
    pub user_agent: Option<String>,
}

enum Content {
    Dir(PathBuf),
    Memory(HashMap<String, Arc<Vec<u8>>>),
}

struct State {
    content: Content,
    faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    requests: Mutex<Vec<Request>>,
    /// Answers being written now, and the most there ever were at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// The server; it listens until dropped.
pub struct LoopbackServer {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl LoopbackServer {
    /// Serves the files under `dir` (paths relative to it).
    pub fn serve_dir(dir: &Path) -> io::Result<Self> {
        Self::start(Content::Dir(dir.to_owned()))
    }

    /// Serves these in-memory files (name → bytes).
    pub fn serve_bytes<N: Into<String>>(
        files: impl IntoIterator<Item = (N, Vec<u8>)>,
    ) -> io::Result<Self> {
        Self::start(Content::Memory(
            files
                .into_iter()
                .map(|(n, b)| (n.into(), Arc::new(b)))
                .collect(),
        ))
    }

    fn start(content: Content) -> io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            content,
            faults: Mutex::default(),
            requests: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (state2, stop2) = (state.clone(), stop.clone());
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(stream) = stream {
                    let state = state2.clone();
                    std::thread::spawn(move || {
                        let _ = serve_connection(stream, &state);
                    });
                }
            }
        });
        Ok(LoopbackServer {
            addr,
            state,
            stop,
            accept: Some(accept),
        })
    }

    /// The URL of `path` on this server (`url("")` is the base).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Answers the next `times` requests of `path` with `fault` (after faults queued before).
    pub fn inject(&self, path: &str, fault: Fault, times: usize) {
        let mut faults = self
            .state
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        faults
            .entry(path.trim_start_matches('/').to_owned())
            .or_default()
            .extend(std::iter::repeat_n(fault, times));
    }

    /// The most answers this server was writing at the same time (to check that a client
    /// bounds its parallel downloads).
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.state
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve_connection(stream: TcpStream, state: &State) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut words = line.split_whitespace();
        let method = words.next().unwrap_or("").to_owned();
        let target = words.next().unwrap_or("/");
        let path = target
            .split('?')
            .next()
            .unwrap_or("")
            .trim_start_matches('/')
            .to_owned();
        let (mut range, mut user_agent, mut close) = (None, None, false);
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim().to_owned();
                match name.trim().to_ascii_lowercase().as_str() {
                    "range" => range = Some(value),
                    "user-agent" => user_agent = Some(value),
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let request = Request {
            method,
            path,
            range,
            user_agent,
        };
        state
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request.clone());
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let answered = respond(&mut out, state, &request);
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !answered? || close {
            let _ = out.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

/// Writes one answer; `false` when the connection must close.
fn respond(out: &mut TcpStream, state: &State, req: &Request) -> io::Result<bool> {
    let fault = {
        let mut faults = state.faults.lock().unwrap_or_else(PoisonError::into_inner);
        faults.get_mut(&req.path).and_then(VecDeque::pop_front)
    };
    let html = b"<!DOCTYPE html>\n<html><head><title>Quota exceeded</title></head><body>Too many users have viewed or downloaded this file recently.</body></html>\n";
    let lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";
    match &fault {
        Some(Fault::Status(code)) => {
            return small(
                out,
                *code,
                "text/plain",
                format!("error {code}\n").as_bytes(),
                "",
            );
        }
        Some(Fault::Html) => return small(out, 200, "text/html; charset=utf-8", html, ""),
        Some(Fault::HtmlAsData) => return small(out, 200, "application/octet-stream", html, ""),
        Some(Fault::LfsPointer) => return small(out, 200, "application/octet-stream", lfs, ""),
        Some(Fault::Redirect { status, to }) => {
            return small(
                out,
                *status,
                "text/plain",
                b"",
                &format!("Location: {to}\r\n"),
            );
        }
        _ => {}
    }
    let Some(mut body) = open(state, &req.path) else {
        return small(out, 404, "text/plain", b"not found\n", "");
    };
    let size = body.len();
    let start = match req.range.as_deref().and_then(parse_range_start) {
        Some(_) if fault == Some(Fault::IgnoreRange) => None,
        Some(start) if start >= size => {
            return small(
                out,
                416,
                "text/plain",
                b"",
                &format!("Content-Range: bytes */{size}\r\n"),
            );
        }
        other => other,
    };
    let from = start.unwrap_or(0);
    let len = size - from;
    let head = match start {
        Some(s) => format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {s}-{}/{size}\r\n",
            size - 1
        ),
        None => "HTTP/1.1 200 OK\r\n".to_owned(),
    };
    write!(
        out,
        "{head}Content-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n"
    )?;
    if req.method == "HEAD" {
        return Ok(true);
    }
    match fault {
        Some(Fault::CutAfter(k)) => {
            body.send(out, from, k.min(len))?;
            out.flush()?;
            Ok(false)
        }
        Some(Fault::Stall { after, pause }) => {
            let first = after.min(len);
            body.send(out, from, first)?;
            out.flush()?;
            std::thread::sleep(pause);
            body.send(out, from + first, len - first)?;
            Ok(true)
        }
        _ => {
            body.send(out, from, len)?;
            Ok(true)
        }
    }
}

/// A whole small answer.
fn small(
    out: &mut TcpStream,
    code: u16,
    content_type: &str,
    body: &[u8],
    extra: &str,
) -> io::Result<bool> {
    let reason = match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    write!(
        out,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    Ok(true)
}

/// `bytes=N-` → N. Other forms (`bytes=N-M`, several ranges) are answered in full (allowed).
fn parse_range_start(value: &str) -> Option<u64> {
    let spec = value.trim().strip_prefix("bytes=")?;
    let start = spec.strip_suffix('-')?;
    start.parse().ok()
}

enum Body {
    File(File, u64),
    Bytes(Arc<Vec<u8>>),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::File(_, len) => *len,
            Body::Bytes(b) => b.len() as u64,
        }
    }

    fn send(&mut self, out: &mut TcpStream, from: u64, len: u64) -> io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            Body::File(file, _) => send_file(file, out, from, len),
            #[cfg(not(target_os = "linux"))]
            Body::File(file, _) => {
                file.seek(SeekFrom::Start(from))?;
                // io::copy did not become sendfile(2) here and wrote 8 KiB at a time (seen
                // with strace), which starves a fast client; large writes keep up with it.
                let mut buf = vec![0u8; 256 * 1024];
                let mut left = len;
                while left > 0 {
                    let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let n = file.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank"));
                    }
                    out.write_all(&buf[..n])?;
                    left -= n as u64;
                }
                Ok(())
            }
            Body::Bytes(bytes) => {
                let (from, len) = (from as usize, len as usize);
                out.write_all(&bytes[from..from + len])
            }
        }
    }
}

/// `len` bytes of `file` from `from` onto the socket with sendfile(2), as a real file server
/// (nginx) sends them: no copy through user space, so the server takes as little of the
/// machine as it can from the client being measured.
#[cfg(target_os = "linux")]
fn send_file(file: &File, out: &TcpStream, from: u64, len: u64) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let mut offset = libc::off_t::try_from(from).map_err(io::Error::other)?;
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left.min(1 << 30)).unwrap_or(1 << 30);
        // SAFETY: both descriptors are open for the duration of the call (borrowed), and
        // `offset` is a valid, exclusively borrowed off_t.
        let sent = unsafe { libc::sendfile(out.as_raw_fd(), file.as_raw_fd(), &mut offset, want) };
        match sent {
            n if n > 0 => left -= n as u64,
            0 => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank")),
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}

fn open(state: &State, path: &str) -> Option<Body> {
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return None;
    }
    match &state.content {
        Content::Memory(files) => files.get(path).map(|b| Body::Bytes(b.clone())),
        Content::Dir(dir) => {
            let file = File::open(dir.join(path)).ok()?;
            let meta = file.metadata().ok()?;
            meta.is_file().then(|| Body::File(file, meta.len()))
        }
    }
}
