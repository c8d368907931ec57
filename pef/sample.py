"""Realistic sample Google Photos Takeouts, for the tests, the benchmarks and the README demo.

Three layers, each usable on its own:

* media makers (`make_jpeg`, `make_mp4`, ... and `make_media`) write small but real
  files that ExifTool can read and write, each with seed-dependent content;
* the sidecar JSON (`sidecar_dict`, `write_sidecar`) in the shape Google writes it;
* Google's naming model (`sidecar_name`, `media_name_for_title`), and
  `generate_takeout`, which lays out a whole multi-part export full of the quirks
  real exports have, and returns a `Manifest`: the ground truth to assert against.

Run `python -m pef.sample DEST` to get one on disk.
Pillow, pillow-heif (the `sample` extra) and ffmpeg are needed to make media.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import io
import json
import json.encoder
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

# ---------------------------------------------------------------------------
# Pseudo-random pixels
# ---------------------------------------------------------------------------

# Big images are cut from one shared pool of noise: drawing tens of megabytes of
# fresh random bytes per file would dominate the benchmark set-up time.
_POOL_SIZE = 1 << 23
_pool: bytes | None = None
_pool_lock = threading.Lock()  # media are made on several threads
_SMALL_NOISE = 1 << 16


def _noise(seed: int, count: int) -> bytes:
    """`count` pseudo-random bytes that depend on `seed` and differ for every seed."""
    if count <= _SMALL_NOISE:
        return random.Random(seed).randbytes(count)
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = random.Random(0x5EED).randbytes(_POOL_SIZE)
    start = random.Random(seed).randrange(_POOL_SIZE)
    # The seed's own digest leads the pixels, so two seeds landing on the same
    # pool offset still give different images.
    out = bytearray(hashlib.sha256(b"pef-sample-%d" % seed).digest())
    out += _pool[start:]
    while len(out) < count:
        out += _pool
    return bytes(out[:count])


def _size_for(target_bytes: int, bytes_per_pixel: float) -> tuple[int, int]:
    """A 4:3 pixel size whose noise image encodes to about `target_bytes`."""
    pixels = max(64, target_bytes / bytes_per_pixel)
    width = max(8, round(math.sqrt(pixels * 4 / 3)))
    return width, max(8, round(width * 3 / 4))


def _rescaled(size: tuple[int, int], ratio: float) -> tuple[int, int]:
    scale = math.sqrt(ratio)
    return max(8, round(size[0] * scale)), max(8, round(size[1] * scale))


# ---------------------------------------------------------------------------
# Image makers
# ---------------------------------------------------------------------------

# Measured bytes per pixel of a noise image in each encoding, to size a
# `target_bytes` image in one go; one corrective re-encode fixes the estimate.
_BYTES_PER_PIXEL = {"JPEG": 1.18, "PNG": 3.0, "HEIF": 1.74, "GIF": 1.1, "TIFF": 3.0, "WEBP": 0.84}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 95},
    "PNG": {"compress_level": 1},  # noise does not compress: do not spend time trying
    "HEIF": {"quality": 90, "enc_params": {"preset": "ultrafast"}},
    "GIF": {},
    "TIFF": {},
    "WEBP": {"quality": 90},
}


def _pil_image():
    # Imported on first use: Pillow is only needed to make samples, not to run pef.
    from PIL import Image

    return Image


def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()


def _exif_bytes(exif_datetime, exif_offset) -> bytes | None:
    """An EXIF block with the camera date, or None: screenshots and the like have none."""
    if exif_datetime is None and exif_offset is None:
        return None
    from PIL import ExifTags

    exif = _pil_image().Exif()
    # DateTimeOriginal and its offset live in the Exif sub-IFD, not in IFD0.
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    if exif_datetime is not None:
        if isinstance(exif_datetime, datetime):
            exif_datetime = exif_datetime.strftime("%Y:%m:%d %H:%M:%S")
        ifd[ExifTags.Base.DateTimeOriginal] = exif_datetime
    if exif_offset is not None:
        ifd[ExifTags.Base.OffsetTimeOriginal] = exif_offset
    return exif.tobytes()


def _render(fmt: str, seed: int, size: tuple[int, int], **save_kw) -> bytes:
    Image = _pil_image()
    width, height = size
    if fmt == "GIF":
        # A palette image of noise, two frames: no slow colour quantisation needed.
        frames = [
            Image.frombytes("P", size, _noise(seed * 2 + k, width * height)) for k in (0, 1)
        ]
        palette = list(_noise(~seed, 768))
        for frame in frames:
            frame.putpalette(palette)
        save_kw = {"save_all": True, "append_images": frames[1:], "duration": 200, "loop": 0}
        image = frames[0]
    else:
        image = Image.frombytes("RGB", size, _noise(seed, width * height * 3))
    if fmt == "HEIF":
        _register_heif()
    buf = io.BytesIO()
    image.save(buf, fmt, **{**_SAVE_OPTIONS[fmt], **save_kw})
    return buf.getvalue()


def _image_bytes(fmt: str, seed: int, size, target_bytes, **save_kw) -> bytes:
    if not target_bytes:
        return _render(fmt, seed, size, **save_kw)
    size = _size_for(target_bytes, _BYTES_PER_PIXEL[fmt])
    data = _render(fmt, seed, size, **save_kw)
    if abs(len(data) / target_bytes - 1) > 0.05:
        data = _render(fmt, seed, _rescaled(size, target_bytes / len(data)), **save_kw)
    return data


def _write_bytes(path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def jpeg_bytes(*, seed=0, size=(64, 48), target_bytes=None, exif_datetime=None, exif_offset=None) -> bytes:
    exif = _exif_bytes(exif_datetime, exif_offset)
    return _image_bytes("JPEG", seed, size, target_bytes, **({"exif": exif} if exif else {}))


def make_jpeg(path, *, seed=0, size=(64, 48), target_bytes=None, exif_datetime=None, exif_offset=None) -> Path:
    """A noise JPEG; `exif_datetime` ("YYYY:MM:DD HH:MM:SS" or a datetime) and
    `exif_offset` ("+09:00") give it a camera date (DateTimeOriginal/OffsetTimeOriginal)."""
    data = jpeg_bytes(
        seed=seed, size=size, target_bytes=target_bytes, exif_datetime=exif_datetime, exif_offset=exif_offset
    )
    return _write_bytes(path, data)


def make_png(path, *, seed=0, size=(64, 48), target_bytes=None) -> Path:
    return _write_bytes(path, _image_bytes("PNG", seed, size, target_bytes))


def make_heic(path, *, seed=0, size=(64, 48), target_bytes=None) -> Path:
    return _write_bytes(path, _image_bytes("HEIF", seed, size, target_bytes))


def make_gif(path, *, seed=0, size=(64, 48), target_bytes=None) -> Path:
    return _write_bytes(path, _image_bytes("GIF", seed, size, target_bytes))


def make_tiff(path, *, seed=0, size=(64, 48), target_bytes=None) -> Path:
    return _write_bytes(path, _image_bytes("TIFF", seed, size, target_bytes))


def make_dng(path, *, seed=0, size=(64, 48), target_bytes=None) -> Path:
    """A DNG as ExifTool and raw converters identify one: a TIFF carrying DNGVersion
    and UniqueCameraModel (RGB data rather than a sensor's mosaic, which is all pef
    needs: it writes metadata, never pixels)."""
    from PIL.TiffImagePlugin import ImageFileDirectory_v2

    ifd = ImageFileDirectory_v2()
    ifd[50706] = b"\x01\x04\x00\x00"  # DNGVersion 1.4.0.0
    ifd.tagtype[50706] = 1  # BYTE
    ifd[50708] = "pef sample camera"  # UniqueCameraModel, required by the DNG spec
    return _write_bytes(path, _image_bytes("TIFF", seed, size, target_bytes, tiffinfo=ifd))


def make_webp(path, *, seed=0, size=(64, 48), target_bytes=None) -> Path:
    return _write_bytes(path, _image_bytes("WEBP", seed, size, target_bytes))


# ---------------------------------------------------------------------------
# Video makers (ffmpeg)
# ---------------------------------------------------------------------------

# Container and codec per extension. The muxer is always named: ffmpeg would
# take ".m4v" for a raw MPEG-4 elementary stream, not an MP4 file.
_VIDEO_FORMATS = {
    ".mp4": ("mp4", "libx264"),
    ".m4v": ("ipod", "libx264"),
    ".mov": ("mov", "libx264"),
    ".3gp": ("3gp", "libx264"),
    ".avi": ("avi", "mpeg4"),
    ".mkv": ("matroska", "libx264"),
    ".mts": ("mpegts", "libx264"),  # AVCHD camcorders
    ".m2ts": ("mpegts", "libx264"),
}
_CODEC_ARGS = {
    "libx264": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    "mpeg4": ["-c:v", "mpeg4"],
}
# Lossless/near-lossless noise at 640x480, measured bytes per frame: sizes a
# `target_bytes` clip; the remaining error is fixed by one re-encode.
_BIG_CODEC_ARGS = {"libx264": ["-qp", "0"], "mpeg4": ["-q:v", "1"]}
_BIG_BYTES_PER_FRAME = {"libx264": 352_000, "mpeg4": 178_000}
_BIG_FPS = 30


def _ffmpeg(source: str, frames_args: list[str], codec_args: list[str], muxer: str, path: Path) -> None:
    cmd = ["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", source]
    cmd += frames_args + codec_args + ["-an", "-f", muxer, str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg could not make {path.name}: {done.stderr.strip()[-500:]}")


def _noise_source(seed: int, size: str, rate: int, strength: int) -> str:
    # ffmpeg seeds are 32-bit; the test pattern plus seeded noise differs per seed.
    return f"testsrc=s={size}:r={rate},noise=alls={strength}:allf=t+u:all_seed={seed % 2_147_483_647}"


def make_video(path, *, seed=0, seconds=1, target_bytes=None) -> Path:
    """A short clip in the container the extension names (.mp4 .m4v .mov .3gp .avi .mkv;
    anything else gets MP4). With `target_bytes`, the length follows from the size
    and `seconds` is ignored."""
    ext = Path(path).suffix.lower()
    return _encode_video(path, ext if ext in _VIDEO_FORMATS else ".mp4", seed, seconds, target_bytes)


def make_mp4(path, *, seed=0, seconds=1, target_bytes=None) -> Path:
    return _encode_video(path, ".mp4", seed, seconds, target_bytes)


def make_mov(path, *, seed=0, seconds=1, target_bytes=None) -> Path:
    return _encode_video(path, ".mov", seed, seconds, target_bytes)


def make_avi(path, *, seed=0, seconds=1, target_bytes=None) -> Path:
    return _encode_video(path, ".avi", seed, seconds, target_bytes)


def make_mkv(path, *, seed=0, seconds=1, target_bytes=None) -> Path:
    return _encode_video(path, ".mkv", seed, seconds, target_bytes)


def _encode_video(path, ext: str, seed: int, seconds, target_bytes) -> Path:
    """Tiny by default (64x48, 10 fps); with `target_bytes`, 640x480 noise at a
    lossless rate, with as many frames as it takes to reach the size."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    muxer, codec = _VIDEO_FORMATS[ext]
    if not target_bytes:
        source = _noise_source(seed, "64x48", 10, 40)
        _ffmpeg(source, ["-t", str(seconds)], _CODEC_ARGS[codec], muxer, path)
        return path
    frames = max(1, round(target_bytes / _BIG_BYTES_PER_FRAME[codec]))
    _encode_big(path, seed, frames, codec, muxer)
    if abs(path.stat().st_size / target_bytes - 1) > 0.1:
        frames = max(1, round(frames * target_bytes / path.stat().st_size))
        _encode_big(path, seed, frames, codec, muxer)
    return path


