"""Endmember extraction: vertex component analysis (VCA) and N-FINDR."""

from __future__ import annotations

import numpy as np

from ..utils import check_random_state, check_scalar_arg
from ._common import check_pixels

__all__ = ["nfindr", "vca"]


def vca(Y, n_endmembers, *, random_state=None):
    """Vertex component analysis (Nascimento and Bioucas-Dias, 2005).

    Projects the pixels onto their ``n_endmembers``-dimensional signal
    subspace (SVD), rescales them projectively onto a hyperplane, then picks
    one extreme pixel per step: the pixel with the largest projection on a
    random direction orthogonal to the endmembers found so far.

    Parameters
    ----------
    Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
        Pixels; assumed to contain (nearly) pure pixels.
    n_endmembers : int
        Number of endmembers (``<= n_bands`` and ``<= n_pixels``).
    random_state : int, RandomState, Generator or None
        Seed of the random directions.

    Returns
    -------
    endmembers : ndarray of shape (n_endmembers, n_bands)
        The selected pixels.
    indices : ndarray of shape (n_endmembers,)
        Their row indices in the flattened pixels.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> E = rng.random((3, 20))
    >>> A = np.vstack([np.eye(3), rng.dirichlet(np.ones(3), size=50)])
    >>> M, idx = vca(A @ E, 3, random_state=0)
    >>> sorted(idx.tolist())
    [0, 1, 2]
    """
    Y, _ = check_pixels(Y)
    n, n_bands = Y.shape
    k = check_scalar_arg(n_endmembers, "n_endmembers", lower=1, integer=True)
    if k > n_bands:
        raise ValueError(
            f"n_endmembers={k} exceeds the number of bands (n_features = "
            f"{n_bands})"
        )
    if k > n:
        raise ValueError(
            f"n_endmembers={k} exceeds the number of pixels (n_samples = {n})"
        )
    rng = check_random_state(random_state)
    # Signal subspace of dimension k (no mean removal: high-SNR variant).
    _, _, Vt = np.linalg.svd(Y, full_matrices=False)
    X = Y @ Vt[:k].T
    u = X.mean(axis=0)
    proj = X @ u
    floor = 1e-12 * max(np.max(np.abs(proj)), 1e-300)
    proj = np.where(np.abs(proj) < floor, floor, proj)
    Xp = X / proj[:, None]
    basis = np.zeros((k, k))
    basis[-1, 0] = 1.0
    idx = np.empty(k, dtype=np.int64)
    for i in range(k):
        w = rng.standard_normal(k)
        f = w - basis @ (np.linalg.pinv(basis) @ w)
        f /= max(np.linalg.norm(f), 1e-300)
        v = np.abs(Xp @ f)
        v[idx[:i]] = -1.0  # never pick the same pixel twice
        idx[i] = int(np.argmax(v))
        basis[:, i] = Xp[idx[i]]
    return Y[idx].copy(), idx


def nfindr(Y, n_endmembers, *, max_iter=10, random_state=None):
    """N-FINDR endmember extraction (Winter, 1999).

    Reduces the pixels to ``n_endmembers - 1`` dimensions (principal
    components) and looks for the ``n_endmembers`` pixels spanning the
    simplex of largest volume. Starting from random pixels, every sweep
    tries, for each vertex in turn, all pixels in its place and keeps the
    one giving the largest volume. With ``M`` the matrix whose columns are
    ``[1; x_j]`` for the current vertices, replacing vertex ``j`` by pixel
    ``y`` multiplies ``det(M)`` by ``(M^{-1} [1; y])_j`` (Cramer's rule), so
    one vertex update costs a single pass over the pixels. Sweeps stop when
    no vertex changes (the volume never decreases).

    Parameters
    ----------
    Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
        Pixels; assumed to contain (nearly) pure pixels.
    n_endmembers : int
        Number of endmembers (``2 <= n_endmembers <= n_bands + 1`` and
        ``<= n_pixels``).
    max_iter : int, default=10
        Largest number of sweeps over the vertices.
    random_state : int, RandomState or None
        Seed of the initial vertices.

    Returns
    -------
    endmembers : ndarray of shape (n_endmembers, n_bands)
        The selected pixels.
    indices : ndarray of shape (n_endmembers,)
        Their row indices in the flattened pixels.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> E = rng.random((3, 20))
    >>> A = np.vstack([np.eye(3), rng.dirichlet(np.ones(3), size=50)])
    >>> M, idx = nfindr(A @ E, 3, random_state=0)
    >>> sorted(idx.tolist())
    [0, 1, 2]
    """
    Y, _ = check_pixels(Y)
    n, n_bands = Y.shape
    k = check_scalar_arg(n_endmembers, "n_endmembers", lower=2, integer=True)
    if k > n_bands + 1:
        raise ValueError(
            f"n_endmembers={k} exceeds the number of bands + 1 "
            f"(n_features = {n_bands})"
        )
    if k > n:
        raise ValueError(
            f"n_endmembers={k} exceeds the number of pixels (n_samples = {n})"
        )
    max_iter = check_scalar_arg(max_iter, "max_iter", lower=1, integer=True)
    rng = check_random_state(random_state)
    mean = Y.mean(axis=0)
    _, _, Vt = np.linalg.svd(Y - mean, full_matrices=False)
    X = (Y - mean) @ Vt[: k - 1].T  # (n, k - 1)
    Z = np.vstack([np.ones(n), X.T])  # columns [1; x_i]
    idx = rng.choice(n, size=k, replace=False)
    for _ in range(max_iter):
        changed = False
        for j in range(k):
            M = Z[:, idx]
            try:
                coef = np.linalg.solve(M, Z)[j]  # det ratio for each pixel
            except np.linalg.LinAlgError:
                # degenerate start: least-squares ratios still rank pixels
                coef = np.linalg.lstsq(M, Z, rcond=None)[0][j]
            others = np.delete(idx, j)
            ratio = np.abs(coef)
            ratio[others] = -1.0  # a vertex is never used twice
            best = int(np.argmax(ratio))
            if best != idx[j] and ratio[best] > abs(coef[idx[j]]) * (1 + 1e-12):
                idx[j] = best
                changed = True
        if not changed:
            break
    return Y[idx].copy(), idx.astype(np.int64)
