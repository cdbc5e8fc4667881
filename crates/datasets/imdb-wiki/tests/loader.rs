//! The loader on extracted trees: which metadata file it reads for each source, both
//! sources in one train split, and the errors for a tree with none.

use std::path::{Path, PathBuf};

use zukan_imdb_wiki::{Db, ImageTree, ImdbWiki, ParseError, load, meta_file};
use zukan_schema::{Dataset, Split};

const WIKI_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/real/imdb-wiki/wiki_sample.mat"
);
const IMDB_SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/imdb_sample.mat");

/// A fresh directory under the system temp dir, removed when dropped.
struct TempRoot(PathBuf);

impl TempRoot {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("zukan-imdb-wiki-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempRoot(dir)
    }

    fn put(&self, from: &str, to: &str) {
        let target = self.0.join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from, target).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn both_sources_load_into_one_train_split() {
    let root = TempRoot::new("both");
    root.put(WIKI_SAMPLE, "wiki_crop/wiki.mat");
    // The IMDb metadata alone, as imdb_meta.tar unpacks it: the full-photo tree.
    root.put(IMDB_SAMPLE, "imdb/imdb.mat");
    assert_eq!(
        meta_file(root.path(), Db::Wiki),
        Some(("wiki_crop/wiki.mat".into(), ImageTree::Crop))
    );
    assert_eq!(
        meta_file(root.path(), Db::Imdb),
        Some(("imdb/imdb.mat".into(), ImageTree::Full))
    );

    let loaded = ImdbWiki.load(root.path(), Split::Train).unwrap();
    // 9 generated entries in each file (make_imdbwiki_mat.py's WIKI_ROWS).
    assert_eq!(loaded.samples.len(), 18);
    assert!(loaded.samples.iter().all(|s| s.split == Split::Train));
    assert!(
        loaded.samples[..9]
            .iter()
            .all(|s| s.id.starts_with("wiki/") && s.image.path().starts_with("wiki_crop/"))
    );
    assert!(
        loaded.samples[9..]
            .iter()
            .all(|s| s.id.starts_with("imdb/") && s.image.path().starts_with("imdb/"))
    );
    // Full photos get a face box where a face was found (7 of 9: entries 4 and 8 are -Inf).
    assert_eq!(
        loaded.samples[9..]
            .iter()
            .filter(|s| s.objects.len() == 1)
            .count(),
        7
    );
    assert!(loaded.samples[..9].iter().all(|s| s.objects.is_empty()));
    // Entries 8 and 9 of each file: before birth, age 206.
    let files: Vec<&str> = loaded.diagnostics.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "wiki_crop/wiki.mat",
            "wiki_crop/wiki.mat",
            "imdb/imdb.mat",
            "imdb/imdb.mat"
        ]
    );
}

#[test]
fn crop_metadata_wins_over_the_full_tree() {
    let root = TempRoot::new("crop-wins");
    root.put(WIKI_SAMPLE, "wiki_crop/wiki.mat");
    root.put(WIKI_SAMPLE, "wiki/wiki.mat");
    let loaded = load(root.path(), Split::Train).unwrap();
    assert_eq!(
        loaded.samples.len(),
        9,
        "the two files describe the same entries"
    );
    assert!(loaded.samples[0].image.path().starts_with("wiki_crop/"));
}

#[test]
fn a_root_with_both_trees_says_which_one_was_read() {
    // With `wiki_crop/` and `wiki/` both present, only the crops were read, without a word.
    let root = TempRoot::new("both-trees");
    root.put(WIKI_SAMPLE, "wiki_crop/wiki.mat");
    root.put(WIKI_SAMPLE, "wiki/wiki.mat");
    root.put(IMDB_SAMPLE, "imdb/imdb.mat");
    let loaded = load(root.path(), Split::Train).unwrap();
    assert_eq!(loaded.samples.len(), 18);
    let unread: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("not read"))
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        unread,
        [
            "wiki/wiki.mat: present but not read: the same entries were read from \
          wiki_crop/wiki.mat (the face crops, preferred when both trees are there); to load the \
          full photos, use a root without wiki_crop/"
        ]
    );
    // It comes first, before the diagnostics of the file that was read.
    assert_eq!(loaded.diagnostics[0].file, "wiki/wiki.mat");
    // A root with one tree per source says nothing of the kind.
    let single = TempRoot::new("one-tree");
    single.put(WIKI_SAMPLE, "wiki/wiki.mat");
    let loaded = load(single.path(), Split::Train).unwrap();
    assert!(loaded.samples[0].image.path().starts_with("wiki/"));
    assert!(
        !loaded
            .diagnostics
            .iter()
            .any(|d| d.message.contains("not read"))
    );
}

#[test]
fn a_tree_without_metadata_names_every_path_tried() {
    let root = TempRoot::new("empty");
    let err = load(root.path(), Split::Train).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no IMDB-WIKI metadata under {}: looked for wiki_crop/wiki.mat, wiki/wiki.mat, \
             imdb_crop/imdb.mat, imdb/imdb.mat",
            root.path().display()
        )
    );
}

#[test]
fn only_the_train_split_exists() {
    let root = TempRoot::new("split");
    let err = load(root.path(), Split::Val).unwrap_err();
    assert!(matches!(err, ParseError::NoSuchSplit { split: Split::Val }));
    assert_eq!(
        err.to_string(),
        "IMDB-WIKI has no `val` split (the authors publish no split; use train)"
    );
}

#[test]
fn a_corrupt_metadata_file_is_an_error_naming_it() {
    let root = TempRoot::new("corrupt");
    std::fs::create_dir_all(root.path().join("imdb_crop")).unwrap();
    std::fs::write(root.path().join("imdb_crop/imdb.mat"), b"not a mat file").unwrap();
    let err = load(root.path(), Split::Train).unwrap_err();
    assert!(
        matches!(&err, ParseError::Mat { file, .. } if file == "imdb_crop/imdb.mat"),
        "{err}"
    );
}
