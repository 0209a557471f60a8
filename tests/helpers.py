"""Shared helpers for the xentlearn test suite.

* a Hypothesis profile (no deadline, a moderate number of examples so the whole
  suite stays fast); choose another with ``HYPOTHESIS_PROFILE=thorough``;
* high-precision references with mpmath (``mp.dps = 50``);
* small generators of random distributions and logits.

Test modules import the plain helpers with ``from helpers import ...``; conftest.py
re-exports the fixtures.
"""

from __future__ import annotations

import contextlib
import os

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

settings.register_profile(
    "xentlearn",
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "xentlearn"))

mp = mpmath.mp
mp.dps = 50

# Four times the smallest positive float64 (a subnormal): absolute slack for comparisons
# whose exact value underflows; far too small to hide an error in any normal number.
TINY_ATOL = 4 * 2.0**-1074

# Shapes with the class axis last, used by the reference comparisons.
SHAPES = [(2,), (7,), (1, 3), (5, 4), (3, 2, 6), (2, 3, 4, 5)]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


@pytest.fixture(scope="session")
def big_logits() -> np.ndarray:
    """Three rows of 100,000 logits; row 1 has one dominant logit (60 at index 12345)."""
    z = np.random.default_rng(7).normal(scale=3.0, size=(3, 100_000))
    z[1, 12345] = 60.0
    return z


@pytest.fixture(scope="session")
def big_logits_mp_lse(big_logits) -> mpmath.mpf:
    """logsumexp of ``big_logits[0]`` to 50 digits (about a second, so computed once)."""
    return mp_logsumexp(big_logits[0])


# --- random data ---------------------------------------------------------------------------


def random_distribution(rng: np.random.Generator, shape, *, concentration: float = 1.0,
                        floor: float = 0.0) -> np.ndarray:
    """Dirichlet rows along the last axis of ``shape``; every entry >= ``floor`` if given."""
    shape = tuple(shape)
    p = rng.dirichlet(np.full(shape[-1], concentration), size=shape[:-1])
    if floor:
        p = floor + (1 - floor * shape[-1]) * p
    return p / p.sum(axis=-1, keepdims=True)


def random_one_hot(rng: np.random.Generator, shape) -> tuple[np.ndarray, np.ndarray]:
    """Integer labels of shape ``shape[:-1]`` and the one-hot rows they stand for."""
    shape = tuple(shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    return labels, np.eye(shape[-1])[labels]


# --- Hypothesis strategies -------------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def shapes(draw, *, max_lead_dims: int = 2, min_k: int = 2, max_k: int = 6):
    """A shape whose last axis (the classes) has between ``min_k`` and ``max_k`` entries."""
    lead = draw(st.lists(st.integers(1, 4), max_size=max_lead_dims))
    return (*lead, draw(st.integers(min_k, max_k)))


@st.composite
def distributions(draw, k: int | None = None, *, allow_zero: bool = True):
    """One probability vector built from Hypothesis floats (so that failures shrink)."""
    if k is None:
        k = draw(st.integers(2, 8))
    low = 0.0 if allow_zero else 1e-3
    raw = draw(hnp.arrays(np.float64, k, elements=st.floats(low, 1.0)))
    if raw.sum() == 0:
        raw[0] = 1.0
    return raw / raw.sum()


def finite_logits(max_abs: float = 50.0):
    return st.floats(-max_abs, max_abs, allow_nan=False, allow_infinity=False)


# --- mpmath references -----------------------------------------------------------------------


def mpf(x) -> mpmath.mpf:
    """The exact value of a float (no rounding: every float64 is an mpf at 50 digits)."""
    return mp.mpf(float(x))


def _mp_shifted(z) -> tuple[mpmath.mpf, list, mpmath.mpf]:
    """``(m, [z_k - m], log sum_k e^(z_k - m))`` with ``m`` the maximum.

    Working with ``z_k - m`` keeps ``log 2`` from vanishing next to logits of 1e300,
    which no fixed number of digits would survive.
    """
    zs = [mpf(v) for v in np.ravel(z)]
    m = max(zs)
    shifted = [v - m for v in zs]
    return m, shifted, mp.log(mp.fsum(mp.exp(s) for s in shifted))


def mp_logsumexp(z) -> mpmath.mpf:
    m, _, log_sum = _mp_shifted(z)
    return m + log_sum


def mp_log_softmax(z) -> list:
    _, shifted, log_sum = _mp_shifted(z)
    return [s - log_sum for s in shifted]


def mp_softmax(z) -> list:
    return [mp.exp(v) for v in mp_log_softmax(z)]


def mp_softplus(x) -> mpmath.mpf:
    """log(1 + e^x), exact to 50 digits even when e^x is tiny or huge."""
    x = mpf(x)
    if x > 0:
        return x + mp.log1p(mp.exp(-x))
    return mp.log1p(mp.exp(x))


def mp_log_sigmoid(x) -> mpmath.mpf:
    return -mp_softplus(-float(x))


def mp_sigmoid(x) -> mpmath.mpf:
    return mp.exp(mp_log_sigmoid(x))


def to_float(values) -> np.ndarray:
    """Round mpmath numbers (a scalar or nested lists) to the nearest float64."""
    return np.vectorize(float, otypes=[np.float64])(np.array(values, dtype=object))


def assert_close_to_mp(actual, exact, rtol: float = 1e-13) -> None:
    """``actual`` agrees with the correctly rounded ``exact`` to ``rtol``, relatively."""
    expected = to_float(exact)
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual.astype(np.float64), expected, rtol=rtol, atol=TINY_ATOL)


