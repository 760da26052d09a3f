//! Interleaving: the recorded order of reads and writes on a shared value
//! in one short traced repeat of the counter lesson, and the lost updates
//! that order proves (a write that overwrote another worker's write made
//! after its own read).
//!
//! The counter records into a [`Log`]: take a ticket (a fetch-and-add on a
//! word of its own, the run's global order), put the event in that
//! ticket's slot. Threads that share one memory use [`MemoryLog`];
//! processes, whose counter lives in a `SharedArrayBuffer`, use a log over
//! a second one, laid out as [`MemoryLog`] is (64-bit words: the
//! [`LogShape::header`], then [`SLOT_WORDS`] per event, [`Event::pack`]),
//! so the same counter code records either way.
//!
//! Plain Rust with no web types; nothing here runs in a timed repeat.

use crate::format::group;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a worker did to the shared value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Read the value (`value`).
    Read,
    /// Wrote `value`, replacing `replaced`.
    Write,
    /// Found the lock taken and waited for it (`value` is 0: nothing was
    /// read).
    Wait,
    /// Read and wrote in one indivisible step, `replaced` → `value`: an
    /// atomic add, or (`messages`) the owner adding one worker's total.
    Add,
}

impl Op {
    pub const ALL: [Op; 4] = [Op::Read, Op::Write, Op::Wait, Op::Add];

    /// The op as the report's JSON names it.
    pub const fn id(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Wait => "wait",
            Op::Add => "add",
        }
    }
}

/// One operation of one worker on the shared value.
///
/// `worker` is the task's index: the traced repeat runs one task per
/// worker where the model has the workers, so a task's lane is its worker's.
/// `order` is the ticket taken right *after* the operation: a worker can
/// be delayed between the two, so two events of different workers that
/// were close may be numbered the other way round. Events of one worker are
/// always in their program order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub worker: u32,
    pub op: Op,
    pub value: u64,
    pub order: u64,
    /// Writes and adds: the value the write replaced, read by the same
    /// atomic swap that wrote. It proves a lost update without trusting
    /// `order`: a write that replaced something else than its worker had
    /// read overwrote a write made after that read.
    pub replaced: Option<u64>,
    /// Writes under a GIL: the GIL passed to another worker between this
    /// worker's read and this write, as it can between the bytecodes of
    /// `value += 1`.
    pub switched: bool,
}

impl Event {
    pub fn read(worker: u32, value: u64, order: u64) -> Event {
        Event {
            worker,
            op: Op::Read,
            value,
            order,
            replaced: None,
            switched: false,
        }
    }

    pub fn write(worker: u32, value: u64, replaced: u64, order: u64) -> Event {
        Event {
            op: Op::Write,
            replaced: Some(replaced),
            ..Event::read(worker, value, order)
        }
    }

    /// A write that does not know what it replaced (a plain store).
    pub fn store(worker: u32, value: u64, order: u64) -> Event {
        Event {
            op: Op::Write,
            ..Event::read(worker, value, order)
        }
    }

    pub fn wait(worker: u32, order: u64) -> Event {
        Event {
            op: Op::Wait,
            ..Event::read(worker, 0, order)
        }
    }

    pub fn add(worker: u32, value: u64, replaced: u64, order: u64) -> Event {
        Event {
            op: Op::Add,
            ..Event::write(worker, value, replaced, order)
        }
    }

    /// "w0 read 41", "w1 wrote 42 over 42", "w1 waits for the lock",
    /// "w0 added 41 → 42": one step of a sequence diagram in words.
    pub fn words(&self) -> String {
        format!("w{} {}", self.worker, self.step_words())
    }

    /// [`Event::words`] without the worker, for a place that names it
    /// already (a worker's lane): "read 41", "wrote 42 over 42".
    pub fn step_words(&self) -> String {
        match (self.op, self.replaced) {
            (Op::Read, _) => format!("read {}", self.value),
            (Op::Write, Some(r)) => format!("wrote {} over {r}", self.value),
            (Op::Write, None) => format!("wrote {}", self.value),
            (Op::Wait, _) => "waits for the lock".to_string(),
            (Op::Add, Some(r)) => format!("added {r} → {}", self.value),
            (Op::Add, None) => format!("added, making {}", self.value),
        }
    }
}

