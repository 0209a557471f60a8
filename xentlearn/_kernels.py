"""Fast kernels for the cross-entropy losses on large inputs; exact to rounding.

The public functions in :mod:`xentlearn.losses` show each formula plainly and
run it for small inputs. From :data:`MIN_ELEMENTS` values on they call the
kernels here, which compute the same per-sample numbers faster and with little
extra memory:

* Rows are processed in blocks that fit in the L2 cache, with ``out=`` buffers
  reused from block to block, so temporaries stay a small fraction of the input
  and no full-size intermediate goes through main memory.
* Sparse losses from logits use only positive terms: with :math:`c` the label,
  :math:`\\ell = \\log(1 + \\sum_{j \\ne c} e^{z_j} / e^{z_c})`, evaluated where no
  exponential overflows or goes subnormal (the smallest exponential of the block,
  :math:`e^{z_c}` and the loss tell); other rows use the log-sum-exp form of the
  reference path.
* Sums over the short class axis are matrix-vector products, the label's entry is read
  by flat indexing (``np.take`` with ``mode="clip"``, which skips the bounds check
  and its buffer: the labels are checked already), and ``log1p`` is evaluated as
  :math:`\\log u + (r - (u - 1)) / u` with :math:`u = 1 + r` (exact to a few
  rounding errors, and vectorised where ``np.log1p`` is not).
* Validation is folded into the same passes: a NaN or inf in logits shows up in
  the block's smallest exponential or in its losses (only then are the logits
  themselves scanned), a probability out of range in the block's min or max, a
  row that does not sum to 1 in the row sums, a bad label in one min and one max.
  When anything is off, or the input is unusual, the kernel returns ``None`` and
  the reference path runs; it finds the problem and raises the usual message.
* Blocks are shared among threads (NumPy releases the GIL inside its loops), each
  thread taking the next block when it is done with one; per-block sums are added
  with ``math.fsum``, so the result does not depend on which thread did what.
  See :func:`num_threads`. The worker threads form one pool that only grows and
  lives as long as the process, so calls from any number of threads, with thread
  counts changed at any time, can all hand it work.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future

import numpy as np

from . import _lossprep as prep
from . import _validation as v
from .activations import _lse_parts

MIN_ELEMENTS = 1 << 15  # smaller inputs take the reference path
BLOCK_BYTES = 1 << 18  # input bytes per block; with its exponentials, half of a 512 KiB L2
THREADS_VARIABLE = "XENTLEARN_NUM_THREADS"

# Exponents whose exp is a normal number in each dtype: e^-708 > 2.2e-308, e^709 < 1.8e308.
_EXP_LIMIT = {np.dtype(np.float64): 708.0, np.dtype(np.float32): 87.0}
_TINY = {np.dtype(t): np.finfo(t).tiny for t in (np.float64, np.float32)}


class _Unfit(Exception):
    """The input needs the reference path (bad values, which it reports, or rare cases)."""


# --- threads ------------------------------------------------------------------------------


def num_threads() -> int:
    """How many threads the kernels use: ``XENTLEARN_NUM_THREADS``, read at each call.

    Unset or empty means ``min(2, os.cpu_count())``; ``1`` keeps everything in the
    calling thread.
    """
    raw = os.environ.get(THREADS_VARIABLE, "").strip()
    if not raw:
        return min(2, os.cpu_count() or 1)
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise v.InvalidInputError(
            f"{THREADS_VARIABLE} must be a positive integer (1 for a single thread), got {raw!r}"
        )
    return n


class _Pool:
    """Worker threads that serve one queue of tasks for as long as the process lives.

    The pool only grows, to the most workers any call has asked for, and is never shut
    down: a call can always hand it work, whatever thread count other threads ask for at
    the same moment. A call submits at most ``num_threads() - 1`` tasks, so extra idle
    workers left by an earlier, larger request do not make it use more threads.
    """

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        """The number of worker threads started so far."""
        return len(self._workers)

    def grow(self, workers: int) -> None:
        """Start worker threads until there are at least ``workers``."""
        with self._lock:
            while len(self._workers) < workers:
                t = threading.Thread(target=self._serve, daemon=True,
                                     name=f"xentlearn-{len(self._workers)}")
                t.start()
                self._workers.append(t)

    def submit(self, fn: Callable, *args) -> Future:
        """``fn(*args)`` on a worker; a future not yet started may be cancelled."""
        fut: Future = Future()
        self._tasks.put((fut, fn, args))
        return fut

    def _serve(self) -> None:
        _in_worker.flag = True
        while True:
            fut, fn, args = self._tasks.get()
            if fut.set_running_or_notify_cancel():
                try:
                    fut.set_result(fn(*args))
                except BaseException as exc:  # handed to the caller through the future
                    fut.set_exception(exc)
            del fut, fn, args  # keep no block's arrays alive between tasks


_in_worker = threading.local()  # flag: this thread is one of the pool's workers
_pool = _Pool()


def _new_pool_after_fork() -> None:
    """A forked child has none of the parent's threads: it starts with an empty pool."""
    global _pool
    _pool = _Pool()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pool_after_fork)


