//! The engine worker as a hook: started on the first run, replaced when a
//! run needs a bigger pool or the old one broke, polled for progress while
//! a run is in progress, ended when the page goes into the back-forward
//! cache.

use crate::protocol::FromEngine;
use crate::protocol::{StepRequest, ToEngine};
use crate::session::{Action, Session};
use crate::web::client::EngineClient;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A handle on the page's engine; cloning it shares the same worker.
#[derive(Clone)]
pub struct EngineHandle {
    client: Rc<RefCell<Option<EngineClient>>>,
    dispatch: UseReducerDispatcher<Session>,
}

impl EngineHandle {
    /// Sends one step of a run, on an engine with at least `pool` workers.
    pub fn send(&self, pool: u32, request: StepRequest) {
        self.post(pool, request.step, ToEngine::Run(request));
    }

    /// Asks for this machine's limits, on the engine the run will use.
    pub fn calibrate(&self, pool: u32, step: u32) {
        self.post(pool, step, ToEngine::Calibrate { step });
    }

    fn post(&self, pool: u32, step: u32, message: ToEngine) {
        let mut slot = self.client.borrow_mut();
        // rayon's global pool has a fixed size per wasm instance: a run that
        // needs more workers than the engine has gets a new engine (its
        // start cost is shown); fewer run on part of the pool.
        if !slot.as_ref().is_some_and(|e| e.fits(pool)) {
            *slot = None;
            let dispatch = self.dispatch.clone();
            match EngineClient::start(pool, move |ev| dispatch.dispatch(Action::Engine(ev))) {
                Ok(client) => *slot = Some(client),
                Err(why) => {
                    self.dispatch.dispatch(Action::Engine(FromEngine::Failed {
                        step: Some(step),
                        message: why,
                    }));
                    return;
                }
            }
        }
        if let Some(client) = slot.as_ref() {
            client.send(message);
        }
    }

    pub fn cancel(&self, step: u32) {
        if let Some(client) = self.client.borrow().as_ref() {
            client.cancel(step);
        }
    }

    fn tasks_finished(&self) -> Option<u32> {
        self.client.borrow().as_ref()?.tasks_finished()
    }

    /// Ends the engine and every worker it made; the next run starts a
    /// new one.
    fn end(&self) {
        self.client.borrow_mut().take();
    }
}

/// The engine of this page. While `running`, its finished-task counter is
/// read a few times a second, cheap enough not to steal the cores being
/// measured, so the progress line moves between the engine's messages.
#[hook]
pub fn use_engine(dispatch: UseReducerDispatcher<Session>, running: bool) -> EngineHandle {
    let client = use_mut_ref(|| None::<EngineClient>);
    let engine = EngineHandle { client, dispatch };
    {
        let engine = engine.clone();
        use_effect_with((), move |_| {
            let listener = page_listeners(engine);
            move || drop(listener)
        });
    }
    {
        let engine = engine.clone();
        use_effect_with(running, move |running| {
            let poll = running.then(|| poll(engine));
            move || drop(poll)
        });
    }
    engine
}

/// A `pagehide` and a `visibilitychange` listener; dropping it removes them.
struct Listener {
    on_pagehide: Closure<dyn FnMut(web_sys::PageTransitionEvent)>,
    on_visibility: Closure<dyn FnMut()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let f = self.on_pagehide.as_ref().unchecked_ref();
            let _ = w.remove_event_listener_with_callback("pagehide", f);
            if let Some(d) = w.document() {
                let f = self.on_visibility.as_ref().unchecked_ref();
                let _ = d.remove_event_listener_with_callback("visibilitychange", f);
            }
        }
    }
}

fn hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// A page kept for the Back button keeps its workers alive, and each holds
/// a wasm memory; WebKit reserves address space for every one of them and
/// has room for about 32 GiB in a tab, so a few such pages can leave the
/// next one unable to start a process. A page the browser keeps therefore
/// ends its engine (a run in progress stops, and says why on return). A
/// hidden page is told to the session, which marks what it measures then.
fn page_listeners(engine: EngineHandle) -> Listener {
    let dispatch = engine.dispatch.clone();
    let on_pagehide = Closure::<dyn FnMut(web_sys::PageTransitionEvent)>::new(
        move |event: web_sys::PageTransitionEvent| {
            if event.persisted() {
                engine.dispatch.dispatch(Action::Left);
                engine.end();
            }
        },
    );
    // Browsers slow the timers and workers of a hidden page: the session
    // marks what was measured meanwhile (`Report::background`).
    if hidden() {
        dispatch.dispatch(Action::Hidden(true));
    }
    let on_visibility =
        Closure::<dyn FnMut()>::new(move || dispatch.dispatch(Action::Hidden(hidden())));
    if let Some(w) = web_sys::window() {
        let f = on_pagehide.as_ref().unchecked_ref();
        let _ = w.add_event_listener_with_callback("pagehide", f);
        if let Some(d) = w.document() {
            let f = on_visibility.as_ref().unchecked_ref();
            let _ = d.add_event_listener_with_callback("visibilitychange", f);
        }
    }
    Listener {
        on_pagehide,
        on_visibility,
    }
}

/// An interval that polls the engine; dropping it stops the interval.
struct Poll {
    id: Option<i32>,
    _tick: Closure<dyn FnMut()>,
}

impl Drop for Poll {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.id, web_sys::window()) {
            w.clear_interval_with_handle(id);
        }
    }
}

fn poll(engine: EngineHandle) -> Poll {
    let last = Cell::new(u32::MAX);
    let tick = Closure::<dyn FnMut()>::new(move || {
        if let Some(n) = engine.tasks_finished() {
            if n != last.replace(n) {
                engine.dispatch.dispatch(Action::Polled(n));
            }
        }
    });
    let id = web_sys::window().and_then(|w| {
        w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 250)
            .ok()
    });
    Poll { id, _tick: tick }
}
