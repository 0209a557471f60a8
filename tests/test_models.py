"""The models: gradients against finite differences, the trusted training path against the
public functions, training targets and options."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import assert_matches_finite_differences, central_difference
from public_heads import make_public_head
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss

import xentlearn as xl
from xentlearn import datasets, models
from xentlearn.models import (
    LogisticRegression,
    MLPClassifier,
    SoftmaxRegression,
    logistic_loss_and_gradient,
)

MODELS = [LogisticRegression, SoftmaxRegression, MLPClassifier]


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits_split()


@pytest.fixture(scope="module")
def cancer():
    return datasets.load_breast_cancer_split()


@pytest.fixture(scope="module")
def small():
    """Nine samples, four features: binary and 3-class labels (every class present)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 4))
    yb = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1])
    ym = np.array([0, 1, 2, 2, 1, 0, 2, 2, 1])
    return X, yb, ym


# --- gradients ---------------------------------------------------------------------------


def _check_model_gradient(model, X, y, seed=0):
    """At random weights (not the fitted ones), the gradient of J matches central differences."""
    rng = np.random.default_rng(seed)
    params = {k: rng.normal(size=p.shape) for k, p in model.params_.items()}
    _, grads = model.loss_and_gradient(X, y, params)
    for name, p in params.items():
        numeric = central_difference(
            lambda q, name=name: model.loss_and_gradient(X, y, {**params, name: q})[0], p)
        assert grads[name].shape == p.shape
        assert_matches_finite_differences(grads[name], numeric)


OPTIONS = list(itertools.product(
    [None, "balanced", {0: 2.0, 1: 0.5}],  # class_weight
    [0.0, 0.1],                             # label_smoothing
    [0.0, 0.3],                             # l2
))


@pytest.mark.parametrize("loss,gamma", [("cross_entropy", 2.0), ("focal", 2.0), ("focal", 0.5),
                                        ("squared_error", 2.0)])
@pytest.mark.parametrize("class_weight,label_smoothing,l2", OPTIONS)
def test_logistic_regression_gradient(small, loss, gamma, class_weight, label_smoothing, l2):
    X, yb, _ = small
    model = LogisticRegression(loss=loss, gamma=gamma, class_weight=class_weight,
                               label_smoothing=label_smoothing, l2=l2, epochs=1).fit(X, yb)
    _check_model_gradient(model, X, yb)


@pytest.mark.parametrize("loss,gamma", [("cross_entropy", 2.0), ("focal", 2.0), ("focal", 0.5)])
@pytest.mark.parametrize("class_weight,label_smoothing,l2", OPTIONS)
def test_softmax_regression_gradient(small, loss, gamma, class_weight, label_smoothing, l2):
    X, _, ym = small
    model = SoftmaxRegression(loss=loss, gamma=gamma, class_weight=class_weight,
                              label_smoothing=label_smoothing, l2=l2, epochs=1).fit(X, ym)
    _check_model_gradient(model, X, ym)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss,class_weight,label_smoothing,l2", [
    ("cross_entropy", None, 0.0, 0.0),
    ("cross_entropy", "balanced", 0.1, 0.3),
    ("cross_entropy", {0: 2.0, 2: 0.25}, 0.0, 0.1),
    ("focal", None, 0.0, 0.0),
    ("focal", "balanced", 0.1, 0.3),
])
def test_mlp_gradient_backpropagates_through_the_hidden_layer(small, activation, loss,
                                                              class_weight, label_smoothing, l2):
    X, _, ym = small
    model = MLPClassifier(hidden=5, activation=activation, loss=loss, class_weight=class_weight,
                          label_smoothing=label_smoothing, l2=l2, epochs=1).fit(X, ym)
    _check_model_gradient(model, X, ym, seed=3)


def test_squared_error_gradient_vanishes_when_confidently_wrong(small):
    """The reason to prefer cross-entropy: sigma(x) - y stays -1, 2(p - y)p(1 - p) goes to 0."""
    X = np.array([[1.0], [-1.0]])
    y = np.array([0, 1])
    params = {"W": np.array([20.0]), "b": np.array(0.0)}  # both confidently wrong
    bce = LogisticRegression(epochs=1).fit(X, y)
    mse = LogisticRegression(epochs=1, loss="squared_error").fit(X, y)
    g_bce = bce.loss_and_gradient(X, y, params)[1]["W"]
    g_mse = mse.loss_and_gradient(X, y, params)[1]["W"]
    assert abs(g_bce[0]) > 0.99 and abs(g_mse[0]) < 1e-7


@pytest.mark.parametrize("loss", ["cross_entropy", "squared_error"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_logistic_loss_and_gradient_matches_finite_differences_and_the_model(small, loss, l2):
    """The gradient at weights of one's choosing, without a fit: central differences of its
    own J, and the same numbers as a fitted model's loss_and_gradient."""
    X, yb, _ = small
    rng = np.random.default_rng(5)
    params = {"W": rng.normal(size=4), "b": np.array(rng.normal())}
    J, grads = logistic_loss_and_gradient(X, yb, params, loss=loss, l2=l2)
    for name, p in params.items():
        numeric = central_difference(
            lambda q, name=name: logistic_loss_and_gradient(X, yb, {**params, name: q},
                                                            loss=loss, l2=l2)[0], p)
        assert grads[name].shape == p.shape
        assert_matches_finite_differences(grads[name], numeric)
    model = LogisticRegression(loss=loss, l2=l2, epochs=1).fit(X, yb)
    J_model, grads_model = model.loss_and_gradient(X, yb, params)
    assert J == pytest.approx(J_model, rel=1e-14)
    for name in params:
        np.testing.assert_allclose(grads[name], grads_model[name], rtol=1e-13, atol=1e-15)


def test_logistic_loss_and_gradient_formula_and_checks():
    X = np.array([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]])
    y = np.array([1, 0, 1])
    params = {"W": np.array([0.4, -0.2]), "b": 0.1}
    z = X @ params["W"] + params["b"]
    p = 1 / (1 + np.exp(-z))
    J, grads = logistic_loss_and_gradient(X, y, params, l2=0.5)
    assert J == pytest.approx(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)) + 0.25 * 0.2)
    np.testing.assert_allclose(grads["W"], X.T @ (p - y) / 3 + 0.5 * params["W"])
    assert float(grads["b"]) == pytest.approx(np.mean(p - y))
    _, se = logistic_loss_and_gradient(X, y, params, loss="squared_error")
    np.testing.assert_allclose(se["W"], X.T @ (2 * (p - y) * p * (1 - p)) / 3)
    with pytest.raises(xl.InvalidInputError, match="loss must be"):
        logistic_loss_and_gradient(X, y, params, loss="focal")
    with pytest.raises(xl.InvalidInputError, match="not among the classes"):
        logistic_loss_and_gradient(X, [1, 2, 0], params)
    with pytest.raises(xl.InvalidInputError, match=r"params\['W'\] has shape"):
        logistic_loss_and_gradient(X, y, {"W": np.zeros(3), "b": 0.0})
    with pytest.raises(xl.InvalidInputError, match="l2 must be"):
        logistic_loss_and_gradient(X, y, params, l2=-1.0)


# --- the trusted training path ------------------------------------------------------------


TRUSTED_CASES = [
    (LogisticRegression, "cancer", {}),
    (LogisticRegression, "cancer", {"loss": "focal", "class_weight": "balanced",
                                    "label_smoothing": 0.1, "l2": 1e-3}),
    (LogisticRegression, "cancer", {"loss": "squared_error", "batch_size": 16,
                                    "class_weight": {0: 2.0, 1: 0.5}, "optimizer": "momentum",
                                    "learning_rate": 0.1}),
    (LogisticRegression, "cancer", {"class_weight": {0: 3.0, 1: 0.5}, "label_smoothing": 0.2,
                                    "batch_size": 64}),
    (SoftmaxRegression, "digits", {}),
    (SoftmaxRegression, "digits", {"class_weight": "balanced", "label_smoothing": 0.1,
                                   "l2": 1e-3, "batch_size": 32, "optimizer": "sgd",
                                   "learning_rate": 0.5, "lr_decay": 0.1}),
    (SoftmaxRegression, "digits", {"loss": "focal", "gamma": 0.5,
                                   "class_weight": {0: 2.0, 3: 0.25}}),
    (MLPClassifier, "digits", {"hidden": 32, "l2": 1e-3, "label_smoothing": 0.1}),
    (MLPClassifier, "digits", {"hidden": 16, "activation": "tanh", "loss": "focal",
                               "class_weight": "balanced", "early_stopping": True,
                               "patience": 2}),
]


