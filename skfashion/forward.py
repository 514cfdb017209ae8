"""A network's forward pass over many images, for any network: no Keras here.

Keras models and the exported networks of :mod:`skfashion.exported` are run
alike, by :func:`predict_in_batches`, so that the code around a network
(cells, boxes, heads) predicts the same way with either.
"""

from __future__ import annotations

import numpy as np

__all__ = ["predict_in_batches"]


def predict_in_batches(
    model, X, *, batch_size=1024, mirror: bool = False, **kwargs
) -> np.ndarray:
    """``model``'s outputs for ``X``, in large batches and without a progress bar.

    ``model`` is a Keras model or any network with its ``predict_on_batch``
    and ``output_shape`` (an :class:`~skfashion.exported.OnnxNetwork`). Each
    batch goes through ``predict_on_batch``, whose compiled function Keras
    keeps between calls. The last batch is padded to a power of two,
    so a few batch shapes serve every call and nothing is traced again (JAX
    compiles once per shape). Other ``kwargs`` (callbacks, ...) fall back to
    Keras' ``predict``. With ``mirror``, the mean of the outputs for ``X``
    (``(n, h, w, c)`` images) and for its mirror images, left to right (flip
    test-time augmentation).
    """
    if mirror:
        return (
            predict_in_batches(model, X, batch_size=batch_size, **kwargs)
            + predict_in_batches(
                model,
                np.ascontiguousarray(X[:, :, ::-1]),
                batch_size=batch_size,
                **kwargs,
            )
        ) / 2
    kwargs.pop("verbose", None)
    if kwargs:
        return model.predict(X, batch_size=batch_size, verbose=0, **kwargs)
    outputs = []
    for start in range(0, len(X), batch_size):
        batch = X[start : start + batch_size]
        size = len(batch)
        padded = min(batch_size, 1 << (size - 1).bit_length())
        if padded != size:
            batch = np.concatenate(
                [batch, np.zeros((padded - size, *batch.shape[1:]), batch.dtype)]
            )
        outputs.append(np.asarray(model.predict_on_batch(batch))[:size])
    if not outputs:
        return np.zeros((0, *model.output_shape[1:]), dtype=np.float32)
    return np.concatenate(outputs)
