//! The real `.mat` files in `shared/real/`, checked against numbers derived with scipy.
//! Each `// $` comment is the command that printed the numbers asserted below it (its
//! output after `->`), run from `shared/real/` with `python` being
//! `/work/venv-torch/bin/python` (scipy 1.17.1, numpy 2.4.6). `mat_dtype=True` makes scipy
//! report each array's MATLAB class rather than the narrower type it was stored in.

use zukan_mat::{MatError, MatFile, NumericArray, NumericClass, Value};

fn real_path(rel: &str) -> String {
    format!("{}/../../../shared/real/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn real(rel: &str) -> MatFile {
    let path = real_path(rel);
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
    // $ python -c "import scipy.io as s; print(s.loadmat('widerface/wider_face_split/wider_face_val.mat')['__header__'])"
    assert_eq!(
        file.header_text,
        "MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Fri Mar 31 13:42:13 2017"
    );
    // Sorted: our order is the file's.
    // $ python -c "import scipy.io as s; print(sorted(k for k in s.loadmat('widerface/wider_face_split/wider_face_val.mat') if k[0] != '_'))"
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
    // $ python -c "import scipy.io as s; m=s.loadmat('widerface/wider_face_split/wider_face_val.mat'); print(m['event_list'].shape, m['event_list'][0,0][0], sum(c.shape[0] for c in m['file_list'][:,0]), m['file_list'][0,0][0,0][0])"
    // -> (61, 1) 0--Parade 3226 0_Parade_marchingband_1_465
    assert_eq!(events.dims().as_ref(), &[61, 1]);
    assert_eq!(events[0].as_str()?, "0--Parade");
    assert_eq!(total_rows(&file, "file_list")?, 3226);
    // File names have no .jpg.
    let files = file.get("file_list")?.as_cell()?;
    assert_eq!(
        files[0].as_cell()?[0].as_str()?,
        "0_Parade_marchingband_1_465"
    );
    // $ python -c "import scipy.io as s; m=s.loadmat('widerface/wider_face_split/wider_face_val.mat', mat_dtype=True); b=m['face_bbx_list']; print(sum(x[0].shape[0] for c in b[:,0] for x in c), b[0,0][0,0].dtype, b[0,0][0,0].shape, b[0,0][0,0][:2].tolist())"
    // -> 39708 int32 (126, 4) [[345, 211, 4, 4], [331, 126, 3, 3]]
    assert_eq!(total_rows(&file, "face_bbx_list")?, 39708);
    let boxes = file.get("face_bbx_list")?.as_cell()?;
    let first = boxes[0].as_cell()?[0].as_numeric()?;
    assert_eq!(first.class(), NumericClass::Int32);
    assert_eq!(first.dims().as_ref(), &[126, 4]);
    assert_eq!(first.get_f64(&[1, 0])?, 331.0);
    assert_eq!(first.get_f64(&[0, 1])?, 211.0);
    assert_eq!(&first.column_major::<i32>()?[..2], &[345, 331]);
    // $ python -c "import scipy.io as s; b=s.loadmat('widerface/wider_face_split/wider_face_val.mat', mat_dtype=True)['blur_label_list'][0,0][0,0]; print(b.dtype, b.shape)"
    // -> uint8 (126, 1)
    let blur = file.get("blur_label_list")?.as_cell()?[0].as_cell()?[0].as_numeric()?;
    assert_eq!(blur.class(), NumericClass::UInt8);
    assert_eq!(blur.dims().as_ref(), &[126, 1]);
    Ok(())
}

/// One image of `wider_face_val_bbx_gt.txt`: its path, then the face count, then one line
/// per face, `x y w h blur expression illumination invalid occlusion pose` (an image with
/// no face has one line of zeros instead). Rows keep their 1-based line numbers.
struct TextImage {
    path: String,
    rows: Vec<(usize, [i64; 10])>,
}

fn parse_bbx_gt(text: &str) -> Vec<TextImage> {
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l));
    let mut images = Vec::new();
    while let Some((_, path)) = lines.next() {
        let (k, count) = lines.next().expect("a face count after each path");
        let count: usize = count
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("line {k}: face count {count:?}: {e}"));
        let mut rows = Vec::new();
        for _ in 0..count.max(1) {
            let (k, line) = lines.next().expect("a line per face");
            let fields: Vec<i64> = line
                .split_whitespace()
                .map(|x| x.parse().unwrap_or_else(|e| panic!("line {k}: {x:?}: {e}")))
                .collect();
            let row: [i64; 10] = fields
                .try_into()
                .unwrap_or_else(|f: Vec<i64>| panic!("line {k}: {} fields", f.len()));
            if count > 0 {
                rows.push((k, row));
            }
        }
        images.push(TextImage {
            path: path.to_string(),
            rows,
        });
    }
    images
}

