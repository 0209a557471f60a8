"""The class report: run learners' exercise notebooks and tabulate what each got right.

Used by ``python -m xentlearn progress PATH``. ``PATH`` is one learner's folder
of exercise notebooks (``NN_name.ipynb``), one such notebook, or a folder with
one sub-folder per learner (the sub-folder's name is the learner's name).

The instructor's side of the course, apart from the learner's (``exercises``,
what a learner's kernel needs):

- :mod:`~xentlearn.report.notebooks` finds the notebooks and reads them without
  following anything (:func:`read_regular`, shared with the room's report);
- :mod:`~xentlearn.report.run` runs each in a fresh kernel (:func:`grade`);
- :mod:`~xentlearn.report.results` counts the checks, a learner's own results log
  included (:func:`add_checks`);
- :mod:`~xentlearn.report.formats` writes the text table, CSV and JSON.

Running a notebook executes its code with the rights of whoever runs the
report: run it on copies, as an unprivileged user or in a container.
"""

from __future__ import annotations

from .formats import as_csv, as_json, format_report, progress_bar
from .notebooks import (
    MAX_NOTEBOOK_BYTES,
    MAX_RESULTS_LOG_BYTES,
    Unreadable,
    find_notebooks,
    read_regular,
)
from .results import FIELDS, STATUSES, NotebookResult, add_checks, from_record
from .run import grade

__all__ = ["FIELDS", "STATUSES", "MAX_NOTEBOOK_BYTES", "MAX_RESULTS_LOG_BYTES",
           "NotebookResult", "Unreadable", "find_notebooks", "read_regular", "grade",
           "add_checks", "from_record",
           "format_report", "as_csv", "as_json", "progress_bar"]
