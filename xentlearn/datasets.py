"""Real data for the training chapters, all of it already on disk: nothing is downloaded.

* :func:`load_digits_split` and :func:`load_breast_cancer_split`: the two small
  data sets that ship inside scikit-learn (8x8 handwritten digits, 10 classes;
  Wisconsin breast cancer, 2 classes), split into seeded, stratified
  train / validation / test parts and standardised with the training part's
  statistics only.
* :func:`load_text`: English prose that ships with Python itself, the docstrings of
  a fixed list of standard-library modules, read at run time (nothing of it is
  copied into this project), lower-cased and reduced to a small alphabet.
  :func:`char_bigram_split` integer-encodes it for a character-level bigram
  language model.
* :func:`make_imbalanced`, :func:`resample_balanced` and :func:`flip_labels`: the
  skewed classes, the oversampling and the label noise of the pitfalls chapter.
"""

from __future__ import annotations

import importlib
import inspect
import numbers
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import InvalidInputError

__all__ = [
    "Split",
    "CharSplit",
    "TEXT_ALPHABET",
    "TEXT_MODULES",
    "load_digits_split",
    "load_breast_cancer_split",
    "load_text",
    "normalize_text",
    "char_bigram_split",
]


# --- tabular data ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Split:
    """A data set split into train / validation / test parts (arrays are read-only).

    Attributes
    ----------
    X_train, X_val, X_test : ndarray, shapes (N_train, D), (N_val, D), (N_test, D)
        Standardised features: ``(x - mean) / std`` with ``mean`` and ``std`` of the
        training part (``std`` 1 for a constant feature).
    y_train, y_val, y_test : ndarray of int64, shapes (N_train,), (N_val,), (N_test,)
        Class indices in ``[0, K)``.
    feature_names : tuple of str, length D
    class_names : tuple of str, length K
        ``class_names[k]`` names label ``k``.
    mean, std : ndarray, shape (D,)
        The training statistics used for standardising.
    images_test : ndarray of shape (N_test, 8, 8), or None
        For the digits: the test images, unstandardised (grey levels 0..16), to look
        at misclassified examples.

    Examples
    --------
    >>> s = load_breast_cancer_split()
    >>> s
    Split(train=343, val=113, test=113, features=30, classes=2)
    >>> s.X_train.shape, s.y_train.shape, s.class_names
    ((343, 30), (343,), ('malignant', 'benign'))
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    images_test: np.ndarray | None = None

    @property
    def n_classes(self) -> int:
        """K, the number of classes."""
        return len(self.class_names)

    @property
    def n_features(self) -> int:
        """D, the number of features."""
        return int(self.X_train.shape[1])

    def __repr__(self) -> str:
        return (f"Split(train={self.X_train.shape[0]}, val={self.X_val.shape[0]}, "
                f"test={self.X_test.shape[0]}, features={self.n_features}, "
                f"classes={self.n_classes})")


def _check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise InvalidInputError(f"{name} must be a fraction in (0, 1), got {value!r}")
    return float(value)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InvalidInputError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def stratified_indices(y: np.ndarray, *, seed: int, val_size: float,
                       test_size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded, stratified train / validation / test index arrays (each sorted).

    In each class of ``n`` samples, ``round(test_size * n)`` go to the test part,
    ``round(val_size * n)`` to the validation part and the rest to training, so every
    part has (up to rounding) the class proportions of the whole.
    """
    seed = _check_seed(seed)
    val_size = _check_fraction(val_size, "val_size")
    test_size = _check_fraction(test_size, "test_size")
    if val_size + test_size >= 1:
        raise InvalidInputError(
            f"val_size + test_size must be below 1 (something must be left to train on), "
            f"got {val_size} + {test_size}"
        )
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for k in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == k))
        n_test = int(round(test_size * idx.size))
        n_val = int(round(val_size * idx.size))
        parts[2].append(idx[:n_test])
        parts[1].append(idx[n_test:n_test + n_val])
        parts[0].append(idx[n_test + n_val:])
    train, val, test = (np.sort(np.concatenate(p)) for p in parts)
    return train, val, test


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def _make_split(X, y, feature_names, class_names, *, seed, val_size, test_size,
                images=None) -> Split:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    tr, va, te = stratified_indices(y, seed=seed, val_size=val_size, test_size=test_size)
    mean = X[tr].mean(axis=0)
    std = X[tr].std(axis=0)
    std = np.where(std > 0, std, 1.0)

    def standardise(rows):
        return _readonly((X[rows] - mean) / std)

    return Split(
        X_train=standardise(tr), y_train=_readonly(y[tr]),
        X_val=standardise(va), y_val=_readonly(y[va]),
        X_test=standardise(te), y_test=_readonly(y[te]),
        feature_names=tuple(str(f) for f in feature_names),
        class_names=tuple(str(c) for c in class_names),
        mean=_readonly(mean), std=_readonly(std),
        images_test=None if images is None else _readonly(np.asarray(images, float)[te]),
    )


