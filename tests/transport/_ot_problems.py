"""Small OT problems shared by the transport tests."""

import numpy as np


def random_problem(n, m, seed=0, kind="sq"):
    rng = np.random.default_rng(seed)
    if kind == "sq":
        x, y = rng.random((n, 2)), rng.random((m, 2))
        M = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
        M /= M.max()
    else:
        M = rng.random((n, m))
    a = rng.random(n) + 0.5
    b = rng.random(m) + 0.5
    return a / a.sum(), b / b.sum(), M


def marginal_error(P, a, b):
    P = P.toarray() if hasattr(P, "toarray") else np.asarray(P, dtype=float)
    return np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()


def assert_potentials_close(f, g, f_ref, g_ref, atol):
    """Potentials agree up to the gauge (f + t, g - t)."""
    t = np.mean(f - f_ref)
    np.testing.assert_allclose(f - t, f_ref, rtol=0, atol=atol)
    np.testing.assert_allclose(g + t, g_ref, rtol=0, atol=atol)
