"""The data sets: seeded stratified splits, standardisation, the standard library's text."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

import xentlearn as xl
from xentlearn import datasets


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits_split()


@pytest.fixture(scope="module")
def text():
    return datasets.load_text()


def _raw(split, part):
    """Undo the standardisation."""
    return getattr(split, f"X_{part}") * split.std + split.mean


def test_digits_split_shapes_and_names(digits):
    s = digits
    assert s.X_train.shape == (1079, 64) and s.X_val.shape == (359, 64)
    assert s.X_test.shape == (359, 64)
    assert s.y_train.dtype == np.int64 and s.n_classes == 10 and s.n_features == 64
    assert s.class_names == tuple("0123456789")
    assert len(s.feature_names) == 64
    assert s.images_test.shape == (359, 8, 8)
    assert repr(s) == "Split(train=1079, val=359, test=359, features=64, classes=10)"


def test_digits_images_are_the_unstandardised_test_rows(digits):
    s = digits
    np.testing.assert_allclose(s.images_test.reshape(-1, 64), _raw(s, "test"), atol=1e-12)
    assert s.images_test.min() == 0 and s.images_test.max() == 16


def test_standardised_with_training_statistics_only(digits):
    s = digits
    np.testing.assert_allclose(s.X_train.mean(axis=0), 0, atol=1e-12)
    sd = s.X_train.std(axis=0)
    constant = s.std == 1.0
    assert constant.any()  # some corner pixels are always 0 in the training part
    np.testing.assert_allclose(sd[~constant], 1)
    raw = np.concatenate([_raw(s, "train"), _raw(s, "val"), _raw(s, "test")])
    np.testing.assert_allclose(np.sort(raw.sum(axis=1)),
                               np.sort(load_digits().data.sum(axis=1)), atol=1e-9)
    # validation and test statistics are not those of training
    assert np.abs(s.X_test.mean(axis=0)).max() > 0.01


def test_split_is_stratified_disjoint_and_seeded():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    tr, va, te = datasets.stratified_indices(y, seed=3, val_size=0.2, test_size=0.2)
    assert np.bincount(y[te]).tolist() == [10, 6, 4] == np.bincount(y[va]).tolist()
    assert np.bincount(y[tr]).tolist() == [30, 18, 12]
    assert np.array_equal(np.sort(np.concatenate([tr, va, te])), np.arange(100))
    again = datasets.stratified_indices(y, seed=3, val_size=0.2, test_size=0.2)
    other = datasets.stratified_indices(y, seed=4, val_size=0.2, test_size=0.2)
    assert all(np.array_equal(a, b) for a, b in zip((tr, va, te), again, strict=True))
    assert not np.array_equal(te, other[2])


def test_same_seed_same_split_and_arrays_are_read_only(digits):
    again = datasets.load_digits_split(seed=0)
    np.testing.assert_array_equal(digits.X_test, again.X_test)
    other = datasets.load_digits_split(seed=1)
    assert not np.array_equal(digits.y_test, other.y_test)
    with pytest.raises(ValueError, match="read-only"):
        digits.X_train[0, 0] = 1.0


def test_breast_cancer_split():
    s = datasets.load_breast_cancer_split(val_size=0.25, test_size=0.25)
    assert s.class_names == ("malignant", "benign")
    assert s.n_features == 30 and "mean radius" in s.feature_names
    n = len(s.y_train) + len(s.y_val) + len(s.y_test)
    assert n == 569 and s.images_test is None
    for y in (s.y_train, s.y_val, s.y_test):
        assert abs(y.mean() - 357 / 569) < 0.02


@pytest.mark.parametrize("kw,match", [({"val_size": 0}, "val_size"), ({"test_size": 1.2},
                                      "test_size"), ({"val_size": 0.5, "test_size": 0.5},
                                      "below 1"), ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed")])
def test_bad_split_arguments(kw, match):
    with pytest.raises(xl.InvalidInputError, match=match):
        datasets.load_breast_cancer_split(**kw)


# --- text ----------------------------------------------------------------------------------


def test_text_is_long_lowercase_and_in_the_alphabet(text):
    assert len(text) >= 200_000
    assert set(text) <= set(datasets.TEXT_ALPHABET)
    assert text == text.lower() and "  " not in text and "\n\n\n" not in text
    assert text.count(" the ") > 1000  # English prose


def test_text_is_deterministic_and_shorter_requests_are_prefixes(text):
    assert datasets.load_text() == text
    short = datasets.load_text(min_chars=5_000)
    assert 5_000 <= len(short) < len(text) and text.startswith(short)


def test_text_modules_are_sorted_and_importable():
    assert list(datasets.TEXT_MODULES) == sorted(datasets.TEXT_MODULES)
    assert len(set(datasets.TEXT_MODULES)) == len(datasets.TEXT_MODULES)


def test_too_much_text_is_reported():
    with pytest.raises(xl.InvalidInputError, match="fewer than"):
        datasets.load_text(min_chars=10**9)
    with pytest.raises(xl.InvalidInputError, match="min_chars"):
        datasets.load_text(min_chars=0)


def test_normalize_text():
    assert datasets.normalize_text("Return   the  CAFÉ's  value_1.\n\n\n\nDone!") == \
        "return the cafe's value .\n\ndone!"
    assert datasets.normalize_text("  a\t\tb  \n  c  ") == "a b\nc"
    with pytest.raises(xl.InvalidInputError, match="str"):
        datasets.normalize_text(b"bytes")


def test_char_bigram_split(text):
    cs = datasets.char_bigram_split(text, seed=0)
    assert cs.alphabet == "".join(sorted(set(text)))
    assert len(cs.train) + len(cs.val) + len(cs.test) == len(text)
    assert 0.09 < len(cs.test) / len(text) < 0.11 and 0.09 < len(cs.val) / len(text) < 0.11
    for part in (cs.train, cs.val, cs.test):
        assert part.dtype == np.int64 and part.min() >= 0 and part.max() < cs.n_classes
    # each part is made of whole chunks of the text, in order
    assert cs.decode(cs.train[:2000]) in text
    assert cs.decode(cs.encode("the cat.")) == "the cat."
    again = datasets.char_bigram_split(text, seed=0)
    np.testing.assert_array_equal(cs.test, again.test)
    assert not np.array_equal(cs.test, datasets.char_bigram_split(text, seed=1).test)


def test_bigram_pairs(text):
    cs = datasets.char_bigram_split(text[:50_000], chunk_chars=1000)
    x, y = cs.bigrams("val")
    np.testing.assert_array_equal(x, cs.val[:-1])
    np.testing.assert_array_equal(y, cs.val[1:])
    xo, yo = cs.bigrams("test", one_hot=True)
    assert xo.shape == (len(cs.test) - 1, cs.n_classes)
    np.testing.assert_array_equal(xo.argmax(axis=1), cs.test[:-1])
    with pytest.raises(xl.InvalidInputError, match="part"):
        cs.bigrams("validation")
    with pytest.raises(xl.InvalidInputError, match="not in the alphabet"):
        cs.encode("Ünïcode")


def test_bigram_split_needs_enough_chunks():
    with pytest.raises(xl.InvalidInputError, match="too few"):
        datasets.char_bigram_split("short text", chunk_chars=5)


def test_softmax_regression_learns_the_bigram_frequencies(text):
    """With one-hot inputs and no penalty, the fitted softmax rows approach the conditional
    frequencies of the next character (the maximum-likelihood bigram model). Mini-batches
    with a decaying step get there in a few epochs."""
    from xentlearn.models import SoftmaxRegression

    cs = datasets.char_bigram_split(text[:60_000], chunk_chars=1000)
    x, y = cs.bigrams("train", one_hot=True)
    model = SoftmaxRegression(learning_rate=0.1, epochs=15, batch_size=1024, lr_decay=0.5)
    model.fit(x, y, classes=range(cs.n_classes))
    k = cs.n_classes
    counts = np.zeros((k, k))
    np.add.at(counts, (x.argmax(axis=1), y), 1)
    seen = counts.sum(axis=1) >= 200
    freq = counts[seen] / counts[seen].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(np.eye(k)[seen]), freq, atol=0.02)
    xv, yv = cs.bigrams("val", one_hot=True)
    val_loss = xl.sparse_categorical_cross_entropy(yv, model.predict_proba(xv))
    assert val_loss < 0.75 * np.log(k)


def test_bigram_model_beats_unigram_beats_uniform_on_held_out_text(text):
    """What chapter 07 shows on the text of whichever Python runs it."""
    chars = datasets.char_bigram_split(text)
    k = chars.n_classes
    prev, nxt = chars.bigrams("train")
    counts = np.ones((k, k))
    np.add.at(counts, (prev, nxt), 1)
    bigram = counts / counts.sum(axis=1, keepdims=True)
    unigram = np.bincount(chars.train, minlength=k) + 1.0
    unigram /= unigram.sum()
    tp, tn = chars.bigrams("test")
    ce_bigram = float(xl.sparse_categorical_cross_entropy(tn, bigram[tp]))
    ce_unigram = float(xl.sparse_categorical_cross_entropy(tn, np.tile(unigram, (tn.size, 1))))
    assert ce_bigram < ce_unigram - 0.3 < np.log(k) - 0.3
    assert 5 < np.exp(ce_bigram) < 20  # perplexity: well below the alphabet size
