use tvp::share::*;
use tvp::config::RunConfig;
use tvp::models::*;
use tvp::report::*;
fn env() -> Env { Env { cores: 8, isolated: true, user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36".into(), build: "0.1.0".into(), date: "2026-11-22".into(), timer_resolution_ms: Some(0.005) } }
#[test]
fn scratch() {
    let mut cfg = RunConfig::with_cores(8);
    cfg.models = vec![ModelId::Seq, ModelId::Gil];
    let mut ms = vec![];
    for i in 0..4000u32 {
        for m in [ModelId::Seq, ModelId::Gil] {
            ms.push(Measurement { model: m, workers: 8, wall_ms: (i % 7) as f64, value: "1".into(), correct: true, errors: vec![], spans: vec![], figures: Default::default() });
        }
    }
    let r = Report::build(&cfg, env(), &ms, String::new());
    let t = std::time::Instant::now();
    let enc = encode(&r);
    println!("encode {:?} len {} too_long {}", t.elapsed(), enc.fragment.len(), enc.too_long);
    let t = std::time::Instant::now();
    let d = decode(&enc.fragment);
    println!("decode {:?} ok {}", t.elapsed(), d.is_ok());
    // realistic GIL: how many spans fit
    for n in [500usize, 1000, 1500, 2000, 3000] {
        let mut cfg = RunConfig::with_cores(8);
        cfg.models = vec![ModelId::Seq, ModelId::Threads, ModelId::Gil, ModelId::Procs];
        let mut ms = vec![];
        for m in cfg.models.clone() {
            let spans: Vec<Span> = if m == ModelId::Gil {
                (0..n).map(|k| { let t = k as f64 * 5.0021 + (k % 3) as f64 * 0.013; Span { worker: (k % 8) as u32, task: (k % 4) as u32, kind: if k % 2 == 0 { SpanKind::Run } else { SpanKind::GilWait }, start_ms: t + 0.0001234, end_ms: t + 5.0 + (k % 5) as f64 * 0.0007 } }).collect()
            } else {
                (0..4).map(|k| Span { worker: k, task: k, kind: SpanKind::Run, start_ms: 0.05 * k as f64 + 0.00012, end_ms: 1234.5678 + k as f64 }).collect()
            };
            for rep in 0..5 { ms.push(Measurement { model: m, workers: 8, wall_ms: 1234.56789 + rep as f64 * 3.3333, value: "40000000".into(), correct: true, errors: vec![], spans: spans.clone(), figures: Default::default() }); }
        }
        let r = Report::build(&cfg, env(), &ms, "https://x.github.io/tvp/?w=cpu&tasks=4&n=10000000&models=seq,threads,gil,procs&workers=8&repeats=5&warmup=1&switch_ms=5".into());
        let t = std::time::Instant::now();
        let enc = encode(&r);
        println!("gil spans {n}: len {} dropped {:?} {:?}", enc.fragment.len(), enc.dropped, t.elapsed());
    }
}
