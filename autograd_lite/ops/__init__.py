"""The operations: each a small Op, forward and backward side by side, its maths in the docstring.

In the docstrings g is dL/d(out), the gradient arriving from above; backward returns dL/d(input).
Broadcast inputs get gradients of the output's shape: the engine sums them back (op.unbroadcast).

  arithmetic.py   + - * / ** @ and unary minus
  elementwise.py  exp, log, sigmoid, tanh, relu
  reductions.py   sum, mean, reshape, transpose
  losses.py       binary_cross_entropy and its fused form from logits
  identities.py   the lesson's simplifications (sigmoid then cross-entropy gives a - y), one table
"""

from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from .elementwise import Exp, Log, ReLU, Sigmoid, Tanh, exp, log, relu, sigmoid, tanh
from .losses import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Reduction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from .reductions import (
    Axis,
    Mean,
    Reshape,
    Sum,
    Transpose,
    mean,
    reshape,
    sum,  # noqa: A004 (ag.sum, as numpy's)
    transpose,
)

__all__ = [
    "Add", "Axis", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "Div", "Exp", "Log",
    "MatMul", "Mean", "Mul", "Neg", "Pow", "ReLU", "Reduction", "Reshape", "Sigmoid", "Sub", "Sum",
    "Tanh", "Transpose", "binary_cross_entropy", "binary_cross_entropy_with_logits", "exp", "log",
    "mean", "relu", "reshape", "sigmoid", "sum", "tanh", "transpose",
]
