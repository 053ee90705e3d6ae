"""Start-up time to the first getUpdates and idle memory, of ``linli run`` and of a bare echo bot, per door.

Each bot runs in its own process (``python -m bot run`` / ``python -m bench.bare_bot``) against an emulator in
this process. Start-up: from spawning the process to its first long poll reaching the emulator. Idle RSS:
``VmRSS`` of ``/proc/<pid>/status`` a moment after that first poll.

    python -m bench.processes [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from bot.config import Transport
from bot.emulator import BotApiEmulator
from storage.db import upgrade

ROOT = Path(__file__).resolve().parent.parent
SETTLE_SECONDS = 1.0  # after the first poll, before reading RSS: let start-up work (commands, scheduler) finish
_tokens = count(1)


@dataclass(frozen=True)
class ProcessFigures:
    startup_s: float
    rss_mb: float


def read_rss_mb(pid: int) -> float:
    """Resident set size of a live process, in MB (1024² bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _token(label: str) -> str:
    """A token shaped like @BotFather's (``linli run`` checks the shape before it starts)."""
    return f"{next(_tokens)}00:AA{label}".ljust(len("123456789:") + 35, "x")[:45]


async def _measure_process(emu: BotApiEmulator, argv: list[str], env: dict[str, str], token: str,
                           cwd: Path) -> ProcessFigures:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(*argv, env=env, cwd=cwd, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.PIPE)
    try:
        await emu.wait_until(lambda: emu.is_polling(token) or process.returncode is not None, timeout=120,
                             description=f"first getUpdates of {argv[2:4]}")
        if process.returncode is not None:
            raise RuntimeError(f"{argv} exited: {(await process.stderr.read()).decode()[-2000:]}")  # type: ignore[union-attr]
        startup = time.perf_counter() - started
        await asyncio.sleep(SETTLE_SECONDS)
        rss = read_rss_mb(process.pid)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.communicate(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
    return ProcessFigures(startup, rss)


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LINLI_")}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


async def bare_bot(emu: BotApiEmulator, transport: Transport, workdir: Path) -> ProcessFigures:
    token = _token(f"bare{transport.value}")
    emu.add_bot(token)
    argv = [sys.executable, "-m", "bench.bare_bot", transport.value, emu.base_url, token]
    return await _measure_process(emu, argv, _env(), token, workdir)


async def linli_run(emu: BotApiEmulator, transport: Transport, workdir: Path, database_url: str) -> ProcessFigures:
    """``linli run`` (as ``python -m bot run``) on an SQLite file that is already migrated (a restart)."""
    token = _token(f"linli{transport.value}")
    emu.add_bot(token)
    env = _env(LINLI_BOT_TOKEN=token, LINLI_BOT_API_URL=emu.base_url, LINLI_DATABASE_URL=database_url,
               LINLI_TRANSPORT=transport.value)
    return await _measure_process(emu, [sys.executable, "-m", "bot", "run"], env, token, workdir)


@dataclass(frozen=True)
class DoorFigures:
    transport: Transport
    linli: ProcessFigures  # medians over the rounds
    bare: ProcessFigures


def _median(figures: list[ProcessFigures]) -> ProcessFigures:
    return ProcessFigures(statistics.median(f.startup_s for f in figures), statistics.median(f.rss_mb for f in figures))


async def measure_doors(transports: list[Transport], rounds: int = 3) -> list[DoorFigures]:
    """Per door: Linli and the bare bot alternately, ``rounds`` times each; medians."""
    emu = BotApiEmulator(self_check=False)
    await emu.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            url = f"sqlite+aiosqlite:///{workdir / 'linli.db'}"
            await upgrade(url)
            results = []
            for transport in transports:
                linli, bare = [], []
                for _ in range(rounds):
                    bare.append(await bare_bot(emu, transport, workdir))
                    linli.append(await linli_run(emu, transport, workdir, url))
                results.append(DoorFigures(transport, _median(linli), _median(bare)))
            return results
    finally:
        await emu.stop()


async def main(rounds: int) -> None:
    print(f"{'door':8} {'linli start-up':>15} {'bare start-up':>14} {'linli RSS':>10} {'bare RSS':>9}")
    for door in await measure_doors([Transport.PTB, Transport.AIOGRAM], rounds):
        print(f"{door.transport.value:8} {door.linli.startup_s:13.2f} s {door.bare.startup_s:12.2f} s "
              f"{door.linli.rss_mb:7.0f} MB {door.bare.rss_mb:6.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
