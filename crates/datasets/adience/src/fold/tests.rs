use zukan_schema::{Age, AttrValue, BBox, Gender, Split};

use super::*;

const FILE: &str = "fold_2_data.txt";
const HEADER: &str = "user_id\toriginal_image\tface_id\tage\tgender\tx\ty\tdx\tdy\ttilt_ang\tfiducial_yaw_angle\tfiducial_score\n";

/// A row of the real fold_0 file (line 3) with its age and gender replaced.
fn row(age: &str, gender: &str) -> String {
    format!(
        "30601258@N03\t10424815813_e94629b1ec_o.jpg\t2\t{age}\t{gender}\t301\t105\t640\t641\t0\t0\t94\n"
    )
}

fn parse(body: &str) -> Result<Parsed, ParseError> {
    parse_fold(
        format!("{HEADER}{body}").as_bytes(),
        FILE,
        Split::Fold(2),
        ImageVariant::Faces,
    )
}

/// Parses one row and compares age, gender, the `age_text`/`age_group` attributes and the
/// diagnostics.
fn check(
    body: &str,
    expected: (Option<Age>, Option<Gender>, Option<&str>, Option<i64>),
    diagnostics: &[&str],
) {
    let parsed = parse(body).unwrap_or_else(|e| panic!("{body:?}: {e}"));
    assert_eq!(parsed.faces.len(), 1, "{body:?}");
    let s = &parsed.faces[0].sample;
    let text = match s.attrs.get("age_text") {
        Some(AttrValue::Text(t)) => Some(t.as_str()),
        None => None,
        other => panic!("age_text is {other:?}"),
    };
    let group = match s.attrs.get("age_group") {
        Some(AttrValue::Int(g)) => Some(*g),
        None => None,
        other => panic!("age_group is {other:?}"),
    };
    assert_eq!((s.age, s.gender, text, group), expected, "{body:?}");
    let got: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(got, diagnostics, "{body:?}");
}

fn check_err(input: &str, expected: &str) {
    match parse_fold(input.as_bytes(), FILE, Split::Fold(2), ImageVariant::Faces) {
        Ok(p) => panic!(
            "{input:?}: parsed {} faces, expected `{expected}`",
            p.faces.len()
        ),
        Err(err) => assert_eq!(err.to_string(), expected, "{input:?}"),
    }
}

#[test]
fn ages_in_every_form() {
    let m = Some(Gender::Male);
    check(
        &row("(25, 32)", "m"),
        (Some(Age::Range(25, 32)), m, Some("(25, 32)"), Some(4)),
        &[],
    );
    check(
        &row("(25,32)", "m"),
        (Some(Age::Range(25, 32)), m, Some("(25,32)"), Some(4)),
        &[],
    );
    check(
        &row("(60, 100)", "m"),
        (Some(Age::Range(60, 100)), m, Some("(60, 100)"), Some(7)),
        &[],
    );
    // An off-group range or an exact age lying wholly inside one group gets that group (it
    // used to get none: only exact group strings were mapped); the age stays as written.
    check(
        &row("(27, 32)", "m"),
        (Some(Age::Range(27, 32)), m, Some("(27, 32)"), Some(4)),
        &[],
    );
    check(
        &row("(38, 42)", "m"),
        (Some(Age::Range(38, 42)), m, Some("(38, 42)"), Some(5)),
        &[],
    );
    check(
        &row("29", "m"),
        (Some(Age::Years(29)), m, Some("29"), Some(4)),
        &[],
    );
    check(
        &row("2", "m"),
        (Some(Age::Years(2)), m, Some("2"), Some(0)),
        &[],
    );
    // Spanning two groups, or in a gap between groups (13-14, 21-24, 33-37, …): no group.
    check(
        &row("(8, 23)", "m"),
        (Some(Age::Range(8, 23)), m, Some("(8, 23)"), None),
        &[],
    );
    check(
        &row("(38, 48)", "m"),
        (Some(Age::Range(38, 48)), m, Some("(38, 48)"), None),
        &[],
    );
    check(
        &row("35", "m"),
        (Some(Age::Years(35)), m, Some("35"), None),
        &[],
    );
    check(
        &row("13", "m"),
        (Some(Age::Years(13)), m, Some("13"), None),
        &[],
    );
    check(&row("None", "m"), (None, m, Some("None"), None), &[]);
    check(&row("", "m"), (None, m, None, None), &[]);
    check(
        &row("(25, 23)", "f"),
        (None, Some(Gender::Female), Some("(25, 23)"), None),
        &["fold_2_data.txt:2: age `(25, 23)` is an inverted range (25 above 23); age left unknown"],
    );
    check(
        &row("(25 32", "m"),
        (None, m, Some("(25 32"), None),
        &["fold_2_data.txt:2: age `(25 32` is not a range; age left unknown"],
    );
    check(
        &row("adult", "m"),
        (None, m, Some("adult"), None),
        &["fold_2_data.txt:2: age `adult` is not a number, a range or None; age left unknown"],
    );
}

