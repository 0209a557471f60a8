"""The explorers: sliders drive the readout and the picture, with xentlearn's numbers; where
there are no widgets, each shows its static counterpart and says why."""

from __future__ import annotations

import base64
import importlib
import importlib.util
import re
import sys
import types

import numpy as np
import pytest

import xentlearn as xl
from xentlearn import plots, widgets
from xentlearn.distributions import discretized_gaussian, fit_gaussian_kl, gaussian_mixture

HAS_IPYWIDGETS = importlib.util.find_spec("ipywidgets") is not None
needs_ipywidgets = pytest.mark.skipif(not HAS_IPYWIDGETS, reason="ipywidgets is not installed")


def _read(html: str, css: str) -> list[float]:
    return [float(x) for x in re.findall(rf'class="{css}">([-0-9.]+)<', html)]


def _png(explorer) -> bytes:
    value = explorer.image.value
    assert value[:8] == b"\x89PNG\r\n\x1a\n"
    return value


@needs_ipywidgets
def test_bce_explorer_follows_its_slider():
    ex = widgets.bce_explorer(p=0.9)
    assert _read(ex.readout.value, "xl-loss-y1") == [0.105]
    assert _read(ex.readout.value, "xl-loss-y0") == [2.303]
    before = _png(ex)
    ex.controls["p"].value = 0.2
    assert _read(ex.readout.value, "xl-loss-y1") == [round(-np.log(0.2), 3)]
    assert _read(ex.readout.value, "xl-loss-y0") == [round(-np.log(0.8), 3)]
    assert _png(ex) != before


@needs_ipywidgets
def test_coin_explorer_reports_entropy_in_bits():
    ex = widgets.coin_explorer(p=0.5)
    assert _read(ex.readout.value, "xl-entropy") == [1.0]
    ex.controls["p"].value = 0.1
    expected = round(float(xl.entropy([0.1, 0.9], base=2)), 3)
    assert _read(ex.readout.value, "xl-entropy") == [expected]
    assert "bits" in ex.readout.value


@needs_ipywidgets
def test_softmax_explorer_logits_and_temperature():
    ex = widgets.softmax_explorer([2.0, 1.0, 0.1], labels=["a", "b", "c"], true_class=0)
    np.testing.assert_allclose(_read(ex.readout.value, "xl-prob"),
                               np.round(xl.softmax([2.0, 1.0, 0.1]), 3))
    expected = -float(xl.log_softmax([2.0, 1.0, 0.1])[0])
    assert _read(ex.readout.value, "xl-loss") == [round(expected, 3)]
    ex.controls["z1"].value = 3.0
    expected = -float(xl.log_softmax([2.0, 3.0, 0.1])[0])
    assert _read(ex.readout.value, "xl-loss") == [round(expected, 3)]
    ex.controls["T"].value = 10.0
    expected = -float(xl.log_softmax([2.0, 3.0, 0.1], temperature=10.0)[0])
    assert _read(ex.readout.value, "xl-loss")[0] == pytest.approx(expected, abs=6e-4)
    assert set(ex.controls) == {"z0", "z1", "z2", "T"}


@needs_ipywidgets
def test_kl_explorer_reports_both_directions():
    grid = np.linspace(-6, 6, 121)
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    ex = widgets.kl_explorer(grid, p, mean=0.0, std=2.0)
    ex.controls["mean"].value = -2.0
    ex.controls["std"].value = 0.6
    q = discretized_gaussian(grid, -2.0, 0.6)
    assert _read(ex.readout.value, "xl-kl-forward") == [round(float(xl.kl_divergence(p, q)), 3)]
    assert _read(ex.readout.value, "xl-kl-reverse") == [round(float(xl.kl_divergence(q, p)), 3)]


@needs_ipywidgets
def test_explorer_displays_as_a_widget():
    ex = widgets.bce_explorer()
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Interactive explorer: a slider for the predicted")
    assert "nats" in bundle["text/plain"] and "static figure" in bundle["text/plain"]


# --- no widgets here: the static counterpart, and one line saying why ---------------------------

GRID = np.linspace(-6, 6, 121)
P_TWO = gaussian_mixture(GRID, [-2, 2], [0.6, 0.6])
KL_MEANS = np.linspace(-6, 6, 61)  # the grid's range, step 0.2

