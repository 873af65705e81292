//! A progress line on standard error for long files, only when it is a terminal.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::time::{Duration, Instant};

/// Files smaller than this show no progress.
const MIN_SIZE: u64 = 16 * 1024 * 1024;
/// How often the line is redrawn.
const EVERY: Duration = Duration::from_millis(200);

/// A reader that reports how much of the file it has read.
pub struct Progress<R> {
    inner: R,
    label: String,
    size: u64,
    done: u64,
    shown: Option<Instant>,
}

impl<R: Read> Progress<R> {
    /// Wraps `inner`; shows nothing when quiet, for small files, or when stderr is not a
    /// terminal.
    pub fn wrap(inner: R, path: &Path, size: u64, quiet: bool) -> Self {
        let show = !quiet && size >= MIN_SIZE && std::io::stderr().is_terminal();
        Self {
            inner,
            label: path.display().to_string(),
            size,
            done: 0,
            shown: show.then(|| Instant::now() - EVERY),
        }
    }

    fn draw(&mut self, last: bool) {
        let Some(shown) = self.shown else { return };
        if !last && shown.elapsed() < EVERY {
            return;
        }
        let percent = self.done.saturating_mul(100) / self.size.max(1);
        let end = if last { "\n" } else { "" };
        eprint!(
            "\r{}: {percent:>3}% ({} MiB){end}",
            self.label,
            self.done >> 20
        );
        self.shown = Some(Instant::now());
    }
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        self.draw(n == 0);
        if n == 0 {
            self.shown = None;
        }
        Ok(n)
    }
}
