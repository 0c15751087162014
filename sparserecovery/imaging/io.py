"""Read images and k-space from common formats; write arrays and PNG figures.

``.npy`` and ``.npz`` use NumPy and ``.mat`` uses :func:`scipy.io.loadmat`;
DICOM (pydicom), NIfTI (nibabel) and PNG (matplotlib) are imported only when
such a file is read or written, and a missing package raises an
:class:`ImportError` naming the ``imaging`` extra.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["read_array", "save_png", "write_npy"]

_EXTRA = "install the imaging extra: `pip install sparserecovery[imaging]`"


def _lazy(module, package):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"reading this file needs {package}; {_EXTRA}") from exc


def _kind(path):
    name = path.name.lower()
    if path.is_dir():
        return "dicom-dir"
    for suffix, kind in (
        (".nii.gz", "nifti"), (".nii", "nifti"), (".npy", "npy"), (".npz", "npz"),
        (".mat", "mat"), (".dcm", "dicom"), (".dicom", "dicom"), (".ima", "dicom"),
    ):
        if name.endswith(suffix):
            return kind
    with open(path, "rb") as fh:  # DICOM files without extension
        head = fh.read(132)
    if len(head) == 132 and head[128:132] == b"DICM":
        return "dicom"
    raise ValueError(
        f"cannot tell the format of {str(path)!r}: expected .npy, .npz, .mat, "
        ".dcm, .nii or .nii.gz (or a folder of DICOM files)"
    )


def _pick(mapping, key, path, what):
    names = [k for k in mapping if not str(k).startswith("__")]
    if key is not None:
        if key not in mapping:
            raise KeyError(f"{what} {path!r} has no array {key!r}; it holds {names}")
        return mapping[key]
    arrays = [k for k in names if isinstance(mapping[k], np.ndarray)]
    if len(arrays) != 1:
        raise ValueError(
            f"{what} {path!r} holds {len(arrays)} arrays {arrays}; choose one "
            "with key="
        )
    return mapping[arrays[0]]


def _dicom_pixels(ds):
    arr = np.asarray(ds.pixel_array, dtype=np.float64)
    slope = float(getattr(ds, "RescaleSlope", 1.0) or 1.0)
    intercept = float(getattr(ds, "RescaleIntercept", 0.0) or 0.0)
    return arr * slope + intercept


def read_array(path, *, key=None):
    """Read an image, volume or k-space array from a file.

    Parameters
    ----------
    path : str or path-like
        ``.npy``; ``.npz`` or ``.mat`` (the array named ``key``, or the only
        array in the file); DICOM (``.dcm`` or a file with the ``DICM``
        preamble; rescale slope and intercept applied); a folder of DICOM
        files (stacked along the first axis, ordered by ``InstanceNumber``);
        NIfTI (``.nii``, ``.nii.gz``, as floating point data).
    key : str, optional
        Name of the array inside ``.npz`` / ``.mat`` files.

    Returns
    -------
    ndarray
        The data (real or complex, as stored).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the format is unknown or the file holds several arrays and no
        ``key`` was given.
    ImportError
        If reading DICOM / NIfTI needs a package that is not installed.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "x.npz")
    ...     np.savez(p, image=np.eye(2))
    ...     read_array(p)
    array([[1., 0.],
           [0., 1.]])
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like, got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    kind = _kind(path)
    try:
        return _read(path, kind, key)
    except (KeyError, ImportError):
        raise
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"cannot read {str(path)!r} as {kind}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file
        raise ValueError(
            f"cannot read {str(path)!r} as {kind}: the file is corrupt or "
            f"truncated ({type(exc).__name__}: {exc})"
        ) from exc


def _check_npy_header(fh, available, where):
    """Refuse a .npy stream declaring more data than it holds.

    Catches truncated files and hostile headers declaring huge shapes before
    anything is allocated; object (pickled) arrays are refused too.
    """
    fmt = np.lib.format
    version = fmt.read_magic(fh)
    if version == (1, 0):
        shape, _, dtype = fmt.read_array_header_1_0(fh)
    else:
        shape, _, dtype = fmt.read_array_header_2_0(fh)
    if dtype.hasobject:
        raise ValueError(f"{where} holds Python objects (pickled data), refused")
    need = int(np.prod(shape, dtype=object)) * dtype.itemsize
    have = available - fh.tell()
    if need > have:
        raise ValueError(
            f"{where} declares shape {shape} of {dtype} ({need} bytes) but holds "
            f"{have} bytes of data: truncated or corrupt"
        )


