"""PyPI's configurable-http-proxy, sized for a room (the hub's ``ConfigurableHTTPProxy.command``).

The pure-Python proxy forwards every request with tornado's ``AsyncHTTPClient``, whose default
is 10 requests at once; the rest wait in a queue for at most ``min(connect_timeout,
request_timeout)``, 20 s, and then get a 503 "Timeout in request queue". With a room pressing
start together, each learner's request waits for the hub while it starts servers, and the
eleventh one onwards can time out. This runs the same proxy (same options, same command line
as ``configurable-http-proxy``) with

- ``MAX_CLIENTS`` requests forwarded at once (a room's browsers, several requests each);
- ``QUEUE_TIMEOUT`` seconds in the queue and to connect (``connect_timeout``) before a 503;
- ``REQUEST_TIMEOUT`` seconds for a whole forwarded request (``request_timeout``): longer than
  a server's start (``Spawner.http_timeout``), which the hub's progress page waits through.

Websockets (kernels) are not forwarded through this client and have no such limit.
"""

from __future__ import annotations

import sys

from tornado.httpclient import AsyncHTTPClient

MAX_CLIENTS = 512
QUEUE_TIMEOUT = 120.0
REQUEST_TIMEOUT = 300.0


def configure() -> None:
    """Make every ``AsyncHTTPClient`` the proxy creates a room-sized one."""
    AsyncHTTPClient.configure(None, max_clients=MAX_CLIENTS,
                              defaults={"connect_timeout": QUEUE_TIMEOUT,
                                        "request_timeout": REQUEST_TIMEOUT})


def main() -> None:
    configure()
    from configurable_http_proxy.cli import main as proxy_main

    proxy_main(prog_name="configurable-http-proxy")


if __name__ == "__main__":
    sys.exit(main())