def _encode_big(path: Path, seed: int, frames: int, codec: str, muxer: str) -> None:
    source = _noise_source(seed, "640x480", _BIG_FPS, 100)
    codec_args = _CODEC_ARGS[codec] + _BIG_CODEC_ARGS[codec]
    _ffmpeg(source, ["-frames:v", str(frames)], codec_args, muxer, path)


# ---------------------------------------------------------------------------
# Any media by extension
# ---------------------------------------------------------------------------

_IMAGE_MAKERS = {
    ".jpg": make_jpeg,
    ".jpeg": make_jpeg,
    ".jpe": make_jpeg,
    ".png": make_png,
    ".heic": make_heic,
    ".heif": make_heic,
    ".gif": make_gif,
    ".tif": make_tiff,
    ".tiff": make_tiff,
    ".dng": make_dng,
    ".webp": make_webp,
}
IMAGE_EXTENSIONS = frozenset(_IMAGE_MAKERS)
VIDEO_EXTENSIONS = frozenset(_VIDEO_FORMATS)


def make_media(path, seed=0, **kw) -> Path:
    """Write a real file of the type the extension names; an unknown extension gets
    a JPEG's bytes (Takeout holds such files: ".jpg" saved as "photo", say)."""
    ext = Path(path).suffix.lower()
    if ext in _VIDEO_FORMATS:
        return make_video(path, seed=seed, **kw)
    return _IMAGE_MAKERS.get(ext, make_jpeg)(path, seed=seed, **kw)


