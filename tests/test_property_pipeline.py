"""Properties of the read-only half of pef: hostile inputs never crash it and nothing gets lost.

1. Sidecar bytes: a real Google sidecar, mutated at the JSON level (keys dropped,
   values of the wrong type, odd numbers and strings) and at the byte level
   (truncated, random bytes inserted, BOM, non-UTF-8, deep nesting), always
   parses to one of the three kinds and never raises.
2. Random folder trees on disk (any Unicode the file system takes, long names,
   undecodable bytes, symlinks, hostile sidecar titles, garbage JSON) through
   scan -> match -> make_plan -> build_report: every file is accounted for and
   the planned outputs are unique, relative and within the name-length limit.
3. A sidecar is never given to a media file whose name it does not describe.

PEF_PROPERTY_EXAMPLES scales every example count; PEF_HYPOTHESIS=explore draws new examples (see conftest.py).
"""

from __future__ import annotations

import json
import math
import os
import stat
import tempfile
import time
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pef.fsutil import json_lines
from pef.matching import MatchResult, match
from pef.names import fold as pef_fold
from pef.parts import is_part_name
from pef.plan import MAX_NAME_BYTES, RESERVED_TOP, Kind, make_plan
from pef.report import build_report, summary_text
from pef.scan import IGNORED_FOLDERS, IGNORED_NAMES, MediaEntry, ScanResult
from pef.sources import Source
from pef.sidecar import MAX_TIMESTAMP, MIN_TIMESTAMP, BrokenSidecar, OtherJson, Sidecar, parse_json_bytes
from pef.state import ProcessingState

SUFFIXES = ("", "-edited")
_SCALE = float(os.environ.get("PEF_PROPERTY_EXAMPLES", "1"))


