//! Helpers for the unit tests: the processor time a call takes on its thread.

use std::time::{Duration, Instant};

/// Runs `call`, and returns its result with the processor time it took on this thread (wall time where
/// the kernel does not tell): a budget on processor time holds however many builds and tests share the
/// machine's cores, while a quadratic blowup still spends far more than it allows.
pub fn cpu_timed<T>(call: impl FnOnce() -> T) -> (T, Duration) {
    let (cpu, wall) = (thread_cpu_time(), Instant::now());
    let out = call();
    let took = match (cpu, thread_cpu_time()) {
        // A kernel without scheduler statistics reads 0: then the wall time is all there is.
        (Some(before), Some(after)) if !after.is_zero() => after.saturating_sub(before),
        _ => wall.elapsed(),
    };
    (out, took)
}

/// This thread's processor time so far, from the first field of `/proc/thread-self/schedstat`
/// (nanoseconds on the processor), on Linux.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(nanos))
}
