"""The course's figures. Each function computes with xentlearn and returns a matplotlib Figure.

Figures are built with :class:`matplotlib.figure.Figure` directly (not pyplot),
so nothing is left open between calls and tests can inspect the returned
object. In a notebook a returned Figure displays itself (the inline backend);
elsewhere save it with ``fig.savefig(...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .activations import softmax
from .distributions import KLFit, discretized_gaussian
from .information import cross_entropy, entropy, huffman_code_lengths
from .losses import binary_cross_entropy, sparse_categorical_cross_entropy

__all__ = [
    "unit_label",
    "coin_entropy_curve",
    "container_entropies",
    "code_lengths",
    "cross_entropy_family",
    "bce_curves",
    "softmax_bars",
    "softmax_temperature_grid",
    "kl_fit_figure",
    "kl_surfaces",
]

COLORS = {"y1": "tab:blue", "y0": "tab:orange", "p": "black", "forward": "tab:blue",
          "reverse": "tab:red"}


def unit_label(base: float | None) -> str:
    """'nats', 'bits', or 'log-base-b units'."""
    if base is None:
        return "nats"
    if base == 2:
        return "bits"
    return f"base-{base:g} units"


def _figure(width: float = 6.0, height: float = 3.6, ncols: int = 1, nrows: int = 1, **kw):
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def coin_entropy_curve(*, base: float | None = 2, mark: float | None = None,
                       num: int = 201) -> Figure:
    """Entropy of a coin with heads probability ``p``, over ``p`` in [0, 1].

    The curve peaks at ``p = 0.5`` (1 bit): a fair coin is the hardest to predict.
    ``mark`` adds a point at that ``p``.
    """
    fig, ((ax,),) = _figure()
    p = np.linspace(0, 1, num)
    h = entropy(np.stack([p, 1 - p], axis=-1), base=base)
    ax.plot(p, h, color=COLORS["p"])
    if mark is not None:
        hm = float(entropy([mark, 1 - mark], base=base))
        ax.plot([mark], [hm], "o", color="tab:red")
        near_peak = abs(mark - 0.5) < 0.2
        ax.annotate(f"H = {hm:.3f} {unit_label(base)}", (mark, hm),
                    xytext=(0, 10) if near_peak else (8, -16), textcoords="offset points",
                    ha="center" if near_peak else "left")
    ax.set_xlabel("p = P(heads)")
    ax.set_ylabel(f"entropy ({unit_label(base)})")
    ax.set_title("Entropy of a coin")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, float(h.max()) * 1.15)
    ax.grid(alpha=0.3)
    return fig


def container_entropies(containers: Mapping[str, Sequence[float]], *, base: float | None = 2,
                        outcome_names: Sequence[str] = ("cubes", "spheres")) -> Figure:
    """Stacked bars of each container's contents, annotated with its entropy.

    ``containers`` maps a name to counts of each kind of object.
    """
    fig, ((ax,),) = _figure(width=6.5)
    names = list(containers)
    counts = np.array([containers[n] for n in names], dtype=float)
    bottom = np.zeros(len(names))
    for j in range(counts.shape[1]):
        label = outcome_names[j] if j < len(outcome_names) else f"kind {j}"
        ax.bar(names, counts[:, j], bottom=bottom, label=label)
        bottom += counts[:, j]
    h = entropy(counts / counts.sum(axis=1, keepdims=True), base=base)
    for i, hi in enumerate(h):
        ax.text(i, bottom[i] * 1.02, f"H = {hi:.3f} {unit_label(base)}", ha="center",
                va="bottom")
    ax.set_ylim(0, bottom.max() * 1.35)
    ax.set_ylabel("objects")
    ax.set_title("The more mixed the container, the higher its entropy")
    ax.legend(loc="upper center", ncols=2)
    return fig


def code_lengths(p: ArrayLike, symbols: Sequence[str] | None = None) -> Figure:
    """Surprise ``-log2 p`` of each symbol next to its Huffman code length, with the entropy.

    The average Huffman length is within one bit above the entropy.
    """
    pa = np.asarray(p, dtype=float)
    lengths = huffman_code_lengths(pa)
    with np.errstate(divide="ignore"):
        surprise = -np.log2(pa)
    symbols = list(symbols) if symbols is not None else [str(k) for k in range(pa.size)]
    fig, ((ax,),) = _figure(width=6.5)
    x = np.arange(pa.size)
    ax.bar(x - 0.2, surprise, width=0.4, label="surprise -log2 p (bits)")
    ax.bar(x + 0.2, lengths, width=0.4, label="Huffman code length (bits)")
    h = float(entropy(pa, base=2))
    avg = float((pa * lengths).sum())
    ax.axhline(h, color="black", ls="--", label=f"entropy H = {h:.3f} bits")
    ax.axhline(avg, color="tab:green", ls=":", label=f"average code length = {avg:.3f} bits")
    ax.set_xticks(x, symbols)
    ax.set_ylabel("bits")
    ax.set_title("Entropy is the average length of the best code")
    ax.legend(fontsize="small")
    return fig


def cross_entropy_family(p: ArrayLike, qs: ArrayLike, params: ArrayLike, *,
                         base: float | None = 2, param_label: str = "q parameter") -> Figure:
    """H(p, q) for a family of ``q`` (one row per parameter value), with H(p) as a floor.

    The curve touches H(p) where ``q = p`` (Gibbs' inequality).
    """
    qa = np.asarray(qs, dtype=float)
    t = np.asarray(params, dtype=float)
    hpq = cross_entropy(p, qa, base=base)
    hp = float(entropy(p, base=base))
    fig, ((ax,),) = _figure()
    ax.plot(t, hpq, label="H(p, q)")
    ax.axhline(hp, color="black", ls="--", label=f"H(p) = {hp:.3f} {unit_label(base)}")
    i = int(np.argmin(hpq))
    ax.plot([t[i]], [hpq[i]], "o", color="tab:red", label=f"minimum at {param_label} = {t[i]:.2f}")
    ax.set_xlabel(param_label)
    ax.set_ylabel(unit_label(base))
    ax.set_title("Cross-entropy is lowest when q matches p")
    top = np.nanmax(np.where(np.isfinite(hpq), hpq, np.nan))
    ax.set_ylim(0, min(top, 4 * max(hp, 0.25)) * 1.05)
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def bce_curves(*, base: float | None = None, mark: float | None = None,
               num: int = 400) -> Figure:
    """Binary cross-entropy over the predicted probability ``p`` for ``y = 1`` and ``y = 0``.

    ``mark`` adds both losses at that ``p``. Also the static counterpart of
    :func:`xentlearn.widgets.bce_explorer`: every slider position is on the curves.
    """
    p = np.linspace(0.001, 0.999, num)
    ones, zeros = np.ones_like(p), np.zeros_like(p)
    l1 = binary_cross_entropy(ones, p, reduction="none", base=base)
    l0 = binary_cross_entropy(zeros, p, reduction="none", base=base)
    fig, ((ax,),) = _figure()
    ax.plot(p, l1, color=COLORS["y1"], label="true label y = 1: -log p")
    ax.plot(p, l0, color=COLORS["y0"], label="true label y = 0: -log(1 - p)")
    if mark is not None:
        for y, color in ((1, COLORS["y1"]), (0, COLORS["y0"])):
            val = float(binary_cross_entropy([y], [mark], base=base))
            ax.plot([mark], [val], "o", color=color)
            ax.annotate(f"{val:.3f}", (mark, val), xytext=(6, 4), textcoords="offset points")
    ax.set_xlabel("predicted probability p of class 1")
    ax.set_ylabel(f"loss ({unit_label(base)})")
    ax.set_title("Binary cross-entropy: confident mistakes cost the most")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, float(l1.max()) * 1.02)
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def softmax_bars(logits: ArrayLike, *, labels: Sequence[str] | None = None,
                 temperature: float = 1.0, true_class: int | None = None) -> Figure:
    """Bars of ``softmax(logits / temperature)``, the true class highlighted."""
    q = softmax(logits, temperature=temperature)
    labels = list(labels) if labels is not None else [str(k) for k in range(q.size)]
    fig, ((ax,),) = _figure(width=5.5, height=3.2)
    _draw_bars(ax, q, labels, true_class)
    ax.set_title(f"softmax(z / T), T = {temperature:g}")
    return fig


def _draw_bars(ax, q: np.ndarray, labels: Sequence[str], true_class: int | None) -> None:
    colors = ["tab:gray"] * q.size
    if true_class is not None:
        colors[true_class] = "tab:green"
    bars = ax.bar(range(q.size), q, color=colors)
    if true_class is not None:
        ax.legend([bars[true_class]], ["true class"], loc="upper right", fontsize="small")
    for k, qk in enumerate(q):
        ax.text(k, qk + 0.02, f"{qk:.3f}", ha="center", fontsize="small")
    ax.set_xticks(range(q.size), labels)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability")


def softmax_temperature_grid(logits: ArrayLike, temperatures: Sequence[float], *,
                             labels: Sequence[str] | None = None,
                             true_class: int | None = None,
                             base: float | None = None) -> Figure:
    """Small multiples of the softmax bars at several temperatures, each with its loss.

    The static counterpart of :func:`xentlearn.widgets.softmax_explorer`.
    """
    z = np.asarray(logits, dtype=float)
    labels = list(labels) if labels is not None else [str(k) for k in range(z.size)]
    n = len(temperatures)
    fig, axes = _figure(width=3.0 * n, height=3.0, ncols=n, sharey=True)
    for ax, t in zip(axes[0], temperatures, strict=True):
        q = softmax(z, temperature=t)
        _draw_bars(ax, q, labels, true_class)
        title = f"T = {t:g}"
        if true_class is not None:
            loss = float(sparse_categorical_cross_entropy([true_class], (z / t)[None],
                                                          from_logits=True, base=base))
            title += f"\nloss {loss:.3f} {unit_label(base)}"
        ax.set_title(title)
    return fig


def kl_fit_figure(grid: ArrayLike, p: ArrayLike, fit: KLFit) -> Figure:
    """The two-bump ``p`` with the Gaussian ``q`` that minimises forward and reverse KL."""
    g = np.asarray(grid, dtype=float)
    q_fwd = discretized_gaussian(g, *fit.forward_best)
    q_rev = discretized_gaussian(g, *fit.reverse_best)
    fig, ((ax,),) = _figure(width=6.5)
    ax.plot(g, p, color=COLORS["p"], lw=2, label="target p (two bumps)")
    ax.plot(g, q_fwd, color=COLORS["forward"], ls="--",
            label="argmin KL(p || q): covers both modes")
    ax.plot(g, q_rev, color=COLORS["reverse"], ls="-.",
            label="argmin KL(q || p): seeks one mode")
    ax.set_xlabel("x")
    ax.set_ylabel("probability")
    ax.set_title("Forward vs reverse KL")
    ax.legend(fontsize="small")
    return fig


def kl_surfaces(fit: KLFit) -> Figure:
    """Forward and reverse KL over the searched (mean, std) grid, minima marked.

    The static counterpart of :func:`xentlearn.widgets.kl_explorer`.
    """
    fig, axes = _figure(width=10, height=3.8, ncols=2)
    for ax, surf, best, name in ((axes[0, 0], fit.forward, fit.forward_best, "KL(p || q)"),
                                 (axes[0, 1], fit.reverse, fit.reverse_best, "KL(q || p)")):
        shown = np.log10(np.where(np.isfinite(surf), surf, np.nan) + 1e-3)
        mesh = ax.pcolormesh(fit.stds, fit.means, shown, shading="auto", cmap="viridis")
        fig.colorbar(mesh, ax=ax, label="log10(KL + 0.001), nats; white: infinite")
        ax.plot([best[1]], [best[0]], "r*", ms=12)
        ax.set_xlabel("std of q")
        ax.set_ylabel("mean of q")
        ax.set_title(f"{name}: best mean {best[0]:.2f}, std {best[1]:.2f}")
    return fig


def padded_token_losses(labels: ArrayLike, y_pred: ArrayLike, *, ignore_index: int = -100,
                        from_logits: bool = False, base: float | None = None) -> Figure:
    """Per-token losses of a padded batch (sequences x positions), padding greyed out.

    Each real token's cell shows its loss :math:`-\\log q_{y}` from
    :func:`xentlearn.sparse_categorical_cross_entropy` with ``reduction="none"``;
    cells whose label equals ``ignore_index`` are grey and marked "pad". The title
    gives the mean over the real tokens only, which is what ``ignore_index`` makes
    ``reduction="mean"`` return.
    """
    from matplotlib import colormaps

    lab = np.asarray(labels)
    if lab.ndim != 2:
        raise ValueError(f"labels must be 2-D (sequences x positions), got shape {lab.shape}")
    kw = {"from_logits": from_logits, "ignore_index": ignore_index, "base": base}
    losses = sparse_categorical_cross_entropy(lab, y_pred, reduction="none", **kw)
    mean = float(sparse_categorical_cross_entropy(lab, y_pred, **kw))
    pad = lab == ignore_index
    n_rows, n_cols = losses.shape
    fig, ((ax,),) = _figure(width=0.9 * n_cols + 2.4, height=0.7 * n_rows + 1.4)
    cmap = colormaps["viridis"].with_extremes(bad="lightgrey")
    top = float(losses[~pad].max()) if (~pad).any() else 1.0
    image = ax.imshow(np.ma.masked_array(losses, mask=pad), cmap=cmap, vmin=0, vmax=top,
                      aspect="auto")
    for i in range(n_rows):
        for j in range(n_cols):
            if pad[i, j]:
                ax.text(j, i, "pad", ha="center", va="center", color="dimgray")
            else:
                color = "white" if losses[i, j] < 0.6 * top else "black"
                ax.text(j, i, f"{losses[i, j]:.2f}", ha="center", va="center", color=color)
    fig.colorbar(image, ax=ax, label=f"loss ({unit_label(base)})")
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    ax.set_xlabel("position in the sequence")
    ax.set_ylabel("sequence")
    ax.set_title(f"Per-token loss: mean over the {int((~pad).sum())} real tokens = "
                 f"{mean:.3f} {unit_label(base)}")
    return fig


def cross_entropy_kl_gap(p: ArrayLike, qs: ArrayLike, params: ArrayLike, *,
                         base: float | None = None, param_label: str = "q parameter") -> Figure:
    """H(p, q) and KL(p || q) over a family of ``q`` (one row per parameter value).

    The two curves differ by the constant H(p), so they have their minimum at the
    same ``q``; the gap is drawn as an arrow at the minimum of the cross-entropy.
    """
    from .information import kl_divergence

    qa = np.asarray(qs, dtype=float)
    t = np.asarray(params, dtype=float)
    hpq = cross_entropy(p, qa, base=base)
    kl = kl_divergence(p, qa, base=base)
    hp = float(entropy(p, base=base))
    unit = unit_label(base)
    fig, ((ax,),) = _figure(width=6.5)
    ax.plot(t, hpq, color="tab:blue", label="cross-entropy H(p, q)")
    ax.plot(t, kl, color="tab:red", label="KL(p || q)")
    i, j = int(np.argmin(hpq)), int(np.argmin(kl))
    ax.plot([t[i]], [hpq[i]], "o", color="tab:blue",
            label=f"min of H(p, q) at {param_label} = {t[i]:.2f}")
    ax.plot([t[j]], [kl[j]], "s", color="tab:red", mfc="none", ms=9,
            label=f"min of KL at {param_label} = {t[j]:.2f}")
    ax.annotate("", xy=(t[i], hpq[i]), xytext=(t[i], kl[i]),
                arrowprops={"arrowstyle": "<->", "color": "black"})
    ax.text(t[i], (hpq[i] + kl[i]) / 2, f"  gap = H(p) = {hp:.3f} {unit}", va="center")
    ax.set_xlabel(param_label)
    ax.set_ylabel(unit)
    ax.set_title("H(p, q) = H(p) + KL(p || q): same minimiser")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig
