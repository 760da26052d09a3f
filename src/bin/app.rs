//! One module for every realm: the page (a Yew app on the main thread,
//! which never computes), its engine worker and every process worker. One
//! download and one compile serve them all, and the engine and processes
//! share the code they would otherwise each carry (std, serde, the
//! protocol).
fn main() {
    #[cfg(target_arch = "wasm32")]
    if web_sys::window().is_some() {
        tvp::ui::start();
    } else {
        tvp::web::engine::main();
    }
}
