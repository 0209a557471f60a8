"""Argument checks for the public functions, and every error message they raise.

Validation happens once, at the public boundary; the private helpers in the
numeric modules trust their inputs.
"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["InvalidInputError"]

REDUCTIONS = ("mean", "sum", "none")


class InvalidInputError(ValueError):
    """An argument that xentlearn cannot use; the message names it and says how to fix it.

    A subclass of :class:`ValueError`, so ``except ValueError`` catches it too.

    Examples
    --------
    >>> import xentlearn as xl
    >>> try:
    ...     xl.entropy([0.5, 0.6])
    ... except xl.InvalidInputError as err:
    ...     print(str(err).split(";")[0])
    p must sum to 1 along the class axis (tolerance 1.5e-08)
    """


def float_dtype(*arrays: np.ndarray) -> np.dtype:
    """The float type a result takes: float32 stays float32, anything else gives float64."""
    dtypes = [a.dtype if a.dtype.kind == "f" and a.dtype.itemsize >= 4 else np.float64
              for a in arrays]
    return np.result_type(*dtypes)


def _unmasked(x, name: str):
    """The data of a masked array with nothing masked; refuse one with masked entries."""
    n_masked = int(np.ma.count_masked(x))
    if n_masked:
        raise InvalidInputError(
            f"{name} is a masked array with {n_masked} masked entr"
            f"{'y' if n_masked == 1 else 'ies'} of {np.size(x)}; xentlearn does not skip "
            f"masked values. Pass {name}.compressed() to drop them, or {name}.filled(value) "
            "to give them a value"
        )
    return np.ma.getdata(x)


def _digits(n: int) -> int:
    """Decimal digits of ``|n|`` (``len(str(n))`` refuses integers over 4,300 digits)."""
    n = abs(int(n))
    k = max(1, int((n.bit_length() - 1) * math.log10(2)))  # 10**(k-1) <= n
    while 10**k <= n:
        k += 1
    return k


def _too_large(value) -> str:
    """How to describe a number too large for a float in a message."""
    if isinstance(value, numbers.Integral):
        return f"an integer of {_digits(value)} digits"
    return "a number"


def _overflows_float(value) -> bool:
    try:
        float(value)
    except OverflowError:
        return True
    except (ValueError, TypeError):
        return False
    return False


# What each dtype kind that is not a number holds, and how to get numbers from it; the hint
# is formatted with the argument's name.
_NOT_NUMBERS = {
    "M": ("dates and times", "pass numbers (was a date or time column passed by mistake?)"),
    "m": ("durations", "to use durations as numbers divide by a unit first, e.g. "
          "{name} / np.timedelta64(1, 's')"),
    "c": ("complex numbers", "pass {name}.real if the imaginary parts are all 0"),
    "U": ("text", "convert it to numbers first, e.g. np.asarray({name}, dtype=float)"),
    "S": ("text (bytes)", "convert it to numbers first, e.g. np.asarray({name}, dtype=float)"),
    "T": ("text", "convert it to numbers first, e.g. np.asarray({name}, dtype=float)"),
    "V": ("records", "pass one field of the records, or a plain numeric array"),
}


def _not_numbers(name: str, dtype: np.dtype, kind: str, element=None) -> InvalidInputError:
    """The error for an argument that holds something other than real numbers.

    ``kind`` is a key of ``_NOT_NUMBERS`` (or any other letter, for a bare message);
    ``element`` is the offending value of an object array, shown with its type.
    """
    what, hint = _NOT_NUMBERS.get(kind, (None, "pass a numeric array"))
    held = ""
    if element is not None:
        shown = repr(element)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        held = f" and holds {type(element).__name__} values such as {shown}"
    expected = "real numbers (floats)" if kind == "c" else "numbers (floats)"
    return InvalidInputError(
        f"{name} has dtype {dtype}{held}: expected {expected}"
        + (f", not {what}" if what else "") + "; " + hint.format(name=name)
    )


def _element_kind(e) -> str | None:
    """The ``_NOT_NUMBERS`` key of a value of an object array that is no real number, else
    ``None`` (the conversion to float judges the rest)."""
    if isinstance(e, (np.datetime64, datetime.date, datetime.time)):
        return "M"
    if isinstance(e, (np.timedelta64, datetime.timedelta)):  # timedelta64 counts as Real
        return "m"
    if isinstance(e, (str, np.str_)):
        return "U"
    if isinstance(e, (bytes, np.bytes_)):
        return "S"
    if isinstance(e, numbers.Complex) and not isinstance(e, numbers.Real):
        return "c"
    return None


def _objects_as_float(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array (``None``, Python ints beyond float64, ...) converted to float64.

    Values that are not real numbers (text, dates, durations, complex numbers) are refused
    with their type, even where ``float()`` would read them (``float("0.5")``).
    """
    n_none = sum(1 for e in arr.flat if e is None)
    if n_none:
        raise InvalidInputError(
            f"{name} contains None ({n_none} of {arr.size} value(s)); pass numbers only, "
            "e.g. drop those entries or replace them with a value"
        )
    for e in arr.flat:
        kind = _element_kind(e)
        if kind is not None:
            raise _not_numbers(name, arr.dtype, kind, e)
    try:
        return arr.astype(np.float64)
    except OverflowError:
        big = next((e for e in arr.flat if _overflows_float(e)), None)
        raise InvalidInputError(
            f"{name} holds {_too_large(big)}, too large for a float (at most about 1.8e308); "
            "pass values within float range (a number this large is almost always a slip, "
            "such as 10**400 where 1e4 was meant)"
        ) from None
    except (ValueError, TypeError):
        bad = next((e for e in arr.flat if not _reads_as_float(e)), None)
        raise _not_numbers(name, arr.dtype, "O", bad) from None


