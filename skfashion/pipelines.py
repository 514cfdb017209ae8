"""What a model is once unwrapped: the estimator at the end of a Pipeline."""

from __future__ import annotations

__all__ = ["last_step"]


def last_step(model):
    """``model``'s last step if it is a Pipeline, else ``model`` itself.

    Examples
    --------
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skfashion.pipelines import last_step
    >>> pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    >>> type(last_step(pipe)).__name__, type(last_step(pipe[-1])).__name__
    ('LogisticRegression', 'LogisticRegression')
    """
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model
