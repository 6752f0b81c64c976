//! Wall time per phase on standard error, when `TENANT_LINT_TIMINGS` is
//! set (for profiling; not part of the interface).

use std::time::Instant;

/// The clock of one run's phases.
pub(super) struct Phases {
    on: bool,
    last: Instant,
}

impl Phases {
    pub(super) fn new(started: Instant) -> Phases {
        Phases {
            on: std::env::var_os("TENANT_LINT_TIMINGS").is_some(),
            last: started,
        }
    }

    /// Prints the time since the last mark, naming the phase it ends.
    pub(super) fn mark(&mut self, what: &str) {
        if self.on {
            let now = Instant::now();
            // Peak resident memory so far (Linux only), as touching fresh
            // pages is a measurable part of a run.
            let peak = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    Some(format!(", peak RSS {}", line[6..].trim()))
                })
                .unwrap_or_default();
            eprintln!(
                "tenant-lint: {what}: {:.1} ms{peak}",
                (now - self.last).as_secs_f64() * 1e3
            );
            self.last = now;
        }
    }
}
