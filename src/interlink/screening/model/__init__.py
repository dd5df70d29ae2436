"""The shipped romanisation model and the rule that fixed its training data.

`romanizer.json.gz` is written by `scripts/train_name_model.py` from the Wikidata name pairs
(CC0). Only Latin spellings for which `in_training_split` is true were used for training; the
benchmark (`bench/names_quality.py`) reports quality on the rest separately.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("romanizer.json.gz")
TRAIN_BUCKETS = 8  # of 10: an 80 % training split, fixed by a hash of the Latin spelling


def in_training_split(latin_spelling: str) -> bool:
    """True for the 80 % of Latin spellings the model was trained on (all their pairs, so a
    spelling is never on both sides)."""
    digest = hashlib.blake2b(latin_spelling.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % 10 < TRAIN_BUCKETS
