//! Tar and tar.gz extraction: round trips, hostile entries refused by name (each case run on
//! a plain tar and on a tar.gz) with nothing written outside the destination, truncation as
//! a typed error.

mod extract_support;

use std::fs;
use std::path::Path;

use extract_support::*;
use zukan_fetch::extract::{
    ArchiveLocation, ExtractError, ExtractLimits, UnsafeReason, extract_archive,
    extract_archive_with,
};
use zukan_schema::ArchiveKind;

/// The archive as a file of `kind` in `sandbox`.
fn write_archive(sandbox: &Sandbox, kind: ArchiveKind, entries: &[Entry]) -> std::path::PathBuf {
    let tar = tar_bytes(entries);
    match kind {
        ArchiveKind::Tar => sandbox.archive("t.tar", &tar),
        ArchiveKind::TarGz => sandbox.archive("t.tar.gz", &gzip(&tar)),
        _ => unreachable!(),
    }
}

/// Extracts `entries` as a tar and as a tar.gz; expects `name` refused both times and
/// nothing changed outside `dest`. Returns the reason.
fn check_refused(entries: &[Entry], name: &str) -> UnsafeReason {
    let mut reasons = Vec::new();
    for kind in [ArchiveKind::Tar, ArchiveKind::TarGz] {
        let sandbox = Sandbox::new();
        let archive = write_archive(&sandbox, kind, entries);
        let before = sandbox.outside();
        let err = extract_archive(&archive, kind, &sandbox.dest).unwrap_err();
        assert_eq!(
            sandbox.outside(),
            before,
            "{kind:?}: something was written outside dest"
        );
        match err {
            ExtractError::UnsafeEntry {
                archive: a,
                entry,
                reason,
            } => {
                assert_eq!(a, archive);
                assert_eq!(entry, name, "{kind:?}");
                reasons.push(reason);
            }
            other => panic!("{kind:?}: expected {name} refused, got {other}"),
        }
    }
    assert_eq!(reasons[0], reasons[1]);
    reasons.remove(0)
}

#[test]
fn tar_round_trip_is_byte_exact() {
    let big = noise(700_000, 3);
    let entries = [
        dir("./"),
        dir("./top/"),
        dir("top/empty/"),
        file("./top/nested/deeper/a.txt", b"hello\n"),
        file("top/empty-file", b""),
        file("top/画像/ü.jpg", &big),
        exe("top/run.sh", b"#!/bin/sh\n"),
        symlink("top/nested/link", "deeper/a.txt"),
        hardlink("top/hard", "top/nested/deeper/a.txt"),
    ];
    for kind in [ArchiveKind::Tar, ArchiveKind::TarGz] {
        let sandbox = Sandbox::new();
        let archive = write_archive(&sandbox, kind, &entries);
        let summary = extract_archive(&archive, kind, &sandbox.dest).unwrap();
        assert_eq!(summary.files, 5, "{kind:?}");
        assert_eq!(summary.symlinks, 1);
        assert_eq!(summary.bytes, 6 + 700_000 + 10);
        let dest = &sandbox.dest;
        assert_eq!(fs::read(dest.join("top/画像/ü.jpg")).unwrap(), big);
        assert_eq!(fs::read(dest.join("top/nested/link")).unwrap(), b"hello\n");
        assert_eq!(fs::read(dest.join("top/hard")).unwrap(), b"hello\n");
        assert_eq!(fs::read(dest.join("top/empty-file")).unwrap(), b"");
        assert!(
            fs::read_dir(dest.join("top/empty"))
                .unwrap()
                .next()
                .is_none()
        );
    }
}

#[test]
fn tar_long_names_from_the_builder() {
    // GNU long names and PAX headers, as real archives carry them.
    let long = format!("{}/file.txt", "d".repeat(150));
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    header.set_mode(0o644);
    builder
        .append_data(&mut header, &long, &b"abc"[..])
        .unwrap();
    let bytes = builder.into_inner().unwrap();
    let sandbox = Sandbox::new();
    let archive = sandbox.archive("long.tar.gz", &gzip(&bytes));
    extract_archive(&archive, ArchiveKind::TarGz, &sandbox.dest).unwrap();
    assert_eq!(fs::read(sandbox.dest.join(&long)).unwrap(), b"abc");
}

#[test]
fn tar_parent_dir_entry_refused() {
    let reason = check_refused(&[file("good.txt", b"x"), file("../evil", b"x")], "../evil");
    assert_eq!(reason, UnsafeReason::ParentDir);
    let reason = check_refused(&[file("ok/../../../evil", b"x")], "ok/../../../evil");
    assert_eq!(reason, UnsafeReason::ParentDir);
}

#[test]
fn tar_absolute_entry_refused() {
    let target = absolute_target("tar-abs");
    let reason = check_refused(&[file(target.clone(), b"x")], &target);
    assert_eq!(reason, UnsafeReason::Absolute);
    assert!(!Path::new(&target).exists());
}

#[test]
fn tar_symlink_pointing_out_refused() {
    let reason = check_refused(&[symlink("link", "../../outside")], "link");
    assert!(
        matches!(reason, UnsafeReason::LinkTargetOutside { .. }),
        "{reason:?}"
    );
}

#[test]
fn tar_symlink_absolute_refused() {
    let reason = check_refused(&[symlink("lnk", "/etc"), file("lnk/passwd", b"x")], "lnk");
    assert!(
        matches!(reason, UnsafeReason::LinkTargetAbsolute { .. }),
        "{reason:?}"
    );
}

