"""Image reconstruction: compressed-sensing MRI and sparse-view CT.

MRI
    :class:`FourierSampling` (centered orthonormal FFT with a sampling mask,
    2-D, 3-D and 2-D + time) and :class:`Sense` (multi-coil) operators;
    sampling masks; :func:`reconstruct_mri` (wavelet-l1 or TV) and
    :func:`reconstruct_dynamic_mri` (L+S, an RDLEDM-style model); simulation
    of coil maps, k-space and a cardiac phantom.
CT
    :class:`Radon` (parallel beam) and :class:`FanBeam` (flat or arc
    detector), exact adjoints, numba; :func:`fbp`,
    :func:`sart`, :func:`sirt` and :func:`reconstruct_ct` (TV or wavelet by
    Chambolle-Pock); sinogram simulation with Gaussian or photon-count noise;
    DICOM samples.
Shared
    Phantoms (Shepp-Logan, ellipses, a dynamic phantom), metrics (PSNR, SSIM,
    NMSE) and file I/O (.npy, .npz, .mat, DICOM, NIfTI, PNG).
"""

from ._ct_sim import (
    MU_WATER,
    counts_to_sinogram,
    hu_to_mu,
    load_ct_sample,
    read_dicom_ct,
    simulate_counts,
    simulate_sinogram,
)
from ._fanbeam import FanBeam
from ._fourier import FourierSampling, Sense
from ._masks import poisson_disc_mask, variable_density_lines, variable_density_mask
from ._mri_sim import add_noise, cardiac_phantom, coil_maps, simulate_kspace
from ._radon import Radon, uniform_angles
from .ct import CTResult, default_lam, fbp, noise_level, reconstruct_ct, sart, sirt
from .dynamic_mri import reconstruct_dynamic_mri
from .io import read_array, save_png, write_npy
from .metrics import nmse, psnr, ssim
from .mri import MRIResult, reconstruct_mri
from .phantoms import (
    SHEPP_LOGAN_ELLIPSES,
    dynamic_phantom,
    ellipse_phantom,
    random_ellipses,
    shepp_logan,
)

__all__ = [
    "CTResult",
    "FanBeam",
    "FourierSampling",
    "MRIResult",
    "MU_WATER",
    "Radon",
    "SHEPP_LOGAN_ELLIPSES",
    "Sense",
    "add_noise",
    "cardiac_phantom",
    "coil_maps",
    "counts_to_sinogram",
    "default_lam",
    "dynamic_phantom",
    "ellipse_phantom",
    "fbp",
    "hu_to_mu",
    "load_ct_sample",
    "nmse",
    "noise_level",
    "poisson_disc_mask",
    "psnr",
    "random_ellipses",
    "read_array",
    "read_dicom_ct",
    "reconstruct_ct",
    "reconstruct_dynamic_mri",
    "reconstruct_mri",
    "sart",
    "save_png",
    "shepp_logan",
    "simulate_counts",
    "simulate_kspace",
    "simulate_sinogram",
    "sirt",
    "ssim",
    "uniform_angles",
    "variable_density_lines",
    "variable_density_mask",
    "write_npy",
]
