#!/usr/bin/env python3
"""The playground's lessons, run by CPython itself: threading vs multiprocessing.

Each lesson runs the same workload under several models and checks its result
against an oracle. The model ids follow the page:

  seq      everything in the calling thread, one task after the other
  threads  CPython threads (they hold the GIL, so the page's `gil` model is
           the matching one: every threads row says page_model "gil")
  procs    a multiprocessing pool started before the clock starts
  fork     a fresh process per task (the platform's default start method)

Human-readable tables go to stderr; `--json` also writes one JSON document
to stdout. Standard library only; Python 3.8 or newer.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import pickle
import platform
import statistics
import sys
import threading
import time
import zlib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

PAGE_MODEL = {"seq": "seq", "async": "async", "threads": "gil", "procs": "procs", "fork": "fork",
              "hybrid": "hybrid",
              "spawn": "fork", "process": "fork"}


# --------------------------------------------------------------------------
# Task functions. They live at module level so that they can be pickled and
# found again by name in a worker process.
# --------------------------------------------------------------------------

def busy_wait(n):
    """The classic countdown: pure interpreter work, never releases the GIL."""
    while n > 0:
        n -= 1
    return n


def cpu_process_main(n):
    """Body of a one-task process: its exit code says whether it finished."""
    if busy_wait(n) != 0:
        raise SystemExit(1)


def squares_chunk(bounds):
    lo, hi = bounds
    return sum(i * i for i in range(lo, hi + 1))


def io_task(args):
    index, wait_s, cpu_n = args
    time.sleep(wait_s)  # blocking call: releases the GIL like a socket read
    busy_wait(cpu_n)
    return index


def noop():
    return None


def noop_one(_):
    return None


# Coroutines for the event loop: `asyncio.gather` schedules them all at once;
# each runs until it awaits. CPU work never awaits, so it holds the loop.

async def cpu_coroutine(n):
    return busy_wait(n)


async def io_coroutine(index, wait_s, cpu_n):
    await asyncio.sleep(wait_s)  # yields the loop; no thread blocks
    busy_wait(cpu_n)
    return index


def in_threads(args):
    """A hybrid process's share: its tasks on a thread pool of its own (all
    under this process's GIL)."""
    fn, items, threads = args
    with ThreadPoolExecutor(threads) as ex:
        return list(ex.map(fn, items))


def hybrid_map(pool, fn, items, procs, threads):
    """Deals `items` round-robin to `procs` processes, each mapping its
    share on `threads` threads; results back in the original order."""
    shares = [items[p::procs] for p in range(procs)]
    done = list(pool.map(in_threads, [(fn, s, threads) for s in shares]))
    out = [None] * len(items)
    for p, results in enumerate(done):
        out[p::procs] = results
    return out


def gather(coroutines):
    """One event loop per run, as a script calling asyncio.run would."""
    async def main():
        return await asyncio.gather(*coroutines())
    return asyncio.run(main())


# The shared counter of the pool workers, handed over at process start-up
# (a synchronized Value may only cross by inheritance, not in a task).
_COUNTER = None


def counter_init(value):
    global _COUNTER
    _COUNTER = value


def counter_racy(increments):
    v = _COUNTER
    for _ in range(increments):
        v.value += 1  # a locked read, then a locked write: not one atomic step
    return increments


def counter_locked(increments):
    v = _COUNTER
    lock = v.get_lock()
    for _ in range(increments):
        with lock:
            v.value += 1
    return increments


def counter_local(increments):
    count = 0
    for _ in range(increments):
        count += 1
    return count


def checksum(buf):
    return zlib.crc32(buf)


def shm_checksum(args):
    from multiprocessing import shared_memory
    name, size = args
    shm = shared_memory.SharedMemory(name=name)
    try:
        with shm.buf[:size] as view:
            return zlib.crc32(view)
    finally:
        shm.close()


def failure_message(index, steps):
    return "task %d failed halfway, after %d steps" % (index, steps)


