//! Lesson 6: passing large data. Each task receives a buffer of `mib` MiB
//! and checksums it. How the buffer reaches the task (`via`) is the lesson:
//! - `copy`: the task gets a copy of its own (a pickle, a structured clone);
//! - `move`: ownership passes to the task, nothing is copied (a transferable);
//! - `shared`: every task reads the one buffer (threads, a SharedArrayBuffer).
//!
//! Within one memory these three are done here with plain Rust ownership;
//! the page's process models deliver the bytes by `postMessage` themselves
//! and hand them to [`Transfer::checksum_received`].

use super::{Lesson, ParamError, TaskEnv, TaskFailure};
use crate::format::decimal;
use crate::params::{words, DefaultValue, Kind, ParamSpec};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

pub const LESSON: Lesson = Lesson {
    title: "Passing large data",
    question: "What does it cost to hand a big buffer to each worker?",
    expect: &[
        (
            "seq",
            "the checksums alone, plus one copy per task with via=copy",
        ),
        (
            "threads",
            "copy pays a full copy per task; move and shared pay nothing to pass the data",
        ),
        ("gil", "like threads, but the checksums take turns"),
        (
            "procs",
            "copy pays to serialize, send and rebuild the buffer in every worker; move hands \
                   it over without a copy but the sender loses it; shared costs nothing to pass",
        ),
    ],
    why: "Threads live in one memory, so giving a worker data means giving it an address. A \
          process has a memory of its own, so data must be copied into it, unless the platform \
          can transfer ownership of the pages or map one memory into both.",
};

/// Bytes per MiB.
pub const MIB: f64 = 1_048_576.0;
/// Buffer sizes of the size series: 1 KiB to 64 MiB, ×16 apart.
pub const SIZES_BYTES: [usize; 5] = [1 << 10, 1 << 14, 1 << 18, 1 << 22, 1 << 26];
/// Bytes copied or checksummed between two ticks.
pub const CHUNK_BYTES: usize = 1 << 18;
/// The contents repeat with this period: a prime, so a buffer delivered at
/// the wrong offset or truncated changes the checksum.
const PERIOD: usize = 251;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Copy,
    Move,
    Shared,
}

impl Via {
    pub const ALL: [(&'static str, Via); 3] = [
        ("copy", Via::Copy),
        ("move", Via::Move),
        ("shared", Via::Shared),
    ];

    pub fn id(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map(|(n, _)| *n)
            .unwrap_or("copy")
    }
}

/// The sender's side: the buffer every task's data comes from, and buffers
/// already handed over by `move` and given back when their task finished.
/// Run state like `counter`'s: skipped by serde, ignored by `==`, shared by
/// clones, freed with the workload.
#[derive(Clone, Default)]
pub struct Buffers(Arc<Mutex<Stock>>);

#[derive(Default)]
struct Stock {
    source: Option<Arc<Vec<u8>>>,
    spare: Vec<Vec<u8>>,
}

impl Buffers {
    fn stock(&self) -> std::sync::MutexGuard<'_, Stock> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PartialEq for Buffers {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl fmt::Debug for Buffers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Buffers")
    }
}

const TASKS: ParamSpec = ParamSpec {
    key: "tasks",
    label: "Tasks",
    help: "receivers",
    kind: Kind::Int { min: 1, max: 64 },
    default: DefaultValue::Int(2),
};
const MIB_KEY: ParamSpec = ParamSpec {
    key: "mib",
    label: "Buffer",
    help: "MiB per task",
    kind: Kind::Float {
        min: 0.001,
        max: 256.0,
    },
    default: DefaultValue::Float(16.0),
};
const VIA_WORDS: [&str; 3] = words(&Via::ALL);
const VIA: ParamSpec = ParamSpec {
    key: "via",
    label: "Via",
    help: "how the buffer travels",
    kind: Kind::Choice(&VIA_WORDS),
    default: DefaultValue::Word("copy"),
};
/// The keys of this lesson, in URL order.
pub const PARAMS: &[ParamSpec] = &[TASKS, MIB_KEY, VIA];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub tasks: u32,
    pub mib: f64,
    pub via: Via,
    #[serde(skip)]
    pub buffers: Buffers,
}

impl Default for Transfer {
    fn default() -> Self {
        Transfer::from_pairs(&[], &mut Vec::new())
    }
}

impl Transfer {
    pub fn new(tasks: u32, mib: f64, via: Via) -> Transfer {
        Transfer {
            tasks,
            mib,
            via,
            buffers: Buffers::default(),
        }
    }

