"""Every bad input raises InvalidInputError with a message that names the argument."""

from __future__ import annotations

import datetime
import math
import re

import numpy as np
import pytest
from helpers import fp_errors_raise, seeds
from hypothesis import assume, given
from hypothesis import strategies as st

import xentlearn as xl
from xentlearn import InvalidInputError
from xentlearn import _validation as v

P = [0.2, 0.3, 0.5]
Q = [0.25, 0.25, 0.5]
PROBS = [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]
ONE_HOT = [[1, 0, 0], [0, 0, 1]]
LABELS = [0, 2]
LOGITS = [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]
BIN_Y = [1, 0, 1]
BIN_P = [0.9, 0.2, 0.6]


def test_invalid_input_error_is_a_value_error():
    assert issubclass(InvalidInputError, ValueError)
    with pytest.raises(ValueError):
        xl.entropy([0.5, 0.6])


# --- every public function, called in a valid way ----------------------------------------------
# name -> (function, positional arguments, the name each positional argument has in messages)

CALLS = {
    "entropy": (xl.entropy, (P,), ("p",)),
    "cross_entropy": (xl.cross_entropy, (P, Q), ("p", "q")),
    "kl_divergence": (xl.kl_divergence, (P, Q), ("p", "q")),
    "softmax": (xl.softmax, (LOGITS,), ("z",)),
    "log_softmax": (xl.log_softmax, (LOGITS,), ("z",)),
    "logsumexp": (xl.logsumexp, (LOGITS,), ("z",)),
    "sigmoid": (xl.sigmoid, (BIN_P,), ("z",)),
    "log_sigmoid": (xl.log_sigmoid, (BIN_P,), ("z",)),
    "softplus": (xl.softplus, (BIN_P,), ("z",)),
    "binary_cross_entropy": (xl.binary_cross_entropy, (BIN_Y, BIN_P), ("y_true", "y_pred")),
    "binary_focal_cross_entropy": (xl.binary_focal_cross_entropy, (BIN_Y, BIN_P),
                                   ("y_true", "y_pred")),
    "categorical_cross_entropy": (xl.categorical_cross_entropy, (ONE_HOT, PROBS),
                                  ("y_true", "y_pred")),
    "categorical_focal_cross_entropy": (xl.categorical_focal_cross_entropy, (ONE_HOT, PROBS),
                                        ("y_true", "y_pred")),
    "sparse_categorical_cross_entropy": (xl.sparse_categorical_cross_entropy, (LABELS, PROBS),
                                         ("labels", "y_pred")),
    "binary_cross_entropy_grad": (xl.binary_cross_entropy_grad, (BIN_Y, BIN_P),
                                  ("y_true", "logits")),
    "categorical_cross_entropy_grad": (xl.categorical_cross_entropy_grad, (ONE_HOT, LOGITS),
                                       ("y_true", "logits")),
    "sparse_categorical_cross_entropy_grad": (xl.sparse_categorical_cross_entropy_grad,
                                              (LABELS, LOGITS), ("labels", "logits")),
}

GRADS = ["binary_cross_entropy_grad", "categorical_cross_entropy_grad",
         "sparse_categorical_cross_entropy_grad"]
LOSSES = ["binary_cross_entropy", "binary_focal_cross_entropy", "categorical_cross_entropy",
          "categorical_focal_cross_entropy", "sparse_categorical_cross_entropy"]
WITH_BASE = ["entropy", "cross_entropy", "kl_divergence", *LOSSES, *GRADS]
WITH_REDUCTION = LOSSES + GRADS
WITH_SMOOTHING = ["binary_cross_entropy", "categorical_cross_entropy",
                  "sparse_categorical_cross_entropy", *GRADS]
WITH_SAMPLE_WEIGHT = ["binary_cross_entropy", "categorical_cross_entropy",
                      "sparse_categorical_cross_entropy", *GRADS]
WITH_CLASS_WEIGHT = ["categorical_cross_entropy", "sparse_categorical_cross_entropy",
                     "categorical_cross_entropy_grad", "sparse_categorical_cross_entropy_grad"]
WITH_POS_WEIGHT = ["binary_cross_entropy", "binary_cross_entropy_grad"]
SPARSE = ["sparse_categorical_cross_entropy", "sparse_categorical_cross_entropy_grad"]


def call(name, *, replace: dict[int, object] | None = None, **kw):
    fn, args, _ = CALLS[name]
    args = list(args)
    for i, value in (replace or {}).items():
        args[i] = value
    return fn(*args, **kw)


def raises(*patterns: str):
    """pytest.raises for InvalidInputError whose message contains every pattern (regexes)."""
    lookahead = "".join(f"(?=.*(?:{p}))" for p in patterns)
    return pytest.raises(InvalidInputError, match=re.compile(lookahead, re.DOTALL))


@pytest.mark.parametrize("name", CALLS)
def test_valid_calls_do_not_raise(name):
    out = call(name)
    assert np.all(np.isfinite(out))


# --- NaN, inf, empty -------------------------------------------------------------------------


def _array_arguments():
    for name, (_, _args, names) in CALLS.items():
        for i, arg_name in enumerate(names):
            # The grads' `logits` argument is checked for its name in
            # test_grad_messages_name_the_logits_argument; here only for the rest of the message.
            pattern = r"\b(logits|y_pred)\b" if arg_name == "logits" else rf"\b{arg_name}\b"
            yield pytest.param(name, i, pattern, id=f"{name}-{arg_name}")


ARRAY_ARGUMENTS = list(_array_arguments())


def _with(value, arg):
    arr = np.array(arg, dtype=np.float64)
    arr.flat[0] = value
    return arr


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_inf_are_rejected(name, i, arg_pattern, bad):
    arg = CALLS[name][1][i]
    with raises(arg_pattern, "NaN|finite"):
        call(name, replace={i: _with(bad, arg)})


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
def test_empty_input_is_rejected(name, i, arg_pattern):
    with raises(arg_pattern, "empty"):
        call(name, replace={i: []})


