"""Calibration: reliability curves, expected calibration error and temperature scaling."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import fp_errors_raise
from scipy.optimize import minimize_scalar

import xentlearn as xl
from xentlearn import calibration as cal
from xentlearn import datasets
from xentlearn.models import MLPClassifier


def _scipy_temperature(z, y):
    """The minimiser of the NLL over log T, by SciPy's bounded Brent search."""
    res = minimize_scalar(lambda lt: cal.temperature_nll(z, y, float(np.exp(lt))),
                          bounds=(-6, 6), method="bounded", options={"xatol": 1e-10})
    return float(np.exp(res.x))


@pytest.fixture(scope="module")
def noisy_logits():
    """Logits of 4,000 samples whose labels are drawn from softmax(z / 2.5)."""
    rng = np.random.default_rng(0)
    z = rng.normal(scale=4.0, size=(4000, 5))
    q = xl.softmax(z, temperature=2.5)
    y = (rng.uniform(size=(4000, 1)) > q.cumsum(axis=1)).sum(axis=1)
    return z, y


# --- temperature ---------------------------------------------------------------------------


def test_fit_temperature_matches_scipy(noisy_logits):
    z, y = noisy_logits
    t = cal.fit_temperature(z, y)
    assert t == pytest.approx(_scipy_temperature(z, y), rel=1e-7)
    assert t == pytest.approx(2.5, rel=0.05)  # the temperature the labels came from


def test_fit_temperature_binary_logits():
    rng = np.random.default_rng(1)
    x = rng.normal(scale=5.0, size=3000)
    y = (rng.uniform(size=3000) < xl.sigmoid(x / 0.5)).astype(int)  # under-confident logits
    t = cal.fit_temperature(x, y)
    assert t == pytest.approx(_scipy_temperature(x, y), rel=1e-7)
    assert t == pytest.approx(0.5, rel=0.1)
    # the binary logit x is the 2-class logits (0, x)
    assert cal.fit_temperature(np.stack([np.zeros_like(x), x], axis=1), y) == \
        pytest.approx(t, rel=1e-9)


def test_fit_temperature_minimises_and_scales_with_the_logits(noisy_logits):
    z, y = noisy_logits
    t = cal.fit_temperature(z, y)
    best = cal.temperature_nll(z, y, t)
    assert best < cal.temperature_nll(z, y, t * 1.01)
    assert best < cal.temperature_nll(z, y, t / 1.01)
    assert cal.fit_temperature(3 * z, y) == pytest.approx(3 * t, rel=1e-8)


def test_temperature_nll_is_the_core_loss(noisy_logits):
    z, y = noisy_logits
    assert cal.temperature_nll(z, y, 2.0) == pytest.approx(
        float(xl.sparse_categorical_cross_entropy(y, z / 2.0, from_logits=True)))


def test_uninformative_logits_give_infinite_temperature():
    z = np.array([[2.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
    y = np.array([1, 1, 0])  # always wrong: ignoring the logits is best
    assert cal.fit_temperature(z, y) == np.inf


def test_all_correct_has_no_best_temperature():
    with pytest.raises(xl.InvalidInputError, match="classified correctly"):
        cal.fit_temperature([[2.0, 0.0], [0.0, 1.0]], [0, 1])


def test_fit_temperature_checks_its_input():
    with pytest.raises(xl.InvalidInputError, match="labels must be in"):
        cal.fit_temperature([[1.0, 0.0]], [2])
    with pytest.raises(xl.InvalidInputError, match="shape"):
        cal.fit_temperature(np.zeros((2, 2, 2)), [0, 1])
    with pytest.raises(xl.InvalidInputError, match="temperature"):
        cal.temperature_nll([[1.0, 0.0]], [0], 0.0)


# --- reliability and ECE ---------------------------------------------------------------------


def test_ece_by_hand():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.3, 0.7], [0.45, 0.55]])
    labels = np.array([0, 1, 1, 1])
    # bins of width 0.1: confidences 0.9, 0.9 (bin 8, acc 0.5), 0.7 (bin 6, acc 1),
    # 0.55 (bin 5, acc 1)
    expected = (2 * 0.4 + 0.3 + 0.45) / 4
    assert cal.expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(expected)
    curve = cal.reliability_curve(probs, labels, n_bins=10)
    assert curve.counts.tolist() == [0, 0, 0, 0, 0, 1, 1, 0, 2, 0]
    assert curve.accuracy[8] == 0.5 and curve.confidence[8] == pytest.approx(0.9)
    assert np.isnan(curve.accuracy[0]) and np.isnan(curve.confidence[0])
    np.testing.assert_allclose(curve.edges, np.linspace(0, 1, 11))


