"""Benchmark the ``room`` service under a class: 30 learners checking 5 times a second.

Run from the repository root::

    .venv/bin/python benchmarks/room_live.py [--learners 30] [--rate 5] [--seconds 60]

``--seconds 10`` gives a quick run. Everything stays on 127.0.0.1 and ends within about
``--seconds`` + 30 s; the service, the stub and the temporary folder are removed at the end,
also after an error or Ctrl-C.

What runs
---------
``python -m hub.roomservice`` (started by ``tests/hub/stubhub.py``) with a fresh SQLite file
in a temporary folder, against ``StubHub``, a stand-in for the hub's API that knows the
learners' tokens and the admin's. The service caches a token's owner (60 s), so the stub is
asked about once per token: what is measured is the service alone, as the learners' kernels
reach it (straight to its port, ``hub.config``), not the hub's proxy that the instructor's
browser goes through, nor the real hub's token lookups (each learner's first post waits for
one; the table gives those posts a row of their own).

Each learner is a persistent HTTP/1.1 connection (asyncio streams, one thread for all) that
posts ``api/results`` with its own token on a fixed schedule, open-loop: its k-th post is due
at ``start + offset + k / rate``, whether or not the previous answer was slow, and the
offsets spread the learners evenly over one interval. The bodies are real checks drawn from
``xentlearn.exercises.all_questions()`` (seeded): 75 % incorrect with one of the question's
mistake names, 15 % correct, 10 % error. One admin client follows the live view as the page
does: ``GET api/state?chapter=N&after=V`` in a loop, each answer's ``version`` the next ``V``.

What is measured
----------------
- POST latency: from the request being written to its answer read; also from the time the
  post was due (the same unless the client fell behind). "late" counts posts sent more than
  100 ms after their due time: when it is 0 the client kept up and hid no latency.
- View update: from a POST being written to the viewer holding a state whose ``version`` is
  at least the version that POST was given (the version counts every check, so one chapter
  shows them all).
- The state's cost alone: 50 ``GET api/state`` without ``after`` once the class has posted.
- The service's process: RSS (``VmRSS``) and its peak (``VmHWM``) from ``/proc/PID/status``
  before and after the load; CPU (``utime + stime`` from ``/proc/PID/stat``) over the load, in
  seconds and as a share of one core. The benchmark's own CPU share is given too.
- Every answer that is not 2xx, by status (there should be no 429: the limit is 10 a second
  with a burst of 30), and the service's log: warnings, errors and its own request times.

Exits with status 1 when a post failed or the viewer never saw the last check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import tornado
from _table import table  # noqa: E402  (benchmarks/ is on sys.path when run)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "hub"))

from stubhub import StubHub, start_room_service  # noqa: E402

from xentlearn.exercises import all_questions  # noqa: E402

#: A post sent this much after its due time is late (seconds).
LATE = 0.100
#: The longest a single request may take before it counts as failed (seconds).
TIMEOUT = 10.0
#: How long the viewer may take to see the last check once the posts are over (seconds).
CATCH_UP = 25.0
#: ``GET api/state`` without ``after``, timed once the posts are over.
STATE_PROBES = 50
#: The mix of statuses posted.
MIX = (("incorrect", 0.75), ("correct", 0.15), ("error", 0.10))
#: One request line of the service's log (tornado's access log).
ACCESS = re.compile(r"\] (\d{3}) (GET|POST) (\S+) \(.*?\) ([\d.]+) ?ms$")


@dataclass
class Post:
    """One learner's post: when it was due, sent and answered, and what it got."""

    learner: int
    index: int
    due: float
    sent: float
    done: float
    status: int | str
    version: int | None