@pytest.mark.parametrize("cls,data,kw", TRUSTED_CASES)
def test_trusted_training_equals_training_through_the_public_functions(
        monkeypatch, request, cls, data, kw):
    """The heads' private kernels give the fitted weights and the loss history that the
    public, validating loss and gradient functions give, with the same seed."""
    split = request.getfixturevalue(data)
    epochs = 5 if cls is MLPClassifier else 60
    args = (split.X_train, split.y_train, split.X_val, split.y_val)
    trusted = cls(epochs=epochs, seed=3, **kw).fit(*args)
    monkeypatch.setattr(models, "make_head", make_public_head)
    public = cls(epochs=epochs, seed=3, **kw).fit(*args)
    assert type(public._head).__name__.startswith("Public")
    assert trusted.n_epochs_ == public.n_epochs_ and trusted.best_epoch_ == public.best_epoch_
    for name, p in public.params_.items():
        np.testing.assert_allclose(trusted.params_[name], p, rtol=1e-12, atol=1e-12)
    for key, values in public.history_.items():
        np.testing.assert_allclose(trusted.history_[key], values, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", MODELS)
def test_training_ignores_underflow_under_errstate_raise(cls, small):
    """Logits of +-1000 make exp underflow; a caller's errstate(all="raise") must not stop fit."""
    X, yb, ym = small
    y = yb if cls is LogisticRegression else ym
    Xbig = X * 300
    kw = {"hidden": 4} if cls is MLPClassifier else {}
    quiet = cls(epochs=3, learning_rate=0.5, **kw).fit(Xbig, y)
    with np.errstate(all="raise"):
        model = cls(epochs=3, learning_rate=0.5, **kw).fit(Xbig, y)
        proba = model.predict_proba(Xbig)
        J, _ = model.loss_and_gradient(Xbig, y)
    assert model.history_ == quiet.history_
    np.testing.assert_array_equal(proba, quiet.predict_proba(Xbig))
    assert np.isfinite(J) and (proba == 0).any()  # something did underflow


def test_label_smoothing_one_makes_the_labels_irrelevant(small):
    """eps = 1, allowed as by the losses: every target is uniform, so the gradient at the
    zero start is 0 and the model stays at 1/K."""
    X, yb, ym = small
    soft = SoftmaxRegression(label_smoothing=1.0, epochs=20).fit(X, ym)
    np.testing.assert_array_equal(soft.predict_proba(X), np.full((9, 3), 1 / 3))
    binary = LogisticRegression(label_smoothing=1.0, epochs=20).fit(X, yb)
    np.testing.assert_array_equal(binary.predict_proba(X), np.full((9, 2), 0.5))
    with pytest.raises(xl.InvalidInputError, match=r"label_smoothing must be in \[0, 1\]"):
        SoftmaxRegression(label_smoothing=1.01).fit(X, ym)


def test_class_weights_that_silence_every_sample_are_reported(small):
    X, yb, _ = small
    with pytest.raises(xl.InvalidInputError, match="weight 0"):
        LogisticRegression(class_weight={0: 0.0, 1: 0.0}).fit(X, yb)


def test_a_mini_batch_of_weightless_samples_is_skipped(small):
    """With class 0 weighing 0, a batch of one class-0 sample has no loss: it gives no
    gradient and no error, and training lowers the loss of the class-1 samples from log 2."""
    X, yb, _ = small
    model = LogisticRegression(class_weight={0: 0.0, 1: 1.0}, batch_size=1, epochs=3,
                               optimizer="sgd", learning_rate=0.1).fit(X, yb)
    losses = model.history_["train_loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0] < np.log(2)


def test_loss_and_gradient_checks_the_weights_it_is_given(small):
    X, _, ym = small
    model = SoftmaxRegression(epochs=1).fit(X, ym)
    with pytest.raises(xl.InvalidInputError, match=r"params\['W'\] has shape"):
        model.loss_and_gradient(X, ym, {"W": np.zeros((3, 3)), "b": np.zeros(3)})
    with pytest.raises(xl.InvalidInputError, match="NaN"):
        model.loss_and_gradient(X, ym, {"W": np.full((4, 3), np.nan), "b": np.zeros(3)})
    with pytest.raises(xl.InvalidInputError, match="params must be a dict"):
        model.loss_and_gradient(X, ym, [np.zeros((4, 3)), np.zeros(3)])


# --- targets against scikit-learn ------------------------------------------------------------


def test_softmax_regression_on_digits_matches_sklearn(digits):
    s = digits
    n = len(s.y_train)
    model = SoftmaxRegression(l2=1.0 / n).fit(s.X_train, s.y_train)
    ref = SkLogisticRegression(C=1.0, max_iter=5000, tol=1e-10).fit(s.X_train, s.y_train)
    ours = log_loss(s.y_test, model.predict_proba(s.X_test))
    theirs = log_loss(s.y_test, ref.predict_proba(s.X_test))
    assert model.score(s.X_test, s.y_test) >= 0.96
    assert abs(ours / theirs - 1) < 0.02
    assert np.mean(model.predict(s.X_test) == ref.predict(s.X_test)) >= 0.99


def test_logistic_regression_on_breast_cancer_matches_sklearn(cancer):
    s = cancer
    n = len(s.y_train)
    model = LogisticRegression(l2=1.0 / n).fit(s.X_train, s.y_train)
    ref = SkLogisticRegression(C=1.0, max_iter=5000, tol=1e-10).fit(s.X_train, s.y_train)
    ours = log_loss(s.y_test, model.predict_proba(s.X_test))
    theirs = log_loss(s.y_test, ref.predict_proba(s.X_test))
    assert model.score(s.X_test, s.y_test) >= 0.95
    assert abs(ours / theirs - 1) < 0.02
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=0.02)
    np.testing.assert_allclose(model.decision_function(s.X_test),
                               ref.decision_function(s.X_test), atol=0.05)


def test_balanced_class_weight_matches_sklearn(cancer):
    s = cancer
    n = len(s.y_train)
    model = LogisticRegression(l2=1.0 / n, class_weight="balanced").fit(s.X_train, s.y_train)
    ref = SkLogisticRegression(C=1.0, class_weight="balanced", max_iter=5000,
                               tol=1e-10).fit(s.X_train, s.y_train)
    np.testing.assert_allclose(model.class_weight_, n / (2 * np.bincount(s.y_train)))
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=0.02)


