//! One small metadata file per source quirk, built byte by byte (tests/mat_writer), each
//! with the exact expected value, diagnostic or error. Dates and ages in comments come from
//! Python: `date(y,m,d).toordinal() + 366` is MATLAB's datenum, and the authors' age is
//! `D = date(t,7,1).toordinal() + 366 - dob; age = 0 if D <= 366 else date.fromordinal(D - 366).year`.

mod mat_writer;

use mat_writer::{M, cells, chars, doubles, doubles_as_uint16, file, int32s, uint16s};
use zukan_imdb_wiki::{Db, ImageTree, ParseError, Parsed, attr, parse_meta_bytes};
use zukan_schema::{Age, AttrValue, BBox, Gender, Sample};

/// One entry of the struct.
#[derive(Clone)]
struct Row {
    dob: f64,
    taken: f64,
    path: &'static str,
    gender: f64,
    name: &'static str,
    location: Vec<f64>,
    score: f64,
    second: f64,
}

/// The first entry of the real wiki.mat as public tutorials show it (born 1981-05-05,
/// datenum 723671; photo 2009; authors' age 28), with a rounder face location.
fn good() -> Row {
    Row {
        dob: 723_671.0,
        taken: 2009.0,
        path: "17/10000217_1981-05-05_2009.jpg",
        gender: 1.0,
        name: "Sami Jauhojarvi",
        location: vec![111.0, 112.0, 252.0, 254.0],
        score: 4.25,
        second: f64::NAN,
    }
}

/// The struct's fields in the real order, every numeric field double.
fn fields(rows: &[Row]) -> Vec<(String, M)> {
    let col = |f: fn(&Row) -> f64| doubles(&rows.iter().map(f).collect::<Vec<_>>());
    vec![
        ("dob".into(), col(|r| r.dob)),
        ("photo_taken".into(), col(|r| r.taken)),
        (
            "full_path".into(),
            cells(rows.iter().map(|r| chars(r.path)).collect()),
        ),
        ("gender".into(), col(|r| r.gender)),
        (
            "name".into(),
            cells(rows.iter().map(|r| chars(r.name)).collect()),
        ),
        (
            "face_location".into(),
            cells(rows.iter().map(|r| doubles(&r.location)).collect()),
        ),
        ("face_score".into(), col(|r| r.score)),
        ("second_face_score".into(), col(|r| r.second)),
    ]
}

fn parse_fields(db: Db, tree: ImageTree, fields: Vec<(String, M)>) -> Result<Parsed, ParseError> {
    let bytes = file(db.name(), &M::Struct(fields));
    parse_meta_bytes(&bytes, db, tree, &db.meta_file(tree))
}

/// Parses one wiki entry from the crop tree: the sample and the diagnostic messages.
fn one(row: Row) -> (Sample, Vec<String>) {
    let parsed = parse_fields(Db::Wiki, ImageTree::Crop, fields(&[row])).unwrap();
    let messages = parsed.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(parsed.samples.len(), 1);
    (parsed.samples.into_iter().next().unwrap(), messages)
}

const PLACE: &str = "wiki_crop/wiki.mat: entry 1 (`17/10000217_1981-05-05_2009.jpg`)";

#[test]
fn a_good_entry_has_every_value() {
    let (s, messages) = one(good());
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(s.id, "wiki/17/10000217_1981-05-05_2009");
    assert_eq!(s.image.path(), "wiki_crop/17/10000217_1981-05-05_2009.jpg");
    assert_eq!(s.age, Some(Age::Years(28)));
    assert_eq!(s.gender, Some(Gender::Male));
    assert_eq!(s.identity.as_deref(), Some("Sami Jauhojarvi"));
    let text = |v: &str| AttrValue::Text(v.to_owned());
    let expected = [
        (attr::SOURCE, text("wiki")),
        (attr::NAME, text("Sami Jauhojarvi")),
        (attr::DOB, AttrValue::Int(723_671)),
        (attr::BIRTH_DATE, text("1981-05-05")),
        (attr::PHOTO_TAKEN, AttrValue::Int(2009)),
        (attr::FACE_FOUND, AttrValue::Bool(true)),
        (attr::FACE_SCORE, AttrValue::Float(4.25)),
        (attr::SECOND_FACE_FOUND, AttrValue::Bool(false)),
        (
            attr::FACE_LOCATION,
            AttrValue::Numbers(vec![111.0, 112.0, 252.0, 254.0]),
        ),
    ];
    assert_eq!(
        s.attrs,
        expected
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    );
    // A crop: the location is in the uncropped photo, so no box.
    assert!(s.objects.is_empty());
    assert_eq!((s.width, s.height), (None, None));
}

