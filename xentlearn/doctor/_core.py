"""The doctor's frame: a check, its result, the registry of checks, and running them."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import _fixes

#: Seconds each check may take unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT = 30.0
#: The largest ``--timeout``: an hour per check is past any machine that can run the course.
MAX_TIMEOUT = 3600.0
#: The kernel the chapters are stored with and JupyterLab starts by default.
KERNEL_NAME = "python3"


@dataclass(frozen=True)
class Result:
    """The outcome of one check: ``ok``, or a problem with the fix.

    Attributes
    ----------
    name : str
        What was checked, e.g. ``"Python"`` or ``"numpy"``.
    ok : bool
    detail : str
        What was found.
    fix : str
        What to do about it (empty when ``ok``).

    Examples
    --------
    >>> print(Result("numpy", True, "1.26.4 (needs >=1.24)").line())
    ok       numpy               1.26.4 (needs >=1.24)
    >>> print(Result("numpy", False, "not installed (needs >=1.24)",
    ...              "pip install 'numpy>=1.24'").line())
    PROBLEM  numpy               not installed (needs >=1.24); fix: pip install 'numpy>=1.24'
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """The check as one line of the report.

        Examples
        --------
        >>> Result("kernel", True, "started").line()
        'ok       kernel              started'
        """
        text = f"{'ok' if self.ok else 'PROBLEM':<9}{self.name:<18}  {self.detail}"
        return text if self.ok or not self.fix else f"{text}; fix: {self.fix}"


def _normal(name: str) -> str:
    """A distribution's name as packaging compares them: ``Scikit_Learn`` -> ``scikit-learn``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Context:
    """What the checks of one run share: the time limit, the kernel, what was found broken.

    Parameters
    ----------
    timeout : float
        Seconds each check may take.
    kernel_name : str
        The kernel spec the kernel's checks start.

    Attributes
    ----------
    unusable : dict of str to str
        Distributions (normalised names) that are missing, too old or fail to import,
        and why; filled by the ``packages`` check, read by the checks that need them.
    kernel_problem : str or None
        Why the kernel is not usable, once a kernel check found it.

    Examples
    --------
    >>> with Context(timeout=5) as context:
    ...     [r.ok for r in CHECKS["Python"].run(context)]
    [True]
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, kernel_name: str = KERNEL_NAME):
        self.timeout = _valid_timeout(timeout)
        self.kernel_name = kernel_name
        self.unusable: dict[str, str] = {}
        self.kernel_problem: str | None = None
        self._kernel = None
        self._lock = threading.Lock()

    @property
    def kernel(self):
        """The run's kernel (a :class:`xentlearn._jupyter_kernels.Kernel`), not yet started
        on first use: the kernel check starts it, the checks after it use it."""
        with self._lock:
            if self._kernel is None:
                from .._jupyter_kernels import Kernel

                self._kernel = Kernel(self.kernel_name)
            return self._kernel

    def mark_unusable(self, results: Iterable[Result]) -> None:
        """Note the distributions among ``results`` that have a problem."""
        self.unusable.update({_normal(r.name): r.detail for r in results if not r.ok})

    def close(self) -> None:
        """Shut the kernel down, if one was started."""
        with self._lock:
            kernel, self._kernel = self._kernel, None
        if kernel is not None:
            kernel.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Check:
    """One check of the report, declared: its name, what it runs, what it needs.

    Attributes
    ----------
    name : str
        The check's name in :data:`CHECKS` (and of its line in the report, unless it
        reports several lines, as ``packages`` does: one per package).
    func : callable
        Called with the run's :class:`Context`; returns a :class:`Result` or a list.
    kernel : bool
        Whether it uses the kernel: the kernel's checks run one after the other in a
        lane of their own, alongside the others, and are reported after them.
    needs : tuple of str
        Distributions it imports: when the ``packages`` check found one of them
        unusable, the check is not run and says so.
    grace : float
        Seconds it may take beyond the timeout (for a check that keeps to the timeout
        itself, such as one waiting on another process).

    Examples
    --------
    >>> quick = Check("quick", lambda context: Result("quick", True, "fine"))
    >>> [r.line() for r in quick.run()]
    ['ok       quick               fine']
    >>> hung = Check("hung", lambda context: time.sleep(2))
    >>> hung.run(timeout=0.2)[0].detail
    'no answer within 0.2 s'
    """

    name: str
    func: Callable[[Context], Result | list[Result]]
    kernel: bool = False
    needs: tuple[str, ...] = ()
    grace: float = 0.0

    def run(self, context: Context | None = None, *,
            timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
        """Run the check within its time limit; a check that hangs or raises is a problem.

        Parameters
        ----------
        context : Context, optional
            The run's shared state; by default a fresh one (with ``timeout``), closed
            (its kernel shut down) when the check is done.
        timeout : float
            Seconds the check may take, when no ``context`` is given.

        Returns
        -------
        list of Result
        """
        own = context is None
        context = Context(timeout) if own else context
        try:
            broken = [n for n in self.needs if _normal(n) in context.unusable]
            if broken:
                which, one = " and ".join(broken), len(broken) == 1
                results = [Result(self.name, False, f"not checked: it needs {which}, which "
                                  f"{'does' if one else 'do'} not work", f"fix {which} first "
                                  f"(see {'its line' if one else 'their lines'})")]
            else:
                results = _with_timeout(self.name, lambda: self.func(context),
                                        context.timeout + self.grace)
            if self.kernel and context.kernel_problem is None:
                context.kernel_problem = next((r.detail for r in results if not r.ok), None)
            return results
        finally:
            if own:
                context.close()


class Registry(dict):
    """The checks by name, in the order of the report.

    Examples
    --------
    >>> checks = Registry()
    >>> checks.register(Check("first", lambda context: Result("first", True, "")))
    >>> list(checks)
    ['first']
    >>> checks["second"]
    Traceback (most recent call last):
    ...
    KeyError: "no check named 'second'; the checks: first"
    """

    def register(self, *checks: Check) -> None:
        """Add checks at the end of the report."""
        for check in checks:
            if check.name in self:
                raise ValueError(f"a check named {check.name!r} is registered already")
            self[check.name] = check

    def __missing__(self, name: str) -> Check:
        raise KeyError(f"no check named {name!r}; the checks: {', '.join(self)}")


#: Every check of ``python -m xentlearn doctor``, by name, in the order of the report:
#: ``CHECKS["packages"].run()`` runs one, :func:`run` runs them all.
CHECKS = Registry()


def check(name: str, *, kernel: bool = False, needs: tuple[str, ...] = (),
          grace: float = 0.0) -> Callable[[Callable[[Context], Result | list[Result]]], Check]:
    """Declare a function of a :class:`Context` as a :class:`Check` (not registered yet).

    Examples
    --------
    >>> @check("greeting")
    ... def greeting(context):
    ...     "Say hello."
    ...     return Result("greeting", True, "hello")
    >>> greeting.name, greeting.run()[0].detail
    ('greeting', 'hello')
    """

    def declare(func: Callable[[Context], Result | list[Result]]) -> Check:
        return Check(name, func, kernel=kernel, needs=tuple(needs), grace=grace)

    return declare


def _valid_timeout(timeout: float) -> float:
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout)
            and 0 < timeout <= MAX_TIMEOUT):
        raise ValueError(f"timeout must be a number of seconds above 0 and at most "
                         f"{MAX_TIMEOUT:g}, got {timeout!r}")
    return float(timeout)


