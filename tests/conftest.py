"""Fixtures shared by the package's tests; the plain helpers live in helpers.py."""

from helpers import big_logits, big_logits_mp_lse, rng  # noqa: F401  (fixtures)
