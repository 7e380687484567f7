"""``python -m benchmarks``: limit BLAS to one thread before numpy is imported, then run."""

import os

from .harness import BLAS_ENV

for _name in BLAS_ENV:  # threadpoolctl limits BLAS too when it is there; this works without it
    os.environ.setdefault(_name, "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")

from .run import main  # noqa: E402  (numpy is imported from here on)

raise SystemExit(main())