def _reads_as_float(value) -> bool:
    """Whether ``value`` converts to a float64."""
    try:
        np.float64(value)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def as_array(x, name: str) -> np.ndarray:
    """Convert ``x`` to a non-empty real numeric array (no dtype change for numeric input).

    Numbers are bools (taken as 0 and 1), integers and floats; an object array of numbers
    (Python ints beyond int64, fractions, ...) becomes float64. Anything else is refused
    with a message naming ``name`` and the dtype: complex numbers, dates and times
    (``datetime64``), durations (``timedelta64``), text (even text such as ``"0.5"``) and
    records. ``None`` and masked arrays with masked entries (also as the rows of a list)
    are refused; a masked array with nothing masked is taken as its data. Python integers
    too large for float64 are refused with a message naming ``name``.
    """
    if x is None:
        raise InvalidInputError(
            f"{name} is None; pass a number or an array of numbers (a NumPy array or a list)"
        )
    if isinstance(x, np.ma.MaskedArray):
        x = _unmasked(x, name)
    elif isinstance(x, (list, tuple)) and x and isinstance(x[0], np.ndarray):
        # a list of rows: np.asarray would drop the rows' masks without a word
        x = [_unmasked(row, f"{name}[{i}]") if isinstance(row, np.ma.MaskedArray) else row
             for i, row in enumerate(x)]
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidInputError(
            f"{name} could not be read as a numeric array ({exc}); pass a NumPy array or a "
            "rectangular nested list of numbers"
        ) from None
    if arr.dtype.kind == "O":
        arr = _objects_as_float(arr, name)
    elif arr.dtype.kind not in "biuf":
        raise _not_numbers(name, arr.dtype, arr.dtype.kind)
    if arr.size == 0:
        raise InvalidInputError(f"{name} is empty (shape {arr.shape}); pass at least one value")
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind != "f":
        return
    finite = np.isfinite(arr)
    if not finite.all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(arr.size - finite.sum()) - n_nan
        parts = []
        if n_nan:
            parts.append(f"{n_nan} NaN")
        if n_inf:
            parts.append(f"{n_inf} inf")
        raise InvalidInputError(
            f"{name} contains {' and '.join(parts)} value(s); every value must be finite. "
            "Look for a division by zero or a log(0) upstream"
        )


def as_float(x, name: str, dtype=None) -> np.ndarray:
    """A finite, non-empty float array; float32 stays float32, everything else becomes float64."""
    arr = as_array(x, name)
    if dtype is None:
        dtype = float_dtype(arr)
    arr = arr.astype(dtype, copy=False)
    check_finite(arr, name)
    return arr


def tolerance_dtype(arr: np.ndarray) -> np.dtype:
    """The float type whose rounding the values of ``arr`` carry, as the caller passed them.

    A float array keeps its own type (float16 stays float16, although it is computed in
    float64); integers and bools are exact and give float64. Pass it as ``tol_dtype`` to
    :func:`check_rows_sum_to_one` so that a distribution is judged by its own precision.
    """
    return arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)


