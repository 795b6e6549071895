"""Single edits of a formula: the search that names mistakes nobody listed.

An exercise's grader module may state its formula as a `Program`: a few lines of NumPy, the way
the docstring writes it, ending in `return` of the exercise's outputs. The search makes every
single edit a learner plausibly makes to it (an operand swapped for another variable, a
transpose added or dropped, another axis or no keepdims, a term or a call left out, operands or
an operator swapped, another activation) and runs each edited formula on the inputs of a
failing check. An edit whose result reproduces what the learner returned, for that very output,
names the mistake in plain words ("Z2 uses Z1 where the formula has A1"). Nothing here is
written per mistake, so every later chapter's formulas get the search for free.

Programs run in the grader process only, on the grader's own copies of the inputs.
"""

from __future__ import annotations

import ast
import copy
import re
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader import network
from grader.catalog import BY_NAME


def _sigmoid(Z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-Z))


def _leaky_relu(Z: np.ndarray) -> np.ndarray:
    return np.where(Z > 0, Z, 0.01 * Z)


def _matmul(a: Any, b: Any) -> Any:
    """a @ b, refusing shapes that do not fit in the words of np.dot, which names both shapes
    (so that an edit's error can be held against a learner's, shape by shape)."""
    if np.ndim(a) >= 1 and np.ndim(b) >= 1:
        inner = np.shape(b)[0] if np.ndim(b) == 1 else np.shape(b)[-2]
        if np.shape(a)[-1] != inner:
            raise ValueError(f"shapes {_tuple(np.shape(a))} and {_tuple(np.shape(b))} not "
                             f"aligned: {np.shape(a)[-1]} (dim {np.ndim(a) - 1}) != {inner} "
                             f"(dim {max(np.ndim(b) - 2, 0)})")
    return a @ b


def _tuple(shape: tuple) -> str:
    return "(" + ",".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


