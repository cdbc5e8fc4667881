//! miMATRIX elements: array flags, dimensions, name, then the class-specific parts
//! (numeric real/imaginary data, char data, cell elements, struct field names and values).
//!
//! Every count read from the input is checked against the bytes left before anything is
//! allocated for it: a cell or struct element needs at least an 8-byte tag, so `n`
//! elements need `8 * n` bytes; numeric and char data must have exactly the declared size.

use crate::budget::Budget;
use crate::dims::Dims;
use crate::element::{Cursor, Element, data_type as dt};
use crate::error::{Corruption, MatError};
use crate::numeric::{NumericArray, NumericClass, NumericData};
use crate::value::{Array, CharArray, StructArray, Value};
use crate::{ReadOptions, decode};

const FLAG_COMPLEX: u32 = 0x0800;
const FLAG_LOGICAL: u32 = 0x0200;

/// Array classes from the MAT-file format reference (table "MATLAB Array Types").
enum Class {
    Cell,
    Struct,
    Char,
    Numeric(NumericClass),
}

fn class_of(code: u8) -> Result<Class, Result<&'static str, u8>> {
    Ok(match code {
        1 => Class::Cell,
        2 => Class::Struct,
        3 => return Err(Ok("MATLAB objects (mxOBJECT_CLASS)")),
        4 => Class::Char,
        5 => return Err(Ok("sparse arrays (mxSPARSE_CLASS)")),
        6 => Class::Numeric(NumericClass::Double),
        7 => Class::Numeric(NumericClass::Single),
        8 => Class::Numeric(NumericClass::Int8),
        9 => Class::Numeric(NumericClass::UInt8),
        10 => Class::Numeric(NumericClass::Int16),
        11 => Class::Numeric(NumericClass::UInt16),
        12 => Class::Numeric(NumericClass::Int32),
        13 => Class::Numeric(NumericClass::UInt32),
        14 => Class::Numeric(NumericClass::Int64),
        15 => Class::Numeric(NumericClass::UInt64),
        16 => return Err(Ok("function handles (mxFUNCTION_CLASS)")),
        17 => return Err(Ok("opaque objects (mxOPAQUE_CLASS, e.g. string, table)")),
        other => return Err(Err(other)),
    })
}

