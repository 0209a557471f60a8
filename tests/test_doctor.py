"""The pre-flight check, ``python -m xentlearn doctor``.

Run once for real here (every check must pass in the course's own environment); the
failures are made on the spot: requirements that cannot be met, an old Python, broken
packages that hide behind the installed ones (numpy included, which the doctor must
survive), a kernel spec whose kernel dies or never answers, a home folder nobody can
write to, a missing or disabled widget front end, a data set that fails to load, a
check that hangs. Checks are run one by one through the registry, ``doctor.CHECKS``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xentlearn import doctor

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LINE = re.compile(r"^(ok|PROBLEM) +(?P<name>\S.*?) {2,}\S")
REGISTERED = ["Python", "packages", "widgets front end", "Jupyter folders", "data sets",
              "exercises", "kernel", "inline figures"]
SLOW = ("data sets", "exercises", "kernel", "inline figures")
SLOW_MACHINE = "close other programs and run the doctor again with --timeout 120"
#: Environment variables that move Jupyter's and IPython's folders away from HOME.
FOLDER_VARIABLES = ("JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                    "IPYTHONDIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "JUPYTER_PLATFORM_DIRS")


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0]


#: The packages the doctor must check: pyproject's runtime and course requirements.
REQUIREMENTS = PROJECT["dependencies"] + PROJECT["optional-dependencies"]["course"]
PACKAGES = [_name(r) for r in REQUIREMENTS]
NAMES = ["Python", *PACKAGES, "widgets front end", "Jupyter folders", *SLOW]


def _checks(output: str) -> dict[str, str]:
    """The report's check lines by name; every line but the first and last is one."""
    lines = output.rstrip("\n").split("\n")
    assert lines[0].startswith("xentlearn doctor: "), lines[0]
    body = lines[1:-1]
    assert all(LINE.match(line) for line in body), body
    found = {LINE.match(line)["name"]: line for line in body}
    assert len(found) == len(body), "a check reported twice"
    return found


def _problems(checks: dict[str, str]) -> list[str]:
    return [name for name, line in checks.items() if line.startswith("PROBLEM")]


def _with(**funcs) -> list[doctor.Check]:
    """The registered checks, some of them (by name) running another function."""
    return [dataclasses.replace(c, func=funcs[c.name]) if c.name in funcs else c
            for c in doctor.CHECKS.values()]


def _stub(name: str):
    return lambda context: doctor.Result(name, True, "(not run in this test)")


#: The registered checks with the slow ones (data sets, exercises, kernel) stubbed ok.
QUICK = {name: _stub(name) for name in SLOW}


def _doctor(*args: str, env: dict | None = None, cwd: Path = ROOT,
            python: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *python, "-m", "xentlearn", "doctor", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=180,
                          env=None if env is None else {**os.environ, **env})


def _shadow(root: Path, module: str, code: str) -> Path:
    """A package ``module`` under ``root`` (for PYTHONPATH) that runs ``code``."""
    (root / module).mkdir(parents=True)
    (root / module / "__init__.py").write_text(code)
    return root / module


def _fake_distribution(root: Path, name: str, version: str, code: str) -> None:
    """An installed distribution ``name`` (metadata and record) whose package runs ``code``."""
    info = root / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{info.name}/METADATA,,\n")
    _shadow(root, name, code)


def _kernel_spec(root: Path, *code: str) -> Path:
    """A ``python3`` kernel spec under ``root`` (for JUPYTER_PATH) that runs ``code``."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", "\n".join(code)]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "broken",
                                                  "language": "python"}))
    return spec


def _unwritable_home(tmp_path: Path, monkeypatch) -> Path:
    """HOME set to a folder that cannot be created: it would be inside a regular file (as
    root, whom permissions do not stop, this is what cannot be written to)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for name in FOLDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(blocker / "home"))
    return blocker


# --- the real thing --------------------------------------------------------------------------


def test_every_check_passes_in_the_course_environment():
    start = time.monotonic()
    out = _doctor()
    elapsed = time.monotonic() - start
    assert out.returncode == 0, out.stdout + out.stderr
    checks = _checks(out.stdout)
    assert list(checks) == NAMES
    assert all(line.startswith("ok ") for line in checks.values()), out.stdout
    assert out.stdout.rstrip().endswith(f"All {len(NAMES)} checks ok: this machine is ready "
                                        "for the workshop.")
    assert re.search(r"'python3' started, 1\+1 = 2, xentlearn imports", checks["kernel"])
    assert "@jupyter-widgets/jupyterlab-manager" in checks["widgets front end"]
    assert "digits 1797x64, breast cancer 569x30, text " in checks["data sets"]
    assert "writable: " in checks["Jupyter folders"]
    assert elapsed < 60, f"the doctor took {elapsed:.0f} s"
    assert "Traceback" not in out.stderr, out.stderr