class _Products(ast.NodeTransformer):
    """a @ b becomes _matmul(a, b) in the code that runs (never in the words said)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.MatMult):
            return ast.Call(ast.Name("_matmul", ast.Load()), [node.left, node.right], [])
        return node


# What a program may call, and what a learner may call instead of each function.
NAMESPACE: dict[str, Any] = {
    "np": np, "relu": network.relu, "relu_deriv": network.relu_deriv,
    "softmax": network.softmax, "one_hot": network.one_hot, "sigmoid": _sigmoid,
    "leaky_relu": _leaky_relu, "ones_like": np.ones_like, "_matmul": _matmul,
}
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "relu": ("sigmoid", "np.tanh", "leaky_relu", "softmax", "np.abs"),
    "softmax": ("sigmoid", "relu"),
    "relu_deriv": ("relu",),
    "np.maximum": ("np.minimum",),
    "np.max": ("np.min", "np.sum"),
}
WRAPS = ("relu", "softmax")  # what a learner may apply to a value the formula leaves as it is
AXES = (0, 1, None)
PAIR_LIMIT = 60  # edits that change an output, combined two at a time at most among these


@dataclass(frozen=True)
class Edit:
    """One or two changes to a program, compiled, with what they mean in words."""

    says: tuple[str, ...]
    lines: tuple[tuple[int, types.CodeType], ...]  # (statement number, its edited code)
    nodes: frozenset[int]  # pre-order numbers of the nodes replaced
    texts: tuple[str, ...] = ()  # the edited statements, as source


@dataclass
class Program:
    """A formula as Python source over the exercise's inputs, returning its outputs in order."""

    source: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    name: str = "it"  # the exercise: what a single-output formula's edits are said of
    scale: str | None = None  # the variable behind scale mistakes ("m": 1/m missing or wrong)
    _singles: list[Edit] | None = field(default=None, repr=False)
    _recent: list[Edit] = field(default_factory=list, repr=False)
    _pairs: dict[tuple[int, int], Edit | None] = field(default_factory=dict, repr=False)
    _pairs_tried: set[int] = field(default_factory=set, repr=False)  # outputs searched in pairs
    _misses: dict[int, int] = field(default_factory=dict, repr=False)  # searches that found none
    # The words said of an explanation -> the nodes its edits replaced (broader ones win).
    origins: dict[str, frozenset[int]] = field(default_factory=dict, repr=False)

    def forget(self) -> None:
        """Start afresh for another submission (or another grading in watch): what explained,
        or failed to explain, an earlier one's outputs is no evidence for this one's."""
        self._recent.clear()
        self._pairs_tried.clear()
        self._misses.clear()
        self.origins.clear()

    def __post_init__(self) -> None:
        self.source = textwrap.dedent(self.source).strip()
        self.tree = ast.parse(self.source)
        if not isinstance(self.tree.body[-1], ast.Return):
            raise ValueError("a program ends with `return` of the outputs")
        self.lines = [self._compile(statement) for statement in self.tree.body]
        self._spans, self._statement = {}, {}  # node number -> last number inside, statement
        number = 0
        for i, statement in enumerate(self.tree.body):
            for node, _ in _preorder(statement):
                self._spans[number] = number + sum(1 for _ in _preorder(node)) - 1
                self._statement[number] = i
                number += 1

    # ----------------------------------------------------------------- running

    def _compile(self, statement: ast.stmt) -> types.CodeType:
        """One line of the formula; the return becomes `__out__ = (outputs, ...)`."""
        if isinstance(statement, ast.Return):
            value = statement.value
            if len(self.outputs) == 1:
                value = ast.Tuple([value], ast.Load())
            statement = ast.Assign([ast.Name("__out__", ast.Store())], value)
        module = _Products().visit(ast.Module([copy.deepcopy(statement)], []))
        return compile(ast.fix_missing_locations(module), "<formula>", "exec")

    def _env(self, args: dict[str, Any], edit: Edit | None) -> dict[str, Any]:
        env = dict(NAMESPACE)
        env.update({k: v for k, v in args.items() if k in self.inputs})
        lines = dict(edit.lines) if edit is not None else {}
        with np.errstate(all="ignore"):
            for i, code in enumerate(self.lines):
                try:
                    exec(lines.get(i, code), env)
                except Exception as err:
                    err.formula_line = i  # type: ignore[attr-defined]  (where it raised)
                    raise
        return env

    def run(self, args: dict[str, Any], edit: Edit | None = None) -> tuple:
        """The outputs of the (edited) formula on `args`; raises what NumPy raises."""
        out = self._env(args, edit)["__out__"]
        return tuple(out) if isinstance(out, tuple) else (out,)

    def scale_of(self, args: dict[str, Any]) -> float | None:
        """The value of the scale variable (m) for these inputs."""
        if self.scale is None:
            return None
        try:
            value = self._env(args, None).get(self.scale)
        except Exception:  # noqa: BLE001
            return None
        return float(value) if isinstance(value, (int, float, np.integer, np.floating)) else None

    def uses_scale(self, output: int) -> bool:
        """Whether the formula of this output involves the scale variable."""
        if self.scale is None:
            return False
        needs = self._names_of(output)
        return self.scale in needs

    def _names_of(self, output: int) -> set[str]:
        """Every variable the formula of `output` depends on, through earlier lines."""
        ret = self.tree.body[-1].value
        node = ret.elts[output] if isinstance(ret, ast.Tuple) and len(self.outputs) > 1 else ret
        todo = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        seen: set[str] = set()
        lines = {t.id: stmt.value for stmt in self.tree.body[:-1] if isinstance(stmt, ast.Assign)
                 for t in stmt.targets if isinstance(t, ast.Name)}
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in lines:
                todo |= {n.id for n in ast.walk(lines[name]) if isinstance(n, ast.Name)}
        return seen

    # ----------------------------------------------------------------- edits

    def singles(self) -> list[Edit]:
        """Every single edit, compiled once and kept."""
        if self._singles is None:
            seen, edits = {(i, ast.unparse(s)) for i, s in enumerate(self.tree.body)}, []
            for number, new, says in self._variants():
                tree = _replaced(self.tree, {number: new})
                line = self._statement[number]
                text = (line, ast.unparse(tree.body[line]))
                if text in seen:
                    continue
                seen.add(text)
                edit = self._edit(tree, (says,), frozenset([number]))
                if edit is not None:
                    edits.append(edit)
            self._singles = edits
        return self._singles

    def _edit(self, tree: ast.Module, says: tuple[str, ...], nodes: frozenset[int]) -> Edit | None:
        statements = sorted({self._statement[n] for n in nodes})
        try:
            lines = tuple((i, self._compile(tree.body[i])) for i in statements)
        except (SyntaxError, ValueError, TypeError):
            return None
        texts = tuple(f"{target} = {ast.unparse(value)}" for i in statements
                      for target, _, value in _targets(tree.body[i], self.outputs, self.name))
        return Edit(says, lines, nodes, texts)

    def pair(self, a: Edit, b: Edit) -> Edit | None:
        """Both edits at once, when they touch separate places (compiled once, kept)."""
        key = (id(a), id(b))
        if key not in self._pairs:
            self._pairs[key] = self._pair(a, b)
        return self._pairs[key]

    def _pair(self, a: Edit, b: Edit) -> Edit | None:
        if a.nodes & b.nodes or self._nested(a.nodes | b.nodes):
            return None
        if not {i for i, _ in a.lines} & {i for i, _ in b.lines}:  # other lines: no compiling
            return Edit(a.says + b.says, a.lines + b.lines, a.nodes | b.nodes, a.texts + b.texts)
        replacements = {}
        for edit in (a, b):
            for number in edit.nodes:
                replacements[number] = self._replacement[(number, edit.says[0])]
        return self._edit(_replaced(self.tree, replacements), a.says + b.says, a.nodes | b.nodes)

    def _nested(self, numbers: frozenset[int]) -> bool:
        return any(s != t and s <= t <= self._spans[s] for s in numbers for t in numbers)

    def _variants(self) -> Iterator[tuple[int, ast.AST, str]]:
        """(node number, replacement, words) for every single edit."""
        self._replacement: dict[tuple[int, str], ast.AST] = {}
        order = [pair for statement in self.tree.body for pair in _preorder(statement)]
        scope = list(self.inputs)
        numbers = {id(n): i for i, (n, _) in enumerate(order)}
        for statement in self.tree.body:
            for target, formula, top in _targets(statement, self.outputs, self.name):
                for node, parent in _preorder(top):
                    number = numbers[id(node)]
                    for new in _replacements(node, parent, scope, top):
                        says = _words(target, node, new, formula)
                        self._replacement[(number, says)] = new
                        yield number, new, says
            if isinstance(statement, ast.Assign):
                scope += [t.id for t in statement.targets if isinstance(t, ast.Name)]

    def find(self, args: dict[str, Any], got: tuple, k: int, scale_value: float | None,
             right: tuple[int, ...] = ()) -> tuple[Edit | None, float] | None:
        """The fewest edits (none, one, else two) whose result reproduces output k of `got`
        and leaves the outputs the learner got `right` as they are, with the constant factor
        left over (1.0: none); None when nothing does."""
        scale_ok = scale_value is not None and self.uses_scale(k)

        def verdict(edit: Edit | None) -> float | None:
            try:
                out = self.run(args, edit)
            except Exception:  # noqa: BLE001  (an edit that NumPy refuses explains nothing)
                return None
            if len(out) <= k or any(match(got[j], out[j], False) != 1.0 for j in right):
                return None
            factor = match(got[k], out[k], scale_ok)
            if factor is not None and factor != 1.0 \
                    and scale_words(self.outputs[k], factor, scale_value) is None:
                return None  # a factor nobody can explain is no explanation
            return factor

        factor = verdict(None)
        if factor is not None:  # the formula itself, but for a constant factor
            return None, factor
        for edit in self._recent:  # what explained an earlier check of this exercise
            factor = verdict(edit)
            if factor is not None:
                return edit, factor
        if self._misses.get(k, 0) >= 2:  # nothing explained it twice: not worth a third search
            return None
        self._misses[k] = self._misses.get(k, 0) + 1
        singles = self.singles()
        found = None  # an edit that explains it exactly wins over one that needs a factor
        for edit in singles:  # one pass, each edit run once
            factor = verdict(edit)
            if factor == 1.0:
                found = edit, factor
                break
            if factor is not None and found is None:
                found = edit, factor
        if found is not None:
            self._remember(found[0])
            self._misses[k] -= 1
            return found
        if k in self._pairs_tried:  # two edits did not explain it for an earlier check
            return None
        self._pairs_tried.add(k)
        try:
            reference = self.run(args)[k]
        except Exception:  # noqa: BLE001
            return None
        changing = [e for e in singles if self._changes(e, args, k, reference)][:PAIR_LIMIT]
        for i, a in enumerate(changing):
            for b in changing[i + 1:]:
                both = self.pair(a, b)
                factor = None if both is None else verdict(both)
                if factor is not None:
                    self._remember(both)
                    self._pairs_tried.discard(k)
                    self._misses[k] -= 1
                    return both, factor
        return None

    def find_error(self, args: dict[str, Any], kind: str, message: str, line: str | None
                   ) -> Edit | None:
        """The single edit that raises what the learner's code raised, in the learner's own
        failing `line`: the same exception about the same shapes (a broadcast of (10, 7) with
        (10,), or a product whose inner sizes 7 and 784 do not fit), made by an edit of the line
        that assigns what the learner's line assigns, to the same variables in the same order.
        The edit the learner wrote word for word wins; else it must be the only one, or the
        cause is not known."""
        theirs = self._variables_in(line or "")
        if not theirs:
            return None
        found = []
        for edit in self.singles():
            mine = [self._variables_in(text) for text in edit.texts]
            if theirs not in mine:
                continue  # not the learner's line: other variables, or in another order
            try:
                self.run(args, edit)
            except Exception as err:  # noqa: BLE001
                if type(err).__name__ == kind and getattr(err, "formula_line", None) in \
                        dict(edit.lines) and _same_error(str(err), message):
                    found.append(edit)
        written = [e for e in found if _bare(line or "") in map(_bare, e.texts)]
        if written:  # the learner wrote exactly this edit
            return written[0]
        return found[0] if len(found) == 1 else None

    def _variables_in(self, code: str) -> tuple[str, ...] | None:
        """The formula's variables in a line of code, in order (not m, which learners place
        anywhere), its first the one it assigns; None when the line does not parse alone."""
        try:
            tree = ast.parse(code.strip())
        except SyntaxError:
            return None
        known = set(self.inputs) | {t.id for s in self.tree.body if isinstance(s, ast.Assign)
                                    for t in s.targets if isinstance(t, ast.Name)}
        names = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name)),
                       key=lambda n: (n.lineno, n.col_offset))
        return tuple(n.id for n in names if n.id in known and n.id != self.scale)

    def parts(self, edit: Edit) -> list[Edit]:
        """The single edits an edit is made of."""
        return [e for e in self.singles() if e.says[0] in edit.says and e.nodes <= edit.nodes]

    def _changes(self, edit: Edit, args: dict, k: int, reference: Any) -> bool:
        try:
            out = self.run(args, edit)
        except Exception:  # noqa: BLE001
            return False
        return len(out) > k and match(out[k], reference, False) is None

    def _remember(self, edit: Edit) -> None:
        if edit not in self._recent:
            self._recent.insert(0, edit)
            del self._recent[8:]


