"""The fast loss kernels against the reference path of the public losses, sample by sample."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from helpers import mp_log_softmax, mpf, seeds
from hypothesis import given
from hypothesis import strategies as st

import xentlearn as xl
from xentlearn import _kernels

REDUCTIONS = ["mean", "sum", "none"]
RTOL = {np.float64: 1e-13, np.float32: 2e-6}


@pytest.fixture(autouse=True)
def _two_threads(monkeypatch):
    monkeypatch.setenv(_kernels.THREADS_VARIABLE, "2")


def _paths(fn, *args, block_bytes: int = 512, **kw):
    """``fn``'s result on the kernel path (small blocks: many blocks, two threads) and on
    the reference path, for the same arguments."""
    saved = _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES
    try:
        _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES = 0, block_bytes
        fast = fn(*args, **kw)
        _kernels.MIN_ELEMENTS = math.inf
        ref = fn(*args, **kw)
    finally:
        _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES = saved
    return fast, ref


def _kernel(name, *args, block_bytes: int = 512, **kw):
    """The kernel itself (not the public function), which returns None to decline."""
    saved = _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES
    try:
        _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES = 0, block_bytes
        return getattr(_kernels, name)(*args, **kw)
    finally:
        _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES = saved


def _assert_same(fast, ref, dtype):
    assert np.shape(fast) == np.shape(ref)
    assert np.asarray(fast).dtype == np.asarray(ref).dtype
    np.testing.assert_allclose(fast, ref, rtol=RTOL[dtype], atol=1e-300)


# --- random cases with every option -----------------------------------------------------------


@st.composite
def sparse_cases(draw):
    rng = np.random.default_rng(draw(seeds))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    lead = tuple(draw(st.lists(st.integers(1, 9), min_size=0, max_size=2)))
    k = draw(st.integers(2, 12))
    from_logits = draw(st.booleans())
    z = rng.normal(scale=draw(st.sampled_from([1.0, 5.0, 40.0])), size=lead + (k,))
    x = z if from_logits else np.exp(z - z.max(-1, keepdims=True))
    if not from_logits:
        x /= x.sum(-1, keepdims=True)
    labels = rng.integers(0, k, size=lead)
    kw = {"from_logits": from_logits, "reduction": draw(st.sampled_from(REDUCTIONS)),
          "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0])),
          "base": draw(st.sampled_from([None, 2]))}
    if draw(st.booleans()):
        kw["class_weight"] = rng.uniform(0.1, 3.0, size=k)
    if lead and draw(st.booleans()):
        kw["sample_weight"] = rng.uniform(0, 2, size=lead[:1])
    if lead and draw(st.booleans()):
        kw["ignore_index"] = draw(st.sampled_from([-100, 0]))
        labels = np.where(rng.uniform(size=lead) < 0.3, kw["ignore_index"], labels)
        labels.flat[0] = 1
    axis = draw(st.integers(-len(lead) - 1, len(lead)))
    x = np.moveaxis(x.astype(dtype), -1, axis)
    kw["axis"] = axis
    return labels, x, kw


@given(sparse_cases())
def test_sparse_kernel_matches_the_reference(case):
    labels, x, kw = case
    fast, ref = _paths(xl.sparse_categorical_cross_entropy, labels, x, **kw)
    _assert_same(fast, ref, x.dtype.type)
    assert _kernel("sparse", labels, x, **kw) is not None


@given(sparse_cases(), st.booleans())
def test_categorical_kernel_matches_the_reference(case, soft):
    labels, x, kw = case
    kw.pop("ignore_index", None)
    axis = kw["axis"]
    k = x.shape[axis]
    y = np.eye(k)[np.clip(labels, 0, None)]
    if soft:
        y = 0.5 * y + 0.5 * np.random.default_rng(labels.size).dirichlet(np.ones(k),
                                                                        size=y.shape[:-1])
    y = np.moveaxis(y, -1, axis)
    fast, ref = _paths(xl.categorical_cross_entropy, y, x, **kw)
    _assert_same(fast, ref, x.dtype.type)
    assert _kernel("categorical", y, x, **kw) is not None


@st.composite
def binary_cases(draw):
    rng = np.random.default_rng(draw(seeds))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    shape = tuple(draw(st.lists(st.integers(1, 30), min_size=1, max_size=3)))
    from_logits = draw(st.booleans())
    x = rng.normal(scale=draw(st.sampled_from([1.0, 8.0, 50.0])), size=shape)
    if not from_logits:
        x = 1 / (1 + np.exp(-x))
    y = rng.uniform(size=shape) if draw(st.booleans()) else rng.integers(0, 2, size=shape)
    kw = {"from_logits": from_logits, "reduction": draw(st.sampled_from(REDUCTIONS)),
          "label_smoothing": draw(st.sampled_from([0.0, 0.2])),
          "base": draw(st.sampled_from([None, 10]))}
    pw = draw(st.sampled_from(["none", "scalar", "last", "full"]))
    if pw == "scalar":
        kw["pos_weight"] = 2.5
    elif pw == "last":
        kw["pos_weight"] = rng.uniform(0, 4, size=shape[-1:])
    elif pw == "full":
        kw["pos_weight"] = rng.uniform(0, 4, size=shape)
    if draw(st.booleans()):
        kw["sample_weight"] = rng.uniform(0, 2, size=shape[:1])
    return y, x.astype(dtype), kw


@given(binary_cases())
def test_binary_kernel_matches_the_reference(case):
    y, x, kw = case
    fast, ref = _paths(xl.binary_cross_entropy, y, x, **kw)
    _assert_same(fast, ref, x.dtype.type)
    assert _kernel("binary", y, x, **kw) is not None


# --- hard inputs --------------------------------------------------------------------------


def _hard_logits():
    rows = [[1e300, -1e300, 0.0], [0.0, 1e4, -1e4], [40.0, 0.0, 0.0], [-800.0, 0.0, 700.0],
            [0.0, 0.0, 0.0], [-745.0, -745.0, -745.0], [-700.0, 700.0, 690.0],
            [-720.0, -700.0, -710.0], [0.0, -710.0, 5.0]]
    return np.array(rows * 3)


def test_hard_logits_agree_with_mpmath_on_both_paths():
    z = _hard_logits()
    labels = np.arange(z.shape[0]) % 3
    fast, ref = _paths(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True,
                       reduction="none")
    for i in range(z.shape[0]):
        exact = -mp_log_softmax(z[i])[labels[i]]
        for value in (fast[i], ref[i]):
            assert abs(mpf(value) - exact) <= 1e-15 * abs(exact) + mpf(1e-320)
    one_hot = np.eye(3)[labels]
    fast_c, _ = _paths(xl.categorical_cross_entropy, one_hot, z, from_logits=True,
                       reduction="none")
    np.testing.assert_allclose(fast_c, ref, rtol=1e-15)


def test_tiny_probabilities_are_not_clipped():
    p = np.tile([[1e-300, 1.0]], (40, 1))
    fast, ref = _paths(xl.sparse_categorical_cross_entropy, np.zeros(40, int), p,
                       reduction="none")
    np.testing.assert_allclose(fast, 300 * math.log(10), rtol=1e-15)
    np.testing.assert_array_equal(fast, ref)
    fast, ref = _paths(xl.binary_cross_entropy, np.ones(40), np.full(40, 1e-300),
                       reduction="none")
    np.testing.assert_allclose(fast, 300 * math.log(10), rtol=1e-15)


def test_zero_probability_gives_inf_and_zero_weight_silences_it():
    p = np.tile([[0.0, 1.0]], (30, 1))
    labels = np.zeros(30, int)
    fast, ref = _paths(xl.sparse_categorical_cross_entropy, labels, p, reduction="none")
    np.testing.assert_array_equal(fast, np.inf)
    np.testing.assert_array_equal(ref, np.inf)
    fast, ref = _paths(xl.sparse_categorical_cross_entropy, labels, p,
                       class_weight=[0.0, 1.0], reduction="sum")
    assert fast == ref == 0.0


def test_binary_logits_of_any_size():
    x = np.array([-1e300, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e300] * 5)
    y = np.array([1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0] * 5)
    fast, ref = _paths(xl.binary_cross_entropy, y, x, from_logits=True, reduction="none")
    np.testing.assert_allclose(fast, ref, rtol=1e-15)
    assert fast[4] == pytest.approx(math.exp(-40), rel=1e-15)  # softplus(-40), not 0


# --- validation folded into the kernels: the reference path's messages ----------------------


def _messages(fn, *args, **kw):
    msgs = []
    for min_elements in (0, math.inf):
        saved = _kernels.MIN_ELEMENTS
        _kernels.MIN_ELEMENTS = min_elements
        try:
            with pytest.raises(xl.InvalidInputError) as err:
                fn(*args, **kw)
            msgs.append(str(err.value))
        finally:
            _kernels.MIN_ELEMENTS = saved
    return msgs


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("position", [0, 1, 77])
def test_nan_and_inf_give_the_reference_message(bad, position):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(40, 3))
    z.flat[position] = bad
    labels = np.zeros(40, int)
    fast, ref = _messages(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True)
    assert fast == ref
    assert "y_pred contains 1" in fast
    fast, ref = _messages(xl.categorical_cross_entropy, np.eye(3)[labels], z, from_logits=True)
    assert fast == ref
    fast, ref = _messages(xl.binary_cross_entropy, np.ones(120), z.ravel(), from_logits=True)
    assert fast == ref


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_inf_are_refused_under_zero_weights(bad):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(40, 3))
    z[7, 1] = bad
    labels = np.zeros(40, int)
    sw = np.ones(40)
    sw[7] = 0.0
    fast, ref = _messages(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True,
                          sample_weight=sw)
    assert fast == ref
    fast, ref = _messages(xl.categorical_cross_entropy, np.eye(3)[labels], z,
                          from_logits=True, class_weight=[1.0, 0.0, 1.0])
    assert fast == ref
    sw = np.ones(120)
    sw[22] = 0.0
    fast, ref = _messages(xl.binary_cross_entropy, np.ones(120), z.ravel(), from_logits=True,
                          sample_weight=sw)
    assert fast == ref


@pytest.mark.parametrize("bad", [-1, 3, 1000])
def test_labels_out_of_range_give_the_reference_message(bad):
    z = np.zeros((50, 3))
    labels = np.zeros(50, int)
    labels[17] = bad
    fast, ref = _messages(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True)
    assert fast == ref
    assert f"found {bad}" in fast
    fast, ref = _messages(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True,
                          ignore_index=-100)
    assert fast == ref


def test_probabilities_that_do_not_sum_to_one_give_the_reference_message():
    p = np.full((40, 4), 0.25)
    p[5] = [0.5, 0.5, 0.5, 0.0]
    fast, ref = _messages(xl.sparse_categorical_cross_entropy, np.zeros(40, int), p)
    assert fast == ref
    assert "sum to 1" in fast
    fast, ref = _messages(xl.categorical_cross_entropy, p, np.full((40, 4), 0.25))
    assert fast == ref


# --- memory ---------------------------------------------------------------------------------


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", [{}, {"class_weight": np.linspace(0.5, 2, 10)},
                                {"label_smoothing": 0.1}, {"ignore_index": -100}])
def test_temporaries_stay_a_quarter_of_the_input(dtype, kw):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(400_000, 10)).astype(dtype)
    labels = rng.integers(0, 10, size=400_000)
    one_hot = np.eye(10, dtype=dtype)[labels]
    x = z.reshape(-1)
    y = (x > 0).astype(dtype)
    limit = 0.25 * z.nbytes
    assert _peak(lambda: xl.sparse_categorical_cross_entropy(labels, z, from_logits=True,
                                                             **kw)) <= limit
    kw.pop("ignore_index", None)
    assert _peak(lambda: xl.categorical_cross_entropy(one_hot, z, from_logits=True,
                                                      **kw)) <= limit
    assert _peak(lambda: xl.binary_cross_entropy(y, x, from_logits=True)) <= 0.25 * x.nbytes


def test_100000_classes_never_build_a_one_hot_array():
    rng = np.random.default_rng(2)
    # Each thread's buffers hold a block of at least one row (800 kB here), so the input has
    # enough rows that a quarter of it is well above two threads' buffers.
    z = rng.normal(size=(48, 100_000))
    labels = np.array([3, 99_999, 0, 12345] * 12)
    peak = _peak(lambda: xl.sparse_categorical_cross_entropy(labels, z, from_logits=True,
                                                             label_smoothing=0.1))
    assert peak <= 0.25 * z.nbytes
    fast, ref = _paths(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True,
                       reduction="none", block_bytes=1 << 17)
    np.testing.assert_allclose(fast, ref, rtol=1e-13)


# --- threads ---------------------------------------------------------------------------------


def test_one_thread_on_request_gives_the_same_numbers(monkeypatch):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(2000, 10))
    labels = rng.integers(0, 10, size=2000)
    two = _paths(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True,
                 reduction="none")[0]
    monkeypatch.setenv(_kernels.THREADS_VARIABLE, "1")
    assert _kernels.num_threads() == 1
    one = _paths(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True,
                 reduction="none")[0]
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("threads", ["1", "3", "4"])
def test_sums_do_not_depend_on_how_the_blocks_were_shared(monkeypatch, threads):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=3.0, size=(3000, 7))
    labels = rng.integers(0, 7, size=3000)
    cw = rng.random(7) + 0.1
    kw = {"from_logits": True, "class_weight": cw}
    calls = [(xl.sparse_categorical_cross_entropy, labels), (xl.categorical_cross_entropy,
                                                             np.eye(7)[labels])]
    two = [_paths(fn, y, z, reduction=r, **kw)[0] for fn, y in calls for r in ("mean", "sum")]
    monkeypatch.setenv(_kernels.THREADS_VARIABLE, threads)
    other = [_paths(fn, y, z, reduction=r, **kw)[0] for fn, y in calls for r in ("mean", "sum")]
    assert other == two  # exactly: per-block sums are added with math.fsum
    z[-1, 3] = np.nan  # found by whichever thread takes the last block; all stop
    monkeypatch.setattr(_kernels, "BLOCK_BYTES", 512)
    fast, ref = _messages(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True)
    assert fast == ref


@pytest.mark.parametrize("bad", ["0", "-2", "two"])
def test_bad_thread_count(monkeypatch, bad):
    monkeypatch.setenv(_kernels.THREADS_VARIABLE, bad)
    with pytest.raises(xl.InvalidInputError, match=_kernels.THREADS_VARIABLE):
        xl.sparse_categorical_cross_entropy([0] * 40_000, np.zeros((40_000, 2)))


def test_default_thread_count(monkeypatch):
    monkeypatch.delenv(_kernels.THREADS_VARIABLE)
    assert 1 <= _kernels.num_threads() <= 2


def test_losses_are_thread_safe():
    rng = np.random.default_rng(4)
    cases = []
    for i in range(6):
        z = rng.normal(scale=3.0, size=(40_000 + 100 * i, 10))
        labels = rng.integers(0, 10, size=z.shape[0])
        cases.append((labels, z))
    expected = [xl.sparse_categorical_cross_entropy(lab, z, from_logits=True, reduction="none")
                for lab, z in cases]
    results: dict[int, np.ndarray] = {}

    def call(i):
        lab, z = cases[i % len(cases)]
        for _ in range(3):
            results[i] = xl.sparse_categorical_cross_entropy(lab, z, from_logits=True,
                                                             reduction="none")

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, out in results.items():
        np.testing.assert_array_equal(out, expected[i % len(cases)])
    assert len(results) == 12



@pytest.mark.parametrize("counts", [("8", "2", "3"), ("3", "1", "5")])
def test_a_call_uses_at_most_the_threads_asked_for_and_the_pool_only_grows(monkeypatch,
                                                                           counts):
    blocks = [(i, i + 1, ()) for i in range(24)]
    sizes = []
    for count in counts:
        monkeypatch.setenv(_kernels.THREADS_VARIABLE, count)
        seen = set()

        def work(run, seen=seen):
            done = []
            for g0, _, _ in run:
                seen.add(threading.get_ident())
                threading.Event().wait(0.002)  # long enough for every worker to join in
                done.append(g0)
            return done, []

        done, _ = _kernels._run(blocks, work)
        assert sorted(done) == list(range(24))  # every block once
        assert 1 <= len(seen) <= int(count)
        sizes.append(_kernels._pool.size)
        assert _kernels._pool.size >= int(count) - 1
    assert sizes == sorted(sizes)  # never shrunk (nor replaced) when fewer were asked for

# A fresh process (the pool is made and grown as the calls ask) in which eight threads
# call the losses on inputs of 2 to 9 blocks while another thread keeps changing the
# thread count; every result is compared bit for bit with the single-thread one.
_STRESS = r'''
import json, os, sys, threading, time
import numpy as np
import xentlearn as xl
from xentlearn import _kernels

VAR, SETTINGS, CALLERS = _kernels.THREADS_VARIABLE, ("1", "2", "3", "8"), 8
seed, rounds = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(seed)
k = 10
rows = _kernels.BLOCK_BYTES // (k * 8)  # rows of one float64 block
assert 2 * rows * k >= _kernels.MIN_ELEMENTS  # two blocks take the kernel path
cases = []
for blocks in range(2, 10):
    n = blocks * rows - int(rng.integers(0, rows // 2))  # the last block partly filled
    z = rng.normal(scale=3.0, size=(n, k))
    lab = rng.integers(0, k, n)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    cw = rng.uniform(0.5, 2.0, k)
    cases += [
        (xl.sparse_categorical_cross_entropy, (lab, z), {"from_logits": True}),
        (xl.sparse_categorical_cross_entropy, (np.where(lab == 0, -100, lab), p),
         {"class_weight": cw, "ignore_index": -100, "label_smoothing": 0.1}),
        (xl.categorical_cross_entropy, (np.eye(k)[lab], z),
         {"from_logits": True, "class_weight": cw}),
        (xl.binary_cross_entropy, ((z > 0).astype(float), z), {"from_logits": True}),
    ]
calls = [(fn, args, dict(kw, reduction=red)) for fn, args, kw in cases
         for red in ("none", "mean", "sum")]
os.environ[VAR] = "1"
expected = [fn(*args, **kw) for fn, args, kw in calls]

failures, seen = [], dict.fromkeys(SETTINGS, 0)
lock, done = threading.Lock(), threading.Event()
start = threading.Barrier(CALLERS + 1)


def caller(t):
    r = np.random.default_rng([seed, t])
    start.wait()
    for _ in range(rounds):
        j = int(r.integers(len(calls)))
        fn, args, kw = calls[j]
        want, setting = expected[j], os.environ[VAR]
        try:
            got = fn(*args, **kw)
            why = None
            if not (got.dtype == want.dtype and got.shape == want.shape
                    and np.array_equal(got, want)):
                why = f"{fn.__name__} (call {j}, {kw['reduction']}): {got!r}, not {want!r}"
        except Exception as exc:
            why = f"{fn.__name__} (call {j}, {kw['reduction']}): {exc!r}"
        with lock:
            seen[setting] += 1
            if why is not None:
                failures.append(why[:300])


def switcher():
    start.wait()
    while not done.is_set():
        for s in SETTINGS:
            os.environ[VAR] = s
            time.sleep(0.001)


threads = [threading.Thread(target=caller, args=(t,)) for t in range(CALLERS)]
changes = threading.Thread(target=switcher)
for th in threads + [changes]:
    th.start()
for th in threads:
    th.join()
done.set()
changes.join()
print(json.dumps({"calls": CALLERS * rounds, "failures": failures, "seen": seen}))
'''


def _child_python(code: str, *args: str) -> subprocess.Popen:
    """A fresh Python running ``code`` with ``args``, importing the xentlearn under test
    (it starts in the folder that holds it, which comes first on its path)."""
    root = Path(xl.__file__).resolve().parent.parent
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=root, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _output(proc: subprocess.Popen, timeout: float) -> str:
    """What the child printed; the test fails if it errs or is still running at ``timeout``."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"the child process was still running after {timeout} s "
                             "(a deadlock?)") from None
    assert proc.returncode == 0, err
    return out


