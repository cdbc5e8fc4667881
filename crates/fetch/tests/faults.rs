//! The real download code against the loopback server, one injected fault per test.

mod common;

use std::time::Duration;

use common::{fast_options, fetcher, listing, payload, resource, sha256};
use zukan_fetch::FetchError;
use zukan_fetch::loopback::{Fault, LoopbackServer};

const LEN: usize = 3 * 1024 * 1024 + 17;

/// The file, served and fetched without faults: one request, one verified file, a stamp.
#[test]
fn clean_download_is_verified_and_stamped() {
    let data = payload(LEN, 1);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (f, progress) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(got[0].sha256, sha256(&data));
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert_eq!(
        listing(&dir.path().join("downloads")),
        ["a.bin", "a.bin.lock", "a.bin.sha256"]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].user_agent.as_deref(),
        Some(concat!("zukan/", env!("CARGO_PKG_VERSION")))
    );
    assert!(progress.events().contains(&"finish a.bin".to_owned()));

    // A second run reuses the verified file without a request.
    let again = f
        .download_all(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(again[0], got[0].path);
    assert_eq!(server.requests().len(), 1);
}

/// The connection is cut halfway through the body; the retry must resume with a Range
/// request and the joined file must hash right.
#[test]
fn body_cut_halfway_is_resumed_with_range() {
    let data = payload(LEN, 2);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    server.inject("a.bin", Fault::CutAfter(LEN as u64 / 2), 1);
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(got[0].sha256, sha256(&data));
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0].range, None);
    let resumed_at: u64 = requests[1]
        .range
        .as_deref()
        .unwrap()
        .trim_start_matches("bytes=")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(
        resumed_at > 0 && resumed_at <= LEN as u64 / 2,
        "{resumed_at}"
    );
}

/// A `.part` left by an earlier (killed) run is hashed from disk and resumed.
#[test]
fn part_from_an_earlier_run_is_resumed() {
    let data = payload(LEN, 3);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("downloads")).unwrap();
    std::fs::write(dir.path().join("downloads/a.bin.part"), &data[..1000]).unwrap();
    let (f, progress) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert_eq!(server.requests()[0].range.as_deref(), Some("bytes=1000-"));
    assert!(
        progress
            .events()
            .iter()
            .any(|e| e.contains("resuming at 1000 bytes"))
    );
}

/// The server answers 200 with the whole file to a Range request: the part must restart
/// from zero, never append.
#[test]
fn range_ignored_restarts_from_zero() {
    let data = payload(LEN, 4);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("downloads")).unwrap();
    std::fs::write(dir.path().join("downloads/a.bin.part"), &data[..5000]).unwrap();
    server.inject("a.bin", Fault::IgnoreRange, 1);
    let (f, progress) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].range.as_deref(), Some("bytes=5000-"));
    assert!(progress.events().contains(&"restart a.bin".to_owned()));
}

/// Two 500s, then the file: retried with backoff, success.
#[test]
fn two_server_errors_then_success() {
    let data = payload(LEN, 5);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    server.inject("a.bin", Fault::Status(500), 2);
    let dir = tempfile::tempdir().unwrap();
    let (f, progress) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(got[0].sha256, sha256(&data));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        progress
            .events()
            .iter()
            .filter(|e| e.contains("retrying"))
            .count(),
        2
    );
}

/// Errors that outlast the retries end with the status named; a 404 is not retried.
#[test]
fn persistent_errors_give_up() {
    let data = payload(100, 6);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    server.inject("a.bin", Fault::Status(503), 100);
    let dir = tempfile::tempdir().unwrap();
    let options = zukan_fetch::FetchOptions {
        retries: 2,
        ..fast_options()
    };
    let (f, _) = fetcher(dir.path(), options);
    let e = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap_err();
    assert!(matches!(e, FetchError::Status { status: 503, .. }), "{e}");
    assert_eq!(server.requests().len(), 3);

    let e = f
        .fetch(&[resource("b.bin", &data, vec![server.url("b.bin")])])
        .unwrap_err();
    assert!(e.to_string().contains("HTTP 404"), "{e}");
    assert_eq!(server.requests().len(), 4);
}

