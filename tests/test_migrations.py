"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import create_engine, upgrade
from storage.schema import metadata


async def test_upgrade_to_head_matches_the_models(db_url: str) -> None:
    await upgrade(db_url)  # an already migrated template is a no-op; a fresh database gets every revision
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            def diff(sync_connection):  # type: ignore[no-untyped-def]
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return compare_metadata(context, metadata)

            differences = await connection.run_sync(diff)
            names = await connection.run_sync(
                lambda sync: {uq["name"] for table in inspect(sync).get_table_names()
                              for uq in inspect(sync).get_unique_constraints(table)})
    finally:
        await engine.dispose()
    assert differences == []
    assert all(name and name.startswith("uq_") for name in names), names


def test_constraints_are_named_by_convention() -> None:
    unnamed = [(table.name, type(c).__name__) for table in metadata.tables.values() for c in table.constraints
               if not c.name or not str(c.name).startswith(("pk_", "uq_", "fk_", "ck_"))]
    assert unnamed == []
