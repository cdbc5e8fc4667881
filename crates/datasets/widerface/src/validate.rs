//! Validation of parsed annotations: problems that leave the file readable and the data kept
//! exactly as written, reported as diagnostics with file and line.

use zukan_schema::{AttrValue, Diagnostic};

use crate::{ATTRIBUTES, EVENTS, Parsed, event_of};

/// The largest code of each attribute in [`ATTRIBUTES`] order, from the authors'
/// `readme.txt` (blur 0–2, expression 0–1, illumination 0–1, invalid 0–1, occlusion 0–2,
/// pose 0–1).
const LARGEST_CODE: [i64; 6] = [2, 1, 1, 1, 2, 1];

/// Reports, each at its line: boxes with zero or negative width or height (the real val file
/// has 7, e.g. `706 94 0 1` in `0_Parade_Parade_0_317`), boxes with a negative x or y (the
/// real val file has none), attribute codes the readme does not
/// define, and images under a folder that is none of the 61 [`EVENTS`] (the sample is kept:
/// its path may still be right, but its `event` attribute is not one of the card's). Repeated
/// images are the parser's to report, since it drops them.
pub fn validate(parsed: &Parsed) -> Vec<Diagnostic> {
    let file = parsed.file.as_str();
    let mut diagnostics = Vec::new();
    for image in &parsed.images {
        let id = image.sample.id.as_str();
        // The parser refuses a path without an event folder, so `event_of` is `Some` here.
        if let Some(event) = event_of(id)
            && !EVENTS.contains(&event)
        {
            diagnostics.push(Diagnostic::at_line(
                file,
                image.line,
                format!(
                    "`{id}` is under `{event}`, which is none of the {} WIDER Face events (kept)",
                    EVENTS.len()
                ),
            ));
        }
        for (i, object) in image.sample.objects.iter().enumerate() {
            // Rows follow the count line with no gaps (see `ParsedImage::line`).
            let line = image.line + 2 + i as u64;
            let b = object.bbox;
            if b.is_degenerate() {
                diagnostics.push(Diagnostic::at_line(
                    file,
                    line,
                    format!(
                        "box {} of `{id}` is degenerate: x={} y={} w={} h={} (kept as written)",
                        i + 1,
                        b.x,
                        b.y,
                        b.w,
                        b.h
                    ),
                ));
            }
            // The authors' boxes start inside the image; one that does not is kept as written
            // (never clamped), like a degenerate one, and said.
            if b.x < 0.0 || b.y < 0.0 {
                diagnostics.push(Diagnostic::at_line(
                    file,
                    line,
                    format!(
                        "box {} of `{id}` starts outside the image: x={} y={} w={} h={} (kept as written)",
                        i + 1,
                        b.x,
                        b.y,
                        b.w,
                        b.h
                    ),
                ));
            }
            for (name, largest) in ATTRIBUTES.iter().zip(LARGEST_CODE) {
                if let Some(AttrValue::Int(code)) = object.attrs.get(*name)
                    && !(0..=largest).contains(code)
                {
                    diagnostics.push(Diagnostic::at_line(
                        file,
                        line,
                        format!("{name} = {code} is not a code of the readme (0..={largest})"),
                    ));
                }
            }
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_bbx_gt;
    use zukan_schema::Split;

    fn check(input: &str, expected: &[&str]) {
        let parsed = parse_bbx_gt(input.as_bytes(), "gt.txt", Split::Val).unwrap();
        let got: Vec<String> = validate(&parsed).iter().map(|d| d.to_string()).collect();
        assert_eq!(got, expected, "input: {input:?}");
    }

    #[test]
    fn clean_annotations_give_no_diagnostics() {
        check(
            "0--Parade/a.jpg\n1\n345 211 4 4 2 1 1 1 2 1 \n0--Parade/b.jpg\n1\n0 0 0 0 0 0 0 0 0 0 \n",
            &[],
        );
    }

    #[test]
    fn degenerate_boxes_are_reported_at_their_row() {
        check(
            "0--Parade/a.jpg\n3\n345 211 4 4 2 0 0 0 2 0 \n706 94 0 1 2 0 0 0 1 0 \n1026 474 -2 23 2 0 0 0 2 0 \n",
            &[
                "gt.txt:4: box 2 of `0--Parade/a` is degenerate: x=706 y=94 w=0 h=1 (kept as written)",
                "gt.txt:5: box 3 of `0--Parade/a` is degenerate: x=1026 y=474 w=-2 h=23 (kept as written)",
            ],
        );
    }

    #[test]
    fn boxes_at_negative_coordinates_are_reported_and_kept() {
        // `-5 -3 10 10` passed without a word; it is kept as written, never clamped.
        let input = "0--Parade/a.jpg\n3\n-5 -3 10 10 0 0 0 0 0 0 \n4 -1 2 2 0 0 0 0 0 0 \n-7 0 0 3 0 0 0 0 0 0 \n";
        check(
            input,
            &[
                "gt.txt:3: box 1 of `0--Parade/a` starts outside the image: x=-5 y=-3 w=10 h=10 (kept as written)",
                "gt.txt:4: box 2 of `0--Parade/a` starts outside the image: x=4 y=-1 w=2 h=2 (kept as written)",
                "gt.txt:5: box 3 of `0--Parade/a` is degenerate: x=-7 y=0 w=0 h=3 (kept as written)",
                "gt.txt:5: box 3 of `0--Parade/a` starts outside the image: x=-7 y=0 w=0 h=3 (kept as written)",
            ],
        );
        let parsed = parse_bbx_gt(input.as_bytes(), "gt.txt", Split::Val).unwrap();
        let b = parsed.images[0].sample.objects[0].bbox;
        assert_eq!([b.x, b.y, b.w, b.h], [-5.0, -3.0, 10.0, 10.0]);
    }

    #[test]
    fn attribute_codes_outside_the_readme_are_reported() {
        check(
            "0--Parade/a.jpg\n1\n1 2 3 4 3 0 0 0 0 -1 \n",
            &[
                "gt.txt:3: blur = 3 is not a code of the readme (0..=2)",
                "gt.txt:3: pose = -1 is not a code of the readme (0..=1)",
            ],
        );
    }

    #[test]
    fn an_image_under_an_unknown_event_is_reported_and_kept() {
        // `noevent/` is none of the 61 event folders; it used to pass without a word.
        let input = "noevent/x.jpg\n1\n1 2 3 4 0 0 0 0 0 0 \n0--Parade/a.jpg\n0\n";
        check(
            input,
            &[
                "gt.txt:1: `noevent/x` is under `noevent`, which is none of the 61 WIDER Face events (kept)",
            ],
        );
        let parsed = parse_bbx_gt(input.as_bytes(), "gt.txt", Split::Val).unwrap();
        assert_eq!(parsed.images.len(), 2);
    }
}
