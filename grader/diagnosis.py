"""Known mistakes: when a check fails, name the misconception behind each wrong output.

Every wrong output of a failing check is diagnosed on its own, from the grader's own copy of
the inputs of that very call (the worker only ever sees copies, so what the learner's code did
to its inputs cannot mislead the diagnosis). A cause is stated only when recomputing the
mistake reproduces that output and the correct formula does not; several are listed when
several hold; it is attached only to the checks it explains.

Where the causes come from, in order:
- the exercise's hand-written table (`MISTAKES` in its grader module): a `Symptom` recognises a
  mistake from the output alone, a `Mistake` recomputes what a learner making it returns;
- the edit search over the exercise's formula (`PROGRAM`, see grader.edits): the fewest single
  edits that reproduce the output, in plain words, with a scale mistake (1/m missing, m twice,
  m from a global) when only a constant factor is left.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.edits import Program, match, scale_words


@dataclass(frozen=True)
class Mistake:
    key: str
    says: str
    wrong: Callable[[dict], Any]  # what a learner making this mistake returns for these inputs


@dataclass(frozen=True)
class Symptom:
    key: str
    says: Callable[[dict, Any], str | None]  # the sentence, when the output shows the mistake


def _outputs(value: Any, count: int) -> tuple:
    if count == 1:
        return (value,)
    return tuple(value) if isinstance(value, (tuple, list)) else ()


def diagnose(module: types.ModuleType, args: dict[str, Any], got: Any, expected: Any,
             failing: list[int], names: tuple[str, ...]) -> list[str]:
    """The causes of the failing outputs (indices into `names`) of one call, merged. Advice
    only: should working it out fail, nothing is said, and the check's verdict stands."""
    try:
        return _diagnose(module, args, got, expected, failing, names)
    except Exception:  # noqa: BLE001
        return []


def _diagnose(module: types.ModuleType, args: dict[str, Any], got: Any, expected: Any,
              failing: list[int], names: tuple[str, ...]) -> list[str]:
    got_k, expected_k = _outputs(got, len(names)), _outputs(expected, len(names))
    known = getattr(module, "MISTAKES", ())
    table = {}  # key -> the outputs a learner making that mistake returns here
    for mistake in known:
        if isinstance(mistake, Mistake):
            try:
                with np.errstate(all="ignore"):
                    table[mistake.key] = _outputs(mistake.wrong(args), len(names))
            except (ValueError, IndexError, TypeError):
                pass
    program = getattr(module, "PROGRAM", None)
    scale_value = program.scale_of(args) if program is not None else None
    found: list[str] = []
    # A table mistake that gives every output just as the learner's code did says it best.
    whole = [m.says for m in known if isinstance(m, Mistake) and m.key in table
             and _same_outputs(got_k, table[m.key])
             and not _same_outputs(expected_k, table[m.key])][:1]
    if whole:
        return whole
    for k in failing:
        if k >= len(got_k):
            continue
        said = [s for s in (m.says(args, got) for m in known if isinstance(m, Symptom)) if s]
        if not said and program is not None:
            right = tuple(j for j in range(len(names)) if j not in failing)
            said = _edit_words(program, known, table, args, got_k, k, scale_value, right)
        if not said:  # the table's mistakes that no single or double edit expresses
            said = [m.says for m in known if isinstance(m, Mistake) and m.key in table
                    and _same_outputs(got_k, table[m.key])
                    and match(expected_k[k], table[m.key][k], False) is None][:1]
        found += said
    return merge(found)


def _edit_words(program: Program, known: tuple, table: dict, args: dict, got: tuple, k: int,
                scale_value: float | None, right: tuple[int, ...]) -> list[str]:
    """The edits that reproduce output k, each said as the table says it when a table mistake
    gives the same output, then the constant factor left over, if any."""
    found = program.find(args, got, k, scale_value, right)
    if found is None:
        return []
    edit, factor = found
    words: list[str] = []
    whole = _table_words(program, known, table, args, k, edit) if edit is not None else None
    for part in ([] if edit is None or whole else program.parts(edit)):
        said = _table_words(program, known, table, args, k, part) or part.says[0]
        program.origins.setdefault(said, part.nodes)
        words.append(said)
    if whole:
        program.origins.setdefault(whole, edit.nodes)
        words.append(whole)
    if factor != 1.0:
        extra = scale_words(program.outputs[k], factor, scale_value)
        if extra is None:
            return []  # a factor nobody can explain: say nothing rather than guess
        words.append(extra)
    return words


ERROR = re.compile(r"raised (\w+): (.*?)(?: \([^()]*, line \d+(?:, in \w+)?: (.*)\))?$", re.S)


