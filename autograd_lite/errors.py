"""The exceptions and warnings autograd_lite raises on top of Python's own."""

import os
import sys

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


class ShapeError(ValueError):
    """Operands whose shapes an op cannot combine; the message names the op and every shape."""


class AnomalyError(FloatingPointError):
    """Raised in ``detect_anomaly()`` by the first op whose forward or backward is not finite."""


class ClampedLossWarning(RuntimeWarning):
    """binary_cross_entropy clamped its logs at predictions of exactly 0 or 1 (not from sigmoid):
    the loss and gradient there are not the true ones; binary_cross_entropy_with_logits is."""


def user_stacklevel() -> int:
    """warnings.warn's stacklevel for the innermost frame outside autograd_lite (called from the
    function that warns), so that a warning points at the user's line."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        level, frame = level + 1, frame.f_back
    return level


class DataError(ValueError):
    """Data that cannot be trained on; the message says where and why, in one line."""


class DataWarning(UserWarning):
    """Data that can be trained on, but probably not as the user meant (a single class...)."""