#[test]
fn genders_f_m_u_and_empty() {
    let r = Some(Age::Range(25, 32));
    check(
        &row("(25, 32)", "f"),
        (r, Some(Gender::Female), Some("(25, 32)"), Some(4)),
        &[],
    );
    check(
        &row("(25, 32)", "u"),
        (r, Some(Gender::Unknown), Some("(25, 32)"), Some(4)),
        &[],
    );
    check(
        &row("(25, 32)", ""),
        (r, None, Some("(25, 32)"), Some(4)),
        &[],
    );
    check(
        &row("(25, 32)", "x"),
        (r, None, Some("(25, 32)"), Some(4)),
        &["fold_2_data.txt:2: gender `x` is not f, m or u; gender left out (null)"],
    );
}

#[test]
fn an_unreadable_gender_is_said_to_be_left_out_not_unknown() {
    // The message said "gender left unknown" while the gender is `None` (null in the export),
    // not `Unknown`, which is the source saying "u".
    let r = Some(Age::Range(25, 32));
    check(
        &row("(25, 32)", "q"),
        (r, None, Some("(25, 32)"), Some(4)),
        &["fold_2_data.txt:2: gender `q` is not f, m or u; gender left out (null)"],
    );
}

#[test]
fn a_leading_utf8_bom_does_not_break_the_header() {
    // A BOM before `user_id` made the header unrecognised, so the whole fold failed.
    let input = format!("\u{feff}{HEADER}{}", row("(25, 32)", "m"));
    let parsed = parse_fold(input.as_bytes(), FILE, Split::Fold(2), ImageVariant::Faces).unwrap();
    assert_eq!(parsed.faces.len(), 1);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
}

#[test]
fn a_row_becomes_id_image_identity_and_attributes() {
    let parsed = parse(&row("(25, 32)", "m")).unwrap();
    assert_eq!(parsed.rows, 1);
    let face = &parsed.faces[0];
    assert_eq!(face.line, 2);
    let s = &face.sample;
    assert_eq!(s.id, "30601258@N03/2.10424815813_e94629b1ec_o.jpg");
    assert_eq!(
        s.image.path(),
        "faces/30601258@N03/coarse_tilt_aligned_face.2.10424815813_e94629b1ec_o.jpg"
    );
    assert_eq!(s.split, Split::Fold(2));
    assert_eq!(s.identity.as_deref(), Some("30601258@N03"));
    assert!(
        s.objects.is_empty(),
        "the box is in the original photo, not the crop"
    );
    assert_eq!(
        face_box_in_original(s),
        Some(BBox::new(301.0, 105.0, 640.0, 641.0))
    );
    for (key, value) in [
        ("face_id", 2),
        ("tilt_ang", 0),
        ("fiducial_yaw_angle", 0),
        ("fiducial_score", 94),
    ] {
        assert_eq!(s.attrs.get(key), Some(&AttrValue::Int(value)), "{key}");
    }
    assert_eq!(
        s.attrs["original_image"],
        AttrValue::from("10424815813_e94629b1ec_o.jpg")
    );

    let aligned = parse_fold(
        format!("{HEADER}{}", row("(25, 32)", "m")).as_bytes(),
        FILE,
        Split::Fold(2),
        ImageVariant::Aligned,
    )
    .unwrap();
    assert_eq!(
        aligned.faces[0].sample.image.path(),
        "aligned/30601258@N03/landmark_aligned_face.2.10424815813_e94629b1ec_o.jpg"
    );
}

#[test]
fn crlf_trailing_tabs_and_blank_lines_are_tolerated() {
    let lf = parse(&row("(25, 32)", "m")).unwrap();
    let crlf = parse_fold(
        format!(
            "{}{}",
            HEADER.replace('\n', "\t\r\n"),
            row("(25, 32)", "m").replace('\n', "\t\r\n\r\n")
        )
        .as_bytes(),
        FILE,
        Split::Fold(2),
        ImageVariant::Faces,
    )
    .unwrap();
    assert_eq!(crlf.faces[0].sample, lf.faces[0].sample);
    assert!(crlf.diagnostics.is_empty());
    // An empty file and a header alone: see `an_empty_file_is_an_error_naming_it` and
    // `a_header_only_file_is_reported_as_having_no_rows`.
}