/// Parses one miMATRIX element (read from `cursor`'s buffer) into its name and value.
pub(crate) fn parse_matrix(
    cursor: &Cursor<'_>,
    element: &Element<'_>,
    depth: usize,
    options: &ReadOptions,
    budget: &Budget,
) -> Result<(String, Value), MatError> {
    let at = cursor.location(element.at);
    let corrupt = |what| MatError::Corrupt { at, what };
    if element.data_type != dt::MATRIX {
        return Err(corrupt(Corruption::ExpectedMatrix(element.data_type)));
    }
    if element.data.is_empty() {
        // MATLAB writes an empty struct field or cell as a bare miMATRIX tag of size 0.
        return Ok((String::new(), empty_double()));
    }
    if depth > options.max_depth {
        return Err(MatError::TooDeep {
            at,
            limit: options.max_depth,
        });
    }
    let mut sub = cursor.enter(element);

    let flags = sub.next_element("array flags")?;
    let origin = sub; // a copy, so errors can be built while `sub` moves on
    let sub_corrupt = move |el: &Element<'_>, what| MatError::Corrupt {
        at: origin.location(el.at),
        what,
    };
    let [a, b, c, d, ..] = *flags.data else {
        return Err(sub_corrupt(
            &flags,
            Corruption::BadSubelementSize {
                what: "array flags",
                size: flags.data.len(),
            },
        ));
    };
    if flags.data_type != dt::UINT32 {
        return Err(sub_corrupt(
            &flags,
            Corruption::WrongSubelementType {
                what: "array flags",
                found: flags.data_type,
            },
        ));
    }
    let flag_word = sub.u32_at([a, b, c, d]);
    let class = match class_of((flag_word & 0xff) as u8) {
        Ok(class) => class,
        Err(Ok(what)) => return Err(MatError::Unsupported { at, what }),
        Err(Err(code)) => return Err(sub_corrupt(&flags, Corruption::UnknownClass(code))),
    };

    let dims_el = sub.next_element("dimensions")?;
    let dims = parse_dims(&sub, &dims_el)?;
    let count = dims
        .checked_count()
        .ok_or_else(|| sub_corrupt(&dims_el, Corruption::DimensionsOverflow))?;

    let name_el = sub.next_element("array name")?;
    let name = match std::str::from_utf8(name_el.data) {
        Ok(s) => s.to_owned(),
        Err(_) => return Err(sub_corrupt(&name_el, Corruption::InvalidUtf8)),
    };

    let value = match class {
        Class::Numeric(class) => {
            let real = numeric_part(&mut sub, class, count, "real part")?;
            if flag_word & FLAG_LOGICAL != 0 {
                Value::Logical(Array {
                    dims,
                    data: (0..real.len())
                        .map(|k| real.get_f64(k).is_some_and(|x| x != 0.0))
                        .collect(),
                })
            } else {
                let imag = if flag_word & FLAG_COMPLEX != 0 {
                    Some(Box::new(numeric_part(
                        &mut sub,
                        class,
                        count,
                        "imaginary part",
                    )?))
                } else {
                    None
                };
                Value::Numeric(NumericArray { dims, real, imag })
            }
        }
        Class::Char => {
            let text = if count == 0 && sub.remaining() == 0 {
                String::new()
            } else {
                let data = sub.next_element("char data")?;
                decode::decode_text(data.data, data.data_type, sub.endian, count)
                    .map_err(|what| sub_corrupt(&data, what))?
            };
            Value::Char(CharArray { dims, text })
        }
        Class::Cell => {
            let values = parse_elements(&mut sub, count, depth, options, budget)?;
            Value::Cell(Array { dims, data: values })
        }
        Class::Struct => {
            let fields = parse_field_names(&mut sub, count, budget)?;
            let n = count
                .checked_mul(fields.len())
                .ok_or(corrupt(Corruption::DimensionsOverflow))?;
            let values = parse_elements(&mut sub, n, depth, options, budget)?;
            Value::Struct(StructArray {
                dims,
                fields,
                values,
            })
        }
    };
    Ok((name, value))
}

fn empty_double() -> Value {
    Value::Numeric(NumericArray {
        dims: Dims::new(&[0, 0]),
        real: NumericData::Double(Vec::new()),
        imag: None,
    })
}

fn parse_dims(sub: &Cursor<'_>, el: &Element<'_>) -> Result<Dims, MatError> {
    let corrupt = |what| MatError::Corrupt {
        at: sub.location(el.at),
        what,
    };
    if el.data_type != dt::INT32 {
        return Err(corrupt(Corruption::WrongSubelementType {
            what: "dimensions",
            found: el.data_type,
        }));
    }
    let (chunks, rest) = el.data.as_chunks::<4>();
    if !rest.is_empty() {
        return Err(corrupt(Corruption::BadSubelementSize {
            what: "dimensions",
            size: el.data.len(),
        }));
    }
    if chunks.len() < 2 {
        return Err(corrupt(Corruption::TooFewDimensions(chunks.len())));
    }
    let dim = |c: &[u8; 4]| {
        let d = sub.u32_at(*c) as i32;
        usize::try_from(d).map_err(|_| corrupt(Corruption::NegativeDimension(d)))
    };
    // Two dimensions (nearly every array) without a temporary Vec: this runs once per
    // cell element, millions of times for IMDB-WIKI.
    if let [m, n] = chunks {
        return Ok(Dims::new(&[dim(m)?, dim(n)?]));
    }
    let dims = chunks
        .iter()
        .map(dim)
        .collect::<Result<Vec<usize>, MatError>>()?;
    Ok(Dims::new(&dims))
}

