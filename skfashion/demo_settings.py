"""What the demo trains: :class:`DemoSettings` (run by :mod:`skfashion.report`).

Apart from the report so that the command line reads its defaults for its
help without importing what the demo trains with.
"""

from __future__ import annotations

from dataclasses import dataclass

from .heads import get_head

__all__ = ["DemoSettings"]


@dataclass
class DemoSettings:
    """What the demo trains. The defaults finish in minutes on two cores.

    ``preset`` names the single-label network and recipe
    (:meth:`~skfashion.models.CNNClassifier.from_preset`); ``epochs`` and
    ``batch_size`` left at ``None`` take the preset's. The demo trains the
    ``fast`` preset as ``skfashion train`` does (its 10 epochs) and the
    cell-wise head for 2, to finish within five minutes.
    ``head`` is the multi-label head
    (:class:`~skfashion.models.MultiLabelTransfer`). ``anywhere_epochs``
    epochs train the head that finds items anywhere too (0: not; the quick
    demo skips it).
    """

    preset: str = "fast"
    epochs: int | None = None
    multi_epochs: int = 2
    anywhere_epochs: int = 1
    head: str = "cells"
    fresh: bool = False
    fine_tune: bool = False
    train_size: int | None = None
    test_size: int | None = None
    batch_size: int | None = None
    seed: int = 0

    def __post_init__(self):
        get_head(self.head)  # a registered head, or one line naming them
        if self.head == "anywhere":
            raise ValueError(
                "the demo trains the anywhere head after the other (see "
                "anywhere_epochs, --anywhere-epochs): head chooses that other, "
                "cells or dense"
            )

    @classmethod
    def quick(cls, **overrides):
        """A small real model in about a minute and a half on two cores."""
        return cls(
            **{
                "preset": "quick",
                "epochs": None,
                "multi_epochs": 1,
                "anywhere_epochs": 0,
                **overrides,
            }
        )
