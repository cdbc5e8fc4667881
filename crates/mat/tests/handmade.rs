//! Hand-built files for every feature and quirk of the format, in both byte orders where
//! byte order matters. The bytes come from `writer/mod.rs`.

mod writer;

use writer::*;
use zukan_mat::{MatError, NumericClass, NumericData, ReadOptions, Value};

fn read_one(enc: Enc, element: Vec<u8>) -> Value {
    let bytes = file(enc, &[element]);
    let mut f = zukan_mat::read(&bytes).expect("reads");
    assert_eq!(f.variables.len(), 1);
    f.variables.remove(0).1
}

/// Reads `element` both as written and wrapped in miCOMPRESSED; both must agree.
fn read_both(enc: Enc, element: Vec<u8>) -> Value {
    let plain = read_one(enc, element.clone());
    let packed = read_one(enc, compressed(enc, &element));
    assert_eq!(plain, packed);
    plain
}

#[test]
fn char_storage_types_decode_to_the_same_text() {
    let text = "Jauhojärvi ☃ Matanović";
    let n = text.encode_utf16().count() as i32;
    for enc in [LE, BE] {
        for (ty, data) in [
            (MI_UINT16, enc.utf16(text)),
            (MI_UTF16, enc.utf16(text)),
            (MI_UTF8, text.as_bytes().to_vec()),
        ] {
            let v = read_both(
                enc,
                enc.matrix(CHAR, 0, &[1, n], "s", &[enc.element(ty, &data)]),
            );
            assert_eq!(
                v.as_str().unwrap(),
                text,
                "type {ty}, big-endian {}",
                enc.big
            );
        }
    }
    // miUINT8 text is Latin-1 (one byte per char).
    let v = read_both(
        LE,
        LE.matrix(CHAR, 0, &[1, 3], "s", &[LE.element(MI_UINT8, b"ab\xe9")]),
    );
    assert_eq!(v.as_str().unwrap(), "abé");
}

#[test]
fn utf16_surrogate_pair_counts_two_units() {
    let text = "a😀";
    let v = read_both(
        LE,
        LE.matrix(
            CHAR,
            0,
            &[1, 3],
            "s",
            &[LE.element(MI_UTF16, &LE.utf16(text))],
        ),
    );
    assert_eq!(v.as_str().unwrap(), text);
    assert_eq!(v.dims().as_ref(), &[1, 3]);
}

#[test]
fn char_matrix_rows_are_column_major() {
    // ['abc'; 'def'] is stored column by column: a d b e c f.
    let v = read_both(
        LE,
        LE.matrix(
            CHAR,
            0,
            &[2, 3],
            "m",
            &[LE.element(MI_UINT16, &LE.utf16("adbecf"))],
        ),
    );
    let c = v.as_char().unwrap();
    assert_eq!(c.rows().unwrap(), ["abc", "def"]);
    assert_eq!(c.column_major(), "adbecf");
    assert!(matches!(c.as_str(), Err(MatError::WrongShape { .. })));
}

#[test]
fn big_endian_file_reads_like_little_endian() {
    let make = |enc: Enc| {
        file(
            enc,
            &[
                enc.numeric(
                    DOUBLE,
                    &[2, 2],
                    "m",
                    MI_DOUBLE,
                    &[1.5f64, -2.0, 3.25, 1e300],
                ),
                enc.numeric(INT32, &[1, 1], "k", MI_INT32, &[-7i32]),
                enc.numeric(DOUBLE, &[1, 3], "narrow", MI_UINT16, &[1u16, 300, 65535]),
                compressed(enc, &enc.text("name", "Jauhojärvi")),
            ],
        )
    };
    let little = zukan_mat::read(&make(LE)).unwrap();
    let big = zukan_mat::read(&make(BE)).unwrap();
    assert_eq!(big.endian, zukan_mat::Endian::Big);
    assert_eq!(little.variables, big.variables);
    assert_eq!(
        big.get("m").unwrap().to_f64().unwrap(),
        [1.5, -2.0, 3.25, 1e300]
    );
    assert_eq!(big.get("k").unwrap().scalar_f64().unwrap(), -7.0);
    assert_eq!(
        big.get("narrow").unwrap().to_f64().unwrap(),
        [1.0, 300.0, 65535.0]
    );
    assert_eq!(big.get("name").unwrap().as_str().unwrap(), "Jauhojärvi");
}

