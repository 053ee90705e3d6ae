"""Files: uploaded bytes, their file_ids, PhotoSize/Document/File objects.

Photos are checked for a PNG/JPEG/GIF/WebP signature and readable
dimensions (else IMAGE_PROCESS_FAILED, like Telegram). Photos are not
re-encoded: every PhotoSize of one photo downloads the original bytes, and
file_size is their length.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import mimetypes
import secrets
import struct
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import ApiError, bad_request

PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024
_THUMBNAIL_BOXES = (90, 320)
_FULL_BOX = 1280


@dataclass(frozen=True)
class StoredFile:
    """One file the server knows, addressable by file_id and by file_path."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def size(self) -> int:
        """Length in bytes."""
        return len(self.data)


class FileStore:
    """Every file uploaded by users or bots, by file_id and file_path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._numbers = itertools.count(1)
        self.photo_sizes: dict[str, list[dict[str, Any]]] = {}

    def add(
        self, data: bytes, kind: str, *, label: str = "", file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        """Store bytes under a new file_id; file_unique_id depends on content and ``label``."""
        number = next(self._numbers)
        prefix = "AgACAgIAAxkBAAI" if kind == "photo" else "BQACAgIAAxkBAAI"
        file_id = f"{prefix}{number:06d}{secrets.token_urlsafe(24)}"
        digest = hashlib.sha1(data + kind.encode() + label.encode()).digest()
        unique_id = "AQAD" + base64.urlsafe_b64encode(digest[:9]).decode()
        extension = ".jpg" if kind == "photo" else _extension(file_name, mime_type)
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(file_id, unique_id, kind, data, f"{folder}/file_{number}{extension}", file_name, mime_type)
        self._by_id[file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file with this file_id, or None."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """The file with this file_path (as returned by getFile), or None."""
        return self._by_path.get(file_path)


def _extension(file_name: str | None, mime_type: str | None) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1]
    return (mimetypes.guess_extension(mime_type) if mime_type else None) or ""


def guess_mime_type(file_name: str | None, declared: str | None) -> str:
    """The declared content type unless generic, else a guess from the name."""
    if declared and declared != "application/octet-stream":
        return declared
    guessed = mimetypes.guess_type(file_name)[0] if file_name else None
    return guessed or declared or "application/octet-stream"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image; None if not one of those."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _scaled(width: int, height: int, box: int) -> tuple[int, int]:
    largest = max(width, height)
    if largest <= box:
        return width, height
    return max(1, round(width * box / largest)), max(1, round(height * box / largest))


def store_photo(files: FileStore, data: bytes) -> list[dict[str, Any]]:
    """Check an uploaded photo and store it; return its PhotoSize list (smallest first)."""
    if len(data) > PHOTO_MAX_BYTES:
        raise bad_request("file is too big")
    size = image_size(data)
    if size is None or size[0] <= 0 or size[1] <= 0:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    boxes = [box for box in _THUMBNAIL_BOXES if box == _THUMBNAIL_BOXES[0] or max(width, height) > box]
    sizes = []
    for box in [*boxes, _FULL_BOX]:
        w, h = _scaled(width, height, box)
        stored = files.add(data, "photo", label=f"{w}x{h}", mime_type="image/jpeg")
        sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size,
                      "width": w, "height": h})
    for photo_size in sizes:
        files.photo_sizes[str(photo_size["file_id"])] = sizes
    return sizes


def store_document(files: FileStore, data: bytes, file_name: str | None, mime_type: str | None) -> dict[str, Any]:
    """Store an uploaded document; return its Document object."""
    if len(data) > DOCUMENT_MAX_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    stored = files.add(data, "document", file_name=file_name, mime_type=guess_mime_type(file_name, mime_type))
    return document_object(stored)


def document_object(stored: StoredFile) -> dict[str, Any]:
    """The Document object for a stored file."""
    document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    document["file_size"] = stored.size
    return document


def file_object(stored: StoredFile) -> dict[str, Any]:
    """The File object getFile returns."""
    if stored.size > DOWNLOAD_MAX_BYTES:
        raise bad_request("file is too big")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size,
            "file_path": stored.file_path}
