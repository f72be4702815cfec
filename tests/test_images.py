import io
import zipfile

import pytest
from PIL import Image

from vlguard.images import ImageError, ImageRoot, check_relative, decode_image, load_image


def _png(size=(8, 8), colour=(255, 0, 0)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("ref", ["../x.png", "a/../../x.png", "/etc/passwd", "C:\\x.png", ""])
def test_paths_escaping_the_root_are_rejected(ref):
    with pytest.raises(ImageError):
        check_relative(ref)


def test_folder_and_zip_roots(tmp_path):
    (tmp_path / "imgs" / "safe").mkdir(parents=True)
    (tmp_path / "imgs" / "safe" / "a.png").write_bytes(_png())
    with zipfile.ZipFile(tmp_path / "test.zip", "w") as z:
        z.writestr("test/safe/a.png", _png(colour=(0, 0, 255)))
    folder, zroot = ImageRoot(tmp_path / "imgs"), ImageRoot(tmp_path / "test.zip")
    assert folder.open("safe/a.png").getpixel((0, 0)) == (255, 0, 0)
    # the official zips wrap files in a top folder; both spellings resolve
    assert zroot.open("safe/a.png").getpixel((0, 0)) == (0, 0, 255)
    assert zroot.exists("test/safe/a.png") and not zroot.exists("safe/b.png")
    with pytest.raises(ImageError, match="not found"):
        folder.open("safe/b.png")


def test_truncated_corrupt_and_oversized_images():
    data = _png((64, 64))
    with pytest.raises(ImageError, match="truncated|corrupt"):
        decode_image(data[: len(data) // 2], "t.png")
    with pytest.raises(ImageError, match="corrupt"):
        decode_image(b"not an image at all", "c.png")
    with pytest.raises(ImageError, match="over the limit"):
        decode_image(data, "big.png", max_pixels=100)


def test_load_image_absolute_and_none(tmp_path):
    p = tmp_path / "a.png"
    p.write_bytes(_png())
    assert load_image(None, None) is None
    assert load_image(str(p), None).size == (8, 8)


# --- the path guard and zip caps --------------------------------------------------------------------------

import os  # noqa: E402
import struct  # noqa: E402

from vlguard.errors import DataError  # noqa: E402
from vlguard.images import MAX_IMAGE_BYTES, read_capped  # noqa: E402


@pytest.fixture
def rooted(tmp_path):
    """An image root with a real image, plus a secret image outside it."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "a.png").write_bytes(_png())
    (tmp_path / "secret.png").write_bytes(_png(colour=(1, 2, 3)))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "b.png").write_bytes(_png())
    return root


@pytest.mark.parametrize("link,target", [
    ("link.png", "../secret.png"),                 # a file symlink out of the root
    ("sub/deep.png", "../../secret.png"),          # from a subfolder
    ("dirlink", "../outside"),                     # a folder symlink out of the root (then dirlink/b.png)
    ("abs.png", "ABS"),                            # an absolute symlink target
])
def test_symlinks_out_of_the_root_are_refused_by_every_read(rooted, link, target):
    target = str(rooted.parent / "secret.png") if target == "ABS" else target
    (rooted / link).symlink_to(target)
    ref = "dirlink/b.png" if link == "dirlink" else link
    root = ImageRoot(rooted)
    for read in (root.read_bytes, root.open, root.exists, lambda r: load_image(r, str(rooted))):
        with pytest.raises(ImageError, match="outside the image root"):
            read(ref)


def test_symlinks_inside_the_root_and_a_symlinked_root_are_fine(rooted, tmp_path):
    (rooted / "sub" / "again.png").symlink_to("../a.png")
    assert ImageRoot(rooted).open("sub/again.png").size == (8, 8)
    (tmp_path / "rootlink").symlink_to(rooted)
    assert ImageRoot(tmp_path / "rootlink").open("a.png").size == (8, 8)


def test_folder_files_over_the_cap_are_not_read(rooted):
    (rooted / "big.png").write_bytes(_png() + b"\0" * 5000)
    with pytest.raises(ImageError, match="over the limit"):
        ImageRoot(rooted, max_bytes=1000).read_bytes("big.png")
    with pytest.raises(ImageError, match="over the limit"):
        read_capped(rooted / "big.png", "big.png", max_bytes=1000)
    assert MAX_IMAGE_BYTES < 300_000_000  # the 300 MB member is refused by default


def _zip_with(tmp_path, name, data, method=zipfile.ZIP_DEFLATED):
    z = tmp_path / "imgs.zip"
    with zipfile.ZipFile(z, "w", compression=method) as f:
        f.writestr(name, data)
    return z


def test_zip_member_over_the_declared_cap_is_refused_before_decompression(tmp_path, monkeypatch):
    z = _zip_with(tmp_path, "big.png", b"\0" * 50_000)
    root = ImageRoot(z, max_bytes=10_000)
    root._index()
    monkeypatch.setattr(root._zip, "open", lambda *a, **k: pytest.fail("decompressed a member over the cap"))
    with pytest.raises(ImageError, match="inflates to 50,000 bytes, over the limit"):
        root.read_bytes("big.png")


def test_zip_bomb_ratio_is_refused(tmp_path):
    z = _zip_with(tmp_path, "zeros.png", b"\0" * 3_000_000)  # deflates about 1000-fold
    with pytest.raises(ImageError, match="zip bomb"):
        ImageRoot(z).read_bytes("zeros.png")


def test_a_zip_member_that_lies_about_its_size_is_never_read_past_the_cap(tmp_path):
    z = _zip_with(tmp_path, "liar.png", os.urandom(40_000), method=zipfile.ZIP_STORED)
    raw = bytearray(z.read_bytes())
    cd = raw.rfind(b"PK\x01\x02")
    for at in (cd + 20, cd + 24):  # central directory: compressed and uncompressed sizes
        struct.pack_into("<I", raw, at, 100)
    z.write_bytes(bytes(raw))
    root = ImageRoot(z, max_bytes=1000)
    try:
        data = root.read_bytes("liar.png")
    except ImageError:
        return
    assert len(data) <= 1000


def test_corrupt_zips_and_members_are_image_errors(tmp_path):
    z = _zip_with(tmp_path, "a.png", _png(), method=zipfile.ZIP_STORED)
    raw = bytearray(z.read_bytes())
    i = raw.find(b"IHDR")
    raw[i + 4] ^= 0xFF  # flip a byte of the stored member: its CRC no longer matches
    z.write_bytes(bytes(raw))
    with pytest.raises(ImageError, match="unreadable in"):
        ImageRoot(z).read_bytes("a.png")
    bad = tmp_path / "bad.zip"
    good = _zip_with(tmp_path, "a.png", _png()).read_bytes()
    bad.write_bytes(b"garbage" * 10 + good[good.rfind(b"PK\x05\x06"):])  # an end record and nothing else sane
    with pytest.raises(DataError):
        ImageRoot(bad).read_bytes("a.png")


@pytest.mark.parametrize("data", [b"not an image", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"", b"GIF89a"])
def test_messages_name_the_image_never_an_in_memory_buffer(data):
    with pytest.raises(ImageError) as e:
        decode_image(data, "dir/x.png")
    assert "dir/x.png" in str(e.value) and "BytesIO" not in str(e.value) and "0x" not in str(e.value)
    from vlguard.clients.messages import bytes_data_url

    with pytest.raises(ImageError) as e:
        bytes_data_url(data, "dir/x.png")
    assert "dir/x.png" in str(e.value) and "BytesIO" not in str(e.value)
