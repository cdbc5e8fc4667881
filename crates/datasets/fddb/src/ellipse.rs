//! FDDB's face ellipses and the box that exactly bounds one.
//!
//! **Angle convention.** The official evaluator (Vidit Jain's `evaluate`, copy
//! caiqi/fddb-evaluate@956ef78c) reads a face as `ra rb t cx cy`, turns `t` (radians) into
//! degrees as `(π − t)·180/π` (`EllipsesSingleImage.cpp`) and draws it with
//! `cvEllipse(center, cvSize(ra, rb), 180 − angle)` (`EllipseR.cpp`): net, OpenCV rotates the
//! axis of half-length `ra` by `t` from the image x axis (towards +y, i.e. clockwise on screen,
//! since image y points down), and `rb` is perpendicular to it. A point of the ellipse is
//! `(cx + ra·cos φ·cos t − rb·sin φ·sin t, cy + ra·cos φ·sin t + rb·sin φ·cos t)`, so its
//! half-extents are `hx = √(ra²cos²t + rb²sin²t)` and `hy = √(ra²sin²t + rb²cos²t)`.
//! The sign of `t` does not change the box (only `cos²`, `sin²` appear); what matters is that
//! `ra` is measured from the x axis. The real data agree: FDDB's major radius is the face's
//! height and its angles cluster near ±π/2, so the boxes come out taller than wide (checked
//! on every real face in `tests/real_folds.rs`).

use zukan_schema::{BBox, Ellipse};

/// The box (pixels, top-left origin) that exactly bounds `ellipse`: the tightest axis-aligned
/// rectangle containing it, computed in `f64` and rounded once to the schema's `f32`.
///
/// FDDB's angle turns the `ra` axis away from the image x axis, as the official evaluator
/// draws it (`cvEllipse(centre, (ra, rb), t in degrees)`), so the half-extents are
/// `hx = √(ra²cos²t + rb²sin²t)` and `hy = √(ra²sin²t + rb²cos²t)`; the sign of `t` does not
/// matter. Upright faces (`t` near ±π/2, `ra` the face height) come out taller than wide.
///
/// Negative radii are used as written (their squares are what counts), so a degenerate source
/// ellipse gives a degenerate or odd box rather than a panic; the parser reports such ellipses.
pub fn ellipse_to_box(ellipse: &Ellipse) -> BBox {
    let (sin, cos) = ellipse.angle.sin_cos();
    let (ra2, rb2) = (ellipse.ra * ellipse.ra, ellipse.rb * ellipse.rb);
    let hx = (ra2 * cos * cos + rb2 * sin * sin).sqrt();
    let hy = (ra2 * sin * sin + rb2 * cos * cos).sqrt();
    BBox::new(
        (ellipse.cx - hx) as f32,
        (ellipse.cy - hy) as f32,
        (2.0 * hx) as f32,
        (2.0 * hy) as f32,
    )
}

/// The placeholder face the authors left in fold 08 (`2002/07/24/big/img_67`, line 897 of
/// `FDDB-fold-08-ellipseList.txt`): `1.000000 1.000000 0.000000 0.000000 0.000000  1`, a
/// radius-1 circle on the image corner, among six real faces. It is no face, but the official
/// evaluator counts it (the authors' 5,171 includes it), so the parser keeps it, marks it
/// `ignore` and reports it.
pub fn is_placeholder(ellipse: &Ellipse) -> bool {
    *ellipse
        == Ellipse {
            ra: 1.0,
            rb: 1.0,
            angle: 0.0,
            cx: 0.0,
            cy: 0.0,
        }
}

