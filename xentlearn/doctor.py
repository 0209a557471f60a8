"""Pre-flight check of a learner's machine: ``python -m xentlearn doctor``.

Before a workshop, each learner runs ``make lab`` once (it creates ``.venv`` and
installs the course) and then ``.venv/bin/python -m xentlearn doctor``, which checks,
in the Python that runs it:

* the Python version, against xentlearn's ``requires-python``;
* each package the course needs (the runtime dependencies and the ``course`` extra)
  and its minimum version, as the installed xentlearn declares them, so the list is
  always pyproject.toml's;
* ipywidgets' front end (``@jupyter-widgets/jupyterlab-manager``) in the JupyterLab of
  this environment, installed and not disabled;
* that the data sets load (digits, breast cancer, the text), nothing downloaded;
* that the exercises import (``from xentlearn.exercises import chapter``);
* that the ``python3`` kernel starts, runs ``1+1`` and imports xentlearn;
* that matplotlib draws inline in that kernel (``%matplotlib inline``: a PNG image).

It prints one line per check, ``ok`` or ``PROBLEM`` with the fix, and exits with 1
when something needs fixing. Every check has a time limit (``--timeout``, 30 s by
default); the kernel's checks run while the others do.

Not part of the numeric core: ``import xentlearn`` does not import this module, and
this module imports Jupyter's packages only inside the checks.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Result", "check_python", "check_packages", "run", "main", "add_arguments",
           "run_command"]

#: The package whose metadata lists what the course needs, and the extra read with it.
DISTRIBUTION, EXTRA = "xentlearn", "course"
#: The kernel the chapters are stored with and JupyterLab starts by default.
KERNEL_NAME = "python3"
#: The JupyterLab extension that draws ipywidgets (shipped by jupyterlab_widgets).
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
#: Seconds each check may take unless ``--timeout`` says otherwise.
DEFAULT_TIMEOUT = 30.0

DESCRIPTION = """\
Check this machine before a workshop: the Python version, each package the course
needs and its version, ipywidgets' front end in JupyterLab, that the data sets load,
that the exercises import, that a kernel starts and that matplotlib draws inline.

Prints one line per check: ok, or PROBLEM with the fix. Exits with status 1 when
something needs fixing, 0 when the machine is ready. Nothing is downloaded.

Run it with the course's own Python, after `make lab` has installed it once:
    .venv/bin/python -m xentlearn doctor
"""

PNG_BASE64 = "iVBORw0KGgo"  # the PNG signature, base64-encoded


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


# --- helpers ---------------------------------------------------------------------------------


def _shown(path: str | os.PathLike) -> str:
    """A path as the learner would type it: relative to the current folder when inside it."""
    path = Path(path)
    try:
        rel = path.relative_to(Path.cwd())
        text = str(rel) if rel.parts else "."
    except ValueError:
        text = str(path)
    return shlex.quote(text)


def _python() -> str:
    return _shown(sys.executable)


def _pip(*args: str) -> str:
    return f"{_python()} -m pip install " + " ".join(shlex.quote(a) for a in args)


def _reinstall_course() -> str:
    return ("in the course folder run `make lab` (it installs the course into .venv), "
            "then `.venv/bin/python -m xentlearn doctor`")


def _requirements() -> list[str]:
    """The installed xentlearn's requirement strings (raises PackageNotFoundError)."""
    return list(metadata.requires(DISTRIBUTION) or [])


# --- Python and packages ---------------------------------------------------------------------


def check_python(requires: str | None = None,
                 version: tuple[int, ...] | None = None) -> Result:
    """Whether this Python's version satisfies xentlearn's ``requires-python``.

    Parameters
    ----------
    requires : str, optional
        A version specifier such as ``">=3.10"``; by default the installed
        xentlearn's ``Requires-Python`` (pyproject.toml's ``requires-python``).
    version : tuple of int, optional
        The version to check; by default this Python's.

    Returns
    -------
    Result

    Examples
    --------
    >>> check_python(">=3.10", (3, 12, 1)).ok
    True
    >>> r = check_python(">=3.10", (3, 9, 18))
    >>> r.ok, r.detail
    (False, '3.9.18 (needs >=3.10)')
    """
    version = tuple(version or sys.version_info[:3])
    shown = ".".join(str(v) for v in version)
    if requires is None:
        try:
            requires = metadata.metadata(DISTRIBUTION)["Requires-Python"] or ""
        except metadata.PackageNotFoundError:
            return Result("Python", False, f"{shown}; xentlearn is not installed in "
                          f"{_python()}, so its requirements are unknown", _reinstall_course())
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:
        return Result("Python", False, f"{shown}; cannot read the requirement {requires!r} "
                      "without the 'packaging' module", _pip("packaging"))
    if SpecifierSet(requires).contains(shown, prereleases=True):
        return Result("Python", True, f"{shown} (needs {requires})")
    wanted = (f"Python {requires[2:]} or newer" if requires.startswith(">=") and "," not in
              requires else f"a Python {requires}")
    return Result("Python", False, f"{shown} (needs {requires})",
                  f"install {wanted}, then in the course folder `rm -rf .venv` and "
                  "`make lab PYTHON=python3.X` (X: the version you installed)")