@pytest.mark.parametrize("name", GRADS)
def test_grad_messages_name_the_logits_argument(name):
    # The gradient functions call their prediction argument `logits`; a message about
    # `y_pred` names an argument the caller never passed.
    logits = np.asarray(CALLS[name][1][1], dtype=np.float64)
    with raises(r"\blogits\b", "NaN"):
        call(name, replace={1: _with(math.nan, logits)})
    with raises(r"\blogits\b", "empty"):
        call(name, replace={1: []})
    with raises(r"\blogits\b", "shape"):
        call(name, replace={1: logits[:1]})


@pytest.mark.parametrize(("name", "kw", "arg_name"), [
    *[(n, {"sample_weight": [1.0, math.nan]}, "sample_weight") for n in WITH_SAMPLE_WEIGHT
      if "binary" not in n],
    *[(n, {"sample_weight": [1.0, math.inf, 1.0]}, "sample_weight") for n in WITH_SAMPLE_WEIGHT
      if "binary" in n],
    *[(n, {"class_weight": [1.0, math.nan, 1.0]}, "class_weight") for n in WITH_CLASS_WEIGHT],
    *[(n, {"pos_weight": math.inf}, "pos_weight") for n in WITH_POS_WEIGHT],
    ("categorical_focal_cross_entropy", {"alpha": [1.0, math.nan, 1.0]}, "alpha"),
])
def test_nan_and_inf_weights_are_rejected(name, kw, arg_name):
    with raises(rf"\b{arg_name}\b", "NaN|finite"):
        call(name, **kw)


# --- probabilities -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "i", "arg_name", "bad"), [
    ("entropy", 0, "p", [1.5, -0.5]),
    ("cross_entropy", 0, "p", [1.5, -0.5, 0.0]),
    ("cross_entropy", 1, "q", [1.5, -0.5, 0.0]),
    ("kl_divergence", 0, "p", [-0.1, 0.6, 0.5]),
    ("kl_divergence", 1, "q", [1.1, -0.1, 0.0]),
])
def test_distributions_outside_zero_one(name, i, arg_name, bad):
    with raises(rf"^{arg_name} must hold probabilities", r"\[0, 1\]"):
        call(name, replace={i: bad})


@pytest.mark.parametrize(("name", "bad"), [
    ("binary_cross_entropy", [1.2, 0.5, 0.5]),
    ("binary_cross_entropy", [-0.2, 0.5, 0.5]),
    ("binary_focal_cross_entropy", [2.0, 0.5, 0.5]),
    ("categorical_cross_entropy", [[1.5, -0.5, 0.0], [0.1, 0.1, 0.8]]),
    ("categorical_focal_cross_entropy", [[1.5, -0.5, 0.0], [0.1, 0.1, 0.8]]),
    ("sparse_categorical_cross_entropy", [[1.5, -0.5, 0.0], [0.1, 0.1, 0.8]]),
])
def test_predictions_outside_zero_one_suggest_from_logits(name, bad):
    with raises(r"^y_pred must hold probabilities", "from_logits=True"):
        call(name, replace={1: bad})


@pytest.mark.parametrize(("name", "bad"), [
    ("binary_cross_entropy", [2, 0, 1]),
    ("binary_cross_entropy", [-1, 0, 1]),
    ("binary_focal_cross_entropy", [1.5, 0, 1]),
    ("binary_cross_entropy_grad", [1.5, 0, 1]),
    ("categorical_cross_entropy", [[1.5, -0.5, 0], [0, 0, 1]]),
    ("categorical_focal_cross_entropy", [[1.5, -0.5, 0], [0, 0, 1]]),
    ("categorical_cross_entropy_grad", [[1.5, -0.5, 0], [0, 0, 1]]),
])
def test_targets_outside_zero_one(name, bad):
    with raises(r"^y_true must hold probabilities"):
        call(name, replace={0: bad})


def test_logits_are_accepted_with_from_logits():
    assert np.isfinite(xl.binary_cross_entropy(BIN_Y, [3.0, -2.0, 0.5], from_logits=True))
    assert np.isfinite(xl.categorical_cross_entropy(ONE_HOT, LOGITS, from_logits=True))
    assert np.isfinite(xl.sparse_categorical_cross_entropy(LABELS, LOGITS, from_logits=True))


@pytest.mark.parametrize(("name", "i", "arg_name"), [
    ("entropy", 0, "p"), ("cross_entropy", 0, "p"), ("cross_entropy", 1, "q"),
    ("kl_divergence", 0, "p"), ("kl_divergence", 1, "q"),
])
def test_distributions_must_sum_to_one(name, i, arg_name):
    with raises(rf"^{arg_name} must sum to 1", "sum"):
        call(name, replace={i: [0.2, 0.2, 0.2]})


@pytest.mark.parametrize("name", ["categorical_cross_entropy", "categorical_focal_cross_entropy",
                                  "sparse_categorical_cross_entropy"])
def test_predictions_must_sum_to_one_and_hint_at_logits(name):
    bad = [[0.2, 0.2, 0.2], [0.1, 0.1, 0.8]]
    with raises(r"^y_pred must sum to 1", "from_logits=True", "softmax"):
        call(name, replace={1: bad})


@pytest.mark.parametrize("name", ["categorical_cross_entropy", "categorical_focal_cross_entropy",
                                  "categorical_cross_entropy_grad"])
def test_targets_must_sum_to_one(name):
    with raises(r"^y_true must sum to 1"):
        call(name, replace={0: [[1, 1, 0], [0, 0, 1]]})


def test_sum_tolerance_follows_the_dtype():
    # 1e-6 off is rounding in float32 but an error in float64
    p = np.array([0.5, 0.5 + 1e-6])
    with raises(r"^p must sum to 1"):
        xl.entropy(p)
    xl.entropy(p.astype(np.float32))


# --- shapes ------------------------------------------------------------------------------------


def _shape_pattern(shape):
    return re.escape(str(tuple(shape)))


