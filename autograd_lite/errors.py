"""The exceptions autograd_lite raises on top of Python's own TypeError and ValueError."""


class ShapeError(ValueError):
    """Operands whose shapes an op cannot combine; the message names the op and every shape."""


class AnomalyError(FloatingPointError):
    """Raised in ``detect_anomaly()`` by the first op whose forward or backward is not finite."""


class DataError(ValueError):
    """Data that cannot be trained on; the message says where and why, in one line."""


class DataWarning(UserWarning):
    """Data that can be trained on, but probably not as the user meant (a single class...)."""