#[test]
fn exact_repeats_are_kept_once_other_id_clashes_are_renamed() {
    let a = row("(25, 32)", "m");
    let parsed = parse(&format!("{a}{a}{}", row("(38, 43)", "m"))).unwrap();
    assert_eq!(parsed.rows, 3);
    let ids: Vec<&str> = parsed.samples().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "30601258@N03/2.10424815813_e94629b1ec_o.jpg",
            "30601258@N03/2.10424815813_e94629b1ec_o.jpg#2"
        ]
    );
    let got: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "fold_2_data.txt:3: row repeats line 2 exactly; kept once",
            "fold_2_data.txt:4: face `30601258@N03/2.10424815813_e94629b1ec_o.jpg` is also on line 2 with other values; both kept, this one as `30601258@N03/2.10424815813_e94629b1ec_o.jpg#2`",
        ]
    );
}

#[test]
fn bad_numbers_are_reported_and_left_out() {
    let body = "u1\ta.jpg\t7\t(0, 2)\tf\tten\t1\t0\t5\t0\t0\t\n";
    let parsed = parse(body).unwrap();
    let got: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "fold_2_data.txt:2: x `ten` is not an integer; left out",
            "fold_2_data.txt:2: fiducial_score `` is not an integer; left out",
        ]
    );
    assert_eq!(face_box_in_original(&parsed.faces[0].sample), None);
    let parsed = parse("u1\ta.jpg\t7\t(0, 2)\tf\t1\t1\t0\t5\t0\t0\t9\n").unwrap();
    let got: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        ["fold_2_data.txt:2: face box 1 1 0 5 has no area; kept as written"]
    );
}

#[test]
fn broken_structure_is_an_error_naming_file_and_line() {
    let short =
        "30601258@N03\t10424815813_e94629b1ec_o.jpg\t2\t(25, 32)\tm\t301\t105\t640\t641\t0\t0\n";
    check_err(
        &format!("{HEADER}{}{short}", row("(0, 2)", "f")),
        "fold_2_data.txt:3: expected 12 tab-separated fields, found 11",
    );
    check_err(
        &format!("{HEADER}{}", row("(0, 2)", "f").replace('\n', "\t9\n")),
        "fold_2_data.txt:2: expected 12 tab-separated fields, found 13",
    );
    // Comma-separated (how opencv_contrib's loader wrongly reads these files).
    check_err(
        "user_id,original_image,face_id\n",
        "fold_2_data.txt:1: expected the header `user_id, original_image, face_id, age, …, fiducial_score` (tab-separated), found `user_id,original_image,face_id`",
    );
    check_err(
        &row("(0, 2)", "f"),
        &format!(
            "fold_2_data.txt:1: expected the header `user_id, original_image, face_id, age, …, fiducial_score` (tab-separated), found `{}`",
            quote(row("(0, 2)", "f").trim_end())
        ),
    );
    check_err(
        &format!("{HEADER}..\ta.jpg\t1\t(0, 2)\tf\t1\t1\t5\t5\t0\t0\t9\n"),
        "fold_2_data.txt:2: user_id `..` cannot be part of an image path",
    );
    check_err(
        &format!("{HEADER}u1\t../a.jpg\t1\t(0, 2)\tf\t1\t1\t5\t5\t0\t0\t9\n"),
        "fold_2_data.txt:2: original_image `../a.jpg` cannot be part of an image path",
    );
    check_err(
        &format!("{HEADER}u1\ta.jpg\t\t(0, 2)\tf\t1\t1\t5\t5\t0\t0\t9\n"),
        "fold_2_data.txt:2: face_id `` cannot be part of an image path",
    );
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.push(0xff);
    let err = parse_fold(bytes.as_slice(), FILE, Split::Fold(2), ImageVariant::Faces).unwrap_err();
    assert_eq!(err.to_string(), "fold_2_data.txt:2: not UTF-8 text");
}

#[test]
fn an_empty_file_is_an_error_naming_it() {
    // A 0-byte fold file used to give 0 samples and no word: it has not even the header.
    check_err(
        "",
        "fold_2_data.txt: empty (not even the header line `user_id, original_image, …`, tab-separated)",
    );
    check_err(
        "\n\r\n",
        "fold_2_data.txt: empty (not even the header line `user_id, original_image, …`, tab-separated)",
    );
}

#[test]
fn a_header_only_file_is_reported_as_having_no_rows() {
    // It used to give 0 samples and no word.
    for body in ["", "\n\n"] {
        let parsed = parse(body).unwrap();
        assert_eq!((parsed.rows, parsed.faces.len()), (0, 0));
        let got: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(got, ["fold_2_data.txt: no rows after the header"]);
    }
}
