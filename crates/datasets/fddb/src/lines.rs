//! Numbered lines of a source file.
//!
//! The authors' files are LF-terminated ASCII; copies edited on Windows have CRLF, and the
//! concatenated `ellipseList.txt` some repositories ship ends with a DOS end-of-file byte
//! (0x1A). Line endings, and a UTF-8 byte order mark at the start of the file, are removed
//! here and nowhere else. Bytes are read with `read_until` so that a non-UTF-8 line becomes
//! an error naming its line.

use std::io::BufRead;

use crate::ParseError;

/// The UTF-8 byte order mark, dropped from the start of the first line only.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Reads a source file line by line, counting lines from 1.
pub(crate) struct NumberedLines<'f, R> {
    reader: R,
    file: &'f str,
    buf: Vec<u8>,
    /// The number of the line in `buf` (0 before the first read).
    number: u64,
    at_end: bool,
}

impl<'f, R: BufRead> NumberedLines<'f, R> {
    pub(crate) fn new(reader: R, file: &'f str) -> Self {
        NumberedLines {
            reader,
            file,
            buf: Vec::new(),
            number: 0,
            at_end: false,
        }
    }

    /// The file name given to the parser, for messages.
    pub(crate) fn file(&self) -> &'f str {
        self.file
    }

    /// The number of the last line returned; after the end of the file, one past the last line
    /// (where the missing line would have been).
    pub(crate) fn number(&self) -> u64 {
        self.number
    }

    /// The next line that holds something (blank lines and a lone DOS end-of-file byte are
    /// skipped, but counted), without its line ending; `None` at the end of the file.
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, &str)>, ParseError> {
        while self.read_one()? {
            if !is_blank(self.text()) {
                return Ok(Some((self.number, self.text())));
            }
        }
        Ok(None)
    }

    /// Reads one line into `buf` without its ending and checks it is UTF-8; `false` at the end.
    fn read_one(&mut self) -> Result<bool, ParseError> {
        if self.at_end {
            return Ok(false);
        }
        self.buf.clear();
        self.number += 1;
        let read = self
            .reader
            .read_until(b'\n', &mut self.buf)
            .map_err(|source| ParseError::Io {
                file: self.file.to_owned(),
                line: self.number,
                source,
            })?;
        if read == 0 {
            self.at_end = true;
            return Ok(false);
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        // Editors that save "UTF-8 with BOM" put EF BB BF before the first line; it is no
        // part of the text (it used to end up in the first name).
        if self.number == 1 && self.buf.starts_with(UTF8_BOM) {
            self.buf.drain(..UTF8_BOM.len());
        }
        if std::str::from_utf8(&self.buf).is_err() {
            return Err(ParseError::NotUtf8 {
                file: self.file.to_owned(),
                line: self.number,
            });
        }
        Ok(true)
    }

    /// The line in `buf` (checked to be UTF-8 by [`Self::read_one`]).
    fn text(&self) -> &str {
        std::str::from_utf8(&self.buf).unwrap_or_default()
    }
}

/// Whether a line holds nothing: only whitespace, or the 0x1A end-of-file byte.
fn is_blank(text: &str) -> bool {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{1a}')
        .is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_lines(input: &[u8]) -> Vec<(u64, String)> {
        let mut lines = NumberedLines::new(input, "f.txt");
        let mut out = Vec::new();
        while let Some((n, text)) = lines.next_line().unwrap() {
            out.push((n, text.to_owned()));
        }
        out
    }

    #[test]
    fn lf_crlf_and_a_missing_final_newline_give_the_same_lines() {
        let expected = vec![(1, "a".to_owned()), (2, "b ".to_owned())];
        assert_eq!(all_lines(b"a\nb \n"), expected);
        assert_eq!(all_lines(b"a\r\nb \r\n"), expected);
        assert_eq!(all_lines(b"a\nb "), expected);
    }

    #[test]
    fn blank_lines_and_a_dos_eof_byte_are_skipped_but_counted() {
        assert_eq!(
            all_lines(b"\na\n  \n\x1a\nb\n\x1a"),
            vec![(2, "a".to_owned()), (5, "b".to_owned())]
        );
    }

    #[test]
    fn a_leading_utf8_bom_is_dropped_and_a_later_one_kept() {
        assert_eq!(
            all_lines("\u{feff}a\n\u{feff}b\n".as_bytes()),
            vec![(1, "a".to_owned()), (2, "\u{feff}b".to_owned())]
        );
        // A BOM alone is a blank first line.
        assert_eq!(
            all_lines("\u{feff}\nb\n".as_bytes()),
            vec![(2, "b".to_owned())]
        );
    }

    #[test]
    fn non_utf8_names_the_line() {
        let mut lines = NumberedLines::new(&b"a\n\xff\n"[..], "f.txt");
        lines.next_line().unwrap();
        let err = lines.next_line().unwrap_err();
        assert_eq!(err.to_string(), "f.txt:2: not UTF-8 text");
    }
}