/// An HTML page with status 200 (a Drive quota page): a clear error that says HTML, and
/// nothing left in downloads/ that could pass for the file or be resumed.
#[test]
fn html_page_with_status_200_is_refused() {
    for fault in [Fault::Html, Fault::HtmlAsData] {
        let data = payload(LEN, 7);
        let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
        server.inject("a.bin", fault.clone(), 1);
        let dir = tempfile::tempdir().unwrap();
        let (f, _) = fetcher(dir.path(), fast_options());
        let e = f
            .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
            .unwrap_err();
        assert!(matches!(e, FetchError::HtmlPage { .. }), "{fault:?}: {e}");
        assert!(e.to_string().contains("HTML page"), "{e}");
        assert_eq!(
            listing(&dir.path().join("downloads")),
            ["a.bin.lock"],
            "{fault:?}"
        );
        assert_eq!(server.requests().len(), 1, "an HTML answer is not retried");
    }
}

/// A Git LFS pointer instead of the file is named as such and not kept.
#[test]
fn lfs_pointer_is_recognised() {
    let data = payload(LEN, 8);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    server.inject("a.bin", Fault::LfsPointer, 1);
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let e = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap_err();
    assert!(matches!(e, FetchError::LfsPointer { .. }), "{e}");
    assert!(e.to_string().contains("Git LFS pointer"), "{e}");
    assert_eq!(listing(&dir.path().join("downloads")), ["a.bin.lock"]);
}

/// Bytes that are not the published file go to quarantine; the error shows expected and
/// actual sha256 and the official page, and no file takes the final name.
#[test]
fn wrong_sha256_is_quarantined() {
    let data = payload(LEN, 9);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let mut r = resource("a.bin", &data, vec![server.url("a.bin")]);
    let wrong = sha256(b"something else");
    r.sha256 = Some(wrong);
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let e = f.fetch(&[r]).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(&wrong.to_string()) && text.contains(&sha256(&data).to_string()),
        "{text}"
    );
    assert!(text.contains("https://example.invalid/dataset"), "{text}");
    let FetchError::Mismatch(mismatch) = e else {
        panic!("{text}")
    };
    let quarantined = mismatch.quarantined;
    assert!(quarantined.starts_with(dir.path().join("quarantine")));
    assert_eq!(std::fs::read(&quarantined).unwrap(), data);
    assert_eq!(listing(&dir.path().join("downloads")), ["a.bin.lock"]);
}

/// A 301 and a 302 are followed to the file.
#[test]
fn redirects_are_followed() {
    let data = payload(LEN, 10);
    let server = LoopbackServer::serve_bytes([("real.bin", data.clone())]).unwrap();
    server.inject(
        "old.bin",
        Fault::Redirect {
            status: 301,
            to: "/older.bin".into(),
        },
        1,
    );
    server.inject(
        "older.bin",
        Fault::Redirect {
            status: 302,
            to: "/real.bin".into(),
        },
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("old.bin")])])
        .unwrap();
    assert_eq!(got[0].sha256, sha256(&data));
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["old.bin", "older.bin", "real.bin"]);
}