def failure_task(args):
    index, n, fail_at = args
    if index == fail_at:
        busy_wait(n // 2)
        raise ValueError(failure_message(index, n // 2))
    busy_wait(n)
    return index


def spin_until_killed(started):
    started.set()
    while True:
        busy_wait(1000000)


# --------------------------------------------------------------------------
# Measuring and reporting
# --------------------------------------------------------------------------

def measure(run, repeats, warmup):
    """Runs `run` warmup times unmeasured, then `repeats` times on the clock."""
    for _ in range(warmup):
        run()
    samples, outs = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = run()
        samples.append(time.perf_counter() - t0)
        outs.append(out)
    return samples, outs


def entry(model, workers, samples, correct, **extra):
    med = statistics.median(samples)
    e = {
        "model": model,
        "page_model": PAGE_MODEL.get(model, model),
        "workers": workers,
        "median_s": med,
        "median_ms": med * 1e3,
        "min_s": min(samples),
        "max_s": max(samples),
        "samples_s": samples,
        "speedup_vs_seq": None,
        "correct": bool(correct),
    }
    e.update(extra)
    return e


def finish(rows):
    """Adds speedup vs seq to each row of one lesson."""
    seq = rows.get("seq")
    if seq:
        for e in rows.values():
            e["speedup_vs_seq"] = seq["median_s"] / e["median_s"] if e["median_s"] > 0 else None
    return rows


def print_table(name, what, rows, note_keys, out=sys.stderr):
    print("\n%s: %s" % (name, what), file=out)
    print("%-8s%-7s%8s%11s%10s%10s%8s%9s  %s" % (
        "model", "page", "workers", "median s", "min", "max", "vs seq", "correct", "notes"), file=out)
    for model, e in rows.items():
        sp = e.get("speedup_vs_seq")
        notes = []
        for key in note_keys:
            if key in e and e[key] is not None:
                v = e[key]
                notes.append("%s %s" % (key, ("%.1f" % v) if isinstance(v, float) else v))
        if e.get("note"):
            notes.append(e["note"])
        print("%-8s%-7s%8d%11.4f%10.4f%10.4f%8s%9s  %s" % (
            model, e["page_model"], e["workers"], e["median_s"], e["min_s"], e["max_s"],
            ("%.2fx" % sp) if sp else "-", e["correct"], ", ".join(notes)), file=out)
    out.flush()


# --------------------------------------------------------------------------
# The lessons
# --------------------------------------------------------------------------

def lesson_cpu(a, ctx):
    n, tasks = a.cpu_n, a.cpu_tasks
    ok = lambda outs: all(o == [0] * tasks for o in outs)
    rows = {}

    s, o = measure(lambda: [busy_wait(n) for _ in range(tasks)], a.repeats, a.warmup)
    rows["seq"] = entry("seq", 1, s, ok(o))

    s, o = measure(lambda: gather(lambda: [cpu_coroutine(n) for _ in range(tasks)]), a.repeats, a.warmup)
    rows["async"] = entry("async", 1, s, ok(o))

    def threads():
        with ThreadPoolExecutor(tasks) as ex:
            return list(ex.map(busy_wait, [n] * tasks))
    s, o = measure(threads, a.repeats, a.warmup)
    rows["threads"] = entry("threads", tasks, s, ok(o))

    # A process per task, created and joined on the clock (no pool alive now,
    # so forking happens in a process without helper threads).
    def fork():
        ps = [ctx.Process(target=cpu_process_main, args=(n,)) for _ in range(tasks)]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        return [p.exitcode for p in ps]
    s, o = measure(fork, a.repeats, a.warmup)
    rows["fork"] = entry("fork", tasks, s, ok(o))

    with ctx.Pool(tasks) as pool:  # started before the clock
        s, o = measure(lambda: pool.map(busy_wait, [n] * tasks, chunksize=1), a.repeats, a.warmup)
    rows["procs"] = entry("procs", tasks, s, ok(o))

    procs = a.workers
    with ProcessPoolExecutor(procs, mp_context=ctx) as ex:  # started before the clock
        s, o = measure(lambda: hybrid_map(ex, busy_wait, [n] * tasks, procs, 1), a.repeats, max(1, a.warmup))
    rows["hybrid"] = entry("hybrid", procs, s, ok(o), threads_per_process=1)
    rows = {k: rows[k] for k in ("seq", "async", "threads", "procs", "fork", "hybrid")}
    return {"cpu": finish(rows)}, {"cpu": "%d tasks of busy_wait(%s)" % (tasks, format(n, ","))}


def lesson_squares(a, ctx):
    n, tasks = a.squares_n, a.squares_tasks
    oracle = n * (n + 1) * (2 * n + 1) // 6
    chunks = [(1 + k * n // tasks, (k + 1) * n // tasks) for k in range(tasks)]
    ok = lambda outs: all(o == oracle for o in outs)
    rows = {}

    s, o = measure(lambda: sum(squares_chunk(c) for c in chunks), a.repeats, a.warmup)
    rows["seq"] = entry("seq", 1, s, ok(o), value=o[-1], expected=oracle)

    def threads():
        with ThreadPoolExecutor(tasks) as ex:
            return sum(ex.map(squares_chunk, chunks))
    s, o = measure(threads, a.repeats, a.warmup)
    rows["threads"] = entry("threads", tasks, s, ok(o), value=o[-1], expected=oracle)

    with ProcessPoolExecutor(tasks, mp_context=ctx) as ex:  # started before the clock
        s, o = measure(lambda: sum(ex.map(squares_chunk, chunks)), a.repeats, max(1, a.warmup))
    rows["procs"] = entry("procs", tasks, s, ok(o), value=o[-1], expected=oracle)
    return ({"squares": finish(rows)},
            {"squares": "sum of i*i over 1..=%s in %d equal chunks" % (format(n, ","), tasks)})


def calibrate_steps(seconds):
    """Countdown steps that take about `seconds` on this machine."""
    probe = 200000
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        busy_wait(probe)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return max(1000, int(round(probe * seconds / best, -3)))


def lesson_io(a, ctx):
    tasks, wait_s = a.io_tasks, a.io_wait_ms / 1e3
    cpu_variant = a.io_cpu_n if a.io_cpu_n is not None else calibrate_steps(wait_s)
    expected = list(range(tasks))
    lessons, titles = {}, {}
    procs, per_proc = a.workers, 4
    # Pools for both variants, started before the clock.
    with ctx.Pool(tasks) as pool, ctx.Pool(procs) as small, \
            ProcessPoolExecutor(procs, mp_context=ctx) as hybrid:
        hybrid_map(hybrid, noop_one, list(range(procs)), procs, 1)
        for name, cpu_n in (("io", a.io_base_cpu_n), ("io+cpu", cpu_variant)):
            args = [(i, wait_s, cpu_n) for i in range(tasks)]
            ok = lambda outs: all(o == expected for o in outs)
            rows = {}
            s, o = measure(lambda: [io_task(x) for x in args], a.repeats, a.warmup)
            rows["seq"] = entry("seq", 1, s, ok(o), cpu_n=cpu_n)
            s, o = measure(lambda: gather(lambda: [io_coroutine(*x) for x in args]), a.repeats, a.warmup)
            rows["async"] = entry("async", 1, s, ok(o), cpu_n=cpu_n)

            def threads():
                with ThreadPoolExecutor(tasks) as ex:
                    return list(ex.map(io_task, args))
            s, o = measure(threads, a.repeats, a.warmup)
            rows["threads"] = entry("threads", tasks, s, ok(o), cpu_n=cpu_n)
            s, o = measure(lambda: pool.map(io_task, args, chunksize=1), a.repeats, a.warmup)
            rows["procs"] = entry("procs", tasks, s, ok(o), cpu_n=cpu_n)
            # As many processes as the plain pool has cores, each with
            # threads for the waits.
            s, o = measure(lambda: hybrid_map(hybrid, io_task, args, procs, per_proc), a.repeats, a.warmup)
            rows["hybrid"] = entry("hybrid", procs * per_proc, s, ok(o), cpu_n=cpu_n,
                                   processes=procs, threads_per_process=per_proc)
            s, o = measure(lambda: small.map(io_task, args, chunksize=1), a.repeats, a.warmup)
            rows["procs (%d)" % procs] = entry("procs", procs, s, ok(o), cpu_n=cpu_n,
                                               note="a pool as small as hybrid's")
            lessons[name] = finish(rows)
            titles[name] = "%d tasks: sleep %g ms, then %s countdown steps" % (
                tasks, a.io_wait_ms, format(cpu_n, ","))
    return lessons, titles


def lesson_spawn(a, ctx):
    count, few = a.spawn_count, a.spawn_method_count
    rows = {}

    def stepper(step, steps):
        def run():
            times = []
            for _ in range(steps):
                t0 = time.perf_counter()
                good = step()
                times.append(time.perf_counter() - t0)
                if not good:
                    return None
            return times
        return run

    def add(model, step, steps, workers=1, **extra):
        s, o = measure(stepper(step, steps), a.repeats, a.warmup)
        good = all(x is not None for x in o)
        per_step = statistics.median([t for x in o if x for t in x]) * 1e6 if good else None
        rows[model] = entry(model, workers, s, good, steps=steps, per_step_us=per_step, **extra)

    def thread_step():
        t = threading.Thread(target=lambda: None)
        t.start()
        t.join()
        return not t.is_alive()
    add("threads", thread_step, count)

    if hasattr(os, "fork"):
        def fork_step():
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            _, status = os.waitpid(pid, 0)
            return status == 0
        add("fork", fork_step, count, note="os.fork + waitpid")

    def process_step(c):
        def step():
            p = c.Process(target=noop)
            p.start()
            p.join()
            return p.exitcode == 0
        return step
    add("process", process_step(ctx), count,
        note="multiprocessing.Process, %s start method" % ctx.get_start_method())
    spawn = mp.get_context("spawn")
    add("spawn", process_step(spawn), few, note="multiprocessing.Process, spawn start method")

    with ctx.Pool(a.workers) as pool:  # started before the clock
        add("procs", lambda: pool.apply_async(noop).get() is None, count, workers=a.workers,
            note="empty task to a running Pool")
    return ({"spawn": finish(rows)},
            {"spawn": "create, run empty and join one worker, %d times (%d for spawn)" % (count, few)})


class Box(object):
    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


def lesson_counter(a, ctx):
    tasks, inc = a.counter_tasks, a.increments
    expected = tasks * inc
    lessons, titles = {}, {}

    def thread_racy(box, k):
        for _ in range(k):
            box.value += 1

    def thread_locked(box, lock, k):
        for _ in range(k):
            with lock:
                box.value += 1

    def in_process(sync, workers):
        """seq (workers=None) or threads over one in-process counter."""
        def run():
            box, lock = Box(), threading.Lock()
            if sync == "messages":
                if workers is None:
                    return sum(counter_local(inc) for _ in range(tasks))
                with ThreadPoolExecutor(workers) as ex:
                    return sum(ex.map(counter_local, [inc] * tasks))
            body = (lambda: thread_racy(box, inc)) if sync == "racy" else (lambda: thread_locked(box, lock, inc))
            if workers is None:
                for _ in range(tasks):
                    body()
            else:
                ts = [threading.Thread(target=body) for _ in range(tasks)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
            return box.value
        return run

    value = ctx.Value("i", 0, lock=True)
    with ctx.Pool(tasks, initializer=counter_init, initargs=(value,)) as pool:  # before the clock
        for sync in ("racy", "locked", "messages"):
            rows = {}

            def row(model, workers, counts):
                exact = all(c == expected for c in counts)
                # A race may lose updates but never invents any: for the racy
                # counter, "correct" means count <= expected.
                good = all(c <= expected for c in counts) if sync == "racy" else exact
                return dict(value=counts[-1], expected=expected, lost_updates=expected - counts[-1],
                            values=counts, exact=exact), good

            for model, workers in (("seq", None), ("threads", tasks)):
                s, o = measure(in_process(sync, workers), a.repeats, a.warmup)
                extra, good = row(model, workers, o)
                rows[model] = entry(model, workers or 1, s, good, **extra)

            def procs():
                if sync == "messages":
                    return sum(pool.map(counter_local, [inc] * tasks, chunksize=1))
                value.value = 0
                pool.map(counter_racy if sync == "racy" else counter_locked, [inc] * tasks, chunksize=1)
                return value.value
            s, o = measure(procs, a.repeats, a.warmup)
            extra, good = row("procs", tasks, o)
            rows["procs"] = entry("procs", tasks, s, good, **extra)
            name = "counter " + sync
            lessons[name] = finish(rows)
            how = {"racy": "v.value += 1, no lock held across it",
                   "locked": "with lock: v.value += 1",
                   "messages": "count locally, the parent sums"}[sync]
            titles[name] = "%d workers x %s increments (%s)" % (tasks, format(inc, ","), how)
    return lessons, titles


def make_buffer(size):
    pattern = bytes((i * 7 + 3) & 0xFF for i in range(251))  # prime length: no page alignment
    return (pattern * (size // len(pattern) + 1))[:size]


def lesson_transfer(a, ctx):
    tasks = a.transfer_tasks
    size = int(a.mib * 1024 * 1024)
    buf = make_buffer(size)
    oracle = zlib.crc32(buf)  # the parent's own checksum
    ok = lambda outs: all(o == [oracle] * tasks for o in outs)
    lessons, titles = {}, {}

    t0 = time.perf_counter()
    pickled = len(pickle.dumps(buf, protocol=pickle.HIGHEST_PROTOCOL))
    pickle_ms = (time.perf_counter() - t0) * 1e3

    rows = {}
    s, o = measure(lambda: [checksum(buf) for _ in range(tasks)], a.repeats, a.warmup)
    rows["seq"] = entry("seq", 1, s, ok(o))

    def threads(view):
        def run():
            with ThreadPoolExecutor(tasks) as ex:
                return list(ex.map(checksum, [view] * tasks))
        return run
    s, o = measure(threads(buf), a.repeats, a.warmup)
    rows["threads"] = entry("threads", tasks, s, ok(o), note="same bytes object, no copy")
    with ctx.Pool(tasks) as pool:
        s, o = measure(lambda: pool.map(checksum, [buf] * tasks, chunksize=1), a.repeats, a.warmup)
    rows["procs"] = entry("procs", tasks, s, ok(o), pickle_ms=pickle_ms, pickled_bytes=pickled,
                          note="buffer pickled to each worker")
    lessons["transfer copy"] = finish(rows)
    titles["transfer copy"] = "%d workers each checksum %g MiB (crc32), handed over by pickling" % (tasks, a.mib)

    try:
        from multiprocessing import shared_memory
    except ImportError:
        return lessons, titles
    # The segment is made before the pool starts, so the workers share the
    # parent's resource tracker and nothing is reported as leaked.
    t0 = time.perf_counter()
    shm = shared_memory.SharedMemory(create=True, size=size)
    shm.buf[:size] = buf
    setup_ms = (time.perf_counter() - t0) * 1e3
    view = shm.buf[:size]
    try:
        rows = {}
        s, o = measure(lambda: [checksum(view) for _ in range(tasks)], a.repeats, a.warmup)
        rows["seq"] = entry("seq", 1, s, ok(o))
        s, o = measure(threads(view), a.repeats, a.warmup)
        rows["threads"] = entry("threads", tasks, s, ok(o), note="the shared segment, in-process")
        with ctx.Pool(tasks) as pool:
            job = [(shm.name, size)] * tasks
            s, o = measure(lambda: pool.map(shm_checksum, job, chunksize=1), a.repeats, a.warmup)
        rows["procs"] = entry("procs", tasks, s, ok(o), setup_ms=setup_ms,
                              note="workers attach to SharedMemory by name, zero copy")
        lessons["transfer shared"] = finish(rows)
        titles["transfer shared"] = ("%d workers each checksum %g MiB (crc32) in one "
                                     "multiprocessing.shared_memory segment" % (tasks, a.mib))
    finally:
        view.release()
        shm.close()
        shm.unlink()
    return lessons, titles


def describe_failure(outcomes, tasks, n, fail_at):
    """Checks the outcomes of one failure run and says what crossed."""
    import traceback
    err = [(i, v) for i, (kind, v) in enumerate(outcomes) if kind == "err"]
    done = [(i, v) for i, (kind, v) in enumerate(outcomes) if kind == "ok"]
    info = {"completed": len(done), "failed": [i for i, _ in err]}
    good = (len(err) == 1 and err[0][0] == fail_at and len(done) == tasks - 1
            and all(i == v for i, v in done))
    if err:
        e = err[0][1]
        frames = [f.name for f in traceback.extract_tb(e.__traceback__)] if e.__traceback__ else []
        cause = e.__cause__
        try:
            pickle.dumps(e.__traceback__)
            tb_picklable = True
        except Exception:
            tb_picklable = False
        info.update(
            error_type=type(e).__name__,
            error_message=str(e),
            has_traceback=e.__traceback__ is not None,
            traceback_has_task_frame="failure_task" in frames,
            traceback_picklable=tb_picklable,
            cause_type=type(cause).__name__ if cause is not None else None,
            remote_traceback_text=cause is not None and "failure_task" in str(cause),
        )
        good = good and isinstance(e, ValueError) and str(e) == failure_message(fail_at, n // 2)
    return info, good


def lesson_failure(a, ctx):
    tasks, n, fail_at = a.failure_tasks, a.failure_n, a.fail_at
    args = [(i, n, fail_at) for i in range(tasks)]
    rows = {}

    def gather(futures):
        out = []
        for f in futures:
            try:
                out.append(("ok", f.result()))
            except Exception as e:  # what the parent gets back
                out.append(("err", e))
        return out

    def seq():
        out = []
        for x in args:
            try:
                out.append(("ok", failure_task(x)))
            except Exception as e:
                out.append(("err", e))
        return out

    def threads():
        with ThreadPoolExecutor(tasks) as ex:
            return gather([ex.submit(failure_task, x) for x in args])

    for model, run, workers in (("seq", seq, 1), ("threads", threads, tasks)):
        s, o = measure(run, a.repeats, a.warmup)
        checks = [describe_failure(x, tasks, n, fail_at) for x in o]
        rows[model] = entry(model, workers, s, all(g for _, g in checks), **checks[-1][0])
    with ProcessPoolExecutor(tasks, mp_context=ctx) as ex:  # started before the clock
        s, o = measure(lambda: gather([ex.submit(failure_task, x) for x in args]), a.repeats,
                       max(1, a.warmup))
    checks = [describe_failure(x, tasks, n, fail_at) for x in o]
    info, good = checks[-1][0], all(g for _, g in checks)
    # What must be true of a process failure: the error's type and message
    # arrive, the task's frames do not, and the remote traceback comes as text.
    good = good and not info["traceback_has_task_frame"] and info["remote_traceback_text"]
    rows["procs"] = entry("procs", tasks, s, good, **info)
    lessons = {"failure": finish(rows)}
    titles = {"failure": "%d tasks of %s steps; task %d raises halfway" % (tasks, format(n, ","), fail_at)}

    # Killing. A process is stopped from outside; a thread only when it looks.
    kill = {}

    def terminate():
        started = ctx.Event()
        p = ctx.Process(target=spin_until_killed, args=(started,))
        p.start()
        started.wait(30)
        t0 = time.perf_counter()
        p.terminate()
        p.join(10)
        dt = time.perf_counter() - t0
        if p.is_alive():
            p.kill()
            p.join()
            return dt, False, None
        return dt, p.exitcode is not None and p.exitcode != 0, p.exitcode
    res = [terminate() for _ in range(a.repeats)]
    kill["fork"] = entry("fork", 1, [r[0] for r in res], all(r[1] for r in res),
                         stop_ms=statistics.median(r[0] for r in res) * 1e3, exitcode=res[-1][2],
                         note="p.terminate(); p.join()")

    def ask_to_stop():
        stop, started = threading.Event(), threading.Event()

        def loop():
            started.set()
            while not stop.is_set():
                busy_wait(a.stop_chunk)
        t = threading.Thread(target=loop)
        t.start()
        started.wait(30)
        time.sleep(0.02)  # let it get going
        t0 = time.perf_counter()
        stop.set()
        t.join(10)
        dt = time.perf_counter() - t0
        return dt, not t.is_alive()
    res = [ask_to_stop() for _ in range(a.repeats)]
    kill["threads"] = entry("threads", 1, [r[0] for r in res], all(r[1] for r in res),
                            stop_ms=statistics.median(r[0] for r in res) * 1e3, check_every_steps=a.stop_chunk,
                            note="Event checked every %s steps; no way to kill" % format(a.stop_chunk, ","))
    lessons["failure kill"] = kill
    titles["failure kill"] = "stop a busy worker: terminate a process vs ask a thread"
    return lessons, titles


LESSONS = [
    ("cpu", lesson_cpu, []),
    ("squares", lesson_squares, []),
    ("io", lesson_io, ["cpu_n"]),
    ("spawn", lesson_spawn, ["per_step_us"]),
    ("counter", lesson_counter, ["value", "lost_updates"]),
    ("transfer", lesson_transfer, ["pickle_ms", "setup_ms"]),
    ("failure", lesson_failure, ["stop_ms", "error_type", "has_traceback", "traceback_has_task_frame",
                                 "cause_type", "completed"]),
]


def positive(kind, lo, hi):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("%r is not a number" % text)
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError("%s is outside %s..%s" % (text, lo, hi))
        return v
    return parse


def parse_args(argv):
    p = argparse.ArgumentParser(description="CPython's own run of the playground's lessons "
                                            "(threading vs multiprocessing).")
    p.add_argument("--json", action="store_true", help="also print one JSON document to stdout")
    p.add_argument("--only", default=None,
                   help="comma list of lessons: " + ",".join(name for name, _, _ in LESSONS))
    p.add_argument("--repeats", type=positive(int, 1, 50), default=3, help="measured repeats (3)")
    p.add_argument("--warmup", type=positive(int, 0, 5), default=1, help="unmeasured runs first (1)")
    p.add_argument("--workers", type=positive(int, 1, 64), default=os.cpu_count() or 1,
                   help="pool size where the lesson has no task count of its own (cores)")
    p.add_argument("--cpu-n", type=positive(int, 1, 10 ** 10), default=2000000)
    p.add_argument("--cpu-tasks", type=positive(int, 1, 256), default=4)
    p.add_argument("--squares-n", type=positive(int, 1, 10 ** 9), default=2000000)
    p.add_argument("--squares-tasks", type=positive(int, 1, 1024), default=4)
    p.add_argument("--io-tasks", type=positive(int, 1, 256), default=8)
    p.add_argument("--io-wait-ms", type=positive(float, 0, 10000), default=50.0)
    p.add_argument("--io-base-cpu-n", type=positive(int, 0, 10 ** 9), default=0,
                   help="countdown steps after the wait in the plain io run (0)")
    p.add_argument("--io-cpu-n", type=positive(int, 0, 10 ** 9), default=None,
                   help="countdown steps in the io+cpu run (default: about as long as the wait)")
    p.add_argument("--spawn-count", type=positive(int, 1, 1000), default=50)
    p.add_argument("--spawn-method-count", type=positive(int, 1, 1000), default=5,
                   help="steps for the 'spawn' start method, ~40 ms each (5)")
    p.add_argument("--counter-tasks", type=positive(int, 1, 64), default=4)
    p.add_argument("--increments", type=positive(int, 1, 10 ** 8), default=20000)
    p.add_argument("--transfer-tasks", type=positive(int, 1, 64), default=2)
    p.add_argument("--mib", type=positive(float, 0.001, 256), default=16.0)
    p.add_argument("--failure-tasks", type=positive(int, 1, 64), default=4)
    p.add_argument("--failure-n", type=positive(int, 1, 10 ** 9), default=1000000)
    p.add_argument("--fail-at", type=positive(int, 0, 63), default=2)
    p.add_argument("--stop-chunk", type=positive(int, 1, 10 ** 8), default=10000,
                   help="countdown steps between a thread's checks of its stop Event (10,000)")
    a = p.parse_args(argv)
    if a.fail_at >= a.failure_tasks:
        p.error("--fail-at %d must be below --failure-tasks %d" % (a.fail_at, a.failure_tasks))
    names = [name for name, _, _ in LESSONS]
    if a.only:
        a.only = a.only.split(",")
        unknown = [x for x in a.only if x not in names]
        if unknown:
            p.error("--only: unknown lesson(s) %s; known: %s" % (",".join(unknown), ",".join(names)))
    return a


def main(argv):
    a = parse_args(argv)
    ctx = mp.get_context()
    start = time.perf_counter()
    print("CPython %s on %s, %s cores, default start method %r; %d repeats after %d warm-up(s)" % (
        platform.python_version(), platform.platform(terse=True), os.cpu_count(),
        ctx.get_start_method(), a.repeats, a.warmup), file=sys.stderr)
    lessons = {}
    for name, run, note_keys in LESSONS:
        if a.only and name not in a.only:
            continue
        got, titles = run(a, ctx)
        for key, rows in got.items():
            print_table(key, titles.get(key, ""), rows, note_keys)
        lessons.update(got)
    total = time.perf_counter() - start
    wrong = ["%s/%s" % (k, m) for k, rows in lessons.items() for m, e in rows.items() if not e["correct"]]
    print("\n%s in %.1f s" % ("all results correct" if not wrong else "WRONG: " + ", ".join(wrong), total),
          file=sys.stderr)
    if a.json:
        doc = {
            "python": platform.python_version(),
            "python_full": sys.version,
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cores": os.cpu_count(),
            "start_method": ctx.get_start_method(),
            "config": {k: v for k, v in vars(a).items() if k != "json"},
            "total_s": total,
            "all_correct": not wrong,
            "lessons": lessons,
        }
        json.dump(doc, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
