//! Headers (v5 in both byte orders, scipy's, v7.3) and the typed errors of well-formed
//! files that hold what this reader refuses, with their locations.

mod writer;

use writer::*;
use zukan_mat::{Corruption, Location, MatError, ReadOptions};

#[test]
fn version_7_3_files_say_so() {
    let mut text_only = header(
        LE,
        "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: x HDF5 schema 1.00 .",
    );
    text_only.resize(600, 0);
    assert_eq!(zukan_mat::read(&text_only), Err(MatError::V73Hdf5));
    let mut signature = header(LE, "some other writer");
    signature.resize(512, 0);
    signature.extend(b"\x89HDF\r\n\x1a\n");
    signature.resize(1024, 0);
    assert_eq!(zukan_mat::read(&signature), Err(MatError::V73Hdf5));
    assert!(MatError::V73Hdf5.to_string().contains("v7.3"));
}

#[test]
fn headers() {
    // scipy writes no comma after "MAT-file".
    let mut scipy = header(
        LE,
        "MATLAB 5.0 MAT-file Platform: posix, Created on: Thu Dec  3 18:18:00 2026",
    );
    scipy.extend(LE.text("t", "ok"));
    let f = zukan_mat::read(&scipy).unwrap();
    assert_eq!(
        f.header_text,
        "MATLAB 5.0 MAT-file Platform: posix, Created on: Thu Dec  3 18:18:00 2026"
    );
    assert_eq!(
        zukan_mat::read(b"MATLAB"),
        Err(MatError::TooShort { len: 6 })
    );
    let mut bad_endian = header(LE, "MATLAB 5.0 MAT-file");
    bad_endian[126..128].copy_from_slice(b"XX");
    assert!(matches!(
        zukan_mat::read(&bad_endian),
        Err(MatError::NotMatV5 { .. })
    ));
    let mut bad_version = header(LE, "MATLAB 5.0 MAT-file");
    bad_version[124] = 7;
    assert!(matches!(
        zukan_mat::read(&bad_version),
        Err(MatError::NotMatV5 { .. })
    ));
    // A header and nothing else is a file with no variables.
    assert!(
        zukan_mat::read(&header(BE, "x"))
            .unwrap()
            .variables
            .is_empty()
    );
}

