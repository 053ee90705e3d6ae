"""A file part received in a multipart request."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the multipart field it came in, its name, type and bytes."""

    name: str  # the multipart field it came in
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Number of bytes received."""
        return len(self.data)
