"""The loop of the worker process: load a submission, then answer the grader's requests.

`python -m grader.serve` is started by grader.worker.Worker. It confines itself (grader.sandbox)
before any learner code runs, keeps its stdin/stdout for the protocol only (grader.wire: the
learner's prints go elsewhere), and runs each requested call, turning every way it can end into
a reply. It holds no answers: the reference versions of the functions a call may use are
stand-ins that ask the grader (`ask_grader`), and it never imports the grader's own math.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import itertools
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Everything the worker runs is imported now, before learner code can patch anything and while
# the grader's files can still be read (the sandbox hides them).
from grader import sandbox, shown, signatures, submission, trainer, wire
from grader.sandbox import NOBODY, SANDBOX_FAILED
from grader.submission import describe_exception


def _serve(proto_in: io.BufferedReader, proto_out: io.BufferedWriter) -> None:
    def ask_grader(name: str) -> Callable:
        """A stand-in for the reference `name`: the grader runs it and sends the result."""
        def reference(*args: Any, **kwargs: Any) -> Any:
            wire.send(proto_out, {"status": "reference", "fn": name}, (args, kwargs))
            header, value = wire.receive(proto_in)
            if header.get("status") != "ok":
                kind = getattr(builtins, str(header.get("type")), None)
                kind = kind if isinstance(kind, type) and issubclass(kind, Exception) \
                    else RuntimeError
                raise kind(str(header.get("message")))
            result, after = value
            # The grader drew from twins of the learner's generators: they move on alike.
            for mine, theirs in zip(wire.generators((args, kwargs)), after):
                mine.bit_generator.state = theirs.bit_generator.state
            return result
        reference.__name__ = reference.__qualname__ = name
        return reference

    wire.send(proto_out, {"status": "ready"})  # confined: from now on, learner code may run
    sub: submission.Submission | None = None
    while True:
        try:
            request, value = wire.receive(proto_in)
        except EOFError:
            return
        op = request.get("op")
        if op == "load":
            sub = submission.load(Path(request["path"]), ask_grader, value, lambda name: wire.send(
                proto_out, {"status": "progress"}, name))
            wire.send(proto_out, {"status": "ok"},
                      {"functions": sorted(sub.functions), "problems": sub.problems,
                       "notes": sub.notes, "warnings": sub.warnings,
                       "parameters": sub.parameters})
        elif op == "call":
            reply, result = _call(sub, request, value, ask_grader)
            wire.send(proto_out, reply, result)
        elif op in ("train", "fit"):  # the grader's loop, or the learner's gradient_descent
            def progress(event: dict) -> None:
                wire.send(proto_out, {"status": "progress"}, event)

            called = {name: _as_planned(fn, sub.plans.get(name))
                      for name, fn in sub.functions.items()}
            if op == "train":
                def training() -> Any:
                    return trainer.train(called, progress=progress, **value)
            else:
                def training() -> Any:
                    return trainer.fit(called, progress=progress, watch=lambda update: sub.swapped(
                        ("update_params",), {"update_params": update}), **value)
            reply, result = _run(sub, training, where=True)
            wire.send(proto_out, reply, result)


def _as_planned(fn: Callable, how: signatures.Plan | None) -> Callable:
    """`fn` called with the exercise's arguments as its plan says (other names, parameters)."""
    if how is None or how.positional:
        return fn
    return lambda *args, **kwargs: signatures.call(fn, how, args, kwargs)


def _call(sub, request: dict, value: Any, ask_grader: Callable) -> tuple[dict, Any]:
    """One learner call. With `first` (a Feed), another learner function runs before it and
    one of its outputs becomes an argument (forward_deep's caches for backward_deep); with
    `probe`, an argument is a function the grader evaluates (numerical_gradient's f)."""
    first = request.get("first")
    fed = None
    if first:
        (args, kwargs), (first_args, first_kwargs) = value
        reply, fed = _one(sub, first["fn"], first_args, first_kwargs, first.get("swap", ()))
        if reply["status"] != "ok":
            reply["message"] = f"{first['fn']}, which runs first for it, " + (
                "is not started" if reply["status"] == "not_started"
                else reply.get("message", reply["status"]))
            return reply, None
        try:
            args = list(args)
            args[first["into"]] = fed[first["take"]]
        except Exception:  # noqa: BLE001 - whatever it returned, say what it is
            return {"status": "raised", "message": f"{first['fn']} returned "
                    f"{shown.visible(repr(fed)[:80], 200)}, which has no value {first['take'] + 1}"
                    " to pass on", "printed": "", "warnings": []}, None
    else:
        args, kwargs = value
    probe = request.get("probe")
    if probe:
        args = list(args)
        args[probe["at"]] = _probe(ask_grader(probe["fn"]), args[probe["reads"]])
    reply, result = _one(sub, request["fn"], tuple(args), kwargs, request.get("swap", ()))
    if reply["status"] != "ok":
        return reply, None
    if probe:
        args[probe["at"]] = None  # the stand-in cannot travel back
    return reply, (result, tuple(args)) + ((fed,) if first else ())


