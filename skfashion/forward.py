"""A network's forward pass over many images, for any network: no Keras here.

Keras models and the exported networks of :mod:`skfashion.exported` are run
alike, by :func:`predict_in_batches`, so that the code around a network
(cells, boxes, heads) predicts the same way with either.
"""

from __future__ import annotations

import numpy as np

__all__ = ["predict_in_batches"]


def predict_in_batches(
    model, X, *, batch_size=1024, mirror: bool | float = False, **kwargs
) -> np.ndarray:
    """``model``'s outputs for ``X``, in large batches and without a progress bar.

    ``model`` is a Keras model or any network with its ``predict_on_batch``
    and ``output_shape`` (an :class:`~skfashion.exported.OnnxNetwork`). Each
    batch goes through ``predict_on_batch``, whose compiled function Keras
    keeps between calls. The last batch is padded to a power of two,
    so a few batch shapes serve every call and nothing is traced again (JAX
    compiles once per shape). Other ``kwargs`` (callbacks, ...) fall back to
    Keras' ``predict``. With ``mirror=True``, the mean of the outputs for
    ``X`` (``(n, h, w, c)`` images) and for its mirror images, left to right
    (flip test-time augmentation). With ``mirror`` a number in (0, 1], that
    mean only for the images whose largest output (probability) is below it,
    the others' outputs as they are: a network sure of an image seldom
    changes its mind on the mirror image, so most of the second pass is
    saved (the presets' ``test_flip``, ``skfashion.presets.UNSURE``).
    """
    if mirror:
        outputs = predict_in_batches(model, X, batch_size=batch_size, **kwargs)
        if mirror >= 1:  # True, or 1: every probability is below it
            unsure = slice(None)
        elif outputs.ndim != 2:
            raise ValueError(
                f"mirror={mirror} mirrors the images whose largest probability is "
                f"below it, but the network's outputs have shape {outputs.shape}, "
                "not (n, classes): give mirror=True or False"
            )
        else:
            unsure = np.flatnonzero(outputs.max(axis=1) < mirror)
        chosen = X[unsure]
        if len(chosen):
            mirrored = predict_in_batches(
                model,
                np.ascontiguousarray(chosen[:, :, ::-1]),
                batch_size=batch_size,
                **kwargs,
            )
            outputs[unsure] = (outputs[unsure] + mirrored) / 2
        return outputs
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
