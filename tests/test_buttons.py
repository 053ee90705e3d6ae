"""The button codec and the router: typed fields, signatures, clashes, and nothing but "stale" for bad input."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.features import features
from core.errors import StaleButton
from handlers import build_dispatcher
from handlers.buttons import MAX_BYTES, ButtonCodec, Tap, registered
from handlers.context import Context
from handlers.router import Router

codec = ButtonCodec(b"k" * 32)


class Colour(StrEnum):
    RED = "r"
    BLUE = "b"


class Sample(Tap, prefix="zz_sample"):
    number: int
    word: str
    flag: bool
    colour: Colour


def test_round_trip_keeps_types() -> None:
    tap = Sample(-42, "abc", True, Colour.BLUE)
    data = codec.pack(tap)
    assert data.startswith("zz_sample:-42:abc:1:b~")
    back = codec.unpack(data)
    assert back == tap and isinstance(back, Sample) and back.colour is Colour.BLUE


@pytest.mark.parametrize("data", [
    "", "~", "zz_sample", "zz_sample:1:a:1:b",  # no signature
    "zz_sample:1:a:1:b~AAAAAAAA",  # wrong signature
    "zz_sample:1:a:1:b~ÄÖÜ中文é",  # non-ASCII signature (used to raise TypeError)
    "zz_sample:1:a:1:b~\udcff",
])
def test_forged_or_malformed_is_stale(data: str) -> None:
    with pytest.raises(StaleButton):
        codec.unpack(data)


def _signed(body: str) -> str:
    return f"{body}~{codec._sig(body)}"


@pytest.mark.parametrize("body", [
    "zz_unknown:1",  # unknown prefix, validly signed
    "zz_sample:1:a:1",  # too few fields
    "zz_sample:1:a:1:b:extra",  # too many
    "zz_sample:x:a:1:b",  # int field not a number
    "zz_sample:99999999999999999999999:a:1:b",  # absurd int
    "zz_sample:1:a:yes:b",  # bool field
    "zz_sample:1:a:1:green",  # enum member that does not exist
    "zz_sample:١:a:1:b",  # a non-ASCII digit
])
def test_signed_but_wrong_shape_is_stale(body: str) -> None:
    with pytest.raises(StaleButton):
        codec.unpack(_signed(body))


def test_another_key_is_stale() -> None:
    data = ButtonCodec(b"x" * 32).pack(Sample(1, "a", False, Colour.RED))
    with pytest.raises(StaleButton):
        codec.unpack(data)


def test_pack_checks_64_bytes_and_reserved_characters() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        codec.pack(Sample(1, "a" * MAX_BYTES, False, Colour.RED))
    for bad in ("a:b", "a~b"):
        with pytest.raises(ValueError):
            codec.pack(Sample(1, bad, False, Colour.RED))


def test_prefix_clash_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="taken"):
        class Again(Tap, prefix="zz_sample"):
            other: int


def test_unsupported_field_type_is_refused() -> None:
    class Floaty(Tap, prefix="zz_float"):
        value: float

    with pytest.raises(TypeError):
        codec.pack(Floaty(1.5))


@given(st.text(max_size=80))
def test_unpack_never_raises_anything_but_stale(data: str) -> None:
    try:
        codec.unpack(data)
    except StaleButton:
        pass


def test_every_registered_button_has_exactly_one_route() -> None:
    dispatcher = build_dispatcher(features())
    from handlers import buttons

    declared = {cls for cls in buttons._REGISTRY.values() if cls.__module__.startswith("handlers.")}
    assert declared, "no feature buttons declared"
    assert declared - set(dispatcher.buttons) == set(), "buttons nobody answers"
    assert registered("ts") is not None


def test_router_refuses_a_second_route_for_one_button() -> None:
    router = Router("test")

    async def handler(ctx: Context, tap: Sample) -> None: ...

    router.button(Sample)(handler)
    with pytest.raises(ValueError, match="twice"):
        router.button(Sample)(handler)


def test_dispatcher_refuses_clashes_between_routers() -> None:
    from handlers.menu import fallback

    first, second = Router("one"), Router("two")

    async def handler(ctx: Context, tap: Sample) -> None: ...

    first.button(Sample)(handler)
    second.button(Sample)(handler)
    with pytest.raises(ValueError, match="again"):
        from handlers.router import Dispatcher

        Dispatcher([first, second], fallback)
