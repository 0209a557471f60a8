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

The skewed classes, the oversampling and the label noise of the pitfalls chapter
are made from these data by :mod:`xentlearn.imbalance`.
"""

from __future__ import annotations

import importlib
import inspect
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _validation as _v

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


def stratified_indices(y: np.ndarray, *, seed: int, val_size: float,
                       test_size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded, stratified train / validation / test index arrays (each sorted).

    In each class of ``n`` samples, ``round(test_size * n)`` go to the test part,
    ``round(val_size * n)`` to the validation part and the rest to training, so every
    part has (up to rounding) the class proportions of the whole.
    """
    seed = _v.check_int(seed, "seed", low=0)
    val_size = _v.check_fraction(val_size, "val_size")
    test_size = _v.check_fraction(test_size, "test_size")
    _v.check_split_sizes(val_size, test_size)
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
    _v.check_str(text, "text")
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
    _v.check_int(min_chars, "min_chars", low=1)
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
            break
    _v.check_enough_text(total, min_chars)
    return "\n\n".join(pieces)


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
        _v.check_in_alphabet(text, self.alphabet)
        index = {c: i for i, c in enumerate(self.alphabet)}
        return np.array([index[c] for c in text], dtype=np.int64)

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
        _v.check_choice(part, "part", ("train", "val", "test"))
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
    _v.check_str(text, "text")
    chunk_chars = _v.check_int(chunk_chars, "chunk_chars", low=2)
    seed = _v.check_int(seed, "seed", low=0)
    val_size = _v.check_fraction(val_size, "val_size")
    test_size = _v.check_fraction(test_size, "test_size")
    n_chunks = -(-len(text) // chunk_chars)
    n_test, n_val = int(round(test_size * n_chunks)), int(round(val_size * n_chunks))
    _v.check_chunk_split(n_chunks, n_val, n_test, chunk_chars, val_size, test_size)
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
