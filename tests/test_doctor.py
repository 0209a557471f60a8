"""The pre-flight check, ``python -m xentlearn doctor``.

Run once for real here (every check must pass in the course's own environment); the
failures are made on the spot: requirements that cannot be met, an old Python, a
kernel spec whose kernel dies or never answers, a missing or disabled widget front end,
a data set that fails to load, a check that hangs.
"""

from __future__ import annotations

import functools
import json
import re
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
SLOW = ("data sets", "exercises", "kernel", "inline figures")


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0]


#: The packages the doctor must check: pyproject's runtime and course requirements.
PACKAGES = [_name(r) for r in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["course"]]
NAMES = ["Python", *PACKAGES, "widgets front end", *SLOW]


def _checks(output: str) -> dict[str, str]:
    """The report's check lines by name; every line but the first and last is one."""
    lines = output.rstrip("\n").split("\n")
    assert lines[0].startswith("xentlearn doctor: "), lines[0]
    body = lines[1:-1]
    assert all(LINE.match(line) for line in body), body
    found = {LINE.match(line)["name"]: line for line in body}
    assert len(found) == len(body), "a check reported twice"
    return found


def _ok_stub(name: str):
    return lambda *args: doctor.Result(name, True, "(not run in this test)")


@pytest.fixture
def quick(monkeypatch):
    """The slow checks (data sets, exercises, kernel, figures) replaced by ok stubs."""
    monkeypatch.setattr(doctor, "_check_datasets", _ok_stub("data sets"))
    monkeypatch.setattr(doctor, "_check_exercises", _ok_stub("exercises"))
    monkeypatch.setattr(doctor, "_check_kernel", _ok_stub("kernel"))
    monkeypatch.setattr(doctor, "_check_inline_figures", _ok_stub("inline figures"))