/// The .mat's boxes and labels, image by image in file order, against
/// `wider_face_val_bbx_gt.txt`: everything agrees except one row the authors changed.
#[test]
fn wider_face_val_agrees_with_text_ground_truth_but_one_row() -> Result<(), MatError> {
    let file = real("widerface/wider_face_split/wider_face_val.mat");
    let gt_path = real_path("widerface/wider_face_split/wider_face_val_bbx_gt.txt");
    let text = std::fs::read_to_string(&gt_path).unwrap_or_else(|e| panic!("{gt_path}: {e}"));
    let expected = parse_bbx_gt(&text);
    // $ grep -c '\.jpg$' widerface/wider_face_split/wider_face_val_bbx_gt.txt
    // -> 3226
    assert_eq!(expected.len(), 3226);
    let events = file.get("event_list")?.as_cell()?;
    let files = file.get("file_list")?.as_cell()?;
    let mut columns = Vec::new();
    for name in [
        "face_bbx_list",
        "blur_label_list",
        "expression_label_list",
        "illumination_label_list",
        "invalid_label_list",
        "occlusion_label_list",
        "pose_label_list",
    ] {
        columns.push(file.get(name)?.as_cell()?);
    }
    let mut expected = expected.iter();
    let (mut compared, mut differ) = (0, Vec::new());
    for (e, event) in events.iter().enumerate() {
        for (f, name) in files[e].as_cell()?.iter().enumerate() {
            let path = format!("{}/{}.jpg", event.as_str()?, name.as_str()?);
            let want = expected.next().expect("as many images in the text");
            assert_eq!(path, want.path);
            let parts = columns
                .iter()
                .map(|c| c[e].as_cell()?[f].as_numeric())
                .collect::<Result<Vec<&NumericArray>, _>>()?;
            let (boxes, labels) = (parts[0], &parts[1..]);
            assert_eq!(boxes.dims()[0], want.rows.len(), "{path}");
            for (r, &(line, want_row)) in want.rows.iter().enumerate() {
                let mut row = [0i64; 10];
                for (j, v) in row.iter_mut().take(4).enumerate() {
                    *v = boxes.get_f64(&[r, j])? as i64;
                }
                for (v, label) in row.iter_mut().skip(4).zip(labels) {
                    *v = label.get_f64(&[r, 0])? as i64;
                }
                compared += 1;
                if row != want_row {
                    differ.push((line, path.clone(), e, f, r, row, want_row));
                }
            }
        }
    }
    assert!(expected.next().is_none(), "more images in the text");
    // As many as the .mat holds (see wider_face_val_events_files_and_boxes).
    assert_eq!(compared, 39708);
    // The .mat written out in the text's format, against the text:
    // $ python -c "import scipy.io as s,numpy as n;m=s.loadmat('widerface/wider_face_split/wider_face_val.mat');K=['face_bbx_list']+[k+'_label_list' for k in 'blur expression illumination invalid occlusion pose'.split()];[print(f'{m[\"event_list\"][e,0][0]}/{m[\"file_list\"][e,0][f,0][0]}.jpg\n{len(m[K[0]][e,0][f,0])}'+''.join('\n'+' '.join(map(str,r))+' ' for r in n.hstack([m[k][e,0][f,0] for k in K]))) for e in range(61) for f in range(len(m['file_list'][e,0]))]" | diff - widerface/wider_face_split/wider_face_val_bbx_gt.txt
    // -> 34471c34471 < 1026 474 -2 23 2 0 0 0 2 0 --- > 1026 474 0 23 2 0 0 0 2 0
    // $ grep -n 'iceskiing_39_583.jpg' widerface/wider_face_split/wider_face_val_bbx_gt.txt
    // -> 34462:39--Ice_Skating/39_Ice_Skating_iceskiing_39_583.jpg (so line 34471 is row 7)
    // $ python -c "import scipy.io as s; m=s.loadmat('widerface/wider_face_split/wider_face_val.mat'); e=[x[0][0] for x in m['event_list']].index('39--Ice_Skating'); f=[x[0][0] for x in m['file_list'][e,0]].index('39_Ice_Skating_iceskiing_39_583'); print(e, f)"
    // -> 33 8
    assert_eq!(
        differ,
        [(
            34471,
            "39--Ice_Skating/39_Ice_Skating_iceskiing_39_583.jpg".to_string(),
            33,
            8,
            7,
            [1026, 474, -2, 23, 2, 0, 0, 0, 2, 0],
            [1026, 474, 0, 23, 2, 0, 0, 0, 2, 0],
        )]
    );
    Ok(())
}