def test_threads_and_thread_counts_changed_at_any_time_give_the_single_thread_results():
    """8 processes (2 at a time) x 8 calling threads x 50 calls each, of the sparse,
    categorical and binary kernels on 2 to 9 blocks, while the thread count cycles
    through 1, 2, 3 and 8: no error, and every result bit-identical to one thread's."""
    n_proc, rounds, at_once = 8, 50, 2
    reports = []
    for first in range(0, n_proc, at_once):
        procs = [_child_python(_STRESS, str(seed), str(rounds))
                 for seed in range(first, min(first + at_once, n_proc))]
        reports += [json.loads(_output(proc, timeout=120)) for proc in procs]
    failures = [f for r in reports for f in r["failures"]]
    assert not failures, f"{len(failures)} failed call(s), such as {failures[:3]}"
    assert sum(r["calls"] for r in reports) == n_proc * 8 * rounds
    for setting in ("1", "2", "3", "8"):  # every count was in force during some calls
        assert sum(r["seen"][setting] for r in reports) > 0, setting


_NESTED = r'''
import os
import numpy as np
import xentlearn as xl
from xentlearn import _kernels

os.environ[_kernels.THREADS_VARIABLE] = "3"
rng = np.random.default_rng(0)
z = rng.normal(size=(4 * (_kernels.BLOCK_BYTES // 80), 10))
lab = rng.integers(0, 10, z.shape[0])
want = xl.sparse_categorical_cross_entropy(lab, z, from_logits=True, reduction="sum")


def work(run):
    """Each block's thread calls a loss of four blocks itself."""
    got = [xl.sparse_categorical_cross_entropy(lab, z, from_logits=True, reduction="sum")
           for _ in run]
    return got, []


got, _ = _kernels._run([(i, i + 1, ()) for i in range(12)], work)
assert len(got) == 12 and all(g == want for g in got), (got, want)
print("ok")
'''


