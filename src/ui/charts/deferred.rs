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
    if crate::ui::hooks::use_later(p.delay_ms) {
        p.children.clone()
    } else {
        html! { <div class="deferred" aria-busy="true"></div> }
    }
}
