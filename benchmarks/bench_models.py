"""Train the tutorial's models on the real data and time the wrappers.

Usage: ``python benchmarks/bench_models.py [--epochs 15] [--repeats 3]``

1. Time per epoch: a plain Keras ``fit`` of the same network against
   ``CNNClassifier.fit`` on the same arrays, and per-epoch augmentation
   (fresh placements from raw items) against pre-built canvases.
2. The tutorial's recipe: ``CNNClassifier`` on expanded images, test accuracy.
3. ``MultiLabelTransfer`` frozen and fine-tuned on composites.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

from skfashion.augment import MultiObjectComposer, QuadrantExpander
from skfashion.datasets import load_fashion_mnist
from skfashion.metrics import multilabel_summary
from skfashion.models import CNNClassifier, MultiLabelTransfer


def timings(X, y, items, repeats):
    """Seconds for one-epoch fits, the three ways interleaved; best of repeats.

    Each fit builds and traces its network, so all three carry the same
    one-off cost; interleaving spreads the machine's drift over all three.
    """
    cnn = CNNClassifier(epochs=1, random_state=0).fit(X[:64], y[:64])

    def plain_keras():
        keras.utils.set_random_seed(0)
        model = keras.models.clone_model(cnn.model_)
        model.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        model.fit(X[..., None], y, epochs=1, batch_size=32, verbose=0)

    runs = {
        "plain Keras fit": plain_keras,
        "CNNClassifier.fit": lambda: CNNClassifier(epochs=1, random_state=0).fit(X, y),
        "CNNClassifier.fit, fresh placements": lambda: CNNClassifier(
            epochs=1, random_state=0, augment=QuadrantExpander()
        ).fit(items, y),
    }
    wall = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - start_wall)
            cpu[name].append(time.process_time() - start_cpu)
    best = {name: {"wall": min(wall[name]), "cpu": min(cpu[name])} for name in runs}
    print(
        f"\nOne-epoch fits on {len(X):,} 56x56 images, best of {repeats}: "
        "wall seconds, and CPU seconds of the process (less sensitive to other "
        "load on a shared machine)"
    )
    for name in runs:
        walls = ", ".join(f"{t:.1f}" for t in wall[name])
        print(
            f"  {name:38s} wall {best[name]['wall']:6.1f} s ({walls})"
            f"   cpu {best[name]['cpu']:6.1f} s"
        )
    for label, top, bottom in [
        ("CNNClassifier / plain Keras", "CNNClassifier.fit", "plain Keras fit"),
        (
            "fresh placements / pre-built arrays",
            "CNNClassifier.fit, fresh placements",
            "CNNClassifier.fit",
        ),
    ]:
        ratios = {k: best[top][k] / best[bottom][k] for k in ("wall", "cpu")}
        print(f"  {label:38s} wall {ratios['wall']:.3f}   cpu {ratios['cpu']:.3f}")
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["timing", "single", "multi"]
    )
    parser.add_argument("--out", default="benchmarks/results.json")
    args = parser.parse_args()

    train, test = load_fashion_mnist(), load_fashion_mnist(subset="test")
    X_train = QuadrantExpander(random_state=0).fit_transform(train.images)
    X_test = QuadrantExpander(random_state=1).fit_transform(test.images)
    results = {"epochs": args.epochs}

    if "timing" not in args.skip:
        results["seconds_per_epoch"] = timings(
            X_train, train.target, train.images, args.repeats
        )

    if "single" in args.skip and "multi" in args.skip:
        return
    start = time.perf_counter()
    cnn = CNNClassifier(epochs=args.epochs, random_state=0).fit(X_train, train.target)
    accuracy = cnn.score(X_test, test.target)
    minutes = (time.perf_counter() - start) / 60
    print(
        f"\nCNNClassifier, {args.epochs} epochs on expanded images: "
        f"test accuracy {accuracy:.4f} ({minutes:.1f} min)"
    )
    results["single_label_test_accuracy"] = accuracy

    if "multi" not in args.skip:
        C_train, Y_train = MultiObjectComposer(random_state=0).fit_resample(
            train.images, train.target
        )
        C_test, Y_test = MultiObjectComposer(random_state=1).fit_resample(
            test.images, test.target
        )
        for name, params in [("frozen", {}), ("fine-tuned", {"fine_tune": True})]:
            start = time.perf_counter()
            transfer = MultiLabelTransfer(
                cnn, epochs=args.epochs, random_state=0, **params
            ).fit(C_train, Y_train)
            summary = multilabel_summary(Y_test, transfer.predict(C_test))
            minutes = (time.perf_counter() - start) / 60
            print(
                f"\nMultiLabelTransfer {name}, {args.epochs} epochs ({minutes:.1f} min)"
            )
            for key, value in summary.items():
                print(f"  {key:16s} {value:.4f}")
            results[f"multi_label_{name}"] = summary
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
