//! The FDDB info card and resource table.

use zukan_schema::{DatasetInfo, Resource, Split};

/// The registry name users type.
pub const NAME: &str = "fddb";

/// The official homepage (where both archives and the evaluator are published).
pub const HOMEPAGE: &str = "http://vis-www.cs.umass.edu/fddb/";

/// The release this crate reads. The authors give FDDB no version number; `v1` names the one
/// `FDDB-folds.tgz` whose content is in `shared/real/fddb/` (2,845 images, 5,171 faces).
pub const RELEASE: &str = "v1";

/// The licence. Neither the authors' README nor any source found states one (the images come
/// from the Faces in the Wild news-photo collection of Berg et al.).
pub const LICENSE: &str = "unknown — see homepage";

/// The technical report to cite, as the FDDB page gives it (also quoted by many users, e.g.
/// the BibTeX in several FDDB loaders found by code search: `fddbTech`, UM-CS-2010-009).
pub const CITATION: &str = "@techreport{fddbTech,
  author      = {Vidit Jain and Erik Learned-Miller},
  title       = {FDDB: A Benchmark for Face Detection in Unconstrained Settings},
  institution = {University of Massachusetts, Amherst},
  number      = {UM-CS-2010-009},
  year        = {2010}
}
";

/// The folds, numbered as the authors number them (`FDDB-fold-01` … `FDDB-fold-10`).
pub const FOLDS: std::ops::RangeInclusive<u8> = 1..=10;

/// The resource table, kept as data in `resources.json` so checksums recorded later change
/// one file only.
const RESOURCES_JSON: &str = include_str!("resources.json");

/// The info card.
pub fn info() -> DatasetInfo {
    DatasetInfo {
        name: NAME.to_owned(),
        title: "FDDB: Face Detection Data Set and Benchmark".to_owned(),
        release: RELEASE.to_owned(),
        homepage: HOMEPAGE.to_owned(),
        license: LICENSE.to_owned(),
        citation: CITATION.to_owned(),
        // Counts verified on the real fold files (tests/real_folds.rs).
        description: "A face detection benchmark of 5,171 faces in 2,845 news photos from the \
                      Faces in the Wild collection, split into ten folds for cross-validation. \
                      Each face is annotated as an ellipse (major and minor radius, angle, \
                      centre); zukan also gives the box that exactly bounds it."
            .to_owned(),
        class_names: vec!["face".to_owned()],
        splits: FOLDS.map(Split::Fold).collect(),
    }
}

/// The published files. The table is compiled in and checked by a test, so this cannot fail
/// at run time.
pub fn resources() -> Vec<Resource> {
    serde_json::from_str(RESOURCES_JSON).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use zukan_schema::ArchiveKind;

    use super::*;

    #[test]
    fn resource_table_parses_and_names_both_archives() {
        let table: Vec<Resource> = serde_json::from_str(RESOURCES_JSON).unwrap();
        let names: Vec<&str> = table.iter().map(|r| r.file_name.as_str()).collect();
        assert_eq!(names, ["originalPics.tar.gz", "FDDB-folds.tgz"]);
        for r in &table {
            assert_eq!(r.archive, ArchiveKind::TarGz);
            assert!(
                r.sha256.is_none(),
                "no sha256 is published for {}",
                r.file_name
            );
            assert!(r.urls[0].starts_with("http://vis-www.cs.umass.edu/fddb/"));
            assert_eq!(r.page, HOMEPAGE);
        }
        assert_eq!(table[0].size, Some(579_061_091));
        assert_eq!(resources(), table);
    }

    #[test]
    fn info_lists_ten_folds_from_one() {
        let info = info();
        assert_eq!(info.splits.first(), Some(&Split::Fold(1)));
        assert_eq!(info.splits.last(), Some(&Split::Fold(10)));
        assert_eq!(info.splits.len(), 10);
        assert_eq!(info.class_names, ["face"]);
    }
}