def _one(sub, name: str, args: tuple, kwargs: dict, swap: tuple) -> tuple[dict, Any]:
    fn = sub.functions.get(name)
    if fn is None:
        return {"status": "not_started", "message": sub.problems.get(name, "")}, None
    how = sub.plans.get(name) or signatures.Plan(True)
    with sub.swapped(tuple(swap)):
        return _run(sub, lambda: _listed(signatures.call(fn, how, args, kwargs)))


def _probe(evaluate: Callable, x: Any) -> Callable:
    """f for numerical_gradient: f() is the grader's function at x as it is now (the learner
    changes x in place), f(y) the same function at y (for a learner who passes copies)."""
    def f(*args: Any, **kwargs: Any) -> Any:
        return evaluate(args[0] if args else x)
    return f


ITEMS_LISTED = 100_000  # of a returned generator: far more than any batch list


def _listed(result: Any) -> Any:
    """A returned generator (mini_batches written with `yield`) as the list of what it yields."""
    if isinstance(result, Iterator) and not isinstance(result, (str, bytes)):
        return list(itertools.islice(result, ITEMS_LISTED))
    return result


def _run(sub, thunk, where: bool = False) -> tuple[dict, Any]:
    printed = io.StringIO()
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                started = time.perf_counter()
                result = thunk()
                # How long the learner's code ran, here: speed lessons, never a verdict.
                seconds = time.perf_counter() - started
            reply = {"status": "ok", "seconds": seconds}
        except NotImplementedError as err:  # training says which function is not written
            reply, result = {"status": "not_started"}, None
            if where:
                reply["message"] = shown.visible(describe_exception(err, sub.root),
                                                 shown.MESSAGE_LIMIT)
        except SystemExit as err:
            reply, result = {"status": "exit", "message": f"called sys.exit({err.code!r})"}, None
        except BaseException as err:
            message = shown.visible(describe_exception(err, sub.root), shown.MESSAGE_LIMIT)
            reply, result = {"status": "raised", "message": message}, None
    reply["printed"] = shown.visible(printed.getvalue(), shown.PRINTED_LIMIT)
    reply["warnings"] = _warnings(warned)
    return reply, result


def _warnings(warned: list[warnings.WarningMessage], limit: int = 5) -> list[str]:
    """'softmax.py, line 3: RuntimeWarning: overflow encountered in exp', once each."""
    said: list[str] = []
    for w in warned:
        text = f"{Path(w.filename).name}, line {w.lineno}: {w.category.__name__}: {w.message}"
        if text not in said:
            said.append(text[:300])
    return said[:limit]


def _exit_with_parent() -> None:
    """A learner's endless loop must not outlive the grader (killed, or stopped by Ctrl-C):
    a worker forked by grader.zygote reads the pipe that ends with its grader, a fresh one
    watches its parent."""
    life = os.environ.get("NN_GRADER_LIFE_FD")
    if life:
        with contextlib.suppress(OSError):  # learner code that closed it ends with it too
            while os.read(int(life), 1):
                pass
        os._exit(1)
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def main() -> None:
    staging = Path(os.environ["NN_GRADER_STAGING"])
    if os.name == "posix":
        uid = int(os.environ.get("NN_GRADER_UID") or -1)
        sandbox.limit_resources(own_user=uid not in (-1, NOBODY))
        try:
            if uid >= 0:
                sandbox.isolate(staging, Path.cwd(), uid)
            sandbox.forbid_sockets()
            if sandbox.landlock_wanted():
                sandbox.confine(readable=[staging / "submission"], writable=[Path.cwd()])
        except (sandbox.SandboxError, OSError) as err:
            print(err, file=sys.stderr, flush=True)
            os._exit(SANDBOX_FAILED)  # fail closed: never run learner code unconfined
        if uid >= 0:
            sandbox.drop_privileges(uid, uid)
        threading.Thread(target=_exit_with_parent, daemon=True).start()
    # Keep private copies of stdin/stdout for the protocol; the learner's fds 0/1 become
    # /dev/null and our stderr, so a print (even from C) can never corrupt a reply.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)  # noqa: SIM115
    _serve(proto_in, proto_out)


if __name__ == "__main__":
    main()
