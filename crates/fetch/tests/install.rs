//! Installing into a dataset tree: all or nothing, a no-op the second time, archives that
//! share a top-level directory merged.

mod extract_support;

use std::fs;
use std::path::{Path, PathBuf};

use extract_support::*;
use zukan_fetch::extract::{ExtractError, UnsafeReason};
use zukan_fetch::install::{InstallOutcome, install, installed_resources, is_installed};
use zukan_schema::{ArchiveKind, Resource, Sha256Hex};

fn resource(file_name: &str, archive: ArchiveKind, sha_byte: u8) -> Resource {
    Resource {
        file_name: file_name.into(),
        urls: vec![],
        size: Some(1234),
        sha256: Some(Sha256Hex([sha_byte; 32])),
        checksum_source: "test".into(),
        page: "https://example.invalid".into(),
        archive,
        splits: vec![],
    }
}

/// A sandbox with an empty tree `tree/` and a place for downloads.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir(&tree).unwrap();
    (dir, tree)
}

fn download(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

/// The tree's `.zukan` directory: markers only, no temporary directories.
fn state(tree: &Path) -> Vec<String> {
    let Ok(dir) = fs::read_dir(tree.join(".zukan")) else {
        return vec![];
    };
    let mut names: Vec<String> = dir
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn install_extracts_then_marks_and_reinstall_is_a_no_op() {
    let (scratch, tree) = setup();
    let zip = zip_bytes(&[file("WIDER_val/images/0--Parade/a.jpg", b"jpeg")]);
    let file = download(scratch.path(), "WIDER_val.zip", &zip);
    let res = resource("WIDER_val.zip", ArchiveKind::Zip, 1);
    assert!(!is_installed(&tree, &res));

    let outcome = install(&tree, &res, &file).unwrap();
    assert!(matches!(outcome, InstallOutcome::Installed(s) if s.files == 1 && s.bytes == 4));
    assert_eq!(
        fs::read(tree.join("WIDER_val/images/0--Parade/a.jpg")).unwrap(),
        b"jpeg"
    );
    assert!(is_installed(&tree, &res));
    assert_eq!(installed_resources(&tree), ["WIDER_val.zip"]);
    assert_eq!(state(&tree), ["WIDER_val.zip.done"]);

    // A no-op: a file changed since is left alone.
    fs::write(tree.join("WIDER_val/images/0--Parade/a.jpg"), b"edited").unwrap();
    assert_eq!(
        install(&tree, &res, &file).unwrap(),
        InstallOutcome::AlreadyInstalled
    );
    assert_eq!(
        fs::read(tree.join("WIDER_val/images/0--Parade/a.jpg")).unwrap(),
        b"edited"
    );

    // Another sha256 is another file: installed again, replacing the files.
    let other = resource("WIDER_val.zip", ArchiveKind::Zip, 2);
    assert!(!is_installed(&tree, &other));
    assert!(matches!(
        install(&tree, &other, &file).unwrap(),
        InstallOutcome::Installed(_)
    ));
    assert_eq!(
        fs::read(tree.join("WIDER_val/images/0--Parade/a.jpg")).unwrap(),
        b"jpeg"
    );
    assert!(is_installed(&tree, &other));
    assert!(!is_installed(&tree, &res));
}

#[test]
fn install_failing_midway_leaves_the_tree_untouched() {
    let (scratch, tree) = setup();
    // A tar is a stream: `top/` and `top/a.txt` are extracted before `../evil` is met.
    let tar = tar_bytes(&[
        dir("top/"),
        file("top/a.txt", b"a"),
        file("second/b.txt", b"b"),
        file("../evil", b"x"),
    ]);
    let bad = download(scratch.path(), "bad.tar.gz", &gzip(&tar));
    let res = resource("bad.tar.gz", ArchiveKind::TarGz, 1);
    let err = install(&tree, &res, &bad).unwrap_err();
    assert!(
        matches!(&err, ExtractError::UnsafeEntry { entry, .. } if entry == "../evil"),
        "{err}"
    );
    assert_eq!(listing(&tree).keys().collect::<Vec<_>>(), [".zukan"]);
    assert!(state(&tree).is_empty(), "left {:?}", state(&tree));
    assert!(!scratch.path().join("evil").exists());
    assert!(!is_installed(&tree, &res));
    assert!(installed_resources(&tree).is_empty());
}

#[test]
fn install_of_a_corrupt_zip_leaves_the_tree_untouched() {
    let (scratch, tree) = setup();
    let mut zip = zip_bytes(&[
        file("top/a.txt", &[b'a'; 1000]),
        file("top/b.txt", &[b'b'; 50_000]),
    ]);
    // Damage b.txt's data (it follows a.txt's local header, name and ~15 deflated bytes).
    let at = zip.windows(9).position(|w| w == b"top/b.txt").unwrap() + 12;
    for b in &mut zip[at..at + 20] {
        *b ^= 0x77;
    }
    let bad = download(scratch.path(), "bad.zip", &zip);
    let res = resource("bad.zip", ArchiveKind::Zip, 1);
    let err = install(&tree, &res, &bad).unwrap_err();
    assert!(matches!(err, ExtractError::Corrupt { .. }), "{err}");
    assert_eq!(listing(&tree).keys().collect::<Vec<_>>(), [".zukan"]);
    assert!(state(&tree).is_empty());
}

#[test]
fn archives_sharing_a_top_level_directory_merge() {
    let (scratch, tree) = setup();
    let first = zip_bytes(&[
        file("shared/split/a.txt", b"1"),
        file("first-only.txt", b"f"),
    ]);
    let second = tar_bytes(&[
        dir("shared/"),
        file("shared/split/b.txt", b"2"),
        file("shared/other/c.txt", b"3"),
    ]);
    let res1 = resource("first.zip", ArchiveKind::Zip, 1);
    let res2 = resource("second.tar", ArchiveKind::Tar, 2);
    install(&tree, &res1, &download(scratch.path(), "first.zip", &first)).unwrap();
    install(
        &tree,
        &res2,
        &download(scratch.path(), "second.tar", &second),
    )
    .unwrap();
    let files: Vec<(String, String)> = listing(&tree)
        .into_iter()
        .filter(|(_, v)| v != "dir" && !v.starts_with("zukan-install"))
        .collect();
    let expected = [
        ("first-only.txt", "f"),
        ("shared/other/c.txt", "3"),
        ("shared/split/a.txt", "1"),
        ("shared/split/b.txt", "2"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(files, expected);
    assert_eq!(installed_resources(&tree), ["first.zip", "second.tar"]);
}

#[test]
fn a_directory_where_the_tree_has_a_file_is_a_conflict_before_any_move() {
    let (scratch, tree) = setup();
    fs::write(tree.join("clash"), b"file").unwrap();
    let zip = zip_bytes(&[file("aaa-first.txt", b"1"), file("clash/inner.txt", b"2")]);
    let res = resource("clash.zip", ArchiveKind::Zip, 1);
    let err = install(&tree, &res, &download(scratch.path(), "clash.zip", &zip)).unwrap_err();
    assert!(
        matches!(&err, ExtractError::Conflict { path, .. } if path.ends_with("clash")),
        "{err}"
    );
    assert!(!tree.join("aaa-first.txt").exists());
    assert_eq!(fs::read(tree.join("clash")).unwrap(), b"file");
    assert!(state(&tree).is_empty());
}

#[test]
fn a_plain_file_is_copied() {
    let (scratch, tree) = setup();
    let res = resource("wider_face_val.mat", ArchiveKind::File, 1);
    let file = download(scratch.path(), "wider_face_val.mat", b"MATLAB 5.0");
    let outcome = install(&tree, &res, &file).unwrap();
    assert!(matches!(outcome, InstallOutcome::Installed(s) if s.files == 1 && s.bytes == 10));
    assert_eq!(
        fs::read(tree.join("wider_face_val.mat")).unwrap(),
        b"MATLAB 5.0"
    );
    assert!(file.exists());
    assert_eq!(state(&tree), ["wider_face_val.mat.done"]);
}

/// Regression guard: an archive must not be able to forge zukan's own markers.
#[test]
fn an_archive_holding_the_state_directory_is_refused() {
    let (scratch, tree) = setup();
    let zip = zip_bytes(&[file(".zukan/other.zip.done", b"forged")]);
    let res = resource("forge.zip", ArchiveKind::Zip, 1);
    let err = install(&tree, &res, &download(scratch.path(), "forge.zip", &zip)).unwrap_err();
    assert!(
        matches!(
            &err,
            ExtractError::UnsafeEntry {
                reason: UnsafeReason::ReservedName,
                ..
            }
        ),
        "{err}"
    );
    assert!(state(&tree).is_empty());
    assert!(installed_resources(&tree).is_empty());
}

#[test]
fn a_file_name_with_a_path_is_refused() {
    let (scratch, tree) = setup();
    let res = resource("../escape.zip", ArchiveKind::Zip, 1);
    let zip = download(scratch.path(), "x.zip", &zip_bytes(&[file("a", b"a")]));
    let err = install(&tree, &res, &zip).unwrap_err();
    assert!(matches!(err, ExtractError::InvalidFileName { .. }), "{err}");
    assert!(!is_installed(&tree, &res));
}