#[test]
fn tar_write_through_symlink_refused() {
    let entries = [dir("sub/"), symlink("lnk", "sub"), file("lnk/x", b"x")];
    let reason = check_refused(&entries, "lnk/x");
    assert_eq!(reason, UnsafeReason::ThroughSymlink { link: "lnk".into() });
    let entries = [symlink("a", "."), file("a/../../x", b"x")];
    assert_eq!(
        check_refused(&entries, "a/../../x"),
        UnsafeReason::ParentDir
    );
    // A directory entry below a link is refused too, and so is replacing the link.
    let entries = [symlink("lnk", "."), dir("lnk/d/")];
    let reason = check_refused(&entries, "lnk/d/");
    assert_eq!(reason, UnsafeReason::ThroughSymlink { link: "lnk".into() });
    let entries = [symlink("lnk", "."), file("lnk", b"x")];
    assert_eq!(check_refused(&entries, "lnk"), UnsafeReason::Duplicate);
}

#[test]
fn tar_symlink_chain_climbing_back_refused() {
    // `d/up -> ..` is inside; `x -> d/up/..` would resolve through it to the parent of dest.
    let entries = [dir("d/"), symlink("d/up", ".."), symlink("x", "d/up/..")];
    let reason = check_refused(&entries, "x");
    assert!(
        matches!(reason, UnsafeReason::LinkTargetClimbsBack { .. }),
        "{reason:?}"
    );
}

#[test]
fn tar_hardlink_pointing_out_refused() {
    let reason = check_refused(&[hardlink("hl", "../../outside")], "hl");
    assert!(
        matches!(reason, UnsafeReason::HardlinkTarget { .. }),
        "{reason:?}"
    );
    let reason = check_refused(&[hardlink("hl", "/etc/hostname")], "hl");
    assert!(
        matches!(reason, UnsafeReason::HardlinkTarget { .. }),
        "{reason:?}"
    );
    // A hard link to a link would copy the link's relative target to a new place.
    let entries = [dir("d/"), symlink("d/s", "../x"), hardlink("hl", "d/s")];
    let reason = check_refused(&entries, "hl");
    assert!(
        matches!(reason, UnsafeReason::HardlinkTarget { .. }),
        "{reason:?}"
    );
}

#[test]
fn tar_fifo_refused() {
    let reason = check_refused(&[fifo("pipe")], "pipe");
    assert!(
        matches!(reason, UnsafeReason::SpecialFile { .. }),
        "{reason:?}"
    );
}

#[test]
fn tar_over_total_limit_refused() {
    let sandbox = Sandbox::new();
    let entries = [file("a", &[1; 600]), file("b", &[2; 600])];
    let archive = write_archive(&sandbox, ArchiveKind::TarGz, &entries);
    let limits = ExtractLimits {
        max_total_bytes: 1000,
        ..ExtractLimits::default()
    };
    let err = extract_archive_with(&archive, ArchiveKind::TarGz, &sandbox.dest, &limits);
    assert!(
        matches!(err, Err(ExtractError::TotalTooLarge { limit: 1000, .. })),
        "{err:?}"
    );
    assert!(!sandbox.dest.join("b").exists());
}

#[test]
fn tar_truncated_in_data_names_the_entry() {
    let sandbox = Sandbox::new();
    let tar = tar_bytes(&[
        file("a.bin", &noise(5000, 1)),
        file("b.bin", &noise(5000, 2)),
    ]);
    // Inside b.bin's data: a.bin takes 512 + 5120 bytes, b.bin's header 512.
    let archive = sandbox.archive("cut.tar", &tar[..512 + 5120 + 512 + 1000]);
    let err = extract_archive(&archive, ArchiveKind::Tar, &sandbox.dest).unwrap_err();
    assert!(
        matches!(&err, ExtractError::Corrupt { at: ArchiveLocation::Entry(e), .. } if e == "b.bin"),
        "{err}"
    );
}

#[test]
fn tar_gz_truncated_is_a_typed_error() {
    let sandbox = Sandbox::new();
    let tar = tar_bytes(&[
        file("a.bin", &noise(50_000, 1)),
        file("b.bin", &noise(50_000, 2)),
    ]);
    let gz = gzip(&tar);
    let archive = sandbox.archive("cut.tar.gz", &gz[..gz.len() / 2]);
    let err = extract_archive(&archive, ArchiveKind::TarGz, &sandbox.dest).unwrap_err();
    assert!(
        matches!(&err, ExtractError::Corrupt { archive: a, .. } if *a == archive),
        "{err}"
    );
    // Every cut point gives an error, never a panic (the empty file included).
    for cut in (0..gz.len()).step_by(211) {
        let archive = sandbox.archive("cut.tar.gz", &gz[..cut]);
        let dest = sandbox.dir.path().join(format!("cut-{cut}"));
        assert!(
            extract_archive(&archive, ArchiveKind::TarGz, &dest).is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn tar_gz_garbage_is_a_typed_error() {
    let sandbox = Sandbox::new();
    let archive = sandbox.archive("junk.tar.gz", b"<html>quota exceeded</html>");
    let err = extract_archive(&archive, ArchiveKind::TarGz, &sandbox.dest).unwrap_err();
    assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");
}
