"""Pre-flight check of a learner's machine: ``python -m xentlearn doctor``.

Before a workshop, each learner runs ``make lab`` once (it creates ``.venv`` and
installs the course) and then ``.venv/bin/python -m xentlearn doctor``, which checks,
in the Python that runs it:

* ``Python``: the Python version, against xentlearn's ``requires-python``;
* ``packages``: each package the course needs (the runtime dependencies and the
  ``course`` extra, as the installed xentlearn declares them, so the list is always
  pyproject.toml's), its version, and that it imports, in a fresh Python: a package
  that is broken, or hidden by another folder of its name, is found;
* ``widgets front end``: ipywidgets' front end (``@jupyter-widgets/jupyterlab-manager``)
  in the JupyterLab of this environment, installed and not disabled;
* ``Jupyter folders``: that JupyterLab and its kernels can write to their folders
  (runtime files, settings, the IPython profile, under the home folder by default);
* ``data sets``: that the data sets load (digits, breast cancer, the text), nothing
  downloaded;
* ``exercises``: that the exercises import (``from xentlearn.exercises import chapter``);
* ``kernel``: that the ``python3`` kernel starts, runs ``1+1`` and imports xentlearn;
* ``inline figures``: that matplotlib draws inline in that kernel (a PNG image).

It prints one line per check (``packages``: one per package), ``ok`` or ``PROBLEM``
with the fix, and exits with 1 when something needs fixing. Every check has a time
limit (``--timeout``, 30 s by default, an hour at most); the kernel's checks run
while the others do.

Each check is a :class:`Check` in the registry :data:`CHECKS`, in the order of the
report; ``CHECKS["packages"].run()`` runs one, :func:`run` runs them all.

Not part of the numeric core: ``import xentlearn`` does not import this package, and
this package imports neither numpy nor Jupyter's packages until a check runs, so it
starts, and reports, where those are broken.
"""

from __future__ import annotations

from . import _course, _jupyterlab, _kernel, _packages
from ._cli import DESCRIPTION, add_arguments, main, run_command
from ._core import CHECKS, DEFAULT_TIMEOUT, MAX_TIMEOUT, Check, Context, Result, check, run
from ._packages import check_packages, check_python

__all__ = ["Result", "Check", "Context", "CHECKS", "DEFAULT_TIMEOUT", "MAX_TIMEOUT", "check",
           "check_python", "check_packages", "run", "main", "add_arguments", "run_command",
           "DESCRIPTION"]

CHECKS.register(
    _packages.python_version,
    _packages.packages,
    _jupyterlab.widgets_front_end,
    _jupyterlab.jupyter_folders_writable,
    _course.data_sets,
    _course.exercises,
    _kernel.kernel,
    _kernel.inline_figures,
)
