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


def start_marker(chapter: Chapter) -> str:
    """Where the README's table of a chapter begins (chapter 1's marker is the first one)."""
    return README_START if chapter.number == 1 else \
        README_START.replace("exercises:", f"exercises of chapter {chapter.number}:")


def readme_with_tables(readme: str, chapters: tuple[Chapter, ...]) -> str:
    """`readme` with the text between each chapter's markers replaced by its table."""
    for chapter in chapters:
        marker = start_marker(chapter)
        start = readme.find(marker)
        end = readme.find(README_END, start)
        if start < 0 or end < start:
            raise ValueError(f"the README has no exercise table between {marker!r} and "
                             f"{README_END!r}")
        readme = (readme[:start] + marker + "\n" + exercise_table(chapter) + "\n"
                  + readme[end:])
    return readme
