"""Small sizes of the benchmark workloads: every benchmarked path gives the closed-form answer.

These assert correctness only; nothing here is timed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repo, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import report, run  # noqa: E402
from benchmarks import workloads as wl  # noqa: E402
from benchmarks.workloads import Case  # noqa: E402


def check_all(case: Case) -> None:
    for contender in case.all():
        assert contender.skip is None, contender.skip
        case.check(contender.name, contender.run(), partial=contender.role == "info")


def test_w1_lesson_scalar_matches_hand_written_sgd() -> None:
    check_all(wl.lesson_case(examples=60))


def test_w1_engine_gradients_are_the_lessons_closed_form() -> None:
    d = wl.lesson_data(1)
    out = wl.w1_engine(wl.LessonData(d.xs, d.ys, alpha=1.0))  # one step: w = -dw, b = -db
    (x1, x2), y = d.xs[0], d.ys[0]
    dz = 0.5 - y  # w = b = 0, so a = sigmoid(0) = 1/2
    assert out["w"] == pytest.approx([-x1 * dz, -x2 * dz], rel=1e-12)
    assert out["b"] == pytest.approx(-dz, rel=1e-12)
    assert out["loss"] == pytest.approx(np.log(2.0), rel=1e-12)


@pytest.mark.parametrize(("m", "n"), [(1, 1), (7, 3), (64, 8), (300, 20)])
def test_vectorised_paths_match_the_closed_form(m: int, n: int) -> None:
    check_all(wl.vector_case("W2", m, n))


def test_vectorised_engine_grads_have_the_parameters_shapes_and_dtypes() -> None:
    d = wl.vector_data(16, 4)
    for engine in (wl.engine_fused, wl.engine_lesson):
        out = engine(d)
        assert out["dw"].shape == (4, 1) and out["dw"].dtype == np.float64
        assert np.shape(out["db"]) == ()


def test_floor_grads_only_agrees_with_the_floor() -> None:
    d = wl.vector_data(50, 5)
    full, grads = wl.numpy_floor(d), wl.numpy_floor_grads_only(d)
    np.testing.assert_allclose(grads["dw"], full["dw"], rtol=1e-12)
    assert grads["db"] == pytest.approx(full["db"], rel=1e-12)


@pytest.mark.parametrize("steps", [1, 2, 10, 1_000])
def test_w5_deep_chain_matches_the_closed_form(steps: int) -> None:
    check_all(wl.chain_case(steps))


def test_w5_engine_survives_a_chain_deeper_than_the_recursion_limit() -> None:
    out = wl.chain_engine(5_000)
    assert out["dx0"] == pytest.approx(wl.CHAIN_A**5_000, rel=1e-9)


@pytest.mark.parametrize("leaves", [2, 6, 10, 64, 1_000])
def test_w6_graph_building_matches_the_closed_form(leaves: int) -> None:
    check_all(wl.graph_case(leaves))


def test_pairwise_carries_an_odd_last_term() -> None:
    assert wl.pairwise([1, 2, 3]) == [3, 3]
    assert wl.pairwise([1]) == [1]


def test_a_wrong_answer_is_caught_and_named() -> None:
    case = wl.chain_case(10)
    bad = dict(case.expected, dx0=case.expected["dx0"] * (1 + 1e-6))
    with pytest.raises(AssertionError, match="dx0"):
        case.check("autograd_lite", bad)


def test_all_cases_builds_only_what_is_asked() -> None:
    keys = [c.key for c in wl.all_cases(chain_steps=(10, 20), only={"W5", "W6"})]
    assert keys == [
        "W5 N=10", "W5 N=20", "W5 N=10 compiled", "W5 N=20 compiled", "W6"
    ]  # fmt: skip


def test_run_case_and_report_structure() -> None:
    case = wl.chain_case(10)
    result = run.run_case(case, rounds=1, sample_seconds=1e-4, case_seconds=0.01, call_budget=1.0)
    names = [row["name"] for row in result["rows"]]
    assert names == ["python floats by hand", "autograd_lite"]
    assert all(row["status"] == "measured" and row["ratio"] > 0 for row in result["rows"])
    assert result["verdict"] in ("hit", "missed")
    doc = {
        "when": "now",
        "mode": "quick",
        "seconds": 0.0,
        "sample_seconds": 1e-4,
        "machine": {
            "cpu": "cpu",
            "cpus": "2",
            "python": "3",
            "numpy": "2",
            "platform": "p",
            "OPENBLAS_CORETYPE": "(unset)",
        },
        "blas": {"how": "test", "pools": []},
        "process": "not pinned",
        "cases": [result],
    }
    text = report.readme(doc)
    assert "W5 N=10" in text and "python floats by hand" in text
    hit = result["verdict"] == "hit"
    assert ("Every target is hit in this run." in text) == hit
    assert ("Missed in this run: W5 N=10;" in text) == (not hit)


def test_a_failing_peer_is_reported_not_raised() -> None:
    case = wl.chain_case(10)

    def broken() -> dict:
        raise RecursionError("maximum recursion depth exceeded")

    case.contenders.append(wl.Contender("broken peer", broken))
    result = run.run_case(case, rounds=1, sample_seconds=1e-4, case_seconds=0.01, call_budget=1.0)
    row = next(r for r in result["rows"] if r["name"] == "broken peer")
    assert row["status"] == "failed" and "RecursionError" in row["reason"]


# -- the compiled rows (generated code) ---------------------------------------------------------
def test_w1_compiled_program_matches_hand_written_sgd() -> None:
    check_all(wl.lesson_compiled_case(examples=60))


@pytest.mark.parametrize(("m", "n"), [(1, 1), (7, 3), (64, 8)])
def test_vectorised_compiled_paths_match_the_closed_form(m: int, n: int) -> None:
    case = wl.vector_compiled_case("W2", m, n)
    check_all(case)
    assert any("trace" in note and "compile" in note for note in case.notes)


@pytest.mark.parametrize("steps", [1, 2, 10, 1_000])
def test_w5_compiled_chain_matches_the_closed_form(steps: int) -> None:
    check_all(wl.chain_compiled_case(steps))


def test_compiled_cases_take_no_peers_and_have_the_issues_targets() -> None:
    cases = [wl.lesson_compiled_case(5), wl.vector_compiled_case("W3", 4, 2)]
    assert [c.peers for c in cases] == [False, False]
    assert [c.target for c in cases] == [4.0, 1.05]


# -- W7/W8: micrograd's moons demo, one SGD step --------------------------------------------------
@pytest.mark.parametrize(("key", "samples"), [("W7", 3), ("W7", 12), ("W8", 5), ("W8", 60)])
def test_moons_step_matches_the_numpy_backprop(key: str, samples: int) -> None:
    pytest.importorskip("sklearn", reason="the moons data is scikit-learn's make_moons")
    check_all(wl.moons_case(key, samples))


def test_moons_floor_is_the_gradient_of_its_loss() -> None:
    pytest.importorskip("sklearn", reason="the moons data is scikit-learn's make_moons")
    d = wl.moons_data(8)
    floor = wl.moons_floor(d)
    params = wl.flat(d.Ws, d.bs)
    sizes = [(W.size, b.size) for W, b in zip(d.Ws, d.bs, strict=True)]

    def loss_at(vector):  # the floor's loss, its parameters unflattened from one vector
        Ws, bs, at = [], [], 0
        for (nw, nb), W in zip(sizes, d.Ws, strict=True):
            Ws.append(vector[at : at + nw].reshape(W.shape))
            bs.append(vector[at + nw : at + nw + nb])
            at += nw + nb
        return wl.moons_floor(wl.MoonsData(d.X, d.y, Ws, bs))["loss"]

    from autograd_lite.gradcheck import finite_difference

    np.testing.assert_allclose(
        floor["grad"], finite_difference(loss_at, params, 1e-6), rtol=1e-5, atol=1e-8
    )
    np.testing.assert_allclose(floor["params"], params - d.lr * floor["grad"], rtol=1e-14)


def test_peer_targets_give_the_verdict_and_say_when_the_peer_is_missing() -> None:
    pytest.importorskip("sklearn", reason="the moons data is scikit-learn's make_moons")
    case = wl.moons_case("W7", 3)
    case.contenders.append(wl.Contender("micrograd", lambda: {}, skip="not installed"))
    result = run.run_case(case, rounds=1, sample_seconds=1e-4, case_seconds=0.01, call_budget=1.0)
    assert result["verdict"] is None  # no floor target, and the peer's could not be measured
    assert result["peer_checks"] == [
        {"against": "micrograd", "target": 0.25, "reason": "not installed"}
    ]
    assert "<= 0.25x micrograd: not installed -> NO VERDICT" in report.case_table(result)

    case = wl.moons_case("W7", 3)
    twin = case.contenders[0]  # micrograd stands in for itself: the same code, ratio ~1
    case.contenders.append(wl.Contender("micrograd", twin.run))
    result = run.run_case(case, rounds=2, sample_seconds=1e-4, case_seconds=0.05, call_budget=1.0)
    (check,) = result["peer_checks"]
    assert check["ratio"] > 0 and check["hit"] == (check["ratio"] <= 0.25)
    assert result["verdict"] == ("hit" if check["hit"] else "missed")


def test_csv_parse_row_reads_the_generated_file_exactly() -> None:
    from benchmarks.csvparse import csv_case

    check_all(csv_case(rows=2_000))
