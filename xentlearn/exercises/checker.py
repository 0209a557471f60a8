"""Questions, the checker that runs a learner's answer, and the feedback it shows.

A question is either a *value* question (the answer is a number) or a
*function* question (the answer is a function, called on the worked example
and on hidden seeded cases, and compared with xentlearn's own functions).

:meth:`Question.check` never raises and never hangs: unfinished answers are
"not attempted", a function that raises reports the exception, one that runs
longer than :data:`TIME_LIMIT` seconds is stopped ("timeout", on systems with
``SIGALRM``: Linux and macOS), and one that changes its input is told so.
The feedback text is the same on every run.
"""

from __future__ import annotations

import copy
import html
import math
import numbers
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CheckResult", "Case", "Question", "ValueQuestion", "FunctionQuestion", "TIME_LIMIT"]

#: Seconds one call of a learner's function may take before it is stopped.
TIME_LIMIT = 2.0

STATUSES = ("correct", "incorrect", "error", "not attempted", "timeout")

from .record import RESULTS, record  # noqa: E402, F401 - RESULTS stays importable from here


@dataclass(frozen=True)
class CheckResult:
    """What :meth:`Question.check` found.

    Attributes
    ----------
    question : str
        The question's id, e.g. ``"01.q3"``.
    status : str
        One of ``"correct"``, ``"incorrect"``, ``"error"``, ``"not attempted"``, ``"timeout"``.
    message : str
        The feedback, one paragraph of plain text.
    cases_passed, cases_run : int
        For function questions, how many cases passed and how many were run.

    Examples
    --------
    >>> from xentlearn.exercises import chapter
    >>> result = chapter(1).q2.check(2.0)
    ✗ 01.q2 incorrect: 2 is not it (tolerance 0.001 relative); try ex.q2.hint()
    >>> result.status, result.passed
    ('incorrect', False)
    """

    question: str
    status: str
    message: str
    cases_passed: int = 0
    cases_run: int = 0

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return f"{self.question} {self.status}: {self.message}"

    def _ipython_display_(self) -> None:
        """Shown once already by ``check``; displaying the result again adds nothing."""


@dataclass
class Case:
    """One call of a learner's function: positional arguments and a description."""

    args: tuple
    label: str
    rtol: float = 1e-7
    atol: float = 1e-10
    max_temp_bytes: int | None = None  # peak allocation allowed during the call

    def describe_inputs(self, names: Sequence[str]) -> str:
        return "; ".join(f"{n} = {_fmt(a)}" for n, a in zip(names, self.args, strict=False))


# --- display ---------------------------------------------------------------------------------

_COLOURS = {"correct": ("#e6f4ea", "#1e7e34"), "incorrect": ("#fdecea", "#b00020"),
            "error": ("#fdecea", "#b00020"), "timeout": ("#fdecea", "#b00020"),
            "not attempted": ("#f1f3f4", "#5f6368"), "hint": ("#fff8e1", "#8a6d00"),
            "solution": ("#e8f0fe", "#1a4fa0")}
_SYMBOLS = {"correct": "✓", "incorrect": "✗", "error": "✗", "timeout": "✗",
            "not attempted": "…", "hint": "?", "solution": "→"}


def _in_notebook() -> bool:
    from ..progress import in_jupyter_kernel

    return in_jupyter_kernel()


def show(kind: str, title: str, body: str, code: str | None = None) -> None:
    """Show feedback: a coloured box in Jupyter, plain text elsewhere."""
    plain = f"{_SYMBOLS[kind]} {title}: {body}" + (f"\n{code}" if code else "")
    if not _in_notebook():
        print(plain)
        return
    from IPython.display import display

    bg, fg = _COLOURS[kind]
    code_html = f"<pre>{html.escape(code)}</pre>" if code else ""
    box = (f'<div class="xl-feedback xl-{kind.replace(" ", "-")}" style="background:{bg};'
           f'border-left:4px solid {fg};padding:6px 10px;margin:4px 0;color:#202124">'
           f'<b style="color:{fg}">{_SYMBOLS[kind]} {html.escape(title)}</b>: '
           f"{html.escape(body)}{code_html}</div>")
    display({"text/html": box, "text/plain": plain}, raw=True)


