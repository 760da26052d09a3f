//! What the browser lets the page do, and what a run configuration may ask
//! for there. Threads need one memory shared by several workers (a
//! `SharedArrayBuffer`), which browsers hand out only to cross-origin
//! isolated pages, and WebKitGTK not even then unless told to. Processes
//! need none: they are workers with memories of their own that talk by
//! messages. So a page without shared memory still runs `seq`, `procs` and
//! `fork`, and says why the rest is missing instead of failing half-way.

use crate::config::RunConfig;
use crate::models::ModelId;
use crate::workloads::counter::CounterSync;
use crate::workloads::transfer::Via;
use crate::workloads::{lookup, ParamError, Workload};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// `SharedArrayBuffer` exists and a shared wasm memory can be made.
    pub shared_memory: bool,
}

impl Capabilities {
    pub const FULL: Capabilities = Capabilities {
        shared_memory: true,
    };
    pub const REDUCED: Capabilities = Capabilities {
        shared_memory: false,
    };

    pub fn allows(self, model: ModelId) -> bool {
        self.shared_memory || !model.needs_shared_memory()
    }

    /// The models this page can run, in their usual order.
    pub fn models(self) -> Vec<ModelId> {
        ModelId::ALL
            .into_iter()
            .filter(|&m| self.allows(m))
            .collect()
    }
}

/// Why a model or lesson is missing from the reduced page, in one phrase.
pub const WHY_SHARED: &str =
    "needs shared memory (SharedArrayBuffer), which this page does not have";

/// Fits `cfg` (parsed from `pairs`) to what the page can do. A setting the
/// link asked for and the page cannot honour is reported with the limit, as
/// a bad value is; a default the page cannot honour is replaced quietly.
pub fn restrict(
    cfg: &mut RunConfig,
    pairs: &[(String, String)],
    caps: Capabilities,
) -> Vec<ParamError> {
    let mut errors = lesson_limits(cfg, pairs);
    if caps.shared_memory {
        return errors;
    }
    // In the spawn lesson `seq` starts threads one after another, and a
    // thread joins the engine's memory: it needs sharing too. In the io
    // lesson a worker without shared memory cannot block (no
    // `Atomics.wait`) and spins through its waits instead: exact for one
    // thread or an event loop, but processes spinning on two cores would
    // not overlap their waits, which is the lesson.
    let spawn = matches!(cfg.workload, Workload::Spawn(_));
    let io = matches!(cfg.workload, Workload::Io(_));
    let runs = |m: ModelId| {
        caps.allows(m)
            && !(spawn && m == ModelId::Seq)
            && (!io || matches!(m, ModelId::Seq | ModelId::Async))
    };
    let here = ModelId::ALL
        .into_iter()
        .filter(|&m| runs(m) && lesson_limit(&cfg.workload, m).is_none())
        .map(|m| m.id())
        .collect::<Vec<_>>()
        .join(", ");
    let refused: Vec<&str> = cfg
        .models
        .iter()
        .filter(|&&m| !runs(m))
        .map(|m| m.id())
        .collect();
    if !refused.is_empty() {
        if let Some(raw) = lookup(pairs, "models") {
            let why = if io {
                "block with Atomics.wait in this lesson, which needs shared memory \
                 (SharedArrayBuffer): this page does not have it"
            } else {
                WHY_SHARED
            };
            errors.push(ParamError::new(
                "models",
                raw,
                format!("{} {why}; this page runs {here}", refused.join(", ")),
            ));
        }
        cfg.models.retain(|&m| runs(m));
    }
    if cfg.models.is_empty() || (io && lookup(pairs, "models").is_none()) {
        cfg.models = if spawn {
            vec![ModelId::Procs, ModelId::Fork]
        } else if io {
            vec![ModelId::Seq, ModelId::Async]
        } else {
            vec![ModelId::Seq, ModelId::Procs]
        };
    }
    match &mut cfg.workload {
        Workload::Counter(c) if c.sync != CounterSync::Messages => {
            if let Some(raw) = lookup(pairs, "sync") {
                errors.push(ParamError::new(
                    "sync",
                    raw,
                    "processes share a counter through a SharedArrayBuffer, which this \
                     page does not have; here only sync=messages (each process counts, \
                     the parent adds)",
                ));
            }
            c.sync = CounterSync::Messages;
        }
        Workload::Transfer(t) if t.via == Via::Shared => {
            errors.push(ParamError::new(
                "via",
                lookup(pairs, "via").unwrap_or("shared"),
                format!("via=shared {WHY_SHARED}; here via=copy or via=move"),
            ));
            t.via = Via::Copy;
        }
        _ => {}
    }
    errors
}

/// Why `model` means nothing in the lesson of `workload`, if it does not:
/// an event loop starts no workers and hands no buffers to one.
pub fn lesson_limit(workload: &Workload, model: ModelId) -> Option<&'static str> {
    match (workload, model) {
        (Workload::Spawn(_), ModelId::Async) => {
            Some("async starts no workers: its coroutines share one thread")
        }
        (Workload::Transfer(_), ModelId::Async) => Some(
            "async hands no buffer to another worker: its coroutines share one thread's memory",
        ),
        (Workload::Spawn(_) | Workload::Transfer(_), ModelId::Hybrid) => Some(
            "hybrid is measured on work split across its processes' threads; this lesson \
             compares single starts and hand-overs: see threads, procs and fork",
        ),
        (Workload::Counter(_), ModelId::Hybrid) => Some(
            "hybrid's processes share no memory, so each would count into a counter of its \
             own: see threads (one counter) and procs with sync=messages",
        ),
        _ => None,
    }
}

