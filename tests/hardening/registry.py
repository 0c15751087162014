"""Which hardening test covers each public name (issue 14 inventory).

A public name is covered when

- a :class:`_specs.Spec` (array corruption tests) or a
  ``test_hardening_params.PARAMS`` row (hostile scalar parameters) lists it
  in its ``covers`` -- collected automatically; or
- :data:`TESTS` maps it to hardening test functions
  (``"module::function"``, checked to exist by test_hardening_inventory.py);
  or
- :data:`EXEMPT` gives the reason it needs no hardening test of its own.

test_hardening_inventory.py fails for any public name in none of these.
"""

TESTS = {
    "utils.njit": ("test_hardening_nojit::test_kernels_without_jit_match",),
    "utils.prange": ("test_hardening_nojit::test_kernels_without_jit_match",),
    "imaging.read_array": (
        "test_hardening_loaders::test_read_array_corrupt_files",
        "test_hardening_loaders::test_read_array_no_pickle",
        "test_hardening_loaders::test_read_array_wrong_path",
    ),
    "imaging.read_dicom_ct": ("test_hardening_loaders::test_read_dicom_ct_corrupt",),
    "imaging.write_npy": ("test_hardening_loaders::test_write_npy_bad_input",),
    "imaging.save_png": ("test_hardening_loaders::test_save_png_bad_input",),
    "imaging.load_ct_sample": ("test_hardening_loaders::test_load_ct_sample_bad_args",),
    "compare.discover_suites": ("test_hardening_loaders::test_compare_bad_paths",),
    "compare.load_suite": ("test_hardening_loaders::test_compare_bad_paths",),
    "compare.run_grid": ("test_hardening_loaders::test_cli_compare_bad_args",),
    "compare.write_outputs": ("test_hardening_loaders::test_cli_compare_bad_args",),
    "compare.summarize": (
        "test_hardening_loaders::test_compare_summaries_of_failures",
    ),
    "compare.markdown_table": (
        "test_hardening_loaders::test_compare_summaries_of_failures",
    ),
    "transport.sinkhorn_newton_sparse": (
        "test_hardening_extremes::test_sns_small_reg_badly_scaled_cost",
        "test_hardening_extremes::test_ot_all_zero_and_degenerate",
    ),
    "solvers.fista": ("test_hardening_extremes::test_solvers_max_iter_zero_one",),
    "privacy.LDPSparseRegression": (
        "test_hardening_extremes::test_ldp_all_zero_and_single_sample",
    ),
    "nn.essential_sparsity_curve": (
        "test_hardening_nn::test_essential_sparsity_curve_bad_args",
        "test_hardening_nn::test_essential_sparsity_curve_edge_values",
        "test_hardening_nn::test_essential_sparsity_curve_property",
    ),
}

EXEMPT = {
    "nn.EssentialSparsityResult": "result container of essential_sparsity_curve",
    "base.ConvergenceWarning": "a warning class: no arguments to harden",
    "base.SolverResult": "frozen result container; every solver result is "
    "checked for finiteness by the array tests",
    "compare.Suite": "result container built by load_suite (hardened)",
    "compare.machine_description": "takes no arguments; exercised by tests/compare",
    "compare.run_task": "one case of run_grid, which is hardened through the "
    "CLI; its inputs are suite files written by the project",
    "imaging.MU_WATER": "a constant (attenuation of water)",
    "imaging.SHEPP_LOGAN_ELLIPSES": "a constant table of ellipse parameters",
    "privacy.NLDPMessage": "message container; built by LDPClient (hardened)",
    "privacy.GradientMessage": "message container; built by LDPClient (hardened)",
    "privacy.LDPRegressionResult": "result container; checked for finiteness "
    "through LDPSparseRegression",
}
