//! The four published archives of WIDER Face, from the data file `resources.json`.
//!
//! URLs in each entry are tried in order: the current Google Drive ids (those of torchvision
//! `widerface.py` @ 8fc555170c24 and the Hugging Face script), then the Hugging Face mirror, then the older Drive ids (those the TFDS checksums were taken
//! from); for `wider_face_split.zip`, the authors' own host first and their old mmlab host
//! last. Sizes and sha256 come from two independent projects that agree (`checksum_source`
//! names file and commit); the md5s torchvision pins belong to the same files (research
//! notes, section 1.1).

use zukan_schema::Resource;

/// The resource table as shipped, parsed by [`resources`].
const RESOURCES_JSON: &str = include_str!("../resources.json");

/// The published archives: `WIDER_train.zip`, `WIDER_val.zip`, `WIDER_test.zip` (images of one
/// split each) and `wider_face_split.zip` (the annotations, needed by every split).
pub fn resources() -> Vec<Resource> {
    // The file is compiled in and its parse is checked by `the_table_parses_...` below.
    serde_json::from_str(RESOURCES_JSON).expect("resources.json is a valid resource table")
}

#[cfg(test)]
mod tests {
    use super::*;
    use zukan_schema::{ArchiveKind, Split};

    #[test]
    fn the_table_parses_and_every_entry_has_size_and_sha256() {
        let table = resources();
        let names: Vec<&str> = table.iter().map(|r| r.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "WIDER_train.zip",
                "WIDER_val.zip",
                "WIDER_test.zip",
                "wider_face_split.zip"
            ]
        );
        for r in &table {
            assert!(r.size.is_some_and(|s| s > 0), "{}", r.file_name);
            assert!(r.sha256.is_some(), "{}", r.file_name);
            assert_eq!(r.archive, ArchiveKind::Zip);
            assert_eq!(r.page, crate::HOMEPAGE);
            assert!(
                r.checksum_source.contains("@ "),
                "{}: source names a commit",
                r.file_name
            );
            assert!(
                r.urls.len() >= 3 && r.urls.iter().all(|u| u.starts_with("http")),
                "{}",
                r.file_name
            );
        }
    }

    #[test]
    fn each_split_needs_its_images_and_the_annotations() {
        let table = resources();
        for (split, images) in [
            (Split::Train, "WIDER_train.zip"),
            (Split::Val, "WIDER_val.zip"),
            (Split::Test, "WIDER_test.zip"),
        ] {
            let needed: Vec<&str> = table
                .iter()
                .filter(|r| r.needed_for(split))
                .map(|r| r.file_name.as_str())
                .collect();
            assert_eq!(needed, [images, "wider_face_split.zip"], "{split}");
        }
    }
}
