//! `cargo xtask fixtures [--check]`: rebuilds `fixtures/widerface/`, a tiny WIDER Face release
//! in the official layout, byte-identically from the real files in `../shared/real/widerface/`.
//!
//! Why a generator: the zips are binary, so a reviewer cannot read them; this file says exactly
//! what is in them, and `--check` (run by `cargo xtask ci`) proves the committed bytes are what
//! it makes. Byte identity comes from a fixed entry order, a fixed time (1980-01-01 00:00, the
//! zip epoch), fixed permissions and fixed compression: text deflated at level 6, JPEGs
//! stored (they do not shrink, and the fixtures then exercise both methods). The deflate
//! bytes depend on the zlib-rs version pinned in Cargo.lock; if an upgrade changes them,
//! rerun `cargo xtask fixtures` and commit the result.
//!
//! What is real and what is derived is written in `fixtures/widerface/README.md`.

use std::fs;
use std::io::{Cursor, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};
use zukan_schema::{ArchiveKind, Resource, Sha256Hex, Split};

/// The real files, relative to the workspace root (`shared/` sits beside the checkout).
const REAL: &str = "../shared/real/widerface";
/// Where the fixture release goes, relative to the workspace root.
const OUT: &str = "fixtures/widerface";
/// The authors' homepage (the `page` of every resource).
const HOMEPAGE: &str = "http://shuoyang1213.me/WIDERFACE/";

/// The four real val images in `shared/`, all of event `0--Parade`, in the order the real val
/// ground truth lists them (`grep -n` on the file: lines 1, 1221, 2751, 3332).
const VAL_IMAGES: [&str; 4] = [
    "0_Parade_marchingband_1_465",
    "0_Parade_Parade_0_275",
    "0_Parade_Parade_0_317",
    "0_Parade_marchingband_1_227",
];

/// Train entries: (name in the fixture, val image whose pixels and boxes it reuses, whether to
/// write it the way the real train file writes an image without faces: count 0 + zero row).
/// `0_Parade_Parade_0_452` is a real train name that the real train file writes that way; the
/// pixels are those of val `0_Parade_Parade_0_275`, which has no face either. The other name is
/// made up (suffix `_fixture`) so that no id is in two splits.
const TRAIN_IMAGES: [(&str, &str, bool); 2] = [
    (
        "0_Parade_marchingband_1_227_fixture",
        "0_Parade_marchingband_1_227",
        false,
    ),
    ("0_Parade_Parade_0_452", "0_Parade_Parade_0_275", true),
];

/// Test entries: the first two lines of the real `wider_face_test_filelist.txt` (real test
/// names; the authors publish no boxes for them), with pixels of two real val images.
const TEST_IMAGES: [&str; 2] = ["0_Parade_Parade_0_317", "0_Parade_marchingband_1_227"];

