"""`python -m grader class-report GRADES.json [--html FILE]`: the class at a glance.

From the gradebook that `batch` wrote: the scores (mean, median, a histogram), each exercise's
pass rate, the mistakes the grader named most often across the class (which mistake, how many
students, an example of what the grader said), training, what could not be graded, the code
flagged as similar (grader.similarity), and the slowest submissions. In the terminal (rich) and
as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched); every text
that came from a submission is escaped.
"""

from __future__ import annotations

import html
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.assignment import scale
from grader.batch import GRADED, read_gradebook
from grader.catalog import BY_NUMBER, Chapter
from grader.usage import Parser, UsageError, backup_path

STATUSES = ("passed", "failed", "not_started", "error")
TOP = 10  # mistakes listed
SLOWEST = 5


@dataclass
class Mistake:
    exercise: str
    cause: str
    students: list[str] = field(default_factory=list)
    example: str = ""  # the first failed check's message of one of them


@dataclass
class ClassSummary:
    chapter: Chapter
    max_score: float  # what a score is out of: the assignment's, else the chapter's
    seed: int
    rows: list[dict]
    scores: list[float]  # of the graded submissions
    exercises: dict[str, Counter]  # exercise -> students per status
    mistakes: list[Mistake]  # most students first
    training: Counter
    dev_accuracies: list[float]
    ungraded: list[tuple[str, str]]  # (entry or student, why)
    similar: list[tuple[str, str]]  # (student, what their code is the same as)
    slowest: list[tuple[str, float]]

    @property
    def graded(self) -> int:
        return len(self.scores)


def summarise(book: dict[str, Any]) -> ClassSummary:
    chapter = BY_NUMBER[book["chapter"]]
    rows = book["submissions"]
    graded = [r for r in rows if r.get("status") == GRADED and isinstance(r.get("grading"), dict)]
    possible = scale(book, chapter)
    exercises = {name: Counter() for name in possible.points}
    mistakes: dict[tuple[str, str], Mistake] = {}
    training: Counter = Counter()
    dev: list[float] = []
    for row in graded:
        for e in row["grading"].get("exercises", []):
            if not isinstance(e, dict) or e.get("name") not in exercises:
                continue
            exercises[e["name"]][e.get("status")] += 1
            causes = e.get("causes") if isinstance(e.get("causes"), list) else \
                [e["diagnosis"]] if e.get("diagnosis") else []
            for cause in dict.fromkeys(c for c in causes if isinstance(c, str)):
                m = mistakes.setdefault((e["name"], cause), Mistake(e["name"], cause))
                m.students.append(row["student"])
                if not m.example:
                    m.example = next((c.get("message", "").split("\n")[0] for c in e.get(
                        "checks", []) if isinstance(c, dict) and c.get("status") == "failed"),
                        "") or str(e.get("message", ""))
        t = row["grading"].get("training")
        if isinstance(t, dict):
            training[t.get("status")] += 1
            if isinstance(t.get("dev_accuracy"), float):
                dev.append(t["dev_accuracy"])
    graded_ids = {id(r) for r in graded}
    ungraded = [(r["student"], r.get("message") or r.get("status", "?")) for r in rows
                if id(r) not in graded_ids]
    not_graded = book.get("not_graded")
    ungraded += list(not_graded.items()) if isinstance(not_graded, dict) else []
    timed = [(r["student"], float(r["seconds"])) for r in rows
             if isinstance(r.get("seconds"), (int, float))]
    return ClassSummary(
        chapter, possible.total, book["seed"], rows, [float(r.get("score", 0)) for r in graded], exercises,
        sorted(mistakes.values(), key=lambda m: (-len(m.students), m.exercise, m.cause))[:TOP],
        training, dev, ungraded,
        [(r["student"], r["similar"]) for r in rows if isinstance(r.get("similar"), str)
         and r["similar"]], sorted(timed, key=lambda t: -t[1])[:SLOWEST])


