"""gradient_descent(X, Y, alpha, epochs, batch_size=None, rng=None) -> (W1, b1, W2, b2).

The learner's loop runs in the worker with the grader's own init_params, mini_batches,
forward_prop, backward_prop and update_params (and every other exercise, should it print an
accuracy), and the grader records each call they receive. The checks read that record: one
init, a fresh shuffle each epoch, forward then backward then update on the same batch, each
step starting from the parameters the last one returned, the right number of steps, and the
last step's parameters returned. The first deviation is said, by step and with its cause.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from grader import network
from grader.catalog import NAMES
from grader.chapter2 import init_params, mini_batches
from grader.checking import leaves_inputs_untouched, mnist_like
from grader.compare import CheckFailed, expect_tuple

PARAMS = ("W1", "b1", "W2", "b2")
GRADS = ("dW1", "db1", "dW2", "db2")
SWAP = tuple(n for n in NAMES if n != "gradient_descent")
MISTAKES: tuple = ()  # none is recomputed: the CAUSES below are read off the record of calls


# The mistakes the record shows, each with what to do; the checks say the first that holds.
CAUSES = {
    "no_init": "start from your own initialisation: W1, b1, W2, b2 = init_params(X.shape[0], "
               "10, 10, rng)",
    "init_twice": "initialise once, before the first epoch: calling init_params again starts "
                  "training over",
    "init_without_rng": "pass the rng on: init_params(X.shape[0], 10, 10, rng)",
    "no_update": "it never calls update_params: each step ends with W1, b1, W2, b2 = "
                 "update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)",
    "one_step_per_epoch": "one step per epoch: make one step for each batch of mini_batches",
    "last_batch_skipped": "the last, smaller batch of each epoch gets no step: loop over every "
                          "batch mini_batches returns",
    "one_epoch": "only one epoch is made: loop `for epoch in range(epochs)` around the batches",
    "epochs_off_by_one": "the epoch loop runs another number of times than epochs: "
                         "range(epochs) runs exactly epochs times (range(1, epochs) once less)",
    "batch_skipped": "a batch of each epoch gets no step (range(1, len(batches))?): step on "
                     "every batch, for X_batch, Y_batch in batches",
    "no_mini_batches": "draw each epoch's batches with your mini_batches(X, Y, batch_size, rng)",
    "one_shuffle": "call mini_batches at the start of every epoch, inside the epoch loop, for "
                   "a fresh shuffle",
    "shuffles_per_epoch": "one shuffle per epoch: call mini_batches once at the start of each",
    "shuffles_other_data": "shuffle the whole training set each epoch: mini_batches(X, Y, "
                           "batch_size, rng)",
    "batch_size_changed": "pass gradient_descent's own batch_size on",
    "batches_without_rng": "pass the rng on: mini_batches(X, Y, batch_size, rng)",
    "same_shuffle": "a generator made afresh with the same seed every epoch draws the same "
                    "permutation: make it once and pass it on",
    "not_fed_back": "feed back what update_params returns: W1, b1, W2, b2 = update_params(W1, "
                    "b1, W2, b2, dW1, db1, dW2, db2, alpha)",
    "alpha_changed": "pass gradient_descent's alpha on",
    "stale_gradients": "apply the gradients of this very step: dW1, db1, dW2, db2 = "
                       "backward_prop(...), then update_params(..., dW1, db1, dW2, db2, alpha)",
    "backward_not_forward": "pass backward_prop what forward_prop just returned",
    "forward_stale_params": "run forward_prop with the parameters the last update returned",
    "backward_stale_weights": "pass the current W1 and W2 to backward_prop",
    "different_examples": "run forward_prop and backward_prop on the same batch, X_batch and "
                          "Y_batch",
    "foreign_batch": "step through the (X_batch, Y_batch) pairs mini_batches returns, each "
                     "with its own labels",
    "full_batch_data": "with batch_size None every step uses all of X and Y",
    "batches_repeated": "one step on each batch, each once",
    "returns_other": "return the parameters of the last step, those the last update_params "
                     "returned",
    "other_generator": "a random number is drawn from another generator than rng: pass rng to "
                       "init_params and mini_batches, and make a generator only when rng is "
                       "None",
}
def reference(X, Y, alpha, epochs, batch_size=None, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = network.as_params(*init_params.reference(X.shape[0], 10, 10, rng))
    for _ in range(epochs):
        batches = [(X, Y)] if batch_size is None else \
            mini_batches.reference(X, Y, batch_size, rng)
        for xb, yb in batches:
            grads = network.backward(params, network.forward(params, xb), xb, yb)
            params = {k: p - alpha * grads[f"d{k}"] for k, p in params.items()}
    return tuple(params.values())


def _same(a, b) -> bool:
    """Equal arrays, up to a cast to another float type on the way."""
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
        and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _all_same(a, b) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))


@dataclass
class Run:
    """A call of the learner's gradient_descent and the calls it made, read for the checks."""

    X: np.ndarray
    Y: np.ndarray
    alpha: float
    epochs: int
    batch_size: int | None
    returned: object
    record: list  # grader.worker.ReferenceCall, in order
    seeded: bool = True  # given an rng: then it must be passed on

    @property
    def what(self) -> str:
        return (f"gradient_descent(X, Y, alpha={self.alpha:g}, epochs={self.epochs}, "
                f"batch_size={self.batch_size}, rng) for X of shape {self.X.shape}")

    def calls(self, name: str) -> list[tuple[int, object]]:
        return [(i, c) for i, c in enumerate(self.record) if c.name == name]

    @property
    def steps_wanted(self) -> int:
        m = self.X.shape[1]
        return self.epochs * (1 if self.batch_size is None else math.ceil(m / self.batch_size))

    def fail(self, problem: str, cause: str | None = None) -> None:
        raise CheckFailed(f"{self.what}: {problem}" + (f"\nLikely cause: {cause}" if cause
                                                       else ""), [cause] if cause else [])


