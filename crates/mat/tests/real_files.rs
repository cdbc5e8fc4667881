//! The real `.mat` files in `shared/real/`, checked against numbers derived with scipy
//! (`/work/venv-scipy/bin/python`, scipy 1.17.1); the one-liner that gave each number sits
//! beside its assertion (run from `shared/real/`, with `import scipy.io as s`).

use zukan_mat::{MatError, MatFile, NumericClass, Value};

fn real(rel: &str) -> MatFile {
    let path = format!("{}/../../../shared/real/{rel}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    zukan_mat::read(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sum over every event of the number of rows of each per-file entry of `var`.
fn total_rows(file: &MatFile, var: &str) -> Result<usize, MatError> {
    let mut n = 0;
    for event in file.get(var)?.as_cell()? {
        for entry in event.as_cell()? {
            n += entry.dims()[0];
        }
    }
    Ok(n)
}

#[test]
fn wider_face_val_events_files_and_boxes() -> Result<(), MatError> {
    let file = real("widerface/wider_face_split/wider_face_val.mat");
    // m['__header__']
    assert_eq!(
        file.header_text,
        "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Fri Mar 31 13:42:13 2017"
    );
    // sorted(k for k in m if not k.startswith('__')) (our order is the file's)
    let mut names: Vec<&str> = file.names().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "blur_label_list",
            "event_list",
            "expression_label_list",
            "face_bbx_list",
            "file_list",
            "illumination_label_list",
            "invalid_label_list",
            "occlusion_label_list",
            "pose_label_list"
        ]
    );
    let events = file.get("event_list")?.as_cell()?;
    // m['event_list'].shape -> (61, 1)
    assert_eq!(events.dims().as_ref(), &[61, 1]);
    // m['event_list'][0,0][0] -> '0--Parade'
    assert_eq!(events[0].as_str()?, "0--Parade");
    // sum(c.shape[0] for c in m['file_list'][:,0]) -> 3226
    assert_eq!(total_rows(&file, "file_list")?, 3226);
    // m['file_list'][0,0][0,0][0] -> '0_Parade_marchingband_1_465' (no .jpg)
    let files = file.get("file_list")?.as_cell()?;
    assert_eq!(
        files[0].as_cell()?[0].as_str()?,
        "0_Parade_marchingband_1_465"
    );
    // sum(b[0].shape[0] for c in m['face_bbx_list'][:,0] for b in c) -> 39708
    assert_eq!(total_rows(&file, "face_bbx_list")?, 39708);
    let boxes = file.get("face_bbx_list")?.as_cell()?;
    let first = boxes[0].as_cell()?[0].as_numeric()?;
    // m['face_bbx_list'][0,0][0,0].dtype, .shape, [:2] -> int32 (126, 4) [[345,211,4,4],[331,126,3,3]]
    assert_eq!(first.class(), NumericClass::Int32);
    assert_eq!(first.dims().as_ref(), &[126, 4]);
    assert_eq!(first.get_f64(&[1, 0])?, 331.0);
    assert_eq!(first.get_f64(&[0, 1])?, 211.0);
    assert_eq!(&first.column_major::<i32>()?[..2], &[345, 331]);
    // m['blur_label_list'][0,0][0,0].dtype, .shape -> uint8 (126, 1)
    let blur = file.get("blur_label_list")?.as_cell()?[0].as_cell()?[0].as_numeric()?;
    assert_eq!(blur.class(), NumericClass::UInt8);
    assert_eq!(blur.dims().as_ref(), &[126, 1]);
    Ok(())
}

/// The .mat boxes agree with `wider_face_val_bbx_gt.txt` except one row the authors
/// changed: 39--Ice_Skating/39_Ice_Skating_iceskiing_39_583.jpg (event 33, file 8), row 7 is
/// `1026 474 0 23` in the text and has width -2 in the .mat. Found by comparing every box
/// of the two files in python (scipy loadmat against the parsed text); no other row differs.
#[test]
fn wider_face_val_row_changed_against_text_ground_truth() -> Result<(), MatError> {
    let file = real("widerface/wider_face_split/wider_face_val.mat");
    let event = &file.get("event_list")?.as_cell()?[33];
    assert_eq!(event.as_str()?, "39--Ice_Skating");
    let name = &file.get("file_list")?.as_cell()?[33].as_cell()?[8];
    assert_eq!(name.as_str()?, "39_Ice_Skating_iceskiing_39_583");
    let boxes = file.get("face_bbx_list")?.as_cell()?[33].as_cell()?[8].as_numeric()?;
    assert_eq!(boxes.dims().as_ref(), &[32, 4]);
    let row: Vec<f64> = (0..4)
        .map(|j| boxes.get_f64(&[7, j]))
        .collect::<Result<_, _>>()?;
    assert_eq!(row, [1026.0, 474.0, -2.0, 23.0]);
    Ok(())
}

