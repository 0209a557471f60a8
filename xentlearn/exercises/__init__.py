"""Auto-checked exercises: ``chapter(n).qK.check(answer)``, ``.hint()``, ``.solution()``.

>>> from xentlearn.exercises import chapter
>>> ex = chapter(1)
>>> ex.q2.check(3.0).passed
✓ 01.q2 correct: 3 is right
True

The questions of chapter ``n`` are declared in the module ``chNN``
(``xentlearn.exercises.ch01`` ...); :data:`CHAPTERS` names each chapter's
notebook and title. A check evaluates the answer (:mod:`.checker`, running the
learner's code through :mod:`.runner`), records the result (:mod:`.record`)
and shows it (:mod:`.view`).

Checks run in the learner's own kernel, so a determined learner can defeat
them (patching NumPy or the checker, reading the reference from the stack):
they measure practice, they are not an exam. Reference answers and hidden
cases are private to each question; ``solution()`` shows a correct answer.

Instructors: ``python -m xentlearn progress PATH`` executes exercise notebooks
and tabulates the questions answered correctly.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import numpy as np

from .checker import (
    TIME_LIMIT,
    Case,
    CheckResult,
    FunctionQuestion,
    Mistake,
    Question,
    ValueQuestion,
)

__all__ = ["chapter", "all_questions", "mistake_names", "Chapter", "CHAPTERS", "CheckResult",
           "Question", "ValueQuestion", "FunctionQuestion", "Case", "Mistake", "TIME_LIMIT"]

#: Chapter number -> (notebook stem, title); the questions are in the module ``chNN``.
CHAPTERS: dict[int, tuple[str, str]] = {
    1: ("01_shannon_entropy", "Shannon entropy"),
    2: ("02_cross_entropy", "Cross-entropy"),
    3: ("03_binary_cross_entropy", "Binary cross-entropy"),
    4: ("04_categorical_cross_entropy", "Categorical cross-entropy"),
    5: ("05_sparse_categorical_cross_entropy", "Sparse categorical cross-entropy"),
    6: ("06_kl_divergence", "KL divergence"),
    7: ("07_training_with_cross_entropy", "Training with cross-entropy"),
    8: ("08_pitfalls", "Pitfalls"),
}


class Chapter:
    """The questions of one chapter, as attributes ``q1``, ``q2``, ...

    Attributes
    ----------
    number : int
    name : str
        The notebook stem, e.g. ``"01_shannon_entropy"``.
    title : str
    questions : list of Question

    Examples
    --------
    >>> ex = Chapter(1)
    >>> ex
    Chapter(1: Shannon entropy, 5 questions)
    >>> ex.q2.prompt
    'How many bits of entropy does one roll of a fair 8-sided die have?'
    """

    def __init__(self, number: int):
        if number not in CHAPTERS:
            raise ValueError(f"chapter must be one of {sorted(CHAPTERS)}, got {number!r}")
        self.number = number
        self.name, self.title = CHAPTERS[number]
        # the expected answers are computed on import: under the checker's own settings,
        # whatever np.seterr the learner chose
        with np.errstate(all="ignore"):
            module = importlib.import_module(f"{__name__}.ch{number:02d}")
        self.questions: list[Question] = list(module.QUESTIONS)
        for q in self.questions:
            if q.chapter != number:
                raise ValueError(f"{module.__name__} declares {q.id}, of another chapter")
            setattr(self, q.key, q)

    def __repr__(self) -> str:
        return f"Chapter({self.number}: {self.title}, {len(self.questions)} questions)"


_CACHE: dict[int, Chapter] = {}


def chapter(number: int) -> Chapter:
    """The exercises of chapter ``number`` (1 to 8), built once and then reused.

    Parameters
    ----------
    number : int
        The chapter, 1 to 8, as in the notebook names (``01_...`` is 1).

    Returns
    -------
    Chapter

    Raises
    ------
    ValueError
        If there is no such chapter.

    Examples
    --------
    >>> ex = chapter(1)
    >>> ex.q2.check(3.0).passed                 # log2 8 = 3 bits
    ✓ 01.q2 correct: 3 is right
    True
    >>> chapter(1) is ex
    True
    """
    if number not in _CACHE:
        _CACHE[number] = Chapter(number)
    return _CACHE[number]


def all_questions() -> Iterator[Question]:
    """Every question of every chapter, in order.

    Yields
    ------
    Question

    Examples
    --------
    >>> [q.id for q in all_questions()][:3]
    ['01.q1', '01.q2', '01.q3']
    """
    for number in sorted(CHAPTERS):
        yield from chapter(number).questions


def mistake_names() -> list[str]:
    """Every name a check can put in :attr:`CheckResult.mistake`, sorted, each once.

    A name means the same slip on every question that declares it (``"sign_flipped"``,
    ``"swapped_p_q"``); ``question.mistake_names`` lists one question's.

    Returns
    -------
    list of str

    Examples
    --------
    >>> names = mistake_names()
    >>> "swapped_p_q" in names and "global_max_shift" in names
    True
    >>> chapter(2).q2.mistake_names[:2]
    ('swapped_p_q', 'wrong_log_base')
    """
    return sorted({name for q in all_questions() for name in q.mistake_names})
