"""The ``room`` service: the instructor's live view of the room, at ``/services/room/``.

The hub starts and stops it (``hub.config``); it listens on 127.0.0.1 only (the hub's proxy
forwards ``/services/room/`` to it) and keeps its results in ``state/room.sqlite``
(``hub.roomstore``).

| request | who | what |
|---|---|---|
| ``POST api/results`` | a learner's hub token | one check: ``question``, ``status``, ``mistake`` |
| ``GET api/results`` | the hub's admin | every record as JSON (``?chapter=N``); ``.csv`` as CSV |
| ``GET api/state?chapter=N`` | the hub's admin | what the view draws; ``after=V`` waits for news |
| ``GET`` (the page) | the hub's admin | the live grid; ``?projector=1``: counts only, no names |

Who is asking comes from the hub only: a token in the ``Authorization`` header (a learner's
kernel) or the hub's login (OAuth, the instructor's browser). The learner a result belongs to
is the token's owner, never anything in the body. A learner's token reaches this service
(the hub's ``server`` role grants ``access:services!service=room``) but only to post; every
read is for admins. Posts are rate-limited per learner and capped in size; bodies that are
not exactly a known question, status and mistake get a 400 (``hub.roomstore.validate``).

The page loads its script and style from this service only and draws every name and mistake
as text (``textContent``), under a Content-Security-Policy that allows no inline script and
nothing from elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import os
import signal
import time
from pathlib import Path

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import httpserver, ioloop, web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.locks import Condition

from .roomstore import (
    MAX_BODY,
    BadResult,
    Store,
    as_csv,
    course_questions,
    public,
    room_state,
    validate,
)

log = logging.getLogger("room")
STATIC = Path(__file__).resolve().parent / "roomview"

#: Per learner: this many posts at once, refilled at :data:`RATE` a second.
BURST = 30
RATE = 10.0
#: How long ``api/state?after=V`` waits for a change before answering anyway (seconds).
LONG_POLL = 20.0
#: How long a woken view waits for more checks before it answers (seconds).
GATHER = 0.2
#: The longest a view's state is reused while no check comes in (seconds).
STATE_TTL = 5.0
#: How long the hub's list of learners is reused before it is asked again (seconds).
LEARNERS_TTL = 15.0

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class Bucket:
    """A token bucket: ``take()`` is True while a learner stays within the rate."""

    def __init__(self, burst: int = BURST, rate: float = RATE):
        self.burst, self.rate = burst, rate
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Room:
    """The service's state: the store, the learners the hub knows, who waits for news."""

    def __init__(self, store: Store, hub_api: str, token: str):
        self.store = store
        self.hub_api = hub_api
        self.token = token
        self.changed = Condition()
        self.buckets: dict[str, Bucket] = {}
        self._learners: tuple[float, list[str]] = (0.0, [])
        self._states: dict[tuple[int, bool], tuple[int, float, str]] = {}

    async def state(self, chapter: int, projector: bool) -> str:
        """The view's state as JSON, made again only when a check came in or after
        :data:`STATE_TTL` seconds (the stuck list moves with the clock): every open page
        waits on the same checks, and one state serves them all."""
        key, version, now = (chapter, projector), self.store.version, time.monotonic()
        cached = self._states.get(key)
        if cached and cached[0] == version and now - cached[1] < STATE_TTL:
            return cached[2]
        # the course's questions, in order, as the store knows them (course_questions)
        mine = [q for q in self.store.questions.values() if q.chapter == chapter]
        state = room_state(self.store.all_records(), await self.learners(),
                           [q.id for q in mine], chapter, time.time(), projector=projector,
                           whys={q.id: q.whys for q in mine})
        state["version"] = version
        text = json.dumps(state)
        self._states[key] = (version, now, text)
        return text

    def add(self, learner: str, check) -> int:
        version = self.store.add(learner, check)
        self.changed.notify_all()
        return version

    async def learners(self) -> list[str]:
        """The hub's non-admin users (asked at most every :data:`LEARNERS_TTL` seconds)."""
        at, names = self._learners
        if time.monotonic() - at < LEARNERS_TTL:
            return names
        try:
            response = await AsyncHTTPClient().fetch(HTTPRequest(
                url_path_join(self.hub_api, "users"), headers={
                    "Authorization": f"token {self.token}"}, request_timeout=5))
            users = json.loads(response.body)
            names = sorted(u["name"] for u in users
                           if u.get("kind", "user") == "user" and not u.get("admin"))
        except Exception as exc:  # noqa: BLE001 - the view still shows who has posted
            log.warning("could not list the hub's users: %s", exc)
        self._learners = (time.monotonic(), names)
        return names


