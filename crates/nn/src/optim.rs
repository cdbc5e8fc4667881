//! Optimizers and learning-rate schedules on flat parameter slices.
//!
//! Gradients here are ordinary gradients, `∂L/∂param` (the conv layers' backward produces
//! them; the region layer's Darknet-style delta is turned into one by
//! [`crate::region::region_backward`]). Each optimizer keeps its per-tensor state in a
//! separate value ([`SgdState`], [`AdamState`]) created once per parameter tensor, so the
//! network owns the parameters and the trainer owns the state.
//!
//! * [`DarknetSgd`] reproduces Darknet's update rule exactly, including its peculiar
//!   placement of the batch size: weight decay is scaled by the batch and the step by
//!   `lr / batch`.
//! * [`Adam`] is Kingma & Ba's Adam with bias correction and optional L2 weight decay.
//! * [`LrSchedule`] is Darknet's `get_current_rate`: burn-in, then a constant, steps or
//!   poly policy.

/// Which kind of parameter a slice holds. Darknet decays only convolution (and connected)
/// weights; biases and batch-norm scales are updated without decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Convolution weights: weight decay applies.
    Weights,
    /// Biases and batch-norm scales: no weight decay.
    BiasOrScale,
}

/// Why an optimizer step refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimError {
    /// Parameters, gradients and state do not have the same length.
    #[error("optimizer: {what} has {found} values but the parameters have {expected}")]
    Length {
        /// `gradients` or `state`.
        what: &'static str,
        /// Number of parameters.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The batch size of a Darknet SGD step is 0.
    #[error("optimizer: the batch size must be at least 1")]
    EmptyBatch,
}

fn check_lengths(params: &[f32], grads: &[f32], state: usize) -> Result<(), OptimError> {
    if grads.len() != params.len() {
        return Err(OptimError::Length {
            what: "gradients",
            expected: params.len(),
            found: grads.len(),
        });
    }
    if state != params.len() {
        return Err(OptimError::Length {
            what: "state",
            expected: params.len(),
            found: state,
        });
    }
    Ok(())
}

/// SGD with momentum and weight decay exactly as Darknet applies it
/// (`update_convolutional_layer`, pjreddie and AlexeyAB alike).
///
/// Darknet keeps an `updates` buffer per parameter tensor. The backward passes of all
/// `B = batch · subdivisions` images add their negative gradients to it; then, once per
/// update:
///
/// ```text
/// weights:        updates += −decay · B · w      (biases and BN scales skip this line)
///                 w       += (lr / B) · updates
///                 updates *= momentum
/// ```
///
/// So with `g` the gradient summed over the `B` images and `v` the buffer,
/// `v ← momentum·v − g − decay·B·w` and `w ← w + (lr/B)·v`: an average gradient with
/// weight decay `decay` on the mean loss, and heavy-ball momentum folded into the buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DarknetSgd {
    /// `momentum=` (Darknet default .9).
    pub momentum: f32,
    /// `decay=` (Darknet default .0001; the tiny YOLOv2 cfgs use .0005).
    pub decay: f32,
}

/// Darknet's per-tensor `*_updates` buffer for [`DarknetSgd`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SgdState {
    updates: Vec<f32>,
}

impl SgdState {
    /// A zeroed buffer for a tensor of `len` parameters.
    pub fn new(len: usize) -> Self {
        Self {
            updates: vec![0.0; len],
        }
    }

    /// The buffer after the last step (momentum already applied), in Darknet's sign:
    /// it holds negative gradients.
    pub fn updates(&self) -> &[f32] {
        &self.updates
    }
}

impl DarknetSgd {
    /// One update of `params` with `grads`, the gradient of the loss summed over the
    /// `batch` images of this update (Darknet's `batch · subdivisions`).
    pub fn step(
        &self,
        learning_rate: f32,
        batch: usize,
        kind: ParamKind,
        params: &mut [f32],
        grads: &[f32],
        state: &mut SgdState,
    ) -> Result<(), OptimError> {
        check_lengths(params, grads, state.updates.len())?;
        if batch == 0 {
            return Err(OptimError::EmptyBatch);
        }
        let b = batch as f32;
        let decay = match kind {
            ParamKind::Weights => -self.decay * b,
            ParamKind::BiasOrScale => 0.0,
        };
        let rate = learning_rate / b;
        for ((w, g), u) in params.iter_mut().zip(grads).zip(&mut state.updates) {
            // The backward pass's contribution (Darknet accumulates −∂L/∂w), then the update.
            *u -= g;
            *u += decay * *w;
            *w += rate * *u;
            *u *= self.momentum;
        }
        Ok(())
    }
}

/// Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay.
///
/// Per step `t` (from 1), with `g = grad + weight_decay · w` for [`ParamKind::Weights`]
/// (coupled L2, as PyTorch's `Adam(weight_decay=…)`; biases and scales are not decayed):
///
/// ```text
/// m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
/// w ← w − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + eps)
/// ```
///
/// The step size does not depend on whether `grads` is a sum or a mean over the batch,
/// except through `eps`; pass the gradient of the mean loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adam {
    /// First-moment decay, β1.
    pub beta1: f32,
    /// Second-moment decay, β2.
    pub beta2: f32,
    /// Added to the denominator.
    pub eps: f32,
    /// L2 coefficient added to the gradient of weights.
    pub weight_decay: f32,
}

