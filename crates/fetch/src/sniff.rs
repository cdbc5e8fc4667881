//! Recognising answers that are not the data: an HTML page (Google Drive quota and virus-scan
//! pages, login walls, "moved" pages) or a Git LFS pointer, from the `Content-Type` and the
//! first bytes, before anything is written.

/// What the first bytes of an answer turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Possibly the data.
    Data,
    /// An HTML page.
    Html,
    /// A Git LFS pointer file.
    LfsPointer,
}

/// How many bytes [`sniff`] wants before it decides (fewer only when the body is shorter).
pub const SNIFF_LEN: usize = 512;

const LFS_MAGIC: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Looks at the first bytes of a body.
pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(LFS_MAGIC) {
        return Sniffed::LfsPointer;
    }
    let text = head
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(head);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    let starts_with = |prefix: &[u8]| {
        text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    if starts_with(b"<!doctype html") || starts_with(b"<html") || starts_with(b"<head") {
        Sniffed::Html
    } else {
        Sniffed::Data
    }
}

/// Whether a `Content-Type` header value announces HTML.
pub fn is_html_content_type(value: &str) -> bool {
    let mime = value.split(';').next().unwrap_or("").trim();
    mime.eq_ignore_ascii_case("text/html") || mime.eq_ignore_ascii_case("application/xhtml+xml")
}

/// What an HTML answer for a data file usually means, for the error message.
pub fn html_hint(url: &str) -> String {
    if url.contains("drive.google.com") || url.contains("docs.google.com") {
        "Google Drive answers an HTML page when the file's download quota is exceeded or when \
         it asks to confirm a file too large to scan for viruses; try again later or use a mirror"
            .to_owned()
    } else {
        "such a page is usually a login wall, a download quota page (Google Drive), a \
         virus-scan confirmation page, or a page saying the file moved; open the URL in a \
         browser to see it"
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(head: &[u8], expected: Sniffed) {
        assert_eq!(sniff(head), expected, "{}", String::from_utf8_lossy(head));
    }

    #[test]
    fn recognises_html_and_lfs() {
        check(b"<!DOCTYPE html><html>", Sniffed::Html);
        check(b"<!doctype HTML>", Sniffed::Html);
        check(b"\xEF\xBB\xBF\r\n  <HTML lang=en>", Sniffed::Html);
        check(b"\n<head><title>Google Drive", Sniffed::Html);
        check(
            b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 12\n",
            Sniffed::LfsPointer,
        );
        check(b"PK\x03\x04<html>", Sniffed::Data);
        check(b"\x1f\x8b\x08", Sniffed::Data);
        check(b"", Sniffed::Data);
        check(b"<htm", Sniffed::Data);
        check(
            b"0--Parade/0_Parade_marchingband_1_465.jpg\n",
            Sniffed::Data,
        );
    }

    #[test]
    fn content_types() {
        assert!(is_html_content_type("text/html; charset=utf-8"));
        assert!(is_html_content_type("TEXT/HTML"));
        assert!(!is_html_content_type("application/zip"));
        assert!(!is_html_content_type("text/plain"));
    }
}