def _bare(code: str) -> str:
    return re.sub(r"\s", "", code)


def _same_error(theirs: str, ours: str) -> bool:
    """Two NumPy shape errors that say the same: a broadcast of the same shapes, or a matrix
    product whose inner sizes are the same two numbers (np.dot and @ word it differently)."""
    if _family(theirs) != _family(ours):
        return False
    if _family(theirs) == "matmul":  # np.dot names both shapes; @ only the two sizes
        if "not aligned" in theirs:
            return sorted(shapes_in(theirs)) == sorted(shapes_in(ours))
        return _inner(theirs) is not None and _inner(theirs) == _inner(ours)
    return sorted(shapes_in(theirs)) == sorted(shapes_in(ours))


def _inner(message: str) -> tuple[int, ...] | None:
    """The two inner sizes a matrix product could not match, whichever way NumPy says it."""
    found = re.search(r"(\d+) \(dim \d+\) != (\d+) \(dim \d+\)", message) \
        or re.search(r"size (\d+) is different from (\d+)", message)
    return tuple(sorted(int(n) for n in found.groups())) if found else None


def _family(message: str) -> str:
    """What kind of shape error a NumPy message is: a matrix product, a broadcast, other."""
    if "not aligned" in message or "matmul" in message or "core dimension" in message:
        return "matmul"
    return "broadcast" if "broadcast" in message else "other"


