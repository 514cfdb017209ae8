"""Write ``docs/benchmarks.md`` and its plot from the benchmarks' JSON results.

Usage: ``python benchmarks/write_benchmarks_page.py`` after
``benchmarks/bench_networks.py`` (and, for the backend table, its
``--backend-only`` runs under each backend). Every figure on the page comes
from ``benchmarks/results/*.json``; nothing is copied by hand.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS = Path("benchmarks/results")
PAGE = Path("docs/benchmarks.md")
PLOT = Path("docs/_static/benchmarks.png")
CURVES = Path("docs/_static/anywhere.png")


def _result(name: str) -> dict | None:
    """A benchmark's results, or None where it has not run."""
    path = RESULTS / name
    return json.loads(path.read_text()) if path.is_file() else None


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _plot(rows, path):
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for row in rows:
        curve = row["curve"]
        ax.plot(
            [p["wall"] / 60 for p in curve],
            [p["accuracy"] for p in curve],
            marker="o",
            markersize=3,
            label=f"{row['name']} ({row['parameters']:,} parameters)",
        )
    ax.axhline(0.93, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("training wall time (min), 2 CPU cores")
    ax.set_ylabel("test accuracy (10,000 expanded images)")
    ax.set_title("Accuracy against training time, one point per epoch")
    ax.set_ylim(0.8, 0.96)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _time_to(row, accuracy):
    for point in row["curve"]:
        if point["accuracy"] >= accuracy:
            return point
    return None


def _anywhere_lines(r: dict) -> list[str]:
    """The anywhere head against its targets, and the cells head beside it."""
    apart, touching = r["apart"], r["touching"]
    cells = {k: r.get(f"cells_{k}", {}) for k in ("apart", "touching")}
    train = r.get("train") or {}
    timed = r.get("train_timed", train)

    def cell(value, fmt="{:.3f}"):
        return "n/a" if value is None else fmt.format(value)

    rows = [
        ("mAP@0.5, apart", apart["map50"], None, ">= 0.90"),
        ("item F1, apart", apart["f1"], None, ">= 0.92"),
        ("item F1, touching", touching["f1"], None, ">= 0.88"),
        (
            "count accuracy (0-6 items), apart",
            apart["count_accuracy"],
            cells["apart"].get("count_accuracy"),
            ">= 0.95",
        ),
        (
            "subset accuracy, apart",
            apart["subset_accuracy"],
            cells["apart"].get("subset_accuracy"),
            ">= 0.75",
        ),
        (
            "subset accuracy, touching",
            touching["subset_accuracy"],
            cells["touching"].get("subset_accuracy"),
            "",
        ),
        (
            "grid composites (56x56, 0-4 items): subset accuracy",
            r["grid_subset_accuracy"],
            r.get("cells_grid_subset_accuracy"),
            ">= cells head - 0.02",
        ),
    ]
    if "photos" in r:
        rows.append(("item F1, outfit photos", r["photos"]["f1"], None, ">= 0.85"))
    lines = [
        "",
        "## Items anywhere",
        "",
        "`python benchmarks/bench_anywhere.py --base <fast model> --cells <cells "
        "model>`: the anywhere head trained on the fast model's frozen tower from "
        "fresh 96x96 composites (0 to 6 items of 21 to 42 pixels, which may "
        f"touch), {r['args']['epochs']} epochs; scored on "
        f"{r['args']['n_test']:,} 112x112 canvases the benchmark draws itself "
        "(Pillow's resizing, its own placement) from the test items: 0 to 6 "
        "items of 21 to 42 pixels, boxes 2 pixels apart (*apart*) or each put "
        "against another (*touching*). An item is found when its class is right "
        "and its box's IoU with the true one is 0.5 or more. The cells head "
        "reads the 112x112 canvases as 4x4 cells (it gives no boxes); the dense "
        "head takes 56x56 canvases only.",
        "",
        "| what | anywhere head | cells head | target |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {cell(ours)} | {cell(theirs)} | {target} |"
        for name, ours, theirs, target in rows
    ]
    if timed:
        lines += [
            "",
            f"Training: {timed['seconds']:.0f} s ({timed['cpu_seconds']:.0f} s "
            "of CPU) for 60,000 items' worth of composites per epoch (target "
            "<= 5 min). `predict_boxes` on 1,000 canvases: "
            f"{apart['predict_boxes_seconds'] * 1000 / r['args']['n_test']:.1f} s "
            f"({apart['predict_boxes_cpu_seconds'] * 1000 / r['args']['n_test']:.1f}"
            " s of CPU; target <= 5 s).",
        ]
    lines += ["", "Recall by the item's size (its box's longer side, pixels):", ""]
    sizes = list(apart["recall_by_size"])
    lines += ["| set | " + " | ".join(sizes) + " |", "|---|" + "---|" * len(sizes)]
    for name, result in (("apart", apart), ("touching", touching)):
        values = [result["recall_by_size"].get(k, {}).get("recall") for k in sizes]
        lines.append(f"| {name} | " + " | ".join(cell(v) for v in values) + " |")
    return lines


#: Peak fp32 multiply-adds per second of this machine: 2 Zen 3 cores at
#: 2.45 GHz, two 8-wide FMA units each (157 GFLOPS).
PEAK_MACS = 2 * 2.45e9 * 2 * 8


def _throughput(macs: int, items: int, epochs: int, seconds: float) -> float:
    """Training's share of the peak: a forward and two backward passes per item."""
    return 3 * macs * items * epochs / seconds / PEAK_MACS


def _presets_lines(timing: dict) -> list[str]:
    rows = {row["name"]: row for row in timing["rows"]}
    tutorial = rows.pop("tutorial recipe")
    wall15, cpu15 = tutorial["wall_15_epochs"], tutorial["cpu_15_epochs"]
    lines = [
        "## The presets against the tutorial, in one run",
        "",
        f"`{timing['command']}`: the tutorial recipe for {tutorial['epochs']} of "
        f"its 15 epochs ({tutorial['wall'] / tutorial['epochs']:.1f} s wall, "
        f"{tutorial['cpu'] / tutorial['epochs']:.1f} s CPU an epoch: 15 epochs "
        f"are {wall15:.0f} s wall, {cpu15:.0f} s CPU), then each preset, one after "
        "the other with nothing else running; test accuracy on the 10,000 "
        "expanded test images. *Throughput*: multiply-adds of training (3 per "
        "weight and item: forward, and backward to activations and weights) per "
        "second of wall time, as a share of this machine's peak "
        "(157 GFLOPS fp32).",
        "",
        "| preset | weights | multiply-adds | epochs | test accuracy "
        "| training wall | CPU | wall / tutorial's 15 epochs | throughput |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        share = _throughput(
            row["multiply_adds"], timing["train_items"], row["epochs"], row["wall"]
        )
        lines.append(
            f"| {name} | {row['parameters']:,} | {row['multiply_adds'] / 1e6:.2f} M "
            f"| {row['epochs']} | {row['accuracy']:.4f} | {row['wall']:.0f} s "
            f"| {row['cpu']:.0f} s | {row['wall'] / wall15:.2f} "
            f"| {share:.0%} |"
        )
    return lines


def _sweep_lines(sweep: list[dict]) -> list[str]:
    lines = [
        "## The fast preset: what each change gave",
        "",
        "`python benchmarks/sweep_fast.py PARAMS...`: `CNNClassifier.from_preset("
        "'fast', **PARAMS)` on the 60,000 training items, seed 0, scored on the "
        "10,000 test items; *5 shifts*: the mean of the predictions of the test "
        "items and of the items moved by one pixel up, down, left and right. "
        "These ran beside the strong preset's training, so their wall times are "
        "up to twice a quiet machine's: compare CPU times.",
        "",
        "| changes over `fast` | weights | multiply-adds | test accuracy "
        "| 5 shifts | wall | CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in sweep:
        params = ", ".join(f"{k}={v}" for k, v in row["params"].items())
        shifted = row.get("accuracy_5_shifts")
        lines.append(
            f"| {row.get('note', '')}`{params}` | {row['weights']:,} "
            f"| {row['multiply_adds'] / 1e6:.2f} M | {row['accuracy']:.4f} "
            f"| {'' if shifted is None else f'{shifted:.4f}'} "
            f"| {row['wall_s']:.0f} s | {row['cpu_s']:.0f} s |"
        )
    return lines


def _strong_lines(strong: dict) -> list[str]:
    card = strong["card"]
    size = card["size"]
    lines = [
        "## The strong preset",
        "",
        f"`{strong['command']}`: `CNNClassifier.from_preset('strong')` "
        f"({size['weights']:,} weights, {size['multiply_adds'] / 1e6:.1f} M "
        "multiply-adds an item) on the 60,000 training items, seed 0, "
        f"{card['params']['epochs']} epochs in {card['training']['wall_s'] / 60:.0f} "
        f"min wall ({card['training']['cpu_s'] / 60:.0f} min CPU), beside other "
        "work. Test accuracy on the 10,000 expanded test images: "
        f"**{card['test']['accuracy']:.4f}** (with flip test-time augmentation; "
        f"{strong['accuracy_without_flip']:.4f} without).",
        "",
        "Training log (accuracy on the augmented, label-smoothed training "
        "batches; no test score was taken while training):",
        "",
        "| epoch | seconds | training accuracy | loss |",
        "|---|---|---|---|",
    ]
    for row in strong["log"]:
        lines.append(
            f"| {row['epoch']} | {row['seconds']} | {row['accuracy']:.4f} "
            f"| {row['loss']:.4f} |"
        )
    return lines


def _shapes_lines(r: dict) -> list[str]:
    rule = r["rule"]
    (row,) = [x for x in r["rules"] if all(x[k] == v for k, v in rule.items())]
    worst = max(r["one_item_called_several_by_class"].items(), key=lambda kv: kv[1])
    from skfashion.datasets import class_name

    return [
        "",
        "## One item or several: the shape rule",
        "",
        "`python benchmarks/bench_shapes.py`: a model of one item per picture "
        "refuses a picture of several separate items "
        "(`skfashion.images.count_shapes`, `SHAPE_RULE`: parts within "
        f"{2 * rule['reach']:.0%} of the shorter side are one shape, a shape "
        f"counts from {rule['share']:.0%} of the largest, shapes whose boxes grown "
        f"by {rule['margin']} reaches overlap are one item). Measured on "
        f"{r['photos_of_one_item']:,} test items drawn as product photos (grey "
        "gradients, shadows, noise, off-centre, 80 to 400 pixels, PNG and JPEG) "
        f"and {r['photos_of_several']:,} outfit photos of two or three test items "
        "(ink boxes at least 4 pixels apart).",
        "",
        "| what | rate | target |",
        "|---|---|---|",
        f"| one item called several | {row['one_item_called_several']:.2%} | <= 1% |",
        f"| two or three caught | {row['several_caught']:.2%} | >= 98% |",
        "",
        f"The class most often split: {class_name(int(worst[0]))} ({worst[1]:.1%}). "
        "On the first 200 of these photos the rule before (parts within 2% "
        "joined, no boxes) called 6 (3.0%) several items, this one 3.",
        f"Wall {r['wall_s']:.0f} s, CPU {r['cpu_s']:.0f} s.",
    ]


def _reader_lines(r: dict) -> list[str]:
    """The default reader against each shipped model, on the same pictures."""
    models = list(r["products"])
    columns = {
        "products": ("right", "one-item product photos: right"),
        "outfits": ("f1", "outfits of 2-4 items apart: item F1"),
        "dark outfits": ("f1", "the same, light items on a dark table: item F1"),
        "touching rows": ("f1", "2-4 items touching in a row: item F1"),
        "large JPEG outfits": ("f1", "2500-4000 px JPEG outfits: item F1"),
        "grids": ("subset", "56x56 grid pictures: subset accuracy"),
    }
    targets = {
        "products": "0.93",
        "outfits": "0.94",
        "dark outfits": "0.94",
        "touching rows": "0.90",
        "large JPEG outfits": "0.90",
        "grids": "0.90",
    }
    lines = [
        "",
        "## Any picture, read by default",
        "",
        "`python benchmarks/bench_reader.py --n 100`: `skfashion predict` with no "
        "`--model` (the shipped readers, `skfashion.zoo.READERS`) and with each "
        "shipped model, on pictures drawn from the test items and read back from "
        "their PNG or JPEG bytes. A model that does not read a kind of picture "
        "scores 0 on it (on grid pictures, what it scores is the empty ones).",
        "",
        "| pictures | " + " | ".join(models) + " | target |",
        "|---|" + "---|" * (len(models) + 1),
    ]
    for kind, (key, label) in columns.items():
        if kind not in r:
            continue
        rows = r[kind]
        n = rows["default"]["pictures"]
        cells = " | ".join(f"{rows[m][key]:.3f}" for m in models)
        lines.append(f"| {label} ({n}) | {cells} | >= {targets[kind]} |")
    products = r["products"]["default"]
    boxes = [
        f"{kind} {r[kind]['default']['boxes_f1']:.3f}"
        for kind in ("outfits", "dark outfits", "touching rows", "large JPEG outfits")
        if "boxes_f1" in r.get(kind, {}).get("default", {})
    ]
    if boxes:
        lines += [
            "",
            "The boxes alone, whatever their class (the default reader's F1 if "
            "every item found were named right): " + ", ".join(boxes) + ".",
        ]
    lines += [
        "",
        f"Product photos not read as one item by default: "
        f"{products['not_one_item']} of {products['pictures']} (target <= 1 of 80). "
        f"Reading took {1000 * products['seconds_per_picture']:.0f} ms a product "
        f"photo and {1000 * r['outfits']['default']['seconds_per_picture']:.0f} ms "
        "an outfit by default (the finder, then its namer and the shipped namer "
        "of cut items, strong-namer, on each box cut from the picture).",
    ]
    return lines


def _worst_size(namer: dict | None, name: str) -> float | None:
    """The lowest accuracy of ``name`` over the sizes in px (bench_namer.py)."""
    accuracy = (namer or {}).get("accuracy", {}).get(name)
    if accuracy is None:
        return None
    return min(v for size, v in accuracy.items() if size.isdigit())


def _namer_lines(r: dict) -> list[str]:
    """Items cut from their true boxes and named, by size (bench_namer.py)."""
    sizes = r["sizes"]
    lines = [
        "",
        "## The namer by size",
        "",
        "`python benchmarks/bench_namer.py --n "
        f"{r['items']}`: the same {r['items']:,} test items resized (Pillow, "
        "bilinear) so their longer side is each size, cut back from their true "
        "box as the anywhere head cuts the boxes it finds (a square around the "
        "box, resized to 28x28), and named: by a head's namer, or by a "
        "single-item model's network of one item, each with its flips. "
        "*unresized*: the items as they are. Target: 0.95 at every size from 18 "
        "to 90 px.",
        "",
        "| model | " + " | ".join(f"{s} px" if s.isdigit() else s for s in sizes),
        "|---" * (len(sizes) + 1) + "|",
    ]
    lines[-2] += " |"
    for name, accuracy in r["accuracy"].items():
        lines.append(
            f"| {name} | " + " | ".join(f"{accuracy[s]:.3f}" for s in sizes) + " |"
        )
    lines += [
        "",
        "![the namer by size, and what is found by overlap](_static/anywhere.png)",
    ]
    return lines


def _curves(namer: dict | None, anywhere: dict[str, dict], path: Path) -> None:
    """Accuracy against item size, and recall (found and named) against overlap."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    fig, (by_size, by_overlap) = plt.subplots(1, 2, figsize=(10, 4))
    if namer is not None:
        sizes = [s for s in namer["sizes"] if s.isdigit()]
        for name, accuracy in namer["accuracy"].items():
            by_size.plot(
                [int(s) for s in sizes],
                [accuracy[s] for s in sizes],
                marker="o",
                label=f"{name}: named from the true box",
            )
    by_size.axhline(0.95, color="grey", linestyle=":", linewidth=1)
    by_size.set_xlabel("item size (longer side, pixels)")
    by_size.set_ylabel("share of the items named right")
    by_size.set_title("The namer by item size")
    by_size.grid(alpha=0.3)
    by_size.legend(fontsize=8, loc="lower right")
    for label, run in anywhere.items():
        bins = run["overlap"]["recall_by_overlap"]
        by_overlap.plot(
            list(bins), [b["recall"] for b in bins.values()], marker="o", label=label
        )
    by_overlap.set_xlabel("share of the item's box another item covers")
    by_overlap.set_ylabel("recall: found (IoU >= 0.5) and named")
    by_overlap.set_title("Items drawn over each other")
    by_overlap.set_ylim(0, 1)
    by_overlap.grid(alpha=0.3)
    by_overlap.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _overlap_lines(runs: dict[str, dict]) -> list[str]:
    """The anywhere head before and after it learned items drawn over others."""
    counts = (
        "items drawn over each other: count accuracy",
        lambda r: f"{r['overlap']['count_accuracy']:.3f}",
    )
    return [
        "",
        "## Items drawn over each other",
        "",
        "`python benchmarks/bench_anywhere.py --base skfashion/trained/fast.skf "
        "--head H --cells skfashion/trained/strong-cells.skf --n-test 1000 "
        "--n-photos 100`: the shipped `fast-anywhere` before and after its "
        "recipe's composites let an item cover up to 30% of another "
        "(`MultiObjectComposer(max_overlap=0.3)`), trained alike otherwise "
        "(4 epochs, seed 0). 500 canvases drawn over each other, 1,000 apart "
        "and touching, 500 of each other size, 125 of 320x320.",
        "",
        *_anywhere_table(runs, counts),
        "",
        "Recall by how much of an item's box another item covers, on the "
        "canvases drawn over each other:",
        "",
        "| head | "
        + " | ".join(next(iter(runs.values()))["overlap"]["recall_by_overlap"])
        + " |",
        "|---" * (1 + len(next(iter(runs.values()))["overlap"]["recall_by_overlap"]))
        + "|",
        *(
            f"| {label} | "
            + " | ".join(
                f"{b['recall']:.3f} ({b['items']})"
                for b in run["overlap"]["recall_by_overlap"].values()
            )
            + " |"
            for label, run in runs.items()
        ),
    ]


#: The namers of the default reader, as bench_namer.py names their mean.
DEFAULT_NAMER = "strong-namer+strong"


def _targets_lines(
    anywhere: dict,
    reader: dict | None,
    cards: dict,
    namer: dict | None,
    named: dict | None = None,
) -> list[str]:
    """The targets of issue 22, measured: each beside the cells and single-item
    models where they read the same pictures, and beside the same canvases
    named by the shipped namer of cut items (``named``:
    ``bench_anywhere.py --namers``)."""

    def f(value, digits=3):
        return "n/a" if value is None else f"{value:.{digits}f}"

    def scores(result, key, *names):
        if result is None:
            return ""
        return " / ".join(f(result.get(key, {}).get(n)) for n in names)

    def seconds(result):
        if result is None:
            return ""
        apart, n = result["apart"], result["args"]["n_test"]
        return (
            f"{apart['predict_boxes_seconds'] * 1000 / n:.2f} s "
            f"({apart['predict_boxes_cpu_seconds'] * 1000 / n:.2f} s CPU)"
        )

    def grid(result):
        return "" if result is None else f(result.get("grid_subset_accuracy"))

    cells = {k: anywhere.get(f"cells_{k}", {}) for k in ("apart", "touching")}
    strong, strong_cells = cards.get("strong", {}), cards.get("strong-cells", {})
    canvases = (  # (what, the scores of bench_anywhere's canvases, target)
        (
            "112x112, 0-6 items of 21-42 px apart: mAP@0.5 / F1 / count / subset",
            ("apart", "map50", "f1", "count_accuracy", "subset_accuracy"),
            ">= 0.93 / 0.94 / 0.99 / 0.85",
        ),
        ("the same, touching: F1", ("touching", "f1"), ">= 0.94"),
        (
            "drawn over each other, up to 30%: F1 / count",
            ("overlap", "f1", "count_accuracy"),
            ">= 0.90 / 0.95",
        ),
        ("clutter: F1 / count", ("clutter", "f1", "count_accuracy"), ">= 0.93 / 0.97"),
        ("items of 48-64 px: F1", ("large", "f1"), ">= 0.93"),
        ("items of 14-20 px: F1", ("small", "f1"), ">= 0.85"),
        ("320x320, 0-12 items: F1", ("wide", "f1"), ">= 0.94"),
    )
    by_cells = {  # what the cells head reads of those canvases
        "apart": f"count {f(cells['apart'].get('count_accuracy'))}, subset "
        f"{f(cells['apart'].get('subset_accuracy'))}"
    }
    rows = [
        (
            what,
            scores(anywhere, *spec),
            scores(named, *spec),
            by_cells.get(spec[0], ""),
            "",
            target,
        )
        for what, spec, target in canvases
    ]
    rows += [
        (
            "56x56 grid canvases, 0-4 items: subset",
            grid(anywhere),
            grid(named),
            f(anywhere.get("cells_grid_subset_accuracy")),
            "",
            ">= 0.90, >= the cells head - 0.02",
        ),
        (
            "expanded test canvases: accuracy (item / cell for the cells head)",
            "",
            "",
            f"{f(strong_cells.get('item_accuracy'))} / "
            f"{f(strong_cells.get('cell_accuracy'))}",
            f(strong.get("accuracy"), 4),
            ">= 0.955; cells >= 0.955 / 0.978",
        ),
        (
            "items named from their true boxes, 18-90 px: the worst size "
            f"(the default reader's namers, {DEFAULT_NAMER}; strong-namer alone)",
            f(_worst_size(namer, DEFAULT_NAMER)),
            f(_worst_size(namer, "strong-namer")),
            "",
            f(_worst_size(namer, "strong")),
            ">= 0.95 at every size",
        ),
        (
            "`predict_boxes`, 1,000 112x112 canvases (the faster of two calls)",
            seconds(anywhere),
            seconds(named),
            "",
            "",
            "<= 3 s",
        ),
    ]
    if reader is not None:
        for kind, key, label, target in (
            ("products", "right", "one-item product photos: right", ">= 0.93"),
            ("outfits", "f1", "outfit photos: F1", ">= 0.94"),
            ("dark outfits", "f1", "light outfits on dark: F1", ">= 0.94"),
            ("touching rows", "f1", "2-4 items touching in a row: F1", ">= 0.90"),
            ("large JPEG outfits", "f1", "2500-4000 px JPEG outfits: F1", ">= 0.90"),
            ("grids", "subset", "56x56 grid pictures: subset", ">= 0.90"),
        ):
            if kind not in reader:
                continue
            read = reader[kind]
            rows.append(
                (
                    f"`skfashion predict`, no model: {label} "
                    f"({read['default']['pictures']})",
                    f(read["default"][key]),
                    "",
                    f(read.get("strong-cells", {}).get(key)),
                    f(read.get("strong", {}).get(key)),
                    target,
                )
            )
        products = reader["products"]["default"]
        rows.append(
            (
                "the same, product photos not read as one item",
                f"{products['not_one_item']} of {products['pictures']}",
                "",
                "",
                "",
                "<= 1 of 80",
            )
        )
    lines = [
        "",
        "## Any picture, right by default: the targets",
        "",
        "The targets of issue 22 on pictures the project did not draw: the "
        "canvases of `benchmarks/bench_anywhere.py` (the shipped "
        "`fast-anywhere` reading them as they are, `strong-cells` beside it where "
        "it reads them), the models' cards, and the default reader on photos "
        "(`benchmarks/bench_reader.py`, with `strong-cells` and `strong` reading "
        "the same photos). *Named by strong-namer*: the same canvases read by "
        "the ONNX twin of `fast-anywhere`, its items named by that of "
        "`strong-namer` (`predict_boxes(namers=...)`: "
        "`bench_anywhere.py --head skfashion/trained/fast-anywhere.onnx "
        "--namers strong-namer`). An empty cell: that model does not read "
        "those pictures.",
        "",
        "| what | anywhere head / default reader | named by strong-namer | cells "
        "head | single-item model | target |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return lines


def _startup_lines(runs: dict) -> list[str]:
    """Cold starts and many pictures, with bytecode and without."""
    lines = [
        "",
        "## The first answer",
        "",
        "`python benchmarks/bench_startup.py [--python PYTHON]`: each command in a "
        "new process, 3 times (best / median, wall and CPU). With the shipped "
        "models, `predict` runs their ONNX twins on onnxruntime (no TensorFlow "
        "import); the Keras path is the same model given as its `.skf` file. "
        "*With bytecode*: the project's virtualenv, where Python has written the "
        "`.pyc` files of what it imports; *without*: a wheel installed by uv into "
        "a fresh virtualenv under `PYTHONDONTWRITEBYTECODE=1`, so every start "
        "compiles every module it imports.",
        "",
        "| command | " + " | ".join(runs) + " | target |",
        "|---|" + "---|" * (len(runs) + 1),
    ]
    targets = {
        "skfashion --help": "<= 0.5 s",
        "skfashion models": "<= 0.5 s",
        "predict product photo (default, ONNX)": "<= 1.5 s",
    }
    first = next(iter(runs.values()))
    for name in first["starts"]:
        cells = " | ".join(
            "{wall_best:.2f} / {wall_median:.2f} s wall, {cpu_best:.2f} s CPU".format(
                **run["starts"][name]
            )
            for run in runs.values()
        )
        lines.append(f"| `{name}` | {cells} | {targets.get(name, '')} |")
    lines += [
        "",
        f"{first['many']['pictures']:,} product photos (JPEG, test items) in one "
        "`predict --json` call:",
        "",
        "| reader | " + " | ".join(runs) + " | right |",
        "|---|" + "---|" * (len(runs) + 1),
    ]
    for name in (k for k in first["many"] if k != "pictures"):
        cells = " | ".join(
            "{pictures_per_second:.0f} pictures/s ({wall:.1f} s wall, "
            "{cpu:.1f} s CPU)".format(**run["many"][name])
            for run in runs.values()
        )
        lines.append(f"| {name} | {cells} | {first['many'][name]['right']:.3f} |")
    lines.append("")
    lines.append("Target: at least 50 pictures a second.")
    return lines


def _serve_lines(r: dict) -> list[str]:
    """skfashion serve under load, and its page."""
    load, memory, page = r["load"], r["memory"], r["page"]
    after = next(k for k in memory if k.startswith("rss_after_") and "_10_" not in k)
    return [
        "",
        "## The page and its API under load",
        "",
        "`python benchmarks/bench_serve.py --screenshot docs/_static/serve.png`: "
        "`skfashion serve` (the shipped models) in a process of its own on "
        f"127.0.0.1; {load['requests']} requests of 600x600 outfit photos from "
        f"{r['clients']} concurrent clients, each answer compared with the "
        "reading of the same bytes in one process; then requests up to "
        f"{memory['requests']:,} in all.",
        "",
        "| what | measured | target |",
        "|---|---|---|",
        f"| errors, wrong answers ({load['requests']} requests) "
        f"| {load['errors']}, {load['wrong']} | 0, 0 |",
        f"| latency p50 / p95 / max | {load['p50_s']:.3f} / {load['p95_s']:.3f} / "
        f"{load['max_s']:.3f} s | p95 <= 3 s |",
        f"| throughput | {load['requests_per_second']:.1f} requests/s | |",
        f"| server memory after 10 / {after.split('_')[2]} / "
        f"{memory['requests']:,} requests | {memory['rss_after_10_mb']:.1f} / "
        f"{memory[after]:.1f} / {memory['rss_after_1000_mb']:.1f} MB "
        f"(x{memory['ratio']:.3f}) | <= x1.2 |",
        f"| page: a 600x600 outfit photo dropped, to its boxes drawn (best / "
        f"median of {page['drops']}) | {page['best_s']:.3f} / "
        f"{page['median_s']:.3f} s | <= 1 s |",
    ]


def _many_lines(r: dict) -> list[str]:
    """A folder of many pictures, in one process and on Dask."""
    one, dask = r["one_process"], r["dask_two_workers"]
    return [
        "",
        "## A folder of many pictures",
        "",
        f"`python benchmarks/bench_many.py --n {r['pictures']}`: "
        f"{r['pictures']:,} product photos (JPEG, test items) in nested "
        "folders, read by `skfashion predict --json DIR` (the shipped readers), "
        "then by `skfashion.parallel.predict_pictures` on a `LocalCluster` of "
        "two worker processes.",
        "",
        "| run | pictures/s | wall | CPU | right | memory |",
        "|---|---|---|---|---|---|",
        f"| one process | {one['pictures_per_second']:.1f} | {one['wall_s']:.1f} s "
        f"| {one['cpu_s']:.1f} s | {one['right']:.3f} | "
        f"{one['rss_mb_after_a_tenth']:.1f} MB after a tenth, "
        f"{one['rss_mb_max']:.1f} MB at most |",
        f"| Dask, 2 workers | {dask['pictures_per_second']:.1f} | "
        f"{dask['wall_s']:.1f} s | (workers') | same answers as one process: "
        f"{dask['same_as_one_process']} | |",
        "",
        "Target: at least 50 pictures a second on these 2 cores, memory flat. "
        "Both runs share the same 2 cores: Dask's workers each read pictures "
        "on one thread, and ship their readings back.",
    ]


def _hostile_lines(r: dict) -> list[str]:
    """Hostile files, refused: how fast, and with how much memory."""
    lines = [
        "",
        "## Hostile files",
        "",
        "`python benchmarks/bench_hostile.py`: each file built as an attacker "
        "would, then read in a new process (`skfashion.load`, or `skfashion "
        "predict` with the shipped models); the process's wall time and peak "
        "resident memory, beside good files'.",
        "",
        "| file | wall | peak memory | answer |",
        "|---|---|---|---|",
    ]
    for name, row in r.items():
        answer = row["answer"].split(": ", 1)[-1][:90].replace("|", "/")
        lines.append(
            f"| {name} | {row['seconds']:.2f} s | {row['peak_mb']:.0f} MB | {answer} |"
        )
    return lines


#: The canvases bench_anywhere.py scores, as the rows of a table.
_ANYWHERE_SETS = {
    "apart": "21-42 px apart, 112x112: F1",
    "touching": "21-42 px touching, 112x112: F1",
    "overlap": "21-42 px drawn over each other (up to 30%), 112x112: F1",
    "wide": "21-42 px, 0-12 items, 320x320: F1",
    "clutter": "21-42 px among noise and specks, 112x112: F1",
    "small": "14-20 px, 112x112: F1",
    "large": "48-64 px, 112x112: F1",
    "huge": "64-90 px, 160x160: F1",
    "mixed": "14-90 px on one canvas, 160x160: F1",
}


def _anywhere_table(runs: dict[str, dict], last: tuple[str, callable]) -> list[str]:
    """bench_anywhere.py runs side by side: F1 per set, grid, photos, ``last``."""
    names = list(runs)

    def row(label, cell):
        return f"| {label} | " + " | ".join(cell(runs[n]) for n in names) + " |"

    lines = [
        "| canvases | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for key, label in _ANYWHERE_SETS.items():
        lines.append(
            row(label, lambda r, k=key: f"{r[k]['f1']:.3f}" if k in r else "n/a")
        )
    lines.append(
        row(
            "56x56 grid composites: subset accuracy",
            lambda r: f"{r['grid_subset_accuracy']:.3f}",
        )
    )
    lines.append(
        row(
            "outfit photos (scaled to items of 28 px first): F1",
            lambda r: f"{r['photos']['f1']:.3f}",
        )
    )
    lines.append(row(*last))
    return lines


def _scales_lines(runs: dict[str, dict]) -> list[str]:
    """The shipped anywhere head on items of other sizes, with and without a pyramid."""
    timing = (
        "`predict_boxes`, 1,000 canvases apart: wall (CPU); * the faster of "
        "two calls, else one call, warm-up included",
        lambda r: (
            f"{r['apart']['predict_boxes_seconds']:.2f} s "
            f"({r['apart']['predict_boxes_cpu_seconds']:.2f} s)"
            + ("*" if r.get("timing") == "faster of two calls" else "")
        ),
    )
    return [
        "",
        "## Items of other sizes: the pyramid",
        "",
        "`python benchmarks/bench_anywhere.py --base skfashion/trained/fast.skf "
        "--head skfashion/trained/fast-anywhere.skf --n-test 1000 --n-photos 100 "
        "--scales S...`: the `fast-anywhere` of before (trained on items of 21 to "
        "42 pixels) and of now (14 to 67 pixels, among clutter) reading canvases "
        "as they are (`predict_boxes`' default) and through a pyramid "
        "(`predict_boxes(X, scales=...)`: each "
        "scale keeps the boxes of the items it brings to the sizes learned, "
        "and of a box inside another found at another scale the likelier is "
        "kept). 1,000 canvases apart and touching, 500 of each other size.",
        "",
        *_anywhere_table(runs, timing),
        "",
        "The pyramid finds items larger than the finder learned but parts "
        "touching items less well and costs more time, so it is an option, not "
        "the default: at the smaller scales touching items are read smaller, "
        "where the finder parts them worse.",
    ]


def _sizes_lines(runs: dict[str, dict]) -> list[str]:
    """The anywhere head trained on items of more sizes (composites' ``scale``)."""
    training = (
        "training: wall (CPU)",
        lambda r: (
            "{seconds:.0f} s ({cpu_seconds:.0f} s)".format(**r["train"])
            if r.get("train")
            else "shipped"
        ),
    )
    return [
        "",
        "### The finder trained on more sizes",
        "",
        "`python benchmarks/bench_anywhere.py --base skfashion/trained/fast.skf "
        "--canvas C --max-objects K --scale LOW HIGH --epochs E --clutter S "
        "--n-test 1000 --n-photos 100`: the anywhere head (60,000 items an epoch, "
        "seed 0) trained on composites of items of more sizes (``scale`` 0.5 to "
        "3.2 of 28: 14 to 90 pixels; 0.5 to 2.4: 14 to 67), and with specks and "
        "noise that are no item (``MultiObjectComposer(clutter=6)``), against "
        "the `fast-anywhere` of before (21 to 42 pixels, 96x96 canvases of up "
        "to 6, 2 epochs), each reading canvases as they are. The last is "
        "the recipe `fast-anywhere` is trained by now (`AnywhereHead.composites`, "
        "by `scripts/train_pretrained.py`, validation 0.1, not 0.05), the one "
        "before it the same without items drawn over each other: it finds "
        "items of 14 to 64 pixels and passes over specks, at 2 to 3 points of "
        "F1 on touching items and of subset accuracy on grid composites "
        "(items drawn over each other win some of them back: the section "
        "below).",
        "",
        *_anywhere_table(runs, training),
    ]


def _seed_lines(groups: dict[str, list[dict]]) -> list[str]:
    """The anywhere head's real recipe, trained again on several seeds."""
    lines = [
        "",
        "## The finder on three seeds",
        "",
        "`python benchmarks/bench_anywhere.py --base skfashion/trained/fast.skf "
        "--seed S --n-test 1000 --n-photos 100`: the shipped `fast-anywhere`'s "
        "recipe (60,000 items, 2 epochs, learning rate 0.002), its head's "
        "`random_state` S, scored on 1,000 canvases of each kind and 100 "
        "outfit photos. *Unclipped*: as `fast-anywhere` was trained; "
        "*clipped*: the head's gradients clipped to a norm of 1, as it trains "
        "now; under JAX with `KERAS_BACKEND=jax` (clipped).",
        "",
        "| run | seed | apart: mAP@0.5 / F1 / count | touching: F1 | grid subset "
        "| photos: F1 | train CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    spreads = []
    for label, runs in groups.items():
        for run in runs:
            apart, touching = run["apart"], run["touching"]
            lines.append(
                f"| {label} | {run['args']['seed']} | {apart['map50']:.3f} / "
                f"{apart['f1']:.3f} / {apart['count_accuracy']:.3f} "
                f"| {touching['f1']:.3f} | {run['grid_subset_accuracy']:.3f} "
                f"| {run['photos']['f1']:.3f} | {run['train']['cpu_seconds']:.0f} s |"
            )
        f1 = [run["apart"]["f1"] for run in runs]
        if len(f1) > 1:
            spreads.append(f"{label} {max(f1) - min(f1):.3f} ({len(f1)} seeds)")
    lines += [
        "",
        "Spread of the F1 on canvases apart: " + ", ".join(spreads) + ". The toy "
        "test's collapse (no item found at some seeds) came with a learning rate "
        "of 0.01, which left most of the head's last convolution's units dead; "
        "clipping the gradients' norm to 1 removed it (toy F1 at seeds 0 to 4: "
        "0.864, 0.147, 0.977, 0.681, 0.800 unclipped; 0.983, 0.977, 0.983, 0.965, "
        "0.994 clipped; 0.988, 0.994, 0.988, 0.988, 0.977 clipped under JAX).",
    ]
    return lines


def _shipped_lines(folder: Path) -> list[str]:
    manifest = json.loads((folder / "manifest.json").read_text())["sha256"]
    total = sum((folder / f"{name}.skf").stat().st_size for name in manifest)
    twins = sum(p.stat().st_size for p in folder.glob("*.onnx"))
    lines = [
        "## The shipped models",
        "",
        "`make pretrained` (`scripts/train_pretrained.py`): each model trained "
        "from scratch on the 60,000 training items, seed 0, and scored on the "
        "10,000 test items (single-label: expanded test canvases; cells: test "
        "composites of 0 to 4 items; anywhere: 2,000 112x112 composites of 0 to "
        "6 items) by that script; their cards are `skfashion/trained/NAME.json` "
        f"(`skfashion.model_card`). Files: {total / 2**20:.2f} MiB together, and "
        f"{twins / 2**20:.2f} MiB of ONNX twins (`NAME.onnx`).",
        "",
        "| name | kind | weights | test scores | training wall / CPU | file |",
        "|---|---|---|---|---|---|",
    ]
    keys = ("accuracy", "subset_accuracy", "item_accuracy", "cell_accuracy")
    keys += ("map50", "f1", "count_accuracy")
    for name in manifest:
        card = json.loads((folder / f"{name}.json").read_text())
        test = card["test"]
        scores = ", ".join(f"{k} {test[k]:.4f}" for k in keys if k in test)
        train = card["training"]
        size = (folder / f"{name}.skf").stat().st_size / 2**20
        lines.append(
            f"| {name} | {card['kind']} | {card['size']['weights']:,} | {scores} "
            f"| {train['wall_s']:.0f} s / {train['cpu_s']:.0f} s | {size:.2f} MiB |"
        )
    return lines


def main():
    networks = json.loads((RESULTS / "networks.json").read_text())
    rows = networks["rows"]
    by_name = {row["name"]: row for row in rows}
    tutorial = by_name["tutorial recipe"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/write_benchmarks_page.py` from "
        "`benchmarks/results/*.json`; do not edit by hand.",
        "",
        "## Single-label: accuracy against training time",
        "",
        f"`{networks['command']}`: {networks['train_items']:,} training items "
        "expanded to 56x56 canvases (one item in a random quadrant, seed 0), "
        f"scored after every epoch on {networks['test_items']:,} expanded test "
        f"images; seed {networks['seed']}; Keras {networks['machine']['keras']} "
        f"on {networks['machine']['backend']}, {networks['machine']['cpus']} "
        "CPU cores, Python "
        f"{networks['machine']['python']}. All rows were trained in the same run, "
        "one after the other: wall times on this shared machine vary by up to 2x "
        "between runs, so compare them within the table, and see CPU time. "
        "The default row is `CNNClassifier.from_preset('fast')`, what "
        "`skfashion train --kind single` trains.",
        "",
        "| network and recipe | parameters | epochs | test accuracy "
        "| training wall | training CPU | wall / tutorial's |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['parameters']:,} | {row['epochs']} "
            f"| {row['accuracy']:.4f} | {_minutes(row['wall'])} "
            f"| {_minutes(row['cpu'])} | {row['wall'] / tutorial['wall']:.2f} |"
        )
    target = tutorial["accuracy"]
    lines += ["", f"Time to reach the tutorial recipe's own {target:.4f}:", ""]
    for row in rows:
        point = _time_to(row, target)
        reached = (
            f"epoch {point['epoch']}, {_minutes(point['wall'])} "
            f"({point['wall'] / tutorial['wall']:.2f} of the tutorial recipe's time)"
            if point
            else "not reached"
        )
        lines.append(f"- {row['name']}: {reached}")
    lines += [
        "",
        "![accuracy against training time](_static/benchmarks.png)",
        "",
        "The recipes, as `CNNClassifier` parameters:",
        "",
    ]
    for row in rows:
        params = ", ".join(
            f"{k}={v!r}" for k, v in row["params"].items() if k != "random_state"
        )
        lines.append(f"- {row['name']}: `CNNClassifier({params})`")
    predict = networks.get("predict")
    if predict:
        keras_time = predict["tutorial model.predict, batch 32"]
        lines += [
            "",
            "## Predict",
            "",
            f"{predict['n_canvases']:,} expanded test canvases, best of 3, in the "
            "same run as the table above:",
            "",
            "| | wall | CPU | speed-up (wall, CPU) |",
            "|---|---|---|---|",
            f"| the tutorial's `model.predict(X, batch_size=32)` "
            f"| {keras_time['wall']:.2f} s | {keras_time['cpu']:.2f} s | 1 |",
        ]
        for name, t in predict["CNNClassifier.predict"].items():
            lines.append(
                f"| `CNNClassifier.predict`, {name} | {t['wall']:.2f} s "
                f"| {t['cpu']:.2f} s | {t['speed-up']['wall']:.1f}x, "
                f"{t['speed-up']['cpu']:.1f}x |"
            )
    backends = sorted(RESULTS.glob("backend_*.json"))
    if backends:
        lines += [
            "",
            "## Keras backends on CPU",
            "",
            "`KERAS_BACKEND=<name> python benchmarks/bench_networks.py --backend-only`:"
            " one epoch, best of 2.",
            "",
            "| backend | network | items | wall | CPU |",
            "|---|---|---|---|---|",
        ]
        for path in backends:
            result = json.loads(path.read_text())["backend"]
            for name, t in result["one_epoch"].items():
                lines.append(
                    f"| {result['backend']} | {name} | {result['n_items']:,} "
                    f"| {t['wall']:.1f} s | {t['cpu']:.1f} s |"
                )
    multi = _result("multilabel.json")
    if multi is not None:
        lines += [
            "",
            "## Multi-label: every item named, counted and located",
            "",
            f"`{multi['command']}`: each head trained on fresh composites of the "
            "60,000 training items, scored on "
            f"{multi['test_composites']:,} test composites of 0 to 4 items. "
            f"Base: `{multi['base']}`, test accuracy {multi['base_accuracy']:.4f}."
            + (
                f" Tutorial base: {multi['tutorial_base_accuracy']:.4f} on expanded "
                f"test images, trained in {_minutes(multi['tutorial_base_seconds'])}."
                if "tutorial_base_accuracy" in multi
                else ""
            ),
            "",
            "| head | subset accuracy | by items 0 / 1 / 2 / 3 / 4 | item accuracy "
            "| cell accuracy | item-count accuracy | distinct-class count accuracy "
            "| time |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in multi["rows"]:
            by_count = " / ".join(
                f"{v:.3f}" for v in row["subset_accuracy_by_count"].values()
            )
            cells = [
                f"{row[k]:.4f}" if k in row else "n/a"
                for k in ("item_accuracy", "cell_accuracy", "item_count_accuracy")
            ]
            lines.append(
                f"| {row['name']} | {row['subset_accuracy']:.4f} | {by_count} "
                f"| {' | '.join(cells)} | {row['count_accuracy']:.4f} "
                f"| {_minutes(row['seconds'])} |"
            )
    augment = _result("augment.json")
    if augment is not None:
        expand, compose = augment["expand"], augment["compose"]
        labels = augment["labels"]
        lines += [
            "",
            "## Augmentations",
            "",
            f"`make bench` (`benchmarks/bench_augment.py`), {augment['n_items']:,} "
            "training items, best of 5, against a transcription of the tutorial's "
            "loops timed in the same run:",
            "",
            "| step | skfashion, uint8 | float64 | tutorial's loops |",
            "|---|---|---|---|",
            f"| expand | {expand['uint8']:.3f} s | {expand['float64']:.3f} s "
            f"| {expand['tutorial']:.2f} s "
            f"({expand['tutorial'] / expand['uint8']:.0f}x) |",
            f"| compose | {compose['uint8']:.3f} s | {compose['float64']:.3f} s "
            f"| {compose['tutorial_one_draw']:.2f} s, one draw per canvas "
            f"({compose['tutorial_one_draw'] / compose['uint8']:.0f}x); "
            f"{compose['tutorial_as_written']:.2f} s as written "
            f"({compose['tutorial_as_written'] / compose['uint8']:.0f}x) |",
            "",
            f"Of the tutorial's composites, {labels['tutorial_overwritten']:.1%} have "
            "an item overwritten by a later one and "
            f"{labels['tutorial_hidden_label']:.1%} carry a label no visible item "
            f"shows; skfashion's: {labels['ours_hidden_label']:.1%}, checked on the "
            "pixels of every canvas.",
        ]
    demo = _result("demo.json")
    if demo is not None:
        s, net, multi = demo["settings"], demo["single_label"], demo["multi_label"]
        lines += [
            "",
            "## The demo",
            "",
            "`make demo`'s `metrics.json` (`reports/demo/metrics.json`), copied to "
            "`benchmarks/results/demo.json`: the `"
            f"{net['network']['preset']}` network for {net['network']['epochs']} "
            f"epochs on {demo['data']['train_items']:,} items, then the "
            f"{multi['head']} head for {s['multi_epochs']} epochs "
            f"({'fine-tuned' if s['fine_tune'] else 'frozen'}), in "
            f"{_minutes(demo['seconds']['total'])}.",
            "",
            "| figure | value |",
            "|---|---|",
            f"| single-label test accuracy | {net['test_accuracy']:.4f} |",
        ]
        for key, name in [
            ("subset_accuracy", "multi-label subset accuracy"),
            ("f1_micro", "micro-F1"),
            ("hamming_loss", "Hamming loss"),
            ("cell_accuracy", "per-cell accuracy"),
            ("item_accuracy", "items named"),
            ("item_count_accuracy", "item counts"),
        ]:
            if key in multi:
                lines.append(f"| {name} | {multi[key]:.4f} |")
    photos = _result("photos.json")
    if photos is not None:
        lines += [
            "",
            "## Product photos",
            "",
            "`python benchmarks/bench_photos.py`: the first "
            f"{photos['n_photos']:,} test items drawn as product photos (grey "
            "gradients, shadows, off-centre, PNG and JPEG) and read back by "
            f"`item_from_picture`; model: {photos['model']}.",
            "",
            "| read from | top-1 accuracy |",
            "|---|---|",
            f"| the items themselves | {photos['accuracy_items']:.3f} |",
            f"| the photos | {photos['accuracy_photos']:.3f} |",
            "| the photos, skfashion 0.1's reading "
            f"| {photos['accuracy_photos_previous_reading']:.3f} |",
            "",
            f"Reading took {1000 * photos['read_seconds_per_photo']:.1f} ms a photo.",
        ]
    shapes = _result("shapes.json")
    if shapes is not None:
        lines += _shapes_lines(shapes)
    anywhere = _result("anywhere.json")
    if anywhere is not None:
        lines += _anywhere_lines(anywhere)
    groups = {
        label: [run for seed in range(3) if (run := _result(name.format(seed)))]
        for label, name in (
            ("unclipped", "anywhere_seed{}.json"),
            ("clipped", "anywhere_clipped_seed{}.json"),
            ("JAX", "anywhere_jax_seed{}.json"),
        )
    }
    if any(groups.values()):
        lines += _seed_lines({k: v for k, v in groups.items() if v})
    scales = {
        label: run
        for label, name in (
            ("before, as they are", "anywhere_scales_1.json"),
            ("before, pyramid 1, 0.7, 0.5", "anywhere_scales_pyramid.json"),
            ("now (max_overlap 0.3), as they are", "anywhere_shipped.json"),
            ("now, pyramid 1, 0.5", "anywhere_shipped_pyramid.json"),
        )
        if (run := _result(name)) is not None
    }
    if scales:
        lines += _scales_lines(scales)
    sizes = {
        label: run
        for label, name in (
            ("before: 21-42 px, 96x96, 2 epochs", "anywhere_scales_1.json"),
            ("14-90 px, 128x128, 2 epochs", "anywhere_sizes_128.json"),
            ("14-90 px, 160x160 (12 items), 2 epochs", "anywhere_sizes_160.json"),
            ("14-67 px, 128x128, 4 epochs", "anywhere_sizes_128_4epochs.json"),
            ("the same, clutter 6", "anywhere_sizes_128_clutter.json"),
            (
                "the same, clutter 6, max_overlap 0.3: fast-anywhere now",
                "anywhere_shipped.json",
            ),
        )
        if (run := _result(name)) is not None
    }
    if len(sizes) > 1:
        lines += _sizes_lines(sizes)
    reader = _result("reader.json")
    if reader is not None:
        lines += _reader_lines(reader)
    shipped_anywhere = _result("anywhere_shipped.json")
    namer = _result("namer.json")
    if shipped_anywhere is not None:
        trained = Path(__file__).parents[1] / "skfashion" / "trained"
        cards = {
            name: json.loads((trained / f"{name}.json").read_text())["test"]
            for name in ("strong", "strong-cells")
            if (trained / f"{name}.json").is_file()
        }
        named = _result("anywhere_shipped_namers.json")
        lines += _targets_lines(shipped_anywhere, reader, cards, namer, named)
    if namer is not None:
        lines += _namer_lines(namer)
    overlap = {
        label: run
        for label, name in (
            ("fast-anywhere before (no overlap learned)", "anywhere_no_overlap.json"),
            ("fast-anywhere now (max_overlap=0.3)", "anywhere_shipped.json"),
        )
        if (run := _result(name)) is not None and "overlap" in run
    }
    _curves(namer, overlap, CURVES)
    if len(overlap) > 1:
        lines += _overlap_lines(overlap)
    startup = {
        label: run
        for label, name in (
            ("with bytecode", "startup.json"),
            ("without bytecode", "startup-nobytecode.json"),
        )
        if (run := _result(name)) is not None
    }
    if startup:
        lines += _startup_lines(startup)
    serve = _result("serve.json")
    if serve is not None:
        lines += _serve_lines(serve)
    many = _result("many.json")
    if many is not None:
        lines += _many_lines(many)
    hostile = _result("hostile.json")
    if hostile is not None:
        lines += _hostile_lines(hostile)
    parallel = _result("parallel.json")
    if parallel is not None:
        lines += [
            "",
            "## One grid search, three ways",
            "",
            "`python benchmarks/bench_parallel.py`: "
            f"{parallel['fits']} fits and a refit on {parallel['train_size']:,} "
            f"items, on a machine of {parallel['cores']} cores; wall time counts "
            "starting the workers. CPU time is this process's only.",
            "",
            "| run | wall | CPU here | best score |",
            "|---|---|---|---|",
        ]
        for name, run in parallel["runs"].items():
            lines.append(
                f"| {name} | {run['wall_s']:.1f} s | {run['main_process_cpu_s']:.1f} s "
                f"| {run['best_score']:.4f} |"
            )
    shipped = Path(__file__).parents[1] / "skfashion" / "trained"
    if (shipped / "manifest.json").is_file():
        lines += ["", *_shipped_lines(shipped)]
    timing = _result("presets.json")
    if timing:
        lines += ["", *_presets_lines(timing)]
    strong = _result("strong.json")
    if strong:
        lines += ["", *_strong_lines(strong)]
    sweep = _result("fast_sweep.json")
    if sweep:
        lines += ["", *_sweep_lines(sweep)]
    extra = RESULTS / "notes.md"
    if extra.is_file():
        lines += ["", extra.read_text().strip()]
    PAGE.write_text("\n".join(lines) + "\n")
    _plot(rows, PLOT)
    print(f"wrote {PAGE} and {PLOT}")


if __name__ == "__main__":
    main()
