"""Interactive explorers for the notebooks, built on :mod:`xentlearn.plots` and the core.

Each explorer is a slider panel with a text readout of the numbers and a
picture of the figure, redrawn whenever a slider moves. The readout marks
each number with a CSS class (e.g. ``xl-loss-y1``) so tests can read it.
Every explorer has a static counterpart in :mod:`xentlearn.plots` that shows
the same values over a grid, for readers of a stored notebook.

The sliders need ``ipywidgets`` (the ``course`` extra; Colab has its own), imported only
when used, and a front end that draws widgets. Where ipywidgets cannot be imported, or the
display has no widget front end (a terminal, Colab with ipywidgets 8 but without its custom
widget manager), an explorer shows its static counterpart instead, after one line saying
why, rather than raising. A notebook stored by nbconvert keeps the explorer's text
description, which names the static figure next to it.
"""

from __future__ import annotations

import base64
import io
import sys
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from . import plots
from .activations import softmax
from .distributions import discretized_gaussian, fit_gaussian_kl
from .information import entropy, kl_divergence
from .losses import binary_cross_entropy, sparse_categorical_cross_entropy

__all__ = ["Explorer", "StaticExplorer", "coin_explorer", "bce_explorer", "softmax_explorer",
           "kl_explorer"]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# The static counterparts' grids: temperatures over the softmax slider's range (0.1 to 10),
# widths over the KL slider's (0.2 to 4, step 0.1).
TEMPERATURES = (0.1, 0.5, 1.0, 3.0, 10.0)
KL_STDS = np.linspace(0.2, 4.0, 39)
NO_IPYWIDGETS = "ipywidgets cannot be imported (pip install ipywidgets)"


def _ipywidgets():
    """The ipywidgets module, or None where it cannot be imported."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


def _why_no_widgets() -> str | None:
    """Why no widget can be shown here, in a few words; ``None`` where widgets can show.

    Widgets need ipywidgets, a Jupyter kernel (not a terminal or plain Python) and, on
    Colab with ipywidgets 8, Colab's custom widget manager (Colab draws ipywidgets 7
    itself). Whether some other front end draws them cannot be known from the kernel.
    """
    w = _ipywidgets()
    if w is None:
        return NO_IPYWIDGETS
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if getattr(shell, "kernel", None) is None:
        return "widgets need a Jupyter front end, and this is a terminal or plain Python"
    if "google.colab" in sys.modules and int(w.__version__.split(".")[0]) >= 8:
        manager = sys.modules.get("google.colab.output._widgets")
        if manager is not None and not getattr(manager, "_installed_url", None):
            return (f"Colab draws ipywidgets {w.__version__} only with its custom widget "
                    "manager: run `from google.colab import output; "
                    "output.enable_custom_widget_manager()`, then this cell again")
    return None


def _why_line(reason: str) -> str:
    return f"No sliders here: {reason}. The explorer's static figure shows the same values."


def _figure_bundle(fig) -> dict:
    """A figure as a display bundle: its PNG and its description (its text form)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
            "text/plain": repr(fig)}


def _show_static(reason: str, figure) -> None:
    """Display the line saying why, then the static figure (if there is one)."""
    from IPython.display import display

    print(_why_line(reason))
    if figure is not None:
        display(_figure_bundle(figure), raw=True)


class StaticExplorer:
    """An explorer where ipywidgets cannot be imported: its static counterpart, and why.

    Parameters
    ----------
    description : str
        What the explorer would show, in words.
    static : callable
        ``static() -> Figure``: the explorer's static counterpart from :mod:`xentlearn.plots`.
    reason : str
        Why there are no sliders.

    Examples
    --------
    >>> from xentlearn import plots
    >>> ex = StaticExplorer("a slider.", lambda: plots.bce_curves(mark=0.9), "no ipywidgets")
    >>> print(repr(ex).splitlines()[0])
    No sliders here: no ipywidgets. The explorer's static figure shows the same values.
    >>> ex.static_figure().description.startswith("Line chart of the binary cross-entropy")
    True
    """

    def __init__(self, description: str, static: Callable, reason: str = NO_IPYWIDGETS):
        self.description = description
        self.reason = reason
        self._static = static
        self._figure = None

    def static_figure(self):
        """The static counterpart (a :class:`~xentlearn.plots.DescribedFigure`), made once."""
        if self._figure is None:
            self._figure = self._static()
        return self._figure

    def __repr__(self) -> str:
        return f"{_why_line(self.reason)}\n{self.static_figure()!r}"

    def _ipython_display_(self) -> None:
        _show_static(self.reason, self.static_figure())


