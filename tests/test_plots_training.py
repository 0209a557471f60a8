"""The training figures draw what the models and xentlearn.calibration compute."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import xentlearn as xl
from xentlearn import calibration, datasets, plots
from xentlearn.models import LogisticRegression, SoftmaxRegression


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits_split()


@pytest.fixture(scope="module")
def fitted(digits):
    s = digits
    return SoftmaxRegression(epochs=40).fit(s.X_train, s.y_train, s.X_val, s.y_val)


def test_reliability_diagram_before_and_after(digits, fitted):
    s = digits
    z = fitted.decision_function(s.X_test)
    before, after = xl.softmax(z), xl.softmax(z, temperature=1.7)
    fig = plots.reliability_diagram(before, s.y_test, after, temperature=1.7)
    assert isinstance(fig, Figure) and len(fig.axes) == 3  # two panels and the colour scale
    for ax, p in zip(fig.axes[:2], (before, after), strict=True):
        ece = calibration.expected_calibration_error(p, s.y_test)
        assert f"ECE = {ece:.4f}" in ax.get_title()
        curve = calibration.reliability_curve(p, s.y_test)
        heights = sorted(r.get_height() for r in ax.patches[:int((curve.counts > 0).sum())])
        np.testing.assert_allclose(heights, sorted(curve.accuracy[curve.counts > 0]))
    assert fig.axes[0].get_title().startswith("before temperature scaling\n")
    assert fig.axes[1].get_title().startswith("after temperature scaling (T = 1.70)\n")
    single = plots.reliability_diagram(before[:, 0] * 0 + 0.7, (s.y_test == 0).astype(int))
    assert len(single.axes) == 2


def test_reliability_diagram_has_a_key_for_every_colour_and_shade(digits, fitted):
    s = digits
    probs = xl.softmax(fitted.decision_function(s.X_test), temperature=0.5)  # over-confident
    fig = plots.reliability_diagram(probs, s.y_test)
    ax, scale = fig.axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "accuracy (darker: more predictions)", "confidence above accuracy",
        "accuracy above confidence", "perfect calibration"]
    assert scale.get_ylabel() == "predictions in the bin"
    curve = calibration.reliability_curve(probs, s.y_test)
    full = curve.counts > 0
    acc, conf, counts = curve.accuracy[full], curve.confidence[full], curve.counts[full]
    bars, gaps = ax.patches[:full.sum()], ax.patches[full.sum():]
    # fuller bins are darker: the shade falls as the count rises
    shade = [sum(bar.get_facecolor()[:3]) for bar in bars]
    for i in range(len(bars)):
        for j in range(len(bars)):
            if counts[i] < counts[j]:
                assert shade[i] > shade[j]
    # each gap spans accuracy to confidence, red where over-confident, purple where under
    legend = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(),
                                              ax.get_legend().legend_handles, strict=True)}
    over = legend["confidence above accuracy"].get_facecolor()
    under = legend["accuracy above confidence"].get_facecolor()
    spans = {"over": [], "under": []}
    for gap in gaps:
        kind = "over" if gap.get_facecolor() == over else "under"
        assert gap.get_facecolor() in (over, under)
        spans[kind].append((gap.get_y(), gap.get_y() + gap.get_height()))
    expected_over = sorted(zip(acc[conf > acc], conf[conf > acc], strict=True))
    expected_under = sorted(zip(conf[acc > conf], acc[acc > conf], strict=True))
    assert expected_over and expected_under  # both kinds occur in these bins
    np.testing.assert_allclose(sorted(spans["over"]), expected_over)
    np.testing.assert_allclose(sorted(spans["under"]), expected_under)


def test_training_curves_of_a_model_and_its_history(fitted):
    fig = plots.training_curves(fitted)
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    train, val = loss_ax.lines[:2]
    np.testing.assert_allclose(train.get_ydata(), fitted.history_["train_loss"])
    np.testing.assert_allclose(val.get_ydata(), fitted.history_["val_loss"])
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, 41))
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), fitted.history_["val_acc"])
    assert len(plots.training_curves(fitted.history_, best_epoch=12).axes[0].lines) == 3


def test_training_curves_compare_runs(digits):
    s = digits
    y = (s.y_train == 3).astype(int)
    runs = {"cross-entropy": LogisticRegression(epochs=5).fit(s.X_train, y),
            "squared error": LogisticRegression(epochs=5, loss="squared_error").fit(s.X_train, y)}
    fig = plots.training_curves(runs, title="BCE vs squared error")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["cross-entropy: train", "squared error: train"]
    with pytest.raises(TypeError, match="history"):
        plots.training_curves([1, 2, 3])


def test_training_curves_mark_the_early_stopping_epoch(digits):
    s = digits
    model = SoftmaxRegression(epochs=60, early_stopping=True, patience=3,
                              learning_rate=0.5).fit(s.X_train, s.y_train, s.X_val, s.y_val)
    labels = plots.training_curves(model).axes[0].get_legend_handles_labels()[1]
    assert f"best epoch {model.best_epoch_}" in labels


def test_confusion_matrix_counts():
    y_true = [0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0, 2]
    fig = plots.confusion_matrix_figure(y_true, y_pred, ["a", "b", "c"])
    ax = fig.axes[0]
    cells = np.array([int(t.get_text()) for t in ax.texts]).reshape(3, 3)
    np.testing.assert_array_equal(cells, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert "71.4%" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    norm = plots.confusion_matrix_figure(y_true, y_pred, normalize=True)
    assert norm.axes[0].texts[0].get_text() == "0.50"
    with pytest.raises(ValueError, match="labels"):
        plots.confusion_matrix_figure([0, 1], [0])


def test_misclassified_images_most_confident_first(digits, fitted):
    s = digits
    probs = fitted.predict_proba(s.X_test)
    pred = probs.argmax(axis=1)
    fig = plots.misclassified_images(s.images_test, s.y_test, pred, probs, k=6,
                                     class_names=s.class_names)
    shown = [ax for ax in fig.axes if ax.images]
    wrong = np.flatnonzero(pred != s.y_test)
    assert len(shown) == min(6, wrong.size)
    titles = [re.fullmatch(r"predicted (\d) with\np = ([\d.]+); true (\d)", ax.get_title())
              for ax in shown]
    assert all(titles), [ax.get_title() for ax in shown]
    conf = [float(t[2]) for t in titles]
    assert conf == sorted(conf, reverse=True)
    assert conf[0] == pytest.approx(probs[wrong, pred[wrong]].max(), abs=5e-4)
    i = wrong[np.argmax(probs[wrong, pred[wrong]])]
    np.testing.assert_array_equal(shown[0].images[0].get_array(), s.images_test[i])
    # p is the probability of the predicted (wrong) class, not of the true one
    assert titles[0][1] == str(pred[i]) and titles[0][3] == str(s.y_test[i]) != titles[0][1]
    assert "probability of the predicted, wrong class" in fig.get_suptitle()


def test_misclassified_images_flat_input_and_no_mistakes():
    images = np.arange(4 * 16, dtype=float).reshape(4, 16)
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    fig = plots.misclassified_images(images, [0, 1, 1, 0], [0, 1, 0, 1], probs)
    assert sum(1 for ax in fig.axes if ax.images) == 2
    none = plots.misclassified_images(images, [0, 1], [0, 1], probs[:2])
    assert none.axes[0].texts[0].get_text() == "no misclassified samples"
    with pytest.raises(ValueError, match="square"):
        plots.misclassified_images(np.zeros((2, 15)), [0, 1], [1, 0], probs[:2])
