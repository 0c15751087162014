"""Orthogonal discrete wavelet transform (PyWavelets) as an operator."""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pywt

from ._base import LinearOperator, _as_shape

__all__ = ["Wavelet"]


class Wavelet(LinearOperator):
    """n-D orthogonal wavelet transform with an exact adjoint.

    The input is zero-padded to a multiple of ``2**level`` along every
    transformed axis and transformed with periodic boundary handling, which
    makes the transform orthonormal on the padded array. The coefficients
    are returned packed in one array (``pywt.coeffs_to_array`` layout). The
    adjoint is the inverse transform followed by cropping, so
    ``W.H @ (W @ x) == x`` exactly (to rounding).

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the input arrays.
    wavelet : str, default="db4"
        Name of an orthogonal PyWavelets wavelet ("haar", "dbN", "symN",
        "coifN").
    level : int, optional
        Number of decomposition levels (default: the largest level for which
        every transformed axis keeps at least one filter length).
    axes : tuple of int, optional
        Axes to transform (default: all).

    Examples
    --------
    >>> W = Wavelet((8, 8), wavelet="haar", level=2)
    >>> x = np.arange(64.0).reshape(8, 8)
    >>> np.allclose(W.H @ (W @ x), x)
    True
    >>> round(float(np.linalg.norm(W @ x)), 6) == round(float(np.linalg.norm(x)), 6)
    True
    """

    def __init__(self, shape, wavelet="db4", level=None, axes=None):
        shape = _as_shape(shape)
        if len(shape) == 0 or any(s < 1 for s in shape):
            raise ValueError(f"shape must have positive lengths, got {shape}")
        try:
            wav = pywt.Wavelet(wavelet)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"wavelet must be a PyWavelets wavelet name, got {wavelet!r}"
            ) from exc
        if not wav.orthogonal:
            raise ValueError(
                f"wavelet must be orthogonal for an exact adjoint, got {wavelet!r}"
            )
        nd = len(shape)
        axes = tuple(range(nd)) if axes is None else tuple(a % nd for a in axes)
        if level is None:
            level = min(pywt.dwt_max_level(shape[a], wav.dec_len) for a in axes)
            level = max(level, 1)
        if (
            isinstance(level, bool)
            or not isinstance(level, (int, np.integer))
            or level < 1
        ):
            raise ValueError(f"level must be a positive int, got {level!r}")
        self.wavelet = wav
        self.level = int(level)
        self.axes = axes
        block = 2**self.level
        padded = list(shape)
        for a in axes:
            padded[a] = -(-shape[a] // block) * block
        self.padded_shape = tuple(padded)
        # Levels beyond pywt's "useful" level are still exact with
        # periodization; only silence its boundary-effect warning then.
        self._quiet = any(
            self.level > pywt.dwt_max_level(padded[a], wav.dec_len) for a in axes
        )
        with self._silence():
            coeffs = pywt.wavedecn(
                np.zeros(self.padded_shape),
                wav,
                mode="periodization",
                level=self.level,
                axes=axes,
            )
        arr, self._slices = pywt.coeffs_to_array(coeffs, axes=axes)
        super().__init__(shape, arr.shape, np.float64)

    @contextmanager
    def _silence(self):
        if not self._quiet:
            yield
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            yield

    def _pad(self, x):
        if x.shape == self.padded_shape:
            return x
        out = np.zeros(self.padded_shape, dtype=x.dtype)
        out[tuple(slice(0, s) for s in x.shape)] = x
        return out

    def _forward_real(self, x):
        with self._silence():
            coeffs = pywt.wavedecn(
                self._pad(x),
                self.wavelet,
                mode="periodization",
                level=self.level,
                axes=self.axes,
            )
        return pywt.coeffs_to_array(coeffs, axes=self.axes)[0]

    def _inverse_real(self, c):
        coeffs = pywt.array_to_coeffs(c, self._slices, output_format="wavedecn")
        with self._silence():
            x = pywt.waverecn(
                coeffs, self.wavelet, mode="periodization", axes=self.axes
            )
        return x[tuple(slice(0, s) for s in self.ishape)]

    def _matvec(self, x):
        if np.iscomplexobj(x):
            return self._forward_real(x.real) + 1j * self._forward_real(x.imag)
        return self._forward_real(x)

    def _rmatvec(self, y):
        if np.iscomplexobj(y):
            return self._inverse_real(y.real) + 1j * self._inverse_real(y.imag)
        return self._inverse_real(y)
