"""The Python version and the packages: declared, installed, new enough, and importable."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import subprocess
import sys
from dataclasses import dataclass

from . import _fixes
from ._core import DEFAULT_TIMEOUT, Context, Result, _normal, check

#: The package whose metadata lists what the course needs, and the extra read with it.
DISTRIBUTION, EXTRA = "xentlearn", "course"

#: What the import check runs in a fresh Python: each module in turn, one line of JSON
#: (after a marker) as it starts and as it ends, so a module that hangs or kills the
#: process is known. The current folder is left off ``sys.path``, as a kernel does.
IMPORT_CODE = r"""
import importlib, importlib.util, json, os, sys, traceback
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]
names = json.loads(sys.argv[1])

def say(**fields):
    sys.stdout.write("\n" + sys.argv[2] + json.dumps(fields) + "\n")
    sys.stdout.flush()

homes = {}
for name in names:
    try:
        spec = importlib.util.find_spec(name)
    except BaseException:
        spec = None
    if spec is not None:
        homes[name] = (list(spec.submodule_search_locations or [])
                       or [os.path.dirname(spec.origin or "")])
for name in names:
    say(start=name, origin=(homes.get(name) or [None])[0])
    try:
        importlib.import_module(name)
    except BaseException as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        where = os.path.realpath(frames[-1].filename) if frames else ""
        culprit = next((other for other, dirs in homes.items() if other != name and any(
            d and where.startswith(os.path.realpath(d) + os.sep) for d in dirs)), None)
        say(name=name, error=(type(exc).__name__ + ": " + str(exc))[:200], culprit=culprit)
    else:
        module = sys.modules.get(name)
        say(name=name, file=getattr(module, "__file__", None))
"""
_MARK = "xentlearn-doctor-import:"


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
                          f"{_fixes.python()}, so its requirements are unknown",
                          _fixes.reinstall_course())
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:
        return Result("Python", False, f"{shown}; cannot read the requirement {requires!r} "
                      "without the 'packaging' module", _fixes.pip("packaging"))
    if SpecifierSet(requires).contains(shown, prereleases=True):
        return Result("Python", True, f"{shown} (needs {requires})")
    wanted = (f"Python {requires[2:]} or newer" if requires.startswith(">=") and "," not in
              requires else f"a Python {requires}")
    return Result("Python", False, f"{shown} (needs {requires})",
                  f"install {wanted}, then in the course folder `rm -rf .venv` and "
                  "`make lab PYTHON=python3.X` (X: the version you installed)")


def _requirements() -> list[str]:
    """The installed xentlearn's requirement strings (raises PackageNotFoundError)."""
    return list(metadata.requires(DISTRIBUTION) or [])


def _wanted(requirement, extra: str) -> bool:
    """Whether a requirement applies here: a runtime one, or one of ``extra``."""
    marker = requirement.marker
    return marker is None or marker.evaluate({"extra": ""}) or marker.evaluate({"extra": extra})


def import_name(distribution: str) -> str:
    """The module to import to use ``distribution`` (``scikit-learn`` -> ``sklearn``).

    The top-level package whose name is the distribution's, else the distribution's
    only (or first) top-level package, as its installed files show.

    Examples
    --------
    >>> import_name("scikit-learn"), import_name("numpy")
    ('sklearn', 'numpy')
    """
    plain = _normal(distribution).replace("-", "_")
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return plain
    listed = (dist.read_text("top_level.txt") or "").split()
    files = dist.files or []
    packages = sorted({f.parts[0] for f in files if len(f.parts) == 2
                       and f.parts[1] == "__init__.py" and not f.parts[0].startswith("_")})
    modules = sorted({f.parts[0][:-3] for f in files if len(f.parts) == 1
                      and f.parts[0].endswith(".py") and not f.parts[0].startswith("_")})
    for name in [*listed, *packages, *modules]:
        if name.lower() == plain:
            return name
    return next(iter(listed or packages or modules), plain)


