//! Installing verified downloads into a dataset tree, all or nothing.
//!
//! An archive is extracted into `tree/.zukan/tmp-<file_name>-<pid>` (inside the tree, so on
//! the same filesystem), then each top-level entry is moved into `tree/` with `rename`. When
//! a top-level directory already exists because another archive shares it (WIDER Face's
//! `WIDER_train.zip` and `WIDER_val.zip` could both unpack below one parent), the two are
//! merged: the new directory's children are renamed into the existing one, recursively. A
//! file that already exists at a destination path is replaced (it can only come from an
//! earlier install of the same archive that stopped before its marker); a directory where the
//! tree has a file, or the reverse, is a [`ExtractError::Conflict`], found before anything is
//! moved. The marker `tree/.zukan/<file_name>.done`, holding the resource's sha256 and size,
//! is written last, through a temporary name and a rename.
//!
//! So a failed extraction leaves the tree as it was: no marker, no temporary directory, no
//! partial top-level entry. Only an I/O failure during the renames themselves can leave part
//! of an archive in the tree, and then without a marker, so the next install redoes it.
//! Nothing is fsynced except the marker: this protects against a crashed or killed process,
//! not a power cut. Locking between processes is the caller's job.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use zukan_schema::{ArchiveKind, Resource};

use crate::extract::{ExtractError, ExtractSummary, UnsafeReason, extract_archive};

/// The directory in a tree that holds markers and temporary directories.
const STATE_DIR: &str = ".zukan";
/// The suffix of a completion marker.
const MARKER_SUFFIX: &str = ".done";

/// What [`install`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallOutcome {
    /// The resource was extracted (or copied) into the tree.
    Installed(ExtractSummary),
    /// A marker with the same sha256 and size was already there; nothing was done.
    AlreadyInstalled,
}

/// Puts the verified file of `resource` into `tree`: extracts an archive, or copies a plain
/// file to `tree/<file_name>`, then writes the marker. See the module documentation for the
/// guarantees.
pub fn install(
    tree: &Path,
    resource: &Resource,
    verified_file: &Path,
) -> Result<InstallOutcome, ExtractError> {
    check_file_name(&resource.file_name)?;
    if is_installed(tree, resource) {
        return Ok(InstallOutcome::AlreadyInstalled);
    }
    let state = tree.join(STATE_DIR);
    fs::create_dir_all(&state).map_err(write_error(&state))?;
    let temp = state.join(format!("tmp-{}-{}", resource.file_name, std::process::id()));
    // A leftover from a killed process that had the same pid.
    remove_dir_if_present(&temp)?;

    let result = unpack_and_move(tree, resource, verified_file, &temp);
    let cleaned = remove_dir_if_present(&temp);
    let summary = result?;
    cleaned?;
    write_marker(&state, resource)?;
    Ok(InstallOutcome::Installed(summary))
}

/// Whether `tree` holds a marker for `resource` with its sha256 and size.
pub fn is_installed(tree: &Path, resource: &Resource) -> bool {
    if check_file_name(&resource.file_name).is_err() {
        return false;
    }
    fs::read_to_string(marker_path(tree, &resource.file_name))
        .is_ok_and(|text| text == marker_text(resource))
}