def test_bins_are_closed_on_the_right():
    probs = np.array([[0.5, 0.5], [0.6, 0.4], [1.0, 0.0]])
    curve = cal.reliability_curve(probs, [0, 0, 0], n_bins=5)
    # 0.5 and 0.6 lie in (0.4, 0.6]; 1.0 in (0.8, 1.0]
    assert curve.counts.tolist() == [0, 0, 2, 0, 1]


def test_binary_probabilities_are_two_classes():
    rng = np.random.default_rng(2)
    p = rng.uniform(size=200)
    y = (rng.uniform(size=200) < p).astype(int)
    two = np.stack([1 - p, p], axis=1)
    assert cal.expected_calibration_error(p, y) == pytest.approx(
        cal.expected_calibration_error(two, y))


def test_ece_is_small_when_calibrated_and_large_when_over_confident(noisy_logits):
    z, y = noisy_logits
    calibrated = cal.expected_calibration_error(xl.softmax(z, temperature=2.5), y)
    confident = cal.expected_calibration_error(xl.softmax(z), y)
    assert calibrated < 0.02 < 0.1 < confident


def test_ece_checks_its_input():
    with pytest.raises(xl.InvalidInputError, match="sum to 1"):
        cal.expected_calibration_error([[0.5, 0.6]], [0])
    with pytest.raises(xl.InvalidInputError, match="n_bins"):
        cal.expected_calibration_error([[0.5, 0.5]], [0], n_bins=0)
    with pytest.raises(xl.InvalidInputError, match="labels"):
        cal.expected_calibration_error([[0.5, 0.5]], [0, 1])
    with pytest.raises(xl.InvalidInputError, match=r"\[0, 1\]"):
        cal.expected_calibration_error([1.5], [1])


# --- the target: temperature scaling an over-confident network -----------------------------


def test_temperature_scaling_halves_the_ece_of_an_over_confident_mlp():
    """An MLP trained long without L2 is over-confident; T fitted on validation data at
    least halves its test ECE. A half-sized training part makes the network over-confident
    enough, and a large test part (898 digits) keeps the ECE estimate's noise (about 0.01
    for a calibrated model) well below the effect."""
    s = datasets.load_digits_split(val_size=0.25, test_size=0.5)
    model = MLPClassifier(activation="tanh", learning_rate=0.01, epochs=300)
    model.fit(s.X_train, s.y_train)
    t = cal.fit_temperature(model.decision_function(s.X_val), s.y_val)
    z = model.decision_function(s.X_test)
    before = cal.expected_calibration_error(xl.softmax(z), s.y_test)
    after = cal.expected_calibration_error(xl.softmax(z, temperature=t), s.y_test)
    assert t > 1.5
    assert after <= 0.5 * before
    assert cal.temperature_nll(z, s.y_test, t) < cal.temperature_nll(z, s.y_test, 1.0)


def test_ece_noise_floor_is_what_calibrated_labels_measure():
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.ones(4), 300)
    floor = cal.ece_noise_floor(probs, draws=50, seed=1)
    assert floor.shape == (50,) and (floor > 0).all()
    np.testing.assert_array_equal(floor, cal.ece_noise_floor(probs, draws=50, seed=1))
    # an over-confident model (labels uniformly random) measures far above the floor
    labels = rng.integers(0, 4, 300)
    sharp = xl.softmax(np.log(probs) * 3)
    assert cal.expected_calibration_error(sharp, labels) > np.percentile(floor, 99)
    with pytest.raises(xl.InvalidInputError, match="draws"):
        cal.ece_noise_floor(probs, draws=0)


# --- floating-point errors raised by the caller ---------------------------------------------------




TINY = 1e-310  # subnormal
EXTREME_LOGITS = np.array([[800.0, 0.0, -800.0], [0.0, 900.0, -5.0], [3.0, 1.0, -1e3],
                           [-1e3, 2.0, 4.0]])
EXTREME_LABELS = [0, 0, 1, 2]
CALLS = [
    (cal.fit_temperature, (EXTREME_LOGITS, EXTREME_LABELS)),
    (cal.fit_temperature, (np.array([800.0, -800.0, 3.0, -2.0, 4.0, 5.0]), [1, 0, 0, 0, 1, 1])),
    (cal.temperature_nll, (EXTREME_LOGITS, EXTREME_LABELS, 0.01)),
    (cal.temperature_nll, (np.array([800.0, -800.0]), [1, 0], 1e-3)),
    (cal.expected_calibration_error, ([[1 - TINY, TINY], [TINY, 1 - TINY]], [0, 0])),
    (cal.reliability_curve, ([[1 - TINY, TINY], [0.3, 0.7]], [0, 1])),
    (cal.reliability_curve, ([TINY, 1 - TINY, 0.5], [0, 1, 1])),
    (lambda p: cal.ece_noise_floor(p, draws=5), ([[1 - TINY, TINY], [0.5, 0.5]],)),
]