def _read(path, kind, key):
    if kind == "npy":
        with open(path, "rb") as fh:
            _check_npy_header(fh, path.stat().st_size, repr(str(path)))
        return np.load(path, allow_pickle=False)
    if kind == "npz":
        import zipfile

        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".npy"):
                    with zf.open(info) as fh:
                        _check_npy_header(
                            fh, info.file_size, f"{str(path)!r}:{info.filename}"
                        )
        with np.load(path, allow_pickle=False) as data:
            return np.asarray(_pick(dict(data), key, str(path), "npz file"))
    if kind == "mat":
        import scipy.io

        return np.asarray(_pick(scipy.io.loadmat(path), key, str(path), "mat file"))
    if kind == "nifti":
        nib = _lazy("nibabel", "nibabel")
        return np.asarray(nib.load(str(path)).get_fdata())
    pydicom = _lazy("pydicom", "pydicom")
    if kind == "dicom":
        return _dicom_pixels(pydicom.dcmread(str(path)))
    slices = []
    for f in sorted(path.iterdir()):
        if not f.is_file():
            continue
        try:
            ds = pydicom.dcmread(str(f))
        except Exception:  # noqa: BLE001 - skip non-DICOM files in the folder
            continue
        if "PixelData" in ds:
            slices.append((int(getattr(ds, "InstanceNumber", 0) or 0), f.name, ds))
    if not slices:
        raise ValueError(f"folder {str(path)!r} holds no DICOM image")
    slices.sort(key=lambda s: (s[0], s[1]))
    return np.stack([_dicom_pixels(ds) for _, _, ds in slices])


def write_npy(path, array):
    """Write an array to a ``.npy`` file (the suffix is added if missing).

    Parameters
    ----------
    path : str or path-like
        Destination.
    array : array_like
        The data.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_npy(os.path.join(d, "out"), np.arange(3))
    ...     p.name, read_array(p).tolist()
    ('out.npy', [0, 1, 2])
    """
    path = Path(path)
    array = np.asarray(array)
    if array.dtype.hasobject:
        # refused before the file is created: no partial output
        raise ValueError(f"array must be numeric, got dtype {array.dtype}")
    if path.suffix != ".npy":
        path = path.with_name(path.name + ".npy")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array, allow_pickle=False)
    return path


def save_png(path, images, *, titles=None, vmax=None, dpi=100):
    """Save one image, or several side by side, as a grey-scale PNG.

    Complex images are shown by their magnitude.

    Parameters
    ----------
    path : str or path-like
        Destination (``.png`` is added if missing).
    images : array_like or sequence of array_like
        A 2-D image, or a list of 2-D images shown left to right.
    titles : sequence of str, optional
        One title per image.
    vmax : float, optional
        Upper end of the grey scale (default: the maximum magnitude of the
        first image; all panels share it).
    dpi : int, default=100
        Resolution.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ImportError
        Without matplotlib (install the ``imaging`` extra).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = save_png(os.path.join(d, "a.png"), [np.eye(4), np.ones((4, 4))],
    ...                  titles=["eye", "ones"])
    ...     p.stat().st_size > 0
    True
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"writing PNG files needs matplotlib; {_EXTRA}") from exc
    if isinstance(images, np.ndarray) and images.ndim == 2:
        images = [images]
    panels = [np.abs(np.asarray(im)) for im in images]
    if not panels or any(p.ndim != 2 for p in panels):
        raise ValueError("images must be a 2-D array or a sequence of 2-D arrays")
    if titles is not None and len(titles) != len(panels):
        raise ValueError(f"got {len(titles)} titles for {len(panels)} images")
    if vmax is None:
        vmax = float(panels[0].max()) or 1.0
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(panels)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.8), squeeze=False)
    for i, (ax, p) in enumerate(zip(axes[0], panels, strict=True)):
        ax.imshow(p, cmap="gray", vmin=0.0, vmax=vmax)
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path
