"""The tutorial's head: a dense sigmoid layer on the base's frozen features."""

from __future__ import annotations

from .base import Head

__all__ = ["DenseHead"]


class DenseHead(Head):
    """``head="dense"``: the base network cut before its softmax, frozen, and a
    ``Dense(n_labels, sigmoid)`` trained with binary cross-entropy on the
    canvases' multi-hot labels; a label is predicted from ``threshold_`` on.

    With the tutorial's base this leaves 31,370 trainable and 10,416 frozen
    parameters. It reads canvases of the base's size only.
    """

    name = "dense"
    summary = "the tutorial's dense sigmoid head on the whole canvas"
    uses = frozenset({"threshold"})
    training = {"threshold": "tuned", "validation_split": 0.1}
    limits = (
        "reads canvases of the base's size; says which classes a canvas holds, "
        "not where or how many"
    )

    def build(self, compile_kwargs):
        import keras

        model = self.model
        base_model = model.base_estimator_.model_
        backbone = keras.models.clone_model(base_model)
        backbone.set_weights(base_model.get_weights())
        for layer in backbone.layers:
            layer.trainable = False
        features = backbone.layers[-2].output  # the input of the softmax head
        outputs = keras.layers.Dense(
            model.n_classes_, activation="sigmoid", name="labels"
        )(features)
        network = keras.Model(backbone.inputs, outputs, name="multi_label")
        return model.compile_network(network, compile_kwargs, model.learning_rate)
