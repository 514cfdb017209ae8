"""A head written outside skfashion, in this one file: a head is a part.

``head="maxpool"``: a grid-aware base's convolutions, frozen, read the whole
canvas; two small convolutions give one sigmoid per label at every place, and a
canvas holds a label where some place does (the largest over the places).
Registered with ``register_head(MaxPoolHead)``, it is taken by
MultiLabelTransfer, clone, skfashion.save/load, read_picture and the command
line with no other change.
"""

from skfashion.heads import Head


class MaxPoolHead(Head):
    name = "maxpool"
    summary = "the largest of a 1x1 sigmoid convolution over the canvas"
    uses = frozenset({"threshold"})
    training = {"threshold": 0.5, "learning_rate": 0.01}
    limits = "a test's head"

    def check_canvases(self, canvas_shape):
        if self.model.base_estimator_.architecture != "cells":
            raise ValueError("head='maxpool' needs a grid-aware base")

    def build(self, compile_kwargs):
        import keras

        from skfashion.anywhere import feature_network

        model = self.model
        features = feature_network(model.base_estimator_.model_)
        features.trainable = False
        inputs = keras.Input((*model.input_shape_, 1), name="pixels")
        x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(
            features(inputs)
        )
        places = keras.layers.Conv2D(
            model.n_classes_, 1, activation="sigmoid", name="places"
        )(x)
        outputs = keras.layers.GlobalMaxPooling2D(name="labels")(places)
        network = keras.Model(inputs, outputs, name="maxpool")
        return model.compile_network(network, compile_kwargs, model.learning_rate)
