//! A process worker: one wasm instance with its own memory.
fn main() {
    #[cfg(target_arch = "wasm32")]
    tvp::web::process::main();
}
