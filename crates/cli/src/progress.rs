//! Download progress on the terminal: one bar per file and a total, or plain log lines when
//! stderr is not a terminal (CI logs, pipes).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use zukan::Progress;

/// Draws indicatif bars on a terminal; prints one line per event otherwise.
pub struct TerminalProgress {
    multi: Option<MultiProgress>,
    state: Mutex<Bars>,
}

/// The bars being drawn, and what the total bar counts.
#[derive(Default)]
struct Bars {
    files: HashMap<String, ProgressBar>,
    /// The planned size of each file (so a file found already verified counts as done).
    planned: HashMap<String, u64>,
    total: Option<ProgressBar>,
    done: usize,
}

impl TerminalProgress {
    /// Bars when stderr is a terminal, plain lines when it is not.
    pub fn new() -> Self {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        TerminalProgress {
            multi,
            state: Mutex::new(Bars::default()),
        }
    }

    fn with_bars<T>(&self, f: impl FnOnce(&mut Bars) -> T) -> Option<T> {
        self.multi.as_ref()?;
        self.state.lock().ok().map(|mut bars| f(&mut bars))
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{msg:28!} {bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>4}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Bars {
    fn total_message(&self) -> String {
        format!("total ({} of {} files)", self.done, self.planned.len())
    }
}

impl Progress for TerminalProgress {
    fn plan(&self, files: &[(String, Option<u64>)]) {
        let Some(multi) = &self.multi else { return };
        if files.len() < 2 {
            return; // one file: its own bar is the total
        }
        if let Ok(mut bars) = self.state.lock() {
            bars.planned = files
                .iter()
                .map(|(name, size)| (name.clone(), size.unwrap_or(0)))
                .collect();
            bars.done = 0;
            let sum = bars.planned.values().sum();
            let total = multi.add(ProgressBar::new(sum).with_style(style()));
            total.set_message(bars.total_message());
            bars.total = Some(total);
        }
    }

    fn begin(&self, file: &str, total: Option<u64>) {
        match &self.multi {
            Some(multi) => {
                let bar = ProgressBar::new(total.unwrap_or(0)).with_style(style());
                let _ = self.with_bars(|bars| {
                    // File bars go above the total, which stays last.
                    let bar = match &bars.total {
                        Some(t) => multi.insert_before(t, bar),
                        None => multi.add(bar),
                    };
                    bar.set_message(file.to_owned());
                    bars.files.insert(file.to_owned(), bar);
                });
            }
            // "fetching": the bytes may come from the network, a mirror folder or --from.
            None => match total {
                Some(n) => eprintln!("fetching {file} ({n} bytes)"),
                None => eprintln!("fetching {file}"),
            },
        }
    }

    fn advance(&self, file: &str, bytes: u64) {
        let _ = self.with_bars(|bars| {
            if let Some(bar) = bars.files.get(file) {
                bar.inc(bytes);
            }
            if let Some(total) = &bars.total {
                total.inc(bytes);
            }
        });
    }

    fn restart(&self, file: &str) {
        let drawn = self.with_bars(|bars| {
            if let Some(bar) = bars.files.get(file) {
                if let Some(total) = &bars.total {
                    total.dec(bar.position());
                }
                bar.set_position(0);
            }
        });
        if drawn.is_none() {
            eprintln!("{file}: server ignored the range request; restarting from zero");
        }
    }

    fn finish(&self, file: &str) {
        let drawn = self.with_bars(|bars| {
            let written = match bars.files.remove(file) {
                Some(bar) => {
                    let written = bar.position();
                    bar.finish_and_clear();
                    written
                }
                None => 0, // already verified in downloads/: nothing was transferred
            };
            bars.done += 1;
            let message = bars.total_message();
            let planned = bars.planned.get(file).copied().unwrap_or(written);
            if let Some(total) = &bars.total {
                // Count the file as whole even when its size was unknown or it was cached.
                total.inc(planned.saturating_sub(written));
                total.set_message(message);
                if bars.done >= bars.planned.len() {
                    total.finish_and_clear();
                }
            }
        });
        if drawn.is_none() {
            // "fetched", not "verified": a file with no checksum yet is only hashed.
            eprintln!("fetched {file}");
        }
    }

    fn note(&self, message: &str) {
        match &self.multi {
            Some(multi) => {
                let _ = multi.println(message);
            }
            None => eprintln!("{message}"),
        }
    }
}
