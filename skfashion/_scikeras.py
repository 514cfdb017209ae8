"""scikeras 0.13 repaired: the one place that knows scikeras' faults.

scikeras is unmaintained; its author points users to Keras' own
``keras.wrappers.SKLearnClassifier`` (Keras >= 3.8). skfashion keeps it,
pinned to ``scikeras>=0.13,<0.14`` (``pyproject.toml``), the versions these
repairs were written for and tested with. :class:`KerasClassifier` is
scikeras' class with each repair below; each says when it can go. Nothing
else in skfashion works around scikeras (repair 8 is applied where scikeras
is first imported, and described here).

1. **Tags** (scikit-learn >= 1.6): scikeras lists ``ClassifierMixin`` after
   ``BaseEstimator`` and has no ``__sklearn_tags__``, so ``is_classifier()``
   is False and an integer ``cv`` silently means ``KFold``. Goes when
   scikeras defines ``__sklearn_tags__``.
2. **repr**: scikit-learn's repr shows the parameters that differ from the
   defaults of ``__init__``; scikeras' own are not in our signatures, so look
   them up in scikeras'. Goes when scikeras' parameters are keyword
   arguments of our ``__init__`` or scikeras defines ``__repr__``.
3. **classes_ on a warm start**: scikeras clears ``classes_`` in ``fit`` and,
   on a warm start, whose target encoder is kept, never sets it again. Goes
   when a warm-started scikeras classifier keeps ``classes_``.
4. **TensorFlow op determinism**: scikeras seeds TensorFlow by turning op
   determinism on and, as it sets ``TF_DETERMINISTIC_OPS`` before asking
   whether it was on, never turns it off: every later unseeded random op in
   the process fails. Goes when scikeras' ``tensorflow_random_state``
   restores the setting it found.
5. **A RandomState instance** as ``random_state``: scikeras seeds Keras with
   ``RandomState.randint(low=1)``, which is 0 for every state. We draw the
   seed from a copy of the state, so different states give different runs
   and the user's state is not consumed. Goes when scikeras draws a seed
   from the whole range.
6. **Being fitted**: scikeras has no ``__sklearn_is_fitted__``; scikit-learn's
   ``check_is_fitted`` then looks for attributes ending in ``_``, which
   scikeras defines as properties before ``fit``. Goes when scikeras
   defines ``__sklearn_is_fitted__``.
7. **The user's optimizer**: given an optimizer object
   (``optimizer=keras.optimizers.Adam(...)``), scikeras compiles with that
   very object, so ``fit`` changes a parameter (its learning rate, its
   ``iterations``), which scikit-learn forbids, and two clones share one
   state. We compile with a new optimizer made from its config. Goes when
   scikeras copies an optimizer object before compiling.
8. **TensorFlow under another backend**: scikeras imports TensorFlow to seed
   it wherever it is installed, whatever Keras' backend: 7 s of CPU and
   600 MB in every process under JAX. It is first imported (by
   :func:`skfashion._quiet.import_keras_quietly`) with TensorFlow hidden
   unless that is the backend. Goes when scikeras imports TensorFlow only
   under its backend.
"""

from __future__ import annotations

import inspect

from ._quiet import import_keras_quietly

import_keras_quietly()  # before scikeras, which imports Keras

import keras  # noqa: E402 - after the quiet import
import numpy as np  # noqa: E402
from scikeras.wrappers import KerasClassifier as _ScikerasClassifier  # noqa: E402
from sklearn.utils._tags import ClassifierTags  # noqa: E402

__all__ = ["KerasClassifier"]


def _same(value, default) -> bool:
    try:
        return value is default or bool(
            type(value) is type(default) and value == default
        )
    except (TypeError, ValueError):  # arrays and the like
        return False


def _op_determinism(enabled):
    """Whether TensorFlow's op determinism is on; with a bool, set it first."""
    if keras.backend.backend() != "tensorflow":
        return None
    from tensorflow.python.framework import config  # as scikeras does

    if enabled is False:
        config.disable_op_determinism()
    return config.is_op_determinism_enabled()


class KerasClassifier(_ScikerasClassifier):
    """scikeras' ``KerasClassifier`` with the repairs of this module."""

    def __sklearn_tags__(self):  # repair 1
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(poor_score=True)
        tags.target_tags.required = True
        return tags

    def __repr__(self):  # repair 2
        defaults = {
            **inspect.signature(_ScikerasClassifier.__init__).parameters,
            **inspect.signature(type(self).__init__).parameters,
        }
        changed = []
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name)
            if default is None or not _same(value, default.default):
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self):  # repair 6
        return hasattr(self, "model_")

    def _initialize(self, X, y=None):
        state = self.random_state
        if isinstance(state, np.random.RandomState):  # repair 5
            copy = np.random.RandomState()
            copy.set_state(state.get_state())
            self.random_state = int(copy.randint(2**31))
        try:
            return super()._initialize(X, y)
        finally:
            self.random_state = state

    def _get_compile_kwargs(self):  # repair 7
        kwargs = super()._get_compile_kwargs()
        optimizer = kwargs.get("optimizer")
        if isinstance(optimizer, keras.optimizers.Optimizer):
            kwargs["optimizer"] = type(optimizer).from_config(optimizer.get_config())
        return kwargs

    def _fit(self, *args, **kwargs):
        if self.classes_ is None and hasattr(self, "target_encoder_"):  # repair 3
            self.classes_ = self.target_encoder_.classes_  # a new fit resets it
        was_deterministic = _op_determinism(None)  # repair 4
        try:
            super()._fit(*args, **kwargs)
        finally:
            _op_determinism(was_deterministic)
