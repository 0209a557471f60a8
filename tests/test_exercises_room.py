"""Sending each check's result to the room's live view (xentlearn.exercises.room).

A local HTTP server on 127.0.0.1 stands in for the room's service. Off the hub nothing is
sent; on the hub a check posts exactly its question, status and mistake with the kernel's
hub token, in the background: a service that never answers, refuses the connection or
answers with an error neither slows the check nor shows anything, and is counted.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from xentlearn.exercises import chapter, room, view
from xentlearn.exercises.record import LOG_ENV_VAR

TOKEN = "kernel-token-7f3a9c"
PATH = "/services/room/api/results"
PROXY_VARS = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
              "ALL_PROXY", "no_proxy", "NO_PROXY")


@dataclass
class Post:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """The stand-in service: every request it got, and the status it answers with."""

    url: str
    posts: list = field(default_factory=list)
    code: int = 201


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.posts.append(Post("POST", self.path, dict(self.headers), body))
            reply = json.dumps({"version": len(state.posts)}).encode()
            self.send_response(state.code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_POST

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}{PATH}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


@pytest.fixture
def closed_port():
    """A port bound but not listening: every connection is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_room(monkeypatch):
    """Off the hub, no results log, no proxy, the module's counters at zero; at the end the
    queue is drained, so that no post of one test lands in the next."""
    for name in (room.URL_ENV_VAR, "JUPYTERHUB_API_TOKEN", LOG_ENV_VAR, *PROXY_VARS):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(room, "_counts", {"sent": 0, "failed": 0, "dropped": 0})
    monkeypatch.setattr(room, "_last_error", [""])
    assert room.flush(room.TIMEOUT + 5), "a post of an earlier test is still waiting"
    yield
    assert room.flush(room.TIMEOUT + 5), "the sender did not give up within its timeout"


def _on_hub(monkeypatch, url: str) -> None:
    monkeypatch.setenv(room.URL_ENV_VAR, url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)


def _feedback(result) -> str:
    """What ``check`` prints outside a notebook for ``result``, and nothing else."""
    return view.render_text(result.status, f"{result.question} {result.status}",
                            result.message) + "\n"


# --- off the hub ------------------------------------------------------------------------------

@pytest.mark.parametrize("env", [
    {},
    {"url": True},
    {"token": True},
    {"url": "file:///etc/passwd", "token": True},
    {"url": "127.0.0.1:9/services/room/api/results", "token": True},
], ids=["neither", "url-only", "token-only", "file-url", "no-scheme"])
def test_off_the_hub_nothing_is_sent(env, receiver, monkeypatch):
    if env.get("url"):
        monkeypatch.setenv(room.URL_ENV_VAR,
                           receiver.url if env["url"] is True else env["url"])
    if env.get("token"):
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    q2 = chapter(1).q2
    assert room.send(q2.evaluate(8)) is False
    result = q2.check(8)
    assert result.mistake == "count_for_entropy"
    assert room._queue.unfinished_tasks == 0  # nothing was even queued
    assert room.flush(1.0)
    assert receiver.posts == []
    assert room.status() == {"on": False, "sent": 0, "failed": 0, "dropped": 0,
                             "last_error": ""}


# --- on the hub -------------------------------------------------------------------------------

def test_a_check_on_the_hub_posts_question_status_and_mistake_with_the_token(
        receiver, monkeypatch):
    _on_hub(monkeypatch, receiver.url)
    assert room.status()["on"] is True
    result = chapter(1).q2.check(8)
    assert (result.status, result.mistake) == ("incorrect", "count_for_entropy")
    assert room.flush(room.TIMEOUT + 2)
    assert len(receiver.posts) == 1
    post = receiver.posts[0]
    assert (post.method, post.path) == ("POST", PATH)
    assert json.loads(post.body) == {"question": "01.q2", "status": "incorrect",
                                     "mistake": "count_for_entropy"}
    assert post.headers["Authorization"] == f"token {TOKEN}"
    assert post.headers["Content-Type"] == "application/json"
    assert room.status() == {"on": True, "sent": 1, "failed": 0, "dropped": 0,
                             "last_error": ""}


@pytest.mark.parametrize("answer, status", [(3.0, "correct"), (..., "not attempted"),
                                            (2.0, "incorrect")])
def test_a_check_without_a_mistake_sends_an_empty_mistake(answer, status, receiver,
                                                           monkeypatch):
    _on_hub(monkeypatch, receiver.url)
    chapter(1).q2.check(answer)
    assert room.flush(room.TIMEOUT + 2)
    assert [json.loads(p.body) for p in receiver.posts] == [
        {"question": "01.q2", "status": status, "mistake": ""}]
    assert room.status()["sent"] == 1


def _entropy_in_nats(p):
    p = np.asarray(p, dtype=float)
    return -(p * np.log(np.where(p > 0, p, 1.0))).sum(axis=-1)


def test_a_function_question_sends_its_diagnosed_mistake(receiver, monkeypatch):
    _on_hub(monkeypatch, receiver.url)
    result = chapter(1).q3.check(_entropy_in_nats)  # nats where bits are asked for
    assert (result.status, result.mistake) == ("incorrect", "wrong_log_base")
    assert room.flush(room.TIMEOUT + 2)
    assert [json.loads(p.body) for p in receiver.posts] == [
        {"question": "01.q3", "status": "incorrect", "mistake": "wrong_log_base"}]