@pytest.mark.parametrize(("name", "args"), [
    ("binary_cross_entropy", ([1, 0, 1], [0.5, 0.5])),
    ("binary_focal_cross_entropy", ([1, 0], [0.5, 0.5, 0.5])),
    ("categorical_cross_entropy", ([[1, 0, 0]], PROBS)),
    ("categorical_cross_entropy", ([[1, 0], [0, 1]], PROBS)),
    ("categorical_focal_cross_entropy", ([[1, 0, 0]], PROBS)),
    ("sparse_categorical_cross_entropy", ([0, 1, 2], PROBS)),
    ("sparse_categorical_cross_entropy", ([[0, 1]], PROBS)),
    ("cross_entropy", ([0.5, 0.5], P)),
    ("kl_divergence", ([[0.5, 0.5]] * 2, [P] * 3)),
    ("cross_entropy", ([P] * 2, [Q] * 3)),
])
def test_shape_mismatch_names_both_shapes(name, args):
    a, b = (np.asarray(x) for x in args)
    with raises("shape", _shape_pattern(a.shape), _shape_pattern(b.shape)):
        CALLS[name][0](*args)


@pytest.mark.parametrize(("name", "args"), [
    ("binary_cross_entropy_grad", ([1, 0, 1], [0.5, 0.5])),
    ("categorical_cross_entropy_grad", ([[1, 0, 0]], LOGITS)),
    ("sparse_categorical_cross_entropy_grad", ([0, 1, 2], LOGITS)),
])
def test_grad_shape_mismatch_names_both_shapes(name, args):
    a, b = (np.asarray(x) for x in args)
    with raises("shape", _shape_pattern(a.shape), _shape_pattern(b.shape)):
        CALLS[name][0](*args)


@pytest.mark.parametrize("name", ["sample_weight", "class_weight"])
def test_weights_of_the_wrong_shape(name):
    with raises(rf"^{name} has shape"):
        xl.sparse_categorical_cross_entropy(LABELS, PROBS, **{name: [1.0, 2.0, 3.0, 4.0]})


def test_pos_weight_that_does_not_broadcast():
    with raises(r"^pos_weight", "broadcast"):
        xl.binary_cross_entropy(BIN_Y, BIN_P, pos_weight=[1.0, 2.0])


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "entropy"])
def test_axis_out_of_range_or_not_an_integer(name):
    with raises("axis"):
        call(name, axis=2)
    with raises("axis"):
        call(name, axis=0.5)


# --- labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SPARSE)
@pytest.mark.parametrize("bad", [[0, 3], [-1, 0], [0, 100]])
def test_labels_out_of_range(name, bad):
    with raises(r"^labels", re.escape("[0, 3)")):
        call(name, replace={0: bad})


@pytest.mark.parametrize("name", SPARSE)
@pytest.mark.parametrize("bad", [[0.5, 1.0], [0.0, 1.25]])
def test_labels_must_be_integers(name, bad):
    with raises(r"^labels", "integer"):
        call(name, replace={0: bad})


@pytest.mark.parametrize("name", SPARSE)
def test_labels_of_a_non_numeric_dtype(name):
    with raises(r"\blabels\b"):
        call(name, replace={0: ["a", "b"]})


@pytest.mark.parametrize("name", SPARSE)
def test_integral_float_labels_are_accepted(name):
    np.testing.assert_allclose(call(name, replace={0: [0.0, 2.0]}), call(name))


@pytest.mark.parametrize("name", SPARSE)
@pytest.mark.parametrize("ignore_index", [-100, -1, 3, 7])
def test_labels_equal_to_ignore_index_are_not_out_of_range(name, ignore_index):
    out = call(name, replace={0: [0, ignore_index]}, ignore_index=ignore_index)
    assert np.all(np.isfinite(out))
    with raises(r"^labels", "ignore_index"):  # a different out-of-range label still is
        call(name, replace={0: [-5, ignore_index]}, ignore_index=ignore_index)


@pytest.mark.parametrize("name", SPARSE)
@pytest.mark.parametrize("bad", [1.5, "x", True])
def test_ignore_index_must_be_an_integer(name, bad):
    with raises("ignore_index"):
        call(name, ignore_index=bad)


@pytest.mark.parametrize("name", SPARSE)
@pytest.mark.parametrize("kw", [{}, {"class_weight": [1.0, 1.0, 1.0]},
                                {"label_smoothing": 0.1}])
def test_mean_over_all_ignored_labels(name, kw):
    with raises("ignore"):
        call(name, replace={0: [-100, -100]}, ignore_index=-100, **kw)
    total = call(name, replace={0: [-100, -100]}, ignore_index=-100, reduction="sum", **kw)
    np.testing.assert_array_equal(total, 0.0)


@pytest.mark.parametrize("name", SPARSE)
def test_mean_with_all_class_weights_zero(name):
    with raises("class_weight|weights"):
        call(name, class_weight=[0.0, 0.0, 0.0])


# --- keyword arguments -------------------------------------------------------------------------


@pytest.mark.parametrize("name", WITH_REDUCTION)
@pytest.mark.parametrize("bad", ["avg", "MEAN", None, 1])
def test_unknown_reduction(name, bad):
    with raises(r"^reduction", "mean"):
        call(name, reduction=bad)


@pytest.mark.parametrize("name", WITH_BASE)
@pytest.mark.parametrize("bad", [0, -2, 1, 1.0, "2", True, math.nan, math.inf, None.__class__])
def test_bad_base(name, bad):
    with raises(r"^base"):
        call(name, base=bad)


@pytest.mark.parametrize("name", WITH_SMOOTHING)
@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan, "0.1"])
def test_label_smoothing_outside_zero_one(name, bad):
    with raises(r"^label_smoothing"):
        call(name, label_smoothing=bad)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("bad", [0, 0.0, -1.0, math.inf, math.nan, "1"])
def test_bad_temperature(name, bad):
    with raises(r"^temperature"):
        call(name, temperature=bad)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_temperature_that_overflows_the_logits(name):
    with raises("temperature", "finite|inf"):
        call(name, replace={0: [1e300, 0.0]}, temperature=1e-300)


