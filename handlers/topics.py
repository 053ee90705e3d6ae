"""Topics for residents: the home screen, browsing and search, the card, support, and council recommendations.

Buttons: ``tp:<action>:…``. Proposing lives in ``handlers.topic_proposal`` (``tf``), comments in
``handlers.topic_comments`` (``tc``), the committee's desk in ``handlers.topics_committee`` (``tq``).
"""

from __future__ import annotations

from core import topics as rules
from core.errors import StaleButton, TooLong
from handlers import topics_view as view
from handlers.budget import TEXT_BUDGET, fit, parsed_length
from handlers.context import Context
from handlers.port import Keyboard, SendPhoto
from handlers.router import Router
from handlers.text import clip, esc
from storage import councils, topic_lists, topics
from storage.topic_cards import card
from storage.topic_lists import RESIDENT_LISTINGS, Listing

router = Router("topics")

SEARCH, RECOMMEND = "topic_search", "topic_rec"
EVENTS_IN_TIMELINE = 30


@router.command("topics")
async def topics_command(ctx: Context) -> None:
    await show_home(ctx)


async def show_home(ctx: Context) -> None:
    mine = await councils.councils_of(ctx.session, ctx.resident.id or 0) if ctx.verified and ctx.resident else []
    rows: Keyboard = [
        [ctx.button(ctx.t("topics.home.propose"), "tf", "new")],
        [ctx.button(ctx.t("topics.home.hot"), "tp", "ls", Listing.HOT.value, 0, 0),
         ctx.button(ctx.t("topics.home.new"), "tp", "ls", Listing.NEW.value, 0, 0)],
        [ctx.button(ctx.t("topics.home.categories"), "tp", "cats"),
         ctx.button(ctx.t("topics.home.search"), "tp", "find")],
        [ctx.button(ctx.t("topics.home.mine"), "tp", "ls", Listing.MINE.value, 0, 0),
         ctx.button(ctx.t("topics.home.supported"), "tp", "ls", Listing.SUPPORTED.value, 0, 0)],
    ]
    if mine:
        rows.append([ctx.button(ctx.t("topics.home.council"), "tp", "ls", Listing.COUNCIL.value, 0, 0)])
    rows.append([ctx.button(ctx.t("menu.back"), "m", "main")])
    ctx.show(ctx.t("topics.home.text", community=esc(ctx.community.name), days=ctx.community.answer_days), rows)


@router.button("tp")
async def topics_button(ctx: Context) -> None:
    assert ctx.payload is not None
    action = ctx.payload.str(0)
    handler = ACTIONS.get(action)
    if handler is None:
        raise StaleButton()
    await handler(ctx)


async def _home(ctx: Context) -> None:
    ctx.toast()
    await show_home(ctx)


async def _list(ctx: Context) -> None:
    assert ctx.payload is not None
    try:
        listing = Listing(ctx.payload.str(1))
    except ValueError as exc:
        raise StaleButton() from exc
    if listing not in RESIDENT_LISTINGS:
        raise StaleButton()
    await show_list(ctx, listing, ctx.payload.int(2), max(ctx.payload.int(3), 0))


async def show_list(ctx: Context, listing: Listing, arg: int, page: int, *, text: str | None = None) -> None:
    if listing is Listing.SEARCH and text is None:
        state = ctx.state
        if state is None or state.flow != SEARCH or not state.data.get("q"):
            raise StaleButton()
        text = str(state.data["q"])
    resident_id = ctx.resident.id if ctx.resident is not None else None
    council_ids = ([c.id or 0 for c in await councils.councils_of(ctx.session, resident_id or 0)]
                   if listing is Listing.COUNCIL else None)
    rows, total = await topic_lists.browse(ctx.session, ctx.community.id or 0, listing, ctx.now(),
                                           offset=page * view.PAGE_SIZE, limit=view.PAGE_SIZE,
                                           resident_id=resident_id, category_id=arg, text=text,
                                           council_ids=council_ids)
    params: dict[str, object] = {"query": esc(text or "")}
    if listing is Listing.CATEGORY:
        category = await topics.get_category(ctx.session, ctx.community.id or 0, arg)
        params["category"] = esc(category.name(ctx.lang))
    keyboard: Keyboard = [view.topic_button(ctx, row, "tp") for row in rows]
    nav = view.paging_row(ctx, total, page, "tp", "ls", listing.value, arg)
    if nav:
        keyboard.append(nav)
    keyboard.append([ctx.button(ctx.t("topics.btn.home"), "tp", "home")])
    ctx.toast()
    ctx.show(view.list_text(ctx, view.listing_title(ctx, listing, **params), rows, total, page), keyboard)


async def _categories(ctx: Context) -> None:
    found = await topics.categories(ctx.session, ctx.community.id or 0)
    buttons = [ctx.button(c.name(ctx.lang), "tp", "ls", Listing.CATEGORY.value, c.id, 0) for c in found]
    rows: Keyboard = [buttons[i:i + 2] for i in range(0, len(buttons), 2)][:6]
    rows.append([ctx.button(ctx.t("topics.btn.home"), "tp", "home")])
    ctx.toast()
    ctx.show(ctx.t("topics.categories.pick"), rows)


async def _find(ctx: Context) -> None:
    await ctx.set_form(SEARCH, "query")
    ctx.toast()
    ctx.say(ctx.t("topics.search.ask", limit=rules.SEARCH_LIMIT))


