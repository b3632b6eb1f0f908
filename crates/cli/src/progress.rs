//! A progress bar for long imports, drawn on stderr only when it is a terminal.

use std::time::Duration;

use creanta_app::import::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new() -> Bar {
        // indicatif hides itself when stderr is not a terminal (pipes, CI logs).
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({eta})")
                .expect("static template")
                .progress_chars("=> "),
        );
        Bar { bar }
    }
}

impl Progress for Bar {
    fn start(&self, stage: &str, total: u64) {
        self.bar.reset();
        self.bar.set_length(total);
        self.bar.set_message(stage.to_owned());
        // Only imports that take more than a moment show a bar.
        self.bar.enable_steady_tick(Duration::from_millis(200));
    }
    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
    fn finish(&self) {
        self.bar.disable_steady_tick();
        self.bar.finish_and_clear();
    }
}
