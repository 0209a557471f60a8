"""Training progress: a bar with the current loss, shown only where someone is watching.

With ``verbose="auto"`` (the models' default) progress appears only when all of
these hold:

* the code runs in a Jupyter kernel (not a plain script, not pytest);
* the environment variable ``XENTLEARN_PROGRESS`` is not ``"0"``;
* training has already taken longer than a second (quick fits show nothing).

In a notebook the bar is one output updated in place through a display handle
(an HTML progress bar and the epoch with the losses). The output starts empty
and, when the fit ends, is emptied again: the losses stay in ``history_``, and
a notebook's stored outputs are the same whether or not the bar was shown, so
a fit that takes longer on a slower machine changes nothing that nbval
compares. A fit that stops on an error or an interrupt leaves its last line in
place. Outside a kernel progress is a text line on stderr, rewritten in place.

``verbose=True`` shows progress from the first epoch, in a kernel or not;
``verbose=False`` never shows anything; ``XENTLEARN_PROGRESS=0`` switches every
display off.
"""

from __future__ import annotations

import html
import os
import sys
import time
from typing import TextIO

from ._validation import InvalidInputError

__all__ = ["ENV_VAR", "Progress", "enabled_by_environment", "in_jupyter_kernel", "resolve"]

#: Set to "0" to switch every progress display off.
ENV_VAR = "XENTLEARN_PROGRESS"

#: ``verbose="auto"`` waits this many seconds before showing anything.
AUTO_DELAY = 1.0

#: Minimum seconds between two redraws.
REFRESH = 0.1


def in_jupyter_kernel() -> bool:
    """True when this Python runs inside a Jupyter (IPython) kernel.

    Returns
    -------
    bool
        False in a plain script, a terminal IPython or a test run.

    Examples
    --------
    >>> in_jupyter_kernel()          # a doctest runs outside any kernel
    False
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - an IPython without get_ipython
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def enabled_by_environment() -> bool:
    """False when ``XENTLEARN_PROGRESS`` is ``"0"``.

    Returns
    -------
    bool
        Whether the environment allows a progress display.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {ENV_VAR: "0"}):
    ...     enabled_by_environment()
    False
    """
    return os.environ.get(ENV_VAR, "").strip() != "0"


def resolve(verbose) -> tuple[bool, float]:
    """Whether to show progress for ``verbose``, and after how many seconds.

    Returns ``(show, delay)``: ``"auto"`` gives ``(in a kernel and enabled, 1.0)``,
    ``True`` gives ``(enabled, 0.0)`` and ``False`` gives ``(False, 0.0)``.

    Parameters
    ----------
    verbose : "auto", True or False
        As the models' ``verbose``.

    Returns
    -------
    (bool, float)
        Whether to show progress, and the delay in seconds.

    Raises
    ------
    InvalidInputError
        For any other ``verbose``.

    Examples
    --------
    >>> resolve(False)
    (False, 0.0)
    >>> resolve("auto")              # outside a Jupyter kernel: nothing to show
    (False, 1.0)
    """
    if verbose == "auto":
        return in_jupyter_kernel() and enabled_by_environment(), AUTO_DELAY
    if verbose is True or verbose is False:
        return verbose and enabled_by_environment(), 0.0
    raise InvalidInputError(f"verbose must be 'auto', True or False, got {verbose!r}")


class Progress:
    """A progress display for ``total`` steps (epochs); a no-op when not shown.

    Use as a context manager and call :meth:`update` after each step::

        with Progress(epochs, verbose="auto", description="MLPClassifier") as bar:
            for epoch in range(epochs):
                ...
                bar.update(epoch + 1, loss=train_loss, val_loss=val_loss)

    Parameters
    ----------
    total : int
        Number of steps.
    verbose : "auto", True or False
        See the module notes.
    description : str
        Shown before the status text.
    stream : text stream, optional
        Where the text line goes outside a kernel (default ``sys.stderr``).

    Attributes
    ----------
    shown : bool
        Whether anything has been displayed.

    Examples
    --------
    >>> Progress.format(12, 100, loss=0.30123, val_loss=0.35441)
    'epoch 12/100  loss 0.3012  val_loss 0.3544'
    >>> with Progress(100, verbose=False) as bar:
    ...     bar.update(1, loss=0.3)
    >>> bar.shown
    False
    """

    def __init__(self, total: int, *, verbose="auto", description: str = "",
                 stream: TextIO | None = None):
        self.total = int(total)
        self.description = description
        self.active, self.delay = resolve(verbose)
        self._kernel = in_jupyter_kernel()
        self.stream = stream
        self.shown = False
        self._start = time.perf_counter()
        self._last_draw = -float("inf")
        self._handle = None
        self._text_len = 0
        self._step = 0
        self._message = ""
        self._closed = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close(failed=exc[0] is not None)

    @staticmethod
    def format(step: int, total: int, loss: float | None = None,
               val_loss: float | None = None) -> str:
        """The status text, e.g. ``"epoch 12/100  loss 0.3012  val_loss 0.3544"``."""
        parts = [f"epoch {step}/{total}"]
        if loss is not None:
            parts.append(f"loss {loss:.4f}")
        if val_loss is not None:
            parts.append(f"val_loss {val_loss:.4f}")
        return "  ".join(parts)

    def update(self, step: int, *, loss: float | None = None,
               val_loss: float | None = None) -> None:
        """Record that ``step`` of ``total`` steps are done, with the current losses."""
        self._step = step
        if not self.active:
            return
        self._message = self.format(step, self.total, loss, val_loss)
        now = time.perf_counter()
        if now - self._start < self.delay:
            return
        if now - self._last_draw < REFRESH and step < self.total:
            return
        self._last_draw = now
        self._draw()

    def _text(self, note: str = "") -> str:
        text = f"{self.description}: {self._message}" if self.description else self._message
        return text + note

    def _bundle(self, note: str = "") -> dict[str, str]:
        """What a notebook shows now: ``text/plain`` and an HTML bar of the same text."""
        text = self._text(note)
        bar = (f'<progress value="{self._step}" max="{max(self.total, 1)}" '
               'style="width: 14em; vertical-align: middle"></progress>')
        return {"text/plain": text,
                "text/html": f'<div class="xl-training-progress">{bar} '
                             f'<code>{html.escape(text)}</code></div>'}

    def _draw(self) -> None:
        if not self.shown:
            self.shown = True
            if self._kernel:
                from IPython.display import display

                # the output starts empty, so that nbval (which compares the first
                # message of a display, never its updates) sees nothing to compare
                self._handle = display({}, raw=True, display_id=True)
        if self._handle is not None:
            self._handle.update(self._bundle(), raw=True)
        else:
            stream = self.stream or sys.stderr
            text = self._text()
            stream.write("\r" + text.ljust(self._text_len))
            stream.flush()
            self._text_len = len(text)

    def close(self, failed: bool = False) -> None:
        """End the display: emptied in a notebook (kept, marked stopped, if ``failed``);
        the text line drawn in its final state and ended."""
        if not self.shown or self._closed:
            return
        self._closed = True
        if self._handle is not None:
            self._handle.update(self._bundle(" (stopped)") if failed else {}, raw=True)
        else:
            self._draw()
            stream = self.stream or sys.stderr
            stream.write("\n")
            stream.flush()
        self.active = False
