"""JupyterLab's side: ipywidgets' front end, and the folders Jupyter writes to."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from . import _fixes
from ._core import Context, Result, check

#: The JupyterLab extension that draws ipywidgets (shipped by jupyterlab_widgets).
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


def _disabled_in(config_dirs: list[str], name: str) -> str | None:
    """The page_config.json (JupyterLab's own or a labconfig) that disables ``name``."""
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


@check("widgets front end")
def widgets_front_end(context: Context) -> Result:
    """``@jupyter-widgets/jupyterlab-manager`` among this environment's labextensions,
    installed and not disabled."""
    name = "widgets front end"
    reinstall = (_fixes.pip("--force-reinstall", "jupyterlab_widgets")
                 + ", then restart JupyterLab")
    try:
        from jupyter_core.paths import jupyter_config_path, jupyter_path
    except ImportError:
        return Result(name, False, "JupyterLab is not installed", _fixes.install_course())
    for folder in jupyter_path("labextensions"):
        package = Path(folder, *WIDGETS_EXTENSION.split("/"), "package.json")
        if not package.is_file():
            continue
        try:
            version = json.loads(package.read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            return Result(name, False, f"{WIDGETS_EXTENSION} is damaged "
                          f"({_fixes.shown(package)})", reinstall)
        where = _disabled_in(jupyter_config_path(), WIDGETS_EXTENSION)
        if where:
            jupyter = _fixes.shown(Path(sys.executable).with_name("jupyter"))
            return Result(name, False, f"{WIDGETS_EXTENSION} {version} is disabled by {where}",
                          f"{jupyter} labextension enable {WIDGETS_EXTENSION}")
        return Result(name, True, f"{WIDGETS_EXTENSION} {version} in {_fixes.shown(folder)}")
    return Result(name, False, f"{WIDGETS_EXTENSION} is not installed: sliders will not "
                  "show", reinstall)


# --- the folders Jupyter writes to -----------------------------------------------------------


def why_unwritable(path: str | os.PathLike) -> str | None:
    """Why this user cannot write in ``path`` (or create it), or None when they can.

    Asks the system (``os.access``) about the folder itself or, where it is missing,
    the nearest folder above it that exists; writes nothing.

    Examples
    --------
    >>> import tempfile
    >>> why_unwritable(tempfile.gettempdir()) is None
    True
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     why_unwritable(f"{f.name}/home/.jupyter") == f"{f.name} is not a folder"
    True
    """
    path = probe = Path(path)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return "it is read-only for you" if probe == path else f"{probe} is read-only for you"
    return None


def _ipython_profile() -> Path:
    """IPython's default profile, which ipykernel opens (and creates) as a kernel starts."""
    home = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    return Path(home).expanduser() / "profile_default"


def jupyter_folders() -> list[tuple[str, Path, str]]:
    """The folders JupyterLab and its kernels write to: (variable that moves it, folder,
    what goes there).

    Examples
    --------
    >>> [variable for variable, _, _ in jupyter_folders()]
    ['JUPYTER_RUNTIME_DIR', 'JUPYTER_CONFIG_DIR', 'IPYTHONDIR']
    """
    from jupyter_core.paths import jupyter_config_dir, jupyter_runtime_dir

    return [("JUPYTER_RUNTIME_DIR", Path(jupyter_runtime_dir()),
             "runtime files: JupyterLab does not start without them"),
            ("JUPYTER_CONFIG_DIR", Path(jupyter_config_dir()),
             "JupyterLab's settings and workspaces"),
            ("IPYTHONDIR", _ipython_profile(), "the kernels' IPython profile")]


def _tilde(path: Path) -> str:
    """``path`` with the home folder written ``~``."""
    home = Path(os.path.expanduser("~"))
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else _fixes.shown(path)


def _unwritable(path: Path, variable: str) -> str | None:
    if variable != "IPYTHONDIR":
        return why_unwritable(path)
    # IPython itself falls back to a temporary folder when it cannot create its own; a
    # profile that exists but cannot be written to (one made by `sudo`, say) stops ipykernel
    if not path.is_dir():
        return None
    for folder in [path, *(p for p in path.iterdir() if p.is_dir())]:
        why = why_unwritable(folder)
        if why:
            return f"{folder} is read-only for you" if folder != path else why
    return None


def folder_problems() -> tuple[str, str] | None:
    """The folders Jupyter cannot write to, and the fix; None when it can write to all.

    Returns
    -------
    (str, str) or None
        What is wrong (each folder, what it is for, and why) and what to do.

    Examples
    --------
    >>> folder_problems() is None                         # doctest: +SKIP
    True
    """
    found = [(variable, path, purpose, why) for variable, path, purpose in jupyter_folders()
             for why in [_unwritable(path, variable)] if why]
    if not found:
        return None
    detail = "; ".join(f"cannot write to {_fixes.shown(path)} ({purpose}): {why}"
                       for _, path, purpose, why in found)
    variables = ", ".join(variable for variable, *_ in found)
    home = os.path.expanduser("~")
    if all(Path(path).is_relative_to(home) for _, path, _, _ in found):
        first = f"make your home folder {_fixes.shown(home)} one you can write to (or set HOME)"
    else:
        first = "make " + ", ".join(_fixes.shown(p) for _, p, _, _ in found) + \
            " writable for you"
    return detail, f"{first}, or set {variables} to folders you can write to"


@check("Jupyter folders")
def jupyter_folders_writable(context: Context) -> Result:
    """The folders JupyterLab and its kernels write to (runtime files, settings, the
    IPython profile): this user can write to them, or create them."""
    name = "Jupyter folders"
    try:
        import jupyter_core.paths  # noqa: F401
    except ImportError:
        return Result(name, False, "not checked: Jupyter is not installed",
                      _fixes.install_course())
    problems = folder_problems()
    if problems:
        return Result(name, False, *problems)
    return Result(name, True, "writable: " + ", ".join(_tilde(path) for _, path, _ in
                                                     jupyter_folders()))