/// One case per (class, storage type): the class decides the Rust type, whatever the file
/// stored (MATLAB writes integer-valued doubles as uint8/uint16, small int32 as int16, ...).
#[test]
fn numeric_classes_and_narrower_storage() {
    fn check(element: Vec<u8>, expected: NumericData) {
        let v = read_both(LE, element);
        let a = v.as_numeric().unwrap();
        assert_eq!(a.real(), &expected);
        assert_eq!(a.class(), expected.class());
    }
    check(
        LE.numeric(DOUBLE, &[1, 3], "a", MI_UINT8, &[0u8, 77, 255]),
        NumericData::Double(vec![0.0, 77.0, 255.0]),
    );
    check(
        LE.numeric(DOUBLE, &[1, 2], "a", MI_INT16, &[-300i16, 300]),
        NumericData::Double(vec![-300.0, 300.0]),
    );
    check(
        LE.numeric(SINGLE, &[1, 2], "a", MI_SINGLE, &[0.5f32, -1.25]),
        NumericData::Single(vec![0.5, -1.25]),
    );
    check(
        LE.numeric(INT8, &[1, 2], "a", MI_INT8, &[-128i8, 127]),
        NumericData::Int8(vec![-128, 127]),
    );
    check(
        LE.numeric(UINT8, &[1, 1], "a", MI_UINT8, &[200u8]),
        NumericData::UInt8(vec![200]),
    );
    check(
        LE.numeric(INT16, &[1, 1], "a", MI_INT8, &[-5i8]),
        NumericData::Int16(vec![-5]),
    );
    check(
        LE.numeric(UINT16, &[1, 1], "a", MI_UINT8, &[9u8]),
        NumericData::UInt16(vec![9]),
    );
    check(
        LE.numeric(INT32, &[1, 2], "a", MI_INT16, &[-2i16, 2]),
        NumericData::Int32(vec![-2, 2]),
    );
    check(
        LE.numeric(UINT32, &[1, 1], "a", MI_UINT32, &[u32::MAX]),
        NumericData::UInt32(vec![u32::MAX]),
    );
    // int64/uint64 beyond 2^53 must be exact (never through f64).
    check(
        LE.numeric(INT64, &[1, 2], "a", MI_INT64, &[i64::MIN, (1i64 << 53) + 1]),
        NumericData::Int64(vec![i64::MIN, (1 << 53) + 1]),
    );
    check(
        LE.numeric(UINT64, &[1, 1], "a", MI_UINT64, &[u64::MAX]),
        NumericData::UInt64(vec![u64::MAX]),
    );
    // Scalar data in a small data element (4 bytes inside the tag).
    check(
        LE.matrix(
            INT32,
            0,
            &[1, 1],
            "a",
            &[LE.small(MI_INT32, &LE.num(-42i32))],
        ),
        NumericData::Int32(vec![-42]),
    );
}

#[test]
fn typed_access_checks_the_class() {
    let v = read_both(LE, LE.numeric(DOUBLE, &[1, 2], "a", MI_UINT8, &[1u8, 2]));
    let a = v.as_numeric().unwrap();
    assert_eq!(a.column_major::<f64>().unwrap(), &[1.0, 2.0]);
    let err = a.column_major::<u8>().unwrap_err();
    assert_eq!(err.to_string(), "expected uint8, found 1x2 double array");
}

#[test]
fn three_dimensional_array_is_column_major() {
    // 2x3x4 int16, value at (i, j, k) = 100*i + 10*j + k, written column-major.
    let mut data = Vec::new();
    for k in 0..4 {
        for j in 0..3 {
            for i in 0..2 {
                data.push((100 * i + 10 * j + k) as i8);
            }
        }
    }
    let v = read_both(LE, LE.numeric(INT16, &[2, 3, 4], "cube", MI_INT8, &data));
    let a = v.as_numeric().unwrap();
    assert_eq!(a.dims().as_ref(), &[2, 3, 4]);
    for (i, j, k) in [(0, 0, 0), (1, 2, 3), (1, 0, 2), (0, 2, 1)] {
        assert_eq!(
            a.get_f64(&[i, j, k]).unwrap(),
            (100 * i + 10 * j + k) as f64
        );
    }
    assert_eq!(a.column_major::<i16>().unwrap()[1 + 2 * 2 + 6 * 3], 123);
    assert!(matches!(
        a.get_f64(&[2, 0, 0]),
        Err(MatError::OutOfBounds { .. })
    ));
}

#[test]
fn complex_double() {
    let head = LE.matrix(
        DOUBLE,
        COMPLEX,
        &[1, 2],
        "z",
        &[
            LE.element(MI_DOUBLE, &LE.nums(&[1.0f64, 2.0])),
            LE.element(MI_UINT8, &[3, 4]),
        ],
    );
    let v = read_both(LE, head);
    let a = v.as_numeric().unwrap();
    assert!(a.is_complex());
    assert_eq!(a.real(), &NumericData::Double(vec![1.0, 2.0]));
    assert_eq!(a.imag(), Some(&NumericData::Double(vec![3.0, 4.0])));
}

#[test]
fn logical_array() {
    let v = read_both(
        LE,
        LE.matrix(
            UINT8,
            LOGICAL,
            &[2, 2],
            "l",
            &[LE.element(MI_UINT8, &[1, 0, 0, 1])],
        ),
    );
    let l = v.as_logical().unwrap();
    assert_eq!(l.column_major(), &[true, false, false, true]);
    assert_eq!(l.get(&[1, 1]), Some(&true));
    assert_eq!(v.to_f64().unwrap(), [1.0, 0.0, 0.0, 1.0]);
}

