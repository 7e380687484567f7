"""autograd_lite: a small, readable reverse-mode automatic differentiation engine on numpy."""

from . import logistic, nn, optim, shallow, viz
from .anomaly import detect_anomaly
from .errors import AnomalyError, ShapeError
from .gradcheck import GradcheckReport, gradcheck
from .node import Node
from .op import Op, no_grad
from .ops import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    exp,
    log,
    mean,
    relu,
    reshape,
    sigmoid,
    sum,
    tanh,
    transpose,
)

__version__ = "0.1.0"

__all__ = [
    "AnomalyError",
    "GradcheckReport",
    "Node",
    "Op",
    "ShapeError",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "detect_anomaly",
    "exp",
    "gradcheck",
    "log",
    "logistic",
    "mean",
    "nn",
    "no_grad",
    "optim",
    "relu",
    "reshape",
    "shallow",
    "sigmoid",
    "sum",
    "tanh",
    "transpose",
    "viz",
]