def as_float_with_tol(x, name: str, dtype=None) -> tuple[np.ndarray, np.dtype]:
    """:func:`as_float` and the :func:`tolerance_dtype` of ``x`` as passed, in one step."""
    raw = as_array(x, name)
    return as_float(raw, name, dtype=dtype), tolerance_dtype(raw)


def check_probabilities(arr: np.ndarray, name: str, *, logits_hint: bool = False) -> None:
    if (arr < 0).any() or (arr > 1).any():
        msg = (
            f"{name} must hold probabilities in [0, 1]; it has values from "
            f"{float(arr.min()):.6g} to {float(arr.max()):.6g}."
        )
        if logits_hint:
            msg += " If these are logits (unnormalised scores), pass from_logits=True."
        elif (arr >= 0).all():
            msg += (f" If these are counts, normalise them: "
                    f"{name} / {name}.sum(axis=-1, keepdims=True).")
        raise InvalidInputError(msg)


def sum_tolerance(dtype: np.dtype, k: int) -> float:
    """How far a row of ``k`` probabilities in ``dtype`` may sum from 1 by rounding alone.

    ``dtype`` may be any numeric type; integers and bools are judged as float64.
    """
    eps = float(np.finfo(tolerance_dtype(np.empty(0, dtype))).eps)
    return max(math.sqrt(eps), 4 * eps * k)


def check_rows_sum_to_one(arr: np.ndarray, name: str, *, logits_hint: bool = False,
                          tol_dtype=None) -> None:
    """Rows along the last axis must sum to 1 within a tolerance scaled to the dtype.

    ``tol_dtype`` is the dtype the caller passed, when ``arr`` has been promoted: a
    float16 or float32 distribution keeps its own tolerance after promotion to float64
    (see :func:`tolerance_dtype` and :func:`as_float_with_tol`).
    """
    sums = arr.sum(axis=-1)
    tol = sum_tolerance(arr.dtype if tol_dtype is None else tol_dtype, arr.shape[-1])
    bad = np.abs(sums - 1) > tol
    if bad.any():
        idx = np.unravel_index(int(np.argmax(bad)), bad.shape)
        where = f"row {idx[0] if len(idx) == 1 else idx}" if idx else "the distribution"
        msg = (
            f"{name} must sum to 1 along the class axis (tolerance {tol:.1e}); "
            f"{int(bad.sum())} row(s) do not, {where} sums to {float(sums[idx]):.10g}. "
            f"Normalise with {name} / {name}.sum(axis=-1, keepdims=True)"
        )
        if logits_hint:
            msg += ", or if these are logits pass from_logits=True (or apply xentlearn.softmax)"
        raise InvalidInputError(msg + ".")


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise InvalidInputError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; "
            "they must have the same shape"
        )


def broadcast_shapes(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> tuple[int, ...]:
    if a.shape[-1] != b.shape[-1]:
        raise InvalidInputError(
            f"{name_a} has shape {a.shape} and {name_b} has shape {b.shape}: the class axis "
            f"has {a.shape[-1]} vs {b.shape[-1]} entries; both must describe the same outcomes"
        )
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise InvalidInputError(
            f"{name_a} has shape {a.shape} and {name_b} has shape {b.shape}, which do not "
            "broadcast; make the leading axes equal or 1"
        ) from None


def move_axis_last(arr: np.ndarray, axis: int, name: str) -> np.ndarray:
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise InvalidInputError(f"axis must be an integer, got {axis!r}")
    if arr.ndim == 0:
        raise InvalidInputError(
            f"{name} is a scalar; pass at least one axis of classes (a distribution)"
        )
    if not -arr.ndim <= axis < arr.ndim:
        raise InvalidInputError(
            f"axis={axis} is out of range for {name} with {arr.ndim} dimension(s) "
            f"(shape {arr.shape})"
        )
    return np.moveaxis(arr, axis, -1) if axis not in (-1, arr.ndim - 1) else arr


def check_bool(value, name: str) -> bool:
    """A flag that must be a real bool (``from_logits="False"`` would otherwise count as True)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        raise InvalidInputError(f"{name} must be True or False, got the string {value!r}; "
                                "write it without quotes")
    raise InvalidInputError(f"{name} must be True or False, got {value!r}")


def check_reduction(reduction) -> str:
    if reduction not in REDUCTIONS:
        raise InvalidInputError(
            f"reduction must be one of 'mean', 'sum' or 'none', got {reduction!r}"
        )
    return reduction


def _real(value: numbers.Real, name: str) -> float:
    """``float(value)``, refusing a number (a Python integer) too large for a float."""
    try:
        return float(value)
    except OverflowError:
        raise InvalidInputError(
            f"{name} is too large for a float (at most about 1.8e308), got {_too_large(value)}"
        ) from None


def log_base(base) -> float | None:
    """``None`` for nats, else ``log(base)``; rejects ``base <= 0``, ``base == 1``, non-numbers."""
    if base is None:
        return None
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise InvalidInputError(
            f"base must be None (nats) or a positive number other than 1 (2 for bits), "
            f"got {base!r}"
        )
    b = _real(base, "base")
    if not math.isfinite(b) or b <= 0 or b == 1:
        raise InvalidInputError(
            f"base must be a finite positive number other than 1 (2 for bits, e for nats), "
            f"got {base!r}"
        )
    return math.log(b)


def check_scalar(value, name: str, *, low: float, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, hint: str = "") -> float:
    """A real scalar in a given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"{name} must be a real number, got {value!r}")
    v = _real(value, name)
    below = v <= low if low_open else v < low
    above = high is not None and (v >= high if high_open else v > high)
    if not math.isfinite(v) or below or above:
        lo = "(" if low_open else "["
        hi = ")" if high_open or high is None else "]"
        interval = f"{lo}{low:g}, {'inf' if high is None else f'{high:g}'}{hi}"
        raise InvalidInputError(f"{name} must be in {interval}, got {value!r}{hint}")
    return v


