//! Drawing a big view one piece at a time.

use super::*;

#[derive(Properties, PartialEq)]
pub struct DeferredProps {
    pub children: Html,
    #[prop_or_default]
    pub delay_ms: i32,
}

/// Renders its children in a later task than its parent, so a big redraw
/// is split into pieces the main thread can interleave with input.
#[function_component(Deferred)]
pub fn deferred(p: &DeferredProps) -> Html {
    let shown = use_state(|| false);
    {
        let shown = shown.clone();
        let delay = p.delay_ms;
        use_effect_with((), move |_| {
            let show = wasm_bindgen::closure::Closure::once_into_js(move || shown.set(true));
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    wasm_bindgen::JsCast::unchecked_ref(&show),
                    delay,
                );
            }
        });
    }
    if *shown {
        p.children.clone()
    } else {
        html! { <div class="deferred" aria-busy="true"></div> }
    }
}
