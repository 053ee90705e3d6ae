"""Message catalogs (Babel .po files under ``locales/``), one per feature, in zh-Hans and en.

Messages are looked up by key (``start.welcome``) and formatted with named placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("zh-Hans", "en")
DEFAULT_LANGUAGE = "zh-Hans"
CATALOG_DIR = Path(__file__).parent


def catalog_dir(language: str) -> Path:
    return CATALOG_DIR / language.replace("-", "_") / "LC_MESSAGES"


def load_catalog(language: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in sorted(catalog_dir(language).glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.replace("-", "_"))
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string:
                messages[message.id] = str(message.string)
    return messages


def pick_language(telegram_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Telegram's ``language_code`` → one of ours: Chinese variants → zh-Hans, any other → en."""
    if not telegram_code:
        return default
    return "zh-Hans" if telegram_code.lower().startswith("zh") else "en"


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """All catalogs, loaded once at start."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.catalogs = dict(catalogs) if catalogs is not None else {lang: load_catalog(lang) for lang in LANGUAGES}

    def __call__(self, language: str, key: str, /, **params: Any) -> str:
        catalog = self.catalogs.get(language) or self.catalogs[DEFAULT_LANGUAGE]
        template = catalog.get(key) or self.catalogs[DEFAULT_LANGUAGE].get(key)
        if template is None:
            return key
        return template.format_map(_Missing(params)) if params else template

    def has(self, language: str, key: str) -> bool:
        return key in self.catalogs.get(language, {})