def check_int(value, name: str, *, low: int, allow_none: bool = False,
              hint: str = "") -> int | None:
    """An integer (not a bool) ``>= low``; ``None`` passes through when ``allow_none``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        none = " or None" if allow_none else ""
        raise InvalidInputError(f"{name} must be an integer >= {low}{none}, got {value!r}{hint}")
    return int(value)


def check_label_smoothing(eps) -> float:
    return check_scalar(eps, "label_smoothing", low=0.0, high=1.0,
                        hint="; 0 is no smoothing, 0.1 a usual choice")


def check_temperature(t) -> float:
    return check_scalar(t, "temperature", low=0.0, low_open=True,
                        hint="; 1 leaves the logits unchanged")


def check_weights(w, name: str, expected: Sequence[int] | int, dtype, what: str) -> np.ndarray:
    """Non-negative finite weights whose shape equals ``expected``.

    ``expected`` is the shape the weights must have, or an int for a 1-D length.
    """
    arr = as_float(w, name, dtype=dtype)
    shape = (expected,) if isinstance(expected, int) else tuple(expected)
    if arr.shape != shape:
        raise InvalidInputError(
            f"{name} has shape {arr.shape}; it must have shape {shape} ({what})"
        )
    if (arr < 0).any():
        raise InvalidInputError(
            f"{name} has negative entries (min {float(arr.min()):.6g}); weights must be >= 0"
        )
    return arr


def sample_weight_for(w, shape: tuple[int, ...], dtype) -> np.ndarray:
    """Sample weights over the leading axes of a loss array of ``shape``, broadcastable to it."""
    arr = as_float(w, "sample_weight", dtype=dtype)
    if arr.ndim > len(shape) or arr.shape != tuple(shape[: arr.ndim]):
        raise InvalidInputError(
            f"sample_weight has shape {arr.shape}; it must match the leading axes of the "
            f"per-sample losses, shape {tuple(shape)} (one weight per sample, e.g. shape "
            f"{tuple(shape[:1])})"
        )
    if (arr < 0).any():
        raise InvalidInputError(
            f"sample_weight has negative entries (min {float(arr.min()):.6g}); weights must be >= 0"
        )
    return arr.reshape(arr.shape + (1,) * (len(shape) - arr.ndim))


def check_ignore_index(ignore_index) -> int | None:
    """``None``, or an integer that fits int64 (the type labels are compared in)."""
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
        raise InvalidInputError(
            f"ignore_index must be an integer or None, got {ignore_index!r}"
        )
    info = np.iinfo(np.int64)
    if not info.min <= ignore_index <= info.max:
        raise InvalidInputError(
            f"ignore_index must be an integer in [{info.min}, {info.max}] (int64) or None, "
            f"got {ignore_index!r}; -100 is the usual padding value"
        )
    return int(ignore_index)


def _shortest(x: np.floating) -> str:
    """The fewest digits that read back as ``x`` in its own float type: 1.9999999999 shows
    as 1.9999999999, not as 2, and a float32 value keeps float32's digits."""
    if 1e-4 <= abs(float(x)) < 1e16:
        return np.format_float_positional(x, unique=True, trim="-")
    return np.format_float_scientific(x, unique=True, trim="-")


