//! `zukan fetch`, `verify` and `info` as a user runs them: the gated Adience import from a
//! folder of hand downloads (the real fold files), first-use pins, and the flags' errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zukan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zukan"))
        .args(args)
        .env_remove("ZUKAN_MIRROR")
        .env_remove("ZUKAN_OFFLINE")
        .output()
        .expect("run zukan")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn real_adience() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real/adience")
}

/// A folder as a user leaves it after the hand downloads: the five real fold files, the
/// frontal lists (no real copy here, so the full lists stand in) and the fixture release's
/// `faces.tar.gz` (the archive's layout, made by `cargo xtask fixtures`).
fn manual_folder(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for n in 0..5 {
        let fold = real_adience().join(format!("fold_{n}_data.txt"));
        std::fs::copy(&fold, dir.join(format!("fold_{n}_data.txt"))).unwrap();
        std::fs::copy(&fold, dir.join(format!("fold_frontal_{n}_data.txt"))).unwrap();
    }
    let faces = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/adience/faces.tar.gz");
    std::fs::copy(faces, dir.join("faces.tar.gz")).unwrap();
}

/// Regression: `--manual-dir` was parsed and ignored, and nothing said that checksums were
/// recorded at first use.
#[test]
fn gated_import_from_manual_dir_records_pins_that_verify_and_info_show() {
    let tmp = tempfile::tempdir().unwrap();
    let manual = tmp.path().join("hand downloads");
    let data = tmp.path().join("data");
    manual_folder(&manual);
    let data_arg = data.to_str().unwrap();

    let out = zukan(&[
        "fetch",
        "adience",
        "--manual-dir",
        manual.to_str().unwrap(),
        "--data-dir",
        data_arg,
    ]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("recorded the size and sha256 of"),
        "{stderr}"
    );
    assert!(stderr.contains("pins/adience.json"), "{stderr}");
    // fold 0: 4,496 rows, 12 exact repeats kept once (crates/datasets/adience tests).
    assert!(stdout.contains("fold0"), "{stdout}");

    let out = zukan(&["verify", "adience", "--data-dir", data_arg]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("ok        fold_0_data.txt") && stdout.contains("recorded at first use"),
        "{stdout}"
    );

    let out = zukan(&["info", "adience", "--data-dir", data_arg]);
    let (stdout, _) = text(&out);
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("fold_0_data.txt"))
        .unwrap_or_default();
    assert!(
        line.ends_with("[installed]") && !line.contains("sha256 unknown"),
        "{stdout}"
    );
    assert!(stdout.contains("recorded at first use"), "{stdout}");

    // Regression: a file changed in the manual folder after the import was ignored (the
    // earlier copy in downloads/ was reused): it is checked against its record and refused.
    let fold = manual.join("fold_1_data.txt");
    let mut bytes = std::fs::read(&fold).unwrap();
    bytes.extend_from_slice(b"extra\trow\n");
    std::fs::write(&fold, bytes).unwrap();
    let out = zukan(&[
        "fetch",
        "adience",
        "--manual-dir",
        manual.to_str().unwrap(),
        "--data-dir",
        data_arg,
    ]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("fold_1_data.txt does not match the size and sha256 recorded at first use")
            && stderr.contains("pins/adience.json"),
        "{stderr}"
    );
}

#[test]
fn flags_naming_folders_that_are_not_there_fail_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let (missing, file) = (missing.to_str().unwrap(), file.to_str().unwrap());
    let cases: [(&[&str], &str); 5] = [
        (&["fetch", "widerface", "--from", missing], "--from"),
        (
            &["fetch", "adience", "--manual-dir", missing],
            "--manual-dir",
        ),
        (
            &["fetch", "widerface", "--manual-dir", file],
            "--manual-dir is for registration-gated datasets",
        ),
        (
            &["stats", "widerface", "--data-dir", file],
            "is not a directory",
        ),
        (
            &["verify", "fddb", "--data-dir", file],
            "is not a directory",
        ),
    ];
    for (args, says) in cases {
        let out = zukan(args);
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(says),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// Offline with nothing cached fails at once, naming every file, whether the flag or the
/// variable asked for it.
#[test]
fn offline_with_nothing_cached_names_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let flag = zukan(&["fetch", "widerface", "--offline", "--data-dir", data]);
    let env = Command::new(env!("CARGO_BIN_EXE_zukan"))
        .args(["fetch", "widerface", "--data-dir", data])
        .env("ZUKAN_OFFLINE", "1")
        .env_remove("ZUKAN_MIRROR")
        .output()
        .unwrap();
    for out in [flag, env] {
        let (_, stderr) = text(&out);
        assert!(!out.status.success());
        assert!(
            stderr.contains("offline (--offline or ZUKAN_OFFLINE)"),
            "{stderr}"
        );
        for file in [
            "WIDER_train.zip",
            "WIDER_val.zip",
            "WIDER_test.zip",
            "wider_face_split.zip",
        ] {
            assert!(stderr.contains(file), "{file}: {stderr}");
        }
    }
}
