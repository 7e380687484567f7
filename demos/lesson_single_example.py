"""The lesson, step by step, for its one example with two features.

    python demos/lesson_single_example.py

Every number printed here is computed three ways where the lesson gives a formula: by the
engine's backward pass, by the lesson's formula, and (in the final table) by finite differences.
"""

import math

import autograd_lite as ag

# "Let's visualize this for a simple example with 2 features: x1 and x2."
# "Parameters: w1, w2, b". x = (1, 2), w = (0.5, -0.3), b = 0.1 and the label y = 1.
x1 = ag.Node(1.0, name="x1")  # data: no gradient wanted
x2 = ag.Node(2.0, name="x2")
w1 = ag.Node(0.5, name="w1", requires_grad=True)  # parameters: we want dL/dw1, dL/dw2, dL/db
w2 = ag.Node(-0.3, name="w2", requires_grad=True)
b = ag.Node(0.1, name="b", requires_grad=True)
y = 1.0

print("Forward propagation, computing from inputs to loss")
# "Step 1: z = w1x1 + w2x2 + b"
z = w1 * x1 + w2 * x2 + b
z.name = "z"
print(f"  Step 1: z = w1*x1 + w2*x2 + b = {float(z):.6f}")
# "Step 2: a = sigma(z)", the prediction y-hat
a = ag.sigmoid(z)
a.name = "a"
print(f"  Step 2: a = sigmoid(z) = {float(a):.6f}")
# "Step 3: L(a, y) = -[y log(a) + (1-y) log(1-a)]"
L = ag.binary_cross_entropy(a, y)
L.name = "L"
print(f"  Step 3: L(a, y) = -(y log a + (1-y) log(1-a)) = {float(L):.6f}")
assert math.isclose(float(L), -(y * math.log(float(a)) + (1 - y) * math.log(1 - float(a))))

print()
print("Backward propagation: one call fills in every gradient")
L.backward()
a_value = float(a)

# "Step 1: dL/da = -y/a + (1-y)/(1-a)"   (code variable: da)
da = -y / a_value + (1 - y) / (1 - a_value)
print(f"  da  = dL/da = {float(a.grad):+.6f}    lesson: -y/a + (1-y)/(1-a) = {da:+.6f}")

# "Step 2: dL/dz = a - y"   (code variable: dz)
# "This uses the chain rule: dL/dz = dL/da * da/dz", with "da/dz = a(1-a)"
dz = a_value - y
print(f"  dz  = dL/dz = {float(z.grad):+.6f}    lesson: a - y = {dz:+.6f}")
print(f"        chain rule: da * a(1-a) = {da * a_value * (1 - a_value):+.6f}")

# "Step 3: dL/dw1 = x1 * dz, dL/dw2 = x2 * dz, dL/db = dz"   (code variables: dw1, dw2, db)
dw1, dw2, db = float(x1) * dz, float(x2) * dz, dz
print(f"  dw1 = dL/dw1 = {float(w1.grad):+.6f}   lesson: x1 * dz = {dw1:+.6f}")
print(f"  dw2 = dL/dw2 = {float(w2.grad):+.6f}   lesson: x2 * dz = {dw2:+.6f}")
print(f"  db  = dL/db  = {float(b.grad):+.6f}   lesson: dz = {db:+.6f}")
for got, want in ((a.grad, da), (z.grad, dz), (w1.grad, dw1), (w2.grad, dw2), (b.grad, db)):
    assert abs(float(got) - want) < 1e-12

print()
# "Summary of Derivatives for One Example": the same table, with finite differences added.
# logistic.lesson_graph builds exactly the graph above, with the same names.
print(ag.logistic.compare([1.0, 2.0], y, [0.5, -0.3], 0.1))

print()
alpha = 0.1
# "Step 2: Update parameters: w1 = w1 - alpha * dw1, w2 = w2 - alpha * dw2, b = b - alpha * db"
new_w1 = float(w1) - alpha * float(w1.grad)
new_w2 = float(w2) - alpha * float(w2.grad)
new_b = float(b) - alpha * float(b.grad)
print(f"Gradient descent update with alpha = {alpha}:")
print(f"  w1 = {float(w1)} - {alpha} * ({float(w1.grad):g}) = {new_w1:g}")
print(f"  w2 = {float(w2)} - {alpha} * ({float(w2.grad):g}) = {new_w2:g}")
print(f"  b  = {float(b)} - {alpha} * ({float(b.grad):g}) = {new_b:g}")
after = ag.logistic.lesson_graph([1.0, 2.0], y, [new_w1, new_w2], new_b)["L"]
print(f"  the loss falls from {float(L):.6f} to {float(after):.6f}")
