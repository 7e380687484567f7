"""Run the workloads: check every contender, time them interleaved, print a table, write JSON."""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from . import harness, report
from .workloads import CHAIN_STEPS, Case, all_cases

HERE = Path(__file__).resolve().parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="fewer rounds, W5 up to N=10,000 (< 60 s)")
    p.add_argument("--only", default="", help="comma-separated workload keys, e.g. W1,W5")
    p.add_argument("--no-peers", action="store_true", help="measure autograd_lite and floors only")
    p.add_argument(
        "--rounds", type=int, default=0, help="rounds per workload (default 15, quick 5)"
    )
    p.add_argument(
        "--malloc",
        choices=("keep", "default"),
        default="keep",
        help="keep: malloc keeps freed memory, so no call faults its pages in again (default); "
        "default: the platform's malloc, page faults and all",
    )
    p.add_argument("--json", type=Path, default=None, help="where to write the results")
    p.add_argument("--readme", action="store_true", help="also rewrite benchmarks/README.md")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    how_blas, blas_info = harness.blas_one_thread()
    if not blas_info and "numpy" in sys.modules and not _blas_env_is_one():
        # No threadpoolctl, and numpy was imported before the variables could be set: start
        # over in a subprocess whose environment limits BLAS before numpy is imported.
        env = dict(os.environ, **{k: "1" for k in harness.BLAS_ENV})
        import subprocess

        cmd = [sys.executable, "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)]
        return subprocess.call(cmd, env=env)
    pinned = harness.pin_to_one_cpu()
    memory = harness.keep_freed_memory() if args.malloc == "keep" else "the platform's malloc"
    rounds = args.rounds or (5 if args.quick else 15)
    sample_seconds = 0.05 if args.quick else 0.2
    case_seconds = 8.0 if args.quick else 45.0  # time a case's rounds may take before fewer rounds
    call_budget = 3.0 if args.quick else 15.0  # a peer whose one call takes longer is skipped

    print(f"BLAS: {how_blas}; {blas_info or 'threadpoolctl not installed'}")
    print(f"process: {pinned}; memory: {memory}")
    print(
        "why: two BLAS threads on this shared 2-core machine give bimodal timings (the second "
        "core is often busy), so BLAS runs on one thread and the process on one CPU."
    )
    machine = harness.machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()))

    only = {k.strip().upper() for k in args.only.split(",") if k.strip()}
    chain_steps = CHAIN_STEPS[:2] if args.quick else CHAIN_STEPS
    peers = None
    if not args.no_peers:
        from . import peers

        for line in peers.status():
            print(line)
    started = time.perf_counter()
    results = []
    for case in all_cases(chain_steps, only):
        if peers is not None and case.peers:
            peers.add_peers(case)
        results.append(
            run_case(case, rounds, sample_seconds, case_seconds, call_budget, measure_memory=True)
        )
        print(report.case_table(results[-1]), flush=True)
        if results[-1]["verdict"] == "missed":  # say where the time goes
            target = next(c for c in case.all() if c.name == case.target_of)
            results[-1]["profile"] = harness.profile(target.run)
            print(report.profile_text(results[-1]), flush=True)
    elapsed = time.perf_counter() - started

    doc = {
        "when": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": "quick" if args.quick else "full",
        "seconds": round(elapsed, 1),
        "machine": machine,
        "blas": {"how": how_blas, "pools": blas_info},
        "process": pinned,
        "memory": memory,
        "rounds": rounds,
        "sample_seconds": sample_seconds,
        "cases": results,
    }
    print(report.summary(doc))
    out = args.json or HERE / "results" / ("quick.json" if args.quick else "latest.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(out)
    print(f"wrote {out}")
    if args.readme:
        (HERE / "README.md").write_text(report.readme(doc))
        print(f"wrote {HERE / 'README.md'}")
    return 0


def _blas_env_is_one() -> bool:
    return all(os.environ.get(k) == "1" for k in harness.BLAS_ENV)


def run_case(
    case: Case,
    rounds: int,
    sample_seconds: float,
    case_seconds: float,
    call_budget: float,
    measure_memory: bool = True,
) -> dict[str, Any]:
    """Check each contender's answer (that first call also sizes its samples), then time the ones
    that passed, interleaved, and measure peak memory where the case asks for it."""
    print(f"\n{case.key}: {case.title}", flush=True)
    rows: dict[str, dict[str, Any]] = {}
    first: dict[str, float] = {}
    runnable = {}
    for c in case.all():
        row = rows[c.name] = {"name": c.name, "role": c.role, "status": "measured"}
        if c.skip:
            row.update(status="skipped", reason=c.skip)
            continue
        try:
            start = time.perf_counter()
            result = c.run()
            first[c.name] = time.perf_counter() - start
            case.check(c.name, result, partial=c.role == "info")
        except AssertionError:
            if c.role in ("floor", "engine"):
                raise  # our own paths must be right: stop the benchmark
            row.update(status="failed", reason=str(sys.exc_info()[1]).splitlines()[0])
            continue
        except Exception as err:  # a peer that cannot run this workload (RecursionError...)
            if c.role in ("floor", "engine"):
                raise
            row.update(status="failed", reason=f"{type(err).__name__}: {str(err)[:160]}")
            continue
        if c.role == "peer" and first[c.name] > call_budget:
            row.update(
                status="skipped",
                reason=f"one call took {first[c.name]:.1f} s, over the {call_budget:g} s budget",
            )
            continue
        runnable[c.name] = c.run
    # Objects that exist before timing (imported libraries such as torch and jax, the data) are
    # moved out of the collector's sight: otherwise every full collection triggered by a graph
    # engine walks them too, and an engine's time would depend on which peers were imported.
    # Objects the contenders create are collected as usual.
    gc.collect()
    gc.freeze()
    try:
        return _time_case(
            case, rows, runnable, first, rounds, sample_seconds, case_seconds, measure_memory
        )
    finally:
        gc.unfreeze()


def _time_case(
    case: Case,
    rows: dict[str, dict[str, Any]],
    runnable: dict[str, Any],
    first: dict[str, float],
    rounds: int,
    sample_seconds: float,
    case_seconds: float,
    measure_memory: bool,
) -> dict[str, Any]:
    # Our own contenders (floor, autograd_lite) get up to ``rounds`` rounds within the case's
    # time; a slow peer takes part in every k-th round only, at least 3 times.
    ours = [n for n in runnable if rows[n]["role"] != "peer"]
    per_round = sum(max(first[n], sample_seconds) for n in ours)
    n_rounds = max(3, min(rounds, int(case_seconds / per_round)))
    peers = [n for n in runnable if rows[n]["role"] == "peer"]
    every = {}
    for n in peers:  # the peers share the case's time
        affordable = int(case_seconds / len(peers) / max(first[n], sample_seconds))
        every[n] = -(-n_rounds // max(3, min(n_rounds, affordable)))  # ceil: rounds per sample
    timings = harness.interleaved(
        runnable,
        n_rounds,
        sample_seconds,
        first,
        log=lambda s: print(s, end="", flush=True),
        every=every,
    )
    print()
    floor = timings[case.floor.name]
    for name, timing in timings.items():
        rows[name].update(
            median_s=timing.median,
            ratio=harness.paired_ratio(timing, floor),
            calls_per_sample=timing.number,
            samples_s=timing.samples,
            faults_per_call=statistics.median(timing.faults),
        )
    if case.memory_target is not None and measure_memory:
        floor_peak = harness.peak_bytes(case.floor.run)
        for name, fn in runnable.items():
            peak = floor_peak if name == case.floor.name else harness.peak_bytes(fn)
            rows[name].update(peak_bytes=peak, peak_ratio=peak / floor_peak)
    target_row = rows.get(case.target_of)
    hits = []
    target_hit = None  # the floor target's verdict (the summary reports it as it is)
    if case.target is not None and target_row and "ratio" in target_row:
        target_hit = target_row["ratio"] <= case.target
        if case.memory_target is not None and "peak_ratio" in target_row:
            target_hit = target_hit and target_row["peak_ratio"] <= case.memory_target
        hits.append(target_hit)
    peer_checks = _peer_checks(case, rows, timings)
    hits += [check["hit"] for check in peer_checks if "hit" in check]
    verdict = None if not hits else "hit" if all(hits) else "missed"
    return {
        "key": case.key,
        "title": case.title,
        "target": case.target,
        "target_of": case.target_of,
        "memory_target": case.memory_target,
        "verdict": verdict,
        "target_hit": target_hit,
        "peer_checks": peer_checks,
        "rounds": n_rounds,
        "notes": case.notes,
        "rows": list(rows.values()),
    }


def _peer_checks(case: Case, rows: dict[str, dict[str, Any]], timings: dict[str, Any]) -> list:
    """Each of the case's targets against a peer (W7: <= 0.25x micrograd): the median over the
    rounds both ran of (autograd_lite / peer), or why the peer was not measured."""
    checks = []
    for peer, limit in case.peer_targets.items():
        check: dict[str, Any] = {"against": peer, "target": limit}
        if peer in timings and case.target_of in timings:
            check["ratio"] = harness.paired_ratio(timings[case.target_of], timings[peer])
            check["hit"] = check["ratio"] <= limit
        else:
            check["reason"] = rows[peer].get("reason", "not measured") if peer in rows else (
                "not a contender of this run"
            )
        checks.append(check)
    return checks
