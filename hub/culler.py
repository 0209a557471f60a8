"""jupyterhub-idle-culler as the hub's service, stopping at the hub's SIGINT.

A process started in the background by a shell ignores SIGINT, and the culler inherits that:
the hub would wait 30 s for it on every stop. This puts Python's own handler back first.
"""

import signal

signal.signal(signal.SIGINT, signal.default_int_handler)

from jupyterhub_idle_culler import main  # noqa: E402

if __name__ == "__main__":
    main()
