"""The training script's data cleaning (the training itself runs for minutes: not a test)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_name_model.py"


@pytest.fixture(scope="module")
def trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_name_model", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_cleaning_drops_the_pairs_explained_worst_per_latin_letter(
        trainer: ModuleType) -> None:
    pairs = [(["ㅅ"], "sa"), (["ㄱ"], "kimura"), (["ㄴ"], "na"), (["ㄷ"], "da"),
             (["ㄹ"], "ra"), (["ㅁ"], "ma"), (["ㅂ"], "ba"), (["ㅇ"], "a"), (["ㅈ"], "ja")]
    # log-likelihoods: "kimura" is the worst per letter (-3/letter), "a" the next worst
    # (-2.5/letter) although its total is higher than most; "ja" could not be aligned
    logs = [-1.0, -18.0, -1.0, -1.2, -0.8, -1.0, -1.1, -2.5, None]
    kept = trainer.cleaned(pairs, logs, 0.25)
    assert [latin for _, latin in kept] == ["sa", "na", "da", "ra", "ma", "ba"]


def test_without_a_share_only_unaligned_pairs_leave(trainer: ModuleType) -> None:
    pairs = [(["ㅅ"], "sa"), (["ㄱ"], "kimura"), (["ㅈ"], "ja")]
    assert trainer.cleaned(pairs, [-1.0, -18.0, None], 0.0) == pairs[:2]