#[test]
fn unsupported_classes_fail_or_are_skipped() {
    let sparse = LE.matrix(SPARSE, 0, &[2, 2], "sp", &[]);
    let object = LE.matrix(OBJECT, 0, &[1, 1], "obj", &[]);
    for (element, what) in [(sparse, "sparse"), (object, "objects")] {
        let bytes = file(
            LE,
            &[
                LE.text("a", "kept"),
                compressed(LE, &element),
                LE.text("b", "also kept"),
            ],
        );
        match zukan_mat::read(&bytes) {
            Err(MatError::Unsupported { what: w, at }) => {
                assert!(w.contains(what), "{w}");
                // `a` takes 64 bytes from 128 (tag 8, flags 16, dims 16, name 8, data 16); the
                // compressed element follows at 192, and the array starts its stream.
                assert_eq!(
                    at,
                    Location::Compressed {
                        element: 192,
                        offset: 0
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        let options = ReadOptions {
            skip_unsupported: true,
            ..ReadOptions::default()
        };
        let f = zukan_mat::read_with(&bytes, &options).unwrap();
        assert_eq!(f.names().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(f.skipped.len(), 1);
    }
}

#[test]
fn errors_inside_compressed_elements_give_both_offsets() {
    // Class 99 does not exist; the array flags sit 8 bytes into the inflated stream and the
    // class byte 8 bytes after that.
    let mut element = LE.text("t", "x");
    element[16] = 99;
    let bytes = file(LE, &[LE.text("a", "b"), compressed(LE, &element)]);
    let err = zukan_mat::read(&bytes).unwrap_err();
    assert_eq!(
        err.location(),
        Some(Location::Compressed {
            element: 192,
            offset: 8
        })
    );
    assert_eq!(
        err.to_string(),
        "corrupt at byte 8 of the stream decompressed from the element at byte 192: unknown array class 99"
    );
    // A truncated dimensions element, uncompressed: the error has the file offset.
    let mut short = LE.text("t", "x");
    short[28] = 0x40; // dimensions size 0x40: more than the matrix holds
    let bytes = file(LE, &[short]);
    let err = zukan_mat::read(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            MatError::Truncated {
                at: Location::File(152),
                what: "dimensions",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn data_size_must_match_dimensions() {
    let bytes = file(
        LE,
        &[LE.numeric(DOUBLE, &[1, 3], "a", MI_DOUBLE, &[1.0f64, 2.0])],
    );
    let err = zukan_mat::read(&bytes).unwrap_err();
    assert!(
        err.to_string()
            .contains("dimensions call for 3 elements but the data holds 2"),
        "{err}"
    );
}

/// Fault pinned: char data stored as miUTF8 or miUTF32 was taken as is, whatever the
/// dimensions said, so a 1x100 char array holding "abc" read as "abc" (scipy raises
/// "buffer is too small for requested array"; /tmp/audit3/utf8count.mat).
#[test]
fn char_count_disagreeing_with_dimensions_is_an_error() {
    for enc in [LE, BE] {
        for (ty, data) in [
            (MI_UTF8, b"abc".to_vec()),
            (MI_UTF32, enc.nums(&[0x61u32, 0x62, 0x63])),
            (MI_UINT16, enc.utf16("abc")),
            (MI_UINT8, b"abc".to_vec()),
        ] {
            let element = enc.matrix(CHAR, 0, &[1, 100], "s", &[enc.element(ty, &data)]);
            let what = Corruption::ElementCountMismatch {
                expected: 100,
                found: 3,
            };
            // The char data follows the tag (8), flags (16), dimensions (16) and name (8).
            let plain = zukan_mat::read(&file(enc, std::slice::from_ref(&element)));
            let at = Location::File(128 + 48);
            assert_eq!(
                plain,
                Err(MatError::Corrupt {
                    at,
                    what: what.clone()
                }),
                "type {ty}"
            );
            let packed = zukan_mat::read(&file(enc, &[compressed(enc, &element)]));
            let at = Location::Compressed {
                element: 128,
                offset: 48,
            };
            assert_eq!(packed, Err(MatError::Corrupt { at, what }), "type {ty}");
        }
    }
}

/// MATLAB's dimensions count UTF-16 code units (a non-BMP character counts twice); scipy's
/// `savemat` writes miUTF8 with dimensions in code points: `python -c "import scipy.io as
/// s; s.savemat('e.mat', {'e': 'a😀b'})"` writes dims 1x3. Both counts are accepted.
#[test]
fn non_bmp_text_reads_with_matlab_or_scipy_dimensions() {
    let text = "a😀b";
    for enc in [LE, BE] {
        for n in [3, 4] {
            for (ty, data) in [
                (MI_UTF8, text.as_bytes().to_vec()),
                (MI_UTF32, enc.nums(&[0x61u32, 0x1f600, 0x62])),
            ] {
                let element = enc.matrix(CHAR, 0, &[1, n], "e", &[enc.element(ty, &data)]);
                let f = zukan_mat::read(&file(enc, &[element])).expect("reads");
                assert_eq!(
                    f.get("e").unwrap().as_str().unwrap(),
                    text,
                    "type {ty}, 1x{n}"
                );
            }
        }
    }
}

/// A MAT v4 matrix: five int32s (type MOPT, rows, columns, imaginary flag, name length
/// with its NUL), the name, then the data, all in the byte order the M digit of MOPT names.
fn v4_matrix(big: bool, mopt: i32, rows: i32, cols: i32, name: &str, data: &[u8]) -> Vec<u8> {
    let enc = if big { BE } else { LE };
    let mut out = enc.nums(&[mopt, rows, cols, 0, name.len() as i32 + 1]);
    out.extend(name.as_bytes());
    out.push(0);
    out.extend(data);
    out
}

/// Fault pinned: a MAT v4 file shorter than the 128-byte v5 header got "not a MAT file: 30
/// bytes, shorter than the 128-byte header", and a longer one "no MAT v5 endian indicator
/// (a MAT v4 file, or not a MAT file)": neither said that v4 is what it is.
#[test]
fn mat_v4_files_say_so_at_any_length() {
    // python -c "import scipy.io as s; s.savemat('v4.mat', {'x': 1.0}, format='4')"; xxd v4.mat
    let scipy_scalar: &[u8] = b"\0\0\0\0\x01\0\0\0\x01\0\0\0\0\0\0\0\x02\0\0\0x\0\
                                \0\0\0\0\0\0\xf0\x3f";
    assert_eq!(
        scipy_scalar,
        v4_matrix(false, 0, 1, 1, "x", &LE.num(1.0f64))
    );
    // python -c "import scipy.io as s; s.savemat('v4.mat', {'t': 'hi'}, format='4')"; xxd v4.mat
    // -> MOPT 51 (uint8 text), 24 bytes.
    let text = v4_matrix(false, 51, 1, 2, "t", b"hi");
    // 20 doubles: 182 bytes, longer than a v5 header.
    let long = v4_matrix(false, 0, 1, 20, "x", &LE.nums(&[0.5f64; 20]));
    // M = 1: a big-endian v4 file.
    let big = v4_matrix(true, 1000, 1, 1, "x", &BE.num(1.0f64));
    for (what, bytes) in [
        ("scipy scalar", scipy_scalar.to_vec()),
        ("text", text),
        ("long", long),
        ("big-endian", big),
    ] {
        assert_eq!(zukan_mat::read(&bytes), Err(MatError::V4), "{what}");
        assert_eq!(
            zukan_mat::variable_names(&bytes),
            Err(MatError::V4),
            "{what}"
        );
    }
    assert!(
        MatError::V4
            .to_string()
            .contains("MAT v4 files are not supported")
    );
    // Short input that is not v4 still gets the length.
    assert_eq!(
        zukan_mat::read(&[0u8; 30]),
        Err(MatError::TooShort { len: 30 })
    );
}

/// Fault pinned: an HTML page saved under a .mat name (a login or error page from a mirror)
/// got "endian indicator is [120, 120], not \"IM\" or \"MI\"" or "31 bytes, shorter than the
/// 128-byte header", neither of which says what the file is.
#[test]
fn an_html_or_xml_page_saved_as_mat_says_so() {
    let mut long_page = b"<!DOCTYPE html><html>".to_vec();
    long_page.resize(429, b'x');
    let mut bom_page = b"\xef\xbb\xbf \r\n\t".to_vec();
    bom_page.extend(b"<HTML><head><title>Sign in</title></head></HTML>");
    let cases: [(&str, Vec<u8>, &str, &str, usize); 5] = [
        (
            "short",
            b"<html><body>Login</body></html>".to_vec(),
            "an HTML page",
            "<html",
            0,
        ),
        ("long", long_page, "an HTML page", "<!DOCTYPE", 0),
        (
            "lower case",
            b"<!doctype html>".to_vec(),
            "an HTML page",
            "<!DOCTYPE",
            0,
        ),
        ("BOM and blanks first", bom_page, "an HTML page", "<html", 7),
        (
            "xml",
            b"<?xml version=\"1.0\"?><Error/>".to_vec(),
            "an XML document",
            "<?xml",
            0,
        ),
    ];
    for (what, bytes, kind, start, at) in cases {
        let expected = MatError::MarkupPage {
            at: Location::File(at),
            kind,
            start,
        };
        assert_eq!(zukan_mat::read(&bytes), Err(expected.clone()), "{what}");
        assert_eq!(zukan_mat::variable_names(&bytes), Err(expected), "{what}");
    }
    assert_eq!(
        zukan_mat::read(b"<html>").unwrap_err().to_string(),
        "not a MAT file but an HTML page (`<html` at byte 0): a login or error page saved \
         under this file's name?"
    );
    // The header text of a real MAT v5 file is free; one that happens to start like markup
    // is still read, since its version and endian indicator are right.
    let mut odd_text = header(LE, "<html> written by some tool");
    odd_text.extend(LE.text("t", "ok"));
    assert_eq!(
        zukan_mat::read(&odd_text).unwrap().header_text,
        "<html> written by some tool"
    );
    // Text that is not markup keeps its old error.
    assert_eq!(
        zukan_mat::read(b"hello"),
        Err(MatError::TooShort { len: 5 })
    );
}