    pub fn from_pairs(pairs: &[(String, String)], errors: &mut Vec<ParamError>) -> Self {
        Transfer::new(
            TASKS.int(pairs, errors) as u32,
            MIB_KEY.float(pairs, errors),
            VIA.choice(pairs, &Via::ALL, errors),
        )
    }

    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            (TASKS.key, self.tasks.to_string()),
            (MIB_KEY.key, decimal(self.mib)),
            (VIA.key, self.via.id().to_string()),
        ]
    }

    /// The buffer's length in bytes: `mib` MiB, rounded, at least one byte.
    pub fn len_bytes(&self) -> usize {
        ((self.mib * MIB).round() as usize).max(1)
    }

    /// Every task saw every byte of its buffer.
    pub fn expected(&self) -> u128 {
        u128::from(self.tasks) * u128::from(expected_checksum(self.len_bytes()))
    }

    /// The sender's buffer, made on first use and kept for later runs, so
    /// filling it is paid once (by a warm-up run) and not counted as passing it.
    pub fn source(&self) -> Arc<Vec<u8>> {
        let len = self.len_bytes();
        let mut stock = self.buffers.stock();
        match &stock.source {
            Some(s) if s.len() == len => s.clone(),
            _ => {
                let s = Arc::new(fill(len));
                stock.source = Some(s.clone());
                stock.spare.retain(|b| b.len() == len);
                s
            }
        }
    }

    pub fn run_task(&self, _task: u32, env: &mut dyn TaskEnv) -> Result<u128, TaskFailure> {
        match self.via {
            Via::Copy => {
                let source = self.source();
                let mut mine = copy_ticking(&source, env)?;
                // Keeps LLVM from reading the source instead of the copy.
                std::hint::black_box(&mut mine);
                self.checksum_received(&mine, env)
            }
            Via::Move => {
                let mine = self.take_owned();
                let sum = self.checksum_received(&mine, env);
                self.buffers.stock().spare.push(mine);
                sum
            }
            Via::Shared => {
                let source = self.source();
                self.checksum_received(&source, env)
            }
        }
    }

    /// The receiver's work: checksums `bytes`, ticking between chunks. The
    /// page's process models call it with the bytes `postMessage` brought.
    pub fn checksum_received(
        &self,
        bytes: &[u8],
        env: &mut dyn TaskEnv,
    ) -> Result<u128, TaskFailure> {
        let mut sum: u64 = 0;
        for part in bytes.chunks(CHUNK_BYTES) {
            sum += checksum(part);
            env.tick()?;
        }
        Ok(u128::from(sum))
    }

    /// A buffer this task owns outright. Once every task of a run has
    /// handed its buffer back, later runs move buffers without copying: the
    /// first run's copies stand for the sender producing each task's data.
    fn take_owned(&self) -> Vec<u8> {
        let len = self.len_bytes();
        if let Some(b) = self.buffers.stock().spare.pop().filter(|b| b.len() == len) {
            return b;
        }
        self.source().as_ref().clone()
    }

    /// How many moved buffers are waiting to be handed over again.
    pub fn spare_buffers(&self) -> usize {
        self.buffers.stock().spare.len()
    }
}

/// Where one task's buffer spent its time on its way into a process and
/// through its checksum, in ms: the process models' breakdown of `mib` MiB
/// "handed over".
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Handover {
    /// The sender, before the post: writing the copy the receiver will own
    /// (`copy`), or nothing but the post itself (`move`, `shared`).
    pub serialize_ms: f64,
    /// From the post to the receiver's handler: the message in the queue,
    /// and rebuilding what it carries there.
    pub deliver_ms: f64,
    /// Reserving room for the bytes in the receiver's wasm memory, which
    /// grows it the first time.
    pub grow_ms: f64,
    /// Copying the bytes into the receiver's wasm memory, the one copy no
    /// via avoids (wasm code reads its own memory only).
    pub copy_ms: f64,
    pub checksum_ms: f64,
    /// Cold: the bytes landed in memory the receiver never used (a fresh
    /// process, or its memory grew for them: pages touched for the first
    /// time), or the sender made a new buffer for them.
    pub cold: bool,
}

impl Handover {
    /// The phases, in the order they happen, with their names.
    pub const PHASES: [&'static str; 5] = ["serialize", "deliver", "grow", "copy in", "checksum"];

    pub fn phases(&self) -> [f64; 5] {
        [
            self.serialize_ms,
            self.deliver_ms,
            self.grow_ms,
            self.copy_ms,
            self.checksum_ms,
        ]
    }

    /// Handing the bytes over: everything until the receiver holds them in
    /// its own memory, so all but the checksum.
    pub fn handing_ms(&self) -> f64 {
        self.serialize_ms + self.deliver_ms + self.grow_ms + self.copy_ms
    }
}

fn copy_ticking(source: &[u8], env: &mut dyn TaskEnv) -> Result<Vec<u8>, TaskFailure> {
    let mut out = Vec::with_capacity(source.len());
    for part in source.chunks(CHUNK_BYTES) {
        out.extend_from_slice(part);
        env.tick()?;
    }
    Ok(out)
}

/// The deterministic contents: byte `i` is `i mod 251`.
pub fn fill(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % PERIOD) as u8).collect()
}

