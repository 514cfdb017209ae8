"""Many fits at once: how many threads each fitting process may use.

Grid search and cross-validation run one fit per joblib worker: processes of
the ``loky`` backend on one machine, or Dask workers anywhere through
joblib's ``dask`` backend. TensorFlow, XLA (the JAX backend) and the BLAS
libraries each start a thread per core in every process, so a few workers on
a machine make far more threads than it has cores, and all run slower.
:func:`thread_limits` gives the environment that holds each process to its
share; it must be in place before the process first runs TensorFlow or JAX,
which is why it is an environment rather than a function to call.

On a Dask cluster::

    from dask.distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, env=thread_limits(1))
    with Client(cluster), joblib.parallel_backend("dask"):
        search.fit(X, y)

For ``dask worker`` processes started by hand, export the same variables in
their shell (``python -m skfashion.parallel 1`` prints them). For the loky
backend, :func:`limited_threads` sets them while the workers start.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["limited_threads", "thread_limits"]


def thread_limits(n_threads: int = 1) -> dict[str, str]:
    """Environment variables that hold a process to ``n_threads`` threads.

    Parameters
    ----------
    n_threads : int, default=1
        Threads for TensorFlow's and XLA's operations and for BLAS.

    Returns
    -------
    env : dict of str to str
        For ``LocalCluster(env=...)``, a worker's shell, or
        :func:`limited_threads`.

    Examples
    --------
    >>> from skfashion.parallel import thread_limits
    >>> thread_limits(2)["TF_NUM_INTRAOP_THREADS"]
    '2'
    """
    if not isinstance(n_threads, int) or isinstance(n_threads, bool) or n_threads < 1:
        raise ValueError(f"n_threads must be a positive integer, got {n_threads!r}")
    n = str(n_threads)
    return {
        "TF_NUM_INTRAOP_THREADS": n,
        "TF_NUM_INTEROP_THREADS": "1",
        "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false",  # JAX on CPU
        "OMP_NUM_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
    }


@contextlib.contextmanager
def limited_threads(n_threads: int = 1):
    """Set :func:`thread_limits` in this process's environment for a while.

    Processes started meanwhile (joblib's loky workers) inherit it; this
    process keeps whatever threads its TensorFlow already has.

    Examples
    --------
    >>> import os
    >>> from skfashion.parallel import limited_threads
    >>> with limited_threads(1):
    ...     os.environ["OMP_NUM_THREADS"]
    '1'
    """
    limits = thread_limits(n_threads)
    before = {name: os.environ.get(name) for name in limits}
    os.environ.update(limits)
    try:
        yield limits
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


if __name__ == "__main__":  # pragma: no cover - prints a shell's exports
    n_threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for name, value in thread_limits(n_threads).items():
        print(f"export {name}='{value}'")