class Connection:
    """One persistent HTTP/1.1 connection to the service, with one hub token.

    Parameters
    ----------
    host, port : str, int
        Where the service listens.
    token : str
        The hub token sent as ``Authorization: token ...``.
    """

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request and read its answer: the status and the body."""
        if self.writer is None:
            await self.open()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: token {self.token}\r\n")
        if method == "POST":
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode("ascii") + b"\r\n" + body)
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("the service closed the connection")
        status = int(line.split()[1])
        length, keep = 0, True
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise ValueError(f"unexpected Transfer-Encoding: {value.decode()}")
            elif name == b"connection" and value == b"close":
                keep = False
        data = await self.reader.readexactly(length)
        if not keep:
            self.close()
        return status, data


def make_bodies(learners: int, posts: int, seed: int) -> list[list[bytes]]:
    """Each learner's post bodies: real question ids, statuses and mistake names."""
    rng = random.Random(seed)
    questions = sorted(all_questions(), key=lambda q: q.id)
    statuses, weights = zip(*MIX, strict=True)
    out = []
    for _ in range(learners):
        mine = []
        for _ in range(posts):
            q = rng.choice(questions)
            status = rng.choices(statuses, weights)[0]
            mistakes = sorted(q.mistake_names)
            if status == "incorrect" and not mistakes:
                status = "error"
            mistake = rng.choice(mistakes) if status == "incorrect" else ""
            mine.append(json.dumps({"question": q.id, "status": status,
                                    "mistake": mistake}).encode())
        out.append(mine)
    return out


async def learner(number: int, conn: Connection, path: str, bodies: list[bytes], start: float,
                  rate: float, posts: list[Post]) -> None:
    """Post ``bodies`` on schedule: the k-th at ``start + k / rate``, open-loop."""
    for k, body in enumerate(bodies):
        due = start + k / rate
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        sent = time.monotonic()
        version = None
        try:
            status, data = await asyncio.wait_for(conn.request("POST", path, body), TIMEOUT)
            if status == 201:
                version = json.loads(data)["version"]
        except (asyncio.TimeoutError, OSError, EOFError, ValueError) as exc:
            status = type(exc).__name__
            conn.close()  # the next post opens a new connection
        posts.append(Post(number, k, due, sent, time.monotonic(), status, version))


async def viewer(conn: Connection, path: str, seen: list[tuple[float, int]],
                 failures: Counter, sizes: list[int]) -> None:
    """Follow the live view as the page does, until cancelled: (time, version) per answer."""
    after = None
    while True:
        query = path if after is None else f"{path}&after={after}"
        try:
            status, data = await asyncio.wait_for(conn.request("GET", query), TIMEOUT + 20)
        except (asyncio.TimeoutError, OSError, EOFError, ValueError) as exc:
            failures[type(exc).__name__] += 1
            conn.close()
            await asyncio.sleep(1)
            continue
        got = time.monotonic()
        if status != 200:
            failures[status] += 1
            await asyncio.sleep(1)
            continue
        after = json.loads(data)["version"]
        seen.append((got, after))
        sizes.append(len(data))


def proc_cpu(pid: int) -> float:
    """The process's CPU time so far (user + system), in seconds."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()  # after the command's name
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_memory(pid: int) -> dict[str, float]:
    """``VmRSS`` and ``VmHWM`` of the process, in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0 to 1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def latency_row(name: str, seconds: list[float]) -> tuple:
    if not seconds:
        return (name, 0, "-", "-", "-")
    ms = [1000 * s for s in seconds]
    return (name, len(ms), f"{percentile(ms, 0.5):.1f}", f"{percentile(ms, 0.99):.1f}",
            f"{max(ms):.1f}")