def _params(call) -> tuple:
    return tuple(call.args.get(n) for n in PARAMS)


def _first(run: Run) -> tuple:
    """The parameters init_params gave: one call, before anything else is computed."""
    inits = run.calls("init_params")
    if not inits:
        run.fail("it never calls init_params", CAUSES["no_init"])
    if len(inits) > 1:
        run.fail(f"it calls init_params {len(inits)} times", CAUSES["init_twice"])
    position, init = inits[0]
    if run.seeded and init.args.get("rng") is None:
        run.fail("init_params is called without the rng, so the same seed does not give the "
                 "same network", CAUSES["init_without_rng"])
    return tuple(init.result)


def _unstepped(run: Run) -> list[int]:
    """The batches of the first shuffle that no backward_prop of the run was given."""
    shuffles = run.calls("mini_batches")
    if not shuffles or not isinstance(shuffles[0][1].result, list):
        return []
    given = [c.args.get("X") for _, c in run.calls("backward_prop")]
    return [k for k, (xb, _) in enumerate(shuffles[0][1].result)
            if not any(_same(x, xb) for x in given)]


def _step_count(run: Run, updates: list) -> None:
    wanted, got = run.steps_wanted, len(updates)
    if got == wanted:
        return
    m, size = run.X.shape[1], run.batch_size
    per_epoch = 1 if size is None else math.ceil(m / size)
    # The epochs made, as the shuffles count them (one shuffle for all is said later).
    shuffles = len(run.calls("mini_batches")) if size is not None else None
    made = got if size is None else shuffles if shuffles and shuffles > 1 else None
    cause = None
    if got == 0:
        cause = CAUSES["no_update"] if run.calls("backward_prop") else None
    elif made is not None and made != run.epochs and got == made * per_epoch:
        cause = CAUSES["one_epoch"] if made == 1 else CAUSES["epochs_off_by_one"]
    elif size is not None and per_epoch > 1 and got == run.epochs:
        cause = CAUSES["one_step_per_epoch"]
    elif size is not None and got == run.epochs * (per_epoch - 1):
        skipped = _unstepped(run)
        cause = CAUSES["last_batch_skipped"] if skipped == [per_epoch - 1] and m % size \
            else CAUSES["batch_skipped"] if len(skipped) == 1 else None
    how = "one step per epoch, on all the data" if size is None else \
        f"{per_epoch} batch{'es' if per_epoch > 1 else ''} of at most {size} examples each " \
        "epoch, one step each"
    run.fail(f"it makes {got} step{'s' if got != 1 else ''} (calls of update_params); it should "
             f"make {wanted}: {how}", cause)


