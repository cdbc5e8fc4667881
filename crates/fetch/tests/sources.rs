//! Where files come from: mirrors (URL and directory) first, offline mode, `fetch --from`,
//! and two fetchers racing for the same file.

mod common;

use std::time::Instant;

use common::{fast_options, fetcher, listing, payload, resource, sha256};
use zukan_fetch::loopback::{Fault, LoopbackServer};
use zukan_fetch::{FetchError, FetchOptions, Mirror, Origin};

/// Two fetchers (as two processes would) fetch the same resource at once: both succeed,
/// one download happens, one good copy exists.
#[test]
fn two_concurrent_fetches_of_the_same_file() {
    let data = payload(8 * 1024 * 1024, 1);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    // Slow the first answer down so the two really overlap.
    server.inject(
        "a.bin",
        Fault::Stall {
            after: 1000,
            pause: std::time::Duration::from_millis(300),
        },
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let r = resource("a.bin", &data, vec![server.url("a.bin")]);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let r = r.clone();
                let path = dir.path().to_owned();
                s.spawn(move || fetcher(&path, fast_options()).0.fetch(&[r]))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let origins: Vec<Origin> = results
        .into_iter()
        .map(|r| r.unwrap().remove(0).origin)
        .collect();
    assert!(origins.contains(&Origin::Cache), "{origins:?}");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        std::fs::read(dir.path().join("downloads/a.bin")).unwrap(),
        data
    );
    assert_eq!(
        listing(&dir.path().join("downloads")),
        ["a.bin", "a.bin.lock", "a.bin.sha256"]
    );
}

/// ZUKAN_OFFLINE with nothing cached: a clear error at once, naming each file and where it
/// would go, and not one request.
#[test]
fn offline_with_nothing_cached_fails_at_once() {
    let data = payload(1000, 2);
    let server =
        LoopbackServer::serve_bytes([("a.bin", data.clone()), ("b.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        offline: true,
        mirror: Some(Mirror::Url(server.url(""))),
        ..fast_options()
    };
    let (f, _) = fetcher(dir.path(), options);
    let started = Instant::now();
    let e = f
        .fetch(&[
            resource("a.bin", &data, vec![server.url("a.bin")]),
            resource("b.bin", &data, vec![server.url("b.bin")]),
        ])
        .unwrap_err();
    assert!(started.elapsed().as_secs() < 2);
    let text = e.to_string();
    assert!(
        matches!(e, FetchError::Offline { ref missing } if missing.len() == 2),
        "{text}"
    );
    assert!(
        text.contains("offline") && text.contains("a.bin") && text.contains("b.bin"),
        "{text}"
    );
    assert!(
        text.contains(&dir.path().join("downloads/a.bin").display().to_string()),
        "{text}"
    );
    assert!(server.requests().is_empty());
}

/// Offline with the file already verified: it is used, no request.
#[test]
fn offline_uses_verified_files() {
    let data = payload(1000, 3);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r = resource("a.bin", &data, vec![server.url("a.bin")]);
    fetcher(dir.path(), fast_options())
        .0
        .fetch(std::slice::from_ref(&r))
        .unwrap();
    let (f, _) = fetcher(
        dir.path(),
        FetchOptions {
            offline: true,
            ..fast_options()
        },
    );
    assert_eq!(f.fetch(&[r]).unwrap()[0].origin, Origin::Cache);
    assert_eq!(server.requests().len(), 1);
}

/// A mirror base URL is tried before the resource's own URL.
#[test]
fn mirror_url_is_tried_first() {
    let data = payload(10_000, 4);
    let official = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let mirror = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        mirror: Some(Mirror::Url(mirror.url(""))),
        ..fast_options()
    };
    let (f, _) = fetcher(dir.path(), options);
    let got = f
        .fetch(&[resource("a.bin", &data, vec![official.url("a.bin")])])
        .unwrap();
    assert_eq!(got[0].origin, Origin::Url(mirror.url("a.bin")));
    assert!(official.requests().is_empty());
    assert_eq!(mirror.requests().len(), 1);
}

/// A mirror without the file falls through to the official URL.
#[test]
fn mirror_without_the_file_falls_through() {
    let data = payload(10_000, 5);
    let official = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let mirror = LoopbackServer::serve_bytes(Vec::<(String, Vec<u8>)>::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        mirror: Some(Mirror::Url(mirror.url(""))),
        ..fast_options()
    };
    let (f, _) = fetcher(dir.path(), options);
    let got = f
        .fetch(&[resource("a.bin", &data, vec![official.url("a.bin")])])
        .unwrap();
    assert_eq!(got[0].origin, Origin::Url(official.url("a.bin")));
    assert_eq!(mirror.requests().len(), 1);
}

/// A mirror directory is used before the network, also offline.
#[test]
fn mirror_directory_is_tried_first_even_offline() {
    let data = payload(10_000, 6);
    let official = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let mirror = tempfile::tempdir().unwrap();
    std::fs::write(mirror.path().join("a.bin"), &data).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = FetchOptions {
        mirror: Some(Mirror::Dir(mirror.path().into())),
        offline: true,
        ..fast_options()
    };
    let (f, _) = fetcher(dir.path(), options);
    let got = f
        .fetch(&[resource("a.bin", &data, vec![official.url("a.bin")])])
        .unwrap();
    assert_eq!(got[0].origin, Origin::File(mirror.path().join("a.bin")));
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert!(official.requests().is_empty());
}

/// `fetch --from DIR` with one good and one corrupted file: the good one is imported, the bad
/// one is reported with expected and actual sha256, quarantined as a copy (the user's file
/// stays where it was), and nothing takes its final name.
#[test]
fn import_good_and_corrupted() {
    let good = payload(50_000, 7);
    let bad_expected = payload(50_000, 8);
    let mut bad_actual = bad_expected.clone();
    bad_actual[1234] ^= 0xff;
    let from = tempfile::tempdir().unwrap();
    std::fs::write(from.path().join("good.bin"), &good).unwrap();
    std::fs::write(from.path().join("bad.bin"), &bad_actual).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let resources = [
        resource("good.bin", &good, vec![]),
        resource("bad.bin", &bad_expected, vec![]),
    ];
    let e = f.import_from(from.path(), &resources).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(&sha256(&bad_expected).to_string())
            && text.contains(&sha256(&bad_actual).to_string()),
        "{text}"
    );
    assert!(
        text.contains(&from.path().join("bad.bin").display().to_string()),
        "{text}"
    );
    assert!(matches!(e, FetchError::Mismatch(_)), "{text}");
    assert_eq!(
        std::fs::read(dir.path().join("downloads/good.bin")).unwrap(),
        good
    );
    assert!(!dir.path().join("downloads/bad.bin").exists());
    assert!(!dir.path().join("downloads/bad.bin.part").exists());
    assert!(from.path().join("bad.bin").exists());
    assert_eq!(listing(&dir.path().join("quarantine")).len(), 1);
}

