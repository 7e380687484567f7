"""Draw the lesson's graph (logistic regression, one example, two features) and its backprop.

    python demos/viz_lesson.py [OUT_FOLDER]

Writes lesson_graph.png and .svg (values, gradients, formulas, the backward lane and the
closed-form check) and steps/ (one PNG per step of backward() and index.html to click through).
"""

from __future__ import annotations

import sys
from pathlib import Path

import autograd_lite as ag
from autograd_lite.logistic import lesson_graph


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("lesson_pictures")
    nodes = lesson_graph(x=[1.0, 2.0], y=1.0, w=[0.5, 0.25], b=0.1)
    loss = nodes["L"]
    loss.backward()
    for name in ("lesson_graph.png", "lesson_graph.svg"):
        print("wrote", ag.viz.render(loss, out / name))
    print("wrote", ag.viz.render_steps(loss, out / "steps"))


if __name__ == "__main__":
    main()
