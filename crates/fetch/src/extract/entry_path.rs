//! The checks on entry names and link targets, done on the raw bytes before anything is
//! written: what a name may contain, and where a link may point.

use std::path::{Path, PathBuf};

use super::UnsafeReason;

/// Checks an entry name and returns it as a normalised relative path (`.` and empty
/// components dropped), or `None` when nothing is left (`./`, the archive's root).
pub(super) fn entry_path(raw: &[u8]) -> Result<Option<PathBuf>, UnsafeReason> {
    if raw.is_empty() {
        return Err(UnsafeReason::Empty);
    }
    check_bytes(raw)?;
    if raw[0] == b'/' {
        return Err(UnsafeReason::Absolute);
    }
    if has_drive_prefix(raw) {
        return Err(UnsafeReason::WindowsPrefix);
    }
    let mut path = PathBuf::new();
    for component in raw.split(|&b| b == b'/') {
        match component {
            b"" | b"." => {}
            b".." => return Err(UnsafeReason::ParentDir),
            name => path.push(bytes_to_path(name)?),
        }
    }
    Ok((!path.as_os_str().is_empty()).then_some(path))
}

/// Checks the target of a symbolic link that will sit at `link` (a path from
/// [`entry_path`]) and returns it normalised: leading `..` components, then names.
///
/// Resolved lexically from the link's directory, it must stay inside the destination. A `..`
/// after a name (`a/../b`) is refused even when it would stay inside, because `a` may be
/// another link and the kernel resolves `a/..` from where `a` points.
pub(super) fn symlink_target(link: &Path, raw: &[u8]) -> Result<PathBuf, UnsafeReason> {
    let target = lossy(raw);
    if raw.is_empty() || check_bytes(raw).is_err() {
        return Err(UnsafeReason::LinkTargetMalformed { target });
    }
    if raw[0] == b'/' || has_drive_prefix(raw) {
        return Err(UnsafeReason::LinkTargetAbsolute { target });
    }
    // The number of directories between the destination and the link.
    let depth = link.components().count().saturating_sub(1);
    let mut climbs = 0;
    let mut names = PathBuf::new();
    for component in raw.split(|&b| b == b'/') {
        match component {
            b"" | b"." => {}
            b".." if !names.as_os_str().is_empty() => {
                return Err(UnsafeReason::LinkTargetClimbsBack { target });
            }
            b".." => {
                climbs += 1;
                if climbs > depth {
                    return Err(UnsafeReason::LinkTargetOutside { target });
                }
            }
            name => {
                names.push(
                    bytes_to_path(name).map_err(|_| UnsafeReason::LinkTargetMalformed {
                        target: target.clone(),
                    })?,
                )
            }
        }
    }
    let mut normalised: PathBuf = std::iter::repeat_n("..", climbs).collect();
    normalised.push(names);
    if normalised.as_os_str().is_empty() {
        normalised.push(".");
    }
    Ok(normalised)
}

/// The name for messages: raw bytes as lossy UTF-8.
pub(super) fn lossy(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

fn check_bytes(raw: &[u8]) -> Result<(), UnsafeReason> {
    if raw.contains(&0) {
        return Err(UnsafeReason::Nul);
    }
    if raw.contains(&b'\\') {
        return Err(UnsafeReason::Backslash);
    }
    Ok(())
}

/// `C:`, `c:foo`: a drive-relative or absolute path on Windows.
fn has_drive_prefix(raw: &[u8]) -> bool {
    raw.len() >= 2 && raw[0].is_ascii_alphabetic() && raw[1] == b':'
}

#[cfg(unix)]
fn bytes_to_path(name: &[u8]) -> Result<&Path, UnsafeReason> {
    use std::os::unix::ffi::OsStrExt;
    Ok(Path::new(std::ffi::OsStr::from_bytes(name)))
}

#[cfg(not(unix))]
fn bytes_to_path(name: &[u8]) -> Result<&Path, UnsafeReason> {
    std::str::from_utf8(name)
        .map(Path::new)
        .map_err(|_| UnsafeReason::NotUnicode)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_name(raw: &str, expected: Result<Option<&str>, UnsafeReason>) {
        let got = entry_path(raw.as_bytes());
        assert_eq!(got, expected.map(|p| p.map(PathBuf::from)), "name {raw:?}");
    }

    #[test]
    fn entry_names() {
        check_name("a/b.txt", Ok(Some("a/b.txt")));
        check_name("./a//b/", Ok(Some("a/b")));
        check_name("./", Ok(None));
        check_name("é/ü.jpg", Ok(Some("é/ü.jpg")));
        check_name("", Err(UnsafeReason::Empty));
        check_name("/etc/passwd", Err(UnsafeReason::Absolute));
        check_name("//server/share", Err(UnsafeReason::Absolute));
        check_name("../evil", Err(UnsafeReason::ParentDir));
        check_name("ok/../../evil", Err(UnsafeReason::ParentDir));
        check_name("ok/..", Err(UnsafeReason::ParentDir));
        check_name("C:/Windows/x", Err(UnsafeReason::WindowsPrefix));
        check_name("c:evil", Err(UnsafeReason::WindowsPrefix));
        check_name("..\\evil", Err(UnsafeReason::Backslash));
        check_name("a\\..\\..\\evil", Err(UnsafeReason::Backslash));
        check_name("a\0/../../evil", Err(UnsafeReason::Nul));
    }

    fn check_link(link: &str, target: &str, expected: Result<&str, &str>) {
        let got = symlink_target(Path::new(link), target.as_bytes());
        match (got, expected) {
            (Ok(p), Ok(e)) => assert_eq!(p, Path::new(e), "{link} -> {target}"),
            (Err(r), Err(kind)) => {
                let variant = format!("{r:?}");
                assert!(variant.starts_with(kind), "{link} -> {target}: {variant}");
            }
            (got, expected) => panic!("{link} -> {target}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn link_targets() {
        check_link("a/b/lnk", "../c", Ok("../c"));
        check_link("a/b/lnk", "../../c/d", Ok("../../c/d"));
        check_link("a/lnk", "./x/./y", Ok("x/y"));
        check_link("lnk", ".", Ok("."));
        check_link("lnk", "..", Err("LinkTargetOutside"));
        check_link("a/b/lnk", "../../../outside", Err("LinkTargetOutside"));
        check_link("lnk", "/etc", Err("LinkTargetAbsolute"));
        check_link("lnk", "C:/x", Err("LinkTargetAbsolute"));
        check_link("a/lnk", "x/../y", Err("LinkTargetClimbsBack"));
        check_link("lnk", "", Err("LinkTargetMalformed"));
        check_link("lnk", "..\\..\\x", Err("LinkTargetMalformed"));
    }
}