#[test]
fn empty_arrays() {
    let empty_double = read_both(LE, LE.numeric::<f64>(DOUBLE, &[0, 0], "e", MI_DOUBLE, &[]));
    assert_eq!(empty_double.dims().as_ref(), &[0, 0]);
    assert!(empty_double.as_numeric().unwrap().is_empty());
    // The 0x1 uint8 of WIDER's gt_list.
    let column = read_both(LE, LE.numeric::<u8>(UINT8, &[0, 1], "e", MI_UINT8, &[]));
    assert_eq!(
        column.as_numeric().unwrap().real(),
        &NumericData::UInt8(vec![])
    );
    // A 0x0 char is the empty string; a bare size-0 miMATRIX (MATLAB's empty field) is [].
    let cell = read_both(
        LE,
        LE.cell(
            &[1, 2],
            "c",
            &[
                LE.matrix(CHAR, 0, &[0, 0], "", &[LE.element(MI_UTF8, b"")]),
                LE.element(MI_MATRIX, &[]),
            ],
        ),
    );
    let c = cell.as_cell().unwrap();
    assert_eq!(c[0].as_str().unwrap(), "");
    assert_eq!(c[1].as_numeric().unwrap().class(), NumericClass::Double);
    assert_eq!(c[1].dims().as_ref(), &[0, 0]);
}

#[test]
fn struct_array_1x3() {
    let mut values = Vec::new();
    for (k, name) in ["ann", "bo", "Jauhojärvi"].iter().enumerate() {
        values.push(LE.numeric(DOUBLE, &[1, 1], "", MI_UINT8, &[k as u8 + 1]));
        values.push(LE.text("", name));
    }
    let v = read_both(LE, LE.structure(&[1, 3], "s", &["id", "name"], &values));
    let s = v.as_struct().unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s.field_names(), ["id", "name"]);
    assert_eq!(
        s.field_of(2, "name").unwrap().as_str().unwrap(),
        "Jauhojärvi"
    );
    assert_eq!(s.field_of(1, "id").unwrap().scalar_f64().unwrap(), 2.0);
    let ids: Vec<f64> = s
        .column("id")
        .unwrap()
        .iter()
        .map(|v| v.scalar_f64().unwrap())
        .collect();
    assert_eq!(ids, [1.0, 2.0, 3.0]);
    assert_eq!(s.element(1).unwrap()[1].1.as_str().unwrap(), "bo");
    assert!(matches!(v.field("id"), Err(MatError::WrongShape { .. })));
    assert!(matches!(
        s.field_of(3, "id"),
        Err(MatError::OutOfBounds { .. })
    ));
    assert_eq!(
        s.field_of(0, "age").unwrap_err().to_string(),
        "no field named `age` (fields: id, name)"
    );
}

#[test]
fn nested_cells_and_struct_access_chain() -> Result<(), MatError> {
    let inner = LE.cell(
        &[2, 1],
        "",
        &[
            LE.text("", "x"),
            LE.cell(&[1, 1], "", &[LE.text("", "deep")]),
        ],
    );
    let st = LE.structure(
        &[1, 1],
        "wiki",
        &["c", "dob"],
        &[
            inner,
            LE.numeric(INT32, &[1, 2], "", MI_INT32, &[723671i32, 703186]),
        ],
    );
    let bytes = file(
        LE,
        &[
            compressed(LE, &st),
            compressed(LE, &LE.text("other", "second variable")),
        ],
    );
    let f = zukan_mat::read(&bytes)?;
    assert_eq!(f.names().collect::<Vec<_>>(), ["wiki", "other"]);
    let c = f.get("wiki")?.field("c")?.as_cell()?;
    assert_eq!(c[1].as_cell()?[0].as_str()?, "deep");
    assert_eq!(f.get("wiki")?.field("dob")?.to_f64()?, [723671.0, 703186.0]);
    assert_eq!(f.get("other")?.as_str()?, "second variable");
    assert_eq!(
        f.get("nope").unwrap_err(),
        MatError::NoVariable {
            name: "nope".into()
        }
    );
    assert_eq!(
        f.get("wiki")?
            .field("dob")?
            .as_str()
            .unwrap_err()
            .to_string(),
        "expected a char array, found 1x2 int32 array"
    );
    Ok(())
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error() {
    let mut v = LE.text("", "bottom");
    for _ in 0..70 {
        v = LE.cell(&[1, 1], "", &[v]);
    }
    let bytes = file(LE, &[v]);
    assert!(matches!(
        zukan_mat::read(&bytes),
        Err(MatError::TooDeep { limit: 64, .. })
    ));
    let options = ReadOptions {
        max_depth: 100,
        ..ReadOptions::default()
    };
    assert!(zukan_mat::read_with(&bytes, &options).is_ok());
}