def explain_error(module: types.ModuleType, name: str, args: dict[str, Any], message: str
                  ) -> list[str]:
    """Why the learner's function raised, when it is known: a global that is not there, a
    Python function given a whole array, or the one edit of the formula that raises the same.
    Advice only, like diagnose."""
    try:
        return _explain_error(module, name, args, message)
    except Exception:  # noqa: BLE001
        return []


def _explain_error(module: types.ModuleType, name: str, args: dict[str, Any], message: str
                   ) -> list[str]:
    found = ERROR.search(message)
    if not found:
        return []
    kind, text, line = found.groups()
    program = getattr(module, "PROGRAM", None)
    missing = re.match(r"name '(\w+)' is not defined", text)
    if kind == "NameError" and missing:
        said = (f"{name} uses {missing[1]}, which nothing inside it defines: a global of your "
                "file or notebook, and a line that would set it may not have run here")
        if program is not None and missing[1] == program.scale:
            said += (f"; inside {name}, m = X.shape[1]: the number of examples in this batch "
                     "(a global m is the whole data set's)")
        return [said]
    gradient_key = re.fullmatch(r"'d([Wb]\d+)'", text.strip())
    if kind == "KeyError" and gradient_key:
        return [f"the gradients are keyed like the parameters here: grads['{gradient_key[1]}'], "
                f"not grads['d{gradient_key[1]}']"]
    layer_key = re.fullmatch(r"'d?([Wb])(\d+)'", text.strip())
    params = args.get("params")
    if kind == "KeyError" and layer_key and isinstance(params, dict):
        L = sum(isinstance(k, str) and k[:1] == "W" and k[1:].isdigit() for k in params)
        if int(layer_key[2]) > L:
            return [f"{name} asks for the parameters of layer {layer_key[2]}, but the network "
                    f"has {L} layers, W1 .. W{L}: params holds a W and a b for each, so L = "
                    "len(params) // 2 (len(params) alone counts every layer twice)"]
    if "truth value of an array with more than one element is ambiguous" in text:
        return [f"{name} gives a whole array to Python's max, min, if, and or or, which take one "
                "number: use NumPy's element-wise np.maximum(Z, 0) or np.where"]
    if program is not None:
        edit = program.find_error(args, kind, text, line)
        if edit is not None:
            return [edit.says[0]]
    return []


def _table_words(program: Program, known: tuple, table: dict, args: dict, k: int, edit
                 ) -> str | None:
    """The table's sentence for a mistake that gives every output just as `edit` does."""
    try:
        alone = program.run(args, edit)
    except Exception:  # noqa: BLE001
        return None
    return next((m.says for m in known if isinstance(m, Mistake) and m.key in table
                 and _same_outputs(alone, table[m.key])), None)


def _same_outputs(got: tuple, wrong: tuple) -> bool:
    """Every output the same: a table's sentence describes the whole function's behaviour."""
    return len(got) == len(wrong) and all(match(g, w, False) == 1.0 for g, w in zip(got, wrong))


def merge(causes: list[str]) -> list[str]:
    """Once each, and 'dW1 is divided by 7 ...' with 'dW2 is divided by 7 ...' as one sentence
    about both."""
    groups: dict[str, list[str]] = {}
    for cause in causes:
        head, sep, rest = cause.partition(" is ")
        key = rest if sep and re.fullmatch(r"\w+", head) else cause
        names = groups.setdefault(key, [])
        if sep and re.fullmatch(r"\w+", head):
            if head not in names:
                names.append(head)
    merged = []
    for key, names in groups.items():
        if not names:
            merged.append(key)
        elif len(names) == 1:
            merged.append(f"{names[0]} is {key}")
        else:
            merged.append(f"{', '.join(names[:-1])} and {names[-1]} are {key}")
    return merged


def combine(module: types.ModuleType, causes: list[str]) -> list[str]:
    """An exercise's causes from all its checks: once each (numbers aside), and without those
    that a broader one already says (its edits are among the broader one's)."""
    unique: list[str] = []
    for cause in causes:
        if not any(same_cause(cause, u) for u in unique):
            unique.append(cause)
    origins = getattr(getattr(module, "PROGRAM", None), "origins", {})
    return [c for c in unique if not any(
        c != d and c in origins and d in origins and origins[c] < origins[d] for d in unique)]


def same_cause(a: str, b: str) -> bool:
    """Two causes that differ only in their numbers (m = 7 here, m = 13 there)."""
    return re.sub(r"\d+(\.\d+)?", "#", a) == re.sub(r"\d+(\.\d+)?", "#", b)
