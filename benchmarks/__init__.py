"""Benchmarks of autograd_lite against hand-written floors and peer engines.

Run with ``python -m benchmarks`` (``make bench``, ``make bench-quick``, ``make bench-peers``).
This package imports no numpy at import time, so ``__main__`` can pin BLAS to one thread first.
"""