async def run(base: str, tokens: list[str], admin: str, pid: int, args) -> dict:
    """The load itself; what was measured, as a dict."""
    url = urlsplit(base)
    host, port, prefix = url.hostname, url.port, url.path
    posts_each = max(1, round(args.seconds * args.rate))
    bodies = make_bodies(len(tokens), posts_each, args.seed)
    conns = [Connection(host, port, t) for t in tokens]
    view = Connection(host, port, admin)
    seen: list[tuple[float, int]] = []
    view_failures: Counter = Counter()
    sizes: list[int] = []
    view_task = None
    try:
        await asyncio.gather(*(c.open() for c in conns))
        view_task = asyncio.create_task(viewer(
            view, f"{prefix}api/state?chapter={args.chapter}", seen, view_failures, sizes))
        for _ in range(500):
            if seen:
                break
            await asyncio.sleep(0.01)
        if not seen:
            raise RuntimeError(f"the viewer got no state: {dict(view_failures)}")
        memory_before = proc_memory(pid)
        posts: list[Post] = []
        start = time.monotonic() + 0.1
        spread = 1 / (args.rate * len(tokens))  # learner i starts i * spread after start
        cpu_before, client_before, wall_before = proc_cpu(pid), time.process_time(), start
        tasks = [asyncio.create_task(learner(i, c, f"{prefix}api/results", b,
                                             start + i * spread, args.rate, posts))
                 for i, (c, b) in enumerate(zip(conns, bodies, strict=True))]
        try:
            _, pending = await asyncio.wait(tasks, timeout=args.seconds + TIMEOUT + 5)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if pending:
            raise RuntimeError(f"{len(pending)} learners were still posting at the deadline")
        for t in tasks:
            t.result()  # a learner's unexpected error, if any
        last = max((p.version for p in posts if p.version is not None), default=0)
        deadline = time.monotonic() + CATCH_UP
        while seen[-1][1] < last and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        wall = time.monotonic() - wall_before
        cpu = proc_cpu(pid) - cpu_before
        client = time.process_time() - client_before
        view_task.cancel()
        probe = Connection(host, port, admin)
        probes = []
        try:
            for _ in range(STATE_PROBES):
                t0 = time.monotonic()
                status, _ = await asyncio.wait_for(
                    probe.request("GET", f"{prefix}api/state?chapter={args.chapter}"), TIMEOUT)
                if status == 200:
                    probes.append(time.monotonic() - t0)
        finally:
            probe.close()
        return {"posts": posts, "seen": seen, "view_failures": view_failures, "sizes": sizes,
                "memory_before": memory_before, "memory_after": proc_memory(pid),
                "cpu": cpu, "client": client, "wall": wall, "probes": probes, "last": last}
    finally:
        if view_task is not None:
            view_task.cancel()
        for c in [*conns, view]:
            c.close()


def view_updates(posts: list[Post], seen: list[tuple[float, int]]) -> tuple[list[float], int]:
    """Per post, the time from its sending to the viewer holding its version; and how many
    posts the viewer never saw."""
    import bisect

    versions = [v for _, v in seen]
    out, missed = [], 0
    for p in posts:
        if p.version is None:
            continue
        i = bisect.bisect_left(versions, p.version)
        if i == len(versions):
            missed += 1
        else:
            out.append(seen[i][0] - p.sent)
    return out, missed


