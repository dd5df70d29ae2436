"""Readings of native names from maintained dictionaries, and how they join the spellings."""

from __future__ import annotations

import pytest

from interlink.screening.names import NameAnalyzer, Romanizer
from interlink.screening.readings import EVERY_READING, Reading, readings


@pytest.mark.parametrize(
    ("token", "script", "expected"),
    [
        ("习近平", "han", "xijinping"),  # pinyin
        ("毛泽东", "han", "mao tse-tung"),  # Wade-Giles, as printed
        ("晋三", "han", "shinzou"),  # kanji read by pykakasi (Hepburn)
        ("晋三", "han", "shinzo"),  # ... and with the long vowel unwritten
        ("サトウ", "kana", "sato"),  # the passport form
        ("김", "hangul", "kim"),  # customary family-name spellings
        ("이", "hangul", "lee"),
        ("박", "hangul", "park"),
        ("최", "hangul", "choi"),
        ("정은", "hangul", "jongun"),  # McCune-Reischauer vowels
        ("정은", "hangul", "jeongeun"),  # Revised Romanisation
        ("Щеглов", "cyrillic", "Shcheglov"),  # ICAO 9303 / BGN-PCGN
        ("Юлия", "cyrillic", "Iuliia"),  # ICAO 9303 (Russian passports since 2010)
    ],
)
def test_standard_readings(token: str, script: str, expected: str) -> None:
    found = {r.replace(" ", "").replace("-", "").casefold() for r in readings(token, script)}
    assert expected.replace(" ", "").replace("-", "").casefold() in found


@pytest.mark.parametrize(
    ("token", "script"),
    [
        ("محمد", "arabic"),
        ("דוד", "hebrew"),
        ("john", "latin"),
        ("Ελένη", "other"),
    ],
)
def test_no_readings_for_scripts_without_a_maintained_scheme(token: str, script: str) -> None:
    assert readings(token, script) == ()


def test_readings_can_be_switched_off_one_by_one() -> None:
    assert "xijinping" in readings("习近平", "han", frozenset({Reading.PINYIN}))
    without = readings("习近平", "han", EVERY_READING - {Reading.PINYIN})
    assert "xijinping" not in without and without  # Wade-Giles and kanji remain
    assert readings("김", "hangul", EVERY_READING - {Reading.KOREAN}) == ()


def test_a_family_name_not_in_the_table_gets_only_its_romanisations() -> None:
    assert readings("갑", "hangul") == ("gab", "kab")  # Revised, McCune-Reischauer


def test_readings_join_the_learned_spellings_at_their_confidence() -> None:
    with_readings = NameAnalyzer().token("晋三")
    without = NameAnalyzer(Romanizer.load(readings=frozenset())).token("晋三")
    assert "shinzo" in with_readings.spellings and "shinzo" not in without.spellings
    confidence = dict(zip(with_readings.spellings, with_readings.confidences, strict=True))
    assert confidence["shinzo"] == 0.9
