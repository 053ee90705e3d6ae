"""Read Bot API parameters from any body Telegram accepts: query string,
form, JSON, multipart (with files) or nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from bot.emulator.errors import bad_request
from bot.emulator.uploads import Upload


async def read_parameters(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """(parameters, uploads by multipart field name) of a Bot API request."""
    params: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return params, uploads
    content_type = request.content_type
    if content_type == "multipart/form-data":
        await _read_multipart(request, params, uploads)
        return params, uploads
    body = await request.read()
    if not body.strip():
        return params, uploads
    if content_type == "application/json" or (content_type != "application/x-www-form-urlencoded"
                                              and body.lstrip().startswith(b"{")):
        params.update(_json_object(body))
    else:
        params.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return params, uploads


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON request body") from None
    if not isinstance(data, dict):
        raise bad_request("JSON request body must be an object")
    return data


async def _read_multipart(request: web.Request, params: dict[str, Any], uploads: dict[str, Upload]) -> None:
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            data = await part.read(decode=False)
            uploads[part.name] = Upload(part.name, part.filename, part.headers.get("Content-Type"), bytes(data))
        else:
            params[part.name] = await part.text()
