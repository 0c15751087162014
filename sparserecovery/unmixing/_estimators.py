"""scikit-learn transformers for unmixing (validation and fitted attributes)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import check_scalar_arg
from ._common import as_cube, as_pixels, check_endmembers
from ._endmembers import vca
from ._fcls import fcls
from ._robust import robust_sparse_unmixing
from ._sunsal import sunsal

__all__ = ["FCLS", "SUnSAL", "RobustSparseUnmixing"]


def _to_pixels(Y):
    """Flatten a cube (before ``validate_data``, which wants 2-D input)."""
    # Only real arrays are reshaped: array-likes go to validate_data untouched.
    if isinstance(Y, np.ndarray) and Y.ndim == 3:
        return as_pixels(Y)
    return Y, None


class _UnmixingBase(TransformerMixin, BaseEstimator):
    """Shared fit/transform plumbing: cube handling and endmembers."""

    def _validate(self, Y, reset):
        Y, shape = _to_pixels(Y)
        Y = validate_data(self, Y, reset=reset, dtype=np.float64)
        return Y, shape

    def _endmembers(self, Y):
        if self.endmembers is not None:
            return check_endmembers(self.endmembers, Y.shape[1])
        if self.n_endmembers is None:
            raise ValueError("n_endmembers must be given when endmembers is None")
        k = check_scalar_arg(self.n_endmembers, "n_endmembers", lower=1, integer=True)
        return vca(Y, k, random_state=self.random_state)[0]


class FCLS(_UnmixingBase):
    """Fully constrained least-squares unmixing (exact active set).

    Abundances are non-negative and sum to one (``sum_to_one=True``) or only
    non-negative (NNLS). See :func:`~sparserecovery.unmixing.fcls`.

    Parameters
    ----------
    endmembers : array_like of shape (n_endmembers, n_bands), optional
        Known endmember spectra; ``None`` extracts ``n_endmembers`` by VCA.
    n_endmembers : int, optional
        Number of endmembers to extract when ``endmembers`` is None.
    sum_to_one : bool, default=True
        Sum-to-one constraint (``False``: NNLS).
    random_state : int, RandomState, Generator or None
        Seed of VCA.

    Attributes
    ----------
    endmembers_ : ndarray of shape (n_endmembers, n_bands)
    n_iter_ : int
        Largest per-pixel active-set iteration count on the training data.
    n_features_in_ : int
        Number of bands.

    Examples
    --------
    >>> import numpy as np
    >>> E = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
    >>> Y = np.array([[0.3, 0.7], [1.0, 0.0]]) @ E
    >>> FCLS(endmembers=E).fit_transform(Y).round(6)
    array([[0.3, 0.7],
           [1. , 0. ]])
    """

    def __init__(self, endmembers=None, n_endmembers=None, sum_to_one=True,
                 random_state=None):
        self.endmembers = endmembers
        self.n_endmembers = n_endmembers
        self.sum_to_one = sum_to_one
        self.random_state = random_state

    def fit(self, Y, y=None):
        """Set the endmembers (given or extracted) from pixels ``Y``.

        Parameters
        ----------
        Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
            Pixel spectra, one row per pixel, or an image cube.
        y : None
            Ignored.

        Returns
        -------
        self : FCLS
        """
        Y, _ = self._validate(Y, reset=True)
        self.endmembers_ = self._endmembers(Y)
        self.n_iter_ = fcls(Y, self.endmembers_, sum_to_one=self.sum_to_one).n_iter
        return self

    def transform(self, Y):
        """Abundances of every pixel.

        Parameters
        ----------
        Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
            Pixel spectra, one row per pixel, or an image cube.

        Returns
        -------
        ndarray of shape (n_pixels, n_endmembers) or (rows, cols, n_endmembers)
        """
        check_is_fitted(self)
        Y, shape = self._validate(Y, reset=False)
        A = fcls(Y, self.endmembers_, sum_to_one=self.sum_to_one).abundances
        return as_cube(A, shape)


class SUnSAL(_UnmixingBase):
    """Sparse unmixing by ADMM (l1, positivity, optional sum-to-one).

    See :func:`~sparserecovery.unmixing.sunsal`.

    Parameters
    ----------
    endmembers : array_like of shape (n_endmembers, n_bands), optional
        Endmembers or a spectral library; ``None`` extracts ``n_endmembers``
        by VCA.
    n_endmembers : int, optional
        Number of endmembers to extract when ``endmembers`` is None.
    alpha : float, default=1e-3
        l1 weight.
    sum_to_one : bool, default=False
        Sum-to-one constraint.
    max_iter : int, default=1000
        ADMM iterations.
    tol : float, default=1e-6
        ADMM relative residual tolerance.
    random_state : int, RandomState, Generator or None
        Seed of VCA.

    Attributes
    ----------
    endmembers_ : ndarray of shape (n_endmembers, n_bands)
    n_iter_ : int
        ADMM iterations on the training data.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> E = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [1.0, 1.0, 0.0]])
    >>> Y = np.array([[0.4, 0.6, 0.0]]) @ E
    >>> SUnSAL(endmembers=E, alpha=0.0, tol=1e-10).fit_transform(Y).round(4)
    array([[0.4, 0.6, 0. ]])
    """

    def __init__(self, endmembers=None, n_endmembers=None, alpha=1e-3,
                 sum_to_one=False, max_iter=1000, tol=1e-6, random_state=None):
        self.endmembers = endmembers
        self.n_endmembers = n_endmembers
        self.alpha = alpha
        self.sum_to_one = sum_to_one
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _solve(self, Y):
        return sunsal(Y, self.endmembers_, alpha=self.alpha,
                      sum_to_one=self.sum_to_one, max_iter=self.max_iter,
                      tol=self.tol)

    def fit(self, Y, y=None):
        """Set the endmembers and run SUnSAL on ``Y`` (for ``n_iter_``).

        Parameters
        ----------
        Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
            Pixel spectra, one row per pixel, or an image cube.
        y : None
            Ignored.

        Returns
        -------
        self : SUnSAL
        """
        Y, _ = self._validate(Y, reset=True)
        self.endmembers_ = self._endmembers(Y)
        self.n_iter_ = self._solve(Y).n_iter
        return self

    def transform(self, Y):
        """Abundances of every pixel.

        Parameters
        ----------
        Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
            Pixel spectra, one row per pixel, or an image cube.

        Returns
        -------
        ndarray of shape (n_pixels, n_endmembers) or (rows, cols, n_endmembers)
        """
        check_is_fitted(self)
        Y, shape = self._validate(Y, reset=False)
        return as_cube(self._solve(Y).abundances, shape)


class RobustSparseUnmixing(_UnmixingBase):
    """Robust unmixing: l2,1 channel fit and learned per-pixel lp sparsity.

    Corrupted channels (water absorption, dead detectors) are down-weighted
    by the l2,1 fit; a guidance map of pixel purity sets each pixel's
    exponent ``p_n`` between ``p`` (pure pixels) and 1 (mixed pixels).
    Supervised when ``endmembers`` is given, blind otherwise (VCA or N-FINDR
    on channels screened for gross errors, then alternating updates). See
    :func:`~sparserecovery.unmixing.robust_sparse_unmixing` for the model.

    ``transform`` reuses the channel weights learned by ``fit`` and the
    fitted endmembers, so pixels of the same scene (or of a scene with the
    same corrupted channels) are unmixed consistently.

    Parameters
    ----------
    n_endmembers : int, optional
        Number of endmembers to learn (blind mode).
    endmembers : array_like of shape (n_endmembers, n_bands), optional
        Known endmembers (supervised mode).
    p : float, default=0.5
        Smallest lp exponent, in (0, 1].
    learn_p : bool, default=True
        Learn per-pixel exponents from the guidance map.
    alpha : float, default=3.0
        Sparsity weight, relative to the estimated noise variance.
    sum_to_one : bool, default=True
        Abundance sum-to-one constraint.
    max_iter : int, default=100
        Outer iterations.
    tol : float, default=1e-4
        Relative change ending the outer loop.
    init : {"vca", "nfindr"}, default="nfindr"
        Endmember initialisation in blind mode.
    random_state : int, RandomState, Generator or None
        Seed of the endmember initialisation.

    Attributes
    ----------
    endmembers_ : ndarray of shape (n_endmembers, n_bands)
        Given or learned endmembers.
    abundances_ : ndarray of shape (n_pixels, n_endmembers)
        Abundances of the training pixels; (rows, cols, n_endmembers) for a
        cube.
    guidance_map_ : ndarray of shape (n_pixels,) or (rows, cols)
        Learned purity map ``h`` in [0, 1] of the training pixels.
    p_ : ndarray of shape (n_pixels,) or (rows, cols)
        Per-pixel exponents ``1 - h (1 - p)``.
    band_weights_ : ndarray of shape (n_bands,)
        Channel weights in [0, 1]; corrupted channels get small weights.
    n_iter_ : int
        Outer iterations run.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecovery.datasets._hyperspectral import make_hyperspectral_scene
    >>> scene = make_hyperspectral_scene(3, (20, 20), n_bands=60, snr_db=30,
    ...                                  outlier_bands=0.1, random_state=0)
    >>> model = RobustSparseUnmixing(endmembers=scene.endmembers).fit(scene.Y)
    >>> model.abundances_.shape, model.guidance_map_.shape
    ((20, 20, 3), (20, 20))
    >>> err = np.sqrt(np.mean((model.abundances_ - scene.abundances) ** 2))
    >>> bool(err < 0.03)
    True
    >>> bool(model.band_weights_[scene.outlier_bands].max() < 0.2)
    True
    """

    def __init__(self, n_endmembers=None, endmembers=None, p=0.5, learn_p=True,
                 alpha=3.0, sum_to_one=True, max_iter=100, tol=1e-4,
                 init="nfindr", random_state=None):
        self.n_endmembers = n_endmembers
        self.endmembers = endmembers
        self.p = p
        self.learn_p = learn_p
        self.alpha = alpha
        self.sum_to_one = sum_to_one
        self.max_iter = max_iter
        self.tol = tol
        self.init = init
        self.random_state = random_state

    def _run(self, Y, shape, endmembers, band_weights):
        return robust_sparse_unmixing(
            Y, endmembers, n_endmembers=self.n_endmembers, p=self.p,
            learn_p=self.learn_p, alpha=self.alpha, sum_to_one=self.sum_to_one,
            band_weights=band_weights, spatial_shape=shape,
            max_iter=self.max_iter, tol=self.tol, init=self.init,
            random_state=self.random_state,
        )

    def fit(self, Y, y=None):
        """Learn abundances, channel weights, guidance map (and endmembers).

        Parameters
        ----------
        Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
            A cube also gives the spatial neighbourhoods of the guidance map.
        y : None
            Ignored.

        Returns
        -------
        self : RobustSparseUnmixing
        """
        Y, shape = self._validate(Y, reset=True)
        E = None
        if self.endmembers is not None:
            E = check_endmembers(self.endmembers, Y.shape[1])
        elif self.n_endmembers is None:
            raise ValueError("n_endmembers must be given when endmembers is None")
        res = self._run(Y, shape, E, None)
        self.endmembers_ = res.endmembers
        self.band_weights_ = res.info["band_weights"]
        self.abundances_ = as_cube(res.abundances, shape)
        self.guidance_map_ = as_cube(res.info["guidance_map"], shape)
        self.p_ = as_cube(res.info["p"], shape)
        self.n_iter_ = res.n_iter
        return self

    def transform(self, Y):
        """Abundances with the fitted endmembers and channel weights.

        Parameters
        ----------
        Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
            Pixel spectra, one row per pixel, or an image cube.

        Returns
        -------
        ndarray of shape (n_pixels, n_endmembers) or (rows, cols, n_endmembers)
        """
        check_is_fitted(self)
        Y, shape = self._validate(Y, reset=False)
        res = self._run(Y, shape, self.endmembers_, self.band_weights_)
        return as_cube(res.abundances, shape)