def _value(css: str, x: float, unit: str = "") -> str:
    return f'<span class="{css}">{x:.3f}</span>{" " + unit if unit else ""}'


class Explorer:
    """Sliders, a readout and a figure that follow each other.

    Parameters
    ----------
    controls : mapping of name to ipywidgets value widget
        The sliders; their current values are passed to ``render`` by name.
    render : callable
        ``render(values) -> (html, figure)``: the readout's HTML and the figure
        for the given slider values.
    description : str
        What the explorer shows, in words: the text a stored notebook displays where
        the live widget cannot be shown (widget state is not saved).
    static : callable, optional
        ``static() -> Figure``: the explorer's static counterpart, shown instead of the
        widget where no widget front end can draw it (a terminal; Colab with ipywidgets 8
        but without its custom widget manager).

    Attributes
    ----------
    controls : dict
        The sliders, by name; set ``explorer.controls["p"].value`` to move one.
    readout : ipywidgets.HTML
        The numbers for the current setting.
    image : ipywidgets.Image
        The figure for the current setting, as PNG.
    widget : ipywidgets.VBox
        Everything, for display.

    Examples
    --------
    >>> import ipywidgets as w
    >>> from matplotlib.figure import Figure
    >>> def render(values):
    ...     return f"p = {values['p']:.2f}", Figure(figsize=(1, 1))
    >>> ex = Explorer({"p": w.FloatSlider(value=0.5)}, render, "one slider.")
    >>> ex.readout.value
    'p = 0.50'
    >>> ex.controls["p"].value = 0.25           # moving the slider redraws
    >>> ex.readout.value, ex.values
    ('p = 0.25', {'p': 0.25})
    """

    def __init__(self, controls: Mapping, render: Callable, description: str = "",
                 static: Callable | None = None):
        w = _ipywidgets()
        if w is None:
            raise ImportError(f"xentlearn.widgets.Explorer needs sliders, and {NO_IPYWIDGETS}")
        self.description = description
        self._static = static
        self._figure = None
        self.controls = dict(controls)
        self._render = render
        self.readout = w.HTML()
        self.image = w.Image(format="png")
        self.image.layout.max_width = "640px"
        self.widget = w.VBox([w.HBox(list(self.controls.values()),
                                     layout=w.Layout(flex_flow="row wrap")),
                              self.readout, self.image])
        for control in self.controls.values():
            control.observe(self._update, names="value")
        self._update()

    @property
    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def _update(self, change=None) -> None:
        html, fig = self._render(self.values)
        self.readout.value = html
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=72)
        self.image.value = buf.getvalue()

    def __repr__(self) -> str:
        return (f"Interactive explorer: {self.description} Run the notebook to move the "
                "sliders; the static figure next to it shows the same values.")

    def static_figure(self):
        """The static counterpart (a :class:`~xentlearn.plots.DescribedFigure`) for the
        explorer's starting values, made once; ``None`` if it has none."""
        if self._figure is None and self._static is not None:
            self._figure = self._static()
        return self._figure

    def _repr_mimebundle_(self, **kwargs):
        # Made here rather than by the widget's own method, which ipywidgets 7 (Colab's)
        # does not have.
        return {"text/plain": repr(self),
                WIDGET_MIME: {"version_major": 2, "version_minor": 0,
                              "model_id": self.widget.model_id}}

    def _ipython_display_(self) -> None:
        from IPython.display import display

        reason = _why_no_widgets()
        if reason is None:
            display(self._repr_mimebundle_(), raw=True)
        else:
            _show_static(reason, self.static_figure())


def coin_explorer(p: float = 0.5, *, base: float | None = 2) -> Explorer | StaticExplorer:
    r"""A slider for a coin's heads probability, with its entropy on the curve.

    Shows :math:`H(p) = -p \log p - (1 - p)\log(1 - p)` in bits (``base=2``, the
    default) or nats (``base=None``).
    Static counterpart: :func:`xentlearn.plots.coin_entropy_curve`.

    Parameters
    ----------
    p : float
        The slider's starting value, in [0, 1].
    base : float, optional
        2 for bits, ``None`` for nats.

    Returns
    -------
    Explorer or StaticExplorer
        One slider, ``controls["p"]``.
        A :class:`StaticExplorer` (no sliders) where ipywidgets cannot be imported.

    Examples
    --------
    >>> ex = coin_explorer(0.11)
    >>> ex.readout.value
    'H(0.11) = <span class="xl-entropy">0.500</span> bits'
    """
    unit = plots.unit_label(base)
    description = f"a slider for a coin's P(heads), with its entropy in {unit}."

    def static():
        return plots.coin_entropy_curve(base=base, mark=p)

    w = _ipywidgets()
    if w is None:
        return StaticExplorer(description, static)

    def render(values):
        q = values["p"]
        h = float(entropy([q, 1 - q], base=base))
        return (f"H({q:.2f}) = {_value('xl-entropy', h, unit)}",
                plots.coin_entropy_curve(base=base, mark=q))

    slider = w.FloatSlider(value=p, min=0.0, max=1.0, step=0.01, description="P(heads)",
                           readout_format=".2f", continuous_update=False)
    return Explorer({"p": slider}, render, description, static)


