"""Bugs found by using the merged product as a learner would, each pinned by a test."""

import numpy as np

from autograd_lite import logistic


def test_the_lesson_table_prints_a_zero_gradient_as_0_not_minus_0():
    # x = 0 makes dw1 = x1 * dz = 0 * (-0.5) = -0.0 by autodiff, +0.0 by the closed form: the
    # learner must not read the two columns as disagreeing.
    table = logistic.compare(np.array([0.0, 0.0]), 1.0, np.array([0.0, 0.0]), 0.0)
    _, _, autodiff, closed, finite, _ = next(c for c in table.cells() if c[0] == "dw1")
    assert autodiff == closed == finite == "0.000000000"

