//! The parsers against the WHOLE real annotation files the authors published (copies in
//! `shared/real/widerface/`, beside the checkout; see its `SOURCES.md` for repo, commit and
//! sha256). Every expected number was derived from the file by an independent command, shown
//! beside its assertion (run in `shared/real/widerface/wider_face_split/`, `F=wider_face_val_bbx_gt.txt`).

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use zukan_schema::{AttrValue, BBox, Split};
use zukan_widerface::{
    EVENTS, WiderFace, event_of, load_split, parse_bbx_gt, parse_test_filelist, validate,
};

/// `shared/` sits beside the checkout (CI: /work/shared next to /work/main).
fn real_root() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/real/widerface"
    ))
}

fn open(name: &str) -> BufReader<File> {
    let path = real_root().join("wider_face_split").join(name);
    let file = File::open(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (shared/ must sit beside the checkout)",
            path.display()
        )
    });
    BufReader::new(file)
}

fn attr_sum(parsed: &zukan_widerface::Parsed, name: &str) -> i64 {
    parsed
        .samples()
        .flat_map(|s| &s.objects)
        .map(|o| match o.attrs[name] {
            AttrValue::Int(v) => v,
            ref other => panic!("{name} is {other:?}"),
        })
        .sum()
}

#[test]
fn val_ground_truth_counts_match_the_real_file() {
    let parsed = parse_bbx_gt(
        open("wider_face_val_bbx_gt.txt"),
        "wider_face_val_bbx_gt.txt",
        Split::Val,
    )
    .unwrap();
    // grep -c '\.jpg$' $F                                          → 3226
    assert_eq!(parsed.images.len(), 3226);
    let faces: Vec<_> = parsed.samples().flat_map(|s| &s.objects).collect();
    // awk 'NF==10 && $0 !~ /^0 0 0 0 0 0 0 0 0 0 *$/' $F | wc -l  → 39704 (39708 rows - 4 placeholders)
    assert_eq!(faces.len(), 39704);
    // awk 'NF==10 && $8==1' $F | wc -l                             → 585
    assert_eq!(faces.iter().filter(|o| o.ignore).count(), 585);
    // awk '/\.jpg$/ {img=$0; getline n; if (n==1) {getline r; if (r ~ /^0 0 0 0 0 0 0 0 0 0 *$/) print img}}' $F
    //                                                              → 4 images, listed below
    let no_face: Vec<&str> = parsed
        .samples()
        .filter(|s| s.objects.is_empty())
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        no_face,
        [
            "0--Parade/0_Parade_Parade_0_275",
            "37--Soccer/37_Soccer_soccer_ball_37_281",
            "50--Celebration_Or_Party/50_Celebration_Or_Party_houseparty_50_715",
            "7--Cheering/7_Cheering_Cheering_7_426",
        ]
    );
    // awk 'NF==10 && ($3<=0||$4<=0) && $0 !~ /^0 0 0 0 0 0 0 0 0 0 *$/' $F | wc -l  → 7
    assert_eq!(faces.iter().filter(|o| o.bbox.is_degenerate()).count(), 7);
    // awk 'NF==10 && ($1<0||$2<0)' $F | wc -l                     → 0 (no box starts outside
    // the image, so validation reports none; `$1 ~ /^-/ || $2 ~ /^-/` gives 0 as well)
    assert_eq!(
        faces
            .iter()
            .filter(|o| o.bbox.x < 0.0 || o.bbox.y < 0.0)
            .count(),
        0
    );
    assert!(
        !validate(&parsed)
            .iter()
            .any(|d| d.message.contains("starts outside the image"))
    );
    // awk 'NF==10 {b+=$5;e+=$6;i+=$7;v+=$8;o+=$9;p+=$10} END{print b,e,i,v,o,p}' $F
    //                                                              → 57663 400 2298 585 24607 1655
    let sums: Vec<i64> = [
        "blur",
        "expression",
        "illumination",
        "invalid",
        "occlusion",
        "pose",
    ]
    .iter()
    .map(|a| attr_sum(&parsed, a))
    .collect();
    assert_eq!(sums, [57663, 400, 2298, 585, 24607, 1655]);
    // awk 'NF==10 {x+=$1;y+=$2;w+=$3;h+=$4} END{print x,y,w,h}' $F → 19656595 10721879 1159126 1493079
    let mut xywh = [0i64; 4];
    for o in &faces {
        for (sum, v) in xywh
            .iter_mut()
            .zip([o.bbox.x, o.bbox.y, o.bbox.w, o.bbox.h])
        {
            *sum += v as i64;
        }
    }
    assert_eq!(xywh, [19656595, 10721879, 1159126, 1493079]);
    // grep '\.jpg$' $F | cut -d/ -f1 | sort -u | wc -l             → 61
    let events: BTreeSet<&str> = parsed.samples().filter_map(|s| event_of(&s.id)).collect();
    assert_eq!(events.len(), 61);
    // Repeated images (the parser keeps the first and reports each repeat). Only the val
    // ground truth is in shared/ (no train copy): in shared/real/widerface/wider_face_split,
    // awk '/\.jpg$/' wider_face_*_bbx_gt.txt | sort | uniq -d | wc -l  → 0
    let ids: HashSet<&str> = parsed.samples().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 3226);
    let repeats = parsed
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("is listed again"))
        .count();
    assert_eq!(repeats, 0);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    // Every event folder is one of EVENTS, so validation reports no unknown event:
    // awk '/\.jpg$/ {split($0,a,"/"); print a[1]}' $F | sort -u | wc -l  → 61 (= EVENTS)
    assert!(
        !validate(&parsed)
            .iter()
            .any(|d| d.message.contains("none of the 61"))
    );
}