// ---- the log ----

/// Where a traced repeat records. `ticket` hands out the run's global
/// order; `put` keeps an event in the slot of its `order`. An event past
/// the log's capacity is dropped: the trace is short by design, and a log
/// that grew would need a lock the workers could contend on, which would
/// change the interleaving it records.
///
/// The log is also where the traced repeat's workers meet before they
/// start (`arrive`, `all_arrived`): a trace a few hundred increments long
/// is over before a late worker's thread or process is even scheduled, and
/// would show workers that never met.
pub trait Log: Send + Sync {
    /// The next number of the run's order (a fetch-and-add on one word).
    fn ticket(&self) -> u64;
    /// Keeps `event` in slot `event.order`, if the log has that slot.
    fn put(&self, event: &Event);
    /// Counts one worker in (a fetch-and-add on another word).
    fn arrive(&self);
    /// Whether every worker that starts at once has arrived.
    fn all_arrived(&self) -> bool;
    /// Takes a ticket and keeps `event` under it; returns the ticket.
    fn record(&self, event: Event) -> u64 {
        let order = self.ticket();
        self.put(&Event { order, ..event });
        order
    }
}

/// Words before the first slot: the next ticket, the workers arrived, and
/// how many are expected ([`LogShape::header`]).
pub const LOG_HEADER_WORDS: usize = 3;
/// Words per event slot (see [`Event::pack`]).
pub const SLOT_WORDS: usize = 3;
const TICKET: usize = 0;
const ARRIVED: usize = 1;
const PARTIES: usize = 2;

/// What a log for one traced repeat holds: room for its events, and how
/// many of its workers start at once (and so wait for each other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogShape {
    pub capacity: usize,
    pub parties: u32,
}

impl LogShape {
    /// The 64-bit words the log takes, header included: a
    /// `SharedArrayBuffer` log is 8 × this many bytes.
    pub const fn words(&self) -> usize {
        LOG_HEADER_WORDS + SLOT_WORDS * self.capacity
    }

    /// The header a fresh log starts with: no ticket taken, nobody
    /// arrived, `parties` expected. The slots start at zero (empty).
    pub const fn header(&self) -> [u64; LOG_HEADER_WORDS] {
        let mut h = [0; LOG_HEADER_WORDS];
        h[PARTIES] = self.parties as u64;
        h
    }
}

const OP_SHIFT: u32 = 32;
const HAS_REPLACED: u64 = 1 << 40;
const SWITCHED: u64 = 1 << 41;

impl Event {
    /// The event as three words of a log slot: the value, the replaced
    /// value, and the worker (bits 0–31), the op (bits 32–39, counted
    /// from 1, so an empty slot reads as none), whether it replaced (bit
    /// 40) and whether the GIL switched (bit 41). The order is the slot's
    /// index. Writing the third word last makes a slot whole once it is set.
    pub fn pack(&self) -> [u64; SLOT_WORDS] {
        let op = Op::ALL.iter().position(|o| *o == self.op).unwrap_or(0) as u64 + 1;
        let mut tag = u64::from(self.worker) | op << OP_SHIFT;
        if self.replaced.is_some() {
            tag |= HAS_REPLACED;
        }
        if self.switched {
            tag |= SWITCHED;
        }
        [self.value, self.replaced.unwrap_or(0), tag]
    }

    /// The event in a slot, or `None` for a slot never written (or one
    /// whose op no version wrote).
    pub fn unpack(order: u64, words: [u64; SLOT_WORDS]) -> Option<Event> {
        let [value, replaced, tag] = words;
        let op = *Op::ALL.get(((tag >> OP_SHIFT) & 0xff).checked_sub(1)? as usize)?;
        Some(Event {
            worker: tag as u32,
            op,
            value,
            order,
            replaced: (tag & HAS_REPLACED != 0).then_some(replaced),
            switched: tag & SWITCHED != 0,
        })
    }
}