def _kernel_spec(root: Path, *code: str) -> Path:
    """A ``python3`` kernel spec under ``root`` (for JUPYTER_PATH) that runs ``code``."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-c", "\n".join(code)]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "broken",
                                                  "language": "python"}))
    return spec


# --- the real thing --------------------------------------------------------------------------


def test_every_check_passes_in_the_course_environment():
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "xentlearn", "doctor"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
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
    assert elapsed < 60, f"the doctor took {elapsed:.0f} s"
    assert "Traceback" not in out.stderr, out.stderr


def test_help_explains_the_checks_and_the_exit_status(capsys):
    from xentlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["doctor", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for words in ("Python version", "kernel starts", "matplotlib draws inline",
                  "exits with status 1", "--timeout", ".venv/bin/python -m xentlearn doctor"):
        assert words.lower() in " ".join(text.split()).lower(), words


def test_the_packages_are_pyprojects_runtime_and_course_requirements():
    """Read from the installed metadata, which must say what pyproject.toml says."""
    results = doctor.check_packages()
    assert [r.name for r in results] == PACKAGES
    for result, requirement in zip(results, PROJECT["dependencies"] +
                                   PROJECT["optional-dependencies"]["course"], strict=True):
        assert result.ok, result.line()
        assert result.detail.endswith(f"(needs {requirement[len(_name(requirement)):]})")


def test_import_xentlearn_leaves_the_doctor_and_jupyter_out():
    code = ("import sys, xentlearn; a = [m for m in ('xentlearn.doctor', 'jupyter_client') "
            "if m in sys.modules]; import xentlearn.doctor; "
            "b = [m for m in ('jupyter_client', 'jupyter_core', 'packaging') if m in sys.modules];"
            " print(a, b)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[] []"


# --- simulated problems ----------------------------------------------------------------------


def test_a_missing_and_an_old_package_are_problems_with_the_pip_command(quick, monkeypatch,
                                                                       capsys):
    real = doctor._requirements()
    monkeypatch.setattr(doctor, "_requirements", lambda: [
        *real, 'xentlearn-no-such-package>=1.2; extra == "course"', "pytest>=999",
        'no-such-test-tool>=1; extra == "test"'])  # another extra: not the doctor's business
    assert doctor.main([]) == 1
    out = capsys.readouterr().out
    checks = _checks(out)
    python = doctor._python()
    missing = checks["xentlearn-no-such-package"]
    assert missing.startswith("PROBLEM ")
    assert "not installed (needs >=1.2)" in missing
    assert missing.endswith(f"; fix: {python} -m pip install 'xentlearn-no-such-package>=1.2'")
    old = checks["pytest"]
    assert old.startswith("PROBLEM ") and "installed, needs >=999" in old
    assert old.endswith(f"; fix: {python} -m pip install --upgrade 'pytest>=999'")
    assert "no-such-test-tool" not in out
    assert [n for n, line in checks.items() if line.startswith("PROBLEM")] == [
        "xentlearn-no-such-package", "pytest"]
    assert out.rstrip().endswith(f"2 of {len(checks)} checks found a problem: fix them as "
                                 "shown, then run the doctor again.")


def test_xentlearn_not_installed_is_one_problem_line(quick, monkeypatch, capsys):
    def not_installed():
        raise doctor.metadata.PackageNotFoundError("xentlearn")

    monkeypatch.setattr(doctor, "_requirements", not_installed)
    assert doctor.main([]) == 1
    line = _checks(capsys.readouterr().out)["packages"]
    assert line.startswith("PROBLEM ") and "xentlearn is not installed" in line
    assert "`make lab`" in line


def test_a_wrong_python_version_is_a_problem_with_the_fix(quick, monkeypatch, capsys):
    monkeypatch.setattr(doctor, "check_python",
                        functools.partial(doctor.check_python, version=(3, 9, 18)))
    assert doctor.main([]) == 1
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


def test_a_kernel_that_dies_is_reported_with_the_fix(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(doctor, "_check_datasets", _ok_stub("data sets"))
    monkeypatch.setattr(doctor, "_check_exercises", _ok_stub("exercises"))
    spec = _kernel_spec(tmp_path, "import sys", "sys.exit('simulated: this kernel cannot start')")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    assert doctor.main([]) == 1
    checks = _checks(capsys.readouterr().out)
    kernel, figures = checks["kernel"], checks["inline figures"]
    assert kernel.startswith("PROBLEM  kernel ")
    assert "'python3' kernel died while starting" in kernel
    assert str(spec) in kernel and "simulated: this kernel cannot start" in kernel
    assert kernel.endswith("-m pip install --force-reinstall 'ipykernel>=6'")
    assert figures.startswith("PROBLEM  inline figures ")
    assert "fix the kernel (the line above) first" in figures
    assert checks["Python"].startswith("ok ")


def test_a_kernel_that_never_answers_times_out(monkeypatch, tmp_path):
    _kernel_spec(tmp_path, "import time", "time.sleep(60)")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    kernel = doctor._Kernel()
    start = time.monotonic()
    try:
        result = doctor._check_kernel(kernel, timeout=2)
    finally:
        kernel.close()
    assert time.monotonic() - start < 10
    assert not result.ok
    assert "'python3' kernel did not answer within 2 s" in result.detail
    assert "--timeout 120" in result.fix


def test_a_kernel_spec_that_is_missing_or_cannot_run(monkeypatch, tmp_path):
    kernel = doctor._Kernel("no-such-kernel")
    try:
        result = doctor._check_kernel(kernel, timeout=5)
    finally:
        kernel.close()
    assert not result.ok and "no 'no-such-kernel' kernel is installed" in result.detail
    assert result.fix.endswith("-m ipykernel install --sys-prefix")

    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [str(tmp_path / "no-such-program")],
                                                  "display_name": "x", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    kernel = doctor._Kernel()
    try:
        result = doctor._check_kernel(kernel, timeout=5)
    finally:
        kernel.close()
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
    kernel = doctor._Kernel()
    try:
        result = doctor._check_kernel(kernel, timeout=30)
        figures = doctor._check_inline_figures(kernel, timeout=30)
    finally:
        kernel.close()
    assert not result.ok
    assert "cannot import xentlearn" in result.detail and str(spec.parent) in result.fix
    assert not figures.ok


def test_the_widget_front_end_missing_or_disabled(monkeypatch, tmp_path):
    import jupyter_core.paths

    ext = tmp_path / "labextensions"
    monkeypatch.setattr(jupyter_core.paths, "jupyter_path", lambda *parts: [str(ext)])
    monkeypatch.setattr(jupyter_core.paths, "jupyter_config_path", lambda: [str(tmp_path)])
    monkeypatch.setattr(doctor.sys, "prefix", str(tmp_path / "prefix"))
    result = doctor._check_widgets_frontend()
    assert not result.ok and "@jupyter-widgets/jupyterlab-manager is not installed" in \
        result.detail
    assert "--force-reinstall jupyterlab_widgets" in result.fix

    package = ext / "@jupyter-widgets" / "jupyterlab-manager" / "package.json"
    package.parent.mkdir(parents=True)
    package.write_text(json.dumps({"name": "@jupyter-widgets/jupyterlab-manager",
                                   "version": "5.0.16"}))
    assert doctor._check_widgets_frontend().ok

    config = tmp_path / "labconfig" / "page_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"disabledExtensions":
                                  {"@jupyter-widgets/jupyterlab-manager": True}}))
    result = doctor._check_widgets_frontend()
    assert not result.ok and f"disabled by {config}" in result.detail
    assert result.fix.endswith("labextension enable @jupyter-widgets/jupyterlab-manager")

    config.write_text(json.dumps({"disabledExtensions":
                                  {"@jupyter-widgets/jupyterlab-manager": False}}))
    assert doctor._check_widgets_frontend().ok


def test_a_data_set_that_fails_to_load(monkeypatch):
    import xentlearn.datasets

    def broken(*args, **kwargs):
        raise OSError("simulated: the data files are missing")

    monkeypatch.setattr(xentlearn.datasets, "load_digits_split", broken)
    result = doctor._check_datasets()
    assert not result.ok
    assert result.detail == "OSError: simulated: the data files are missing"
    assert "scikit-learn" in result.fix


def test_a_check_that_hangs_or_breaks_is_a_problem_not_a_crash():
    start = time.monotonic()
    hung, = doctor._with_timeout("slow", lambda: time.sleep(5), 0.3)
    assert time.monotonic() - start < 2
    assert not hung.ok and hung.detail == "no answer within 0.3 s" and "--timeout" in hung.fix

    broke, = doctor._with_timeout("broken", lambda: 1 / 0, 5)
    assert not broke.ok and "ZeroDivisionError" in broke.detail
