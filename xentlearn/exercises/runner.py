"""Running a learner's code for the checker: a time limit that holds, every exception caught.

:func:`run` calls a learner's function once and says what happened (:class:`Outcome`):
it returned (the value, made plain by a converter that runs under the same
guard), it raised (any :class:`BaseException`, described in one line), or it
was stopped at the time limit. Only a stop that the person at the keyboard
asked for (a ``KeyboardInterrupt`` caused by SIGINT, the kernel's stop button)
leaves :func:`run` as an exception.

How the time limit holds, on systems with ``SIGALRM`` (Linux, macOS), when the
call runs in the main thread (notebook cells do):

* after ``seconds`` an alarm raises :class:`CheckTimeout` in the learner's code.
  It derives from :class:`BaseException`, so ``except Exception`` lets it pass;
* from then on the learner's frames are traced and every line they run raises
  it again, so a bare ``except:`` (or ``except BaseException``) in a loop gets
  nowhere: the line after the handler raises anew. Tracing stops when the call
  ends; a handler that keeps the exception alive is met by the alarm, which
  fires again every :data:`REFIRE` seconds;
* whatever the call does with it, the outcome is "timeout" once the limit has
  passed, even if the function then returns a value.

A long call into C (one huge NumPy operation) cannot be interrupted: the alarm
is handled when it returns. The learner's code runs in their own process, so
a determined learner can switch all this off (replace the signal handler,
install their own trace function): the checks measure practice, they are not
an exam.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CheckTimeout", "Outcome", "REFIRE", "can_limit", "learner_settings", "run",
           "sanitise"]

#: Seconds between two alarms once the time limit has passed.
REFIRE = 0.02

_OWN = globals()  # frames running this module's code are the checker's, never the learner's


class CheckTimeout(BaseException):
    """Raised in a learner's code when its time is up; ``except Exception`` does not catch it.

    When a handler in the learner's code has swallowed it and lets it go, the
    learner's frames are traced again (see the module docstring), so the next
    line raises it anew.

    Examples
    --------
    >>> issubclass(CheckTimeout, Exception), issubclass(CheckTimeout, BaseException)
    (False, True)
    """

    def __del__(self):
        call = _ACTIVE
        if call is not None and call.stopping:
            try:
                call.trace_from(sys._getframe(1))
            except BaseException:  # noqa: S110 - nothing may escape a __del__
                pass


@dataclass
class Outcome:
    """What one call of a learner's function did.

    Attributes
    ----------
    status : str
        ``"returned"``, ``"raised"`` or ``"timeout"``.
    value : object
        What the converter made of the returned value (``"returned"`` only).
    error : str
        The exception in one line, e.g. ``"ZeroDivisionError: division by zero"``
        (``"raised"`` only; object addresses removed).
    error_type : type or None
        The exception's class (``"raised"`` only).
    peak_bytes : int or None
        With ``measure_memory``: the most memory the call held at once beyond what
        existed before it, in bytes; None when not measured or when the call stopped
        the measurement (see ``memory_lost``).
    memory_lost : bool
        The call stopped or restarted :mod:`tracemalloc`, so nothing was measured.
    limited : bool
        Whether a time limit applied (False without ``SIGALRM`` or outside the main
        thread).

    Examples
    --------
    >>> run(lambda x: 1 / x, (0,), seconds=1.0).error
    'ZeroDivisionError: division by zero'
    """

    status: str
    value: Any = None
    error: str = ""
    error_type: type | None = None
    peak_bytes: int | None = None
    memory_lost: bool = False
    limited: bool = True


# --- the call in progress ---------------------------------------------------------------------


class _Call:
    """State of one guarded call, shared with the signal handlers and the trace function."""

    def __init__(self) -> None:
        self.in_learner = False  # the learner's code (or code it called) may be running
        self.timed_out = False
        self.interrupted = False  # SIGINT arrived during the call: the person pressed stop
        self.traced = False  # sys.settrace was called: restore the previous trace function

    @property
    def stopping(self) -> bool:
        return self.timed_out or self.interrupted

    def trace_from(self, frame) -> bool:
        """Trace the learner's frames from ``frame`` outwards; True if ``frame`` is the learner's.

        The frames up to the first frame of this module are the learner's (and the
        library code they called). New frames are traced through ``sys.settrace``.
        """
        if not (self.in_learner and self.stopping):
            return False
        self.traced = True
        sys.settrace(_trace)
        learner = frame is not None and frame.f_globals is not _OWN
        while frame is not None and frame.f_globals is not _OWN:
            frame.f_trace = _trace
            frame.f_trace_lines = True
            frame = frame.f_back
        return learner


_ACTIVE: _Call | None = None


def _trace(frame, event, arg):
    """After the limit: every line of the learner's code raises :class:`CheckTimeout`."""
    call = _ACTIVE
    if call is None or not call.stopping or frame.f_globals is _OWN:
        return None
    if call.in_learner and event in ("call", "line"):
        raise CheckTimeout
    return _trace