def _installed_files(distribution: str, module: str) -> set[str] | None:
    """The real paths of ``module``'s ``__init__`` or file among the distribution's files
    (None when its record does not list them, as for an editable install)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    found = {os.path.realpath(dist.locate_file(f)) for f in dist.files or []
             if (len(f.parts) == 2 and f.parts == (module, "__init__.py"))
             or (len(f.parts) == 1 and f.parts[0] == f"{module}.py")}
    return found or None


@dataclass(frozen=True)
class _Imported:
    """What importing one module in a fresh Python did."""

    error: str = ""          # "" when it imported
    culprit: str = ""        # the other module (of those checked) where it failed
    origin: str | None = None  # the folder or file ``import`` found
    file: str | None = None    # the module's __file__ once imported
    unfinished: str = ""     # "timed out" or "crashed ..." when it never ended


def check_imports(names: list[str], timeout: float = DEFAULT_TIMEOUT) -> dict[str, _Imported]:
    """Import each module in a fresh Python, one after the other, within ``timeout`` in all.

    Returns
    -------
    dict
        Module name to what its import did; modules after one that hung or killed the
        process are missing.

    Examples
    --------
    >>> found = check_imports(["json", "no_such_module_here"])
    >>> found["json"].error, found["no_such_module_here"].error
    ('', "ModuleNotFoundError: No module named 'no_such_module_here'")
    """
    command = [sys.executable, "-c", IMPORT_CODE, json.dumps(list(names)), _MARK]
    crashed = ""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        out = done.stdout
        if done.returncode != 0:
            crashed = (f"crashed Python (signal {-done.returncode})" if done.returncode < 0
                       else f"ended Python (exit status {done.returncode})")
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or ""
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        crashed = "timed out"
    found: dict[str, _Imported] = {}
    started: dict[str, str | None] = {}
    for line in out.splitlines():
        if not line.startswith(_MARK):
            continue
        try:
            fields = json.loads(line[len(_MARK):])
        except ValueError:  # a line that a module's own output broke
            continue
        if "start" in fields:
            started[fields["start"]] = fields["origin"]
        else:
            name = fields["name"]
            found[name] = _Imported(fields.get("error", ""), fields.get("culprit") or "",
                                    started.get(name), fields.get("file"))
    for name, origin in started.items():
        if name not in found:  # it was being imported when the process ended
            found[name] = _Imported(origin=origin, unfinished=crashed or "crashed Python")
            break
    return found


def _shadow(distribution: str, module: str, imported: _Imported) -> str | None:
    """The file that ``import module`` found instead of the installed distribution's."""
    expected = _installed_files(distribution, module)
    if expected is None or imported.origin is None:
        return None
    origin = os.path.realpath(imported.origin)
    if os.path.realpath(os.path.join(origin, "__init__.py")) in expected or origin in expected:
        return None
    if any(os.path.dirname(e) == origin for e in expected):  # a single-file module's folder
        return None
    return origin


def _import_result(req, found: str, needs: str, module: str, imported: _Imported | None,
                   timeout: float, owners: dict[str, str]) -> Result:
    name, ok = req.name, f"{found} (needs {needs})"
    reinstall = _fixes.pip("--force-reinstall", f"{req.name}{req.specifier}")
    if imported is None:
        return Result(name, False, f"{found} installed; `import {module}` was not tried: "
                      "the import check stopped at an earlier package",
                      "fix the package whose import hung or crashed (its line) first")
    shadow = _shadow(name, module, imported)
    if shadow is not None:
        path_entries = [os.path.realpath(p) for p in os.environ.get("PYTHONPATH", "").split(
            os.pathsep) if p]
        folder = os.path.dirname(shadow)
        why = f": {imported.error}" if imported.error else ""
        fix = (f"take {_fixes.shown(folder)} off PYTHONPATH: its {module} hides the installed one"
               if folder in path_entries else
               f"rename or remove {_fixes.shown(shadow)}: it hides the installed {module}")
        return Result(name, False, f"{found} installed, but `import {module}` finds "
                      f"{_fixes.shown(shadow)} instead{why}", fix)
    if imported.unfinished == "timed out":
        return Result(name, False, f"{found} installed, but `import {module}` took more than "
                      f"{timeout:g} s", _fixes.SLOW_MACHINE)
    if imported.unfinished:
        return Result(name, False, f"{found} installed, but `import {module}` "
                      f"{imported.unfinished}", reinstall)
    if imported.culprit:
        culprit = owners.get(imported.culprit, imported.culprit)
        return Result(name, False, f"{found} installed, but `import {module}` fails in "
                      f"{culprit}: {imported.error}", f"fix {culprit} first (see its line)")
    if imported.error:
        return Result(name, False, f"{found} installed, but `import {module}` fails: "
                      f"{imported.error}", reinstall)
    return Result(name, True, ok)


