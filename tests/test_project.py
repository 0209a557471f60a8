"""The project's frame: dependency lists in step, commands present, import stays light."""

from __future__ import annotations

import doctest
import json
import os
import re
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The normalised package name of a requirement such as 'numpy>=1.24'."""
    name = re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _pyproject_packages() -> set[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = data["project"]
    names = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        names |= {_name(r) for r in reqs if not r.startswith("xentlearn")}
    return names


def _environment_packages(path: Path = ROOT / "environment.yml") -> tuple[set[str], list[str]]:
    """Conda packages and pip entries under ``dependencies:`` of a conda environment file.

    Read line by line (no YAML library needed): top-level keys, ``- item`` lines, and
    the indented list under ``- pip:``.
    """
    conda, pip = set(), []
    section, in_pip = None, False
    for line in path.read_text().splitlines():
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if not text.startswith((" ", "-")):
            section, in_pip = text.split(":", 1)[0], False
            continue
        m = re.match(r"^(\s*)-\s+(.*)$", text)
        if section != "dependencies" or m is None:
            continue
        indent, item = m.groups()
        if item == "pip:":
            in_pip = True
        elif in_pip and len(indent) > 2:
            pip.append(item)
        else:
            in_pip = False
            conda.add(_name(item))
    return conda - {"python", "pip"}, pip


def _pip_packages(pip: list[str]) -> set[str]:
    """Named packages of a ``pip:`` list (not ``-e .``): those conda-forge does not carry."""
    return {_name(entry) for entry in pip if not entry.startswith(("-", "."))}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    conda, pip = _environment_packages()
    listed = conda | _pip_packages(pip)
    pyproject = _pyproject_packages()
    assert not conda & _pip_packages(pip), "a package listed for both conda and pip"
    assert listed == pyproject, (
        f"only in environment.yml: {sorted(listed - pyproject)}; "
        f"only in pyproject.toml: {sorted(pyproject - listed)}"
    )


def test_binder_environment_has_what_the_chapters_need_and_postbuild_installs_xentlearn():
    """repo2docker builds binder/environment.yml before the repository is copied in, so the
    package comes from postBuild, not from a ``pip: -e .`` entry."""
    conda, pip = _environment_packages(ROOT / "binder" / "environment.yml")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {_name(r) for r in project["dependencies"]}
    needed |= {_name(r) for r in project["optional-dependencies"]["course"]}
    assert conda | _pip_packages(pip) == needed
    assert not any(entry.startswith(("-e", ".")) for entry in pip), pip
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    commands = [line for line in post_build.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert any(re.search(r"pip install .*(\s\.|-e \.)$", line) for line in commands), commands


NOTIFICATION = "@jupyterlab/apputils-extension:notification"
WELCOME = "notebooks/00_welcome.ipynb"
LAB_FILES = {  # the project's file -> where it goes in the environment (sys.prefix)
    "lab/overrides.json": "share/jupyter/lab/settings/overrides.json",
    "lab/jupyter_server_config.json": "etc/jupyter/jupyter_server_config.json",
}


def test_lab_settings_switch_the_news_and_update_checks_off():
    overrides = json.loads((ROOT / "lab" / "overrides.json").read_text())
    settings = overrides[NOTIFICATION]
    assert settings["fetchNews"] == "false", settings  # a string: "true", "false" or "none"
    assert settings["checkForUpdates"] is False, settings
    # The plugin and its keys as the installed JupyterLab spells them, values of the right type.
    schema = (Path(sys.prefix) / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension"
              / "notification.json")
    if schema.exists():
        properties = json.loads(schema.read_text())["properties"]
        assert set(settings) <= set(properties), sorted(set(settings) - set(properties))
        assert "false" in [choice["const"] for choice in properties["fetchNews"]["oneOf"]]
        assert properties["checkForUpdates"]["type"] == "boolean"


def test_lab_server_config_hides_the_clutter_but_not_the_course():
    config = json.loads((ROOT / "lab" / "jupyter_server_config.json").read_text())
    lab = config["LabApp"]
    assert lab["news_url"] is None and lab["extension_manager"] == "readonly", lab
    assert lab["check_for_updates_class"] == "jupyterlab.NeverCheckForUpdate", lab
    globs = config["ContentsManager"]["hide_globs"]
    for clutter in ("xentlearn.egg-info", "__pycache__", "_build", "screenshots", "x.pyc",
                    ".pytest_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints"):
        assert any(fnmatch(clutter, g) for g in globs), f"{clutter} is not hidden"
    course = {"notebooks", "exercises", "solutions", "xentlearn", "README.md"}
    for folder in ("notebooks", "exercises", "exercises/solutions"):
        course |= {p.name for p in (ROOT / folder).iterdir() if not p.name.startswith(".")}
    hidden = sorted(n for n in course if n != "__pycache__" and any(fnmatch(n, g) for g in globs))
    assert not hidden, f"course files hidden from the file browser: {hidden}"


@pytest.mark.parametrize("target", ["lab", "test-browser"])
def test_make_installs_the_lab_settings_before_starting_jupyterlab(target, tmp_path):
    """What make would run in a fresh clone (no .venv yet): ``make -n``."""
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    out = subprocess.run(["make", "-n", "--no-print-directory", target, "NO_BROWSER=1",
                          f"VENV={venv}"], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    start = next(i for i, line in enumerate(out)
                 if re.search(r"bin/jupyter lab |bin/python -m pytest tests/browser", line))
    for source, target_path in LAB_FILES.items():
        copy = f"cp {source} {venv}/{target_path}"
        assert copy in out[:start], f"`make {target}` does not run {copy!r} first:\n" + \
            "\n".join(out)
    if target == "lab":
        assert f"--LabApp.default_url=/lab/tree/{WELCOME}" in out[start], out[start]
        assert (ROOT / WELCOME).exists()


def test_binder_postbuild_installs_the_lab_settings(tmp_path):
    """postBuild run with a stand-in ``python``: pip is recorded, sys.prefix is a folder here."""
    if shutil.which("bash") is None or shutil.which("install") is None:
        pytest.skip("needs bash and install(1)")
    prefix, calls = tmp_path / "env", tmp_path / "calls"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python"
    fake.write_text(f'#!/bin/bash\nif [ "$1" = -c ]; then echo "{prefix}"; '
                    f'else echo "$*" >> "{calls}"; fi\n')
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", str(ROOT / "binder" / "postBuild")], cwd=ROOT, env=env, check=True)
    assert "-m pip install" in calls.read_text()
    for source, target_path in LAB_FILES.items():
        installed = prefix / target_path
        assert installed.exists(), f"postBuild did not install {source} as {installed}"
        assert installed.read_bytes() == (ROOT / source).read_bytes()


def test_environment_yml_installs_the_project_itself_with_pip():
    _, pip = _environment_packages()
    assert any(entry.replace(" ", "") in ("-e.", ".") for entry in pip), pip


def test_environment_yml_uses_conda_forge_and_a_supported_python():
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text
    assert re.search(r"python>=3\.1\d", text)


def test_extras_are_as_documented():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    names = {k: {_name(r) for r in v} for k, v in extras.items()}
    assert {"jupyterlab", "ipywidgets", "ipykernel"} <= names["course"]
    assert {"pytest", "nbval", "hypothesis", "scipy", "mpmath"} <= names["test"]
    assert "ruff" in names["dev"] and "xentlearn" in names["dev"]


def test_makefile_has_the_readme_commands():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    for target in ("lab", "test", "notebooks", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target
        assert f"make {target}" in readme, target
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "set -e" in ci


def test_the_hub_targets_are_documented_and_ci_runs_the_hub_tests_last():
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    for target in ("hub", "hub-report", "hub-remove-users", "test-hub"):
        assert re.search(rf"^{target}:", makefile, re.M), target
        assert re.search(rf"^#\s+make {target}\b", makefile, re.M), f"header: make {target}"
        assert f"make {target}" in readme, target
    assert "HUB_IP=0.0.0.0" in readme and "--ignore=tests/hub" in makefile
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci[-1] == "make test-hub" and ci.index("make test") < len(ci) - 1


def test_readme_examples_print_what_the_readme_says():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5
    assert result.failed == 0


@pytest.mark.parametrize("module", ["xentlearn"])
def test_import_keeps_the_core_free_of_heavy_dependencies(module):
    code = (f"import sys, {module}; "
            "heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython', 'sklearn', 'scipy') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_modules_import_numpy_only():
    core = ["_validation", "activations", "information", "losses", "grad", "_lossprep",
            "_kernels", "distributions", "optimisers", "_heads", "models", "calibration"]
    allowed = {"numpy"} | set(sys.stdlib_module_names)
    for name in core:
        source = (ROOT / "xentlearn" / f"{name}.py").read_text()
        imported = set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][\w]*)", source, re.M))
        assert imported <= allowed, f"{name}.py imports {sorted(imported - allowed)}"


# --- what each command needs is declared ------------------------------------------------

DECLARED_ONLY = ROOT / "tests" / "declared_only"


def _declared(*extras: str) -> set[str]:
    """Normalised names xentlearn declares directly: its dependencies and these extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in extras:
        names |= {_name(r) for r in project["optional-dependencies"][extra]}
    return {re.sub(r"[-_.]+", "-", n) for n in names}


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level modules outside the standard library that xentlearn's code imports,
    each with the files that import it."""
    import ast

    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "xentlearn").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                tops = [alias.name.partition(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.partition(".")[0]]
            else:
                continue
            for top in tops:
                if top not in sys.stdlib_module_names and top not in ("xentlearn", "__future__"):
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_package_the_code_imports_is_declared_directly():
    """A module that arrives only as another package's dependency (nbclient through
    JupyterLab) can vanish when that package changes: declare what the code imports."""
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    declared = _declared("course")
    imports = _third_party_imports()
    assert {"numpy", "matplotlib", "nbclient", "nbformat", "jupyter_client"} <= set(imports)
    undeclared = {}
    for top, files in imports.items():
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(top, ())}
        assert dists, f"{top} (imported by {sorted(files)}) belongs to no installed package"
        if not dists & declared:
            undeclared[top] = (sorted(dists), sorted(files))
    assert not undeclared, f"imported but not declared in dependencies or [course]: {undeclared}"


def _run_declared_only(args: list[str], extras: str, tmp_path: Path, timeout: float = 240):
    env = {k: v for k, v in os.environ.items() if not k.startswith("XENTLEARN_")}
    env.update(PYTHONPATH=str(DECLARED_ONLY), XENTLEARN_DECLARED_EXTRAS=extras,
               XENTLEARN_BLOCKED_LOG=str(tmp_path / "blocked.log"), PYTHONHASHSEED="0")
    return subprocess.run([sys.executable, "-m", "xentlearn", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=timeout)


def test_the_declared_only_harness_hides_undeclared_packages(tmp_path):
    """The harness of the two tests below really hides what is not declared."""
    env = dict(os.environ, PYTHONPATH=str(DECLARED_ONLY), XENTLEARN_DECLARED_EXTRAS="course")
    code = ("import importlib.util as u\n"
            "for name in ('pytest', 'hypothesis', 'nbclient', 'numpy'):\n"
            "    try:\n"
            "        __import__(name); print(name, 'imported')\n"
            "    except ModuleNotFoundError:\n"
            "        print(name, 'hidden')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.splitlines()
    assert out == ["pytest hidden", "hypothesis hidden", "nbclient imported", "numpy imported"]


def test_progress_runs_with_exactly_the_declared_packages(tmp_path):
    """`python -m xentlearn progress`, kernels included, with the packages of
    `pip install "xentlearn[course]"` and nothing else importable."""
    solution = ROOT / "exercises" / "solutions" / "01_shannon_entropy.ipynb"
    shutil.copy(solution, tmp_path / solution.name)
    result = _run_declared_only(["progress", "--json", solution.name], "course", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (record,) = json.loads(result.stdout)
    assert record["status"] == "ok", record
    assert record["correct"] == record["total"] > 0, record


def test_doctor_runs_with_exactly_the_declared_packages(tmp_path):
    result = _run_declared_only(["doctor", "--timeout", "120"], "course", tmp_path)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-3000:]
    assert "PROBLEM" not in result.stdout


def test_the_wheel_builds_without_deprecation_warnings(tmp_path):
    """setuptools stops building projects with a table `license` after 2027-02-18: the
    metadata uses the SPDX form, and a build says nothing is deprecated."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    source = tmp_path / "src"
    for folder in ("xentlearn", "notebooks", "exercises", "lab"):  # the package, the course
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose", "--wheel-dir",
         str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines()
                if re.search(r"deprecat|BuildBackendWarning", line, re.I)]
    assert not warnings, "\n".join(warnings)
    (wheel,) = (tmp_path / "dist").glob("xentlearn-*.whl")
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))
    assert b"License-Expression: MIT" in meta
