use zukan_schema::{AttrValue, BBox, Ellipse, Split};

use super::*;

const FILE: &str = "FDDB-fold-08-ellipseList.txt";

fn parse(input: &str) -> Result<Parsed, ParseError> {
    parse_ellipse_list(input.as_bytes(), FILE, Split::Fold(8))
}

/// Parses `input` and compares each image's `(id, face count)` and every diagnostic.
fn check(input: &str, images: &[(&str, usize)], diagnostics: &[&str]) {
    let parsed = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    let got: Vec<(&str, usize)> = parsed
        .samples()
        .map(|s| (s.id.as_str(), s.objects.len()))
        .collect();
    assert_eq!(got, images, "{input:?}");
    let got: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(got, diagnostics, "{input:?}");
}

fn check_err(input: &str, expected: &str) {
    match parse(input) {
        Ok(parsed) => panic!(
            "{input:?}: parsed {} images, expected `{expected}`",
            parsed.images.len()
        ),
        Err(err) => assert_eq!(err.to_string(), expected, "{input:?}"),
    }
}

#[test]
fn the_authors_layout_becomes_samples_with_ellipse_and_box() {
    // The first image of the real fold 01, as written (two spaces before the final `1`).
    let parsed = parse(
        "2002/08/11/big/img_591\n1\n123.583300 85.549500 1.265839 269.693400 161.781200  1\n",
    )
    .unwrap();
    let image = &parsed.images[0];
    assert_eq!(image.line, 1);
    let s = &image.sample;
    assert_eq!(
        (s.id.as_str(), s.image.path(), s.split),
        (
            "2002/08/11/big/img_591",
            "2002/08/11/big/img_591.jpg",
            Split::Fold(8)
        )
    );
    let face = &s.objects[0];
    assert_eq!(
        face.ellipse,
        Some(Ellipse {
            ra: 123.5833,
            rb: 85.5495,
            angle: 1.265839,
            cx: 269.6934,
            cy: 161.7812
        })
    );
    assert_eq!(face.bbox, ellipse_to_box(&face.ellipse.unwrap()));
    assert_eq!((face.class, face.ignore), (Some(FACE), false));
    assert!(face.attrs.is_empty());
    assert!(parsed.diagnostics.is_empty());
}

#[test]
fn runs_of_spaces_tabs_crlf_and_blank_lines_are_tolerated() {
    let expected = [
        ("2002/07/19/big/img_130", 2usize),
        ("2003/01/01/big/img_1", 1),
    ];
    check(
        "2002/07/19/big/img_130\n2\n1 2 0 10 10  1\n3 4 0 20 20 1\n2003/01/01/big/img_1\n1\n5 5 0 5 5  1\n",
        &expected,
        &[],
    );
    check(
        "2002/07/19/big/img_130\r\n2\r\n1   2\t0 10 10  1\r\n\r\n3 4 0 20 20 1 \r\n\n2003/01/01/big/img_1 \n 1\n5 5 0 5 5  1",
        &expected,
        &[],
    );
    // The concatenated ellipseList.txt of imistyrain/fddb ends with a DOS end-of-file byte.
    check(
        "2003/01/01/big/img_1\n1\n5 5 0 5 5  1\n\x1a",
        &expected[1..],
        &[],
    );
}

#[test]
fn the_placeholder_face_is_kept_marked_ignore_and_reported() {
    // Lines 895-898 of the real fold 08: the image name is on 889, so the placeholder row is
    // line 897 there; here it is line 4.
    let input = "2002/07/24/big/img_67\n2\n10.602082 6.327219 1.391427 92.800000 148.288888  1\n\
                 1.000000 1.000000 0.000000 0.000000 0.000000  1\n";
    check(
        input,
        &[("2002/07/24/big/img_67", 2)],
        &[
            "FDDB-fold-08-ellipseList.txt:4: placeholder face `1 1 0 0 0` in `2002/07/24/big/img_67`: kept (the authors count it) and marked ignore",
        ],
    );
    let parsed = parse(input).unwrap();
    let [real, placeholder] = &parsed.images[0].sample.objects[..] else {
        panic!()
    };
    assert!(!real.ignore);
    assert!(placeholder.ignore);
    assert_eq!(
        placeholder.attrs.get("placeholder"),
        Some(&AttrValue::Bool(true))
    );
    // Its box is the 2×2 square around the corner, exactly as the ellipse gives it.
    assert_eq!(placeholder.bbox, BBox::new(-1.0, -1.0, 2.0, 2.0));
    assert_eq!(parsed.face_count(), 2);
}

