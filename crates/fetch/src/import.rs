//! Taking files the user already has (`fetch --from DIR`, or a mirror directory): each is
//! copied into `downloads/` through a `.part`, hashed while copied, and verified exactly like
//! a download. The user's own file is never moved or changed; a bad copy is what goes to
//! quarantine. A file of the wrong size, an HTML page or a Git LFS pointer is refused before
//! anything is copied.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};
use zukan_schema::Resource;

use crate::sniff::{SNIFF_LEN, Sniffed, sniff};
use crate::store::{Downloaded, Origin, commit};
use crate::verify::{BLOCK, hash_reader, to_hex};
use crate::{DataDir, FetchError, Progress};

/// Copies `src` into `downloads/` as `resource`, verifying size and sha256 on the way.
pub(crate) fn import_one(
    data_dir: &DataDir,
    resource: &Resource,
    src: &Path,
    progress: &dyn Progress,
) -> Result<Downloaded, FetchError> {
    let name = &resource.file_name;
    let downloads = data_dir.downloads();
    std::fs::create_dir_all(&downloads).map_err(|e| FetchError::io("create", &downloads, e))?;
    let mut input = File::open(src).map_err(|e| FetchError::io("open", src, e))?;
    let total = input.metadata().ok().map(|m| m.len());
    if let Some(size) = resource.size.filter(|s| total.is_some_and(|t| t != *s)) {
        // Known to be wrong before a byte is copied: say so without copying gigabytes.
        return Err(FetchError::WrongSize {
            file: name.clone(),
            path: src.to_owned(),
            expected: size,
            found: total.unwrap_or(0),
        });
    }
    // A browser that saved a login or quota page under the archive's name is the usual way a
    // hand download goes wrong: recognise it as for an HTTP answer.
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut input)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| FetchError::io("read", src, e))?;
    match sniff(&head) {
        Sniffed::Data => {}
        Sniffed::Html => {
            return Err(FetchError::HtmlPage {
                file: name.clone(),
                url: src.display().to_string(),
                hint: "a browser saved a web page (a login, registration or quota page) under \
                       the file's name instead of the file; download it again"
                    .to_owned(),
            });
        }
        Sniffed::LfsPointer => {
            return Err(FetchError::LfsPointer {
                file: name.clone(),
                url: src.display().to_string(),
            });
        }
    }
    let input = std::io::Cursor::new(head).chain(input);
    let part = data_dir.part(name);
    let mut out = BufWriter::with_capacity(
        BLOCK,
        File::create(&part).map_err(|e| FetchError::io("create", &part, e))?,
    );
    progress.begin(name, total);
    let mut write_failed = false;
    let hashed = hash_reader(input, Sha256::new(), |block| {
        out.write_all(block).inspect_err(|_| write_failed = true)?;
        progress.advance(name, block.len() as u64);
        Ok(())
    });
    let (hasher, size) = hashed.map_err(|e| match write_failed {
        true => FetchError::io("write", &part, e),
        false => FetchError::io("read", src, e),
    })?;
    out.flush().map_err(|e| FetchError::io("write", &part, e))?;
    drop(out);
    commit(
        data_dir,
        resource,
        &part,
        size,
        to_hex(hasher),
        Origin::File(src.to_owned()),
    )
}
