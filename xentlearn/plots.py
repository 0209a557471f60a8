"""The course's figures. Each function computes with xentlearn and returns a matplotlib Figure.

Figures are built with :class:`matplotlib.figure.Figure` directly (not pyplot),
so nothing is left open between calls and tests can inspect the returned
object. In a notebook a returned Figure displays itself (the inline backend);
elsewhere save it with ``fig.savefig(...)``.

Each figure is a :class:`DescribedFigure`: it carries a description, in one to three
sentences, of what it shows (the kind of chart, its axes and units, and the key numbers
of the data drawn). The description is the figure's text form, which a notebook stores
beside the image and the course website uses as the image's alt text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .activations import softmax
from .distributions import KLFit, discretized_gaussian
from .information import cross_entropy, entropy, huffman_code_lengths, huffman_merges
from .losses import binary_cross_entropy, sparse_categorical_cross_entropy

__all__ = [
    "DescribedFigure",
    "unit_label",
    "coin_entropy_curve",
    "container_entropies",
    "code_lengths",
    "huffman_tree",
    "code_space",
    "cross_entropy_family",
    "bce_curves",
    "softmax_bars",
    "softmax_temperature_grid",
    "kl_fit_figure",
    "kl_surfaces",
    "padded_token_losses",
    "cross_entropy_kl_gap",
    "reliability_diagram",
    "training_curves",
    "confusion_matrix_figure",
    "misclassified_images",
    "likelihood_and_loss",
    "slope_chain",
    "sigmoid_loss_gradients",
    "activation_functions",
    "training_curves_by_run",
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


class DescribedFigure(Figure):
    """A matplotlib Figure that carries a description of what it shows.

    The description is the figure's text form (``repr``): a notebook stores it beside the
    image as ``text/plain``, and the course website uses it as the image's alt text, so a
    reader who cannot see the picture still learns what it shows.

    Attributes
    ----------
    description : str
        One to three sentences on one line; empty until set, and then ``repr`` is
        matplotlib's own (``<DescribedFigure size 600x360 with 1 Axes>``).

    Examples
    --------
    >>> fig = DescribedFigure(figsize=(6, 3.6))
    >>> repr(fig)
    '<DescribedFigure size 600x360 with 0 Axes>'
    >>> fig.description = "Empty canvas of 6 by 3.6 inches."
    >>> repr(fig)
    'Empty canvas of 6 by 3.6 inches.'
    """

    description: str = ""

    def __repr__(self) -> str:
        return self.description or super().__repr__()


def _described(fig: DescribedFigure, text: str) -> DescribedFigure:
    """Attach ``text`` (whitespace collapsed) as ``fig``'s description and return ``fig``."""
    fig.description = " ".join(text.split())
    return fig


