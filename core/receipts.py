"""Ballot receipts: short codes easy to read aloud and to type, without look-alike characters (issue 9).

A receipt is 8 characters from an alphabet without 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B (23 characters, about 36 bits),
shown as ``ACDE-FHJK``. The voter sees it once; the bulletin lists receipt and choice. Typed back, case, spaces
and dashes do not matter.
"""

from __future__ import annotations

import secrets

ALPHABET = "ACDEFGHJKMNPRTUVWXY3479"
LENGTH = 8


def new_receipt() -> str:
    """A fresh random receipt (storage keeps them unique per meeting and draws again on a clash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(receipt: str) -> str:
    """``ACDEFHJK`` → ``ACDE-FHJK``: two halves are easier to read aloud."""
    return f"{receipt[:LENGTH // 2]}-{receipt[LENGTH // 2:]}"


def parse(typed: str) -> str | None:
    """What a resident typed, as a receipt; None if it cannot be one (the same answer as "not found")."""
    code = "".join(ch for ch in typed.upper() if ch not in " -\u3000")
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code
