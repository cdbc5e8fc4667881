//! The detection format against two real third-party outputs for fold 01
//! (`shared/real/fddb/third_party_detections/`, NOT author data, see SOURCES.md): MTCNN
//! writes integer boxes, jfda `%f` floats.

use zukan_fddb::{parse_fold_list, read_detections, write_detections};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared/real/fddb");

fn read_text(relative: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{relative}")).unwrap()
}

/// Counts from python3, walking name / count / rows blocks of each file: MTCNN 290 images,
/// 484 boxes, 0 images without a box; jfda 290 images, 471 boxes, 1 image without a box; in
/// both, the image order equals `FDDB-fold-01.txt`.
#[test]
fn real_outputs_parse_in_fold_order_and_round_trip() {
    let fold = read_text("FDDB-folds/FDDB-fold-01.txt");
    let fold: Vec<String> = parse_fold_list(fold.as_bytes(), "FDDB-fold-01.txt")
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    for (file, boxes, empty) in [
        ("third_party_detections/MTCNN-fold-01-out.txt", 484, 0),
        ("third_party_detections/jfda-fold-01-out.txt", 471, 1),
    ] {
        let text = read_text(file);
        let images = read_detections(text.as_bytes(), file).unwrap();
        let names: Vec<&String> = images.iter().map(|(name, _)| name).collect();
        assert_eq!(names, fold.iter().collect::<Vec<_>>(), "{file}");
        assert_eq!(
            images.iter().map(|(_, d)| d.len()).sum::<usize>(),
            boxes,
            "{file}"
        );
        assert_eq!(
            images.iter().filter(|(_, d)| d.is_empty()).count(),
            empty,
            "{file}"
        );

        let mut out = Vec::new();
        write_detections(&mut out, &images).unwrap();
        let written = String::from_utf8(out).unwrap();
        assert_eq!(
            read_detections(written.as_bytes(), "again").unwrap(),
            images,
            "{file}"
        );
        // Same shape line for line: names and counts byte-equal, numbers equal as f32 (only
        // their spelling differs: `1.000000` is written `1`).
        let (ours, theirs): (Vec<&str>, Vec<&str>) =
            (written.lines().collect(), text.lines().collect());
        assert_eq!(ours.len(), theirs.len(), "{file}");
        for (a, b) in ours.iter().zip(&theirs) {
            let (a, b): (Vec<&str>, Vec<&str>) = (
                a.split_whitespace().collect(),
                b.split_whitespace().collect(),
            );
            assert_eq!(a.len(), b.len());
            if a.len() == 5 {
                let num = |t: &&str| t.parse::<f32>().unwrap();
                assert_eq!(
                    a.iter().map(num).collect::<Vec<_>>(),
                    b.iter().map(num).collect::<Vec<_>>()
                );
            } else {
                assert_eq!(a, b);
            }
        }
    }
}