#[test]
fn wider_face_test_file_names() -> Result<(), MatError> {
    let file = real("widerface/wider_face_split/wider_face_test.mat");
    // m['__header__'] -> PCWIN64, 2015
    assert!(file.header_text.contains("PCWIN64"));
    // [k for k in m if not k.startswith('__')] -> ['event_list', 'file_list']
    assert_eq!(
        file.names().collect::<Vec<_>>(),
        ["event_list", "file_list"]
    );
    // m['event_list'].shape -> (61, 1)
    assert_eq!(file.get("event_list")?.dims().as_ref(), &[61, 1]);
    // sum(c.shape[0] for c in m['file_list'][:,0]) -> 16097
    assert_eq!(total_rows(&file, "file_list")?, 16097);
    for event in file.get("file_list")?.as_cell()? {
        event.as_cell()?.strs()?;
    }
    Ok(())
}

/// `gt_list` holds, per image, the 1-based indices of the faces kept in that subset. The
/// class is double; MATLAB stored the values as uint8 or uint16 (what scipy reports
/// without `mat_dtype=True`), so this also exercises storage narrower than the class.
fn check_gt_list(rel: &str, faces: usize, empty: usize, index_sum: f64) {
    let file = real(rel);
    let (mut kept, mut empties, mut sum) = (0, 0, 0.0);
    let gt = file
        .get("gt_list")
        .and_then(Value::as_cell)
        .expect("gt_list");
    for event in gt {
        for entry in event.as_cell().expect("cell of cells") {
            let indices = entry.as_numeric().expect("numeric");
            assert_eq!(indices.class(), NumericClass::Double, "{rel}");
            kept += indices.len();
            empties += usize::from(indices.is_empty());
            sum += indices
                .column_major::<f64>()
                .expect("double")
                .iter()
                .sum::<f64>();
        }
    }
    assert_eq!((kept, empties, sum), (faces, empty, index_sum), "{rel}");
}

#[test]
fn wider_eval_ground_truth_subsets() {
    // g=m['gt_list']; sum(x[0].shape[0] for c in g[:,0] for x in c),
    // sum(1 for c in g[:,0] for x in c if x[0].size==0)
    // -> easy 7211, 622; medium 13319, 207; hard 31958, 7
    // with m=s.loadmat(..., mat_dtype=True): int(sum(x[0].sum() for c in g[:,0] for x in c))
    // -> easy 54635, medium 172803, hard 1677685
    let dir = "widerface/eval_tools_ground_truth";
    check_gt_list(&format!("{dir}/wider_easy_val.mat"), 7211, 622, 54635.0);
    check_gt_list(&format!("{dir}/wider_medium_val.mat"), 13319, 207, 172803.0);
    check_gt_list(&format!("{dir}/wider_hard_val.mat"), 31958, 7, 1677685.0);
}

#[test]
fn flowers_doubles_stored_as_small_integers() -> Result<(), MatError> {
    // MATLAB stored these doubles as uint8 / uint16; scipy's loadmat keeps the storage
    // type unless mat_dtype=True, so the oracle below uses mat_dtype=True.
    let labels = real("flowers102/imagelabels.mat");
    let l = labels.get("labels")?.as_numeric()?;
    assert_eq!(l.class(), NumericClass::Double);
    // v=s.loadmat('flowers102/imagelabels.mat', mat_dtype=True)['labels']; v.shape, v.sum(),
    // v.min(), v.max(), v[0,:5] -> (1, 8189) 466705.0 1.0 102.0 [77. 77. 77. 77. 77.]
    assert_eq!(l.dims().as_ref(), &[1, 8189]);
    let v = l.column_major::<f64>()?;
    assert_eq!(v.iter().sum::<f64>(), 466705.0);
    assert_eq!(v.iter().copied().fold(f64::INFINITY, f64::min), 1.0);
    assert_eq!(v.iter().copied().fold(0.0, f64::max), 102.0);
    assert_eq!(&v[..5], &[77.0; 5]);

    let setid = real("flowers102/setid.mat");
    // m=s.loadmat('flowers102/setid.mat', mat_dtype=True); [(k, v.shape, v.sum(), v[0,:3]) ...]
    // -> trnid (1,1020) 5073294 [6765 6755 6768]; valid (1,1020) 5056562 [6773 6767 6739];
    //    tstid (1,6149) 23404099 [6734 6735 6737]
    for (name, len, sum, head) in [
        ("trnid", 1020, 5073294.0, [6765.0, 6755.0, 6768.0]),
        ("valid", 1020, 5056562.0, [6773.0, 6767.0, 6739.0]),
        ("tstid", 6149, 23404099.0, [6734.0, 6735.0, 6737.0]),
    ] {
        let a = setid.get(name)?.as_numeric()?;
        assert_eq!(a.class(), NumericClass::Double, "{name}");
        assert_eq!(a.dims().as_ref(), &[1, len], "{name}");
        let v = a.column_major::<f64>()?;
        assert_eq!(v.iter().sum::<f64>(), sum, "{name}");
        assert_eq!(&v[..3], &head, "{name}");
    }
    Ok(())
}

