"""Entropic Wasserstein distances between point clouds and images."""

from __future__ import annotations

import numpy as np

from ..utils import check_array_arg, check_choice, check_positive, check_scalar_arg

__all__ = ["wasserstein_distance", "ground_cost"]


def ground_cost(X, Y, p=2):
    """Ground cost ``M_ij = ||x_i - y_j||_2^p`` between two point sets.

    Parameters
    ----------
    X : array_like of shape (n, d)
        First point set.
    Y : array_like of shape (m, d)
        Second point set.
    p : float, default=2
        Power of the Euclidean distance, ``p >= 1`` (``p=2``: squared
        Euclidean).

    Returns
    -------
    ndarray of shape (n, m)
        The cost matrix (float64, or float32 when both inputs are float32).

    Examples
    --------
    >>> ground_cost([[0.0, 0.0], [1.0, 0.0]], [[0.0, 2.0]])
    array([[4.],
           [5.]])
    >>> ground_cost([[0.0, 0.0], [1.0, 0.0]], [[0.0, 2.0]], p=1).round(4)
    array([[2.    ],
           [2.2361]])
    """
    X = check_array_arg(X, "X", ndim=2, allow_complex=False)
    Y = check_array_arg(Y, "Y", ndim=2, allow_complex=False)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features, got {X.shape[1]} "
            f"and {Y.shape[1]}"
        )
    p = check_scalar_arg(p, "p", lower=1)
    dtype = np.result_type(X, Y)
    # squared distances without cancellation trouble for small clouds: direct
    sq = np.zeros((X.shape[0], Y.shape[0]), dtype=dtype)
    for k in range(X.shape[1]):
        d = X[:, k, None] - Y[None, :, k]
        sq += d * d
    if p == 2:
        return sq
    return np.sqrt(sq) ** p


def _image_support(img, name):
    img = check_array_arg(img, name, ndim=2, allow_complex=False)
    if np.any(img < 0):
        raise ValueError(f"{name} must be non-negative (an image histogram)")
    total = img.sum()
    if not total > 0:
        raise ValueError(f"{name} must have a positive total intensity")
    idx = np.flatnonzero(img.ravel() > 0)
    coords = np.stack(np.unravel_index(idx, img.shape), axis=1).astype(float)
    weights = img.ravel()[idx].astype(float) / float(total)
    return coords, weights


def wasserstein_distance(
    X,
    Y,
    *,
    p=2,
    reg=1e-3,
    a=None,
    b=None,
    kind="points",
    method="sns",
    return_result=False,
    **solver_kw,
):
    r"""Entropic Wasserstein-:math:`p` distance between point clouds or images.

    Builds the ground cost ``M_ij = ||x_i - y_j||^p``, solves the entropic
    transport problem and returns :math:`\langle M, P\rangle^{1/p}`, the
    transport cost of the entropic plan to the power ``1/p`` (it tends to the
    exact :math:`W_p` as ``reg -> 0``).

    Parameters
    ----------
    X, Y : array_like
        With ``kind="points"``: point clouds of shapes ``(n, d)`` and
        ``(m, d)``. With ``kind="images"``: two non-negative 2-D images (any
        shapes); each is normalized to unit mass and its non-zero pixels are
        the support, at their (row, column) coordinates in pixels.
    p : float, default=2
        Order of the distance (``p >= 1``).
    reg : float, default=1e-3
        Entropic regularization *relative to the largest ground cost*: the
        solver runs with ``reg * M.max()``, so the same value suits any units.
    a, b : array_like or None
        Weights of the points (``kind="points"`` only); uniform by default,
        normalized to unit mass.
    kind : {"points", "images"}, default="points"
        How ``X`` and ``Y`` are read.
    method : {"sns", "sinkhorn"}, default="sns"
        :func:`sinkhorn_newton_sparse` or log-domain :func:`sinkhorn`.
    return_result : bool, default=False
        Also return the solver's :class:`OTResult`.
    **solver_kw
        Passed to the solver (``tol``, ``max_iter``, ...).

    Returns
    -------
    distance : float
        The entropic Wasserstein-:math:`p` distance.
    result : OTResult
        Only with ``return_result=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecovery.transport import wasserstein_distance
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> round(wasserstein_distance(X, X + [0.0, 3.0], reg=1e-4), 6)
    3.0
    >>> img1 = np.zeros((5, 5)); img1[1, 1] = 1.0
    >>> img2 = np.zeros((5, 5)); img2[1, 4] = 1.0
    >>> wasserstein_distance(img1, img2, p=1, kind="images")
    3.0
    """
    from ._sinkhorn import sinkhorn
    from ._sns import sinkhorn_newton_sparse

    check_choice("kind", kind, ("points", "images"))
    check_choice("method", method, ("sns", "sinkhorn"))
    p = check_scalar_arg(p, "p", lower=1)
    reg = check_positive(reg, "reg")
    if kind == "images":
        if a is not None or b is not None:
            raise ValueError("a and b are taken from the images; pass a=b=None")
        X, a = _image_support(X, "X")
        Y, b = _image_support(Y, "Y")
    M = ground_cost(X, Y, p=p)
    scale = float(M.max())
    if scale == 0.0:  # both measures sit on the same single point
        scale = 1.0
    solver = sinkhorn_newton_sparse if method == "sns" else sinkhorn
    res = solver(a, b, M, reg * scale, normalize=True, **solver_kw)
    dist = max(res.value_linear, 0.0) ** (1.0 / p)
    return (dist, res) if return_result else dist