def _wanted(requirement, extra: str) -> bool:
    """Whether a requirement applies here: a runtime one, or one of ``extra``."""
    marker = requirement.marker
    return marker is None or marker.evaluate({"extra": ""}) or marker.evaluate({"extra": extra})


def check_packages(requires: list[str] | None = None, extra: str = EXTRA) -> list[Result]:
    """One result per package the course needs: installed, and new enough.

    Parameters
    ----------
    requires : list of str, optional
        Requirement strings as in package metadata (``'ipywidgets>=8; extra ==
        "course"'``); by default the installed xentlearn's.
    extra : str
        Besides the runtime requirements, those of this extra are checked.

    Returns
    -------
    list of Result
        In the order of ``requires``; the fix of a missing or old package is the
        ``pip install`` command, for this Python, that installs it.

    Examples
    --------
    >>> [r.ok for r in check_packages(["numpy>=1.0", 'pytest>=7; extra == "test"'])]
    [True]
    >>> missing, old = check_packages(["no-such-package>=1", "numpy>=999"])
    >>> missing.detail, missing.fix.endswith("-m pip install 'no-such-package>=1'")
    ('not installed (needs >=1)', True)
    >>> old.detail.endswith("installed, needs >=999"), old.fix.endswith("--upgrade 'numpy>=999'")
    (True, True)
    """
    if requires is None:
        try:
            requires = _requirements()
        except metadata.PackageNotFoundError:
            return [Result("packages", False, f"xentlearn is not installed in {_python()}",
                           _reinstall_course())]
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return [Result("packages", False, "cannot read the requirements without the "
                       "'packaging' module", _pip("packaging"))]
    results = []
    for text in requires:
        req = Requirement(text)
        if not _wanted(req, extra):
            continue
        needs = str(req.specifier) or "any version"
        wanted = f"{req.name}{req.specifier}"
        try:
            found = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            results.append(Result(req.name, False, f"not installed (needs {needs})",
                                  _pip(wanted)))
            continue
        if req.specifier.contains(found, prereleases=True):
            results.append(Result(req.name, True, f"{found} (needs {needs})"))
        else:
            results.append(Result(req.name, False, f"{found} installed, needs {needs}",
                                  _pip("--upgrade", wanted)))
    return results


# --- JupyterLab's widget front end ---------------------------------------------------------


def _disabled_in(config_dirs: list[str], name: str) -> str | None:
    """The page_config.json (JupyterLab's own or a labconfig) that disables ``name``."""
    import json
    import re

    files = [Path(d) / "labconfig" / "page_config.json" for d in config_dirs]
    files.append(Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "page_config.json")
    for file in files:
        try:
            disabled = json.loads(file.read_text(encoding="utf-8")).get("disabledExtensions", {})
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(disabled, list):
            disabled = dict.fromkeys(disabled, True)
        for pattern, value in disabled.items():
            if value is not False and (pattern == name or re.match(pattern, name)):
                return str(file)
    return None