def load_digits_split(seed: int = 0, val_size: float = 0.2, test_size: float = 0.2) -> Split:
    """scikit-learn's 1,797 handwritten digits (8x8 grey images, classes 0..9), split.

    Parameters
    ----------
    seed : int
        Seeds the stratified split; the same seed gives the same split.
    val_size, test_size : float
        Fractions of each class that go to the validation and test parts; the rest
        (by default 60 %) is for training.

    Returns
    -------
    Split
        64 standardised pixel features; ``class_names`` ``("0", ..., "9")``;
        ``images_test`` holds the unstandardised 8x8 test images.

    Examples
    --------
    >>> s = load_digits_split()
    >>> s.X_train.shape, s.X_val.shape, s.X_test.shape
    ((1079, 64), (359, 64), (359, 64))
    """
    from sklearn.datasets import load_digits

    d = load_digits()
    names = getattr(d, "feature_names", None) or [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    return _make_split(d.data, d.target, names, [str(c) for c in d.target_names], seed=seed,
                       val_size=val_size, test_size=test_size, images=d.images)


def load_breast_cancer_split(seed: int = 0, val_size: float = 0.2,
                             test_size: float = 0.2) -> Split:
    """The Wisconsin breast cancer data shipped with scikit-learn (569 tumours, 30 features).

    Label 0 is ``"malignant"`` (212 samples), label 1 ``"benign"`` (357): a binary
    classifier's positive class is *benign*, as in scikit-learn.

    Parameters
    ----------
    seed, val_size, test_size
        As in :func:`load_digits_split`.

    Returns
    -------
    Split
        30 standardised features (``feature_names`` such as ``"mean radius"``).

    Examples
    --------
    >>> s = load_breast_cancer_split()
    >>> s.X_train.shape, s.X_val.shape, s.X_test.shape
    ((343, 30), (113, 30), (113, 30))
    >>> s.feature_names[0], s.class_names[1]
    ('mean radius', 'benign')
    """
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer()
    return _make_split(d.data, d.target, d.feature_names, d.target_names, seed=seed,
                       val_size=val_size, test_size=test_size)


# --- text -----------------------------------------------------------------------------------

#: The characters :func:`load_text` keeps (sorted): newline, space, some punctuation, a-z.
TEXT_ALPHABET = "\n !'(),-.:;?abcdefghijklmnopqrstuvwxyz"

#: Pure-Python standard-library modules whose docstrings make up :func:`load_text`, in the
#: order they are read. All exist, unchanged in purpose, from Python 3.10 on.
TEXT_MODULES: tuple[str, ...] = tuple(sorted("""
    abc argparse ast base64 bisect calendar cmd code codecs collections colorsys
    configparser contextlib copy csv dataclasses difflib doctest email.message enum
    filecmp fileinput fnmatch fractions ftplib functools getopt gettext glob gzip heapq hmac
    html.parser http.client http.cookiejar http.server imaplib inspect ipaddress json
    logging mailbox mimetypes numbers operator optparse os pathlib pickle pkgutil platform
    poplib pprint queue quopri random re sched secrets shelve shlex shutil smtplib socket
    socketserver statistics string subprocess tarfile tempfile textwrap threading timeit
    tokenize trace traceback urllib.parse urllib.request uuid warnings wave weakref
    xml.dom.minidom zipfile
""".split()))

_KEEP = frozenset(TEXT_ALPHABET)


def _own_doc(obj) -> str | None:
    """The docstring an object defines itself (not one inherited from a base class)."""
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def _module_docs(name: str) -> list[str]:
    """Docstrings of module ``name``, then of its classes (each followed by its methods) and
    functions, in alphabetical order; only objects defined in the module itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = importlib.import_module(name)
    docs = [_own_doc(module)]
    for _, obj in sorted(vars(module).items()):
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if getattr(obj, "__module__", None) != name:
            continue
        docs.append(_own_doc(obj))
        if inspect.isclass(obj):
            docs.extend(_own_doc(m) for _, m in sorted(vars(obj).items())
                        if inspect.isfunction(m))
    return [d for d in docs if d]


def normalize_text(text: str) -> str:
    """Lower-case ``text`` and reduce it to :data:`TEXT_ALPHABET`.

    Accents are stripped (NFKD), every other character outside the alphabet becomes a
    space, runs of spaces become one, lines are stripped and runs of blank lines become
    one blank line.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        Characters from :data:`TEXT_ALPHABET` only.

    Examples
    --------
    >>> normalize_text("Return   the  CAFÉ's  value_1.\\n\\n\\n\\nDone!")
    "return the cafe's value .\\n\\ndone!"
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a str, got {type(text).__name__}")
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c if c in _KEEP else ("" if unicodedata.combining(c) else " ")
                   for c in text)
    lines = (re.sub(" +", " ", line).strip() for line in text.split("\n"))
    text = "\n".join(lines)
    return re.sub("\n{3,}", "\n\n", text).strip("\n")