def test_mlp_on_digits_reaches_97_percent(digits):
    s = digits
    model = MLPClassifier(hidden=128, l2=1e-3, label_smoothing=0.1).fit(s.X_train, s.y_train)
    assert model.score(s.X_test, s.y_test) >= 0.97


# --- training behaviour ----------------------------------------------------------------------


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.5), ("momentum", 0.1), ("adam", 0.05)])
def test_every_optimizer_lowers_the_loss(cancer, optimizer, lr):
    model = LogisticRegression(optimizer=optimizer, learning_rate=lr, epochs=30,
                               batch_size=64).fit(cancer.X_train, cancer.y_train)
    loss = model.history_["train_loss"]
    assert loss[-1] < 0.5 * loss[0] and loss[0] < np.log(2)


def test_same_seed_same_history_other_seed_other_history(digits):
    s = digits
    kw = dict(hidden=16, epochs=3, X_val=s.X_val, y_val=s.y_val)

    def run(seed):
        model = MLPClassifier(hidden=kw["hidden"], epochs=kw["epochs"], seed=seed)
        return model.fit(s.X_train, s.y_train, s.X_val, s.y_val)

    a, b, c = run(0), run(0), run(1)
    assert a.history_ == b.history_
    assert a.history_ != c.history_
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])


def test_history_and_fitted_attributes(digits):
    s = digits
    model = SoftmaxRegression(epochs=7, batch_size=100)
    assert model.fit(s.X_train, s.y_train, s.X_val, s.y_val) is model
    assert set(model.history_) == {"train_loss", "train_acc", "val_loss", "val_acc"}
    assert all(len(v) == 7 for v in model.history_.values())
    assert model.n_epochs_ == 7 and model.best_epoch_ == 7
    assert model.coef_.shape == (10, 64) and model.intercept_.shape == (10,)
    # the recorded losses are the mean cross-entropies of the final weights
    z = model.decision_function(s.X_val)
    assert model.history_["val_loss"][-1] == pytest.approx(
        float(xl.sparse_categorical_cross_entropy(s.y_val, z, from_logits=True)))
    assert model.history_["val_acc"][-1] == pytest.approx(model.score(s.X_val, s.y_val))
    p = model.predict_proba(s.X_test)
    assert p.shape == (len(s.y_test), 10)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(s.X_test), p.argmax(axis=1))


