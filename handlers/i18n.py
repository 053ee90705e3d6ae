"""The message catalogs, as handlers see them (they live in ``locales.catalogs``, shared with the notifier)."""

from locales.catalogs import DEFAULT_LANGUAGE, LANGUAGES, Translator, load_catalog, pick_language

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Translator", "load_catalog", "pick_language"]
