"""Data a scenario starts from: a roster with invite codes, committee members, verified residents."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app import Linli
from storage import community as homes
from storage import residents, roster
from storage.residents import Resident, Role


@dataclass
class Seed:
    app: Linli

    async def roster(self, rows: list[tuple[str, str, str, float, bool]] | None = None,
                     codes_per_household: int = 2) -> dict[tuple[str, str, str], list[str]]:
        """Households (building, unit, room, area, owner) → their invite codes."""
        rows = rows or [("1", "1", "101", 80.0, True), ("1", "1", "102", 95.5, True), ("2", "1", "201", 60.0, False)]
        async with self.app.sessions() as session:
            community = await homes.get_community(session, self.app.community_id or 0)
            result = await roster.import_roster(
                session, community, [roster.RosterRow(*row) for row in rows], self.app.clock.now(),
                codes_per_household=codes_per_household)
            await session.commit()
        codes: dict[tuple[str, str, str], list[str]] = {}
        for building, unit, room, code in result.codes:
            codes.setdefault((building, unit, room), []).append(code)
        return codes

    async def resident(self, user_id: int, name: str, *, verified: bool = True, adult: bool = True,
                       roles: tuple[Role, ...] = (), household: tuple[str, str, str] | None = None,
                       language: str = "zh-Hans") -> Resident:
        async with self.app.sessions() as session:
            now = self.app.clock.now()
            resident = await residents.by_telegram_id(session, self.app.community_id or 0, user_id)
            if resident is None:
                resident = Resident(community_id=self.app.community_id or 0, telegram_user_id=user_id,
                                    display_name=name, language=language, created_at=now)
            resident.verified, resident.is_adult = verified, adult
            if household is not None:
                found = await homes.find_household(session, self.app.community_id or 0, *household)
                assert found is not None, household
                resident.household_id = found.id
            session.add(resident)
            await session.flush()
            for role in roles:
                await residents.grant_role(session, resident, role, now)
            await session.commit()
            return resident

    async def committee(self, user_id: int, name: str = "Director Li", language: str = "zh-Hans") -> Resident:
        return await self.resident(user_id, name, roles=(Role.COMMITTEE,), language=language)

    # ---- topics ---------------------------------------------------------------------------------
    async def configure(self, **fields: object) -> None:
        """Set community fields (agenda_threshold, adult_population, answer_days, committee_chat_id)."""
        async with self.app.sessions() as session:
            community = await homes.get_community(session, self.app.community_id or 0)
            for name, value in fields.items():
                setattr(community, name, value)
            session.add(community)
            await session.commit()

    async def topic(self, proposer_user_id: int, title: str, description: str = "详情见标题。",
                    category: str = "other") -> int:
        """A topic proposed by a verified resident (who becomes its first supporter); returns its id."""
        from storage import topics

        async with self.app.sessions() as session:
            community = await homes.get_community(session, self.app.community_id or 0)
            proposer = await residents.by_telegram_id(session, self.app.community_id or 0, proposer_user_id)
            found = {c.code: c for c in await topics.categories(session, community.id or 0, active_only=False)}
            outcome = await topics.propose(session, community=community, proposer=proposer, title=title,
                                           description=description, category_id=found[category].id or 0,
                                           photo_file_id=None, now=self.app.clock.now())
            await session.commit()
            return outcome.topic.id or 0

    async def support(self, topic_id: int, *user_ids: int) -> None:
        from storage import topics

        async with self.app.sessions() as session:
            community = await homes.get_community(session, self.app.community_id or 0)
            for user_id in user_ids:
                resident = await residents.by_telegram_id(session, self.app.community_id or 0, user_id)
                await topics.support(session, community=community, topic_id=topic_id, resident=resident,
                                     now=self.app.clock.now())
            await session.commit()