# each explorer, and its static counterpart in xentlearn.plots for the same values
EXPLORERS = {
    "coin": (lambda: widgets.coin_explorer(p=0.3),
             lambda: plots.coin_entropy_curve(mark=0.3)),
    "bce": (lambda: widgets.bce_explorer(p=0.9, base=2),
            lambda: plots.bce_curves(mark=0.9, base=2)),
    "softmax": (lambda: widgets.softmax_explorer([2.0, 1.0, 0.1], labels=["a", "b", "c"],
                                                 true_class=1),
                lambda: plots.softmax_temperature_grid([2.0, 1.0, 0.1], [0.1, 0.5, 1, 3, 10],
                                                       labels=["a", "b", "c"], true_class=1)),
    "kl": (lambda: widgets.kl_explorer(GRID, P_TWO),
           lambda: plots.kl_surfaces(fit_gaussian_kl(P_TWO, GRID, means=KL_MEANS,
                                                     stds=np.linspace(0.2, 4.0, 39)))),
}


@pytest.fixture
def without_ipywidgets(monkeypatch):
    """ipywidgets cannot be imported (``import ipywidgets`` raises ImportError), and the
    module is imported again under that condition; afresh afterwards."""
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    importlib.reload(widgets)
    yield
    monkeypatch.undo()
    importlib.reload(widgets)


@pytest.fixture
def shown(monkeypatch, capsys):
    """What an explorer shows in a notebook: the printed text and the displayed bundles."""
    import IPython.display

    bundles: list[dict] = []

    def display(obj, raw=False):
        assert raw
        bundles.append(obj)

    monkeypatch.setattr(IPython.display, "display", display)

    def show(explorer) -> tuple[str, list[dict]]:
        explorer._ipython_display_()
        return capsys.readouterr().out, bundles

    return show


def _in_a_kernel(monkeypatch) -> None:
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))


def _assert_static(text: str, bundles: list[dict], expected, reason: str) -> None:
    assert text.count("\n") == 1 and text.startswith("No sliders here: "), text
    assert reason in text and "static figure shows the same values" in text
    (bundle,) = bundles
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"] == expected.description


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a notebook would show it on stderr
@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_without_ipywidgets_an_explorer_shows_its_static_figure_and_says_why(
        name, without_ipywidgets, shown):
    make, static = EXPLORERS[name]
    with pytest.raises(ImportError):
        import ipywidgets  # noqa: F401
    ex = make()  # no error
    assert isinstance(ex, widgets.StaticExplorer)
    expected = static()
    text, bundles = shown(ex)
    _assert_static(text, bundles, expected, "ipywidgets cannot be imported")
    # in plain Python, its text: the line and what the figure shows
    line, description = repr(ex).split("\n")
    assert line == text.strip() and description == expected.description


@needs_ipywidgets
@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_without_a_widget_front_end_an_explorer_shows_its_static_figure(name, shown):
    """Plain Python or a terminal: the sliders work (tests move them) but cannot be drawn."""
    make, static = EXPLORERS[name]
    ex = make()
    assert isinstance(ex, widgets.Explorer)
    text, bundles = shown(ex)
    _assert_static(text, bundles, static(), "terminal or plain Python")


@needs_ipywidgets
def test_in_a_jupyter_kernel_an_explorer_shows_its_widget(monkeypatch, shown):
    _in_a_kernel(monkeypatch)
    ex = widgets.bce_explorer()
    text, bundles = shown(ex)
    assert text == ""
    (bundle,) = bundles
    assert bundle[widgets.WIDGET_MIME]["model_id"] == ex.widget.model_id
    assert bundle["text/plain"] == repr(ex)


@needs_ipywidgets
@pytest.mark.parametrize("version, manager_url, widgets_show", [
    ("7.7.1", None, True),                 # Colab draws ipywidgets 7 itself
    ("8.1.1", None, False),                # 8 needs its custom widget manager ...
    ("8.1.1", "https://example.invalid/manager.min.js", True),  # ... enabled here
])
def test_on_colab_ipywidgets_8_needs_the_custom_widget_manager(
        monkeypatch, shown, version, manager_url, widgets_show):
    import ipywidgets

    _in_a_kernel(monkeypatch)
    monkeypatch.setattr(ipywidgets, "__version__", version)
    manager = types.ModuleType("google.colab.output._widgets")
    manager._installed_url = manager_url
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setitem(sys.modules, "google.colab.output._widgets", manager)
    ex = widgets.coin_explorer(p=0.5)
    text, bundles = shown(ex)
    if widgets_show:
        assert text == "" and widgets.WIDGET_MIME in bundles[0]
    else:
        _assert_static(text, bundles, plots.coin_entropy_curve(mark=0.5),
                       "output.enable_custom_widget_manager()")
