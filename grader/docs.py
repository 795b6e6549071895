"""Text derived from the catalog for people to read: the exercise table of the README and of
the notebook (dev-check keeps the README's equal to it)."""

from __future__ import annotations

from grader.catalog import Chapter

README_START = "<!-- exercises: written by python -m grader dev-check --write -->"
README_END = "<!-- end of exercises -->"


def exercise_table(chapter: Chapter, files: bool = True) -> str:
    """A Markdown table: number, file (or function), points and summary of each exercise."""
    head = "| # | exercise | points | what it computes |" if files else \
        "| # | function | points | what it computes |"
    rows = [f"| {i} | `{ex.file if files else ex.name}` | {ex.points:g} | "
            + ex.summary.replace("|", r"\|") + " |" for i, ex in enumerate(chapter.exercises, 1)]
    return "\n".join([head, "|---|---|---|---|", *rows])


def readme_with_tables(readme: str, chapter: Chapter) -> str:
    """`readme` with the text between the markers replaced by the chapter's table."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no exercise table between {README_START!r} and "
                         f"{README_END!r}")
    return (readme[:start] + README_START + "\n" + exercise_table(chapter) + "\n"
            + readme[end:])