#[test]
fn dob_zero_is_no_date() {
    let (s, messages) = one(Row { dob: 0.0, ..good() });
    assert_eq!(s.age, None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: dob 0 is not a date of years 1 to 9999; age left unknown"
        )]
    );
    assert_eq!(s.attrs.get(attr::BIRTH_DATE), None);
    assert_eq!(s.attrs[attr::DOB], AttrValue::Int(0));
}

#[test]
fn birth_in_year_zero_is_reported() {
    // datenum 200 is 0000-07-18 (year 0 is a leap year: 31+29+31+30+31+30 = 182 = 30 June).
    let (s, messages) = one(Row {
        dob: 200.0,
        ..good()
    });
    assert_eq!(s.age, None);
    assert_eq!(
        messages,
        [format!("{PLACE}: dob 200 is in year 0; age left unknown")]
    );
    assert_eq!(
        s.attrs[attr::BIRTH_DATE],
        AttrValue::Text("0000-07-18".into())
    );
}

#[test]
fn photo_taken_before_birth_is_reported() {
    // dob 734139 = 2010-01-01; photo 2000.
    let (s, messages) = one(Row {
        dob: 734_139.0,
        taken: 2000.0,
        ..good()
    });
    assert_eq!(s.age, None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: photo taken in 2000 (1 July assumed), before the birth on 2010-01-01; age left unknown"
        )]
    );
}

#[test]
fn ages_above_120_are_reported_and_120_is_kept() {
    // dob 686657 = 1880-01-01: photo 2000 gives 120, photo 2001 gives 121.
    let (s, messages) = one(Row {
        dob: 686_657.0,
        taken: 2000.0,
        ..good()
    });
    assert_eq!((s.age, messages.len()), (Some(Age::Years(120)), 0));
    let (s, messages) = one(Row {
        dob: 686_657.0,
        taken: 2001.0,
        ..good()
    });
    assert_eq!(s.age, None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: age 121 (born 1880-01-01, photo taken in 2001) is above 120; age left unknown"
        )]
    );
}

#[test]
fn photo_year_that_is_no_year_is_reported() {
    let (s, messages) = one(Row {
        taken: f64::NAN,
        ..good()
    });
    assert_eq!(s.age, None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: photo_taken NaN is not a year; age left unknown"
        )]
    );
}

#[test]
fn gender_nan_is_unknown_without_a_diagnostic() {
    let (s, messages) = one(Row {
        gender: f64::NAN,
        ..good()
    });
    assert_eq!((s.gender, messages.len()), (Some(Gender::Unknown), 0));
    let (s, _) = one(Row {
        gender: 0.0,
        ..good()
    });
    assert_eq!(s.gender, Some(Gender::Female));
}

#[test]
fn gender_two_is_reported_as_left_out_not_unknown() {
    // The message said "gender left unknown" while the gender is `None` (null in the export),
    // not `Unknown`, which is what NaN gives.
    for (value, text) in [
        (2.0, "2"),
        (-1.0, "-1"),
        (0.5, "0.5"),
        (f64::INFINITY, "inf"),
    ] {
        let (s, messages) = one(Row {
            gender: value,
            ..good()
        });
        assert_eq!(s.gender, None, "{text}");
        assert_eq!(
            messages,
            [format!(
                "{PLACE}: gender {text} is none of 0 (female), 1 (male), NaN (unknown); \
                 gender left out (null)"
            )]
        );
    }
}

#[test]
fn no_face_found_is_a_fact_not_a_score() {
    // The page: face_location is then the entire image, [1 1 W H].
    let row = Row {
        score: f64::NEG_INFINITY,
        location: vec![1.0, 1.0, 634.0, 440.0],
        ..good()
    };
    let (s, messages) = one(row.clone());
    assert!(messages.is_empty());
    assert_eq!(s.attrs[attr::FACE_FOUND], AttrValue::Bool(false));
    assert_eq!(s.attrs.get(attr::FACE_SCORE), None);
    // The JSON line holds no NaN or infinity.
    let line = zukan_schema::jsonl::to_line(&s).unwrap();
    assert!(line.contains(r#""face_found":false"#), "{line}");
    // On the full photo: no face object, and the location gives the image size.
    let full = parse_fields(Db::Wiki, ImageTree::Full, fields(&[row])).unwrap();
    let s = &full.samples[0];
    assert!(s.objects.is_empty());
    assert_eq!((s.width, s.height), (Some(634), Some(440)));
    assert_eq!(s.image.path(), "wiki/17/10000217_1981-05-05_2009.jpg");
}

#[test]
fn face_score_nan_is_reported() {
    let (s, messages) = one(Row {
        score: f64::NAN,
        ..good()
    });
    assert_eq!(s.attrs.get(attr::FACE_FOUND), None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: face_score is NaN (neither a score nor -Inf for no face)"
        )]
    );
}

