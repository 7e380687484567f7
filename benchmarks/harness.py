"""Timing and memory: one BLAS thread, one CPU, interleaved rounds, medians, tracemalloc peaks."""

from __future__ import annotations

import ctypes
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


def pin_to_one_cpu() -> str:
    """Pin this process to one CPU (the last one it may use); say which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no os.sched_setaffinity on this platform)"
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1]
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu} of {len(allowed)} allowed"


def blas_one_thread() -> tuple[str, list[dict[str, Any]]]:
    """Limit BLAS to one thread with threadpoolctl, or report the environment variables set
    before numpy was imported. Returns how, and threadpoolctl's view of the BLAS (if any)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        how = ", ".join(f"{k}={os.environ.get(k)}" for k in BLAS_ENV)
        return f"environment variables set before numpy was imported ({how})", []
    threadpool_limits(limits=1)
    info = [
        {k: pool.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
        for pool in threadpool_info()
    ]
    return "threadpoolctl.threadpool_limits(1)", info


def keep_freed_memory() -> str:
    """Ask glibc's malloc to keep the memory that numpy frees, for every contender alike.

    By default glibc gives a freed block at the top of its heap back to the kernel (above
    128 KB) and serves blocks above 128 KB with a fresh mmap, so each call of a workload whose
    temporaries are 80 KB-1.6 MB faults its pages in again. A page fault costs about 3 us on this
    VM (a tenth of that on bare metal), so a run's timings then depend on where the heap's top
    happens to lie: the same code measured 1.05x in one run and 1.8x in the next. With the
    memory kept, no contender faults after its first call, and the ratios measure the code.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return "malloc as the platform has it (no glibc mallopt)"
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
    if mallopt(m_trim_threshold, 1 << 30) and mallopt(m_mmap_threshold, 32 << 20):
        return "glibc malloc keeps freed memory (M_TRIM_THRESHOLD 1 GB, M_MMAP_THRESHOLD 32 MB)"
    return "malloc as the platform has it (mallopt refused)"


def page_faults() -> int:
    """Minor page faults of this process so far (memory the kernel had to hand over)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@dataclass
class Timing:
    """Per-call seconds of one contender, one sample per round it took part in."""

    name: str
    number: int = 1  # calls per sample
    every: int = 1  # takes part in every ``every``-th round (slow peers: fewer rounds)
    samples: list[float] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)  # the round of each sample
    faults: list[float] = field(default_factory=list)  # page faults per call, per sample

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def one_call_seconds(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    contenders: dict[str, Callable[[], Any]],
    rounds: int,
    sample_seconds: float,
    first_call: dict[str, float],
    log: Callable[[str], None] = lambda s: None,
    every: dict[str, int] | None = None,
) -> dict[str, Timing]:
    """Time every contender once per round, in an order that rotates from round to round, so
    that slow drifts of the machine (other users, frequency) hit every contender alike.
    A sample is ``number`` calls, enough to last about ``sample_seconds``; its per-call time is
    recorded. The garbage collector stays on (graph engines make garbage: that is their cost),
    but a collection runs before each sample so one contender's garbage is not another's bill.
    ``every``: contenders that take part only in every k-th round (slow peers), so that they do
    not cut the rounds of the others."""
    names = list(contenders)
    every = every or {}
    timings = {
        name: Timing(
            name,
            number=max(1, int(sample_seconds / max(first_call[name], 1e-9))),
            every=every.get(name, 1),
        )
        for name in names
    }
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            timing, fn = timings[name], contenders[name]
            if r % timing.every:
                continue
            timing.rounds.append(r)
            gc.collect()
            faults = page_faults()
            start = time.perf_counter()
            for _ in range(timing.number):
                fn()
            timing.samples.append((time.perf_counter() - start) / timing.number)
            timing.faults.append((page_faults() - faults) / timing.number)
        log(".")
    return timings


def paired_ratio(contender: Timing, floor: Timing) -> float:
    """Median over rounds of (contender / floor) measured in the same round (the rounds both
    took part in: a slow peer as ``floor`` takes part in every k-th round only)."""
    floor_of_round = dict(zip(floor.rounds, floor.samples, strict=True))
    return statistics.median(
        c / floor_of_round[r]
        for r, c in zip(contender.rounds, contender.samples, strict=True)
        if r in floor_of_round
    )


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak memory traced by tracemalloc during one call (numpy's buffers are traced; memory
    that a library allocates outside Python's tracing, as torch and XLA do, is not)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = fn()
        del result
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def machine() -> dict[str, str]:
    """Python, numpy, CPU model and OS, read without starting a subprocess: platform.platform()
    runs `uname -p`, and a fork made the timings after it measurably slower here."""
    import numpy as np

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "cpu": cpu,
        "cpus": str(os.cpu_count()),
        "platform": " ".join(os.uname()[i] for i in (0, 2, 4)),  # system, release, machine
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
    }


def profile(fn: Callable[[], Any], top: int = 8, seconds: float = 0.3) -> dict[str, Any]:
    """Where a call's time goes: cProfile's top functions by own time, and the share spent in
    the garbage collector (timed with it on, then off). Short calls are repeated to fill about
    ``seconds``, so that the figures are not one noisy call's."""
    import cProfile
    import pstats

    calls = max(1, int(seconds / max(one_call_seconds(fn), 1e-9)))

    def repeated() -> None:
        for _ in range(calls):
            fn()

    gc.collect()
    gc.freeze()  # as while timing: the collector does not walk the objects made before
    try:
        with_gc = one_call_seconds(repeated) / calls
        gc.disable()
        try:
            without_gc = one_call_seconds(repeated) / calls
        finally:
            gc.enable()
        profiler = cProfile.Profile()
        profiler.runcall(repeated)
    finally:
        gc.unfreeze()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values()) or 1.0  # own times add up to the total
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    functions = [
        {
            "function": f"{os.path.basename(file)}:{line}({name})",
            "calls_per_run": row[1] / calls,
            "own_share": row[2] / total,
            "cumulative_share": row[3] / total,
        }
        for (file, line, name), row in rows
    ]
    return {
        "calls_profiled": calls,
        "seconds_gc_on": with_gc,
        "seconds_gc_off": without_gc,
        "gc_share": max(0.0, 1.0 - without_gc / with_gc),
        "top_own_time": functions,
    }