def shapes_in(message: str) -> list[str]:
    """The array shapes an error message names: '(10,7) (10,)' -> ['10,7', '10']."""
    return [re.sub(r"\s", "", m).rstrip(",") for m in re.findall(r"\((\d+(?:,\s*\d+)*,?)\)", message)]


def formula(exercise: str, source: str, scale: str | None = None) -> Program:
    """The Program of an exercise, over its catalog parameters and outputs."""
    ex = BY_NAME[exercise]
    return Program(source, ex.arg_names, ex.output_names, exercise, scale)


def match(got: Any, wrong: Any, scale_ok: bool) -> float | None:
    """1.0 when `got` equals `wrong`; the factor c when got = c * wrong and a scale is allowed;
    None otherwise."""
    try:
        got = np.asarray(got) if isinstance(got, (np.ndarray, np.generic, float, int)) else None
        wrong = np.asarray(wrong, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if got is None or got.dtype.kind not in "biuf" or got.shape != wrong.shape:
        return None
    if got.size == 0:  # two empty arrays of one shape (dX[:, :, 0:-0] is one)
        return 1.0
    g = got.astype(np.float64)
    if not (np.isfinite(g).all() and np.isfinite(wrong).all()):
        return 1.0 if np.array_equal(g, wrong, equal_nan=True) else None
    size = float(np.abs(wrong).max())
    if np.allclose(g, wrong, rtol=1e-4, atol=1e-7 + 1e-6 * size):
        return 1.0
    if not scale_ok or size == 0:
        return None
    c = float(g.ravel() @ wrong.ravel() / (wrong.ravel() @ wrong.ravel()))
    if c > 0 and np.allclose(g, c * wrong, rtol=1e-4, atol=1e-9 + 1e-6 * c * size):
        return c
    return None


def scale_words(name: str, factor: float, m: float | None) -> str | None:
    """A constant factor on an output, in words: 1/m missing, m twice, or another m."""
    if m is None or m <= 0 or abs(factor - 1) < 1e-6:
        return None
    if m > 1 and abs(factor - m) < 1e-6 * m:
        return f"{name} is not divided by m (m = X.shape[1] = {m:g} here)"
    if m > 1 and abs(factor - 1 / m) < 1e-6 / m:
        return f"{name} is divided by m twice (m = X.shape[1] = {m:g} here)"
    divisor = m / factor
    if abs(divisor - round(divisor)) < 1e-6 * max(1.0, divisor) and round(divisor) > 0:
        return (f"{name} is divided by {round(divisor)} instead of m = X.shape[1] = {m:g}: is m "
                "taken from a global or a constant?")
    return None


# --------------------------------------------------------------------------- the tree

def _preorder(node: ast.AST, parent: ast.AST | None = None) -> Iterator[tuple[ast.AST, Any]]:
    yield node, parent
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop)):
            continue
        yield from _preorder(child, node)


