"""The training progress bar: shown only where someone watches, and never in stored outputs."""

from __future__ import annotations

import io
import os
import sys
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest

from xentlearn import training_progress as progress
from xentlearn.models import SoftmaxRegression


def _fake_kernel(monkeypatch):
    shell = types.SimpleNamespace(kernel=object())
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)


class _Handle:
    """Stands in for IPython's DisplayHandle: records the first bundle and every update."""

    def __init__(self, shown: list, data):
        self.shown = shown
        shown.append(("display", data))

    def update(self, data, raw=False):
        assert raw
        self.shown.append(("update", data))


@pytest.fixture
def shown(monkeypatch) -> list:
    """A kernel whose displays are recorded: ("display", bundle) then ("update", bundle)..."""
    import IPython.display

    calls: list = []

    def display(data, raw=False, display_id=None):
        assert raw and display_id is True
        return _Handle(calls, data)

    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.setattr(progress, "in_jupyter_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    return calls


def test_no_progress_in_tests_or_scripts(monkeypatch, capsys):
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    assert not progress.in_jupyter_kernel()
    assert progress.resolve("auto") == (False, progress.AUTO_DELAY)
    rng = np.random.default_rng(1)
    SoftmaxRegression(epochs=3).fit(rng.normal(size=(9, 4)), np.arange(9) % 3)
    assert capsys.readouterr() == ("", "")


def test_auto_progress_needs_a_kernel_and_the_environment(monkeypatch):
    _fake_kernel(monkeypatch)
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    assert progress.in_jupyter_kernel()
    assert progress.resolve("auto") == (True, progress.AUTO_DELAY)
    monkeypatch.setenv(progress.ENV_VAR, "0")
    assert progress.resolve("auto")[0] is False
    assert progress.resolve(True)[0] is False
    monkeypatch.setenv(progress.ENV_VAR, "1")
    assert progress.resolve("auto")[0] is True
    assert progress.resolve(False)[0] is False


def test_verbose_must_be_auto_true_or_false():
    with pytest.raises(progress.InvalidInputError, match="verbose must be 'auto', True or False"):
        progress.resolve("yes")
    with pytest.raises(progress.InvalidInputError, match="verbose"):
        progress.resolve(1)


def test_verbose_true_writes_a_live_text_line(monkeypatch):
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    out = io.StringIO()
    with progress.Progress(3, verbose=True, description="demo", stream=out) as bar:
        for step in range(1, 4):
            bar.update(step, loss=1.0 / step, val_loss=2.0 / step)
    text = out.getvalue()
    assert text.startswith("\rdemo: epoch ") and text.endswith("\n")
    assert "epoch 3/3  loss 0.3333  val_loss 0.6667" in text


def test_auto_progress_waits_a_second(shown):
    with progress.Progress(5, verbose="auto") as bar:
        bar.update(1, loss=0.5)
        assert not bar.shown and shown == []
        bar._start -= 2.0  # pretend training has run for two seconds
        bar.update(2, loss=0.4)
        assert bar.shown
    assert shown[1] == ("update", bar._bundle())
    assert shown[1][1]["text/plain"] == "epoch 2/5  loss 0.4000"


def test_in_a_kernel_the_bar_starts_empty_updates_in_place_and_empties_at_the_end(shown):
    with progress.Progress(4, verbose=True, description="fit") as bar:
        for step in range(1, 5):
            bar._last_draw = -float("inf")  # draw every step
            bar.update(step, loss=0.25)
    kinds = [kind for kind, _ in shown]
    assert kinds == ["display"] + ["update"] * 5
    assert shown[0][1] == {} and shown[-1][1] == {}
    last = shown[-2][1]
    assert last["text/plain"] == "fit: epoch 4/4  loss 0.2500"
    assert '<progress value="4" max="4"' in last["text/html"]
    assert "<code>fit: epoch 4/4  loss 0.2500</code>" in last["text/html"]
    assert shown[1][1]["text/plain"] == "fit: epoch 1/4  loss 0.2500"


def test_a_fit_that_fails_leaves_its_last_line_marked_stopped(shown):
    with pytest.raises(KeyboardInterrupt), \
            progress.Progress(10, verbose=True, description="<MLP>") as bar:
        bar.update(3, loss=0.5)
        raise KeyboardInterrupt
    final = shown[-1]
    assert final[0] == "update"
    assert final[1]["text/plain"] == "<MLP>: epoch 3/10  loss 0.5000 (stopped)"
    assert "&lt;MLP&gt;: epoch 3/10" in final[1]["text/html"]  # escaped in HTML


def test_the_environment_switches_the_bar_off_in_a_kernel(shown, monkeypatch):
    monkeypatch.setenv(progress.ENV_VAR, "0")
    with progress.Progress(3, verbose=True) as bar:
        bar.update(3, loss=0.1)
    assert not bar.shown and shown == []


def test_a_stored_notebook_is_the_same_with_or_without_the_bar(monkeypatch, tmp_path):
    """In a real kernel: nbval sees only the first, empty message of the display (it ignores
    updates); nbclient applies the updates, and the stored output ends empty as well."""
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    here = str(Path(progress.__file__).parents[1])  # the kernel imports this copy of xentlearn
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [here, os.environ.get(
        "PYTHONPATH")])))
    code = ("import time\n"
            "from xentlearn.training_progress import Progress\n"
            "with Progress(3, verbose=True, description='fit') as bar:\n"
            "    for step in range(1, 4):\n"
            "        time.sleep(0.12)\n"
            "        bar.update(step, loss=0.5)\n"
            "print('done')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    messages: list[tuple[str, dict]] = []

    class Recording(nbclient.NotebookClient):
        def process_message(self, msg, cell, cell_index):
            messages.append((msg["msg_type"], dict(msg["content"].get("data", {}))))
            return super().process_message(msg, cell, cell_index)

    Recording(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": tmp_path}},
              extra_arguments=["--IPKernelApp.log_level=ERROR"]).execute()
    displays = [data for kind, data in messages if kind == "display_data"]
    updates = [data for kind, data in messages if kind == "update_display_data"]
    assert displays == [{}]
    assert len(updates) >= 2 and updates[-1] == {}
    assert any(u.get("text/plain") == "fit: epoch 3/3  loss 0.5000" for u in updates)
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "stream"]
    assert outputs[0].data == {} and outputs[1].text == "done\n"
