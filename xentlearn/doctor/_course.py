"""The course itself in this Python: its data sets load, its exercises import."""

from __future__ import annotations

from . import _fixes
from ._core import Context, Result, check


@check("data sets", needs=("numpy", "scikit-learn"))
def data_sets(context: Context) -> Result:
    """The digits and breast cancer splits and the text, as the chapters load them."""
    name = "data sets"
    try:
        from .. import datasets

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
                      _fixes.pip("--force-reinstall", "scikit-learn>=1.3"))
    return Result(name, True, ", ".join(sizes))


@check("exercises", needs=("numpy",))
def exercises(context: Context) -> Result:
    """``from xentlearn.exercises import chapter; chapter(1)``, then every chapter."""
    name = "exercises"
    try:
        from ..exercises import all_questions, chapter

        first = chapter(1)
        questions = list(all_questions())
        chapters = {q.id.split(".")[0] for q in questions}
    except Exception as exc:
        return Result(name, False, f"{type(exc).__name__}: {exc}"[:200],
                      _fixes.reinstall_course())
    return Result(name, True, f"chapter(1) has {len(first.questions)} questions; "
                  f"{len(questions)} questions in {len(chapters)} chapters")
