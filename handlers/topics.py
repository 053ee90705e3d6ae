"""Topics for residents: the home screen, browsing and search, the card, support, and council recommendations.

Proposing lives in ``handlers.topic_proposal``, comments in ``handlers.topic_comments``, the committee's desk in
``handlers.topics_committee``.
"""

from __future__ import annotations

from core import topics as rules
from core.errors import StaleButton, TooLong
from handlers import topics_view as view
from handlers.budget import TEXT_BUDGET, fit, parsed_length
from handlers.buttons import Tap
from handlers.context import Context
from handlers.links import CouncilTopics, OpenMenu, OpenTopic, TopicsHome
from handlers.port import Keyboard, SendPhoto
from handlers.router import Router
from handlers.text import esc
from storage import councils, topic_cards, topic_lists, topics
from storage.topic_cards import TopicCard
from storage.topic_lists import RESIDENT_LISTINGS, Listing

router = Router("topics")

SEARCH, RECOMMEND = "topic_search", "topic_rec"
EVENTS_IN_TIMELINE = 30


class ListTopics(Tap, prefix="tl"):
    listing: Listing
    arg: int  # the category of a category listing, else 0
    page: int


class TopicCategories(Tap, prefix="tg"):
    pass


class SearchTopics(Tap, prefix="tq"):
    pass


class SupportTopic(Tap, prefix="ts"):
    topic_id: int


class WithdrawSupport(Tap, prefix="tw"):
    topic_id: int


class TopicPhoto(Tap, prefix="tph"):
    topic_id: int


class TopicFullText(Tap, prefix="tf"):
    topic_id: int


class TopicTimeline(Tap, prefix="tt"):
    topic_id: int


class RecommendTopic(Tap, prefix="tr"):
    topic_id: int


def listing(kind: Listing, arg: int = 0) -> ListTopics:
    return ListTopics(kind, arg, 0)


@router.command("topics")
async def topics_command(ctx: Context) -> None:
    await show_home(ctx)


async def show_home(ctx: Context) -> None:
    mine = await councils.councils_of(ctx.uow, ctx.resident.id) if ctx.verified and ctx.resident else []
    from handlers.topic_proposal import ProposeTopic

    rows: Keyboard = [
        [ctx.button(ctx.t("topics.home.propose"), ProposeTopic())],
        [ctx.button(ctx.t("topics.home.hot"), listing(Listing.HOT)),
         ctx.button(ctx.t("topics.home.new"), listing(Listing.NEW))],
        [ctx.button(ctx.t("topics.home.categories"), TopicCategories()),
         ctx.button(ctx.t("topics.home.search"), SearchTopics())],
        [ctx.button(ctx.t("topics.home.mine"), listing(Listing.MINE)),
         ctx.button(ctx.t("topics.home.supported"), listing(Listing.SUPPORTED))],
    ]
    if mine:
        rows.append([ctx.button(ctx.t("topics.home.council"), CouncilTopics())])
    rows.append([ctx.button(ctx.t("menu.back"), OpenMenu())])
    ctx.show(ctx.t("topics.home.text", community=esc(ctx.community.name), days=ctx.community.answer_days), rows)


@router.button(TopicsHome)
async def topics_home(ctx: Context, tap: TopicsHome) -> None:
    ctx.toast()
    await show_home(ctx)


@router.button(ListTopics)
async def list_topics(ctx: Context, tap: ListTopics) -> None:
    if tap.listing not in RESIDENT_LISTINGS:
        raise StaleButton()
    await show_list(ctx, tap.listing, tap.arg, max(tap.page, 0))


@router.button(CouncilTopics)
async def council_topics(ctx: Context, tap: CouncilTopics) -> None:
    await show_list(ctx, Listing.COUNCIL, 0, 0)


async def show_list(ctx: Context, listing: Listing, arg: int, page: int, *, text: str | None = None) -> None:
    if listing is Listing.SEARCH and text is None:
        state = ctx.state
        if state is None or state.flow != SEARCH or not state.data.get("q"):
            raise StaleButton()
        text = str(state.data["q"])
    shown = await topic_lists.browse_page(ctx.uow, ctx.community.id, listing, ctx.now(),
                                          offset=page * view.PAGE_SIZE, limit=view.PAGE_SIZE,
                                          resident_id=ctx.resident.id if ctx.resident is not None else None,
                                          category_id=arg, text=text)
    rows, total = shown.rows, shown.total
    params: dict[str, object] = {"query": esc(text or "")}
    if shown.category is not None:
        params["category"] = esc(shown.category.name(ctx.lang))
    keyboard: Keyboard = [view.topic_button(ctx, row, OpenTopic) for row in rows]
    nav = view.paging_row(ctx, total, page, lambda to: ListTopics(listing, arg, to))
    if nav:
        keyboard.append(nav)
    keyboard.append([ctx.button(ctx.t("topics.btn.home"), TopicsHome())])
    ctx.toast()
    ctx.show(view.list_text(ctx, view.listing_title(ctx, listing, **params), rows, total, page), keyboard)