def test_a_loss_called_inside_a_pool_thread_does_not_deadlock():
    """Calls made from the pool's own threads, while the pool is busy with the call that
    runs them, finish (in a child process, which a deadlock would leave hanging)."""
    assert _output(_child_python(_NESTED), timeout=60).strip() == "ok"


# --- floating-point error state -----------------------------------------------------------------


def test_kernels_ignore_the_callers_error_state():
    z = _hard_logits()
    labels = np.arange(z.shape[0]) % 3
    expected = _paths(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True)[0]
    with np.errstate(all="raise"):
        got = _paths(xl.sparse_categorical_cross_entropy, labels, z, from_logits=True)
    np.testing.assert_array_equal(got, [expected, expected])
    old = np.seterr(all="raise")
    try:
        got = _paths(xl.binary_cross_entropy, np.ones(30), np.full(30, -1000.0),
                     from_logits=True)
        probs = _paths(xl.sparse_categorical_cross_entropy, np.zeros(30, int),
                       np.tile([[1e-310, 1.0]], (30, 1)))
    finally:
        np.seterr(**old)
    np.testing.assert_array_equal(got, [1000.0, 1000.0])
    assert probs[0] == probs[1] > 700



def test_a_forked_child_gets_a_pool_of_its_own():
    import multiprocessing

    rng = np.random.default_rng(7)
    z = rng.normal(size=(40_000, 10))
    labels = rng.integers(0, 10, size=40_000)
    expected = xl.sparse_categorical_cross_entropy(labels, z, from_logits=True)  # pool exists
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(xl.sparse_categorical_cross_entropy, (labels, z),
                               {"from_logits": True}).get(timeout=60)
    assert got == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fn", ["sparse", "categorical"])
