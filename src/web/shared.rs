//! What process workers share explicitly, the `multiprocessing.Value`
//! analog: a counter in a `SharedArrayBuffer` handed to every process, and
//! the buffers of the `transfer` lesson.

use super::mailbox::Outgoing;
use super::now_ms;
use crate::interleaving::{events_from_words, Event, Log, LogShape, LOG_HEADER_WORDS, SLOT_WORDS};
use crate::protocol::Received;
use crate::workloads::counter::SharedCounter;
use crate::workloads::transfer::{fill, Via};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// js-sys's `Atomics.load` for BigInt arrays takes its index as an i64, which
// crosses as a BigInt and makes the call throw; these take plain indices.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Atomics, js_name = load)]
    fn load_i64(cells: &js_sys::BigInt64Array, index: u32) -> i64;
    #[wasm_bindgen(js_namespace = Atomics, js_name = store)]
    fn store_i64(cells: &js_sys::BigInt64Array, index: u32, value: i64) -> i64;
    #[wasm_bindgen(js_namespace = Atomics, js_name = add)]
    fn add_i64(cells: &js_sys::BigInt64Array, index: u32, value: i64) -> i64;
    #[wasm_bindgen(js_namespace = Atomics, js_name = exchange)]
    fn exchange_i64(cells: &js_sys::BigInt64Array, index: u32, value: i64) -> i64;
}

// Cell layout of a shared counter: value and finished-task count as 64-bit
// cells, then a 32-bit lock word (Atomics.wait works on Int32Array only).
const VALUE: u32 = 0;
const DONE: u32 = 1;
const BYTES: u32 = 24;
const LOCK_OFFSET: u32 = 16;

/// A fresh shared counter's memory, all zero.
pub fn new_counter_buffer() -> js_sys::SharedArrayBuffer {
    js_sys::SharedArrayBuffer::new(BYTES)
}

/// A [`SharedCounter`] over a `SharedArrayBuffer` that several process
/// workers hold: every operation is a JS `Atomics` call on the shared cells.
pub struct SabCounter {
    cells: js_sys::BigInt64Array,
    lock: js_sys::Int32Array,
}

// SAFETY: JS objects are tied to the thread that made them. A SabCounter is
// made and used only on a process worker's single thread (the workload that
// holds it is never shared with another thread there); the trait asks for
// Send + Sync because thread models share their counter across threads.
unsafe impl Send for SabCounter {}
unsafe impl Sync for SabCounter {}

impl SabCounter {
    pub fn new(buffer: &js_sys::SharedArrayBuffer) -> SabCounter {
        SabCounter {
            cells: js_sys::BigInt64Array::new_with_byte_offset_and_length(buffer, 0, 2),
            lock: js_sys::Int32Array::new_with_byte_offset_and_length(buffer, LOCK_OFFSET, 1),
        }
    }

    /// A futex lock: take it with compare-exchange 0 → 1.
    fn try_take(&self) -> bool {
        js_sys::Atomics::compare_exchange(&self.lock, 0, 0, 1).unwrap_or(0) == 0
    }

    /// Sleeps on the lock word while another process holds it.
    fn take(&self) {
        while !self.try_take() {
            let _ = js_sys::Atomics::wait_with_timeout(&self.lock, 0, 1, 50.0);
        }
    }

    /// Lets go and wakes one sleeper.
    fn give(&self) {
        let _ = js_sys::Atomics::store(&self.lock, 0, 0);
        let _ = js_sys::Atomics::notify_with_count(&self.lock, 0, 1);
    }
}

