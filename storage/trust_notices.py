"""Who must hear what about paper ballots and proxies (rendered per recipient by the notifier).

A paper entry waiting for confirmation goes to the meeting's scrutineers but its author; a registered proxy to its
grantor and its holder. The record's head at each close goes to the committee with the results
(storage.meeting_notices).
"""

from __future__ import annotations

from core.notices import Notice
from storage.meeting_notices import people
from storage.paper import EntryView, scrutineer_ids
from storage.proxies import ProxyView
from storage.unit import Unit


async def paper_waiting(unit: Unit, entry: EntryView) -> list[Notice]:
    if entry.status != "pending":
        return []
    told = [rid for rid in await scrutineer_ids(unit, entry.meeting_id) if rid != entry.entered_by]
    if not told:
        return []
    return [Notice(text="trust.note.paper_waiting", key=f"paper-entry:{entry.id}", recipients=await people(unit, told),
                   params={"id": entry.meeting_id, "title": entry.meeting_title, "entry": entry.id})]


async def proxy_registered(unit: Unit, proxy: ProxyView, title: str) -> Notice:
    return Notice(text="trust.note.proxy", key=f"proxy:{proxy.id}",
                  recipients=await people(unit, [proxy.grantor_id, proxy.proxy_id]),
                  params={"id": proxy.meeting_id, "title": title, "grantor": proxy.grantor, "proxy": proxy.proxy})
