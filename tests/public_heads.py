"""The models' output heads written with the public, validating loss and gradient functions.

The reference for :mod:`xentlearn._heads`, whose heads compute the same numbers on
checked arrays without validating them again: every call here goes through the public
functions' argument checks, as the models' training loop once did on every step.
"""

from __future__ import annotations

import numpy as np

import xentlearn as xl
from xentlearn._heads import BinaryHead, SoftmaxHead


class PublicBinaryHead(BinaryHead):
    def loss_and_grad(self, x, y, need_grad=True, need_loss=True):
        sw = None if self.cw is None else self.cw[y]
        if self.kind == "cross_entropy":
            kw = {"label_smoothing": self.eps}
            if sw is not None:
                kw.update(sample_weight=sw, reduction="sum")
            loss = float(xl.binary_cross_entropy(y, x, from_logits=True, **kw)) \
                if need_loss else np.nan
            g = xl.binary_cross_entropy_grad(y, x, **kw) if need_grad else None
            if sw is not None:
                denom = float(sw.sum())
                loss /= denom
                g = None if g is None else g / denom
            return loss, g
        t = self.target(y)
        if self.kind == "focal":
            per = xl.binary_focal_cross_entropy(t, x, gamma=self.gamma, from_logits=True,
                                                reduction="none")
            g = xl.binary_focal_cross_entropy_grad(t, x, gamma=self.gamma, reduction="none") \
                if need_grad else None
        else:
            p = xl.sigmoid(x)
            per = (p - t) ** 2
            g = 2 * (p - t) * p * xl.sigmoid(-x) if need_grad else None
        if sw is None:
            return float(per.sum()) / per.shape[0], None if g is None else g / per.shape[0]
        denom = float(sw.sum())
        return float((sw * per).sum()) / denom, None if g is None else sw * g / denom


class PublicSoftmaxHead(SoftmaxHead):
    def loss_and_grad(self, z, y, need_grad=True, need_loss=True):
        if self.kind == "cross_entropy":
            kw = {"label_smoothing": self.eps, "class_weight": self.cw}
            loss = float(xl.sparse_categorical_cross_entropy(y, z, from_logits=True, **kw)) \
                if need_loss else np.nan
            g = xl.sparse_categorical_cross_entropy_grad(y, z, **kw) if need_grad else None
            return loss, g
        t = self.target(y)
        per = xl.categorical_focal_cross_entropy(t, z, gamma=self.gamma, alpha=self.cw,
                                                 from_logits=True, reduction="none")
        g = xl.categorical_focal_cross_entropy_grad(t, z, gamma=self.gamma, alpha=self.cw,
                                                    reduction="none") if need_grad else None
        denom = y.size if self.cw is None else float(self.cw[y].sum())
        return float(per.sum()) / denom, None if g is None else g / denom


def make_public_head(binary, loss, gamma, eps, class_weight, n_classes):
    """Drop-in for :func:`xentlearn._heads.make_head`."""
    return (PublicBinaryHead if binary else PublicSoftmaxHead)(loss, gamma, eps, class_weight,
                                                               n_classes)
