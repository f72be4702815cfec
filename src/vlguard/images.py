"""Image roots (a folder or a zip such as VLGuard's official train.zip/test.zip) and safe image opening.

`ImageRoot` is the one path guard for user images: every reader of a dataset's images (validate, build,
train, eval, the llm judge, the report) goes through it. A reference must be relative and stay under the
root once resolved, symlinks included; a file over `MAX_IMAGE_BYTES` is refused before it is read, and a
zip member also when its declared size or compression ratio is too large, and reading stops at the cap
whatever the archive declares.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath

from PIL import Image

from vlguard.errors import DataError

# Decompression-bomb guard: refuse images with more pixels than this (about 8k x 8k).
MAX_PIXELS = 64_000_000
# No image file is read past this size (a 64-megapixel PNG is far smaller).
MAX_IMAGE_BYTES = 100_000_000
# A zip member this much smaller than it inflates to is a zip bomb, not an image (PNG and JPEG barely shrink).
MAX_ZIP_RATIO = 200
_SMALL_MEMBER = 1_000_000  # below this, the ratio says nothing (a tiny blank image compresses well)


class ImageError(DataError):
    """An image that is missing, unreadable, corrupt, too large or outside its root."""


def check_relative(ref: str) -> str:
    """Return `ref` as a clean relative POSIX path, or raise if it escapes its root."""
    if not isinstance(ref, str) or not ref.strip():
        raise ImageError(f"image path must be a non-empty string, got {ref!r}")
    if ref.startswith(("/", "\\")) or (len(ref) > 1 and ref[1] == ":"):
        raise ImageError(f"image path {ref!r} is absolute; it must be relative to the image root")
    parts = PurePosixPath(ref.replace("\\", "/")).parts
    if ".." in parts:
        raise ImageError(f"image path {ref!r} escapes the image root")
    return "/".join(p for p in parts if p != ".")


class ImageRoot:
    """Where a dataset's relative image paths point: a directory or a zip archive."""

    def __init__(self, root: str | os.PathLike, max_bytes: int = MAX_IMAGE_BYTES):
        self.root = Path(root)
        if not self.root.exists():
            raise DataError(f"{self.root}: image root does not exist")
        self.is_zip = self.root.is_file() and zipfile.is_zipfile(self.root)
        if self.root.is_file() and not self.is_zip:
            raise DataError(f"{self.root}: image root must be a folder or a zip file")
        self.real = self.root.resolve()
        self.max_bytes = max_bytes
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] | None = None

    def _index(self) -> dict[str, str]:
        # Official archives may wrap everything in one top folder (test/...); index both spellings.
        if self._members is None:
            try:
                self._zip = zipfile.ZipFile(self.root)
                names = self._zip.namelist()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
                raise DataError(f"{self.root}: not a readable zip archive: {e}") from None
            members: dict[str, str] = {}
            for name in names:
                if name.endswith("/"):
                    continue
                members.setdefault(name, name)
                if "/" in name:
                    members.setdefault(name.split("/", 1)[1], name)
            self._members = members
        return self._members

    def path(self, ref: str) -> Path:
        """The file a reference names under a folder root, resolved; ImageError when it is not inside the
        root (through a symlink, say)."""
        rel = check_relative(ref)
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.real):
            raise ImageError(f"image {ref!r} resolves outside the image root {self.root} (a symlink?)")
        return path

    def exists(self, ref: str) -> bool:
        """Whether the image is there; one that resolves outside the root raises ImageError."""
        rel = check_relative(ref)
        if self.is_zip:
            return rel in self._index()
        return (self.root / rel).is_file() and self.path(rel).is_file()

    def read_bytes(self, ref: str) -> bytes:
        """The image file's bytes: inside the root, at most `max_bytes`, else ImageError naming it."""
        rel = check_relative(ref)
        if self.is_zip:
            return self._read_member(ref, rel)
        if not (self.root / rel).is_file():
            raise ImageError(f"image {ref!r} not found under {self.root}")
        return read_capped(self.path(rel), ref, self.max_bytes)

    def _read_member(self, ref: str, rel: str) -> bytes:
        name = self._index().get(rel)
        if name is None:
            raise ImageError(f"image {ref!r} not found in {self.root}")
        assert self._zip is not None
        info = self._zip.getinfo(name)
        if info.file_size > self.max_bytes:
            raise ImageError(f"image {ref!r} in {self.root} inflates to {info.file_size:,} bytes, over the limit "
                             f"of {self.max_bytes:,} (nothing was decompressed)")
        if info.file_size > _SMALL_MEMBER and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise ImageError(f"image {ref!r} in {self.root} inflates {info.file_size // max(info.compress_size, 1):,}"
                             f"-fold, a zip bomb rather than an image (nothing was decompressed)")
        try:
            with self._zip.open(info) as f:
                data = f.read(self.max_bytes + 1)  # a forged header cannot make it read more than the cap
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as e:
            raise ImageError(f"image {ref!r} unreadable in {self.root}: {e}") from None
        if len(data) > self.max_bytes:
            raise ImageError(f"image {ref!r} in {self.root} holds more than {self.max_bytes:,} bytes")
        return data

    def open(self, ref: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
        """Open, fully decode and convert to RGB; any problem raises ImageError naming the image."""
        return decode_image(self.read_bytes(ref), ref, max_pixels)


def read_capped(path: Path, name: str, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """A file's bytes, refusing one over `max_bytes` before reading it (and never reading past the cap)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageError(f"image {name!r} is {size:,} bytes, over the limit of {max_bytes:,}")
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise ImageError(f"image {name!r} unreadable: {e.strerror or e}") from None
    if len(data) > max_bytes:  # it grew since
        raise ImageError(f"image {name!r} is over the limit of {max_bytes:,} bytes")
    return data


def error_reason(e: BaseException) -> str:
    """An image library's error message without the in-memory buffer it names."""
    # PIL names the buffer it read from (<_io.BytesIO object at 0x...>); the message names the image instead
    return re.sub(r"\s*<_io\.\w+ object at 0x[0-9a-fA-F]+>", "", str(e)).strip() or type(e).__name__


def decode_image(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode image bytes completely (truncation shows up here, not later) and return an RGB image."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            if w * h > max_pixels:
                raise ImageError(f"image {name!r} has {w}x{h} = {w * h} pixels, over the limit of {max_pixels}")
            im.load()
            return im.convert("RGB")
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError(f"image {name!r} exceeds the decompression-bomb limit") from None
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error, MemoryError) as e:
        kind = "truncated" if "truncated" in str(e).lower() else "corrupt or not an image"
        raise ImageError(f"image {name!r} is {kind}: {error_reason(e)}") from None


@lru_cache(maxsize=16)
def image_root(root: str) -> ImageRoot:
    """A cached ImageRoot, so a zip is indexed once per process."""
    return ImageRoot(root)


def load_image(ref: str | None, root: str | None, max_pixels: int = MAX_PIXELS) -> Image.Image | None:
    """Open a sample's image: `ref` relative to `root`, or an absolute path when `root` is None."""
    if ref is None:
        return None
    if root is None:  # a path of the user's own (absolute, or relative to the working directory)
        p = Path(ref)
        if not p.is_file():
            raise ImageError(f"image {ref!r} not found")
        return decode_image(read_capped(p, ref), ref, max_pixels)
    return image_root(str(root)).open(ref, max_pixels)