def _check_integral(arr: np.ndarray, name: str, must: str, hint: str = "") -> None:
    """Integers, or floats that are finite whole numbers; ``must`` says what they stand for."""
    if arr.dtype.kind == "f":
        check_finite(arr, name)
        fraction = arr != np.round(arr)
        if fraction.any():
            raise InvalidInputError(
                f"{name} {must}; found non-integer values such as "
                f"{_shortest(arr[fraction].flat[0])}{hint}"
            )
    elif arr.dtype.kind not in "biu":
        raise InvalidInputError(f"{name} {must}, got dtype {arr.dtype}")


def check_labels(labels, n_classes: int, shape: tuple[int, ...], ignore_index,
                 pred_name: str = "y_pred") -> np.ndarray:
    """Integer class labels in [0, n_classes), except those equal to ``ignore_index``.

    Returns int64 labels. The range is checked on the values as passed, before the
    conversion to int64, so that a uint64 label beyond int64 (which would wrap round, to
    ``ignore_index`` perhaps) or a float label beyond it is reported with its real value.
    """
    arr = as_array(labels, "labels")
    _check_integral(arr, "labels", "must be integer class indices",
                    ". For one-hot or soft targets use categorical_cross_entropy")
    if arr.shape != tuple(shape):
        raise InvalidInputError(
            f"labels has shape {arr.shape} but {pred_name} has shape "
            f"{tuple(shape) + (n_classes,)}; "
            f"labels must have shape {tuple(shape)}, one integer per sample. For one-hot "
            "targets use categorical_cross_entropy"
        )
    ignore_index = check_ignore_index(ignore_index)
    out = (arr < 0) | (arr >= n_classes)
    if ignore_index is not None:
        if arr.dtype.kind != "u":
            out &= arr != ignore_index
        elif ignore_index >= 0:  # compared as uint64, exactly; a negative one never matches
            out &= arr != np.uint64(ignore_index)
    if out.any():
        bad = int(arr[out].flat[0])
        raise InvalidInputError(
            f"labels must be in [0, {n_classes}) for {n_classes} classes; found {bad} "
            f"({int(out.sum())} label(s) out of range)"
            + (f"; only labels equal to ignore_index={ignore_index} are skipped"
               if ignore_index is not None
               else f"; if {bad} marks padding, pass ignore_index={bad} to skip those samples"
               if bad < 0 else "")
        )
    return arr.astype(np.int64, copy=False)


# --- checks of the calibration, distribution and coding helpers -------------------------------


def check_n_bins(n_bins) -> int:
    """The number of equal-width confidence bins, an integer >= 1."""
    return check_int(n_bins, "n_bins", low=1, hint="; 15 bins of width 1/15 is usual")


def check_class_probs(probs, name: str = "probs", *, binary_ok: bool = True) -> np.ndarray:
    """Predicted probabilities per sample, as float64.

    Shape (N, K) with rows summing to 1 (judged by the precision ``probs`` arrived in),
    or, when ``binary_ok``, shape (N,): the positive class's probability of a binary model.
    """
    p, tol = as_float_with_tol(probs, name, dtype=np.float64)
    if p.ndim != 2 and not (binary_ok and p.ndim == 1):
        binary = ", or (N,) for the positive class of a binary model" if binary_ok else ""
        raise InvalidInputError(f"{name} must have shape (N, K){binary}; got shape {p.shape}")
    check_probabilities(p, name)
    if p.ndim == 2:
        check_rows_sum_to_one(p, name, tol_dtype=tol)
    return p


def check_label_vector(labels, order: str) -> None:
    """Labels one per sample, not a 2-D array: one-hot labels, or arguments swapped."""
    if np.ndim(labels) == 2:
        raise InvalidInputError(
            f"labels must be integer class indices, one per sample; got shape "
            f"{np.shape(labels)}. The arguments go in the order {order}: were they swapped? "
            "For one-hot labels pass labels.argmax(axis=1)"
        )


