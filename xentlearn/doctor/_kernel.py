"""The kernel: it starts, computes, imports the course, and draws figures inline."""

from __future__ import annotations

import os
import re
import sys
import time

from .._jupyter_kernels import error_text
from . import _fixes
from ._core import Context, Result, check
from ._jupyterlab import folder_problems

PNG_BASE64 = "iVBORw0KGgo"  # the PNG signature, base64-encoded

#: An error about a path the kernel could not write to, as a traceback's last line says it.
_CANNOT_WRITE = re.compile(r"(PermissionError|NotADirectoryError|OSError): \[Errno "
                           r"(?:13|20|30)\] [^:']*: '(?P<path>[^']+)'")


def _cannot_write(tail: str) -> tuple[str, str] | None:
    """When the kernel stopped because it could not write somewhere: what and the fix."""
    problems = folder_problems()
    if problems:
        return problems
    m = _CANNOT_WRITE.search(tail)
    if not m:
        return None
    path = _fixes.shown(m["path"])
    return (f"it could not write to {path}",
            f"make {path} (or the folder it is in) writable for you, or set HOME, IPYTHONDIR "
            "or JUPYTER_RUNTIME_DIR to folders you can write to")


@check("kernel", kernel=True, grace=5.0)
def kernel(context: Context) -> Result:
    """Start the kernel, run ``1+1``, then ``import xentlearn.losses`` in it."""
    name = "kernel"
    kernel = context.kernel
    reinstall = _fixes.pip("--force-reinstall", "ipykernel>=6")
    deadline = time.monotonic() + context.timeout

    def left() -> float:
        return max(deadline - time.monotonic(), 0.1)

    try:
        from jupyter_client.kernelspec import NoSuchKernel
    except ImportError:
        return Result(name, False, "jupyter_client is not installed", _fixes.install_course())
    try:
        kernel.start(left())
    except NoSuchKernel:
        return Result(name, False, f"no {kernel.kernel_name!r} kernel is installed",
                      f"{_fixes.python()} -m ipykernel install --sys-prefix")
    except (TimeoutError, RuntimeError, OSError) as exc:
        # jupyter_client raises RuntimeError both when the kernel dies and when it is too slow
        tail = kernel.stderr_tail()
        if isinstance(exc, OSError):
            why, fix = "did not start", reinstall
            tail = tail or f"{type(exc).__name__}: {exc}"[:160]
        elif kernel.alive():
            why = f"did not answer within {context.timeout:g} s"
            fix = f"{_fixes.SLOW_MACHINE}; if it still fails: {reinstall}"
        else:
            why, fix = "died while starting", reinstall
        spec = kernel.spec_folder()
        detail = (f"the {kernel.kernel_name!r} kernel {why} "
                  f"(spec {_fixes.shown(spec) if spec else '?'})" + (f": {tail}" if tail else ""))
        if fix == reinstall:
            writing = _cannot_write(tail)
            if writing is not None:
                detail, fix = f"{detail}; {writing[0]}", writing[1]
        return Result(name, False, detail, fix)
    try:
        content, outputs = kernel.execute("1+1", left())
        answer = next((m["content"]["data"].get("text/plain") for m in outputs
                       if m["header"]["msg_type"] == "execute_result"), None)
        if content.get("status") != "ok" or answer != "2":
            return Result(name, False, f"the kernel ran 1+1 but answered {answer!r}: "
                          f"{error_text(content, outputs, 160)}", reinstall)
        content, outputs = kernel.execute(
            "import sys\nprint(sys.prefix)\nprint(sys.executable)\nimport xentlearn.losses",
            left())
    except TimeoutError:
        return Result(name, False, "the kernel did not finish running code within "
                      f"{context.timeout:g} s", _fixes.SLOW_MACHINE)
    printed = "".join(m["content"].get("text", "") for m in outputs
                      if m["header"]["msg_type"] == "stream").split("\n")
    prefix, exe = (printed + ["", ""])[:2]
    if content.get("status") != "ok":
        error = error_text(content, outputs, 160)
        runs = f"the {kernel.kernel_name!r} kernel runs {_fixes.shown(exe) if exe else '?'}"
        if re.match(r"ModuleNotFoundError: (No module named|import of) '?xentlearn\b", error) or (
                prefix and os.path.abspath(prefix) != os.path.abspath(sys.prefix)):
            spec = kernel.spec_folder()
            return Result(name, False, f"{runs}, which cannot import xentlearn ({error})",
                          f"remove the kernel spec {_fixes.shown(spec) if spec else '?'} or "
                          f"run `{_fixes.python()} -m ipykernel install --sys-prefix`, so "
                          "the kernel is this environment's")
        return Result(name, False, f"{runs}, where `import xentlearn.losses` fails ({error})",
                      "fix the packages above first (this kernel runs the same Python); if "
                      f"they are all ok: {_fixes.reinstall_course()}")
    return Result(name, True, f"{kernel.kernel_name!r} started, 1+1 = 2, xentlearn imports "
                  f"({_fixes.shown(exe)})")


@check("inline figures", kernel=True, grace=5.0)
def inline_figures(context: Context) -> Result:
    """``%matplotlib inline`` and a figure in the kernel: a PNG image comes back."""
    name = "inline figures"
    if context.kernel_problem or context.kernel.kc is None:
        return Result(name, False, "not checked: the kernel is not usable",
                      "fix the kernel (the line above) first")
    code = ("%matplotlib inline\n"
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(figsize=(1, 1))\n"
            "ax.plot([0, 1], [0, 1])\n"
            "plt.show()\n")
    fix = _fixes.pip("--force-reinstall", "matplotlib>=3.7", "matplotlib-inline")
    try:
        content, outputs = context.kernel.execute(code, context.timeout)
    except TimeoutError:
        return Result(name, False, f"a figure took more than {context.timeout:g} s",
                      _fixes.SLOW_MACHINE)
    if content.get("status") != "ok":
        return Result(name, False, f"drawing failed: {error_text(content, outputs, 160)}", fix)
    images = [m["content"]["data"]["image/png"] for m in outputs
              if m["header"]["msg_type"] == "display_data"
              and "image/png" in m["content"].get("data", {})]
    if not images or not images[0].startswith(PNG_BASE64):
        kinds = sorted({k for m in outputs for k in m["content"].get("data", {})})
        return Result(name, False, f"%matplotlib inline showed no PNG image (got "
                      f"{', '.join(kinds) or 'nothing'})", fix)
    return Result(name, True, "%matplotlib inline draws a PNG image")