@pytest.mark.parametrize("how", ["errstate", "seterr"])
@pytest.mark.parametrize(("fn", "args"), CALLS)
def test_benign_underflow_does_not_raise_for_the_caller(how, fn, args):
    expected = fn(*args)
    with fp_errors_raise(how):
        with pytest.raises(FloatingPointError):  # the caller's setting is in force
            np.exp(np.float64(-1000.0))
        out = fn(*args)
    if isinstance(out, tuple):
        for a, b in zip(out, expected, strict=True):
            np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_array_equal(out, expected)
        assert np.all(np.isfinite(out))


# --- the precision the caller's probabilities arrived in ------------------------------------------


def test_float16_and_float32_probabilities_are_judged_by_their_own_precision():
    rng = np.random.default_rng(5)
    probs32 = xl.softmax(rng.normal(size=(50, 1000)).astype(np.float32))
    sums = probs32.astype(np.float64).sum(axis=1)
    assert np.abs(sums - 1).max() > 1.5e-8  # float32 rounding, beyond float64's tolerance
    labels = rng.integers(0, 1000, 50)
    ece = cal.expected_calibration_error(probs32, labels)
    assert ece == pytest.approx(cal.expected_calibration_error(
        probs32 / sums[:, None].astype(np.float32), labels), abs=1e-6)
    assert cal.ece_noise_floor(probs32, draws=3).shape == (3,)
    p16 = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]], dtype=np.float16)
    curve = cal.reliability_curve(p16, [2, 1], n_bins=10)
    full = curve.counts > 0
    assert curve.counts[full].tolist() == [1, 1]
    np.testing.assert_array_equal(curve.confidence[full], np.array([0.6, 0.7], np.float16))
    np.testing.assert_array_equal(curve.accuracy[full], [0.0, 1.0])
    with pytest.raises(xl.InvalidInputError, match=r"^probs must sum to 1.*tolerance 3\.1e-02"):
        cal.reliability_curve(np.array([[0.5, 0.6]], dtype=np.float16), [0])


# --- argument checks --------------------------------------------------------------------------


@pytest.mark.parametrize(("call", "pattern"), [
    (lambda: cal.reliability_curve([[0.5, 0.5]], [0], n_bins=1.5), r"^n_bins must be an integer"),
    (lambda: cal.reliability_curve([[0.5, 0.5]], [0], n_bins=True), r"^n_bins must be an integer"),
    (lambda: cal.ece_noise_floor([[0.5, 0.5]], n_bins=0), r"^n_bins must be an integer >= 1"),
    (lambda: cal.ece_noise_floor([[0.5, 0.5]], draws=2.0), r"^draws must be an integer >= 1"),
    (lambda: cal.ece_noise_floor([[0.5, 0.5]], seed="x"), r"^seed must be an integer >= 0"),
    (lambda: cal.ece_noise_floor([0.5, 0.5]), r"^probs must have shape \(N, K\); got"),
    (lambda: cal.reliability_curve([[[0.5, 0.5]]], [0]),
     r"^probs must have shape \(N, K\), or \(N,\) for the positive class"),
    (lambda: cal.fit_temperature([[[1.0]]], [0]), r"^logits must have shape \(N, K\)"),
    (lambda: cal.fit_temperature([1.0, -1.0], [1, 1], tol=0.0), r"^tol must be in \(0, inf\)"),
    (lambda: cal.fit_temperature([1.0, -1.0], [1, 1], max_iter=0),
     r"^max_iter must be an integer >= 1"),
    (lambda: cal.temperature_nll([1.0, -1.0], [1, 2], 1.0), r"^labels must be in \[0, 2\)"),
])
def test_argument_checks_name_the_argument(call, pattern):
    with pytest.raises(xl.InvalidInputError, match=pattern):
        call()


@pytest.mark.parametrize("power", [-1000, -300, 0, 300, 1000])
def test_fit_temperature_scales_with_the_logits_however_large(noisy_logits, power):
    # T*(c z) = c T*(z); a power of two scales exactly, so the fit does too
    z, y = noisy_logits
    t = cal.fit_temperature(z, y)
    with np.errstate(all="raise"):
        scaled = cal.fit_temperature(z * 2.0**power, y)
    assert scaled == t * 2.0**power
    binary = (z[:, 0] - z[:, 1], (y == 0).astype(int))
    assert cal.fit_temperature(binary[0] * 2.0**power, binary[1]) == (
        cal.fit_temperature(*binary) * 2.0**power)


def test_temperature_nll_of_logits_beyond_float_range():
    with pytest.raises(xl.InvalidInputError, match=r"^logits / temperature contains 1 inf"):
        cal.temperature_nll([1e300, -1.0], [1, 0], 1e-10)


