"""The room's service (hub.roomservice), run for real against a stand-in hub (StubHub).

No root and no real hub: ``python -m hub.roomservice`` is started as the hub would start it,
on a temporary database, and asked over HTTP. A learner's token may only post, and only as
that learner; every read is for the admin; a forged, foreign or missing token, a cookie, a
bad or oversize body and a flood of posts are refused; every answer carries the security
headers; the live view's long poll wakes up on a post; a restart keeps the results.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import stat
import threading
import time
import urllib.parse

import pytest
import requests
from stubhub import StubHub, start_room_service

from hub.roomservice import BURST, RATE
from hub.roomstore import CSV_COLUMNS, MAX_BODY

Q2_WRONG = {"question": "01.q2", "status": "incorrect", "mistake": "count_for_entropy"}
SCRIPTS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
#: Names that occur nowhere else in the service's answers.
SHY = ("zorbalina-quexworth", "mxyzptlk_ozymandias")


def _add_oauth(hub: StubHub) -> None:
    """Teach the stand-in hub the last step of OAuth: a code (``hub.codes``) for a token."""
    hub.codes = {}
    base = hub.server.RequestHandlerClass

    class Handler(base):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            code = form.get("code", [""])[0]
            if self.path.split("?")[0] == "/hub/api/oauth2/token" and code in hub.codes:
                self._json(200, {"access_token": hub.codes.pop(code), "token_type": "Bearer"})
            else:
                self._json(403, {"status": 403, "message": "no such code"})

    hub.server.RequestHandlerClass = Handler


class Service:
    def __init__(self, hub: StubHub, db, log, proc, base):
        self.hub, self.db, self.log, self.proc, self.base = hub, db, log, proc, base
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy from the environment
        self.admin = hub.admin("instructor")

    def url(self, path: str = "") -> str:
        return self.base + path

    def post(self, token: str | None, data, **kw) -> requests.Response:
        raw = data if isinstance(data, bytes) else json.dumps(data).encode()
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        if token is not None:
            headers["Authorization"] = f"token {token}"
        return self.http.post(self.url("api/results"), data=raw, headers=headers,
                              allow_redirects=False, timeout=30, **kw)

    def get(self, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token}"} if token else {}
        return self.http.get(self.url(path), headers=headers, allow_redirects=False,
                             timeout=30, **kw)

    def records(self, learner: str | None = None) -> list[dict]:
        r = self.get("api/results", self.admin)
        assert r.status_code == 200, r.text
        return [x for x in r.json() if learner is None or x["learner"] == learner]

    def stop(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except Exception:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture(scope="module")
def hub():
    stub = StubHub()
    _add_oauth(stub)
    yield stub
    stub.close()


def _start(hub, folder, name: str, args: tuple[str, ...] = (), port: int | None = None
           ) -> Service:
    db, log = folder / "room.sqlite", folder / f"{name}.log"
    proc, base = start_room_service(hub, db, port=port, log=log, args=args)
    return Service(hub, db, log, proc, base)


@pytest.fixture(scope="module")
def room(hub, tmp_path_factory):
    shy = {name: hub.learner(name) for name in SHY}  # on the hub before the service asks it
    service = _start(hub, tmp_path_factory.mktemp("room"), "room")
    service.shy = shy
    yield service
    service.stop()
    assert service.proc.returncode is not None


def _message(r: requests.Response) -> str:
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    return r.json()["message"]


# --- posting ----------------------------------------------------------------------------------

def test_a_learner_s_post_is_kept_as_the_token_s_owner(room):
    alice = room.hub.learner("alice")
    r = room.post(alice, Q2_WRONG)
    assert r.status_code == 201, r.text
    assert isinstance(r.json()["version"], int)
    mine = room.records("alice")
    assert len(mine) == 1
    assert {k: mine[0][k] for k in ("learner", "question", "chapter", "status", "mistake",
                                    "attempts")} == {
        "learner": "alice", "question": "01.q2", "chapter": 1, "status": "incorrect",
        "mistake": "count_for_entropy", "attempts": 1}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", mine[0]["last"])
    assert room.post(alice, {"question": "01.q2", "status": "correct"}).status_code == 201
    mine = room.records("alice")
    assert (mine[0]["status"], mine[0]["attempts"]) == ("correct", 2)
    only_ch1 = room.get("api/results?chapter=1", room.admin).json()
    assert {x["chapter"] for x in only_ch1} == {1}
    assert room.get("api/results?chapter=2", room.admin).json() == [
        x for x in room.records() if x["chapter"] == 2]


def test_the_body_cannot_name_another_learner(room):
    bob, mallory = room.hub.learner("bob"), room.hub.learner("mallory")
    assert room.post(bob, Q2_WRONG).status_code == 201
    bobs = room.records("bob")
    for field in ("learner", "user", "name"):
        r = room.post(mallory, {"question": "01.q2", "status": "correct", field: "bob"})
        assert r.status_code == 400, r.text
        assert "unknown field" in _message(r)
    assert room.records("bob") == bobs
    assert room.records("mallory") == []


def test_a_learner_s_token_reads_nothing(room):
    carla = room.hub.learner("carla")
    for path in ("api/results", "api/results.csv", "api/state?chapter=1",
                 "api/state?chapter=1&projector=1", "api/results?chapter=1", ""):
        r = room.get(path, carla)
        assert r.status_code == 403, (path, r.status_code, r.text[:200])
        assert "alice" not in r.text and "count_for_entropy" not in r.text


def test_a_token_without_the_room_s_scope_or_unknown_to_the_hub_cannot_post(room):
    olga = room.hub.outsider("olga")
    for token in (olga, "token-of-nobody", "", room.hub.service_token + "x"):
        r = room.post(token, Q2_WRONG)
        assert r.status_code == 403, (token, r.text)
    assert room.records("olga") == []
    assert room.get("api/results", olga).status_code == 403


def test_without_a_token_a_post_is_refused_and_the_page_sends_to_the_hub_s_login(room):
    r = room.post(None, Q2_WRONG)
    assert r.status_code == 403
    assert "token" in _message(r)
    for path in ("api/results", "api/results.csv", "api/state?chapter=1"):
        assert room.get(path).status_code == 403, path
    page = room.get("")
    assert page.status_code == 302
    where = urllib.parse.urlsplit(page.headers["Location"])
    assert where.path == "/hub/api/oauth2/authorize"
    query = urllib.parse.parse_qs(where.query)
    assert query["client_id"] == ["service-room"]
    assert query["redirect_uri"] == ["/services/room/oauth_callback"]
    assert query["response_type"] == ["code"]
    assert query["state"][0]


def _log_in(room, session: requests.Session, token: str) -> None:
    """A browser's OAuth round: the page, the hub's authorize (stubbed), the callback."""
    first = session.get(room.url(), allow_redirects=False, timeout=30)
    assert first.status_code == 302
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(first.headers["Location"]).query)
    code = secrets.token_hex(8)
    room.hub.codes[code] = token
    back = session.get(room.url("oauth_callback"), params={"code": code,
                       "state": state["state"][0]}, allow_redirects=False, timeout=30)
    assert back.status_code == 302, back.text


@pytest.mark.parametrize("who", ["admin", "learner"])
def test_a_post_with_the_hub_login_cookie_and_no_token_is_refused(room, who):
    token = room.admin if who == "admin" else room.hub.learner("dora")
    browser = requests.Session()
    browser.trust_env = False
    with browser:
        _log_in(room, browser, token)
        assert browser.cookies  # logged in with a cookie
        if who == "admin":  # the cookie does log the admin in, for reading
            assert browser.get(room.url(), timeout=30).status_code == 200
            assert browser.get(room.url("api/state?chapter=1"), timeout=30).status_code == 200
        before = room.records()
        r = browser.post(room.url("api/results"), data=json.dumps(Q2_WRONG),
                         headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 403, r.text
        assert "token" in _message(r)
        form = browser.post(room.url("api/results"), data=Q2_WRONG, timeout=30)
        assert form.status_code == 403
    assert room.records() == before


def test_a_forged_cookie_is_not_a_login(room):
    jar = {"service-room": "token-of-instructor", "jupyterhub-session-id": "x"}
    r = room.http.post(room.url("api/results"), data=json.dumps(Q2_WRONG), cookies=jar,
                       timeout=30)
    assert r.status_code == 403
    assert room.http.get(room.url("api/results"), cookies=jar, timeout=30).status_code == 403


# --- what a post may hold ---------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"question": "01.q99", "status": "incorrect"}, "question"),
    ({"question": "01.q2", "status": "passed"}, "status"),
    ({"question": "01.q2", "status": "incorrect", "mistake": "no_such_mistake"}, "mistake"),
    ({"question": "01.q2", "status": "incorrect", "mistake": "swapped_p_q"}, "mistake"),
    ({"question": "01.q2", "status": "correct", "mistake": "count_for_entropy"}, "mistake"),
    *[({**Q2_WRONG, f: s}, f) for f in ("question", "status", "mistake") for s in SCRIPTS],
])
def test_a_post_that_is_not_a_known_check_is_a_400_naming_the_field(room, data, field):
    eve = room.hub.learner("eve")
    r = room.post(eve, data)
    assert r.status_code == 400, r.text
    message = _message(r)
    assert message.startswith(f"{field}:"), message
    assert "<script" not in r.text and "<img" not in r.text
    assert room.records("eve") == []


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe\x00", b"[]", b'"01.q2"', b""])
def test_a_post_that_is_not_a_json_object_is_a_400(room, raw):
    r = room.post(room.hub.learner("fay"), raw)
    assert r.status_code == 400, r.text
    assert room.records("fay") == []


def test_a_deeply_nested_body_within_the_size_limit_is_a_400_not_a_500(room):
    r = room.post(room.hub.learner("gus"), b"[" * 1000)
    assert r.status_code == 400, (r.status_code, r.text)


def test_a_body_over_max_body_is_413_and_one_at_it_accepted(room):
    hal = room.hub.learner("hal")
    real = json.dumps(Q2_WRONG).encode()
    at_limit = real + b" " * (MAX_BODY - len(real))
    r = room.post(hal, at_limit + b" ")
    assert r.status_code == 413, r.text
    assert room.records("hal") == []
    assert room.post(hal, b" " * 20_000).status_code == 413
    assert room.post(hal, at_limit).status_code == 201
    assert room.records("hal")[0]["attempts"] == 1


def test_posting_too_fast_gets_429_with_retry_after(room):
    rapid = room.hub.learner("rapid")
    assert room.post(rapid, Q2_WRONG).status_code == 201  # the hub's answer cached
    t0 = time.monotonic()
    answers = [room.post(rapid, Q2_WRONG) for _ in range(60)]
    took = time.monotonic() - t0
    codes = [r.status_code for r in answers]
    assert set(codes) <= {201, 429}, codes
    assert 429 in codes, f"60 posts in {took:.2f} s, none refused"
    accepted = codes.count(201)
    assert accepted <= BURST + RATE * took + 1, (accepted, took)
    assert room.records("rapid")[0]["attempts"] == accepted + 1  # a 429 keeps nothing
    assert room.post(room.hub.learner("calm"), Q2_WRONG).status_code == 201  # per learner
    for r in answers:
        if r.status_code == 429:
            assert "slow down" in _message(r)
            _security_headers(r)
            assert r.headers.get("Retry-After") == "1", dict(r.headers)


# --- headers ----------------------------------------------------------------------------------

def _security_headers(r: requests.Response) -> None:
    where = f"{r.request.method} {r.url} -> {r.status_code}"
    csp = r.headers.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    directives = dict((d.split() + [""])[:2] for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, where
    assert directives.get("default-src") == "'none'", where
    assert directives.get("script-src") == "'self'", where
    assert directives.get("frame-ancestors") == "'none'", where
    assert "*" not in csp and "http" not in csp, where
    assert r.headers.get("X-Content-Type-Options") == "nosniff", where


def test_every_answer_of_the_service_carries_the_security_headers(room):
    ivy = room.hub.learner("ivy")
    answers = [
        room.post(ivy, Q2_WRONG),  # 201
        room.post(ivy, {"question": "01.q99", "status": "correct"}),  # 400
        room.post(ivy, b" " * (MAX_BODY + 1)),  # 413
        room.post(None, Q2_WRONG),  # 403
        room.post(room.hub.outsider("jon"), Q2_WRONG),  # 403
        room.get("", room.admin),  # the page
        room.get(""),  # 302 to the hub
        room.get("", ivy),  # 403
        room.get("api/results", room.admin),
        room.get("api/results.csv", room.admin),
        room.get("api/results", ivy),
        room.get("api/state?chapter=1", room.admin),
        room.get("api/state?chapter=1&projector=1", room.admin),
        room.get("api/state?chapter=99", room.admin),
    ]
    assert [r.status_code for r in answers] == [201, 400, 413, 403, 403, 200, 302, 403, 200,
                                                200, 403, 200, 200, 400]
    for r in answers:
        _security_headers(r)


@pytest.mark.parametrize("path", ["static/room.js", "static/room.css", "no/such/page",
                                  "oauth_callback"])
def test_static_files_and_error_pages_carry_the_security_headers_too(room, path):
    r = room.get(path)
    assert r.status_code in (200, 400, 404)
    _security_headers(r)


def test_the_page_has_no_inline_script_or_style(room):
    page = room.get("", room.admin)
    assert page.status_code == 200
    html = page.text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html.lower()
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()


# --- the live view ----------------------------------------------------------------------------

def test_the_long_poll_answers_soon_after_a_post(room):
    kim = room.hub.learner("kim")
    version = room.get("api/state?chapter=1", room.admin).json()["version"]
    answer: dict = {}
    returned = threading.Event()

    def poll():
        answer["response"] = room.get(f"api/state?chapter=1&after={version}", room.admin)
        answer["at"] = time.monotonic()
        returned.set()

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    assert not returned.wait(0.5), "the long poll answered with no news"
    poster = requests.Session()
    poster.trust_env = False
    posted: dict = {}

    def post():
        r = poster.post(room.url("api/results"), data=json.dumps(Q2_WRONG),
                        headers={"Authorization": f"token {kim}"}, timeout=30)
        posted["code"], posted["at"] = r.status_code, time.monotonic()

    sender = threading.Thread(target=post, daemon=True)
    sender.start()
    sender.join(30)
    poster.close()
    assert posted["code"] == 201
    assert returned.wait(10), "the long poll did not answer after a post"
    poller.join(5)
    waited = answer["at"] - posted["at"]
    assert waited < 2.0, f"the long poll answered {waited:.2f} s after the post"
    state = answer["response"].json()
    assert state["version"] > version
    kim_row = next(row for row in state["grid"] if row["learner"] == "kim")
    assert kim_row["cells"][1] == {"status": "incorrect", "attempts": 1,
                                   "mistake": "count_for_entropy"}


def test_the_state_lists_the_hub_s_learners_and_projector_mode_names_nobody(room):
    assert room.post(room.shy[SHY[1]], Q2_WRONG).status_code == 201  # one of them posted
    full = room.get("api/state?chapter=1", room.admin)
    assert full.status_code == 200
    names = [row["learner"] for row in full.json()["grid"]]
    assert set(SHY) <= set(names)
    assert SHY[0] in full.json()["absent_list"]  # on the hub, never checked
    assert "instructor" not in names  # the admin is not a learner
    projected = room.get("api/state?chapter=1&projector=1", room.admin)
    assert projected.status_code == 200
    text = projected.text
    for name in {*names, "instructor"}:
        assert f'"{name}"' not in text, name
    for name in SHY:
        for part in name.replace("_", "-").split("-"):
            assert part not in text, part
    data = projected.json()
    assert data["projector"] is True
    assert not {"grid", "stuck_list", "absent_list"} & set(data)
    assert data["learners"] == full.json()["learners"]


@pytest.mark.parametrize("query", ["chapter=99", "chapter=0", "chapter=abc", "chapter=-1",
                                   "chapter=1.5", "chapter="])
def test_an_unknown_chapter_is_a_400(room, query):
    for path in ("api/state", "api/results"):
        r = room.get(f"{path}?{query}", room.admin)
        assert r.status_code == 400, (path, query, r.status_code)
        assert _message(r).startswith("chapter:")


def test_the_csv_export(room):
    weird = room.hub.learner("=cmd|' /C calc'!A0")
    assert room.post(weird, Q2_WRONG).status_code == 201
    r = room.get("api/results.csv", room.admin)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.text.splitlines()[0] == "learner,question,chapter,status,mistake,attempts,first,last"
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert {row["learner"] for row in rows} == {x["learner"] for x in room.records()} - {
        "=cmd|' /C calc'!A0"} | {"'=cmd|' /C calc'!A0"}
    assert not any(row["learner"].startswith(("=", "+", "-", "@")) for row in rows)
    chapter2 = room.get("api/results.csv?chapter=2", room.admin)
    assert chapter2.text.splitlines() == [",".join(CSV_COLUMNS)] + [
        line for line in r.text.splitlines()[1:] if ",02.q" in line]


# --- a restart --------------------------------------------------------------------------------

def test_a_restart_keeps_every_result_and_the_instructor_s_login(hub, tmp_path):
    secret = tmp_path / "cookie-secret"
    args = (f"--cookie-secret-file={secret}",)
    first = _start(hub, tmp_path, "first", args)
    browser = requests.Session()
    browser.trust_env = False
    try:
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        lee, max_ = hub.learner("lee"), hub.learner("max")
        for token, data in [(lee, Q2_WRONG), (lee, {"question": "01.q2", "status": "correct"}),
                            (max_, {"question": "02.q1", "status": "error"}),
                            (max_, {"question": "01.q1", "status": "not attempted"})]:
            assert first.post(token, data).status_code == 201
        before = first.records()
        assert len(before) == 3
        version = first.get("api/state?chapter=1", first.admin).json()["version"]
        _log_in(first, browser, first.admin)
        assert browser.get(first.url("api/results"), timeout=30).json() == before
    finally:
        first.stop()
    assert first.proc.returncode is not None
    again = _start(hub, tmp_path, "again", args, port=urllib.parse.urlsplit(first.base).port)
    try:
        assert again.records() == before
        # the open page's login still holds (same address, same key)
        assert browser.get(again.url("api/results"), timeout=30).json() == before
        assert again.get("api/state?chapter=1", again.admin).json()["version"] == version
        assert again.post(lee, Q2_WRONG).status_code == 201
        assert again.get("api/state?chapter=1", again.admin).json()["version"] > version
        lee_q2 = next(x for x in again.records("lee") if x["question"] == "01.q2")
        assert (lee_q2["status"], lee_q2["attempts"]) == ("correct", 3)  # done stays done
    finally:
        browser.close()
        again.stop()
