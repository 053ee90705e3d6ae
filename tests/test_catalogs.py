"""Every user-facing message exists in both languages, with the same placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.doors.common import COMMANDS
from locales.catalogs import LANGUAGES, Translator, load_catalog, pick_language
from storage.residents import Role

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("bot", "core", "handlers", "scheduler", "storage")


def _catalogs() -> dict[str, dict[str, str]]:
    return {language: load_catalog(language) for language in LANGUAGES}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _keys_in_source(prefixes: set[str]) -> set[str]:
    """String literals shaped like catalog keys (``feature.message``) whose prefix is a catalog's."""
    keys: set[str] = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "emulator" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    value = node.value
                    head, dot, rest = value.partition(".")
                    if dot and head in prefixes and rest and " " not in value and value.replace(".", "").replace(
                            "_", "").replace("-", "").isalnum():
                        keys.add(value)
    return keys


def test_both_languages_have_the_same_messages() -> None:
    catalogs = _catalogs()
    zh, en = set(catalogs["zh-Hans"]), set(catalogs["en"])
    assert zh, "no zh-Hans messages loaded"
    assert zh - en == set(), f"missing in English: {sorted(zh - en)}"
    assert en - zh == set(), f"missing in Chinese: {sorted(en - zh)}"


def test_placeholders_agree_between_languages() -> None:
    catalogs = _catalogs()
    mismatched = [key for key in catalogs["zh-Hans"]
                  if _placeholders(catalogs["zh-Hans"][key]) != _placeholders(catalogs["en"].get(key, ""))]
    assert mismatched == []


def test_every_key_used_in_code_is_translated() -> None:
    catalogs = _catalogs()
    prefixes = {key.split(".", 1)[0] for key in catalogs["zh-Hans"]}
    used = _keys_in_source(prefixes)
    assert len(used) > 50, "the key scan found suspiciously few keys"
    for language, catalog in catalogs.items():
        missing = sorted(used - set(catalog))
        assert missing == [], f"{language} lacks {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_keys_built_at_run_time_exist(language: str) -> None:
    catalog = load_catalog(language)
    dynamic = ([f"role.{role.value}" for role in Role] + [f"language.{code}" for code in LANGUAGES]
               + [f"commands.{name}" for name in COMMANDS])
    assert [key for key in dynamic if key not in catalog] == []


def test_translator_formats_and_falls_back() -> None:
    translate = Translator({"zh-Hans": {"a.b": "你好 {name}"}, "en": {}})
    assert translate("en", "a.b", name="Li") == "你好 Li"  # falls back to the default language
    assert translate("zh-Hans", "a.b") == "你好 {name}"
    assert translate("en", "a.missing") == "a.missing"


@pytest.mark.parametrize(("code", "expected"), [("zh-hans", "zh-Hans"), ("zh-TW", "zh-Hans"), ("en", "en"),
                                                ("de", "en"), (None, "zh-Hans")])
def test_language_from_telegram(code: str | None, expected: str) -> None:
    assert pick_language(code) == expected
