//! The two small Darknet networks in `shared/reference/nn` (tiny-YOLOv2 layout, 20- and
//! 16-byte weight headers), loaded from their `.cfg`/`.weights` and run in inference mode,
//! match the raw output computed by PyTorch and by Darknet itself.

mod common;

use common::{Case, assert_close, reference_dir};
use zukan_nn::run_darknet;

fn check_network(name: &str) {
    let dir = reference_dir();
    let cfg = std::fs::read_to_string(dir.join(format!("{name}.cfg"))).unwrap();
    let weights = std::fs::read(dir.join(format!("{name}.weights"))).unwrap();
    let io = Case::open(&format!("{name}.io.safetensors"));
    let got = run_darknet(&cfg, &weights, &io.tensor("input")).unwrap();
    assert_close(
        got.as_slice(),
        &io.vec("output"),
        &format!("{name} vs PyTorch"),
    );
    let darknet = Case::open(&format!("{name}.darknet.safetensors"));
    assert_eq!(got.shape(), darknet.tensor("output").shape());
    assert_close(
        got.as_slice(),
        &darknet.vec("output"),
        &format!("{name} vs Darknet"),
    );
}

#[test]
fn tiny_face_64_matches_pytorch_and_darknet() {
    check_network("tiny_face_64");
}

#[test]
fn tiny_face_32_v1_matches_pytorch_and_darknet() {
    check_network("tiny_face_32_v1");
}
