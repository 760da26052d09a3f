//! Threads vs Processes: the same workload under several execution models.
//!
//! Everything outside `web` is plain Rust with no web types, so it is tested
//! natively with `cargo test`; `web` is the thin browser glue (wasm32 only).

// The engine joins a parked thread with `memory.atomic.wait32` (web::parked);
// only the wasm build with shared memory has it, and that build is nightly.
#![cfg_attr(
    all(target_arch = "wasm32", target_feature = "atomics"),
    feature(stdarch_wasm_atomic_wait)
)]

pub mod calibrate;
pub mod capabilities;
pub mod class;
pub mod config;
pub mod docs;
pub mod format;
pub mod interleaving;
pub mod models;
pub mod params;
pub mod plan;
pub mod predict;
pub mod protocol;
pub mod report;
pub mod session;
pub mod share;
pub mod shell;
pub mod stats;
pub mod stepper;
pub mod summary;
pub mod svg;
pub mod trace;
pub mod verdict;
pub mod workloads;

#[cfg(not(target_arch = "wasm32"))]
pub mod bench;

#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;
