//! Headers (v5 in both byte orders, scipy's, v7.3) and the typed errors of well-formed
//! files that hold what this reader refuses, with their locations.

mod writer;

use writer::*;
use zukan_mat::{Location, MatError, ReadOptions};

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