@router.form(SEARCH)
async def search_input(ctx: Context) -> None:
    query = rules.check_title(ctx.incoming.text)
    if len(query) > rules.SEARCH_LIMIT:
        raise TooLong(limit=rules.SEARCH_LIMIT, length=len(query))
    await ctx.set_form(SEARCH, "results", {"q": query})
    await show_list(ctx, Listing.SEARCH, 0, 0, text=query)


# ---- the card ----------------------------------------------------------------------------------


async def show_card(ctx: Context, topic_id: int, *, new_message: bool = False) -> None:
    shown = await card(ctx.session, ctx.community, topic_id, ctx.resident)
    text, buttons = view.card_text(ctx, shown), view.resident_buttons(ctx, shown)
    ctx.show(text, buttons, new=new_message)


async def _card(ctx: Context) -> None:
    assert ctx.payload is not None
    ctx.toast()
    await show_card(ctx, ctx.payload.int(1))


async def _support(ctx: Context) -> None:
    assert ctx.payload is not None
    outcome = await topics.support(ctx.session, community=ctx.community, topic_id=ctx.payload.int(1),
                                   resident=ctx.resident, now=ctx.now())
    if not outcome.changed:  # a double tap or an old button: say so, leave the card as it is
        ctx.toast(ctx.t("topics.support.already"), alert=True)
        return
    ctx.toast(ctx.t("topics.support.done"))
    await view.announce_thresholds(ctx, outcome)
    await show_card(ctx, outcome.topic.id or 0)


async def _withdraw(ctx: Context) -> None:
    assert ctx.payload is not None
    outcome = await topics.withdraw(ctx.session, community=ctx.community, topic_id=ctx.payload.int(1),
                                    resident=ctx.resident, now=ctx.now())
    if not outcome.changed:
        ctx.toast(ctx.t("topics.support.not_supporting"), alert=True)
        return
    ctx.toast(ctx.t("topics.support.withdrawn"))
    await show_card(ctx, outcome.topic.id or 0)


async def _photo(ctx: Context) -> None:
    assert ctx.payload is not None
    topic = await topics.visible_topic(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    if not topic.photo_file_id:
        raise StaleButton()
    ctx.toast()
    ctx.reply.add(SendPhoto(chat_id=ctx.chat_id, photo=topic.photo_file_id,
                            caption=ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)),
                            buttons=[[ctx.button(ctx.t("topics.btn.open"), "tp", "c", topic.id)]]))


async def _full(ctx: Context) -> None:
    assert ctx.payload is not None
    topic = await topics.visible_topic(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    ctx.toast()
    title = ctx.t("topics.card.title", id=topic.id, title=esc(topic.title))
    text = fit(lambda shown: title + "\n\n" + shown, topic.description)
    if topic.answer_text:
        answer = "\n\n" + ctx.t("topics.card.answer_full", text=esc(topic.answer_text))
        if parsed_length(text + answer) <= TEXT_BUDGET:
            text += answer
        else:  # the answer in a message of its own
            ctx.say(text)
            text = fit(lambda shown: title + "\n\n" + ctx.t("topics.card.answer_full", text=shown), topic.answer_text)
    ctx.say(text, [[ctx.button(ctx.t("topics.btn.open"), "tp", "c", topic.id)]])


async def _timeline(ctx: Context) -> None:
    assert ctx.payload is not None
    topic = await topics.visible_topic(ctx.session, ctx.community.id or 0, ctx.payload.int(1))
    entries = await topics.events(ctx.session, topic.id or 0, limit=EVENTS_IN_TIMELINE)
    ctx.toast()
    ctx.show(view.timeline_text(ctx, topic, entries, ctx.committee),
             [[ctx.button(ctx.t("topics.btn.back_card"), "tp", "c", topic.id)]])


# ---- council recommendations -------------------------------------------------------------------


async def _recommend(ctx: Context) -> None:
    assert ctx.payload is not None
    topic_id = ctx.payload.int(1)
    council = await councils.check_may_recommend(ctx.session, community=ctx.community, topic_id=topic_id,
                                                 resident=ctx.resident)
    await ctx.set_form(RECOMMEND, "text", {"topic": topic_id})
    ctx.toast()
    ctx.say(ctx.t("topics.rec.ask", council=esc(council.name), limit=rules.RECOMMENDATION_LIMIT))


@router.form(RECOMMEND, verified=True)
async def recommend_input(ctx: Context) -> None:
    state = ctx.require_form(RECOMMEND)
    topic_id = int(state.data["topic"])
    done = await councils.recommend(ctx.session, community=ctx.community, topic_id=topic_id,
                                    resident=ctx.resident, text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    council = esc(done.council.name)
    await view.tell_change(ctx, done.change, council=council)
    await view.alert_committee(ctx, done.change.topic, "topics.alert.recommended",
                               f"tp-rec:{done.recommendation.id}", council=council,
                               text=esc(clip(done.recommendation.text, 500)))
    ctx.say(ctx.t("topics.rec.saved", council=council),
            [[ctx.button(ctx.t("topics.btn.open"), "tp", "c", topic_id)]])


ACTIONS = {
    "home": _home, "ls": _list, "cats": _categories, "find": _find, "c": _card, "s": _support, "w": _withdraw,
    "ph": _photo, "full": _full, "tl": _timeline, "rec": _recommend,
}