@pytest.mark.parametrize("name", WITH_SAMPLE_WEIGHT)
def test_negative_sample_weight(name):
    with raises(r"^sample_weight", "negative"):
        call(name, sample_weight=[1.0, -0.5] if "binary" not in name else [1.0, -0.5, 1.0])


@pytest.mark.parametrize("name", WITH_CLASS_WEIGHT)
def test_negative_class_weight(name):
    with raises(r"^class_weight", "negative"):
        call(name, class_weight=[1.0, -0.5, 1.0])


@pytest.mark.parametrize("name", WITH_POS_WEIGHT)
@pytest.mark.parametrize("bad", [-1.0, [1.0, -1.0, 1.0]])
def test_negative_pos_weight(name, bad):
    with raises(r"^pos_weight", "negative"):
        call(name, pos_weight=bad)


@pytest.mark.parametrize(("name", "kw", "arg_name"), [
    ("binary_focal_cross_entropy", {"gamma": -1.0}, "gamma"),
    ("categorical_focal_cross_entropy", {"gamma": -1.0}, "gamma"),
    ("binary_focal_cross_entropy", {"alpha": 1.5}, "alpha"),
    ("binary_focal_cross_entropy", {"alpha": -0.5}, "alpha"),
    ("categorical_focal_cross_entropy", {"alpha": -0.5}, "alpha"),
    ("categorical_focal_cross_entropy", {"alpha": [1.0, -1.0, 1.0]}, "alpha"),
    ("categorical_focal_cross_entropy", {"alpha": [1.0, 1.0]}, "alpha"),
])
def test_bad_focal_parameters(name, kw, arg_name):
    with raises(rf"^{arg_name}"):
        call(name, **kw)


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
def test_complex_and_ragged_input(name, i, arg_pattern):
    arg = np.asarray(CALLS[name][1][i])
    with raises(arg_pattern, "complex"):
        call(name, replace={i: arg.astype(np.complex128)})
    with raises(arg_pattern):
        call(name, replace={i: [[0.5, 0.5], [1.0]]})


# --- values that are not numbers: dates, durations, text, records, complex ----------------------


def _as_dtype(arg, kind: str) -> np.ndarray:
    """The valid argument ``arg`` (same shape) recast as a non-numeric dtype."""
    a = np.asarray(arg, dtype=np.float64)
    if kind == "datetime64":
        return a.astype(np.int64).astype("datetime64[ns]")
    if kind == "timedelta64":
        return a.astype(np.int64).astype("timedelta64[s]")
    if kind == "str":
        return a.astype(str)  # text such as "0.2", which float() would read
    if kind == "bytes":
        return a.astype(bytes)
    if kind == "record":
        out = np.zeros(a.shape, dtype=[("value", np.float64)])
        out["value"] = a
        return out
    return a.astype(np.complex128)


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
@pytest.mark.parametrize(("kind", "what"), [
    ("datetime64", "not dates and times"), ("timedelta64", "not durations"),
    ("str", "not text"), ("bytes", "not text"), ("record", "not records"),
    ("complex", "not complex numbers"),
])
def test_non_numeric_dtypes_are_refused_with_the_dtype_named(name, i, arg_pattern, kind, what):
    bad = _as_dtype(CALLS[name][1][i], kind)
    with raises(rf"^(?:{arg_pattern}) has dtype {re.escape(str(bad.dtype))}: expected "
                r"(real )?numbers \(floats\)", what):
        call(name, replace={i: bad})


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
@pytest.mark.parametrize(("element", "type_name", "what"), [
    (lambda x: str(x), "str", "not text"),
    (lambda x: datetime.date(2024, 1, 1 + int(x)), "date", "not dates and times"),
    (lambda x: np.datetime64(int(x), "ns"), "datetime64", "not dates and times"),
    (lambda x: datetime.timedelta(seconds=x), "timedelta", "not durations"),
    (lambda x: np.timedelta64(int(x), "s"), "timedelta64", "not durations"),
    (lambda x: complex(x, 0), "complex", "not complex numbers"),
])
def test_object_arrays_holding_what_is_not_a_number_name_its_type(name, i, arg_pattern,
                                                                    element, type_name, what):
    bad = np.array(CALLS[name][1][i], dtype=np.float64).astype(object)
    bad.flat[0] = element(bad.flat[0])
    with raises(rf"^(?:{arg_pattern}) has dtype object and holds {type_name} values such as ",
                what):
        call(name, replace={i: bad})


def test_an_object_array_of_unreadable_things_names_them():
    with raises(r"^p has dtype object and holds dict values such as \{\}: expected numbers"):
        xl.entropy(np.array([0.5, {}], dtype=object))


def test_object_arrays_of_real_numbers_are_read_as_floats():
    from fractions import Fraction

    p = np.array([Fraction(1, 4), 0.25, np.float32(0.25), True], dtype=object)
    p[3] = Fraction(1, 4)
    assert float(xl.entropy(p)) == float(xl.entropy([0.25] * 4))
    labels = np.array([np.int8(0), 2, True], dtype=object)
    assert xl.sparse_categorical_cross_entropy(labels, PROBS + [[0.2, 0.3, 0.5]],
                                               reduction="sum") == \
        xl.sparse_categorical_cross_entropy([0, 2, 1], PROBS + [[0.2, 0.3, 0.5]],
                                            reduction="sum")


@given(seeds, st.integers(1, 5), st.integers(2, 4))
def test_bools_are_taken_as_0_and_1(seed, n, k):
    """Boolean targets, labels, predictions and one-hot distributions are numbers: False is
    0 and True is 1, for the losses, the information measures and softmax alike."""
    rng = np.random.default_rng(seed)
    hot = np.eye(k, dtype=bool)[rng.integers(0, k, n)]  # one True per row
    flags = rng.random((n, k)) < 0.5
    q = rng.dirichlet(np.ones(k), size=n)
    q2 = rng.dirichlet(np.ones(2), size=n)
    calls = [
        (xl.binary_cross_entropy, (flags, q)), (xl.binary_cross_entropy, (q, flags)),
        (xl.categorical_cross_entropy, (hot, q)),
        (xl.sparse_categorical_cross_entropy, (flags[:, 0], q2)),
        (xl.entropy, (hot,)), (xl.cross_entropy, (hot, q)), (xl.cross_entropy, (q, hot)),
        (xl.kl_divergence, (hot, q)), (xl.softmax, (flags,)),
    ]
    with np.errstate(divide="ignore"):
        for fn, args in calls:
            as_numbers = [a.astype(np.float64) if a.dtype == bool else a for a in args]
            np.testing.assert_array_equal(fn(*args), fn(*as_numbers), err_msg=fn.__name__)


