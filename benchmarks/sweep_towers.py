"""Sweep of convolution towers on 28x28 items (the grid-aware network's cells).

Plain Keras, no estimator, to compare towers and recipes quickly::

    FLIP=1 python benchmarks/sweep_towers.py NAMES EPOCHS N_ITEMS BATCH LR SMOOTHING

NAMES is a comma-separated list of ``tutorial``, ``bn-A-B-C`` (3x3 conv, BN,
ReLU and max-pooling per block), ``vgg-A-B`` (a 3x3 stem of A filters, then
two B-filter blocks at 14x14 and 7x7: the ``"bn"`` tower with filters
(A, B, B)) or ``sep-A-B-C`` (separable convolutions). Each prints one JSON line:
parameters, multiply-adds, test accuracy on the 10,000 test items, wall and
CPU seconds, and the training accuracy after each epoch. The learning rate
warms up over 10% of the steps and decays to zero (cosine).
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
import numpy as np
from keras import layers

from skfashion.datasets import load_fashion_mnist


def tower(name, x):
    if name == "tutorial":
        for i, f in enumerate((16, 32, 64)):
            x = layers.Conv2D(f, 2, padding="same", activation="relu")(x)
            x = layers.MaxPool2D(2, padding="same")(x)
            if i < 2:
                x = layers.Dropout(0.3)(x)
        return layers.Flatten()(x)
    if name.startswith("bn"):  # bn-a-b-c : 3x3 convs with BN, pool after each
        fs = [int(v) for v in name.split("-")[1:]]
        for f in fs:
            x = layers.Conv2D(f, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
            x = layers.MaxPool2D(2, padding="same")(x)
        x = layers.Flatten()(x)
        x = layers.Dropout(0.3)(x)
        return x
    if name.startswith("vgg"):  # vgg-a-b: two 3x3 per stage at 14 and 7 after a 28 stem
        a, b = [int(v) for v in name.split("-")[1:]]
        x = layers.Conv2D(a, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPool2D(2)(x)
        x = layers.Conv2D(b, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPool2D(2)(x)
        x = layers.Conv2D(b, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.Flatten()(x)
        x = layers.Dropout(0.3)(x)
        return x
    if name.startswith("sep"):  # sep-a-b-c: 3x3 conv stem, then separable stages
        fs = [int(v) for v in name.split("-")[1:]]
        x = layers.Conv2D(fs[0], 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU()(x)
        x = layers.MaxPool2D(2)(x)
        for f in fs[1:]:
            x = layers.SeparableConv2D(f, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
            x = layers.MaxPool2D(2, padding="same")(x)
        x = layers.Flatten()(x)
        x = layers.Dropout(0.3)(x)
        return x
    raise ValueError(name)


FLIP = os.environ.get("FLIP") == "1"


def build(name, hidden=0):
    inp = keras.Input((28, 28, 1))
    x = layers.Rescaling(1 / 255)(inp)
    if FLIP:
        x = layers.RandomFlip("horizontal", seed=0)(x)
    x = tower(name, x)
    if hidden:
        x = layers.Dense(hidden, activation="relu")(x)
        x = layers.Dropout(0.3)(x)
    out = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inp, out)


def macs(model):
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.SeparableConv2D):
            h, w, c = layer.output.shape[1:]
            cin = layer.input.shape[-1]
            total += h * w * cin * 9 + h * w * cin * c
        elif isinstance(layer, layers.Conv2D):
            h, w, c = layer.output.shape[1:]
            cin = layer.input.shape[-1]
            k = layer.kernel_size[0] * layer.kernel_size[1]
            total += h * w * c * cin * k
        elif isinstance(layer, layers.Dense):
            total += layer.kernel.shape[0] * layer.kernel.shape[1]
    return total


def main():
    names = sys.argv[1].split(",")
    epochs = int(sys.argv[2])
    n = int(sys.argv[3])
    bs = int(sys.argv[4])
    lr = float(sys.argv[5]) if len(sys.argv) > 5 else 2e-3
    ls = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    jit = (sys.argv[7] == "1") if len(sys.argv) > 7 else False
    tr = load_fashion_mnist()
    te = load_fashion_mnist(subset="test")
    X, y = tr.images[:n, ..., None], tr.target[:n]
    for name in names:
        keras.utils.set_random_seed(0)
        m = build(name)
        steps = epochs * int(np.ceil(n / bs))
        sched = keras.optimizers.schedules.CosineDecay(
            0.0, steps - steps // 10, warmup_target=lr, warmup_steps=steps // 10
        )
        m.compile(
            keras.optimizers.Adam(sched),
            keras.losses.CategoricalCrossentropy(label_smoothing=ls),
            metrics=["accuracy"],
            jit_compile=jit,
        )
        Y = keras.utils.to_categorical(y, 10)
        t0, c0 = time.perf_counter(), time.process_time()
        hist = []
        for e in range(epochs):
            m.fit(X, Y, batch_size=bs, epochs=e + 1, initial_epoch=e, verbose=0)
            h = m.history.history
            hist.append(
                (round(time.perf_counter() - t0, 1), round(h["accuracy"][-1], 4))
            )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        p0 = time.perf_counter()
        acc = float(
            (
                m.predict(te.images[..., None], batch_size=1024, verbose=0).argmax(1)
                == te.target
            ).mean()
        )
        pt = time.perf_counter() - p0
        r = dict(
            flip=FLIP,
            name=name,
            params=m.count_params(),
            macs=macs(m),
            epochs=epochs,
            n=n,
            bs=bs,
            lr=lr,
            ls=ls,
            jit=jit,
            acc=acc,
            wall=round(wall, 1),
            cpu=round(cpu, 1),
            per_epoch=round(wall / epochs, 1),
            predict_s=round(pt, 2),
            cum=hist,
        )
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
