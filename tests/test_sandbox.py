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


async def test_a_number_at_a_prompt_without_buttons_is_text_not_an_old_button(tmp_path: Path) -> None:
    """Issue 6, defect 14: the welcome screen had buttons 1–3; at the name prompt (no buttons) "1" is the name."""
    out = io.StringIO()
    await run_sandbox(demo=True, database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
                      stdin=io.StringIO("/start\n/start DEMO0001\n1\n2\n/quit\n"), out=out, files_dir=tmp_path)
    screen = out.getvalue()
    assert "[1] 🔑" in screen  # the welcome screen's buttons were numbered …
    assert "请输入您的邀请码" not in screen  # … but "1" at the name prompt did not press "I have a code"
    assert "1，您是否已年满 18 周岁" in screen
    assert "称呼：1" in screen and "已满18岁：否" in screen  # "2" then pressed the latest screen's "No"


async def test_files_are_saved_and_a_group_chat_persona_can_bind(tmp_path: Path) -> None:
    files = tmp_path / "files"
    out = io.StringIO()
    typed = "/as committee\n/committee\n2\n/group\n/bind\n/private\n/committee\n/as group\n/as resident\n/quit\n"
    await run_sandbox(demo=True, database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}",
                      stdin=io.StringIO(typed), out=out, files_dir=files)
    screen = out.getvalue()
    saved = files / "linli-invite-codes.csv"
    assert f"📎 saved to {saved}" in screen
    content = saved.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and b"DEMO0001" in content
    assert "in 演示群聊" in screen and "[李主任 @ 演示群聊] >" in screen
    assert "本群已绑定为「碧波路居民区」居委会群" in screen
    assert "居委会群：已绑定" in screen  # back in the private chat, the committee home shows the bound group
    assert "you are now 小王 (id 1001), in 演示群聊" in screen  # /as group keeps the persona, /as resident too