# Many-tiny-files mode copies one pre-encoded file per type and makes each copy
# unique with a few bytes of its own: encoding 100 000 images would take minutes.
_tiny_templates: dict[str, bytes] = {}


def _tiny_jpeg(number: int) -> bytes:
    template = _tiny_templates.get(".jpg")
    if template is None:
        template = _tiny_templates[".jpg"] = _flat_jpeg()
    # The comment goes after the JFIF APP0 segment, which must follow SOI directly.
    assert template[2:4] == b"\xff\xe0", "Pillow's JPEG starts with a JFIF segment"
    app0_end = 4 + struct.unpack(">H", template[4:6])[0]
    text = b"pef sample %d" % number
    comment = b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text
    return template[:app0_end] + comment + template[app0_end:]


def _flat_jpeg() -> bytes:
    # One flat colour with optimised Huffman tables: a valid JPEG of ~300 bytes.
    buf = io.BytesIO()
    _pil_image().new("RGB", (16, 12), (200, 120, 40)).save(buf, "JPEG", quality=85, optimize=True)
    return buf.getvalue()


def _tiny_video(ext: str, number: int) -> bytes:
    template = _tiny_templates.get(ext)
    if template is None:
        template = _tiny_templates[ext] = _render_video_bytes(ext)
    # A top-level "free" box is valid anywhere in an ISO media file (MP4, MOV:
    # the only video types the tiny mode makes).
    payload = b"pef sample %d" % number
    return template + struct.pack(">I4s", 8 + len(payload), b"free") + payload


def _render_video_bytes(ext: str) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pef-sample-") as tmp:
        path = Path(tmp) / f"template{ext}"
        return _encode_video(path, ext, 0, 1, None).read_bytes()


# ---------------------------------------------------------------------------
# Sidecar JSON
# ---------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_encode_str = json.encoder.encode_basestring  # the C string quoter json itself uses

# English month names regardless of the machine's locale, as Google writes them.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# When a sidecar's upload time is not given: a photo is uploaded a little after it is taken.
DEFAULT_UPLOAD_DELAY = 2 * 3600


def utc_datetime(timestamp: int) -> datetime:
    # Works before 1970 too, where datetime.fromtimestamp fails on some platforms.
    return _EPOCH + timedelta(seconds=timestamp)


def _time_block(timestamp: int) -> dict:
    d = utc_datetime(timestamp)
    formatted = f"{d.day} {_MONTHS[d.month - 1]} {d.year}, {d:%H:%M:%S} UTC"
    return {"timestamp": str(timestamp), "formatted": formatted}


def _geo_block(geo) -> dict:
    """geo is (latitude, longitude[, altitude]); None means no location, which
    Google writes as all zeros."""
    lat, lon, alt = (tuple(geo) + (0.0,))[:3] if geo else (0.0, 0.0, 0.0)
    return {
        "latitude": float(lat),
        "longitude": float(lon),
        "altitude": float(alt),
        "latitudeSpan": 0.0,
        "longitudeSpan": 0.0,
    }