/// The events of a log's words (header included), in order; empty slots
/// (tickets whose event was never put, or a log cut short) are skipped.
pub fn events_from_words(words: &[u64]) -> Vec<Event> {
    words
        .get(LOG_HEADER_WORDS..)
        .unwrap_or(&[])
        .chunks_exact(SLOT_WORDS)
        .enumerate()
        .filter_map(|(i, w)| Event::unpack(i as u64, [w[0], w[1], w[2]]))
        .collect()
}

/// A log in one memory that threads share: the layout a
/// `SharedArrayBuffer` log has, in atomics. No lock: each ticket owns its
/// slot, so workers never wait on each other to record.
#[derive(Debug)]
pub struct MemoryLog {
    words: Box<[AtomicU64]>,
}

impl MemoryLog {
    pub fn new(shape: LogShape) -> MemoryLog {
        let header = shape.header();
        MemoryLog {
            words: (0..shape.words())
                .map(|i| AtomicU64::new(header.get(i).copied().unwrap_or(0)))
                .collect(),
        }
    }

    pub fn capacity(&self) -> usize {
        (self.words.len() - LOG_HEADER_WORDS) / SLOT_WORDS
    }

    /// Tickets taken, including those of events past the capacity.
    pub fn tickets(&self) -> u64 {
        self.words[TICKET].load(Ordering::Acquire)
    }

    /// What was recorded, in order. Read it once every worker has joined.
    pub fn events(&self) -> Vec<Event> {
        let words: Vec<u64> = self
            .words
            .iter()
            .map(|w| w.load(Ordering::Acquire))
            .collect();
        events_from_words(&words)
    }
}

impl Log for MemoryLog {
    fn ticket(&self) -> u64 {
        self.words[TICKET].fetch_add(1, Ordering::Relaxed)
    }

    fn arrive(&self) {
        self.words[ARRIVED].fetch_add(1, Ordering::AcqRel);
    }

    fn all_arrived(&self) -> bool {
        self.words[ARRIVED].load(Ordering::Acquire) >= self.words[PARTIES].load(Ordering::Relaxed)
    }

    fn put(&self, event: &Event) {
        let Some(at) = usize::try_from(event.order)
            .ok()
            .filter(|&o| o < self.capacity())
        else {
            return;
        };
        let slot = &self.words[LOG_HEADER_WORDS + at * SLOT_WORDS..][..SLOT_WORDS];
        let [a, b, c] = event.pack();
        slot[0].store(a, Ordering::Relaxed);
        slot[1].store(b, Ordering::Relaxed);
        slot[2].store(c, Ordering::Release);
    }
}

/// The log a workload records into, if any: a timed repeat has none and
/// pays nothing. Clones share the log; `==` ignores it, as it is run state.
#[derive(Clone, Default)]
pub struct LogHandle(pub Option<Arc<dyn Log>>);

impl LogHandle {
    pub fn new(log: Arc<dyn Log>) -> LogHandle {
        LogHandle(Some(log))
    }
}

impl PartialEq for LogHandle {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for LogHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "LogHandle(recording)"
        } else {
            "LogHandle(none)"
        })
    }
}

// ---- lost updates ----

/// A write that overwrote another worker's write made after its own read,
/// with the events that prove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LostUpdate {
    /// The overwriting worker's read, and its write.
    pub read: Event,
    pub write: Event,
    /// The other worker's write it overwrote, and that worker's read before
    /// it; `None` when the trace does not hold them (a log cut short).
    pub overwritten: Option<(Event, Event)>,
}

impl LostUpdate {
    /// How far the write set the count back: the value it replaced minus
    /// the value its worker had read, every increment made in between. At
    /// least 1: the overwritten worker's own update is lost even when a
    /// third worker's stale write had already set the count back.
    pub fn erased(&self) -> u64 {
        let replaced = self
            .write
            .replaced
            .or(self.overwritten.map(|(_, w)| w.value))
            .unwrap_or(self.read.value);
        replaced.saturating_sub(self.read.value).max(1)
    }