/// A server that stalls mid-body past the read timeout: the retry resumes.
#[test]
fn stalled_body_times_out_and_resumes() {
    let data = payload(LEN, 11);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    server.inject(
        "a.bin",
        Fault::Stall {
            after: 100_000,
            pause: Duration::from_secs(3),
        },
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let options = zukan_fetch::FetchOptions {
        read_timeout: Duration::from_millis(300),
        ..fast_options()
    };
    let (f, _) = fetcher(dir.path(), options);
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert!(server.requests()[1].range.is_some());
}

/// When the first URL fails, the next is tried; when all fail, each is named with its reason.
#[test]
fn urls_in_order_and_every_failure_listed() {
    let data = payload(1000, 12);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    server.inject("gone.bin", Fault::Status(404), 1);
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let r = resource(
        "a.bin",
        &data,
        vec![server.url("gone.bin"), server.url("a.bin")],
    );
    assert_eq!(f.fetch(&[r]).unwrap()[0].sha256, sha256(&data));

    server.inject("html.bin", Fault::Html, 1);
    let r = resource(
        "b.bin",
        &data,
        vec![server.url("nothing.bin"), server.url("html.bin")],
    );
    let text = f.fetch(&[r]).unwrap_err().to_string();
    assert!(text.contains("any of its 2 sources"), "{text}");
    assert!(
        text.contains("nothing.bin") && text.contains("404"),
        "{text}"
    );
    assert!(text.contains("html.bin") && text.contains("HTML"), "{text}");
}

/// A resource without a published sha256: size is checked, and the sha256 seen is returned.
#[test]
fn unknown_sha256_reports_the_one_seen() {
    let data = payload(5000, 13);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let mut r = resource("a.bin", &data, vec![server.url("a.bin")]);
    r.sha256 = None;
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    assert_eq!(
        f.fetch(std::slice::from_ref(&r)).unwrap()[0].sha256,
        sha256(&data)
    );
    // And from the stamp on the next run.
    assert_eq!(f.fetch(&[r]).unwrap()[0].sha256, sha256(&data));
}

/// Several resources at once, bounded: all arrive, in the order asked.
#[test]
fn several_files_concurrently() {
    let files: Vec<(String, Vec<u8>)> = (0..6)
        .map(|i| (format!("f{i}.bin"), payload(200_000 + i, i as u8)))
        .collect();
    let server = LoopbackServer::serve_bytes(files.clone()).unwrap();
    // Each answer pauses midway, so downloads that run at once overlap on the server.
    for (name, _) in &files {
        let pause = Duration::from_millis(300);
        server.inject(name, Fault::Stall { after: 1000, pause }, 1);
    }
    let resources: Vec<_> = files
        .iter()
        .map(|(n, d)| resource(n, d, vec![server.url(n)]))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let options = fast_options();
    let (f, _) = fetcher(dir.path(), options.clone());
    let got = f.fetch(&resources).unwrap();
    for ((name, data), d) in files.iter().zip(&got) {
        assert_eq!(&d.file_name, name);
        assert_eq!(std::fs::read(&d.path).unwrap(), *data);
    }
    assert_eq!(
        server.max_in_flight(),
        options.concurrency,
        "parallel, and bounded by the concurrency"
    );
}

/// Regression: the retry count never reset, so a long file cut more often than `retries`
/// times failed although every attempt got further. Cuts that make progress keep it going.
#[test]
fn many_cuts_that_each_make_progress_still_finish() {
    let data = payload(LEN, 21);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let options = fast_options();
    let cuts = options.retries as usize + 3;
    server.inject("a.bin", Fault::CutAfter(LEN as u64 / 10), cuts);
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), options);
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert_eq!(server.requests().len(), cuts + 1);
}

/// Cuts before any body byte make no progress: those still end after `retries` retries.
#[test]
fn cuts_without_progress_give_up_after_the_retries() {
    let data = payload(LEN, 22);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let options = fast_options();
    server.inject("a.bin", Fault::CutAfter(0), 100);
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), options.clone());
    let e = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap_err();
    assert!(
        matches!(e, FetchError::Truncated { .. } | FetchError::Network { .. }),
        "{e}"
    );
    assert_eq!(server.requests().len(), options.retries as usize + 1);
}

/// A server that sends more than the published size is stopped there: nothing kept, the
/// disk not filled by an endless answer.
#[test]
fn an_answer_longer_than_the_published_size_is_stopped_and_discarded() {
    let published = payload(LEN, 23);
    let mut longer = published.clone();
    longer.extend(payload(LEN, 24));
    let server = LoopbackServer::serve_bytes([("a.bin", longer)]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let e = f
        .fetch(&[resource("a.bin", &published, vec![server.url("a.bin")])])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("more than the expected {LEN} bytes")),
        "{e}"
    );
    assert_eq!(listing(&dir.path().join("downloads")), ["a.bin.lock"]);
    assert_eq!(server.requests().len(), 1, "not retried");
}

/// Regression: a URL that cannot be connected to at all (no network, a refused port) was
/// retried with the whole backoff series, half a minute per file offline. It gets one more
/// try, then the next source is asked.
#[test]
fn a_refused_connection_is_tried_once_more_then_the_next_source() {
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/a.bin", refused.local_addr().unwrap());
    drop(refused); // nothing listens there now
    let data = payload(10_000, 25);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (f, progress) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![dead, server.url("a.bin")])])
        .unwrap();
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    let notes: Vec<String> = progress
        .events()
        .into_iter()
        .filter(|e| e.starts_with("note a.bin:"))
        .collect();
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("trying once more"))
            .count(),
        1,
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("retrying in")),
        "{notes:?}"
    );
}
