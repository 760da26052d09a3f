//! Drawing in a later task of the main thread than the one that mounted.

use yew::prelude::*;

/// False on the first render, true from a task `delay_ms` later on. A
/// component that draws its heavy part only once this is true splits its
/// first drawing in two tasks, so the main thread can take input between
/// them (and a phone's first load has no single long task).
#[hook]
pub fn use_later(delay_ms: i32) -> bool {
    let shown = use_state(|| false);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| {
            let show = wasm_bindgen::closure::Closure::once_into_js(move || shown.set(true));
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    wasm_bindgen::JsCast::unchecked_ref(&show),
                    delay_ms,
                );
            }
        });
    }
    *shown
}
