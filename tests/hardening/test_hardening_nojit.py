"""``NUMBA_DISABLE_JIT=1`` gives the answers of the compiled kernels.

The pure-Python execution of the kernels (fwht, proxes, transport) is run in
a subprocess with the JIT disabled and compared with the compiled run in
this process.
"""

import os
import subprocess
import sys

import numpy as np
from _nojit_cases import compute

HERE = os.path.dirname(__file__)


def test_kernels_without_jit_match(tmp_path):
    out = tmp_path / "nojit.npz"
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "OMP_NUM_THREADS": "1"}
    subprocess.run(
        [sys.executable, os.path.join(HERE, "_nojit_cases.py"), str(out)],
        check=True, env=env, timeout=600, capture_output=True,
    )
    jitted = compute()
    with np.load(out) as plain:
        assert sorted(plain.files) == sorted(jitted)
        for name, ref in jitted.items():
            rtol = 1e-5 if name == "fwht32" else 1e-9
            np.testing.assert_allclose(plain[name], ref, rtol=rtol,
                                       atol=1e-12 * max(1.0, np.abs(ref).max()),
                                       err_msg=name)
