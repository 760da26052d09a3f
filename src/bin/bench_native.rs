//! The native reference benchmark (`cargo run --release --bin bench-native`).
fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    tvp::bench::main();
}
