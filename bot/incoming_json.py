"""An :class:`Incoming` as JSON and back: the form in which an update waits in the inbox."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from handlers.port import Attachment, ChatKind, Incoming, PollAnswer, Sender


def dumps(incoming: Incoming) -> str:
    return json.dumps(dataclasses.asdict(incoming), ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Incoming:
    raw: dict[str, Any] = json.loads(text)
    names = {f.name for f in dataclasses.fields(Incoming)}
    fields = {key: value for key, value in raw.items() if key in names}
    fields["sender"] = Sender(**raw["sender"])
    fields["chat_kind"] = ChatKind(raw["chat_kind"])
    if raw.get("attachment") is not None:
        fields["attachment"] = Attachment(**raw["attachment"])
    if raw.get("poll_answer") is not None:
        answer = raw["poll_answer"]
        fields["poll_answer"] = PollAnswer(str(answer["poll_id"]), tuple(int(i) for i in answer["option_ids"]))
    return Incoming(**fields)