/// The sum of the bytes. Cannot overflow: 256 MiB × 255 < 2^37.
///
/// Not inlined, so every way of passing runs the very same code on what it
/// received. Sums 64 KiB at a time in u32, which cannot overflow there
/// (65,536 × 255 < 2^32) and vectorizes far better than widening every
/// byte to u64.
#[inline(never)]
pub fn checksum(bytes: &[u8]) -> u64 {
    bytes
        .chunks(1 << 16)
        .map(|part| u64::from(part.iter().map(|&b| u32::from(b)).sum::<u32>()))
        .sum()
}

/// [`checksum`] of [`fill`]`(len)` without making the buffer: whole periods
/// of 0 + 1 + … + 250, then 0 + … + (r − 1).
pub fn expected_checksum(len: usize) -> u64 {
    let (periods, rest) = ((len / PERIOD) as u64, (len % PERIOD) as u64);
    let p = PERIOD as u64;
    periods * (p * (p - 1) / 2) + rest * rest.saturating_sub(1) / 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::test_util::{judged, pairs, run_all, Recorder};
    use crate::workloads::Workload;

    #[test]
    fn the_closed_form_matches_the_bytes() {
        for len in [
            0,
            1,
            2,
            250,
            251,
            252,
            502,
            1_000,
            CHUNK_BYTES + 17,
            3 * 1_048_576,
        ] {
            assert_eq!(checksum(&fill(len)), expected_checksum(len), "len {len}");
        }
        let mut shifted = fill(1_000);
        shifted.rotate_left(1);
        shifted.truncate(999);
        assert_ne!(
            checksum(&shifted),
            expected_checksum(999),
            "a misplaced buffer is caught"
        );
    }

    #[test]
    fn every_way_of_passing_gives_the_oracle() {
        for (_, via) in Via::ALL {
            for (tasks, mib) in [(1, 0.001), (3, 0.3), (2, 1.0)] {
                let w = Workload::Transfer(Transfer::new(tasks, mib, via));
                for round in 0..2 {
                    let (value, failures) = run_all(&w);
                    assert_eq!(
                        value,
                        w.expected(),
                        "{via:?} {tasks}x{mib} MiB round {round}"
                    );
                    assert!(judged(&w, value, &failures));
                }
            }
        }
        assert_eq!(Transfer::new(1, 0.001, Via::Copy).len_bytes(), 1_049);
    }

    #[test]
    fn moved_buffers_come_back_and_are_reused() {
        let t = Transfer::new(3, 0.1, Via::Move);
        for _ in 0..3 {
            for task in 0..3 {
                t.run_task(task, &mut Recorder::default()).unwrap();
                assert_eq!(t.spare_buffers(), 1, "one task at a time needs one buffer");
            }
        }
        let copy = Transfer::new(3, 0.1, Via::Copy);
        copy.run_task(0, &mut Recorder::default()).unwrap();
        assert_eq!(copy.spare_buffers(), 0, "a copy is the task's to drop");
    }

    #[test]
    fn ticks_fall_between_chunks_and_stop_a_cancelled_copy() {
        let t = Transfer::new(1, 1.0, Via::Copy);
        let mut env = Recorder::default();
        t.run_task(0, &mut env).unwrap();
        let chunks = (1_048_576 / CHUNK_BYTES) as u64;
        assert_eq!(
            env.ticks,
            2 * chunks,
            "one per chunk copied, one per chunk summed"
        );
        let mut cancelled = Recorder {
            cancel_at_tick: Some(1),
            ..Default::default()
        };
        assert_eq!(t.run_task(0, &mut cancelled), Err(TaskFailure::Cancelled));
    }

    #[test]
    fn parameters_parse_with_limits_named() {
        let mut errors = Vec::new();
        let t = Transfer::from_pairs(
            &pairs(&[("tasks", "64"), ("mib", "0.001"), ("via", "shared")]),
            &mut errors,
        );
        assert!(errors.is_empty());
        assert_eq!(t, Transfer::new(64, 0.001, Via::Shared));
        assert_eq!(t.to_pairs()[1], ("mib", "0.001".to_string()));
        let t = Transfer::from_pairs(
            &pairs(&[("tasks", "0"), ("mib", "257"), ("via", "pickle")]),
            &mut errors,
        );
        assert_eq!(t, Transfer::default());
        assert_eq!(
            errors,
            vec![
                ParamError::new("tasks", "0", "a whole number from 1 to 64"),
                ParamError::new("mib", "257", "a number from 0.001 to 256"),
                ParamError::new("via", "pickle", "one of copy, move, shared"),
            ]
        );
        let mut errors = Vec::new();
        Transfer::from_pairs(&pairs(&[("mib", "0.0005")]), &mut errors);
        assert_eq!(errors[0].key, "mib");
    }
}
