"""Request encodings, uploads, getFile and downloads."""

from __future__ import annotations

import aiohttp

from bot.emulator import BotApiEmulator
from tests.emulator.support import ANN, RawApi, tiny_png


async def test_form_json_query_and_empty_bodies(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    assert (await api.json("sendMessage", chat_id=ANN, text="json",
                           reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}))[0] == 200
    assert (await api.get("sendMessage", chat_id=ANN, text="query"))[0] == 200
    assert (await api("sendMessage", chat_id=ANN, text="form"))[0] == 200
    async with api.session.post(api.url("getMe")) as response:  # no body at all, as PTB sends it
        assert (await response.json())["result"]["username"] == "linli_bot"
    assert [m["text"] for m in emu.bot_messages(ANN)] == ["json", "query", "form"]
    assert emu.calls("sendMessage")[0].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"


async def test_broken_json_parameter_is_refused(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    async with api.session.post(api.url("sendMessage"),
                                data={"chat_id": str(ANN), "text": "x", "reply_markup": "{oops"}) as response:
        body = await response.json()
    assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"


async def test_document_upload_get_file_and_download(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    status, body = await api.upload("sendDocument", "document", b"a,b\n1,2\n", "votes.csv", "text/csv",
                                    chat_id=ANN, caption="Results")
    assert status == 200, body
    document = body["result"]["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == ("votes.csv", "text/csv", 8)
    assert emu.calls("sendDocument")[-1].files == [{"field": "document", "filename": "votes.csv", "size": 8}]
    file = await api.ok("getFile", file_id=document["file_id"])
    async with api.session.get(f"{emu.base_url}/file/bot{api.token}/{file['file_path']}") as response:
        assert response.status == 200 and await response.read() == b"a,b\n1,2\n"
    again = await api.ok("sendDocument", chat_id=ANN, document=document["file_id"])
    assert again["document"]["file_unique_id"] == document["file_unique_id"]
    assert emu.file_bytes(document["file_id"]) == b"a,b\n1,2\n"


async def test_attach_reference_is_resolved(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(ANN))
    form.add_field("photo", "attach://file1")
    form.add_field("file1", tiny_png(), filename="p.png", content_type="image/png")
    async with api.session.post(api.url("sendPhoto"), data=form) as response:
        body = await response.json()
    assert body["ok"], body
    assert emu.calls("sendPhoto")[-1].unknown_params == []


async def test_photos_must_be_images(api: RawApi, emu: BotApiEmulator) -> None:
    emu.user_sends(ANN, "hi")
    status, body = await api.upload("sendPhoto", "photo", b"not an image", "p.png", "image/png", chat_id=ANN)
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    status, body = await api.upload("sendPhoto", "photo", tiny_png(640, 480), "p.png", "image/png", chat_id=ANN)
    sizes = body["result"]["photo"]
    assert [(s["width"], s["height"]) for s in sizes] == [(90, 68), (320, 240), (640, 480)]
    await api.fails("sendPhoto", 400, "Bad Request: failed to get HTTP URL content", chat_id=ANN,
                    photo="https://example.org/cat.jpg")
    await api.fails("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified", chat_id=ANN,
                    photo="AgACAgIAAxkBAAIunknown")
    await api.fails("sendPhoto", 400, "Bad Request: there is no photo in the request", chat_id=ANN)
    resent = await api.ok("sendPhoto", chat_id=ANN, photo=sizes[-1]["file_id"])
    assert resent["photo"] == sizes


async def test_user_photo_can_be_downloaded_by_the_bot(api: RawApi, emu: BotApiEmulator) -> None:
    image = tiny_png(30, 20)
    message = emu.user_sends_photo(ANN, image, caption="broken lamp")
    file = await api.ok("getFile", file_id=message["photo"][-1]["file_id"])
    async with api.session.get(f"{emu.base_url}/file/bot{api.token}/{file['file_path']}") as response:
        assert await response.read() == image
    async with api.session.get(f"{emu.base_url}/file/bot{api.token}/photos/nothing.jpg") as response:
        assert response.status == 404
    await api.fails("getFile", 400, "Bad Request: invalid file_id", file_id="nope")
