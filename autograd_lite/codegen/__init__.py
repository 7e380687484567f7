"""The engine writes the code: a recorded graph as readable Python source, and a compiled step.

  names.py     identifiers and literals of generated code (node names made safe)
  helpers.py   the small functions generated code may call (sigmoid, bce_logits, ...)
  emit.py      graph -> source: one statement per op, forward then backward
  program.py   Program: the source compiled in its own namespace; codegen(node)
  trace.py     compile(fn): trace fn on Nodes once per signature, run the cached program
"""

from .program import Program, codegen
from .trace import Compiled, compile  # noqa: A004 (ag.compile, as torch.compile)

__all__ = ["Compiled", "Program", "codegen", "compile"]