#[cfg(test)]
mod tests {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};

    use super::*;

    fn ellipse(ra: f64, rb: f64, angle: f64, cx: f64, cy: f64) -> Ellipse {
        Ellipse {
            ra,
            rb,
            angle,
            cx,
            cy,
        }
    }

    fn check(e: Ellipse, expected: [f32; 4]) {
        let got: [f32; 4] = ellipse_to_box(&e).into();
        for (g, x) in got.iter().zip(expected) {
            assert!(
                (g - x).abs() < 1e-4,
                "{e:?}: got {got:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn boxes_computed_by_hand() {
        // t = 0: ra lies along x, so the box is 2ra wide and 2rb tall.
        check(
            ellipse(10.0, 5.0, 0.0, 100.0, 50.0),
            [90.0, 45.0, 20.0, 10.0],
        );
        // t = π/2: ra lies along y (FDDB's usual upright face): 2rb wide, 2ra tall.
        check(
            ellipse(10.0, 5.0, FRAC_PI_2, 100.0, 50.0),
            [95.0, 40.0, 10.0, 20.0],
        );
        check(
            ellipse(10.0, 5.0, -FRAC_PI_2, 100.0, 50.0),
            [95.0, 40.0, 10.0, 20.0],
        );
        // t = π/4: hx = hy = √(100·½ + 25·½) = √62.5 = 7.905694150420948.
        let h = 62.5f64.sqrt();
        let (x, y, w) = ((100.0 - h) as f32, (50.0 - h) as f32, (2.0 * h) as f32);
        check(ellipse(10.0, 5.0, FRAC_PI_4, 100.0, 50.0), [x, y, w, w]);
        // A circle's box does not depend on the angle.
        check(ellipse(3.0, 3.0, 1.0, 3.0, 3.0), [0.0, 0.0, 6.0, 6.0]);
        // The first real face (fold 01, 2002/08/11/big/img_591): 123.5833 85.5495 1.265839.
        // hx = √(123.5833²·cos²t + 85.5495²·sin²t) = 89.642583, hy = 120.647239 (python3,
        // `math.sqrt(ra**2*math.cos(t)**2 + rb**2*math.sin(t)**2)` and its mirror).
        check(
            ellipse(123.5833, 85.5495, 1.265839, 269.6934, 161.7812),
            [180.05082, 41.13396, 179.28517, 241.29448],
        );
    }

    #[test]
    fn the_box_touches_the_ellipse_on_all_four_sides() {
        // Independent check: walk the ellipse's parametric form (OpenCV's ellipse2Poly form,
        // see the module doc) and compare its extremes with the closed form.
        let cases: [(f64, f64, f64); 3] = [
            (10.0, 5.0, 0.3),
            (41.05, 41.68, -1.2),
            (71.15, 46.81, -1.537),
        ];
        for (ra, rb, t) in cases {
            let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
            for i in 0..100_000 {
                let phi = i as f64 * std::f64::consts::TAU / 100_000.0;
                let x = ra * phi.cos() * t.cos() - rb * phi.sin() * t.sin();
                let y = ra * phi.cos() * t.sin() + rb * phi.sin() * t.cos();
                (lo_x, hi_x, lo_y, hi_y) = (lo_x.min(x), hi_x.max(x), lo_y.min(y), hi_y.max(y));
            }
            let b = ellipse_to_box(&ellipse(ra, rb, t, 0.0, 0.0));
            for (got, walked) in [
                (b.x, lo_x),
                (b.y, lo_y),
                (b.x + b.w, hi_x),
                (b.y + b.h, hi_y),
            ] {
                assert!(
                    (f64::from(got) - walked).abs() < 1e-3,
                    "{ra} {rb} {t}: {got} vs {walked}"
                );
            }
        }
    }

    #[test]
    fn only_the_exact_placeholder_is_one() {
        assert!(is_placeholder(&ellipse(1.0, 1.0, 0.0, 0.0, 0.0)));
        assert!(!is_placeholder(&ellipse(1.0, 1.0, 0.0, 0.0, 0.5)));
        assert!(!is_placeholder(&ellipse(10.0, 5.0, 0.0, 0.0, 0.0)));
    }
}