def _check_widgets_frontend() -> Result:
    """``@jupyter-widgets/jupyterlab-manager`` among this environment's labextensions."""
    import json

    name = "widgets front end"
    reinstall = _pip("--force-reinstall", "jupyterlab_widgets") + ", then restart JupyterLab"
    try:
        from jupyter_core.paths import jupyter_config_path, jupyter_path
    except ImportError:
        return Result(name, False, "JupyterLab is not installed", _pip("jupyterlab>=4"))
    for folder in jupyter_path("labextensions"):
        package = Path(folder, *WIDGETS_EXTENSION.split("/"), "package.json")
        if not package.is_file():
            continue
        try:
            version = json.loads(package.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            return Result(name, False, f"{WIDGETS_EXTENSION} is damaged ({_shown(package)})",
                          reinstall)
        where = _disabled_in(jupyter_config_path(), WIDGETS_EXTENSION)
        if where:
            jupyter = _shown(Path(sys.executable).with_name("jupyter"))
            return Result(name, False, f"{WIDGETS_EXTENSION} {version} is disabled by {where}",
                          f"{jupyter} labextension enable {WIDGETS_EXTENSION}")
        return Result(name, True, f"{WIDGETS_EXTENSION} {version} in {_shown(folder)}")
    return Result(name, False, f"{WIDGETS_EXTENSION} is not installed: sliders will not "
                  "show", reinstall)


# --- the kernel ------------------------------------------------------------------------------


class _Kernel:
    """One ``python3`` kernel, started by the kernel check and used by the figure check."""

    def __init__(self, kernel_name: str = KERNEL_NAME):
        self.kernel_name = kernel_name
        self.km = self.kc = None
        self.failed: str | None = None  # why it is not usable, once known
        self._dir = tempfile.TemporaryDirectory(prefix="xentlearn-doctor-")
        self._stderr = open(Path(self._dir.name) / "kernel-stderr.txt", "w+b")
        self._lock = threading.Lock()
        self._closed = False

    def stderr_tail(self) -> str:
        """The kernel's last line of stderr, for a problem's detail."""
        try:
            self._stderr.flush()
            text = Path(self._stderr.name).read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:160] if lines else ""

    def start(self, timeout: float) -> None:
        from jupyter_client.manager import KernelManager

        with self._lock:
            if self._closed:
                raise RuntimeError("the check was stopped")
            self.km = KernelManager(kernel_name=self.kernel_name)
            self.km.start_kernel(cwd=self._dir.name, stdout=subprocess.DEVNULL,
                                 stderr=self._stderr)
            self.kc = self.km.client()
            self.kc.start_channels()
        self.kc.wait_for_ready(timeout=timeout)

    def execute(self, code: str, timeout: float) -> tuple[dict, list[dict]]:
        """Run ``code``; the reply's content and the IOPub messages it caused."""
        outputs: list[dict] = []

        def hook(msg):
            if msg["header"]["msg_type"] in ("execute_result", "display_data", "stream",
                                             "error"):
                outputs.append(msg)

        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=hook,
                                            store_history=False, allow_stdin=False)
        return reply["content"], outputs

    def alive(self) -> bool:
        try:
            return bool(self.km is not None and self.km.is_alive())
        except Exception:  # a manager that never launched anything
            return False

    def spec(self) -> str:
        try:
            return _shown(self.km.kernel_spec.resource_dir)
        except Exception:  # no spec found, or the manager never started
            return "?"

    def close(self) -> None:
        """Shut the kernel down; waits at most 5 s for a start still under way."""
        locked = self._lock.acquire(timeout=5)
        try:
            self._closed = True
            try:
                if self.kc is not None:
                    self.kc.stop_channels()
                if self.km is not None and self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:  # the report does not depend on the cleanup
                pass
            self._stderr.close()
            self._dir.cleanup()
        finally:
            if locked:
                self._lock.release()


def _error_text(content: dict, outputs: list[dict]) -> str:
    for msg in outputs:
        if msg["header"]["msg_type"] == "error":
            c = msg["content"]
            return f"{c.get('ename', 'Error')}: {c.get('evalue', '')}"[:160]
    return f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:160]


