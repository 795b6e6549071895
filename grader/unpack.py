"""A student's .zip upload, unpacked for batch: safely, or not at all.

Members are written one by one into a fresh folder. A name that is absolute or climbs out with
`..`, a symbolic link, an encrypted member, more than MAX_MEMBERS members or more than MAX_BYTES
once unpacked (counted while writing, never trusted from the archive's header: a zip bomb says
it is small) makes the whole upload ungradeable, with a sentence saying why.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from grader.shown import visible

MAX_MEMBERS = 5_000
MAX_BYTES = 200 << 20


class Unpackable(Exception):
    """Why an archive was not unpacked, in words for the instructor."""


def unpack(archive: Path, into: Path) -> Path:
    """`into` (created), holding the files of `archive`; Unpackable otherwise."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise Unpackable(f"it holds {len(members):,} files, more than {MAX_MEMBERS:,}")
            into.mkdir(parents=True)
            written = 0
            for member in members:
                written = _extract(z, member, into, written)
    except Unpackable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as err:
        raise Unpackable(f"it is not a zip archive that can be read ({err})") from None
    except (RuntimeError, NotImplementedError) as err:  # encrypted, or an unknown compression
        raise Unpackable(f"one of its files cannot be unpacked ({err})") from None
    except OSError as err:
        raise Unpackable(f"unpacking it failed ({err.strerror or err})") from None
    return into


def _extract(z: zipfile.ZipFile, member: zipfile.ZipInfo, into: Path, written: int) -> int:
    """Write one member below `into`; the bytes written so far, this member's included."""
    name = member.filename.replace("\\", "/")  # zips made on Windows may use backslashes
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise Unpackable(f"its file {visible(member.filename)!r} would be written outside the "
                         "folder it is unpacked into")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise Unpackable(f"its file {visible(member.filename)!r} is a symbolic link")
    if not parts:
        return written
    target = into.joinpath(*parts)
    if member.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return written
    target.parent.mkdir(parents=True, exist_ok=True)
    with z.open(member) as source, target.open("xb") as out:
        while chunk := source.read(1 << 16):
            written += len(chunk)
            if written > MAX_BYTES:
                raise Unpackable(f"it unpacks to more than {MAX_BYTES >> 20} MB")
            out.write(chunk)
    return written
