"""Cleaning what people type keeps what they wrote (emoji sequences) and drops what can hurt (controls, overrides)."""

from __future__ import annotations

import pytest

from core.text import clean_block, clean_line

FAMILY = "👨\u200d👩\u200d👧"  # one emoji: three people joined by zero-width joiners
HEART = "❤\ufe0f"  # a heart with its emoji variation selector
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # a subdivision flag (tag characters)


@pytest.mark.parametrize("emoji", [FAMILY, HEART, SCOTLAND])
def test_emoji_sequences_survive(emoji: str) -> None:
    assert clean_line(f"我们家 {emoji} 都来") == f"我们家 {emoji} 都来"
    assert clean_block(f"第一行 {emoji}\n第二行") == f"第一行 {emoji}\n第二行"


def test_controls_and_bidirectional_overrides_go() -> None:
    assert clean_line("a\x00b\u202ec\td\n e") == "a b c d e"  # U+202E would make the rest read backwards
    assert clean_block("x\x07y\u2066z  \r\nnext  ") == "xyz\nnext"
