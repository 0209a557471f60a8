"""Start every learner's server before the room arrives, a few at a time.

    python -m hub.prestart [--at-once N] [--timeout S]   # as root, with the hub running

Through the hub's REST API on 127.0.0.1 (``HUB_API_PORT``), with the token of the hub's
``prestart`` service (``state/prestart-token``, root only, made by jupyterhub_config.py). It
starts the servers of every learner on the class list who has none yet, ``N`` at a time
(default ``HUB_SPAWN_LIMIT``), waits for each to be ready, and prints how long each took. A
learner who then logs in finds their JupyterLab at once. Servers that stay unused are
stopped by the idle culler after ``HUB_IDLE_TIMEOUT``: run this within that time before the
session.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from xentlearn._argtypes import seconds, whole_number

from .accounts import load_passwords
from .settings import Settings

SERVICE = "prestart"


class Hub:
    """The hub's REST API as the ``prestart`` service."""

    def __init__(self, settings: Settings):
        import requests

        path = settings.prestart_token
        if not path.exists():
            raise SystemExit(f"no {path}: start the hub first (make hub), then run this as "
                             "root in another terminal")
        self.url = f"http://127.0.0.1:{settings.api_port}/hub/api"
        self.session = requests.Session()
        self.session.trust_env = False  # 127.0.0.1: never through a proxy of the environment
        self.session.headers["Authorization"] = f"token {path.read_text().strip()}"

    def call(self, method: str, path: str):
        import requests

        try:
            return self.session.request(method, f"{self.url}/{path}", timeout=60)
        except requests.ConnectionError:
            raise SystemExit(f"the hub does not answer on {self.url}: is it running "
                             "(make hub), with the same HUB_API_PORT?") from None

    def learners(self, settings: Settings) -> list[str]:
        return [name for name, v in load_passwords(settings).items()
                if v.get("role") == "learner"]

    def ready(self, name: str) -> bool | None:
        """True when the server is ready, False while it starts, None when it has none."""
        r = self.call("GET", f"users/{name}")
        r.raise_for_status()
        user = r.json()
        server = user.get("servers", {}).get("")
        if server and server.get("ready"):
            return True
        return False if user.get("pending") or server else None

    def start(self, name: str, timeout: float) -> float:
        """Start ``name``'s server and wait until it is ready; seconds taken."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            state = self.ready(name)
            if state:
                return time.monotonic() - t0
            if state is None:
                r = self.call("POST", f"users/{name}/server")
                if r.status_code == 429:  # the hub's concurrent_spawn_limit: wait as told
                    time.sleep(float(r.headers.get("Retry-After", 10)))
                    continue
                if r.status_code not in (201, 202, 400):  # 400: already starting
                    raise RuntimeError(f"{name}: the hub answered {r.status_code} "
                                       f"{r.text[:200]}")
            time.sleep(0.5)
        raise RuntimeError(f"{name}: not ready after {timeout:.0f} s (the hub's log says why)")


def prestart(settings: Settings, at_once: int, timeout: float = 300,
             out=sys.stdout) -> dict[str, float | str]:
    """Start every learner's server, ``at_once`` at a time.

    Returns
    -------
    dict
        Name -> seconds until ready, or the reason it failed.
    """
    hub = Hub(settings)
    names = hub.learners(settings)
    results: dict[str, float | str] = {}

    def one(name: str) -> None:
        import requests

        try:
            results[name] = hub.start(name, timeout)
            print(f"{name}: ready after {results[name]:.1f} s", file=out, flush=True)
        except RuntimeError as e:
            results[name] = str(e)
            print(e, file=out, flush=True)
        except (requests.RequestException, ValueError) as e:  # an error page, a slow answer
            results[name] = f"{name}: {type(e).__name__}: {e}"[:300]
            print(results[name], file=out, flush=True)

    with ThreadPoolExecutor(max_workers=max(at_once, 1)) as pool:
        list(pool.map(one, names))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.prestart", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--at-once", type=whole_number(1), help="servers started together "
                        "(default HUB_SPAWN_LIMIT)")
    parser.add_argument("--timeout", type=seconds(3600), default=300.0,
                        help="seconds to wait for each server (default 300, at most 3600)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    at_once = settings.spawn_limit if args.at_once is None else args.at_once
    t0 = time.monotonic()
    results = prestart(settings, at_once, args.timeout)
    failed = {n: r for n, r in results.items() if isinstance(r, str)}
    print(f"{len(results) - len(failed)} of {len(results)} learners' servers ready after "
          f"{time.monotonic() - t0:.1f} s ({at_once} at a time)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