def _epochs(run: Run, updates: list) -> list[list]:
    """The batches each epoch's steps must use, from that epoch's mini_batches call; checks
    that there is one per epoch, each a fresh shuffle of the whole of X and Y."""
    if run.batch_size is None:
        return [[(run.X, run.Y)]] * run.epochs
    shuffles = run.calls("mini_batches")
    if not shuffles:
        run.fail("it never calls mini_batches", CAUSES["no_mini_batches"])
    if len(shuffles) == 1 and run.epochs > 1:
        run.fail(f"it calls mini_batches once for {run.epochs} epochs, so every epoch repeats "
                 "the same batches", CAUSES["one_shuffle"])
    if len(shuffles) != run.epochs:
        run.fail(f"it calls mini_batches {len(shuffles)} times for {run.epochs} epochs",
                 CAUSES["shuffles_per_epoch"])
    for _, call in shuffles:
        given = call.args
        if not (_same(given.get("X"), run.X) and _same(given.get("Y"), run.Y)):
            run.fail("mini_batches is given other data than gradient_descent's X and Y",
                     CAUSES["shuffles_other_data"])
        if given.get("batch_size") != run.batch_size:
            run.fail(f"mini_batches is given batch_size = {given.get('batch_size')!r}",
                     CAUSES["batch_size_changed"])
        if run.seeded and given.get("rng") is None:
            run.fail("mini_batches is called without the rng, so the same seed does not give "
                     "the same batches", CAUSES["batches_without_rng"])
    orders = [np.concatenate([b[1] for b in call.result]) for _, call in shuffles]
    if len(orders) > 1 and all(np.array_equal(orders[0], o) for o in orders[1:]):
        run.fail("every epoch gets the same shuffle", CAUSES["same_shuffle"])
    return [call.result for _, call in shuffles]


def _batch_of(run: Run, batches: list, xb, yb) -> int | None:
    """Which of the epoch's batches (X_batch, Y_batch) is; for the full batch, any order of
    all the columns counts."""
    for k, (bx, by) in enumerate(batches):
        if _same(xb, bx) and isinstance(yb, np.ndarray) and np.array_equal(yb, by):
            return k
    if run.batch_size is None and isinstance(xb, np.ndarray) and xb.shape == run.X.shape:
        return 0 if np.allclose(np.sort(xb, axis=1), np.sort(run.X, axis=1)) else None
    return None


def _steps(run: Run, updates: list, first: tuple, epochs: list[list]) -> tuple:
    """Follow every step: its forward and backward on one batch of its epoch, the parameters
    it starts from, the gradients it applies. Returns the last parameters."""
    current, results = first, [first]
    shuffle_positions = [i for i, _ in run.calls("mini_batches")]
    per_epoch = run.steps_wanted // run.epochs
    used: dict[int, list[int]] = {}
    for k, (position, update) in enumerate(updates, 1):
        epoch = (k - 1) // per_epoch
        if run.batch_size is not None and position < shuffle_positions[epoch]:
            run.fail(f"step {k} comes before epoch {epoch + 1}'s call of mini_batches")
        given = _params(update)
        if not _all_same(given, current):
            earlier = next((j for j, p in enumerate(results) if _all_same(given, p)), None)
            which = "the first parameters, those of init_params" if earlier == 0 else \
                f"the parameters of step {earlier}" if earlier is not None else \
                "parameters that neither init_params nor update_params returned"
            run.fail(f"update_params at step {k} is given {which}",
                     CAUSES["not_fed_back"])
        if update.args.get("alpha") != run.alpha:
            run.fail(f"update_params at step {k} is given alpha = {update.args.get('alpha')!r}",
                     CAUSES["alpha_changed"])
        backward = next((c for i, c in reversed(run.calls("backward_prop")) if i < position),
                        None)
        grads = tuple(update.args.get(g) for g in GRADS)
        if backward is None or not _all_same(grads, tuple(backward.result)):
            run.fail(f"update_params at step {k} is given gradients that the backward_prop "
                     "call before it did not return", CAUSES["stale_gradients"])
        forwards = [c for i, c in run.calls("forward_prop") if i < position]
        outputs = tuple(backward.args.get(n) for n in ("Z1", "A1", "Z2", "A2"))
        forward = next((c for c in reversed(forwards) if _all_same(outputs, tuple(c.result))),
                       None)
        if forward is None:
            run.fail(f"backward_prop at step {k} is given Z1, A1, Z2, A2 that no forward_prop "
                     "call returned", CAUSES["backward_not_forward"])
        if not _all_same(_params(forward), current):
            run.fail(f"forward_prop at step {k} runs with other parameters than the current ones",
                     CAUSES["forward_stale_params"])
        if not (_same(backward.args.get("W1"), current[0])
                and _same(backward.args.get("W2"), current[2])):
            run.fail(f"backward_prop at step {k} is given other W1, W2 than the current ones",
                     CAUSES["backward_stale_weights"])
        xb, yb = backward.args.get("X"), backward.args.get("Y")
        if not _same(forward.args.get("X"), xb):
            run.fail(f"at step {k}, forward_prop and backward_prop run on different examples",
                     CAUSES["different_examples"])
        batch = _batch_of(run, epochs[epoch], xb, yb)
        if batch is None:
            run.fail(f"step {k} runs on examples that are not one of epoch {epoch + 1}'s "
                     "batches (or not with their labels)", CAUSES["foreign_batch"] if run.batch_size else CAUSES["full_batch_data"])
        used.setdefault(epoch, []).append(batch)
        current = tuple(update.result)
        results.append(current)
    for epoch, batches in used.items():
        if run.batch_size is not None and sorted(batches) != list(range(len(epochs[epoch]))):
            run.fail(f"epoch {epoch + 1} steps on the batches {batches} of mini_batches' "
                     f"{len(epochs[epoch])}", CAUSES["batches_repeated"])
    return current


