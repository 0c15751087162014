"""Optimal-transport test problems: random assignment, point clouds, digits."""

from __future__ import annotations

import numpy as np

from ..utils import check_choice, check_random_state, check_scalar_arg

__all__ = ["make_ot_problem"]

_KINDS = ("random_assignment", "point_clouds", "images")


def _digit_pair(image_size, rng):
    from sklearn.datasets import load_digits

    images = load_digits().images  # (1797, 8, 8), values 0..16, bundled
    i, j = rng.choice(images.shape[0], size=2, replace=False)
    pair = []
    for k in (i, j):
        img = images[k].astype(float)
        if image_size != img.shape[0]:
            from scipy.ndimage import zoom

            img = np.clip(zoom(img, image_size / img.shape[0], order=1), 0.0, None)
        pair.append(img)
    return pair


def make_ot_problem(
    kind="random_assignment",
    n=None,
    m=None,
    *,
    dim=2,
    p=2,
    normalize_cost=True,
    image_size=8,
    return_support=False,
    random_state=None,
):
    """Generate an optimal-transport problem ``(a, b, M)``.

    Parameters
    ----------
    kind : {"random_assignment", "point_clouds", "images"}
        ``"random_assignment"``: costs ``M_ij ~ U[0, 1]`` and uniform
        marginals (the assignment benchmark of Tang et al., ICLR 2024, with
        ``n = 500`` and ``reg = 1/1200``). ``"point_clouds"``: ``n`` and ``m``
        points uniform in ``[0, 1]^dim``, uniform weights, cost
        ``||x - y||^p``. ``"images"``: two random handwritten digits from
        scikit-learn's bundled ``load_digits`` (8x8, available offline; an
        MNIST-like pair), as unit-mass histograms over their pixels, cost
        ``||pixel - pixel'||^p`` on the grid.
    n : int or None
        Number of source points (default 100). Not used for images.
    m : int or None
        Number of target points (default ``n``). Not used for images.
    dim : int, default=2
        Dimension of the point clouds.
    p : float, default=2
        Power of the Euclidean ground distance (``p=2``: squared Euclidean,
        W2; ``p=1``: W1) for point clouds and images.
    normalize_cost : bool, default=True
        Divide ``M`` by its largest entry (so ``reg`` is relative to it).
        Random-assignment costs already lie in ``[0, 1]``.
    image_size : int, default=8
        Side of the images; digits are resized (bilinear) when it differs
        from 8, e.g. 28 for an MNIST-sized grid of 784 pixels.
    return_support : bool, default=False
        Also return the support points ``(X, Y)`` (pixel coordinates for
        images; ``None`` for random assignment).
    random_state : int, RandomState instance or None
        Seed of every random choice.

    Returns
    -------
    a : ndarray of shape (n,)
        Source histogram (unit mass). Image histograms contain zeros where the
        digit is blank; the solvers ignore those points.
    b : ndarray of shape (m,)
        Target histogram (unit mass).
    M : ndarray of shape (n, m)
        Cost matrix.
    X, Y : ndarray
        Support points, only with ``return_support=True``.

    Examples
    --------
    >>> from sparserecovery.datasets import make_ot_problem
    >>> a, b, M = make_ot_problem("random_assignment", n=5, m=3, random_state=0)
    >>> a.shape, b.shape, M.shape, float(a.sum()), float(b.sum())
    ((5,), (3,), (5, 3), 1.0, 1.0)
    >>> a, b, M = make_ot_problem("images", random_state=0)
    >>> M.shape, round(float(M.max()), 6)
    ((64, 64), 1.0)
    """
    check_choice("kind", kind, _KINDS)
    rng = check_random_state(random_state)
    p = check_scalar_arg(p, "p", lower=1)
    if kind == "images":
        image_size = check_scalar_arg(image_size, "image_size", lower=2,
                                      integer=True)
        img_a, img_b = _digit_pair(image_size, rng)
        a = img_a.ravel() / img_a.sum()
        b = img_b.ravel() / img_b.sum()
        grid = np.stack(np.unravel_index(np.arange(image_size**2),
                                         (image_size, image_size)), axis=1)
        X = Y = grid.astype(float)
    else:
        n = 100 if n is None else check_scalar_arg(n, "n", lower=1, integer=True)
        m = n if m is None else check_scalar_arg(m, "m", lower=1, integer=True)
        a = np.full(n, 1.0 / n)
        b = np.full(m, 1.0 / m)
        if kind == "random_assignment":
            M = rng.random_sample((n, m))
            return (a, b, M, None, None) if return_support else (a, b, M)
        dim = check_scalar_arg(dim, "dim", lower=1, integer=True)
        X = rng.random_sample((n, dim))
        Y = rng.random_sample((m, dim))
    M = np.zeros((X.shape[0], Y.shape[0]))
    for k in range(X.shape[1]):  # in place: no (n, m, dim) temporary
        d = np.subtract.outer(X[:, k], Y[:, k])
        d *= d
        M += d
        del d
    if p != 2:
        np.power(M, p / 2, out=M)
    if normalize_cost and M.max() > 0:
        M /= M.max()
    return (a, b, M, X, Y) if return_support else (a, b, M)