def _check_kernel(kernel: _Kernel, timeout: float) -> Result:
    """Start the kernel, run ``1+1``, then ``import xentlearn`` in it."""
    name = "kernel"
    reinstall = _pip("--force-reinstall", "ipykernel>=6")
    deadline = time.monotonic() + timeout

    def left() -> float:
        return max(deadline - time.monotonic(), 0.1)

    try:
        from jupyter_client.kernelspec import NoSuchKernel
    except ImportError:
        kernel.failed = "jupyter_client is not installed"
        return Result(name, False, kernel.failed, _pip("jupyterlab>=4", "ipykernel>=6"))
    try:
        kernel.start(left())
    except NoSuchKernel:
        kernel.failed = f"no {kernel.kernel_name!r} kernel is installed"
        return Result(name, False, kernel.failed,
                      f"{_python()} -m ipykernel install --sys-prefix")
    except (TimeoutError, RuntimeError, OSError) as exc:
        # jupyter_client raises RuntimeError both when the kernel dies and when it is too slow
        tail = kernel.stderr_tail()
        if isinstance(exc, OSError):
            why, fix = "did not start", reinstall
            tail = tail or f"{type(exc).__name__}: {exc}"[:160]
        elif kernel.alive():
            why = f"did not answer within {timeout:g} s"
            fix = ("close other programs and run the doctor again with --timeout 120; "
                   f"if it still fails: {reinstall}")
        else:
            why, fix = "died while starting", reinstall
        kernel.failed = f"the {kernel.kernel_name!r} kernel {why}"
        detail = f"{kernel.failed} (spec {kernel.spec()})" + (f": {tail}" if tail else "")
        return Result(name, False, detail, fix)
    try:
        content, outputs = kernel.execute("1+1", left())
        answer = next((m["content"]["data"].get("text/plain") for m in outputs
                       if m["header"]["msg_type"] == "execute_result"), None)
        if content.get("status") != "ok" or answer != "2":
            kernel.failed = f"the kernel ran 1+1 but answered {answer!r}"
            return Result(name, False, f"{kernel.failed}: {_error_text(content, outputs)}",
                          reinstall)
        content, outputs = kernel.execute(
            "import sys\nprint(sys.executable)\nimport xentlearn", left())
    except TimeoutError:
        kernel.failed = f"the kernel did not finish running code within {timeout:g} s"
        return Result(name, False, kernel.failed,
                      "close other programs and run the doctor again with --timeout 120")
    exe = "".join(m["content"].get("text", "") for m in outputs
                  if m["header"]["msg_type"] == "stream").strip()
    if content.get("status") != "ok":
        kernel.failed = (f"the {kernel.kernel_name!r} kernel runs {_shown(exe) if exe else '?'}, "
                         f"which cannot import xentlearn ({_error_text(content, outputs)})")
        return Result(name, False, kernel.failed,
                      f"remove the kernel spec {kernel.spec()} or run `{_python()} -m "
                      "ipykernel install --sys-prefix`, so the kernel is this environment's")
    return Result(name, True, f"{kernel.kernel_name!r} started, 1+1 = 2, xentlearn imports "
                  f"({_shown(exe)})")


def _check_inline_figures(kernel: _Kernel, timeout: float) -> Result:
    """``%matplotlib inline`` and a figure in the kernel: a PNG image comes back."""
    name = "inline figures"
    if kernel.failed or kernel.kc is None:
        return Result(name, False, "not checked: the kernel is not usable",
                      "fix the kernel (the line above) first")
    code = ("%matplotlib inline\n"
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(figsize=(1, 1))\n"
            "ax.plot([0, 1], [0, 1])\n"
            "plt.show()\n")
    fix = _pip("--force-reinstall", "matplotlib>=3.7", "matplotlib-inline")
    try:
        content, outputs = kernel.execute(code, timeout)
    except TimeoutError:
        return Result(name, False, f"a figure took more than {timeout:g} s",
                      "close other programs and run the doctor again with --timeout 120")
    if content.get("status") != "ok":
        return Result(name, False, f"drawing failed: {_error_text(content, outputs)}", fix)
    images = [m["content"]["data"]["image/png"] for m in outputs
              if m["header"]["msg_type"] == "display_data"
              and "image/png" in m["content"].get("data", {})]
    if not images or not images[0].startswith(PNG_BASE64):
        kinds = sorted({k for m in outputs for k in m["content"].get("data", {})})
        return Result(name, False, f"%matplotlib inline showed no PNG image (got "
                      f"{', '.join(kinds) or 'nothing'})", fix)
    return Result(name, True, "%matplotlib inline draws a PNG image")


# --- data sets and exercises -----------------------------------------------------------------


def _check_datasets() -> Result:
    """The digits and breast cancer splits and the text, as the chapters load them."""
    name = "data sets"
    try:
        from . import datasets

        sizes = []
        for label, load, features in (("digits", datasets.load_digits_split, 64),
                                      ("breast cancer", datasets.load_breast_cancer_split, 30)):
            split = load()
            n = len(split.X_train) + len(split.X_val) + len(split.X_test)
            if split.X_train.shape[1] != features:
                raise ValueError(f"{label}: {split.X_train.shape[1]} features, "
                                 f"expected {features}")
            sizes.append(f"{label} {n}x{features}")
        text = datasets.load_text()
        sizes.append(f"text {len(text):,} characters")
    except Exception as exc:
        return Result(name, False, f"{type(exc).__name__}: {exc}"[:200],
                      _pip("--force-reinstall", "scikit-learn>=1.3"))
    return Result(name, True, ", ".join(sizes))


def _check_exercises() -> Result:
    """``from xentlearn.exercises import chapter; chapter(1)``, then every chapter."""
    name = "exercises"
    try:
        from .exercises import all_questions, chapter

        first = chapter(1)
        questions = list(all_questions())
        chapters = {q.id.split(".")[0] for q in questions}
    except Exception as exc:
        return Result(name, False, f"{type(exc).__name__}: {exc}"[:200], _reinstall_course())
    return Result(name, True, f"chapter(1) has {len(first.questions)} questions; "
                  f"{len(questions)} questions in {len(chapters)} chapters")


