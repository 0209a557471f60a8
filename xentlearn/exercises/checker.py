"""Questions and the checker: evaluating an answer, apart from showing and recording the result.

A question is a *value* question (the answer is a number) or a *function*
question (the answer is a function, called on the worked example and on
hidden seeded cases, and compared with xentlearn's own functions). Each
question declares, by keyword, its prompt, hints, a solution, its reference
and its typical mistakes with their feedback (:class:`Mistake`); the chapter
modules ``ch01`` ... ``ch08`` hold them.

:meth:`Question.evaluate` turns an answer into a :class:`CheckResult` and
shows nothing; :meth:`Question.check` evaluates, records the result
(:func:`xentlearn.exercises.record.record`), sends it to the room's live view on the
room's hub (:func:`xentlearn.exercises.room.send`) and shows it
(:mod:`xentlearn.exercises.view`). Evaluating never raises and never hangs:
unfinished answers are "not attempted"; whatever the learner's code raises,
``BaseException`` subclasses included, is an "error"; a function still running
after :data:`TIME_LIMIT` seconds is stopped ("timeout", on systems with
``SIGALRM``: Linux and macOS) however it handles exceptions
(:mod:`xentlearn.exercises.runner`); one that changes its input is told so.
Only the person pressing stop (a ``KeyboardInterrupt`` from SIGINT) interrupts
a check. The references and comparisons run under the checker's own NumPy
floating-point settings; the learner's function runs under the learner's.
The feedback text is the same on every run.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import runner, view

__all__ = ["CheckResult", "Case", "Mistake", "Question", "ValueQuestion", "FunctionQuestion",
           "TIME_LIMIT", "STATUSES"]

#: Seconds one call of a learner's function may take before it is stopped.
TIME_LIMIT = 2.0

#: The statuses a check can end with.
STATUSES = ("correct", "incorrect", "error", "not attempted", "timeout")

_ID = re.compile(r"(\d\d)\.q(\d+)")
_NAME = re.compile(r"[a-z][a-z0-9_]{1,39}")
NOT_DONE = "raise NotImplementedError  # replace this line with your code"


@dataclass(frozen=True)
class CheckResult:
    """What a check found: the question, its chapter, a status and the feedback.

    Attributes
    ----------
    question : str
        The question's id, e.g. ``"01.q3"``.
    chapter : int
        The chapter the question belongs to, e.g. ``1``.
    status : str
        One of ``"correct"``, ``"incorrect"``, ``"error"``, ``"not attempted"``, ``"timeout"``.
    message : str
        The feedback, one paragraph of plain text.
    cases_passed, cases_run : int
        For function questions, how many cases passed and how many were run.
    mistake : str
        The name of the typical mistake the feedback names (a :class:`Mistake`'s
        ``name``, e.g. ``"swapped_p_q"``), ``""`` when none was recognised.

    Examples
    --------
    >>> from xentlearn.exercises import chapter
    >>> result = chapter(1).q2.evaluate(2.0)          # evaluate: no display, no record
    >>> result.status, result.chapter, result.passed
    ('incorrect', 1, False)
    >>> print(result)
    01.q2 incorrect: 2 is not it (tolerance 0.001 relative); try ex.q2.hint()
    >>> chapter(1).q2.evaluate(8).mistake
    'count_for_entropy'
    """

    question: str
    chapter: int
    status: str
    message: str
    cases_passed: int = 0
    cases_run: int = 0
    mistake: str = ""

    @property
    def passed(self) -> bool:
        """True when the status is ``"correct"``."""
        return self.status == "correct"

    def __str__(self) -> str:
        return f"{self.question} {self.status}: {self.message}"

    def _ipython_display_(self) -> None:
        """Shown once already by ``check``; displaying the result again adds nothing."""


@dataclass
class Case:
    """One call of a learner's function: positional arguments, a label and the tolerance.

    Attributes
    ----------
    args : tuple
        The arguments (the checker passes copies).
    label : str
        Shown in the feedback, e.g. ``"hidden, float32"``.
    rtol, atol : float
        How close the answer must be (``np.allclose``).
    memory_limit : int or None
        Most bytes the call may hold at once beyond its inputs (measured with
        tracemalloc); None: not measured.
    memory_advice : str
        What to say when the call holds more.

    Examples
    --------
    >>> import numpy as np
    >>> Case((np.array([0.5, 0.5]),), "worked example").describe_inputs(["p"])
    'p = [0.5, 0.5] (float64, shape (2,))'
    """

    args: tuple
    label: str
    rtol: float = 1e-7
    atol: float = 1e-10
    memory_limit: int | None = None
    memory_advice: str = ""

    def describe_inputs(self, names: Sequence[str]) -> str:
        """The arguments as ``name = value`` pairs, for the feedback."""
        return "; ".join(f"{n} = {_brief(a)}" for n, a in zip(names, self.args, strict=False))


class Mistake:
    """A typical wrong answer to one question: its name, and the feedback it gets.

    ``name`` is a short stable identifier (``"swapped_p_q"``, ``"clipped"``): it is
    recorded with the result (:attr:`CheckResult.mistake`) and shown to the instructor,
    so it does not change when the wording of ``why`` does. Give exactly one of:

    ``value``
        (value questions) the wrong number, matched within the question's tolerance;
    ``returns``
        (function questions) ``returns(expected, *args)``: what a function making
        this mistake returns on a case, matched to about 6 significant figures;
    ``when``
        (function questions) ``when(got, expected, args) -> bool``: a test of the
        learner's result ``got`` (a float array) against the answer ``expected``;
    ``memory``
        (function questions) ``memory(peak_bytes, args) -> bool``: a right value that
        held too much memory on a case with a memory limit, e.g. an N x N array.
    ``raises``
        (function questions) a regular expression for the error the learner's function
        raises when it makes this mistake, e.g. NumPy's words for shapes that do not line
        up when ``keepdims=True`` is forgotten.

    Examples
    --------
    >>> import math
    >>> m = Mistake("wrong_log_base", "that is in nats; the question asks for bits",
    ...             value=math.log(8))
    >>> m.matches(2.0794, 3.0, (), rtol=1e-3, atol=1e-6)
    True
    >>> flipped = Mistake("sign_flipped", "the sign is flipped",
    ...                   returns=lambda expected, *args: -expected)
    >>> flipped.matches(np.array(-1.5), np.array(1.5), ())
    True
    >>> flipped
    Mistake('sign_flipped')
    """

    def __init__(self, name: str, why: str, *, value: float | None = None,
                 returns: Callable | None = None,
                 when: Callable[[np.ndarray, np.ndarray, tuple], bool] | None = None,
                 memory: Callable[[int, tuple], bool] | None = None,
                 raises: str | None = None):
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"a mistake's name is a short identifier such as 'swapped_p_q', "
                             f"got {name!r}")
        if sum(x is not None for x in (value, returns, when, memory, raises)) != 1:
            raise ValueError("give exactly one of value=, returns=, when=, memory= and raises=")
        self.name, self.why, self.value = name, why, value
        self._returns, self._when, self._memory = returns, when, memory
        self._raises = re.compile(raises) if raises is not None else None

    def __repr__(self) -> str:
        return f"Mistake({self.name!r})"

    def matches(self, got, expected, args: tuple, rtol: float = 1e-6,
                atol: float = 1e-12) -> bool:
        """Whether the answer ``got`` looks like this mistake (never raises)."""
        if self._memory is not None or self._raises is not None:
            return False
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if self.value is not None:
                    return math.isclose(float(got), self.value, rel_tol=rtol, abs_tol=atol)
                got = np.asarray(got, dtype=float)
                if self._when is not None:
                    return bool(self._when(got, np.asarray(expected, dtype=float), args))
                wrong = np.asarray(self._returns(np.asarray(expected, dtype=float), *args),
                                   dtype=float)
                return wrong.shape == got.shape and bool(
                    np.allclose(got, wrong, rtol=rtol, atol=atol, equal_nan=True))
        except Exception:
            return False

    @property
    def is_memory(self) -> bool:
        """True for a mistake about memory (``memory=``), not about the value."""
        return self._memory is not None

    def matches_error(self, error: str) -> bool:
        """Whether the error the learner's function raised (its text) looks like this
        mistake."""
        return self._raises is not None and bool(self._raises.search(error))

    def matches_memory(self, peak_bytes: int, args: tuple) -> bool:
        """Whether a right value that held ``peak_bytes`` at once looks like this mistake."""
        if self._memory is None:
            return False
        try:
            return bool(self._memory(peak_bytes, args))
        except Exception:
            return False


# --- text -------------------------------------------------------------------------------------

def _short(v: float) -> str:
    """One float in feedback: 4 significant figures, -0 as 0 (``0.2364``, ``1``, ``1e-300``)."""
    return f"{float(v) + 0.0:.4g}"


_PRINT = dict(precision=4, threshold=12, edgeitems=3, linewidth=200, suppress=False,
              floatmode="maxprec", sign="-", formatter={"float_kind": _short}, nanstr="nan",
              infstr="inf", legacy=False)


def _fmt(x) -> str:
    """Deterministic short text for an input or output value (the checker's own data)."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, np.ndarray):
        with np.printoptions(**_PRINT):
            body = np.array2string(x, separator=", ").replace("\n", "")
        return f"{body} ({x.dtype}, shape {x.shape})"
    if isinstance(x, (float, np.floating)):
        return f"{float(x) + 0.0:.6g}"
    if isinstance(x, (bool, np.bool_, int, np.integer)):
        return str(x)
    return runner.sanitise(repr(x), 80)


#: Arrays with more entries than this are summarised in feedback, never printed whole.
_SHOWN = 8


def _brief(x) -> str:
    """Like :func:`_fmt`, but a larger array is summarised: its dtype and shape, no entries."""
    if isinstance(x, np.ndarray) and x.size > _SHOWN:
        return f"an array of {x.dtype}, shape {x.shape}"
    return _fmt(x)




def _compare(got: np.ndarray, expected: np.ndarray) -> str:
    """Expected against got for equal shapes: whole when small, else the first differing entry."""
    if expected.size <= _SHOWN:
        return f"expected {_fmt(expected)}, got {_fmt(got)}"
    differ = ~np.isclose(got, expected, rtol=1e-7, atol=1e-10, equal_nan=True)
    index = np.unravel_index(int(np.argmax(differ)), expected.shape) if differ.any() else ()
    where = tuple(int(i) for i in index)
    where = where[0] if len(where) == 1 else where
    return (f"expected {_brief(expected)}, got one of the same shape; the first differing "
            f"entry is at index {where}: expected {_short(expected[index])}, "
            f"got {_short(got[index])}")


@dataclass(frozen=True)
class _Refused:
    """An answer that is not a number (or array of numbers): what it is, for the feedback."""

    what: str


def _what(x) -> str:
    """``"str '1.5'"``: the type and a short, address-free repr (may run the learner's code)."""
    return f"{type(x).__name__} {runner.sanitise(repr(x), 60)}"


def _plain_number(x):
    """A value answer as a float, or :class:`_Refused` (runs under the runner's guard)."""
    if isinstance(x, (bool, np.bool_, str, bytes)):
        return _Refused(_what(x))
    if isinstance(x, numbers.Real):
        return float(x)
    try:
        arr = np.asarray(x)
    except Exception:
        return _Refused(_what(x))
    if arr.size == 1 and arr.dtype.kind in "iuf":  # [0.5665], np.array([[0.5665]]), ...
        return float(arr.reshape(-1)[0])
    return _Refused(_what(x))


def _plain_output(x):
    """A function's result as a float64 array, None, or :class:`_Refused` (under the guard)."""
    if x is None:
        return None
    if isinstance(x, (str, bytes, bool, np.bool_)):
        return _Refused(_what(x))
    try:
        arr = np.asarray(x)
    except Exception:
        return _Refused(_what(x))
    if arr.dtype.kind not in "iuf":
        return _Refused(_what(x))
    return np.array(arr, dtype=np.float64)


def _quiet(fn: Callable, *args):
    """The checker's own computation: no warnings shown (the NumPy settings are the checker's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def _largest_gap(got: np.ndarray, expected: np.ndarray, case: Case) -> str:
    """Where the answer misses by most, against the tolerance, when that is not obvious."""
    finite = np.isfinite(got) & np.isfinite(expected)
    if not finite.all() or got.size < 1:
        return ""
    gap = np.abs(got - expected)
    worst = int(np.argmax(gap - case.rtol * np.abs(expected)))
    rel = gap.flat[worst] / max(abs(float(expected.flat[worst])), 1e-300)
    return (f" Largest difference {gap.flat[worst]:.2g} (relative {rel:.2g}); allowed: "
            f"relative {case.rtol:g} or absolute {case.atol:g}.")


def _shape(shape: tuple) -> str:
    return "a single number (shape ())" if shape == () else f"shape {shape}"


# --- questions ----------------------------------------------------------------------------------


class Question:
    """A question of one chapter: evaluate an answer, check it (evaluate, record, show), help.

    Declared by keyword (see :class:`ValueQuestion` and :class:`FunctionQuestion`).

    Attributes
    ----------
    id : str
        ``"NN.qK"``.
    chapter : int
        ``NN`` as a number.
    key : str
        ``"qK"``: the attribute of the chapter (``ex.qK``).
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
    mistakes : tuple of Mistake
        The typical wrong answers this question diagnoses.
    mistake_names : tuple of str
        Their names (see :attr:`CheckResult.mistake`).

    Examples
    --------
    >>> from xentlearn.exercises import chapter
    >>> q = chapter(1).q2
    >>> q.id, q.chapter, q.kind
    ('01.q2', 1, 'value')
    >>> q.hint(2)
    ? 01.q2 hint 2 of 2: Each of K equally likely outcomes adds (1/K) log2 K: H = log2 ___.
    >>> q.check(...).status
    … 01.q2 not attempted: replace the ... with your answer, then run the cell again
    'not attempted'
    """

    kind = ""

    def __init__(self, *, id: str, prompt: str, hints: Sequence[str], solution_code: str,
                 template: str, mistakes: Sequence[Mistake] = ()):
        m = _ID.fullmatch(id)
        if m is None:
            raise ValueError(f"a question id looks like '01.q3', got {id!r}")
        if not hints:
            raise ValueError(f"{id}: give at least one hint")
        self.id = id
        self.chapter = int(m.group(1))
        self.key = f"q{int(m.group(2))}"
        self.prompt = prompt
        self.hints = list(hints)
        self.solution_code = solution_code
        self.template = template
        self.mistakes = tuple(mistakes)
        names = [mistake.name for mistake in self.mistakes]
        if len(set(names)) != len(names):
            raise ValueError(f"{id}: two mistakes share a name: {names}")

    @property
    def mistake_names(self) -> tuple[str, ...]:
        """The names of the mistakes this question recognises, in the order declared."""
        return tuple(mistake.name for mistake in self.mistakes)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"

    def evaluate(self, answer) -> CheckResult:
        """Evaluate ``answer``: a :class:`CheckResult`, nothing shown or recorded.

        Never raises, except ``KeyboardInterrupt`` when the person presses stop.
        """
        settings = runner.learner_settings()
        try:
            with np.errstate(all="ignore"):  # the checker's own settings
                result = self._evaluate(answer, settings)
        except KeyboardInterrupt:
            raise  # the person pressed stop: the learner's own were turned into results
        except BaseException as exc:  # noqa: BLE001 - nothing from an answer may escape
            result = self._result("error", f"checking failed with {runner._describe(exc)}")
        return CheckResult(result.question, result.chapter, result.status,
                           runner.sanitise(result.message, 2000), result.cases_passed,
                           result.cases_run, result.mistake)

    def check(self, answer) -> CheckResult:
        """Evaluate ``answer``, record the result for the progress report and show the feedback.

        Never raises, except ``KeyboardInterrupt`` when the person presses stop.
        """
        result = self.evaluate(answer)
        if not runner.can_limit():
            view.note_no_time_limit()
        _record(result)
        view.show_result(result)
        return result

    def hint(self, n: int = 1) -> None:
        """Show hint ``n`` (1 is gentle, the last one nearly gives it away)."""
        k = min(max(int(n), 1), len(self.hints))
        more = f" (hint({k + 1}) for a stronger one)" if k < len(self.hints) else ""
        view.show("hint", f"{self.id} hint {k} of {len(self.hints)}", self.hints[k - 1] + more)

    def solution(self) -> None:
        """Show a correct answer."""
        view.show("solution", f"{self.id} solution", "one correct answer:",
                  code=self.solution_code)

    def _result(self, status: str, message: str, passed: int = 0, run: int = 0,
                mistake: str = "") -> CheckResult:
        return CheckResult(self.id, self.chapter, status, message, passed, run, mistake)

    def _evaluate(self, answer, settings: dict) -> CheckResult:
        raise NotImplementedError


def _record(result: CheckResult) -> None:
    from . import room
    from .record import record

    record(result)
    room.send(result)  # on the room's hub only; returns at once


def _is_placeholder(answer) -> bool:
    return answer is None or answer is Ellipsis


class ValueQuestion(Question):
    """The answer is a number, compared with the expected value to ``rtol`` / ``atol``.

    Parameters
    ----------
    id, prompt, hints, solution_code, mistakes
        As for :class:`Question`; each mistake gives ``value=``.
    expected : float
        The answer (kept private: ``solution()`` shows how to get it).
    rtol, atol : float
        The tolerance.
    close : float
        A wrong answer within this relative distance is told to compute more
        precisely; 0 where any other value is a wrong idea (exact arithmetic).
    template : str
        Default ``"answer = ..."``.
    nudge : callable, optional
        ``nudge(x) -> str``: for an answer found by search, what the learner's wrong value
        ``x`` gives and which way to move (e.g. "at T = 0.5 the first probability is 0.95:
        raise T"); it replaces the generic advice. A nudge that raises is left out.

    Examples
    --------
    >>> q = ValueQuestion(id="09.q1", prompt="How many bits are 2 nats?",
    ...                   hints=["Divide by ln 2."], solution_code="answer = 2 / np.log(2)",
    ...                   expected=2 / math.log(2),
    ...                   mistakes=[Mistake("times_ln2", "that is 2 * ln 2",
    ...                                     value=2 * math.log(2))])
    >>> print(q.evaluate(2.885))
    09.q1 correct: 2.885 is right
    >>> print(q.evaluate([1.386294]))
    09.q1 incorrect: 1.38629 is not it: that is 2 * ln 2
    >>> print(q.evaluate("2.885"))
    09.q1 incorrect: expected a number, got str '2.885': give the number itself, without quotes
    """

    kind = "value"

    def __init__(self, *, id: str, prompt: str, hints: Sequence[str], solution_code: str,
                 expected: float, template: str = "answer = ...", rtol: float = 1e-3,
                 atol: float = 1e-6, close: float = 0.01, mistakes: Sequence[Mistake] = (),
                 nudge: Callable[[float], str] | None = None):
        super().__init__(id=id, prompt=prompt, hints=hints, solution_code=solution_code,
                         template=template, mistakes=mistakes)
        if any(m.value is None for m in self.mistakes):
            raise ValueError(f"{id}: a value question's mistakes give value=")
        self._expected = float(expected)
        self.rtol, self.atol, self.close = rtol, atol, close
        self._nudge = nudge

    def _nudged(self, x: float) -> str:
        """The question's own advice for the wrong value ``x`` ("" without one)."""
        if self._nudge is None:
            return ""
        try:
            with np.errstate(all="ignore"):
                return str(_quiet(self._nudge, x))
        except Exception:
            return ""

    def _close(self, x: float, target: float) -> bool:
        return math.isclose(x, target, rel_tol=self.rtol, abs_tol=self.atol)

    def _evaluate(self, answer, settings: dict) -> CheckResult:
        if _is_placeholder(answer):
            return self._result("not attempted",
                                "replace the ... with your answer, then run the cell again")
        out = runner.run(runner.given, (answer,), seconds=TIME_LIMIT, convert=_plain_number,
                         settings=settings)
        if out.status == "timeout":
            return self._result("timeout", f"reading your answer as a number took longer than "
                                f"{TIME_LIMIT:g} s")
        if out.status == "raised":
            return self._result("error", f"your answer could not be read as a number: "
                                f"{out.error}")
        x = out.value
        if isinstance(x, _Refused):
            quotes = (": give the number itself, without quotes"
                      if isinstance(answer, (str, bytes)) else "")
            return self._result("incorrect", f"expected a number, got {x.what}{quotes}")
        if self._close(x, self._expected):
            return self._result("correct", f"{x:.6g} is right")
        for mistake in self.mistakes:
            if mistake.matches(x, self._expected, (), self.rtol, self.atol):
                return self._result("incorrect", f"{x:.6g} is not it: {mistake.why}",
                                    mistake=mistake.name)
        off = abs(x - self._expected) / max(abs(self._expected), self.atol)
        nudge = self._nudged(x)
        if off < self.close:
            return self._result("incorrect",
                                f"{x:.6g} is close ({off:.2%} off) but not within the "
                                f"relative tolerance {self.rtol:g}: " + (
                                    nudge or "compute more precisely (more digits, a finer "
                                    "grid, or the exact formula)"))
        return self._result("incorrect", f"{x:.6g} is not it (tolerance {self.rtol:g} "
                            f"relative); {nudge + '; ' if nudge else ''}"
                            f"try ex.{self.key}.hint()")


@dataclass
class _Failure:
    number: int
    label: str
    status: str
    text: str
    diagnosis: str = ""  # what any wrong number shows (nan, inf), when no mistake matches
    mistakes: tuple = ()  # the question's mistakes this failure looks like, in declared order
    near: bool = False  # a finite value within 0.1 % of the answer: precision, not an idea
    memory: bool = False  # a right value that held too much memory


class FunctionQuestion(Question):
    """The answer is a function, compared with a reference on the worked example and hidden cases.

    Parameters
    ----------
    id, prompt, hints, solution_code, mistakes
        As for :class:`Question`; each mistake gives ``returns=`` or ``when=``.
    name : str
        The function the learner writes, e.g. ``"entropy_bits"``.
    arg_names : list of str
        Its parameters, for the template and the feedback.
    reference : callable
        Computes the expected output with xentlearn (kept private).
    example : Case
        The worked example shown in the notebook (case 1).
    hidden : callable
        ``hidden(rng) -> list of Case``: seeded random cases (kept private).
    seed : int
        Seeds ``hidden``'s generator: the cases are the same on every run.
    template : str, optional
        Default: ``def name(args):`` and a line raising NotImplementedError.

    Examples
    --------
    >>> q = FunctionQuestion(
    ...     id="09.q2", prompt="Write `double(x)`.", hints=["Multiply by 2."],
    ...     solution_code="def double(x):\\n    return 2 * x", name="double", arg_names=["x"],
    ...     reference=lambda x: 2 * x, example=Case((np.array([1.0, 2.0]),), "worked example"),
    ...     hidden=lambda rng: [Case((rng.normal(size=5),), "hidden, 5 numbers")],
    ...     mistakes=[Mistake("squared", "that is x squared",
    ...                       returns=lambda expected, x: x ** 2)])
    >>> print(q.evaluate(lambda x: x + x))
    09.q2 correct: 2 of 2 cases passed (the worked example and 1 hidden cases)
    >>> result = q.evaluate(lambda x: x ** 2)
    >>> result.mistake
    'squared'
    >>> print(result)                                # doctest: +ELLIPSIS
    09.q2 incorrect: 0 of 2 cases passed. that is x squared. Case 1 (worked example): ...
    >>> q.example_output()
    array([2., 4.])
    """

    kind = "function"

    def __init__(self, *, id: str, prompt: str, hints: Sequence[str], solution_code: str,
                 name: str, arg_names: Sequence[str], reference: Callable, example: Case,
                 hidden: Callable[[np.random.Generator], list[Case]], seed: int = 0,
                 template: str | None = None, mistakes: Sequence[Mistake] = ()):
        if template is None:
            template = f"def {name}({', '.join(arg_names)}):\n    {NOT_DONE}"
        super().__init__(id=id, prompt=prompt, hints=hints, solution_code=solution_code,
                         template=template, mistakes=mistakes)
        if any(m.value is not None for m in self.mistakes):
            raise ValueError(f"{id}: a function question's mistakes give returns=, when=, "
                             "memory= or raises=")
        self.name = name
        self.arg_names = list(arg_names)
        self.example = example
        self._reference = reference
        self._hidden = hidden
        self._seed = seed

    def example_output(self):
        """What a correct function returns on the worked example (shown in the notebook)."""
        with np.errstate(all="ignore"):
            return _quiet(self._reference, *copy.deepcopy(self.example.args))

    def _cases(self) -> list[Case]:
        rng = np.random.default_rng(self._seed)
        return [self.example, *self._hidden(rng)]

    def _evaluate(self, answer, settings: dict) -> CheckResult:
        if _is_placeholder(answer):
            return self._result("not attempted",
                                "write the function in the cell above, then run both cells")
        if not callable(answer):
            out = runner.run(runner.given, (answer,), seconds=TIME_LIMIT, convert=_what,
                             settings=settings)
            what = out.value if out.status == "returned" else type(answer).__name__
            return self._result("incorrect", f"expected a function, got {what}; pass the "
                                "function itself, without calling it")
        cases = self._cases()
        passed, failures = 0, []
        for number, case in enumerate(cases, start=1):
            failure = self._run_case(answer, case, number, settings)
            if failure is None:
                passed += 1
                continue
            if failure.status == "not attempted" and number == 1:
                return self._result("not attempted", failure.text, 0, 1)
            if failure.status == "timeout":
                return self._result("timeout", f"{passed} of {len(cases)} cases passed before "
                                    f"it was stopped. {failure.text}", passed, number)
            failures.append(failure)
        n = len(cases)
        if not failures:
            return self._result("correct", f"{n} of {n} cases passed (the worked example and "
                                f"{n - 1} hidden cases)", n, n)
        first = failures[0]
        status = "incorrect" if first.status == "incorrect" else "error"
        mistake = self._likeliest(failures)
        if mistake is not None:  # the diagnosis first, then the case that shows it
            shown = next(f for f in failures if mistake in f.mistakes)
            text = f"{mistake.why.rstrip('.')}. {shown.text}"
            if shown is not first:
                text += f" (Case {first.number}, {first.label}, fails too.)"
            return self._result(status, f"{passed} of {n} cases passed. {text}", passed, n,
                                mistake.name)
        text = first.text + first.diagnosis
        if not first.diagnosis:  # a later case may show what is wrong (nan, inf)
            later = next((f for f in failures[1:] if f.diagnosis), None)
            if later is not None:
                text += f" Case {later.number} ({later.label}) shows more:{later.diagnosis}"
        return self._result(status, f"{passed} of {n} cases passed. {text}", passed, n)

    def _likeliest(self, failures: list[_Failure]) -> Mistake | None:
        """The mistake that explains the most failing cases (the first declared, on a tie).

        A wrong value comes first: a memory mistake is named only when no failure looks like
        a value mistake, and memory failures do not count against a value mistake. None when
        the best explains fewer than half of the failures that count (near misses apart): a
        wrong answer that agrees with a mistake on one or two cases is not named after it.
        """
        by_value = [m for m in self.mistakes if not m.is_memory
                    and any(m in f.mistakes for f in failures)]
        if by_value:
            candidates, counted = by_value, [f for f in failures if not f.memory]
        else:
            candidates, counted = list(self.mistakes), failures
        best, score = None, 0
        for mistake in candidates:
            count = sum(mistake in f.mistakes for f in counted)
            if count > score:
                best, score = mistake, count
        far = sum(not f.near or best in f.mistakes for f in counted)
        return best if 2 * score >= far else None

    def _run_case(self, fn: Callable, case: Case, number: int, settings: dict):
        """None when the case passes, else a :class:`_Failure`."""
        where = f"Case {number} ({case.label})"
        inputs = case.describe_inputs(self.arg_names)
        expected = _quiet(self._reference, *copy.deepcopy(case.args))
        args = copy.deepcopy(case.args)
        out = runner.run(fn, args, seconds=TIME_LIMIT, convert=_plain_output, settings=settings,
                         measure_memory=case.memory_limit is not None)

        def fail(status: str, text: str, diagnosis: str = "", mistakes: tuple = (),
                 near: bool = False, memory: bool = False) -> _Failure:
            return _Failure(number, case.label, status, f"{where}: {text}", diagnosis, mistakes,
                            near, memory)

        if out.status == "timeout":
            return fail("timeout", f"your function was still running after {TIME_LIMIT:g} s "
                        f"(input {inputs}). Is there a loop that never ends?")
        if out.status == "raised":
            if issubclass(out.error_type, NotImplementedError):
                return _Failure(number, case.label, "not attempted",
                                "your function still raises NotImplementedError: write its body")
            matching = tuple(m for m in self.mistakes if m.matches_error(out.error))
            return fail("error", f"your function raised {out.error} (input {inputs})",
                        "" if matching else _explain_error(out.error), matching)
        for name, before, after in zip(self.arg_names, case.args, args, strict=False):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
                return fail("incorrect", f"your function changed its input {name} in place; work "
                            f"on a copy (e.g. {name} = {name}.copy()) or avoid in-place "
                            "operations such as +=")
        got = out.value
        if got is None:
            return fail("incorrect", "your function returned None. Did you forget `return`?")
        if isinstance(got, _Refused):
            return fail("incorrect", f"expected a number or an array of numbers, got "
                        f"{got.what}; return the numbers themselves (not text, not True/False)")
        exp = np.asarray(expected, dtype=float)
        if got.shape != exp.shape:
            return fail("incorrect", f"expected {_shape(exp.shape)}, got {_shape(got.shape)} "
                        f"(input {inputs}).", "", self._matching(got, exp, case))
        if not np.allclose(got, exp, rtol=case.rtol, atol=case.atol):
            matching = self._matching(got, exp, case)
            near = bool(np.isfinite(got).all() and np.isfinite(exp).all()
                        and np.allclose(got, exp, rtol=1e-3, atol=case.atol))
            return fail("incorrect", f"input {inputs}; {_compare(got, exp)}."
                        f"{'' if matching else _largest_gap(got, exp, case)}",
                        "" if matching else _generic(got, exp), matching, near)
        if case.memory_limit is not None:
            if out.memory_lost:
                return fail("incorrect", "the value is right, but your function stopped or "
                            "restarted tracemalloc, which the memory check needs: leave it alone")
            if out.peak_bytes > case.memory_limit:
                size = sum(a.nbytes for a in case.args if isinstance(a, np.ndarray))
                matching = tuple(m for m in self.mistakes
                                 if m.matches_memory(out.peak_bytes, case.args))
                return fail("incorrect", f"the value is right but your function held "
                            f"{out.peak_bytes / 1e6:.1f} MB at once, {out.peak_bytes / size:.1f} "
                            f"times the size of its inputs ({size / 1e6:.1f} MB); at most "
                            f"{case.memory_limit / 1e6:.1f} MB is allowed. "
                            f"{'' if matching else case.memory_advice}".rstrip(), "", matching,
                            memory=True)
        return None

    def _matching(self, got: np.ndarray, expected: np.ndarray, case: Case) -> tuple:
        """This question's mistakes that ``got`` looks like on ``case``, in declared order."""
        return tuple(m for m in self.mistakes
                     if m.matches(got, expected, copy.deepcopy(case.args)))


#: NumPy's words for two errors learners meet often: shapes that do not line up (a row's
#: maximum or sum without ``keepdims=True``), and an array used as one yes/no (Python's
#: ``max``, ``if``). A question's ``Mistake(raises=...)`` can name them; else the checker
#: explains them (``_EXPLAINED``).
BROADCAST_ERROR = r"operands could not be broadcast together"
TRUTH_VALUE_ERROR = r"truth value of an array with more than one element is ambiguous"

#: NumPy's words for errors learners meet often, and what to do about each.
_EXPLAINED = (
    (re.compile(BROADCAST_ERROR),
     " NumPy could not line up the two arrays' shapes. A row's maximum or sum taken with "
     "axis=... drops that axis: an array of shape (N, K) gives (N,), which does not line up "
     "with the rows. Keep the axis with keepdims=True, giving (N, 1), so each row's own number "
     "is subtracted from (or divides) that row."),
    (re.compile(r"axis -?\d+ is out of bounds for array of dimension"),
     " The array has fewer axes than that: a 1-D array has only axis 0. axis=-1 is the last "
     "axis of an array of any dimension."),
    (re.compile(TRUTH_VALUE_ERROR),
     " Python's own max, min, if, and, or look at a whole array as one yes/no, which NumPy "
     "refuses. Entry by entry, the larger of two arrays (or of an array and 0) is "
     "np.maximum(a, b); the smaller is np.minimum(a, b); a choice is np.where(cond, a, b)."),
)


def _explain_error(error: str) -> str:
    """What a NumPy error the learner's function raised usually means, when it is a common one."""
    return next((advice for pattern, advice in _EXPLAINED if pattern.search(error)), "")


def _generic(got: np.ndarray, expected: np.ndarray) -> str:
    """What any wrong number shows (nan, inf) when no declared mistake explains it."""
    if (np.isnan(got) & ~np.isnan(expected)).any():
        return " Your result has nan where the answer is a number."
    if (np.isinf(got) & np.isfinite(expected)).any():
        return " Your result has inf where the answer is finite."
    if (np.isinf(expected) & np.isfinite(got)).any():
        return " The answer is inf where yours is finite."
    return ""