def load_text(min_chars: int = 200_000) -> str:
    """English text from Python's own standard library: the docstrings of its modules.

    Reads the docstrings of the modules in :data:`TEXT_MODULES` (in that order; per
    module: the module, then its classes with their methods and its functions,
    alphabetically, each docstring once), normalises each with
    :func:`normalize_text`, and joins them with blank lines, stopping after the first
    module that brings the total to ``min_chars`` characters. Deterministic for a
    given Python version (about 600,000 characters are available with all modules).

    Parameters
    ----------
    min_chars : int
        At least this many characters are returned.

    Returns
    -------
    str
        Characters from :data:`TEXT_ALPHABET` only.

    Raises
    ------
    InvalidInputError
        If all the modules together give fewer than ``min_chars`` characters.

    Examples
    --------
    >>> text = load_text(min_chars=1000)
    >>> len(text) >= 1000, set(text) <= set(TEXT_ALPHABET)
    (True, True)
    """
    if isinstance(min_chars, bool) or not isinstance(min_chars, numbers.Integral) \
            or min_chars < 1:
        raise InvalidInputError(f"min_chars must be a positive integer, got {min_chars!r}")
    pieces: list[str] = []
    seen: set[str] = set()
    total = 0
    for name in TEXT_MODULES:
        try:
            docs = _module_docs(name)
        except ImportError:  # pragma: no cover - a trimmed Python installation
            continue
        for doc in docs:
            clean = normalize_text(doc)
            if clean and clean not in seen:
                seen.add(clean)
                pieces.append(clean)
                total += len(clean) + 2
        if total >= min_chars:
            return "\n\n".join(pieces)
    raise InvalidInputError(
        f"the standard library's docstrings give only {total:,} characters here, fewer than "
        f"min_chars={min_chars:,}; ask for less"
    )