Block = tuple[int, int, tuple[np.ndarray, ...]]


def _blocks(pieces: Sequence[tuple[np.ndarray, ...]], block_rows: int) -> list[Block]:
    """(first row, end row, views) of each block, rows numbered across the pieces."""
    out = []
    start = 0
    for views in pieces:
        m = views[0].shape[0]
        for a in range(0, m, block_rows):
            b = min(a + block_rows, m)
            out.append((start + a, start + b, tuple(w[a:b] for w in views)))
        start += m
    return out


class _Queue:
    """Blocks handed out one at a time to whichever thread asks next, so that a thread the
    system leaves waiting for a core does not hold back the others; ``stop`` ends it."""

    def __init__(self, blocks: list[Block]):
        self._blocks, self._next, self._lock = blocks, 0, threading.Lock()

    def __iter__(self):
        return self

    def __next__(self) -> Block:
        with self._lock:
            i = self._next
            if i >= len(self._blocks):
                raise StopIteration
            self._next = i + 1
        return self._blocks[i]

    def stop(self) -> None:
        with self._lock:
            self._next = len(self._blocks)


def _run(blocks: list[Block], work: Callable[[Iterable[Block]], tuple[list, list]]):
    """``work`` in each thread on blocks taken from one queue; the lists concatenated.

    The blocks go to the threads as they ask (not in fixed halves): on a machine whose
    cores are shared with other processes, a thread that runs late then does fewer blocks
    instead of making the call wait. ``work`` must not depend on the order of the blocks.

    The calling thread works too. Once the queue is empty it cancels the tasks no worker
    has started (they would find nothing left; they may wait behind other calls' tasks)
    and waits only for those running, so a call never waits on a busy pool, and a call
    made from a worker thread runs in that thread alone.
    """
    n = 1 if getattr(_in_worker, "flag", False) else min(num_threads(), len(blocks))
    if n <= 1:
        return work(blocks)
    shared = _Queue(blocks)

    def guarded(q: _Queue) -> tuple[list, list]:
        try:
            return work(q)
        except BaseException:
            q.stop()  # the others finish their current block and return
            raise

    pool = _pool
    pool.grow(n - 1)
    futures = [pool.submit(guarded, shared) for _ in range(n - 1)]
    results, error = [], None
    try:
        results.append(guarded(shared))
    except BaseException as exc:
        error = exc
    for fut in futures:  # wait for the running ones: they write into buffers the caller owns
        if fut.cancel():
            continue
        try:
            results.append(fut.result())
        except BaseException as exc:
            error = exc if error is None or isinstance(error, _Unfit) else error
    if error is not None:
        raise error
    return [x for r in results for x in r[0]], [x for r in results for x in r[1]]


# --- arrays ---------------------------------------------------------------------------------