# --- finite differences ----------------------------------------------------------------------


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The gradient of the scalar ``f`` at ``x`` by central differences, entry by entry."""
    g = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += h
        xm[idx] -= h
        g[idx] = (f(xp) - f(xm)) / (xp[idx] - xm[idx])
    return g


def assert_matches_finite_differences(grad, numeric):
    scale = max(1.0, float(np.abs(numeric).max()))
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7 * scale)


@contextlib.contextmanager
def fp_errors_raise(how: str):
    """Make every floating-point warning raise, as a caller's ``np.errstate(all="raise")``
    (``how="errstate"``) or ``np.seterr(all="raise")`` (``how="seterr"``) would."""
    if how == "errstate":
        with np.errstate(all="raise"):
            yield
    else:
        old = np.seterr(all="raise")
        try:
            yield
        finally:
            np.seterr(**old)


@pytest.fixture(scope="session")
def course_wheel(tmp_path_factory):
    """The project's wheel, built once from this checkout (no build environment fetched)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                           "--no-build-isolation", "-w", str(out), str(root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("xentlearn-*.whl")
    return built



class RunningLab:
    """``python -m xentlearn lab --no-browser --port PORT``, started by :func:`running_lab`:
    the path its printed address opens, its output so far, and ``get(path)`` for its API."""

    def __init__(self, port: int, path: str, token: str, lines: list[str]):
        import urllib.request

        self.port, self.path, self.token, self.lines = port, path, token, lines
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def get(self, path: str) -> dict:
        """JSON of ``GET path`` with the token; retried while the server starts listening."""
        import json
        import time
        import urllib.error

        for _ in range(50):
            try:
                with self._opener.open(f"http://127.0.0.1:{self.port}{path}?token={self.token}",
                                       timeout=30) as r:
                    return json.loads(r.read())
            except urllib.error.URLError:
                time.sleep(0.2)
        raise AssertionError(f"{path}: no answer\n" + self.output[-3000:])


@contextlib.contextmanager
def running_lab(python, folder_args: list[str], *, cwd, env: dict, wait: float = 120):
    """``PYTHON -m xentlearn lab [FOLDER] --no-browser --port PORT`` until its address is
    printed; yields a :class:`RunningLab`, and stops the server (its process group) after."""
    import os
    import re
    import signal
    import socket
    import subprocess
    import threading
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(python), "-m", "xentlearn", "lab", *folder_args, "--no-browser",
                             "--port", str(port)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=(os.name == "posix"))
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    url = re.compile(rf"http://(?:127\.0\.0\.1|localhost):{port}(/lab\S*)\?token=(\w+)")
    try:
        deadline, m = time.monotonic() + wait, None
        while m is None and time.monotonic() < deadline and proc.poll() is None:
            m = next(filter(None, map(url.search, list(lines))), None)
            time.sleep(0.2)
        assert m, "".join(lines)[-3000:]
        yield RunningLab(port, m.group(1), m.group(2), lines)
    finally:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