class SecurityHeaders:
    """Every answer of the service, files and errors included, with these headers."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")


class Base(SecurityHeaders, HubOAuthenticated, web.RequestHandler):
    """Identity from the hub; answers never cached."""

    def initialize(self, room: Room, hub_auth: HubOAuth) -> None:
        self.room = room
        self.hub_auth = hub_auth
        self.user: dict | None = None

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    async def prepare(self) -> None:
        model = await self.hub_auth.get_user(self, sync=False)
        if model and not self.hub_auth.check_scopes(self.hub_auth.access_scopes, model):
            model = None
        self.user = model

    def check_xsrf_cookie(self) -> None:  # posts are token-authenticated only (see post)
        pass

    def write_error(self, status_code: int, **kwargs) -> None:
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            reason = exc.log_message
        if status_code == 429:  # send_error cleared the headers set before raising
            self.set_header("Retry-After", "1")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"status": status_code, "message": reason}))

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.get("kind", "user") == "user"
                    and self.user.get("admin"))

    def require_admin(self) -> None:
        if self.user is None:
            raise web.HTTPError(403, "log in to the hub as its admin")
        if not self.is_admin:
            raise web.HTTPError(403, "the room's results are for the hub's admin only")

    def chapter(self) -> int:
        text = self.get_argument("chapter", "1")
        if not text.isdigit() or int(text) not in _chapters():
            raise web.HTTPError(400, f"chapter: give one of {sorted(_chapters())}")
        return int(text)


def _chapters() -> dict[int, tuple[str, str]]:
    from xentlearn.exercises import CHAPTERS

    return CHAPTERS


class ResultsHandler(Base):
    """``POST``: one learner's check; ``GET``: every record (admin)."""

    async def post(self, csv: str = "") -> None:
        user = self.user
        if user is None or not getattr(self, "_token_authenticated", False) \
                or user.get("kind", "user") != "user":
            raise web.HTTPError(403, "post with your own hub token (Authorization: token ...)")
        name = user["name"]
        bucket = self.room.buckets.get(name) or self.room.buckets.setdefault(name, Bucket())
        if not bucket.take():  # write_error adds Retry-After
            raise web.HTTPError(429, f"more than {RATE:g} checks a second: slow down")
        if len(self.request.body) > MAX_BODY:
            raise web.HTTPError(413, f"at most {MAX_BODY} bytes")
        try:
            check = validate(self.request.body, self.room.store.questions)
        except BadResult as exc:
            raise web.HTTPError(400, str(exc)) from None
        version = self.room.add(name, check)
        self.set_status(201)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"version": version}))

    async def get(self, csv: str = "") -> None:
        self.require_admin()
        records, chapter = self.room.store.all_records(), 0
        if self.get_argument("chapter", None) is not None:
            chapter = self.chapter()
            records = [r for r in records if r.chapter == chapter]
        if csv:
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            name = f"room-chapter-{chapter:02d}" if chapter else "room-results"
            self.set_header("Content-Disposition", f'attachment; filename="{name}.csv"')
            self.finish(as_csv(records))
        else:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(public(records)))