def _rows(*arrays: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """2-D views ``(rows, K)`` of equally shaped arrays, rows in C order, without copying."""
    k = arrays[0].shape[-1]
    try:
        return [tuple(np.reshape(a, (-1, k), copy=False) for a in arrays)]
    except ValueError:
        return [views for parts in zip(*arrays, strict=True) for views in _rows(*parts)]


def _float(raw: np.ndarray) -> np.ndarray:
    return raw.astype(v.float_dtype(raw), copy=False)


def _per_row(w: np.ndarray | None, lead: tuple[int, ...]) -> np.ndarray | None:
    """Sample weights (leading axes, trailing 1s) as one flat value per row."""
    return None if w is None else np.broadcast_to(w, lead).reshape(-1)


def _log1p(r: np.ndarray, out: np.ndarray, t1: np.ndarray, t2: np.ndarray) -> np.ndarray:
    """``log1p(r)`` for ``r >= 0`` as ``log u + (r - (u - 1)) / u`` with ``u = 1 + r``.

    ``u - 1`` is exact for ``u < 2``, so the correction restores what rounding
    ``1 + r`` lost; the error is that of ``np.log`` (vectorised, unlike ``np.log1p``).
    ``out`` must not be ``r``.
    """
    u = np.add(r, 1, out=t1)
    np.log(u, out=out)
    c = np.subtract(u, 1, out=t2)
    np.subtract(r, c, out=c)
    np.divide(c, u, out=c)
    return np.add(out, c, out=out)


def _mul0(loss: np.ndarray, w: np.ndarray) -> None:
    """``loss *= w`` with 0 where ``w == 0`` (even where the loss is inf)."""
    np.multiply(loss, w, out=loss)
    if np.isnan(np.add.reduce(loss, axis=None)):
        np.copyto(loss, 0, where=(w == 0))


def _reduce(out: np.ndarray | None, sums: list, dens: list | None, n_rows: int,
            red: prep.Reduction, dtype: np.dtype, lead: tuple[int, ...]) -> np.ndarray:
    if red.reduction == "none":
        res = out.reshape(lead)
    else:
        res = dtype.type(math.fsum(sums))
        if red.reduction == "mean":
            denom = None if dens is None else math.fsum(dens)
            res = res / red.over(denom).mean_denominator(n_rows)
    with np.errstate(under="ignore"):
        return prep.in_base(res, red.ln_b)


class _Workspace(dict):
    """Buffers for one thread, made on first use: ``wide`` names hold a block, the others
    one value per row."""

    def __init__(self, block_rows: int, k: int, dtype: np.dtype, wide: Sequence[str]):
        super().__init__()
        self.rows, self.k, self.dtype, self.wide = block_rows, k, dtype, set(wide)

    def __missing__(self, name: str) -> np.ndarray:
        rows, k = self.rows, self.k
        if name == "rowoff":
            buf = np.arange(rows, dtype=np.int64) * k
        elif name == "classes":  # 0, 1, ..., K - 1
            buf = np.arange(k, dtype=self.dtype)
        elif name in ("idx", "lab"):
            buf = np.empty(rows, np.int64)
        elif name == "flag":
            buf = np.empty(rows, bool)
        elif name == "mask":
            buf = np.empty((rows, k), bool)
        else:
            buf = np.empty((rows, k) if name in self.wide else rows, self.dtype)
        self[name] = buf
        return buf


def _contiguous(a: np.ndarray, buf: np.ndarray) -> np.ndarray:
    """``a`` itself if C-contiguous in ``buf``'s dtype, else a copy in ``buf``."""
    if a.flags.c_contiguous and a.dtype == buf.dtype:
        return a
    out = buf[: a.shape[0]]
    np.copyto(out, a, casting="unsafe")
    return out


@functools.lru_cache(maxsize=16)
def _ones(k: int, dtype: np.dtype) -> np.ndarray:
    ones = np.ones(k, dtype)
    ones.flags.writeable = False
    return ones


def _row_sums(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Sums along the short last axis of a block, as a matrix-vector product with ones.

    BLAS's gemv takes half the time of ``einsum("ij->i")`` on a block (K = 10), and on
    blocks of this size it stays on the calling thread (its CPU time equals its wall time
    when two kernel threads call it at once).
    """
    return np.dot(a, _ones(a.shape[1], a.dtype), out=out)


def _check_range(a: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """The block's min and max; ``_Unfit`` unless both are finite and in [low, high]."""
    lo = np.minimum.reduce(a, axis=None)
    hi = np.maximum.reduce(a, axis=None)
    if not (low <= lo and hi <= high and np.isfinite(lo) and np.isfinite(hi)):
        raise _Unfit
    return lo, hi


def _check_rows_sum(a: np.ndarray, tol: float, buf: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """The row sums of ``a``; ``_Unfit`` unless each is within ``tol`` of 1."""
    s = _row_sums(a, buf)
    dev = np.subtract(s, 1, out=tmp)
    np.abs(dev, out=dev)
    if not np.maximum.reduce(dev) <= tol:
        raise _Unfit
    return s


def _nll_wide(z: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``logsumexp(z) - z[c]`` per row in the reference path's log-sum-exp form."""
    _, shifted, _, rest = _lse_parts(z)
    return np.log1p(rest[:, 0]) - shifted[np.arange(len(classes)), classes]


def _nll_logits(z: np.ndarray, classes: np.ndarray, idx: np.ndarray, loss: np.ndarray,
                ws: _Workspace) -> None:
    """``-log softmax(z)[c]`` per row, into ``loss``; ``z`` C-contiguous, ``idx`` flat.

    The checks read the results rather than ``z``: a NaN, a ``-inf`` or an exponential
    below the normal range shows in the block's smallest exponential, an overflow in
    ``e^{z_c}`` or in the loss. Only then is ``z`` itself inspected: non-finite values
    raise ``_Unfit``, and rows whose exponentials leave the normal range take the
    log-sum-exp form.
    """
    b = z.shape[0]
    e = np.exp(z, out=ws["e"][:b])
    e_min = np.minimum.reduce(e, axis=None)
    flat = e.reshape(-1)
    ey = np.take(flat, idx, out=ws["ey"][:b], mode="clip")
    flat[idx] = 0
    r = _row_sums(e, ws["r"][:b])
    np.divide(r, ey, out=r)  # sum over j != c of e^(z_j - z_c), positive terms only
    _log1p(r, loss, ws["t1"][:b], ws["t2"][:b])
    if (e_min >= _TINY[z.dtype] and np.maximum.reduce(ey) < np.inf
            and np.maximum.reduce(loss) < np.inf):
        return
    if not np.isfinite(z).all():
        raise _Unfit
    lim = _EXP_LIMIT[z.dtype]
    bad = ~(loss < np.inf)
    bad |= np.minimum.reduce(z, axis=1) < -lim
    bad |= np.maximum.reduce(z, axis=1) > lim
    if bad.any():
        loss[bad] = _nll_wide(z[bad], classes[bad])


def _nll_probs(p: np.ndarray, idx: np.ndarray, loss: np.ndarray, ws: _Workspace) -> None:
    """``-log p[c]`` per row; ``p`` C-contiguous and already checked."""
    b = p.shape[0]
    py = np.take(p.reshape(-1), idx, out=ws["ey"][:b], mode="clip")
    np.log(py, out=loss)
    np.negative(loss, out=loss)


_PRODUCT_MAX_K = 64  # up to this many classes a row's product takes K - 1 column multiplies


def _minus_sum_log(p: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``-sum_k log p_k`` per row as ``-log prod_k p_k``: one logarithm per row, not per entry.

    The product of ``K`` numbers in [0, 1] carries at most ``K - 1`` roundings, so its log is
    off by at most about ``K`` eps in absolute terms, against a value of at least
    ``K log K``. Rows whose product is subnormal or 0 take the sum of logs.
    """
    np.multiply(p[:, 0], p[:, 1], out=out) if p.shape[1] > 1 else np.copyto(out, p[:, 0])
    for j in range(2, p.shape[1]):
        np.multiply(out, p[:, j], out=out)
    small = out < np.finfo(p.dtype).tiny
    np.log(out, out=out)
    np.negative(out, out=out)
    if small.any():
        out[small] = -np.log(p[small]).sum(axis=1)
    return out


def _smoothing_terms(z: np.ndarray, nll: np.ndarray, idx: np.ndarray, from_logits: bool,
                     cw: np.ndarray | None, ws: _Workspace) -> np.ndarray:
    """``sum_k w_k (-log q_k)`` per row: from logits ``-log q_k = lse - z_k`` (both >= 0)."""
    b = z.shape[0]
    d = ws["e"][:b]
    if from_logits:
        lse = np.take(z.reshape(-1), idx, out=ws["t1"][:b], mode="clip")
        np.add(lse, nll, out=lse)
        np.subtract(lse[:, None], z, out=d)
    elif cw is None and z.shape[1] <= _PRODUCT_MAX_K:
        return _minus_sum_log(z, ws["t2"][:b])
    else:
        np.log(z, out=d)
        np.negative(d, out=d)
        if cw is not None and not cw.all():
            d[:, cw == 0] = 0  # 0 * log 0 counts as 0
    out = ws["t2"][:b]
    if cw is None:
        return _row_sums(d, out)
    return np.dot(d, cw, out=out)


# --- sparse categorical ------------------------------------------------------------------


def _labels(labels, k: int, lead: tuple[int, ...], ignore_index, pred_name: str) -> np.ndarray:
    """Flat int64 labels: one min and one max when all are in range, else the full check."""
    arr = v.as_array(labels, "labels")
    if arr.dtype.kind in "iu" and arr.shape == lead:
        lo, hi = arr.min(), arr.max()
        if 0 <= lo and hi < k:
            return arr.astype(np.int64, copy=False).reshape(-1)
    return v.check_labels(arr, k, lead, ignore_index, pred_name).reshape(-1)


def _predictions(y_pred, class_weight, sample_weight, axis: int, pred_name: str):
    """``(raw, x, class_weight, sample_weight)`` for the class-axis kernels: the predictions as
    passed and as floats with classes last, and the checked weights; ``None`` when the
    input is small or not a float array (the reference path takes it)."""
    raw = v.as_array(y_pred, pred_name)
    if raw.size < MIN_ELEMENTS or raw.dtype.kind != "f" or raw.ndim == 0:
        return None
    x = v.move_axis_last(_float(raw), axis, pred_name)
    k, lead = x.shape[-1], x.shape[:-1]
    cw = None
    if class_weight is not None:
        cw = v.check_weights(class_weight, "class_weight", k, x.dtype, "one weight per class")
    sw = None if sample_weight is None else v.sample_weight_for(sample_weight, lead, x.dtype)
    return raw, x, cw, sw


def sparse(labels, y_pred, *, from_logits=False, label_smoothing=0.0, class_weight=None,
           sample_weight=None, ignore_index=None, reduction="mean", base=None, axis=-1,
           pred_name: str = "y_pred") -> np.ndarray | None:
    """:func:`xentlearn.sparse_categorical_cross_entropy`, or ``None`` for the reference path."""
    from_logits = v.check_bool(from_logits, "from_logits")
    reduction, ln_b, eps = prep.options(reduction, base, label_smoothing)
    checked = _predictions(y_pred, class_weight, sample_weight, axis, pred_name)
    if checked is None:
        return None
    raw, x, cw, sw = checked
    dtype, k, lead = x.dtype, x.shape[-1], x.shape[:-1]
    dt = dtype.type
    if ignore_index is not None and (isinstance(ignore_index, bool)
                                     or not isinstance(ignore_index, numbers.Integral)):
        return None
    lab = _labels(labels, k, lead, ignore_index, pred_name)
    sw_rows = _per_row(sw, lead)
    tol = v.sum_tolerance(prep.tol_dtype(raw, x), k)
    block_rows = max(1, BLOCK_BYTES // (k * dtype.itemsize))
    red = prep.Reduction(reduction, ln_b)
    n_rows = lab.size
    out = np.empty(n_rows, dtype) if reduction == "none" else None
    ignore = None if ignore_index is None else int(ignore_index)

    def one_block(g0: int, g1: int, z: np.ndarray, ws: _Workspace) -> tuple[float, float | None]:
        b = g1 - g0
        classes = lab[g0:g1]
        ignored = None
        if ignore is not None:
            ignored = np.equal(classes, ignore, out=ws["flag"][:b])
            if ignored.any():  # the label 0 stands in for ignored ones, whose loss becomes 0
                safe = ws["lab"][:b]
                np.copyto(safe, classes)
                np.copyto(safe, 0, where=ignored)
                classes = safe
        loss = ws["loss"][:b] if out is None else out[g0:g1]
        z = _contiguous(z, ws["z"])
        idx = np.add(ws["rowoff"][:b], classes, out=ws["idx"][:b])
        if from_logits:
            _nll_logits(z, classes, idx, loss, ws)
        else:
            _check_range(z, 0.0, 1.0)
            _check_rows_sum(z, tol, ws["r"][:b], ws["t1"][:b])
            _nll_probs(z, idx, loss, ws)
        lw = None if cw is None else np.take(cw, classes, out=ws["lw"][:b], mode="clip")
        if eps:
            smooth = _smoothing_terms(z, loss, idx, from_logits, cw, ws)
            _mul0(loss, dt(1 - eps) * (1 if lw is None else lw))
            loss += dt(eps / k) * smooth
        elif lw is not None:
            _mul0(loss, lw)
        if ignored is not None:
            np.copyto(loss, 0, where=ignored)
        if sw_rows is not None:
            _mul0(loss, sw_rows[g0:g1])
        den = None
        if lw is not None:
            if ignored is not None:
                np.copyto(lw, 0, where=ignored)
            den = float(np.add.reduce(lw))
        elif ignored is not None:
            den = float(b - np.count_nonzero(ignored))
        return (0.0 if out is not None else np.add.reduce(loss)), den

    def work(run: Iterable[Block]) -> tuple[list, list]:
        ws = _Workspace(block_rows, k, dtype, ("e", "z"))
        sums, dens = [], []
        with np.errstate(all="ignore"):
            for g0, g1, (z,) in run:
                s, d = one_block(g0, g1, z, ws)
                sums.append(s)
                dens.append(d)
        return sums, dens

    try:
        sums, dens = _run(_blocks(_rows(x), block_rows), work)
    except _Unfit:
        return None
    dens = None if dens[0] is None else dens
    return _reduce(out, sums, dens, n_rows, red, dtype, lead)


# --- categorical -----------------------------------------------------------------------


def categorical(y_true, y_pred, *, from_logits=False, label_smoothing=0.0, class_weight=None,
                sample_weight=None, reduction="mean", base=None, axis=-1,
                pred_name: str = "y_pred") -> np.ndarray | None:
    """:func:`xentlearn.categorical_cross_entropy`, or ``None`` for the reference path."""
    from_logits = v.check_bool(from_logits, "from_logits")
    reduction, ln_b, eps = prep.options(reduction, base, label_smoothing)
    checked = _predictions(y_pred, class_weight, sample_weight, axis, pred_name)
    if checked is None:
        return None
    raw, x, cw, sw = checked
    dtype, k, lead = x.dtype, x.shape[-1], x.shape[:-1]
    dt = dtype.type
    raw_y = v.as_array(y_true, "y_true")
    if raw_y.shape != raw.shape:
        return None
    y = v.move_axis_last(raw_y, axis, "y_true")
    sw_rows = _per_row(sw, lead)
    tol_x = v.sum_tolerance(prep.tol_dtype(raw, x), k)
    tol_y = v.sum_tolerance(prep.tol_dtype(raw_y, x), k)
    block_rows = max(1, BLOCK_BYTES // (k * dtype.itemsize))
    red = prep.Reduction(reduction, ln_b)
    n_rows = math.prod(lead)
    out = np.empty(n_rows, dtype) if reduction == "none" else None

    def one_block(g0: int, g1: int, z: np.ndarray, t: np.ndarray,
                  ws: _Workspace) -> tuple[float, float | None]:
        b = g1 - g0
        loss = ws["loss"][:b] if out is None else out[g0:g1]
        z = _contiguous(z, ws["z"])
        t = _contiguous(t, ws["y"])
        if not from_logits:
            _check_range(z, 0.0, 1.0)
            _check_rows_sum(z, tol_x, ws["r"][:b], ws["t1"][:b])
        # One-hot rows, found without listing the nonzeros: b nonzero targets in all, and
        # in each row a value >= 1 - tol at the class sum_j j t_j / sum_j t_j, mean that
        # every row holds exactly one nonzero, at that class (checked below with w).
        one_hot = np.count_nonzero(t) == b
        if one_hot:
            total = _row_sums(t, ws["r"][:b])  # sum_j t_j
            cls = np.dot(t, ws["classes"], out=ws["t1"][:b])  # sum_j j t_j
            np.divide(cls, total, out=cls)
            np.rint(cls, out=cls)
            classes = ws["lab"][:b]
            np.copyto(classes, cls, casting="unsafe")  # NaN (an empty row) fails the range
            one_hot = 0 <= np.minimum.reduce(classes) and np.maximum.reduce(classes) < k
        if one_hot:
            idx = np.add(ws["rowoff"][:b], classes, out=ws["idx"][:b])
            w = np.take(t.reshape(-1), idx, out=ws["lw"][:b], mode="clip")
            if not (np.minimum.reduce(w) >= 1 - tol_y and np.maximum.reduce(w) <= 1):
                raise _Unfit  # a value out of [0, 1] or a row that does not sum to 1
            if from_logits:
                _nll_logits(z, classes, idx, loss, ws)
            else:
                _nll_probs(z, idx, loss, ws)
            if cw is not None:
                w *= np.take(cw, classes, mode="clip")
            if eps:
                smooth = _smoothing_terms(z, loss, idx, from_logits, cw, ws)
                _mul0(loss, dt(1 - eps) * w)
                loss += dt(eps / k) * smooth
            else:
                _mul0(loss, w)
            den = None if cw is None else float(np.add.reduce(w))
        else:  # soft targets
            _check_range(t, 0.0, 1.0)
            _check_rows_sum(t, tol_y, ws["lw"][:b], ws["t1"][:b])
            if from_logits:
                _check_range(z, -np.inf, np.inf)
            c = prep.Categorical(z, from_logits, eps, cw, red)
            target = c.smoothed(t)
            if cw is not None:
                target = target * cw
            np.negative(prep.times(target, c.log_q()).sum(axis=-1), out=loss)
            den = None if cw is None else float(np.einsum("ij,j->", t, cw))
        if sw_rows is not None:
            _mul0(loss, sw_rows[g0:g1])
        return (0.0 if out is not None else np.add.reduce(loss)), den

    def work(run: Iterable[Block]) -> tuple[list, list]:
        ws = _Workspace(block_rows, k, dtype, ("e", "z", "y"))
        sums, dens = [], []
        with np.errstate(all="ignore"):
            for g0, g1, (z, t) in run:
                s, d = one_block(g0, g1, z, t, ws)
                sums.append(s)
                dens.append(d)
        return sums, dens

    try:
        sums, dens = _run(_blocks(_rows(x, y), block_rows), work)
    except _Unfit:
        return None
    dens = None if cw is None else dens
    return _reduce(out, sums, dens, n_rows, red, dtype, lead)


def _weight_rows(w: np.ndarray, width: int) -> np.ndarray:
    """Weights broadcast to the loss's shape as ``(rows, width)``, or ``(rows, 1)`` when
    they are constant along the last axis; a copy only when no view has that shape."""
    try:
        return np.reshape(w, (-1, width), copy=False)
    except ValueError:
        if w.ndim and w.strides[-1] == 0:
            return w[..., :1].reshape(-1, 1)
        return np.ascontiguousarray(w).reshape(-1, width)


# --- binary ------------------------------------------------------------------------------


def binary(y_true, y_pred, *, from_logits=False, label_smoothing=0.0, sample_weight=None,
           pos_weight=None, reduction="mean", base=None,
           pred_name: str = "y_pred") -> np.ndarray | None:
    """:func:`xentlearn.binary_cross_entropy`, or ``None`` for the reference path."""
    from_logits = v.check_bool(from_logits, "from_logits")
    reduction, ln_b, eps = prep.options(reduction, base, label_smoothing)
    raw = v.as_array(y_pred, pred_name)
    if raw.size < MIN_ELEMENTS or raw.dtype.kind != "f":
        return None
    x = _float(raw)
    dtype, shape = x.dtype, x.shape
    dt = dtype.type
    raw_y = v.as_array(y_true, "y_true")
    if raw_y.shape != shape:
        return None
    pw = None if pos_weight is None else prep.pos_weight_for(pos_weight, shape, dtype, pred_name)
    sw = None if sample_weight is None else v.sample_weight_for(sample_weight, shape, dtype)
    width = shape[-1] if x.ndim >= 2 and shape[-1] * dtype.itemsize <= BLOCK_BYTES else 1
    try:
        arrays = [np.reshape(a, (-1, width), copy=False) for a in (x, raw_y)]
    except ValueError:
        return None
    for w in (pw, sw):
        if w is not None:
            arrays.append(_weight_rows(np.broadcast_to(w, shape), width))
    block_rows = max(1, BLOCK_BYTES // (width * dtype.itemsize))
    red = prep.Reduction(reduction, ln_b)
    out = np.empty(arrays[0].shape, dtype) if reduction == "none" else None

    def one_block(g0: int, g1: int, views: tuple[np.ndarray, ...], ws: _Workspace) -> float:
        b = g1 - g0
        xb, yb = views[0], views[1]
        pwb = views[2] if pw is not None else None
        swb = views[-1] if sw is not None else None
        loss = ws["loss"][:b] if out is None else out[g0:g1]
        t1, t2, t3, t4 = (ws[n][:b] for n in ("t1", "t2", "t3", "t4"))
        y = _contiguous(yb, ws["y"])
        _check_range(y, 0.0, 1.0)
        if eps:
            y = np.multiply(y, dt(1 - eps), out=ws["y"][:b])
            y += dt(eps / 2)
        if from_logits:  # a NaN or inf in x makes the block's sum NaN or inf (checked below)
            e = np.copysign(xb, -1, out=t1)  # -|x|
            np.exp(e, out=e)
            sp = _log1p(e, t2, t3, t4)  # softplus(-|x|)
            if pwb is None:  # sp + x ([x > 0] - y): both terms >= 0
                d = np.subtract(np.greater(xb, 0, out=ws["mask"][:b]), y, out=t1)
                np.multiply(d, xb, out=d)
                np.add(d, sp, out=loss)
            else:  # (w y + 1 - y) sp + (1 - y) max(x, 0) - w y min(x, 0)
                wy = np.multiply(pwb, y, out=t1)
                omy = np.subtract(1, y, out=t3)
                m = np.maximum(xb, 0, out=t4)
                np.multiply(m, omy, out=m)
                n = np.minimum(xb, 0, out=loss)
                np.multiply(n, wy, out=n)
                np.subtract(m, n, out=m)
                np.add(wy, omy, out=wy)
                np.multiply(wy, sp, out=wy)
                np.add(wy, m, out=loss)
        else:
            lo, hi = _check_range(xb, 0.0, 1.0)
            if lo > 0 and hi < 1:  # both logs finite
                lp = np.log(xb, out=t1)
                u = np.subtract(1, xb, out=t2)  # log1p(-p) = log u - (p + (u - 1)) / u
                l1p = np.log(u, out=t3)
                c = np.subtract(u, 1, out=t4)
                np.add(c, xb, out=c)
                np.divide(c, u, out=c)
                np.subtract(l1p, c, out=l1p)
                if pwb is not None:
                    np.multiply(lp, pwb, out=lp)
                np.multiply(lp, y, out=lp)
                omy = np.subtract(1, y, out=t2)
                np.multiply(omy, l1p, out=omy)
                np.add(lp, omy, out=loss)
                np.negative(loss, out=loss)
            else:
                ref = prep.Binary(y, xb, False, pwb, red)
                loss[:] = ref.elementwise(*ref.log_terms())
        total = np.add.reduce(loss, axis=None)
        if from_logits and not np.isfinite(total) and not np.isfinite(xb).all():
            raise _Unfit  # checked before the weights, whose zeros would hide a NaN
        if swb is not None:
            _mul0(loss, swb)
            total = np.add.reduce(loss, axis=None)
        return 0.0 if out is not None else total

    def work(run: Iterable[Block]) -> tuple[list, list]:
        ws = _Workspace(block_rows, width, dtype, ("y", "t1", "t2", "t3", "t4", "loss"))
        sums = []
        with np.errstate(all="ignore"):
            for g0, g1, views in run:
                sums.append(one_block(g0, g1, views, ws))
        return sums, []

    try:
        sums, _ = _run(_blocks([tuple(arrays)], block_rows), work)
    except _Unfit:
        return None
    return _reduce(None if out is None else out.reshape(-1), sums, None, x.size, red, dtype,
                   shape)