def _replaced(tree: ast.Module, replacements: dict[int, ast.AST]) -> ast.Module:
    """`tree` with the nodes of these pre-order numbers (counted over its statements)
    replaced; only the statements that change are copied."""
    body, number = [], 0
    for statement in tree.body:
        size = sum(1 for _ in _preorder(statement))
        mine = {n - number: new for n, new in replacements.items() if number <= n < number + size}
        body.append(_replaced_in(statement, mine) if mine else statement)
        number += size
    return ast.Module(body, [])


def _replaced_in(statement: ast.stmt, replacements: dict[int, ast.AST]) -> ast.stmt:
    new = copy.deepcopy(statement)
    slots = [(node, parent) for i, (node, parent) in enumerate(_preorder(new)) if i in replacements]
    for (node, parent), number in zip(slots, sorted(replacements)):
        for name, value in ast.iter_fields(parent):
            if value is node:
                setattr(parent, name, replacements[number])
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if item is node:
                        value[i] = replacements[number]
    return new


def _targets(statement: ast.stmt, outputs: tuple[str, ...], exercise: str
             ) -> Iterator[tuple[str, str, ast.AST]]:
    """(what it computes, its formula, the expression) for each value a statement computes;
    a single returned value is said of the exercise itself ("relu uses ...")."""
    if isinstance(statement, ast.Assign):
        name = ast.unparse(statement.targets[0])
        yield name, ast.unparse(statement), statement.value
    elif isinstance(statement, ast.Return):
        value = statement.value
        if len(outputs) == 1:
            yield exercise, f"{exercise} returns {ast.unparse(value)}", value
            return
        for name, part in zip(outputs, value.elts):
            yield name, f"{name} = {ast.unparse(part)}", part


