"""make_linear_sem: graph shape, weights, noise law, determinism, errors."""

import numpy as np
import pytest

from sparserecovery.dag import is_dag
from sparserecovery.datasets._sem import make_linear_sem


@pytest.mark.parametrize("graph", ["ER", "SF"])
def test_graph_is_a_dag_with_requested_density(graph):
    d, degree = 40, 3
    X, W = make_linear_sem(d, 50, graph=graph, degree=degree, random_state=0)
    assert X.shape == (50, d) and W.shape == (d, d)
    assert is_dag(W)
    n_edges = np.count_nonzero(W)
    if graph == "SF":  # each new node adds min(degree, #older) edges
        assert n_edges == sum(min(degree, k) for k in range(d))
    else:
        assert 0.7 * degree * d < n_edges < 1.3 * degree * d
    w = np.abs(W[W != 0])
    assert w.min() >= 0.5 and w.max() <= 2.0
    assert (W > 0).any() and (W < 0).any()


def test_scale_free_has_hubs():
    _, W = make_linear_sem(200, 2, graph="SF", degree=2, random_state=1)
    n_parents = np.count_nonzero(W, axis=0)
    assert n_parents.max() >= 10 * np.median(n_parents[n_parents > 0])


@pytest.mark.parametrize("noise", ["gaussian", "exponential", "laplace", "gumbel"])
def test_noise_has_mean_zero_and_requested_scale(noise):
    scale = np.array([0.5, 1.0, 2.0, 3.0])
    X, W, std = make_linear_sem(4, 40000, degree=1, noise=noise, noise_scale=scale,
                                return_noise_scale=True, random_state=2)
    np.testing.assert_array_equal(std, scale)
    E = X - X @ W  # the structural equation X = X W + E
    np.testing.assert_allclose(E.std(axis=0), scale, rtol=0.03)
    np.testing.assert_allclose(E.mean(axis=0), 0, atol=0.05)


def test_heteroscedastic_variances():
    X, W, std = make_linear_sem(30, 5, heteroscedastic=True, return_noise_scale=True,
                                random_state=3)
    assert np.all((std**2 >= 0.5) & (std**2 <= 10.0)) and np.ptp(std) > 1
    _, _, std = make_linear_sem(30, 5, heteroscedastic=(1.0, 2.0),
                                return_noise_scale=True, random_state=3)
    assert np.all((std**2 >= 1.0) & (std**2 <= 2.0))


def test_deterministic_with_random_state():
    a = make_linear_sem(12, 30, graph="SF", noise="laplace", random_state=7)
    b = make_linear_sem(12, 30, graph="SF", noise="laplace",
                        random_state=np.random.RandomState(7))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    c = make_linear_sem(12, 30, graph="SF", noise="laplace", random_state=8)
    assert not np.array_equal(a[0], c[0])


def test_single_node_and_weight_range():
    X, W = make_linear_sem(1, 10, random_state=0)
    assert X.shape == (10, 1) and W.shape == (1, 1) and W[0, 0] == 0
    _, W = make_linear_sem(20, 2, weight_range=(1.0, 1.0), degree=2, random_state=0)
    np.testing.assert_array_equal(np.abs(W[W != 0]), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"graph": "BA"}, "graph"),
        ({"noise": "cauchy"}, "noise"),
        ({"degree": -1}, "degree"),
        ({"weight_range": (2, 1)}, "weight_range"),
        ({"noise_scale": 1.0, "heteroscedastic": True}, "either"),
        ({"noise_scale": [1.0, 2.0]}, "noise_scale"),
        ({"noise_scale": -1.0}, "noise_scale"),
        ({"heteroscedastic": (0.0, 1.0)}, "heteroscedastic"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_linear_sem(5, 10, **kwargs)
    with pytest.raises((TypeError, ValueError), match="n_nodes"):
        make_linear_sem(0, 10)


def test_data_do_not_depend_on_the_blas_thread_count():
    from threadpoolctl import threadpool_limits

    data = []
    for threads in (1, 2):
        with threadpool_limits(threads):
            data.append(make_linear_sem(200, 300, degree=4, heteroscedastic=True,
                                        random_state=0))
    np.testing.assert_array_equal(data[0][0], data[1][0])
    np.testing.assert_array_equal(data[0][1], data[1][1])
