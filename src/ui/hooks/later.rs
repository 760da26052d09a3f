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
            crate::web::on_page_later(delay_ms, move || shown.set(true))
        });
    }
    *shown
}