impl Default for Adam {
    /// β1 .9, β2 .999, eps 1e-8, no weight decay (the paper's defaults).
    fn default() -> Self {
        Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

/// Adam's per-tensor moments and step count.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AdamState {
    m: Vec<f32>,
    v: Vec<f32>,
    steps: u64,
}

impl AdamState {
    /// Zeroed moments for a tensor of `len` parameters.
    pub fn new(len: usize) -> Self {
        Self {
            m: vec![0.0; len],
            v: vec![0.0; len],
            steps: 0,
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The first moment `m`.
    pub fn first_moment(&self) -> &[f32] {
        &self.m
    }

    /// The second moment `v`.
    pub fn second_moment(&self) -> &[f32] {
        &self.v
    }
}

impl Adam {
    /// One step of `params` with `grads` at `learning_rate`.
    pub fn step(
        &self,
        learning_rate: f32,
        kind: ParamKind,
        params: &mut [f32],
        grads: &[f32],
        state: &mut AdamState,
    ) -> Result<(), OptimError> {
        check_lengths(params, grads, state.m.len())?;
        check_lengths(params, grads, state.v.len())?;
        state.steps += 1;
        let t = state.steps.min(i32::MAX as u64) as i32;
        let correction1 = 1.0 - f64::from(self.beta1).powi(t);
        let correction2 = 1.0 - f64::from(self.beta2).powi(t);
        let decay = match kind {
            ParamKind::Weights => self.weight_decay,
            ParamKind::BiasOrScale => 0.0,
        };
        let (b1, b2) = (self.beta1, self.beta2);
        let lr = f64::from(learning_rate);
        let moments = state.m.iter_mut().zip(state.v.iter_mut());
        for ((w, g), (m, v)) in params.iter_mut().zip(grads).zip(moments) {
            let g = g + decay * *w;
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            let m_hat = f64::from(*m) / correction1;
            let v_hat = f64::from(*v) / correction2;
            *w -= (lr * m_hat / (v_hat.sqrt() + f64::from(self.eps))) as f32;
        }
        Ok(())
    }
}

/// One entry of Darknet's `steps=` / `scales=` lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LrStep {
    /// The batch number from which the scale applies (may be negative: Darknet cfgs use
    /// `steps=-1,…` to scale from the start).
    pub at: i64,
    /// The factor applied to the rate from that batch on.
    pub scale: f32,
}

/// A learning-rate policy after burn-in (Darknet's `policy=`).
#[derive(Debug, Clone, PartialEq)]
pub enum LrPolicy {
    /// `policy=constant`: the base rate.
    Constant,
    /// `policy=steps`: the base rate times the scale of every step reached
    /// (`at ≤ batch`), reading the list in order and stopping at the first step not yet
    /// reached, as Darknet does (so the list should be sorted).
    Steps(Vec<LrStep>),
    /// `policy=poly`: `base · (1 − batch / max_batches)^power`, with the bracket clamped
    /// at 0 past `max_batches` (Darknet would raise a negative number to a real power).
    Poly {
        /// `max_batches=`.
        max_batches: u64,
    },
}

/// Darknet's learning rate as a function of the batch number (`get_current_rate`).
#[derive(Debug, Clone, PartialEq)]
pub struct LrSchedule {
    /// `learning_rate=`.
    pub base_rate: f32,
    /// `burn_in=`: for batch numbers below it the rate is `base · (batch / burn_in)^power`.
    pub burn_in: u64,
    /// `power=` (Darknet default 4). Darknet uses the same key for burn-in and for poly.
    pub power: f32,
    /// The policy after burn-in.
    pub policy: LrPolicy,
}

impl LrSchedule {
    /// The rate at update number `batch` (Darknet's `get_current_batch`, counted from 0).
    pub fn rate(&self, batch: u64) -> f32 {
        if batch < self.burn_in {
            let progress = batch as f32 / self.burn_in as f32;
            return self.base_rate * f64::from(progress).powf(f64::from(self.power)) as f32;
        }
        match &self.policy {
            LrPolicy::Constant => self.base_rate,
            LrPolicy::Steps(steps) => {
                let batch = i64::try_from(batch).unwrap_or(i64::MAX);
                let mut rate = self.base_rate;
                for step in steps {
                    if step.at > batch {
                        break;
                    }
                    rate *= step.scale;
                }
                rate
            }
            LrPolicy::Poly { max_batches } => {
                if *max_batches == 0 {
                    return 0.0;
                }
                let remaining = (1.0 - batch as f32 / *max_batches as f32).max(0.0);
                self.base_rate * f64::from(remaining).powf(f64::from(self.power)) as f32
            }
        }
    }
}