@router.button(TopicCategories)
async def topic_categories(ctx: Context, tap: TopicCategories) -> None:
    found = await topics.category_list(ctx.uow, ctx.community.id)
    buttons = [ctx.button(c.name(ctx.lang), listing(Listing.CATEGORY, c.id)) for c in found]
    rows: Keyboard = [buttons[i:i + 2] for i in range(0, len(buttons), 2)][:6]
    rows.append([ctx.button(ctx.t("topics.btn.home"), TopicsHome())])
    ctx.toast()
    ctx.show(ctx.t("topics.categories.pick"), rows)


@router.button(SearchTopics)
async def search_topics(ctx: Context, tap: SearchTopics) -> None:
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
    draw_card(ctx, await topic_cards.card(ctx.uow, ctx.community, topic_id, ctx.resident), new_message=new_message)


def draw_card(ctx: Context, shown: TopicCard, *, new_message: bool = False) -> None:
    ctx.show(view.card_text(ctx, shown), view.resident_buttons(ctx, shown), new=new_message)


@router.button(OpenTopic)
async def open_topic(ctx: Context, tap: OpenTopic) -> None:
    ctx.toast()
    await show_card(ctx, tap.topic_id)


@router.button(SupportTopic, verified=True)
async def support_topic(ctx: Context, tap: SupportTopic) -> None:
    done = await topic_cards.support(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                     resident=ctx.resident, now=ctx.now())
    if done.card is None:  # a double tap or an old button: say so, leave the card as it is
        ctx.toast(ctx.t("topics.support.already"), alert=True)
        return
    ctx.toast(ctx.t("topics.support.done"))
    ctx.tell(*done.notices)
    draw_card(ctx, done.card)  # drawn from the tally the use case has just counted


@router.button(WithdrawSupport, verified=True)
async def withdraw_support(ctx: Context, tap: WithdrawSupport) -> None:
    done = await topic_cards.withdraw(ctx.uow, community=ctx.community, topic_id=tap.topic_id,
                                      resident=ctx.resident, now=ctx.now())
    if done.card is None:
        ctx.toast(ctx.t("topics.support.not_supporting"), alert=True)
        return
    ctx.toast(ctx.t("topics.support.withdrawn"))
    draw_card(ctx, done.card)


@router.button(TopicPhoto)
async def topic_photo(ctx: Context, tap: TopicPhoto) -> None:
    topic = await topics.read_topic(ctx.uow, ctx.community.id, tap.topic_id)
    if not topic.photo_file_id:
        raise StaleButton()
    ctx.toast()
    ctx.reply.add(SendPhoto(chat_id=ctx.chat_id, photo=topic.photo_file_id,
                            caption=ctx.t("topics.card.title", id=topic.id, title=esc(topic.title)),
                            buttons=[[ctx.button(ctx.t("topics.btn.open"), OpenTopic(topic.id))]]))


@router.button(TopicFullText)
async def topic_full_text(ctx: Context, tap: TopicFullText) -> None:
    topic = await topics.read_topic(ctx.uow, ctx.community.id, tap.topic_id)
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
    ctx.say(text, [[ctx.button(ctx.t("topics.btn.open"), OpenTopic(topic.id))]])


@router.button(TopicTimeline)
async def topic_timeline(ctx: Context, tap: TopicTimeline) -> None:
    found = await topics.timeline(ctx.uow, ctx.community.id, tap.topic_id, limit=EVENTS_IN_TIMELINE)
    topic = found.topic
    ctx.toast()
    ctx.show(view.timeline_text(ctx, topic, found.entries, ctx.committee),
             [[ctx.button(ctx.t("topics.btn.back_card"), OpenTopic(topic.id))]])


# ---- council recommendations -------------------------------------------------------------------


@router.button(RecommendTopic, verified=True)
async def recommend_topic(ctx: Context, tap: RecommendTopic) -> None:
    topic_id = tap.topic_id
    council = await councils.check_may_recommend(ctx.uow, community=ctx.community, topic_id=topic_id,
                                                 resident=ctx.resident)
    await ctx.set_form(RECOMMEND, "text", {"topic": topic_id})
    ctx.toast()
    ctx.say(ctx.t("topics.rec.ask", council=esc(council.name), limit=rules.RECOMMENDATION_LIMIT))


@router.form(RECOMMEND, verified=True)
async def recommend_input(ctx: Context) -> None:
    state = ctx.require_form(RECOMMEND)
    topic_id = int(state.data["topic"])
    done = await councils.recommend(ctx.uow, community=ctx.community, topic_id=topic_id,
                                    resident=ctx.resident, text=ctx.incoming.text or "", now=ctx.now())
    await ctx.clear_form()
    ctx.tell(*done.notices)
    ctx.say(ctx.t("topics.rec.saved", council=esc(done.council.name)),
            [[ctx.button(ctx.t("topics.btn.open"), OpenTopic(topic_id))]])