#[test]
fn val_ground_truth_places_match_the_real_file() {
    let parsed = parse_bbx_gt(
        open("wider_face_val_bbx_gt.txt"),
        "wider_face_val_bbx_gt.txt",
        Split::Val,
    )
    .unwrap();
    // head -3 $F: the first image, its count 126 and its first row.
    let first = &parsed.images[0];
    assert_eq!(
        (
            first.line,
            first.sample.id.as_str(),
            first.sample.objects.len()
        ),
        (1, "0--Parade/0_Parade_marchingband_1_465", 126)
    );
    assert_eq!(
        first.sample.objects[0].bbox,
        BBox::new(345.0, 211.0, 4.0, 4.0)
    );
    // grep -n '\.jpg$' $F | tail -1                                → 46156:9--Press_Conference/9_Press_Conference_Press_Conference_9_183.jpg
    let last = parsed.images.last().unwrap();
    assert_eq!(
        (last.line, last.sample.id.as_str()),
        (
            46156,
            "9--Press_Conference/9_Press_Conference_Press_Conference_9_183"
        )
    );
    // grep -n '0_Parade_Parade_0_275.jpg' $F                      → 1221 (the first no-face image)
    assert!(
        parsed
            .images
            .iter()
            .any(|i| i.line == 1221 && i.sample.objects.is_empty())
    );
    // awk 'NF==10 && ($3<=0||$4<=0) {print NR": "$0}' $F | sed -n 2p → 2803: 706 94 0 1 2 0 0 0 1 0 (image at 2751, so box 51)
    let diagnostics = validate(&parsed);
    assert_eq!(diagnostics.len(), 7, "{diagnostics:#?}");
    assert_eq!(
        diagnostics[0].to_string(),
        "wider_face_val_bbx_gt.txt:2803: box 51 of `0--Parade/0_Parade_Parade_0_317` is degenerate: x=706 y=94 w=0 h=1 (kept as written)"
    );
}

#[test]
fn a_wrong_count_in_the_real_file_names_the_count_line_and_the_next_image() {
    // The review's copy with line 2 (`126`) changed to `999999` was reported as
    // `:129: expected 10 integers, found 1`, naming neither the count nor the image.
    // sed -n 129p $F                                               → 0--Parade/0_Parade_Parade_0_628.jpg
    let mut text = String::new();
    std::io::Read::read_to_string(&mut open("wider_face_val_bbx_gt.txt"), &mut text).unwrap();
    let text = text.replacen("\n126\n", "\n999999\n", 1);
    let err = parse_bbx_gt(text.as_bytes(), "wider_face_val_bbx_gt.txt", Split::Val).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wider_face_val_bbx_gt.txt:2: `0--Parade/0_Parade_marchingband_1_465` declares 999999 \
         boxes, but line 129 is the next image path (`0--Parade/0_Parade_Parade_0_628.jpg`) \
         after 126 rows"
    );
}

