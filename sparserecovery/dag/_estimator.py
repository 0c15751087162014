"""The :class:`CoLiDE` estimator (validation and fitted attributes only)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import validate_data

from ._colide import colide

__all__ = ["CoLiDE"]


class CoLiDE(BaseEstimator):
    """Linear DAG structure learning with concomitant noise estimation.

    CoLiDE (Saboksayr, Mateos and Tepper, ICLR 2024) fits a linear structural
    equation model ``X = X W + E`` whose weighted adjacency matrix ``W`` is a
    DAG. It minimises a convex score in which the noise scale is estimated
    jointly with ``W`` (one scale for ``variance="equal"``, CoLiDE-EV; one per
    variable for ``"non-equal"``, CoLiDE-NV), plus ``alpha * |W|_1``, under
    DAGMA's log-det acyclicity function ``h(W; s) = -log det(sI - W o W) +
    d log s`` followed along a central path of decreasing ``(mu, s)``. With
    the score normalised by the estimated noise level and the data by a
    global scale, the same ``alpha`` works across noise levels. See
    :func:`~sparserecovery.dag.colide` for the algorithm.

    Parameters
    ----------
    variance : {"equal", "non-equal"}, default="equal"
        Noise model: equal variances (EV) or one variance per variable
        (NV, heteroscedastic data).
    alpha : float, default=0.05
        l1 weight; of the order of ``sqrt(log d / n)``.
    threshold : float, default=0.3
        Edges with ``|w| <= threshold`` are dropped before the learned graph
        is pruned to a DAG (see :func:`~sparserecovery.dag.prune_to_dag`).
    s : tuple of float, default=None
        Log-det parameter per stage; its length is the number of stages.
        ``None`` means ``(1.0, 0.9, 0.8, 0.7)`` for ``variance="equal"`` and
        ``(1.0, 0.9, 0.8, 0.7, 0.6)`` for ``"non-equal"`` (see
        :func:`~sparserecovery.dag.colide`).
    mu_init : float, default=1.0
        Weight of the score in the first stage.
    mu_factor : float, default=0.1
        Factor applied to the score weight after each stage.
    warm_iter : int, default=20000
        Adam iteration budget of every stage but the last.
    max_iter : int, default=70000
        Adam iteration budget of the last stage; a
        :class:`~sklearn.exceptions.ConvergenceWarning` is issued when it is
        reached before ``tol``.
    learning_rate : float, default=3e-4
        Adam step size (halved whenever a step leaves the domain of ``h``,
        and whenever the objective rose between two checkpoints).
    checkpoint : int, default=1000
        Iterations between two evaluations of the objective.
    tol : float, default=1e-6
        Relative change of the objective between checkpoints ending a stage.
    rescale : bool, default=True
        Divide the data by its smallest column standard deviation first (the
        DAG is unchanged by a global rescaling), so that ``alpha`` does not
        depend on the units or the noise level: ``fit(c * X)`` learns the
        same graph as ``fit(X)``. ``False`` reproduces the paper's raw
        objective, whose score scales like the data while ``alpha`` and the
        acyclicity term do not (a deliberate departure; measurements in
        :func:`~sparserecovery.dag.colide`).
    init : {"zeros", "equal-variance", "best"}, default=None
        Start of the central path: ``"zeros"`` is the paper's (from
        ``W = 0``); ``"equal-variance"`` (CoLiDE-NV only) runs the
        equal-variance score in every stage but the last; ``"best"``
        (CoLiDE-NV only) runs both and keeps the lower final CoLiDE-NV
        objective. ``None`` means ``"zeros"`` for ``variance="equal"`` and
        ``"best"`` for ``"non-equal"`` (measurements in
        :func:`~sparserecovery.dag.colide`).
    n_jobs : int, default=None
        Threads for the two starts of ``init="best"``: ``None`` one per start
        (up to the number of CPUs), ``-1`` all CPUs, ``1`` one after the
        other. Below 256 variables the result does not depend on it (nor on
        the BLAS thread count); see :func:`~sparserecovery.dag.colide`.
    refine : bool, default=True
        After the central path, search the node orders near the learned DAG
        for the lowest CoLiDE score restricted to DAGs (one square-root
        lasso per node for ``"non-equal"``, one lasso at the common scale for
        ``"equal"``, both with penalty ``refine_alpha``) and report that
        DAG. ``False`` is the paper's procedure (threshold the continuous
        solution, then prune to a DAG). See
        :func:`~sparserecovery.dag.colide` for the measurements.
    refine_alpha : float, default=0.02
        l1 weight of the per-node fits of ``refine``.
    verbose : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    adjacency_ : ndarray of shape (n_features, n_features)
        Weighted adjacency matrix of the learned DAG; ``adjacency_[i, j]`` is
        the weight of the edge ``i -> j``. Always acyclic.
    weights_ : ndarray of shape (n_features, n_features)
        The continuous solution of the central path, before the order search
        (``refine``), thresholding and pruning.
    order_ : ndarray of shape (n_features,) or None
        The node order found by ``refine`` (parents before children);
        ``None`` with ``refine=False``.
    noise_scale_ : float or ndarray of shape (n_features,)
        Estimated noise standard deviation: a float for ``"equal"``, one per
        variable for ``"non-equal"``.
    n_iter_ : int
        Total number of Adam iterations (over all starts).
    init_ : str
        The start whose solution was kept (``"zeros"`` or
        ``"equal-variance"``).
    objective_history_ : ndarray of shape (n_checkpoints,)
        Objective of the current stage at every checkpoint.
    n_features_in_ : int
        Number of variables seen during :meth:`fit`.
    result_ : CoLiDEResult
        The full result of :func:`~sparserecovery.dag.colide` (iterations
        per stage, ``s`` used, timings: ``time`` and ``refine_time``, ...).

    Notes
    -----
    A single variable (``n_features == 1``) gives the empty graph and its
    standard deviation as noise scale. Constant columns, NaN or infinite
    values and fewer than 2 samples raise ``ValueError``.

    Examples
    --------
    A chain ``x0 -> x1 -> x2`` with unit noise variances:

    >>> import numpy as np
    >>> from sparserecovery.dag import CoLiDE
    >>> rng = np.random.default_rng(0)
    >>> E = rng.standard_normal((1000, 3))
    >>> x0 = E[:, 0]
    >>> x1 = 1.5 * x0 + E[:, 1]
    >>> x2 = -x1 + E[:, 2]
    >>> model = CoLiDE().fit(np.c_[x0, x1, x2])
    >>> model.adjacency_.round(1)
    array([[ 0. ,  1.5,  0. ],
           [ 0. ,  0. , -1. ],
           [ 0. ,  0. ,  0. ]])
    >>> round(model.noise_scale_, 1)
    1.0
    """

    def __init__(
        self,
        variance="equal",
        alpha=0.05,
        threshold=0.3,
        s=None,
        mu_init=1.0,
        mu_factor=0.1,
        warm_iter=20000,
        max_iter=70000,
        learning_rate=3e-4,
        checkpoint=1000,
        tol=1e-6,
        rescale=True,
        init=None,
        n_jobs=None,
        refine=True,
        refine_alpha=0.02,
        verbose=False,
    ):
        self.variance = variance
        self.alpha = alpha
        self.threshold = threshold
        self.s = s
        self.mu_init = mu_init
        self.mu_factor = mu_factor
        self.warm_iter = warm_iter
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.checkpoint = checkpoint
        self.tol = tol
        self.rescale = rescale
        self.init = init
        self.n_jobs = n_jobs
        self.refine = refine
        self.refine_alpha = refine_alpha
        self.verbose = verbose

    def fit(self, X, y=None):
        """Learn the DAG from observations.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Observations, one variable per column.
        y : None
            Ignored.

        Returns
        -------
        self : CoLiDE
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        result = colide(
            X,
            variance=self.variance,
            alpha=self.alpha,
            threshold=self.threshold,
            s=self.s,
            mu_init=self.mu_init,
            mu_factor=self.mu_factor,
            warm_iter=self.warm_iter,
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            checkpoint=self.checkpoint,
            tol=self.tol,
            rescale=self.rescale,
            init=self.init,
            n_jobs=self.n_jobs,
            refine=self.refine,
            refine_alpha=self.refine_alpha,
            verbose=self.verbose,
        )
        self.adjacency_ = result.adjacency
        self.weights_ = result.weights
        self.noise_scale_ = result.noise_scale
        self.n_iter_ = result.n_iter
        self.init_ = result.init
        self.order_ = result.order
        self.objective_history_ = result.history
        self.result_ = result
        return self
