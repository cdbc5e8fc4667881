//! The manual download: what a user is told, and what is still missing from the folder where
//! they put the files.
//!
//! Adience is behind the authors' request form, so zukan never downloads it. `zukan fetch
//! adience` prints [`manual_instructions`], then checks the manual folder with
//! [`check_manual_dir`] and imports what is there (the facade does the import).

use std::path::Path;

use crate::HOMEPAGE;

/// The image archives; either one is enough.
pub const IMAGE_ARCHIVES: [&str; 2] = ["faces.tar.gz", "aligned.tar.gz"];

/// Where the manual files go, relative to `$ZUKAN_DATA_DIR` (DESIGN.md, data directory).
pub const MANUAL_SUBDIR: &str = "manual/adience";

/// The fold files a user must place: `fold_N_data.txt`, N = 0–4 (what the loader reads).
pub fn fold_files() -> Vec<String> {
    crate::FOLDS.map(|n| format!("fold_{n}_data.txt")).collect()
}

/// The near-frontal subsets `fold_frontal_N_data.txt`, N = 0–4: optional. No loader reads
/// them (a split is one whole fold), and no copy of them is known (research 4.3), so their
/// absence must not stop an import; when they are there they are verified and imported like
/// the rest, so a user who has them keeps them with the dataset.
pub fn frontal_fold_files() -> Vec<String> {
    crate::FOLDS
        .map(|n| format!("fold_frontal_{n}_data.txt"))
        .collect()
}

/// What the manual folder holds and lacks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManualStatus {
    /// The expected files found, in the order of the instructions.
    pub present: Vec<String>,
    /// What is still missing, in words a user can act on (`faces.tar.gz or aligned.tar.gz`,
    /// `fold_3_data.txt`).
    pub missing: Vec<String>,
}

impl ManualStatus {
    /// Whether everything needed is there.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Checks `dir` for the manual files: one image archive (`faces.tar.gz` or `aligned.tar.gz`)
/// and the five fold files are needed; the five frontal lists count as present when they are
/// there and are never missing. Only regular files count; contents are verified at import.
pub fn check_manual_dir(dir: &Path) -> ManualStatus {
    let mut status = ManualStatus::default();
    let archives: Vec<&str> = IMAGE_ARCHIVES
        .into_iter()
        .filter(|a| dir.join(a).is_file())
        .collect();
    if archives.is_empty() {
        status.missing.push(IMAGE_ARCHIVES.join(" or "));
    }
    status
        .present
        .extend(archives.into_iter().map(str::to_owned));
    for name in fold_files() {
        if dir.join(&name).is_file() {
            status.present.push(name);
        } else {
            status.missing.push(name);
        }
    }
    status.present.extend(
        frontal_fold_files()
            .into_iter()
            .filter(|name| dir.join(name).is_file()),
    );
    status
}

/// The text `zukan fetch adience` shows: where to register, what to download, where to put it.
pub fn manual_instructions() -> String {
    format!(
        "Adience is distributed by its authors after registration; zukan cannot download it.\n\
         \n\
         1. Open {HOMEPAGE} and fill in the request form; the authors send the credentials\n\
         \u{20}   for the download area.\n\
         2. Download:\n\
         \u{20}   - faces.tar.gz (face crops) or aligned.tar.gz (landmark-aligned crops); one is enough\n\
         \u{20}   - fold_0_data.txt … fold_4_data.txt\n\
         \u{20}   - optional: fold_frontal_0_data.txt … fold_frontal_4_data.txt (near-frontal\n\
         \u{20}     subsets; zukan imports them when present but reads only the full folds)\n\
         3. Put them, unrenamed and unpacked, in $ZUKAN_DATA_DIR/{MANUAL_SUBDIR}/\n\
         \u{20}   (or any folder you then name with --manual-dir DIR).\n\
         4. Run `zukan fetch adience` again: it checks and imports what is there and lists\n\
         \u{20}   what is still missing. No checksums are published, so the first import records\n\
         \u{20}   each file's sha256 and size and later imports are checked against them.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder named after the test (`tag`), holding `files`.
    fn dir_with(tag: &str, files: &[&str]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("zukan-adience-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in files {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        dir
    }

    #[test]
    fn an_empty_folder_lacks_one_archive_and_five_fold_files() {
        let status = check_manual_dir(&dir_with("empty", &[]));
        assert!(status.present.is_empty());
        assert_eq!(
            status.missing,
            [
                "faces.tar.gz or aligned.tar.gz",
                "fold_0_data.txt",
                "fold_1_data.txt",
                "fold_2_data.txt",
                "fold_3_data.txt",
                "fold_4_data.txt",
            ]
        );
    }

    #[test]
    fn either_archive_is_enough_and_missing_names_exactly_what_lacks() {
        let mut files = vec!["aligned.tar.gz"];
        let folds = fold_files();
        files.extend(
            folds
                .iter()
                .map(String::as_str)
                .filter(|f| *f != "fold_3_data.txt"),
        );
        let status = check_manual_dir(&dir_with("either", &files));
        assert_eq!(status.missing, ["fold_3_data.txt"]);
        assert_eq!(status.present.len(), 5);
        assert_eq!(status.present[0], "aligned.tar.gz");
        assert!(!status.is_complete());
    }

    /// Regression: the import required all five `fold_frontal_*` lists, which no loader reads
    /// and of which no copy is known, so a user with everything else could not import.
    #[test]
    fn frontal_lists_are_optional_and_imported_when_present() {
        let mut files = vec!["faces.tar.gz"];
        let folds = fold_files();
        files.extend(folds.iter().map(String::as_str));
        let status = check_manual_dir(&dir_with("no-frontal", &files));
        assert!(status.is_complete(), "{:?}", status.missing);
        assert_eq!(status.present.len(), 6);

        files.push("fold_frontal_2_data.txt");
        let status = check_manual_dir(&dir_with("one-frontal", &files));
        assert!(status.is_complete(), "{:?}", status.missing);
        assert_eq!(
            status.present.last().map(String::as_str),
            Some("fold_frontal_2_data.txt"),
            "a frontal list that is there is imported"
        );
        assert_eq!(
            frontal_fold_files()[4],
            "fold_frontal_4_data.txt",
            "five optional lists"
        );
    }

    #[test]
    fn a_directory_with_a_file_name_does_not_count() {
        let dir = dir_with("dir", &["fold_0_data.txt", "fold_1_data.txt"]);
        std::fs::create_dir_all(dir.join("faces.tar.gz")).unwrap();
        let status = check_manual_dir(&dir);
        assert_eq!(status.present, ["fold_0_data.txt", "fold_1_data.txt"]);
        assert_eq!(status.missing[0], "faces.tar.gz or aligned.tar.gz");
    }

    #[test]
    fn instructions_name_the_page_the_files_and_the_folder() {
        let text = manual_instructions();
        for needle in [
            HOMEPAGE,
            "faces.tar.gz",
            "aligned.tar.gz",
            "fold_0_data.txt",
            "fold_frontal_4_data.txt",
            "optional",
            "$ZUKAN_DATA_DIR/manual/adience/",
            "--manual-dir",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
    }
}
