//! Zip extraction: byte-exact round trips, and every kind of hostile entry refused by name
//! with nothing written outside the destination (nor, for a zip, inside it).

mod extract_support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use extract_support::*;
use zukan_fetch::extract::{
    ArchiveLocation, ExtractError, ExtractLimits, UnsafeReason, extract_archive,
    extract_archive_with,
};
use zukan_schema::ArchiveKind;

/// Extracts `entries` as a zip and expects the entry `name` refused; checks that nothing
/// changed outside `dest` and that `dest` is empty (a zip is checked whole before writing).
fn check_refused(entries: &[Entry], name: &str) -> UnsafeReason {
    let sandbox = Sandbox::new();
    let archive = sandbox.archive("hostile.zip", &zip_bytes(entries));
    let before = sandbox.outside();
    let err = extract_archive(&archive, ArchiveKind::Zip, &sandbox.dest).unwrap_err();
    assert_eq!(
        sandbox.outside(),
        before,
        "something was written outside dest"
    );
    let written = if sandbox.dest.exists() {
        listing(&sandbox.dest)
    } else {
        Default::default()
    };
    assert!(written.is_empty(), "a hostile zip wrote {written:?}");
    match err {
        ExtractError::UnsafeEntry {
            archive: a,
            entry,
            reason,
        } => {
            assert_eq!(a, archive);
            assert_eq!(entry, name);
            reason
        }
        other => panic!("expected {name} refused, got {other}"),
    }
}

#[test]
fn zip_round_trip_is_byte_exact() {
    let sandbox = Sandbox::new();
    let big = noise(300_000, 7);
    let entries = [
        dir("top/"),
        dir("top/empty/"),
        file("top/nested/deeper/a.txt", b"hello\n"),
        file("top/empty-file", b""),
        file("top/画像/éte\u{301}.jpg", &big),
        exe("top/run.sh", b"#!/bin/sh\n"),
        symlink("top/nested/link", "deeper/a.txt"),
        symlink("top/up", "../top/empty-file"),
    ];
    let archive = sandbox.archive("ok.zip", &zip_bytes(&entries));
    let summary = extract_archive(&archive, ArchiveKind::Zip, &sandbox.dest).unwrap();
    assert_eq!(summary.files, 4);
    assert_eq!(summary.symlinks, 2);
    assert_eq!(summary.bytes, 6 + 300_000 + 10);
    let dest = &sandbox.dest;
    assert_eq!(
        fs::read(dest.join("top/nested/deeper/a.txt")).unwrap(),
        b"hello\n"
    );
    assert_eq!(fs::read(dest.join("top/画像/éte\u{301}.jpg")).unwrap(), big);
    assert_eq!(fs::read(dest.join("top/empty-file")).unwrap(), b"");
    assert!(
        fs::read_dir(dest.join("top/empty"))
            .unwrap()
            .next()
            .is_none()
    );
    assert_eq!(fs::read(dest.join("top/nested/link")).unwrap(), b"hello\n");
    assert_eq!(
        fs::read_link(dest.join("top/up")).unwrap(),
        Path::new("../top/empty-file")
    );
    let mode = |p: &str| fs::metadata(dest.join(p)).unwrap().permissions().mode() & 0o111;
    assert_ne!(mode("top/run.sh"), 0);
    assert_eq!(mode("top/nested/deeper/a.txt"), 0);
}

#[test]
fn zip_many_entries_in_parallel() {
    let sandbox = Sandbox::new();
    let entries: Vec<Entry> = (0..500)
        .map(|i| {
            let name = format!("d{}/f{i}.bin", i % 7);
            file(name, &noise(i * 37 % 5000, i as u64))
        })
        .collect();
    let archive = sandbox.archive("many.zip", &zip_bytes(&entries));
    let summary = extract_archive(&archive, ArchiveKind::Zip, &sandbox.dest).unwrap();
    assert_eq!(summary.files, 500);
    assert_eq!(summary.dirs, 7);
    for i in 0..500 {
        let got = fs::read(sandbox.dest.join(format!("d{}/f{i}.bin", i % 7))).unwrap();
        assert_eq!(got, noise(i * 37 % 5000, i as u64), "file {i}");
    }
}

#[test]
fn zip_parent_dir_entry_refused() {
    let reason = check_refused(&[file("good.txt", b"x"), file("../evil", b"x")], "../evil");
    assert_eq!(reason, UnsafeReason::ParentDir);
    let reason = check_refused(&[file("ok/../../evil", b"x")], "ok/../../evil");
    assert_eq!(reason, UnsafeReason::ParentDir);
}

#[test]
fn zip_absolute_entry_refused() {
    let target = absolute_target("zip-abs");
    let reason = check_refused(
        &[file("good.txt", b"x"), file(target.clone(), b"x")],
        &target,
    );
    assert_eq!(reason, UnsafeReason::Absolute);
    assert!(!Path::new(&target).exists());
}

#[test]
fn zip_windows_names_refused() {
    let reason = check_refused(&[file("..\\..\\evil", b"x")], "..\\..\\evil");
    assert_eq!(reason, UnsafeReason::Backslash);
    let reason = check_refused(&[file("C:/evil", b"x")], "C:/evil");
    assert_eq!(reason, UnsafeReason::WindowsPrefix);
}

#[test]
fn zip_symlink_pointing_out_refused() {
    let reason = check_refused(&[symlink("link", "../../outside")], "link");
    assert!(
        matches!(reason, UnsafeReason::LinkTargetOutside { .. }),
        "{reason:?}"
    );
    let reason = check_refused(&[symlink("d/link", "../..")], "d/link");
    assert!(
        matches!(reason, UnsafeReason::LinkTargetOutside { .. }),
        "{reason:?}"
    );
}

