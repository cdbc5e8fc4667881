//! `zukan::prepare` end to end: the real fetch, verify and install path against fixture
//! releases served on 127.0.0.1, then the real parsers on the installed tree.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zukan::{
    DataDir, Dataset, FetchOptions, NoProgress, PrepareError, PrepareOptions, Registry, Resource,
    Split, SplitSummary,
};
use zukan_fetch::loopback::LoopbackServer;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixture table of `dataset`, pointed at `server`.
fn fixture_table(dataset: &str, server: &LoopbackServer) -> Vec<Resource> {
    let path = workspace()
        .join("fixtures")
        .join(dataset)
        .join("resources.json");
    let mut table: Vec<Resource> = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    for r in &mut table {
        r.urls = vec![server.url(&r.file_name)];
    }
    table
}

fn options(data_dir: &Path, table: Vec<Resource>) -> PrepareOptions {
    let fetch = FetchOptions {
        backoff: std::time::Duration::from_millis(1),
        ..FetchOptions::default()
    };
    let mut options = PrepareOptions::new(DataDir::new(data_dir), fetch);
    options.resources = Some(table);
    options
}

fn dataset(name: &str) -> &'static dyn Dataset {
    let registry: &'static Registry = Box::leak(Box::new(Registry::new()));
    registry.require(name).unwrap()
}

#[test]
fn widerface_fixture_release_fetches_verifies_installs_and_parses() {
    let server = LoopbackServer::serve_dir(&workspace().join("fixtures/widerface")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let wider = dataset("widerface");
    let opts = options(dir.path(), fixture_table("widerface", &server));

    let prepared = zukan::prepare(wider, &opts, Arc::new(NoProgress)).unwrap();
    assert_eq!(prepared.newly_installed.len(), 4);
    assert!(
        prepared.newly_pinned.is_empty(),
        "every fixture archive has a published sha256"
    );
    let val = prepared.root.load(wider, Split::Val).unwrap();
    // The fixture val ground truth is the real one cut to the 4 real images (fixtures/widerface/README.md).
    let summary = SplitSummary::of(Split::Val, &val.samples);
    assert_eq!(
        (
            summary.images,
            summary.objects,
            summary.images_without_objects
        ),
        (4, 228, 1)
    );
    assert_eq!(prepared.root.missing_images(&val.samples), 0);

    // A second run reuses everything: no request, nothing installed again.
    let before = server.requests().len();
    let again = zukan::prepare(wider, &opts, Arc::new(NoProgress)).unwrap();
    assert!(again.newly_installed.is_empty());
    assert_eq!(server.requests().len(), before);
}

#[test]
fn one_split_fetches_only_the_files_it_needs() {
    let server = LoopbackServer::serve_dir(&workspace().join("fixtures/widerface")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), fixture_table("widerface", &server));
    opts.splits = vec![Split::Val];
    zukan::prepare(dataset("widerface"), &opts, Arc::new(NoProgress)).unwrap();
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths, ["WIDER_val.zip", "wider_face_split.zip"]);
}

