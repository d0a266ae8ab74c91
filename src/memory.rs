//! Heap accounting for the script sandbox.
//!
//! Rhai can bound the sizes of strings, arrays and maps, but with any bound set it re-measures
//! a whole array after every `push`, which made the pack quadratic on large inventories. So
//! hacheck counts heap bytes in its allocator instead: per thread, and per [`Ledger`] (the
//! threads of one evaluation together). A script run gets a budget; the engine's progress hook,
//! called between operations, stops the run once its thread or its ledger holds more than
//! allowed. One operation can at most double a value (`s += s`, `a += a`); the few built-ins
//! that fill a large value in one call (`pad`, `blob`, `to_chars`, `split`) check
//! [`exceeded`] as they fill.

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc as Inner;
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};

/// mimalloc (as ruff uses a faster allocator than the system's: the pack's scripts allocate
/// on every step, and glibc's malloc and free took a third of its time), counting what each
/// thread and ledger holds.
pub struct CountingAllocator;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread (negative when it frees others' data).
    static HELD: Cell<i64> = const { Cell::new(0) };
    /// The most `HELD` has been since the current budget began.
    static PEAK: Cell<i64> = const { Cell::new(0) };
    /// (the most `HELD` may be, the budget that limit came from) while a budget runs.
    static LIMIT: Cell<(i64, u64)> = const { Cell::new((i64::MAX, u64::MAX)) };
    /// The ledger this thread's allocations are also counted in, if any.
    static LEDGER: Cell<*const Ledger> = const { Cell::new(std::ptr::null()) };
    /// Bytes this thread has not added to its ledger yet (see [`LEDGER_BATCH`]).
    static UNPOSTED: Cell<i64> = const { Cell::new(0) };
}

/// A thread adds to its ledger once this many bytes (up or down) have gathered: one atomic
/// add per allocation, on a counter two threads share, made every allocation of the pack
/// contend for one cache line. A ledger may so lag by this much per thread; the thread's
/// own count never does.
const LEDGER_BATCH: i64 = 256 << 10;

/// Adds `bytes` to the ledger this thread counts in, if any.
fn post(bytes: i64) {
    let _ = LEDGER.try_with(|ledger| {
        // SAFETY: `Ledger::enter` sets the pointer only for as long as the ledger is borrowed.
        if let Some(ledger) = unsafe { ledger.get().as_ref() } {
            ledger.held.fetch_add(bytes, Ordering::Relaxed);
        }
    });
}

/// Posts what this thread has gathered for its ledger.
fn post_unposted() {
    if let Ok(bytes) = UNPOSTED.try_with(|unposted| unposted.replace(0)) {
        post(bytes);
    }
}

fn record(delta: i64) {
    // `try_with`: the allocator also runs while thread-locals are being torn down.
    let _ = HELD.try_with(|held| {
        let now = held.get() + delta;
        held.set(now);
        if delta > 0 {
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        }
    });
    let _ = UNPOSTED.try_with(|unposted| {
        let gathered = unposted.get() + delta;
        if gathered.abs() < LEDGER_BATCH {
            unposted.set(gathered);
        } else {
            unposted.set(0);
            post(gathered);
        }
    });
}

// SAFETY: every call is forwarded to mimalloc unchanged; only counters are updated.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { Inner.alloc(layout) };
        if !pointer.is_null() {
            record(layout.size() as i64);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { Inner.alloc_zeroed(layout) };
        if !pointer.is_null() {
            record(layout.size() as i64);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { Inner.dealloc(pointer, layout) };
        record(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { Inner.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            record(new_size as i64 - layout.size() as i64);
        }
        moved
    }
}

/// The bytes a group of threads (one evaluation's workers) may hold together.
pub struct Ledger {
    held: AtomicI64,
    limit: i64,
}

impl Ledger {
    pub fn new(limit_bytes: u64) -> Ledger {
        Ledger {
            held: AtomicI64::new(0),
            limit: i64::try_from(limit_bytes).unwrap_or(i64::MAX),
        }
    }

    /// Counts this thread's allocations in the ledger until `f` returns.
    pub fn enter<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Leave(*const Ledger);
        impl Drop for Leave {
            fn drop(&mut self) {
                post_unposted();
                LEDGER.with(|ledger| ledger.set(self.0));
            }
        }
        post_unposted();
        let _leave = Leave(LEDGER.with(|ledger| ledger.replace(self)));
        f()
    }

    pub fn limit_bytes(&self) -> u64 {
        self.limit as u64
    }
}

