//! The IMDB-WIKI info card and resource table.

use zukan_schema::{DatasetInfo, Resource, Split};

/// The registry name users type.
pub const NAME: &str = "imdb-wiki";

/// The official page (where every archive is linked, and the metadata format described).
pub const HOMEPAGE: &str = "https://data.vision.ee.ethz.ch/cvl/rrothe/imdb-wiki/";

/// The release this crate reads. The authors give no version; `v1` names the one set of
/// archives published since 2015/2016.
pub const RELEASE: &str = "v1";

/// The licence. The official page, as copied in daltonwang/ai-tools
/// `dataset/IMDB-WIKI-dataset.md` @ c66789d9963a6a40608864c7450b56af903c0c5a, states none;
/// the images were crawled from IMDb and Wikipedia and keep their owners' rights.
pub const LICENSE: &str = "unknown — the official page states no licence; see homepage";

/// The two papers the official page asks to cite (IJCV, and the ICCV 2015 workshop paper
/// that first released the data).
pub const CITATION: &str = "@article{Rothe-IJCV-2018,
  author  = {Rasmus Rothe and Radu Timofte and Luc Van Gool},
  title   = {Deep expectation of real and apparent age from a single image without facial landmarks},
  journal = {International Journal of Computer Vision},
  volume  = {126},
  number  = {2-4},
  pages   = {144--157},
  year    = {2018}
}

@inproceedings{Rothe-ICCVW-2015,
  author    = {Rasmus Rothe and Radu Timofte and Luc Van Gool},
  title     = {DEX: Deep EXpectation of apparent age from a single image},
  booktitle = {IEEE International Conference on Computer Vision Workshops (ICCVW)},
  year      = {2015}
}
";

/// What [`resources`] returns: the face-crop archives, each holding its images and its
/// metadata file, which is all the loader needs.
pub const DEFAULT_ARCHIVES: [&str; 2] = ["wiki_crop.tar", "imdb_crop.tar"];

/// Every published archive this crate knows, as data so checksums recorded later change
/// one file only.
const RESOURCES_JSON: &str = include_str!("resources.json");

/// The info card.
pub fn info() -> DatasetInfo {
    DatasetInfo {
        name: NAME.to_owned(),
        title: "IMDB-WIKI: 500k+ face images with age and gender labels".to_owned(),
        release: RELEASE.to_owned(),
        homepage: HOMEPAGE.to_owned(),
        license: LICENSE.to_owned(),
        citation: CITATION.to_owned(),
        // Counts from the official page.
        description: "Photos of celebrities crawled from IMDb (460,723 faces of 20,284 people) \
                      and Wikipedia (62,328 faces), with date of birth, the year each photo \
                      was taken, gender, name and a detected face. Ages are the authors' \
                      (photo year at 1 July minus date of birth) and are noisy. The authors \
                      publish no split: both sources load as one `train` split, told apart by \
                      the `source` attribute (`wiki` or `imdb`); ids start with the source. \
                      Samples of the face-crop archives carry no box (the face location is in \
                      the uncropped photo); a clean subset (yu4u's create_db.py: a face with \
                      score >= 1, no second face above 0, age 0-100 by yu4u's calc_age, gender \
                      not NaN) is what most users train on. Also published, but not fetched by \
                      zukan (the crops archives hold the same .mat): wiki.tar.gz (full \
                      Wikipedia photos) and imdb_meta.tar (the IMDb .mat alone); a tree \
                      unpacked from them is read with --root."
            .to_owned(),
        class_names: vec!["face".to_owned()],
        splits: vec![Split::Train],
    }
}

/// Every published archive: the two face-crop archives, and `wiki.tar.gz` (full Wikipedia
/// photos with the metadata) and `imdb_meta.tar` (the IMDb metadata alone). The last two
/// are not fetched by zukan (no command asks for them, and the crop archives hold the same
/// `.mat`); they are listed so the table names every archive, and the loader reads a tree
/// unpacked from them (`--root`). The full IMDb photos (`imdb_0.tar` … `imdb_9.tar`) are not
/// listed: no loader here reads them yet.
/// The table is compiled in and checked by a test, so this cannot fail at run time.
pub fn all_resources() -> Vec<Resource> {
    serde_json::from_str(RESOURCES_JSON).unwrap_or_default()
}

/// What fetching the dataset downloads: [`DEFAULT_ARCHIVES`]. The others of
/// [`all_resources`] would only repeat the metadata (or add the full-size Wikipedia
/// photos).
pub fn resources() -> Vec<Resource> {
    all_resources()
        .into_iter()
        .filter(|r| DEFAULT_ARCHIVES.contains(&r.file_name.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use zukan_schema::ArchiveKind;

    use super::*;

    #[test]
    fn resource_table_parses_and_names_every_archive() {
        let table: Vec<Resource> = serde_json::from_str(RESOURCES_JSON).unwrap();
        let names: Vec<&str> = table.iter().map(|r| r.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "wiki_crop.tar",
                "imdb_crop.tar",
                "wiki.tar.gz",
                "imdb_meta.tar"
            ]
        );
        for r in &table {
            // No size or checksum is published anywhere (research notes, section 3.1).
            assert_eq!((r.size, r.sha256), (None, None), "{}", r.file_name);
            assert_eq!(
                r.checksum_source,
                "none published; recorded on first verified download"
            );
            assert_eq!(
                r.urls,
                [format!(
                    "https://data.vision.ee.ethz.ch/cvl/rrothe/imdb-wiki/static/{}",
                    r.file_name
                )]
            );
            assert_eq!(r.page, HOMEPAGE);
            let kind = if r.file_name.ends_with(".tar.gz") {
                ArchiveKind::TarGz
            } else {
                ArchiveKind::Tar
            };
            assert_eq!(r.archive, kind, "{}", r.file_name);
            assert!(r.needed_for(Split::Train));
        }
        assert_eq!(all_resources(), table);
        let default: Vec<String> = resources().into_iter().map(|r| r.file_name).collect();
        assert_eq!(default, DEFAULT_ARCHIVES);
    }

    #[test]
    fn info_has_one_train_split_and_the_face_class() {
        let info = info();
        // The archives of the table that no fetch downloads are named as such.
        assert!(
            info.description.contains("not fetched by zukan")
                && info.description.contains("wiki.tar.gz")
                && info.description.contains("imdb_meta.tar"),
            "{}",
            info.description
        );
        assert_eq!(info.name, "imdb-wiki");
        assert_eq!(info.splits, [Split::Train]);
        assert_eq!(info.class_names, ["face"]);
        assert!(info.citation.contains("Rothe"));
    }
}