def _words(target: str, old: ast.AST, new: ast.AST, formula: str) -> str:
    whole = formula in (f"{target} = {ast.unparse(old)}", f"{target} returns {ast.unparse(old)}")
    if whole and isinstance(new, ast.Attribute) and new.attr == "T" \
            and ast.unparse(new.value) == ast.unparse(old):
        return f"{target} is transposed: the formula gives {ast.unparse(old)}, not its .T"
    said = f"{target} uses {ast.unparse(new)} where the formula has {ast.unparse(old)}"
    return said if whole else f"{said} ({formula})"


def _replacements(node: ast.AST, parent: Any, scope: list[str], top: ast.AST) -> Iterator[ast.AST]:
    """The plausible slips at one node of a formula."""
    is_function = isinstance(parent, ast.Call) and parent.func is node
    if isinstance(node, ast.Name) and not is_function and node.id != "np":
        for other in scope:
            if other != node.id:
                yield ast.Name(other, ast.Load())
        if not (isinstance(parent, ast.Attribute) and parent.attr == "T"):  # not X.T.T
            yield ast.Attribute(ast.Name(node.id, ast.Load()), "T", ast.Load())
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield node.value
    if node is top and not isinstance(node, ast.Name):
        yield ast.Attribute(copy.deepcopy(node), "T", ast.Load())
    if node is top and not isinstance(node, (ast.Name, ast.Call)):  # an activation too many
        for activation in WRAPS:
            yield ast.Call(ast.Name(activation, ast.Load()), [node], [])
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        for other in ALTERNATIVES.get(name, ()):
            yield ast.Call(ast.parse(other, mode="eval").body, node.args, node.keywords)
        if node.args and name != "one_hot":
            yield node.args[0]  # the call left out
        yield from _axis_variants(node)
    if isinstance(node, ast.BinOp):
        yield node.left
        yield node.right
        if isinstance(node.op, (ast.Sub, ast.Div, ast.MatMult)):
            yield ast.BinOp(node.right, node.op, node.left)
        for op in {ast.Sub: (ast.Add,), ast.Add: (ast.Sub,), ast.MatMult: (ast.Mult,),
                   ast.Mult: (ast.MatMult,), ast.Div: (ast.Mult,)}.get(type(node.op), ()):
            yield ast.BinOp(node.left, op(), node.right)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        for op in (ast.Gt, ast.GtE, ast.Lt, ast.LtE):
            if not isinstance(node.ops[0], op):
                yield ast.Compare(node.left, [op()], node.comparators)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield node.operand


def _axis_variants(call: ast.Call) -> Iterator[ast.Call]:
    keywords = {k.arg: k for k in call.keywords}
    if "axis" not in keywords:
        return
    axis = ast.literal_eval(keywords["axis"].value)
    keep = "keepdims" in keywords and ast.literal_eval(keywords["keepdims"].value)
    for new_axis in AXES:
        for new_keep in (True, False):
            if (new_axis, new_keep) == (axis, keep):
                continue
            kws = [k for k in call.keywords if k.arg not in ("axis", "keepdims")]
            if new_axis is not None:
                kws.append(ast.keyword("axis", ast.Constant(new_axis)))
            if new_keep:
                kws.append(ast.keyword("keepdims", ast.Constant(True)))
            yield ast.Call(call.func, call.args, kws)
