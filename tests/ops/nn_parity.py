"""Helpers for the ``ops.nn`` / ``ops.math`` / ``ops.image`` parity tests: those of ``core_checks`` (hypothesis
arrays of a dtype, a comparison of our result with Keras 3's: same dtype, shape and values within round-off), with
float64 compared at float32's tolerance and ``rtol`` / ``atol`` arguments."""

from core_checks import arrays, dtype_name, shapes, to_np
from core_checks import assert_matches as _assert_matches

__all__ = ["RTOL", "arrays", "assert_matches", "dtype_name", "shapes", "to_np"]

RTOL = {"float16": 1e-3, "bfloat16": 1e-2, "float32": 1e-5, "float64": 1e-5, "complex64": 1e-5, "complex128": 1e-5}


def assert_matches(ours, theirs, rtol=None, atol=None, check_dtype=True):
    """``ours`` (a tensor or a tuple/list of them) equals Keras's ``theirs``: dtype, shape and values."""
    _assert_matches(ours, theirs, rtol, check_dtype, atol=atol, tols=RTOL)