def test_fit_temperature_refuses_probabilities_and_one_hot_labels(noisy_logits):
    """The two likeliest slips of chapter 08: probabilities where logits are meant (which
    would fit a wrong T without complaint), and one-hot labels."""
    z, labels = noisy_logits
    with pytest.raises(xl.InvalidInputError, match=r"logits look like probabilities .*"
                                                   r"model.decision_function"):
        xl.fit_temperature(xl.softmax(z), labels)
    with pytest.raises(xl.InvalidInputError, match=r"For one-hot labels pass "
                                                   r"labels.argmax\(axis=1\)"):
        xl.fit_temperature(z, np.eye(z.shape[1])[labels])
    # logits that are all in [0, 1] but do not sum to 1 per row are still logits
    scaled = (z - z.min()) / (z.max() - z.min())
    assert np.isfinite(xl.fit_temperature(scaled, labels))


def test_ece_with_swapped_arguments_says_so(noisy_logits):
    z, labels = noisy_logits
    probs = xl.softmax(z)
    binary = (labels == 0).astype(int)
    with pytest.raises(xl.InvalidInputError, match=r"in the order \(probs, labels\): were they "
                                                   r"swapped\?"):
        xl.expected_calibration_error(binary, np.stack([1 - probs[:, 0], probs[:, 0]], 1))


# --- the best single probability for a group ---------------------------------------------------


def _group(ones: int, n: int) -> np.ndarray:
    return np.array([1] * ones + [0] * (n - ones))


def _scipy_best(labels, gamma):
    """The minimiser over p of the group's mean focal loss, by SciPy's bounded Brent search."""
    def mean_loss(p):
        return float(xl.binary_focal_cross_entropy(labels, np.full(len(labels), p), gamma=gamma))
    return minimize_scalar(mean_loss, bounds=(1e-9, 1 - 1e-9), method="bounded",
                           options={"xatol": 1e-12}).x


@pytest.mark.parametrize(("ones", "n"), [(7, 10), (1, 20), (1, 3), (999, 1000), (1, 10**6)])
def test_cross_entropy_rewards_the_share_itself(ones, n):
    labels = _group(ones, n)
    assert cal.best_constant_probability(labels) == pytest.approx(ones / n, rel=1e-12)
    assert cal.best_constant_probability(labels, loss="focal", gamma=0) == pytest.approx(
        ones / n, rel=1e-12)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize(("ones", "n"), [(7, 10), (1, 20), (4, 20), (18, 20), (1, 2)])
def test_focal_best_probability_is_the_minimum_and_pulled_towards_one_half(gamma, ones, n):
    labels, r = _group(ones, n), ones / n
    best = cal.best_constant_probability(labels, loss="focal", gamma=gamma)
    assert best == pytest.approx(_scipy_best(labels, gamma), abs=1e-7)
    assert min(r, 0.5) <= best <= max(r, 0.5)
    assert (best - 0.5) * (r - 0.5) > 0 or best == pytest.approx(0.5, abs=1e-15)
    if r != 0.5:
        assert abs(best - r) > 1e-3  # not proper: the best is not the share


def test_best_constant_probability_of_the_chapter_08_group():
    group = _group(7, 10)
    assert round(cal.best_constant_probability(group), 4) == 0.7
    assert round(cal.best_constant_probability(group, loss="focal"), 4) == 0.5785
    # the grid search the chapter once used lands within its step of the same answers
    grid = np.linspace(0.0005, 0.9995, 1999)
    focal = [float(xl.binary_focal_cross_entropy(group, np.full(10, p))) for p in grid]
    assert abs(grid[int(np.argmin(focal))] - cal.best_constant_probability(group, loss="focal")
               ) <= 0.0005


def test_best_constant_probability_of_a_group_of_one_label():
    assert cal.best_constant_probability([0, 0, 0]) == 0.0
    assert cal.best_constant_probability([1], loss="focal") == 1.0
    assert cal.best_constant_probability(np.array([1.0, 0.0])) == 0.5


@pytest.mark.parametrize(("call", "pattern"), [
    (lambda: cal.best_constant_probability([0, 2]), r"^labels must be 0 or 1"),
    (lambda: cal.best_constant_probability([]), r"^labels is empty"),
    (lambda: cal.best_constant_probability([0.5, 1]), r"^labels must hold integer"),
    (lambda: cal.best_constant_probability([0, 1], loss="squared_error"),
     r"^loss must be 'cross_entropy' or 'focal'"),
    (lambda: cal.best_constant_probability([0, 1], loss="focal", gamma=-1),
     r"^gamma must be in \[0, inf\)"),
])
def test_best_constant_probability_checks_its_arguments(call, pattern):
    with pytest.raises(xl.InvalidInputError, match=pattern):
        call()
