"""The project's frame: dependency lists in step, commands present, import stays light."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
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
    core = ["_validation", "activations", "information", "losses", "grad", "distributions",
            "models", "calibration"]
    allowed = {"numpy"} | set(sys.stdlib_module_names)
    for name in core:
        source = (ROOT / "xentlearn" / f"{name}.py").read_text()
        imported = set(re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][\w]*)", source, re.M))
        assert imported <= allowed, f"{name}.py imports {sorted(imported - allowed)}"
