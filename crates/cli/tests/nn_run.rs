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

/// A cfg, weights and input written to a temporary directory, and `zukan nn run` on them.
struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new(cfg: &str, input: &zukan_nn::Tensor) -> Case {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("net.cfg"), cfg).unwrap();
        // Weights for the cfg when it builds; a bare header otherwise (the build fails first).
        let weights = zukan_nn::darknet::cfg::parse_cfg(cfg)
            .and_then(|c| zukan_nn::darknet::model::build_network(&c, None))
            .map(|mut net| zukan_nn::darknet::weights::save_weights(&mut net))
            .unwrap_or_else(|_| {
                [0u8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0].to_vec()
            });
        std::fs::write(dir.path().join("net.weights"), weights).unwrap();
        let bytes = zukan_nn::checkpoint::write_tensors(&[("input", input)]).unwrap();
        std::fs::write(dir.path().join("in.safetensors"), bytes).unwrap();
        Case { dir }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out.safetensors")
    }

    fn run(&self) -> (bool, String) {
        let p = |f: &str| self.dir.path().join(f);
        let run = Command::new(env!("CARGO_BIN_EXE_zukan"))
            .args(["nn", "run", "--cfg"])
            .arg(p("net.cfg"))
            .arg("--weights")
            .arg(p("net.weights"))
            .arg("--input")
            .arg(p("in.safetensors"))
            .arg("--out")
            .arg(self.out())
            .output()
            .unwrap();
        (
            run.status.success(),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        )
    }
}

const SMALL: &str = "[net]\nwidth=16\nheight=16\nchannels=3\n\
    [convolutional]\nfilters=2\nsize=3\nstride=1\npad=1\nactivation=leaky\n\
    [maxpool]\nsize=2\nstride=2\n";

/// An input with N = 0 wrote an empty output and exited 0.
#[test]
fn an_input_with_no_images_fails_without_writing_an_output() {
    let case = Case::new(SMALL, &zukan_nn::Tensor::zeros([0, 3, 16, 16]));
    let (ok, stderr) = case.run();
    assert!(!ok);
    assert!(
        stderr.contains("the input tensor is empty (shape [0, 3, 16, 16])"),
        "{stderr}"
    );
    assert!(!case.out().exists());
}

/// An input of 0×0 was reported as "[net] needs width, height and channels".
#[test]
fn an_input_of_zero_sides_names_the_input_not_the_cfg() {
    let case = Case::new(SMALL, &zukan_nn::Tensor::zeros([1, 3, 0, 0]));
    let (ok, stderr) = case.run();
    assert!(!ok);
    assert!(stderr.contains("the input tensor is empty"), "{stderr}");
    assert!(!stderr.contains("[net]"), "{stderr}");
}

/// A cfg with only `[net]` wrote an output of shape [0, 0, 0, 0].
#[test]
fn a_cfg_with_only_net_fails_without_writing_an_output() {
    let case = Case::new(
        "[net]\nwidth=16\nheight=16\nchannels=3\n",
        &zukan_nn::Tensor::zeros([1, 3, 16, 16]),
    );
    let (ok, stderr) = case.run();
    assert!(!ok);
    assert!(stderr.contains("no layers after [net]"), "{stderr}");
    assert!(!case.out().exists());
}

/// An input whose sides differ from the cfg's ran silently at the tensor's size; it still
/// runs (Darknet resizes too) but says so.
#[test]
fn an_input_of_another_size_runs_with_a_note_on_stderr() {
    let case = Case::new(SMALL, &zukan_nn::Tensor::zeros([1, 3, 8, 12]));
    let (ok, stderr) = case.run();
    assert!(ok, "{stderr}");
    assert_eq!(
        stderr.trim(),
        "note: ran the network at 8x12 (HxW, the input's size) instead of the cfg's 16x16"
    );
    let out = read_tensor(&std::fs::read(case.out()).unwrap(), "output").unwrap();
    assert_eq!(out.shape(), [1, 2, 4, 6]);
    // At the cfg's own size there is nothing to say.
    let same = Case::new(SMALL, &zukan_nn::Tensor::zeros([1, 3, 16, 16]));
    let (ok, stderr) = same.run();
    assert!(ok && stderr.is_empty(), "{stderr}");
}

/// 416×416 with a 1048576-filter convolution aborted with "memory allocation of
/// 725849473024 bytes failed".
#[test]
fn a_layer_over_the_memory_cap_is_an_error_naming_the_cap() {
    let cfg = "[net]\nwidth=416\nheight=416\nchannels=3\n\
        [convolutional]\nfilters=1048576\nsize=1\nstride=1\nactivation=linear\n";
    let case = Case::new(cfg, &zukan_nn::Tensor::zeros([1, 3, 416, 416]));
    let (ok, stderr) = case.run();
    assert!(!ok);
    assert!(
        stderr.contains("output 1048576x416x416 is over the cap of 2^30 values (4 GiB) per layer"),
        "{stderr}"
    );
}
