"""Calling a learner's function whose parameters differ from the exercise's.

Real learners name parameters their own way (`w1`, `learning_rate`), leave out the ones they do
not use (the notebook's `back_prop(Z1, A1, Z2, A2, W2, X, Y)`), or add one that follows from the
others (`m`). Each parameter of the learner's function is matched to the exercise's by name:
exactly, then ignoring case, then by a known synonym, then derived (m = X.shape[1]); one with a
default may stay unmatched. The function is then called with what it names, and the learner
is told, once, which parameters differ. A parameter the exercise cannot give makes every call
raise a TypeError that says so. Runs in the worker (nothing here holds an answer).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.catalog import Exercise

SYNONYMS = {"alpha": ("learning_rate", "lr", "eta", "rate", "learningrate"),
            "num_classes": ("classes", "n_classes", "num_labels", "n_labels", "k"),
            "epochs": ("iterations", "num_iterations", "n_iterations", "iters", "n_iter",
                       "num_epochs", "n_epochs", "epoch", "max_iter", "steps"),
            "batch_size": ("mini_batch_size", "minibatch_size", "batchsize", "bs", "batch",
                           "mb_size", "minibatch", "mini_batch"),
            "X": ("x_train", "train_x", "inputs", "data", "x_data", "images"),
            "Y": ("y_train", "train_y", "labels", "targets", "y_data", "y_true"),
            "rng": ("generator", "random_state", "gen", "random"),
            "n_x": ("input_size", "n_in", "n_input", "input_dim", "n_inputs"),
            "n_h": ("hidden_size", "n_hidden", "hidden", "hidden_units", "hidden_dim"),
            "n_y": ("output_size", "n_out", "n_output", "output_dim", "n_classes"),
            "predictions": ("preds", "y_pred", "y_hat", "yhat", "pred", "prediction"),
            "params": ("parameters", "weights", "param", "theta"),
            "velocity": ("vel", "velocities", "momentum_buffer"),
            "eps": ("epsilon",),
            "lam": ("lambd", "lambda_", "l2", "reg", "weight_decay", "wd", "l2_lambda")}
DERIVED = {"m": ("X", lambda X: X.shape[1])}  # a learner's parameter -> (from which, how)
# Whole naming conventions that rename the exercise's parameters among themselves: when a
# learner's function has all of `names` and none of `unless`, each maps as the dict says.
CONVENTIONS = (  # deeplearning.ai's Adam: v is the first moment, s the second
    ({"v", "s"}, {"m"}, {"v": "m", "s": "v"}),
)


@dataclass(frozen=True)
class Plan:
    """How to call one learner function: positionally as the exercise does, or by name."""

    positional: bool
    sources: tuple[tuple[str, str, Any], ...] = ()  # (parameter, "arg" | "derived", detail)
    note: str = ""
    error: str | None = None


def plan(ex: Exercise, fn: Callable, shown: str) -> Plan:
    """The Plan for calling `fn` (found under the name `shown`) as exercise `ex`."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return Plan(True)
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        return Plan(True)
    names = [p.name for p in parameters]
    wanted = list(ex.arg_names)
    if names[:len(wanted)] == wanted and all(p.default is not p.empty
                                             for p in parameters[len(wanted):]):
        return Plan(True)
    sources, said, used = [], [], set()
    lower = {n.lower(): n for n in wanted}
    renamed = next((mapping for names_, unless, mapping in CONVENTIONS
                    if names_ <= set(names) and not unless & set(names)
                    and set(mapping.values()) <= set(wanted)), {})
    same_count = len(parameters) == len(wanted)
    for position, p in enumerate(parameters):
        if p.kind is p.KEYWORD_ONLY and p.default is not p.empty:
            continue
        match = renamed.get(p.name) or (p.name if p.name in wanted else None) or \
            lower.get(p.name.lower()) or next(
            (n for n, others in SYNONYMS.items() if n in wanted and p.name.lower() in others), None)
        if match is None and same_count and p.name not in DERIVED:  # relu(x): by position
            match = wanted[position]
        if match is not None and match not in used:
            used.add(match)
            sources.append((p.name, "arg", wanted.index(match)))
            if match != p.name:
                said.append(f"{p.name} for {match}")
        elif p.name in DERIVED and DERIVED[p.name][0] in wanted:
            source, _ = DERIVED[p.name]
            sources.append((p.name, "derived", wanted.index(source)))
            said.append(f"{p.name} given as {source}.shape[1]")
        elif p.default is p.empty:
            return Plan(False, error=f"{shown}() has a parameter {p.name} that the exercise does not "
                              f"give: it calls {ex.name}({', '.join(wanted)})")
    left_out = [n for n in wanted if n not in used]
    if left_out:
        said.append(f"without {' and '.join(left_out)}")
    if [s for s in sources if s[1] == "arg"] != sorted(
            (s for s in sources if s[1] == "arg"), key=lambda s: s[2]):
        said.append("in another order")
    return Plan(False, tuple(sources), _note(ex, shown, names, said))


def _note(ex: Exercise, shown: str, names: list[str], said: list[str]) -> str:
    return (f"{shown} takes ({', '.join(names)}); the exercise's parameters are "
            f"({', '.join(ex.arg_names)})" + (f": {', '.join(said)}" if said else "")
            + ". It is graded with the parameters it names.")


def call(fn: Callable, how: Plan, args: tuple, kwargs: dict) -> Any:
    """Call `fn` with the exercise's arguments (given in the exercise's order) as `how` says."""
    if how.error:
        raise TypeError(how.error)
    if how.positional:
        return fn(*args, **kwargs)
    given = list(args)
    named = {}
    for parameter, kind, index in how.sources:
        if index < len(given):
            value = given[index]
            named[parameter] = value if kind == "arg" else DERIVED[parameter][1](value)
    return fn(**named)
