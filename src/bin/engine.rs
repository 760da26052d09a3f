//! The engine worker: rayon threads and the process pool live here.
fn main() {
    #[cfg(target_arch = "wasm32")]
    tvp::web::engine::main();
}