#[test]
fn second_face_nan_and_finite() {
    let (s, _) = one(good());
    assert_eq!(s.attrs[attr::SECOND_FACE_FOUND], AttrValue::Bool(false));
    assert_eq!(s.attrs.get(attr::SECOND_FACE_SCORE), None);
    let (s, messages) = one(Row {
        second: 0.75,
        ..good()
    });
    assert!(messages.is_empty());
    assert_eq!(s.attrs[attr::SECOND_FACE_FOUND], AttrValue::Bool(true));
    assert_eq!(s.attrs[attr::SECOND_FACE_SCORE], AttrValue::Float(0.75));
}

#[test]
fn second_face_infinities_are_reported() {
    // -Inf is read like the first score's -Inf: no second face (it used to be left unknown,
    // which dropped the entry from the clean selection, though yu4u's filter keeps it).
    let (s, messages) = one(Row {
        second: f64::NEG_INFINITY,
        ..good()
    });
    assert_eq!(s.attrs[attr::SECOND_FACE_FOUND], AttrValue::Bool(false));
    assert_eq!(s.attrs.get(attr::SECOND_FACE_SCORE), None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: second_face_score is -Inf, read as no second face (the format says NaN)"
        )]
    );
    let (s, messages) = one(Row {
        second: f64::INFINITY,
        ..good()
    });
    assert_eq!(s.attrs.get(attr::SECOND_FACE_FOUND), None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: second_face_score is inf (neither a score nor NaN for no second face)"
        )]
    );
}

#[test]
fn empty_name_is_no_name() {
    let (s, messages) = one(Row { name: "", ..good() });
    assert!(messages.is_empty());
    assert_eq!(s.identity, None);
    assert_eq!(s.attrs.get(attr::NAME), None);
}

#[test]
fn full_photo_face_box_covers_the_cropped_pixels() {
    // img(112:254, 111:252) is 143 rows by 142 columns starting at 0-based (110, 111).
    let parsed = parse_fields(Db::Wiki, ImageTree::Full, fields(&[good()])).unwrap();
    let s = &parsed.samples[0];
    assert_eq!(s.objects.len(), 1);
    assert_eq!(s.objects[0].bbox, BBox::new(110.0, 111.0, 142.0, 143.0));
    assert_eq!(s.objects[0].class, Some(0));
}

#[test]
fn face_location_of_three_numbers_is_reported() {
    let (s, messages) = one(Row {
        location: vec![1.0, 2.0, 3.0],
        ..good()
    });
    assert_eq!(s.attrs.get(attr::FACE_LOCATION), None);
    assert_eq!(
        messages,
        [format!(
            "{PLACE}: face_location [1.0, 2.0, 3.0] is not 4 finite numbers; no box"
        )]
    );
}

#[test]
fn paths_leaving_the_tree_are_left_out() {
    let rows = [
        Row {
            path: "../etc/passwd",
            ..good()
        },
        Row {
            path: "/abs.jpg",
            ..good()
        },
        good(),
    ];
    let parsed = parse_fields(Db::Wiki, ImageTree::Crop, fields(&rows)).unwrap();
    assert_eq!(parsed.samples.len(), 1);
    let messages: Vec<String> = parsed
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "entry 1: `full_path` `../etc/passwd` is not a relative path inside the tree; entry left out",
            "entry 2: `full_path` `/abs.jpg` is not a relative path inside the tree; entry left out",
        ]
    );
}

#[test]
fn repeated_full_path_keeps_both_with_unique_ids() {
    let parsed = parse_fields(Db::Wiki, ImageTree::Crop, fields(&[good(), good()])).unwrap();
    let ids: Vec<&str> = parsed.samples.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "wiki/17/10000217_1981-05-05_2009",
            "wiki/17/10000217_1981-05-05_2009#2"
        ]
    );
    assert_eq!(parsed.diagnostics.len(), 1);
}

/// The imdb struct: the same fields plus `celeb_names` (one per celebrity) and `celeb_id`.
fn imdb_fields(ids: &[f64]) -> Vec<(String, M)> {
    let paths = ["01/a.jpg", "02/b.jpg", "03/c.jpg"];
    let rows: Vec<Row> = paths[..ids.len()]
        .iter()
        .map(|&path| Row { path, ..good() })
        .collect();
    let mut f = fields(&rows);
    f.push((
        "celeb_names".into(),
        cells(vec![chars("Ann A"), chars("Bob B")]),
    ));
    f.push(("celeb_id".into(), doubles(ids)));
    f
}

#[test]
fn imdb_celeb_id_is_the_identity() {
    let parsed = parse_fields(Db::Imdb, ImageTree::Crop, imdb_fields(&[2.0, f64::NAN])).unwrap();
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let s = &parsed.samples[0];
    assert_eq!(s.id, "imdb/01/a");
    assert_eq!(s.image.path(), "imdb_crop/01/a.jpg");
    assert_eq!(s.identity.as_deref(), Some("2"));
    assert_eq!(s.attrs[attr::CELEB_NAME], AttrValue::Text("Bob B".into()));
    assert_eq!(s.attrs[attr::SOURCE], AttrValue::Text("imdb".into()));
    // NaN: no id, like every NaN of these files (and not the name either).
    assert_eq!(parsed.samples[1].identity, None);
}