class StateHandler(Base):
    """What the view draws; with ``after=V``, waits until the results change past V."""

    async def get(self) -> None:
        self.require_admin()
        chapter = self.chapter()
        projector = self.get_argument("projector", "") in ("1", "true")
        after = self.get_argument("after", "")
        if after.isdigit() and int(after) >= self.room.store.version:
            if await self.room.changed.wait(timeout=datetime.timedelta(seconds=LONG_POLL)):
                # a room checks in bursts: the checks of the next moment come in one answer
                await asyncio.sleep(GATHER)
        self.set_header("Content-Type", "application/json")
        self.finish(await self.room.state(chapter, projector))


class PageHandler(Base):
    """The live view: the page itself holds no results, its script fetches them."""

    async def get(self) -> None:
        if self.user is None:
            self.redirect(self.get_login_url())  # the hub's login, then back here
            return
        self.require_admin()
        chapters = [(n, f"{n:02d} · {title}") for n, (_, title) in sorted(_chapters().items())]
        self.render("index.html", chapters=chapters, prefix=self.hub_auth.base_url)


class CallbackHandler(SecurityHeaders, HubOAuthCallbackHandler):
    pass


class StaticFiles(SecurityHeaders, web.StaticFileHandler):
    pass


class NotFound(SecurityHeaders, web.RequestHandler):
    def prepare(self) -> None:
        raise web.HTTPError(404)


def cookie_secret(path: Path | None) -> bytes:
    """The secret that signs the instructor's login cookie: kept in ``path`` (0600, made on
    first use) so that a restarted service still knows the open pages; random without one."""
    if path is None:
        return os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return Path(path).read_bytes()
    secret = os.urandom(32)
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret


def log_request(handler: web.RequestHandler) -> None:
    """Refusals and errors at the usual levels; the many good answers (a check, a view's
    update) only at debug level: a class makes hundreds a second."""
    status = handler.get_status()
    level = logging.DEBUG if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    log.log(level, "%d %s %.1f ms", status, handler._request_summary(),
            1000 * handler.request.request_time())


def make_app(room: Room, hub_auth: HubOAuth, prefix: str,
             secret: bytes | None = None) -> web.Application:
    args = {"room": room, "hub_auth": hub_auth}
    return web.Application([
        (prefix, PageHandler, args),
        (url_path_join(prefix, "api/results") + r"(\.csv)?", ResultsHandler, args),
        (url_path_join(prefix, "api/state"), StateHandler, args),
        (url_path_join(prefix, "oauth_callback"), CallbackHandler),
        (url_path_join(prefix, r"static/(.*)"), StaticFiles, {"path": str(STATIC)}),
    ], default_handler_class=NotFound, template_path=str(STATIC), autoescape="xhtml_escape",
        hub_auth=hub_auth,
        cookie_secret=secret or os.urandom(32), static_hash_cache=False,
        log_function=log_request)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m hub.roomservice", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--db", required=True, help="the SQLite file (root only)")
    parser.add_argument("--port", type=int, required=True, help="the port it listens on")
    parser.add_argument("--ip", default="127.0.0.1",
                        help="the address it listens on (default 127.0.0.1: this machine only; "
                             "0.0.0.0 in the hub's pod under Kubernetes)")
    parser.add_argument("--cookie-secret-file", type=Path, default=None,
                        help="keeps the login cookie's key across restarts (root only)")
    parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning"),
                        help="debug also logs every good answer with its time")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="[room %(levelname)s %(asctime)s] %(message)s")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/room/")
    hub_auth = HubOAuth.instance(cache_max_age=60)  # the one the callback uses too
    store = Store(args.db, course_questions())
    room = Room(store, hub_auth.api_url, hub_auth.api_token)
    app = make_app(room, hub_auth, prefix, cookie_secret(args.cookie_secret_file))
    server = httpserver.HTTPServer(app, max_body_size=64 * 1024, xheaders=True)
    server.listen(args.port, address=args.ip)
    log.info("room service on %s:%d%s, %d checks kept in %s", args.ip, args.port, prefix,
             len(store.records), args.db)
    loop = ioloop.IOLoop.current()

    def stop(*_):
        loop.add_callback_from_signal(loop.stop)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    loop.start()
    store.close()


if __name__ == "__main__":
    main()
