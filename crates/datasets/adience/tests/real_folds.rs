//! The five real fold files (`shared/real/adience/fold_{0..4}_data.txt`, byte-exact copies
//! from the authors' GilLevi/AgeGenderDeepLearning, see SOURCES.md), read through the loader.
//!
//! Every expected number below was derived in shared/real/adience with shell tools, not with
//! this crate. "Unique rows" means `for n in 0 1 2 3 4; do tail -n +2 fold_${n}_data.txt |
//! sort -u; done > /tmp/adience_unique.txt` (19,370 lines; no row repeats across folds, since
//! the folds share no user).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use zukan_adience::{Adience, ImageVariant, ParseError, load_fold, parse_fold};
use zukan_schema::{Age, AttrValue, Dataset, Gender, Split};

const ROOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../../shared/real/adience"
);

/// Data rows per fold: `tail -n +2 fold_N_data.txt | wc -l` (the research notes give the same
/// 4497/3746/3954/3460/3835 lines with the header).
const ROWS: [usize; 5] = [4496, 3745, 3953, 3459, 3834];
/// Distinct rows per fold: `tail -n +2 fold_N_data.txt | sort -u | wc -l`.
const UNIQUE: [usize; 5] = [4484, 3730, 3894, 3446, 3816];
/// Distinct users per fold: `tail -n +2 fold_N_data.txt | cut -f1 | sort -u | wc -l`.
const USERS: [usize; 5] = [34, 34, 34, 33, 33];

fn parse_real(fold: u8) -> zukan_adience::Parsed {
    let path = format!("{ROOT}/fold_{fold}_data.txt");
    let reader = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let name = format!("fold_{fold}_data.txt");
    parse_fold(reader, &name, Split::Fold(fold), ImageVariant::Faces).unwrap()
}

#[test]
fn the_five_folds_give_19487_rows_and_the_derived_counts() {
    let mut rows = 0;
    let mut ids = HashSet::new();
    let mut users_by_fold: Vec<HashSet<String>> = Vec::new();
    let mut genders: HashMap<Option<Gender>, usize> = HashMap::new();
    let (mut ranges, mut years, mut unknown_age, mut in_group) = (0, 0, 0, 0);
    let mut by_group = [0usize; 8];
    let mut diagnostics: HashMap<&'static str, usize> = HashMap::new();
    for fold in 0..=4u8 {
        let parsed = parse_real(fold);
        let i = usize::from(fold);
        assert_eq!(parsed.rows, ROWS[i], "fold {fold} rows");
        assert_eq!(parsed.faces.len(), UNIQUE[i], "fold {fold} faces");
        rows += parsed.rows;
        let mut users = HashSet::new();
        for s in parsed.samples() {
            assert_eq!(s.split, Split::Fold(fold));
            assert!(ids.insert(s.id.clone()), "{} twice", s.id);
            users.insert(s.identity.clone().unwrap());
            *genders.entry(s.gender).or_default() += 1;
            match s.age {
                Some(Age::Range(..)) => ranges += 1,
                Some(Age::Years(_)) => years += 1,
                None => unknown_age += 1,
            }
            if let Some(AttrValue::Int(group)) = s.attrs.get("age_group") {
                in_group += 1;
                by_group[*group as usize] += 1;
            }
            assert!(s.image.path().starts_with("faces/"));
            assert!(s.objects.is_empty());
        }
        assert_eq!(users.len(), USERS[i], "fold {fold} users");
        users_by_fold.push(users);
        for d in &parsed.diagnostics {
            let kind = if d.message.ends_with("exactly; kept once") {
                "repeat"
            } else if d.message
                == "age `(25, 23)` is an inverted range (25 above 23); age left unknown"
            {
                "inverted (25, 23)"
            } else {
                panic!("unexpected diagnostic {d}")
            };
            *diagnostics.entry(kind).or_default() += 1;
        }
    }
    // The count the issue states.
    assert_eq!(rows, 19_487);
    assert_eq!(ids.len(), 19_370);
    // Subject-disjoint folds: 168 users (`cut -f1 /tmp/adience_unique.txt | sort -u | wc -l`).
    let all: HashSet<&String> = users_by_fold.iter().flatten().collect();
    assert_eq!(all.len(), 168);
    // `awk -F'\t' '{print "["$5"]"}' /tmp/adience_unique.txt | sort | uniq -c`:
    // 9368 f, 8124 m, 1099 u, 779 empty. (Over all 19,487 rows, with repeats, the research
    // notes count 9411 / 8192 / 1100 / 784.)
    let expected: HashMap<Option<Gender>, usize> = [
        (Some(Gender::Female), 9368),
        (Some(Gender::Male), 8124),
        (Some(Gender::Unknown), 1099),
        (None, 779),
    ]
    .into();
    assert_eq!(genders, expected);
    // Age forms over the unique rows (awk on field 4: `^\([0-9]+, [0-9]+\)$` split into
    // increasing / inverted, `^[0-9]+$`, the rest): 17451 ranges, 72 inverted `(25, 23)`,
    // 1099 numbers, 748 `None`. Unknown = None + inverted.
    assert_eq!((ranges, years, unknown_age), (17_451, 1_099, 748 + 72));
    // `awk -F'\t' '{print $4}' /tmp/adience_unique.txt | grep -cxE
    // '\((0, 2|4, 6|8, 12|15, 20|25, 32|38, 43|48, 53|60, 100)\)'`: 17321 are one of the eight
    // groups exactly. `age_group` is set wherever the age lies wholly inside a group, which
    // adds (`awk -F'\t' '{print $4}' /tmp/adience_unique.txt | sort | uniq -c`) 77 `(27, 32)`,
    // 11 `29`, 3 `32` (group 4); 46 `(38, 42)`, 1 `42` (group 5); 3 `2` (group 0):
    // 17321 + 141 = 17462. The same by containment in one awk pass:
    //   awk -F'\t' 'BEGIN{n=split("0 2 4 6 8 12 15 20 25 32 38 43 48 53 60 100",g," ")}
    //     {a=$4; lo=-1; if (a ~ /^\([0-9]+, [0-9]+\)$/) {gsub(/[()]/,"",a); split(a,r,", ");
    //     lo=r[1]+0; hi=r[2]+0} else if (a ~ /^[0-9]+$/) {lo=a+0; hi=a+0}
    //     if (lo>=0 && lo<=hi) for(i=1;i<n;i+=2) if (g[i]<=lo && hi<=g[i+1]) byg[(i-1)/2]++}
    //     END{for (k in byg) print k, byg[k]}' /tmp/adience_unique.txt | sort
    //   → 0 2491, 1 2140, 2 2124, 3 1642, 4 5023, 5 2340, 6 830, 7 872 (sum 17462)
    assert_eq!(in_group, 17_462);
    assert_eq!(
        by_group,
        [2491, 2140, 2124, 1642, 5023, 2340, 830, 872],
        "samples per age_group"
    );
    // Repeats: 19487 − 19370 = 117 rows, each reported; the inverted ranges: 72.
    let expected: HashMap<&str, usize> = [("repeat", 117), ("inverted (25, 23)", 72)].into();
    assert_eq!(diagnostics, expected);
}