    /// The four events in the order they are proven to have happened: the
    /// two reads (in ticket order), the overwritten write (after both
    /// reads: after its own by program order, after the other's as the
    /// swap proves), then the write that overwrote it. Ticket order alone
    /// could put them otherwise.
    pub fn sequence(&self) -> Vec<Event> {
        match self.overwritten {
            Some((their_read, their_write)) => {
                let mut reads = [self.read, their_read];
                reads.sort_by_key(|e| e.order);
                vec![reads[0], reads[1], their_write, self.write]
            }
            None => vec![self.read, self.write],
        }
    }

    /// "w1 wrote 42 over w0's 42: one update lost".
    pub fn words(&self) -> String {
        let over = match self.overwritten {
            Some((_, w)) => format!("w{}'s {}", w.worker, w.value),
            None => self
                .write
                .replaced
                .map_or_else(|| "another worker's write".to_string(), |r| r.to_string()),
        };
        let erased = self.erased();
        let lost = if erased == 1 {
            "one update lost".to_string()
        } else {
            format!("{} updates lost", group(erased))
        };
        format!(
            "w{} wrote {} over {over}: {lost}",
            self.write.worker, self.write.value
        )
    }
}

/// Every lost update in `trace` (any order of events; each worker's in its
/// program order), in the order of the writes that lost them.
///
/// A write is paired with its worker's last read since that worker's last
/// write. Where the write knows what it replaced (an atomic swap), it lost
/// an update exactly when that differs from what its worker read: the value
/// changed in between, so the last write before it came after the read,
/// from another worker. That needs no ticket order. A write that replaced
/// the very value its worker read is not counted even if a stale write of
/// that same value came in between: that stale write is itself a lost
/// update, counted where it happened. A write that does not know
/// (a plain store) falls back on ticket order: the last write before it is
/// another worker's, made after its read.
pub fn lost_updates(trace: &[Event]) -> Vec<LostUpdate> {
    let mut events = trace.to_vec();
    events.sort_by_key(|e| e.order);
    let writes: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e.op, Op::Write | Op::Add))
        .collect();
    let mut last_read: std::collections::BTreeMap<u32, Event> = Default::default();
    let mut last_write: Option<Event> = None;
    let mut found = Vec::new();
    for e in &events {
        match e.op {
            Op::Read => {
                last_read.insert(e.worker, *e);
            }
            Op::Wait => {}
            Op::Add | Op::Write => {
                let read = last_read.remove(&e.worker).filter(|_| e.op == Op::Write);
                if let Some(read) = read {
                    let overwritten = match e.replaced {
                        Some(x) if x != read.value => Some(overwritten_by(&events, &writes, e, x)),
                        Some(_) => None,
                        None => last_write
                            .filter(|w| w.worker != e.worker && w.order > read.order)
                            .map(|w| victim(&events, w)),
                    };
                    if let Some(overwritten) = overwritten {
                        found.push(LostUpdate {
                            read,
                            write: *e,
                            overwritten,
                        });
                    }
                }
                last_write = Some(*e);
            }
        }
    }
    found
}

/// The other worker's write of `x` that `write` replaced, with its read:
/// the latest such write before it in ticket order, or, when tickets came
/// out the other way round, the earliest after it.
fn overwritten_by(
    events: &[Event],
    writes: &[&Event],
    write: &Event,
    x: u64,
) -> Option<(Event, Event)> {
    let theirs = |w: &&&Event| w.worker != write.worker && w.value == x;
    let before = writes
        .iter()
        .rev()
        .find(|w| theirs(w) && w.order < write.order);
    let after = || writes.iter().find(|w| theirs(w) && w.order > write.order);
    before.or_else(after).and_then(|w| victim(events, **w))
}

/// `write` with its worker's read before it, if the trace holds one.
fn victim(events: &[Event], write: Event) -> Option<(Event, Event)> {
    events
        .iter()
        .rev()
        .find(|e| e.worker == write.worker && e.op == Op::Read && e.order < write.order)
        .map(|read| (*read, write))
}

