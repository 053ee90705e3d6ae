"""Routes: commands, typed buttons and forms, each registered once with its guard.

``handlers.routes()`` lists the feature routers in the order they are tried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from core.errors import CommitteeOnly, NotRegistered, NotVerified
from handlers.buttons import Tap
from handlers.context import Context

Handler = Callable[[Context], Awaitable[None]]
T = TypeVar("T", bound=Tap)
ButtonHandler = Callable[[Context, T], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Guard:
    verified: bool = False
    committee: bool = False
    groups: bool = False  # also answer in group chats

    def check(self, ctx: Context) -> None:
        if self.committee and not ctx.committee:
            raise CommitteeOnly()
        if self.verified and ctx.resident is None:
            raise NotRegistered()
        if self.verified and not ctx.verified:
            raise NotVerified()


@dataclass(frozen=True, slots=True)
class Route:
    handler: Callable[..., Awaitable[None]]
    guard: Guard


class Router:
    """One per feature module."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, Route] = {}
        self.buttons: dict[type[Tap], Route] = {}
        self.forms: dict[str, Route] = {}
        self.poll_answer: Route | None = None

    def command(self, *names: str, verified: bool = False, committee: bool = False,
                groups: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                _add(self.commands, name, Route(handler, Guard(verified, committee, groups)), self.name)
            return handler
        return register

    def button(self, *kinds: type[T], verified: bool = False, committee: bool = False,
               groups: bool = False) -> Callable[[ButtonHandler[T]], ButtonHandler[T]]:
        """``handler(ctx, tap)`` for presses of the button class(es) ``kinds``."""
        def register(handler: ButtonHandler[T]) -> ButtonHandler[T]:
            for kind in kinds:
                _add(self.buttons, kind, Route(handler, Guard(verified, committee, groups)), self.name)
            return handler
        return register

    def committee_button(self, *kinds: type[T]) -> Callable[[ButtonHandler[T]], ButtonHandler[T]]:
        """A committee member's button: committee only, and it also works in the committee's group chat."""
        return self.button(*kinds, committee=True, groups=True)

    def form(self, flow: str, *, verified: bool = False, committee: bool = False,
             groups: bool = False) -> Callable[[Handler], Handler]:
        """Typed text or an attachment while the user's form ``flow`` is open (``groups``: also a form in a group)."""
        def register(handler: Handler) -> Handler:
            _add(self.forms, flow, Route(handler, Guard(verified, committee, groups)), self.name)
            return handler
        return register

    def poll_answers(self) -> Callable[[Handler], Handler]:
        """Answers in the bot's public polls (``ctx.incoming.poll_answer``), from anyone: residents or not.

        One feature takes them; they are never answered (the update has no chat) and never reach the fallback."""
        def register(handler: Handler) -> Handler:
            if self.poll_answer is not None:
                raise ValueError(f"router {self.name} takes poll answers twice")
            self.poll_answer = Route(handler, Guard(groups=True))
            return handler
        return register


def _add(table: dict[Any, Route], key: object, route: Route, owner: str) -> None:
    if key in table:
        raise ValueError(f"router {owner} registers {key!r} twice")
    table[key] = route


K = TypeVar("K")


def _merge(table: dict[K, Route], mine: dict[K, Route], owner: str) -> None:
    clash = table.keys() & mine.keys()
    if clash:
        raise ValueError(f"router {owner} registers {sorted(map(str, clash))} again")
    table.update(mine)


class Dispatcher:
    """Finds the route for an update in one look-up. Unmatched input goes to ``fallback``."""

    def __init__(self, routers: Iterable[Router], fallback: Handler) -> None:
        self.commands: dict[str, Route] = {}
        self.buttons: dict[type[Tap], Route] = {}
        self.forms: dict[str, Route] = {}
        self.poll_answer: Route | None = None
        for router in routers:
            _merge(self.commands, router.commands, router.name)
            _merge(self.buttons, router.buttons, router.name)
            _merge(self.forms, router.forms, router.name)
            if router.poll_answer is not None:
                if self.poll_answer is not None:
                    raise ValueError(f"router {router.name} takes poll answers, and so does another")
                self.poll_answer = router.poll_answer
        self.fallback = fallback

    def command_names(self) -> list[str]:
        return sorted(self.commands)

    def resolve(self, ctx: Context) -> tuple[Route, Tap | None] | None:
        incoming = ctx.incoming
        tap: Tap | None = None
        if incoming.poll_answer is not None:
            return None if self.poll_answer is None else (self.poll_answer, None)
        if incoming.is_button:
            assert incoming.callback_data is not None
            tap = ctx.codec.unpack(incoming.callback_data)  # StaleButton if forged or unknown
            route = self.buttons.get(type(tap))
        elif incoming.command is not None:
            if not ctx.addressed_to_us:
                return None
            route = self.commands.get(incoming.command)
        elif ctx.state is not None:
            route = self.forms.get(ctx.state.flow)
        else:
            route = None
        if route is None or (not ctx.in_private and not route.guard.groups):
            return None
        return route, tap

    async def dispatch(self, ctx: Context) -> None:
        found = self.resolve(ctx)
        if found is None:
            if ctx.incoming.poll_answer is not None:
                return  # nobody to answer: a poll answer comes from no chat
            if (ctx.in_private and ctx.addressed_to_us) or ctx.incoming.is_button:
                await self.fallback(ctx)
            return
        route, tap = found
        route.guard.check(ctx)
        if tap is None:
            await route.handler(ctx)
        else:
            await route.handler(ctx, tap)