/// Rebuilds the fixture release under `workspace_root/fixtures/widerface`, or with
/// `check_only` verifies that the committed files are byte-identical to a rebuild.
pub fn run(workspace_root: &Path, check_only: bool) -> Result<()> {
    let files = build(&workspace_root.join(REAL))?;
    let out = workspace_root.join(OUT);
    if check_only {
        let stale: Vec<&str> = files
            .iter()
            .filter(|(name, bytes)| {
                fs::read(out.join(name)).ok().as_deref() != Some(bytes.as_slice())
            })
            .map(|(name, _)| name.as_str())
            .collect();
        if !stale.is_empty() {
            bail!(
                "{} differ from a rebuild: {} (run `cargo xtask fixtures`)",
                out.display(),
                stale.join(", ")
            );
        }
        return Ok(());
    }
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    for (name, bytes) in &files {
        let path = out.join(name);
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Every generated file of the fixture release: (name under `fixtures/widerface/`, bytes).
fn build(real: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let read = |relative: &str| {
        let path = real.join(relative);
        fs::read(&path).with_context(|| {
            format!(
                "reading {} (shared/ must sit beside the checkout)",
                path.display()
            )
        })
    };
    let val_gt = String::from_utf8(read("wider_face_split/wider_face_val_bbx_gt.txt")?)?;
    let test_list = String::from_utf8(read("wider_face_split/wider_face_test_filelist.txt")?)?;
    let val_image = |name: &str| read(&format!("WIDER_val/images/0--Parade/{name}.jpg"));

    let mut reduced_val = String::new();
    for name in VAL_IMAGES {
        reduced_val.push_str(&entry_lines(&val_gt, &format!("0--Parade/{name}.jpg"))?.join(""));
    }
    let mut train_gt = String::new();
    for (name, source, as_count_0) in TRAIN_IMAGES {
        let lines = entry_lines(&val_gt, &format!("0--Parade/{source}.jpg"))?;
        train_gt.push_str(&format!("0--Parade/{name}.jpg\n"));
        if as_count_0 {
            train_gt.push_str("0\n0 0 0 0 0 0 0 0 0 0 \n");
        } else {
            train_gt.push_str(&lines[1..].join(""));
        }
    }
    let test_names: Vec<&str> = test_list.lines().take(TEST_IMAGES.len()).collect();
    let test_filelist: String = test_names.iter().map(|line| format!("{line}\n")).collect();

    let split_zip = zip_of(&[
        Entry::Dir("wider_face_split/".into()),
        Entry::Text(
            "wider_face_split/readme.txt".into(),
            read("wider_face_split/readme.txt")?,
        ),
        Entry::Text(
            "wider_face_split/wider_face_test_filelist.txt".into(),
            test_filelist.into_bytes(),
        ),
        Entry::Text(
            "wider_face_split/wider_face_train_bbx_gt.txt".into(),
            train_gt.into_bytes(),
        ),
        Entry::Text(
            "wider_face_split/wider_face_val_bbx_gt.txt".into(),
            reduced_val.into_bytes(),
        ),
    ])?;
    let mut val_entries = image_dirs("WIDER_val");
    for name in VAL_IMAGES {
        val_entries.push(Entry::Jpeg(
            format!("WIDER_val/images/0--Parade/{name}.jpg"),
            val_image(name)?,
        ));
    }
    let mut train_entries = image_dirs("WIDER_train");
    for (name, source, _) in TRAIN_IMAGES {
        train_entries.push(Entry::Jpeg(
            format!("WIDER_train/images/0--Parade/{name}.jpg"),
            val_image(source)?,
        ));
    }
    let mut test_entries = image_dirs("WIDER_test");
    for (line, source) in test_names.iter().zip(TEST_IMAGES) {
        test_entries.push(Entry::Jpeg(
            format!("WIDER_test/images/{line}"),
            val_image(source)?,
        ));
    }

    let archives = [
        (
            "WIDER_train.zip",
            zip_of(&train_entries)?,
            vec![Split::Train],
        ),
        ("WIDER_val.zip", zip_of(&val_entries)?, vec![Split::Val]),
        ("WIDER_test.zip", zip_of(&test_entries)?, vec![Split::Test]),
        ("wider_face_split.zip", split_zip, vec![]),
    ];
    let table: Vec<Resource> = archives
        .iter()
        .map(|(name, bytes, splits)| Resource {
            file_name: (*name).to_owned(),
            urls: vec![],
            size: Some(bytes.len() as u64),
            sha256: Some(Sha256Hex(Sha256::digest(bytes).into())),
            checksum_source: "computed over the fixture archive by `cargo xtask fixtures` (xtask/src/fixtures.rs)".to_owned(),
            page: HOMEPAGE.to_owned(),
            archive: ArchiveKind::Zip,
            splits: splits.clone(),
        })
        .collect();
    let mut files: Vec<(String, Vec<u8>)> = archives
        .into_iter()
        .map(|(name, bytes, _)| (name.to_owned(), bytes))
        .collect();
    files.push((
        "resources.json".to_owned(),
        format!("{}\n", serde_json::to_string_pretty(&table)?).into_bytes(),
    ));
    Ok(files)
}

/// The lines (with their `\n`) of the entry of `image` in a ground-truth text: the path, the
/// count N, and max(N, 1) rows (an image without faces still has one all-zero row).
fn entry_lines<'a>(gt: &'a str, image: &str) -> Result<Vec<&'a str>> {
    let lines: Vec<&str> = gt.split_inclusive('\n').collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == image) else {
        bail!("`{image}` is not in the real val ground truth");
    };
    let count: usize = lines
        .get(start + 1)
        .context("no count line")?
        .trim()
        .parse()
        .with_context(|| format!("count of `{image}`"))?;
    let end = start + 2 + count.max(1);
    lines
        .get(start..end)
        .map(<[&str]>::to_vec)
        .with_context(|| format!("`{image}` is cut short"))
}

/// One zip entry, in the order written.
enum Entry {
    Dir(String),
    Text(String, Vec<u8>),
    Jpeg(String, Vec<u8>),
}

/// `WIDER_<split>/`, `WIDER_<split>/images/`, `WIDER_<split>/images/0--Parade/`.
fn image_dirs(top: &str) -> Vec<Entry> {
    vec![
        Entry::Dir(format!("{top}/")),
        Entry::Dir(format!("{top}/images/")),
        Entry::Dir(format!("{top}/images/0--Parade/")),
    ]
}

/// A zip of `entries`, deterministic: same input, same bytes.
fn zip_of(entries: &[Entry]) -> Result<Vec<u8>> {
    let base = SimpleFileOptions::default().last_modified_time(DateTime::default());
    let text = base
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .unix_permissions(0o644);
    let jpeg = base
        .compression_method(CompressionMethod::Stored)
        .unix_permissions(0o644);
    let dir = base
        .compression_method(CompressionMethod::Stored)
        .unix_permissions(0o755);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in entries {
        match entry {
            Entry::Dir(name) => zip.add_directory(name.as_str(), dir)?,
            Entry::Text(name, bytes) => {
                zip.start_file(name.as_str(), text)?;
                zip.write_all(bytes)?;
            }
            Entry::Jpeg(name, bytes) => {
                zip.start_file(name.as_str(), jpeg)?;
                zip.write_all(bytes)?;
            }
        }
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_root() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
    }

    #[test]
    fn building_twice_gives_the_same_bytes() {
        let real = workspace_root().join(REAL);
        assert_eq!(build(&real).unwrap(), build(&real).unwrap());
    }

    #[test]
    fn committed_fixtures_match_a_rebuild() {
        run(workspace_root(), true).unwrap();
    }

    #[test]
    fn entry_lines_take_one_row_for_an_image_without_faces() {
        let gt = "0--Parade/a.jpg\n1\n0 0 0 0 0 0 0 0 0 0 \n0--Parade/b.jpg\n2\nr1\nr2\n";
        assert_eq!(entry_lines(gt, "0--Parade/a.jpg").unwrap().len(), 3);
        assert_eq!(
            entry_lines(gt, "0--Parade/b.jpg").unwrap(),
            ["0--Parade/b.jpg\n", "2\n", "r1\n", "r2\n"]
        );
        assert!(entry_lines(gt, "0--Parade/c.jpg").is_err());
        assert!(entry_lines("0--Parade/a.jpg\n3\nr1\n", "0--Parade/a.jpg").is_err());
    }
}
