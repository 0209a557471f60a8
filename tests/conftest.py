"""Fixtures shared by the package's tests; the plain helpers live in helpers.py."""

import signal

from helpers import big_logits, big_logits_mp_lse, course_wheel, rng  # noqa: F401  (fixtures)

# A test run started as a background job of a shell without job control inherits SIGINT
# ignored, and so would every process it starts. Tests that stop a child with Ctrl-C
# (`make lab`, a check interrupted by the stop button) need it delivered as usual.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