/// Drops the models that mean nothing in this lesson, naming why when the
/// link asked for them.
fn lesson_limits(cfg: &mut RunConfig, pairs: &[(String, String)]) -> Vec<ParamError> {
    let mut errors = Vec::new();
    let workload = cfg.workload.clone();
    cfg.models.retain(|&m| match lesson_limit(&workload, m) {
        None => true,
        Some(why) => {
            if let Some(raw) = lookup(pairs, "models") {
                errors.push(ParamError::new("models", raw, why));
            }
            false
        }
    });
    if cfg.models.is_empty() {
        cfg.models = vec![ModelId::Procs];
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str, caps: Capabilities) -> (RunConfig, Vec<ParamError>) {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (mut cfg, mut errors) = RunConfig::from_pairs(&pairs, 2);
        errors.extend(restrict(&mut cfg, &pairs, caps));
        (cfg, errors)
    }

    #[test]
    fn async_is_left_out_of_lessons_where_it_means_nothing() {
        for caps in [Capabilities::FULL, Capabilities::REDUCED] {
            let (cfg, errors) = parse("w=spawn&models=async,procs", caps);
            assert!(!cfg.models.contains(&ModelId::Async));
            assert!(
                errors[0].limit.contains("starts no workers"),
                "{}",
                errors[0]
            );
            let (cfg, errors) = parse("w=transfer&models=async", caps);
            assert!(!cfg.models.is_empty() && !cfg.models.contains(&ModelId::Async));
            assert_eq!(errors[0].key, "models");
        }
        let (cfg, errors) = parse("w=cpu&models=seq,async", Capabilities::REDUCED);
        assert!(errors.is_empty(), "async runs without shared memory");
        assert_eq!(cfg.models, vec![ModelId::Seq, ModelId::Async]);
    }

    #[test]
    fn full_pages_keep_everything() {
        let (cfg, errors) = parse("w=io&models=seq,threads,gil", Capabilities::FULL);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cfg.models.len(), 3);
    }

    #[test]
    fn reduced_defaults_are_quietly_the_process_models() {
        let (cfg, errors) = parse("w=cpu", Capabilities::REDUCED);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cfg.models, vec![ModelId::Seq, ModelId::Procs]);
    }

    #[test]
    fn asked_thread_models_are_named_with_the_reason() {
        let (cfg, errors) = parse(
            "w=cpu&models=seq,threads,gil,procs,fork",
            Capabilities::REDUCED,
        );
        assert_eq!(
            cfg.models,
            vec![ModelId::Seq, ModelId::Procs, ModelId::Fork]
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key, "models");
        assert!(
            errors[0]
                .limit
                .starts_with("threads, gil needs shared memory"),
            "{}",
            errors[0]
        );
        assert!(errors[0]
            .limit
            .ends_with("this page runs seq, async, procs, fork"));
    }

    #[test]
    fn only_thread_models_fall_back_to_what_runs() {
        let (cfg, errors) = parse("models=threads", Capabilities::REDUCED);
        assert_eq!(errors.len(), 1);
        assert_eq!(cfg.models, vec![ModelId::Seq, ModelId::Procs]);
    }

    #[test]
    fn the_spawn_lesson_starts_no_threads_without_shared_memory() {
        let (cfg, errors) = parse("w=spawn&models=seq,procs,fork", Capabilities::REDUCED);
        assert_eq!(cfg.models, vec![ModelId::Procs, ModelId::Fork]);
        assert!(
            errors[0].limit.starts_with("seq needs shared memory"),
            "{}",
            errors[0]
        );
        let (cfg, _) = parse("w=spawn", Capabilities::REDUCED);
        assert_eq!(cfg.models, vec![ModelId::Procs]);
    }

    #[test]
    fn lessons_that_need_shared_memory_say_so() {
        let (cfg, errors) = parse("w=io&tasks=8", Capabilities::REDUCED);
        assert_eq!(cfg.workload.id(), "io");
        assert!(errors.is_empty(), "the default models are replaced quietly");
        assert_eq!(cfg.models, vec![ModelId::Seq, ModelId::Async]);
        let (cfg, errors) = parse("w=io&models=seq,async,threads,procs", Capabilities::REDUCED);
        assert_eq!(cfg.models, vec![ModelId::Seq, ModelId::Async]);
        assert!(
            errors[0].to_string().contains("Atomics.wait")
                && errors[0].limit.starts_with("threads, procs")
                && errors[0].limit.ends_with("this page runs seq, async"),
            "{}",
            errors[0]
        );

        let (cfg, errors) = parse("w=counter&sync=racy", Capabilities::REDUCED);
        assert_eq!(errors[0].key, "sync");
        let Workload::Counter(c) = cfg.workload else {
            panic!()
        };
        assert_eq!(c.sync, CounterSync::Messages);

        let (cfg, errors) = parse("w=counter", Capabilities::REDUCED);
        assert!(errors.is_empty(), "the default sync is replaced quietly");
        let Workload::Counter(c) = cfg.workload else {
            panic!()
        };
        assert_eq!(c.sync, CounterSync::Messages);

        let (cfg, errors) = parse("w=transfer&via=shared", Capabilities::REDUCED);
        assert_eq!(errors[0].key, "via");
        let Workload::Transfer(t) = cfg.workload else {
            panic!()
        };
        assert_eq!(t.via, Via::Copy);
    }
}
