"""Adding an operation: softplus as an Op, checked with gradcheck.

    python demos/custom_op.py

softplus(x) = log(1 + e^x), and its derivative is the lesson's sigmoid: d/dx softplus = sigma(x).
An Op needs only forward (the value) and backward (dL/d(input) from dL/d(output)).
"""

import numpy as np

import autograd_lite as ag


class Softplus(ag.Op):
    """out = log(1 + e^x);  dout/dx = 1 / (1 + e^-x) = sigmoid(x)."""

    symbol = "softplus"
    formulas = ("sigmoid({x})",)  # the local derivative, shown on the graph's edges

    def forward(self, x):
        self.x = x  # saved for backward
        # log(1 + e^x) written as logaddexp(0, x): e^x would overflow for x > 709
        return np.logaddexp(0.0, x)

    def backward(self, grad):
        # chain rule: dL/dx = dL/dout * dout/dx
        return (grad / (1.0 + np.exp(-self.x)),)


def softplus(x):
    return Softplus()(x)


x = ag.Node(np.linspace(-3.0, 3.0, 7), name="x", requires_grad=True)
y = ag.sum(softplus(x))
y.backward()
print("x               ", x.value)
print("softplus(x)     ", softplus(x.value).value.round(4))
print("dy/dx (autodiff)", x.grad.round(4))
print("sigmoid(x)      ", ag.sigmoid(x.value).value.round(4))

# gradcheck compares backward() with central finite differences, element by element.
report = ag.gradcheck(lambda v: ag.sum(softplus(v)), [np.linspace(-3.0, 3.0, 7)])
print()
print(report)


# It catches mistakes: the same op with a derivative that forgot the minus sign in e^-x.
class WrongSoftplus(Softplus):
    def backward(self, grad):
        return (grad / (1.0 + np.exp(self.x)),)


report = ag.gradcheck(lambda v: ag.sum(WrongSoftplus()(v)), [np.linspace(-3.0, 3.0, 7)])
print()
print(report)

# softplus(-y z) is another way to write the lesson's loss for labels y in {-1, +1}; the new op
# composes with the built-in ones like any other.
z = ag.Node(np.array([2.0, -1.0, 0.5]), name="z", requires_grad=True)
loss = ag.mean(softplus(-z * np.array([1.0, -1.0, -1.0])))
print()
print(
    f"mean softplus(-y z) = {float(loss):.6f}, the same as the lesson's loss: "
    f"{float(ag.binary_cross_entropy_with_logits(z.value, np.array([1.0, 0.0, 0.0]))):.6f}"
)
