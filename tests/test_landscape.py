"""Li et al. loss landscape: filter normalisation, the centre, the vectorised grid."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from dlviz import landscape as L


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app runs: small tensors, a shared machine
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def trained():
    return L.train(hidden=8, epochs=60, seed=3)


def _weights(t):
    return {k: v.detach() for k, v in t.model.named_parameters()}


def test_filter_normalisation_matches_each_neuron(trained):
    w = _weights(trained)
    d = L.random_direction(w, seed=11)
    for name, v in w.items():
        if v.ndim == 1:
            assert torch.count_nonzero(d[name]) == 0  # biases stay put
        else:
            for row_d, row_w in zip(d[name], v, strict=True):
                assert row_d.norm().item() == pytest.approx(row_w.norm().item(), rel=1e-12)
    assert not torch.allclose(d["0.weight"], w["0.weight"])  # a direction, not the weights


def test_grid_equals_loop_over_copies_of_the_model(trained):
    w = _weights(trained)
    d1, d2 = L.random_direction(w, seed=1), L.random_direction(w, seed=2)
    alphas = torch.tensor([-0.5, 0.0, 0.7], dtype=torch.float64)
    betas = torch.tensor([-1.0, 0.25], dtype=torch.float64)
    grid = L.grid_loss(trained.model, trained.x, trained.y, d1, d2, alphas, betas)
    assert grid.shape == (2, 3)
    for j, b in enumerate(betas):
        for i, a in enumerate(alphas):
            other = copy.deepcopy(trained.model)
            with torch.no_grad():
                for name, p in other.named_parameters():
                    p.add_(a * d1[name] + b * d2[name])
            want = nn.CrossEntropyLoss()(other(trained.x), trained.y).item()
            assert grid[j, i].item() == pytest.approx(want, rel=1e-12)


@pytest.fixture(scope="module")
def random_plane():
    return L.landscape(plane="random", resolution=21, hidden=8, epochs=60, seed=3)


def test_centre_is_the_trained_loss(random_plane, trained):
    r = random_plane
    assert r.alphas[10] == 0.0 and r.betas[10] == 0.0
    want = nn.CrossEntropyLoss()(trained.model(trained.x), trained.y).item()
    assert r.center_loss == pytest.approx(want, rel=1e-12)
    assert r.loss[10, 10] == pytest.approx(want, rel=1e-12)
    assert r.path_loss[-1] == pytest.approx(want, rel=1e-12)
    assert r.loss.shape == (21, 21) and np.isfinite(r.loss).all()
    assert r.loss.min() >= 0 and r.loss.max() > 2 * r.center_loss  # a bowl around θ*
    assert r.path.shape == (0, 2)
    assert r.n_params == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2


def test_pca_plane_projects_the_trajectory():
    r = L.landscape(plane="pca", resolution=15, hidden=8, epochs=60, seed=3)
    assert r.path.shape == (61, 2)
    np.testing.assert_allclose(r.path[-1], 0.0, atol=1e-12)  # θ* is the origin
    assert r.explained[0] >= r.explained[1] > 0 and sum(r.explained) <= 1 + 1e-12
    assert r.alphas.min() < r.path[:, 0].min() and r.alphas.max() > r.path[:, 0].max()
    assert r.betas.min() < r.path[:, 1].min() and r.betas.max() > r.path[:, 1].max()
    assert r.path_loss[0] > r.path_loss[-1]  # training lowered the loss


def test_training_is_seeded():
    a, b = L.train(hidden=4, epochs=5, seed=1), L.train(hidden=4, epochs=5, seed=1)
    assert torch.equal(a.trajectory, b.trajectory)
    assert not torch.equal(a.trajectory, L.train(hidden=4, epochs=5, seed=2).trajectory)


def test_bad_arguments():
    with pytest.raises(ValueError):
        L.landscape(plane="hessian")
    with pytest.raises(ValueError):
        L.landscape(resolution=500)
