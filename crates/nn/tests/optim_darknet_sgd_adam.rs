//! Optimizer steps and learning-rate schedules, checked against numbers computed by hand
//! from Darknet's `update_convolutional_layer` / `get_current_rate` and Adam's definition.

use zukan_nn::optim::{
    Adam, AdamState, DarknetSgd, LrPolicy, LrSchedule, LrStep, OptimError, ParamKind, SgdState,
};

fn assert_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len());
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "[{k}]: got {g}, want {w}");
    }
}

#[test]
fn darknet_sgd_single_step_decays_weights_and_scales_by_batch() {
    // momentum .9, decay .0005, B = 4, lr .1, w = (1, −2), summed gradient g = (.4, −.8):
    // updates = −g − decay·B·w = (−.402, .804); w += lr/B · updates = (.98995, −1.9799);
    // updates *= .9 = (−.3618, .7236).
    let sgd = DarknetSgd {
        momentum: 0.9,
        decay: 0.0005,
    };
    let mut w = [1.0, -2.0];
    let mut state = SgdState::new(2);
    sgd.step(0.1, 4, ParamKind::Weights, &mut w, &[0.4, -0.8], &mut state)
        .unwrap();
    assert_close(&w, &[0.98995, -1.9799], 1e-6);
    assert_close(state.updates(), &[-0.3618, 0.7236], 1e-6);
}

#[test]
fn darknet_sgd_does_not_decay_biases_or_scales() {
    // updates = −g = (−.4, .8); w += .1/4 · updates = (.99, −1.98).
    let sgd = DarknetSgd {
        momentum: 0.9,
        decay: 0.0005,
    };
    let mut b = [1.0, -2.0];
    let mut state = SgdState::new(2);
    sgd.step(
        0.1,
        4,
        ParamKind::BiasOrScale,
        &mut b,
        &[0.4, -0.8],
        &mut state,
    )
    .unwrap();
    assert_close(&b, &[0.99, -1.98], 1e-6);
}

#[test]
fn darknet_sgd_momentum_accumulates_over_two_steps() {
    // lr 1, B 1, no decay, momentum .5, w 0, gradient 1 twice:
    // step 1: u = −1, w = −1, u = −.5; step 2: u = −.5 − 1 = −1.5, w = −2.5, u = −.75.
    let sgd = DarknetSgd {
        momentum: 0.5,
        decay: 0.0,
    };
    let mut w = [0.0];
    let mut state = SgdState::new(1);
    sgd.step(1.0, 1, ParamKind::Weights, &mut w, &[1.0], &mut state)
        .unwrap();
    assert_close(&w, &[-1.0], 0.0);
    sgd.step(1.0, 1, ParamKind::Weights, &mut w, &[1.0], &mut state)
        .unwrap();
    assert_close(&w, &[-2.5], 0.0);
    assert_close(state.updates(), &[-0.75], 0.0);
}

#[test]
fn optimizers_refuse_mismatched_lengths_and_an_empty_batch() {
    let sgd = DarknetSgd {
        momentum: 0.9,
        decay: 0.0,
    };
    let mut w = [0.0; 3];
    let mut state = SgdState::new(3);
    let err = sgd
        .step(0.1, 1, ParamKind::Weights, &mut w, &[0.0; 2], &mut state)
        .unwrap_err();
    assert_eq!(
        err,
        OptimError::Length {
            what: "gradients",
            expected: 3,
            found: 2
        }
    );
    let err = sgd
        .step(0.1, 0, ParamKind::Weights, &mut w, &[0.0; 3], &mut state)
        .unwrap_err();
    assert_eq!(err, OptimError::EmptyBatch);
    let mut adam_state = AdamState::new(4);
    let err = Adam::default()
        .step(0.1, ParamKind::Weights, &mut w, &[0.0; 3], &mut adam_state)
        .unwrap_err();
    assert_eq!(
        err,
        OptimError::Length {
            what: "state",
            expected: 3,
            found: 4
        }
    );
    assert_eq!(adam_state.steps(), 0, "a refused step must not count");
}

