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
    let mut errors = Vec::new();
    if caps.shared_memory {
        return errors;
    }
    let here = caps
        .models()
        .iter()
        .map(|m| m.id())
        .collect::<Vec<_>>()
        .join(", ");
    // In the spawn lesson `seq` starts threads one after another, and a
    // thread joins the engine's memory: it needs sharing too.
    let spawn = matches!(cfg.workload, Workload::Spawn(_));
    let runs = |m: ModelId| caps.allows(m) && !(spawn && m == ModelId::Seq);
    let refused: Vec<&str> = cfg
        .models
        .iter()
        .filter(|&&m| !runs(m))
        .map(|m| m.id())
        .collect();
    if !refused.is_empty() {
        if let Some(raw) = lookup(pairs, "models") {
            errors.push(ParamError::new(
                "models",
                raw,
                format!("{} {WHY_SHARED}; this page runs {here}", refused.join(", ")),
            ));
        }
        cfg.models.retain(|&m| runs(m));
    }
    if cfg.models.is_empty() {
        cfg.models = if spawn {
            vec![ModelId::Procs, ModelId::Fork]
        } else {
            vec![ModelId::Seq, ModelId::Procs]
        };
    }
    match &mut cfg.workload {
        Workload::Io(_) => {
            errors.push(ParamError::new(
                "w",
                "io",
                format!("the io lesson blocks its workers with Atomics.wait, which {WHY_SHARED}"),
            ));
            cfg.workload = Workload::default_for("cpu").expect("cpu exists");
        }
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
        assert!(errors[0].limit.ends_with("this page runs seq, procs, fork"));
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
        assert_eq!(cfg.workload.id(), "cpu");
        assert!(
            errors[0].to_string().contains("Atomics.wait"),
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
