//! The Adience info card and resource table.

use zukan_schema::{DatasetInfo, Resource, Split};

/// The registry name users type.
pub const NAME: &str = "adience";

/// The official page, where the request form and the files are (cited by opencv_contrib
/// `modules/datasets/doc/fr_adience.rst`; research/datasets-faces.md 4.1).
pub const HOMEPAGE: &str = "http://www.openu.ac.il/home/hassner/Adience/data.html";

/// The release this crate reads. The authors give no version; `v1` names the fold files whose
/// copies are in `shared/real/adience/` (19,487 rows).
pub const RELEASE: &str = "v1";

/// The licence. No source found states one; the terms are those the authors' request form
/// shows, so users are sent there.
pub const LICENSE: &str =
    "unknown — terms are set by the authors' download request form; see homepage";

/// The paper to cite (Eidinger, Enbar, Hassner, IEEE TIFS 2014).
pub const CITATION: &str = "@article{eidinger2014age,
  author  = {Eidinger, Eran and Enbar, Roee and Hassner, Tal},
  title   = {Age and Gender Estimation of Unfiltered Faces},
  journal = {IEEE Transactions on Information Forensics and Security},
  volume  = {9},
  number  = {12},
  pages   = {2170--2179},
  year    = {2014}
}
";

/// The folds, numbered as the authors number them (`fold_0_data.txt` … `fold_4_data.txt`).
pub const FOLDS: std::ops::RangeInclusive<u8> = 0..=4;

/// The resource table, kept as data in `resources.json`.
const RESOURCES_JSON: &str = include_str!("resources.json");

/// The info card.
pub fn info() -> DatasetInfo {
    DatasetInfo {
        name: NAME.to_owned(),
        title: "Adience: unfiltered faces for age and gender classification".to_owned(),
        release: RELEASE.to_owned(),
        homepage: HOMEPAGE.to_owned(),
        license: LICENSE.to_owned(),
        citation: CITATION.to_owned(),
        // Row count from the real fold files (tests/real_folds.rs).
        description: "Face crops from Flickr albums taken with phones and other mobile devices, \
                      labelled with an age group (eight groups from 0-2 to 60-100, some faces \
                      with an exact age or another range) and gender, in five subject-disjoint \
                      folds for cross-validation; the five fold files list 19,487 faces. \
                      Registration-gated: the files are downloaded by hand."
            .to_owned(),
        // Image-level age classes are the eight groups; `class` is left unset and the group
        // index is the `age_group` attribute, since age is the label, not an object class.
        class_names: Vec::new(),
        splits: FOLDS.map(Split::Fold).collect(),
    }
}

/// The files a user downloads by hand (no URLs: the page is gated). The table is compiled in
/// and checked by a test, so this cannot fail at run time.
pub fn resources() -> Vec<Resource> {
    serde_json::from_str(RESOURCES_JSON).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use zukan_schema::ArchiveKind;

    use super::*;

    #[test]
    fn resource_table_lists_the_manual_files_without_urls() {
        let table: Vec<Resource> = serde_json::from_str(RESOURCES_JSON).unwrap();
        let names: Vec<&str> = table.iter().map(|r| r.file_name.as_str()).collect();
        let mut expected = vec!["faces.tar.gz".to_owned(), "aligned.tar.gz".to_owned()];
        expected.extend((0..5).map(|n| format!("fold_{n}_data.txt")));
        expected.extend((0..5).map(|n| format!("fold_frontal_{n}_data.txt")));
        assert_eq!(names, expected);
        for r in &table {
            assert!(
                r.urls.is_empty() && r.sha256.is_none() && r.size.is_none(),
                "{}",
                r.file_name
            );
            assert_eq!(r.page, HOMEPAGE);
            let archive = r.file_name.ends_with(".tar.gz");
            assert_eq!(
                r.archive,
                if archive {
                    ArchiveKind::TarGz
                } else {
                    ArchiveKind::File
                }
            );
        }
        assert_eq!(table[2].splits, [Split::Fold(0)]);
        assert_eq!(table[11].splits, [Split::Fold(4)]);
        assert_eq!(resources(), table);
    }

    #[test]
    fn info_lists_five_folds_from_zero() {
        let splits = info().splits;
        assert_eq!(splits, (0..5).map(Split::Fold).collect::<Vec<_>>());
    }
}