/// The file names of the resources with a marker in `tree`, sorted. Empty when the tree has
/// none or cannot be read.
pub fn installed_resources(tree: &Path) -> Vec<String> {
    let Ok(dir) = fs::read_dir(tree.join(STATE_DIR)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = dir
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .filter_map(|name| name.strip_suffix(MARKER_SUFFIX).map(str::to_owned))
        .collect();
    names.sort();
    names
}

fn unpack_and_move(
    tree: &Path,
    resource: &Resource,
    verified_file: &Path,
    temp: &Path,
) -> Result<ExtractSummary, ExtractError> {
    let summary = match resource.archive {
        ArchiveKind::File => {
            fs::create_dir(temp).map_err(write_error(temp))?;
            let copy = temp.join(&resource.file_name);
            let bytes = fs::copy(verified_file, &copy).map_err(|source| ExtractError::Open {
                archive: verified_file.to_path_buf(),
                source,
            })?;
            ExtractSummary {
                files: 1,
                bytes,
                ..ExtractSummary::default()
            }
        }
        kind => extract_archive(verified_file, kind, temp)?,
    };
    for name in read_names(temp)? {
        if name == STATE_DIR {
            return Err(ExtractError::UnsafeEntry {
                archive: verified_file.to_path_buf(),
                entry: STATE_DIR.to_owned(),
                reason: UnsafeReason::ReservedName,
            });
        }
    }
    check_merge(verified_file, temp, tree)?;
    merge(temp, tree)?;
    Ok(summary)
}

/// Finds, before anything moves, a place where `from` has a directory and `to` a
/// non-directory, or the reverse.
fn check_merge(archive: &Path, from: &Path, to: &Path) -> Result<(), ExtractError> {
    for name in read_names(from)? {
        let (src, dst) = (from.join(&name), to.join(&name));
        let Some(dst_is_dir) = kind_of(&dst)? else {
            continue;
        };
        let src_is_dir = kind_of(&src)?.unwrap_or(false);
        match (src_is_dir, dst_is_dir) {
            (true, true) => check_merge(archive, &src, &dst)?,
            (false, false) => {}
            _ => {
                return Err(ExtractError::Conflict {
                    archive: archive.to_path_buf(),
                    path: dst,
                });
            }
        }
    }
    Ok(())
}

/// Moves every entry of `from` into `to`, merging directories both have.
fn merge(from: &Path, to: &Path) -> Result<(), ExtractError> {
    for name in read_names(from)? {
        let (src, dst) = (from.join(&name), to.join(&name));
        match (kind_of(&src)?, kind_of(&dst)?) {
            (Some(true), Some(true)) => merge(&src, &dst)?,
            _ => fs::rename(&src, &dst).map_err(write_error(&dst))?,
        }
    }
    Ok(())
}

/// `Some(is_dir)` for an existing path (links are not followed), `None` when absent.
fn kind_of(path: &Path) -> Result<Option<bool>, ExtractError> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta.is_dir())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(write_error(path)(source)),
    }
}

fn read_names(dir: &Path) -> Result<Vec<std::ffi::OsString>, ExtractError> {
    fs::read_dir(dir)
        .and_then(|entries| entries.map(|e| e.map(|e| e.file_name())).collect())
        .map_err(write_error(dir))
}

fn remove_dir_if_present(dir: &Path) -> Result<(), ExtractError> {
    match fs::remove_dir_all(dir) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(write_error(dir)(err)),
        _ => Ok(()),
    }
}

fn write_marker(state: &Path, resource: &Resource) -> Result<(), ExtractError> {
    let marker = marker_path_in(state, &resource.file_name);
    let temp = state.join(format!(
        ".{}{MARKER_SUFFIX}.tmp-{}",
        resource.file_name,
        std::process::id()
    ));
    let written = File::create(&temp).and_then(|mut file| {
        file.write_all(marker_text(resource).as_bytes())?;
        file.sync_all()
    });
    if let Err(source) = written.and_then(|()| fs::rename(&temp, &marker)) {
        let _ = fs::remove_file(&temp);
        return Err(ExtractError::Write {
            path: marker,
            source,
        });
    }
    Ok(())
}

/// The marker's content: what proves it belongs to this exact file.
fn marker_text(resource: &Resource) -> String {
    let sha256 = resource
        .sha256
        .map_or_else(|| "unknown".to_owned(), |s| s.to_string());
    let size = resource
        .size
        .map_or_else(|| "unknown".to_owned(), |s| s.to_string());
    format!(
        "zukan-install 1\nfile_name {}\nsha256 {sha256}\nsize {size}\n",
        resource.file_name
    )
}

fn marker_path(tree: &Path, file_name: &str) -> PathBuf {
    marker_path_in(&tree.join(STATE_DIR), file_name)
}

fn marker_path_in(state: &Path, file_name: &str) -> PathBuf {
    state.join(format!("{file_name}{MARKER_SUFFIX}"))
}

/// The file name is used in paths under the tree: it must be one plain component.
fn check_file_name(file_name: &str) -> Result<(), ExtractError> {
    let plain = !file_name.is_empty()
        && file_name != "."
        && file_name != ".."
        && !file_name.starts_with('.')
        && !file_name.contains(['/', '\\', '\0']);
    if plain {
        Ok(())
    } else {
        Err(ExtractError::InvalidFileName {
            file_name: file_name.to_owned(),
        })
    }
}

fn write_error(path: &Path) -> impl Fn(io::Error) -> ExtractError + '_ {
    move |source| ExtractError::Write {
        path: path.to_path_buf(),
        source,
    }
}
