"""A short tour of the engine: the lesson's one-example graph, forward values and gradients.

    z = w1*x1 + w2*x2 + b,   a = sigmoid(z),   L = -(y log a + (1-y) log(1-a))
    dz = a - y,   dw_i = x_i * dz,   db = dz
"""

import autograd_lite as ag

x1, x2, y = ag.Node(1.0, name="x1"), ag.Node(2.0, name="x2"), 1.0
w1 = ag.Node(0.5, name="w1", requires_grad=True)
w2 = ag.Node(-0.3, name="w2", requires_grad=True)
b = ag.Node(0.1, name="b", requires_grad=True)

z = w1 * x1 + w2 * x2 + b
a = ag.sigmoid(z)
L = ag.binary_cross_entropy(a, y)
L.backward()

print(f"forward:  z = {float(z):.6f}   a = sigmoid(z) = {float(a):.6f}   L = {float(L):.6f}")
print(f"backward: dL/da = {float(a.grad):.6f}   (lesson: -y/a + (1-y)/(1-a) = {-y / float(a):.6f})")
print(f"          dL/dz = {float(z.grad):.6f}   (lesson: a - y = {float(a) - y:.6f})")
for w, x in ((w1, x1), (w2, x2)):
    print(f"          dL/d{w.name} = {float(w.grad):.6f}   (lesson: {x.name} * dz = "
          f"{float(x) * (float(a) - y):.6f})")
print(f"          dL/db = {float(b.grad):.6f}   (lesson: dz = {float(a) - y:.6f})")