impl SharedCounter for SabCounter {
    fn load(&self) -> u64 {
        load_i64(&self.cells, VALUE) as u64
    }
    fn store(&self, value: u64) {
        store_i64(&self.cells, VALUE, value as i64);
    }
    fn swap(&self, value: u64) -> u64 {
        exchange_i64(&self.cells, VALUE, value as i64) as u64
    }
    fn fetch_add(&self, n: u64) -> u64 {
        add_i64(&self.cells, VALUE, n as i64) as u64
    }
    fn locked_add(&self, n: u64) {
        self.take();
        self.store(self.load() + n);
        self.give();
    }
    fn with_lock(&self, waits: &mut dyn FnMut(), critical: &mut dyn FnMut()) {
        if !self.try_take() {
            waits();
            self.take();
        }
        critical();
        self.give();
    }
    fn task_done(&self) -> u32 {
        add_i64(&self.cells, DONE, 1) as u32 + 1
    }
    fn reset(&self) {
        store_i64(&self.cells, VALUE, 0);
        store_i64(&self.cells, DONE, 0);
    }
}

/// The log of a traced repeat across processes (`crate::interleaving`):
/// the layout of `MemoryLog`, in a `SharedArrayBuffer` every process of the
/// repeat holds, each word a 64-bit cell used through JS `Atomics`.
pub struct SabLog {
    cells: js_sys::BigInt64Array,
    capacity: u32,
}

// SAFETY: as for SabCounter: made and used on one process worker's single
// thread; the trait asks for Send + Sync because threads share their log.
unsafe impl Send for SabLog {}
unsafe impl Sync for SabLog {}

impl SabLog {
    /// A fresh log of `shape`'s size, its header written.
    pub fn new_buffer(shape: LogShape) -> js_sys::SharedArrayBuffer {
        let sab = js_sys::SharedArrayBuffer::new((shape.words() * 8) as u32);
        let cells = js_sys::BigInt64Array::new(&sab);
        for (i, w) in shape.header().iter().enumerate() {
            store_i64(&cells, i as u32, *w as i64);
        }
        sab
    }

    pub fn new(buffer: &js_sys::SharedArrayBuffer) -> SabLog {
        let cells = js_sys::BigInt64Array::new(buffer);
        let words = cells.length() as usize;
        SabLog {
            capacity: (words.saturating_sub(LOG_HEADER_WORDS) / SLOT_WORDS) as u32,
            cells,
        }
    }

    /// What the repeat recorded, once every process has answered.
    pub fn events(buffer: &js_sys::SharedArrayBuffer) -> Vec<Event> {
        let cells = js_sys::BigInt64Array::new(buffer);
        let words: Vec<u64> = (0..cells.length())
            .map(|i| load_i64(&cells, i) as u64)
            .collect();
        events_from_words(&words)
    }
}

impl Log for SabLog {
    fn ticket(&self) -> u64 {
        add_i64(&self.cells, TICKET_WORD, 1) as u64
    }
    fn arrive(&self) {
        add_i64(&self.cells, ARRIVED_WORD, 1);
    }
    fn all_arrived(&self) -> bool {
        load_i64(&self.cells, ARRIVED_WORD) >= load_i64(&self.cells, PARTIES_WORD)
    }
    fn put(&self, event: &Event) {
        let Some(at) = u32::try_from(event.order)
            .ok()
            .filter(|&o| o < self.capacity)
        else {
            return;
        };
        let first = LOG_HEADER_WORDS as u32 + at * SLOT_WORDS as u32;
        let [a, b, c] = event.pack();
        store_i64(&self.cells, first, a as i64);
        store_i64(&self.cells, first + 1, b as i64);
        // Last: a slot whose third word is set is whole.
        store_i64(&self.cells, first + 2, c as i64);
    }
}

// The log's header words (`interleaving::LogShape::header`).
const TICKET_WORD: u32 = 0;
const ARRIVED_WORD: u32 = 1;
const PARTIES_WORD: u32 = 2;

/// The sender's side of the `transfer` lesson for process models: the data,
/// made once and kept for later runs of the same size and via (so making
/// it is paid by a warm-up, not counted as passing it), and how each task's
/// share of it is posted.
pub struct Sender {
    via: Via,
    len: usize,
    /// `copy` and `move`: the sender's `ArrayBuffer`. `shared`: one
    /// `SharedArrayBuffer` every process reads in place.
    source: JsValue,
    /// Buffers that went to a receiver and came back, transferred both
    /// ways: `move`'s own buffers, or `copy`'s outgoing copies, written
    /// again for the next task.
    spare: Vec<js_sys::ArrayBuffer>,
}