def _with_timeout(name: str, func: Callable[[], Result | list[Result]],
                  timeout: float) -> list[Result]:
    """Run ``func`` in a thread; a problem result if it raises or takes over ``timeout``."""
    box: list = []

    def target():
        try:
            out = func()
            box.append(out if isinstance(out, list) else [out])
        except Exception as exc:  # a check that breaks is a problem to report, not a crash
            box.append([Result(name, False, f"the check failed: {type(exc).__name__}: "
                               f"{exc}"[:200], _fixes.reinstall_course())])

    thread = threading.Thread(target=target, name=f"doctor: {name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        return [Result(name, False, f"no answer within {timeout:g} s", _fixes.SLOW_MACHINE)]
    return box[0]


def run(timeout: float = DEFAULT_TIMEOUT, on_result: Callable[[Result], None] | None = None,
        checks: Iterable[Check] | None = None) -> list[Result]:
    """Run every check in order; the kernel's checks run alongside the others.

    Parameters
    ----------
    timeout : float
        Seconds each check may take (at most :data:`MAX_TIMEOUT`).
    on_result : callable, optional
        Called with each result as soon as it and all before it are known, in the
        order of the report (for printing while the checks run).
    checks : iterable of Check, optional
        The checks to run, in the order of the report; by default :data:`CHECKS`.

    Returns
    -------
    list of Result
        Python, one per package, the widgets front end, Jupyter's folders, the data
        sets, the exercises, the kernel, inline figures.

    Examples
    --------
    >>> [r.ok for r in run(10, checks=[CHECKS["Python"]])]
    [True]
    >>> results = run()                                   # doctest: +SKIP
    >>> [r.name for r in results if not r.ok]             # doctest: +SKIP
    []
    """
    checks = list(CHECKS.values() if checks is None else checks)
    context = Context(timeout)
    lane = [c for c in checks if c.kernel]
    lane_results: dict[int, list[Result]] = {}
    finished = {id(c): threading.Event() for c in lane}

    def kernel_lane():
        for c in lane:
            lane_results[id(c)] = c.run(context)
            finished[id(c)].set()

    # every kernel check keeps to its own limit; the lane as a whole gets their sum and more
    lane_deadline = time.monotonic() + sum(context.timeout + c.grace + 5 for c in lane)
    thread = threading.Thread(target=kernel_lane, name="doctor: kernel", daemon=True)
    thread.start()
    results: list[Result] = []
    try:
        for c in checks:
            if c.kernel:
                finished[id(c)].wait(max(lane_deadline - time.monotonic(), 0.1))
                new = lane_results.get(id(c)) or [
                    Result(c.name, False, "the kernel's checks did not finish",
                           _fixes.SLOW_MACHINE)]
            else:
                new = c.run(context)
            results.extend(new)
            for r in new:
                if on_result is not None:
                    on_result(r)
    finally:
        context.close()
    return results
