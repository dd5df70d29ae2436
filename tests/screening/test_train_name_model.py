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


def test_cleaning_drops_the_pairs_explained_worst_per_latin_letter(trainer: ModuleType) -> None:
    pairs = [
        (["ㅅ"], "sa"),
        (["ㄱ"], "kimura"),
        (["ㄴ"], "na"),
        (["ㄷ"], "da"),
        (["ㄹ"], "ra"),
        (["ㅁ"], "ma"),
        (["ㅂ"], "ba"),
        (["ㅇ"], "a"),
        (["ㅈ"], "ja"),
    ]
    # log-likelihoods: "kimura" is the worst per letter (-3/letter), "a" the next worst
    # (-2.5/letter) although its total is higher than most; "ja" could not be aligned
    logs = [-1.0, -18.0, -1.0, -1.2, -0.8, -1.0, -1.1, -2.5, None]
    kept = trainer.cleaned(pairs, logs, 0.25)
    assert [latin for _, latin in kept] == ["sa", "na", "da", "ra", "ma", "ba"]


def test_without_a_share_only_unaligned_pairs_leave(trainer: ModuleType) -> None:
    pairs = [(["ㅅ"], "sa"), (["ㄱ"], "kimura"), (["ㅈ"], "ja")]
    assert trainer.cleaned(pairs, [-1.0, -18.0, None], 0.0) == pairs[:2]


def test_units_read_aloud_keep_no_silent_reading(trainer: ModuleType) -> None:
    han = next(s for s in trainer.SPECS if s.script.value == "han")
    hangul = next(s for s in trainer.SPECS if s.script.value == "hangul")
    table = {"王": {"": 0.9, "wang": 0.08, "wong": 0.02}}
    assert trainer.export(table, han) == {
        "王": [("wang", pytest.approx(-2.526, abs=1e-3)), ("wong", pytest.approx(-3.912, abs=1e-3))]
    }
    # Hangul: a vowel such as ㅠ is read; initial ㅇ and the loanword vowel ㅡ may be silent
    assert hangul.sounded("\u1172") and not hangul.sounded("\u1173")
    assert not hangul.sounded("\u110b") and not hangul.sounded("\u1161 \u110b")


def test_the_shipped_model_has_no_silent_han_character() -> None:
    from interlink.screening.names import Script, default_romanizer

    units = default_romanizer().models[Script.HAN].units
    assert units and not any(chunk == "" for options in units.values() for chunk, _ in options)