def test_smoothing_from_probabilities_as_one_log_per_row_matches_the_sum_of_logs(fn, dtype):
    """Label smoothing from probabilities takes -log of each row's product; rows whose product
    is subnormal or 0 (tiny or zero entries) take the sum of logs, and 0 costs inf."""
    rng = np.random.default_rng(5)
    k = 12
    p = rng.dirichlet(np.full(k, 0.3), size=400)
    p[::7, 1] = 0.0  # a zero entry: the smoothing term is inf
    p[3::7, 2] = 1e-200 if dtype == np.float64 else 1e-30  # a product below the normal range
    p[5::7] = np.finfo(dtype).tiny ** (1 / k) * 0.9  # every entry small: the product underflows
    p[5::7, 0] = 0.0
    p[5::7, 0] = 1 - p[5::7].sum(axis=1)
    p /= p.sum(axis=1, keepdims=True)
    p = p.astype(dtype)
    labels = rng.integers(0, k, len(p))
    if fn == "sparse":
        args, f = (labels, p), xl.sparse_categorical_cross_entropy
    else:
        args, f = (np.eye(k, dtype=dtype)[labels], p), xl.categorical_cross_entropy
    fast, ref = _paths(f, *args, label_smoothing=0.1, reduction="none")
    assert np.isinf(ref).sum() >= len(p) // 7
    np.testing.assert_array_equal(np.isinf(fast), np.isinf(ref))
    finite = np.isfinite(ref)
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(fast[finite], ref[finite], rtol=rtol)


def test_categorical_targets_with_one_nonzero_per_row_on_average_are_not_taken_for_one_hot():
    """As many nonzero targets as rows, but one row empty and another with two: the kernel
    must not read them as one-hot rows; both paths refuse them with the same message."""
    rng = np.random.default_rng(6)
    p = rng.dirichlet(np.ones(3), size=64)
    t = np.eye(3)[rng.integers(0, 3, 64)]
    t[10] = [0.5, 0.5, 0.0]
    t[20] = 0.0
    messages = []
    for force_kernel in (True, False):
        saved = _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES
        try:
            _kernels.MIN_ELEMENTS = 0 if force_kernel else math.inf
            _kernels.BLOCK_BYTES = 512
            with pytest.raises(xl.InvalidInputError) as err:
                xl.categorical_cross_entropy(t, p)
        finally:
            _kernels.MIN_ELEMENTS, _kernels.BLOCK_BYTES = saved
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "y_true must sum to 1" in messages[0]
