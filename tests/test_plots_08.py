"""The figures added for chapter 08 draw what the models recorded."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from xentlearn import datasets, plots
from xentlearn.models import SoftmaxRegression


@pytest.fixture(scope="module")
def runs():
    s = datasets.load_digits_split()
    fit = {"verbose": False, "epochs": 12}
    return {
        "plain": SoftmaxRegression(**fit).fit(s.X_train, s.y_train, s.X_val, s.y_val),
        "L2": SoftmaxRegression(l2=0.1, **fit).fit(s.X_train, s.y_train, s.X_val, s.y_val),
        "no validation": SoftmaxRegression(label_smoothing=0.1, **fit).fit(s.X_train, s.y_train),
    }


def test_training_curves_by_run_draws_each_history_in_its_own_colour(runs):
    fig = plots.training_curves_by_run(runs, title="three runs")
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert loss_ax.get_ylabel() == "loss (nats)" and acc_ax.get_xlabel() == "epoch"
    assert fig.get_suptitle() == "three runs"
    for ax, key in ((loss_ax, "loss"), (acc_ax, "acc")):
        lines = {line.get_label(): line for line in ax.lines}
        assert len(ax.lines) == 5  # train + validation, train + validation, train only
        for i, (name, model) in enumerate(runs.items()):
            train = lines[f"{name}: train"]
            np.testing.assert_allclose(train.get_ydata(), model.history_[f"train_{key}"])
            np.testing.assert_array_equal(train.get_xdata(), np.arange(1, 13))
            assert train.get_color() == f"C{i}" and train.get_linestyle() == "-"
            if f"val_{key}" in model.history_:
                val = lines[f"{name}: validation"]
                np.testing.assert_allclose(val.get_ydata(), model.history_[f"val_{key}"])
                assert val.get_color() == f"C{i}" and val.get_linestyle() == "--"
        assert "no validation: validation" not in lines
        assert ax.get_legend() is None  # one legend for the figure instead


def test_training_curves_by_run_has_one_figure_legend_naming_runs_and_styles(runs):
    histories = {name: model.history_ for name, model in runs.items()}  # dicts work too
    fig = plots.training_curves_by_run(histories, best_epoch=7)
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["plain", "L2", "no validation", "training data", "validation data",
                     "best epoch 7"]
    for ax in fig.axes:
        marks = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [7, 7]
    plain = plots.training_curves_by_run(histories)
    assert [t.get_text() for t in plain.legends[0].get_texts()][-1] == "validation data"
    assert not any(line.get_linestyle() == ":" for line in plain.axes[0].lines)


def test_training_curves_by_run_names_its_validation_data_and_marked_epoch(runs):
    fig = plots.training_curves_by_run(runs, best_epoch=7,
                                       best_epoch_label="early stopping keeps epoch 7",
                                       val_label="validation data (noisy labels)")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[-2:] == ["validation data (noisy labels)", "early stopping keeps epoch 7"]
    for ax in fig.axes:
        (mark,) = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert mark.get_label() == "early stopping keeps epoch 7"
    assert "validation data (noisy labels) dashed" in repr(fig)
    assert "early stopping keeps epoch 7 (dotted)" in repr(fig)


def test_training_curves_by_run_wants_a_mapping_of_runs(runs):
    with pytest.raises(TypeError, match="mapping of names"):
        plots.training_curves_by_run(runs["plain"].history_)
    with pytest.raises(TypeError, match="mapping of names"):
        plots.training_curves_by_run([runs["plain"]])