#[test]
fn imdb_celeb_id_outside_the_names_is_reported() {
    let parsed = parse_fields(Db::Imdb, ImageTree::Crop, imdb_fields(&[0.0, 3.0, 1.5])).unwrap();
    assert!(parsed.samples.iter().all(|s| s.identity.is_none()));
    let messages: Vec<&str> = parsed
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    let end = "is not an index into the 2 celeb_names; identity left unknown";
    assert_eq!(
        messages,
        [
            format!("entry 1 (`01/a.jpg`): celeb_id 0 {end}"),
            format!("entry 2 (`02/b.jpg`): celeb_id 3 {end}"),
            format!("entry 3 (`03/c.jpg`): celeb_id 1.5 {end}"),
        ]
    );
}

#[test]
fn numeric_classes_do_not_change_the_samples() {
    let rows = [
        good(),
        Row {
            dob: 734_139.0,
            taken: 2000.0,
            path: "1/b.jpg",
            ..good()
        },
    ];
    let as_double = parse_fields(Db::Wiki, ImageTree::Crop, fields(&rows)).unwrap();
    // What the real file is recalled to hold: dob int32, photo_taken uint16.
    let mut native = fields(&rows);
    native[0].1 = int32s(&[723_671, 734_139]);
    native[1].1 = uint16s(&[2009, 2000]);
    assert_eq!(
        parse_fields(Db::Wiki, ImageTree::Crop, native).unwrap(),
        as_double
    );
    // Doubles stored as uint16, as MATLAB stores integer-valued doubles.
    let mut small = fields(&rows);
    small[1].1 = doubles_as_uint16(&[2009, 2000]);
    small[3].1 = doubles_as_uint16(&[1, 1]);
    assert_eq!(
        parse_fields(Db::Wiki, ImageTree::Crop, small).unwrap(),
        as_double
    );
}

#[test]
fn field_lengths_that_disagree_are_an_error_naming_the_field() {
    let mut f = fields(&[good(), good(), good()]);
    f[3].1 = doubles(&[1.0, 0.0]);
    let err = parse_fields(Db::Wiki, ImageTree::Crop, f).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiki_crop/wiki.mat: field `gender` has 2 entries, `full_path` has 3"
    );
    assert!(matches!(
        err,
        ParseError::FieldLength {
            field: "gender",
            expected: 3,
            found: 2,
            ..
        }
    ));

    let mut f = fields(&[good(), good()]);
    f[5].1 = cells(vec![doubles(&[1.0, 1.0, 2.0, 2.0])]);
    let err = parse_fields(Db::Wiki, ImageTree::Crop, f).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiki_crop/wiki.mat: field `face_location` has 1 entries, `full_path` has 2"
    );
}

#[test]
fn structural_errors_name_the_file_and_what_is_wrong() {
    let mut f = fields(&[good()]);
    f.remove(6);
    let err = parse_fields(Db::Wiki, ImageTree::Crop, f).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiki_crop/wiki.mat: the struct has no field `face_score`"
    );

    let mut f = fields(&[good()]);
    f[2].1 = chars("17/a.jpg");
    let err = parse_fields(Db::Wiki, ImageTree::Crop, f).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiki_crop/wiki.mat: field `full_path` is a 1x8 char array, expected a cell array"
    );

    let bytes = file("imdb", &M::Struct(fields(&[good()])));
    let err = parse_meta_bytes(&bytes, Db::Wiki, ImageTree::Crop, "wiki.mat").unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiki.mat: no variable `wiki` (the file holds: imdb)"
    );

    let bytes = file("wiki", &doubles(&[1.0]));
    let err = parse_meta_bytes(&bytes, Db::Wiki, ImageTree::Crop, "wiki.mat").unwrap_err();
    assert_eq!(
        err.to_string(),
        "wiki.mat: `wiki` is a 1x1 double array, expected a 1x1 struct"
    );
}

#[test]
fn truncated_file_is_a_mat_error_never_a_panic() {
    let bytes = file("wiki", &M::Struct(fields(&[good(), good()])));
    for end in 0..bytes.len() {
        let result = parse_meta_bytes(&bytes[..end], Db::Wiki, ImageTree::Crop, "wiki.mat");
        match result {
            // The bare 128-byte header is a valid MAT file with no variables.
            Err(ParseError::MissingStruct { .. }) if end == 128 => {}
            Err(ParseError::Mat { .. }) => {}
            other => panic!("prefix of {end} bytes: {other:?}"),
        }
    }
}
