//! Browser glue: clocks, workers and message passing. Thin by design: the
//! logic it drives lives in the plain-Rust modules.

pub mod calibrate;
pub mod client;
pub mod engine;
pub mod factory;
pub mod fork;
pub mod host;
pub mod hybrid;
pub mod mailbox;
pub mod parked;
pub mod process;
pub mod procs;
pub mod shared;
pub mod storage;

use crate::models::{Clock, RunControl};
use crate::protocol::{self, BootMessage, FromBoot, Role};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Performance, Worker, WorkerOptions, WorkerType};

/// The engine's run control. The page writes its cancel byte straight into
/// the engine's shared memory (see `client.rs`) to stop thread models at
/// their next tick, since the engine's own thread is busy inside rayon then
/// and reads no messages; it reads the finished count the same way for its
/// progress line.
pub static RUN: RunControl = RunControl::new();

thread_local! {
    // Looked up once per thread: every rayon thread is its own Web Worker
    // with its own `performance` object and time origin.
    static PERFORMANCE: Performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .expect("performance exists in windows and workers")
        .unchecked_into();
}

/// `performance.timeOrigin + performance.now()`: one timeline for the page,
/// the engine, every rayon thread and every process worker.
#[derive(Clone, Copy, Default)]
pub struct WebClock;

thread_local! {
    static LAST_MS: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

impl Clock for WebClock {
    /// Never earlier than this thread's last reading: WebKitGTK's clock was
    /// seen stepping back 10 µs between two readings in one worker, which
    /// made a phase of the transfer lesson last -0.01 ms. A step back reads
    /// as no time at all.
    fn now_ms(&self) -> f64 {
        let t = PERFORMANCE.with(|p| p.time_origin() + p.now());
        LAST_MS.with(|last| {
            let t = t.max(last.get());
            last.set(t);
            t
        })
    }
}

pub fn now_ms() -> f64 {
    WebClock.now_ms()
}

/// Blocks the calling worker for `ms` (never called on the main thread,
/// where `Atomics.wait` is forbidden). A wait on a private cell that nobody
/// notifies is the only true blocking sleep a worker has; without shared
/// memory there is none, and the worker spins (the reduced page refuses the
/// lessons where that would change the result, see `capabilities.rs`).
pub fn sleep_ms(ms: f64) {
    if ms <= 0.0 {
        return;
    }
    thread_local! {
        static CELL: Option<js_sys::Int32Array> = shared_memory().then(|| {
            js_sys::Int32Array::new(&js_sys::SharedArrayBuffer::new(4))
        });
    }
    CELL.with(|cell| match cell {
        Some(cell) => {
            let _ = js_sys::Atomics::wait_with_timeout(cell, 0, 0, ms);
        }
        None => {
            let end = now_ms() + ms;
            while now_ms() < end {
                std::hint::spin_loop();
            }
        }
    });
}

/// Runs `f` in a task of the page's main thread of its own, `ms` from now.
pub fn on_page_later(ms: i32, f: impl FnOnce() + 'static) {
    let f = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
    }
}

/// Waits `ms` without blocking: the worker's event loop runs meanwhile, so
/// its own workers start and its messages arrive.
pub async fn pause_ms(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = js_sys::global()
            .unchecked_into::<web_sys::WorkerGlobalScope>()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Whether this build and this browser give workers one shared memory: a
/// build with threads, and a global `SharedArrayBuffer` (absent without
/// cross-origin isolation, and in WebKitGTK unless it is switched on).
pub fn shared_memory() -> bool {
    cfg!(feature = "threads")
        && js_sys::Reflect::has(&js_sys::global(), &"SharedArrayBuffer".into()).unwrap_or(false)
}

/// Whether a port between workers copies a buffer it is asked to transfer.
/// Firefox's does (64 MiB took 115 ms to post and 340 ms to arrive, where
/// the same buffer through the page took 0.2 ms); Chromium's and WebKit's
/// transfer it, and there the way through the page is the slower one
/// (about 2 ms more for 64 MiB in Chromium). Only the engine's name tells:
/// the copy keeps the semantics of a transfer (the sender's buffer is
/// detached either way), so it shows in the time alone.
pub fn ports_copy_transfers() -> bool {
    thread_local! {
        static COPIES: bool = js_sys::Reflect::get(&js_sys::global(), &"navigator".into())
            .and_then(|n| js_sys::Reflect::get(&n, &"userAgent".into()))
            .ok()
            .and_then(|ua| ua.as_string())
            .is_some_and(|ua| ua.contains("Firefox/"));
    }
    COPIES.with(|c| *c)
}

/// Whether the page (or worker) may use `SharedArrayBuffer`.
pub fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// A module worker from boot script `url`, named `name` (for the
/// browser's tools only), started in `role` with the glue `script` and
/// `attachment` (what it joins: module, memory, port or thread state).
pub fn start_worker(
    role: Role,
    url: &str,
    name: &str,
    script: &str,
    attachment: &JsValue,
    transfer: &js_sys::Array,
) -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    options.set_name(name);
    let worker = Worker::new_with_options(url, &options).map_err(|e| js_error_text(&e))?;
    worker
        .post_message_with_transfer(&start_envelope(role, script, attachment), transfer)
        .map_err(|e| js_error_text(&e))?;
    Ok(worker)
}