# --- running the checks ----------------------------------------------------------------------


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
                               f"{exc}"[:200], _reinstall_course())])

    thread = threading.Thread(target=target, name=f"doctor: {name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        return [Result(name, False, f"no answer within {timeout:g} s",
                       "close other programs and run the doctor again with --timeout 120")]
    return box[0]


def run(timeout: float = DEFAULT_TIMEOUT,
        on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Run every check; the kernel's two checks run alongside the others.

    Parameters
    ----------
    timeout : float
        Seconds each check may take.
    on_result : callable, optional
        Called with each result as soon as it and all before it are known, in the
        order of the report (for printing while the checks run).

    Returns
    -------
    list of Result
        Python, one per package, the widgets front end, the data sets, the
        exercises, the kernel, inline figures.

    Examples
    --------
    >>> results = run()                                   # doctest: +SKIP
    >>> [r.name for r in results if not r.ok]             # doctest: +SKIP
    []
    """
    kernel = _Kernel()
    kernel_results: list[Result] = []

    def kernel_lane():
        kernel_results.extend(_with_timeout("kernel", lambda: _check_kernel(kernel, timeout),
                                            timeout + 5))
        if kernel.failed is None and not kernel_results[0].ok:
            kernel.failed = kernel_results[0].detail
        kernel_results.extend(_with_timeout(
            "inline figures", lambda: _check_inline_figures(kernel, timeout), timeout + 5))

    lane = threading.Thread(target=kernel_lane, name="doctor: kernel", daemon=True)
    lane.start()
    results: list[Result] = []

    def add(new: list[Result]):
        results.extend(new)
        for r in new:
            if on_result is not None:
                on_result(r)

    try:
        add(_with_timeout("Python", check_python, timeout))
        add(_with_timeout("packages", check_packages, timeout))
        add(_with_timeout("widgets front end", _check_widgets_frontend, timeout))
        add(_with_timeout("data sets", _check_datasets, timeout))
        add(_with_timeout("exercises", _check_exercises, timeout))
        lane.join(2 * timeout + 15)
        if len(kernel_results) == 2:
            add(kernel_results)
        else:  # cannot happen while the lane's own time limits hold; reported all the same
            add([Result("kernel", False, "the kernel's checks did not finish",
                        "run the doctor again with --timeout 120")])
    finally:
        kernel.close()
    return results


def main(argv: list[str] | None = None, prog: str = "python -m xentlearn doctor") -> int:
    """Print the report; 0 if every check is ok, else 1.

    Parameters
    ----------
    argv : list of str, optional
        The command line after ``doctor``; by default ``sys.argv[1:]``.
    prog : str
        The command's name in ``--help``.

    Returns
    -------
    int
        The exit status.

    Examples
    --------
    >>> main(["--timeout", "60"])                         # doctest: +SKIP
    xentlearn doctor: .venv/bin/python (Python 3.11.7) in /home/ana/xentlearn
    ok       Python              3.11.7 (needs >=3.10)
    ...
    All 12 checks ok: this machine is ready for the workshop.
    0
    """
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_command(args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The doctor's options, for its own parser or a subcommand's.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_arguments(p)
    >>> p.parse_args(["--timeout", "5"]).timeout
    5.0
    """
    parser.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"seconds each check may take (default {DEFAULT_TIMEOUT:g}); "
                             "raise it on a slow or busy machine")


def run_command(args: argparse.Namespace) -> int:
    """Run the checks for parsed arguments (``args.timeout``), print them; the exit status.

    Examples
    --------
    >>> run_command(argparse.Namespace(timeout=30.0))     # doctest: +SKIP
    0
    """
    print(f"xentlearn doctor: {_python()} (Python {sys.version.split()[0]}) in {Path.cwd()}",
          flush=True)
    try:
        results = run(args.timeout, on_result=lambda r: print(r.line(), flush=True))
    except KeyboardInterrupt:  # the kernel is shut down on the way out
        print("\ninterrupted: not every check ran", file=sys.stderr)
        return 130
    problems = [r for r in results if not r.ok]
    if problems:
        print(f"{len(problems)} of {len(results)} checks found a problem: fix them as "
              "shown, then run the doctor again.")
        return 1
    print(f"All {len(results)} checks ok: this machine is ready for the workshop.")
    return 0


def _seconds(text: str) -> float:
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value