def test_the_registry_declares_the_checks_in_the_reports_order():
    assert list(doctor.CHECKS) == REGISTERED
    assert [c.name for c in doctor.CHECKS.values() if c.kernel] == ["kernel", "inline figures"]
    assert doctor.CHECKS["data sets"].needs == ("numpy", "scikit-learn")
    with pytest.raises(KeyError, match="no check named 'nope'; the checks: Python, packages"):
        doctor.CHECKS["nope"]
    with pytest.raises(ValueError, match="'Python' is registered already"):
        doctor.CHECKS.register(doctor.CHECKS["Python"])
    assert list(doctor.CHECKS) == REGISTERED


def test_help_explains_the_checks_and_the_exit_status(capsys):
    from xentlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["doctor", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for words in ("Python version", "kernel starts", "matplotlib draws inline", "imports",
                  "exits with status 1", "--timeout", ".venv/bin/python -m xentlearn doctor",
                  "at most 3600"):
        assert words.lower() in " ".join(text.split()).lower(), words


def test_the_packages_are_pyprojects_runtime_and_course_requirements():
    """Read from the installed metadata, which must say what pyproject.toml says, and
    every one of them imports."""
    results = doctor.CHECKS["packages"].run()
    assert [r.name for r in results] == PACKAGES
    for result, requirement in zip(results, REQUIREMENTS, strict=True):
        assert result.ok, result.line()
        assert result.detail.endswith(f"(needs {requirement[len(_name(requirement)):]})")


def test_import_xentlearn_leaves_the_doctor_jupyter_and_numpy_out():
    code = ("import sys, xentlearn; a = [m for m in ('xentlearn.doctor', 'jupyter_client', "
            "'numpy') if m in sys.modules]; import xentlearn.doctor; "
            "b = [m for m in ('jupyter_client', 'jupyter_core', 'packaging', 'numpy', "
            "'matplotlib', 'sklearn') if m in sys.modules]; print(a, b)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[] []"


def test_the_command_line_parses_without_the_numeric_stack():
    """`python -m xentlearn doctor --help` (and any argument parsing) imports no numpy,
    matplotlib, scikit-learn or Jupyter: the doctor starts where they are broken."""
    code = ("import contextlib, io, sys\n"
            "from xentlearn.__main__ import main\n"
            "for argv in (['doctor', '--help'], ['doctor', '--timeout', 'x'],"
            " ['progress', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), "
            "contextlib.redirect_stderr(io.StringIO()):\n"
            "        try:\n"
            "            main(argv)\n"
            "        except SystemExit:\n"
            "            pass\n"
            "print([m for m in ('numpy', 'matplotlib', 'sklearn', 'jupyter_client', "
            "'IPython') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# --- broken packages -------------------------------------------------------------------------


def test_a_broken_numpy_is_a_problem_line_not_a_traceback(tmp_path):
    shadow = _shadow(tmp_path, "numpy", "raise RuntimeError('simulated: this numpy is broken')")
    out = _doctor(env={"PYTHONPATH": str(tmp_path)})
    assert "Traceback" not in out.stdout + out.stderr, out.stderr
    assert out.returncode == 1, out.stdout + out.stderr
    checks = _checks(out.stdout)
    assert list(checks) == NAMES
    numpy = checks["numpy"]
    assert numpy.startswith("PROBLEM  numpy ")
    assert f"`import numpy` finds {shadow} instead: RuntimeError: simulated: this numpy is " \
           "broken" in numpy
    assert numpy.endswith(f"fix: take {tmp_path} off PYTHONPATH: its numpy hides the "
                          "installed one")
    for name in ("matplotlib", "scikit-learn"):  # they fail in numpy: numpy is the fix
        assert "fails in numpy: RuntimeError" in checks[name]
        assert checks[name].endswith("fix: fix numpy first (see its line)")
    assert "not checked: it needs numpy and scikit-learn" in checks["data sets"]
    assert "not checked: it needs numpy" in checks["exercises"]
    assert "`import xentlearn.losses` fails (RuntimeError" in checks["kernel"]
    assert _problems(checks) == ["numpy", "matplotlib", "scikit-learn", "data sets",
                                 "exercises", "kernel", "inline figures"]


def test_a_broken_ipywidgets_is_the_one_problem(tmp_path):
    """Versions come from metadata: only importing finds a broken package."""
    shadow = _shadow(tmp_path, "ipywidgets",
                     "raise ImportError('simulated: this ipywidgets is broken')")
    out = _doctor(env={"PYTHONPATH": str(tmp_path)})
    assert out.returncode == 1, out.stdout + out.stderr
    checks = _checks(out.stdout)
    assert _problems(checks) == ["ipywidgets"], out.stdout
    line = checks["ipywidgets"]
    assert f"`import ipywidgets` finds {shadow} instead: ImportError: simulated: this " \
           "ipywidgets is broken" in line
    assert "PYTHONPATH" in line
    assert out.stdout.rstrip().endswith(f"1 of {len(NAMES)} checks found a problem: fix them "
                                        "as shown, then run the doctor again.")


def test_an_installed_package_that_fails_to_import_hangs_or_breaks_another(tmp_path,
                                                                            monkeypatch):
    """Not shadowed but broken as installed: reinstalling it is the fix; one that breaks
    while importing another is named as the cause; one that hangs runs out of time."""
    _fake_distribution(tmp_path, "brokenpkg", "1.0", "raise OSError('simulated: a bad file')")
    _fake_distribution(tmp_path, "userpkg", "2.0", "import brokenpkg")
    _fake_distribution(tmp_path, "hangpkg", "3.0", "import time\ntime.sleep(60)")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    broken, user = doctor.check_packages(["brokenpkg>=1", "userpkg"])
    assert not broken.ok
    assert broken.detail == ("1.0 installed, but `import brokenpkg` fails: OSError: "
                             "simulated: a bad file")
    assert broken.fix.endswith("-m pip install --force-reinstall 'brokenpkg>=1'")
    assert not user.ok and user.detail.startswith("2.0 installed, but `import userpkg` fails "
                                                  "in brokenpkg: OSError")
    assert user.fix == "fix brokenpkg first (see its line)"

    start = time.monotonic()
    hung, after = doctor.check_packages(["hangpkg", "userpkg"], timeout=2)
    assert time.monotonic() - start < 10
    assert not hung.ok and hung.detail == "3.0 installed, but `import hangpkg` took more than 2 s"
    assert hung.fix == SLOW_MACHINE
    assert not after.ok and "was not tried" in after.detail


def test_a_check_that_needs_a_broken_package_is_not_run():
    ran = []
    needy = doctor.Check("needy", lambda context: ran.append(1) or doctor.Result("needy", True,
                                                                                 ""),
                         needs=("Scikit_Learn",))
    with doctor.Context() as context:
        context.mark_unusable([doctor.Result("scikit-learn", False, "not installed")])
        result, = needy.run(context)
    assert ran == [] and not result.ok
    assert result.detail == "not checked: it needs Scikit_Learn, which does not work"
    assert needy.run()[0].ok and ran == [1]


# --- missing packages: one command -----------------------------------------------------------


def test_missing_and_old_packages_share_one_install_command(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    requires = [*REQUIREMENTS,
                'xentlearn-no-such-package>=1.2; extra == "course"', "pytest>=999",
                'no-such-tool>=1; extra == "course"',
                'no-such-test-tool>=1; extra == "test"']  # another extra: not the doctor's

    def packages(context):
        return doctor.check_packages(requires, timeout=context.timeout)

    assert doctor.main([], checks=_with(packages=packages, **QUICK)) == 1
    out = capsys.readouterr().out
    checks = _checks(out)
    exe = Path(sys.executable)
    python = str(exe.relative_to(ROOT)) if exe.is_relative_to(ROOT) else str(exe)
    install = f"{python} -m pip install -e '.[course]'"  # the checkout's own install line
    missing = checks["xentlearn-no-such-package"]
    assert missing.startswith("PROBLEM ") and "not installed (needs >=1.2)" in missing
    assert missing.endswith(f"; fix: {install}")
    old = checks["pytest"]
    assert old.startswith("PROBLEM ") and "installed, needs >=999" in old
    assert old.endswith("; fix: the command on the xentlearn-no-such-package line installs "
                        "it too")
    assert checks["no-such-tool"].endswith("installs it too")
    assert out.count("pip install") == 1
    assert "no-such-test-tool" not in out
    assert _problems(checks) == ["xentlearn-no-such-package", "pytest", "no-such-tool"]
    assert out.rstrip().endswith(f"3 of {len(checks)} checks found a problem: fix them as "
                                 "shown, then run the doctor again.")


def test_outside_a_checkout_the_command_installs_the_course_extra(tmp_path):
    """An installed xentlearn (no pyproject.toml beside it): the course extra, from the
    repository."""
    shutil.copytree(ROOT / "xentlearn", tmp_path / "xentlearn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    code = ("from xentlearn import doctor\n"
            "print(doctor.__file__)\n"
            "print(doctor.check_packages(['no-such-package>=1'], imports=False)[0].fix)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    where, fix = out.stdout.strip().split("\n")
    assert where.startswith(str(tmp_path))
    from xentlearn.course import INSTALL

    assert fix.endswith(f" -m pip install '{INSTALL}'"), fix  # from the repository


def test_in_a_python_with_nothing_installed_every_check_answers(tmp_path):
    """No site-packages (``python -S``), so no xentlearn metadata, no numpy, no Jupyter:
    the doctor still reports, line by line, and exits 1."""
    shutil.copytree(ROOT / "xentlearn", tmp_path / "xentlearn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = _doctor("--timeout", "20", env={"PYTHONPATH": str(tmp_path)}, cwd=tmp_path,
                  python=("-S",))
    assert "Traceback" not in out.stdout + out.stderr, out.stderr
    assert out.returncode == 1
    checks = _checks(out.stdout)
    assert list(checks) == REGISTERED
    assert "xentlearn is not installed" in checks["packages"]
    # a copy of the package, not a checkout: the course extra again, from where it comes
    assert "--force-reinstall 'xentlearn[course] @ git+https://" in checks["packages"]
    assert all(line.startswith("PROBLEM") for line in checks.values()), out.stdout


# --- Python ----------------------------------------------------------------------------------


def test_a_wrong_python_version_is_a_problem_with_the_fix(capsys):
    def old_python(context):
        return doctor.check_python(version=(3, 9, 18))

    assert doctor.main([], checks=_with(Python=old_python, **QUICK)) == 1
    out = capsys.readouterr().out
    line = _checks(out)["Python"]
    needs = PROJECT["requires-python"]
    assert line.startswith(f"PROBLEM  Python              3.9.18 (needs {needs}); fix: ")
    assert f"install Python {needs.removeprefix('>=')} or newer" in line
    assert "rm -rf .venv" in line and "make lab PYTHON=" in line
    assert out.rstrip().endswith(f"1 of {len(_checks(out))} checks found a problem: fix them "
                                 "as shown, then run the doctor again.")


def test_the_python_version_this_one_passes():
    assert doctor.check_python().ok
    assert doctor.check_python(">=3.10", (3, 10, 0)).ok
    assert not doctor.check_python(">=3.10,<3.12", (3, 12, 0)).ok
    assert "a Python >=3.10,<3.12" in doctor.check_python(">=3.10,<3.12", (3, 12, 0)).fix


# --- the kernel ------------------------------------------------------------------------------


def test_a_kernel_that_dies_is_reported_with_the_fix(monkeypatch, tmp_path, capsys):
    spec = _kernel_spec(tmp_path, "import sys", "sys.exit('simulated: this kernel cannot start')")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    checks = [doctor.CHECKS[n] for n in ("Python", "kernel", "inline figures")]
    assert doctor.main([], checks=checks) == 1
    found = _checks(capsys.readouterr().out)
    assert list(found) == ["Python", "kernel", "inline figures"]
    kernel, figures = found["kernel"], found["inline figures"]
    assert kernel.startswith("PROBLEM  kernel ")
    assert "'python3' kernel died while starting" in kernel
    assert str(spec) in kernel and "simulated: this kernel cannot start" in kernel
    assert kernel.endswith("-m pip install --force-reinstall 'ipykernel>=6'")
    assert figures.startswith("PROBLEM  inline figures ")
    assert "fix the kernel (the line above) first" in figures
    assert found["Python"].startswith("ok ")


def test_a_kernel_that_never_answers_times_out(monkeypatch, tmp_path):
    _kernel_spec(tmp_path, "import time", "time.sleep(60)")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    start = time.monotonic()
    result, = doctor.CHECKS["kernel"].run(timeout=2)
    assert time.monotonic() - start < 10
    assert not result.ok
    assert "'python3' kernel did not answer within 2 s" in result.detail
    assert result.fix.startswith(SLOW_MACHINE)


def test_a_kernel_spec_that_is_missing_or_cannot_run(monkeypatch, tmp_path):
    with doctor.Context(timeout=5, kernel_name="no-such-kernel") as context:
        result, = doctor.CHECKS["kernel"].run(context)
        assert context.kernel_problem == result.detail
    assert not result.ok and "no 'no-such-kernel' kernel is installed" in result.detail
    assert result.fix.endswith("-m ipykernel install --sys-prefix")

    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [str(tmp_path / "no-such-program")],
                                                  "display_name": "x", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    result, = doctor.CHECKS["kernel"].run(timeout=5)
    assert not result.ok and "'python3' kernel did not start" in result.detail
    assert "FileNotFoundError" in result.detail


def test_a_kernel_without_xentlearn_is_reported(monkeypatch, tmp_path):
    """A kernel of another Python: starts, adds, but cannot import the course."""
    _kernel_spec(tmp_path, "import sys", "sys.modules['xentlearn'] = None",
                 "from ipykernel import kernelapp", "kernelapp.launch_new_instance()")
    # ipykernel_launcher's arguments: the connection file comes after the code
    spec = tmp_path / "kernels" / "python3" / "kernel.json"
    data = json.loads(spec.read_text())
    data["argv"] += ["-f", "{connection_file}"]
    spec.write_text(json.dumps(data))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    with doctor.Context(timeout=30) as context:
        result, = doctor.CHECKS["kernel"].run(context)
        figures, = doctor.CHECKS["inline figures"].run(context)
    assert not result.ok
    assert "cannot import xentlearn" in result.detail and str(spec.parent) in result.fix
    assert not figures.ok and "not checked" in figures.detail


# --- a home folder nobody can write to -------------------------------------------------------


def test_a_home_folder_that_cannot_be_written_names_the_folders(tmp_path, monkeypatch):
    blocker = _unwritable_home(tmp_path, monkeypatch)
    result, = doctor.CHECKS["Jupyter folders"].run()
    assert not result.ok
    home = blocker / "home"
    assert (f"cannot write to {home}/.local/share/jupyter/runtime (runtime files: JupyterLab "
            f"does not start without them): {blocker} is not a folder") in result.detail
    assert f"cannot write to {home}/.jupyter" in result.detail
    assert result.fix.startswith(f"make your home folder {home} one you can write to (or set "
                                 "HOME), or set JUPYTER_RUNTIME_DIR, JUPYTER_CONFIG_DIR to")
    assert "ipykernel" not in result.fix

    # the other way out the fix names: Jupyter's folders moved elsewhere
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    assert doctor.CHECKS["Jupyter folders"].run()[0].ok


def test_the_doctor_run_with_a_home_nobody_can_write_to(tmp_path):
    """The whole report: the folders are the one problem (IPython copes on its own, so the
    kernel starts), and the report is not interrupted by IPython's warning."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in FOLDER_VARIABLES}
    env["HOME"] = str(blocker / "home")
    out = subprocess.run([sys.executable, "-m", "xentlearn", "doctor"], capture_output=True,
                         text=True, cwd=ROOT, timeout=180, env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    checks = _checks(out.stdout)
    assert _problems(checks) == ["Jupyter folders"], out.stdout
    assert f"{blocker} is not a folder" in checks["Jupyter folders"]
    assert "Warning" not in out.stderr and "Traceback" not in out.stderr, out.stderr


@pytest.mark.filterwarnings("ignore:IPython parent .* is not a writable location")
def test_a_kernel_that_dies_writing_to_home_is_not_told_to_reinstall(tmp_path, monkeypatch):
    """ipykernel creates the IPython profile as it starts; where it cannot, the fix is the
    folder, not a reinstall."""
    specs = tmp_path / "specs"
    _kernel_spec(specs, "import os",
                 "os.makedirs(os.path.expanduser('~/.ipython/profile_default/security'))")
    monkeypatch.setenv("JUPYTER_PATH", str(specs))
    blocker = _unwritable_home(tmp_path, monkeypatch)
    result, = doctor.CHECKS["kernel"].run(timeout=20)
    assert not result.ok and "kernel died while starting" in result.detail
    assert "NotADirectoryError" in result.detail
    assert "ipykernel" not in result.fix and "HOME" in result.fix

    # Jupyter's own folders moved: what the kernel's stderr names is the folder to fix
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    result, = doctor.CHECKS["kernel"].run(timeout=20)
    assert not result.ok and "ipykernel" not in result.fix
    assert f"it could not write to {blocker / 'home'}" in result.detail
    assert "IPYTHONDIR" in result.fix


# --- JupyterLab, data sets, the harness ------------------------------------------------------


def test_the_widget_front_end_missing_or_disabled(monkeypatch, tmp_path):
    import jupyter_core.paths

    ext = tmp_path / "labextensions"
    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *parts: [str(ext)])
    monkeypatch.setattr(jupyter_core.paths, "jupyter_config_path", lambda: [str(tmp_path)])
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    front_end = doctor.CHECKS["widgets front end"]
    result, = front_end.run()
    assert not result.ok and "@jupyter-widgets/jupyterlab-manager is not installed" in \
        result.detail
    assert "--force-reinstall jupyterlab_widgets" in result.fix

    package = ext / "@jupyter-widgets" / "jupyterlab-manager" / "package.json"
    package.parent.mkdir(parents=True)
    package.write_text(json.dumps({"name": "@jupyter-widgets/jupyterlab-manager",
                                   "version": "5.0.16"}))
    assert front_end.run()[0].ok

    config = tmp_path / "labconfig" / "page_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"disabledExtensions":
                                  {"@jupyter-widgets/jupyterlab-manager": True}}))
    result, = front_end.run()
    assert not result.ok and f"disabled by {config}" in result.detail
    assert result.fix.endswith("labextension enable @jupyter-widgets/jupyterlab-manager")

    config.write_text(json.dumps({"disabledExtensions":
                                  {"@jupyter-widgets/jupyterlab-manager": False}}))
    assert front_end.run()[0].ok


def test_a_data_set_that_fails_to_load(monkeypatch):
    import xentlearn.datasets

    def broken(*args, **kwargs):
        raise OSError("simulated: the data files are missing")

    monkeypatch.setattr(xentlearn.datasets, "load_digits_split", broken)
    result, = doctor.CHECKS["data sets"].run()
    assert not result.ok
    assert result.detail == "OSError: simulated: the data files are missing"
    assert "scikit-learn" in result.fix


def test_a_check_that_hangs_or_breaks_is_a_problem_not_a_crash():
    start = time.monotonic()
    hung, = doctor.Check("slow", lambda context: time.sleep(5)).run(timeout=0.3)
    assert time.monotonic() - start < 2
    assert not hung.ok and hung.detail == "no answer within 0.3 s" and hung.fix == SLOW_MACHINE

    broke, = doctor.Check("broken", lambda context: 1 / 0).run(timeout=5)
    assert not broke.ok and "ZeroDivisionError" in broke.detail


def test_the_slow_machine_fix_is_written_once():
    sources = "".join(p.read_text(encoding="utf-8")
                      for p in Path(doctor.__file__).parent.glob("*.py"))
    assert sources.count("--timeout 120") == 1


# --- --timeout -------------------------------------------------------------------------------


@pytest.mark.parametrize("value, message", [
    ("1e10", "expected at most 3600 seconds (1 hour), got '1e10'"),
    ("3600.5", "expected at most 3600 seconds (1 hour), got '3600.5'"),
    ("inf", "expected a positive, finite number of seconds, got 'inf'"),
    ("0", "expected a positive, finite number of seconds, got '0'"),
    ("soon", "expected a number of seconds, got 'soon'")])
def test_timeout_is_bounded_and_refused_with_a_message(value, message, capsys):
    from xentlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["doctor", "--timeout", value])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --timeout: {message}" in err and "Traceback" not in err


def test_timeout_limits_hold_from_the_shell_and_in_python():
    out = _doctor("--timeout", "1e10")
    assert out.returncode == 2 and out.stdout == ""
    assert "argument --timeout: expected at most 3600 seconds" in out.stderr
    assert "Traceback" not in out.stderr
    with pytest.raises(ValueError, match="at most 3600"):
        doctor.run(1e10)
    import argparse

    parser = argparse.ArgumentParser()
    doctor.add_arguments(parser)
    assert parser.parse_args(["--timeout", "3600"]).timeout == doctor.MAX_TIMEOUT == 3600
