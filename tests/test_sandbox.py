"""The sandbox: a person registers with a demo code and sees the menu, in the terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.config import Transport
from bot.sandbox import run_sandbox


@pytest.mark.parametrize("transport", [Transport.AIOGRAM, Transport.PTB])
async def test_register_with_demo_code_and_see_menu(tmp_path: Path, transport: Transport) -> None:
    typed = io.StringIO("/start DEMO0001\n小王\n1\n1\n/as committee\n/committee\n/quit\n")
    out = io.StringIO()
    await run_sandbox(demo=True, transport=transport, database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
                      stdin=typed, out=out)
    screen = out.getvalue()
    assert "DEMO0001" in screen  # the demo codes are printed
    assert "🎉 注册成功！欢迎您，小王（1号楼-1-101）" in screen
    assert "[1] 💬 议题" in screen  # the menu, buttons numbered
    assert "you are now 李主任" in screen and "已核实居民：2" in screen


async def test_demo_is_idempotent_and_a_number_without_buttons_is_text(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    await run_sandbox(demo=True, database_url=url, stdin=io.StringIO("/start DEMO0001\n/quit\n"), out=io.StringIO())
    out = io.StringIO()
    await run_sandbox(demo=True, database_url=url, stdin=io.StringIO("/start DEMO0002\n99\n"), out=out)
    screen = out.getvalue()
    assert screen.count("DEMO0001") == 1  # still unused (the first run stopped before confirming)
    assert "邀请码有效" in screen
    assert "99，您是否已年满 18 周岁" in screen  # no button 99: it is typed text, here the name