# --- labels that are not whole numbers --------------------------------------------------------


@pytest.mark.parametrize("name", SPARSE)
def test_a_label_just_below_an_integer_shows_its_fraction(name):
    with raises(r"found non-integer values such as 1\.9999999999\. "):
        call(name, replace={0: [0.0, 1.9999999999]})
    with raises(r"found non-integer values such as 2\.0000000000000004\. "):
        call(name, replace={0: [0.0, 2.0000000000000004]})
    with raises(r"found non-integer values such as 1\.9999999\. "):
        call(name, replace={0: np.array([0.0, 1.9999999], dtype=np.float32)})


_FLOAT_TYPES = st.sampled_from([np.float64, np.float32, np.float16])


@st.composite
def _near_integers(draw):
    """A float a few units in the last place from an integer, in any of the float types."""
    t = draw(_FLOAT_TYPES)
    x = t(draw(st.integers(-2000, 2000)))
    for _ in range(draw(st.integers(1, 3))):
        x = np.nextafter(x, t(draw(st.sampled_from([-np.inf, np.inf]))))
    return x


def _in_type(type_and_value) -> np.floating:
    """The value rounded to the type; 0.5 where it overflows."""
    t, x = type_and_value
    with np.errstate(over="ignore"):
        y = t(x)
    return y if np.isfinite(y) else t(0.5)


@given(st.one_of(
    _near_integers(),
    st.tuples(_FLOAT_TYPES, st.floats(allow_nan=False, allow_infinity=False)).map(_in_type),
))
def test_a_non_integer_label_is_shown_with_digits_that_read_back_as_it(x):
    """The message shows the shortest decimal that reads back as the label in its own type."""
    assume(x != np.round(x))
    with pytest.raises(InvalidInputError) as err:
        v.check_labels(np.array([x]), 3, (1,), None)
    shown = re.search(r"such as (\S+)\. For one-hot", str(err.value)).group(1)
    assert type(x)(shown) == x
    assert len(shown.lstrip("-").replace(".", "").lstrip("0").split("e")[0]) <= \
        {np.float64: 17, np.float32: 9, np.float16: 5}[type(x)]  # no more digits than needed


# --- floating-point errors raised by the caller: a sweep of the public functions ----------------




NON_LOSS_MODULES = ("xentlearn.activations", "xentlearn.information", "xentlearn.calibration",
                    "xentlearn.distributions")
NON_LOSS_EXPORTS = sorted(name for name in xl.__all__
                          if getattr(getattr(xl, name), "__module__", None) in NON_LOSS_MODULES)

TINY = 1e-310  # subnormal
_Z = np.random.default_rng(0).normal(scale=3.0, size=(40, 4))
_Y = np.argmax(_Z + np.random.default_rng(1).normal(scale=3.0, size=(40, 4)), axis=1)
_P = xl.softmax(_Z)
_Z_EXTREME = np.array([[800.0, 0.0, -800.0], [0.0, 900.0, -5.0], [3.0, 1.0, -1e3],
                       [-1e3, 2.0, 4.0]])
_Y_EXTREME = [0, 0, 1, 2]
_P_TINY = [[1 - TINY, TINY, 0.0], [TINY, 0.5, 0.5], [0.2, 0.3, 0.5]]

# name -> list of (positional arguments, keywords): typical first, then extreme
SWEEP = {
    "entropy": [((P,), {}), ((_P_TINY,), {"base": 2}), ((_P_TINY,), {"axis": -1})],
    "cross_entropy": [((P, Q), {}), ((_P_TINY, [1 - TINY, TINY, 0.0]), {"base": 10}),
                      (([0.5, 0.5], [1.0, 0.0]), {})],
    "kl_divergence": [((P, Q), {}), (([0.5, 0.5], [1 - TINY, TINY]), {}),
                      (([TINY, 1 - TINY], [2 * TINY, 1 - 2 * TINY]), {"base": 2}),
                      ((_P_TINY, _P_TINY[::-1]), {})],
    "softmax": [((LOGITS,), {}), (([1000.0, 0.0],), {}), (([0.0, -740.0, -1e300],), {}),
                (([[1e-310, 0.0]],), {"temperature": 3.0}),
                ((np.array([100.0, 0.0], np.float32),), {"temperature": 1e300})],
    "log_softmax": [((LOGITS,), {}), (([1000.0, 0.0],), {}),
                    (([1e-310, -800.0],), {"temperature": 0.5})],
    "logsumexp": [((LOGITS,), {}), (([1000.0, 0.0],), {}), (([0.0, -740.0],), {})],
    "sigmoid": [((BIN_P,), {}), ((-1000.0,), {}), (([-740.0, 740.0, TINY],), {})],
    "log_sigmoid": [((BIN_P,), {}), ((-1000.0,), {}), (([1000.0, 740.0, TINY],), {})],
    "softplus": [((BIN_P,), {}), ((-1000.0,), {}), (([-740.0, TINY],), {})],
    "fit_temperature": [((_Z, _Y), {}), ((_Z_EXTREME, _Y_EXTREME), {}),
                        ((np.array([800.0, -800.0, 3.0, -2.0, 4.0, 5.0]), [1, 0, 0, 0, 1, 1]),
                         {}),
                        ((_Z * 1e300, _Y), {}), ((_Z * 1e-300, _Y), {})],
    "expected_calibration_error": [((_P, _Y), {}), ((_P_TINY, [0, 0, 1]), {"n_bins": 3}),
                                   (([TINY, 1 - TINY, 0.5], [0, 1, 1]), {})],
    "reliability_curve": [((_P, _Y), {}), ((_P_TINY, [0, 0, 1]), {"n_bins": 3}),
                          (([TINY, 1 - TINY, 0.5], [0, 1, 1]), {})],
}


