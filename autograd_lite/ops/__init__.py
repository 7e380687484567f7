"""The operations: each a small Op, forward and backward side by side, its maths in the docstring.

In the docstrings g is dL/d(out), the gradient arriving from above; backward returns dL/d(input).
Broadcast inputs get gradients of the output's shape: the engine sums them back (op.unbroadcast).

  arithmetic.py   + - * / ** @ and unary minus
  elementwise.py  exp, log, sigmoid, tanh, relu, sqrt
  piecewise.py    abs, maximum, minimum, clip
  reductions.py   sum, mean, reshape, transpose
  extrema.py      max, min over an axis
  indexing.py     x[key], basic and advanced
  joining.py      concatenate, stack, where
  softmax.py      softmax, log_softmax
  losses.py       binary_cross_entropy and its fused form from logits
  cross_entropy.py  cross_entropy of logits over classes (fused softmax - onehot)
  mse.py          mse_loss
  identities.py   the lesson's simplifications (sigmoid then cross-entropy gives a - y), one table
"""

from .arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub
from .cross_entropy import CrossEntropy, cross_entropy
from .elementwise import (
    Exp,
    Log,
    ReLU,
    Sigmoid,
    Sqrt,
    Tanh,
    exp,
    log,
    relu,
    sigmoid,
    sqrt,
    tanh,
)
from .extrema import Max, Min
from .extrema import max as max  # noqa: A004 (ag.max, as numpy's; not in __all__)
from .extrema import min as min  # noqa: A004
from .indexing import Index
from .joining import Concatenate, Stack, Where, concatenate, stack, where
from .losses import (
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Reduction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from .mse import MSELoss, mse_loss
from .piecewise import Abs, Clip, Maximum, Minimum, clip, maximum, minimum
from .piecewise import abs as abs  # noqa: A004
from .reductions import (
    Axis,
    Mean,
    Reshape,
    Sum,
    Transpose,
    mean,
    reshape,
    transpose,
)
from .reductions import sum as sum  # noqa: A004
from .softmax import LogSoftmax, Softmax, log_softmax, softmax

# (sum, abs, max and min are left out: `import *` must not shadow the built-ins)
__all__ = [
    "Abs", "Add", "Axis", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits", "Clip",
    "Concatenate", "CrossEntropy", "Div", "Exp", "Index", "Log", "LogSoftmax", "MSELoss",
    "MatMul", "Max", "Maximum", "Mean", "Min", "Minimum", "Mul", "Neg", "Pow", "ReLU",
    "Reduction", "Reshape", "Sigmoid", "Softmax", "Sqrt", "Stack", "Sub", "Sum", "Tanh",
    "Transpose", "Where", "binary_cross_entropy", "binary_cross_entropy_with_logits", "clip",
    "concatenate", "cross_entropy", "exp", "log", "log_softmax", "maximum", "mean", "minimum",
    "mse_loss", "relu", "reshape", "sigmoid", "softmax", "sqrt", "stack", "tanh", "transpose",
    "where",
]