/// What went over: this run's own budget, or the ledger shared by the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    Run(u64),
    Ledger(u64),
}

/// Runs `f` allowing this thread to hold `budget_bytes` more than it holds now. Returns what
/// `f` returned and the most it held above that start.
pub fn with_budget<T>(budget_bytes: u64, f: impl FnOnce() -> T) -> (T, u64) {
    struct Restore {
        limit: (i64, u64),
        peak: i64,
    }
    impl Drop for Restore {
        fn drop(&mut self) {
            LIMIT.with(|limit| limit.set(self.limit));
            PEAK.with(|peak| peak.set(self.peak.max(peak.get())));
        }
    }
    let start = HELD.with(Cell::get);
    let budget = i64::try_from(budget_bytes).unwrap_or(i64::MAX);
    let restore = Restore {
        limit: LIMIT.with(|limit| limit.replace((start.saturating_add(budget), budget_bytes))),
        peak: PEAK.with(|peak| peak.replace(start)),
    };
    let value = f();
    let peak = PEAK.with(Cell::get) - start;
    drop(restore);
    (value, peak.max(0) as u64)
}

/// Runs `f` without counting what it leaves allocated against this thread's budget or its
/// ledger: for data that outlives the run and belongs to no script (the policy view's
/// resources, converted on first read by whichever run reads them first).
pub fn uncounted<T>(f: impl FnOnce() -> T) -> T {
    let held = HELD.with(Cell::get);
    let peak = PEAK.with(Cell::get);
    let value = f();
    let grown = HELD.with(Cell::get) - held;
    record(-grown);
    PEAK.with(|p| p.set(peak.max(HELD.with(Cell::get))));
    value
}

/// Whether this thread's budget or its ledger is exceeded now.
pub fn exceeded() -> Option<Exceeded> {
    would_exceed(0)
}

/// Whether allocating `extra_bytes` more would exceed this thread's budget or its ledger.
pub fn would_exceed(extra_bytes: u64) -> Option<Exceeded> {
    let extra = i64::try_from(extra_bytes).unwrap_or(i64::MAX);
    let (limit, budget) = LIMIT.with(Cell::get);
    if HELD.with(Cell::get).saturating_add(extra) > limit {
        return Some(Exceeded::Run(budget));
    }
    LEDGER.with(|ledger| {
        // SAFETY: as in `record`.
        let ledger = unsafe { ledger.get().as_ref() }?;
        let held = ledger.held.load(Ordering::Relaxed) + UNPOSTED.with(Cell::get);
        (held.saturating_add(extra) > ledger.limit).then(|| Exceeded::Ledger(ledger.limit_bytes()))
    })
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exceeded::Run(bytes) => {
                write!(f, "stopped: held more than {} of memory", mebibytes(*bytes))
            }
            Exceeded::Ledger(bytes) => write!(
                f,
                "stopped: all scripts together held more than {} of memory",
                mebibytes(*bytes)
            ),
        }
    }
}

/// `bytes` as whole mebibytes, e.g. `64 MiB`.
pub fn mebibytes(bytes: u64) -> String {
    format!("{} MiB", bytes.div_ceil(1 << 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_is_exceeded_by_what_the_thread_holds_and_by_what_it_would_allocate() {
        let (outcome, peak) = with_budget(1 << 20, || {
            assert_eq!(exceeded(), None);
            assert_eq!(would_exceed(2 << 20), Some(Exceeded::Run(1 << 20)));
            let held = vec![0u8; 2 << 20];
            let over = exceeded();
            drop(held);
            (over, exceeded())
        });
        assert_eq!(outcome, (Some(Exceeded::Run(1 << 20)), None));
        assert!(peak >= 2 << 20, "peak {peak}");
        assert_eq!(exceeded(), None, "the budget ends with the run");
    }

    #[test]
    fn a_ledger_adds_up_its_threads() {
        let ledger = Ledger::new(3 << 20);
        let held: Vec<Vec<u8>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| ledger.enter(|| vec![0u8; 2 << 20])))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        ledger.enter(|| assert_eq!(exceeded(), Some(Exceeded::Ledger(3 << 20))));
        drop(held);
    }
}