def test_the_sweep_covers_every_exported_non_loss_function():
    assert sorted(SWEEP) == NON_LOSS_EXPORTS


def _sweep_cases():
    for name, cases in SWEEP.items():
        for i, (args, kw) in enumerate(cases):
            yield pytest.param(name, args, kw, id=f"{name}-{i}")


@pytest.mark.parametrize("how", ["errstate", "seterr"])
@pytest.mark.parametrize(("name", "args", "kw"), list(_sweep_cases()))
def test_every_exported_non_loss_function_answers_when_the_caller_raises(how, name, args, kw):
    fn = getattr(xl, name)
    expected = fn(*args, **kw)
    with fp_errors_raise(how):
        with pytest.raises(FloatingPointError):  # the caller's setting is in force
            np.exp(np.float64(-1000.0))
        out = fn(*args, **kw)
    assert np.geterr()["under"] != "raise"  # and given back afterwards
    if not isinstance(out, tuple):  # a ReliabilityCurve is a tuple of arrays
        out, expected = (out,), (expected,)
    for got, want in zip(out, expected, strict=True):
        np.testing.assert_array_equal(got, want)


# --- masked arrays, None and numbers too large for a float ------------------------------------


def test_a_masked_array_with_masked_entries_is_refused():
    p = np.ma.array([0.5, 0.5, 1e-9], mask=[False, False, True])
    with raises(r"^p is a masked array with 1 masked entry of 3", r"p\.compressed\(\)",
                r"p\.filled\(value\)"):
        xl.entropy(p)   # the masked 1e-9 was once counted: 0.69314720 instead of an error
    with raises(r"^y_pred is a masked array with 2 masked entries of 3"):
        xl.binary_cross_entropy(BIN_Y, np.ma.masked_greater(BIN_P, 0.5))
    with raises(r"^z is a masked array"):
        xl.softmax(np.ma.masked)
    rows = [np.ma.array([0.5, 0.5]), np.ma.array([0.5, 0.5], mask=[True, False])]
    with raises(r"^p\[1\] is a masked array with 1 masked entry of 2", r"p\[1\]\.compressed"):
        xl.entropy(rows)
    np.testing.assert_array_equal(xl.entropy(rows[:1] * 2), [math.log(2)] * 2)


def test_a_masked_array_without_masked_entries_is_its_data():
    for p in (np.ma.array(P), np.ma.array(P, mask=[False, False, False])):
        assert float(xl.entropy(p)) == float(xl.entropy(P))
        assert float(xl.entropy(p.compressed())) == float(xl.entropy(P))
    kept = np.ma.array([0.5, 0.5, 1e-9], mask=[False, False, True])
    assert float(xl.entropy(kept.compressed())) == math.log(2)
    assert float(xl.entropy(kept.filled(0.0))) == math.log(2)


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
def test_none_is_named(name, i, arg_pattern):
    with raises(rf"^(?:{arg_pattern}) is None; pass"):
        call(name, replace={i: None})


def test_none_inside_a_list_is_named():
    with raises(r"^p contains None \(1 of 3 value\(s\)\)"):
        xl.entropy([0.5, None, 0.5])


@pytest.mark.parametrize(("name", "i", "arg_pattern"), ARRAY_ARGUMENTS)
def test_python_ints_too_large_for_a_float(name, i, arg_pattern):
    big = np.array(CALLS[name][1][i], dtype=object)
    big.flat[0] = 10**400
    with raises(rf"^(?:{arg_pattern}) holds an integer of 401 digits, too large for a float"):
        call(name, replace={i: big.tolist()})


@pytest.mark.parametrize(("call_", "pattern"), [
    (lambda: xl.softmax([1.0, 0.0], temperature=10**400), r"^temperature is too large"),
    (lambda: xl.entropy(P, base=10**400), r"^base is too large"),
    (lambda: xl.binary_cross_entropy(BIN_Y, BIN_P, label_smoothing=10**400),
     r"^label_smoothing is too large"),
])
def test_python_int_scalars_too_large_for_a_float(call_, pattern):
    with raises(pattern):
        call_()


# --- labels beyond int64 -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SPARSE)
def test_a_uint64_label_that_would_wrap_to_ignore_index_is_out_of_range(name):
    labels = np.array([2**64 - 100, 2], dtype=np.uint64)  # -100 once cast to int64
    with raises(r"^labels must be in \[0, 3\)", "found 18446744073709551516"):
        call(name, replace={0: labels}, ignore_index=-100)
    with raises("found 18446744073709551516"):
        call(name, replace={0: labels})
    np.testing.assert_array_equal(
        call(name, replace={0: np.array(LABELS, dtype=np.uint64)}, ignore_index=-100),
        call(name, ignore_index=-100))


@pytest.mark.parametrize("name", SPARSE)
@pytest.mark.parametrize(("labels", "found"), [
    (np.array([1e19, 0.0]), "10000000000000000000"),
    (np.array([-2.0**70, 0.0]), "-1180591620717411303424"),
    (np.array([2**63, 0], dtype=np.uint64), "9223372036854775808"),
])
def test_labels_beyond_int64_are_named_by_their_value(name, labels, found):
    with raises(r"^labels must be in \[0, 3\)", f"found {found}"):
        call(name, replace={0: labels}, ignore_index=-100)


@pytest.mark.parametrize("name", SPARSE)
def test_ignore_index_beyond_int64(name):
    with raises(r"^ignore_index must be an integer in \[-9223372036854775808, "):
        call(name, ignore_index=2**64 - 100)


