"""Small pictures of the media pef could not pair, for report.html: `OUT/report-thumbs/<name>.jpg`.

Made from the output copy (never from, nor in, the source). Pillow (with pillow-heif for HEIC) where it is
installed; else the preview the camera embedded, read by ExifTool (`ThumbnailImage`, then a small enough
`PreviewImage`); else nothing, and the page shows a type icon. Videos get the icon: a frame would need a
video decoder pef does not otherwise need. Nothing here can fail the run: a file without a thumbnail just
gets the icon.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
from pathlib import Path

from pef.exiftool import ExifToolError, run_once
from pef.matching import VIDEO_EXTENSIONS
from pef.names import split_ext

FOLDER = "report-thumbs"
SIZE = 160  # pixels, the longer side
CAP = 500  # thumbnails per run: the page stays light, and the rest are counted
_PREVIEW_MAX = 512 * 1024  # an embedded preview kept as it is (no Pillow to shrink it) must stay small


def thumb_name(output: str) -> str:
    """The thumbnail's file name for an output path (stable, so a resume reuses it)."""
    return hashlib.blake2b(output.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest() + ".jpg"


def is_video(path: str) -> bool:
    return split_ext(path.rpartition("/")[2])[1][1:].lower() in VIDEO_EXTENSIONS


def make_thumbs(out: Path, targets: list[tuple[str, str]], exiftool: str | None, cap: int = CAP,
                pillow: bool = True) -> tuple[dict[str, str], dict]:
    """Thumbnails for (source, output) pairs, in order: ({source: "report-thumbs/x.jpg"}, counts).

    Thumbnails of files no longer listed are removed, so the folder holds this report's only.
    """
    folder = out / FOLDER
    shown = [(src, dest) for src, dest in targets if dest and not is_video(dest)][:cap]
    left = max(0, sum(1 for _, dest in targets if dest and not is_video(dest)) - cap)
    image = _pillow() if pillow else None
    made: dict[str, str] = {}
    missing: list[tuple[str, str, Path]] = []
    if shown:
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            return {}, _counts(targets, made, left)
    for src, dest in shown:
        name = thumb_name(dest)
        path = folder / name
        if path.exists() or (image is not None and _from_pillow(image, out / dest, path)):
            made[src] = f"{FOLDER}/{name}"
        else:
            missing.append((src, dest, path))
    if missing and exiftool:
        for src, path in _from_previews(exiftool, out, missing, image):
            made[src] = f"{FOLDER}/{path.name}"
    _prune(folder, {Path(p).name for p in made.values()})
    return made, _counts(targets, made, left)


def _counts(targets: list, made: dict, left: int) -> dict:
    return {"made": len(made), "videos": sum(1 for _, d in targets if d and is_video(d)), "not_shown": left}


def _pillow():
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return None
    try:
        import pillow_heif  # type: ignore[import-not-found]

        pillow_heif.register_heif_opener()
    except ImportError:
        pass
    return Image, ImageOps


def _from_pillow(pil, source: Path | io.BytesIO, dest: Path) -> bool:
    Image, ImageOps = pil
    try:
        with Image.open(source) as img:
            img.draft("RGB", (SIZE * 2, SIZE * 2))  # JPEG decodes at a fraction of its size: fast
            small = ImageOps.exif_transpose(img)
            small.thumbnail((SIZE, SIZE))
            buf = io.BytesIO()
            small.convert("RGB").save(buf, "JPEG", quality=80)
    except Exception:  # any decoder error (truncated, unknown, a bomb) only means "no thumbnail"
        return False
    return _write(dest, buf.getvalue())


def _from_previews(exiftool: str, out: Path, missing: list, pil) -> list[tuple[str, Path]]:
    """The embedded previews of many files, from one ExifTool run."""
    try:
        raw = run_once(exiftool, ["-j", "-b", "-ThumbnailImage", "-PreviewImage"],
                       [str(out / dest) for _, dest, _ in missing])
        found = json.loads(raw.decode("utf-8", "replace") or "[]")
    except (ExifToolError, ValueError):
        return []
    previews = {}
    for item in found if isinstance(found, list) else ():
        for tag in ("ThumbnailImage", "PreviewImage"):
            value = item.get(tag)
            if isinstance(value, str) and value.startswith("base64:"):
                previews[os.path.normcase(os.path.abspath(item.get("SourceFile", "")))] = value[7:]
                break
    done = []
    for src, dest, path in missing:
        data = previews.get(os.path.normcase(os.path.abspath(out / dest)))
        if data is None:
            continue
        try:
            jpeg = base64.b64decode(data)
        except ValueError:
            continue
        ok = _from_pillow(pil, io.BytesIO(jpeg), path) if pil is not None else (
            jpeg[:2] == b"\xff\xd8" and len(jpeg) <= _PREVIEW_MAX and _write(path, jpeg))
        if ok:
            done.append((src, path))
    return done


def _write(dest: Path, data: bytes) -> bool:
    tmp = dest.with_name(dest.name + ".part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


def _prune(folder: Path, keep: set[str]) -> None:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name not in keep:
            try:
                entry.unlink()
            except OSError:
                pass
    if not keep:
        try:
            folder.rmdir()
        except OSError:
            pass
