"""The exceptions autograd_lite raises on top of Python's own TypeError and ValueError."""


class ShapeError(ValueError):
    """Operands whose shapes an op cannot combine; the message names the op and every shape."""


class AnomalyError(FloatingPointError):
    """Raised in ``detect_anomaly()`` by the first op whose forward or backward is not finite."""
