//! The page's hooks: the engine worker, and the session's outbox carried out
//! after each render. Components never talk to a worker or to storage.

mod engine;
mod host;
mod later;
mod outbox;

pub use engine::{use_engine, EngineHandle};
pub use host::use_host_messages;
pub use later::use_later;
pub use outbox::use_outbox;