#[test]
fn zip_symlink_absolute_refused() {
    let reason = check_refused(&[symlink("lnk", "/etc")], "lnk");
    assert!(
        matches!(reason, UnsafeReason::LinkTargetAbsolute { .. }),
        "{reason:?}"
    );
}

#[test]
fn zip_write_through_symlink_refused() {
    // The link itself points inside; a file below it would be written through it.
    let entries = [dir("sub/"), symlink("lnk", "sub"), file("lnk/x", b"x")];
    let reason = check_refused(&entries, "lnk/x");
    assert_eq!(reason, UnsafeReason::ThroughSymlink { link: "lnk".into() });
    // `a -> .` then `a/../../x`: the name alone is refused.
    let entries = [symlink("a", "."), file("a/../../x", b"x")];
    assert_eq!(
        check_refused(&entries, "a/../../x"),
        UnsafeReason::ParentDir
    );
    // The file comes first in the archive, the link after: still refused.
    let entries = [file("lnk/passwd", b"x"), symlink("lnk", "sub")];
    let reason = check_refused(&entries, "lnk/passwd");
    assert_eq!(reason, UnsafeReason::ThroughSymlink { link: "lnk".into() });
}

#[test]
fn zip_fifo_refused() {
    let reason = check_refused(&[fifo("pipe")], "pipe");
    assert!(
        matches!(reason, UnsafeReason::SpecialFile { .. }),
        "{reason:?}"
    );
}

#[test]
fn zip_entry_over_limit_refused_before_writing() {
    let sandbox = Sandbox::new();
    let entries = [file("small", &[1; 10]), file("big", &[0; 100_000])];
    let archive = sandbox.archive("bomb.zip", &zip_bytes(&entries));
    let limits = ExtractLimits {
        max_entry_bytes: 50_000,
        ..ExtractLimits::default()
    };
    let err = extract_archive_with(&archive, ArchiveKind::Zip, &sandbox.dest, &limits).unwrap_err();
    assert!(
        matches!(&err, ExtractError::EntryTooLarge { entry, size: 100_000, .. } if entry == "big"),
        "{err}"
    );
    let limits = ExtractLimits {
        max_total_bytes: 50_000,
        ..ExtractLimits::default()
    };
    let err = extract_archive_with(&archive, ArchiveKind::Zip, &sandbox.dest, &limits).unwrap_err();
    assert!(matches!(err, ExtractError::TotalTooLarge { .. }), "{err}");
    assert!(!sandbox.dest.join("small").exists());
}

/// Regression: an entry whose header understates its size must not inflate past it.
#[test]
fn zip_entry_inflating_past_declared_size_fails() {
    let sandbox = Sandbox::new();
    let mut bytes = zip_bytes(&[file("liar", &[b'a'; 100_000])]);
    // Patch the uncompressed size (100000) in the local header and the central directory.
    let size = 100_000u32.to_le_bytes();
    let small = 1_000u32.to_le_bytes();
    let mut patched = 0;
    for at in 0..bytes.len() - 4 {
        if bytes[at..at + 4] == size {
            bytes[at..at + 4].copy_from_slice(&small);
            patched += 1;
        }
    }
    assert!(patched >= 1);
    let archive = sandbox.archive("liar.zip", &bytes);
    let err = extract_archive(&archive, ArchiveKind::Zip, &sandbox.dest).unwrap_err();
    match err {
        ExtractError::SizeMismatch {
            entry,
            declared: 1000,
            ..
        } => assert_eq!(entry, "liar"),
        ExtractError::Corrupt { at, .. } => assert_eq!(at, ArchiveLocation::Entry("liar".into())),
        other => panic!("{other}"),
    }
    let big = fs::metadata(sandbox.dest.join("liar")).map_or(0, |m| m.len());
    assert!(big <= 1_000, "wrote {big} bytes");
}

#[test]
fn zip_truncated_is_a_typed_error() {
    let sandbox = Sandbox::new();
    let bytes = zip_bytes(&[
        file("a.bin", &noise(20_000, 1)),
        file("b.bin", &noise(20_000, 2)),
    ]);
    let archive = sandbox.archive("cut.zip", &bytes[..bytes.len() / 2]);
    let err = extract_archive(&archive, ArchiveKind::Zip, &sandbox.dest).unwrap_err();
    assert!(
        matches!(&err, ExtractError::Corrupt { archive: a, at: ArchiveLocation::Index, .. } if *a == archive),
        "{err}"
    );
    // Every cut point gives an error, never a panic.
    for cut in (0..bytes.len()).step_by(97) {
        let archive = sandbox.archive("cut.zip", &bytes[..cut]);
        let dest = sandbox.dir.path().join(format!("cut-{cut}"));
        assert!(
            extract_archive(&archive, ArchiveKind::Zip, &dest).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn zip_corrupt_entry_data_names_the_entry() {
    let sandbox = Sandbox::new();
    let mut bytes = zip_bytes(&[file("a.txt", &[b'z'; 50_000])]);
    // The compressed data starts after the 30-byte local header and the 5-byte name.
    for b in &mut bytes[40..60] {
        *b ^= 0x5a;
    }
    let archive = sandbox.archive("bad.zip", &bytes);
    let err = extract_archive(&archive, ArchiveKind::Zip, &sandbox.dest).unwrap_err();
    assert!(
        matches!(&err, ExtractError::Corrupt { at: ArchiveLocation::Entry(e), .. } if e == "a.txt"),
        "{err}"
    );
}