def bce_explorer(p: float = 0.9, *, base: float | None = None) -> Explorer | StaticExplorer:
    r"""A slider for the predicted probability, with the binary cross-entropy of both labels.

    Shows :math:`-\log p` (label 1) and :math:`-\log(1 - p)` (label 0), in nats
    (``base=None``, the default) or bits (``base=2``).
    Static counterpart: :func:`xentlearn.plots.bce_curves`.

    Parameters
    ----------
    p : float
        The slider's starting value, in [0.01, 0.99].
    base : float, optional
        ``None`` for nats, 2 for bits.

    Returns
    -------
    Explorer or StaticExplorer
        One slider, ``controls["p"]``.
        A :class:`StaticExplorer` (no sliders) where ipywidgets cannot be imported.

    Examples
    --------
    >>> import re
    >>> ex = bce_explorer(0.9)
    >>> re.findall(r'class="([a-z0-9-]+)">([0-9.]+)<', ex.readout.value)  # -log 0.9, -log 0.1
    [('xl-loss-y1', '0.105'), ('xl-loss-y0', '2.303')]
    >>> ex.readout.value.endswith("nats")
    True
    """
    unit = plots.unit_label(base)
    description = (f"a slider for the predicted probability p, with the loss in {unit} "
                   "for y = 1 and y = 0.")

    def static():
        return plots.bce_curves(base=base, mark=p)

    w = _ipywidgets()
    if w is None:
        return StaticExplorer(description, static)

    def render(values):
        q = values["p"]
        l1 = float(binary_cross_entropy([1], [q], base=base))
        l0 = float(binary_cross_entropy([0], [q], base=base))
        html = (f"p = {q:.2f}: loss if y = 1 is {_value('xl-loss-y1', l1, unit)}; "
                f"loss if y = 0 is {_value('xl-loss-y0', l0, unit)}")
        return html, plots.bce_curves(base=base, mark=q)

    slider = w.FloatSlider(value=p, min=0.01, max=0.99, step=0.01, description="p",
                           readout_format=".2f", continuous_update=False)
    return Explorer({"p": slider}, render, description, static)


def softmax_explorer(logits: ArrayLike = (2.0, 1.0, 0.1), *,
                     labels: Sequence[str] | None = None, true_class: int = 0,
                     temperature: float = 1.0,
                     base: float | None = None) -> Explorer | StaticExplorer:
    r"""Sliders for each logit and the temperature, with the softmax bars and the loss.

    Shows :math:`q = \mathrm{softmax}(z / T)` and the loss :math:`-\log q_y` of the
    true class, in nats (``base=None``, the default) or bits (``base=2``).
    Static counterpart: :func:`xentlearn.plots.softmax_temperature_grid`.

    Parameters
    ----------
    logits : array_like, shape (K,)
        The sliders' starting logits.
    labels : sequence of str, optional
        Class names, default ``"class 0"``, ``"class 1"``, ...
    true_class : int
        The index of the class the loss is for.
    temperature : float
        The starting :math:`T`; its slider runs from 0.1 to 10.
    base : float, optional
        ``None`` for nats, 2 for bits.

    Returns
    -------
    Explorer or StaticExplorer
        Sliders ``controls["z0"]``, ..., and ``controls["T"]``.
        A :class:`StaticExplorer` (no sliders) where ipywidgets cannot be imported.

    Examples
    --------
    >>> ex = softmax_explorer([2.0, 1.0, 0.1])
    >>> sorted(ex.controls)
    ['T', 'z0', 'z1', 'z2']
    >>> print(ex.readout.value.split("<br>")[1])
    loss for true class class 0: <span class="xl-loss">0.417</span> nats
    """
    z0 = np.asarray(logits, dtype=float)
    labels = list(labels) if labels is not None else [f"class {k}" for k in range(z0.size)]
    unit = plots.unit_label(base)
    description = (f"sliders for {z0.size} logits and the temperature T, with the softmax "
                   f"bars and the loss in {unit} for the true class {labels[true_class]}.")

    def static():
        # the slider's whole range of T, 0.1 to 10, and the starting T
        temperatures = sorted({*TEMPERATURES, float(temperature)})
        return plots.softmax_temperature_grid(z0, temperatures, labels=labels,
                                              true_class=true_class, base=base)

    w = _ipywidgets()
    if w is None:
        return StaticExplorer(description, static)
    controls = {
        f"z{k}": w.FloatSlider(value=float(zk), min=-10.0, max=10.0, step=0.1,
                               description=f"z[{labels[k]}]", continuous_update=False)
        for k, zk in enumerate(z0)
    }
    controls["T"] = w.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.05,
                                     description="T", continuous_update=False)

    def render(values):
        z = np.array([values[f"z{k}"] for k in range(z0.size)])
        t = values["T"]
        q = softmax(z, temperature=t)
        loss = float(sparse_categorical_cross_entropy([true_class], (z / t)[None],
                                                      from_logits=True, base=base))
        probs = ", ".join(f"{lab} {_value('xl-prob', qk)}"
                          for lab, qk in zip(labels, q, strict=True))
        html = (f"softmax: {probs}<br>loss for true class {labels[true_class]}: "
                f"{_value('xl-loss', loss, unit)}")
        return html, plots.softmax_bars(z, labels=labels, temperature=t, true_class=true_class)

    return Explorer(controls, render, description, static)