def check_class_logits(logits, labels, name: str = "logits") -> tuple[np.ndarray, np.ndarray]:
    """Logits per sample as float64, shape (N, K) or (N,) for a binary model, and their labels."""
    z = as_float(logits, name, dtype=np.float64)
    if z.ndim not in (1, 2):
        raise InvalidInputError(
            f"{name} must have shape (N, K), or (N,) for a binary model; got shape {z.shape}"
        )
    if z.ndim == 2 and z.shape[0] >= 2 and z.shape[1] >= 2 and z.min() >= 0 and z.max() <= 1 \
            and np.any((z > 0) & (z < 1)) \
            and np.all(np.abs(z.sum(axis=1) - 1) <= sum_tolerance(np.float64, z.shape[1])):
        raise InvalidInputError(
            f"{name} look like probabilities (every row in [0, 1], summing to 1); pass logits, "
            "the scores before softmax, such as model.decision_function(X_val)"
        )
    check_label_vector(labels, f"({name}, labels)")
    lab = check_labels(labels, 2 if z.ndim == 1 else z.shape[1], z.shape[:1], None,
                       pred_name=name)
    return z, lab


def check_has_mistakes(correct: np.ndarray) -> None:
    """A temperature can be fitted only if some sample's top class is not its label."""
    if correct.all():
        raise InvalidInputError(
            "every sample is classified correctly, so the likelihood keeps growing as T -> 0 "
            "and no temperature maximises it; fit T on held-out data with some mistakes"
        )


def check_one_distribution(arr: np.ndarray, name: str) -> None:
    if arr.ndim != 1:
        raise InvalidInputError(f"{name} must be one distribution (1-D), got shape {arr.shape}")


def check_mixture(means, stds, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Component means and widths (1-D, one each), and weights normalised to sum to 1."""
    ms = np.atleast_1d(as_float(means, "means"))
    ss = np.atleast_1d(as_float(stds, "stds"))
    if ms.ndim != 1:
        raise InvalidInputError(f"means must be 1-D, one per component; got shape {ms.shape}")
    if ms.shape != ss.shape:
        raise InvalidInputError(
            f"means has shape {ms.shape} but stds has shape {ss.shape}; give one std per mean"
        )
    if weights is None:
        w = np.ones_like(ms)
    else:
        w = np.atleast_1d(as_float(weights, "weights"))
    if w.shape != ms.shape or (w < 0).any() or w.max() == 0:
        raise InvalidInputError(
            "weights must be non-negative, one per mean, and not all zero"
        )
    with np.errstate(under="ignore"):  # a weight 1e-310 times smaller than the largest is 0
        w = w / w.max()  # first, as the sum of weights near 1e308 would overflow
        return ms, ss, w / w.sum()


def check_grid_distances(r_min: float) -> None:
    """The grid point nearest the mean must lie within float range, in standard deviations."""
    if not math.isfinite(r_min):
        raise InvalidInputError(
            "every grid point is more than 1e308 standard deviations (std) from the mean, "
            "beyond float range; widen std or put the grid around the mean"
        )



# --- datasets ---


def check_str(value, name: str) -> str:
    """A ``str``."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a str, got {type(value).__name__}")
    return value


def check_choice(value, name: str, choices: Sequence[str]) -> str:
    """One of a few named options (``optimizer="adam"``)."""
    if not isinstance(value, str) or value not in choices:
        names = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"
        raise InvalidInputError(f"{name} must be {names}, got {value!r}")
    return value


def as_int_labels(y, name: str) -> np.ndarray:
    """1-D integer class labels (integral floats are accepted) as int64."""
    arr = as_array(y, name)
    if arr.ndim != 1:
        raise InvalidInputError(f"{name} must be 1-D, one label per sample; got shape {arr.shape}")
    _check_integral(arr, name, "must hold integer class labels")
    return arr.astype(np.int64)


def check_fraction(value, name: str) -> float:
    """A share strictly between 0 and 1 (``val_size=0.2``)."""
    return check_scalar(value, name, low=0.0, high=1.0, low_open=True, high_open=True,
                        hint="; a fraction such as 0.2")


def check_split_sizes(val_size: float, test_size: float) -> None:
    """Validation and test shares that leave something to train on."""
    if val_size + test_size >= 1:
        raise InvalidInputError(
            f"val_size + test_size must be below 1 (something must be left to train on), "
            f"got {val_size} + {test_size}"
        )


def check_chunk_split(n_chunks: int, n_val: int, n_test: int, chunk_chars: int,
                      val_size: float, test_size: float) -> None:
    """At least one chunk for validation, one for test and one for training."""
    if n_test < 1 or n_val < 1 or n_test + n_val >= n_chunks:
        raise InvalidInputError(
            f"the text gives {n_chunks} chunk(s) of {chunk_chars} characters, too few for a "
            f"validation and a test part of {val_size} and {test_size} of them; pass a longer "
            "text or a smaller chunk_chars"
        )


