"""autograd_lite: a small, readable reverse-mode automatic differentiation engine on numpy."""

from . import logistic, nn, optim, plots, shallow, viz
from .anomaly import detect_anomaly
from .codegen import Program, codegen
from .codegen import compile as compile  # noqa: A004 (ag.compile, as torch.compile; not in __all__)
from .errors import AnomalyError, ClampedLossWarning, ShapeError
from .gradcheck import GradcheckReport, gradcheck
from .node import Node
from .op import Op, no_grad
from .ops import abs as abs  # noqa: A004 (ag.abs, ag.max, ag.min and ag.sum, as numpy's:
from .ops import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    clip,
    concatenate,
    cross_entropy,
    exp,
    log,
    log_softmax,
    maximum,
    mean,
    minimum,
    mse_loss,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    stack,
    tanh,
    transpose,
    where,
)
from .ops import max as max  # noqa: A004  re-exported by name, not in __all__, so that
from .ops import min as min  # noqa: A004  `from autograd_lite import *` leaves the
from .ops import sum as sum  # noqa: A004  built-ins alone)
from .params import zero_grad

__version__ = "0.1.0"

# sum, abs, max, min and compile are reachable as ag.sum etc. but left out of __all__, so that
# `from autograd_lite import *` does not shadow the built-ins.
__all__ = [
    "AnomalyError",
    "ClampedLossWarning",
    "GradcheckReport",
    "Node",
    "Op",
    "Program",
    "ShapeError",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip",
    "codegen",
    "concatenate",
    "cross_entropy",
    "detect_anomaly",
    "exp",
    "gradcheck",
    "log",
    "log_softmax",
    "logistic",
    "maximum",
    "mean",
    "minimum",
    "mse_loss",
    "nn",
    "no_grad",
    "optim",
    "plots",
    "relu",
    "reshape",
    "shallow",
    "sigmoid",
    "softmax",
    "sqrt",
    "stack",
    "tanh",
    "transpose",
    "viz",
    "where",
    "zero_grad",
]