#[test]
fn a_split_the_dataset_lacks_is_refused_before_any_request() {
    let server = LoopbackServer::serve_dir(&workspace().join("fixtures/widerface")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), fixture_table("widerface", &server));
    opts.splits = vec![Split::Fold(1)];
    let err = zukan::prepare(dataset("widerface"), &opts, Arc::new(NoProgress)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "widerface has no split `fold1` (it has: train, val, test)"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn unpublished_checksum_is_recorded_at_first_use_and_enforced_after() {
    let fixture = workspace().join("fixtures/fddb");
    let server = LoopbackServer::serve_dir(&fixture).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let fddb = dataset("fddb");
    let table = fixture_table("fddb", &server);
    assert!(
        table[0].sha256.is_none(),
        "the FDDB authors publish no sha256"
    );

    let prepared = zukan::prepare(
        fddb,
        &options(dir.path(), table.clone()),
        Arc::new(NoProgress),
    )
    .unwrap();
    assert_eq!(prepared.newly_pinned, ["FDDB-folds.tgz"]);
    let folds: usize = (1..=10)
        .map(|n| {
            prepared
                .root
                .load(fddb, Split::Fold(n))
                .unwrap()
                .samples
                .len()
        })
        .sum();
    assert_eq!(folds, 2845, "all ten real fold files are in the fixture");

    // The same name now serves other bytes of the same size: the record must catch it.
    let data_dir = DataDir::new(dir.path());
    fs::remove_file(data_dir.download("FDDB-folds.tgz")).unwrap();
    let _ = fs::remove_file(data_dir.stamp("FDDB-folds.tgz"));
    let mut other = fs::read(fixture.join("FDDB-folds.tgz")).unwrap();
    let last = other.len() - 1;
    other[last] ^= 0xff;
    let tampered = LoopbackServer::serve_bytes([("FDDB-folds.tgz", other)]).unwrap();
    let mut table = table;
    table[0].urls = vec![tampered.url("FDDB-folds.tgz")];
    let err = zukan::prepare(fddb, &options(dir.path(), table), Arc::new(NoProgress)).unwrap_err();
    let PrepareError::PinMismatch {
        files,
        pin_file,
        source,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(files, &["FDDB-folds.tgz"]);
    assert_eq!(pin_file, &zukan::Pins::path_for(&data_dir, "fddb"));
    assert!(err.to_string().contains("recorded at first use"), "{err}");
    let recorded = zukan::Pins::load(&data_dir, "fddb").unwrap().entries["FDDB-folds.tgz"].sha256;
    let detail = source.to_string();
    assert!(detail.contains(&recorded.to_string()), "{detail}");
}

#[test]
fn gated_dataset_lists_what_is_missing_then_imports_what_the_user_placed() {
    let adience = dataset("adience");
    let dir = tempfile::tempdir().unwrap();
    let manual = dir.path().join("manual/adience");
    fs::create_dir_all(&manual).unwrap();
    let opts = || {
        let mut o = options(dir.path(), adience.resources());
        o.resources = None;
        o
    };

    let err = zukan::prepare(adience, &opts(), Arc::new(NoProgress)).unwrap_err();
    let PrepareError::ManualDownload {
        missing,
        instructions,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        missing.len(),
        6,
        "one image archive and the five fold files (the frontal lists are optional): {missing:?}"
    );
    assert!(
        instructions.contains("register") || instructions.contains("request form"),
        "{instructions}"
    );

    // The real fold files (the frontal lists have no real copy here: the full lists stand in),
    // and a minimal faces.tar.gz in the archive's layout.
    let real = workspace().join("../shared/real/adience");
    for n in 0..5 {
        fs::copy(
            real.join(format!("fold_{n}_data.txt")),
            manual.join(format!("fold_{n}_data.txt")),
        )
        .unwrap();
        fs::copy(
            real.join(format!("fold_{n}_data.txt")),
            manual.join(format!("fold_frontal_{n}_data.txt")),
        )
        .unwrap();
    }
    let err = zukan::prepare(adience, &opts(), Arc::new(NoProgress)).unwrap_err();
    assert!(
        err.to_string().contains("faces.tar.gz or aligned.tar.gz"),
        "{err}"
    );

    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_mode(0o755);
    header.set_size(0);
    tar.append_data(&mut header, "faces/", std::io::empty())
        .unwrap();
    fs::write(
        manual.join("faces.tar.gz"),
        tar.into_inner().unwrap().finish().unwrap(),
    )
    .unwrap();

    let prepared = zukan::prepare(adience, &opts(), Arc::new(NoProgress)).unwrap();
    assert_eq!(prepared.newly_installed.len(), 11);
    assert_eq!(
        prepared.newly_pinned.len(),
        11,
        "Adience publishes no checksum"
    );
    // 4,496 rows in fold 0, 12 of them exact repeats kept once (crates/datasets/adience tests).
    assert_eq!(
        prepared
            .root
            .load(adience, Split::Fold(0))
            .unwrap()
            .samples
            .len(),
        4484
    );
}

/// Regression: a first-use file that did not extract was recorded as the reference anyway, so
/// every later fetch of the real file was refused as a mismatch and the user was stuck.
#[test]
fn an_unpinned_file_that_does_not_extract_is_not_recorded_and_is_quarantined() {
    let fixture = workspace().join("fixtures/fddb");
    let dir = tempfile::tempdir().unwrap();
    let fddb = dataset("fddb");
    let data_dir = DataDir::new(dir.path());
    let mut table = fixture_table(
        "fddb",
        &LoopbackServer::serve_bytes(Vec::<(&str, Vec<u8>)>::new()).unwrap(),
    );
    // Bytes of the right size (the size is known, the sha256 is not) that are no gzip.
    let bytes = vec![0x42; table[0].size.unwrap() as usize];
    let garbage = LoopbackServer::serve_bytes([("FDDB-folds.tgz", bytes.clone())]).unwrap();
    table.retain(|r| r.file_name == "FDDB-folds.tgz");
    table[0].urls = vec![garbage.url("FDDB-folds.tgz")];

    let err = zukan::prepare(
        fddb,
        &options(dir.path(), table.clone()),
        Arc::new(NoProgress),
    )
    .unwrap_err();
    let PrepareError::Install {
        file_name,
        quarantined: Some(quarantined),
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(file_name, "FDDB-folds.tgz");
    assert_eq!(fs::read(quarantined).unwrap(), bytes);
    assert!(!data_dir.download("FDDB-folds.tgz").exists());
    assert!(
        zukan::Pins::load(&data_dir, "fddb")
            .unwrap()
            .entries
            .is_empty()
    );

    // The real file, fetched next, is accepted and becomes the record.
    let server = LoopbackServer::serve_dir(&fixture).unwrap();
    table[0].urls = vec![server.url("FDDB-folds.tgz")];
    let prepared = zukan::prepare(
        fddb,
        &options(dir.path(), table.clone()),
        Arc::new(NoProgress),
    )
    .unwrap();
    assert_eq!(prepared.newly_pinned, ["FDDB-folds.tgz"]);

    // Regression: the marker held "sha256 unknown", so once the pin applied every later run
    // extracted the archive again.
    let again = zukan::prepare(fddb, &options(dir.path(), table), Arc::new(NoProgress)).unwrap();
    assert!(
        again.newly_installed.is_empty(),
        "{:?}",
        again.newly_installed
    );
}

/// `fetch --file`: only the named files are fetched (IMDB-WIKI's wiki part without the 7 GB
/// IMDb archive); a name the table lacks is refused before any request, listing the names.
#[test]
fn only_the_named_files_are_fetched() {
    let server = LoopbackServer::serve_dir(&workspace().join("fixtures/widerface")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), fixture_table("widerface", &server));
    opts.files = vec!["nope.zip".into()];
    let err = zukan::prepare(dataset("widerface"), &opts, Arc::new(NoProgress)).unwrap_err();
    assert!(
        matches!(&err, PrepareError::NoSuchFile { file, available, .. }
            if file == "nope.zip" && available.contains(&"WIDER_val.zip".to_owned())),
        "{err}"
    );
    assert!(server.requests().is_empty());

    opts.files = vec!["wider_face_split.zip".into()];
    let prepared = zukan::prepare(dataset("widerface"), &opts, Arc::new(NoProgress)).unwrap();
    assert_eq!(prepared.newly_installed, ["wider_face_split.zip"]);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["wider_face_split.zip"]);
}
