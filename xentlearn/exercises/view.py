"""Showing feedback: a coloured box in Jupyter, a line of plain text elsewhere.

The box's CSS classes are ``xl-feedback`` and ``xl-<status>`` (``xl-correct``,
``xl-incorrect``, ``xl-error``, ``xl-timeout``, ``xl-not-attempted``,
``xl-hint``, ``xl-solution``); the browser tests look for them.
"""

from __future__ import annotations

import html

__all__ = ["show", "show_result", "render_html", "render_text", "note_no_time_limit"]

_COLOURS = {"correct": ("#e6f4ea", "#1e7e34"), "incorrect": ("#fdecea", "#b00020"),
            "error": ("#fdecea", "#b00020"), "timeout": ("#fdecea", "#b00020"),
            "not attempted": ("#f1f3f4", "#5f6368"), "hint": ("#fff8e1", "#8a6d00"),
            "solution": ("#e8f0fe", "#1a4fa0")}
_SYMBOLS = {"correct": "✓", "incorrect": "✗", "error": "✗", "timeout": "✗",
            "not attempted": "…", "hint": "?", "solution": "→"}


def _in_notebook() -> bool:
    from ..training_progress import in_jupyter_kernel

    return in_jupyter_kernel()


def render_text(kind: str, title: str, body: str, code: str | None = None) -> str:
    """The feedback as one line of plain text (and the code below it, if any).

    Examples
    --------
    >>> render_text("correct", "01.q2 correct", "3 is right")
    '✓ 01.q2 correct: 3 is right'
    """
    return f"{_SYMBOLS[kind]} {title}: {body}" + (f"\n{code}" if code else "")


def render_html(kind: str, title: str, body: str, code: str | None = None) -> str:
    """The feedback as a coloured HTML box of classes ``xl-feedback xl-<kind>``.

    Examples
    --------
    >>> render_html("not attempted", "01.q2 not attempted", "replace the ...")[:50]
    '<div class="xl-feedback xl-not-attempted" style="b'
    """
    bg, fg = _COLOURS[kind]
    code_html = f"<pre>{html.escape(code)}</pre>" if code else ""
    return (f'<div class="xl-feedback xl-{kind.replace(" ", "-")}" style="background:{bg};'
            f'border-left:4px solid {fg};padding:6px 10px;margin:4px 0;color:#202124">'
            f'<b style="color:{fg}">{_SYMBOLS[kind]} {html.escape(title)}</b>: '
            f"{html.escape(body)}{code_html}</div>")


def show(kind: str, title: str, body: str, code: str | None = None) -> None:
    """Show feedback: an HTML box in a Jupyter kernel, plain text printed elsewhere.

    Examples
    --------
    >>> show("hint", "01.q2 hint 1 of 2", "Eight equally likely outcomes.")
    ? 01.q2 hint 1 of 2: Eight equally likely outcomes.
    """
    plain = render_text(kind, title, body, code)
    if not _in_notebook():
        print(plain)
        return
    from IPython.display import display

    display({"text/html": render_html(kind, title, body, code), "text/plain": plain}, raw=True)


def show_result(result) -> None:
    """Show a :class:`~xentlearn.exercises.CheckResult`.

    Examples
    --------
    >>> from xentlearn.exercises import chapter
    >>> show_result(chapter(1).q2.evaluate(3.0))
    ✓ 01.q2 correct: 3 is right
    """
    show(result.status, f"{result.question} {result.status}", result.message)


_NOTED_NO_LIMIT = False


def note_no_time_limit() -> None:
    """Say once per session that checks run without a time limit here (no SIGALRM).

    Examples
    --------
    >>> note_no_time_limit()   # doctest: +SKIP
    ? note: this system cannot stop a function that never returns ...
    """
    global _NOTED_NO_LIMIT
    if _NOTED_NO_LIMIT:
        return
    _NOTED_NO_LIMIT = True
    show("hint", "note", "this system cannot stop a function that never returns (no SIGALRM, "
         "e.g. Windows): checks run without a time limit; interrupt the kernel if a check "
         "does not finish")
