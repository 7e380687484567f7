"""Time the visualiser on graphs of over 2,000 nodes: a scalar MLP (micrograd style), and a
deep chain sharing one parameter at every step.

    python demos/viz_large_graph.py [OUT_FOLDER]

Prints each graph's node count and how long DOT building and SVG rendering take, for all
nodes (max_nodes=None) and for the default max_nodes=500.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import autograd_lite as ag


def mlp_graph(sizes: tuple[int, ...] = (10, 22, 20, 1), seed: int = 0) -> ag.Node:
    """The loss of a scalar MLP (one Node per weight): tanh layers, summed squared output."""
    rng = np.random.default_rng(seed)
    layer = [ag.Node(float(v), name=f"x{i}") for i, v in enumerate(rng.normal(size=sizes[0]))]
    for depth, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
        outputs = []
        for j in range(fan_out):
            total = ag.Node(0.0, name=f"b{depth}_{j}", requires_grad=True)
            for i in range(fan_in):
                w = ag.Node(rng.normal() / np.sqrt(fan_in), name=f"w{depth}_{j}_{i}",
                            requires_grad=True)
                total = total + w * layer[i]
            outputs.append(ag.tanh(total))
        layer = outputs
    loss = sum(((out - 1.0) ** 2 for out in layer[1:]), (layer[0] - 1.0) ** 2)
    loss.name = "L"
    loss.backward()
    return loss


def shared_leaf_graph(steps: int = 700) -> ag.Node:
    """A deep chain with one parameter added at every step (as in a recurrent net)."""
    x = ag.Node(0.5, name="x", requires_grad=True)
    out = x
    for _ in range(steps):
        out = ag.tanh(out * 1.01) + x
    loss = ag.sum(out)
    loss.backward()
    return loss


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    for name, loss in (("mlp", mlp_graph()), ("shared", shared_leaf_graph())):
        print(f"{name}: {len(list(loss.walk()))} nodes")
        for max_nodes in (None, 500):
            start = time.perf_counter()
            source = ag.viz.to_dot(loss, max_nodes=max_nodes).source
            built = time.perf_counter() - start
            path = ag.viz.render(loss, folder / f"{name}_{max_nodes}.svg", max_nodes=max_nodes)
            total = time.perf_counter() - start
            print(f"  max_nodes={max_nodes}: DOT {len(source):,} chars in {built:.2f} s; "
                  f"DOT + SVG in {total:.2f} s -> {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
