"""What a committee member types that used to crash or vanish (issue 6, defect 10).

A 20-digit id in /grant and a 30-digit member search overflowed the database's BIGINT (internal error);
a council name that already exists was answered with unescaped HTML, which Telegram refuses, so the
member saw nothing. Run through the port and through both doors against the emulator, on both databases.
"""

from __future__ import annotations

import pytest

from core.telegram_ids import MAX_USER_ID, looks_like_a_number, parse_user_id
from tests.support.chat import EmulatorHarness, Harness, UserChat
from tests.support.seed import Seed
from tests.support.topics import resident, setup_committee

NAME = "<睦邻> & 议事厅"


async def _grant_with_ids_that_are_not_ids(harness: Harness, seed: Seed) -> None:
    director = await setup_committee(harness, seed)
    await resident(harness, seed, 1002, "Bob", "102")
    for typed in ("99999999999999999999", "4503599627370496", "-5", "0", "²", "１２３"):
        await director.send(f"/grant {typed} committee")
        assert f"「{typed}」不是有效的 Telegram 用户 ID" in director.last.text, typed
    await director.send("/grant 1002 building_leader")
    assert "Bob" in director.last.text and "不是有效" not in director.last.text


async def _new_council(director: UserChat, name: str, *, first: bool = True) -> None:
    if first:
        await director.send("/committee")
        await director.tap("committee.topics")
    await director.tap("topics.desk.councils")
    await director.tap("topics.council.new")
    await director.send(name)


async def _council_name_taken(harness: Harness, seed: Seed) -> None:
    director = await setup_committee(harness, seed)
    await _new_council(director, NAME)
    assert NAME in director.last.text
    await _new_council(director, NAME, first=False)
    assert director.last.text == f"已经有名为「{NAME}」的议事团了。请换一个名字发给我，或发送 /cancel 取消。"
    await director.send("第二议事团")  # the form stayed open for another name
    assert "第二议事团" in director.last.text and "成员（0）" in director.last.text


async def _member_search_by_a_long_number(harness: Harness, seed: Seed) -> None:
    director = await setup_committee(harness, seed)
    await resident(harness, seed, 1002, "Bob", "102")
    await _new_council(director, "睦邻议事厅")
    await director.tap("topics.council.add")
    await director.send("1" * 30)
    assert f"「{'1' * 23}…」不是有效的 Telegram 用户 ID" in director.last.text
    await director.send("1002")  # the form stayed open: a real id finds Bob
    await director.press("➕ Bob")
    assert "成员（1）：Bob" in director.last.text


def _no_refusals(harness: Harness) -> None:
    """Through a door, Telegram (the emulator) refused nothing at all, not even an expected refusal."""
    if isinstance(harness, EmulatorHarness):
        assert harness.emu.errors == []


async def test_grant_rejects_what_is_not_a_user_id(chat: Harness, seed: Seed) -> None:
    await _grant_with_ids_that_are_not_ids(chat, seed)
    _no_refusals(chat)


async def test_council_name_taken(chat: Harness, seed: Seed) -> None:
    await _council_name_taken(chat, seed)
    _no_refusals(chat)  # before: Telegram (the emulator) refused the unescaped name; nothing was shown


async def test_member_search_by_a_long_number(chat: Harness, seed: Seed) -> None:
    await _member_search_by_a_long_number(chat, seed)
    _no_refusals(chat)


@pytest.mark.parametrize(("text", "expected"), [
    ("123456789", 123456789), (" 42 ", 42), (str(MAX_USER_ID), MAX_USER_ID), (str(MAX_USER_ID + 1), None),
    ("0", None), ("-100123", None), ("99999999999999999999", None), ("1" * 30, None), ("²", None), ("１２３", None),
    ("12a", None), ("", None)])
def test_parse_user_id(text: str, expected: int | None) -> None:
    assert parse_user_id(text) == expected


def test_looks_like_a_number() -> None:
    assert looks_like_a_number("1" * 30) and looks_like_a_number("-5") and looks_like_a_number("１２３")
    assert not looks_like_a_number("王阿姨") and not looks_like_a_number("") and not looks_like_a_number("-")