def sidecar_dict(
    title: str,
    taken: int,
    *,
    created: int | None = None,
    geo=None,
    geo_exif=None,
    description: str = "",
    people=(),
    favorited: bool = False,
    archived: bool = False,
    trashed: bool = False,
) -> dict:
    """A media sidecar as Google writes it: timestamps are strings of integer UTC
    seconds, the flags only appear when true, `people` only when someone is tagged."""
    digest = hashlib.sha256(f"{title}|{taken}".encode()).digest()
    data = {
        "title": title,
        "description": description,
        "imageViews": str(digest[0] % 40),
        "creationTime": _time_block(taken + DEFAULT_UPLOAD_DELAY if created is None else created),
        "photoTakenTime": _time_block(taken),
        "geoData": _geo_block(geo),
        "geoDataExif": _geo_block(geo_exif),
    }
    if people:
        data["people"] = [{"name": name} for name in people]
    data["url"] = "https://photos.google.com/photo/AF1Qip" + base64.urlsafe_b64encode(digest).decode()[:37]
    data["googlePhotosOrigin"] = {"mobileUpload": {"deviceType": "ANDROID_PHONE"}}
    for key, on in (("favorited", favorited), ("archived", archived), ("trashed", trashed)):
        if on:
            data[key] = True
    return data


def album_metadata_dict(title: str, date: int, description: str = "") -> dict:
    """An album's metadata.json: it has a title but no photoTakenTime, so it is not a sidecar."""
    return {"title": title, "description": description, "access": "protected", "date": _time_block(date)}


def _json_bytes(data: dict) -> bytes:
    """The same text as json.dumps(data, ensure_ascii=False, indent=2), about six times
    faster: with an indent, json falls back to its pure-Python encoder, and that
    dominated writing 100 000 sidecars."""
    out: list[str] = []
    _pretty(data, "\n", out)
    return "".join(out).encode("utf-8")