def test_no_validation_means_no_validation_history(cancer):
    model = LogisticRegression(epochs=3).fit(cancer.X_train, cancer.y_train)
    assert set(model.history_) == {"train_loss", "train_acc"}
    assert model.coef_.shape == (1, 30) and model.intercept_.shape == (1,)
    assert model.decision_function(cancer.X_test).shape == (len(cancer.y_test),)
    p = model.predict_proba(cancer.X_test)
    np.testing.assert_allclose(p[:, 1], xl.sigmoid(model.decision_function(cancer.X_test)))


def test_mlp_attributes(small):
    X, _, ym = small
    model = MLPClassifier(hidden=6, epochs=2).fit(X, ym)
    assert [w.shape for w in model.coefs_] == [(4, 6), (6, 3)]
    assert [b.shape for b in model.intercepts_] == [(6,), (3,)]


def test_full_batch_equals_a_batch_as_large_as_the_data(cancer):
    a = LogisticRegression(epochs=5).fit(cancer.X_train, cancer.y_train)
    b = LogisticRegression(epochs=5, batch_size=10_000).fit(cancer.X_train, cancer.y_train)
    assert a.history_ == b.history_


def test_early_stopping_restores_the_best_epoch(digits):
    s = digits
    model = MLPClassifier(hidden=32, learning_rate=0.01, epochs=200, early_stopping=True,
                          patience=5).fit(s.X_train, s.y_train, s.X_val, s.y_val)
    val = model.history_["val_loss"]
    assert model.n_epochs_ < 200 and len(val) == model.n_epochs_
    assert model.n_epochs_ == model.best_epoch_ + 5
    assert model.best_epoch_ == int(np.argmin(val)) + 1
    z = model.decision_function(s.X_val)
    assert float(xl.sparse_categorical_cross_entropy(s.y_val, z, from_logits=True)) == \
        pytest.approx(min(val))


def test_labels_can_be_any_sortable_values(small):
    X, _, ym = small
    names = np.array(["cat", "dog", "emu"])[ym]
    model = SoftmaxRegression(epochs=50).fit(X, names)
    assert list(model.classes_) == ["cat", "dog", "emu"]
    assert set(model.predict(X)) <= {"cat", "dog", "emu"}
    binary = LogisticRegression(epochs=5).fit(X, np.where(ym == 0, -1, 1))
    assert list(binary.classes_) == [-1, 1]
    assert set(binary.predict(X)) <= {-1, 1}


def test_classes_argument_adds_labels_missing_from_y(small):
    X, _, ym = small
    model = SoftmaxRegression(epochs=5).fit(X, ym, classes=[0, 1, 2, 3])
    assert model.predict_proba(X).shape == (9, 4)


def test_label_smoothing_keeps_probabilities_away_from_one(digits):
    s = digits
    eps = 0.2
    sharp = SoftmaxRegression(epochs=300).fit(s.X_train, s.y_train)
    smooth = SoftmaxRegression(epochs=300, label_smoothing=eps).fit(s.X_train, s.y_train)
    assert sharp.predict_proba(s.X_train).max() > 0.999
    # the smoothed target's largest probability is 1 - eps + eps / K
    assert smooth.predict_proba(s.X_train).max(axis=1).mean() < 1 - eps + eps / 10 + 0.01


def test_focal_loss_trains(cancer):
    model = LogisticRegression(loss="focal", gamma=2.0, epochs=200)
    model.fit(cancer.X_train, cancer.y_train)
    assert model.score(cancer.X_test, cancer.y_test) >= 0.95


