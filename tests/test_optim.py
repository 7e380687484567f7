"""ag.optim: SGD and Adam step by step against torch.optim's documented algorithms, written out
by hand in numpy here (so the test means something without torch), and against torch.optim
itself where torch is installed."""

import math

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn, optim

STEPS = 20
SGD_SETTINGS = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.01},
    {"lr": 0.1, "weight_decay": 0.1},
]
ADAM_SETTINGS = [
    {},
    {"lr": 0.05},
    {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.02, "weight_decay": 0.05},
]


# -- a loss whose gradient is written by hand: L = sum(c (p - t)^2) + 0.1 sum(p^3) per parameter -
def start_values():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(3, 2)), rng.normal(size=(2,)), np.float64(0.7)]


def targets():
    rng = np.random.default_rng(1)
    return [rng.normal(size=(3, 2)), rng.normal(size=(2,)), np.float64(-0.2)]


WEIGHTS = [1.0, 2.0, 0.5]


def loss_node(params):
    total = None
    for p, t, c in zip(params, targets(), WEIGHTS, strict=True):
        term = ag.sum(c * (p - t) ** 2) + 0.1 * ag.sum(p**3)
        total = term if total is None else total + term
    return total


def hand_gradient(values):
    pairs = zip(values, targets(), WEIGHTS, strict=True)
    return [2 * c * (v - t) + 0.3 * v**2 for v, t, c in pairs]


