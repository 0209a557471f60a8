"""Benchmark xentlearn's cross-entropy losses: speed, peak memory and accuracy at the extremes.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/bench_losses.py            # all tables
    .venv/bin/python benchmarks/bench_losses.py --ratios   # only table R
    .venv/bin/python benchmarks/bench_losses.py --full     # also the long speed table
    .venv/bin/python benchmarks/bench_losses.py --profile  # also cProfile the sparse loss

Prints plain-text tables and asserts nothing about time. The references are
optional: PyTorch (``torch``), scikit-learn and mpmath each get "not installed"
when they do not import. Timings are medians of several rounds after a warm-up,
each round calling every implementation of a block in turn, so that all of them
see the same machine state. PyTorch runs with its default thread count (printed
in the header) and again with one thread; NumPy's ufuncs run on one thread.

Tables
------
R. Ratios in one run, three repeats: each repeat times every implementation of a row in
   turn for 7 rounds and takes medians; "after" is xentlearn as shipped (the kernels for
   large inputs), "before" the plain reference path of the same functions (what runs for
   small inputs). XENTLEARN_NUM_THREADS is printed in the header. A "floor" row per dtype
   and input times one np.exp over the logits (same blocks and threads as the kernels);
   the last column divides each kernel by it.
O. Options: the time of each option (weights, ignore_index, label smoothing, base,
   reductions, class axis) divided by the plain call's, after and before.
T. Temporaries: peak traced memory of one call divided by the input's bytes, after and
   before.
1. (with --full) Speed and agreement: sparse categorical cross-entropy on 1,000,000 x 10 logits
   (and on their softmax probabilities), float64 and float32; binary cross-entropy
   from 10,000,000 logits. "x torch" and "x sklearn" divide a row's time by the
   reference's time for the same dtype. "max rel diff vs xentlearn" compares a
   reference with xentlearn on the same input; "max rel err vs exact" compares
   each result with the same loss evaluated in extended precision (long double).
2. Peak memory, from tracemalloc (NumPy reports its array allocations to it),
   in units of one input-sized array: "N x K temporaries".
3. Accuracy on hard inputs against mpmath with 50 significant digits, beside what
   the textbook formulas and the clipping conventions of other libraries give.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import math
import os
import platform
import pstats
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _table import table  # noqa: E402  (benchmarks/ is on sys.path when run)

import xentlearn as xl
from xentlearn import _kernels

try:
    import torch
    import torch.nn.functional as F  # noqa: N812
except ImportError:
    torch = None
    F = None

try:
    import sklearn
    from sklearn.metrics import log_loss
except ImportError:
    sklearn = None
    log_loss = None

try:
    import mpmath
except ImportError:
    mpmath = None

SEED = 20240601
N_SPARSE, K_SPARSE = 1_000_000, 10
N_BINARY = 10_000_000
LOGIT_STD = 3.0
NOT_INSTALLED = "not installed"
DASH = "-"

# Extended precision for the per-sample "exact" losses: x86's 80-bit long double has a
# 64-bit significand (eps 1.1e-19), a thousand times finer than float64's.
LONG = np.longdouble
HAVE_EXTENDED = np.finfo(LONG).eps < 1e-18


# --- printing -----------------------------------------------------------------------------




def ms(seconds: float | None) -> str:
    return DASH if seconds is None else f"{seconds * 1e3:.1f}"


def ratio(t: float | None, ref: float | None) -> str:
    return DASH if t is None or ref is None else f"{t / ref:.2f}"


def sci(x: float | None) -> str:
    return DASH if x is None else f"{x:.1e}"


def num(x: float | None) -> str:
    if x is None:
        return DASH
    return f"{x + 0.0:.6g}"  # + 0.0 turns -0.0 into 0.0


# --- measuring ------------------------------------------------------------------------------


def time_interleaved(fns: dict[str, Callable[[], object]], budget: float = 5.0,
                     min_rounds: int = 7, max_rounds: int = 15) -> dict[str, list[float]]:
    """Wall times of each function, called in turn, round after round, after one warm-up each.

    Interleaving gives every implementation the same machine state: on a shared or
    virtual machine the speed drifts by tens of percent from second to second.
    """
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    start = time.perf_counter()
    for n in range(1, max_rounds + 1):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
        if n >= min_rounds and time.perf_counter() - start >= budget:
            break
    return times


def torch_one_thread_times(fn: Callable[[], object]) -> list[float]:
    """Times of a PyTorch call with one intra-op thread, as NumPy's ufuncs use."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return time_interleaved({"fn": fn}, budget=2.0, min_rounds=5)["fn"]
    finally:
        torch.set_num_threads(threads)