#[test]
fn wider_face_test_file_names() -> Result<(), MatError> {
    let file = real("widerface/wider_face_split/wider_face_test.mat");
    // $ python -c "import scipy.io as s; m=s.loadmat('widerface/wider_face_split/wider_face_test.mat'); print(m['__header__'], [k for k in m if k[0] != '_'], m['event_list'].shape, sum(c.shape[0] for c in m['file_list'][:,0]))"
    // -> b'MATLAB 5.0 MAT-file, Platform: PCWIN64, Created on: ... 2015' ['event_list', 'file_list'] (61, 1) 16097
    assert!(file.header_text.contains("PCWIN64"));
    assert_eq!(
        file.names().collect::<Vec<_>>(),
        ["event_list", "file_list"]
    );
    assert_eq!(file.get("event_list")?.dims().as_ref(), &[61, 1]);
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
    // Faces kept, empty entries, sum of the indices and the classes, per subset:
    // $ python -c "import scipy.io as s; [print(d, sum(x[0].size for c in g[:,0] for x in c), sum(x[0].size == 0 for c in g[:,0] for x in c), int(sum(x[0].sum() for c in g[:,0] for x in c)), {x[0].dtype for c in g[:,0] for x in c}) for d in ('easy', 'medium', 'hard') for g in [s.loadmat(f'widerface/eval_tools_ground_truth/wider_{d}_val.mat', mat_dtype=True)['gt_list']]]"
    // -> easy 7211 622 54635 {dtype('<f8')}; medium 13319 207 172803 {dtype('<f8')};
    //    hard 31958 7 1677685 {dtype('<f8')}
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
    // $ python -c "import scipy.io as s; v=s.loadmat('flowers102/imagelabels.mat', mat_dtype=True)['labels']; print(s.whosmat('flowers102/imagelabels.mat'), s.loadmat('flowers102/imagelabels.mat')['labels'].dtype, v.shape, v.sum(), v.min(), v.max(), v[0,:5])"
    // -> [('labels', (1, 8189), 'double')] uint8 (1, 8189) 466705.0 1.0 102.0 [77. 77. 77. 77. 77.]
    assert_eq!(l.class(), NumericClass::Double);
    assert_eq!(l.dims().as_ref(), &[1, 8189]);
    let v = l.column_major::<f64>()?;
    assert_eq!(v.iter().sum::<f64>(), 466705.0);
    assert_eq!(v.iter().copied().fold(f64::INFINITY, f64::min), 1.0);
    assert_eq!(v.iter().copied().fold(0.0, f64::max), 102.0);
    assert_eq!(&v[..5], &[77.0; 5]);

    let setid = real("flowers102/setid.mat");
    // $ python -c "import scipy.io as s; m=s.loadmat('flowers102/setid.mat', mat_dtype=True); print(s.whosmat('flowers102/setid.mat'), [(k, m[k].shape, m[k].sum(), m[k][0,:3].tolist()) for k in ('trnid', 'valid', 'tstid')])"
    // -> all 'double'; trnid (1, 1020) 5073294.0 [6765, 6755, 6768]; valid (1, 1020) 5056562.0
    //    [6773, 6767, 6739]; tstid (1, 6149) 23404099.0 [6734, 6735, 6737]
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
    // Every value below but the name dimensions (printed in the order asserted):
    // $ python -c "import scipy.io as s; m=s.loadmat('imdb-wiki/wiki_sample.mat', mat_dtype=True); w=m['wiki'][0,0]; print(m['__header__'], w.dtype.names, w['dob'].dtype, w['dob'].tolist(), w['photo_taken'].dtype, w['gender'].tolist(), w['face_score'].tolist(), w['second_face_score'].tolist(), [(x[0] if x.size else '', x.shape) for x in w['name'][0]], w['face_location'][0][0].tolist(), w['full_path'][0][0][0])"
    // (scipy writes no comma after MAT-file)
    assert!(
        file.header_text
            .starts_with("MATLAB 5.0 MAT-file Platform: posix")
    );
    let wiki = file.get("wiki")?;
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
    let dob = wiki.field("dob")?.as_numeric()?;
    assert_eq!(dob.class(), NumericClass::Int32);
    assert_eq!(
        dob.column_major::<i32>()?,
        &[
            723671, 703186, 711677, 705061, 720044, 715920, 723909, 734139, 658005
        ]
    );
    assert_eq!(
        wiki.field("photo_taken")?.as_numeric()?.class(),
        NumericClass::UInt16
    );
    let gender = wiki.field("gender")?.to_f64()?;
    assert_eq!(gender.len(), 9);
    assert!(gender[5].is_nan());
    assert_eq!(gender[4], 0.0);
    let score = wiki.field("face_score")?.to_f64()?;
    assert_eq!(
        (score[3], score[7], score[8]),
        (f64::NEG_INFINITY, f64::NEG_INFINITY, 0.5)
    );
    let second = wiki.field("second_face_score")?.to_f64()?;
    assert_eq!(second[1], 1.9492479052091052);
    assert!(second[0].is_nan());
    let names = wiki.field("name")?.as_cell()?;
    assert_eq!(names.dims().as_ref(), &[1, 9]);
    assert_eq!(names[0].as_str()?, "Sami Jauhojärvi");
    assert_eq!(names[3].as_str()?, "Aleksandar Matanović");
    assert_eq!(names[6].as_str()?, "");
    // $ python -c "import scipy.io as s; n=s.loadmat('imdb-wiki/wiki_sample.mat', chars_as_strings=False)['wiki'][0,0]['name']; print(n.shape, n[0,6].shape)"
    // -> (1, 9) (0, 0)
    assert_eq!(names[6].dims().as_ref(), &[0, 0]);
    let loc = wiki.field("face_location")?.as_cell()?[0].to_f64()?;
    assert_eq!(
        loc,
        [111.29109473, 111.29109473, 252.66993082, 252.66993082]
    );
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