#[test]
fn adam_two_steps_with_bias_correction() {
    // β1 .9, β2 .999, lr .01, w 1.
    // Step 1, g = .5: m = .05, v = .00025; m̂ = .5, v̂ = .25; w = 1 − .01·.5/.5 = .99.
    // Step 2, g = −.25: m = .045 − .025 = .02, v = .00024975 + .0000625 = .00031225;
    // m̂ = .02/.19 = .1052632, v̂ = .00031225/.001999 = .1562031, sqrt = .3952254;
    // w = .99 − .01·.1052632/.3952254 = .9873366.
    let adam = Adam::default();
    let mut w = [1.0];
    let mut state = AdamState::new(1);
    adam.step(0.01, ParamKind::Weights, &mut w, &[0.5], &mut state)
        .unwrap();
    assert_close(&w, &[0.99], 1e-7);
    assert_close(state.first_moment(), &[0.05], 1e-7);
    assert_close(state.second_moment(), &[0.00025], 1e-8); // 1 − β2 rounds in f32
    adam.step(0.01, ParamKind::Weights, &mut w, &[-0.25], &mut state)
        .unwrap();
    assert_close(&w, &[0.9873366], 2e-7);
    assert_eq!(state.steps(), 2);
}

#[test]
fn adam_weight_decay_applies_to_weights_only() {
    // g = −.05 alone would raise w by lr; with weight_decay .1 the effective gradient is
    // −.05 + .1·1 = .05 and the first step lowers it by lr instead.
    let adam = Adam {
        weight_decay: 0.1,
        ..Adam::default()
    };
    let mut w = [1.0];
    adam.step(
        0.01,
        ParamKind::Weights,
        &mut w,
        &[-0.05],
        &mut AdamState::new(1),
    )
    .unwrap();
    assert_close(&w, &[0.99], 1e-7);
    let mut b = [1.0];
    adam.step(
        0.01,
        ParamKind::BiasOrScale,
        &mut b,
        &[-0.05],
        &mut AdamState::new(1),
    )
    .unwrap();
    assert_close(&b, &[1.01], 1e-7);
}

fn schedule(burn_in: u64, policy: LrPolicy) -> LrSchedule {
    LrSchedule {
        base_rate: 0.001,
        burn_in,
        power: 4.0,
        policy,
    }
}

#[test]
fn burn_in_ramps_with_the_fourth_power_then_hands_over_at_the_boundary() {
    let s = schedule(1000, LrPolicy::Constant);
    assert_eq!(s.rate(0), 0.0);
    assert_close(&[s.rate(500)], &[0.001 * 0.0625], 1e-10);
    assert_close(&[s.rate(999)], &[0.001 * 0.999f32.powi(4)], 1e-10);
    assert_eq!(s.rate(1000), 0.001);
    assert_eq!(s.rate(5000), 0.001);
}

#[test]
fn steps_policy_scales_from_each_step_on_including_a_negative_first_step() {
    // yolo-voc.cfg style: steps=-1,100,20000,30000 scales=.1,10,.1,.1.
    let steps = [(-1, 0.1), (100, 10.0), (20000, 0.1), (30000, 0.1)]
        .map(|(at, scale)| LrStep { at, scale })
        .to_vec();
    let s = schedule(0, LrPolicy::Steps(steps));
    let want = [
        (0, 0.0001),
        (99, 0.0001),
        (100, 0.001),
        (19_999, 0.001),
        (20_000, 0.0001),
        (29_999, 0.0001),
        (30_000, 0.00001),
    ];
    for (batch, rate) in want {
        assert_close(&[s.rate(batch)], &[rate], rate * 1e-6);
    }
}

#[test]
fn burn_in_takes_precedence_over_steps_until_its_end() {
    let s = schedule(
        1000,
        LrPolicy::Steps(vec![LrStep {
            at: 1000,
            scale: 0.1,
        }]),
    );
    assert_close(&[s.rate(999)], &[0.001 * 0.999f32.powi(4)], 1e-10);
    assert_close(&[s.rate(1000)], &[0.0001], 1e-10);
}

#[test]
fn poly_policy_decays_to_zero_at_max_batches_and_stays_there() {
    let s = schedule(0, LrPolicy::Poly { max_batches: 1000 });
    assert_eq!(s.rate(0), 0.001);
    assert_close(&[s.rate(500)], &[0.001 * 0.0625], 1e-10);
    assert_eq!(s.rate(1000), 0.0);
    assert_eq!(s.rate(2000), 0.0);
    assert_eq!(schedule(0, LrPolicy::Poly { max_batches: 0 }).rate(10), 0.0);
}
