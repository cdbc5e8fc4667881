//! Each known shape of the ground-truth files, one test each, through one `check` helper that
//! renders the parse as text: `<line> <id>: <row> | <row>` per image (`-` for no boxes), then
//! `diag <diagnostic>` lines, or `error: <message>`.

use super::*;

fn render(result: Result<Parsed, ParseError>) -> String {
    let parsed = match result {
        Ok(parsed) => parsed,
        Err(err) => return format!("error: {err}"),
    };
    let mut out = Vec::new();
    for image in &parsed.images {
        let boxes: Vec<String> = image
            .sample
            .objects
            .iter()
            .map(|o| {
                let b = o.bbox;
                let attrs: Vec<String> = ATTRIBUTES
                    .iter()
                    .map(|a| match &o.attrs[*a] {
                        AttrValue::Int(v) => v.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect();
                format!("{} {} {} {} {}", b.x, b.y, b.w, b.h, attrs.join(" "))
            })
            .collect();
        let boxes = if boxes.is_empty() {
            "-".to_owned()
        } else {
            boxes.join(" | ")
        };
        out.push(format!("{} {}: {boxes}", image.line, image.sample.id));
    }
    out.extend(parsed.diagnostics.iter().map(|d| format!("diag {d}")));
    out.join("\n")
}

fn check(input: &str, expected: &str) {
    let got = render(parse_bbx_gt(input.as_bytes(), "gt.txt", Split::Train));
    assert_eq!(got, expected, "\ninput: {input:?}");
}

const ROW: &str = "345 211 4 4 2 0 0 0 2 0 ";
const ZERO_ROW: &str = "0 0 0 0 0 0 0 0 0 0 ";

#[test]
fn a_plain_entry_keeps_all_ten_columns_in_order() {
    check(
        &format!("0--Parade/a.jpg\n2\n{ROW}\n1 2 3 4 2 1 1 1 2 1 \n"),
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0 | 1 2 3 4 2 1 1 1 2 1",
    );
}

#[test]
fn columns_follow_the_readme_not_torchvision() {
    // torchvision reads columns 8-10 as occlusion, pose, invalid; the readme says invalid,
    // occlusion, pose. Distinct values make any mix-up visible.
    let parsed = parse_bbx_gt(
        "0--Parade/a.jpg\n1\n1 2 3 4 2 1 0 1 2 0 \n".as_bytes(),
        "gt.txt",
        Split::Val,
    )
    .unwrap();
    let face = &parsed.images[0].sample.objects[0];
    let expected = [
        ("blur", 2),
        ("expression", 1),
        ("illumination", 0),
        ("invalid", 1),
        ("occlusion", 2),
        ("pose", 0),
    ];
    for (name, value) in expected {
        assert_eq!(face.attrs[name], AttrValue::Int(value), "{name}");
    }
    assert!(face.ignore, "invalid = 1 is the ignore flag");
    assert_eq!(face.class, Some(FACE));
    assert_eq!(face.bbox, BBox::new(1.0, 2.0, 3.0, 4.0));
}

#[test]
fn val_style_no_face_count_1_and_zero_row_keeps_the_image_and_reads_the_next() {
    check(
        &format!("0--Parade/a.jpg\n1\n{ZERO_ROW}\n0--Parade/b.jpg\n1\n{ROW}\n"),
        "1 0--Parade/a: -\n4 0--Parade/b: 345 211 4 4 2 0 0 0 2 0",
    );
}

#[test]
fn val_style_no_face_at_the_end_with_and_without_final_newline() {
    let expected = "1 0--Parade/b: 345 211 4 4 2 0 0 0 2 0\n4 0--Parade/a: -";
    check(
        &format!("0--Parade/b.jpg\n1\n{ROW}\n0--Parade/a.jpg\n1\n{ZERO_ROW}\n"),
        expected,
    );
    check(
        &format!("0--Parade/b.jpg\n1\n{ROW}\n0--Parade/a.jpg\n1\n{ZERO_ROW}"),
        expected,
    );
}

#[test]
fn train_style_no_face_count_0_and_zero_row_keeps_the_image_and_reads_the_next() {
    check(
        &format!("0--Parade/a.jpg\n0\n{ZERO_ROW}\n0--Parade/b.jpg\n1\n{ROW}\n"),
        "1 0--Parade/a: -\n4 0--Parade/b: 345 211 4 4 2 0 0 0 2 0",
    );
}

#[test]
fn train_style_no_face_at_the_end_with_and_without_final_newline() {
    let expected = "1 0--Parade/b: 345 211 4 4 2 0 0 0 2 0\n4 0--Parade/a: -";
    check(
        &format!("0--Parade/b.jpg\n1\n{ROW}\n0--Parade/a.jpg\n0\n{ZERO_ROW}\n"),
        expected,
    );
    check(
        &format!("0--Parade/b.jpg\n1\n{ROW}\n0--Parade/a.jpg\n0\n{ZERO_ROW}"),
        expected,
    );
}

#[test]
fn count_0_without_a_placeholder_row_reads_the_next_image() {
    check(
        &format!("0--Parade/a.jpg\n0\n0--Parade/b.jpg\n1\n{ROW}\n"),
        "1 0--Parade/a: -\n3 0--Parade/b: 345 211 4 4 2 0 0 0 2 0",
    );
    check("0--Parade/a.jpg\n0\n", "1 0--Parade/a: -");
    check("0--Parade/a.jpg\n0", "1 0--Parade/a: -");
}

#[test]
fn count_0_followed_by_a_non_zero_row_skips_it_and_says_so() {
    check(
        &format!("0--Parade/a.jpg\n0\n{ROW}\n0--Parade/b.jpg\n1\n{ROW}\n"),
        "1 0--Parade/a: -\n4 0--Parade/b: 345 211 4 4 2 0 0 0 2 0\n\
         diag gt.txt:3: `0--Parade/a` has count 0 but the row after it is not all zeros; row skipped",
    );
}

#[test]
fn an_all_zero_row_among_several_is_a_box_kept_as_written() {
    // Only a lone zero row is the no-face placeholder; among real rows it is data.
    check(
        &format!("0--Parade/a.jpg\n2\n{ROW}\n{ZERO_ROW}\n"),
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0 | 0 0 0 0 0 0 0 0 0 0",
    );
}

#[test]
fn trailing_spaces_and_tabs_are_ignored() {
    check(
        "0--Parade/a.jpg  \n 1 \n345 211 4 4 2 0 0 0 2 0 \t \n",
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0",
    );
    check(
        "0--Parade/a.jpg\n1\n345 211 4 4 2 0 0 0 2 0",
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0",
    );
}

#[test]
fn crlf_line_endings_are_read_like_lf() {
    check(
        &format!(
            "0--Parade/a.jpg\r\n1\r\n{ZERO_ROW}\r\n0--Parade/b.jpg\r\n0\r\n{ZERO_ROW}\r\n0--Parade/c.jpg\r\n1\r\n{ROW}\r\n"
        ),
        "1 0--Parade/a: -\n4 0--Parade/b: -\n7 0--Parade/c: 345 211 4 4 2 0 0 0 2 0",
    );
}

#[test]
fn zero_width_or_height_boxes_are_kept_exactly() {
    // Real rows: `706 94 0 1` (0_Parade_Parade_0_317) and `0 0 16 0` from the val file.
    check(
        "0--Parade/a.jpg\n2\n706 94 0 1 2 0 0 0 1 0 \n0 0 16 0 1 0 0 0 0 0 \n",
        "1 0--Parade/a: 706 94 0 1 2 0 0 0 1 0 | 0 0 16 0 1 0 0 0 0 0",
    );
}

#[test]
fn negative_sizes_are_kept_exactly() {
    // The authors' .mat has `1026 474 -2 23` where the txt has `0`; never abs() it.
    check(
        "0--Parade/a.jpg\n1\n1026 474 -2 23 2 0 0 0 2 0 \n",
        "1 0--Parade/a: 1026 474 -2 23 2 0 0 0 2 0",
    );
}

#[test]
fn an_event_name_containing_double_dash_is_one_event() {
    let text = format!(
        "59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592.jpg\n1\n{ROW}\n"
    );
    check(
        &text,
        "1 59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592: 345 211 4 4 2 0 0 0 2 0",
    );
    let parsed = parse_bbx_gt(text.as_bytes(), "gt.txt", Split::Train).unwrap();
    let sample = &parsed.images[0].sample;
    assert_eq!(
        sample.attrs["event"],
        AttrValue::from("59--people--driving--car")
    );
    assert_eq!(
        sample.image.path(),
        "WIDER_train/images/59--people--driving--car/59_peopledrivingcar_peopledrivingcar_59_592.jpg"
    );
}

#[test]
fn blank_lines_between_images_are_skipped() {
    check(
        &format!("\n0--Parade/a.jpg\n1\n{ROW}\n\n\n0--Parade/b.jpg\n0\n{ZERO_ROW}\n\n"),
        "2 0--Parade/a: 345 211 4 4 2 0 0 0 2 0\n7 0--Parade/b: -",
    );
}

#[test]
fn a_count_that_is_not_a_number_names_file_and_line() {
    check(
        "0--Parade/a.jpg\nmany\n",
        "error: gt.txt:2: expected the number of boxes of `0--Parade/a`, found `many`",
    );
    check(
        "0--Parade/a.jpg\n-1\n",
        "error: gt.txt:2: expected the number of boxes of `0--Parade/a`, found `-1`",
    );
    check(
        &format!("0--Parade/a.jpg\n{ROW}\n"),
        &format!("error: gt.txt:2: expected the number of boxes of `0--Parade/a`, found `{ROW}`"),
    );
}

#[test]
fn a_row_without_ten_fields_names_file_and_line() {
    check(
        "0--Parade/a.jpg\n2\n345 211 4 4 2 0 0 0 2 0\n345 211 4 4 2 0 0 0 2\n",
        "error: gt.txt:4: expected 10 integers, found 9",
    );
    check(
        "0--Parade/a.jpg\n1\n345 211 4 4 2 0 0 0 2 0 7\n",
        "error: gt.txt:3: expected 10 integers, found 11",
    );
    check(
        "0--Parade/a.jpg\n1\n\n",
        "error: gt.txt:3: expected 10 integers, found 0",
    );
}

#[test]
fn a_non_integer_value_names_file_and_line() {
    check(
        "0--Parade/a.jpg\n1\n345 211 4.5 4 2 0 0 0 2 0\n",
        "error: gt.txt:3: expected 10 integers, `4.5` is not an integer",
    );
    check(
        "0--Parade/a.jpg\n1\n345 211 4 4 2 0 0 0 2 x\n",
        "error: gt.txt:3: expected 10 integers, `x` is not an integer",
    );
}

#[test]
fn a_file_ending_inside_an_image_names_file_and_line() {
    check(
        &format!("0--Parade/a.jpg\n3\n{ROW}\n"),
        "error: gt.txt:4: file ends after 1 of the 3 box rows of `0--Parade/a`",
    );
    check(
        &format!("0--Parade/a.jpg\n3\n{ROW}"),
        "error: gt.txt:4: file ends after 1 of the 3 box rows of `0--Parade/a`",
    );
    check(
        "0--Parade/a.jpg\n",
        "error: gt.txt:2: file ends before the number of boxes of `0--Parade/a`",
    );
}

#[test]
fn fewer_rows_than_the_count_names_the_count_line_and_the_next_image() {
    // This used to be `gt.txt:4: expected 10 integers, found 1`, naming neither the count
    // that is wrong nor its image.
    check(
        &format!("0--Parade/a.jpg\n2\n{ROW}\n0--Parade/b.jpg\n1\n{ROW}\n"),
        "error: gt.txt:2: `0--Parade/a` declares 2 boxes, but line 4 is the next image path \
         (`0--Parade/b.jpg`) after 1 row",
    );
    check(
        "0--Parade/a.jpg\n1\n0--Parade/b.jpg\n0\n",
        "error: gt.txt:2: `0--Parade/a` declares 1 box, but line 3 is the next image path \
         (`0--Parade/b.jpg`) after 0 rows",
    );
    // An event folder written without `.jpg` still looks like a path (`--`), not a row.
    check(
        &format!("0--Parade/a.jpg\n3\n{ROW}\n{ROW}\n0--Parade/b\n"),
        "error: gt.txt:2: `0--Parade/a` declares 3 boxes, but line 5 is the next image path \
         (`0--Parade/b`) after 2 rows",
    );
}

#[test]
fn a_huge_count_before_the_next_image_names_the_count_line() {
    // The review's file: count `999999` on line 2 gave `:129: expected 10 integers, found 1`.
    let mut input = "0--Parade/a.jpg\n999999\n".to_owned();
    for _ in 0..126 {
        input += ROW;
        input += "\n";
    }
    input += &format!("0--Parade/b.jpg\n1\n{ROW}\n");
    check(
        &input,
        "error: gt.txt:2: `0--Parade/a` declares 999999 boxes, but line 129 is the next image \
         path (`0--Parade/b.jpg`) after 126 rows",
    );
}

#[test]
fn a_short_row_that_is_no_path_is_still_a_row_error() {
    // Only a line that looks like an image path ends the rows early; a broken row is a row.
    check(
        &format!("0--Parade/a.jpg\n2\n{ROW}\n345\n"),
        "error: gt.txt:4: expected 10 integers, found 1",
    );
}

#[test]
fn a_leading_utf8_bom_is_not_part_of_the_first_id() {
    // A BOM used to end up in the id (`\u{feff}0--Parade/a`) and give an unknown event.
    let input = format!("\u{feff}0--Parade/a.jpg\n1\n{ROW}\n");
    check(&input, "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0");
    let parsed = parse_bbx_gt(input.as_bytes(), "gt.txt", Split::Val).unwrap();
    assert_eq!(
        parsed.images[0].sample.attrs["event"],
        AttrValue::from("0--Parade")
    );
    assert!(crate::validate(&parsed).is_empty());
    // Only a leading one is dropped: one inside the file is text, kept, and its folder is
    // reported as no event.
    let input = format!("0--Parade/a.jpg\n1\n{ROW}\n\u{feff}0--Parade/b.jpg\n0\n");
    check(
        &input,
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0\n4 \u{feff}0--Parade/b: -",
    );
    let parsed = parse_bbx_gt(input.as_bytes(), "gt.txt", Split::Val).unwrap();
    assert_eq!(crate::validate(&parsed).len(), 1);
}

#[test]
fn more_rows_than_the_count_stops_where_an_image_was_expected() {
    check(
        &format!("0--Parade/a.jpg\n1\n{ROW}\n{ROW}\n"),
        &format!("error: gt.txt:4: expected an image path `<event>/<name>.jpg`, found `{ROW}`"),
    );
}

#[test]
fn a_huge_count_does_not_reserve_memory_or_panic() {
    check(
        &format!("0--Parade/a.jpg\n18446744073709551615\n{ROW}\n"),
        "error: gt.txt:4: file ends after 1 of the 18446744073709551615 box rows of `0--Parade/a`",
    );
    check(
        "0--Parade/a.jpg\n18446744073709551616\n",
        "error: gt.txt:2: expected the number of boxes of `0--Parade/a`, found `18446744073709551616`",
    );
}

#[test]
fn coordinates_beyond_f32_precision_are_reported() {
    check(
        "0--Parade/a.jpg\n1\n16777217 0 4 4 0 0 0 0 0 0\n",
        "1 0--Parade/a: 16777216 0 4 4 0 0 0 0 0 0\ndiag gt.txt:3: x1 = 16777217 is not exact as a 32-bit float box coordinate",
    );
}

#[test]
fn no_input_makes_the_parser_panic() {
    // Every truncation of a valid snippet, then pseudo-random garbage built from the bytes
    // that matter to the format.
    let valid = format!(
        "0--Parade/a.jpg\n2\n{ROW}\n1 2 3 4 0 0 0 1 0 0 \n0--Parade/b.jpg\n0\n{ZERO_ROW}\n0--Parade/c.jpg\n1\n{ZERO_ROW}\n"
    );
    for end in 0..=valid.len() {
        let _ = parse_bbx_gt(&valid.as_bytes()[..end], "gt.txt", Split::Val);
    }
    let alphabet = b"0123456789 -\n\r\t/.jpg\xff\xc3x";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..2000 {
        let mut input = Vec::new();
        for _ in 0..(state % 200) {
            // xorshift64: deterministic, no dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let _ = parse_bbx_gt(input.as_slice(), "gt.txt", Split::Val);
        let _ = crate::parse_test_filelist(input.as_slice(), "list.txt");
        state = state.wrapping_add(1);
    }
}

#[test]
fn an_empty_file_is_reported_as_holding_no_images() {
    // A 0-byte ground truth used to give 0 images and no word about it.
    check("", "diag gt.txt: holds no images");
    check("\n\r\n  \n", "diag gt.txt: holds no images");
}

#[test]
fn a_repeated_image_with_the_same_boxes_is_kept_once() {
    // A repeat used to be kept twice, so the export had the same `id` twice.
    check(
        &format!("0--Parade/a.jpg\n1\n{ROW}\n0--Parade/b.jpg\n0\n0--Parade/a.jpg\n1\n{ROW}\n"),
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0\n4 0--Parade/b: -\n\
         diag gt.txt:6: `0--Parade/a` is listed again (first at line 1); the repeat is dropped, \
         its 1 box is the same as the first's",
    );
}

#[test]
fn a_repeated_image_with_other_boxes_says_what_was_dropped() {
    check(
        &format!("0--Parade/a.jpg\n1\n{ROW}\n0--Parade/a.jpg\n2\n{ROW}\n1 2 3 4 0 0 0 0 0 0 \n"),
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0\n\
         diag gt.txt:4: `0--Parade/a` is listed again (first at line 1); the repeat is dropped, \
         and its 2 boxes (lines 6-7) differ from the first's 1 box",
    );
    // A no-face repeat of an image with faces: nothing of the repeat's is lost but the claim.
    check(
        &format!("0--Parade/a.jpg\n1\n{ROW}\n0--Parade/a.jpg\n1\n{ZERO_ROW}\n"),
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0\n\
         diag gt.txt:4: `0--Parade/a` is listed again (first at line 1); the repeat is dropped, \
         and its 0 boxes differ from the first's 1 box",
    );
}

#[test]
fn a_repeat_with_one_other_box_says_it_differs() {
    // The message read "its 1 box (line 6) differ".
    check(
        &format!("0--Parade/a.jpg\n2\n{ROW}\n{ROW}\n0--Parade/a.jpg\n1\n1 2 3 4 0 0 0 0 0 0 \n"),
        "1 0--Parade/a: 345 211 4 4 2 0 0 0 2 0 | 345 211 4 4 2 0 0 0 2 0\n\
         diag gt.txt:5: `0--Parade/a` is listed again (first at line 1); the repeat is dropped, \
         and its 1 box (line 7) differs from the first's 2 boxes",
    );
}