/// Reads the real or imaginary data sub-element and converts it to `class`.
fn numeric_part(
    sub: &mut Cursor<'_>,
    class: NumericClass,
    count: usize,
    what: &'static str,
) -> Result<NumericData, MatError> {
    if count == 0 && sub.remaining() == 0 {
        return Ok(
            decode::decode_numeric(class, &[], dt::DOUBLE, sub.endian, 0)
                .unwrap_or(NumericData::Double(Vec::new())),
        );
    }
    let el = sub.next_element(what)?;
    let corrupt = |what| MatError::Corrupt {
        at: sub.location(el.at),
        what,
    };
    if decode::numeric_size(el.data_type).is_none() {
        return Err(corrupt(Corruption::WrongSubelementType {
            what,
            found: el.data_type,
        }));
    }
    decode::decode_numeric(class, el.data, el.data_type, sub.endian, count).map_err(corrupt)
}

/// Reads `n` nested miMATRIX elements (cell elements or struct field values).
fn parse_elements(
    sub: &mut Cursor<'_>,
    n: usize,
    depth: usize,
    options: &ReadOptions,
    budget: &Budget,
) -> Result<Vec<Value>, MatError> {
    // Each element needs at least its 8-byte tag: refuse counts the bytes cannot hold
    // before reserving room for them.
    if n > sub.remaining() / 8 {
        return Err(MatError::Corrupt {
            at: sub.location(sub.pos()),
            what: Corruption::TooManyElements {
                count: n,
                bytes_left: sub.remaining(),
            },
        });
    }
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        let el = sub.next_element("cell or struct element")?;
        let (_, value) = parse_matrix(sub, &el, depth + 1, options, budget)?;
        values.push(value);
    }
    Ok(values)
}

/// Reads a struct's field-name length and names (each in a fixed-width, NUL-padded slot)
/// for a struct array of `count` elements. The names are counted before any is allocated:
/// a struct with elements needs a value, so an 8-byte tag, per element and field in the
/// bytes that follow; and what names cost beyond their slots' bytes is paid from `budget`
/// (which alone bounds the names of an empty struct array).
fn parse_field_names(
    sub: &mut Cursor<'_>,
    count: usize,
    budget: &Budget,
) -> Result<Vec<String>, MatError> {
    let len_el = sub.next_element("field name length")?;
    let origin = *sub;
    let corrupt = move |el: &Element<'_>, what| MatError::Corrupt {
        at: origin.location(el.at),
        what,
    };
    let Some(&[a, b, c, d]) = len_el.data.first_chunk::<4>() else {
        return Err(corrupt(
            &len_el,
            Corruption::BadSubelementSize {
                what: "field name length",
                size: len_el.data.len(),
            },
        ));
    };
    let slot = sub.u32_at([a, b, c, d]) as usize;
    let names_el = sub.next_element("field names")?;
    if names_el.data.is_empty() {
        return Ok(Vec::new());
    }
    if slot == 0 || names_el.data.len() % slot != 0 {
        return Err(corrupt(&names_el, Corruption::BadFieldNames));
    }
    let names = names_el.data.len() / slot;
    let values = count.saturating_mul(names);
    if values > sub.remaining() / 8 {
        return Err(corrupt(
            &names_el,
            Corruption::TooManyElements {
                count: values,
                bytes_left: sub.remaining(),
            },
        ));
    }
    budget
        .spend_on_field_names(names, slot)
        .map_err(|limit| MatError::FieldNamesLimit {
            at: origin.location(names_el.at),
            count: names,
            limit,
        })?;
    names_el
        .data
        .chunks(slot)
        .map(|raw| {
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            std::str::from_utf8(raw.get(..end).unwrap_or(&[]))
                .map(str::to_owned)
                .map_err(|_| corrupt(&names_el, Corruption::InvalidUtf8))
        })
        .collect()
}

/// Reads only the name of a miMATRIX, from a cursor at the start of its data (flags,
/// dimensions, name), for [`crate::variable_names`].
pub(crate) fn read_name(mut sub: Cursor<'_>) -> Result<String, MatError> {
    sub.next_element("array flags")?;
    sub.next_element("dimensions")?;
    let name_el = sub.next_element("array name")?;
    std::str::from_utf8(name_el.data)
        .map(str::to_owned)
        .map_err(|_| MatError::Corrupt {
            at: sub.location(name_el.at),
            what: Corruption::InvalidUtf8,
        })
}