def follow(run: Run) -> None:
    """Every property of a correct loop, in the order a learner would fix them."""
    first = _first(run)
    updates = [c for _, c in run.calls("update_params")]
    _step_count(run, updates)
    epochs = _epochs(run, updates)
    last = _steps(run, run.calls("update_params"), first, epochs)
    returned = expect_tuple(run.returned, PARAMS, "gradient_descent")
    if not _all_same(returned, last):
        which = "the first parameters, those of init_params" if _all_same(returned, first) \
            else "parameters that no step returned"
        run.fail(f"it returns {which}", CAUSES["returns_other"])


def _inputs(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    X = mnist_like(rng, m)
    return X, rng.integers(0, 10, m)


def _run(learner, rng, m: int, epochs: int, batch_size: int | None, alpha: float = 0.1,
         seed: int | None = None) -> Run:
    X, Y = _inputs(rng, m)
    generator = np.random.default_rng(int(rng.integers(2**32)) if seed is None else seed)
    returned, record = learner.recorded(X, Y, alpha, epochs, batch_size, generator)
    return Run(X, Y, alpha, epochs, batch_size, returned, record)


@pytest.mark.parametrize("m, epochs, batch_size", [(40, 3, 16), (30, 2, 10), (20, 2, 32)],
                         ids=["m=40, 3 epochs of 16", "m=30, 2 epochs of 10",
                              "m=20, 2 epochs of 32"])
def check_mini_batch(learner, rng, m, epochs, batch_size):
    """a fresh shuffle each epoch, then forward, backward and update on every batch"""
    follow(_run(learner, rng, m, epochs, batch_size))


def check_full_batch(learner, rng):
    """batch_size None: one step per epoch on all the data, as in the original notebook"""
    follow(_run(learner, rng, 25, 4, None, alpha=0.5))


def check_defaults(learner, rng):
    """gradient_descent(X, Y, alpha, epochs) trains full batch with a generator of its own"""
    X, Y = _inputs(rng, 15)
    returned, record = learner.recorded(X, Y, 0.1, 2)
    follow(Run(X, Y, 0.1, 2, None, returned, record, seeded=False))


def check_rng(learner, rng):
    """the same rng seed trains the same network"""
    seed = int(rng.integers(2**32))
    state = np.random.default_rng(seed)
    X, Y = _inputs(state, 30)
    first, _ = learner.recorded(X, Y, 0.1, 2, 10, np.random.default_rng(seed))
    again, _ = learner.recorded(X, Y, 0.1, 2, 10, np.random.default_rng(seed))
    first, again = (expect_tuple(r, PARAMS, "gradient_descent") for r in (first, again))
    if not _all_same(first, again):
        cause = CAUSES["other_generator"]
        raise CheckFailed(f"gradient_descent(X, Y, 0.1, 2, 10, np.random.default_rng({seed})) "
                          f"trained another network the second time\nLikely cause: {cause}",
                          [cause])


def check_untouched(learner, rng):
    """leaves X and Y unchanged"""
    X, Y = _inputs(rng, 20)
    leaves_inputs_untouched(learner, {"X": X, "Y": Y, "alpha": 0.1, "epochs": 2,
                                      "batch_size": 8, "rng": np.random.default_rng(1)})