/// How far a trace's writes set the count back, net: over every write, the
/// value it replaced minus the value its worker had read. Each write moves
/// the count by (read + 1 − replaced), so when every write knows what it
/// replaced this is exactly the increments made minus how far the count
/// rose: the trace accounts for every update its run lost. `None` when a
/// write does not know what it replaced.
pub fn net_erased(trace: &[Event]) -> Option<i128> {
    let mut events = trace.to_vec();
    events.sort_by_key(|e| e.order);
    let mut last_read: std::collections::BTreeMap<u32, u64> = Default::default();
    let mut net = 0i128;
    for e in &events {
        match e.op {
            Op::Read => {
                last_read.insert(e.worker, e.value);
            }
            Op::Write => {
                let read = last_read
                    .remove(&e.worker)
                    .unwrap_or(e.value.wrapping_sub(1));
                net += i128::from(e.replaced?) - i128::from(read);
            }
            Op::Wait | Op::Add => {}
        }
    }
    Some(net)
}

/// How many examples a report keeps.
pub const EXAMPLES: usize = 3;
/// Events in an excerpt of a trace without a lost update.
pub const EXCERPT: usize = 6;

/// What a report shows of a trace: up to [`EXAMPLES`] lost updates, each
/// as its proving [`LostUpdate::sequence`]; or, when none was lost, one
/// excerpt of [`EXCERPT`] events where the workers meet (around the first
/// wait for the lock, or else the first change of worker), which shows
/// why nothing was lost there.
pub fn examples(trace: &[Event], lost: &[LostUpdate]) -> Vec<Vec<Event>> {
    if !lost.is_empty() {
        return lost
            .iter()
            .filter(|l| l.overwritten.is_some())
            .take(EXAMPLES)
            .map(LostUpdate::sequence)
            .collect();
    }
    let mut events = trace.to_vec();
    events.sort_by_key(|e| e.order);
    let meet = events.iter().position(|e| e.op == Op::Wait).or_else(|| {
        events
            .windows(2)
            .position(|p| p[0].worker != p[1].worker)
            .map(|i| i + 1)
    });
    match meet {
        Some(i) => {
            let start = i
                .saturating_sub(2)
                .min(events.len().saturating_sub(EXCERPT));
            vec![events[start..events.len().min(start + EXCERPT)].to_vec()]
        }
        None if events.is_empty() => Vec::new(),
        None => vec![events[..events.len().min(EXCERPT)].to_vec()],
    }
}