#[test]
fn the_real_files_with_a_leading_bom_parse_the_same() {
    // A copy saved by an editor that adds a UTF-8 BOM put it into the first id.
    for (name, images) in [
        ("wider_face_val_bbx_gt.txt", 3226),
        ("wider_face_test_filelist.txt", 16097),
    ] {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        std::io::Read::read_to_end(&mut open(name), &mut bytes).unwrap();
        let parsed = if name.contains("test") {
            parse_test_filelist(bytes.as_slice(), name)
        } else {
            parse_bbx_gt(bytes.as_slice(), name, Split::Val)
        }
        .unwrap();
        assert_eq!(parsed.images.len(), images, "{name}");
        assert!(
            parsed.images[0].sample.id.starts_with("0--Parade/"),
            "{name}"
        );
        assert!(
            !validate(&parsed)
                .iter()
                .any(|d| d.message.contains("none of the 61")),
            "{name}"
        );
    }
}

#[test]
fn events_match_the_real_val_ground_truth() {
    // grep '\.jpg$' $F | cut -d/ -f1 | uniq                       → the 61 names of EVENTS, in order
    let parsed = parse_bbx_gt(
        open("wider_face_val_bbx_gt.txt"),
        "wider_face_val_bbx_gt.txt",
        Split::Val,
    )
    .unwrap();
    let mut in_order: Vec<String> = Vec::new();
    for sample in parsed.samples() {
        let AttrValue::Text(event) = &sample.attrs["event"] else {
            panic!("event is not text")
        };
        if in_order.last() != Some(event) {
            in_order.push(event.clone());
        }
    }
    assert_eq!(in_order, EVENTS);
}

#[test]
fn test_filelist_counts_match_the_real_file() {
    let parsed = parse_test_filelist(
        open("wider_face_test_filelist.txt"),
        "wider_face_test_filelist.txt",
    )
    .unwrap();
    // wc -l wider_face_test_filelist.txt                           → 16097
    assert_eq!(parsed.images.len(), 16097);
    assert!(
        parsed
            .samples()
            .all(|s| s.objects.is_empty() && !s.boxed && s.split == Split::Test),
        "the test boxes are withheld, which is not the same as no faces"
    );
    // cut -d/ -f1 wider_face_test_filelist.txt | sort -u | wc -l  → 61
    let events: BTreeSet<&str> = parsed.samples().filter_map(|s| event_of(&s.id)).collect();
    assert_eq!(events.len(), 61);
    // sort wider_face_test_filelist.txt | uniq -d | wc -l          → 0 (no repeat reported)
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    // comm -3 <(cut -d/ -f1 wider_face_test_filelist.txt | sort -u) \
    //         <(grep '\.jpg$' $F | cut -d/ -f1 | sort -u) | wc -l  → 0: the test list uses
    // exactly the val events (= EVENTS), so validation reports no unknown event either.
    assert!(validate(&parsed).is_empty());
}

#[test]
fn the_loader_reads_the_real_tree_and_reports_degenerate_boxes() {
    // shared/real/widerface is laid out as the archives unpack (val and test annotations only).
    let val = load_split(&real_root(), Split::Val).unwrap();
    assert_eq!(val.samples.len(), 3226);
    assert_eq!(val.diagnostics.len(), 7);
    assert!(
        val.diagnostics
            .iter()
            .all(|d| d.file == "wider_face_split/wider_face_val_bbx_gt.txt")
    );
    assert_eq!(
        val.samples[0].image.path(),
        "WIDER_val/images/0--Parade/0_Parade_marchingband_1_465.jpg"
    );
    assert!(
        real_root().join(val.samples[0].image.path()).is_file(),
        "the image path is relative to the root"
    );
    let test = zukan_schema::Dataset::load(&WiderFace, &real_root(), Split::Test).unwrap();
    assert_eq!(test.samples.len(), 16097);
}

#[test]
fn the_loader_names_a_missing_file_and_refuses_folds() {
    // No real train ground truth is in shared/ (it is larger than any copy could carry).
    let err = load_split(&real_root(), Split::Train)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot open ")
            && err.contains("wider_face_split/wider_face_train_bbx_gt.txt"),
        "{err}"
    );
    let err = load_split(&real_root(), Split::Fold(1))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "WIDER Face has no `fold1` split (it has train, val, test)"
    );
}
