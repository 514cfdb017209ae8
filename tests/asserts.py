"""Comparisons of float results with tolerances the dtype allows."""

import numpy as np


def _eps(*arrays) -> float:
    """Machine epsilon of the least precise float among ``arrays`` (0 if none)."""
    dtypes = [np.asarray(a).dtype for a in arrays]
    floats = [np.finfo(d).eps for d in dtypes if d.kind == "f"]
    return float(max(floats)) if floats else 0.0


def assert_allclose(actual, desired, *, rtol=None, atol=None, err_msg=""):
    """``numpy.testing.assert_allclose`` with tolerances from the dtypes.

    As scikit-learn's helper does: float32 results get a relative tolerance
    of about 1e-4 (a thousand ulps: sums in another order, another batch
    shape, another kernel), float64 ones 1e-7; and an absolute tolerance of
    ten ulps of 1, for values near zero. Use exact equality only where the
    code promises bit-identity.
    """
    eps = _eps(actual, desired)
    if rtol is None:
        rtol = max(1e-7, 1e3 * eps)
    if atol is None:
        atol = 10 * eps
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=err_msg)