/// A hand download that is really the login page a browser saved (the usual way a gated
/// download goes wrong), a Git LFS pointer, and a file of the wrong size: each refused with
/// its own reason before anything is copied, the user's files untouched.
#[test]
fn import_refuses_html_pages_lfs_pointers_and_wrong_sizes_before_copying() {
    let data = payload(4096, 3);
    let page = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>please log in</body></html>\n".to_vec();
    let lfs = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 4096\n".to_vec();
    let cases: [(&str, Vec<u8>, Option<u64>, &str); 3] = [
        ("page.tar.gz", page, None, "HTML page"),
        ("lfs.tar.gz", lfs, None, "Git LFS pointer"),
        (
            "short.tar.gz",
            data[..100].to_vec(),
            Some(4096),
            "is 100 bytes, but short.tar.gz is 4096 bytes",
        ),
    ];
    for (name, bytes, size, says) in cases {
        let from = tempfile::tempdir().unwrap();
        std::fs::write(from.path().join(name), &bytes).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (f, _) = fetcher(dir.path(), fast_options());
        let mut r = resource(name, &data, vec![]);
        r.sha256 = None; // no checksum published: only the sniffing and the size can tell
        r.size = size;
        let e = f.import_from(from.path(), &[r]).unwrap_err();
        assert!(e.to_string().contains(says), "{name}: {e}");
        assert_eq!(std::fs::read(from.path().join(name)).unwrap(), bytes);
        assert!(
            listing(&dir.path().join("downloads"))
                .iter()
                .all(|f| f.ends_with(".lock")),
            "{name}"
        );
    }
}

/// `fetch --from DIR` with files missing: all named at once, nothing copied.
#[test]
fn import_names_every_missing_file() {
    let from = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let resources = [
        resource("x.zip", b"x", vec![]),
        resource("y.zip", b"y", vec![]),
    ];
    let e = f.import_from(from.path(), &resources).unwrap_err();
    assert!(
        matches!(&e, FetchError::MissingInDir { missing, .. } if missing == &["x.zip", "y.zip"]),
        "{e}"
    );
}

/// A file under downloads/ that no longer matches (corrupted on disk) is quarantined and
/// fetched again.
#[test]
fn corrupted_cached_file_is_fetched_again() {
    let data = payload(20_000, 9);
    let server = LoopbackServer::serve_bytes([("a.bin", data.clone())]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("downloads")).unwrap();
    let mut corrupt = data.clone();
    corrupt[0] ^= 1;
    std::fs::write(dir.path().join("downloads/a.bin"), &corrupt).unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let got = f
        .fetch(&[resource("a.bin", &data, vec![server.url("a.bin")])])
        .unwrap();
    assert_eq!(std::fs::read(&got[0].path).unwrap(), data);
    assert_eq!(listing(&dir.path().join("quarantine")).len(), 1);
}

/// A resource table naming a path instead of a file is refused before any I/O.
#[test]
fn file_name_with_a_path_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (f, _) = fetcher(dir.path(), fast_options());
    let e = f
        .fetch(&[resource(
            "../evil.bin",
            b"x",
            vec!["http://127.0.0.1:9/x".into()],
        )])
        .unwrap_err();
    assert!(matches!(e, FetchError::BadFileName { .. }), "{e}");
    assert!(listing(dir.path()).is_empty());
}
