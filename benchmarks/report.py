"""Tables for the terminal and the README, from the results dict that run.py also writes as JSON."""

from __future__ import annotations

from typing import Any

ISSUE_PEERS = {  # what the issue measured for the peers on this machine, for comparison
    "W1": "micrograd ~106x, jax.jit ~114x, torch ~290x",
    "W2": "jax.jit ~3.1x, torch BCEWithLogits ~7x, mygrad ~17x",
    "W3": "jax.jit ~1.25x, torch ~1.4x",
    "W4": "torch ~1.0x; HIPS 1.12x at 4.5x the memory",
    "W5": "torch ~240-320x; micrograd fails (recursion)",
    "W6": "micrograd ~77x, torch ~197x",
}


def seconds(s: float) -> str:
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def megabytes(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def _rows(case: dict[str, Any]) -> list[list[str]]:
    out = []
    for row in case["rows"]:
        if row["status"] == "measured":
            time = seconds(row["median_s"])
            ratio = "1 (floor)" if row["role"] == "floor" else f"{row['ratio']:.2f}x"
            note = ""
        else:
            time, ratio, note = "-", "-", f"{row['status']}: {row.get('reason', '')}"
        mem = ""
        if "peak_bytes" in row:
            mem = megabytes(row["peak_bytes"]) + f" ({row['peak_ratio']:.2f}x)"
        faults = f"{row['faults_per_call']:.3g}" if "faults_per_call" in row else ""
        out.append([row["name"], time, ratio, mem, faults, note])
    return out


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    keep = [i for i, h in enumerate(header) if any(r[i] not in ("", "0") for r in rows) or i < 3]
    lines = ["| " + " | ".join(header[i] for i in keep) + " |"]
    lines.append("| " + " | ".join("---" for _ in keep) + " |")
    lines += ["| " + " | ".join(r[i].replace("|", "/") for i in keep) + " |" for r in rows]
    return "\n".join(lines)


def case_table(case: dict[str, Any]) -> str:
    header = ["contender", "median per run", "x floor", "peak memory", "page faults/call", "note"]
    text = _markdown(header, _rows(case))
    if case["verdict"] or case.get("peer_checks"):
        text += "\n" + verdict_line(case)
    for note in case.get("notes", []):
        text += "\n" + note
    return text


def verdict_line(case: dict[str, Any]) -> str:
    row = next(r for r in case["rows"] if r["name"] == case["target_of"])
    parts = []
    if case["target"] is not None and "ratio" in row:
        text = f"<= {case['target']:g}x the floor: {row['ratio']:.2f}x"
        if case.get("memory_target") is not None and "peak_ratio" in row:
            text += f", peak memory {row['peak_ratio']:.2f}x (<= {case['memory_target']:g}x)"
        parts.append(text)
    for check in case.get("peer_checks", []):
        if "ratio" in check:
            parts.append(f"<= {check['target']:g}x {check['against']}: {check['ratio']:.2f}x")
        else:
            parts.append(f"<= {check['target']:g}x {check['against']}: {check['reason']}")
    verdict = (case["verdict"] or "no verdict").upper()
    return f"{case['key']} target: {case['target_of']} " + "; ".join(parts) + f" -> {verdict}"


def profile_text(case: dict[str, Any]) -> str:
    p = case["profile"]
    lines = [
        f"Where the time goes in {case['key']} ({case['target_of']}, "
        f"{p['calls_profiled']} call(s)): per call "
        f"{seconds(p['seconds_gc_on'])} with the garbage collector, "
        f"{seconds(p['seconds_gc_off'])} without it ({p['gc_share']:.0%} in the collector). "
        "cProfile, top functions by own time (cProfile inflates Python calls):",
        "",
        "| function | calls per run | own time | cumulative |",
        "| --- | --- | --- | --- |",
    ]
    for f in p["top_own_time"]:
        lines.append(
            f"| {f['function']} | {f['calls_per_run']:g} | {f['own_share']:.0%} | "
            f"{f['cumulative_share']:.0%} |"
        )
    return "\n".join(lines)


def summary(doc: dict[str, Any]) -> str:
    header = ["workload", "contender", "target", "measured", "peak memory", "verdict"]
    rows = []
    for case in doc["cases"]:
        row = next((r for r in case["rows"] if r["name"] == case["target_of"]), None)
        if case["target"] is not None and row and "ratio" in row:
            mem, hit = "", case["target_hit"]
            if case.get("memory_target") is not None and "peak_ratio" in row:
                mem = f"{row['peak_ratio']:.2f}x (<= {case['memory_target']:g}x)"
            rows.append(
                [
                    case["key"],
                    case["target_of"],
                    f"<= {case['target']:g}x",
                    f"{row['ratio']:.2f}x",
                    mem,
                    "hit" if hit else "missed",
                ]
            )
        for check in case.get("peer_checks", []):  # a target against a peer, not the floor
            measured = f"{check['ratio']:.2f}x" if "ratio" in check else check["reason"]
            verdict = ("hit" if check["hit"] else "missed") if "hit" in check else "no verdict"
            target = f"<= {check['target']:g}x {check['against']}"
            rows.append([case["key"], case["target_of"], target, measured, "", verdict])
    return (
        "\n## Targets (median ratio to the floor, or to the peer named, same run)\n"
        + _markdown(header, rows)
    )


def misses_line(doc: dict[str, Any]) -> str:
    missed = [c["key"] for c in doc["cases"] if c["verdict"] == "missed"]
    if not missed:
        return "Every target is hit in this run."
    return f"Missed in this run: {', '.join(missed)}; their profiles are below."


def readme(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    pools = "; ".join(
        f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
        f"{p.get('num_threads')} thread)"
        for p in doc["blas"]["pools"]
    )
    parts = [
        "# Benchmarks",
        "",
        "autograd_lite against hand-written floors and peer engines, on the issue's workloads.",
        "This file is written by `python -m benchmarks --readme` (`make bench`, `make "
        "bench-peers`): the results below are the latest such run.",
        "",
        "## How to run",
        "",
        "- `make bench`: the full suite (under 10 minutes), with whichever peers are installed.",
        "- `make bench-quick`: fewer rounds, W5 up to N = 10,000 (under 60 s); writes "
        "`results/quick.json`, not this file.",
        "- `make bench-peers`: makes `.venv-bench` with autograd_lite plus torch (CPU), HIPS "
        "autograd, micrograd, mygrad and jax, and runs the full suite there.",
        "- `python -m benchmarks --only W1,W5 --rounds 5`: a subset.",
        "",
        "## Method",
        "",
        "- Each contender runs the whole workload (forward and backward, giving dL/dw and dL/db) "
        "and its answer is checked against the closed form before it is timed; a wrong answer "
        "from autograd_lite or a floor stops the run, a peer's is reported as failed.",
        "- Contenders are interleaved: every round times each once, in a rotating order. A "
        "sample is as many calls as fill about "
        f"{doc['sample_seconds']:g} s. The time shown is the median over rounds; the ratio is "
        "the median over rounds of (contender / floor) in the same round.",
        "- BLAS runs on one thread and the process is pinned to one CPU: two-thread BLAS on this "
        "shared 2-core machine gives bimodal timings. `OPENBLAS_CORETYPE` and "
        "`OPENBLAS_L2_SIZE` are unset for the benchmark command only (they slow a current "
        "numpy); tests and CI keep them.",
        "- Memory: glibc's malloc is told to keep the memory numpy frees (`mallopt`, "
        "M_TRIM_THRESHOLD and M_MMAP_THRESHOLD; `--malloc default` leaves it as it is). By "
        "default it hands freed blocks back to the kernel and each call faults the pages of "
        "its 80 KB-1.6 MB temporaries in again, about 3 us a page on this VM: the same code "
        "measured 1.05x the floor in one run and 1.8x in the next, depending on where the "
        "heap's top lay. The page faults per call of each contender are shown where any "
        "contender has some.",
        "- The garbage collector stays on (graph engines make garbage; that is part of their "
        "cost), but objects that exist before a case is timed (imported peers, the data) are "
        "frozen with `gc.freeze()`, so that an engine's collections do not walk torch's and "
        "jax's objects. The harness starts no subprocess: a fork (even `platform.platform()`'s "
        "`uname -p`) made numpy code after it measurably slower (W3 1.1x became 1.3x).",
        "- The other engineers' test runs share this 2-CPU VM. Pure-Python floors (W1, W5, W6) "
        "barely notice the other CPU being busy, the engines notice more, so the scalar "
        "workloads' ratios are higher in a run while the other CPU is busy.",
        "- Slow peers take part in every k-th round only (at least 3 samples), so that they do "
        "not cut the rounds of the floor and autograd_lite; their ratio pairs each of their "
        "samples with the floor's sample of the same round.",
        "- A missed target comes with a profile (short calls repeated for about 0.3 s): "
        "cProfile's top functions by own time, and the share spent in the garbage collector "
        "(the calls timed with it on and off).",
        "- Floors: W1, W5, W6 in plain Python floats by hand; W2-W4 in numpy by hand, computing "
        "the loss value as well as dw and db (every contender returns the loss). The issue's "
        "gradients-only numpy floor is also shown, as `numpy by hand, gradients only`.",
        "- W4 peak memory: tracemalloc's peak during one call, X and y allocated beforehand. "
        "numpy's buffers are traced; torch's and XLA's allocations are not, so theirs are not "
        "comparable and not shown.",
        "- W6 builds 10,000 scalar leaves (5,000 products), summed pairwise as a balanced tree.",
        "- W7 and W8 time one SGD step of micrograd's moons demo (demos/micrograd_moons.py: a "
        "2-16-16-1 ReLU MLP, hinge loss + 1e-4 L2, make_moons noise 0.1), from the same "
        "starting weights for every contender; the answer checked is the loss, every gradient "
        "and every updated weight. W7: 100 examples, one scalar Node per weight, its target "
        "against micrograd's own demo code in the same run (the ratio is the median over the "
        "rounds both ran of autograd_lite / micrograd). W8: 1,000 examples, the vectorised "
        "ag.nn.MLP and ag.optim.SGD; its floor is the backprop written by hand in numpy, and "
        "it has a second target against torch eager (float64, torch.nn and torch.optim).",
        "- Peers that are not installed, or cannot run a workload, are listed with the reason.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']} ({m['cpus']} logical CPUs), {doc['process']}",
        f"- Memory: {doc.get('memory', 'the platform malloc')}",
        f"- Python {m['python']}, numpy {m['numpy']}, {m['platform']}",
        f"- BLAS: {doc['blas']['how']}; {pools or 'no threadpoolctl view'}",
        f"- OPENBLAS_CORETYPE during the run: {m['OPENBLAS_CORETYPE']}",
        "",
        f"## Results ({doc['mode']} run, {doc['when']}, {doc['seconds']:.0f} s)",
        "",
        summary(doc).split("\n", 2)[2],
        "",
        misses_line(doc),
        "",
        "Where the time goes in the scalar workloads (written at the commit of this README):",
        "",
        "- W1 (lesson scalar graph): the interpreter running 5 leaf constructions, 6 op calls "
        "and a 6-op backward per example (the leaves take their gradients at the end). The "
        "values are numpy float64 scalars; sigmoid and the loss of one example compute in "
        "Python floats inside, as numpy's scalar arithmetic costs several times more.",
        "- W7 (micrograd's demo in scalar Nodes): about 65,000 op nodes per step, all alive "
        "until backward. A third to a half of the step is the garbage collector walking them "
        "(this run's share is in the profile below); with the collector off in both, the "
        "engine's step and micrograd's cost about the same (173-199 ms against 166-189 ms, by "
        "hand on 2026-12-02). The target 0.25x is out of reach for a core with a node object "
        "per op, as DESIGN's Node and Op are: benchmarks/prototypes/w7_same_shape.py runs, in "
        "one process with micrograd's code, a minimal engine of the core's shape (a node, an "
        "op object and a parents tuple per op, a heap-ordered backward; Python floats, no "
        "checks) at 0.58-0.99x; the leanest engine that keeps a node object per op (the node "
        "and its parents tuple only, a shared function as its op, one sort for backward, no "
        "requires_grad, no checks) at 0.29-0.49x, median 0.25x with only micrograd beside it; "
        "and a tape (a handle per value, records of ints, backward one reverse loop) at "
        "0.11-0.23x (by hand, 2026-12-02). The compiled step (W7 compiled) runs the same "
        "scalar-Node loss as generated float code, with no graph to collect. The row "
        "\"micrograd, Python's collector thresholds\" runs micrograd's code under "
        "Python's default thresholds (700, 10, 10), as it runs in a process of its own: "
        "importing autograd_lite raises the first threshold for the whole process "
        "(autograd_lite/collector.py), and the micrograd row above benefits too. It is shown "
        "for information only; the target is judged against the row under the same thresholds.",
        "- W5 (deep chain): each step leaves 6 objects the garbage collector tracks (2 op "
        "objects, 2 result nodes, 2 parent tuples; the constants 1.0001 and 0.0001 are shared "
        "Nodes), all alive until backward, so Python's full collections walk a growing graph "
        "and the time per step rises with N.",
        "",
        "Issue's peer figures on this machine, for comparison: "
        + "; ".join(f"{k}: {v}" for k, v in ISSUE_PEERS.items())
        + ".",
        "",
    ]
    for case in doc["cases"]:
        parts += [f"### {case['key']}: {case['title']} ({case['rounds']} rounds)", ""]
        parts += [case_table(case), ""]
        if "profile" in case:
            parts += [profile_text(case), ""]
    return "\n".join(parts)