/// `[message, attachment, id]`: every message between page, engine and
/// workers travels so. The message is its postcard bytes
/// (`protocol::encode`); the attachment is what serde cannot carry (a port,
/// a compiled module, a memory, a shared or transferred buffer), or
/// `undefined`; `id` is a request's number, which its answer repeats (0: no
/// answer is awaited, or this is not one).
pub fn envelope<T: Serialize>(msg: &T, attachment: &JsValue) -> JsValue {
    envelope_with_id(msg, attachment, 0)
}

pub fn envelope_with_id<T: Serialize>(msg: &T, attachment: &JsValue, id: u32) -> JsValue {
    let bytes = js_sys::Uint8Array::from(&protocol::encode(msg)[..]);
    js_sys::Array::of3(&bytes, attachment, &id.into()).into()
}

/// An envelope opened: its message, its attachment, and the request it
/// answers or asks as (0 for none).
pub struct Opened<T> {
    pub msg: T,
    pub attachment: JsValue,
    pub id: u32,
}

/// The id an envelope carries (0 for none), without reading its message.
pub fn envelope_id(data: &JsValue) -> u32 {
    if !js_sys::Array::is_array(data) {
        return 0;
    }
    let id = data.unchecked_ref::<js_sys::Array>().get(2).as_f64();
    id.map_or(0, |id| id as u32)
}

/// The message and attachment of an envelope, whether an instance wrote it
/// or a boot script in `www/` did ([`BootMessage`]).
pub fn open_envelope<T: DeserializeOwned + FromBoot>(data: JsValue) -> Result<Opened<T>, String> {
    if !js_sys::Array::is_array(&data) {
        return Err("malformed message: not an envelope".to_string());
    }
    let id = envelope_id(&data);
    let arr: js_sys::Array = data.unchecked_into();
    let (msg, attachment) = (arr.get(0), arr.get(1));
    if let Some(bytes) = msg.dyn_ref::<js_sys::Uint8Array>() {
        let msg = protocol::decode(&bytes.to_vec())?;
        return Ok(Opened {
            msg,
            attachment,
            id,
        });
    }
    let boot = boot_message(&msg).ok_or("malformed message: neither bytes nor a boot message")?;
    match T::from_boot(boot.clone()) {
        Some(msg) => Ok(Opened {
            msg,
            attachment,
            id,
        }),
        None => Err(format!("unexpected message from a boot script: {boot:?}")),
    }
}

/// What a boot script posted, from its plain object.
pub fn boot_message(msg: &JsValue) -> Option<BootMessage> {
    let field = |k: &str| js_sys::Reflect::get(msg, &k.into()).ok();
    let text = |k: &str| field(k).and_then(|v| v.as_string());
    let number = |k: &str| field(k).and_then(|v| v.as_f64());
    Some(match text("boot")?.as_str() {
        "failed" => BootMessage::Failed {
            message: text("message")?,
        },
        "warm" => BootMessage::Warm {
            script_ms: number("script_ms")?,
            warm_ms: number("warm_ms")?,
        },
        "parked" => BootMessage::Parked {
            script_ms: number("script_ms")?,
            parked_ms: number("parked_ms")?,
        },
        _ => return None,
    })
}

/// What a boot script reads first: `[{type: "start", role, workers,
/// script}, attachment]`, to start the worker in `role`, importing the glue
/// at `script`. The boot script leaves the start where [`role`] finds it.
pub fn start_envelope(role: Role, script: &str, attachment: &JsValue) -> JsValue {
    let workers = match role {
        Role::Engine { workers } => workers,
        _ => 0,
    };
    let start = js_object(&[
        ("type", &"start".into()),
        ("role", &role.id().into()),
        ("workers", &workers.into()),
        ("script", &script.into()),
    ]);
    js_sys::Array::of2(&start, attachment).into()
}

/// The role this worker was started in (its boot script leaves its start
/// message in `self.tvpStart`); `None` on the page, or in a worker whose
/// boot script said none.
pub fn role() -> Option<Role> {
    let start = js_sys::Reflect::get(&js_sys::global(), &"tvpStart".into()).ok()?;
    let field = |k: &str| js_sys::Reflect::get(&start, &k.into()).ok();
    let id = field("role")?.as_string()?;
    let workers = field("workers").and_then(|v| v.as_f64()).unwrap_or(0.0);
    Role::parse(&id, workers as u32)
}

/// What a spare's boot script waits for before it makes its instance
/// (there is no instance yet to read a message): request `id`, which the
/// new instance's `Ready` answers.
pub fn instantiate_envelope(id: u32) -> JsValue {
    js_sys::Array::of3(&"instantiate".into(), &JsValue::UNDEFINED, &id.into()).into()
}

/// A plain JS object: an attachment that holds several JS values.
pub fn js_object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

/// The most useful text of a thrown JS value or error event.
pub fn js_error_text(e: &JsValue) -> String {
    if let Some(ev) = e.dyn_ref::<web_sys::ErrorEvent>() {
        let msg = ev.message();
        return if msg.is_empty() {
            "the worker failed to load (script error)".to_string()
        } else {
            format!("{msg} ({}:{})", ev.filename(), ev.lineno())
        };
    }
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// The URL of the wasm-bindgen glue this instance was loaded by, which
/// every worker it starts imports in turn. The boot script of each realm
/// (page, engine, process) sets the global `tvpGlue` before it imports the
/// glue: Trunk hashes the glue's file name, and only the page's `<script>`
/// tag knows it.
pub fn glue_url() -> Result<String, String> {
    js_sys::Reflect::get(&js_sys::global(), &"tvpGlue".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| "the boot script did not say where the glue is (tvpGlue)".to_string())
}

/// The global scope of a dedicated worker (engine or process).
pub fn worker_scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}
