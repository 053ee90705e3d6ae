"""Message text, captions and parse modes over real HTTP, checked like Telegram."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, RawApi, tiny_png


@pytest.fixture(autouse=True)
def ann_started(emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")


async def test_text_limit_counts_code_points_not_utf16_units(api: RawApi) -> None:
    """Like the real Bot API (measured 2026): 4,096 astral emoji (8,192 UTF-16 units) pass, 4,097 do not."""
    await api.ok("sendMessage", chat_id=ANN, text="x" * 4096)
    sent = await api.ok("sendMessage", chat_id=ANN, text="😀" * 4096)
    assert sent["text"] == "😀" * 4096
    await api.ok("sendMessage", chat_id=ANN, text="邻" * 4096)
    await api.fails("sendMessage", 400, "Bad Request: message is too long", chat_id=ANN, text="x" * 4097)
    await api.fails("sendMessage", 400, "Bad Request: message is too long", chat_id=ANN, text="😀" * 4097)
    await api.fails("sendMessage", 400, "Bad Request: message is too long", chat_id=ANN, text="😀" * 4096 + "x")


async def test_limit_counts_text_after_html_parsing(api: RawApi) -> None:
    await api.ok("sendMessage", chat_id=ANN, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    markup_heavy = "<b>😀</b><i>&amp;</i>" * 2048  # 40,960 characters of source, 4,096 after parsing
    sent = await api.ok("sendMessage", chat_id=ANN, text=markup_heavy, parse_mode="HTML")
    assert sent["text"] == "😀&" * 2048
    await api.fails("sendMessage", 400, "Bad Request: message is too long", chat_id=ANN,
                    text=markup_heavy + "&lt;", parse_mode="HTML")


async def test_entity_offsets_count_utf16_units(api: RawApi) -> None:
    sent = await api.ok("sendMessage", chat_id=ANN, parse_mode="HTML",
                        text="😀😀<b>邻里</b> 😀<i>😀x</i>")
    assert sent["text"] == "😀😀邻里 😀😀x"
    assert sent["entities"] == [
        {"type": "bold", "offset": 4, "length": 2},
        {"type": "italic", "offset": 9, "length": 3},
    ]


async def test_edits_count_code_points(api: RawApi) -> None:
    mid = (await api.ok("sendMessage", chat_id=ANN, text="draft"))["message_id"]
    edited = await api.ok("editMessageText", chat_id=ANN, message_id=mid, text="<b>" + "😀" * 4096 + "</b>",
                          parse_mode="HTML")
    assert edited["entities"] == [{"type": "bold", "offset": 0, "length": 8192}]
    await api.fails("editMessageText", 400, "Bad Request: message is too long", chat_id=ANN, message_id=mid,
                    text="😀" * 4097)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "<b></b>"])
async def test_empty_text_is_refused(api: RawApi, text: str) -> None:
    await api.fails("sendMessage", 400, "Bad Request: message text is empty", chat_id=ANN, text=text,
                    parse_mode="HTML")


async def test_missing_text_uses_telegrams_wording(api: RawApi) -> None:
    await api.fails("sendMessage", 400, "Bad Request: message text is empty", chat_id=ANN)


async def test_html_is_stored_as_plain_text_with_entities(api: RawApi, emu: BotApiEmulator) -> None:
    sent = await api.ok("sendMessage", chat_id=ANN, parse_mode="HTML",
                        text="  Hi <b>Ann</b> &amp; <i>😀 <u>you</u></i> <a href='https://x.org'>link</a>\n")
    assert sent["text"] == "Hi Ann & 😀 you link"
    assert sent["entities"] == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "italic", "offset": 9, "length": 6},
        {"type": "underline", "offset": 12, "length": 3},
        {"type": "text_link", "offset": 16, "length": 4, "url": "https://x.org"},
    ]
    assert emu.message(ANN, sent["message_id"]) == sent


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Hello <b>Bob", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("R&D", 'Unknown HTML entity "&D" (write "&amp;" for "&") at byte offset 1'),
        ("&foo; bar", 'Unknown HTML entity "&foo;" (write "&amp;" for "&") at byte offset 0'),
        ("1 & 2", 'Unescaped "&" (write "&amp;") at byte offset 2'),
        ("<span>s</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_refused_with_telegrams_reason(api: RawApi, text: str, reason: str) -> None:
    await api.fails("sendMessage", 400, f"Bad Request: can't parse entities: {reason}", chat_id=ANN, text=text,
                    parse_mode="HTML")


async def test_markdown_v2_requires_escaping(api: RawApi) -> None:
    await api.fails("sendMessage", 400,
                    "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the "
                    "preceding '\\'", chat_id=ANN, text="Done.", parse_mode="MarkdownV2")
    sent = await api.ok("sendMessage", chat_id=ANN, text="*Done*\\.", parse_mode="MarkdownV2")
    assert (sent["text"], sent["entities"]) == ("Done.", [{"type": "bold", "offset": 0, "length": 4}])


async def test_unknown_parse_mode_is_refused(api: RawApi) -> None:
    status, body = await api("sendMessage", chat_id=ANN, text="x", parse_mode="BBCode")
    assert status == 400 and "unsupported parse_mode" in body["description"]


async def test_caption_limit_is_1024(api: RawApi) -> None:
    status, body = await api.upload("sendPhoto", "photo", tiny_png(), "p.png", "image/png", chat_id=ANN,
                                    caption="y" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    status, body = await api.upload("sendPhoto", "photo", tiny_png(), "p.png", "image/png", chat_id=ANN,
                                    caption="<i>" + "y" * 1024 + "</i>", parse_mode="HTML")
    assert status == 200 and body["result"]["caption_entities"] == [{"type": "italic", "offset": 0, "length": 1024}]


async def test_caption_limit_counts_code_points_in_sends_and_edits(api: RawApi) -> None:
    status, body = await api.upload("sendDocument", "document", b"data", "d.txt", "text/plain", chat_id=ANN,
                                    caption="<b>😀</b>" * 1024, parse_mode="HTML")
    assert status == 200, body
    assert body["result"]["caption"] == "😀" * 1024
    mid = body["result"]["message_id"]
    status, body = await api.upload("sendPhoto", "photo", tiny_png(), "p.png", "image/png", chat_id=ANN,
                                    caption="😀" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    await api.ok("editMessageCaption", chat_id=ANN, message_id=mid, caption="邻" * 1024)
    await api.fails("editMessageCaption", 400, "Bad Request: message caption is too long", chat_id=ANN,
                    message_id=mid, caption="😀" * 1025)