#[test]
fn odd_values_are_kept_and_reported() {
    check(
        "a/1\n0\n",
        &[("a/1", 0)],
        &[
            "FDDB-fold-08-ellipseList.txt:1: `a/1` has no faces (every image of the authors' files has one)",
        ],
    );
    check(
        "a/1\n1\n0 5 0 5 5  1\n",
        &[("a/1", 1)],
        &[
            "FDDB-fold-08-ellipseList.txt:3: a face of `a/1` has a radius of zero or less (0 5), kept as written",
        ],
    );
    check(
        "a/1\n1\n5 5 0 5 5  0.5\n",
        &[("a/1", 1)],
        &[
            "FDDB-fold-08-ellipseList.txt:3: the sixth field of a face of `a/1` is 0.5, where the authors always write 1",
        ],
    );
}

#[test]
fn a_non_finite_ellipse_is_kept_marked_ignore_and_reported() {
    // A NaN radius used to export `bbox: [null,null,null,null]` with `ignore: false`.
    let input = "a/1\n3\nNaN 5 0 5 5  1\n5 5 inf -inf 5  1\n5 5 0 5 5  1\n";
    check(
        input,
        &[("a/1", 3)],
        &[
            "FDDB-fold-08-ellipseList.txt:3: a face of `a/1` has ra NaN, not a finite number, so \
             it has no box: kept as written and marked ignore",
            "FDDB-fold-08-ellipseList.txt:4: a face of `a/1` has angle inf, cx -inf, not finite \
             numbers, so it has no box: kept as written and marked ignore",
        ],
    );
    let parsed = parse(input).unwrap();
    let ignore: Vec<bool> = parsed.images[0]
        .sample
        .objects
        .iter()
        .map(|o| o.ignore)
        .collect();
    assert_eq!(ignore, [true, true, false]);
    let nan = &parsed.images[0].sample.objects[0];
    assert!(
        nan.ellipse.unwrap().ra.is_nan(),
        "the ellipse is kept as written"
    );
    // Finite values whose box overflows the schema's f32 are no usable box either.
    check(
        "a/1\n1\n1e300 5 0 5 5  1\n",
        &[("a/1", 1)],
        &[
            "FDDB-fold-08-ellipseList.txt:3: the box of a face of `a/1` is too large for \
             32-bit floats: kept as written and marked ignore",
        ],
    );
    assert!(
        parse("a/1\n1\n1e300 5 0 5 5  1\n").unwrap().images[0]
            .sample
            .objects[0]
            .ignore
    );
    // A non-finite sixth field leaves the box alone: it is the sixth field's diagnostic only.
    check(
        "a/1\n1\n5 5 0 5 5  NaN\n",
        &[("a/1", 1)],
        &[
            "FDDB-fold-08-ellipseList.txt:3: the sixth field of a face of `a/1` is NaN, where the authors always write 1",
        ],
    );
    assert!(
        !parse("a/1\n1\n5 5 0 5 5  NaN\n").unwrap().images[0]
            .sample
            .objects[0]
            .ignore
    );
}

#[test]
fn a_repeat_with_one_other_face_says_it_differs() {
    // The message read "its 1 face (line 6) differ".
    check(
        "a/1\n2\n5 5 0 5 5 1\n6 6 0 5 5 1\na/1\n1\n7 7 0 5 5 1\n",
        &[("a/1", 2)],
        &[
            "FDDB-fold-08-ellipseList.txt:5: `a/1` is listed again (first at line 1); \
             the repeat is dropped, and its 1 face (line 7) differs from the first's 2 faces",
        ],
    );
}