def check_enough_text(n_chars: int, min_chars: int) -> None:
    """The text gathered has at least ``min_chars`` characters."""
    if n_chars < min_chars:
        raise InvalidInputError(
            f"the standard library's docstrings give only {n_chars:,} characters here, fewer "
            f"than min_chars={min_chars:,}; ask for less"
        )


def check_in_alphabet(text, alphabet: str) -> None:
    """Every character of ``text`` is one of ``alphabet``."""
    known = set(alphabet)
    missing = next((c for c in text if c not in known), None)
    if missing is not None:
        raise InvalidInputError(
            f"character {missing!r} is not in the alphabet {alphabet!r}; "
            "normalise the text with normalize_text first"
        )


def as_samples(X, y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as a finite 2-D float array and ``y`` as 1-D integer labels, one per row of ``X``."""
    Xa = check_matrix(X, "X", dtype=None)
    ya = as_int_labels(y, "y")
    if ya.shape[0] != Xa.shape[0]:
        raise InvalidInputError(
            f"y has {ya.shape[0]} labels but X has {Xa.shape[0]} rows; they must match"
        )
    return Xa, ya


# --- imbalance ---


def check_class_present(label: int, y: np.ndarray, name: str) -> None:
    """``label`` occurs among the integer labels ``y``."""
    if not (y == label).any():
        raise InvalidInputError(
            f"{name} {label} does not occur in y (labels: {np.unique(y).tolist()[:20]})"
        )


def check_flip_classes(n_classes, y: np.ndarray) -> int:
    """The number of classes for flipping labels: at least 2, and covering every label of ``y``.

    ``None`` takes ``max(y) + 1``.
    """
    k = check_int(n_classes, "n_classes", low=2, allow_none=True,
                  hint="; flipping a label needs at least 2 classes")
    if k is None:
        k = int(y.max()) + 1
        if k < 2:
            raise InvalidInputError(
                f"flipping a label needs at least 2 classes, got n_classes = {k} (taken as "
                "max(y) + 1; pass n_classes)"
            )
    if y.min() < 0 or y.max() >= k:
        bad = int(y[(y < 0) | (y >= k)][0])
        raise InvalidInputError(f"y must hold labels in [0, {k}) for {k} classes; found {bad}")
    return k


# --- estimators: the options of a model and the data of fit and predict ----------------------


def check_matrix(x, name: str = "X", dtype=np.float64) -> np.ndarray:
    """Features as a finite float array of shape (n_samples, n_features); float64 unless
    ``dtype`` is None (float32 then stays float32, as in :func:`as_float`)."""
    arr = as_float(x, name, dtype=dtype)
    if arr.ndim != 2:
        raise InvalidInputError(
            f"{name} must be 2-D, shape (n_samples, n_features); got shape {arr.shape}"
            + (". For a single feature use X.reshape(-1, 1)" if arr.ndim == 1 else "")
        )
    return arr


def check_sample_labels(y, n_samples: int, name: str = "y") -> np.ndarray:
    """One label (any sortable value; floats finite) per row of the features."""
    arr = np.asarray(y)
    if arr.ndim != 1 or arr.shape[0] != n_samples:
        raise InvalidInputError(
            f"{name} must be 1-D with one label per row of X ({n_samples}); got shape "
            f"{arr.shape}"
        )
    if arr.dtype.kind == "f":
        check_finite(arr, name)
    return arr


def check_n_features(x: np.ndarray, expected: int, name: str, source: str) -> None:
    """``x`` has ``expected`` columns, as ``source`` (e.g. "X has") did."""
    if x.shape[1] != expected:
        raise InvalidInputError(f"{name} has {x.shape[1]} features but {source} {expected}")


def check_param_names(params, names: Sequence[str], model: str) -> None:
    """Every key of ``params`` (``set_params(**params)``) is a parameter of the model."""
    for name in params:
        if name not in names:
            raise InvalidInputError(f"{model} has no parameter {name!r}; it has {sorted(names)}")


def check_model_loss(loss, choices: Sequence[str], model: str) -> str:
    """One of the losses the model takes; ``"squared_error"`` outside them names its model."""
    if loss == "squared_error" and loss not in choices:
        raise InvalidInputError(
            f"loss='squared_error' is for LogisticRegression; {model} takes "
            f"loss={choices[0]!r} or {choices[1]!r}"
        )
    return check_choice(loss, "loss", choices)


def check_n_classes(classes: np.ndarray, model: str, *, binary: bool) -> int:
    """Two classes or more, exactly two for a binary model; returns their number."""
    k = len(classes)
    if binary and k != 2:
        raise InvalidInputError(
            f"{model} needs exactly 2 classes, got {k}: {classes.tolist()[:10]}. "
            "For more use SoftmaxRegression"
        )
    if k < 2:
        raise InvalidInputError(f"y has a single class {classes.tolist()}; "
                                "a classifier needs at least 2")
    return k


def encode_labels(y: np.ndarray, classes: np.ndarray, name: str) -> np.ndarray:
    """The index in ``classes`` (sorted, distinct) of every label of ``y``, as int64."""
    idx = np.searchsorted(classes, y)
    idx = np.clip(idx, 0, len(classes) - 1)
    bad = classes[idx] != y
    if bad.any():
        raise InvalidInputError(
            f"{name} has label {y[bad][0].tolist()!r}, which is not among the classes "
            f"{classes.tolist()}"
            + (" seen in y; pass classes=... to fit" if name != "y" else "")
        )
    return idx.astype(np.int64)


def check_validation_pair(X_val, y_val, early_stopping: bool) -> bool:
    """Validation data given whole (both or neither), and given if early stopping needs it.

    Returns whether it was given.
    """
    if X_val is not None or y_val is not None:
        if X_val is None or y_val is None:
            raise InvalidInputError("pass both X_val and y_val, or neither")
        return True
    if early_stopping:
        raise InvalidInputError(
            "early_stopping=True needs validation data: fit(X, y, X_val, y_val)"
        )
    return False


def check_class_weight(class_weight, classes: np.ndarray):
    """``None``, ``"balanced"``, or one weight per class as a float64 array.

    A mapping ``{label: weight}`` names labels among ``classes``; a class it leaves
    out gets weight 1.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise InvalidInputError(
                f"class_weight must be None, 'balanced' or a mapping, got {class_weight!r}"
            )
        return class_weight
    if not isinstance(class_weight, Mapping):
        raise InvalidInputError(
            f"class_weight must be None, 'balanced' or a mapping {{label: weight}}, got "
            f"{type(class_weight).__name__}"
        )
    known = set(classes.tolist())
    unknown = [c for c in class_weight if c not in known]
    if unknown:
        raise InvalidInputError(
            f"class_weight has labels {unknown} that are not among the classes "
            f"{classes.tolist()}"
        )
    weights = np.array([class_weight.get(c, 1.0) for c in classes.tolist()], dtype=np.float64)
    return check_weights(weights, "class_weight", len(classes), np.float64,
                         "one weight per class")


def check_some_weight(class_weight: np.ndarray | None, y: np.ndarray) -> None:
    """Class weights that leave at least one sample of ``y`` (class indices) a weight."""
    if class_weight is not None and not class_weight[y].any():
        raise InvalidInputError(
            "class_weight gives every sample of y weight 0, so there is no loss to "
            "minimise; give at least one class present in y a positive weight"
        )


def check_params(params, reference: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A dict with an array of the shape of each array of ``reference`` (a model's
    ``params_``), as float64; keys not in ``reference`` are ignored."""
    if not isinstance(params, Mapping):
        raise InvalidInputError(
            f"params must be a dict of arrays like params_ (keys {list(reference)}), "
            f"got {type(params).__name__}"
        )
    missing = [name for name in reference if name not in params]
    if missing:
        shapes = ", ".join(f"{n!r} of shape {reference[n].shape}" for n in reference)
        raise InvalidInputError(
            f"params has no {', '.join(repr(n) for n in missing)}; pass a dict with "
            f"{shapes} (as params_)"
        )
    checked = {name: as_float(params[name], f"params[{name!r}]", dtype=np.float64)
               for name in reference}
    for name, p in checked.items():
        check_same_shape(p, reference[name], f"params[{name!r}]", f"params_[{name!r}]")
    return checked


def check_is_fitted(model, attribute: str = "params_") -> None:
    """The model has been fitted (has ``attribute``), as scikit-learn's ``check_is_fitted``."""
    if not hasattr(model, attribute):
        raise InvalidInputError(
            f"this {type(model).__name__} is not fitted yet; call fit(X, y) first"
        )


def check_not_diverged(z: np.ndarray) -> None:
    """Finite logits during training; an overflow means the weights grew without bound."""
    if not np.isfinite(z).all():
        raise InvalidInputError(
            "the logits overflowed: the weights have grown without bound (training "
            "diverged); lower learning_rate"
        )
