//! What process workers share explicitly, the `multiprocessing.Value`
//! analog: a counter in a `SharedArrayBuffer` handed to every process, and
//! the buffers of the `transfer` lesson.

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
}

impl SharedCounter for SabCounter {
    fn load(&self) -> u64 {
        load_i64(&self.cells, VALUE) as u64
    }
    fn store(&self, value: u64) {
        store_i64(&self.cells, VALUE, value as i64);
    }
    fn fetch_add(&self, n: u64) -> u64 {
        add_i64(&self.cells, VALUE, n as i64) as u64
    }
    fn locked_add(&self, n: u64) {
        // A futex lock: take it with compare-exchange 0 → 1, sleep on the
        // word while another process holds it, wake one sleeper on release.
        while js_sys::Atomics::compare_exchange(&self.lock, 0, 0, 1).unwrap_or(0) != 0 {
            let _ = js_sys::Atomics::wait_with_timeout(&self.lock, 0, 1, 50.0);
        }
        self.store(self.load() + n);
        let _ = js_sys::Atomics::store(&self.lock, 0, 0);
        let _ = js_sys::Atomics::notify_with_count(&self.lock, 0, 1);
    }
    fn task_done(&self) -> u32 {
        add_i64(&self.cells, DONE, 1) as u32 + 1
    }
    fn reset(&self) {
        store_i64(&self.cells, VALUE, 0);
        store_i64(&self.cells, DONE, 0);
    }
}

/// The sender's side of the `transfer` lesson for process models: the data
/// made once per run (outside the timing, as a warm-up would) and how each
/// task's share of it is posted.
pub struct Outbox {
    via: Via,
    /// `copy`: an `ArrayBuffer` that structured clone copies per message.
    /// `shared`: one `SharedArrayBuffer` every process reads in place.
    source: JsValue,
    /// `move`: buffers the receivers own in turn, transferred (not copied)
    /// there and back.
    spare: Vec<js_sys::ArrayBuffer>,
}

impl Outbox {
    pub fn new(via: Via, len: usize) -> Outbox {
        let bytes = fill(len);
        let source: JsValue = match via {
            Via::Shared => {
                let sab = js_sys::SharedArrayBuffer::new(len as u32);
                js_sys::Uint8Array::new(&sab).copy_from(&bytes);
                sab.into()
            }
            _ => js_sys::Uint8Array::from(bytes.as_slice()).buffer().into(),
        };
        Outbox {
            via,
            source,
            spare: Vec::new(),
        }
    }

    /// The attachment for one task and what to transfer with it.
    pub fn take(&mut self) -> (JsValue, js_sys::Array) {
        match self.via {
            Via::Copy | Via::Shared => (self.source.clone(), js_sys::Array::new()),
            Via::Move => {
                let buf = self.spare.pop().unwrap_or_else(|| {
                    // The first run makes each task's buffer, as a producer
                    // would; later runs reuse the ones that came back.
                    self.source.unchecked_ref::<js_sys::ArrayBuffer>().slice(0)
                });
                let transfer = js_sys::Array::of1(&buf);
                (buf.into(), transfer)
            }
        }
    }

    /// A moved buffer coming home with its task's reply.
    pub fn give_back(&mut self, attachment: JsValue) {
        if self.via == Via::Move {
            if let Ok(buf) = attachment.dyn_into::<js_sys::ArrayBuffer>() {
                self.spare.push(buf);
            }
        }
    }
}

/// The receiver's copy of an attached buffer in its own wasm memory: the one
/// copy no via can avoid, since wasm code reads only its own memory.
pub fn received_bytes(attachment: &JsValue) -> Option<Vec<u8>> {
    if attachment.is_undefined() || attachment.is_null() {
        return None;
    }
    Some(js_sys::Uint8Array::new(attachment).to_vec())
}
