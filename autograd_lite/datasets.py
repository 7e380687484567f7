"""The data sets `autograd-lite train` learns from: seeded blobs, the course's planar flower,
scikit-learn's moons, breast cancer, or a CSV file.

Each loader returns a Dataset: X of shape (m, n), Y of shape (m, 1) holding 0/1 labels.
Problems with the data raise DataError with a message that names the file, row and value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .csvdata import delimiter_name, read_labelled_csv
from .errors import DataError, DataWarning


@dataclass(frozen=True)
class Dataset:
    """Examples X (m, n), labels Y (m, 1) in {0, 1}, feature names and a one-line description."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    feature_names: tuple[str, ...]
    description: str


def blobs(samples: int = 200, seed: int = 0) -> Dataset:
    """Two Gaussian blobs in the plane (features x1, x2), half with y = 0, half with y = 1.

    Class 0 is centred on (-1, -1) and class 1 on (1.5, 1.5), both with standard deviation 1,
    so they overlap a little: a straight line separates most but not all of them.
    """
    if samples < 2:
        raise DataError(f"blobs: need at least 2 samples (one per class), got {samples}")
    rng = np.random.default_rng(seed)
    zeros = samples // 2
    centres = np.array([[-1.0, -1.0], [1.5, 1.5]])
    labels = np.r_[np.zeros(zeros), np.ones(samples - zeros)]
    X = centres[labels.astype(int)] + rng.normal(size=(samples, 2))
    order = rng.permutation(samples)  # mix the classes, as real data would be
    return Dataset(
        "blobs",
        X[order],
        labels[order].reshape(-1, 1),
        ("x1", "x2"),
        f"blobs: {samples} examples x 2 features, two Gaussian blobs (seed {seed})",
    )


def flower(samples: int = 400, seed: int = 1) -> Dataset:
    """The course's planar "flower" (its load_planar_dataset): two classes in four petals each.

    For class j = 0, 1 and N = samples / 2 points:  t = linspace(3.12 j, 3.12 (j+1), N) + 0.2 n1,
    r = 4 sin(4t) + 0.2 n2 (n1, n2 standard normal),  x = (r sin t, r cos t),  y = j.
    The noise comes from numpy's legacy RandomState(seed), so seed 1 (the course's) gives the
    course's very points. No straight line separates the classes: logistic regression gets
    about 47%, one hidden layer of 4 tanh units about 90%.
    """
    if samples < 2 or samples % 2:
        raise DataError(f"flower: needs an even number of samples, at least 2, got {samples}")
    rng = np.random.RandomState(seed)  # the course's generator, so that its data is reproduced
    per_class, petals = samples // 2, 4
    X = np.zeros((samples, 2))
    Y = np.zeros((samples, 1))
    for j in range(2):
        rows = slice(per_class * j, per_class * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, per_class) + rng.randn(per_class) * 0.2
        r = petals * np.sin(4 * t) + rng.randn(per_class) * 0.2
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[rows] = j
    return Dataset(
        "flower",
        X,
        Y,
        ("x1", "x2"),
        f"flower: {samples} examples x 2 features, the course's planar petals (seed {seed})",
    )


def moons(samples: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """scikit-learn's make_moons: two interleaving half circles, with Gaussian noise."""
    if samples < 2:
        raise DataError(f"moons: need at least 2 samples (one per class), got {samples}")
    try:
        from sklearn.datasets import make_moons
    except ImportError:
        raise DataError("moons needs scikit-learn: pip install 'autograd-lite[data]'") from None
    X, y = make_moons(n_samples=samples, noise=noise, random_state=seed)
    return Dataset(
        "moons",
        X,
        y.astype(np.float64).reshape(-1, 1),
        ("x1", "x2"),
        f"moons: {samples} examples x 2 features, make_moons(noise={noise:g}) (seed {seed})",
    )


def breast_cancer() -> Dataset:
    """The Wisconsin diagnostic breast-cancer data (569 x 30, scikit-learn's bundled copy), each
    feature standardised to mean 0 and standard deviation 1. y = 1 is benign, y = 0 malignant."""
    try:
        from sklearn.datasets import load_breast_cancer
    except ImportError:
        raise DataError(
            "breast-cancer needs scikit-learn: pip install 'autograd-lite[data]'"
        ) from None
    bunch = load_breast_cancer()
    X = standardise(bunch.data)
    return Dataset(
        "breast-cancer",
        X,
        bunch.target.astype(np.float64).reshape(-1, 1),
        tuple(str(name) for name in bunch.feature_names),
        f"breast-cancer: {X.shape[0]} examples x {X.shape[1]} features (standardised), "
        "y = 1 benign, y = 0 malignant",
    )


def standardise(X: np.ndarray) -> np.ndarray:
    """(X - mean) / std per column, so that one alpha suits every feature; constant columns are
    only centred."""
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


def from_csv(path: str | Path, progress: bool = False) -> Dataset:
    """A CSV file whose last column is the 0/1 label and the others are numeric features.

    The delimiter (',', ';', tab, '|' or spaces) is detected from the first rows. A first row
    without any number in it is taken as a header of column names (a first row with only some
    numbers is data, so that a typo in it is reported, not taken for a header). A file with a
    single class loads, with a DataWarning. ``progress``: a progress bar on a terminal while a
    large file loads (csvdata.read_labelled_csv).
    """
    path = Path(path)
    table = read_labelled_csv(path, progress=progress)
    X, Y = table.values[:, :-1], table.values[:, -1:]
    columns = table.values.shape[1]
    names = table.header[:-1] if table.header else tuple(f"x{i}" for i in range(1, columns))
    if Y.min() == Y.max():
        label = int(Y[0, 0])
        warnings.warn(
            f"{path}: {'the one label' if len(Y) == 1 else f'every one of the {len(Y)} labels'}"
            f" is {label} (a single class): training "
            f"only pushes every prediction towards {label}, and the accuracy will be 100%",
            DataWarning,
            stacklevel=2,
        )
    delimiter = table.delimiter
    separated = "" if delimiter == "," else f", separated by {delimiter_name(delimiter)}"
    return Dataset(
        path.name,
        X,
        Y,
        names,
        f"{path}: {X.shape[0]} examples x {X.shape[1]} features{separated}",
    )


GENERATED = {"blobs": blobs, "flower": flower, "moons": moons}  # made by a formula, seeded


def load(
    name: str, samples: int | None = None, seed: int | None = None, progress: bool = False
) -> Dataset:
    """``blobs``, ``flower``, ``moons``, ``breast-cancer``, or the path of a CSV file
    (``progress``: see from_csv). ``samples`` and ``seed`` left as None take the data set's
    own defaults."""
    if name in GENERATED:
        chosen = {"samples": samples, "seed": seed}
        return GENERATED[name](**{k: v for k, v in chosen.items() if v is not None})
    if name == "breast-cancer":
        return breast_cancer()
    names = ", ".join([*GENERATED, "breast-cancer"])
    if not str(name).strip():  # (Path("") is the current folder)
        raise DataError(f"no data named: give one of {names} or a CSV file")
    if not Path(name).exists():  # a mistyped name, more often than a missing file
        raise DataError(f"{name}: no such file, and no data set of that name ({names})")
    return from_csv(name, progress=progress)
