"""`python -m autograd_lite`: the same as the `autograd-lite` command."""

import sys

from .cli import main

sys.exit(main())