def run_ours(make, steps=STEPS):
    params = [ag.Node(v.copy(), requires_grad=True) for v in start_values()]
    opt = make(params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss_node(params).backward()
        opt.step()
        history.append([np.array(p.value, dtype=np.float64) for p in params])
    return params, history


# -- torch.optim's documented algorithms, by hand --------------------------------------------
def reference_sgd(lr, momentum=0.0, weight_decay=0.0, steps=STEPS):
    """torch.optim.SGD's algorithm (dampening 0, nesterov False): g_t = grad + wd theta;
    b_1 = g_1, b_t = mu b_{t-1} + g_t; theta_t = theta_{t-1} - lr b_t (g_t without momentum)."""
    theta = [np.array(v, dtype=np.float64) for v in start_values()]
    b = [None] * len(theta)
    history = []
    for _ in range(steps):
        grads = hand_gradient(theta)
        for i in range(len(theta)):
            g = grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            if momentum != 0:
                b[i] = g if b[i] is None else momentum * b[i] + g
                g = b[i]
            theta[i] = theta[i] - lr * g
        history.append([t.copy() for t in theta])
    return history


def reference_adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, steps=STEPS):
    """torch.optim.Adam's algorithm (amsgrad False): g_t = grad + wd theta;
    m_t = b1 m + (1-b1) g_t; v_t = b2 v + (1-b2) g_t^2; m_hat = m_t / (1-b1^t);
    v_hat = v_t / (1-b2^t); theta_t = theta_{t-1} - lr m_hat / (sqrt(v_hat) + eps)."""
    beta1, beta2 = betas
    theta = [np.array(v, dtype=np.float64) for v in start_values()]
    m = [np.zeros_like(t) for t in theta]
    v = [np.zeros_like(t) for t in theta]
    history = []
    for t in range(1, steps + 1):
        grads = hand_gradient(theta)
        for i in range(len(theta)):
            g = grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            theta[i] = theta[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append([t_.copy() for t_ in theta])
    return history


def assert_same_trajectory(ours, reference, rtol=1e-12):
    assert len(ours) == len(reference)
    for step, (got, want) in enumerate(zip(ours, reference, strict=True), start=1):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            scale = max(float(np.max(np.abs(w))), 1.0)
            err = float(np.max(np.abs(g - w)))
            assert err <= rtol * scale, f"step {step}, parameter {i}: off by {err:.3g}"


@pytest.mark.parametrize("settings", SGD_SETTINGS)
def test_sgd_follows_torchs_algorithm_step_by_step(settings):
    params, ours = run_ours(lambda ps: optim.SGD(ps, **settings))
    assert_same_trajectory(ours, reference_sgd(**settings))


@pytest.mark.parametrize("settings", ADAM_SETTINGS)
def test_adam_follows_torchs_algorithm_step_by_step(settings):
    params, ours = run_ours(lambda ps: optim.Adam(ps, **settings))
    assert_same_trajectory(ours, reference_adam(**settings))


def test_the_reference_loss_gradient_is_the_engines():
    params = [ag.Node(v, requires_grad=True) for v in start_values()]
    loss_node(params).backward()
    for p, g in zip(params, hand_gradient(start_values()), strict=True):
        np.testing.assert_allclose(p.grad, g, rtol=1e-14)


def test_adam_first_step_moves_each_element_by_lr():
    # m_hat = g and v_hat = g^2 at t = 1, so the step is lr * g / (|g| + eps): about lr, signed
    _, history = run_ours(lambda ps: optim.Adam(ps, lr=0.01), steps=1)
    start, grads = start_values(), hand_gradient(start_values())
    for before, after, g in zip(start, history[0], grads, strict=True):
        np.testing.assert_allclose(before - after, 0.01 * np.sign(g), rtol=1e-5)


def test_step_keeps_the_same_leaf_and_the_model_sees_it():
    model = nn.MLP([2, 3, 1], seed=0)
    before = model.parameters()
    x = np.ones((4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    first = float(ag.mean(model(x) ** 2).value)
    for _ in range(5):
        opt.zero_grad()
        ag.mean(model(x) ** 2).backward()
        opt.step()
    after = model.parameters()
    assert all(a is b for a, b in zip(before, after, strict=True))
    assert all(p.is_leaf and p.requires_grad and p.name for p in after)
    assert float(ag.mean(model(x) ** 2).value) < first


def test_a_parameter_without_a_gradient_is_left_alone():
    used = ag.Node(np.ones(2), requires_grad=True)
    unused = ag.Node(np.ones(2), requires_grad=True)
    for make in (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps)):
        opt = make([used, unused])
        ag.sum(used * 3.0).backward()
        opt.step()
        np.testing.assert_array_equal(unused.value, np.ones(2))
        assert unused.grad is None
        opt.zero_grad()
        assert used.grad is None


def test_optimisers_reject_what_they_cannot_update():
    w = ag.Node(1.0, requires_grad=True)
    with pytest.raises(ValueError, match="empty list of parameters"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="got one Node; use \\[node\\]"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="parameter 0 \\(x\\) is not a leaf"):
        optim.Adam([ag.Node(1.0, name="x")])
    with pytest.raises(ValueError, match="parameter 0 .* is not a leaf"):
        optim.Adam([w * 2.0])
    with pytest.raises(TypeError, match="parameter 1 is a ndarray, not a Node"):
        optim.SGD([w, np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be a finite number >= 0, got -1"):
        optim.SGD([w], lr=-1)
    with pytest.raises(ValueError, match="SGD: momentum must be a finite number >= 0, got nan"):
        optim.SGD([w], lr=0.1, momentum=math.nan)
    with pytest.raises(ValueError, match=r"Adam: betas must lie in \[0, 1\)"):
        optim.Adam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam([w], betas=0.9)
    with pytest.raises(TypeError, match="lr must be a number"):
        optim.Adam([w], lr="0.1")


# -- against torch.optim itself --------------------------------------------------------------
def torch_trajectory(torch, make, steps=STEPS):
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start_values()]
    opt = make(params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        total = 0
        for p, t, c in zip(params, targets(), WEIGHTS, strict=True):
            total = total + (c * (p - torch.tensor(t)) ** 2).sum() + 0.1 * (p**3).sum()
        total.backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


@pytest.mark.parametrize("settings", SGD_SETTINGS)
def test_sgd_matches_torch_optim(settings):
    torch = pytest.importorskip("torch", reason="torch is not installed: checked by hand above")
    _, ours = run_ours(lambda ps: optim.SGD(ps, **settings))
    theirs = torch_trajectory(torch, lambda ps: torch.optim.SGD(ps, **settings))
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("settings", ADAM_SETTINGS)
def test_adam_matches_torch_optim(settings):
    torch = pytest.importorskip("torch", reason="torch is not installed: checked by hand above")
    _, ours = run_ours(lambda ps: optim.Adam(ps, **settings))
    theirs = torch_trajectory(torch, lambda ps: torch.optim.Adam(ps, foreach=False, **settings))
    assert_same_trajectory(ours, theirs)


def test_step_bumps_the_version_and_an_older_graph_cannot_be_differentiated():
    w = ag.Node(np.array([1.0, 2.0]), name="w", requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    ag.sum(w * w).backward()
    old = ag.sum(w * 3.0)  # built before the step: it saved w's old value
    version = w.version
    opt.step()
    assert w.version == version + 1
    np.testing.assert_allclose(w.value, [0.8, 1.6])
    with pytest.raises(RuntimeError, match=r"\(w\) was changed in place"):
        old.backward()
