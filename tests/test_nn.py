"""ag.nn: modules, parameters and their names, PyTorch's Linear initialisation, and the layers'
gradients against finite differences (and against torch.nn where torch is installed)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.gradcheck import finite_difference


def test_mlp_lists_its_layers_as_pytorch_prints_them():
    model = nn.MLP([2, 16, 16, 1], activation="relu", seed=0)
    assert repr(model) == "\n".join(
        [
            "MLP(",
            "  (layers): Sequential(",
            "    (0): Linear(in_features=2, out_features=16, bias=True)",
            "    (1): ReLU()",
            "    (2): Linear(in_features=16, out_features=16, bias=True)",
            "    (3): ReLU()",
            "    (4): Linear(in_features=16, out_features=1, bias=True)",
            "  )",
            ")",
        ]
    )


def test_parameters_are_named_by_their_path_and_require_gradients():
    model = nn.MLP([2, 3, 1], activation="tanh", seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names == ["layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"]
    params = model.parameters()
    assert [p.name for p in params] == names  # the Nodes carry the names, for the pictures
    assert all(p.requires_grad and p.is_leaf for p in params)
    assert [p.shape for p in params] == [(2, 3), (3,), (3, 1), (1,)]
    assert isinstance(model.layers[1], nn.Tanh)


def test_a_sequential_alone_names_its_layers_from_zero():
    seq = nn.Sequential(nn.Linear(2, 2, seed=0), nn.Sigmoid(), nn.Linear(2, 1, bias=False, seed=1))
    assert [n for n, _ in seq.named_parameters()] == ["0.W", "0.b", "2.W"]
    assert len(seq) == 3 and [type(m).__name__ for m in seq] == ["Linear", "Sigmoid", "Linear"]
    assert "(2): Linear(in_features=2, out_features=1, bias=False)" in repr(seq)


def test_a_shared_layer_is_listed_once():
    layer = nn.Linear(2, 2, seed=0)
    seq = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(seq.parameters()) == 2


def test_linear_initialisation_is_pytorchs_uniform_and_seeded():
    layer = nn.Linear(400, 300, seed=7)
    bound = 1 / math.sqrt(400)
    for p in (layer.W, layer.b):
        assert np.all(np.abs(p.value) <= bound)
        assert p.value.max() > 0.95 * bound and p.value.min() < -0.95 * bound  # fills the range
    assert abs(layer.W.value.std() - bound / math.sqrt(3)) < 0.01 * bound  # uniform's std
    # the same seed gives the same numbers, drawn W first from np.random.default_rng(seed)
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(layer.W.value, rng.uniform(-bound, bound, (400, 300)))
    np.testing.assert_array_equal(layer.b.value, rng.uniform(-bound, bound, 300))
    np.testing.assert_array_equal(nn.Linear(400, 300, seed=7).W.value, layer.W.value)
    assert not np.array_equal(nn.Linear(400, 300, seed=8).W.value, layer.W.value)


def test_mlp_seed_semantics_follow_numpy_generators():
    a, b = nn.MLP([2, 4, 1], seed=3), nn.MLP([2, 4, 1], seed=3)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.value, q.value)
    # one Generator for the whole network: its layers are not copies of each other
    square = nn.MLP([4, 4, 4], seed=0)
    assert not np.array_equal(square.layers[0].W.value, square.layers[2].W.value)
    # a Generator is used as it is (and advanced), as numpy's default_rng(generator) does
    rng = np.random.default_rng(5)
    first, second = nn.MLP([2, 2], seed=rng), nn.MLP([2, 2], seed=rng)
    assert not np.array_equal(first.layers[0].W.value, second.layers[0].W.value)
    np.testing.assert_array_equal(
        nn.MLP([2, 2], seed=np.random.default_rng(5)).layers[0].W.value, first.layers[0].W.value
    )


def test_linear_computes_x_at_w_plus_b():
    layer = nn.Linear(3, 2, seed=0)
    x = np.arange(12.0).reshape(4, 3)
    out = layer(x)
    np.testing.assert_allclose(out.value, x @ layer.W.value + layer.b.value, rtol=1e-15)
    assert out.shape == (4, 2)
    no_bias = nn.Linear(3, 2, bias=False, seed=0)
    assert no_bias.b is None and len(no_bias.parameters()) == 1
    np.testing.assert_allclose(no_bias(x).value, x @ no_bias.W.value, rtol=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    m=st.integers(1, 5),
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    activation=st.sampled_from(["tanh", "sigmoid", "relu"]),
    seed=st.integers(0, 2**16),
)
def test_mlp_gradients_match_finite_differences(m, sizes, activation, seed):
    model = nn.MLP(sizes, activation=activation, seed=seed)
    x = np.random.default_rng(seed + 1).normal(size=(m, sizes[0]))
    ag.mean(model(x) ** 2).backward()
    for p in model.parameters():

        def loss_of(value, p=p):
            saved, p.value = p.value, value
            try:
                return ag.mean(model(x) ** 2).value
            finally:
                p.value = saved

        numeric = finite_difference(loss_of, p.value, 1e-6)
        np.testing.assert_allclose(p.grad, numeric, rtol=1e-5, atol=1e-8, err_msg=p.name)


def test_zero_grad_clears_every_parameter():
    model = nn.MLP([2, 3, 1], seed=0)
    ag.sum(model(np.ones((2, 2)))).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.MLP([2, 1], activation="gelu")
    with pytest.raises(ValueError, match="sizes needs"):
        nn.MLP([2])
    with pytest.raises(ValueError, match="n_in must be a positive integer"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match=r"Linear\(3, 2\): input of shape \(4, 2\)"):
        nn.Linear(3, 2, seed=0)(np.ones((4, 2)))
    with pytest.raises(TypeError, match="argument 1 is a int, not a Module"):
        nn.Sequential(nn.ReLU(), 3)
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1.0)

    class Forgot(nn.Module):
        def __init__(self):
            self.w = ag.Node(1.0, requires_grad=True)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) before assigning 'w'"):
        Forgot()


def test_a_users_module_registers_what_it_assigns():
    class Affine(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = ag.Node(2.0, requires_grad=True)
            self.data = ag.Node(5.0)  # no gradient wanted: not a parameter
            self.inner = nn.Linear(1, 1, seed=0)

        def forward(self, x):
            return self.inner(x) * self.scale

    model = Affine()
    assert [n for n, _ in model.named_parameters()] == ["scale", "inner.W", "inner.b"]
    assert repr(model) == (
        "Affine(\n  (inner): Linear(in_features=1, out_features=1, bias=True)\n)"
    )


def test_mlp_matches_torch_forward_and_backward():
    torch = pytest.importorskip("torch", reason="torch is not installed: nn checked without it")
    model = nn.MLP([3, 5, 4, 2], activation="tanh", seed=0)
    x = np.random.default_rng(1).normal(size=(6, 3))
    layers = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, nn.Linear):
            t = torch.nn.Linear(layer.n_in, layer.n_out).double()
            with torch.no_grad():  # torch keeps W as (out, in): ours is its transpose
                t.weight.copy_(torch.from_numpy(layer.W.value.T))
                t.bias.copy_(torch.from_numpy(layer.b.value))
            layers.append(t)
        else:
            layers.append(torch.nn.Tanh())
        assert i == len(layers) - 1
    reference = torch.nn.Sequential(*layers)
    ours = ag.mean(model(x) ** 2)
    ours.backward()
    theirs = reference(torch.from_numpy(x)).pow(2).mean()
    theirs.backward()
    assert float(ours.value) == pytest.approx(theirs.item(), rel=1e-12)
    for i in (0, 2, 4):
        np.testing.assert_allclose(model.layers[i].W.grad, layers[i].weight.grad.numpy().T,
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(model.layers[i].b.grad, layers[i].bias.grad.numpy(),
                                   rtol=1e-12, atol=1e-15)


def test_pictures_label_the_parameters_by_their_names():
    model = nn.MLP([2, 3, 1], seed=0)
    loss = ag.mean(model(np.ones((4, 2))) ** 2)
    loss.backward()
    source = ag.viz.to_dot(loss).source
    for name in ("layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"):
        assert name in source, name