def check_packages(requires: list[str] | None = None, extra: str = EXTRA, *,
                   imports: bool = True, timeout: float = DEFAULT_TIMEOUT) -> list[Result]:
    """One result per package the course needs: installed, new enough, and importable.

    Versions are read from the packages' metadata; then each package that has the
    right version is imported, in a fresh Python of this environment (the current
    folder left off the path, as a kernel starts), all within ``timeout`` seconds. A
    module that ``import`` finds outside the installed package (another folder of that
    name on ``PYTHONPATH``, say) is a problem of its own.

    Parameters
    ----------
    requires : list of str, optional
        Requirement strings as in package metadata (``'ipywidgets>=8; extra ==
        "course"'``); by default the installed xentlearn's.
    extra : str
        Besides the runtime requirements, those of this extra are checked.
    imports : bool
        Whether to import the packages too.
    timeout : float
        Seconds all the imports may take.

    Returns
    -------
    list of Result
        In the order of ``requires``. Every package missing or too old has the same
        fix: one command that installs the course (the first such line shows it).

    Examples
    --------
    >>> [r.ok for r in check_packages(["numpy>=1.0", 'pytest>=7; extra == "test"'])]
    [True]
    >>> missing, old = check_packages(["no-such-package>=1", "numpy>=999"])
    >>> missing.detail, "-m pip install" in missing.fix and "[course]" in missing.fix
    ('not installed (needs >=1)', True)
    >>> old.detail.endswith("installed, needs >=999"), old.fix
    (True, 'the command on the no-such-package line installs it too')
    """
    if requires is None:
        try:
            requires = _requirements()
        except metadata.PackageNotFoundError:
            return [Result("packages", False, f"xentlearn is not installed in "
                           f"{_fixes.python()}", _fixes.reinstall_course())]
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return [Result("packages", False, "cannot read the requirements without the "
                       "'packaging' module", _fixes.pip("packaging"))]
    results: list[Result | None] = []
    to_import: dict[int, tuple] = {}
    first_install: str | None = None
    for text in requires:
        req = Requirement(text)
        if not _wanted(req, extra):
            continue
        needs = str(req.specifier) or "any version"
        try:
            found = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            found = None
        if found is not None and req.specifier.contains(found, prereleases=True):
            to_import[len(results)] = (req, found, needs, import_name(req.name))
            results.append(None)
            continue
        fix = (_fixes.install_course() if first_install is None
               else f"the command on the {first_install} line installs it too")
        first_install = first_install or req.name
        detail = (f"not installed (needs {needs})" if found is None
                  else f"{found} installed, needs {needs}")
        results.append(Result(req.name, False, detail, fix))
    owners = {module: req.name for req, _, _, module in to_import.values()}
    imported = check_imports(list(owners), timeout) if imports and owners else {}
    for index, (req, found, needs, module) in to_import.items():
        results[index] = (_import_result(req, found, needs, module, imported.get(module),
                                         timeout, owners)
                          if imports else Result(req.name, True, f"{found} (needs {needs})"))
    return [r for r in results if r is not None]


@check("Python")
def python_version(context: Context) -> Result:
    """The Python version, against xentlearn's ``requires-python``."""
    return check_python()


@check("packages", grace=5.0)
def packages(context: Context) -> list[Result]:
    """Each package the course needs: installed, new enough, importable."""
    results = check_packages(timeout=context.timeout)
    context.mark_unusable(results)
    return results