def kl_explorer(grid: ArrayLike, p: ArrayLike, *, mean: float = 0.0,
                std: float = 1.0) -> Explorer | StaticExplorer:
    r"""Sliders for a Gaussian ``q``'s mean and width, with forward and reverse KL to ``p``.

    Shows :math:`D_{KL}(p \| q)` and :math:`D_{KL}(q \| p)` in nats, for ``q`` the
    :func:`~xentlearn.distributions.discretized_gaussian` on ``grid``.
    Static counterpart: :func:`xentlearn.plots.kl_surfaces`.

    Parameters
    ----------
    grid : array_like, shape (G,)
        The support of ``p`` and ``q``.
    p : array_like, shape (G,)
        The target distribution on ``grid``.
    mean, std : float
        The sliders' starting values (``std`` from 0.2 to 4).

    Returns
    -------
    Explorer or StaticExplorer
        Sliders ``controls["mean"]`` and ``controls["std"]``.
        A :class:`StaticExplorer` (no sliders) where ipywidgets cannot be imported.

    Examples
    --------
    >>> from xentlearn.distributions import gaussian_mixture
    >>> grid = np.linspace(-5, 5, 101)
    >>> ex = kl_explorer(grid, gaussian_mixture(grid, [-2, 2], [0.6, 0.6]))
    >>> import re
    >>> re.findall(r'class="([a-z-]+)">([0-9.]+)<', ex.readout.value)  # nats
    [('xl-kl-forward', '1.499'), ('xl-kl-reverse', '2.136')]
    """
    g = np.asarray(grid, dtype=float)
    pa = np.asarray(p, dtype=float)
    description = ("sliders for the mean and width of a Gaussian q, with KL(p || q) and "
                   "KL(q || p) in nats.")

    def static():
        # every mean on the grid's range (step 0.2) and every width the slider reaches
        lo, hi = float(g.min()), float(g.max())
        means = np.linspace(lo, hi, max(2, round((hi - lo) / 0.2) + 1))
        return plots.kl_surfaces(fit_gaussian_kl(pa, g, means=means, stds=KL_STDS))

    w = _ipywidgets()
    if w is None:
        return StaticExplorer(description, static)

    def render(values):
        q = discretized_gaussian(g, values["mean"], values["std"])
        fwd = float(kl_divergence(pa, q))
        rev = float(kl_divergence(q, pa))
        html = (f"KL(p || q) = {_value('xl-kl-forward', fwd, 'nats')}; "
                f"KL(q || p) = {_value('xl-kl-reverse', rev, 'nats')}")
        fig, ((ax,),) = plots._figure(width=6.0, height=3.2)
        ax.plot(g, pa, color=plots.COLORS["p"], lw=2, label="p")
        ax.plot(g, q, color="tab:purple", label="q")
        ax.set_xlabel("x")
        ax.set_ylabel("probability")
        ax.legend()
        return html, fig

    controls = {
        "mean": w.FloatSlider(value=mean, min=float(g.min()), max=float(g.max()), step=0.1,
                              description="mean", continuous_update=False),
        "std": w.FloatSlider(value=std, min=0.2, max=4.0, step=0.1, description="std",
                             continuous_update=False),
    }
    return Explorer(controls, render, description, static)