def _on_alarm(signum, frame):
    call = _ACTIVE
    if call is None:
        return
    call.timed_out = True
    if call.trace_from(frame):  # raise only in the learner's code, never in the checker's
        raise CheckTimeout


def _on_interrupt(signum, frame):
    # The rule for KeyboardInterrupt: installed for the duration of a call, this handler
    # sees every SIGINT, which is what the kernel's stop button (and Ctrl-C) sends. So a
    # KeyboardInterrupt is the person's exactly when this handler ran (call.interrupted);
    # run() then raises one even if the learner's code swallowed it. A KeyboardInterrupt
    # without a SIGINT was raised by the learner's code itself: an error like any other.
    call = _ACTIVE
    if call is None:
        raise KeyboardInterrupt
    call.interrupted = True
    if call.trace_from(frame):
        raise KeyboardInterrupt


# --- settings, conversion, text ---------------------------------------------------------------


def can_limit() -> bool:
    """Whether a call made here can be stopped at its time limit (SIGALRM, main thread).

    Examples
    --------
    >>> can_limit() in (True, False)
    True
    """
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


def learner_settings() -> dict:
    """The floating-point settings in force now, as keyword arguments of ``np.errstate``.

    The checker reads them before it switches to its own settings, so that the
    learner's function runs under the learner's ``np.seterr``.

    Examples
    --------
    >>> with np.errstate(divide="raise"):
    ...     learner_settings()["divide"]
    'raise'
    """
    return {**np.geterr(), "call": np.geterrcall()}


_ADDRESS = re.compile(r"\s+at\s+0x[0-9a-fA-F]+|0x[0-9a-fA-F]{6,}")


def sanitise(text: str, limit: int = 300) -> str:
    """``text`` without object addresses (``<Foo object at 0x7f...>``: ``<Foo object>``), cut short.

    Feedback must read the same on every run; addresses change with every run.

    Examples
    --------
    >>> sanitise("got <object object at 0x7f3a2b1c0d50>")
    'got <object object>'
    """
    text = _ADDRESS.sub("", str(text))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    try:
        text = str(exc)
    except BaseException:  # a learner's __str__ can fail like anything else
        text = ""
    return sanitise(f"{name}: {text}" if text else name)


def given(value):
    """The value itself: ``run(given, (answer,), convert=...)`` converts an answer under the guard.

    Examples
    --------
    >>> given(3)
    3
    """
    return value


# --- memory -------------------------------------------------------------------------------------


class _Memory:
    """Peak allocation during a call, with :mod:`tracemalloc`, robust to what the call does.

    * If the learner already traces memory, their tracing goes on: the baseline is
      the memory traced when the call starts and the peak is reset then (the
      learner's own peak reading starts again there).
    * If the call stops tracing, or stops and restarts it (which drops every trace),
      a sentinel allocated before the call is no longer traced: the measurement is
      reported as lost, never as a small number.
    """

    def __init__(self) -> None:
        self.was_tracing = tracemalloc.is_tracing()
        if not self.was_tracing:
            tracemalloc.start()
        self.sentinel = bytearray(64)
        self.baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()

    def finish(self) -> tuple[int | None, bool]:
        """``(peak bytes beyond the baseline, lost)``; stops tracing if this started it."""
        intact = (tracemalloc.is_tracing()
                  and tracemalloc.get_object_traceback(self.sentinel) is not None)
        peak = tracemalloc.get_traced_memory()[1] - self.baseline if intact else None
        if not self.was_tracing and tracemalloc.is_tracing():
            tracemalloc.stop()
        return (max(peak, 0) if peak is not None else None), not intact


# --- the call -------------------------------------------------------------------------------------


