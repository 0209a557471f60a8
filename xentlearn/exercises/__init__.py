"""Auto-checked exercises: ``chapter(n).qK.check(answer)``, ``.hint()``, ``.solution()``.

>>> from xentlearn.exercises import chapter
>>> ex = chapter(1)
>>> ex.q2.check(3.0).passed
✓ 01.q2 correct: 3 is right
True

Instructors: ``python -m xentlearn progress [PATH]`` executes exercise
notebooks and tabulates the questions answered correctly.
"""

from __future__ import annotations

from collections.abc import Iterator

from .chapters import CHAPTERS
from .checker import TIME_LIMIT, CheckResult, Question

__all__ = ["chapter", "all_questions", "Chapter", "CheckResult", "Question", "TIME_LIMIT"]


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
        self.name, self.title, build = CHAPTERS[number]
        self.questions: list[Question] = build()
        for q in self.questions:
            setattr(self, q.id.split(".")[1], q)

    def __repr__(self) -> str:
        return f"Chapter({self.number}: {self.title}, {len(self.questions)} questions)"


_CACHE: dict[int, Chapter] = {}


def chapter(number: int) -> Chapter:
    """The exercises of chapter ``number`` (1 to 8), built once and then reused.

    Parameters
    ----------
    number : int
        The chapter, as in the notebook names (``01_...`` is 1).

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