def read_log(path: Path) -> dict:
    """The service's log: request times by kind, and the lines that are not requests."""
    times: dict[str, list[float]] = {"POST": [], "GET state": []}
    levels: Counter = Counter()
    other: Counter = Counter()
    for line in path.read_text(errors="replace").splitlines():
        m = re.match(r"\[room (\w+) ", line)
        if m:
            levels[m.group(1)] += 1
        access = ACCESS.search(line)
        if access:
            status, method, where, ms = access.groups()
            if method == "POST":
                times["POST"].append(float(ms) / 1000)
            elif "api/state" in where and "after=" in where:
                times["GET state"].append(float(ms) / 1000)
        elif line.strip():
            other[re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(,\d+)?", "", line)[:160]] += 1
    return {"times": times, "levels": levels, "other": other}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--rate", type=float, default=5.0, help="checks a second, per learner")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--chapter", type=int, default=1, help="the chapter the viewer follows")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--log", type=Path, help="keep the service's log here")
    parser.add_argument("--service-times", action="store_true",
                        help="the service logs each answer's time (debug level) and the table "
                             "shows them; the logging itself costs some of its CPU")
    args = parser.parse_args(argv)
    if args.learners < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--learners, --rate and --seconds must be positive")

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load_before = os.getloadavg()[0]
    hub = StubHub()
    proc = None
    with tempfile.TemporaryDirectory(prefix="xentlearn-room-") as tmp:
        log = args.log or Path(tmp) / "room.log"
        try:
            tokens = [hub.learner(f"learner{i + 1:02d}") for i in range(args.learners)]
            admin = hub.admin()
            proc, base = start_room_service(
                hub, Path(tmp) / "room.sqlite", log=log,
                args=("--log-level=debug",) if args.service_times else ())
            result = asyncio.run(run(base, tokens, admin, proc.pid, args))
        finally:
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except Exception:  # noqa: BLE001 - never leave it running
                    proc.kill()
                    proc.wait()
            lookups = hub.lookups
            hub.close()
        service_log = read_log(log)
    load = os.getloadavg()[0]

    posts: list[Post] = result["posts"]
    ok = [p for p in posts if isinstance(p.status, int) and 200 <= p.status < 300]
    updates, missed = view_updates(ok, result["seen"])
    lateness = [p.sent - p.due for p in posts]
    late = sum(x > LATE for x in lateness)
    statuses = Counter(p.status for p in posts)
    failed = {str(s): n for s, n in sorted(statuses.items(), key=str)
              if not (isinstance(s, int) and 200 <= s < 300)}
    seen = result["seen"]
    times = service_log["times"]
    table(f"room service: {args.learners} learners x {args.rate:g} checks/s for "
          f"{args.seconds:g} s, one viewer (chapter {args.chapter})",
          ("latency", "n", "p50 ms", "p99 ms", "max ms"),
          [latency_row("POST api/results (sent -> answer)", [p.done - p.sent for p in ok]),
           latency_row("POST api/results (due -> answer)", [p.done - p.due for p in ok]),
           latency_row("  each learner's first (token lookup)",
                       [p.done - p.sent for p in ok if p.index == 0]),
           latency_row("  the others", [p.done - p.sent for p in ok if p.index > 0]),
           latency_row("view update (POST sent -> viewer has it)", updates),
           latency_row("GET api/state, no wait (after the load)", result["probes"]),
           *([latency_row("service's own time: POST (its log)", times["POST"]),
              latency_row("service's own time: GET state?after (its log)",
                          times["GET state"])] if args.service_times else [])],
          notes=[f"posts late by more than {LATE * 1000:.0f} ms against the schedule: {late} "
                 f"of {len(posts)} (p99 lateness {1000 * percentile(lateness, 0.99):.1f} ms, "
                 f"max {1000 * max(lateness):.1f} ms)",
                 f"viewer: {len(seen)} states ({len(seen) / result['wall']:.0f}/s, "
                 f"{sum(result['sizes']) / max(1, len(result['sizes'])) / 1024:.1f} KiB each), "
                 f"last version {seen[-1][1]} of {result['last']}; posts it never saw: "
                 f"{missed}; its failures: {dict(result['view_failures']) or 'none'}",
                 *(["the service's own times include a long poll's wait (GET state?after) "
                    "and exclude reading the request and writing the answer"]
                   if args.service_times else [])])
    before, after = result["memory_before"], result["memory_after"]
    cpu, wall = result["cpu"], result["wall"]
    table("room service: the process",
          ("measure", "value"),
          [("checks stored", f"{len(ok)} ({len(ok) / wall:.1f}/s)"),
           ("answers not 2xx, by status", ", ".join(f"{s}: {n}" for s, n in failed.items())
            or "none"),
           ("RSS at start / end, MiB", f"{before['VmRSS']:.1f} / {after['VmRSS']:.1f}"),
           ("peak RSS (VmHWM) at start / end, MiB",
            f"{before['VmHWM']:.1f} / {after['VmHWM']:.1f}"),
           ("CPU over the load, s", f"{cpu:.2f} in {wall:.1f} s"),
           ("CPU, % of one core", f"{100 * cpu / wall:.1f}"),
           ("the benchmark's own CPU, % of one core",
            f"{100 * result['client'] / wall:.1f}"),
           ("token lookups asked of the stub", f"{lookups} ({args.learners + 1} tokens)"),
           ("log lines by level", ", ".join(f"{k}: {v}" for k, v in
                                             sorted(service_log["levels"].items())))],
          notes=[f"{cores} cores ({cpu_model()}), Python {platform.python_version()}, "
                 f"tornado {tornado.version}, {platform.system()} {platform.machine()}; "
                 f"load average {load_before:.1f} at the start, {load:.1f} at the end"])
    unusual = [(n, line) for line, n in service_log["other"].items()
               if "room service on" not in line]
    if unusual:
        print("The service's log, other than its requests:")
        for n, line in sorted(unusual, reverse=True)[:15]:
            print(f"  {n:5d} x {line}")
    return 1 if failed or missed or seen[-1][1] < result["last"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: the service and the stub are stopped", file=sys.stderr)
        sys.exit(130)
