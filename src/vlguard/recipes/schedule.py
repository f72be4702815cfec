"""Running a recipe's jobs (train a stage, evaluate a model) as a dependency graph on every CPU core.

On a small CPU machine two single-threaded torch processes do about 1.4x the work of one process with two
threads (tiny models are too small to keep two threads busy), and the stages of `vlguard reproduce` form a
graph with room for that: vanilla and mixed tuning both start from the LLM; the post-hoc stages and every
evaluation only wait for the model they start from. So jobs run in worker processes, as soon as what they
wait for is done, by priority; a job that runs alone gets every core.

A job's function and arguments must be picklable (module-level functions, dataclasses), since workers are
spawned; what a job logs reaches the caller's `log` through a queue. `workers=1` runs every job in this
process, in the order given, with the caller's `log` (what tests and debuggers want).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable

Log = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    name: str
    fn: Callable[..., Any]  # fn(*args, log=...) -> result
    args: tuple = ()
    after: tuple[str, ...] = ()
    priority: int = 0  # among jobs ready at once, workers take the lowest first (then the first listed)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def auto_workers(cores: int | None = None) -> int:
    """As many workers as cores, at most 4 (the reproduce graph rarely has more jobs ready at once)."""
    return max(1, min(cores or available_cores(), 4))


_QUEUE: Any = None  # the worker's log queue


def _init_worker(queue: Any) -> None:
    global _QUEUE
    _QUEUE = queue


def _worker_log(message: str) -> None:
    _QUEUE.put(message)


def _run_in_worker(fn: Callable[..., Any], args: tuple, threads: int) -> tuple[Any, float]:
    import torch

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    return fn(*args, log=_worker_log), time.perf_counter() - t0


def _check(jobs: list[Job]) -> None:
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate job names in {names}")
    for i, j in enumerate(jobs):
        missing = [a for a in j.after if a not in names[:i]]
        if missing:
            raise ValueError(f"job {j.name} waits for {missing}, which do not come before it")


def run_jobs(jobs: list[Job], workers: int = 1, log: Log = print, cores: int | None = None
             ) -> dict[str, tuple[Any, float]]:
    """Run every job after the jobs it waits for; returns {name: (result, seconds)}.

    The first failure stops new jobs from starting; the running ones finish (their outputs are cached on
    disk), then it is raised.
    """
    _check(jobs)
    if workers <= 1:
        out = {}
        for j in jobs:
            t0 = time.perf_counter()
            out[j.name] = (j.fn(*j.args, log=log), time.perf_counter() - t0)
        return out
    return _run_parallel(jobs, workers, log, cores or available_cores())


def _drain(queue: Any, log: Log, stop: threading.Event) -> None:
    while not stop.is_set() or not queue.empty():
        try:
            log(queue.get(timeout=0.1))
        except Exception:  # queue.Empty, or the manager going away at shutdown
            if stop.is_set():
                return


def _run_parallel(jobs: list[Job], workers: int, log: Log, cores: int) -> dict[str, tuple[Any, float]]:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # never fork a process that has torch's thread pools running
    manager = ctx.Manager()
    queue = manager.Queue()
    stop = threading.Event()
    drain = threading.Thread(target=_drain, args=(queue, log, stop), daemon=True)
    drain.start()
    done: dict[str, tuple[Any, float]] = {}
    running: dict[Future, str] = {}
    pending = list(jobs)
    error: BaseException | None = None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(queue,))
    interrupted = True  # until the loop ends normally: a kill (Ctrl-C) must not wait for the workers
    try:
        while pending or running:
            ready = [j for j in pending if all(a in done for a in j.after)] if error is None else []
            ready.sort(key=lambda j: j.priority)  # stable: equal priorities keep the given order
            while ready and len(running) < workers:
                job = ready.pop(0)
                pending.remove(job)
                alone = not running and not ready
                threads = cores if alone else max(1, cores // workers)
                running[pool.submit(_run_in_worker, job.fn, job.args, threads)] = job.name
            if not running:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in finished:
                name = running.pop(fut)
                try:
                    done[name] = fut.result()
                except BaseException as e:  # noqa: BLE001 - re-raised once the running jobs are done
                    error = error or e
                    log(f"[{name}] failed: {type(e).__name__}: {e}")
        interrupted = False
    finally:
        pool.shutdown(wait=not interrupted, cancel_futures=True)
        stop.set()
        drain.join(timeout=5)
        manager.shutdown()
    if error is not None:
        raise error
    return done


__all__ = ["Job", "auto_workers", "available_cores", "run_jobs"]