/// A sequence in words, one step after another:
/// "w0 read 41 · w1 read 41 · w0 wrote 42 over 41 · w1 wrote 42 over 42".
pub fn sequence_words(events: &[Event]) -> String {
    events
        .iter()
        .map(Event::words)
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trace written as it reads: (worker, op, value, replaced), orders
    /// from 0 in the given order.
    fn trace(steps: &[(u32, Op, u64, Option<u64>)]) -> Vec<Event> {
        steps
            .iter()
            .enumerate()
            .map(|(i, &(worker, op, value, replaced))| Event {
                worker,
                op,
                value,
                order: i as u64,
                replaced,
                switched: false,
            })
            .collect()
    }

    use Op::*;

    #[test]
    fn workers_taking_turns_lose_nothing() {
        let t = trace(&[
            (0, Read, 0, None),
            (0, Write, 1, Some(0)),
            (1, Read, 1, None),
            (1, Write, 2, Some(1)),
            (0, Read, 2, None),
            (0, Write, 3, Some(2)),
        ]);
        let lost = lost_updates(&t);
        assert!(lost.is_empty());
        // Nothing to prove: an excerpt where the workers meet instead.
        let ex = examples(&t, &lost);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].len(), EXCERPT);
        assert!(lost_updates(&[]).is_empty() && examples(&[], &[]).is_empty());
    }

    #[test]
    fn two_reads_of_41_lose_one_update() {
        let t = trace(&[
            (0, Read, 41, None),
            (1, Read, 41, None),
            (0, Write, 42, Some(41)),
            (1, Write, 42, Some(42)),
        ]);
        let lost = lost_updates(&t);
        assert_eq!(lost.len(), 1);
        let l = lost[0];
        assert_eq!((l.read, l.write), (t[1], t[3]));
        assert_eq!(l.overwritten, Some((t[0], t[2])));
        assert_eq!(l.erased(), 1);
        assert_eq!(l.sequence(), t);
        assert_eq!(l.words(), "w1 wrote 42 over w0's 42: one update lost");
        assert_eq!(
            sequence_words(&l.sequence()),
            "w0 read 41 · w1 read 41 · w0 wrote 42 over 41 · w1 wrote 42 over 42"
        );
        assert_eq!(examples(&t, &lost), vec![t.clone()]);

        // Plain stores: the same loss, found by ticket order.
        let stores: Vec<Event> = t
            .iter()
            .map(|e| Event {
                replaced: None,
                ..*e
            })
            .collect();
        let lost = lost_updates(&stores);
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].overwritten, Some((stores[0], stores[2])));
        assert_eq!(lost[0].words(), "w1 wrote 42 over w0's 42: one update lost");
    }

    #[test]
    fn overlapping_losses_are_each_proven() {
        // w0 reads 10 and is held up while w1 counts 10 → 13; w0's write
        // sets the count back to 11, and w1's next write, made from a read
        // of 12 before that, overwrites w0's 11 in turn.
        let t = trace(&[
            (0, Read, 10, None),
            (1, Read, 10, None),
            (1, Write, 11, Some(10)),
            (1, Read, 11, None),
            (1, Write, 12, Some(11)),
            (1, Read, 12, None),
            (0, Write, 11, Some(12)),
            (1, Write, 13, Some(11)),
        ]);
        let lost = lost_updates(&t);
        assert_eq!(lost.len(), 2);
        assert_eq!(lost[0].write, t[6]);
        assert_eq!(lost[0].overwritten, Some((t[3], t[4])));
        assert_eq!(lost[0].erased(), 2);
        assert_eq!(lost[0].words(), "w0 wrote 11 over w1's 12: 2 updates lost");
        assert_eq!(lost[1].write, t[7]);
        assert_eq!(lost[1].overwritten, Some((t[0], t[6])));
        // Four increments on 10 should make 14; the count says 13, and the
        // trace accounts for the one update lost, net.
        assert_eq!(net_erased(&t), Some(1));
        assert_eq!(examples(&t, &lost).len(), 2);
    }

    #[test]
    fn three_workers_and_tickets_taken_late() {
        // Three workers read 7; w2's write is ticketed before w1's, though
        // w1 wrote first: w2's swap says it replaced 8, w1's says 8 too.
        let mut t = trace(&[
            (0, Read, 7, None),
            (1, Read, 7, None),
            (2, Read, 7, None),
            (0, Write, 8, Some(7)),
            (2, Write, 8, Some(8)),
            (1, Write, 8, Some(8)),
        ]);
        let lost = lost_updates(&t);
        assert_eq!(lost.len(), 2);
        assert!(lost.iter().all(|l| l.erased() == 1));
        assert_eq!(lost[0].write.worker, 2);
        // A write of 8 by another worker before it, by ticket: w0's.
        assert_eq!(lost[0].overwritten.unwrap().1, t[3]);
        assert_eq!(lost[1].overwritten.unwrap().1, t[4]);

        // The overwritten write's ticket came after the write that
        // overwrote it: the swap still proves it, and the sequence is
        // told in the proven order.
        t[3].order = 10;
        let lost = lost_updates(&t);
        assert_eq!(lost.len(), 2);
        let first = lost.iter().find(|l| l.write.worker == 2).unwrap();
        assert_eq!(first.overwritten.unwrap().1.worker, 1);
        for l in &lost {
            let s = l.sequence();
            assert_eq!(s[3], l.write);
            assert!(s[0].order <= s[1].order);
        }
    }

    #[test]
    fn locked_and_atomic_traces_lose_nothing() {
        let locked = trace(&[
            (0, Read, 0, None),
            (1, Wait, 0, None),
            (0, Write, 1, Some(0)),
            (1, Read, 1, None),
            (1, Write, 2, Some(1)),
            (0, Read, 2, None),
            (0, Write, 3, Some(2)),
            (1, Wait, 0, None),
        ]);
        let lost = lost_updates(&locked);
        assert!(lost.is_empty());
        let ex = examples(&locked, &lost);
        assert_eq!(ex, vec![locked[0..6].to_vec()], "around the first wait");

        let atomic = trace(&[
            (0, Add, 1, Some(0)),
            (1, Add, 2, Some(1)),
            (1, Add, 3, Some(2)),
            (0, Add, 4, Some(3)),
        ]);
        let lost = lost_updates(&atomic);
        assert!(lost.is_empty());
        assert_eq!(examples(&atomic, &lost), vec![atomic.clone()]);
        assert_eq!(atomic[0].words(), "w0 added 0 → 1");
    }

    #[test]
    fn a_write_of_the_value_read_is_not_counted_on_ticket_order_alone() {
        // w1's stale write of 5 lands between w0's read of 5 and its write:
        // the stale write lost w2's update and is counted; w0's write
        // replaced what w0 had read and adds no loss of its own.
        let t = trace(&[
            (1, Read, 4, None),
            (2, Read, 4, None),
            (2, Write, 5, Some(4)),
            (0, Read, 5, None),
            (1, Write, 5, Some(5)),
            (0, Write, 6, Some(5)),
        ]);
        let lost = lost_updates(&t);
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].write, t[4]);
    }

    #[test]
    fn a_slot_holds_every_event_and_an_empty_one_reads_as_none() {
        let events = [
            Event::read(0, 41, 0),
            Event::write(u32::MAX, u64::MAX, 0, 1),
            Event::store(3, 9, 2),
            Event::wait(1, 3),
            Event::add(2, 1 << 50, (1 << 50) - 1, 4),
            Event {
                switched: true,
                ..Event::write(1, 42, 42, 5)
            },
        ];
        for e in events {
            assert_eq!(Event::unpack(e.order, e.pack()), Some(e), "{e:?}");
        }
        assert_eq!(Event::unpack(0, [0, 0, 0]), None);
        assert_eq!(Event::unpack(0, [1, 2, 9 << OP_SHIFT]), None);
    }

    #[test]
    fn a_memory_log_keeps_each_event_in_its_tickets_slot() {
        let log = MemoryLog::new(LogShape {
            capacity: 3,
            parties: 2,
        });
        assert_eq!(log.capacity(), 3);
        assert_eq!(log.record(Event::read(1, 5, 99)), 0, "the ticket, not 99");
        let skipped = log.ticket();
        log.record(Event::write(1, 6, 5, 0));
        log.record(Event::read(0, 6, 0));
        assert_eq!(log.tickets(), 4, "the fourth was past the capacity");
        assert_eq!(
            log.events(),
            vec![Event::read(1, 5, 0), Event::write(1, 6, 5, 2)],
            "slot {skipped} was never written"
        );
        assert!(!log.all_arrived());
        log.arrive();
        assert!(!log.all_arrived());
        log.arrive();
        assert!(log.all_arrived());
        let mut words = vec![4, 2, 2, 5, 0, 1 | 1 << OP_SHIFT];
        words.extend([7, 8]);
        assert_eq!(
            events_from_words(&words),
            vec![Event::read(1, 5, 0)],
            "a cut slot is no event"
        );
        assert!(events_from_words(&[]).is_empty());
    }

    #[test]
    fn threads_record_without_losing_a_ticket() {
        let log = Arc::new(MemoryLog::new(LogShape {
            capacity: 4000,
            parties: 4,
        }));
        std::thread::scope(|s| {
            for w in 0..4u32 {
                let log = Arc::clone(&log);
                s.spawn(move || {
                    log.arrive();
                    while !log.all_arrived() {
                        std::hint::spin_loop();
                    }
                    for i in 0..1000 {
                        log.record(Event::read(w, i, 0));
                    }
                });
            }
        });
        let events = log.events();
        assert_eq!(events.len(), 4000);
        for w in 0..4 {
            let mine: Vec<u64> = events
                .iter()
                .filter(|e| e.worker == w)
                .map(|e| e.value)
                .collect();
            assert_eq!(mine, (0..1000).collect::<Vec<_>>(), "program order");
        }
    }

    #[test]
    fn ops_are_named_as_in_the_json() {
        for op in Op::ALL {
            assert_eq!(serde_json::to_value(op).unwrap(), op.id());
        }
        let json = serde_json::to_value(Event::write(1, 42, 42, 7)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"worker": 1, "op": "write", "value": 42, "order": 7,
                               "replaced": 42, "switched": false})
        );
    }
}