@pytest.mark.parametrize("name", SPARSE)
def test_a_uint64_label_equal_to_a_non_negative_ignore_index_is_skipped(name):
    skipped = call(name, replace={0: np.array([0, 7], dtype=np.uint64)}, ignore_index=7,
                   reduction="none")
    np.testing.assert_array_equal(skipped[1], 0.0)
    np.testing.assert_array_equal(skipped[0], call(name, reduction="none")[0])


# --- the helpers themselves --------------------------------------------------------------------


def test_tolerance_dtype_is_the_dtype_as_passed():
    assert v.tolerance_dtype(np.zeros(2, np.float16)) == np.float16
    assert v.tolerance_dtype(np.zeros(2, np.float32)) == np.float32
    assert v.tolerance_dtype(np.zeros(2, np.int64)) == np.float64
    assert v.tolerance_dtype(np.zeros(2, bool)) == np.float64
    arr, tol = v.as_float_with_tol(np.array([0.25, 0.75], np.float16), "p")
    assert arr.dtype == np.float64 and tol == np.float16


def test_sum_tolerance_takes_any_numeric_dtype():
    assert v.sum_tolerance(np.float16, 3) == math.sqrt(np.finfo(np.float16).eps)
    assert v.sum_tolerance(np.int64, 3) == v.sum_tolerance(np.float64, 3)
    v.check_rows_sum_to_one(np.array([0.5, 0.5 + 1e-3]), "p", tol_dtype=np.float16)
    with raises(r"^p must sum to 1"):
        v.check_rows_sum_to_one(np.array([0.5, 0.5 + 1e-3]), "p", tol_dtype=np.int64)


@pytest.mark.parametrize("good", [True, False, np.True_, np.False_])
def test_check_bool_takes_bools(good):
    assert v.check_bool(good, "flag") is bool(good)


@pytest.mark.parametrize("bad", ["False", "True", 0, 1, 1.0, None, np.array([True])])
def test_check_bool_refuses_everything_else(bad):
    with raises(r"^from_logits must be True or False, got"):
        v.check_bool(bad, "from_logits")


def test_check_bool_says_a_string_flag_is_a_string():
    with raises(r"got the string 'False'; write it without quotes"):
        v.check_bool("False", "from_logits")


def test_check_int():
    assert v.check_int(np.int64(3), "n", low=1) == 3
    assert type(v.check_int(np.int64(3), "n", low=1)) is int
    assert v.check_int(None, "n", low=1, allow_none=True) is None
    for bad in (0, True, 1.0, "2", None):
        with raises(r"^n must be an integer >= 1, got"):
            v.check_int(bad, "n", low=1)


# --- datasets: split sizes, the text and its alphabet -------------------------------------------


def test_check_fraction():
    assert v.check_fraction(0.2, "val_size") == 0.2
    for bad in (0, 1, 1.5, -0.1):
        with raises(r"^val_size must be", "a fraction such as 0.2"):
            v.check_fraction(bad, "val_size")
    for bad in ("0.2", None):
        with raises(r"^val_size must be a real number"):
            v.check_fraction(bad, "val_size")


def test_check_split_sizes():
    assert v.check_split_sizes(0.2, 0.79) is None
    for val_size, test_size in ((0.5, 0.5), (0.6, 0.7)):
        with raises(r"^val_size \+ test_size must be below 1", "left to train on",
                    rf"got {val_size} \+ {test_size}"):
            v.check_split_sizes(val_size, test_size)


def test_check_chunk_split():
    assert v.check_chunk_split(10, 1, 1, 100, 0.1, 0.1) is None
    for n_chunks, n_val, n_test in ((10, 0, 1), (10, 1, 0), (3, 1, 2), (2, 1, 1)):
        with raises(rf"^the text gives {n_chunks} chunk\(s\) of 100 characters",
                    "a smaller chunk_chars"):
            v.check_chunk_split(n_chunks, n_val, n_test, 100, 0.1, 0.1)


def test_check_enough_text():
    assert v.check_enough_text(1000, 1000) is None
    with raises(r"give only 999 characters", "min_chars=1,000; ask for less"):
        v.check_enough_text(999, 1000)


def test_check_in_alphabet():
    assert v.check_in_alphabet("cab", "abc") is None
    assert v.check_in_alphabet("", "abc") is None
    with raises(r"^character 'd' is not in the alphabet 'abc'", "normalize_text"):
        v.check_in_alphabet("abdxd", "abc")


# --- imbalance --------------------------------------------------------------------------------


def test_check_class_present():
    y = np.array([0, 0, 2])
    assert v.check_class_present(2, y, "minority_class") is None
    with raises(r"^minority_class 1 does not occur in y \(labels: \[0, 2\]\)"):
        v.check_class_present(1, y, "minority_class")


def test_check_flip_classes():
    y = np.array([0, 1, 1])
    assert v.check_flip_classes(None, y) == 2
    assert v.check_flip_classes(np.int64(5), y) == 5
    assert type(v.check_flip_classes(np.int64(5), y)) is int
    for bad in (1, 2.0, "3", True):
        with raises(r"^n_classes must be an integer >= 2", "needs at least 2 classes"):
            v.check_flip_classes(bad, y)
    with raises(r"needs at least 2 classes, got n_classes = 1 \(taken as max\(y\) \+ 1"):
        v.check_flip_classes(None, np.zeros(3, dtype=np.int64))
    with raises(r"^y must hold labels in \[0, 2\) for 2 classes; found 2"):
        v.check_flip_classes(2, np.array([0, 2, 1]))
    with raises(r"^y must hold labels in \[0, 3\) for 3 classes; found -1"):
        v.check_flip_classes(3, np.array([0, -1, 1]))


# --- estimators -------------------------------------------------------------------------------


def test_check_param_names():
    assert v.check_param_names({"l2": 0.1}, ["l2", "epochs"], "Model") is None
    with raises(r"^Model has no parameter 'lr'; it has \['epochs', 'l2'\]"):
        v.check_param_names({"l2": 0.1, "lr": 1.0}, ["l2", "epochs"], "Model")