def _fmt(x) -> str:
    """Deterministic short text for an input or output value."""
    if isinstance(x, np.ndarray):
        body = np.array2string(x, precision=4, threshold=12, edgeitems=3, separator=", ",
                               max_line_width=200).replace("\n", "")
        return f"{body} ({x.dtype}, shape {x.shape})" if x.ndim else body
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    if isinstance(x, (bool, np.bool_, int, np.integer)):
        return str(x)
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


# --- running learner code ---------------------------------------------------------------------


class _Timeout(Exception):
    pass


_WARNED_NO_LIMIT = False


def _call_with_limit(fn: Callable, args: tuple, seconds: float):
    """Call ``fn(*args)``, stopping it after ``seconds`` where SIGALRM allows."""
    can_alarm = (hasattr(signal, "SIGALRM")
                 and threading.current_thread() is threading.main_thread())
    if not can_alarm:
        global _WARNED_NO_LIMIT
        if not _WARNED_NO_LIMIT:
            _WARNED_NO_LIMIT = True
            show("hint", "note", "this system cannot stop a function that never returns "
                 "(no SIGALRM, e.g. Windows): checks run without a time limit; interrupt the "
                 "kernel if a check does not finish")
        return fn(*args)

    def handler(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _is_placeholder(answer) -> bool:
    return answer is None or answer is Ellipsis


def _largest_gap(got: np.ndarray, expected: np.ndarray, case: Case) -> str:
    """Where the answer misses by most, against the tolerance, when that is not obvious."""
    finite = np.isfinite(got) & np.isfinite(expected)
    if not finite.all() or got.size < 1:
        return ""
    gap = np.abs(got - expected)
    worst = int(np.argmax(gap - case.rtol * np.abs(expected)))
    rel = gap.flat[worst] / max(abs(float(expected.flat[worst])), 1e-300)
    return (f" Largest difference {gap.flat[worst]:.3g} (relative {rel:.2g}); allowed: "
            f"relative {case.rtol:g} or absolute {case.atol:g}.")


# --- questions ---------------------------------------------------------------------------------


@dataclass
class Question:
    """A question of one chapter.

    Attributes
    ----------
    id : str
        ``"NN.qK"``.
    kind : str
        ``"value"`` or ``"function"``.
    prompt : str
        The task, as shown in the exercise notebook.
    hints : list of str
        ``hint(1)`` shows the first, ``hint(2)`` the second (stronger).
    solution_code : str
        A correct answer, shown by ``solution()``.
    template : str
        The learner's starting code (the placeholder).

    Examples
    --------
    >>> from xentlearn.exercises import chapter
    >>> q = chapter(1).q2
    >>> q.id, q.kind
    ('01.q2', 'value')
    >>> q.hint(2)
    ? 01.q2 hint 2 of 2: For a uniform distribution over K outcomes, H = log2 K.
    >>> q.check(...).status
    … 01.q2 not attempted: replace the ... with your answer, then run the cell again
    'not attempted'
    """

    id: str
    prompt: str
    hints: list[str]
    solution_code: str
    template: str
    kind: str = field(init=False, default="")

    def check(self, answer) -> CheckResult:
        """Check ``answer`` and show the feedback. Never raises."""
        try:
            result = self._check(answer)
        except _Timeout:
            result = CheckResult(self.id, "timeout",
                                 f"stopped after {TIME_LIMIT:g} s; the check itself took too long")
        except Exception as exc:  # the learner's objects can break anything
            result = CheckResult(self.id, "error",
                                 f"checking failed with {type(exc).__name__}: {exc}")
        record(result)
        show(result.status, f"{self.id} {result.status}", result.message)
        return result

    def hint(self, n: int = 1) -> None:
        """Show hint ``n`` (1 is gentle, the last one nearly gives it away)."""
        k = min(max(int(n), 1), len(self.hints))
        more = f" (hint({k + 1}) for a stronger one)" if k < len(self.hints) else ""
        show("hint", f"{self.id} hint {k} of {len(self.hints)}", self.hints[k - 1] + more)

    def solution(self) -> None:
        """Show a correct answer."""
        show("solution", f"{self.id} solution", "one correct answer:", code=self.solution_code)

    def _check(self, answer) -> CheckResult:
        raise NotImplementedError


@dataclass
class ValueQuestion(Question):
    """The answer is a number, compared with ``expected`` to ``rtol``/``atol``.

    ``mistakes`` maps a wrong value that learners often give to specific feedback.
    """

    expected: float = 0.0
    rtol: float = 1e-3
    atol: float = 1e-6
    mistakes: dict[float, str] = field(default_factory=dict)

    def __post_init__(self):
        self.kind = "value"

    def _close(self, x: float, target: float) -> bool:
        return math.isclose(x, target, rel_tol=self.rtol, abs_tol=self.atol)

    def _check(self, answer) -> CheckResult:
        if _is_placeholder(answer):
            return CheckResult(self.id, "not attempted",
                               "replace the ... with your answer, then run the cell again")
        if isinstance(answer, np.ndarray) and answer.size == 1:
            answer = answer.reshape(()).item()
        if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
            return CheckResult(self.id, "incorrect",
                               f"expected a number, got {type(answer).__name__} {_fmt(answer)}")
        x = float(answer)
        if self._close(x, self.expected):
            return CheckResult(self.id, "correct", f"{x:.6g} is right")
        for wrong, why in self.mistakes.items():
            if self._close(x, wrong):
                return CheckResult(self.id, "incorrect", f"{x:.6g} is not it: {why}")
        off = abs(x - self.expected) / max(abs(self.expected), self.atol)
        if off < 0.05:
            return CheckResult(self.id, "incorrect",
                               f"{x:.6g} is close ({off:.2%} off) but not within the "
                               f"relative tolerance {self.rtol:g}: compute more precisely "
                               "(more digits, a finer grid, or the exact formula)")
        return CheckResult(self.id, "incorrect",
                           f"{x:.6g} is not it (tolerance {self.rtol:g} relative); "
                           "try ex." + self.id.split(".")[1] + ".hint()")


@dataclass
class FunctionQuestion(Question):
    """The answer is a function, compared with ``reference`` on the worked example and hidden cases.

    Attributes
    ----------
    reference : callable
        Computes the expected output with xentlearn.
    arg_names : list of str
        Names of the function's parameters, for the feedback.
    example : Case
        The worked example shown in the notebook (case 1).
    hidden : callable
        ``hidden(rng) -> list of Case``: seeded random cases.
    unit_factor : float or None
        Where units matter, the factor between the asked unit and the other one
        (``ln 2`` between nats and bits); an answer off by it is told so.
    mistakes : list of (callable, str)
        Common wrong answers: ``wrong(expected)`` gives what such an answer returns,
        and the text says what went wrong.
    """

    reference: Callable = print
    arg_names: list[str] = field(default_factory=list)
    example: Case | None = None
    hidden: Callable[[np.random.Generator], list[Case]] = lambda rng: []
    unit_factor: float | None = None
    seed: int = 0
    mistakes: list[tuple[Callable[[np.ndarray], np.ndarray], str]] = field(default_factory=list)

    def __post_init__(self):
        self.kind = "function"

    def cases(self) -> list[Case]:
        rng = np.random.default_rng(self.seed)
        return [self.example, *self.hidden(rng)]

    def _check(self, answer) -> CheckResult:
        if _is_placeholder(answer):
            return CheckResult(self.id, "not attempted",
                               "write the function in the cell above, then run both cells")
        if not callable(answer):
            return CheckResult(self.id, "incorrect",
                               f"expected a function, got {type(answer).__name__} "
                               f"{_fmt(answer)}; pass the function itself, without calling it")
        cases = self.cases()
        passed, first_failure, status = 0, None, "correct"
        for number, case in enumerate(cases, start=1):
            outcome = self._run_case(answer, case, number, len(cases))
            if outcome is None:
                passed += 1
                continue
            kind, text = outcome
            if kind == "not attempted" and number == 1:
                return CheckResult(self.id, "not attempted", text, 0, 1)
            if first_failure is None:
                first_failure, status = text, kind
            if kind == "timeout":
                return CheckResult(self.id, "timeout",
                                   f"{passed} of {len(cases)} cases passed before it was "
                                   f"stopped. {text}", passed, number)
        if first_failure is None:
            return CheckResult(self.id, "correct",
                               f"{passed} of {len(cases)} cases passed (the worked example and "
                               f"{len(cases) - 1} hidden cases)", passed, len(cases))
        return CheckResult(self.id, status if status != "not attempted" else "error",
                           f"{passed} of {len(cases)} cases passed. {first_failure}",
                           passed, len(cases))

    def _run_case(self, fn: Callable, case: Case, number: int, total: int):
        """``None`` when the case passes, else ``(status, explanation)``."""
        where = f"Case {number} ({case.label})"
        inputs = case.describe_inputs(self.arg_names)
        expected = self.reference(*copy.deepcopy(case.args))
        args = copy.deepcopy(case.args)
        tracing = case.max_temp_bytes is not None
        if tracing:
            import tracemalloc

            tracemalloc.start()
        try:
            got = _call_with_limit(fn, args, TIME_LIMIT)
        except _Timeout:
            return "timeout", (f"{where}: your function was still running after {TIME_LIMIT:g} s "
                               f"(input {inputs}). Is there a loop that never ends?")
        except NotImplementedError:
            return "not attempted", "your function still raises NotImplementedError: write its body"
        except Exception as exc:
            return "error", (f"{where}: your function raised {type(exc).__name__}: {exc} "
                             f"(input {inputs})")
        finally:
            if tracing:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        for name, before, after in zip(self.arg_names, case.args, args, strict=False):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                return "incorrect", (f"{where}: your function changed its input {name} in place; "
                                     "work on a copy (e.g. x = x.copy()) or avoid in-place "
                                     "operations such as +=")
        if got is None:
            return "incorrect", (f"{where}: your function returned None. Did you forget "
                                 "`return`?")
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return "incorrect", (f"{where}: expected a number or array, got "
                                 f"{type(got).__name__} {_fmt(got)}")
        exp_arr = np.asarray(expected, dtype=float)
        if got_arr.shape != exp_arr.shape:
            return "incorrect", (f"{where}: expected shape {exp_arr.shape}, got shape "
                                 f"{got_arr.shape} (input {inputs})")
        if not np.allclose(got_arr, exp_arr, rtol=case.rtol, atol=case.atol):
            return "incorrect", (f"{where}: input {inputs}; expected {_fmt(expected)}, got "
                                 f"{_fmt(got)}.{_largest_gap(got_arr, exp_arr, case)}"
                                 f"{self._diagnose(got_arr, exp_arr, case)}")
        if tracing and peak > case.max_temp_bytes:
            return "incorrect", (f"{where}: the value is right but your function allocated "
                                 f"{peak / 1e6:.1f} MB; it must index the probabilities by label "
                                 "rather than build a one-hot array")
        return None

    def _diagnose(self, got: np.ndarray, expected: np.ndarray, case: Case) -> str:
        with np.errstate(all="ignore"):
            for wrong, why in self.mistakes:
                if np.allclose(got, wrong(expected), rtol=1e-6, atol=1e-12):
                    return f" {why}"
        arrays = [np.asarray(a) for a in case.args if isinstance(a, np.ndarray)]
        large = any(a.dtype.kind == "f" and np.abs(a).max() >= 100 for a in arrays)
        broken = ~np.isfinite(got) & np.isfinite(expected)
        if broken.any() and large:
            return (" Your result has inf or nan where the answer is finite: exp of a large "
                    "logit overflows. Subtract the maximum first (the log-sum-exp trick) and "
                    "never take the log of a probability that has underflowed to 0.")
        if np.isnan(got).any() and not np.isnan(expected).any():
            if any((a == 0).any() for a in arrays):
                return (" Your result has nan: 0 * log(0) must count as 0 "
                        "(use np.where or a mask).")
            return " Your result has nan where the answer is a number."
        f = self.unit_factor
        if f is not None and any(np.allclose(got, expected * k, rtol=1e-6) for k in (f, 1 / f)):
            return f" Off by a factor of {f:.4f}: check the log base (bits or nats?)."
        finite = np.isfinite(expected) & np.isfinite(got)
        if finite.any() and np.allclose(got[finite], -expected[finite], rtol=1e-6) \
                and np.any(expected[finite] != 0):
            return " The sign is flipped: cross-entropy carries a minus sign."
        if np.isinf(expected).any() and not np.isinf(got).any():
            return " Where the true outcome gets probability 0 the answer is inf."
        return ""