def peak_bytes(fn: Callable[[], object]) -> int:
    """Peak traced memory allocated while ``fn`` runs (its inputs already exist)."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def max_rel(a, ref) -> float:
    """Largest |a - ref| / |ref| over the elements, computed in long double."""
    a = np.asarray(a, dtype=LONG)
    ref = np.asarray(ref, dtype=LONG)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(a - ref) / np.abs(ref)
    rel = np.where(ref == 0, np.abs(a), rel)
    return float(np.max(rel))


# --- inputs and extended-precision references --------------------------------------------


def softmax_np(z: np.ndarray) -> np.ndarray:
    """The usual max-shifted softmax, in ``z``'s dtype."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def exact_sparse_from_logits(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``logsumexp(z_i) - z_{i,y_i}`` per sample in long double (log1p of the non-max terms)."""
    zl = z.astype(LONG)
    idx = zl.argmax(axis=-1)[:, None]
    m = np.take_along_axis(zl, idx, axis=-1)
    e = np.exp(zl - m)
    np.put_along_axis(e, idx, 0, axis=-1)
    rest = e.sum(axis=-1)
    del e
    return np.log1p(rest) + (m[:, 0] - zl[np.arange(len(y)), y])


def exact_sparse_from_probs(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -np.log(p[np.arange(len(y)), y].astype(LONG))


def exact_binary_from_logits(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y softplus(-x) + (1 - y) softplus(x)`` in long double."""
    xl_ = x.astype(LONG)
    yl = y.astype(LONG)
    log1p_term = np.log1p(np.exp(-np.abs(xl_)))
    return yl * (np.maximum(-xl_, 0) + log1p_term) + (1 - yl) * (np.maximum(xl_, 0) + log1p_term)


# --- 0. header ------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def header() -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    torch_version = NOT_INSTALLED
    if torch is not None:
        torch_version = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    rows = [
        ("python", platform.python_version()),
        ("platform", f"{platform.system()} {platform.machine()}, {cpu_model()}"),
        ("CPU count", f"{os.cpu_count()} (usable: {usable if usable is not None else '?'})"),
        ("numpy", np.__version__),
        ("xentlearn", f"{xl.__version__} ({os.path.dirname(xl.__file__)})"),
        ("torch", torch_version),
        ("scikit-learn", NOT_INSTALLED if sklearn is None else sklearn.__version__),
        ("mpmath", NOT_INSTALLED if mpmath is None else mpmath.__version__),
        ("long double eps", f"{float(np.finfo(LONG).eps):.1e}"
                            + ("" if HAVE_EXTENDED else " (no extended precision)")),
    ]
    rows.append(("xentlearn kernel threads", f"{_kernels.num_threads()} "
                 f"({_kernels.THREADS_VARIABLE}={os.environ.get(_kernels.THREADS_VARIABLE)!r})"))
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS"):
        if var in os.environ:
            rows.append((var, os.environ[var]))
    table("xentlearn loss benchmarks", ("", "version / value"), rows)


# --- R. ratios, three repeats ------------------------------------------------------------------


REPEATS = 3
ROUNDS = 7


@contextlib.contextmanager
def reference_path():
    """Run xentlearn's plain reference path (the code that small inputs take) in the block."""
    saved = _kernels.MIN_ELEMENTS
    _kernels.MIN_ELEMENTS = math.inf
    try:
        yield
    finally:
        _kernels.MIN_ELEMENTS = saved


def before(fn: Callable[[], object]) -> Callable[[], object]:
    def call():
        with reference_path():
            return fn()
    return call


def repeated_medians(fns: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """Per name, the median over ROUNDS interleaved rounds, for each of REPEATS repeats."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(REPEATS):
        times = time_interleaved(fns, budget=0.0, min_rounds=ROUNDS, max_rounds=ROUNDS)
        for name, ts in times.items():
            out[name].append(statistics.median(ts))
    return out


def ratio_cells(num: list[float] | None, den: list[float] | None) -> str:
    if num is None or den is None:
        return NOT_INSTALLED
    return " ".join(f"{a / b:.2f}" for a, b in zip(num, den, strict=True))


def torch_fn(name: str, *arrays: np.ndarray) -> Callable[[], object] | None:
    """``torch.nn.functional.<name>`` on tensors sharing the arrays' memory, or None."""
    if torch is None:
        return None
    fn = getattr(F, name)
    tensors = [torch.from_numpy(a) for a in arrays]
    return lambda: fn(*tensors)


_floor_pool: ThreadPoolExecutor | None = None


def exp_floor(a: np.ndarray) -> Callable[[], object]:
    """One ``np.exp`` over ``a``, in blocks of the kernels' size shared among as many threads
    as the kernels use: what any NumPy kernel that takes one exponential per value spends."""
    flat = a.reshape(-1)
    step = max(1, _kernels.BLOCK_BYTES // a.itemsize)

    def part(lo: int, hi: int) -> None:
        buf = np.empty(min(step, hi - lo), a.dtype)
        for s in range(lo, hi, step):
            e = min(s + step, hi)
            np.exp(flat[s:e], out=buf[:e - s])

    def call() -> None:
        global _floor_pool
        n = _kernels.num_threads()
        bounds = [flat.size * i // n for i in range(n + 1)]
        if n == 1:
            part(0, flat.size)
            return
        if _floor_pool is None or _floor_pool._max_workers < n - 1:
            _floor_pool = ThreadPoolExecutor(max_workers=n - 1)
        futures = [_floor_pool.submit(part, bounds[i], bounds[i + 1]) for i in range(1, n)]
        part(bounds[0], bounds[1])
        for fut in futures:
            fut.result()

    return call


def one_thread(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` with the kernels (and the floor) on the calling thread only."""
    def call():
        saved = os.environ.get(_kernels.THREADS_VARIABLE)
        os.environ[_kernels.THREADS_VARIABLE] = "1"
        try:
            return fn()
        finally:
            if saved is None:
                del os.environ[_kernels.THREADS_VARIABLE]
            else:
                os.environ[_kernels.THREADS_VARIABLE] = saved
    return call


def ratio_table() -> None:
    rng = np.random.default_rng(SEED)
    rows = []
    labels_k = list(range(K_SPARSE))
    y = rng.integers(0, K_SPARSE, size=N_SPARSE)
    z64 = rng.normal(0.0, LOGIT_STD, size=(N_SPARSE, K_SPARSE))
    x64 = rng.normal(0.0, LOGIT_STD, size=N_BINARY)
    t64 = (rng.random(N_BINARY) < 0.5).astype(np.float64)
    for dtype in (np.float64, np.float32):
        dt = np.dtype(dtype).name
        z = z64.astype(dtype)
        p = softmax_np(z)
        onehot = np.zeros_like(z)
        onehot[np.arange(N_SPARSE), y] = 1
        x, t = x64.astype(dtype), t64.astype(dtype)
        floor_z, floor_x = exp_floor(z), exp_floor(x)
        groups = [
            (f"sparse CE from logits, {dt}", "torch", 0.25,
             lambda z=z: xl.sparse_categorical_cross_entropy(y, z, from_logits=True),
             torch_fn("cross_entropy", z, y), floor_z),
            (f"categorical CE from logits (one-hot), {dt}", "torch", 0.25,
             lambda z=z, oh=onehot: xl.categorical_cross_entropy(oh, z, from_logits=True),
             torch_fn("cross_entropy", z, onehot), floor_z),
            (f"sparse CE from probabilities, {dt}", "sklearn", 0.15,
             lambda p=p: xl.sparse_categorical_cross_entropy(y, p),
             None if log_loss is None else (lambda p=p: log_loss(y, p, labels=labels_k)), None),
            (f"categorical CE from probabilities (one-hot), {dt}", "sklearn", 0.15,
             lambda p=p, oh=onehot: xl.categorical_cross_entropy(oh, p),
             None if log_loss is None else (lambda p=p: log_loss(y, p, labels=labels_k)), None),
            (f"binary CE from logits, {dt}", "torch", 0.4,
             lambda x=x, t=t: xl.binary_cross_entropy(t, x, from_logits=True),
             torch_fn("binary_cross_entropy_with_logits", x, t), floor_x),
        ]
        for name, ref_name, target, fn, ref, floor in groups:
            fns = {"after": fn, "before": before(fn)}
            if ref is not None:
                fns["ref"] = ref
            if floor is not None:
                fns["floor"] = floor
                fns["floor 1"] = one_thread(floor)
                fns["after 1"] = one_thread(fn)
            med = repeated_medians(fns)
            if floor is not None and name.startswith("sparse"):
                rows.append((f"floor: one np.exp over the {N_SPARSE:,} x {K_SPARSE} logits, "
                             f"{dt}", f"x {ref_name}", DASH,
                             ratio_cells(med["floor"], med.get("ref")), DASH,
                             " ".join(ms(m) for m in med.get("ref", [None] * REPEATS)),
                             " ".join(ms(m) for m in med["floor"]), DASH,
                             ratio_cells(med["floor 1"], med["floor"])))
            if floor is not None and name.startswith("binary"):
                rows.append((f"floor: one np.exp over the {N_BINARY:,} logits, {dt}",
                             f"x {ref_name}", DASH, ratio_cells(med["floor"], med.get("ref")),
                             DASH, " ".join(ms(m) for m in med.get("ref", [None] * REPEATS)),
                             " ".join(ms(m) for m in med["floor"]), DASH,
                             ratio_cells(med["floor 1"], med["floor"])))
            rows.append((name, f"x {ref_name}", f"<= {target:g}",
                         ratio_cells(med["after"], med.get("ref")),
                         ratio_cells(med["before"], med.get("ref")),
                         " ".join(ms(m) for m in med.get("ref", [None] * REPEATS)),
                         " ".join(ms(m) for m in med["after"]),
                         DASH if floor is None else ratio_cells(med["after"], med["floor"]),
                         DASH if floor is None else ratio_cells(med["after 1"], med["after"])))
            del fns, med
        del z, p, onehot, x, t
        gc.collect()
    table(
        f"R. Time ratios in one run: {N_SPARSE:,} x {K_SPARSE} (CE), {N_BINARY:,} (binary); "
        f"mean reduction; {REPEATS} repeats of the median of {ROUNDS}",
        ("loss", "ratio to", "target", "after (x3)", "before (x3)", "reference ms (x3)",
         "after ms (x3)", "after / floor (x3)", "1 thread / default (x3)"),
        rows,
        notes=(
            "after: xentlearn as shipped (kernels for large inputs); before: its plain reference "
            "path (what small inputs run), same functions and arguments.",
            "torch: F.cross_entropy (class indices; one-hot rows: probability targets) and "
            "F.binary_cross_entropy_with_logits, default threads; sklearn: log_loss with "
            f"labels=range({K_SPARSE}).",
            "Each repeat: every implementation of a row called in turn, 7 rounds, after one "
            "warm-up; ratio = median / median of the reference in the same repeat.",
            "floor: np.exp alone over the same logits, in the kernels' blocks and threads, timed "
            "in the same rounds as the row below it; after / floor: the kernel's median over "
            "the floor's, same repeat. A kernel that takes one exponential per value (and, for "
            "binary, one logarithm) cannot go below it.",
            f"1 thread / default: the same call with {_kernels.THREADS_VARIABLE}=1 over the "
            "default thread count, same rounds (about 0.5 when two free cores share the work; "
            "compare the floor's own ratio, which shows what the machine gives).",
        ),
    )


# --- O. options ---------------------------------------------------------------------------------


def options_table() -> None:
    rng = np.random.default_rng(SEED + 3)
    n, k = N_SPARSE, K_SPARSE
    z = rng.normal(0.0, LOGIT_STD, size=(n, k))
    y = rng.integers(0, k, size=n)
    y_ignored = np.where(rng.random(n) < 0.1, -100, y)
    cw = np.linspace(0.5, 2.0, k)
    sw = rng.uniform(0.0, 2.0, size=n)
    z_first = np.ascontiguousarray(z.T)  # (K, N): the class axis first
    p = softmax_np(z)
    onehot = np.zeros_like(z)
    onehot[np.arange(n), y] = 1
    m = N_BINARY // 2
    x = rng.normal(0.0, LOGIT_STD, size=(m // 8, 8))
    t = (rng.random((m // 8, 8)) < 0.5).astype(np.float64)

    def sparse_kw(**kw):
        labels = kw.pop("labels", y)
        zz = kw.pop("z", z)
        return lambda: xl.sparse_categorical_cross_entropy(labels, zz, from_logits=True, **kw)

    def cat_kw(**kw):
        return lambda: xl.categorical_cross_entropy(onehot, z, from_logits=True, **kw)

    def bin_kw(**kw):
        return lambda: xl.binary_cross_entropy(t, x, from_logits=True, **kw)

    groups = [
        (f"sparse from logits, {n:,} x {k}", sparse_kw(), [
            ("class_weight", sparse_kw(class_weight=cw)),
            ("sample_weight", sparse_kw(sample_weight=sw)),
            ("ignore_index=-100 (10% ignored)", sparse_kw(labels=y_ignored, ignore_index=-100)),
            ("label_smoothing=0.1", sparse_kw(label_smoothing=0.1)),
            ("class_weight + label_smoothing", sparse_kw(class_weight=cw, label_smoothing=0.1)),
            ("base=2", sparse_kw(base=2)),
            ("reduction='sum'", sparse_kw(reduction="sum")),
            ("reduction='none'", sparse_kw(reduction="none")),
            ("axis=0 (classes first, K x N)", sparse_kw(z=z_first, axis=0)),
        ]),
        (f"sparse from probabilities, {n:,} x {k}",
         lambda: xl.sparse_categorical_cross_entropy(y, p), [
             ("class_weight", lambda: xl.sparse_categorical_cross_entropy(y, p, class_weight=cw)),
             ("ignore_index=-100 (10% ignored)",
              lambda: xl.sparse_categorical_cross_entropy(y_ignored, p, ignore_index=-100)),
             ("label_smoothing=0.1 (every entry, not only the label's)",
              lambda: xl.sparse_categorical_cross_entropy(y, p, label_smoothing=0.1)),
         ]),
        (f"categorical from logits (one-hot), {n:,} x {k}", cat_kw(), [
            ("class_weight", cat_kw(class_weight=cw)),
            ("sample_weight", cat_kw(sample_weight=sw)),
            ("label_smoothing=0.1", cat_kw(label_smoothing=0.1)),
            ("reduction='none'", cat_kw(reduction="none")),
        ]),
        (f"binary from logits, {m:,} as {m // 8:,} x 8", bin_kw(), [
            ("pos_weight (one per label)", bin_kw(pos_weight=np.linspace(0.5, 4.0, 8))),
            ("sample_weight (one per row)", bin_kw(sample_weight=sw[: m // 8])),
            ("label_smoothing=0.1", bin_kw(label_smoothing=0.1)),
            ("reduction='none'", bin_kw(reduction="none")),
        ]),
    ]
    rows = []
    for title, plain, options in groups:
        fns = {"plain": plain, "plain before": before(plain)}
        for name, fn in options:
            fns[name] = fn
            fns[name + " before"] = before(fn)
        times = time_interleaved(fns, budget=0.0, min_rounds=ROUNDS, max_rounds=ROUNDS)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        rows.append((title, ms(med["plain"]), "1.00", ms(med["plain before"]),
                     ratio(med["plain before"], med["plain"])))
        for name, _ in options:
            rows.append((f"  {name}", ms(med[name]), ratio(med[name], med["plain"]),
                         ms(med[name + " before"]), ratio(med[name + " before"], med["plain"])))
    table(
        "O. Options: median of 7, ratio to the plain fast call (float64, mean reduction unless "
        "stated)",
        ("call", "after ms", "after x plain", "before ms", "before x plain"),
        rows,
        notes=("Target: every option within 1.5x of the plain call after. Label smoothing from "
               "probabilities reads every entry (one log per row, of their product), not only "
               "the label's.",),
    )


# --- T. temporaries -------------------------------------------------------------------------------


def temporaries_table() -> None:
    rng = np.random.default_rng(SEED + 1)
    n, k = N_SPARSE, K_SPARSE
    rows = []
    for dtype in (np.float64, np.float32):
        dt = np.dtype(dtype).name
        z = rng.normal(0.0, LOGIT_STD, size=(n, k)).astype(dtype)
        y = rng.integers(0, k, size=n)
        p = softmax_np(z)
        onehot = np.zeros_like(z)
        onehot[np.arange(n), y] = 1
        x = z.reshape(-1)
        t = (x > 0).astype(dtype)
        y_ignored, ones = np.where(y == 3, -100, y), np.ones(k)
        cases = [
            ("sparse from logits", z.nbytes,
             lambda z=z, y=y: xl.sparse_categorical_cross_entropy(y, z, from_logits=True)),
            ("sparse from logits, class_weight + smoothing + ignore_index", z.nbytes,
             lambda z=z, y=y_ignored, w=ones:
             xl.sparse_categorical_cross_entropy(y, z, from_logits=True, class_weight=w,
                                                 label_smoothing=0.1, ignore_index=-100)),
            ("sparse from probabilities", p.nbytes,
             lambda p=p, y=y: xl.sparse_categorical_cross_entropy(y, p)),
            ("categorical from logits (one-hot)", z.nbytes,
             lambda z=z, oh=onehot: xl.categorical_cross_entropy(oh, z, from_logits=True)),
            ("categorical from probabilities (one-hot)", p.nbytes,
             lambda p=p, oh=onehot: xl.categorical_cross_entropy(oh, p)),
            (f"binary from logits ({x.size:,})", x.nbytes,
             lambda x=x, t=t: xl.binary_cross_entropy(t, x, from_logits=True)),
        ]
        for name, unit, fn in cases:
            after = peak_bytes(fn)
            before_peak = peak_bytes(before(fn))
            rows.append((f"{name}  {dt}", f"{after / unit:.3f}", f"{before_peak / unit:.2f}"))
        del z, p, onehot, x, t
        gc.collect()
    big = rng.normal(0.0, LOGIT_STD, size=(40, 100_000))
    labels = rng.integers(0, 100_000, size=40)
    fn = lambda: xl.sparse_categorical_cross_entropy(labels, big, from_logits=True,  # noqa: E731
                                                     label_smoothing=0.1)
    after, before_peak = peak_bytes(fn), peak_bytes(before(fn))
    rows.append(("sparse from logits, 40 x 100,000 classes, smoothing  float64",
                 f"{after / big.nbytes:.3f}", f"{before_peak / big.nbytes:.2f}"))
    table(
        f"T. Temporaries: peak traced memory during one call / input bytes ({n:,} x {k} unless "
        "stated)",
        ("call", "after", "before"),
        rows,
        notes=("Target after: <= 0.25. Input bytes: the predictions (y_pred); targets, labels and "
               "inputs exist before tracing starts. tracemalloc sees NumPy's allocations.",),
    )


# --- 1. speed and agreement -----------------------------------------------------------------


def speed_row(name: str, inp: str, times: list[float] | None, ref_torch: list[float] | None,
              ref_sk: list[float] | None, diff: str = DASH, err: str = DASH) -> tuple:
    med = None if times is None else statistics.median(times)
    t_torch = None if ref_torch is None else statistics.median(ref_torch)
    t_sk = None if ref_sk is None else statistics.median(ref_sk)
    return (name, inp, ms(med), ms(None if times is None else min(times)), ratio(med, t_torch),
            ratio(med, t_sk), diff, err)


def sparse_rows(z: np.ndarray, y: np.ndarray) -> list[tuple]:
    """Rows of the speed table for one dtype of the N x K problem."""
    dt = z.dtype.name
    n, k = z.shape
    p = softmax_np(z)
    onehot = np.zeros_like(z)
    onehot[np.arange(n), y] = 1
    labels = list(range(k))
    exact_z = exact_sparse_from_logits(z, y) if HAVE_EXTENDED else None
    exact_p = exact_sparse_from_probs(p, y) if HAVE_EXTENDED else None

    def err(values, exact) -> str:
        return DASH if exact is None else sci(max_rel(values, exact))

    fns = {
        "xl_z": lambda: xl.sparse_categorical_cross_entropy(y, z, from_logits=True),
        "xl_p": lambda: xl.sparse_categorical_cross_entropy(y, p),
        "xl_cat": lambda: xl.categorical_cross_entropy(onehot, p),
    }
    if torch is not None:
        zt, yt = torch.from_numpy(z), torch.from_numpy(y)
        fns["torch"] = lambda: F.cross_entropy(zt, yt)
    if log_loss is not None:
        fns["sklearn"] = lambda: log_loss(y, p, labels=labels)
    times = time_interleaved(fns)
    t_torch, t_sk = times.get("torch"), times.get("sklearn")

    # Per-sample values: xentlearn's are what the references are compared with.
    xl_z = xl.sparse_categorical_cross_entropy(y, z, from_logits=True, reduction="none")
    xl_p = xl.sparse_categorical_cross_entropy(y, p, reduction="none")
    xl_cat = xl.categorical_cross_entropy(onehot, p, reduction="none")

    rows = [speed_row(f"xentlearn sparse, from_logits=True  {dt}", "logits", times["xl_z"],
                      t_torch, t_sk, err=err(xl_z, exact_z))]
    if torch is not None:
        torch_none = F.cross_entropy(zt, yt, reduction="none").numpy()
        rows.append(speed_row(f"torch F.cross_entropy  {dt}", "logits", t_torch, t_torch, t_sk,
                              sci(max_rel(torch_none, xl_z)), err(torch_none, exact_z)))
        rows.append(speed_row(f"torch F.cross_entropy, 1 thread  {dt}", "logits",
                              torch_one_thread_times(lambda: F.cross_entropy(zt, yt)),
                              t_torch, t_sk))
    else:
        rows.append(speed_row(f"torch ({NOT_INSTALLED})  {dt}", "logits", None, None, None))
    if log_loss is not None:
        sk_mean = log_loss(y, p, labels=labels)
        diff = sci(max_rel(sk_mean, xl_p.astype(LONG).mean())) + " (mean)"
        sk_err = DASH if exact_p is None else sci(max_rel(sk_mean, exact_p.mean())) + " (mean)"
        rows.append(speed_row(f"sklearn log_loss  {dt}", "probs", t_sk, t_torch, t_sk, diff,
                              sk_err))
    else:
        rows.append(speed_row(f"sklearn ({NOT_INSTALLED})  {dt}", "probs", None, None, None))
    rows.append(speed_row(f"xentlearn sparse, probs  {dt}", "probs", times["xl_p"], t_torch,
                          t_sk, err=err(xl_p, exact_p)))
    rows.append(speed_row(f"xentlearn categorical, one-hot  {dt}", "probs", times["xl_cat"],
                          t_torch, t_sk, err=err(xl_cat, exact_p)))
    return rows


def binary_rows(x: np.ndarray, y: np.ndarray) -> list[tuple]:
    dt = x.dtype.name
    fns = {"xl": lambda: xl.binary_cross_entropy(y, x, from_logits=True)}
    if torch is not None:
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)
        fns["torch"] = lambda: F.binary_cross_entropy_with_logits(xt, yt)
    times = time_interleaved(fns)
    t_torch = times.get("torch")

    exact = exact_binary_from_logits(x, y) if HAVE_EXTENDED else None
    xl_none = xl.binary_cross_entropy(y, x, from_logits=True, reduction="none")
    xl_err = DASH if exact is None else sci(max_rel(xl_none, exact))
    rows = [speed_row(f"xentlearn binary, from_logits=True  {dt}", "logits", times["xl"],
                      t_torch, None, err=xl_err)]
    name = "torch F.binary_cross_entropy_with_logits"
    if torch is not None:
        torch_none = F.binary_cross_entropy_with_logits(xt, yt, reduction="none").numpy()
        torch_err = DASH if exact is None else sci(max_rel(torch_none, exact))
        rows.append(speed_row(f"{name}  {dt}", "logits", t_torch, t_torch, None,
                              sci(max_rel(torch_none, xl_none)), torch_err))
        rows.append(speed_row(
            f"{name}, 1 thread  {dt}", "logits",
            torch_one_thread_times(lambda: F.binary_cross_entropy_with_logits(xt, yt)),
            t_torch, None))
    else:
        rows.append(speed_row(f"torch ({NOT_INSTALLED})  {dt}", "logits", None, None, None))
    return rows


def speed_table() -> None:
    rng = np.random.default_rng(SEED)
    z64 = rng.normal(0.0, LOGIT_STD, size=(N_SPARSE, K_SPARSE))
    y_sparse = rng.integers(0, K_SPARSE, size=N_SPARSE)
    x64 = rng.normal(0.0, LOGIT_STD, size=N_BINARY)
    y_binary = (rng.random(N_BINARY) < 0.5).astype(np.float64)

    rows = sparse_rows(z64, y_sparse)
    rows += sparse_rows(z64.astype(np.float32), y_sparse)
    rows += binary_rows(x64, y_binary)
    rows += binary_rows(x64.astype(np.float32), y_binary.astype(np.float32))

    table(
        f"1. Speed and agreement: sparse CE on {N_SPARSE:,} x {K_SPARSE} (logits ~ N(0, "
        f"{LOGIT_STD:g})), binary CE on {N_BINARY:,} logits; mean reduction",
        ("implementation", "input", "median ms", "min ms", "x torch", "x sklearn",
         "max rel diff vs xentlearn", "max rel err vs exact"),
        rows,
        notes=(
            "probs = max-shifted softmax of the same logits, in the same dtype; sklearn gets "
            f"labels=range({K_SPARSE}).",
            "Timing: one warm-up call each, then rounds calling every implementation of a "
            "block in turn (same machine state); median and min over the rounds.",
            "x torch / x sklearn: median time divided by the median of torch (default threads; "
            "binary: F.binary_cross_entropy_with_logits) / of sklearn, same dtype.",
            "max rel diff vs xentlearn: per sample (reduction='none') against xentlearn on the "
            "same input; sklearn only returns the mean.",
            "max rel err vs exact: per sample against the same loss in long double "
            "(log1p of the non-max terms); large values come from samples with tiny losses.",
        ),
    )


# --- 3. accuracy on hard inputs ---------------------------------------------------------------


KERAS_EPS = 1e-7  # tf.keras.backend.epsilon(): probabilities are clipped to [eps, 1 - eps]
TORCH_LOG_CLAMP = -100.0  # torch.nn.BCELoss clamps each log at -100


def naive_log_softmax(z: np.ndarray) -> np.ndarray:
    """The textbook route: the usual max-shifted softmax, then np.log."""
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        return np.log(softmax_np(z))


def naive_sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", under="ignore"):
        return 1 / (1 + np.exp(-x))


def keras_clip_loss(p_true: float) -> float:
    """-log of the true class's probability after Keras' clip to [1e-7, 1 - 1e-7]."""
    return float(-np.log(np.clip(p_true, KERAS_EPS, 1 - KERAS_EPS)))


def bce_clamp_loss(p: float, y: float) -> float:
    """torch.nn.BCELoss on one element: both logs clamped at -100."""
    if torch is not None:
        return float(F.binary_cross_entropy(torch.tensor([p], dtype=torch.float64),
                                            torch.tensor([y], dtype=torch.float64)))
    with np.errstate(divide="ignore"):
        log_p = max(float(np.log(p)), TORCH_LOG_CLAMP)
        log_1mp = max(float(np.log1p(-p)), TORCH_LOG_CLAMP)
    return -(y * log_p + (1 - y) * log_1mp)


def sklearn_loss(p_row: np.ndarray, label: int) -> float | None:
    """sklearn's log_loss for one sample (it clips probabilities to [eps, 1 - eps])."""
    if log_loss is None:
        return None
    return float(log_loss([label], p_row[None, :], labels=list(range(len(p_row)))))


def mp_sparse_from_logits(z: np.ndarray, label: int):
    """logsumexp(z) - z[label] with 50 digits, from the exact float64 inputs."""
    zs = [mpmath.mpf(float(v)) for v in z]
    m = max(zs)
    return m + mpmath.log(mpmath.fsum(mpmath.exp(v - m) for v in zs)) - zs[label]


def mp_binary_from_logit(x: float, y: float):
    """y softplus(-x) + (1 - y) softplus(x) with 50 digits."""
    xm = mpmath.mpf(x)
    return y * mpmath.log1p(mpmath.exp(-xm)) + (1 - y) * mpmath.log1p(mpmath.exp(xm))


def hard_cases() -> list[dict]:
    """Each case: a label, xentlearn's value, the mpmath reference and the other conventions."""
    big_k = 100_000
    rng = np.random.default_rng(SEED + 2)
    z_big = rng.normal(0.0, LOGIT_STD, size=big_k)
    label_big = int(np.argmin(z_big))
    cases = []

    def from_logits(name: str, z: list[float] | np.ndarray, label: int) -> dict:
        z = np.asarray(z, dtype=np.float64)
        q = float(np.exp(naive_log_softmax(z)[label]))
        torch_val = None
        if torch is not None:
            torch_val = float(F.cross_entropy(torch.from_numpy(z[None, :]),
                                              torch.tensor([label])))
        return {
            "case": name,
            "logits": True,
            "xentlearn": float(xl.sparse_categorical_cross_entropy([label], z[None, :],
                                                                   from_logits=True)),
            "exact": None if mpmath is None else mp_sparse_from_logits(z, label),
            "naive": float(-naive_log_softmax(z)[label]),
            "keras": keras_clip_loss(q),
            "bceloss": None,
            "torch": torch_val,
            "sklearn": sklearn_loss(softmax_np(z), label),
        }

    def binary_from_logit(name: str, x: float, y: float) -> dict:
        p = float(naive_sigmoid(np.float64(x)))
        torch_val = None
        if torch is not None:
            torch_val = float(F.binary_cross_entropy_with_logits(
                torch.tensor([x], dtype=torch.float64), torch.tensor([y], dtype=torch.float64)))
        with np.errstate(divide="ignore"):
            naive = float(-np.log(p)) if y == 1 else float(-np.log1p(-p))
        return {
            "case": name,
            "logits": True,
            "xentlearn": float(xl.binary_cross_entropy([y], [x], from_logits=True)),
            "exact": None if mpmath is None else mp_binary_from_logit(x, y),
            "naive": naive,
            "keras": keras_clip_loss(p if y == 1 else 1 - p),
            "bceloss": bce_clamp_loss(p, y),
            "torch": torch_val,
            "sklearn": sklearn_loss(np.array([1 - p, p]), int(y)),
        }

    tiny = 1e-300
    p_row = np.array([tiny, 1.0])  # 1 - 1e-300 rounds to 1.0
    cases.append({
        "case": "probs [1e-300, 1], y=0 (sparse)",
        "xentlearn": float(xl.sparse_categorical_cross_entropy([0], p_row[None, :])),
        "exact": None if mpmath is None else -mpmath.log(mpmath.mpf(tiny)),
        "naive": float(-np.log(tiny)),
        "keras": keras_clip_loss(tiny),
        "bceloss": None,
        "torch": None,
        "sklearn": sklearn_loss(p_row, 0),
    })
    cases.append({
        "case": "binary p=1e-300, y=1",
        "xentlearn": float(xl.binary_cross_entropy([1.0], [tiny])),
        "exact": None if mpmath is None else -mpmath.log(mpmath.mpf(tiny)),
        "naive": float(-np.log(tiny)),
        "keras": keras_clip_loss(tiny),
        "bceloss": bce_clamp_loss(tiny, 1.0),
        "torch": None,
        "sklearn": sklearn_loss(np.array([1 - tiny, tiny]), 1),
    })
    cases.append(from_logits("logits [0, 1e4], y=0", [0.0, 1e4], 0))
    cases.append(binary_from_logit("binary logit -1e4, y=1", -1e4, 1.0))
    cases.append(from_logits("logits [1e300, -1e300], y=1", [1e300, -1e300], 1))
    cases.append(from_logits("logits [40, 0], y=0", [40.0, 0.0], 0))
    cases.append(binary_from_logit("binary logit 40, y=1", 40.0, 1.0))
    cases.append(from_logits(f"K={big_k:,} N(0,{LOGIT_STD:g}), y=argmin", z_big, label_big))
    return cases


def accuracy_table() -> None:
    if mpmath is not None:
        mpmath.mp.dps = 50
    rows = []
    for c in hard_cases():
        exact = c["exact"]
        rel = None
        if exact is not None:
            rel = float(abs(mpmath.mpf(c["xentlearn"]) - exact) / abs(exact))
        rows.append((
            c["case"],
            num(c["xentlearn"]),
            NOT_INSTALLED if exact is None else mpmath.nstr(exact, 12),
            sci(rel),
            num(c["naive"]),
            num(c["keras"]),
            num(c["bceloss"]),
            NOT_INSTALLED if torch is None and c.get("logits") else num(c["torch"]),
            NOT_INSTALLED if log_loss is None else num(c["sklearn"]),
        ))
    table(
        "3. Accuracy on hard inputs (nats, float64)",
        ("case", "xentlearn", "mpmath (50 digits)", "rel err", "naive", "Keras clip",
         "BCELoss clamp", "torch logits", "sklearn"),
        rows,
        notes=(
            "naive: np.log of the max-shifted softmax (binary: of 1 / (1 + exp(-x))); "
            "rows with probabilities: -np.log(p).",
            f"Keras clip: -log(clip(p, {KERAS_EPS:g}, 1 - {KERAS_EPS:g})) of the naive "
            f"probability (at most {-np.log(KERAS_EPS):.3f} nats).",
            "BCELoss clamp: torch.nn.BCELoss on the naive probability (each log clamped at "
            f"{TORCH_LOG_CLAMP:g}); binary rows only"
            + (" (torch not installed: the formula)." if torch is None else "."),
            "torch logits: F.cross_entropy / F.binary_cross_entropy_with_logits in float64. "
            "sklearn: log_loss on the naive probabilities (clips to float64 eps).",
            "K=100,000 row: one sample, label = the class with the smallest logit "
            "(true-class probability ~1e-13, below Keras' clip).",
        ),
    )


# --- optional profile ------------------------------------------------------------------------


def profile_sparse() -> None:
    rng = np.random.default_rng(SEED)
    z = rng.normal(0.0, LOGIT_STD, size=(N_SPARSE, K_SPARSE))
    y = rng.integers(0, K_SPARSE, size=N_SPARSE)
    xl.sparse_categorical_cross_entropy(y, z, from_logits=True)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(3):
        xl.sparse_categorical_cross_entropy(y, z, from_logits=True)
    prof.disable()
    print("cProfile of 3 calls of sparse_categorical_cross_entropy(from_logits=True), "
          f"{N_SPARSE:,} x {K_SPARSE} float64 (time in NumPy ufuncs is charged to the caller)")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(20)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile xentlearn's sparse loss from logits")
    parser.add_argument("--ratios", action="store_true",
                        help="only the header and table R")
    parser.add_argument("--full", action="store_true",
                        help="also the speed-and-agreement table against PyTorch and sklearn")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    header()
    ratio_table()
    if args.ratios:
        print(f"total time {time.perf_counter() - start:.1f} s")
        return
    options_table()
    temporaries_table()
    if args.full:
        speed_table()
    accuracy_table()
    if args.profile:
        profile_sparse()
    print(f"total time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
