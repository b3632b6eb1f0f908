//! A progress bar for imports that take more than a moment, drawn on stderr only when it is a
//! terminal.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use creanta_app::import::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Quick imports finish before this and never show a bar.
const SHOW_AFTER: Duration = Duration::from_millis(700);

pub struct Bar {
    bar: ProgressBar,
    started: Mutex<Option<Instant>>,
}

impl Bar {
    pub fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
                .expect("static template")
                .progress_chars("=> "),
        );
        Bar {
            bar,
            started: Mutex::new(None),
        }
    }

    fn reveal_if_slow(&self) {
        let started = *self.started.lock().expect("progress lock");
        if self.bar.is_hidden() && started.is_some_and(|t| t.elapsed() > SHOW_AFTER) {
            // indicatif's stderr target stays hidden when stderr is not a terminal.
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: u64) {
        self.started
            .lock()
            .expect("progress lock")
            .get_or_insert_with(Instant::now);
        self.bar.set_message(stage.to_owned());
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.reveal_if_slow();
    }
    fn advance(&self, n: u64) {
        self.bar.inc(n);
        self.reveal_if_slow();
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
