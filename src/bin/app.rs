//! The page: a Yew app on the main thread, which never computes.
fn main() {
    #[cfg(target_arch = "wasm32")]
    tvp::ui::start();
}
