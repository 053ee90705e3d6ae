"""Routes: commands, button prefixes and forms, each with its guard where it is registered.

``handlers.routes()`` lists the feature routers in the order they are tried.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from core.errors import CommitteeOnly, NotRegistered, NotVerified
from handlers.context import Context

Handler = Callable[[Context], Awaitable[None]]


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
    handler: Handler
    guard: Guard


class Router:
    """One per feature module."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands: dict[str, Route] = {}
        self.buttons: dict[str, Route] = {}
        self.forms: dict[str, Route] = {}

    def command(self, *names: str, verified: bool = False, committee: bool = False,
                groups: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name] = Route(handler, Guard(verified, committee, groups))
            return handler
        return register

    def button(self, *prefixes: str, verified: bool = False, committee: bool = False,
               groups: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for prefix in prefixes:
                self.buttons[prefix] = Route(handler, Guard(verified, committee, groups))
            return handler
        return register

    def form(self, flow: str, *, verified: bool = False, committee: bool = False) -> Callable[[Handler], Handler]:
        """Typed text or an attachment while the user's form ``flow`` is open."""
        def register(handler: Handler) -> Handler:
            self.forms[flow] = Route(handler, Guard(verified, committee))
            return handler
        return register


class Dispatcher:
    """Finds the route for an update. Unmatched input goes to ``fallback``."""

    def __init__(self, routers: Iterable[Router], fallback: Handler) -> None:
        self.commands: dict[str, Route] = {}
        self.buttons: dict[str, Route] = {}
        self.forms: dict[str, Route] = {}
        for router in routers:
            for table, mine in ((self.commands, router.commands), (self.buttons, router.buttons),
                                (self.forms, router.forms)):
                clash = table.keys() & mine.keys()
                if clash:
                    raise ValueError(f"router {router.name} registers {sorted(clash)} again")
                table.update(mine)
        self.fallback = fallback

    def command_names(self) -> list[str]:
        return sorted(self.commands)

    def resolve(self, ctx: Context) -> Route | None:
        incoming = ctx.incoming
        if incoming.is_button:
            assert incoming.callback_data is not None
            ctx.payload = ctx.codec.unpack(incoming.callback_data)  # StaleButton if forged
            route = self.buttons.get(ctx.payload.prefix)
        elif incoming.command is not None:
            route = self.commands.get(incoming.command)
        elif ctx.state is not None:
            route = self.forms.get(ctx.state.flow)
        else:
            route = None
        if route is not None and not ctx.in_private and not route.guard.groups:
            return None
        return route

    async def dispatch(self, ctx: Context) -> None:
        route = self.resolve(ctx)
        if route is None:
            if ctx.in_private or ctx.incoming.is_button:
                await self.fallback(ctx)
            return
        route.guard.check(ctx)
        await route.handler(ctx)
