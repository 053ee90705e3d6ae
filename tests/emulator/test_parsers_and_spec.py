"""The HTML/Markdown parsers and the spec helpers, without HTTP."""

from __future__ import annotations

import pytest

from bot.emulator import BotApiSpec, assert_conforms
from bot.emulator.errors import ApiError
from bot.emulator.html_check import EntityParseError, parse_html
from bot.emulator.markdown_check import parse_markdown, parse_markdown_v2


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("<b>x</b>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
        ("<STRONG>x</strong>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
        ("&lt;tag&gt; &quot;q&quot; &#65;&#x42;", '<tag> "q" AB', []),
        ("😀<s>a</s>", "😀a", [{"type": "strikethrough", "offset": 2, "length": 1}]),
        ("<tg-spoiler>s</tg-spoiler>", "s", [{"type": "spoiler", "offset": 0, "length": 1}]),
        ("<blockquote expandable>q</blockquote>", "q", [{"type": "expandable_blockquote", "offset": 0, "length": 1}]),
        ('<pre><code class="language-py">x</code></pre>', "x",
         [{"type": "pre", "offset": 0, "length": 1, "language": "py"}]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍",
         [{"type": "custom_emoji", "offset": 0, "length": 2, "custom_emoji_id": "5368324170671202286"}]),
        ("<a href='javascript:alert(1)'>x</a>", "x", []),
        ("a > b", "a > b", []),
        ("<b></b>x", "x", []),
    ],
)
def test_html_accepts(html: str, text: str, entities: list[dict]) -> None:
    parsed = parse_html(html)
    assert (parsed.text, parsed.entities) == (text, entities)


def test_html_lenient_ampersand_is_telegrams_own_behaviour() -> None:
    assert parse_html("R&D &foo;", strict_ampersand=False).text == "R&D &foo;"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x <", "Unclosed start tag at byte offset 2"),
        ("<a href=x y>", 'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0'),
        ("ü<b", "Unclosed start tag at byte offset 2"),
    ],
)
def test_html_refuses(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert caught.value.reason == reason


def test_markdown_v2() -> None:
    parsed = parse_markdown_v2("*b* _i_ __u__ ~s~ ||p|| `c` [l](https://x.org) 1\\+1")
    assert parsed.text == "b i u s p c l 1+1"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "underline", "strikethrough", "spoiler", "code",
                                                    "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*open")
    with pytest.raises(EntityParseError, match="Character '-' is reserved"):
        parse_markdown_v2("a-b")


def test_legacy_markdown() -> None:
    assert parse_markdown("*b* a.b!").entities == [{"type": "bold", "offset": 0, "length": 1}]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte offset 2"):
        parse_markdown("a _b")


def test_conformance_helper_finds_missing_extra_and_mistyped_fields() -> None:
    spec = BotApiSpec.load()
    good = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
            "from": {"id": 2, "is_bot": True, "first_name": "L"}}
    assert spec.problems("Message", good) == []
    bad = {"message_id": "1", "chat": {"id": 1}, "form": {}}
    assert sorted(spec.problems("Message", bad)) == [
        "$.chat.type: required field of Chat is missing",
        "$.date: required field of Message is missing",
        "$.form: Message has no such field",
        "$.message_id: expected Integer, got '1'",
    ]
    assert_conforms("Array of Update", [{"update_id": 1, "message": good}])
    with pytest.raises(AssertionError, match="required field of User is missing"):
        assert_conforms("User", {"id": 1, "is_bot": False})


def test_param_coercion() -> None:
    spec = BotApiSpec.load()
    method = spec.method("sendmessage")
    assert method is not None and method.name == "sendMessage"
    parsed = spec.parse_params(method, {"chat_id": "-100", "text": "x", "disable_notification": "true",
                                        "entities": '[{"type":"bold","offset":0,"length":1}]', "extra": "1"}, {})
    assert parsed.values["chat_id"] == -100 and parsed.values["disable_notification"] is True
    assert parsed.values["entities"][0]["type"] == "bold" and parsed.unknown == ["extra"]
    with pytest.raises(ApiError, match='invalid parameter "disable_notification"'):
        spec.parse_params(method, {"chat_id": 1, "text": "x", "disable_notification": "maybe"}, {})
