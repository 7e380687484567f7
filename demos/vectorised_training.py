"""From one example to m: the vectorised model z = X @ w + b, trained by gradient descent.

    python demos/vectorised_training.py

With m examples the loss is the mean of the lesson's loss over them, and its gradients are
    dz = a - y (one per example),   dw = X^T dz / m,   db = mean(dz).
"""

import numpy as np

import autograd_lite as ag
from autograd_lite import datasets

data = datasets.blobs(samples=200, seed=0)  # two features, like the lesson's x1 and x2
X, Y = data.X, data.Y  # X is (m, n) = (200, 2), Y is (200, 1)
m, n = X.shape
print(f"{data.description}")

# One forward and backward pass over all m examples at once.
w = ag.Node(np.zeros((n, 1)), name="w", requires_grad=True)
b = ag.Node(0.0, name="b", requires_grad=True)
z = X @ w + b  # (m, 1): one z per example, the lesson's z = w^T x + b for each row
a = ag.sigmoid(z)
L = ag.binary_cross_entropy(a, Y)  # the mean over m of -(y log a + (1-y) log(1-a))
L.backward()

closed = ag.logistic.closed_form_grads(X, Y, w, b)
print(f"\nat w = 0, b = 0 the loss is {float(L):.6f} (log 2: every a is 1/2)")
print(f"  autodiff dL/dw = {w.grad.ravel()}   closed form X^T dz / m = {closed.dw.ravel()}")
print(f"  autodiff dL/db = {float(b.grad):.6g}   closed form mean(dz) = {closed.db:.6g}")
# z.grad is dL/dz for the *mean* loss, so each example's share is dz / m.
print(f"  largest |m * z.grad - (a - y)| = {np.max(np.abs(m * z.grad - closed.dz)):.1e}")

# The lesson's table for a handful of the examples, with finite differences as a third opinion.
print()
print(ag.logistic.compare(X[:5], Y[:5], [0.3, -0.2], 0.1))

# Gradient descent: w = w - alpha * dw, b = b - alpha * db, each dw and db from autodiff.
alpha, iterations = 0.1, 1000
history = ag.logistic.train(X, Y, alpha, iterations)
print(f"\ngradient descent, alpha = {alpha}, {iterations} iterations:")
for it in (1, 10, 100, 1000):
    print(f"  iteration {it:>4}: loss {history.losses[it - 1]:.6f}")
accuracy = ag.logistic.accuracy(X, Y, history.w, history.b)
print(f"final w = {history.w.ravel()}, b = {history.b:.4f}, training accuracy {accuracy:.1%}")
for it, gap in history.gradient_checks:
    print(f"  at iteration {it}, autodiff and the closed form differ by at most {gap:.1e}")

# The fused loss computes the same L stably from z; training follows the same path.
fused = ag.logistic.train(X, Y, alpha, iterations, loss="fused")
print(
    f"with the fused loss the final loss is {fused.losses[-1]:.6f} "
    f"(lesson form: {history.losses[-1]:.6f})"
)