impl Sender {
    pub fn new(via: Via, len: usize) -> Sender {
        let bytes = fill(len);
        let source: JsValue = match via {
            Via::Shared => {
                let sab = js_sys::SharedArrayBuffer::new(len as u32);
                js_sys::Uint8Array::new(&sab).copy_from(&bytes);
                sab.into()
            }
            _ => js_sys::Uint8Array::from(bytes.as_slice()).buffer().into(),
        };
        Sender {
            via,
            len,
            source,
            spare: Vec::new(),
        }
    }

    /// Whether this outbox serves a run of `via` with `len` bytes per task.
    pub fn fits(&self, via: Via, len: usize) -> bool {
        self.via == via && self.len == len
    }

    /// The attachment for one task.
    pub fn take(&mut self) -> Outgoing {
        let spare = self.spare.pop();
        let fresh = spare.is_none();
        let made = || js_sys::ArrayBuffer::new(self.len as u32);
        match self.via {
            Via::Shared => Outgoing::plain(self.source.clone()),
            Via::Copy => {
                // A pickle: the sender writes the copy the receiver will own,
                // and the post hands it over by transfer. Posting the source
                // itself would copy twice: into the message, and out of it.
                let buf = spare.unwrap_or_else(made);
                js_sys::Uint8Array::new(&buf).set(&js_sys::Uint8Array::new(&self.source), 0);
                let transfer = js_sys::Array::of1(&buf);
                Outgoing {
                    attachment: buf.into(),
                    transfer,
                    fresh,
                }
            }
            Via::Move => {
                let buf = spare.unwrap_or_else(|| {
                    // The first run makes each task's buffer, as a producer
                    // would; later runs reuse the ones that came back.
                    self.source.unchecked_ref::<js_sys::ArrayBuffer>().slice(0)
                });
                let transfer = js_sys::Array::of1(&buf);
                Outgoing {
                    attachment: buf.into(),
                    transfer,
                    fresh,
                }
            }
        }
    }

    /// A buffer coming home with its task's reply.
    pub fn give_back(&mut self, attachment: JsValue) {
        if let Ok(buf) = attachment.dyn_into::<js_sys::ArrayBuffer>() {
            if buf.byte_length() as usize == self.len {
                self.spare.push(buf);
            }
        }
    }
}

/// The receiver's copy of an attached buffer in its own wasm memory: the one
/// copy no via can avoid, since wasm code reads only its own memory. Timed:
/// reserving the room (which grows the memory the first time) apart from
/// copying into it.
pub fn received_bytes(attachment: &JsValue) -> Option<(Vec<u8>, Received)> {
    if attachment.is_undefined() || attachment.is_null() {
        return None;
    }
    let view = js_sys::Uint8Array::new(attachment);
    let len = view.length() as usize;
    let before = memory_bytes();
    let t0 = now_ms();
    let mut bytes: Vec<u8> = Vec::with_capacity(len);
    let t1 = now_ms();
    // SAFETY: the capacity is `len`, and the copy writes exactly `len`
    // bytes before the length says so.
    unsafe {
        view.raw_copy_to_ptr(bytes.as_mut_ptr());
        bytes.set_len(len);
    }
    let t2 = now_ms();
    let received = Received {
        grow_ms: t1 - t0,
        copy_ms: t2 - t1,
        first_touch: FIRST.with(|f| f.replace(false)) | (memory_bytes() > before),
        ..Received::default()
    };
    Some((bytes, received))
}

thread_local! {
    /// No transfer has come to this instance yet: its memory is as fresh
    /// as the instance.
    static FIRST: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// The size of this instance's wasm memory.
fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    js_sys::Reflect::get(&memory.buffer(), &"byteLength".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}