def _guarded(call: _Call, fn: Callable, args: tuple, convert: Callable, settings: dict | None,
             memory: _Memory | None) -> Outcome:
    """Call ``fn(*args)`` and convert its value, as the learner's code, under their settings."""
    try:
        with np.errstate(**(settings or {})):
            call.in_learner = True
            try:
                value = convert(fn(*args))
            finally:
                call.in_learner = False
    except BaseException as exc:
        if call.stopping:
            return Outcome("timeout")
        call.in_learner = True
        try:
            text = _describe(exc)
        except BaseException:
            text = type(exc).__name__
        finally:
            call.in_learner = False
        return Outcome("raised", error=text, error_type=type(exc))
    if call.stopping:  # it caught the time-out and returned anyway
        return Outcome("timeout")
    return Outcome("returned", value)


def run(fn: Callable, args: tuple = (), *, seconds: float, convert: Callable = given,
        settings: dict | None = None, measure_memory: bool = False) -> Outcome:
    """Call ``fn(*args)`` as a learner's function: stopped after ``seconds``, never raising.

    Parameters
    ----------
    fn : callable
        The learner's function (or :func:`given`, to convert a value under the guard).
    args : tuple
        Its arguments.
    seconds : float
        The time limit (ignored where :func:`can_limit` is False).
    convert : callable
        Applied to the returned value inside the guard: it may run the learner's
        code too (``__array__``, ``__float__``), and must return plain data.
    settings : dict, optional
        ``np.errstate`` keyword arguments for the call (:func:`learner_settings`).
    measure_memory : bool
        Measure the call's peak allocation (:attr:`Outcome.peak_bytes`).

    Returns
    -------
    Outcome

    Raises
    ------
    KeyboardInterrupt
        Only when SIGINT arrived during the call: the person pressed stop. The rule:
        a ``KeyboardInterrupt`` counts as the person's when this function's SIGINT
        handler saw the signal while the call ran (then it is raised even if the
        learner's code swallowed it); one that the learner's code raised by itself
        (``raise KeyboardInterrupt``) is an error like any other. Where no handler
        can be installed (outside the main thread, or SIGINT ignored), nobody can
        press stop for this call, so every ``KeyboardInterrupt`` is the learner's.

    Examples
    --------
    >>> run(lambda x: 2 * x, (21,), seconds=1.0)          # doctest: +NORMALIZE_WHITESPACE
    Outcome(status='returned', value=42, error='', error_type=None, peak_bytes=None,
            memory_lost=False, limited=True)
    >>> def forever():
    ...     while True:
    ...         try:
    ...             pass
    ...         except BaseException:      # swallows the time-out: in vain
    ...             pass
    >>> run(forever, seconds=0.1).status
    'timeout'
    >>> def leaves():
    ...     raise SystemExit(3)
    >>> run(leaves, seconds=1.0).error
    'SystemExit: 3'
    """
    global _ACTIVE
    main = threading.current_thread() is threading.main_thread()
    alarm = main and hasattr(signal, "SIGALRM")
    interrupt = main and callable(signal.getsignal(signal.SIGINT))
    call, outer = _Call(), _ACTIVE
    previous_trace = sys.gettrace()
    previous_alarm = previous_interrupt = None
    previous_timer = (0.0, 0.0)
    start = time.monotonic()
    memory = None
    _ACTIVE = call
    try:
        if interrupt:
            previous_interrupt = signal.signal(signal.SIGINT, _on_interrupt)
        if alarm:
            previous_alarm = signal.signal(signal.SIGALRM, _on_alarm)
            previous_timer = signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 1e-3),
                                              REFIRE)
        if measure_memory:
            memory = _Memory()
        outcome = _guarded(call, fn, args, convert, settings, memory)
    finally:
        # The alarm may still fire while this runs; the handlers raise only in the
        # learner's code, so the loop is a safeguard, not a path that is taken.
        while True:
            try:
                call.in_learner = False
                if alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                if call.traced:  # a debugger's or coverage's trace function comes back
                    sys.settrace(previous_trace)
                break
            except CheckTimeout:
                continue
        if memory is not None:
            peak, lost = memory.finish()
        if alarm:
            if previous_alarm is not None:
                signal.signal(signal.SIGALRM, previous_alarm)
            if previous_timer[0] > 0:  # someone else's timer (a check inside a check): resume it
                left = previous_timer[0] - (time.monotonic() - start)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), previous_timer[1])
        if interrupt and previous_interrupt is not None:
            signal.signal(signal.SIGINT, previous_interrupt)
        _ACTIVE = outer
    if call.interrupted:
        raise KeyboardInterrupt
    outcome.limited = alarm
    if memory is not None:
        outcome.peak_bytes, outcome.memory_lost = peak, lost
    return outcome