def histogram(s: ClassSummary) -> list[tuple[str, int]]:
    """(score, students): one bar per whole point up to 20 points, else ten equal ranges."""
    top = s.max_score or 1.0
    if top == int(top) and top <= 20:
        counts = Counter(round(score) for score in s.scores)
        return [(f"{k}", counts[k]) for k in range(int(top) + 1)]
    counts = Counter(min(int(score / top * 10), 9) for score in s.scores)
    return [(f"{top * k / 10:g}-{top * (k + 1) / 10:g}", counts[k]) for k in range(10)]


def _headline(s: ClassSummary) -> str:
    if not s.scores:
        return f"{len(s.rows)} submissions, none graded"
    return (f"{len(s.rows)} submissions, {s.graded} graded; mean score "
            f"{statistics.mean(s.scores):.2f}/{s.max_score:g}, median "
            f"{statistics.median(s.scores):g}; seed {s.seed}")


def _rate(counter: Counter, status: str, n: int) -> str:
    return f"{counter[status] / n:.0%}" if n else "-"


# --------------------------------------------------------------------------- terminal

def show(s: ClassSummary) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    con = Console()
    con.print(Text(f"Chapter {s.chapter.number}: {s.chapter.title}", style="bold"))
    con.print(_headline(s))
    bars = histogram(s)
    most = max((n for _, n in bars), default=0) or 1
    hist = Table(title="Scores", show_edge=False, box=None)
    hist.add_column("score", justify="right")
    hist.add_column("students")
    for label, n in bars:
        hist.add_row(label, Text("#" * round(30 * n / most) + f" {n}"))
    con.print(hist)
    table = Table(title="Exercises")
    table.add_column("exercise")
    for status in STATUSES:
        table.add_column(status.replace("_", " "), justify="right")
    for name, counter in s.exercises.items():
        table.add_row(name, *(_rate(counter, st, s.graded) for st in STATUSES))
    con.print(table)
    if s.mistakes:
        mistakes = Table(title="Mistakes named most often")
        for column in ("students", "exercise", "mistake", "for example"):
            mistakes.add_column(column, overflow="fold")
        for m in s.mistakes:
            mistakes.add_row(str(len(m.students)), m.exercise, Text(m.cause),
                             Text(m.example[:160]))
        con.print(mistakes)
    if s.training:
        dev = f"; dev accuracy median {statistics.median(s.dev_accuracies):.3f}" \
            if s.dev_accuracies else ""
        con.print("Training: " + ", ".join(f"{n} {st}" for st, n in s.training.items()) + dev)
    if s.ungraded:
        con.print(Text(f"Not graded ({len(s.ungraded)}): " + "; ".join(
            f"{who}: {why}" for who, why in s.ungraded)))
    if s.similar:
        con.print(Text(f"Similar code, to look at (never a grade) ({len(s.similar)}): "
                       + "; ".join(f"{who}: {what}" for who, what in s.similar)))
    if s.slowest:
        con.print("Slowest: " + ", ".join(f"{who} {sec:.1f} s" for who, sec in s.slowest))


# --------------------------------------------------------------------------- HTML