def _settings(n: int):
    return settings(
        max_examples=max(1, int(n * _SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------------------
# 1. Sidecar bytes
# ---------------------------------------------------------------------------


def google_sidecar(title: str = "IMG_20190709_123000.jpg", taken: int = 1562675400) -> dict:
    """A sidecar as Google writes it."""
    geo = {"latitude": 48.8584, "longitude": 2.2945, "altitude": 35.2, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
    return {
        "title": title,
        "description": "Eiffel tower",
        "imageViews": "12",
        "creationTime": {"timestamp": str(taken + 86400), "formatted": "10 Jul 2019, 12:30:00 UTC"},
        "photoTakenTime": {"timestamp": str(taken), "formatted": "9 Jul 2019, 12:30:00 UTC"},
        "geoData": dict(geo),
        "geoDataExif": dict(geo),
        "people": [{"name": "Alice"}, {"name": "Bob"}],
        "url": "https://photos.google.com/photo/AF1QipExample",
        "googlePhotosOrigin": {"mobileUpload": {"deviceType": "ANDROID_PHONE"}},
        "favorited": True,
        "archived": False,
        "trashed": False,
    }


WEIRD_STRINGS = [
    "", " ", "abc", "NaN", "nan", "-nan", "Infinity", "-Infinity", "inf", "1e10", "1E400", "1.5", "-1", "0", "-0",
    " 1562675400 ", "1562675400.0", "0x5D24A5C8", "1_562_675_400", "١٥٦٢٦٧٥٤٠٠", "１５６２６７５４００",
    "9" * 40, "-" + "9" * 40, "9" * 5000, "\x00", "1562675400\x00", "\u200f1562675400", "true", "null", "[]", "{}",
    "../../etc/passwd", "/etc/passwd", "C:\\Windows\\x.jpg", "\ud800", "\udcff", "😀" * 50,
]
ODD_NUMBERS = [
    0, -1, 1, 1562675400, -(10**12), 10**12, 10**30, -(10**30), 2**63, -(2**63) - 1, MIN_TIMESTAMP - 1,
    MAX_TIMESTAMP + 1, MIN_TIMESTAMP, MAX_TIMESTAMP, 1e308, -1e308, 1.5e-300, float("nan"), float("inf"),
    float("-inf"), -0.0, 1562675400.999, 90.000001, -180.5, 0.0,
]
KEYS = [
    "title", "description", "creationTime", "photoTakenTime", "geoData", "geoDataExif", "people", "favorited",
    "archived", "trashed", "timestamp", "formatted", "latitude", "longitude", "altitude", "name", "url",
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(WEIRD_STRINGS),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=4),
    ),
    max_leaves=10,
)


def _paths(value, prefix=()):
    """Every (path of keys/indexes) inside a JSON value, the root excluded."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


def _parent(data, path):
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutated_sidecar_bytes(draw, allow_bignum: bool = True) -> bytes:
    data: object = google_sidecar(draw(st.one_of(st.just("IMG_1234.jpg"), st.text(min_size=1, max_size=30))))
    for _ in range(draw(st.integers(0, 6))):
        paths = list(_paths(data))
        op = draw(st.sampled_from(["drop", "replace", "replace", "timestamp", "text", "add", "root"]))
        if op == "root":
            if draw(st.integers(0, 9)) == 0:  # rarely: the whole document is something else
                data = draw(json_values)
            continue
        if not isinstance(data, (dict, list)) or not paths:
            continue
        if op == "timestamp":
            block = draw(st.sampled_from(["photoTakenTime", "creationTime"]))
            if isinstance(data, dict):
                value = draw(st.one_of(st.sampled_from(ODD_NUMBERS), st.sampled_from(WEIRD_STRINGS), json_values))
                data[block] = draw(st.sampled_from([{"timestamp": value, "formatted": ""}, {"timestamp": value}, value]))
            continue
        if op == "text":
            if isinstance(data, dict):
                value = draw(st.one_of(st.sampled_from(WEIRD_STRINGS), st.text(max_size=20)))
                key = draw(st.sampled_from(["title", "description", "people"]))
                data[key] = [{"name": value}] if key == "people" else value
            continue
        if op == "add":
            if isinstance(data, dict):
                data[draw(st.sampled_from(KEYS))] = draw(json_values)
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        if op == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    text = json.dumps(data, ensure_ascii=draw(st.booleans()), allow_nan=True, indent=draw(st.sampled_from([None, 1])))
    raw = text.encode("utf-8", "surrogatepass")  # unescaped lone surrogates: bytes that are not UTF-8
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(
            ["truncate", "insert", "replace_byte", "bom", "latin1", "utf16", "deep", "deep_value", "bignum", "none"]
        ))
        if op == "truncate":
            raw = raw[: draw(st.integers(0, max(0, len(raw))))]
        elif op == "insert":
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
        elif op == "replace_byte" and raw:
            at = draw(st.integers(0, len(raw) - 1))
            raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
        elif op == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif op == "latin1":
            raw = text.encode("latin-1", "replace") + b"\xe9\xff"
        elif op == "utf16":
            raw = text.encode("utf-16", "surrogatepass")
        elif op == "deep":
            n = draw(st.sampled_from([10, 500, 5000, 200_000]))
            raw = b"[" * n + raw + b"]" * n
        elif op == "deep_value":
            n = draw(st.sampled_from([10, 900, 5000, 200_000]))
            key = draw(st.sampled_from(["description", "people", "geoData", "photoTakenTime", "title"]))
            raw = (
                b'{"title": "IMG_1.jpg", "photoTakenTime": {"timestamp": "1562675400"}, "'
                + key.encode() + b'": ' + b"[" * n + b"]" * n + b"}"
            )
        elif op == "bignum" and allow_bignum:
            digits = draw(st.sampled_from([20, 400, 4301, 6000]))
            raw = raw.replace(b'"1562675400"', b"1" * digits, 1)
    return raw


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_parsed(result, rel: str) -> None:
    assert isinstance(result, (Sidecar, OtherJson, BrokenSidecar)), type(result)
    assert result.rel == rel
    if isinstance(result, BrokenSidecar):
        assert isinstance(result.error, str) and result.error.strip(), result
        return
    if isinstance(result, OtherJson):
        return
    assert isinstance(result.title, str) and result.title.strip() and "\x00" not in result.title
    assert type(result.taken) is int and MIN_TIMESTAMP <= result.taken <= MAX_TIMESTAMP
    assert result.created is None or (type(result.created) is int and MIN_TIMESTAMP <= result.created <= MAX_TIMESTAMP)
    if result.geo is not None:
        g = result.geo
        assert all(type(v) is float and math.isfinite(v) for v in (g.latitude, g.longitude))
        assert -90 <= g.latitude <= 90 and -180 <= g.longitude <= 180
        assert g.altitude is None or (type(g.altitude) is float and math.isfinite(g.altitude))
    assert isinstance(result.description, str) and "\x00" not in result.description
    assert isinstance(result.people, tuple)
    assert all(isinstance(p, str) and p.strip() and "\x00" not in p for p in result.people)
    # Description and people become ExifTool arguments: they must be real text (no lone
    # surrogates from a "\ud800" escape), or writing the file fails.
    for text in (result.description, *result.people):
        assert _encodable(text), text
    assert len(set(result.people)) == len(result.people)
    assert all(type(f) is bool for f in (result.favorited, result.archived, result.trashed))
    assert all(isinstance(w, str) and w for w in result.warnings)


def test_unmutated_google_sidecar_parses() -> None:
    """The starting point of the mutations is a real, fully read sidecar."""
    raw = json.dumps(google_sidecar(), indent=2).encode()
    got = parse_json_bytes(raw, "x.json")
    assert isinstance(got, Sidecar) and got.warnings == ()
    assert got.taken == 1562675400 and got.created == 1562675400 + 86400
    assert got.geo is not None and got.people == ("Alice", "Bob") and got.favorited
    assert parse_json_bytes(b"\xef\xbb\xbf" + raw, "x.json") == got


# A number literal longer than Python's int-from-string limit (4300 digits).
BIGNUM_SIDECAR = b'{"title": "a.jpg", "photoTakenTime": {"timestamp": ' + b"1" * 4301 + b"}}"


@_settings(400)
@given(raw=mutated_sidecar_bytes())
@example(raw=BIGNUM_SIDECAR)
@example(raw=b'{"title": "a.jpg", "photoTakenTime": {"timestamp": "' + b"1" * 5000 + b'"}}')
@example(raw=b"[" * 200_000)
@example(raw=b'{"title": "a.jpg", "photoTakenTime": {"timestamp": 1e400}}')
@example(raw=b'{"title": "a.jpg", "photoTakenTime": {"timestamp": NaN}, "geoData": {"latitude": NaN}}')
@example(raw=b'\xef\xbb\xbf\xef\xbb\xbf{}')
@example(raw=b'{"title": "\\ud800", "photoTakenTime": {"timestamp": "1"}}')
@example(raw=b'{"title": "a.jpg", "photoTakenTime": {"timestamp": "1"}, "description": "x\\ud800y", "people": [{"name": "\\udcff"}]}')
@example(raw=b'{"title": "a.jpg", "photoTakenTime": {"timestamp": "1"}, "people": [{"name": "\\u0000"}]}')
def test_mutated_sidecar_never_raises(raw: bytes) -> None:
    result = parse_json_bytes(raw, "Takeout/Google Photos/x.json")
    _check_parsed(result, "Takeout/Google Photos/x.json")
    assert parse_json_bytes(raw, "Takeout/Google Photos/x.json") == result  # deterministic


@_settings(200)
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=100).map(str.encode)))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _check_parsed(parse_json_bytes(raw, "r.json"), "r.json")


# ---------------------------------------------------------------------------
# 2. Random trees on disk through scan, match, plan and report
# ---------------------------------------------------------------------------

FRAGMENTS = [
    "IMG_1234", "IMG", "PXL_20200101_123456789", "MVIMG_1", "photo", "Foto", " ", "  ", ".", "..", "-", "--", "_",
    "(1)", "(2)", "(10)", "()", "[1]", "-edited", "-EDITED", "-bearbeitet", "-編集済み", ".jpg", ".JPG", ".jpeg",
    ".heic", ".HEIC", ".png", ".mp4", ".MOV", ".MP", ".MP~2", ".gif", ".json", ".JSON", ".supplemental-metadata",
    ".suppl", ".s", "写真", "日本語の名前", "😀", "👨\u200d👩\u200d👧", "\u200f", "\u200e", "\u202e", "\u200b",
    "\ufeff", "e\u0301", "é", "ß", "SS", "İ", "ﬁ", "Σ", "ς", "ǰ", "J\u030c", "\u00a0", "\u3000", "\t", "\n", "\r",
    "\\", ":", "*", "?", '"', "<", ">", "|", "~", "#", "%", "Unprocessed", "unprocessed", "UNPROCESSED",
    "report.json", "report.txt", ".pef-tmp", "processing_state.json", "processing_state.journal", "Thumbs.db",
    ".DS_Store", "metadata", "Takeout", "Takeout 2", "Photos from 2020", "\udc80", "\udcff", "._", "@eaDir",
    "__MACOSX",
]
# Names the source may hold as a whole (pef's own top-level names among them).
WHOLE_NAMES = [
    "Unprocessed", "unprocessed", "report.json", "REPORT.JSON", "report.txt", "report.html", "unpaired.csv", "report-thumbs", ".pef-tmp", "processing_state.json",
    "processing_state.journal", "Thumbs.db", ".json", "-", "-rf", "--help", "(1)", "a.jpg", "A.JPG", "a.jpg.xmp",
    "a(1).jpg", "IMG_1234.jpg", "IMG_1234(1).jpg", "IMG_1234-edited.jpg", "IMG_1234.HEIC", "IMG_1234.MOV",
    "@eaDir", "@EADIR", "__MACOSX", "._IMG_1234.jpg", "#recycle",
]
EXTS = [".jpg", ".JPG", ".jpeg", ".heic", ".png", ".mp4", ".MOV", ".MP", ".gif", "", ".tar.gz", ".xmp"]

_any_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00")
_piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(_any_char, min_size=1, max_size=6))


def _fit_bytes(text: str, nbytes: int) -> str:
    out, used = [], 0
    for ch in text:
        w = len(ch.encode("utf-8", "surrogateescape"))
        if used + w > nbytes:
            break
        out.append(ch)
        used += w
    return "".join(out)


def _long_name(base: str, nbytes: int, ext: str) -> str:
    body = base * (nbytes // max(1, len(base.encode("utf-8", "surrogateescape"))) + 1)
    return _fit_bytes(body, max(1, nbytes - len(ext.encode()))) + ext


def _clean(name: str) -> str:
    name = name.replace("/", "_").replace("\x00", "_")
    return name + "_" if name in ("", ".", "..") else name


names = st.one_of(
    st.lists(_piece, min_size=1, max_size=6).map("".join),
    st.lists(_piece, min_size=1, max_size=6).map("".join),
    st.sampled_from(WHOLE_NAMES),
    st.builds(_long_name, st.lists(_piece, min_size=1, max_size=3).map("".join), st.integers(40, 262),
              st.sampled_from(EXTS)),
    # A long extension: the stem is only a letter or two.
    st.builds(lambda s, n: s + "." + "x" * n, st.sampled_from(["a", "ab", "é"]), st.integers(200, 253)),
).map(_clean)

HOSTILE_TITLES = [
    "../../etc/passwd", "/etc/passwd", "../a.jpg", "a/../../b.jpg", "/", "//", "C:\\Windows\\system32\\x.jpg",
    "\\\\server\\share\\x.jpg", "~/x.jpg", ".", "..", " ", "", "\x00", "a.jpg\x00.png", "a\nb.jpg", "Unprocessed",
    "report.json", ".pef-tmp/x.jpg", "Unprocessed/a.jpg", "a" * 1000 + ".jpg", "\u202egpj.exe", "-rf",
]


@st.composite
def trees(draw):
    """A folder tree: (folders, media, sidecars, others), each file as (folder index, name, bytes)."""
    folder_part = st.one_of(names, st.sampled_from(["Takeout", "Takeout 2", "Google Photos", "Photos from 2020",
                                                     "Unprocessed", ".pef-tmp", "report.json", "Album"]))
    folders = [""] + draw(st.lists(st.lists(folder_part, min_size=1, max_size=2).map("/".join), max_size=3))
    folder_i = st.integers(0, len(folders) - 1)
    media = draw(st.lists(st.tuples(folder_i, names, st.binary(max_size=6)), min_size=1, max_size=8))
    sidecars = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 3)) > 0:
            f, base, _ = draw(st.sampled_from(media))
            f = draw(st.sampled_from([f, f, draw(folder_i)]))
        else:
            f, base = draw(folder_i), draw(names)
        style = draw(st.sampled_from(["plain", "plain", "supp", "cut", "stem", "index", "upper", "random"]))
        stem, ext = os.path.splitext(base)
        file_name = {
            "plain": base + ".json",
            "supp": base + ".supplemental-metadata.json",
            "cut": (base + ".supplemental-metadata")[:46] + ".json",
            "stem": stem + ".json",
            "index": base + "(1).json",
            "upper": base + ".JSON",
            "random": draw(names) + ".json",
        }[style]
        title = draw(st.one_of(st.just(base), st.just(base), st.sampled_from(HOSTILE_TITLES), st.text(max_size=40),
                               names))
        content_kind = draw(st.sampled_from(["valid", "valid", "valid", "mutated", "album", "empty", "binary"]))
        if content_kind == "valid":
            data = google_sidecar(title, draw(st.integers(0, 2_000_000_000)))
            content = json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        elif content_kind == "mutated":
            content = draw(mutated_sidecar_bytes(allow_bignum=False))
        elif content_kind == "album":
            content = json.dumps({"title": title, "description": "", "access": "protected"}).encode()
        elif content_kind == "empty":
            content = b""
        else:
            content = draw(st.binary(max_size=40))
        sidecars.append((f, _clean(file_name), content))
    others = draw(st.lists(st.tuples(folder_i, st.sampled_from(["symlink-file", "symlink-out", "symlink-dir",
                                                                 "dangling", "fifo"]), names), max_size=2))
    return folders, media, sidecars, others


def _join(root: str, rel: str) -> str:
    return os.path.join(root, *rel.split("/")) if rel else root


def _make_file(root: str, folder: str, name: str, content: bytes) -> str | None:
    rel = f"{folder}/{name}" if folder else name
    path = _join(root, rel)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "xb") as f:
            f.write(content)
    except (OSError, UnicodeEncodeError, ValueError):
        return None  # a name the OS refuses (too long, not encodable, already a folder...)
    return rel


def _make_other(root: str, folder: str, kind: str, name: str, made: list[str]) -> None:
    path = _join(root, f"{folder}/{name}" if folder else name)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if kind == "symlink-file" and made:
            os.symlink(_join(root, made[0]), path)
        elif kind == "symlink-out":
            os.symlink("/etc/passwd", path)
        elif kind == "symlink-dir":
            os.symlink(root, path)  # a loop, if it were followed
        elif kind == "dangling":
            os.symlink(_join(root, "no such file"), path)
        elif kind == "fifo":
            os.mkfifo(path)
    except (OSError, UnicodeEncodeError, ValueError):
        pass


def _disk(root: str) -> dict[str, str]:
    """Every non-folder entry under root, found independently of pef: rel -> "file" | "link" | "other"."""
    found: dict[str, str] = {}

    def walk(directory: str, prefix: str) -> None:
        for name in os.listdir(directory):
            path, rel = os.path.join(directory, name), prefix + name
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode):
                walk(path, rel + "/")
            else:
                found[rel] = "file" if stat.S_ISREG(mode) else "link" if stat.S_ISLNK(mode) else "other"

    walk(root, "")
    return found


def _name_bytes(text: str) -> bytes:
    """A path's bytes on disk: a name that is not UTF-8 reaches Python as lone surrogates."""
    return text.encode("utf-8", "surrogateescape")


def _fold(path: str) -> str:
    """How a case-insensitive file system could compare two paths (strictest of NFC/casefold orders)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", path).casefold())


def _check_plan(plan, found, matched) -> None:
    media_rels = {m.rel for m in found.media}
    sources = [a.source for a in plan.actions]
    assert len(sources) == len(set(sources)), "a source planned twice"
    # Each media in exactly one action, of the kind its pairing says.
    assert {a.source for a in plan.actions if a.kind is not Kind.SIDECAR} == media_rels
    for a in plan.actions:
        if a.kind is Kind.WRITE:
            assert a.source in matched.pairs and a.sidecar == matched.pairs[a.source].sidecar
        elif a.kind is Kind.COPY:
            assert a.source in matched.unpaired_media
    assert {a.source for a in plan.actions if a.kind is Kind.SIDECAR} == (
        set(matched.unpaired_sidecars) | {b.rel for b in found.broken}
    )
    # Output files: each destination, plus the .xmp a written file may need beside it.
    outputs: list[tuple[str, str]] = []
    for a in plan.actions:
        outputs.append((a.dest, a.source))
        if a.kind is Kind.WRITE:
            outputs.append((a.dest + ".xmp", a.source))
    for path, source in outputs:
        assert path and not path.startswith("/") and not os.path.isabs(path), (source, path)
        assert "\x00" not in path, (source, path)
        for part in path.split("/"):
            assert part not in ("", ".", ".."), (source, path)
            assert len(_name_bytes(part)) <= MAX_NAME_BYTES, (source, path, len(_name_bytes(part)))
    seen: dict[str, str] = {}
    for path, source in outputs:
        key = _fold(path)
        assert key not in seen, f"{source!r} and {seen[key]!r} are both planned to {path!r} (case/NFC-folded)"
        seen[key] = source
    # A planned file may not also be a folder of another planned file, nor take one of pef's own names.
    folders: dict[str, str] = {}
    for path, source in outputs:
        parts = path.split("/")
        for i in range(1, len(parts)):
            folders.setdefault(_fold("/".join(parts[:i])), source)
    for path, source in outputs:
        key = _fold(path)
        assert key not in folders, f"{path!r} (from {source!r}) is also the folder of {folders[key]!r}'s output"
    reserved = {_fold(r) for r in RESERVED_TOP}
    for path, source in outputs:
        top = _fold(path.split("/")[0])
        assert top not in reserved, f"{source!r} is planned to {path!r}, inside pef's own {path.split('/')[0]!r}"


def _run_pipeline(root: Path):
    found = Source([root]).scan()
    matched = match(found.media, found.sidecars, SUFFIXES)
    plan = make_plan(found, matched)
    report = build_report(
        source=root, out_dir=None, found=found, matched=matched, plan=plan,
        state=ProcessingState(root.parent / "pef-out-never-written"), started=time.time(), dry_run=True,
        interrupted=False, fatal=None, tool="test",
    )
    return found, matched, plan, report


def _left_out_tops(root: Path) -> tuple[set[str], set[str]]:
    """A folder holding Takeout parts is read for its parts only: (top-level entries left out, archive parts)."""
    tops = {name: os.lstat(root / name).st_mode for name in os.listdir(root)}
    parts = {n for n, mode in tops.items()
             if (stat.S_ISDIR(mode) and is_part_name(n, True)) or (stat.S_ISREG(mode) and is_part_name(n, False))}
    if not parts:
        return set(), set()
    return set(tops) - parts, {n for n in parts if stat.S_ISREG(tops[n])}


def _check_tree(root: Path, keep: tuple[bool, ...] = (True,)) -> None:
    disk = _disk(str(root))
    left_out, archive_parts = _left_out_tops(root)
    found, matched, plan, report = _run_pipeline(root)

    media_rels = [m.rel for m in found.media]
    assert len(media_rels) == len(set(media_rels))
    # Every media in exactly one of pairs / unpaired.
    assert set(matched.pairs) | set(matched.unpaired_media) == set(media_rels)
    assert not set(matched.pairs) & set(matched.unpaired_media)
    for rel, pair in matched.pairs.items():
        assert pair.media == rel and pair.sidecar in {s.rel for s in found.sidecars}
    assert set(matched.unpaired_sidecars) <= {s.rel for s in found.sidecars}

    # Every entry on disk is in the report, exactly where its kind says.
    sidecar_keys = set(report["sidecars"])
    other_json = set(report["other_json"])
    assert not sidecar_keys & other_json
    assert set(report["media"]) == set(media_rels)
    # The report file is valid UTF-8 JSON whatever the names, and gives the same names back.
    written = json.loads("".join(json_lines(report)).encode("utf-8"))
    assert set(written["media"]) == set(media_rels)
    for rel, kind in disk.items():
        parts = rel.split("/")
        if parts[0] in left_out or rel in archive_parts:  # not a part (or, for a part, never a readable archive)
            assert parts[0] in report["skipped"], (rel, report["skipped"])
            assert rel not in report["media"] and rel not in sidecar_keys and rel not in other_json, rel
            continue
        litter = next((i for i, p in enumerate(parts[:-1]) if p.lower() in IGNORED_FOLDERS), None)
        if litter is not None:  # the walk skips the whole folder, once
            assert "/".join(parts[: litter + 1]) in report["skipped"], (rel, report["skipped"])
            continue
        where = [
            section for section, keys in (("media", report["media"]), ("sidecars", sidecar_keys),
                                          ("other_json", other_json), ("skipped", report["skipped"])) if rel in keys
        ]
        assert len(where) == 1, (rel, kind, where)
        name = rel.rpartition("/")[2]
        if kind != "file" or name.lower() in IGNORED_NAMES or name.startswith("._"):
            assert where == ["skipped"], (rel, kind, where)
        elif name.lower().endswith(".json"):
            assert where[0] in ("sidecars", "other_json"), (rel, where)
        else:
            assert where == ["media"], (rel, where)
    assert set(report["media"]) | sidecar_keys | other_json <= set(disk)

    # The report: consistent with the plan, and writable as report.json / report.txt.
    dests = {a.source: a.dest for a in plan.actions}
    for rel, item in report["media"].items():
        assert item["output"] == dests[rel]
    for rel, item in report["sidecars"].items():
        if item["status"] in ("unpaired", "broken"):
            assert item["copied_to"] == dests[rel]
    s = report["summary"]
    assert s["media_files"] == len(media_rels) == s["matched"] + s["without_sidecar"]
    assert s["actions"] == len(plan.actions)
    summary_text(report).encode("utf-8", "backslashreplace")  # as report.txt is written

    _check_plan(plan, found, matched)

    # Deterministic, independent of the input order, and stable when resumed.
    again = match(list(reversed(found.media)), list(reversed(found.sidecars)), SUFFIXES)
    assert again.pairs == matched.pairs and again.unpaired_media == matched.unpaired_media
    assert make_plan(found, matched).actions == plan.actions
    resumed = make_plan(found, matched, {a.source: a.dest for a in plan.actions})
    assert resumed.actions == plan.actions

    # Resuming after files were added to the source: an earlier run saw only some of them.
    def some(items):
        return [x for i, x in enumerate(items) if keep[i % len(keep)]]

    earlier = ScanResult(some(found.media), some(found.sidecars), some(found.broken), list(found.other_json))
    earlier_plan = make_plan(earlier, match(earlier.media, earlier.sidecars, SUFFIXES))
    recorded = {a.source: a.dest for a in earlier_plan.actions}
    later = make_plan(found, matched, recorded)
    _check_plan(later, found, matched)
    kinds = {a.source: a.kind for a in plan.actions}
    if all(kinds.get(a.source) is a.kind for a in earlier_plan.actions):
        # Nothing changed kind: every finished output keeps its name.
        got = later.by_source()
        for source, dest in recorded.items():
            if source in got:
                assert got[source].dest == dest, (source, dest, got[source].dest)


def _sidecar_json(title: str) -> bytes:
    return json.dumps(google_sidecar(title)).encode()


@_settings(200)
@given(tree=trees(), keep=st.lists(st.booleans(), min_size=1, max_size=5).map(tuple))
# Known failures, run first so the test fails fast without a long shrink (see the test_tree_* cases below).
@example(tree=([""], [(0, "Unprocessed", b"x"), (0, "b.jpg", b"y")], [(0, "Unprocessed.json", _sidecar_json("Unprocessed"))],
               []), keep=(True,))
@example(tree=(["", ".pef-tmp"], [(1, "a.jpg", b"x")], [(1, "a.jpg.json", _sidecar_json("a.jpg"))], []), keep=(True,))
@example(tree=([""], [(0, "a." + "x" * 253, b"x"), (0, "A." + "x" * 253, b"y")], [], []), keep=(True,))
def test_random_tree_scan_match_plan_report(tree, keep) -> None:
    folders, media, sidecars, others = tree
    with tempfile.TemporaryDirectory(prefix="pef-prop-") as tmp:
        root = Path(tmp) / "src"
        root.mkdir()
        made = []
        for f, name, content in media:
            rel = _make_file(str(root), folders[f], name, content)
            if rel is not None:
                made.append(rel)
        for f, name, content in sidecars:
            _make_file(str(root), folders[f], name, content)
        for f, kind, name in others:
            _make_other(str(root), folders[f], kind, name, made)
        _check_tree(root, keep)


def _tree_from(files: dict[str, bytes | str]) -> None:
    """Run the tree checks on an explicit layout (str content: a sidecar with that title)."""
    with tempfile.TemporaryDirectory(prefix="pef-prop-") as tmp:
        root = Path(tmp) / "src"
        root.mkdir()
        for rel, content in files.items():
            if isinstance(content, str):
                content = json.dumps(google_sidecar(content)).encode()
            path = _join(str(root), rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Path(path).write_bytes(content)
        _check_tree(root)


def test_tree_bignum_sidecar_does_not_stop_the_scan() -> None:
    _tree_from({"a.jpg": b"x", "a.jpg.json": BIGNUM_SIDECAR})


def test_tree_source_folders_named_like_pef_outputs() -> None:
    # A paired media inside a source folder named like pef's own top-level outputs.
    _tree_from({"report.json/a.jpg": b"x", "report.json/a.jpg.json": "a.jpg"})


def test_tree_paired_file_named_unprocessed() -> None:
    # "Unprocessed" (a paired file) and an unpaired media, which goes to "Unprocessed/...".
    _tree_from({"Unprocessed": b"x", "Unprocessed.json": "Unprocessed", "b.jpg": b"y"})


def test_tree_source_folder_named_like_pef_tmp() -> None:
    # pef empties its own ".pef-tmp" at the start and end of a run: an output planned inside it is lost.
    _tree_from({".pef-tmp/a.jpg": b"x", ".pef-tmp/a.jpg.json": "a.jpg"})


def test_tree_long_extension_xmp() -> None:
    # A 255-byte name that is nearly all extension, paired: its .xmp would need 258 bytes.
    _tree_from({"a." + "x" * 253: b"x", "a.json": "a." + "x" * 253})


def test_tree_long_extension_collision() -> None:
    # Two such names that differ only in case: the "(1)" copy needs 257 bytes.
    _tree_from({"a." + "x" * 253: b"x", "A." + "x" * 253: b"y"})


# Where the outputs recorded by an earlier run come from: processing_state.json and its
# journal, files in the output folder that a crash can tear and a user can edit.
@_settings(100)
@given(recorded_dest=st.one_of(st.sampled_from(HOSTILE_TITLES), names, st.text(max_size=30)).filter(bool))
@example(recorded_dest="../../outside.jpg")
@example(recorded_dest="/tmp/outside.jpg")
def test_recorded_outputs_never_leave_the_output_folder(recorded_dest: str) -> None:
    found = ScanResult(media=[MediaEntry("a.jpg", 1, 0), MediaEntry("b.jpg", 1, 0)])
    matched = MatchResult(unpaired_media={"a.jpg": "no sidecar", "b.jpg": "no sidecar"})
    plan = make_plan(found, matched, {"a.jpg": recorded_dest})
    _check_plan(plan, found, matched)


# ---------------------------------------------------------------------------
# 3. A sidecar never goes to a name it does not describe
# ---------------------------------------------------------------------------

_stem = st.one_of(
    st.text(_any_char, min_size=1, max_size=60),
    st.lists(_piece, min_size=1, max_size=5).map("".join),
    st.builds(_long_name, st.text(_any_char, min_size=1, max_size=8), st.integers(40, 120), st.just("")),
).map(_clean)
_ext = st.one_of(st.sampled_from(EXTS), st.text(_any_char, min_size=1, max_size=5).map(lambda e: "." + e))


def _first(stem: str) -> str:
    return pef_fold(stem)[:1]


@_settings(300)
@given(
    t_stem=_stem, t_ext=_ext, u_stem=_stem, u_ext=_ext,
    naming=st.sampled_from(["plain", "supp", "cut", "stem", "title-only"]),
    u_elsewhere=st.booleans(),
)
@example(t_stem="IMG_1", t_ext=".jpg", u_stem="PXL_2", u_ext=".jpg", naming="plain", u_elsewhere=True)
def test_sidecar_not_given_to_unrelated_name(t_stem, t_ext, u_stem, u_ext, naming, u_elsewhere) -> None:
    t_name, u_name = (t_stem + t_ext).replace("/", "_"), (u_stem + u_ext).replace("/", "_")
    for n in (t_name, u_name):
        assume(not n.lower().endswith(".json") and n.lower() not in IGNORED_NAMES and not n.startswith("._"))
    # U is not T, an edited form, a duplicate "(N)", a Live Photo video, nor a cut of T: stems differ at once.
    assume(_first(t_stem) and _first(u_stem) and _first(t_stem) != _first(u_stem))
    assume(not (naming == "title-only" and pef_fold(u_name).startswith("renamed")))
    folder, other = "Takeout/Google Photos/Album", "Takeout/Google Photos/Photos from 2020"
    sidecar_name = {
        "plain": t_name + ".json",
        "supp": (t_name + ".supplemental-metadata")[:46] + ".json",
        "cut": t_name[:46] + ".json",
        "stem": os.path.splitext(t_name)[0] + ".json",
        "title-only": "renamed.json",
    }[naming]
    sidecar = Sidecar(f"{folder}/{sidecar_name}", t_name, 1562675400)
    media = [MediaEntry(f"{folder}/{t_name}", 10, 0), MediaEntry(f"{folder}/{u_name}", 20, 0)]
    if u_elsewhere:
        media.append(MediaEntry(f"{other}/{u_name}", 20, 0))
    result = match(media, [sidecar], SUFFIXES)
    for m in media[1:]:
        assert m.rel not in result.pairs, (m.rel, result.pairs[m.rel], result.ambiguities)
    if naming in ("plain", "supp", "title-only"):
        # And the sidecar does go to T, whose name it spells out.
        assert result.pairs.get(media[0].rel) is not None, (result.unpaired_media, result.ambiguities)