#[test]
fn the_loader_reads_each_fold_and_refuses_other_splits() {
    let loaded = Adience::default()
        .load(Path::new(ROOT), Split::Fold(3))
        .unwrap();
    assert_eq!(loaded.samples.len(), UNIQUE[3]);
    assert_eq!(
        loaded.diagnostics.len(),
        ROWS[3] - UNIQUE[3]
            + loaded
                .samples
                .iter()
                .filter(|s| s.attrs.get("age_text") == Some(&"(25, 23)".into()))
                .count()
    );
    for split in [Split::Fold(5), Split::Train, Split::Val] {
        let err = load_fold(Path::new(ROOT), split, ImageVariant::Faces).unwrap_err();
        assert!(
            matches!(err, ParseError::NoSuchSplit { .. }),
            "{split}: {err}"
        );
    }
    let err = load_fold(
        Path::new("/nonexistent"),
        Split::Fold(0),
        ImageVariant::Faces,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/fold_0_data.txt: cannot open: "),
        "{err}"
    );
}

#[test]
fn truncated_and_garbled_copies_never_panic() {
    let real = std::fs::read(format!("{ROOT}/fold_2_data.txt")).unwrap();
    let real = &real[..real.len().min(40_000)];
    let parse = |bytes: &[u8]| {
        parse_fold(bytes, "f.txt", Split::Fold(2), ImageVariant::Aligned).map(|p| p.faces.len())
    };
    for cut in (0..real.len()).step_by(211) {
        let _ = parse(&real[..cut]);
    }
    let mut garbled = real.to_vec();
    for (i, at) in (0..real.len()).step_by(389).enumerate() {
        garbled[at] = [0u8, b'\n', b'\t', 0xff, b'(', b',', b'/', b'\r'][i % 8];
        let _ = parse(&garbled);
    }
    let _ = parse(&[0xff; 64]);
    let _ = parse(b"\t\t\t\n\n(");
}

#[test]
fn a_real_fold_saved_with_a_bom_reads_the_same() {
    // A leading UTF-8 BOM made the header unrecognised, so the whole fold was refused.
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(std::fs::read(format!("{ROOT}/fold_0_data.txt")).unwrap());
    let parsed = parse_fold(
        bytes.as_slice(),
        "fold_0_data.txt",
        Split::Fold(0),
        ImageVariant::Faces,
    )
    .unwrap();
    assert_eq!(parsed, parse_real(0));
    assert_eq!(parsed.rows, ROWS[0]);
}
