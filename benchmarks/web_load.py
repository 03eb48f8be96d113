"""Load on the phone server, on loopback only: 300 phones submit ballots at once, the server
is killed mid-load and restarted (the session resumed), and every phone resubmits.

Checks that every ballot is counted exactly once and reports submit latency (p50/p99),
against a baseline measured in the same run: the same server stack (uvicorn, Starlette,
a worker thread behind one lock) doing only the irreducible work of a ballot, one durable
SQLite insert (WAL, synchronous=FULL) and the redirect to a "received" page.
Bounded: a fixed number of phones, a timeout on every request and on the whole run.

    .venv/bin/python benchmarks/web_load.py [--phones 300]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOST = "127.0.0.1"  # loopback only
VOTE = "livelihood-vote"
TIMEOUT = 30.0  # per request
DEADLINE = 240.0  # the whole run


def serve(session_path: str, port: int) -> None:
    """The server process: resume the session, serve on loopback, exit after DEADLINE."""
    from retreat.clock import MonotonicClock
    from retreat.meeting.session import Session
    from retreat.web.gate import Gate
    from retreat.web.server import start

    session = Session.resume(session_path, MonotonicClock())
    server = start(Gate(session), HOST, port)
    print("ready", server.port, flush=True)
    time.sleep(DEADLINE)


def serve_baseline(db: str, port: int) -> None:
    """The baseline server: one durable insert per POST, then 303 to a tiny page."""
    import sqlite3

    import uvicorn
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, RedirectResponse, Response
    from starlette.routing import Route

    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS ballots (data BLOB)")
    lock = threading.Lock()

    async def post(request: Request) -> Response:
        body = await request.body()

        def write() -> None:
            with lock:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO ballots(data) VALUES (?)", (body,))
                conn.execute("COMMIT")

        await run_in_threadpool(write)
        return RedirectResponse("/done", 303)

    async def done(_request: Request) -> Response:
        return HTMLResponse("<p id=received>ok</p>")

    app = Starlette(routes=[Route("/vote", post, methods=["POST"]), Route("/done", done)])
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="off",
                            limit_concurrency=400, timeout_keep_alive=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    print("ready", server.servers[0].sockets[0].getsockname()[1], flush=True)
    time.sleep(DEADLINE)


def baseline(folder: Path, phones: list[Phone]) -> list[float]:
    """Every phone POSTs a form of the same size as its ballot to the baseline server, all at once."""
    proc = subprocess.Popen([sys.executable, __file__, "--baseline-serve", str(folder / "baseline.db"), "0"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    base = f"http://{HOST}:{port}"
    body = {"csrf": "x" * 22, "key": "y" * 16, "vote": VOTE}
    try:
        with ThreadPoolExecutor(max_workers=len(phones)) as pool:
            def one(p: Phone) -> float:
                start = time.perf_counter()
                status, page = p._open(base, "/vote", {**body, "ranking": p.ranking})
                if status != 200 or "id=received" not in page:
                    raise RuntimeError(f"baseline answered {status}")
                return time.perf_counter() - start
            return list(pool.map(one, phones))
    finally:
        proc.kill()
        proc.wait(10)


def prepare(folder: Path, phones: int) -> tuple[Path, list[str], int]:
    from retreat import agenda as agenda_mod
    from retreat.clock import MonotonicClock
    from retreat.meeting import phone_codes
    from retreat.meeting.engine import Cmd
    from retreat.meeting.phone_codes import new_code
    from retreat.meeting.session import Session
    from retreat.paths import bundled_agenda

    agenda = agenda_mod.load(bundled_agenda("zh-CN"))
    path = folder / "load.retreat"
    codes = sorted({new_code() for _ in range(phones * 2)})[:phones]
    salt = "bench"
    with Session.create(path, agenda, MonotonicClock()) as s:
        group = agenda.groups[0].id if agenda.groups else None
        s.handle(Cmd.ISSUE_CODES, {"salt": salt, "hashes": [phone_codes.hash_code(c, salt) for c in codes],
                                   "group": group})
        s.handle(Cmd.GOTO, VOTE)
        s.handle(Cmd.START)
        candidates = len(s.state.vote().candidates)
        ranks = s.state.vote().ranks
    return path, codes, candidates * 100 + ranks


class Phone:
    def __init__(self, n: int, code: str, ranking: str) -> None:
        self.n, self.code, self.ranking = n, code, ranking
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.form: dict[str, str] = {}
        self.received = False

    def _open(self, base: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(base + path, body, timeout=TIMEOUT) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def join(self, base: str) -> None:
        _status, page = self._open(base, "/")
        csrf = _field(page, "csrf")
        status, _page = self._open(base, "/join", {"code": self.code, "csrf": csrf})
        if status != 200:
            raise RuntimeError(f"phone {self.n}: join answered {status}")

    def fetch_ballot(self, base: str) -> None:
        status, page = self._open(base, "/vote")
        if status != 200:
            raise RuntimeError(f"phone {self.n}: ballot page answered {status}")
        self.form = {k: _field(page, k) for k in ("csrf", "key", "vote")}

    def submit(self, base: str, csrf: str | None = None) -> float:
        data = {**self.form, "ranking": self.ranking}
        if csrf is not None:
            data["csrf"] = csrf  # a new join gives a new CSRF token; the idempotency key stays
        start = time.perf_counter()
        status, page = self._open(base, "/vote", data)
        elapsed = time.perf_counter() - start
        if status != 200 or "id=received" not in page:
            raise RuntimeError(f"phone {self.n}: submit answered {status}")
        self.received = True
        return elapsed


def _field(page: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    if not m:
        raise RuntimeError(f"no {name} field in the page")
    return m.group(1)


def start_server(path: Path, port: int) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(path), str(port)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if not line or line[0] != "ready":
        proc.kill()
        raise RuntimeError("the server did not start")
    return proc, int(line[1])


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--serve", nargs=2, metavar=("SESSION", "PORT"))
    parser.add_argument("--baseline-serve", nargs=2, metavar=("DB", "PORT"))
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return 0
    if args.baseline_serve:
        serve_baseline(args.baseline_serve[0], int(args.baseline_serve[1]))
        return 0
    phones_n = min(args.phones, 1000)
    rng = random.Random(2026)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path, codes, shape = prepare(Path(tmp), phones_n)
        candidates, ranks = divmod(shape, 100)
        phones = [Phone(i, c, " ".join(str(n) for n in rng.sample(range(1, candidates + 1), rng.randint(1, ranks))))
                  for i, c in enumerate(codes)]
        floor = baseline(Path(tmp), phones)
        floor_p50, floor_p99 = statistics.median(floor), pct(floor, 0.99)
        print(f"baseline ({phones_n} bare durable inserts behind one lock, same stack): "
              f"p50 {floor_p50 * 1000:.1f} ms, p99 {floor_p99 * 1000:.1f} ms")
        proc, port = start_server(path, 0)
        base = f"http://{HOST}:{port}"
        with ThreadPoolExecutor(max_workers=phones_n) as pool:
            t0 = time.perf_counter()
            list(pool.map(lambda p: (p.join(base), p.fetch_ballot(base)), phones))
            join_s = time.perf_counter() - t0
            print(f"{phones_n} phones joined and opened the ballot in {join_s:.2f} s")
            # Round 1: everyone submits at once; the server is killed when half are in.
            latencies: list[float] = []
            lock = threading.Lock()
            half = threading.Event()

            def submit(p: Phone) -> None:
                try:
                    elapsed = p.submit(base)
                except (OSError, RuntimeError):
                    return  # the server died under it: this phone will resubmit
                with lock:
                    latencies.append(elapsed)
                    if len(latencies) >= phones_n // 2:
                        half.set()

            futures = [pool.submit(submit, p) for p in phones]
            half.wait(DEADLINE)
            proc.kill()
            proc.wait(10)
            for f in futures:
                f.result(timeout=DEADLINE)
            before_kill = sum(p.received for p in phones)
            print(f"round 1: {len(latencies)} submits received before the kill; "
                  f"p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {pct(latencies, 0.99) * 1000:.1f} ms "
                  f"({statistics.median(latencies) / floor_p50:.2f}x the baseline's p50)")
            # Round 2: the laptop is back (session resumed); every phone, still joined (its
            # place survived in the session), resubmits the very same form (same idempotency
            # key), whether or not it was told "received".
            proc, port = start_server(path, port)
            base = f"http://{HOST}:{port}"
            again: list[float] = []

            def resubmit(p: Phone) -> None:
                elapsed = p.submit(base)
                with lock:
                    again.append(elapsed)

            list(pool.map(resubmit, phones))
            proc.kill()
            proc.wait(10)
        print(f"round 2: {len(again)} resubmits after the restart; "
              f"p50 {statistics.median(again) * 1000:.1f} ms, p99 {pct(again, 0.99) * 1000:.1f} ms "
              f"({statistics.median(again) / floor_p50:.2f}x the baseline's p50)")
        from retreat.meeting.events import EventKind
        from retreat.meeting.session import load
        from retreat.meeting.store import Store

        vote = load(path).state.votes[VOTE]
        with Store.open(path, readonly=True) as store:
            kinds = [e.kind for e in store.events()]
        cast, replaced = kinds.count(EventKind.BALLOT_CAST), kinds.count(EventKind.BALLOT_REPLACED)
        counted = sorted(" ".join(str(vote.candidates.index(c) + 1) for c in b.ranking) for b in vote.counted)
        expected = sorted(p.ranking for p in phones)
        ok = len(vote.counted) == phones_n and counted == expected and cast == phones_n and replaced == 0
        print(f"told received before the kill: {before_kill}; ballots in the log: {cast} cast, {replaced} replaced; "
              f"counted {len(vote.counted)} of {phones_n}; rankings match: {counted == expected}")
        print(f"total {time.perf_counter() - started:.1f} s -> {'OK' if ok else 'FAILED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