def test_get_params_set_params_and_repr():
    model = MLPClassifier(hidden=10, l2=0.1)
    params = model.get_params()
    assert params["hidden"] == 10 and params["l2"] == 0.1 and "learning_rate" in params
    assert model.set_params(epochs=3) is model and model.epochs == 3
    assert repr(model) == "MLPClassifier(hidden=10, epochs=3, l2=0.1)"
    with pytest.raises(xl.InvalidInputError, match="no parameter"):
        model.set_params(hiden=3)


# --- invalid input -----------------------------------------------------------------------


@pytest.mark.parametrize("cls,kw,match", [
    (SoftmaxRegression, {"optimizer": "rmsprop"}, "optimizer"),
    (SoftmaxRegression, {"loss": "squared_error"}, "LogisticRegression"),
    (SoftmaxRegression, {"learning_rate": 0}, "learning_rate"),
    (SoftmaxRegression, {"epochs": 0}, "epochs"),
    (SoftmaxRegression, {"batch_size": 0}, "batch_size"),
    (SoftmaxRegression, {"l2": -1}, "l2"),
    (SoftmaxRegression, {"momentum": 1.0}, "momentum"),
    (SoftmaxRegression, {"label_smoothing": 1.5}, "label_smoothing"),
    (SoftmaxRegression, {"gamma": -1}, "gamma"),
    (SoftmaxRegression, {"class_weight": "auto"}, "class_weight"),
    (SoftmaxRegression, {"class_weight": {7: 1.0}}, "not among the classes"),
    (SoftmaxRegression, {"class_weight": [1, 2, 3]}, "mapping"),
    (SoftmaxRegression, {"early_stopping": True}, "validation data"),
    (SoftmaxRegression, {"verbose": "yes"}, "verbose"),
    (MLPClassifier, {"activation": "sigmoid"}, "activation"),
    (MLPClassifier, {"hidden": 0}, "hidden"),
    (LogisticRegression, {}, "exactly 2 classes"),
])
def test_bad_options_are_reported(small, cls, kw, match):
    X, _, ym = small
    with pytest.raises(xl.InvalidInputError, match=match):
        cls(**kw).fit(X, ym)


def test_bad_data_is_reported(small):
    X, _, ym = small
    model = SoftmaxRegression(epochs=2)
    with pytest.raises(xl.InvalidInputError, match="not fitted"):
        model.predict(X)
    with pytest.raises(xl.InvalidInputError, match="2-D"):
        model.fit(X[:, 0], ym)
    with pytest.raises(xl.InvalidInputError, match="one label per row"):
        model.fit(X, ym[:-1])
    with pytest.raises(xl.InvalidInputError, match="NaN"):
        model.fit(np.where(X > 1, np.nan, X), ym)
    with pytest.raises(xl.InvalidInputError, match="both X_val and y_val"):
        model.fit(X, ym, X_val=X)
    with pytest.raises(xl.InvalidInputError, match="y_val has label 5"):
        model.fit(X, ym, X, np.full(9, 5))
    with pytest.raises(xl.InvalidInputError, match="single class"):
        model.fit(X, np.zeros(9, int))
    model.fit(X, ym)
    with pytest.raises(xl.InvalidInputError, match="features"):
        model.predict(X[:, :3])


def test_divergence_is_reported(small):
    X, yb, _ = small
    with pytest.raises(xl.InvalidInputError, match="diverged"):
        MLPClassifier(optimizer="sgd", learning_rate=1e200, epochs=5).fit(X * 1e10, yb)
    with pytest.raises(xl.InvalidInputError, match="diverged"):
        SoftmaxRegression(optimizer="sgd", learning_rate=1e300, epochs=5).fit(X * 1e10, yb)


def test_loss_and_gradient_names_a_missing_parameter():
    X, y = np.eye(3), np.array([0, 1, 2])
    model = SoftmaxRegression(epochs=1).fit(X, y)
    with pytest.raises(xl.InvalidInputError, match=r"params has no 'b'; pass a dict with 'W' "
                                                   r"of shape \(3, 3\), 'b' of shape \(3,\)"):
        model.loss_and_gradient(X, y, params={"W": model.params_["W"]})
