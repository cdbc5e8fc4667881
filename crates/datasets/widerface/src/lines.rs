//! Numbered lines of a source file, with one line of look-back.
//!
//! The authors' files are LF-terminated ASCII, but copies edited on Windows have CRLF, so the
//! line ending (`\n` or `\r\n`) is removed here and nowhere else; so is a UTF-8 byte order
//! mark at the start of the file. Bytes are read with `read_until` rather than `lines()` so
//! that a non-UTF-8 line becomes an error naming its line instead of an anonymous
//! `InvalidData`.

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
    /// Whether the next call returns the line in `buf` again (see [`Self::put_back`]).
    replay: bool,
    at_end: bool,
}

impl<'f, R: BufRead> NumberedLines<'f, R> {
    pub(crate) fn new(reader: R, file: &'f str) -> Self {
        NumberedLines {
            reader,
            file,
            buf: Vec::new(),
            number: 0,
            replay: false,
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

    /// The next line without its line ending, with its number; `None` at the end of the file.
    pub(crate) fn next_line(&mut self) -> Result<Option<(u64, &str)>, ParseError> {
        if self.replay {
            self.replay = false;
        } else {
            if self.at_end {
                return Ok(None);
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
                return Ok(None);
            }
            if self.buf.last() == Some(&b'\n') {
                self.buf.pop();
                if self.buf.last() == Some(&b'\r') {
                    self.buf.pop();
                }
            }
            // Editors that save "UTF-8 with BOM" put EF BB BF before the first line; it is
            // no part of the text (it used to end up in the first image id).
            if self.number == 1 && self.buf.starts_with(UTF8_BOM) {
                self.buf.drain(..UTF8_BOM.len());
            }
        }
        let text = std::str::from_utf8(&self.buf).map_err(|_| ParseError::NotUtf8 {
            file: self.file.to_owned(),
            line: self.number,
        })?;
        Ok(Some((self.number, text)))
    }

    /// Makes the next [`Self::next_line`] return the line just read again (one line of
    /// look-back, for the optional placeholder row after a count of 0).
    pub(crate) fn put_back(&mut self) {
        if !self.at_end {
            self.replay = true;
        }
    }
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
    fn put_back_replays_the_same_line_once() {
        let mut lines = NumberedLines::new(&b"a\nb\n"[..], "f.txt");
        assert_eq!(lines.next_line().unwrap(), Some((1, "a")));
        lines.put_back();
        assert_eq!(lines.next_line().unwrap(), Some((1, "a")));
        assert_eq!(lines.next_line().unwrap(), Some((2, "b")));
        assert_eq!(lines.next_line().unwrap(), None);
        lines.put_back();
        assert_eq!(lines.next_line().unwrap(), None);
        assert_eq!(lines.number(), 3);
    }

    #[test]
    fn a_leading_utf8_bom_is_dropped_and_a_later_one_kept() {
        assert_eq!(
            all_lines("\u{feff}a\n\u{feff}b\n".as_bytes()),
            vec![(1, "a".to_owned()), (2, "\u{feff}b".to_owned())]
        );
        assert_eq!(all_lines("\u{feff}".as_bytes()), vec![(1, String::new())]);
    }

    #[test]
    fn non_utf8_names_the_line() {
        let mut lines = NumberedLines::new(&b"a\n\xff\n"[..], "f.txt");
        lines.next_line().unwrap();
        let err = lines.next_line().unwrap_err();
        assert_eq!(err.to_string(), "f.txt:2: not UTF-8 text");
    }
}