def _figure(width: float = 6.0, height: float = 3.6, ncols: int = 1, nrows: int = 1,
            **kw) -> tuple[DescribedFigure, np.ndarray]:
    """A constrained-layout :class:`DescribedFigure` and its axes, shape (nrows, ncols)."""
    fig = DescribedFigure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _num(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` decimals, or "infinite" / "undefined" where it is not finite."""
    if np.isnan(x):
        return "undefined"
    if np.isinf(x):
        return "infinite" if x > 0 else "minus infinity"
    return f"{x:.{digits}f}"


def _some(items: Sequence[str], limit: int = 6) -> str:
    """``items`` joined by "; ", the middle ones left out (and counted) beyond ``limit``."""
    items = list(items)
    if len(items) > limit:
        items = items[:limit - 1] + [f"... ({len(items) - limit} more) ...", items[-1]]
    return "; ".join(items)


def _valley(x: np.ndarray, y: np.ndarray, name: str, unit: str) -> str:
    """Where the finite part of the curve ``y(x)`` starts, is lowest, and ends, in words."""
    ok = np.flatnonzero(np.isfinite(y))
    if ok.size == 0:
        return "is infinite everywhere"
    first, last, low = ok[0], ok[-1], ok[np.argmin(y[ok])]

    def at(k: int) -> str:
        return f"{y[k]:.3f} {unit} at {name} = {x[k]:.2f}"

    if low == first:
        return f"is lowest, {at(low)}, and rises to {at(last)}"
    if low == last:
        return f"falls from {at(first)} to its lowest, {at(low)}"
    return f"falls from {at(first)} to its lowest, {at(low)}, then rises to {at(last)}"


def coin_entropy_curve(*, base: float | None = 2, mark: float | None = None,
                       num: int = 201) -> DescribedFigure:
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
    unit = unit_label(base)
    peak = int(np.argmax(h))
    text = (f"Line chart of a coin's entropy in {unit} (vertical) against P(heads) from 0 to 1 "
            f"(horizontal): a symmetric arch from 0 at both ends to its peak of "
            f"{h[peak]:.3f} {unit} at P(heads) = {round(float(p[peak]), 2):g}")
    if mark is not None:
        text += f"; the point at P(heads) = {mark:.2f} has H = {hm:.3f} {unit}"
    return _described(fig, text + ".")


def container_entropies(containers: Mapping[str, Sequence[float]], *, base: float | None = 2,
                        outcome_names: Sequence[str] = ("cubes", "spheres")) -> DescribedFigure:
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
    kinds = [outcome_names[j] if j < len(outcome_names) else f"kind {j}"
             for j in range(counts.shape[1])]
    each = _some([f"{n}: H = {hi:.3f}" for n, hi in zip(names, h, strict=True)])
    return _described(fig, f"Stacked bar chart of the objects in {len(names)} containers, "
                            f"{' and '.join(kinds)} stacked, counted on the vertical axis, "
                            f"each bar labelled with its entropy in {unit_label(base)}: "
                            f"{each}. The more mixed the container, the higher its entropy.")


def code_lengths(p: ArrayLike, symbols: Sequence[str] | None = None) -> DescribedFigure:
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
    ax.bar(x + 0.2, lengths, width=0.4, label="Huffman code length nₖ (bits)")
    h = float(entropy(pa, base=2))
    avg = float((pa * lengths).sum())
    ax.axhline(h, color="black", ls="--", label=f"entropy H = {h:.3f} bits")
    ax.axhline(avg, color="tab:green", ls=":", label=f"average code length n̄ = {avg:.3f} bits")
    ax.set_xticks(x, symbols)
    ax.set_ylabel("bits")
    ax.set_title("The best code's average length n̄: H ≤ n̄ < H + 1")
    ax.legend(fontsize="small")
    pairs = _some([f"{sym}: {_num(s)} and {n}"
                   for sym, s, n in zip(symbols, surprise, lengths, strict=True)])
    return _described(fig, f"Grouped bar chart in bits: for each of {pa.size} symbols, its "
                            f"surprise -log2 p next to its Huffman code length ({pairs}). "
                            f"A dashed line marks the entropy H = {h:.3f} bits and a dotted "
                            f"one the average code length n̄ = {avg:.3f} bits: H ≤ n̄ < H + 1.")


def huffman_tree(p: ArrayLike, symbols: Sequence[str] | None = None) -> DescribedFigure:
    """Huffman's code for ``p`` as a tree, built from the merges of :func:`huffman_merges`.

    Each merge is a node above the two groups it joins, labelled with the merged
    probability and its step number; the branch to the less likely group is labelled 0,
    the other 1. A symbol's code word is read along the branches from the top down to
    its leaf, so its code length is the leaf's depth. Leaves show the symbol, its
    probability and, below, its code word.

    Parameters
    ----------
    p : array_like, shape (K,)
        One distribution, ``K >= 1``.
    symbols : sequence of str, optional
        A name per outcome; default ``"0"``, ``"1"``, ...

    Returns
    -------
    Figure
        One axes without frame; the code words are its texts with gid ``"code word"``,
        in the order of the symbols, the branch labels those with gid ``"branch"``.

    Examples
    --------
    >>> fig = huffman_tree([0.35, 0.25, 0.2, 0.12, 0.08], "ABCDE")
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "code word"]
    ['11', '10', '00', '011', '010']
    """
    pa = np.asarray(p, dtype=float)
    steps = huffman_merges(pa)
    symbols = list(symbols) if symbols is not None else [str(k) for k in range(pa.size)]
    # a node is the tuple of its outcomes; a merged node's children are (first, second)
    children = {tuple(sorted(s.first + s.second)): (s.first, s.second) for s in steps}
    number = {node: i + 1 for i, node in enumerate(children)}
    prob = {(k,): float(pk) for k, pk in enumerate(pa)}
    prob.update({node: s.p_merged for node, s in zip(children, steps, strict=True)})
    # two or three decimals when they show every probability exactly, else 3 significant digits
    digits = next((d for d in (2, 3) if np.allclose(np.round(pa, d), pa, rtol=0, atol=1e-12)),
                  None)
    fmt = "{:.3g}" if digits is None else f"{{:.{digits}f}}"

    pos: dict[tuple[int, ...], tuple[float, int]] = {}
    words: dict[int, str] = {}

    def place(node: tuple[int, ...], depth: int, word: str) -> float:
        if node not in children:  # a leaf
            x = float(len(words))
            words[node[0]] = word
        else:
            x = float(np.mean([place(child, depth + 1, word + bit)
                               for child, bit in zip(children[node], "01", strict=True)]))
        pos[node] = (x, depth)
        return x

    place(tuple(range(pa.size)), 0, "")
    depth = max(d for _, d in pos.values())
    fig, ((ax,),) = _figure(width=max(4.0, 1.2 * pa.size), height=1.2 + 0.9 * depth)
    for node, (first, second) in children.items():
        x, y = pos[node]
        for child, bit in ((first, "0"), (second, "1")):
            cx, cy = pos[child]
            ax.plot([x, cx], [-y, -cy], color="0.6", lw=1.5, zorder=1)
            ax.text((x + cx) / 2, -(y + cy) / 2, bit, ha="center", va="center",
                    color="tab:blue", fontweight="bold", gid="branch",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
        ax.text(x, -y, fmt.format(prob[node]), ha="center", va="center", zorder=2,
                bbox={"boxstyle": "circle,pad=0.3", "fc": "0.93", "ec": "0.4"})
        ax.text(x + 0.22, -y + 0.22, f"step {number[node]}", ha="left", va="bottom",
                fontsize="small", color="0.35")
    for k in range(pa.size):
        x, y = pos[(k,)]
        ax.text(x, -y, f"{symbols[k]}\n{fmt.format(pa[k])}", ha="center", va="center",
                zorder=2, bbox={"boxstyle": "round,pad=0.3", "fc": "#fdd9b5", "ec": "0.4"})
        ax.text(x, -y - 0.55, words[k] or "(no bits)", ha="center", va="top",
                family="monospace", gid="code word")
    ax.set_xlim(-0.7, pa.size - 0.3)
    ax.set_ylim(-depth - 1.0, 0.6)
    ax.set_axis_off()
    ax.set_title("Huffman tree: read each code word from the top down")
    if pa.size == 1:
        return _described(fig, f"Tree diagram of Huffman's code for a single symbol, "
                                f"{symbols[0]} with probability {fmt.format(pa[0])}: one leaf "
                                f"and no merges, so its code word has no bits.")
    leaves = _some([f"{symbols[k]} ({fmt.format(pa[k])}): {words[k]}" for k in range(pa.size)])
    return _described(fig, f"Tree diagram of Huffman's code for {pa.size} symbols, built in "
                            f"{len(steps)} merges of the two least likely groups, each merge a "
                            f"node with the merged probability. Reading the branch labels 0 "
                            f"and 1 from the top down to a leaf spells its code word: "
                            f"{leaves}.")


def _code_words(p: np.ndarray) -> list[str]:
    """Huffman's code words for ``p``, read as :func:`huffman_tree` draws them.

    Each merge of :func:`huffman_merges` puts a 0 in front of the first group's words and a
    1 in front of the second's.
    """
    words = [""] * p.size
    for step in huffman_merges(p):
        for group, bit in ((step.first, "0"), (step.second, "1")):
            for k in group:
                words[k] = bit + words[k]
    return words


def code_space(p: ArrayLike, symbols: Sequence[str] | None = None, *,
               code_for: ArrayLike | None = None) -> DescribedFigure:
    """Code space: the share ``2**-n`` of all bit strings that a code word of ``n`` bits uses.

    Row ``n`` holds the ``2**n`` strings of ``n`` bits side by side in a strip of width 1,
    so each string has width ``2**-n``. A code word of Huffman's code is coloured with its
    symbol, and the longer strings that start with it are shaded below it: no other code
    word may start with it, so it uses up a block of width ``2**-n`` of every longer row.
    Under the rows, one strip shows each code word's block and the next each symbol's
    probability, in the same order and joined by bands: a code word of ``-log2 p`` bits
    would use a share ``p``. The average length is in bits.

    Parameters
    ----------
    p : array_like, shape (K,)
        The distribution the symbols come from.
    symbols : sequence of str, optional
        A name per outcome; default ``"0"``, ``"1"``, ...
    code_for : array_like, shape (K,), optional
        Draw Huffman's code built for this distribution ``q`` instead of for ``p``: used on
        symbols from ``p``, its average length is about the cross-entropy ``H(p, q)`` (equal
        to it when every ``q_k`` is a power of 1/2).

    Returns
    -------
    DescribedFigure
        One axes; the code words' blocks are its patches with gid ``"code word"``, the
        probabilities' those with gid ``"probability"``, both from left to right.

    Examples
    --------
    >>> fig = code_space([0.35, 0.25, 0.2, 0.12, 0.08], "ABCDE")
    >>> [r.get_width() for r in fig.axes[0].patches if r.get_gid() == "code word"]
    [0.25, 0.125, 0.125, 0.25, 0.25]
    """
    from matplotlib.patches import Patch, Rectangle

    pa = np.asarray(p, dtype=float)
    qa = pa if code_for is None else np.asarray(code_for, dtype=float)
    h_pq = float(cross_entropy(pa, qa, base=2))  # checks both, and that their shapes match
    words = _code_words(qa)
    lengths = np.array([len(w) for w in words])
    symbols = list(symbols) if symbols is not None else [str(k) for k in range(pa.size)]
    order = sorted(range(pa.size), key=lambda k: words[k])  # left to right along the strip
    start = {k: int(words[k] or "0", 2) / 2.0 ** lengths[k] for k in order}
    color = {k: f"C{k % 10}" for k in order}
    digits = next((d for d in (2, 3) if np.allclose(np.round(pa, d), pa, rtol=0, atol=1e-12)),
                  None)
    fmt = "{:.3g}" if digits is None else f"{{:.{digits}f}}"

    def share(n: int) -> str:
        return f"1/{2 ** n}" if n else "1"

    depth = int(lengths.max())
    y_code, y_prob = -depth - 1.4, -depth - 3.0
    fig, ((ax,),) = _figure(width=7.0, height=1.6 + 0.55 * (depth + 3))
    edge = {"edgecolor": "0.3", "linewidth": 0.8}
    for n in range(1, depth + 1):
        cells = ([(j / 2 ** n, 1 / 2 ** n, format(j, f"0{n}b")) for j in range(2 ** n)]
                 if n <= 4 else [])
        owned = [(start[k], 2.0 ** -lengths[k], k) for k in order if lengths[k] <= n]
        if not cells:  # too many strings to draw one by one: the code words' blocks only
            cells = [(x0, w, words[k] if lengths[k] == n else "") for x0, w, k in owned]
        for x0, w, s in cells:
            k = next((k for b, bw, k in owned if b <= x0 < b + bw), None)
            if k is not None and lengths[k] == n:
                ax.add_patch(Rectangle((x0, -n - 0.4), w, 0.8, facecolor=color[k], **edge))
                if w >= 1 / 16:
                    ax.text(x0 + w / 2, -n, f"{symbols[k]}\n{s}", ha="center", va="center",
                            fontsize="small", color="white", fontweight="bold")
            else:
                shaded = k is not None
                ax.add_patch(Rectangle((x0, -n - 0.4), w, 0.8,
                                       facecolor=color[k] if shaded else "white",
                                       alpha=0.25 if shaded else 1.0, **edge))
                if n <= 4:
                    ax.text(x0 + w / 2, -n, s, ha="center", va="center", fontsize="x-small",
                            color="0.45", family="monospace")
    for k in order:
        w = float(2.0 ** -lengths[k])
        c0 = float(sum(pa[j] for j in order[:order.index(k)]))
        ax.add_patch(Rectangle((start[k], y_code - 0.4), w, 0.8, facecolor=color[k],
                               gid="code word", **edge))
        ax.add_patch(Rectangle((c0, y_prob - 0.4), pa[k], 0.8, facecolor=color[k],
                               gid="probability", **edge))
        ax.fill([start[k], start[k] + w, c0 + pa[k], c0], [y_code - 0.4] * 2 + [y_prob + 0.4] * 2,
                color=color[k], alpha=0.15, lw=0)
        if w >= 1 / 16:
            ax.text(start[k] + w / 2, y_code, f"{symbols[k]}\n{share(lengths[k])}",
                    ha="center", va="center", fontsize="small", color="white",
                    fontweight="bold")
        if pa[k] >= 1 / 16:
            ax.text(c0 + pa[k] / 2, y_prob, f"{symbols[k]}\n{fmt.format(pa[k])}", ha="center",
                    va="center", fontsize="small", color="white", fontweight="bold")
    rows = [f"{n} bit{'s' if n > 1 else ''}" for n in range(1, depth + 1)]
    ax.set_yticks([-n for n in range(1, depth + 1)] + [y_code, y_prob],
                  rows + ["code word's\nshare 2⁻ⁿ", "probability p"])
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "1/4", "1/2", "3/4", "1"])
    ax.set_xlim(0, 1)
    ax.set_ylim(y_prob - 0.6, -0.4)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("share of code space")
    ax.set_title("Code space: a code word of n bits uses a share 2⁻ⁿ of it" if code_for is None
                 else "The code built for q, used on symbols from p")
    fig.legend(handles=[Patch(facecolor="0.35", **edge, label="code word"),
                        Patch(facecolor="0.35", alpha=0.25, **edge,
                              label="starts with a code word: used up"),
                        Patch(facecolor="white", **edge, label="beginning of a code word")],
               loc="outside lower center", ncols=3, fontsize="small", frameon=False)
    avg = float(pa @ lengths)
    blocks = _some([f"{symbols[k]} {words[k] or '(no bits)'}: {share(lengths[k])}"
                    for k in order], limit=5)
    probs = _some([f"{symbols[k]} {fmt.format(pa[k])}" for k in order], limit=5)
    built = "" if code_for is None else " built for q, used on p,"
    text = (f"Strip diagram of code space (width 1) for Huffman's code{built} for {pa.size} "
            f"symbol{'s' if pa.size > 1 else ''}: row n holds the bit strings of n bits; a code "
            f"word of n bits takes a block of width 2^-n, with the longer strings that start "
            f"with it: {blocks} (together {float(np.sum(2.0 ** -lengths)):.3g}). Below, the "
            f"probabilities p in the same order: {probs}. ")
    h_p = float(entropy(pa, base=2))
    if code_for is None:
        text += f"Average length {avg:.3f} bits, entropy {h_p:.3f} bits."
    else:
        text += (f"Average length under p {avg:.3f} bits, H(p, q) = {h_pq:.3f} bits, "
                 f"H(p) = {h_p:.3f} bits.")
    return _described(fig, text)


def cross_entropy_family(p: ArrayLike, qs: ArrayLike, params: ArrayLike, *,
                         base: float | None = 2, param_label: str = "q parameter",
                         xlabel: str | None = None) -> DescribedFigure:
    """H(p, q) for a family of ``q`` (one row per parameter value), with H(p) as a floor.

    The curve touches H(p) where ``q = p`` (Gibbs' inequality). ``param_label`` names
    the parameter in the legend ("minimum at t = 0.00"); ``xlabel`` (default
    ``param_label``) can describe it at length on the axis.
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
    ax.set_xlabel(param_label if xlabel is None else xlabel)
    ax.set_ylabel(unit_label(base))
    ax.set_title("Cross-entropy is lowest when q matches p")
    top = np.nanmax(np.where(np.isfinite(hpq), hpq, np.nan))
    ceiling = min(top, 4 * max(hp, 0.25)) * 1.05
    ax.set_ylim(0, ceiling)
    ax.legend()
    ax.grid(alpha=0.3)
    unit = unit_label(base)
    if np.isclose(hpq[i], hp, rtol=0, atol=5e-4):
        floor = "its lowest value equals H(p): there q matches p"
    else:
        floor = f"its lowest value is {hpq[i] - hp:.3f} {unit} above H(p)"
    cut = f" (the chart is cut off at {ceiling:.2f} {unit})" if top > ceiling else ""
    return _described(fig, f"Line chart of the cross-entropy H(p, q) in {unit} on the vertical "
                            f"axis against {param_label if xlabel is None else xlabel} on the "
                            f"horizontal one, above a dashed line at the entropy H(p) = "
                            f"{hp:.3f} {unit}: the "
                            f"curve {_valley(t, hpq, param_label, unit)}{cut}; {floor}.")


def bce_curves(*, base: float | None = None, mark: float | None = None,
               num: int = 400) -> DescribedFigure:
    """Binary cross-entropy over the predicted probability ``p`` for ``y = 1`` and ``y = 0``.

    ``mark`` adds both losses at that ``p``. Also the static counterpart of
    :func:`xentlearn.widgets.bce_explorer`: every slider position is on the curves.
    """
    p = np.linspace(0.001, 0.999, num)
    ones, zeros = np.ones_like(p), np.zeros_like(p)
    l1 = binary_cross_entropy(ones, p, reduction="none", base=base)
    l0 = binary_cross_entropy(zeros, p, reduction="none", base=base)
    fig, ((ax,),) = _figure()
    log = "ln" if base is None else "log₂" if base == 2 else f"log_{base:g}"
    ax.plot(p, l1, color=COLORS["y1"], label=f"true label y = 1: -{log} p")
    ax.plot(p, l0, color=COLORS["y0"], label=f"true label y = 0: -{log}(1 - p)")
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
    unit = unit_label(base)
    text = (f"Line chart of the binary cross-entropy in {unit} (vertical) against the "
            f"predicted probability p of class 1 from 0 to 1 (horizontal). For the true label "
            f"y = 1 the loss -{log} p falls from {l1[0]:.3f} {unit} at p = {p[0]:.3f} to "
            f"{l1[-1]:.3f} at p = {p[-1]:.3f}; for y = 0 the loss -{log}(1 - p) is its mirror "
            f"image, so a confident mistake costs the most")
    if mark is not None:
        v1, v0 = (float(binary_cross_entropy([y], [mark], base=base)) for y in (1, 0))
        text += (f"; at p = {mark:.2f} the loss is {v1:.3f} {unit} if y = 1 and {v0:.3f} "
                 f"{unit} if y = 0")
    return _described(fig, text + ".")


def softmax_bars(logits: ArrayLike, *, labels: Sequence[str] | None = None,
                 temperature: float = 1.0, true_class: int | None = None) -> DescribedFigure:
    """Bars of ``softmax(logits / temperature)``, the true class highlighted."""
    q = softmax(logits, temperature=temperature)
    labels = list(labels) if labels is not None else [str(k) for k in range(q.size)]
    fig, ((ax,),) = _figure(width=5.5, height=3.2)
    _draw_bars(ax, q, labels, true_class)
    ax.set_title(f"softmax(z / T), T = {temperature:g}")
    z = np.asarray(logits, dtype=float).ravel()
    text = (f"Bar chart of the probabilities softmax(z / T) of {q.size} classes at temperature "
            f"T = {temperature:g}, from the logits z = ({', '.join(f'{v:g}' for v in z)}), "
            f"probability on the vertical axis from 0 to 1: "
            f"{_some([f'{lab}: {qk:.3f}' for lab, qk in zip(labels, q, strict=True)])}")
    if true_class is not None:
        text += f"; the true class, {labels[true_class]} (green), gets {q[true_class]:.3f}"
    return _described(fig, text + ".")


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
                             base: float | None = None,
                             ncols: int = 3) -> DescribedFigure:
    """Small multiples of the softmax bars at several temperatures, each with its loss.

    The static counterpart of :func:`xentlearn.widgets.softmax_explorer`. The panels
    wrap after ``ncols`` per row (3 by default), so that five panels fill 2 rows of 3
    and the figure stays readable on a page about 700 px wide, while two rows with the
    code above them still fit a 1280 x 720 slide. Only the first panel
    carries the "true class" legend and only the first column the axis label.
    """
    z = np.asarray(logits, dtype=float)
    labels = list(labels) if labels is not None else [str(k) for k in range(z.size)]
    n = len(temperatures)
    cols = max(1, min(int(ncols), n))
    rows = -(-n // cols)
    fig, axes = _figure(width=3.0 * cols, height=2.9 * rows, ncols=cols, nrows=rows,
                        sharey=True)
    for ax in axes.ravel()[n:]:
        ax.remove()  # the empty places of the last row
    unit = unit_label(base)
    panels = []
    for i, (ax, t) in enumerate(zip(axes.ravel()[:n], temperatures, strict=True)):
        q = softmax(z, temperature=t)
        _draw_bars(ax, q, labels, true_class)
        if i and ax.get_legend() is not None:
            ax.get_legend().remove()
        if i % cols:
            ax.set_ylabel("")
        title = f"T = {t:g}"
        if true_class is not None:
            loss = float(sparse_categorical_cross_entropy([true_class], (z / t)[None],
                                                          from_logits=True, base=base))
            title += f"\nloss {loss:.3f} {unit}"
            panels.append(f"{q[true_class]:.3f} at T = {t:g} (loss {loss:.3f}"
                          f"{'' if panels else ' ' + unit})")
        else:
            panels.append(f"{q.max():.3f}, for {labels[int(np.argmax(q))]}, at T = {t:g}")
        ax.set_title(title)
    which = (f"the true class {labels[true_class]} (green) gets"
             if true_class is not None else "the largest probability is")
    layout = "side by side" if rows == 1 else f"in {rows} rows of up to {cols}"
    return _described(fig, f"{n} bar charts {layout}, one per temperature T, of the "
                            f"probabilities softmax(z / T) of {z.size} classes "
                            f"({', '.join(labels)}), 0 to 1 on the vertical axis; {which} "
                            f"{_some(panels)}. A lower T sharpens the bars, a higher T "
                            f"flattens them towards 1/{z.size} each.")


def kl_fit_figure(grid: ArrayLike, p: ArrayLike, fit: KLFit) -> DescribedFigure:
    """The two-bump ``p`` with the Gaussian ``q`` that minimises forward and reverse KL."""
    g = np.asarray(grid, dtype=float)
    q_fwd = discretized_gaussian(g, *fit.forward_best)
    q_rev = discretized_gaussian(g, *fit.reverse_best)
    fig, ((ax,),) = _figure(width=6.5)
    ax.plot(g, p, color=COLORS["p"], lw=2, label="target p (two bumps)")
    ax.plot(g, q_fwd, color=COLORS["forward"], ls="--",
            label="best q for forward KL(p || q): covers both modes")
    ax.plot(g, q_rev, color=COLORS["reverse"], ls="-.",
            label="best q for reverse KL(q || p): seeks one mode")
    ax.set_xlabel("x")
    ax.set_ylabel("probability")
    ax.set_title("Forward vs reverse KL")
    ax.legend(fontsize="small")
    pa = np.asarray(p, dtype=float)
    peaks = [f"{g[i]:.2f}" for i in range(1, pa.size - 1)
             if pa[i] > pa[i - 1] and pa[i] >= pa[i + 1]]
    where = f", with peaks at x = {' and '.join(peaks)}" if 0 < len(peaks) <= 4 else ""

    def gaussian(best: tuple[float, float], kl: np.ndarray) -> str:
        return f"mean {best[0]:.2f}, std {best[1]:.2f}, KL {_num(float(np.min(kl)))} nats"

    return _described(fig, f"Line chart of probability (vertical) over x from {g[0]:g} to "
                            f"{g[-1]:g} (horizontal): the target p (black){where}; dashed, the "
                            f"Gaussian q that minimises KL(p || q) ("
                            f"{gaussian(fit.forward_best, fit.forward)}), which covers both "
                            f"modes; dash-dotted, the one that minimises KL(q || p) ("
                            f"{gaussian(fit.reverse_best, fit.reverse)}), which seeks one mode.")


def _kl_levels(finite: np.ndarray) -> np.ndarray:
    """Band edges for divergences ``finite`` (in nats): 0.01, 0.03, 0.1, 0.3, 1, 3, 10, ...

    From the largest edge at or below the smallest value (0 if that is below 0.01) to the
    smallest edge at or above the largest value.
    """
    steps = np.array([float(f"{f}e{e}") for e in range(-2, 7) for f in (1, 3)])
    if finite.size == 0:
        return np.array([0.0, 1.0])
    lo, hi = float(finite.min()), float(finite.max())
    below = steps[steps <= lo]
    inside = steps[(steps > lo) & (steps < hi)]
    above = steps[steps >= hi]
    start = below[-1:] if below.size else np.array([0.0])
    end = above[:1] if above.size else np.array([hi])
    edges = np.concatenate([start, inside, end])
    return edges if edges.size > 1 else np.array([edges[0], edges[0] + 1])


def kl_surfaces(fit: KLFit) -> DescribedFigure:
    """Forward and reverse KL over the searched (mean, std) grid, minima marked.

    Both panels share one colour scale in nats, in bands whose edges step by a factor
    of about 3 (0.1, 0.3, 1, 3, 10, ...), so that divergences from below 1 nat to
    hundreds can be told apart; contour lines at the edges inside the range are labelled
    with their value in nats. White cells are settings where the divergence is infinite
    (``q`` is 0 at a grid point where the other distribution is not). A red star marks
    each panel's lowest divergence. The static counterpart of
    :func:`xentlearn.widgets.kl_explorer`.
    """
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    means, stds = np.asarray(fit.means, dtype=float), np.asarray(fit.stds, dtype=float)
    surfaces = [np.asarray(fit.forward, dtype=float), np.asarray(fit.reverse, dtype=float)]
    edges = _kl_levels(np.concatenate([s[np.isfinite(s)] for s in surfaces]))
    lines = edges[1:-1]
    cmap = colormaps["viridis"].resampled(edges.size - 1).with_extremes(bad="white")
    norm = BoundaryNorm(edges, edges.size - 1)
    fig, axes = _figure(width=9, height=4.4, ncols=2, sharey=True)
    panels, infinite_in = [], []
    for side, ax, surf, best, name in (
            ("Left", axes[0, 0], surfaces[0], fit.forward_best, "KL(p || q)"),
            ("right", axes[0, 1], surfaces[1], fit.reverse_best, "KL(q || p)")):
        infinite = int(np.sum(np.isinf(surf)))
        if infinite:
            infinite_in.append(name)
        finite = surf[np.isfinite(surf)]
        low, high = (_num(float(finite.min())), f"{float(finite.max()):.1f}") if finite.size \
            else ("infinite", "infinite")
        panels.append(f"{side}, {name}, lowest ({low} nats) at mean {best[0]:.2f}, std "
                      f"{best[1]:.2f}, up to {high}"
                      + (f", infinite in {infinite} of {surf.size} cells" if infinite else ""))
        shown = np.ma.masked_invalid(surf)
        mesh = ax.pcolormesh(stds, means, shown, shading="nearest", cmap=cmap, norm=norm)
        in_range = lines[(lines > finite.min()) & (lines < finite.max())] if finite.size \
            else lines[:0]
        if in_range.size and min(surf.shape) >= 2:
            contours = ax.contour(stds, means, shown, levels=in_range, colors="black",
                                  linewidths=0.8)
            for label in ax.clabel(contours, fmt=lambda v: f"{v:g}", fontsize="small"):
                label.set_bbox({"facecolor": "white", "alpha": 0.75, "edgecolor": "none",
                                "pad": 0.6})
        ax.plot([best[1]], [best[0]], "r*", ms=14, mec="white", mew=0.8)
        ax.set_xlabel("std of q")
        ax.set_title(f"{name}: lowest {low} nats\nat mean {best[0]:.2f}, std {best[1]:.2f}",
                     fontsize="medium")
    axes[0, 0].set_ylabel("mean of q")
    bar = fig.colorbar(mesh, ax=axes[0, :].tolist(), ticks=edges, spacing="uniform",
                       label="KL in nats (one scale for both panels)")
    bar.ax.set_yticklabels([f"{e:g}" for e in edges])
    handles = [Line2D([], [], ls="", marker="*", color="r", ms=12, label="lowest KL"),
               Line2D([], [], color="black", lw=0.8, label="contour line: KL in nats")]
    if infinite_in:
        why = {("KL(p || q)",): "q is 0 where p is not", ("KL(q || p)",): "p is 0 where q is not"}
        reason = why.get(tuple(infinite_in), "one is 0 where the other is not")
        handles.append(Patch(facecolor="white", edgecolor="0.4",
                             label=f"white: KL infinite ({reason})"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
               fontsize="small", frameon=False)
    return _described(fig, f"Two maps over the searched Gaussians q, std {stds.min():.2f} to "
                            f"{stds.max():.2f} (horizontal) by mean {means.min():.2f} to "
                            f"{means.max():.2f} (vertical), coloured by KL on one scale, in "
                            f"bands between {', '.join(f'{e:g}' for e in edges[:-1])} and "
                            f"{edges[-1]:g} nats bordered by labelled contour lines"
                            f"{'; white: infinite' if infinite_in else ''}; red stars: minima. "
                            f"{'; '.join(panels)}.")


def padded_token_losses(labels: ArrayLike, y_pred: ArrayLike, *, ignore_index: int = -100,
                        from_logits: bool = False, base: float | None = None) -> DescribedFigure:
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
    unit = unit_label(base)
    real = losses[~pad]
    spread = (f"The losses range from {real.min():.2f} to {real.max():.2f} {unit}; their "
              if real.size else "There are no real tokens; the ")
    return _described(fig, f"Grid of per-token losses in {unit}: {n_rows} sequences (rows) by "
                            f"{n_cols} positions (columns), each real token's cell coloured by "
                            f"its loss and labelled with it, the {int(pad.sum())} padding cells "
                            f"grey and marked pad. {spread}mean over the {real.size} real "
                            f"tokens is {_num(mean)} {unit}.")


def cross_entropy_kl_gap(p: ArrayLike, qs: ArrayLike, params: ArrayLike, *,
                         base: float | None = None,
                         param_label: str = "q parameter") -> DescribedFigure:
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
    if i == j:
        lowest = (f"both are lowest at {param_label} = {t[i]:.2f}, H(p, q) at {hpq[i]:.3f} "
                  f"{unit} and KL at {kl[j]:.3f} {unit}")
    else:
        lowest = (f"H(p, q) is lowest at {param_label} = {t[i]:.2f} ({hpq[i]:.3f} {unit}), "
                  f"KL at {param_label} = {t[j]:.2f} ({kl[j]:.3f} {unit})")
    return _described(fig, f"Line chart in {unit} against {param_label} (horizontal) of the "
                            f"cross-entropy H(p, q) and KL(p || q): the cross-entropy "
                            f"{_valley(t, hpq, param_label, unit)}, and KL runs parallel below "
                            f"it, a constant H(p) = {hp:.3f} {unit} lower (an arrow marks the "
                            f"gap); {lowest}.")


# --- training, evaluation and calibration (xentlearn.models, xentlearn.calibration) ----------


def reliability_diagram(probs: ArrayLike, labels: ArrayLike,
                        calibrated_probs: ArrayLike | None = None, *, n_bins: int = 15,
                        temperature: float | None = None) -> DescribedFigure:
    """Accuracy against confidence per bin, before (and after) temperature scaling.

    Each filled bin is a blue bar as high as its accuracy, with the number of
    predictions it holds written at its foot. A plain patch spans the gap between the
    bin's accuracy and its mean confidence: red above the bar where the confidence is
    higher (over-confident), purple over the bar's top where the accuracy is higher
    (under-confident). The dashed diagonal is perfect calibration; each title gives
    the expected calibration error. A legend names every colour.

    Parameters
    ----------
    probs : array_like, shape (N, K) or (N,)
        Predicted probabilities (binary: the positive class's).
    labels : array_like of int, shape (N,)
    calibrated_probs : array_like, optional
        The same predictions after calibration: drawn in a second panel.
    n_bins : int
        Equal-width confidence bins.
    temperature : float, optional
        The temperature behind ``calibrated_probs``, shown in its title.

    Returns
    -------
    Figure
        One panel per set of probabilities. In each panel the first patches are the
        accuracy bars of the filled bins, in bin order, and the texts their counts.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .calibration import expected_calibration_error, reliability_curve

    panels = [("uncalibrated" if calibrated_probs is None else "before temperature scaling",
               probs)]
    if calibrated_probs is not None:
        after = "after temperature scaling"
        if temperature is not None:
            after += f" (T = {temperature:.2f})"
        panels.append((after, calibrated_probs))
    n = np.asarray(labels).size
    bars = {"color": "#6baed6", "edgecolor": "tab:blue"}  # black text stays readable on it
    over = {"facecolor": "#f4a6a6", "edgecolor": "tab:red"}
    under = {"facecolor": "#cdb3e6", "edgecolor": "tab:purple"}
    fig, axes = _figure(width=5.0 * len(panels) + 0.4, height=4.6, ncols=len(panels),
                        sharey=True)
    summaries = []
    for ax, (name, p) in zip(axes[0], panels, strict=True):
        curve = reliability_curve(p, labels, n_bins)
        ece = expected_calibration_error(p, labels, n_bins)
        width = 1.0 / n_bins
        centers = curve.edges[:-1] + width / 2
        full = curve.counts > 0
        acc, conf = curve.accuracy[full], curve.confidence[full]
        fullest = int(np.argmax(curve.counts))
        summaries.append(f"{name[0].upper()}{name[1:]}: ECE = {ece:.4f}; {int(full.sum())} "
                         f"filled bins, {int(np.sum(conf > acc))} over-, "
                         f"{int(np.sum(acc > conf))} under-confident, fullest (above "
                         f"{curve.edges[fullest]:.2f}) {int(curve.counts[fullest])}")
        ax.bar(centers[full], acc, width=width, **bars)
        for sel, style in ((conf > acc, over), (acc > conf, under)):
            low = np.minimum(acc, conf)[sel]
            ax.bar(centers[full][sel], np.abs(conf - acc)[sel], bottom=low, width=width,
                   **style)
        for x, count in zip(centers[full], curve.counts[full], strict=True):
            ax.text(x, 0.01, str(int(count)), ha="center", va="bottom", fontsize=8)
        ax.plot([0, 1], [0, 1], "k--", lw=1)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence (highest predicted probability)")
        ax.set_title(f"{name}\nECE = {ece:.4f}")
        ax.legend(handles=[
            Patch(facecolor=bars["color"], edgecolor=bars["edgecolor"],
                  label="accuracy: the bar's top (number: predictions)"),
            Patch(**over, label="confidence above accuracy"),
            Patch(**under, label="accuracy above confidence"),
            Line2D([], [], color="black", ls="--", lw=1, label="perfect calibration"),
        ], loc="upper left", fontsize="small")
    axes[0, 0].set_ylabel("accuracy")
    kind = "Reliability diagram" if len(panels) == 1 else "Two reliability diagrams"
    return _described(fig, f"{kind}, accuracy against confidence, {n} predictions "
                            f"in {n_bins} bins: bars at bin accuracy, with counts; red up to a "
                            f"higher mean confidence, purple down to a lower; diagonal: perfect "
                            f"calibration. "
                            f"{'. '.join(summaries)}.")


def _histories(history) -> dict:
    """``{name: history}`` from a history dict, a fitted model, or a mapping of either."""
    history = getattr(history, "history_", history)
    if isinstance(history, Mapping) and "train_loss" in history:
        return {"": history}
    if isinstance(history, Mapping):
        return {str(k): getattr(h, "history_", h) for k, h in history.items()}
    raise TypeError("history must be a model's history_ dict, a fitted model, or a mapping "
                    "of names to those")


def _run_summary(h: Mapping, brief: bool = False) -> str:
    """The key numbers of one training history, for a figure's description.

    In full: the first and last training and validation loss, the lowest validation
    loss and its epoch, and the first and last accuracies. ``brief``, with validation data:
    the last and the lowest validation loss and the last validation accuracy; without:
    the last training loss and accuracy.
    """
    loss = np.asarray(h["train_loss"], dtype=float)
    acc = np.asarray(h["train_acc"], dtype=float)
    val = np.asarray(h["val_loss"], dtype=float) if "val_loss" in h else None
    val_acc = np.asarray(h["val_acc"], dtype=float) if "val_acc" in h else None
    if brief and val is not None:
        best = int(np.nanargmin(val))
        text = f"validation loss {val[-1]:.3f} (lowest {val[best]:.3f} at epoch {best + 1})"
        return text + (f" and accuracy {val_acc[-1]:.3f}" if val_acc is not None else "")
    if brief:
        return f"training loss {loss[-1]:.3f}, accuracy {acc[-1]:.3f}"
    text = f"Training loss from {loss[0]:.3f} to {loss[-1]:.3f}"
    if val is not None:
        best = int(np.nanargmin(val))
        text += (f", validation loss from {val[0]:.3f} to {val[-1]:.3f} (lowest {val[best]:.3f} "
                 f"at epoch {best + 1})")
    text += f"; training accuracy from {acc[0]:.3f} to {acc[-1]:.3f}"
    if val_acc is not None:
        text += f", validation accuracy from {val_acc[0]:.3f} to {val_acc[-1]:.3f}"
    return text


def _runs_description(runs: Mapping, loss_label: str, best_epoch: int | None,
                      val_label: str = "validation", mark: str | None = None,
                      per_run: str = "a colour") -> str:
    """The description of a figure of loss (left) and accuracy (right) per epoch of ``runs``.

    ``val_label`` names the dashed curves; ``mark``, if given, says what the dotted line at
    ``best_epoch`` marks (else "best epoch N dotted"); ``per_run`` what tells runs apart.
    """
    lengths = {len(h["train_loss"]) for h in runs.values()}
    styles = (f"training solid, {val_label} dashed"
              if any("val_loss" in h for h in runs.values()) else "training data only")
    colours = f"{per_run} per run, " if len(runs) > 1 else ""
    if best_epoch is None:
        mark = ""
    else:
        mark = f", {mark} (dotted)" if mark else f", best epoch {best_epoch} dotted"
    text = (f"Two line charts against epoch 1 to {max(lengths)}: {loss_label} on the left, "
            f"accuracy on the right, {colours}{styles}{mark}. ")
    if len(runs) == 1:
        (h,) = runs.values()
        return text + _run_summary(h) + "."
    last = f"At epoch {max(lengths)}" if len(lengths) == 1 else "At each run's last epoch"
    return (text + last + ", "
            + "; ".join(f"{name}: {_run_summary(h, brief=True)}" for name, h in runs.items())
            + ".")


def training_curves(history, *, best_epoch: int | None = None,
                    title: str | None = None, loss_label: str = "loss (nats)") -> DescribedFigure:
    """Loss and accuracy per epoch, training (solid) against validation (dashed).

    Parameters
    ----------
    history : dict, fitted model, or mapping of name to either
        A model's ``history_`` (``train_loss``, ``train_acc`` and optionally
        ``val_loss``, ``val_acc``, one entry per epoch), the model itself, or several
        named runs to compare (e.g. ``{"cross-entropy": m1, "squared error": m2}``).
    best_epoch : int, optional
        Marks an epoch (e.g. the one early stopping restored) with a dotted line.
        Taken from a single model fitted with early stopping when not given.
    title : str, optional
        A figure title.
    loss_label : str
        The loss axis' label: the history holds the model's own training loss, which
        is not in nats for ``loss="squared_error"``.
    """
    if best_epoch is None and getattr(history, "early_stopping", False):
        best_epoch = getattr(history, "best_epoch_", None)
    runs = _histories(history)
    fig, axes = _figure(width=10, height=3.8, ncols=2)
    colors = [f"C{i}" for i in range(10)]
    for i, (name, h) in enumerate(runs.items()):
        prefix = f"{name}: " if name else ""
        for ax, key in ((axes[0, 0], "loss"), (axes[0, 1], "acc")):
            train = np.asarray(h[f"train_{key}"], dtype=float)
            epochs = np.arange(1, train.size + 1)
            ax.plot(epochs, train, color=colors[i % 10], label=f"{prefix}train")
            if f"val_{key}" in h:
                ax.plot(epochs, np.asarray(h[f"val_{key}"], dtype=float), "--",
                        color=colors[i % 10], label=f"{prefix}validation")
    for ax, ylabel in ((axes[0, 0], loss_label), (axes[0, 1], "accuracy")):
        if best_epoch is not None:
            ax.axvline(best_epoch, color="gray", ls=":", label=f"best epoch {best_epoch}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    axes[0, 0].set_title("Loss")
    axes[0, 1].set_title("Accuracy")
    if title:
        fig.suptitle(title)
    return _described(fig, _runs_description(runs, loss_label, best_epoch))


def confusion_matrix_figure(y_true: ArrayLike, y_pred: ArrayLike,
                            class_names: Sequence[str] | None = None, *,
                            normalize: bool = False) -> DescribedFigure:
    """The confusion matrix: row = true class, column = predicted class, counts in the cells.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
        Class indices in ``[0, K)``.
    class_names : sequence of str, optional
        Names of the K classes (default ``"0"``, ``"1"``, ...; K from the labels).
    normalize : bool
        Show each row as fractions of the true class instead of counts.
    """
    t = np.asarray(y_true, dtype=np.int64).ravel()
    p = np.asarray(y_pred, dtype=np.int64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} labels but y_pred has {p.size}")
    k = len(class_names) if class_names is not None else int(max(t.max(), p.max())) + 1
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in
                                                                          range(k)]
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (t, p), 1)
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    size = max(3.5, 0.33 * k + 1.6)  # 10 classes: 4.9 in, a 1280 x 720 slide with a heading
    fig, ((ax,),) = _figure(width=size + 0.8, height=size)
    img = ax.imshow(shown, cmap="Blues")
    fig.colorbar(img, ax=ax, shrink=0.8, label="fraction of true class" if normalize else "count")
    top = shown.max() if shown.max() > 0 else 1
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else str(counts[i, j])
            ax.text(j, i, text, ha="center", va="center", fontsize="small",
                    color="white" if shown[i, j] > 0.6 * top else "black")
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    acc = float(np.trace(counts)) / max(int(counts.sum()), 1)
    ax.set_title(f"Confusion matrix (accuracy {acc:.1%})")
    off = [(counts[i, j], i, j) for i in range(k) for j in range(k) if i != j and counts[i, j]]
    off.sort(key=lambda c: (-c[0], c[1], c[2]))

    def cell(n: int, i: int, j: int) -> str:
        value = f"{shown[i, j]:.2f}" if normalize else str(n)
        return f"true {names[i]} predicted as {names[j]}: {value}"

    if not off:
        mistakes = "there are no mistakes"
    elif len(off) <= 4:
        mistakes = "the mistakes: " + "; ".join(cell(*c) for c in off)
    else:
        mistakes = ("the largest mistakes: " + "; ".join(cell(*c) for c in off[:4])
                    + f"; {sum(c[0] for c in off[4:])} more in {len(off) - 4} other cells")
    classes = f"{k} classes: {', '.join(names)}" if k <= 12 else f"{k} classes"
    return _described(fig, f"Confusion matrix of {t.size} samples as a heat map, true class in "
                            f"rows and predicted class in columns ({classes}), each cell "
                            f"{'the fraction of its true class' if normalize else 'a count'}: "
                            f"{int(np.trace(counts))} correct on the diagonal (accuracy "
                            f"{acc:.1%}); {mistakes}.")


def misclassified_images(images: ArrayLike, y_true: ArrayLike, y_pred: ArrayLike,
                         probs: ArrayLike, k: int = 10, *,
                         class_names: Sequence[str] | None = None,
                         ncols: int = 5) -> DescribedFigure:
    """The ``k`` most confidently wrong predictions, as images with true and predicted class.

    Misclassified samples are sorted by the probability the model gave its (wrong)
    prediction, highest first. Each image is titled with the predicted class and that
    probability, then the true class: "predicted 3 with p = 0.947" over "true 8".

    Parameters
    ----------
    images : array_like, shape (N, H, W), or (N, H*W) for square images
        E.g. ``Split.images_test`` of the digits.
    y_true, y_pred : array_like of int, shape (N,)
        Class indices.
    probs : array_like, shape (N, K)
        Predicted probabilities (``model.predict_proba``).
    k : int
        At most this many images.
    class_names : sequence of str, optional
    ncols : int
        Images per row.
    """
    imgs = np.asarray(images, dtype=float)
    if imgs.ndim == 2:
        side = int(round(np.sqrt(imgs.shape[1])))
        if side * side != imgs.shape[1]:
            raise ValueError(f"images of shape {imgs.shape} are not square; pass (N, H, W)")
        imgs = imgs.reshape(-1, side, side)
    t = np.asarray(y_true, dtype=np.int64).ravel()
    p = np.asarray(y_pred, dtype=np.int64).ravel()
    q = np.asarray(probs, dtype=float)
    wrong = np.flatnonzero(t != p)
    conf = q[wrong, p[wrong]]
    chosen = wrong[np.argsort(-conf, kind="stable")][:k]

    def name(c: int) -> str:
        return str(class_names[c]) if class_names is not None else str(c)

    if chosen.size == 0:
        fig, ((ax,),) = _figure(width=4, height=1.5)
        ax.axis("off")
        ax.text(0.5, 0.5, "no misclassified samples", ha="center", va="center")
        return _described(fig, f"A text in place of images: no misclassified samples, every "
                                f"one of the {t.size} samples is predicted correctly.")
    cols = min(ncols, chosen.size)
    rows = -(-chosen.size // cols)
    fig, axes = _figure(width=1.9 * cols, height=2.2 * rows, ncols=cols, nrows=rows)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), chosen, strict=False):
        ax.imshow(imgs[i], cmap="gray_r")
        ax.set_title(f"predicted {name(p[i])} with\np = {q[i, p[i]]:.3f}; true {name(t[i])}",
                     fontsize="small")
    fig.suptitle(f"Most confidently wrong: {chosen.size} of {wrong.size} mistakes "
                 "(p: the probability of the predicted, wrong class)")
    shown = _some([f"{name(p[i])} for a true {name(t[i])} (p = {q[i, p[i]]:.3f})"
                   for i in chosen], limit=5)
    return _described(fig, f"Grid of the {chosen.size} most confidently wrong of {wrong.size} "
                            f"mistakes, as {imgs.shape[1]}x{imgs.shape[2]} greyscale images, "
                            f"each titled with the predicted class, the probability p given to "
                            f"it, and the true class: {shown}.")


# --- chapter 07: training with cross-entropy --------------------------------------------------


def likelihood_and_loss(y: ArrayLike, thetas: ArrayLike) -> DescribedFigure:
    r"""The likelihood of 0/1 labels under a constant probability, next to their cross-entropy.

    The model says :math:`P(y = 1) = \theta` for every sample. Left: the likelihood
    :math:`\mathrm{Lik}(\theta) = \prod_i \theta^{y_i} (1 - \theta)^{1 - y_i}` over
    ``thetas`` (not :math:`L`, which the course keeps for the loss); right: the mean
    binary cross-entropy of the labels, :func:`xentlearn.binary_cross_entropy`, which is
    :math:`L(\theta) = -\frac1N \log \mathrm{Lik}(\theta)`.
    The best grid point of each is marked: the maximum of the likelihood and the
    minimum of the loss are at the same :math:`\theta` (the fraction of 1s).

    Parameters
    ----------
    y : array_like of 0/1, shape (N,)
    thetas : array_like, shape (M,)
        Probabilities in (0, 1) to evaluate at.
    """
    ya = np.asarray(y, dtype=float).ravel()
    t = np.asarray(thetas, dtype=float).ravel()
    likelihood = np.prod(np.where(ya[None, :] == 1, t[:, None], 1 - t[:, None]), axis=1)
    loss = np.array([float(binary_cross_entropy(ya, np.full(ya.size, th))) for th in t])
    i, j = int(np.argmax(likelihood)), int(np.argmin(loss))
    fig, axes = _figure(width=10, height=3.6, ncols=2)
    left, right = axes[0]
    left.plot(t, likelihood, color="tab:green")
    left.plot([t[i]], [likelihood[i]], "o", color="tab:red",
              label=f"maximum at theta = {t[i]:.2f}")
    left.set_ylabel("likelihood Lik(theta)")
    left.set_title(f"Likelihood of the {ya.size} labels")
    right.plot(t, loss, color="tab:blue")
    right.plot([t[j]], [loss[j]], "o", color="tab:red", label=f"minimum at theta = {t[j]:.2f}")
    right.set_ylabel("mean cross-entropy (nats)")
    right.set_title("Mean cross-entropy L = -log(Lik) / N")
    for ax in (left, right):
        ax.axvline(t[i], color="gray", ls=":")
        ax.set_xlabel("theta = predicted P(y = 1)")
        ax.set_xlim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    same = ("both at the same theta, marked by a dotted line" if i == j else
            "a dotted line marks the likelihood's maximum")
    return _described(fig, f"Two line charts against theta = predicted P(y = 1), from "
                            f"{t[0]:.2f} to {t[-1]:.2f} (horizontal), for {ya.size} labels of "
                            f"which {int(np.sum(ya == 1))} are 1 (fraction {ya.mean():.2f}): "
                            f"left, the likelihood Lik(theta), highest ({likelihood[i]:.3g}) at "
                            f"theta = {t[i]:.2f}; right, the mean cross-entropy in nats, lowest "
                            f"({loss[j]:.3f}) at theta = {t[j]:.2f}; {same}.")


def slope_chain(x: ArrayLike, label: int, params: Mapping[str, ArrayLike], *, j: int,
                k: int | None = None, h: float = 0.01) -> DescribedFigure:
    r"""The chain rule as slopes that multiply: how a nudge of one weight reaches the loss.

    For one example of a softmax regression (inputs :math:`a`, true class :math:`c`,
    logits :math:`z_k = \sum_j W_{jk} a_j + b_k`, probabilities :math:`q = \mathrm{softmax}(z)`,
    loss :math:`\ell = -\ln q_c`), the weight :math:`W_{jk}` moves the loss along the chain
    :math:`W_{jk} \to z_k \to q_c \to \ell`, drawn as four boxes. Each arrow carries the
    slope of its step (how much the next number moves per unit of the one before):

    * :math:`z_k` by :math:`W_{jk}`: :math:`a_j`;
    * :math:`q_c` by :math:`z_k`: :math:`q_c(1 - q_c)` if :math:`k = c`, else :math:`-q_c q_k`;
    * :math:`\ell` by :math:`q_c`: :math:`-1/q_c`.

    Their product, :math:`a_j (q_k - y_k)` with :math:`y` the one-hot target, is the slope
    of the loss by :math:`W_{jk}`. The figure prints it next to the slope measured by
    nudging :math:`W_{jk}` by :math:`\pm h` (the loss's change divided by :math:`2h`), and
    under each box how much a nudge of :math:`+h` moves that number.

    Parameters
    ----------
    x : array_like, shape (D,)
        The example's inputs :math:`a`.
    label : int
        Its true class :math:`c`, in ``[0, K)``.
    params : mapping
        The weights: ``"W"`` of shape (D, K) and ``"b"`` of shape (K,), as in a
        :class:`~xentlearn.SoftmaxRegression`'s ``params_``.
    j : int
        The input, a row of ``W``.
    k : int, optional
        The class, a column of ``W``; default ``label``.
    h : float
        The nudge.

    Returns
    -------
    DescribedFigure
        One axes without axis lines: the boxes and arrows, as text.

    Examples
    --------
    At zero weights every one of 10 classes has :math:`q = 0.1`: the slopes are
    :math:`a_j`, :math:`0.1 \times 0.9 = 0.09` and :math:`-1/0.1 = -10`.

    >>> fig = slope_chain([0.0, 2.0], 1, {"W": np.zeros((2, 10)), "b": np.zeros(10)}, j=1)
    >>> "2.000 x 0.090 x (-10.000) = -1.800" in fig.description
    True
    """
    a = np.asarray(x, dtype=float).ravel()
    W = np.asarray(params["W"], dtype=float)
    b = np.asarray(params["b"], dtype=float)
    c = int(label)
    k = c if k is None else int(k)

    def at(weights: np.ndarray) -> tuple[np.ndarray, float]:
        z = a @ weights + b
        return z, float(sparse_categorical_cross_entropy([c], z[None], from_logits=True))

    z, loss = at(W)
    q = softmax(z)
    up, down = W.copy(), W.copy()
    up[j, k] += h
    down[j, k] -= h
    z_up, loss_up = at(up)
    q_up = softmax(z_up)
    measured = (loss_up - at(down)[1]) / (2 * h)
    middle = ("q_c(1 - q_c)", q[c] * (1 - q[c])) if k == c else ("-q_c\\,q_k", -q[c] * q[k])
    slopes = [("a_j", a[j]), middle, ("-1/q_c", -1 / q[c])]
    product = float(np.prod([s for _, s in slopes]))
    moves = [up[j, k] - W[j, k], z_up[k] - z[k], q_up[c] - q[c], loss_up - loss]
    boxes = [("weight $W_{jk}$", W[j, k], ""), ("logit $z_k$", z[k], ""),
             ("probability $q_c$", q[c], ""), ("loss $-\\ln q_c$", loss, " nats")]
    fig, ((ax,),) = _figure(width=8.0, height=3.3)
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for i, (name, value, unit) in enumerate(boxes):
        ax.text(i + 0.5, 0.6, f"{name}\n= {value:.3f}{unit}", ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.5", "facecolor": "#e8eef7", "edgecolor": "0.3"})
        ax.text(i + 0.5, 0.33, f"{'nudged' if i == 0 else 'moves'} by\n{moves[i]:+.5f}",
                ha="center", va="center", fontsize="small", color="tab:blue")
    ax.text(2.0, 0.2, f"a nudge of +{h:g} moves each number by about the slope times the move "
                      f"before it", fontsize="small", color="tab:blue", ha="center", va="center")
    for i, (name, s) in enumerate(slopes):
        ax.annotate("", xy=(i + 1.2, 0.6), xytext=(i + 0.8, 0.6),
                    arrowprops={"arrowstyle": "-|>", "color": "0.2", "lw": 1.5})
        ax.text(i + 1.0, 0.8, f"slope ${name}$\n= {s:.3f}", ha="center", va="center",
                fontsize="small")
        ax.text(i + 1.0, 0.33, f"× {s:.3f}" if s >= 0 else f"× ({s:.3f})", ha="center",
                va="center", fontsize="small", color="tab:blue")
    ax.text(2.0, 0.07, f"slopes multiply: {slopes[0][1]:.3f} × {slopes[1][1]:.3f} × "
                       f"({slopes[2][1]:.3f}) = {product:.3f}, the slope of the loss by "
                       f"$W_{{jk}}$\nmeasured by nudging $W_{{jk}}$ by ±{h:g}: "
                       f"{measured:.3f}", ha="center", va="center")
    ax.set_title(f"The chain rule for one example of true class c = {c}: input j = {j}, "
                 f"class k = {k}", fontsize="medium")
    step = " x ".join(f"{s:.3f}" if s >= 0 else f"({s:.3f})" for _, s in slopes)
    return _described(fig, f"Chain of four boxes, left to right, for one example of true class "
                            f"{c}: weight W_jk (j = {j}, k = {k}) {W[j, k]:.3f}, logit z_k "
                            f"{z[k]:.3f}, probability q_c {q[c]:.3f}, loss -ln q_c {loss:.3f} "
                            f"nats. The arrows carry the slopes {slopes[0][0]}, "
                            f"{slopes[1][0].replace(chr(92) + ',', ' ')} and {slopes[2][0]}; "
                            f"{step} = {product:.3f}, the slope of the loss by W_jk (by "
                            f"nudging W_jk by {h:g}: {measured:.3f}).")


def sigmoid_loss_gradients(*, y: int = 1, lo: float = -8.0, hi: float = 8.0,
                           num: int = 321) -> DescribedFigure:
    r"""Cross-entropy and squared error through a sigmoid, and how hard each pushes the logit.

    For one sample with label ``y`` and logit :math:`z` (:math:`p = \sigma(z)`), left:
    the binary cross-entropy (:func:`xentlearn.binary_cross_entropy`, from logits, in
    nats) and the squared error :math:`(p - y)^2`; right: the size of their gradients
    by the logit, :math:`|p - y|` (:func:`xentlearn.binary_cross_entropy_grad`) and
    :math:`|2 (p - y) p (1 - p)|`. The shaded side is where the prediction is wrong
    (:math:`p < 0.5` for ``y = 1``): there the cross-entropy's gradient tends to -1 for
    ``y = 1`` (+1 for ``y = 0``), so its size tends to 1, while the squared error's
    vanishes.

    Parameters
    ----------
    y : {0, 1}
        The true label.
    lo, hi : float
        Range of logits.
    num : int
        Points on the curves.
    """
    from .activations import sigmoid
    from .grad import binary_cross_entropy_grad

    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1, got {y!r}")
    x = np.linspace(lo, hi, num)
    labels = np.full(x.size, float(y))
    p = sigmoid(x)
    bce = binary_cross_entropy(labels, x, from_logits=True, reduction="none")
    sq = (p - y) ** 2
    g_bce = np.abs(binary_cross_entropy_grad(labels, x, reduction="none"))
    g_sq = np.abs(2 * (p - y) * p * (1 - p))
    fig, axes = _figure(width=10, height=3.6, ncols=2)
    left, right = axes[0]
    left.plot(x, bce, color="tab:blue", label="cross-entropy (nats)")
    left.plot(x, sq, color="tab:orange", label="squared error (p - y)^2")
    left.set_ylabel("loss")
    left.set_title(f"Loss of one sample with y = {y}")
    right.plot(x, g_bce, color="tab:blue", label="cross-entropy: |p - y|")
    right.plot(x, g_sq, color="tab:orange", label="squared error: |2(p - y) p (1 - p)|")
    right.set_ylabel("size of the slope |∂ℓ/∂z|")
    right.set_title("How hard the loss pushes the logit")
    right.set_ylim(0, 1.05)
    # the legends go on the right side's empty part (the left side's for y = 0)
    loc = "upper right" if y == 1 else "upper left"
    for ax in (left, right):
        if y == 1:
            ax.axvspan(lo, 0, color="tab:red", alpha=0.08, label="wrong side (p < 0.5)")
        else:
            ax.axvspan(0, hi, color="tab:red", alpha=0.08, label="wrong side (p > 0.5)")
        ax.set_xlabel("logit z (p = sigmoid(z))")
        ax.set_xlim(lo, hi)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc=loc)
    w = 0 if y == 1 else -1  # the far end of the wrong side
    top = int(np.argmax(g_sq))
    return _described(fig, f"Two line charts against the logit z from {lo:g} to {hi:g}, for "
                            f"one sample with label y = {y}, the wrong side z {'<' if y else '>'} "
                            f"0 shaded. Left, the losses: cross-entropy grows to {bce[w]:.3f} "
                            f"nats at z = {x[w]:g}, squared error levels off at {sq[w]:.3f}. "
                            f"Right, the sizes of their gradients by the logit: cross-entropy's "
                            f"|p - y| approaches 1 ({g_bce[w]:.4f} at z = {x[w]:g}); squared "
                            f"error's peaks at {g_sq[top]:.3f} (z = {x[top]:.2f}) and falls to "
                            f"{g_sq[w]:.4f} there.")


def activation_functions(*, lo: float = -4.0, hi: float = 4.0, num: int = 161) -> DescribedFigure:
    r"""What a hidden unit does to its weighted sum: ReLU and tanh, with the sigmoid.

    A hidden unit computes a weighted sum :math:`u` of its inputs plus an intercept and
    passes it through a fixed bend, its activation. Drawn over :math:`u`:
    :math:`\mathrm{relu}(u) = \max(u, 0)` (negative sums become 0, positive ones pass
    unchanged), :math:`\tanh(u)` (an S from -1 to 1, :math:`2\sigma(2u) - 1`), and for
    comparison the sigmoid :math:`\sigma(u)` of chapter 03, dashed.

    Parameters
    ----------
    lo, hi : float
        Range of weighted sums.
    num : int
        Points on the curves.

    Returns
    -------
    Figure
        One axes; its lines are ReLU, tanh and the sigmoid, in that order.
    """
    from .activations import sigmoid

    u = np.linspace(lo, hi, num)
    fig, ((ax,),) = _figure(width=6.0, height=3.6)
    ax.plot(u, np.maximum(u, 0.0), color="tab:blue", lw=2, label="ReLU: max(u, 0)")
    ax.plot(u, np.tanh(u), color="tab:green", lw=2, label="tanh(u): from -1 to 1")
    ax.plot(u, sigmoid(u), color="gray", ls="--", label="sigmoid(u), for comparison")
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(lo, hi)
    ax.set_ylim(-1.2, min(hi, 4.0) + 0.2)
    ax.set_xlabel("u: the unit's weighted sum of its inputs, plus its intercept")
    ax.set_ylabel("the unit's output")
    ax.set_title("Two activations of a hidden unit")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    th, sg = np.tanh(u), sigmoid(u)
    return _described(fig, f"Line chart of a hidden unit's output (vertical) against its "
                            f"weighted sum u from {lo:g} to {hi:g} (horizontal): ReLU, max(u, 0), "
                            f"is 0 for negative u and equals u for positive u (up to "
                            f"{max(hi, 0.0):.3f}); tanh(u) is an S from {th[0]:.3f} to "
                            f"{th[-1]:.3f}, through 0 at u = 0; the dashed sigmoid, for "
                            f"comparison, is an S from {sg[0]:.3f} to {sg[-1]:.3f}, through 0.5 "
                            f"at u = 0.")


# --- chapter 08: pitfalls -------------------------------------------------------------------


def training_curves_by_run(runs, *, best_epoch: int | None = None,
                           best_epoch_label: str | None = None,
                           val_label: str = "validation data",
                           title: str | None = None) -> DescribedFigure:
    """Loss and accuracy per epoch of several training runs, one colour and marker per run.

    Like :func:`training_curves` given a mapping of runs, but readable with many runs:
    a run's training (solid) and validation (dashed) curves share its colour and its
    marker, and one legend below the panels names the runs and the two line styles,
    instead of one entry per line inside the axes. Curves that lie on top of each other
    stay visible: each run is drawn thinner than the one before (the earlier run shows as
    a border around the later one), and the runs' markers sit at different epochs.
    The description names the pairs of runs whose curves of one kind coincide: on average
    closer than 1.5 % of the panel's height, with the largest gap at any epoch.

    Parameters
    ----------
    runs : mapping of str to a fitted model or its ``history_`` dict
        E.g. ``{"plain": m1, "L2 penalty": m2}``; each history has ``train_loss`` and
        ``train_acc`` and optionally ``val_loss`` and ``val_acc``, one entry per epoch.
    best_epoch : int, optional
        Marks an epoch (e.g. the one early stopping restored) with a dotted line.
    best_epoch_label : str, optional
        The dotted line's legend entry, e.g. ``"early stopping keeps epoch 20"``;
        default ``"best epoch {best_epoch}"``.
    val_label : str
        The legend entry of the dashed line style, e.g. ``"validation data (noisy labels)"``.
    title : str, optional
        A figure title.
    """
    from matplotlib.lines import Line2D

    if not isinstance(runs, Mapping) or "train_loss" in runs:
        raise TypeError("runs must be a mapping of names to fitted models or history_ dicts; "
                        "for a single run use training_curves")
    histories = _histories(runs)
    fig, axes = _figure(width=10, height=4.4, ncols=2)
    loss_ax, acc_ax = axes[0]
    handles = []
    widths = np.linspace(3.0, 1.2, len(histories)) if len(histories) > 1 else [1.5]
    step = max(1, round(max(len(h["train_loss"]) for h in histories.values()) / 8))
    for i, (name, h) in enumerate(histories.items()):
        style = {"color": f"C{i % 10}", "lw": widths[i], "marker": _RUN_MARKERS[i % 10],
                 "markersize": 6, "markevery": (i * step // len(histories), step)}
        for ax, key in ((loss_ax, "loss"), (acc_ax, "acc")):
            train = np.asarray(h[f"train_{key}"], dtype=float)
            epochs = np.arange(1, train.size + 1)
            ax.plot(epochs, train, label=f"{name}: train", **style)
            if f"val_{key}" in h:
                ax.plot(epochs, np.asarray(h[f"val_{key}"], dtype=float), "--",
                        label=f"{name}: validation", **style)
        handles.append(Line2D([], [], color=style["color"], lw=3, marker=style["marker"],
                              label=name))
    handles += [Line2D([], [], color="black", label="training data"),
                Line2D([], [], color="black", ls="--", label=val_label)]
    mark_label = best_epoch_label or f"best epoch {best_epoch}"
    if best_epoch is not None:
        handles.append(Line2D([], [], color="gray", ls=":", label=mark_label))
    for ax, ylabel, name in ((loss_ax, "loss (nats)", "Loss"), (acc_ax, "accuracy", "Accuracy")):
        if best_epoch is not None:
            ax.axvline(best_epoch, color="gray", ls=":", label=mark_label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(name)
        ax.grid(alpha=0.3)
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 4),
               fontsize="small")
    if title:
        fig.suptitle(title)
    val = "validation" if val_label == "validation data" else val_label
    heights = {key: float(np.subtract(*ax.get_ylim()[::-1]))
               for key, ax in (("loss", loss_ax), ("acc", acc_ax))}
    return _described(fig, _runs_description(histories, "loss in nats", best_epoch, val,
                                             best_epoch_label, per_run="a colour and marker")
                      + _coinciding(histories, heights))


#: One marker per run in :func:`training_curves_by_run` (with the colours C0 to C9).
_RUN_MARKERS = "osD^vP*Xph"


def _coinciding(histories: Mapping, heights: Mapping[str, float], share: float = 0.015) -> str:
    """The pairs of runs whose curves of one kind lie on top of each other, in words.

    Two curves of the same kind (training loss, validation accuracy, ...) coincide when
    their mean gap over the epochs both have is below ``share`` of the height of their
    panel (``heights["loss"]``, ``heights["acc"]``); each such pair is named once, with
    the largest gap of each curve. Empty when no curves coincide.
    """
    kinds = (("train_loss", "training loss"), ("val_loss", "validation loss"),
             ("train_acc", "training accuracy"), ("val_acc", "validation accuracy"))
    names = list(histories)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            parts = []
            for key, what in kinds:
                if key not in histories[a] or key not in histories[b]:
                    continue
                x = np.asarray(histories[a][key], dtype=float)
                y = np.asarray(histories[b][key], dtype=float)
                gap = np.abs(x[:min(x.size, y.size)] - y[:min(x.size, y.size)])
                if gap.size and np.nanmean(gap) < share * heights[key.split("_")[1]]:
                    parts.append(f"{what} (at most {np.nanmax(gap):.3f} apart)")
            if parts:
                listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
                pairs.append(f"{a} and {b} in {listed}")
    return f" Curves that coincide: {'; '.join(pairs)}." if pairs else ""
