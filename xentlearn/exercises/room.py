"""Sending each check's result to the room's live view, on the room's hub only.

On the room's hub (``make hub``) every learner's server has the address of the hub's
``room`` service in ``XENTLEARN_ROOM_URL`` and its own hub token in
``JUPYTERHUB_API_TOKEN``; kernels inherit both. After every check :func:`send` posts::

    {"question": "01.q2", "status": "incorrect", "mistake": "count_for_entropy"}

with that token; the service learns from the hub who sent it. Nothing else leaves the
kernel: no answer, no feedback text, no name. Off the hub (either variable missing)
nothing is sent.

Sending never slows or breaks a check: results wait in a short queue and one background
thread posts them, each with a :data:`TIMEOUT` of a few seconds. A failure is counted
and logged at debug level (logger ``xentlearn.exercises.room``), never shown in the
notebook; :func:`status` tells what happened.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
import urllib.error
import urllib.request
from typing import Any

__all__ = ["URL_ENV_VAR", "TIMEOUT", "send", "status", "flush"]

#: The environment variable with the room service's results address.
URL_ENV_VAR = "XENTLEARN_ROOM_URL"

#: Seconds one post may take before it is given up.
TIMEOUT = 3.0

#: Results waiting to be sent; beyond this many, new ones are dropped (and counted).
QUEUE_SIZE = 200

_log = logging.getLogger(__name__)
_queue: queue.Queue = queue.Queue(maxsize=QUEUE_SIZE)
_lock = threading.Lock()
_thread: threading.Thread | None = None
_counts = {"sent": 0, "failed": 0, "dropped": 0}
_last_error = [""]
# no proxy from the environment: the room's service is on the hub's own network
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _target() -> tuple[str, str] | None:
    url, token = os.environ.get(URL_ENV_VAR, ""), os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not url or not token or not url.startswith(("http://", "https://")):
        return None
    return url, token


def send(result: Any) -> bool:
    """Queue ``result`` (a :class:`~xentlearn.exercises.CheckResult`) for the room; False off
    the hub or when the queue is full. Returns at once and never raises.

    Examples
    --------
    >>> import os
    >>> from xentlearn.exercises import chapter
    >>> _ = os.environ.pop(URL_ENV_VAR, None)                # off the hub
    >>> send(chapter(1).q2.evaluate(3.0))
    False
    """
    try:
        target = _target()
        if target is None:
            return False
        body = {"question": str(result.question), "status": str(result.status),
                "mistake": str(getattr(result, "mistake", "") or "")}
        try:
            _queue.put_nowait((target, json.dumps(body).encode()))
        except queue.Full:
            with _lock:
                _counts["dropped"] += 1
            return False
        _start()
        return True
    except Exception as exc:  # noqa: BLE001 - sending must never break a check
        _log.debug("room: not queued: %r", exc)
        return False


def _start() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_worker, name="xentlearn-room", daemon=True)
            _thread.start()


def _worker() -> None:
    while True:
        (url, token), body = _queue.get()
        try:
            _post(url, token, body)
        finally:
            _queue.task_done()


def _post(url: str, token: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            response.read(1024)
        with _lock:
            _counts["sent"] += 1
    except Exception as exc:  # noqa: BLE001 - an HTTP error, a refused or slow connection
        detail = f"HTTP {exc.code}" if isinstance(exc, urllib.error.HTTPError) else repr(exc)
        with _lock:
            _counts["failed"] += 1
            _last_error[0] = detail
        _log.debug("room: %s not sent: %s", url, detail)


def flush(timeout: float = 1.0) -> bool:
    """Wait at most ``timeout`` seconds for queued results to be sent; True when none wait."""
    done = threading.Event()

    def wait() -> None:
        _queue.join()
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    return done.wait(timeout)


def status() -> dict:
    """How sending went in this kernel: ``on`` (this kernel is on the room's hub), ``sent``,
    ``failed``, ``dropped`` and ``last_error``."""
    with _lock:
        return {"on": _target() is not None, **_counts, "last_error": _last_error[0]}


atexit.register(flush, 1.0)  # a kernel shut down right after a check still sends it