#[test]
fn a_leading_utf8_bom_is_not_part_of_the_first_name() {
    // A BOM used to make the first name `\u{feff}2002/08/11/big/img_591`.
    check(
        "\u{feff}2002/08/11/big/img_591\n1\n5 5 0 5 5  1\n",
        &[("2002/08/11/big/img_591", 1)],
        &[],
    );
}

#[test]
fn a_repeated_image_keeps_the_first_and_says_what_was_dropped() {
    // Both used to be kept, so the same `id` was in the dataset twice (as WIDER's was).
    check(
        "a/1\n1\n5 5 0 5 5 1\na/1\n1\n5 5 0 5 5 1\n",
        &[("a/1", 1)],
        &[
            "FDDB-fold-08-ellipseList.txt:4: `a/1` is listed again (first at line 1); \
             the repeat is dropped, its 1 face is the same as the first's",
        ],
    );
    check(
        "a/1\n1\n5 5 0 5 5 1\na/2\n1\n5 5 0 5 5 1\na/1\n2\n5 5 0 5 5 1\n6 6 0 5 5 1\n",
        &[("a/1", 1), ("a/2", 1)],
        &[
            "FDDB-fold-08-ellipseList.txt:7: `a/1` is listed again (first at line 1); \
             the repeat is dropped, and its 2 faces (lines 9-10) differ from the first's 1 face",
        ],
    );
}

#[test]
fn an_empty_file_is_reported_as_holding_no_images() {
    // A 0-byte ellipse list used to give 0 images without a word.
    check("", &[], &["FDDB-fold-08-ellipseList.txt: holds no images"]);
    check(
        "\n\n",
        &[],
        &["FDDB-fold-08-ellipseList.txt: holds no images"],
    );
}

#[test]
fn broken_structure_is_an_error_naming_file_and_line() {
    check_err(
        "2002/08/11/big/img_591\none\n",
        "FDDB-fold-08-ellipseList.txt:2: expected the number of faces of `2002/08/11/big/img_591`, found `one`",
    );
    check_err(
        "a/1\n-1\n",
        "FDDB-fold-08-ellipseList.txt:2: expected the number of faces of `a/1`, found `-1`",
    );
    check_err(
        "a/1\n2\n1 2 0 10 10  1\n1 2 0 10 10\n",
        "FDDB-fold-08-ellipseList.txt:4: expected 6 numbers (ra rb angle cx cy 1), found 5 fields",
    );
    check_err(
        "a/1\n3\n1 2 0 10 10  1\n1 2 0 10 10  1\n",
        "FDDB-fold-08-ellipseList.txt:5: file ends after 2 of the 3 faces of `a/1`",
    );
    check_err(
        "a/1\n",
        "FDDB-fold-08-ellipseList.txt:2: file ends before the number of faces of `a/1`",
    );
    check_err(
        "a/1\n1\n1 2 0 x 10  1\n",
        "FDDB-fold-08-ellipseList.txt:3: `x` is not a number",
    );
    // A count one too small: the next face row is read where a name belongs.
    check_err(
        "a/1\n1\n1 2 0 10 10  1\n1 2 0 10 10  1\n",
        "FDDB-fold-08-ellipseList.txt:4: expected an image name like `2002/08/11/big/img_591`, found `1 2 0 10 10  1`",
    );
    for name in ["/abs/img", "a/../b", "img_1", "a//b", "a\\b"] {
        check_err(
            &format!("{name}\n0\n"),
            &format!(
                "FDDB-fold-08-ellipseList.txt:1: expected an image name like `2002/08/11/big/img_591`, found `{name}`"
            ),
        );
    }
    let err = parse_ellipse_list(&b"a/1\n\xff\n"[..], FILE, Split::Fold(8)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "FDDB-fold-08-ellipseList.txt:2: not UTF-8 text"
    );
}

#[test]
fn a_huge_count_allocates_nothing_up_front() {
    check_err(
        "a/1\n18446744073709551615\n1 1 0 1 1 1\n",
        "FDDB-fold-08-ellipseList.txt:4: file ends after 1 of the 18446744073709551615 faces of `a/1`",
    );
}