def test_check_model_loss():
    binary = ("cross_entropy", "focal", "squared_error")
    softmax = ("cross_entropy", "focal")
    assert v.check_model_loss("squared_error", binary, "LogisticRegression") == "squared_error"
    assert v.check_model_loss("focal", softmax, "SoftmaxRegression") == "focal"
    with raises(r"^loss='squared_error' is for LogisticRegression; SoftmaxRegression takes "
                r"loss='cross_entropy' or 'focal'"):
        v.check_model_loss("squared_error", softmax, "SoftmaxRegression")
    for bad in ("mse", None, 1):
        with raises(r"^loss must be 'cross_entropy' or 'focal', got"):
            v.check_model_loss(bad, softmax, "SoftmaxRegression")


def test_check_n_classes():
    assert v.check_n_classes(np.array([0, 1]), "LogisticRegression", binary=True) == 2
    assert v.check_n_classes(np.array([0, 1, 2]), "SoftmaxRegression", binary=False) == 3
    with raises(r"^LogisticRegression needs exactly 2 classes, got 3: \[0, 1, 2\]",
                "use SoftmaxRegression"):
        v.check_n_classes(np.array([0, 1, 2]), "LogisticRegression", binary=True)
    with raises(r"^LogisticRegression needs exactly 2 classes, got 12: \[0, 1, 2, 3, 4, 5, 6, "
                r"7, 8, 9\]\."):
        v.check_n_classes(np.arange(12), "LogisticRegression", binary=True)
    with raises(r"^y has a single class \['a'\]; a classifier needs at least 2"):
        v.check_n_classes(np.array(["a"]), "SoftmaxRegression", binary=False)


def test_encode_labels():
    classes = np.array(["cat", "dog", "eel"])
    enc = v.encode_labels(np.array(["eel", "cat", "eel"]), classes, "y")
    assert enc.tolist() == [2, 0, 2] and enc.dtype == np.int64
    assert v.encode_labels(np.array([], dtype=str), classes, "y").shape == (0,)
    with raises(r"^y has label 'ant', which is not among the classes \['cat', 'dog', 'eel'\]$"):
        v.encode_labels(np.array(["cat", "ant"]), classes, "y")
    with raises(r"^y_val has label 'fox'", r"seen in y; pass classes=\.\.\. to fit$"):
        v.encode_labels(np.array(["fox"]), classes, "y_val")
    with raises(r"^y has label 7"):  # beyond the largest class
        v.encode_labels(np.array([0, 7]), np.array([0, 1]), "y")


def test_check_validation_pair():
    X_val, y_val = np.zeros((2, 1)), np.array([0, 1])
    assert v.check_validation_pair(X_val, y_val, early_stopping=True) is True
    assert v.check_validation_pair(None, None, early_stopping=False) is False
    for pair in ((X_val, None), (None, y_val)):
        with raises(r"^pass both X_val and y_val, or neither$"):
            v.check_validation_pair(*pair, early_stopping=False)
    with raises(r"^early_stopping=True needs validation data: fit\(X, y, X_val, y_val\)"):
        v.check_validation_pair(None, None, early_stopping=True)


def test_check_class_weight():
    classes = np.array(["a", "b", "c"])
    assert v.check_class_weight(None, classes) is None
    assert v.check_class_weight("balanced", classes) == "balanced"
    w = v.check_class_weight({"b": 3}, classes)
    assert w.dtype == np.float64 and w.tolist() == [1.0, 3.0, 1.0]
    with raises(r"^class_weight must be None, 'balanced' or a mapping, got 'equal'"):
        v.check_class_weight("equal", classes)
    with raises(r"^class_weight must be None, 'balanced' or a mapping \{label: weight\}, "
                r"got list"):
        v.check_class_weight([1.0, 2.0, 3.0], classes)
    with raises(r"^class_weight has labels \['d'\] that are not among the classes"):
        v.check_class_weight({"a": 1.0, "d": 2.0}, classes)
    with raises(r"class_weight"):
        v.check_class_weight({"a": -1.0}, classes)


def test_check_some_weight():
    y = np.array([0, 0, 1])
    assert v.check_some_weight(None, y) is None
    assert v.check_some_weight(np.array([0.0, 1.0, 0.0]), y) is None
    with raises(r"^class_weight gives every sample of y weight 0", "positive weight"):
        v.check_some_weight(np.array([0.0, 0.0, 5.0]), y)


def test_check_params():
    ref = {"w": np.zeros(3), "b": np.zeros(1)}
    out = v.check_params({"w": [1, 2, 3], "b": np.float32([0.5]), "extra": 1}, ref)
    assert list(out) == ["w", "b"]
    assert out["w"].dtype == np.float64 and out["w"].tolist() == [1.0, 2.0, 3.0]
    with raises(r"^params must be a dict of arrays like params_ \(keys \['w', 'b'\]\), "
                r"got list"):
        v.check_params([np.zeros(3), np.zeros(1)], ref)
    with raises(r"^params has no 'b'; pass a dict with 'w' of shape \(3,\), 'b' of shape "
                r"\(1,\) \(as params_\)"):
        v.check_params({"w": np.zeros(3)}, ref)
    with raises(r"params\['w'\]", r"params_\['w'\]"):
        v.check_params({"w": np.zeros(2), "b": np.zeros(1)}, ref)
    with raises(r"params\['b'\]"):
        v.check_params({"w": np.zeros(3), "b": [np.nan]}, ref)


def test_check_is_fitted():
    class Model:
        pass

    model = Model()
    with raises(r"^this Model is not fitted yet; call fit\(X, y\) first$"):
        v.check_is_fitted(model)
    model.params_ = {}
    assert v.check_is_fitted(model) is None
    with raises(r"^this Model is not fitted yet"):
        v.check_is_fitted(model, "coef_")


def test_check_not_diverged():
    assert v.check_not_diverged(np.array([[1e300, -1e300]])) is None
    for bad in (np.inf, -np.inf, np.nan):
        with raises(r"^the logits overflowed", "training diverged", "lower learning_rate"):
            v.check_not_diverged(np.array([[0.0, bad]]))