CSS = """body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:980px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em}table{border-collapse:collapse}
td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em}
.bar{display:inline-block;height:.8em}.passed{background:#4a7fb5}.failed{background:#c8553d}
.not_started{background:#ccc}.error{background:#7a3b2e}"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _svg_histogram(bars: list[tuple[str, int]]) -> str:
    width, height, pad = 600, 220, 30
    most = max((n for _, n in bars), default=0) or 1
    step = (width - 2 * pad) / len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="histogram of the scores">']
    for i, (label, n) in enumerate(bars):
        h = (height - 2 * pad) * n / most
        x, y = pad + i * step, height - pad - h
        parts.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{step - 4:.1f}" '
                     f'height="{h:.1f}" fill="#4a7fb5"><title>score {label}: {n}</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{y - 4:.1f}" font-size="12" '
                     f'text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{height - pad + 14:.1f}" font-size="11" '
                     f'text-anchor="middle">{label}</text>')
    parts.append(f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" '
                 f'y2="{height - pad}" stroke="#555"/></svg>')
    return "".join(parts)


def to_html(s: ClassSummary) -> str:
    rows = []
    for name, counter in s.exercises.items():
        share = {st: counter[st] / s.graded if s.graded else 0.0 for st in STATUSES}
        bar = "".join(f'<span class="bar {st}" style="width:{160 * share[st]:.0f}px"></span>'
                      for st in STATUSES)
        rows.append(f"<tr><td><code>{_e(name)}</code></td>"
                    + "".join(f'<td class="n">{_rate(counter, st, s.graded)}</td>'
                              for st in STATUSES) + f"<td>{bar}</td></tr>")
    mistakes = "".join(
        f'<tr><td class="n">{len(m.students)}</td><td><code>{_e(m.exercise)}</code></td>'
        f"<td>{_e(m.cause)}</td><td><small>{_e(m.example[:300])}</small></td></tr>"
        for m in s.mistakes)
    training = ", ".join(f"{n} {_e(st)}" for st, n in s.training.items())
    if s.dev_accuracies:
        training += f"; dev accuracy median {statistics.median(s.dev_accuracies):.3f}"
    ungraded = "".join(f"<li><code>{_e(who)}</code>: {_e(why)}</li>" for who, why in s.ungraded)
    similar = "".join(f"<li><code>{_e(who)}</code>: {_e(what)}</li>" for who, what in s.similar)
    slowest = "".join(f'<tr><td><code>{_e(who)}</code></td><td class="n">{sec:.1f} s</td></tr>'
                      for who, sec in s.slowest)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Class report: chapter {s.chapter.number}</title><style>{CSS}</style></head><body>
<h1>Class report: chapter {s.chapter.number}, {_e(s.chapter.title)}</h1>
<p>{_e(_headline(s))}</p>
<h2>Scores</h2>{_svg_histogram(histogram(s))}
<h2>Exercises</h2><table><tr><th>exercise</th>{"".join(f"<th>{st.replace('_', ' ')}</th>"
                                                      for st in STATUSES)}<th></th></tr>
{"".join(rows)}</table>
<h2>Mistakes named most often</h2>
{f'<table><tr><th>students</th><th>exercise</th><th>mistake</th><th>for example</th></tr>{mistakes}</table>' if mistakes else '<p>None.</p>'}
<h2>Training</h2><p>{training or "not run"}</p>
<h2>Not graded</h2>{f"<ul>{ungraded}</ul>" if ungraded else "<p>None.</p>"}
<h2>Similar code</h2><p>Functions that are the same code, names and layout aside, as the
grader's reference, a solution or another student's: to look at, never a grade.</p>
{f"<ul>{similar}</ul>" if similar else "<p>None.</p>"}
<h2>Slowest submissions</h2><table>{slowest}</table>
</body></html>
"""


def main(argv: list[str]) -> int:
    p = Parser(prog="python -m grader class-report",
               description="Summarise a class from the gradebook that batch wrote (GRADES.json, "
               "next to its CSV): scores, pass rates, the mistakes named most often, what "
               "could not be graded.")
    p.add_argument("grades", type=Path, metavar="GRADES.json")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write it as one HTML page")
    p.add_argument("--force", action="store_true",
                   help="if FILE exists, move it to a timestamped backup first")
    args = p.parse_args(argv)
    book = read_gradebook(args.grades)
    if book["chapter"] not in BY_NUMBER:
        raise UsageError(f"{args.grades} is the gradebook of chapter {book['chapter']}, which "
                         "this grader does not have")
    if args.html is not None:
        if not args.html.parent.is_dir():
            raise UsageError(f"cannot write {args.html}: the folder {args.html.parent} does "
                             "not exist")
        if args.html.exists() and not args.force:
            raise UsageError(f"{args.html} already exists; pass --force to move it to a backup "
                             "and write a new one")
    summary = summarise(book)
    show(summary)
    if args.html is not None:
        if args.html.exists():
            args.html.rename(backup_path(args.html))
        args.html.write_text(to_html(summary), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0
