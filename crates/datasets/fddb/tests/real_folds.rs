//! The whole real fold set (`shared/real/fddb/FDDB-folds/`, the 20 files of the authors'
//! FDDB-folds.tgz, see its SOURCES.md), read through the loader.

use std::collections::HashSet;
use std::path::Path;

use zukan_fddb::{Fddb, ParseError, load_fold, parse_ellipse_list};
use zukan_schema::{Dataset, Split};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared/real/fddb");

/// Images per fold: `wc -l FDDB-fold-??.txt` in shared/real/fddb/FDDB-folds.
const IMAGES: [usize; 10] = [290, 285, 274, 302, 298, 302, 279, 276, 259, 280];
/// Faces per fold: `for f in FDDB-fold-??-ellipseList.txt; do grep -c '  1$' $f; done` (every
/// face row, and nothing else, ends in two spaces and `1`).
const FACES: [usize; 10] = [515, 519, 517, 517, 514, 518, 518, 518, 514, 521];

#[test]
fn all_ten_folds_give_the_authors_counts() {
    let mut ids = HashSet::new();
    let (mut images, mut faces, mut from_2002, mut tall, mut wide) = (0, 0, 0, 0, 0);
    let mut diagnostics = Vec::new();
    for fold in 1..=10u8 {
        let loaded = Fddb.load(Path::new(ROOT), Split::Fold(fold)).unwrap();
        let i = usize::from(fold - 1);
        assert_eq!(loaded.samples.len(), IMAGES[i], "fold {fold} images");
        let fold_faces: usize = loaded.samples.iter().map(|s| s.objects.len()).sum();
        assert_eq!(fold_faces, FACES[i], "fold {fold} faces");
        for sample in &loaded.samples {
            assert_eq!(sample.split, Split::Fold(fold));
            assert_eq!(sample.image.path(), format!("{}.jpg", sample.id));
            assert!(
                ids.insert(sample.id.clone()),
                "{} is in two folds",
                sample.id
            );
            from_2002 += usize::from(sample.id.starts_with("2002/"));
            for face in &sample.objects {
                tall += usize::from(face.bbox.h > face.bbox.w);
                wide += usize::from(face.bbox.w > face.bbox.h);
            }
        }
        images += loaded.samples.len();
        faces += fold_faces;
        diagnostics.extend(loaded.diagnostics);
    }
    // The totals the authors publish (and shared/real/fddb/SOURCES.md states).
    assert_eq!((images, faces), (2845, 5171));
    // `cat FDDB-fold-??.txt | cut -c1-4 | sort | uniq -c`: 2424 2002, 421 2003.
    assert_eq!((from_2002, images - from_2002), (2424, 421));
    // The angle convention (ra measured from the x axis) makes upright faces tall: python3 over
    // every face row, hy = √(ra²sin²t + rb²cos²t) > hx = √(ra²cos²t + rb²sin²t): 5158 tall,
    // 12 wide, 1 square (the placeholder circle).
    assert_eq!((tall, wide), (5158, 12));
    // Fold and ellipse lists agree everywhere; the one source problem is the placeholder:
    // `grep -n '^1.000000 1.000000 0.000000 0.000000 0.000000  1$' FDDB-fold-*-ellipseList.txt`
    // gives FDDB-fold-08-ellipseList.txt:897.
    let got: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "FDDB-folds/FDDB-fold-08-ellipseList.txt:897: placeholder face `1 1 0 0 0` in \
          `2002/07/24/big/img_67`: kept (the authors count it) and marked ignore"
        ]
    );
}

#[test]
fn the_placeholder_is_the_sixth_face_of_img_67_and_the_only_ignored_one() {
    let loaded = load_fold(Path::new(ROOT), Split::Fold(8)).unwrap();
    let ignored: Vec<(&str, usize)> = loaded
        .samples
        .iter()
        .flat_map(|s| {
            s.objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.ignore)
                .map(move |(i, _)| (s.id.as_str(), i))
        })
        .collect();
    assert_eq!(ignored, [("2002/07/24/big/img_67", 5)]);
}

#[test]
fn splits_other_than_folds_1_to_10_are_refused() {
    for split in [Split::Fold(0), Split::Fold(11), Split::Train, Split::Test] {
        let err = load_fold(Path::new(ROOT), split).unwrap_err();
        assert!(
            matches!(err, ParseError::NoSuchSplit { .. }),
            "{split}: {err}"
        );
        assert!(err.to_string().ends_with(&format!(
            "FDDB has no `{split}` split (it has fold1 to fold10)"
        )));
    }
    let err = load_fold(Path::new("/nonexistent"), Split::Fold(3)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/FDDB-folds/FDDB-fold-03-ellipseList.txt: cannot open: "),
        "{err}"
    );
}

#[test]
fn truncated_and_garbled_copies_never_panic() {
    let real = std::fs::read(format!("{ROOT}/FDDB-folds/FDDB-fold-08-ellipseList.txt")).unwrap();
    let parse =
        |bytes: &[u8]| parse_ellipse_list(bytes, "f.txt", Split::Fold(8)).map(|p| p.images.len());
    let mut errors = 0;
    for cut in (0..real.len()).step_by(37) {
        errors += usize::from(parse(&real[..cut]).is_err());
    }
    // Most cuts land inside a row or image, which must be an error, not a short read.
    assert!(errors > 0);
    let mut garbled = real.clone();
    for (i, at) in (0..real.len()).step_by(101).enumerate() {
        garbled[at] = [0u8, b'\n', b' ', 0xff, b'-', b'9', b'/', 0x1a][i % 8];
        let _ = parse(&garbled);
    }
    let _ = parse(&[0xff; 64]);
    let _ = parse(b"\n\n\n1\n\n");
}