@dataclass(frozen=True, eq=False)
class CharSplit:
    """Integer-encoded text split into train / validation / test parts.

    Attributes
    ----------
    train, val, test : ndarray of int64, 1-D
        Character codes: ``alphabet[code]`` is the character.
    alphabet : str
        The sorted distinct characters of the whole text; K = ``len(alphabet)``.

    Examples
    --------
    >>> split = char_bigram_split("the cat sat on the mat. " * 100, chunk_chars=100)
    >>> split.alphabet, split.n_classes
    (' .acehmnost', 11)
    >>> split.encode("cat").tolist(), split.decode([3, 2, 10])
    ([3, 2, 10], 'cat')
    >>> x, y = split.bigrams("train", one_hot=True)
    >>> x.shape, y.shape
    ((1999, 11), (1999,))
    """

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    alphabet: str

    @property
    def n_classes(self) -> int:
        """K, the alphabet size."""
        return len(self.alphabet)

    def encode(self, text: str) -> np.ndarray:
        """The codes of the characters of ``text``, shape ``(len(text),)``."""
        index = {c: i for i, c in enumerate(self.alphabet)}
        try:
            return np.array([index[c] for c in text], dtype=np.int64)
        except KeyError as exc:
            raise InvalidInputError(
                f"character {exc.args[0]!r} is not in the alphabet {self.alphabet!r}; "
                "normalise the text with normalize_text first"
            ) from None

    def decode(self, codes: Sequence[int] | np.ndarray) -> str:
        """The text that ``codes`` stand for."""
        return "".join(self.alphabet[int(c)] for c in np.asarray(codes).ravel())

    def bigrams(self, part: str = "train", *,
                one_hot: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (previous character, next character) of one part.

        Parameters
        ----------
        part : {"train", "val", "test"}
        one_hot : bool
            If true, the previous characters come as one-hot rows, shape (M, K), ready
            for :class:`xentlearn.models.SoftmaxRegression` (whose weights then are the
            bigram model's logit table); else as codes, shape (M,).

        Returns
        -------
        (x, y)
            ``x``: previous characters, shape (M,) or (M, K); ``y``: next characters,
            shape (M,), with ``M = len(part) - 1``.
        """
        if part not in ("train", "val", "test"):
            raise InvalidInputError(f"part must be 'train', 'val' or 'test', got {part!r}")
        seq = getattr(self, part)
        prev, nxt = seq[:-1], seq[1:]
        if one_hot:
            prev = np.eye(self.n_classes)[prev]
        return prev, nxt


def char_bigram_split(text: str, seed: int = 0, val_size: float = 0.1, test_size: float = 0.1,
                      chunk_chars: int = 2000) -> CharSplit:
    """Cut ``text`` into chunks, deal them to train / validation / test, and encode them.

    The text is cut into consecutive chunks of ``chunk_chars`` characters; a seeded
    random ``round(test_size * n)`` of the ``n`` chunks form the test part and
    ``round(val_size * n)`` the validation part, each part keeping its chunks in text
    order. The alphabet is the sorted set of the text's characters.

    Parameters
    ----------
    text : str
        E.g. :func:`load_text`'s.
    seed : int
        Seeds the choice of chunks.
    val_size, test_size : float
        Fractions of the chunks.
    chunk_chars : int
        Chunk length; long chunks keep held-out text contiguous (fewer seams).

    Returns
    -------
    CharSplit
        Codes of shape (N_train,), (N_val,), (N_test,) adding up to ``len(text)``.

    Examples
    --------
    2,400 characters make 24 chunks of 100: 2 for validation, 2 for test.

    >>> split = char_bigram_split("the cat sat on the mat. " * 100, chunk_chars=100)
    >>> split.train.shape, split.val.shape, split.test.shape
    ((2000,), (200,), (200,))
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"text must be a str, got {type(text).__name__}")
    if isinstance(chunk_chars, bool) or not isinstance(chunk_chars, numbers.Integral) \
            or chunk_chars < 2:
        raise InvalidInputError(f"chunk_chars must be an integer >= 2, got {chunk_chars!r}")
    seed = _check_seed(seed)
    val_size = _check_fraction(val_size, "val_size")
    test_size = _check_fraction(test_size, "test_size")
    n_chunks = -(-len(text) // chunk_chars)
    n_test, n_val = int(round(test_size * n_chunks)), int(round(val_size * n_chunks))
    if n_test < 1 or n_val < 1 or n_test + n_val >= n_chunks:
        raise InvalidInputError(
            f"the text gives {n_chunks} chunk(s) of {chunk_chars} characters, too few for a "
            f"validation and a test part of {val_size} and {test_size} of them; pass a longer "
            "text or a smaller chunk_chars"
        )
    alphabet = "".join(sorted(set(text)))
    lookup = np.zeros(max(map(ord, alphabet)) + 1, dtype=np.int64)
    lookup[[ord(c) for c in alphabet]] = np.arange(len(alphabet))
    codes = lookup[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    order = np.random.default_rng(seed).permutation(n_chunks)
    owner = np.zeros(n_chunks, dtype=np.int64)  # 0 train, 1 val, 2 test
    owner[order[:n_test]] = 2
    owner[order[n_test:n_test + n_val]] = 1
    per_char = np.repeat(owner, chunk_chars)[:len(text)]
    return CharSplit(*(_readonly(codes[per_char == k]) for k in (0, 1, 2)), alphabet=alphabet)


# --- pitfalls: class imbalance and label noise (chapter 08) --------------------------------

from . import _validation as _v  # noqa: E402

__all__ += ["make_imbalanced", "resample_balanced", "flip_labels"]


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as a finite 2-D float array and ``y`` as 1-D integer labels, one per row of ``X``."""
    Xa = _v.as_float(X, "X")
    if Xa.ndim != 2:
        raise InvalidInputError(
            f"X must be 2-D, shape (n_samples, n_features); got shape {Xa.shape}"
            + (". For a single feature use X.reshape(-1, 1)" if Xa.ndim == 1 else "")
        )
    ya = _check_int_labels(y, "y")
    if ya.shape[0] != Xa.shape[0]:
        raise InvalidInputError(
            f"y has {ya.shape[0]} labels but X has {Xa.shape[0]} rows; they must match"
        )
    return Xa, ya


def _check_int_labels(y, name: str) -> np.ndarray:
    """1-D integer labels (integral floats are accepted) as int64."""
    arr = _v.as_array(y, name)
    if arr.ndim != 1:
        raise InvalidInputError(f"{name} must be 1-D, one label per sample; got shape {arr.shape}")
    if arr.dtype.kind == "f":
        _v.check_finite(arr, name)
        if not (arr == np.round(arr)).all():
            raise InvalidInputError(
                f"{name} must hold integer class labels; found non-integer values such as "
                f"{float(arr[arr != np.round(arr)][0]):g}"
            )
    elif arr.dtype.kind not in "biu":
        raise InvalidInputError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    return arr.astype(np.int64)


def make_imbalanced(X, y, minority_class: int, keep_fraction: float,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""A skewed subset: every sample of the other classes, a fraction of one class.

    Keeps a seeded random :math:`\max(1, \mathrm{round}(f \, n_m))` of the
    :math:`n_m` samples of ``minority_class`` (``f`` = ``keep_fraction``) and all
    the others, so that class becomes rarer. Apply it with the same fraction to the
    training and the test part to make a whole problem imbalanced; to the
    training part alone, it also shifts the class balance between training and test.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features.
    y : array_like of int, shape (N,)
        Class labels.
    minority_class : int
        The label to thin out; it must occur in ``y``.
    keep_fraction : float
        In (0, 1]: the share of that class's samples to keep (1 keeps all).
    seed : int
        Seeds the choice; the same seed gives the same subset.

    Returns
    -------
    (X_sub, y_sub) : ndarrays, shapes (M, D) and (M,)
        New arrays (``y_sub`` of int64), rows in their original order.

    Examples
    --------
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    >>> X_sub, y_sub = make_imbalanced(X, y, minority_class=1, keep_fraction=0.5)
    >>> y_sub.tolist()
    [0, 0, 0, 0, 0, 0, 1, 1]
    """
    Xa, ya = _check_xy(X, y)
    if isinstance(minority_class, bool) or not isinstance(minority_class, numbers.Integral):
        raise InvalidInputError(
            f"minority_class must be an integer label, got {minority_class!r}"
        )
    frac = _v.check_scalar(keep_fraction, "keep_fraction", low=0.0, high=1.0, low_open=True,
                           hint="; 0.1 keeps a tenth of the class")
    seed = _check_seed(seed)
    members = np.flatnonzero(ya == minority_class)
    if members.size == 0:
        raise InvalidInputError(
            f"minority_class {minority_class} does not occur in y (labels: "
            f"{np.unique(ya).tolist()[:20]})"
        )
    n_keep = max(1, int(round(frac * members.size)))
    kept = np.random.default_rng(seed).choice(members, size=n_keep, replace=False)
    rows = np.sort(np.concatenate([np.flatnonzero(ya != minority_class), kept]))
    return Xa[rows].copy(), ya[rows].copy()


def resample_balanced(X, y, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random oversampling: copies of the smaller classes' samples until all classes are equal.

    Every class gets as many samples as the largest one: all its own samples, plus
    samples drawn from it at random *with replacement* (seeded). Nothing new is
    created; a rare class's few samples simply count several times, which in
    expectation weights the loss like ``class_weight="balanced"``.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features (the training part only: never resample the test part).
    y : array_like of int, shape (N,)
        Class labels.
    seed : int
        Seeds the draws.

    Returns
    -------
    (X_res, y_res) : ndarrays, shapes (K * n_max, D) and (K * n_max,)
        The original rows first, in order, then the drawn copies class by class
        (``K`` the number of distinct labels, ``n_max`` the largest class count).

    Examples
    --------
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> X_res, y_res = resample_balanced(X, [0, 0, 0, 1, 1])
    >>> np.bincount(y_res).tolist()
    [3, 3]
    """
    Xa, ya = _check_xy(X, y)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    labels, counts = np.unique(ya, return_counts=True)
    largest = int(counts.max())
    extra = [rng.choice(np.flatnonzero(ya == k), size=largest - int(c), replace=True)
             for k, c in zip(labels, counts, strict=True)]
    rows = np.concatenate([np.arange(ya.size), *extra])
    return Xa[rows].copy(), ya[rows].copy()


def flip_labels(y, fraction: float, seed: int = 0, n_classes: int | None = None) -> np.ndarray:
    """Symmetric label noise: a share of the labels replaced by a different, random class.

    Chooses a seeded random ``round(fraction * N)`` of the ``N`` samples and gives
    each a new label drawn uniformly from the ``K - 1`` classes other than its own,
    so exactly that many labels are wrong.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class labels in ``[0, K)``.
    fraction : float
        In [0, 1]: the share of labels to flip.
    seed : int
        Seeds which labels flip and to what.
    n_classes : int, optional
        ``K``; default ``max(y) + 1``. At least 2.

    Returns
    -------
    ndarray of int64, shape (N,)
        The noisy labels (a new array; ``y`` is unchanged). ``noisy != y`` marks the
        flipped samples.

    Examples
    --------
    >>> y = np.zeros(10, dtype=int)
    >>> noisy = flip_labels(y, 0.3, n_classes=3)
    >>> int((noisy != y).sum())
    3
    """
    ya = _check_int_labels(y, "y")
    frac = _v.check_scalar(fraction, "fraction", low=0.0, high=1.0,
                           hint="; 0.3 flips 30 % of the labels")
    seed = _check_seed(seed)
    if n_classes is None:
        k = int(ya.max()) + 1
    elif isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral):
        raise InvalidInputError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    else:
        k = int(n_classes)
    if k < 2:
        raise InvalidInputError(
            f"flipping a label needs at least 2 classes, got n_classes = {k}"
            + (" (taken as max(y) + 1; pass n_classes)" if n_classes is None else "")
        )
    if ya.min() < 0 or ya.max() >= k:
        bad = int(ya[(ya < 0) | (ya >= k)][0])
        raise InvalidInputError(f"y must hold labels in [0, {k}) for {k} classes; found {bad}")
    rng = np.random.default_rng(seed)
    n_flip = int(round(frac * ya.size))
    rows = rng.choice(ya.size, size=n_flip, replace=False)
    noisy = ya.copy()
    noisy[rows] = (ya[rows] + rng.integers(1, k, size=n_flip)) % k
    return noisy