def test_checks_are_sent_in_order(receiver, monkeypatch):
    _on_hub(monkeypatch, receiver.url)
    q2 = chapter(1).q2
    for answer in (..., 8, 2.0, 3.0):
        q2.check(answer)
    assert room.flush(room.TIMEOUT + 2)
    assert [json.loads(p.body)["status"] for p in receiver.posts] == [
        "not attempted", "incorrect", "incorrect", "correct"]
    assert room.status()["sent"] == 4


def test_send_never_raises_on_something_that_is_not_a_result(receiver, monkeypatch):
    _on_hub(monkeypatch, receiver.url)
    assert room.send(object()) is False
    assert room.send(None) is False
    assert room.flush(1.0)
    assert receiver.posts == []


# --- failures: never slow, never shown, counted -----------------------------------------------

def test_a_service_that_never_answers_does_not_slow_the_check(silent_port, monkeypatch,
                                                              capsys, caplog):
    monkeypatch.setattr(room, "TIMEOUT", 1.5)  # the module's own is a few seconds
    caplog.set_level(logging.DEBUG, logger=room.__name__)
    _on_hub(monkeypatch, f"http://127.0.0.1:{silent_port}{PATH}")
    q2 = chapter(1).q2
    start = t0 = time.perf_counter()
    result = q2.check(8)
    took = time.perf_counter() - t0
    assert took < room.TIMEOUT / 3, f"check took {took:.2f} s with a silent service"
    t0 = time.perf_counter()
    again = q2.check(3.0)  # a second check while the first post still waits
    took = time.perf_counter() - t0
    assert took < room.TIMEOUT / 3, f"the second check took {took:.2f} s"
    assert room.flush(2 * room.TIMEOUT + 5), "a post to a silent service never gave up"
    waited = time.perf_counter() - start
    assert waited > 2 * room.TIMEOUT * 0.9, f"two posts gave up after {waited:.2f} s in all"
    status = room.status()
    assert (status["sent"], status["failed"]) == (0, 2)
    assert "timed out" in status["last_error"].lower()
    out, err = capsys.readouterr()
    assert out == _feedback(result) + _feedback(again)  # the feedback, and nothing about it
    assert err == ""
    failures = [r for r in caplog.records if r.name == room.__name__]
    assert len(failures) == 2
    assert all(r.levelno == logging.DEBUG for r in failures)


def test_a_refused_connection_is_counted_and_not_shown(closed_port, monkeypatch, capsys,
                                                       caplog):
    caplog.set_level(logging.DEBUG, logger=room.__name__)
    _on_hub(monkeypatch, f"http://127.0.0.1:{closed_port}{PATH}")
    t0 = time.perf_counter()
    result = chapter(1).q2.check(8)
    took = time.perf_counter() - t0
    assert took < room.TIMEOUT / 3
    assert room.flush(room.TIMEOUT + 5)
    status = room.status()
    assert (status["sent"], status["failed"]) == (0, 1)
    assert "refused" in status["last_error"].lower()
    out, err = capsys.readouterr()
    assert (out, err) == (_feedback(result), "")
    assert [r.levelno for r in caplog.records if r.name == room.__name__] == [logging.DEBUG]


@pytest.mark.parametrize("code", [400, 403, 413, 429, 500])
def test_an_http_error_is_counted_as_failed(code, receiver, monkeypatch, capsys):
    receiver.code = code
    _on_hub(monkeypatch, receiver.url)
    result = chapter(1).q2.check(8)
    assert room.flush(room.TIMEOUT + 2)
    assert len(receiver.posts) == 1  # it arrived, and was refused
    status = room.status()
    assert (status["sent"], status["failed"]) == (0, 1)
    assert status["last_error"] == f"HTTP {code}"
    assert capsys.readouterr() == (_feedback(result), "")


def test_a_full_queue_drops_and_counts_without_blocking(receiver, monkeypatch):
    _on_hub(monkeypatch, receiver.url)
    result = chapter(1).q2.evaluate(8)
    with monkeypatch.context() as m:  # no worker takes from this queue: it fills up
        m.setattr(room, "_queue", queue.Queue(maxsize=2))
        m.setattr(room, "_start", lambda: None)
        t0 = time.perf_counter()
        sent = [room.send(result) for _ in range(4)]
        assert time.perf_counter() - t0 < room.TIMEOUT / 3
    assert sent == [True, True, False, False]
    assert room.status()["dropped"] == 2


# --- no proxy ---------------------------------------------------------------------------------

def test_the_environment_s_proxy_is_not_used(receiver, closed_port, monkeypatch):
    dead = f"http://127.0.0.1:{closed_port}"
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, dead)
    # urllib's default would send to the dead proxy: 127.0.0.1 is not exempted
    assert urllib.request.getproxies().get("http") == dead
    assert not urllib.request.proxy_bypass("127.0.0.1")
    _on_hub(monkeypatch, receiver.url)
    chapter(1).q2.check(8)
    assert room.flush(room.TIMEOUT + 2)
    assert _wait_for(lambda: len(receiver.posts) == 1, 1.0)
    assert room.status()["sent"] == 1
    assert room.status()["failed"] == 0
