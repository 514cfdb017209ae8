"""Sizes shared by the examples: small with SKFASHION_FAST=1 (CI, docs)."""

import os

FAST = os.environ.get("SKFASHION_FAST", "0") not in ("", "0")
N_TRAIN = 3_000 if FAST else 20_000
N_TEST = 1_000 if FAST else 5_000
EPOCHS = 1 if FAST else 5
