"""Many fits and many pictures at once: threads per process, and Dask.

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

:func:`predict_pictures` reads many pictures on a Dask cluster, each worker
loading the model once (``skfashion predict --scheduler ADDRESS``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

__all__ = ["limited_threads", "predict_pictures", "thread_limits"]


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


@functools.cache
def _worker_model(spec: str | None):
    """The model of ``spec`` in this worker, loaded once."""
    from .zoo import reading_model

    return reading_model(spec)


def _read_chunk(paths: list[str], spec: str | None, as_: str, top: int) -> list:
    """The readings of ``paths``, on a worker."""
    from .reading import read_pictures

    return list(read_pictures(paths, _worker_model(spec), as_=as_, top=top))


def predict_pictures(
    paths,
    model: str | None = None,
    *,
    client,
    chunk_size: int = 64,
    as_: str = "auto",
    top: int = 3,
):
    """Read many pictures on the workers of a Dask cluster.

    The paths are sent in chunks; each worker loads the model once and reads
    its chunks as :func:`skfashion.reading.read_pictures` does (decoding ahead,
    a picture that cannot be read an error reading). The workers must see
    the same files, at the same paths.

    Parameters
    ----------
    paths : sequence of str or path-like
    model : str or None, default=None
        A shipped model's name, an ONNX file of :func:`skfashion.export`, or a
        model file of :func:`skfashion.save` (a path the workers can read);
        None: the shipped readers, as ``read_picture(picture)``.
    client : dask.distributed.Client
    chunk_size : int, default=64
        Pictures per task.
    as_, top
        As :func:`skfashion.read_picture`'s.

    Yields
    ------
    reading : PictureReading
        One per path, in order, as the chunks come back.

    Examples
    --------
    >>> from dask.distributed import Client, LocalCluster
    >>> from skfashion.parallel import predict_pictures
    >>> from skfashion.zoo import example_picture
    >>> with LocalCluster(n_workers=1, processes=False) as cluster, \\
    ...         Client(cluster) as client:
    ...     readings = list(predict_pictures([example_picture("grid")], client=client))
    >>> readings[0].read_as
    'canvas'
    """
    paths = [str(path) for path in paths]
    spec = None if model is None else str(model)
    chunks = [paths[i : i + chunk_size] for i in range(0, len(paths), chunk_size)]
    futures = client.map(_read_chunk, chunks, spec=spec, as_=as_, top=top, pure=False)
    for future in futures:
        yield from future.result()
        future.release()


if __name__ == "__main__":  # pragma: no cover - prints a shell's exports
    n_threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for name, value in thread_limits(n_threads).items():
        print(f"export {name}='{value}'")
