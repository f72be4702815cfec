"""Running a recipe's jobs (train a stage, evaluate a model) as a dependency graph on every CPU core.

On a small CPU machine two single-threaded torch processes do about 1.4x the work of one process with two
threads (tiny models are too small to keep two threads busy), and the stages of `vlguard reproduce` form a
graph with room for that: vanilla and mixed tuning both start from the LLM; the post-hoc stages and every
evaluation only wait for the model they start from. So jobs run in worker processes, as soon as what they
wait for is done, by priority.

A job's thread count is fixed by the graph, never by what happens to be running: a job that nothing can
run beside (every other job waits for it, or it for them) gets every core, every other job `cores //
workers`. Thread counts change the order of floating-point sums, so this is what makes a run's numbers the
same from run to run whatever the machine's load (`workers=1` runs every job with the process's threads,
so its numbers differ slightly from a parallel run's). Several independent graphs in one run (the seeds of
`vlguard reproduce --seeds`) pass the union of each graph's solo jobs as `solo`, so each graph's jobs get the
threads they get when it runs alone; a solo job then waits for the running jobs and runs alone, so solo jobs
of different graphs never share the cores.

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


def run_jobs(jobs: list[Job], workers: int = 1, log: Log = print, cores: int | None = None,
             solo: set[str] | None = None) -> dict[str, tuple[Any, float]]:
    """Run every job after the jobs it waits for; returns {name: (result, seconds)}.

    The first failure stops new jobs from starting; the running ones finish (their outputs are cached on
    disk), then it is raised. `solo`: the jobs that get every core and run alone (default: `solo_jobs`).
    """
    _check(jobs)
    if workers <= 1:
        out = {}
        for j in jobs:
            t0 = time.perf_counter()
            out[j.name] = (j.fn(*j.args, log=log), time.perf_counter() - t0)
        return out
    return _run_parallel(jobs, workers, log, cores or available_cores(), solo_jobs(jobs) if solo is None else solo)


def _drain(queue: Any, log: Log, stop: threading.Event) -> None:
    while not stop.is_set() or not queue.empty():
        try:
            log(queue.get(timeout=0.1))
        except Exception:  # queue.Empty, or the queue closing at shutdown
            if stop.is_set():
                return


class _Pool:
    """The worker processes, remade once when one was killed from outside (the jobs it held run again:
    every reproduce job resumes from what it left on disk)."""

    def __init__(self, workers: int, ctx: Any, queue: Any):
        self.workers, self.ctx, self.queue = workers, ctx, queue
        self.remade = 0
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self.ctx, initializer=_init_worker,
                                   initargs=(self.queue,))

    def submit(self, job: Job, threads: int) -> Future:
        return self.pool.submit(_run_in_worker, job.fn, job.args, threads)

    def remake(self) -> bool:
        if self.remade >= 1:
            return False
        self.remade += 1
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new()
        return True


def solo_jobs(jobs: list[Job]) -> set[str]:
    """The jobs that nothing can run beside: every other job waits for them, or they wait for it."""
    waits: dict[str, set[str]] = {}
    for j in jobs:  # listed after what they wait for (_check)
        waits[j.name] = set(j.after).union(*(waits[a] for a in j.after))
    return {n for n in waits if all(m == n or m in waits[n] or n in waits[m] for m in waits)}


def _run_parallel(jobs: list[Job], workers: int, log: Log, cores: int, solo: set[str]
                  ) -> dict[str, tuple[Any, float]]:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")  # never fork a process that has torch's thread pools running
    queue = ctx.Queue()  # handed to each worker as it starts; no manager process to lose
    stop = threading.Event()
    drain = threading.Thread(target=_drain, args=(queue, log, stop), daemon=True)
    drain.start()
    pool = _Pool(workers, ctx, queue)
    interrupted = True  # until the loop ends normally: a kill (Ctrl-C) must not wait for the workers
    try:
        done = _schedule(jobs, pool, workers, cores, log, solo)
        interrupted = False
    finally:
        pool.pool.shutdown(wait=not interrupted, cancel_futures=True)
        stop.set()
        drain.join(timeout=5)
        queue.close()
    return done


def _schedule(jobs: list[Job], pool: _Pool, workers: int, cores: int, log: Log, solo: set[str]
              ) -> dict[str, tuple[Any, float]]:
    from concurrent.futures.process import BrokenProcessPool

    by_name = {j.name: j for j in jobs}
    done: dict[str, tuple[Any, float]] = {}
    running: dict[Future, str] = {}
    pending = list(jobs)
    error: BaseException | None = None
    while pending or running:
        ready = [j for j in pending if all(a in done for a in j.after)] if error is None else []
        ready.sort(key=lambda j: j.priority)  # stable: equal priorities keep the given order
        while ready and len(running) < workers:
            # a job with every core runs alone (in one graph nothing can run beside it anyway); the next
            # job waits rather than start ahead of it, or it could wait for ever
            if running and (ready[0].name in solo or not solo.isdisjoint(running.values())):
                break
            job = ready.pop(0)
            pending.remove(job)
            running[pool.submit(job, cores if job.name in solo else max(1, cores // workers))] = job.name
        if not running:
            break
        finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
        broken = []
        for fut in finished:
            name = running.pop(fut)
            try:
                done[name] = fut.result()
            except BrokenProcessPool:
                broken.append(name)
            except BaseException as e:  # noqa: BLE001 - raised once the running jobs are done
                error = error or e
                log(f"[{name}] failed: {type(e).__name__}: {e}")
        if broken:
            broken += [running.pop(f) for f in list(running)]  # the whole pool went with it
            if error is not None or not pool.remake():
                raise RuntimeError(f"a worker process was killed (jobs {', '.join(broken)})")
            log(f"a worker process was killed; running {', '.join(broken)} again in new workers")
            pending[:0] = [by_name[n] for n in broken]
    if error is not None:
        raise error
    return done


__all__ = ["Job", "auto_workers", "available_cores", "run_jobs", "solo_jobs"]
