//! The parser of `wider_face_test_filelist.txt`: one `<event>/<name>.jpg` per line, no boxes
//! (the authors withhold the test ground truth), 16,097 lines in the real file.

use std::io::BufRead;

use zukan_schema::Split;

use crate::layout::sample_for_image_line;
use crate::lines::NumberedLines;
use crate::parsed::Collector;
use crate::{ParseError, Parsed, ParsedImage};

/// Parses the test image list read from `reader`; `file` names it in errors. Samples have no
/// objects: for the test split that means "not published", not "no faces". A repeated line
/// is kept once and reported; an empty list is reported as holding no images. Blank lines are
/// skipped; a line that is not `<event>/<name>.jpg` is a [`ParseError`]. Never panics.
pub fn parse_test_filelist<R: BufRead>(reader: R, file: &str) -> Result<Parsed, ParseError> {
    let mut lines = NumberedLines::new(reader, file);
    let mut parsed = Collector::new(file);
    while let Some((line, text)) = lines.next_line()? {
        if text.trim().is_empty() {
            continue;
        }
        let mut sample = sample_for_image_line(text, Split::Test, file, line)?;
        // The authors withhold the test boxes (evaluation runs on their server).
        sample.boxed = false;
        parsed.push(ParsedImage { line, sample });
    }
    Ok(parsed.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let got = match parse_test_filelist(input.as_bytes(), "list.txt") {
            Ok(parsed) => parsed
                .images
                .iter()
                .map(|i| format!("{} {} {}", i.line, i.sample.id, i.sample.image.path()))
                .collect::<Vec<_>>()
                .join("\n"),
            Err(err) => format!("error: {err}"),
        };
        assert_eq!(got, expected, "input: {input:?}");
    }

    #[test]
    fn lines_become_test_samples() {
        check(
            "0--Parade/0_Parade_marchingband_1_737.jpg\n0--Parade/0_Parade_marchingband_1_494.jpg\n",
            "1 0--Parade/0_Parade_marchingband_1_737 WIDER_test/images/0--Parade/0_Parade_marchingband_1_737.jpg\n\
             2 0--Parade/0_Parade_marchingband_1_494 WIDER_test/images/0--Parade/0_Parade_marchingband_1_494.jpg",
        );
    }

    #[test]
    fn crlf_trailing_spaces_blank_lines_and_no_final_newline_are_read() {
        check(
            "\r\n0--Parade/a.jpg \r\n\r\n1--Handshaking/b.jpg",
            "2 0--Parade/a WIDER_test/images/0--Parade/a.jpg\n4 1--Handshaking/b WIDER_test/images/1--Handshaking/b.jpg",
        );
    }

    #[test]
    fn a_leading_utf8_bom_is_not_part_of_the_first_id() {
        // A BOM used to end up in the first id and give an unknown-event diagnostic.
        check(
            "\u{feff}0--Parade/a.jpg\n1--Handshaking/b.jpg\n",
            "1 0--Parade/a WIDER_test/images/0--Parade/a.jpg\n2 1--Handshaking/b WIDER_test/images/1--Handshaking/b.jpg",
        );
        let parsed =
            parse_test_filelist("\u{feff}0--Parade/a.jpg\n".as_bytes(), "list.txt").unwrap();
        assert!(crate::validate(&parsed).is_empty());
    }

    #[test]
    fn a_line_that_is_not_an_image_path_names_its_line() {
        check(
            "0--Parade/a.jpg\n3\n",
            "error: list.txt:2: expected an image path `<event>/<name>.jpg`, found `3`",
        );
    }

    #[test]
    fn an_empty_list_is_reported_as_holding_no_images() {
        let parsed = parse_test_filelist("".as_bytes(), "list.txt").unwrap();
        assert!(parsed.images.is_empty());
        let got: Vec<String> = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(got, ["list.txt: holds no images"]);
    }

    #[test]
    fn a_repeated_image_is_kept_once_and_reported_with_both_lines() {
        let parsed = parse_test_filelist(
            "0--Parade/a.jpg
0--Parade/b.jpg
0--Parade/a.jpg
"
            .as_bytes(),
            "list.txt",
        )
        .unwrap();
        let ids: Vec<&str> = parsed.samples().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["0--Parade/a", "0--Parade/b"]);
        let got: Vec<String> = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            got,
            ["list.txt:3: `0--Parade/a` is listed again (first at line 1); the repeat is dropped"]
        );
    }
}