#[test]
fn imdb_wiki_sample_struct() -> Result<(), MatError> {
    let file = real("imdb-wiki/wiki_sample.mat");
    // m['__header__'] -> 'MATLAB 5.0 MAT-file Platform: posix, ...' (scipy: no comma)
    assert!(
        file.header_text
            .starts_with("MATLAB 5.0 MAT-file Platform: posix")
    );
    let wiki = file.get("wiki")?;
    // m['wiki'][0,0].dtype.names
    assert_eq!(
        wiki.as_struct()?.field_names(),
        [
            "dob",
            "photo_taken",
            "full_path",
            "gender",
            "name",
            "face_location",
            "face_score",
            "second_face_score"
        ]
    );
    // w=m['wiki'][0,0]; w['dob'].dtype, w['dob'].tolist()
    let dob = wiki.field("dob")?.as_numeric()?;
    assert_eq!(dob.class(), NumericClass::Int32);
    assert_eq!(
        dob.column_major::<i32>()?,
        &[
            723671, 703186, 711677, 705061, 720044, 715920, 723909, 734139, 658005
        ]
    );
    // w['photo_taken'].dtype -> uint16
    assert_eq!(
        wiki.field("photo_taken")?.as_numeric()?.class(),
        NumericClass::UInt16
    );
    // w['gender'].tolist() -> [1,1,1,1,0,nan,0,1,1]
    let gender = wiki.field("gender")?.to_f64()?;
    assert_eq!(gender.len(), 9);
    assert!(gender[5].is_nan());
    assert_eq!(gender[4], 0.0);
    // w['face_score'].tolist() -> [..., -inf (index 3), ..., -inf (index 7), 0.5]
    let score = wiki.field("face_score")?.to_f64()?;
    assert_eq!(
        (score[3], score[7], score[8]),
        (f64::NEG_INFINITY, f64::NEG_INFINITY, 0.5)
    );
    // w['second_face_score'].tolist()[1] -> 1.9492479052091052; [0] -> nan
    let second = wiki.field("second_face_score")?.to_f64()?;
    assert_eq!(second[1], 1.9492479052091052);
    assert!(second[0].is_nan());
    // [x[0] if x.size else '' for x in w['name'][0]], [x.shape for x in w['name'][0]]
    let names = wiki.field("name")?.as_cell()?;
    assert_eq!(names.dims().as_ref(), &[1, 9]);
    assert_eq!(names[0].as_str()?, "Sami Jauhojärvi");
    assert_eq!(names[3].as_str()?, "Aleksandar Matanović");
    assert_eq!(names[6].as_str()?, "");
    assert_eq!(names[6].dims().as_ref(), &[0, 0]);
    // w['face_location'][0][0].tolist() -> [[111.29109473, 111.29109473, 252.66993082, 252.66993082]]
    let loc = wiki.field("face_location")?.as_cell()?[0].to_f64()?;
    assert_eq!(
        loc,
        [111.29109473, 111.29109473, 252.66993082, 252.66993082]
    );
    // w['full_path'][0][0][0]
    let paths = wiki.field("full_path")?.as_cell()?;
    assert_eq!(paths[0].as_str()?, "17/10000217_1981-05-05_2009.jpg");
    Ok(())
}

#[test]
fn variable_names_without_reading_values() {
    for rel in [
        "widerface/wider_face_split/wider_face_val.mat",
        "widerface/eval_tools_ground_truth/wider_hard_val.mat",
        "flowers102/setid.mat",
        "imdb-wiki/wiki_sample.mat",
    ] {
        let path = format!("{}/../../../shared/real/{rel}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("real file");
        let names = zukan_mat::variable_names(&bytes).expect("names");
        assert_eq!(names, real(rel).names().collect::<Vec<_>>(), "{rel}");
    }
}
