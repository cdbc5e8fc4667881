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
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl TerminalProgress {
    /// Bars when stderr is a terminal, plain lines when it is not.
    pub fn new() -> Self {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        TerminalProgress {
            multi,
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn bar(&self, file: &str) -> Option<ProgressBar> {
        self.bars.lock().ok()?.get(file).cloned()
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{msg:28!} {bar:30} {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>4}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Progress for TerminalProgress {
    fn begin(&self, file: &str, total: Option<u64>) {
        match &self.multi {
            Some(multi) => {
                let bar = multi.add(ProgressBar::new(total.unwrap_or(0)).with_style(style()));
                bar.set_message(file.to_owned());
                if let Ok(mut bars) = self.bars.lock() {
                    bars.insert(file.to_owned(), bar);
                }
            }
            None => match total {
                Some(n) => eprintln!("downloading {file} ({n} bytes)"),
                None => eprintln!("downloading {file}"),
            },
        }
    }

    fn advance(&self, file: &str, bytes: u64) {
        if let Some(bar) = self.bar(file) {
            bar.inc(bytes);
        }
    }

    fn restart(&self, file: &str) {
        match self.bar(file) {
            Some(bar) => bar.set_position(0),
            None => eprintln!("{file}: server ignored the range request; restarting from zero"),
        }
    }

    fn finish(&self, file: &str) {
        match self.bars.lock().ok().and_then(|mut bars| bars.remove(file)) {
            Some(bar) => bar.finish_and_clear(),
            None => eprintln!("verified {file}"),
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
