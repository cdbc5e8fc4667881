//! `zukan nn run` on the two reference Darknet networks reproduces the outputs computed by
//! PyTorch and by Darknet itself (`shared/reference/nn`), and reports bad weights clearly.

use std::path::PathBuf;
use std::process::Command;
use zukan_nn::checkpoint::read_tensor;

fn reference(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/nn")
        .join(file)
}

fn nn_run(cfg: &str, weights: &str, input: &str, out: &PathBuf) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zukan"))
        .args(["nn", "run", "--cfg"])
        .arg(reference(cfg))
        .arg("--weights")
        .arg(reference(weights))
        .arg("--input")
        .arg(reference(input))
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn max_rel_err(got: &[f32], want: &[f32]) -> f32 {
    let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
    got.iter()
        .zip(want)
        .fold(0f32, |m, (g, w)| m.max((g - w).abs()))
        / scale
}

#[test]
fn both_reference_networks_match_pytorch_and_darknet() {
    for name in ["tiny_face_64", "tiny_face_32_v1"] {
        let out = std::env::temp_dir().join(format!(
            "zukan-nn-run-{}-{name}.safetensors",
            std::process::id()
        ));
        let run = nn_run(
            &format!("{name}.cfg"),
            &format!("{name}.weights"),
            &format!("{name}.io.safetensors"),
            &out,
        );
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let got = read_tensor(&std::fs::read(&out).unwrap(), "output").unwrap();
        std::fs::remove_file(&out).ok();
        for reference_file in [
            format!("{name}.io.safetensors"),
            format!("{name}.darknet.safetensors"),
        ] {
            let want = read_tensor(
                &std::fs::read(reference(&reference_file)).unwrap(),
                "output",
            )
            .unwrap();
            assert_eq!(got.shape(), want.shape(), "{reference_file}");
            let err = max_rel_err(got.as_slice(), want.as_slice());
            assert!(
                err <= 1e-4,
                "{reference_file}: max error {err:e} of max |want|"
            );
        }
    }
}

#[test]
fn weights_of_another_network_fail_with_the_byte_counts() {
    let out = std::env::temp_dir().join(format!(
        "zukan-nn-run-{}-bad.safetensors",
        std::process::id()
    ));
    let run = nn_run(
        "tiny_face_64.cfg",
        "tiny_face_32_v1.weights",
        "tiny_face_64.io.safetensors",
        &out,
    );
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    // tiny_face_64 needs 251,162 floats; the other file has a 16-byte header: 16 + 4 · 251,162.
    assert!(
        stderr.contains("expected 1004664 bytes") && stderr.contains("found 40916"),
        "{stderr}"
    );
    assert!(!out.exists());
}