def _pretty(value, newline: str, out: list[str]) -> None:
    if isinstance(value, dict) and value:
        inner = newline + "  "
        out.append("{")
        for n, (key, item) in enumerate(value.items()):
            out.append(("," if n else "") + inner + _encode_str(key) + ": ")
            _pretty(item, inner, out)
        out.append(newline + "}")
    elif isinstance(value, list) and value:
        inner = newline + "  "
        out.append("[")
        for n, item in enumerate(value):
            out.append(("," if n else "") + inner)
            _pretty(item, inner, out)
        out.append(newline + "]")
    elif isinstance(value, str):
        out.append(_encode_str(value))
    elif isinstance(value, float) and math.isfinite(value):
        out.append(float.__repr__(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        out.append(int.__repr__(value))
    else:
        out.append(json.dumps(value))  # true, false, null, {}, [] and the odd cases


def write_sidecar(path, data: dict) -> Path:
    return _write_bytes(path, _json_bytes(data))


# ---------------------------------------------------------------------------
# Google's naming model
# ---------------------------------------------------------------------------

# Facts, as observed in real exports (and agreed by the tools that read them):
# * a sidecar is named after the media's original name (its "title"): older exports
#   add ".json", newer ones (from late 2024) ".supplemental-metadata.json";
# * the sidecar name is at most 51 characters: the name without ".json" is cut to
#   46, so "supplemental-metadata" loses letters from its end first
#   (".supplemental-met", ".suppl", ".s") and, for names of 47+ characters, the
#   suffix is gone entirely and the original name itself is cut;
# * a duplicate name gets "(N)": before the extension in the media name
#   (IMG(1).jpg) but just before ".json" in the sidecar name (IMG.jpg(1).json,
#   IMG.jpg.supplemental-metadata(1).json), never cut;
# * a media name's stem is cut to 47 characters, the extension kept.
# Lengths count characters (code points), not bytes. For a 45-character name the
# plain cut leaves "NAME.ext..json"; no real example of that case was seen.
SIDECAR_NAME_LIMIT = 51
MEDIA_STEM_LIMIT = 47
SUPPLEMENTAL_SUFFIX = ".supplemental-metadata"


def _index_suffix(index: int | None) -> str:
    return "" if index is None else f"({index})"


def sidecar_name(media_name: str, *, supplemental: bool = True, index: int | None = None,
                 limit: int = SIDECAR_NAME_LIMIT) -> str:
    """The sidecar file name for the media originally called `media_name` (the title)."""
    base = media_name + SUPPLEMENTAL_SUFFIX if supplemental else media_name
    return base[: limit - len(".json")] + _index_suffix(index) + ".json"


def media_name_for_title(title: str, *, index: int | None = None, limit: int = MEDIA_STEM_LIMIT) -> str:
    """The file name the media with this title gets in the export."""
    stem, ext = os.path.splitext(title)
    return stem[:limit] + _index_suffix(index) + ext


def edited_name_for_title(title: str, suffix: str = "-edited") -> str:
    """Google's edited copy: IMG_0003.jpg -> IMG_0003-edited.jpg, sharing the sidecar."""
    stem, ext = os.path.splitext(media_name_for_title(title))
    return stem + suffix + ext


# ---------------------------------------------------------------------------
# A whole export
# ---------------------------------------------------------------------------

PARTS = ("Takeout", "Takeout 2")
PHOTOS_FOLDER = "Google Photos"
FIRST_YEAR, LAST_YEAR = 2005, 2023

# Landmarks: (latitude, longitude, altitude in metres).
TOKYO = (35.6586, 139.7454, 40.0)
NEW_YORK = (40.7484, -73.9857, 10.0)
ADELAIDE = (-34.9285, 138.6007, 50.0)
PARIS = (48.8584, 2.2945, 35.0)
CITIES = (TOKYO, NEW_YORK, ADELAIDE, PARIS)


@dataclass
class Manifest:
    """Ground truth about a generated export; every path is relative to `root`, "/" separated."""

    root: Path
    media: dict[str, str | None] = field(default_factory=dict)  # media -> its sidecar, None if orphan
    taken: dict[str, int] = field(default_factory=dict)  # media -> photoTakenTime of its sidecar
    orphan_sidecars: list[str] = field(default_factory=list)  # sidecars whose media is missing
    other_json: list[str] = field(default_factory=list)  # album metadata.json and the like
    total_bytes: int = 0  # of every file written
    quirks: dict[str, list[str]] = field(default_factory=dict)  # quirk -> the files showing it
    copies: dict[str, str] = field(default_factory=dict)  # album copy -> same-bytes year-folder file
    # Sidecars in an album folder without their media (exports since 2025) -> the media they name.
    album_sidecars: dict[str, str] = field(default_factory=dict)

    @property
    def sidecars(self) -> list[str]:
        return sorted({s for s in self.media.values() if s} | set(self.orphan_sidecars) | set(self.album_sidecars))

    @property
    def orphan_media(self) -> list[str]:
        return sorted(m for m, s in self.media.items() if s is None)


@dataclass
class _MediaPlan:
    rel: str
    seed: int
    target: int | None = None
    exif: dict | None = None
    copy_of: str | None = None
    tiny: int | None = None  # many-tiny-files mode: this file's unique number


class _Planner:
    """Decides every file of the export (names, dates, sidecar content) before any is written."""

    def __init__(self, root: Path, seed: int, small: bool, photo_bytes, video_bytes, photos_folder: str):
        self.photos_folder = photos_folder
        self.rng = random.Random(seed)
        self.seed_base = seed * 10_000_019
        self.small = small
        self.targets = (photo_bytes, video_bytes)
        self.files: list[_MediaPlan] = []
        self.jsons: dict[str, dict] = {}
        self.manifest = Manifest(root=root)
        self.used_times: set[int] = set()
        self.next_number = 1000

    # -- dates and places --------------------------------------------------

    def taken_in(self, year: int) -> int:
        """A distinct moment in `year` (UTC), so no two sidecars share a date."""
        start = int((datetime(year, 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds())
        end = int((datetime(year + 1, 1, 1, tzinfo=timezone.utc) - _EPOCH).total_seconds())
        while True:
            taken = self.rng.randrange(start, end)
            if taken not in self.used_times:
                self.used_times.add(taken)
                return taken

    def taken_any(self) -> int:
        return self.taken_in(self.rng.randint(FIRST_YEAR, LAST_YEAR))

    def year_folder(self, part: str, taken: int) -> str:
        return f"{part}/{self.photos_folder}/Photos from {utc_datetime(taken).year}"

    # -- files -------------------------------------------------------------

    def note(self, quirk: str | None, *rels: str) -> None:
        if quirk:
            self.manifest.quirks.setdefault(quirk, []).extend(rels)

    def add_media(self, rel: str, sidecar: str | None, taken: int | None, **plan_kw) -> str:
        if rel in self.manifest.media:
            raise AssertionError(f"sample generator planned {rel} twice")
        self.manifest.media[rel] = sidecar
        if taken is not None:
            self.manifest.taken[rel] = taken
        self.files.append(_MediaPlan(rel, self.seed_base + len(self.files), target=self._target(rel), **plan_kw))
        return rel

    def _target(self, rel: str) -> int | None:
        ext = os.path.splitext(rel)[1].lower()
        if ext in VIDEO_EXTENSIONS:
            return self.targets[1]
        # GIF and the like stay small: nobody has gigabytes of them.
        return self.targets[0] if ext in {".jpg", ".jpeg", ".heic", ".png"} else None

    def item(self, folder: str, title: str, taken: int, *, supplemental=False, index=None,
             also=(), quirk=None, exif=None, tiny=None, **sidecar_kw) -> tuple[str, str]:
        """A media file with its sidecar; `also` names more files sharing that sidecar."""
        sidecar = f"{folder}/{sidecar_name(title, supplemental=supplemental, index=index)}"
        self.jsons[sidecar] = sidecar_dict(title, taken, **sidecar_kw)
        media = self.add_media(f"{folder}/{media_name_for_title(title, index=index)}", sidecar, taken,
                               exif=exif, tiny=tiny)
        extra = [self.add_media(f"{folder}/{name}", sidecar, taken) for name in also]
        self.note(quirk, media, *extra, sidecar)
        return media, sidecar

    def orphan(self, folder: str, name: str, quirk: str) -> None:
        self.note(quirk, self.add_media(f"{folder}/{name}", None, None))

    def orphan_sidecar(self, folder: str, title: str, taken: int, quirk: str) -> None:
        rel = f"{folder}/{sidecar_name(title, supplemental=False)}"
        self.jsons[rel] = sidecar_dict(title, taken)
        self.manifest.orphan_sidecars.append(rel)
        self.note(quirk, rel)

    def album(self, part: str, title: str, members: list[str], quirk: str) -> None:
        """An album folder: its metadata.json and copies of year-folder media and sidecars."""
        folder = self._album_folder(part, title, members, quirk)
        for original in members:
            self._copy_into(folder, original, quirk)

    def sidecar_only_album(self, part: str, title: str, members: list[str], quirk: str) -> None:
        """An album folder as exports since 2025 make them: metadata.json and the members' sidecars,
        whose media stay in their year folders."""
        folder = self._album_folder(part, title, members, quirk)
        for original in members:
            source_sidecar = self.manifest.media[original]
            assert source_sidecar is not None
            sidecar = f"{folder}/{source_sidecar.rsplit('/', 1)[1]}"
            self.jsons[sidecar] = self.jsons[source_sidecar]
            self.manifest.album_sidecars[sidecar] = original
            self.note(quirk, sidecar)

    def _album_folder(self, part: str, title: str, members: list[str], quirk: str) -> str:
        folder = f"{part}/{self.photos_folder}/{title}"
        meta = f"{folder}/metadata.json"
        self.jsons[meta] = album_metadata_dict(title, min(self.manifest.taken[m] for m in members))
        self.manifest.other_json.append(meta)
        self.note(quirk, meta)
        return folder

    def repeat_in_part(self, part: str, original: str, quirk: str) -> None:
        """The same photo and sidecar at the same place in another part (Google repeats some)."""
        folder = f"{part}/{original.split('/', 1)[1].rpartition('/')[0]}"
        self._copy_into(folder, original, quirk)

    def _copy_into(self, folder: str, original: str, quirk: str) -> None:
        source_sidecar = self.manifest.media[original]
        sidecar = f"{folder}/{source_sidecar.rsplit('/', 1)[1]}"
        self.jsons[sidecar] = self.jsons[source_sidecar]
        rel = self.add_media(f"{folder}/{original.rsplit('/', 1)[1]}", sidecar,
                             self.manifest.taken[original], copy_of=original)
        self.manifest.copies[rel] = original
        self.note(quirk, rel, sidecar)

    def number(self) -> int:
        self.next_number += 1
        return self.next_number


_LONG_OLD_TITLE = "Family reunion at grandma's house, summer afternoon 2016.jpg"  # 60 characters
_LONG_NEW_TITLE = "Coucher de soleil sur le vieux port avec toute la famille, été 2022.jpg"  # 71
_TOKYO_TITLE = "Tōkyō タワー 東京 – été 🗼.jpg"
_PARIS_TITLE = "Crêpes à Paris 🥐 — 巴黎.jpg"
_PARIS_DESCRIPTION = "Dîner chez Zoë 🍷\nパリの夜景がきれいでした。\nÜber den Dächern — «magnifique»!"


def _plan_part_one(p: _Planner) -> None:
    """Takeout/: the older naming, NAME.ext.json."""
    part = PARTS[0]
    t = p.taken_in(2019)
    f2019 = p.year_folder(part, t)
    img1, _ = p.item(f2019, "IMG_0001.jpg", t, quirk="plain", favorited=True, geo=NEW_YORK, geo_exif=NEW_YORK)
    p.note("geo_exif", img1)
    img2, _ = p.item(f2019, "IMG_0002.jpg", p.taken_in(2019), quirk="duplicate_index")
    p.note("geo_zero", img2)
    dup, _ = p.item(f2019, "IMG_0002.jpg", p.taken_in(2019), index=1, quirk="duplicate_index", geo=ADELAIDE)
    p.note("geo_data_only", dup)
    p.item(f2019, "IMG_0003.jpg", p.taken_in(2019), also=[edited_name_for_title("IMG_0003.jpg")],
           quirk="edited_copy", archived=True)
    p.orphan(f2019, "IMG_20190509_154733.jpg", "orphan_dated_name")
    p.orphan(f2019, "Screenshot_2019-09-19-05-38-57.png", "orphan_dated_name")

    t = p.taken_in(2020)
    p.item(p.year_folder(part, t), "IMG_0004.HEIC", t, also=["IMG_0004.MOV"], quirk="live_photo")
    t = p.taken_in(2016)
    p.item(p.year_folder(part, t), _LONG_OLD_TITLE, t, quirk="long_name_cut")
    t = p.taken_in(2012)
    tokyo, _ = p.item(p.year_folder(part, t), _TOKYO_TITLE, t, quirk="non_ascii_title",
                      geo=TOKYO, geo_exif=TOKYO, people=("田中 花子", "Zoë Müller"))
    p.note("people", tokyo)
    t = p.taken_in(1965)
    p.item(p.year_folder(part, t), "Scan - grandparents wedding.jpg", t, quirk="before_1970",
           created=p.taken_in(2015))
    _plan_camera_date(p, part)
    t = p.taken_in(2021)
    p.item(p.year_folder(part, t), f"Screenshot_{utc_datetime(t):%Y%m%d-%H%M%S}.png", t, quirk="png")
    t = p.taken_in(2015)
    p.item(p.year_folder(part, t), "Funny cat.gif", t, quirk="gif")
    t = p.taken_in(2018)
    p.item(p.year_folder(part, t), f"VID_{utc_datetime(t):%Y%m%d_%H%M%S}.mp4", t, quirk="mp4")
    t = p.taken_in(2017)
    p.orphan(p.year_folder(part, t), "received_1015566.jpeg", "orphan_undated")
    t = p.taken_in(2014)
    p.orphan_sidecar(p.year_folder(part, t), "IMG_0666.jpg", t, "orphan_sidecar")
    p.album(part, "Trip", [img1, tokyo], "album_in_both_parts")
    p.repeat_in_part(PARTS[1], tokyo, "repeated_in_parts")
    t = p.taken_in(2013)
    p.item(f"{part}/{p.photos_folder}/Trash", "IMG_0098.jpg", t, quirk="trashed", trashed=True)
    t = p.taken_in(2013)
    p.item(f"{part}/{p.photos_folder}/Archive", "IMG_0099.jpg", t, quirk="archive_folder", archived=True)


def _plan_camera_date(p: _Planner, part: str) -> None:
    """A camera JPEG that already carries its own date, local time at UTC+2."""
    t = p.taken_in(2018)
    local = utc_datetime(t) + timedelta(hours=2)
    exif = {"exif_datetime": local.strftime("%Y:%m:%d %H:%M:%S"), "exif_offset": "+02:00"}
    p.item(p.year_folder(part, t), "DSC_0042.JPG", t, quirk="camera_exif_date", exif=exif)


def _plan_part_two(p: _Planner) -> None:
    """Takeout 2/: the newer naming, NAME.ext.supplemental-metadata.json, cut at 51."""
    part = PARTS[1]
    t = p.taken_in(2021)
    f2021 = p.year_folder(part, t)
    img10, _ = p.item(f2021, "IMG_0010.jpg", t, supplemental=True, quirk="supplemental")
    p.item(f2021, "IMG_0010.jpg", p.taken_in(2021), supplemental=True, index=1, quirk="supplemental_duplicate_index")
    for title in (
        "IMG_20200704_183000_HDR_1.jpg",  # 29 characters: .supplemental-met.json
        "Screenshot_20200912-081530_Instagram.jpg",  # 40: .suppl.json
        "Screenshot_20201105-221034_Google Maps~2.jpg",  # 44: .s.json
    ):
        t = p.taken_in(2020)
        p.item(p.year_folder(part, t), title, t, supplemental=True, quirk="supplemental_cut")
    t = p.taken_in(2022)
    paris, _ = p.item(p.year_folder(part, t), _PARIS_TITLE, t, supplemental=True, quirk="supplemental_cut",
                      geo_exif=PARIS, description=_PARIS_DESCRIPTION, people=("Zoë Müller",))
    p.note("multiline_description", paris)
    p.note("geo_exif", paris)
    t = p.taken_in(2022)
    p.item(p.year_folder(part, t), _LONG_NEW_TITLE, t, supplemental=True, quirk="long_name_cut")
    t = p.taken_in(2022)
    p.item(p.year_folder(part, t), "IMG_0011.MOV", t, supplemental=True, quirk="mov")
    t = p.taken_in(2023)
    p.item(p.year_folder(part, t), "IMG_0012.HEIC", t, supplemental=True, quirk="heic")
    p.album(part, "Trip", [img10], "album_in_both_parts")
    p.sidecar_only_album(part, "Été 2022", [paris, img10], "sidecar_only_album")


def _extra_title(p: _Planner, video: bool, taken: int) -> str:
    d = utc_datetime(taken)
    roll = p.rng.random()
    if video:
        if roll < 0.5:
            return f"VID_{d:%Y%m%d_%H%M%S}.mp4"
        if roll < 0.7:
            return f"PXL_{d:%Y%m%d_%H%M%S}{p.rng.randrange(1000):03d}.mp4"
        return f"IMG_{p.number():04d}.MOV"
    if p.small or roll < 0.6:
        return f"IMG_{p.number():04d}.jpg"
    if roll < 0.85:
        return f"PXL_{d:%Y%m%d_%H%M%S}{p.rng.randrange(1000):03d}.jpg"
    if roll < 0.93:
        return f"IMG_{p.number():04d}.HEIC"
    return f"Screenshot_{d:%Y%m%d-%H%M%S}.png"


def _plan_extras(p: _Planner, count: int, video: bool) -> None:
    """Ordinary media with a sidecar, spread over the years and both parts."""
    for _ in range(count):
        part = p.rng.choice(PARTS)
        taken = p.taken_any()
        title = _extra_title(p, video, taken)
        # Part 2 is the newer export; part 1 has a few of the newer names mixed in.
        supplemental = part == PARTS[1] or p.rng.random() < 0.25
        geo = p.rng.choice(CITIES) if p.rng.random() < 0.2 else None
        tiny = p.number() if p.small else None
        p.item(p.year_folder(part, taken), title, taken, supplemental=supplemental, geo=geo, geo_exif=geo,
               tiny=tiny)


def _count(p: _Planner, extensions) -> int:
    return sum(1 for rel in p.manifest.media if os.path.splitext(rel)[1].lower() in extensions)


def generate_takeout(root, *, photos: int = 40, videos: int = 6, seed: int = 0, photo_bytes: int | None = None,
                     video_bytes: int | None = None, small: bool = False, photos_folder: str = PHOTOS_FOLDER
                     ) -> Manifest:
    """Write a two-part extracted Takeout under `root` and return what is in it.

    Every quirk is present once whatever the counts (they alone make 29 image and 3
    video files); ordinary media are added until there are `photos` image files and
    `videos` video files in all, album copies and orphans included. `photo_bytes`/`video_bytes` make JPEG/HEIC/PNG and video files
    about that big. `small` writes the ordinary media as tiny copies of one template,
    for trees of 100 000 files.
    """
    root = Path(root)
    for part in PARTS:
        if (root / part).exists():
            raise FileExistsError(f"{root / part} already exists")
    planner = _Planner(root, seed, small, photo_bytes, video_bytes, photos_folder)
    _plan_part_one(planner)
    _plan_part_two(planner)
    _plan_extras(planner, photos - _count(planner, IMAGE_EXTENSIONS), video=False)
    _plan_extras(planner, videos - _count(planner, VIDEO_EXTENSIONS), video=True)
    planner.manifest.total_bytes = _write_plan(root, planner)
    planner.manifest.orphan_sidecars.sort()
    planner.manifest.other_json.sort()
    return planner.manifest


def _write_plan(root: Path, planner: _Planner) -> int:
    rels = [m.rel for m in planner.files] + list(planner.jsons)
    for folder in sorted({rel.rpartition("/")[0] for rel in rels}):
        (root / folder).mkdir(parents=True, exist_ok=True)
    originals = [m for m in planner.files if m.copy_of is None]
    _warm_tiny_templates(originals)
    # Encoders, ffmpeg and file creation all run outside the GIL, so threads
    # help; tiny files go in batches, as a task per file would cost more than the file.
    batch = 500 if planner.small else 1
    total = _in_threads(lambda m: _write_media(root, m), originals, batch)
    for m in planner.files:
        if m.copy_of is not None:
            shutil.copyfile(root / m.copy_of, root / m.rel)
            total += (root / m.rel).stat().st_size
    base = str(root) + os.sep
    total += _in_threads(lambda item: _put(base + item[0], _json_bytes(item[1])), list(planner.jsons.items()), 500)
    return total


def _warm_tiny_templates(files: list[_MediaPlan]) -> None:
    # Made once up front, so that threads do not each make their own.
    for ext in {os.path.splitext(m.rel)[1].lower() for m in files if m.tiny is not None}:
        _tiny_video(ext, 0) if ext in VIDEO_EXTENSIONS else _tiny_jpeg(0)


def _in_threads(write, items: list, batch: int) -> int:
    """Run `write` over items on a few threads; the sum of what it returns."""
    batches = [items[i : i + batch] for i in range(0, len(items), batch)]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        return sum(pool.map(lambda chunk: sum(write(item) for item in chunk), batches))


def _put(path: str, data: bytes) -> int:
    # Plain os calls: pathlib and buffered files cost more than the write itself
    # when there are 200 000 small files.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return len(data)


def _write_media(root: Path, m: _MediaPlan) -> int:
    if m.tiny is not None:
        ext = os.path.splitext(m.rel)[1].lower()
        data = _tiny_video(ext, m.tiny) if ext in VIDEO_EXTENSIONS else _tiny_jpeg(m.tiny)
        return _put(os.path.join(root, m.rel), data)
    path = make_media(root / m.rel, seed=m.seed, target_bytes=m.target, **(m.exif or {}))
    return path.stat().st_size


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

_MB = 1_000_000


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m pef.sample",
        description="Write a realistic sample Google Photos Takeout (two parts, every known quirk).",
    )
    parser.add_argument("dest", type=Path, help="folder to create (must not exist, or be empty)")
    parser.add_argument("--photos", type=int, default=40, help="image files in all (default 40)")
    parser.add_argument("--videos", type=int, default=6, help="video files in all (default 6)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same export (default 0)")
    parser.add_argument("--photo-mb", type=float, help="make JPEG/HEIC/PNG files about this big (MB = 10^6 bytes)")
    parser.add_argument("--video-mb", type=float, help="make video files about this big")
    parser.add_argument("--small", type=int, metavar="N", help="N tiny image files instead (many-files benchmark)")
    return parser.parse_args(argv)


def _is_empty_dir(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


def _human_bytes(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.1f} {unit}" if unit != "bytes" else f"{count} bytes"
        count /= 1000
    return f"{count} bytes"


def main(argv=None) -> int:
    args = _parse_args(argv)
    if args.dest.exists() and not _is_empty_dir(args.dest):
        print(f"pef.sample: {args.dest} already exists and is not an empty folder; "
              "give a new path so nothing is mixed with the sample", file=sys.stderr)
        return 1
    missing = [name for name, module in (("Pillow", "PIL"), ("pillow-heif", "pillow_heif"))
               if importlib.util.find_spec(module) is None]
    if missing or shutil.which("ffmpeg") is None:
        needs = [*missing, *([] if shutil.which("ffmpeg") else ["ffmpeg (the program)"])]
        print(f"pef.sample makes real photos and videos, which needs {' and '.join(needs)}: install pef with "
              "its sample extra (pip install '.[sample]') and ffmpeg (see the README), then run this again.",
              file=sys.stderr)
        return 1
    start = time.monotonic()
    manifest = generate_takeout(
        args.dest,
        photos=args.small if args.small is not None else args.photos,
        videos=args.videos,
        seed=args.seed,
        photo_bytes=round(args.photo_mb * _MB) if args.photo_mb else None,
        video_bytes=round(args.video_mb * _MB) if args.video_mb else None,
        small=args.small is not None,
    )
    print(f"{len(manifest.media)} media, {len(manifest.sidecars)} sidecars, "
          f"{_human_bytes(manifest.total_bytes)} in {time.monotonic() - start:.1f} s: {args.dest.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
