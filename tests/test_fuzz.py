"""Seeded fuzzing: damaged pictures and model files end in one clear line.

Each input is a small valid file with a few of its bytes changed, cut or
repeated (a seeded mutator, so a failure reproduces from its seed). Whatever
the damage, reading it either works or raises ``ValueError`` whose message
is one line: never another exception, a hang, or a traceback for the user.
"""

import io
import resource

import numpy as np
import pytest
from PIL import Image

import skfashion
from skfashion.augment import QuadrantExpander
from skfashion.images import item_from_picture, items_canvas_from_picture

FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")
PER_FORMAT = 1_500  # with 2,000 model files: 11,000 inputs


def _mutated(data: bytes, rng: np.random.RandomState) -> bytes:
    """``data`` with a few bytes flipped, a piece cut out, or a piece repeated."""
    data = bytearray(data)
    how = rng.randint(3)
    if how == 0:
        for at in rng.randint(len(data), size=rng.randint(1, 9)):
            data[at] = rng.randint(256)
    elif how == 1:
        start = rng.randint(len(data))
        del data[start : start + rng.randint(1, 64)]
    else:
        start = rng.randint(len(data))
        piece = data[start : start + rng.randint(1, 64)]
        data[start:start] = piece * rng.randint(1, 4)
    return bytes(data)


def _picture(fmt: str) -> bytes:
    rng = np.random.RandomState(0)
    pixels = np.full((48, 64, 3), 220, np.uint8)
    pixels[8:40, 20:44] = rng.randint(0, 80, (32, 24, 3))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt)
    return buffer.getvalue()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one_line(exc: ValueError) -> None:
    assert "\n" not in str(exc) and str(exc), repr(exc)


def _loads_or_fails_in_one_line(path) -> None:
    try:
        loaded = skfashion.load(path)
    except ValueError as exc:
        _one_line(exc)
    else:
        assert hasattr(loaded, "get_params")


@pytest.mark.filterwarnings("error")  # a warning would reach the user's terminal
@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_pictures_read_or_fail_in_one_line(fmt):
    rng = np.random.RandomState(FORMATS.index(fmt))
    original = _picture(fmt)
    before = _peak_mb()
    for _ in range(PER_FORMAT):
        data = _mutated(original, rng)
        for read in (item_from_picture, items_canvas_from_picture):
            try:
                read(io.BytesIO(data))
            except ValueError as exc:  # NoItemError too
                _one_line(exc)
    assert _peak_mb() - before < 300


@pytest.mark.parametrize("seed", range(4))
def test_damaged_model_files_load_or_fail_in_one_line(tmp_path, seed):
    expander = QuadrantExpander(random_state=0).fit(np.zeros((2, 28, 28), np.uint8))
    skfashion.save(expander, tmp_path / "model.skf")
    original = (tmp_path / "model.skf").read_bytes()
    rng = np.random.RandomState(seed)
    damaged = tmp_path / "damaged.skf"
    before = _peak_mb()
    for _ in range(500):
        damaged.write_bytes(_mutated(original, rng))
        _loads_or_fails_in_one_line(damaged)
    assert _peak_mb() - before < 300


def test_damaged_members_of_a_network_file_load_or_fail_in_one_line(tmp_path):
    # the damage inside the members, rezipped with their checksums right, so
    # that it reaches the readers of the manifest, the arrays' headers (a
    # damaged one made numpy's tokenizer raise TokenError) and Keras
    import zipfile

    from skfashion.models import CNNClassifier

    rng = np.random.RandomState(0)
    items = rng.randint(0, 256, (12, 8, 8)).astype(np.uint8)
    model = CNNClassifier(filters=(2,), epochs=1, random_state=0)
    skfashion.save(model.fit(items, np.arange(12) % 2), tmp_path / "cnn.skf")
    with zipfile.ZipFile(tmp_path / "cnn.skf") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    damaged = tmp_path / "damaged.skf"
    for _ in range(80):
        target = list(members)[rng.randint(len(members))]
        with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, _mutated(data, rng) if name == target else data)
        _loads_or_fails_in_one_line(damaged)
