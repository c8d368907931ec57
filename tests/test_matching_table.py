"""Real folders on disk, through `pef.scan.scan` and `pef.matching.match`: the exact pairs expected.

Each case is a small folder tree: media written as real tiny images (or a few
raw bytes for videos), sidecars as real Google-shaped JSON. A case lists every
file; `pairs` is the EXACT media -> sidecar mapping expected (with the rule
where it matters); every other media must come back unpaired and every sidecar
that fed no media must come back unpaired too.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from pef.matching import DEFAULT_SUFFIXES, EDITED_SUFFIXES, match
from pef.sources import Source

P = "Takeout/Google Photos/Photos from 2020"
P2 = "Takeout 2/Google Photos/Photos from 2020"
A = "Takeout/Google Photos/Trip"
VIDEO_EXTS = {".mov", ".mp4", ".m4v", ".3gp", ".mp", ".mp~2", ".mp~3", ".mv", ".avi", ".mkv"}
VIDEO_PREFIXES = ("MVIMG_",)  # a motion photo's video half exported without an extension


@dataclass
class Case:
    id: str
    files: dict  # path -> None (media), int (media variant: another size), str (sidecar title) or dict (sidecar JSON)
    pairs: dict  # media -> sidecar, or media -> (sidecar, rule)
    suffixes: tuple = DEFAULT_SUFFIXES
    ambiguous: bool | None = None  # True: some ambiguity must be reported; False: none may be
    extra: dict = field(default_factory=dict)


def _where(path: str) -> str:
    return path if "/" in path else f"{P}/{path}"


CASES: list[Case] = []


def case(id, files, pairs, **kw):
    files = {_where(k): v for k, v in (files.items() if isinstance(files, dict) else files)}
    norm_pairs = {}
    for media, want in pairs.items():
        if isinstance(want, tuple):
            want = (_where(want[0]), want[1])
        else:
            want = _where(want)
        norm_pairs[_where(media)] = want
    CASES.append(Case(id, files, norm_pairs, **kw))


def side(title):
    return title


# ---------------------------------------------------------------------------
# Google's naming, for building long-name cases
# ---------------------------------------------------------------------------


def split(title):
    stem, dot, ext = title.rpartition(".")
    return (stem, "." + ext) if dot and stem else (title, "")


def media_cut(title, index=None, limit=47):
    stem, ext = split(title)
    return stem[:limit] + (f"({index})" if index else "") + ext


def sidecar_cut(title, supplemental=False, index=None, cut=None):
    base = title + ".supplemental-metadata" if supplemental else title
    base = (cut or (lambda s: s[:46]))(base)
    return base + (f"({index})" if index else "") + ".json"


def cut_utf16(text, limit=46):
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:i]
    return text


def cut_utf8(text, limit=46):
    used = 0
    for i, ch in enumerate(text):
        used += len(ch.encode())
        if used > limit:
            return text[:i]
    return text


# ---------------------------------------------------------------------------
# A. Plain names
# ---------------------------------------------------------------------------

case("plain-jpg", {"IMG_0001.jpg": None, "IMG_0001.jpg.json": "IMG_0001.jpg"},
     {"IMG_0001.jpg": ("IMG_0001.jpg.json", "exact")})
case("upper-JSON", {"IMG_0001.jpg": None, "IMG_0001.jpg.JSON": "IMG_0001.jpg"},
     {"IMG_0001.jpg": ("IMG_0001.jpg.JSON", "exact")})
case("case-media-upper", {"IMG_0002.JPG": None, "IMG_0002.jpg.json": "IMG_0002.jpg"},
     {"IMG_0002.JPG": ("IMG_0002.jpg.json", "exact")})
case("case-sidecar-upper", {"img_0003.jpg": None, "IMG_0003.JPG.json": "IMG_0003.JPG"},
     {"img_0003.jpg": ("IMG_0003.JPG.json", "exact")})
case("png", {"Screenshot_20200101-101010.png": None, "Screenshot_20200101-101010.png.json": "Screenshot_20200101-101010.png"},
     {"Screenshot_20200101-101010.png": ("Screenshot_20200101-101010.png.json", "exact")})
case("gif", {"Funny cat.gif": None, "Funny cat.gif.json": "Funny cat.gif"}, {"Funny cat.gif": "Funny cat.gif.json"})
case("mp4-own-sidecar", {"VID_20200101_101010.mp4": None, "VID_20200101_101010.mp4.json": "VID_20200101_101010.mp4"},
     {"VID_20200101_101010.mp4": ("VID_20200101_101010.mp4.json", "exact")})
case("heic-own-sidecar", {"IMG_0004.HEIC": None, "IMG_0004.HEIC.json": "IMG_0004.HEIC"},
     {"IMG_0004.HEIC": ("IMG_0004.HEIC.json", "exact")})
case("media-without-extension", {"photo": None, "photo.json": "photo"}, {"photo": ("photo.json", "exact")})
case("spaces-in-name", {"My photo 1.jpg": None, "My photo 1.jpg.json": "My photo 1.jpg"},
     {"My photo 1.jpg": "My photo 1.jpg.json"})
case("dots-in-name", {"a.b.c.jpg": None, "a.b.c.jpg.json": "a.b.c.jpg"}, {"a.b.c.jpg": ("a.b.c.jpg.json", "exact")})
case("square-brackets", {"photo [1].jpg": None, "photo [1].jpg.json": "photo [1].jpg"},
     {"photo [1].jpg": "photo [1].jpg.json"})
case("parentheses-not-index", {"photo (copy).jpg": None, "photo (copy).jpg.json": "photo (copy).jpg"},
     {"photo (copy).jpg": ("photo (copy).jpg.json", "exact")})
case("literal-index-in-title", {"IMG(1).jpg": None, "IMG(1).jpg.json": "IMG(1).jpg"},
     {"IMG(1).jpg": ("IMG(1).jpg.json", "exact")})
case("tilde-name", {"IMG_0005~2.jpg": None, "IMG_0005~2.jpg.json": "IMG_0005~2.jpg"},
     {"IMG_0005~2.jpg": "IMG_0005~2.jpg.json"})
case("similar-numbers-each-own",
     {"IMG_1.jpg": None, "IMG_10.jpg": None, "IMG_100.jpg": None,
      "IMG_1.jpg.json": "IMG_1.jpg", "IMG_10.jpg.json": "IMG_10.jpg", "IMG_100.jpg.json": "IMG_100.jpg"},
     {"IMG_1.jpg": "IMG_1.jpg.json", "IMG_10.jpg": "IMG_10.jpg.json", "IMG_100.jpg": "IMG_100.jpg.json"})
case("IMG_1-json-never-to-IMG_10", {"IMG_10.jpg": None, "IMG_1.jpg.json": "IMG_1.jpg"}, {})
case("IMG_10-json-never-to-IMG_1", {"IMG_1.jpg": None, "IMG_10.jpg.json": "IMG_10.jpg"}, {})
case("orphan-sidecar", {"IMG_0666.jpg.json": "IMG_0666.jpg"}, {})
case("orphan-media", {"received_1015566.jpeg": None}, {})
case("two-folders-each-own",
     {f"{P}/IMG_1.jpg": None, f"{P}/IMG_1.jpg.json": "IMG_1.jpg",
      "Takeout/Google Photos/Photos from 2019/IMG_1.jpg": 2,
      "Takeout/Google Photos/Photos from 2019/IMG_1.jpg.json": "IMG_1.jpg"},
     {f"{P}/IMG_1.jpg": f"{P}/IMG_1.jpg.json",
      "Takeout/Google Photos/Photos from 2019/IMG_1.jpg": "Takeout/Google Photos/Photos from 2019/IMG_1.jpg.json"})
case("prefix-name-not-paired", {"IMG_0001.jpg.backup.jpg": None, "IMG_0001.jpg.json": "IMG_0001.jpg"}, {})
case("jpg-json-not-for-mp4-named-jpg", {"IMG.jpg.mp4": None, "IMG.jpg.json": "IMG.jpg"}, {})
case("png-not-for-jpg-sidecar", {"IMG_7.png": None, "IMG_7.jpg.json": "IMG_7.jpg"}, {})
case("root-level-files", {"root/IMG_9.jpg": None, "root/IMG_9.jpg.json": "IMG_9.jpg"},
     {"root/IMG_9.jpg": "root/IMG_9.jpg.json"})

# ---------------------------------------------------------------------------
# B. supplemental-metadata and its shortenings
# ---------------------------------------------------------------------------

case("supplemental-full", {"IMG_0010.jpg": None, "IMG_0010.jpg.supplemental-metadata.json": "IMG_0010.jpg"},
     {"IMG_0010.jpg": ("IMG_0010.jpg.supplemental-metadata.json", "supplemental")})
case("supplemental-upper-JSON", {"IMG_0011.jpg": None, "IMG_0011.jpg.supplemental-metadata.JSON": "IMG_0011.jpg"},
     {"IMG_0011.jpg": ("IMG_0011.jpg.supplemental-metadata.JSON", "supplemental")})
# Every length from "fits whole" (24) to "only the dot is left" (45).
for _length in range(24, 46):
    _title = ("IMG_20200704_183000_HDR_" + "x" * 40)[: _length - 4] + ".jpg"
    _sc = sidecar_cut(_title, supplemental=True)
    case(f"supplemental-cut-title{_length}-{_sc[len(_title):-5] or 'none'}", {_title: None, _sc: _title},
         {_title: (_sc, "supplemental")})
case("supplemental-cut-with-title-confirming-short",
     {"IMG_0012.jpg": None, "IMG_0012.jpg.suppl.json": "IMG_0012.jpg"},
     {"IMG_0012.jpg": ("IMG_0012.jpg.suppl.json", "supplemental")})
case("dot-s-not-supplemental-when-short-and-title-differs",
     {"IMG_0013.jpg": None, "IMG_0013.jpg.s.json": "other name.jpg"}, {})
case("supplemental-and-plain-same-content",
     {"IMG_0014.jpg": None,
      "IMG_0014.jpg.json": {"title": "IMG_0014.jpg", "ts": 1562675400},
      "IMG_0014.jpg.supplemental-metadata.json": {"title": "IMG_0014.jpg", "ts": 1562675400}},
     {"IMG_0014.jpg": ("IMG_0014.jpg.json", "exact")}, ambiguous=True)
case("duplicate-sidecar-not-reused-by-other-file",
     {"IMG_0016.jpg": None, "IMG_0016.jpeg": 2,
      "IMG_0016.jpg.json": {"title": "IMG_0016.jpg", "ts": 1562675400},
      "IMG_0016.jpg.supplemental-metadata.json": {"title": "IMG_0016.jpg", "ts": 1562675400}},
     {"IMG_0016.jpg": ("IMG_0016.jpg.json", "exact")}, ambiguous=True)
case("supplemental-and-plain-different-dates",
     {"IMG_0015.jpg": None,
      "IMG_0015.jpg.json": {"title": "IMG_0015.jpg", "ts": 1562675400},
      "IMG_0015.jpg.supplemental-metadata.json": {"title": "IMG_0015.jpg", "ts": 1600000000}},
     {}, ambiguous=True)
case("supplemental-mov", {"IMG_0011.MOV": None, "IMG_0011.MOV.supplemental-metadata.json": "IMG_0011.MOV"},
     {"IMG_0011.MOV": ("IMG_0011.MOV.supplemental-metadata.json", "supplemental")})
case("supplemental-non-ascii",
     {"Crêpes à Paris 🥐 — 巴黎.jpg": None, sidecar_cut("Crêpes à Paris 🥐 — 巴黎.jpg", True): "Crêpes à Paris 🥐 — 巴黎.jpg"},
     {"Crêpes à Paris 🥐 — 巴黎.jpg": (sidecar_cut("Crêpes à Paris 🥐 — 巴黎.jpg", True), "supplemental")})

# ---------------------------------------------------------------------------
# C. Duplicate index
# ---------------------------------------------------------------------------

case("index-1", {"IMG(1).jpg": None, "IMG.jpg(1).json": "IMG.jpg"}, {"IMG(1).jpg": ("IMG.jpg(1).json", "index")})
case("index-with-original",
     {"IMG.jpg": None, "IMG(1).jpg": 2, "IMG.jpg.json": "IMG.jpg", "IMG.jpg(1).json": "IMG.jpg"},
     {"IMG.jpg": ("IMG.jpg.json", "exact"), "IMG(1).jpg": ("IMG.jpg(1).json", "index")})
case("index-2", {"IMG(2).jpg": None, "IMG.jpg(2).json": "IMG.jpg"}, {"IMG(2).jpg": ("IMG.jpg(2).json", "index")})
case("index-1-and-2",
     {"IMG(1).jpg": None, "IMG(2).jpg": 2, "IMG.jpg(1).json": "IMG.jpg", "IMG.jpg(2).json": "IMG.jpg"},
     {"IMG(1).jpg": "IMG.jpg(1).json", "IMG(2).jpg": "IMG.jpg(2).json"})
case("index-supplemental",
     {"IMG_0010(1).jpg": None, "IMG_0010.jpg.supplemental-metadata(1).json": "IMG_0010.jpg"},
     {"IMG_0010(1).jpg": ("IMG_0010.jpg.supplemental-metadata(1).json", "index")})
_t = "IMG_20200704_183000_HDR_1.jpg"  # 29 characters: ".supplemental-met"
case("index-supplemental-cut",
     {media_cut(_t, 1): None, sidecar_cut(_t, True, 1): _t},
     {media_cut(_t, 1): (sidecar_cut(_t, True, 1), "index")})
case("index-supplemental-cut-s",
     {"Screenshot_20201105-221034_Google Maps~2(1).jpg": None,
      sidecar_cut("Screenshot_20201105-221034_Google Maps~2.jpg", True, 1): "Screenshot_20201105-221034_Google Maps~2.jpg"},
     {"Screenshot_20201105-221034_Google Maps~2(1).jpg":
      sidecar_cut("Screenshot_20201105-221034_Google Maps~2.jpg", True, 1)})
case("index-plain-json-never-to-(1)", {"IMG(1).jpg": None, "IMG.jpg.json": "IMG.jpg"}, {})
case("index-(1)-json-never-to-plain", {"IMG.jpg": None, "IMG.jpg(1).json": "IMG.jpg"}, {})
case("index-original-only-sidecar",
     {"IMG.jpg": None, "IMG(1).jpg": 2, "IMG.jpg.json": "IMG.jpg"}, {"IMG.jpg": "IMG.jpg.json"})
case("index-11-not-1", {"IMG(11).jpg": None, "IMG.jpg(1).json": "IMG.jpg"}, {})
case("index-1-not-11", {"IMG(1).jpg": None, "IMG.jpg(11).json": "IMG.jpg"}, {})
case("index-upper-ext", {"IMG(1).JPG": None, "IMG.JPG(1).json": "IMG.JPG"}, {"IMG(1).JPG": "IMG.JPG(1).json"})
case("index-mp4", {"VID(1).mp4": None, "VID.mp4(1).json": "VID.mp4"}, {"VID(1).mp4": ("VID.mp4(1).json", "index")})
case("index-no-extension-sidecar", {"IMG_1234(1).jpg": None, "IMG_1234(1).json": "IMG_1234.jpg"},
     {"IMG_1234(1).jpg": "IMG_1234(1).json"})
case("index-inside-sidecar-name", {"IMG_5(1).jpg": None, "IMG_5(1).jpg.json": "IMG_5.jpg"},
     {"IMG_5(1).jpg": ("IMG_5(1).jpg.json", "index")})
case("index-inside-sidecar-name-not-for-original", {"IMG_6.jpg": None, "IMG_6(1).jpg.json": "IMG_6.jpg"}, {})
case("index-inside-supplemental-name", {"IMG_7(2).jpg": None, "IMG_7(2).jpg.supplemental-metadata.json": "IMG_7.jpg"},
     {"IMG_7(2).jpg": ("IMG_7(2).jpg.supplemental-metadata.json", "index")})
case("literal-index-in-long-title",
     {"0" * 40 + "(1).jpg": None, sidecar_cut("0" * 40 + "(1).jpg"): "0" * 40 + "(1).jpg"},
     {"0" * 40 + "(1).jpg": (sidecar_cut("0" * 40 + "(1).jpg"), "truncated")})
case("index-supplemental-upper-JSON", {"IMG_8(1).jpg": None, "IMG_8.jpg.supplemental-metadata(1).JSON": "IMG_8.jpg"},
     {"IMG_8(1).jpg": ("IMG_8.jpg.supplemental-metadata(1).JSON", "index")})
case("index-three-copies",
     {"a.jpg": None, "a(1).jpg": 2, "a(2).jpg": 3, "a.jpg.json": "a.jpg", "a.jpg(1).json": "a.jpg",
      "a.jpg(2).json": "a.jpg"},
     {"a.jpg": "a.jpg.json", "a(1).jpg": "a.jpg(1).json", "a(2).jpg": "a.jpg(2).json"})

# ---------------------------------------------------------------------------
# D. Long names
# ---------------------------------------------------------------------------

LONG_OLD = "Family reunion at grandma's house, summer afternoon 2016.jpg"  # 60
LONG_NEW = "Coucher de soleil sur le vieux port avec toute la famille, été 2022.jpg"  # 71
case("long-old-naming", {media_cut(LONG_OLD): None, sidecar_cut(LONG_OLD): LONG_OLD},
     {media_cut(LONG_OLD): (sidecar_cut(LONG_OLD), "truncated")})
case("long-media-not-cut", {LONG_OLD: None, sidecar_cut(LONG_OLD): LONG_OLD},
     {LONG_OLD: (sidecar_cut(LONG_OLD), "truncated")})
case("long-new-naming", {media_cut(LONG_NEW): None, sidecar_cut(LONG_NEW, True): LONG_NEW},
     {media_cut(LONG_NEW): (sidecar_cut(LONG_NEW, True), "truncated")})
_t46 = "A" * 42 + ".jpg"
case("title-46-not-cut", {_t46: None, _t46 + ".json": _t46}, {_t46: (_t46 + ".json", "exact")})
_t47 = "B" * 43 + ".jpg"
case("title-47-cut-by-one", {_t47: None, sidecar_cut(_t47): _t47}, {_t47: (sidecar_cut(_t47), "truncated")})
_t45 = "C" * 41 + ".jpg"
case("title-45-plain", {_t45: None, _t45 + ".json": _t45}, {_t45: (_t45 + ".json", "exact")})
_t51 = "D" * 47 + ".jpg"
case("title-stem-47", {media_cut(_t51): None, sidecar_cut(_t51): _t51}, {media_cut(_t51): sidecar_cut(_t51)})
_t52 = "E" * 48 + ".jpg"
case("title-stem-48-media-cut", {media_cut(_t52): None, sidecar_cut(_t52): _t52}, {media_cut(_t52): sidecar_cut(_t52)})
LONG_EMOJI = "🎉🎂 Birthday party at the beach with everyone 🌊🏖️ and more fun.jpg"
case("long-emoji-codepoints", {media_cut(LONG_EMOJI): None, sidecar_cut(LONG_EMOJI): LONG_EMOJI},
     {media_cut(LONG_EMOJI): (sidecar_cut(LONG_EMOJI), "truncated")})
case("long-emoji-utf16", {media_cut(LONG_EMOJI): None, sidecar_cut(LONG_EMOJI, cut=cut_utf16): LONG_EMOJI},
     {media_cut(LONG_EMOJI): (sidecar_cut(LONG_EMOJI, cut=cut_utf16), "truncated")})
LONG_CJK = "東京タワーと富士山の夕焼けがとても綺麗だった日曜日の午後に家族全員で撮った記念写真です本当に楽しかった.jpg"
case("long-cjk-codepoints", {media_cut(LONG_CJK): None, sidecar_cut(LONG_CJK): LONG_CJK},
     {media_cut(LONG_CJK): (sidecar_cut(LONG_CJK), "truncated")})
case("long-cjk-utf8-bytes", {media_cut(LONG_CJK): None, sidecar_cut(LONG_CJK, cut=cut_utf8): LONG_CJK},
     {media_cut(LONG_CJK): (sidecar_cut(LONG_CJK, cut=cut_utf8), "truncated")})
LONG_MIX = "Tōkyō タワー 東京 – été 🗼 with friends from the university and their kids.jpg"
case("long-mixed-script", {media_cut(LONG_MIX): None, sidecar_cut(LONG_MIX, True): LONG_MIX},
     {media_cut(LONG_MIX): sidecar_cut(LONG_MIX, True)})
_shared = "Holiday in the mountains with the whole family - day "  # 53
case("long-shared-prefix-title-decides",
     {media_cut(_shared + "one.jpg"): None, media_cut(_shared + "two.jpg"): 2,
      sidecar_cut(_shared + "two.jpg"): _shared + "two.jpg"},
     {media_cut(_shared + "two.jpg"): (sidecar_cut(_shared + "two.jpg"), "truncated")})
case("long-shared-prefix-renamed-ambiguous",
     {_shared + "one.jpg": None, _shared + "two.jpg": 2, sidecar_cut(_shared + "two.jpg"): "renamed.jpg"},
     {}, ambiguous=True)
case("prefix-too-short-not-truncated",
     {"IMG_20200101_1234567890_with_more_text.jpg": None, "IMG_20200101_1234567890_with.json": "IMG_20200101_1234567890_with"},
     {})
_n46 = "F" * 42 + ".jpg"
case("exact-46-wins-over-longer",
     {_n46: None, _n46 + "x.jpg": 2, _n46 + ".json": _n46}, {_n46: (_n46 + ".json", "exact")})
case("truncated-renamed-title",
     {media_cut(LONG_OLD): None, sidecar_cut(LONG_OLD): "Something else entirely.jpg"},
     {media_cut(LONG_OLD): (sidecar_cut(LONG_OLD), "truncated")})
case("long-edited-copy",
     {media_cut(LONG_OLD): None, split(media_cut(LONG_OLD))[0] + "-edited.jpg": 2, sidecar_cut(LONG_OLD): LONG_OLD},
     {media_cut(LONG_OLD): (sidecar_cut(LONG_OLD), "truncated"),
      split(media_cut(LONG_OLD))[0] + "-edited.jpg": (sidecar_cut(LONG_OLD), "edited")})
_t44 = "G" * 40 + "_end.jpg"  # stem 44: "-edited" cut to "-ed" by the 47 limit
case("edited-suffix-cut-by-limit",
     {_t44: None, (split(_t44)[0] + "-edited")[:47] + ".jpg": 2, sidecar_cut(_t44): _t44},
     {_t44: sidecar_cut(_t44), (split(_t44)[0] + "-edited")[:47] + ".jpg": (sidecar_cut(_t44), "edited")})
case("long-nfd-on-disk",
     {unicodedata.normalize("NFD", media_cut(LONG_NEW)): None, unicodedata.normalize("NFD", sidecar_cut(LONG_NEW, True)): LONG_NEW},
     {unicodedata.normalize("NFD", media_cut(LONG_NEW)): unicodedata.normalize("NFD", sidecar_cut(LONG_NEW, True))})
_live_long = "Sunset over the harbour with the boats coming back in.HEIC"
case("long-live-photo",
     {media_cut(_live_long): None, split(media_cut(_live_long))[0] + ".MOV": 2, sidecar_cut(_live_long): _live_long},
     {media_cut(_live_long): (sidecar_cut(_live_long), "truncated"),
      split(media_cut(_live_long))[0] + ".MOV": (sidecar_cut(_live_long), "live-photo")})
case("long-index",
     {media_cut(LONG_OLD): None, media_cut(LONG_OLD, 1): 2, sidecar_cut(LONG_OLD): LONG_OLD,
      sidecar_cut(LONG_OLD, index=1): LONG_OLD},
     {media_cut(LONG_OLD): sidecar_cut(LONG_OLD), media_cut(LONG_OLD, 1): (sidecar_cut(LONG_OLD, index=1), "truncated")})
case("long-index-never-to-original-sidecar",
     {media_cut(LONG_OLD, 1): None, sidecar_cut(LONG_OLD): LONG_OLD}, {})
case("long-index-hidden-before-edited-suffix",
     {media_cut(LONG_OLD, 1): None, split(media_cut(LONG_OLD, 1))[0] + "-edited.jpg": 2,
      sidecar_cut(LONG_OLD): LONG_OLD, sidecar_cut(LONG_OLD, index=1): LONG_OLD},
     {media_cut(LONG_OLD, 1): sidecar_cut(LONG_OLD, index=1),
      split(media_cut(LONG_OLD, 1))[0] + "-edited.jpg": (sidecar_cut(LONG_OLD, index=1), "edited")})
case("long-mp4", {media_cut("Our first walk in the park together with the new puppy.mp4"): None,
                  sidecar_cut("Our first walk in the park together with the new puppy.mp4", True):
                  "Our first walk in the park together with the new puppy.mp4"},
     {media_cut("Our first walk in the park together with the new puppy.mp4"):
      sidecar_cut("Our first walk in the park together with the new puppy.mp4", True)})

# ---------------------------------------------------------------------------
# E. Older exports: sidecar without the media extension
# ---------------------------------------------------------------------------

case("no-extension-sidecar", {"IMG_1234.jpg": None, "IMG_1234.json": "IMG_1234.jpg"},
     {"IMG_1234.jpg": ("IMG_1234.json", "no-extension")})
case("no-extension-live-photo",
     {"IMG_1234.HEIC": None, "IMG_1234.MOV": 2, "IMG_1234.json": "IMG_1234.HEIC"},
     {"IMG_1234.HEIC": ("IMG_1234.json", "no-extension"), "IMG_1234.MOV": ("IMG_1234.json", "live-photo")})
case("no-extension-renamed-title", {"DSC_0042.JPG": None, "DSC_0042.json": "Holiday.jpg"},
     {"DSC_0042.JPG": ("DSC_0042.json", "no-extension")})
# Uploaded without an extension: Google adds one to the media, not to the title or sidecar
# (GPTH pull 369, immich-go issue 674).
case("title-without-extension", {"2013-08-22.png": None, "2013-08-22.json": "2013-08-22"},
     {"2013-08-22.png": ("2013-08-22.json", "no-extension")})
case("title-without-extension-supplemental",
     {"Peanut Butter Balls.jpg": None, "Peanut Butter Balls.supplemental-metadata.json": "Peanut Butter Balls"},
     {"Peanut Butter Balls.jpg": ("Peanut Butter Balls.supplemental-metadata.json", "no-extension")})
case("title-without-extension-supplemental-edited",
     {"2234089303984509579.jpg": None, "2234089303984509579-edited.jpg": 2,
      "2234089303984509579.supplemental-metadata.json": "2234089303984509579"},
     {"2234089303984509579.jpg": ("2234089303984509579.supplemental-metadata.json", "no-extension"),
      "2234089303984509579-edited.jpg": ("2234089303984509579.supplemental-metadata.json", "edited")})
# immich-go issue 756: the "(1)" numbers the edited copies when no "IMG(1).jpg" exists.
case("edited-copy-numbered-without-duplicate",
     {"IMG_20120216_094016.jpg": None, "IMG_20120216_094016-edited(1).jpg": 2,
      "IMG_20120216_094016.jpg.supplemental-metadata.json": "IMG_20120216_094016.jpg"},
     {"IMG_20120216_094016.jpg": ("IMG_20120216_094016.jpg.supplemental-metadata.json", "supplemental"),
      "IMG_20120216_094016-edited(1).jpg": ("IMG_20120216_094016.jpg.supplemental-metadata.json", "edited")})
case("edited-copy-of-a-duplicate-without-its-sidecar",
     {"IMG_5.jpg": None, "IMG_5(1).jpg": 2, "IMG_5-edited(1).jpg": 3, "IMG_5.jpg.json": "IMG_5.jpg"},
     {"IMG_5.jpg": ("IMG_5.jpg.json", "exact")})
case("title-with-unknown-extension", {"My.Trip.jpg": None, "My.Trip.json": "My.Trip"},
     {"My.Trip.jpg": ("My.Trip.json", "no-extension")})
case("no-extension-not-longer-number", {"IMG_12345.jpg": None, "IMG_1234.json": "IMG_1234.jpg"}, {})
case("no-extension-two-candidates-title-decides",
     {"IMG_77.jpg": None, "IMG_77.png": 2, "IMG_77.json": "IMG_77.png"},
     {"IMG_77.png": ("IMG_77.json", "no-extension")})
case("media-lost-its-extension", {"IMG_1236": None, "IMG_1236.jpg.json": "IMG_1236.jpg"},
     {"IMG_1236": ("IMG_1236.jpg.json", "no-extension")})
case("media-lost-its-extension-two-candidates",
     {"IMG_1237": None, "IMG_1237.jpg.json": "IMG_1237.jpg", "IMG_1237.png.json": "IMG_1237.png"}, {}, ambiguous=True)
case("media-lost-its-extension-not-other-stem", {"IMG_1238": None, "IMG_12380.jpg.json": "IMG_12380.jpg"}, {})
case("no-extension-video", {"VID_0001.mp4": None, "VID_0001.json": "VID_0001.mp4"},
     {"VID_0001.mp4": ("VID_0001.json", "no-extension")})

# ---------------------------------------------------------------------------
# F. Edited copies, in every language
# ---------------------------------------------------------------------------

for _suffix in EDITED_SUFFIXES:
    case(f"edited{_suffix}",
         {"IMG_0003.jpg": None, f"IMG_0003{_suffix}.jpg": 2, "IMG_0003.jpg.json": "IMG_0003.jpg"},
         {"IMG_0003.jpg": ("IMG_0003.jpg.json", "exact"), f"IMG_0003{_suffix}.jpg": ("IMG_0003.jpg.json", "edited")})
case("edited-original-missing", {"IMG_0020-edited.jpg": None, "IMG_0020.jpg.json": "IMG_0020.jpg"},
     {"IMG_0020-edited.jpg": ("IMG_0020.jpg.json", "edited")})
case("edited-own-sidecar-wins",
     {"IMG_0021.jpg": None, "IMG_0021-edited.jpg": 2, "IMG_0021.jpg.json": "IMG_0021.jpg",
      "IMG_0021-edited.jpg.json": "IMG_0021-edited.jpg"},
     {"IMG_0021.jpg": "IMG_0021.jpg.json", "IMG_0021-edited.jpg": ("IMG_0021-edited.jpg.json", "exact")})
case("edited-upper-case", {"IMG_0022.JPG": None, "IMG_0022-EDITED.JPG": 2, "IMG_0022.JPG.json": "IMG_0022.JPG"},
     {"IMG_0022.JPG": "IMG_0022.JPG.json", "IMG_0022-EDITED.JPG": ("IMG_0022.JPG.json", "edited")})
case("edited-supplemental",
     {"IMG_0023.jpg": None, "IMG_0023-edited.jpg": 2, "IMG_0023.jpg.supplemental-metadata.json": "IMG_0023.jpg"},
     {"IMG_0023.jpg": "IMG_0023.jpg.supplemental-metadata.json",
      "IMG_0023-edited.jpg": ("IMG_0023.jpg.supplemental-metadata.json", "edited")})
case("edited-then-index",
     {"IMG.jpg": None, "IMG(1).jpg": 2, "IMG-edited.jpg": 3, "IMG-edited(1).jpg": 4,
      "IMG.jpg.json": "IMG.jpg", "IMG.jpg(1).json": "IMG.jpg"},
     {"IMG.jpg": "IMG.jpg.json", "IMG(1).jpg": "IMG.jpg(1).json", "IMG-edited.jpg": ("IMG.jpg.json", "edited"),
      "IMG-edited(1).jpg": ("IMG.jpg(1).json", "edited")})
case("index-then-edited",
     {"IMG(1).jpg": None, "IMG(1)-edited.jpg": 2, "IMG.jpg(1).json": "IMG.jpg"},
     {"IMG(1).jpg": "IMG.jpg(1).json", "IMG(1)-edited.jpg": ("IMG.jpg(1).json", "edited")})
case("edited-index-never-to-plain", {"IMG-edited(1).jpg": None, "IMG.jpg.json": "IMG.jpg"}, {})
case("edited-mp4", {"VID_1.mp4": None, "VID_1-edited.mp4": 2, "VID_1.mp4.json": "VID_1.mp4"},
     {"VID_1.mp4": "VID_1.mp4.json", "VID_1-edited.mp4": ("VID_1.mp4.json", "edited")})
case("edited-custom-suffix", {"IMG_30.jpg": None, "IMG_30-sticker.jpg": 2, "IMG_30.jpg.json": "IMG_30.jpg"},
     {"IMG_30.jpg": "IMG_30.jpg.json", "IMG_30-sticker.jpg": ("IMG_30.jpg.json", "edited")},
     suffixes=("", "-edited", "-sticker"))
case("edited-custom-suffix-not-given", {"IMG_31.jpg": None, "IMG_31-sticker.jpg": 2, "IMG_31.jpg.json": "IMG_31.jpg"},
     {"IMG_31.jpg": "IMG_31.jpg.json"})
case("edited-effects-not-default", {"IMG_32-effects.jpg": None, "IMG_32.jpg.json": "IMG_32.jpg"}, {})
case("edited-nfd-french",
     {"IMG_33.jpg": None, unicodedata.normalize("NFD", "IMG_33-modifié.jpg"): 2, "IMG_33.jpg.json": "IMG_33.jpg"},
     {"IMG_33.jpg": "IMG_33.jpg.json", unicodedata.normalize("NFD", "IMG_33-modifié.jpg"): ("IMG_33.jpg.json", "edited")})
case("edited-not-for-other-number", {"IMG_34-edited.jpg": None, "IMG_3.jpg.json": "IMG_3.jpg"}, {})
case("edited-of-jpeg-via-jpg-sidecar", {"IMG_35-edited.jpeg": None, "IMG_35.jpg.json": "IMG_35.jpg"},
     {"IMG_35-edited.jpeg": ("IMG_35.jpg.json", "edited")})
case("edited-heic-exported-jpg", {"IMG_36.HEIC": None, "IMG_36-edited.jpg": 2, "IMG_36.HEIC.json": "IMG_36.HEIC"},
     {"IMG_36.HEIC": "IMG_36.HEIC.json", "IMG_36-edited.jpg": ("IMG_36.HEIC.json", "edited")})
case("edited-no-extension-sidecar", {"IMG_37.jpg": None, "IMG_37-edited.jpg": 2, "IMG_37.json": "IMG_37.jpg"},
     {"IMG_37.jpg": "IMG_37.json", "IMG_37-edited.jpg": ("IMG_37.json", "edited")})

# ---------------------------------------------------------------------------
# G. Live Photos and motion photos
# ---------------------------------------------------------------------------

case("live-heic-mov", {"IMG_0004.HEIC": None, "IMG_0004.MOV": 2, "IMG_0004.HEIC.json": "IMG_0004.HEIC"},
     {"IMG_0004.HEIC": ("IMG_0004.HEIC.json", "exact"), "IMG_0004.MOV": ("IMG_0004.HEIC.json", "live-photo")})
case("live-jpg-mp4", {"IMG_0005.JPG": None, "IMG_0005.MP4": 2, "IMG_0005.JPG.json": "IMG_0005.JPG"},
     {"IMG_0005.JPG": "IMG_0005.JPG.json", "IMG_0005.MP4": ("IMG_0005.JPG.json", "live-photo")})
case("live-lowercase", {"img_0006.heic": None, "img_0006.mov": 2, "img_0006.heic.json": "img_0006.heic"},
     {"img_0006.heic": "img_0006.heic.json", "img_0006.mov": ("img_0006.heic.json", "live-photo")})
case("live-both-own-sidecars",
     {"IMG_0007.HEIC": None, "IMG_0007.MOV": 2, "IMG_0007.HEIC.json": "IMG_0007.HEIC", "IMG_0007.MOV.json": "IMG_0007.MOV"},
     {"IMG_0007.HEIC": "IMG_0007.HEIC.json", "IMG_0007.MOV": ("IMG_0007.MOV.json", "exact")})
case("live-photo-missing", {"IMG_0008.MOV": None, "IMG_0008.HEIC.json": "IMG_0008.HEIC"},
     {"IMG_0008.MOV": ("IMG_0008.HEIC.json", "live-photo")})
case("live-supplemental",
     {"IMG_0009.HEIC": None, "IMG_0009.MOV": 2, "IMG_0009.HEIC.supplemental-metadata.json": "IMG_0009.HEIC"},
     {"IMG_0009.HEIC": "IMG_0009.HEIC.supplemental-metadata.json",
      "IMG_0009.MOV": ("IMG_0009.HEIC.supplemental-metadata.json", "live-photo")})
case("live-index",
     {"IMG_1(1).HEIC": None, "IMG_1(1).MOV": 2, "IMG_1.HEIC(1).json": "IMG_1.HEIC"},
     {"IMG_1(1).HEIC": ("IMG_1.HEIC(1).json", "index"), "IMG_1(1).MOV": ("IMG_1.HEIC(1).json", "live-photo")})
case("live-index-not-crossed",
     {"IMG_2.HEIC": None, "IMG_2(1).MOV": 2, "IMG_2.HEIC.json": "IMG_2.HEIC"}, {"IMG_2.HEIC": "IMG_2.HEIC.json"})
case("live-other-number", {"IMG_12.MOV": None, "IMG_1.HEIC.json": "IMG_1.HEIC"}, {})
case("live-two-image-sidecars-differ",
     {"IMG_40.MOV": None, "IMG_40.HEIC.json": {"title": "IMG_40.HEIC", "ts": 1562675400},
      "IMG_40.JPG.json": {"title": "IMG_40.JPG", "ts": 1600000000}},
     {}, ambiguous=True)
case("pixel-mp-jpg-own", {"PXL_20210101_123456789.MP.jpg": None,
                          "PXL_20210101_123456789.MP.jpg.json": "PXL_20210101_123456789.MP.jpg"},
     {"PXL_20210101_123456789.MP.jpg": ("PXL_20210101_123456789.MP.jpg.json", "exact")})
case("pixel-mp-video",
     {"PXL_20210101_123456789.MP.jpg": None, "PXL_20210101_123456789.MP": 2,
      "PXL_20210101_123456789.MP.jpg.json": "PXL_20210101_123456789.MP.jpg"},
     {"PXL_20210101_123456789.MP.jpg": "PXL_20210101_123456789.MP.jpg.json",
      "PXL_20210101_123456789.MP": ("PXL_20210101_123456789.MP.jpg.json", "live-photo")})
case("pixel-mp-tilde-2",
     {"PXL_20210101_123456789.MP.jpg": None, "PXL_20210101_123456789.MP~2": 2,
      "PXL_20210101_123456789.MP.jpg.supplemental-metadata.json": "PXL_20210101_123456789.MP.jpg"},
     {"PXL_20210101_123456789.MP.jpg": "PXL_20210101_123456789.MP.jpg.supplemental-metadata.json",
      "PXL_20210101_123456789.MP~2": ("PXL_20210101_123456789.MP.jpg.supplemental-metadata.json", "live-photo")})
case("pixel-mp-mp4",
     {"PXL_20210101_123456789.MP.jpg": None, "PXL_20210101_123456789.mp4": 2,
      "PXL_20210101_123456789.MP.jpg.json": "PXL_20210101_123456789.MP.jpg"},
     {"PXL_20210101_123456789.MP.jpg": "PXL_20210101_123456789.MP.jpg.json",
      "PXL_20210101_123456789.mp4": ("PXL_20210101_123456789.MP.jpg.json", "live-photo")})
case("mvimg-mp4", {"MVIMG_20190101_101010.jpg": None, "MVIMG_20190101_101010.mp4": 2,
                   "MVIMG_20190101_101010.jpg.json": "MVIMG_20190101_101010.jpg"},
     {"MVIMG_20190101_101010.jpg": "MVIMG_20190101_101010.jpg.json",
      "MVIMG_20190101_101010.mp4": ("MVIMG_20190101_101010.jpg.json", "live-photo")})
case("mvimg-alone", {"MVIMG_20190101_111111.jpg": None, "MVIMG_20190101_111111.jpg.json": "MVIMG_20190101_111111.jpg"},
     {"MVIMG_20190101_111111.jpg": "MVIMG_20190101_111111.jpg.json"})
case("live-video-not-to-video-sidecar", {"IMG_41.MOV": None, "IMG_41.mp4.json": "IMG_41.mp4"}, {})
# Tilde copies of a Pixel motion photo each have their own photo, sidecar and video half.
_pxl = "PXL_20230311_101112131"
case("pixel-tilde-copy-video-takes-its-own-photo-sidecar",
     {f"{_pxl}.MP.jpg": None, f"{_pxl}.MP~2.jpg": 2, f"{_pxl}.MP": 3, f"{_pxl}.MP~2": 4,
      f"{_pxl}.MP.jpg.json": f"{_pxl}.MP.jpg", f"{_pxl}.MP~2.jpg.json": f"{_pxl}.MP~2.jpg"},
     {f"{_pxl}.MP.jpg": (f"{_pxl}.MP.jpg.json", "exact"), f"{_pxl}.MP~2.jpg": (f"{_pxl}.MP~2.jpg.json", "exact"),
      f"{_pxl}.MP": (f"{_pxl}.MP.jpg.json", "live-photo"), f"{_pxl}.MP~2": (f"{_pxl}.MP~2.jpg.json", "live-photo")})
case("pixel-tilde-3-supplemental",
     {f"{_pxl}.MP.jpg": None, f"{_pxl}.MP~2.jpg": 2, f"{_pxl}.MP~3.jpg": 3, f"{_pxl}.MP": 4, f"{_pxl}.MP~2": 5,
      f"{_pxl}.MP~3": 6,
      sidecar_cut(f"{_pxl}.MP.jpg", True): f"{_pxl}.MP.jpg", sidecar_cut(f"{_pxl}.MP~2.jpg", True): f"{_pxl}.MP~2.jpg",
      sidecar_cut(f"{_pxl}.MP~3.jpg", True): f"{_pxl}.MP~3.jpg"},
     {f"{_pxl}.MP.jpg": sidecar_cut(f"{_pxl}.MP.jpg", True), f"{_pxl}.MP~2.jpg": sidecar_cut(f"{_pxl}.MP~2.jpg", True),
      f"{_pxl}.MP~3.jpg": sidecar_cut(f"{_pxl}.MP~3.jpg", True),
      f"{_pxl}.MP": (sidecar_cut(f"{_pxl}.MP.jpg", True), "live-photo"),
      f"{_pxl}.MP~2": (sidecar_cut(f"{_pxl}.MP~2.jpg", True), "live-photo"),
      f"{_pxl}.MP~3": (sidecar_cut(f"{_pxl}.MP~3.jpg", True), "live-photo")})
# The tilde copy's photo is there without its sidecar: its video is not given the first photo's date.
case("pixel-tilde-copy-video-not-given-the-first-photo-sidecar",
     {f"{_pxl}.MP.jpg": None, f"{_pxl}.MP~2.jpg": 2, f"{_pxl}.MP~2": 3, f"{_pxl}.MP.jpg.json": f"{_pxl}.MP.jpg"},
     {f"{_pxl}.MP.jpg": (f"{_pxl}.MP.jpg.json", "exact")})
case("pixel-mv-video",
     {f"{_pxl}.MV.jpg": None, f"{_pxl}.MV": 2, f"{_pxl}.MV.jpg.json": f"{_pxl}.MV.jpg"},
     {f"{_pxl}.MV.jpg": (f"{_pxl}.MV.jpg.json", "exact"), f"{_pxl}.MV": (f"{_pxl}.MV.jpg.json", "live-photo")})
case("pixel-mv-video-beside-mp-photo",
     {f"{_pxl}.MP.jpg": None, f"{_pxl}.MV": 2, f"{_pxl}.MP.jpg.json": f"{_pxl}.MP.jpg"},
     {f"{_pxl}.MP.jpg": (f"{_pxl}.MP.jpg.json", "exact"), f"{_pxl}.MV": (f"{_pxl}.MP.jpg.json", "live-photo")})
case("pixel-mv-tilde-copy-video",
     {f"{_pxl}.MV.jpg": None, f"{_pxl}.MV~2.jpg": 2, f"{_pxl}.MV": 3, f"{_pxl}.MV~2": 4,
      f"{_pxl}.MV.jpg.json": f"{_pxl}.MV.jpg", f"{_pxl}.MV~2.jpg.json": f"{_pxl}.MV~2.jpg"},
     {f"{_pxl}.MV.jpg": f"{_pxl}.MV.jpg.json", f"{_pxl}.MV~2.jpg": f"{_pxl}.MV~2.jpg.json",
      f"{_pxl}.MV": (f"{_pxl}.MV.jpg.json", "live-photo"), f"{_pxl}.MV~2": (f"{_pxl}.MV~2.jpg.json", "live-photo")})
# The video half of a motion photo exported without any extension (immich-go issue 634).
_mv = "MVIMG_20190704_181920"
case("mvimg-video-without-extension",
     {f"{_mv}.jpg": None, _mv: 2, f"{_mv}.jpg.json": f"{_mv}.jpg"},
     {f"{_mv}.jpg": (f"{_mv}.jpg.json", "exact"), _mv: (f"{_mv}.jpg.json", "live-photo")})
case("mvimg-video-without-extension-supplemental",
     {f"{_mv}.jpg": None, _mv: 2, f"{_mv}.jpg.supplemental-metadata.json": f"{_mv}.jpg"},
     {f"{_mv}.jpg": (f"{_mv}.jpg.supplemental-metadata.json", "supplemental"),
      _mv: (f"{_mv}.jpg.supplemental-metadata.json", "live-photo")})
case("mvimg-video-without-extension-duplicate",
     {f"{_mv}.jpg": None, _mv: 2, f"{_mv}(1).jpg": 3, f"{_mv}(1)": 4,
      f"{_mv}.jpg.json": f"{_mv}.jpg", f"{_mv}.jpg(1).json": f"{_mv}.jpg"},
     {f"{_mv}.jpg": f"{_mv}.jpg.json", _mv: (f"{_mv}.jpg.json", "live-photo"),
      f"{_mv}(1).jpg": (f"{_mv}.jpg(1).json", "index"), f"{_mv}(1)": (f"{_mv}.jpg(1).json", "live-photo")})
case("video-without-extension-two-photos-differ",
     {f"{_mv}.jpg": None, f"{_mv}.png": 2, _mv: 3,
      f"{_mv}.jpg.json": {"title": f"{_mv}.jpg", "ts": 1562675400},
      f"{_mv}.png.json": {"title": f"{_mv}.png", "ts": 1600000000}},
     {f"{_mv}.jpg": f"{_mv}.jpg.json", f"{_mv}.png": f"{_mv}.png.json"}, ambiguous=True)

# ---------------------------------------------------------------------------
# H. Extensions
# ---------------------------------------------------------------------------

case("jpeg-media-jpg-sidecar", {"IMG_50.jpeg": None, "IMG_50.jpg.json": "IMG_50.jpg"},
     {"IMG_50.jpeg": ("IMG_50.jpg.json", "extension")})
case("jpg-media-jpeg-sidecar", {"IMG_51.jpg": None, "IMG_51.jpeg.json": "IMG_51.jpeg"},
     {"IMG_51.jpg": ("IMG_51.jpeg.json", "extension")})
case("jpe-media", {"IMG_52.jpe": None, "IMG_52.jpg.json": "IMG_52.jpg"}, {"IMG_52.jpe": ("IMG_52.jpg.json", "extension")})
case("JPEG-upper", {"IMG_53.JPEG": None, "IMG_53.jpg.json": "IMG_53.jpg"},
     {"IMG_53.JPEG": ("IMG_53.jpg.json", "extension")})
case("tif-media-tiff-sidecar", {"scan_1.tif": None, "scan_1.tiff.json": "scan_1.tiff"},
     {"scan_1.tif": ("scan_1.tiff.json", "extension")})
case("tiff-media-tif-sidecar", {"scan_2.tiff": None, "scan_2.tif.json": "scan_2.tif"},
     {"scan_2.tiff": ("scan_2.tif.json", "extension")})
case("heic-exported-as-jpg", {"IMG_54.jpg": None, "IMG_54.HEIC.json": "IMG_54.HEIC"},
     {"IMG_54.jpg": ("IMG_54.HEIC.json", "extension")})
case("jpg-and-jpeg-one-sidecar", {"IMG_55.jpg": None, "IMG_55.jpeg": 2, "IMG_55.jpg.json": "IMG_55.jpg"},
     {"IMG_55.jpg": ("IMG_55.jpg.json", "exact")})
case("heic-and-jpg-heic-sidecar", {"IMG_56.HEIC": None, "IMG_56.jpg": 2, "IMG_56.HEIC.json": "IMG_56.HEIC"},
     {"IMG_56.HEIC": ("IMG_56.HEIC.json", "exact")})
case("heic-and-jpg-each-own",
     {"IMG_57.HEIC": None, "IMG_57.jpg": 2, "IMG_57.HEIC.json": "IMG_57.HEIC", "IMG_57.jpg.json": "IMG_57.jpg"},
     {"IMG_57.HEIC": "IMG_57.HEIC.json", "IMG_57.jpg": "IMG_57.jpg.json"})
case("extension-index", {"IMG_58(1).jpeg": None, "IMG_58.jpg(1).json": "IMG_58.jpg"},
     {"IMG_58(1).jpeg": ("IMG_58.jpg(1).json", "extension")})
case("extension-other-family-not", {"IMG_59.gif": None, "IMG_59.jpg.json": "IMG_59.jpg"}, {})

# ---------------------------------------------------------------------------
# I. Unicode
# ---------------------------------------------------------------------------

_e = "Été à la plage.jpg"
case("nfd-media-nfc-sidecar", {unicodedata.normalize("NFD", _e): None, _e + ".json": _e},
     {unicodedata.normalize("NFD", _e): (_e + ".json", "exact")})
case("nfc-media-nfd-sidecar", {_e: None, unicodedata.normalize("NFD", _e + ".json"): _e},
     {_e: (unicodedata.normalize("NFD", _e + ".json"), "exact")})
case("nfd-title-nfc-names", {_e: None, _e + ".json": unicodedata.normalize("NFD", _e)}, {_e: (_e + ".json", "exact")})
case("nbsp-in-media", {"My\u00a0photo.jpg": None, "My photo.jpg.json": "My photo.jpg"},
     {"My\u00a0photo.jpg": ("My photo.jpg.json", "exact")})
case("narrow-nbsp-screenshot",
     {"Screenshot 2023-01-01 at 10.00.00\u202fAM.png": None,
      "Screenshot 2023-01-01 at 10.00.00 AM.png.json": "Screenshot 2023-01-01 at 10.00.00\u202fAM.png"},
     {"Screenshot 2023-01-01 at 10.00.00\u202fAM.png": "Screenshot 2023-01-01 at 10.00.00 AM.png.json"})
case("hebrew-rtl", {"תמונה של המשפחה.jpg": None, "תמונה של המשפחה.jpg.json": "תמונה של המשפחה.jpg"},
     {"תמונה של המשפחה.jpg": ("תמונה של המשפחה.jpg.json", "exact")})
case("arabic-rtl-supplemental", {"صورة العائلة.jpg": None, "صورة العائلة.jpg.supplemental-metadata.json": "صورة العائلة.jpg"},
     {"صورة العائلة.jpg": "صورة العائلة.jpg.supplemental-metadata.json"})
case("rtl-marks-in-sidecar-name", {"שלום.jpg": None, "\u200fשלום.jpg.json": "שלום.jpg"},
     {"שלום.jpg": "\u200fשלום.jpg.json"})
case("emoji-name", {"🐶 dog.jpg": None, "🐶 dog.jpg.json": "🐶 dog.jpg"}, {"🐶 dog.jpg": "🐶 dog.jpg.json"})
case("zwj-emoji-name", {"👨‍👩‍👧 family.jpg": None, "👨‍👩‍👧 family.jpg.json": "👨‍👩‍👧 family.jpg"},
     {"👨‍👩‍👧 family.jpg": "👨‍👩‍👧 family.jpg.json"})
case("turkish-dotted-i", {"İstanbul.jpg": None, "İstanbul.jpg.json": "İstanbul.jpg"},
     {"İstanbul.jpg": "İstanbul.jpg.json"})
case("cyrillic-upper-lower", {"ФОТО.jpg": None, "фото.jpg.json": "фото.jpg"}, {"ФОТО.jpg": ("фото.jpg.json", "exact")})
case("fullwidth-digits", {"写真１２３.jpg": None, "写真１２３.jpg.json": "写真１２３.jpg"}, {"写真１２３.jpg": "写真１２３.jpg.json"})
case("accent-differs-not-paired", {"Ete.jpg": None, "Été.jpg.json": "Été.jpg"}, {})

# ---------------------------------------------------------------------------
# J. Renamed items
# ---------------------------------------------------------------------------

case("renamed-title-file-name-key", {"IMG_60.jpg": None, "IMG_60.jpg.json": "Holiday in Rome.jpg"},
     {"IMG_60.jpg": ("IMG_60.jpg.json", "exact")})
case("renamed-media-named-like-title", {"Holiday in Rome.jpg": None, "IMG_61.jpg.json": "Holiday in Rome.jpg"},
     {"Holiday in Rome.jpg": ("IMG_61.jpg.json", "title")})
case("renamed-title-does-not-steal",
     {"IMG_62.jpg": None, "Holiday.jpg": 2, "IMG_62.jpg.json": "Holiday.jpg", "Holiday.jpg.json": "Holiday.jpg"},
     {"IMG_62.jpg": "IMG_62.jpg.json", "Holiday.jpg": ("Holiday.jpg.json", "exact")})
case("renamed-title-when-file-name-taken",
     {"IMG_63.jpg": None, "Beach.jpg": 2, "IMG_63.jpg.json": "Beach.jpg"},
     {"IMG_63.jpg": ("IMG_63.jpg.json", "exact")})
case("renamed-supplemental", {"IMG_64.jpg": None, "IMG_64.jpg.supplemental-metadata.json": "Sunset.jpg"},
     {"IMG_64.jpg": ("IMG_64.jpg.supplemental-metadata.json", "supplemental")})

# ---------------------------------------------------------------------------
# K. Folders: albums, split exports
# ---------------------------------------------------------------------------

case("album-copy-same-size",
     {f"{P}/IMG_70.jpg": None, f"{P}/IMG_70.jpg.json": "IMG_70.jpg", f"{A}/IMG_70.jpg": None},
     {f"{P}/IMG_70.jpg": f"{P}/IMG_70.jpg.json", f"{A}/IMG_70.jpg": (f"{P}/IMG_70.jpg.json", "cross-folder")},
     ambiguous=False)
case("album-copy-own-sidecar",
     {f"{P}/IMG_71.jpg": None, f"{P}/IMG_71.jpg.json": "IMG_71.jpg", f"{A}/IMG_71.jpg": None,
      f"{A}/IMG_71.jpg.json": "IMG_71.jpg"},
     {f"{P}/IMG_71.jpg": f"{P}/IMG_71.jpg.json", f"{A}/IMG_71.jpg": (f"{A}/IMG_71.jpg.json", "exact")})
case("album-copy-other-size-not-paired",
     {f"{P}/IMG_72.jpg": None, f"{P}/IMG_72.jpg.json": "IMG_72.jpg", f"{A}/IMG_72.jpg": 2},
     {f"{P}/IMG_72.jpg": f"{P}/IMG_72.jpg.json"})
case("two-albums-same-copy",
     {f"{P}/IMG_73.jpg": None, f"{P}/IMG_73.jpg.json": "IMG_73.jpg", f"{A}/IMG_73.jpg": None,
      "Takeout/Google Photos/Best of/IMG_73.jpg": None},
     {f"{P}/IMG_73.jpg": f"{P}/IMG_73.jpg.json", f"{A}/IMG_73.jpg": (f"{P}/IMG_73.jpg.json", "cross-folder"),
      "Takeout/Google Photos/Best of/IMG_73.jpg": (f"{P}/IMG_73.jpg.json", "cross-folder")})
case("album-only-media-orphan-sidecar-elsewhere",
     {f"{P}/IMG_74.jpg.json": "IMG_74.jpg", f"{A}/IMG_74.jpg": None},
     {f"{A}/IMG_74.jpg": (f"{P}/IMG_74.jpg.json", "cross-folder-name")})
case("album-copy-picks-same-size-year",
     {"Takeout/Google Photos/Photos from 2015/IMG_0001.jpg": None,
      "Takeout/Google Photos/Photos from 2015/IMG_0001.jpg.json": "IMG_0001.jpg",
      "Takeout/Google Photos/Photos from 2019/IMG_0001.jpg": 2,
      "Takeout/Google Photos/Photos from 2019/IMG_0001.jpg.json": "IMG_0001.jpg",
      f"{A}/IMG_0001.jpg": 2},
     {"Takeout/Google Photos/Photos from 2015/IMG_0001.jpg": "Takeout/Google Photos/Photos from 2015/IMG_0001.jpg.json",
      "Takeout/Google Photos/Photos from 2019/IMG_0001.jpg": "Takeout/Google Photos/Photos from 2019/IMG_0001.jpg.json",
      f"{A}/IMG_0001.jpg": ("Takeout/Google Photos/Photos from 2019/IMG_0001.jpg.json", "cross-folder")})
case("album-only-two-orphan-sidecars-ambiguous",
     {"Takeout/Google Photos/Photos from 2015/IMG_0002.jpg.json": "IMG_0002.jpg",
      "Takeout/Google Photos/Photos from 2019/IMG_0002.jpg.json": "IMG_0002.jpg",
      f"{A}/IMG_0002.jpg": None},
     {}, ambiguous=True)
case("split-parts-media-and-sidecar-apart",
     {f"{P2}/IMG_75.jpg": None, f"{P}/IMG_75.jpg.json": "IMG_75.jpg"},
     {f"{P2}/IMG_75.jpg": (f"{P}/IMG_75.jpg.json", "exact")})
case("split-parts-dash-name",
     {"Takeout-2/Google Photos/Photos from 2020/IMG_76.jpg": None, f"{P}/IMG_76.jpg.json": "IMG_76.jpg"},
     {"Takeout-2/Google Photos/Photos from 2020/IMG_76.jpg": (f"{P}/IMG_76.jpg.json", "exact")})
case("split-parts-zip-names",
     {"takeout-20240101T120000Z-001/Takeout/Google Photos/Photos from 2020/IMG_77.jpg": None,
      "takeout-20240101T120000Z-002/Takeout/Google Photos/Photos from 2020/IMG_77.jpg.supplemental-metadata.json":
      "IMG_77.jpg"},
     {"takeout-20240101T120000Z-001/Takeout/Google Photos/Photos from 2020/IMG_77.jpg":
      ("takeout-20240101T120000Z-002/Takeout/Google Photos/Photos from 2020/IMG_77.jpg.supplemental-metadata.json",
       "supplemental")})
case("split-parts-physical-folder-first",
     {f"{P}/IMG_78.jpg": None, f"{P2}/IMG_78.jpg": 2, f"{P}/IMG_78.jpg.json": "IMG_78.jpg",
      f"{P2}/IMG_78.jpg.json": "IMG_78.jpg"},
     {f"{P}/IMG_78.jpg": f"{P}/IMG_78.jpg.json", f"{P2}/IMG_78.jpg": f"{P2}/IMG_78.jpg.json"})
case("split-parts-edited-apart",
     {f"{P}/IMG_79.jpg": None, f"{P2}/IMG_79-edited.jpg": 2, f"{P}/IMG_79.jpg.json": "IMG_79.jpg"},
     {f"{P}/IMG_79.jpg": f"{P}/IMG_79.jpg.json", f"{P2}/IMG_79-edited.jpg": (f"{P}/IMG_79.jpg.json", "edited")})
case("split-parts-live-apart",
     {f"{P}/IMG_80.HEIC": None, f"{P2}/IMG_80.MOV": 2, f"{P}/IMG_80.HEIC.json": "IMG_80.HEIC"},
     {f"{P}/IMG_80.HEIC": f"{P}/IMG_80.HEIC.json", f"{P2}/IMG_80.MOV": (f"{P}/IMG_80.HEIC.json", "live-photo")})
case("split-parts-album-in-other-part",
     {f"{P}/IMG_81.jpg": None, f"{P}/IMG_81.jpg.json": "IMG_81.jpg", "Takeout 2/Google Photos/Trip/IMG_81.jpg": None},
     {f"{P}/IMG_81.jpg": f"{P}/IMG_81.jpg.json",
      "Takeout 2/Google Photos/Trip/IMG_81.jpg": (f"{P}/IMG_81.jpg.json", "cross-folder")})
case("album-edited-copy-of-paired-edited",
     {f"{P}/IMG_82.jpg": None, f"{P}/IMG_82-edited.jpg": 2, f"{P}/IMG_82.jpg.json": "IMG_82.jpg",
      f"{A}/IMG_82-edited.jpg": 2},
     {f"{P}/IMG_82.jpg": f"{P}/IMG_82.jpg.json", f"{P}/IMG_82-edited.jpg": f"{P}/IMG_82.jpg.json",
      f"{A}/IMG_82-edited.jpg": (f"{P}/IMG_82.jpg.json", "cross-folder")})
case("album-edited-only",
     {f"{P}/IMG_83.jpg": None, f"{P}/IMG_83.jpg.json": "IMG_83.jpg", f"{A}/IMG_83-edited.jpg": 2},
     {f"{P}/IMG_83.jpg": f"{P}/IMG_83.jpg.json", f"{A}/IMG_83-edited.jpg": (f"{P}/IMG_83.jpg.json", "cross-folder-name")})
case("year-media-sidecar-in-album",
     {f"{P}/IMG_84.jpg": None, f"{A}/IMG_84.jpg.json": "IMG_84.jpg"},
     {f"{P}/IMG_84.jpg": (f"{A}/IMG_84.jpg.json", "cross-folder-name")})
case("other-year-folder-not-guessed",
     {"Takeout/Google Photos/Photos from 2019/IMG_85.jpg": None, f"{P}/IMG_85.jpg.json": "IMG_85.jpg"}, {})
case("german-year-folders-not-crossed",
     {"Takeout/Google Fotos/Fotos von 2019/IMG_89.jpg": None, "Takeout/Google Fotos/Fotos von 2020/IMG_89.jpg.json":
      "IMG_89.jpg"}, {})
case("album-same-name-other-photo-orphan",
     {f"{P}/IMG_86.jpg": None, f"{P}/IMG_86.jpg.json": "IMG_86.jpg", f"{A}/IMG_86.jpg": 2,
      "Takeout/Google Photos/Photos from 2018/IMG_86.jpg.json": "IMG_86.jpg"},
     {f"{P}/IMG_86.jpg": f"{P}/IMG_86.jpg.json",
      f"{A}/IMG_86.jpg": ("Takeout/Google Photos/Photos from 2018/IMG_86.jpg.json", "cross-folder-name")})
case("album-long-name-copy",
     {f"{P}/{media_cut(LONG_NEW)}": None, f"{P}/{sidecar_cut(LONG_NEW, True)}": LONG_NEW, f"{A}/{media_cut(LONG_NEW)}": None},
     {f"{P}/{media_cut(LONG_NEW)}": f"{P}/{sidecar_cut(LONG_NEW, True)}",
      f"{A}/{media_cut(LONG_NEW)}": (f"{P}/{sidecar_cut(LONG_NEW, True)}", "cross-folder")})
case("album-copies-with-own-identical-sidecars",
     {f"{P}/IMG_87.jpg": None, f"{P}/IMG_87.jpg.json": {"title": "IMG_87.jpg", "ts": 1562675400},
      f"{A}/IMG_87.jpg": None, f"{A}/IMG_87.jpg.json": {"title": "IMG_87.jpg", "ts": 1562675400},
      "Takeout/Google Photos/Best of/IMG_87.jpg": None},
     {f"{P}/IMG_87.jpg": f"{P}/IMG_87.jpg.json", f"{A}/IMG_87.jpg": f"{A}/IMG_87.jpg.json",
      "Takeout/Google Photos/Best of/IMG_87.jpg": (f"{P}/IMG_87.jpg.json", "cross-folder")})
case("album-two-copies-different-sizes-one-orphan",
     {f"{P}/IMG_88.jpg.json": "IMG_88.jpg", f"{A}/IMG_88.jpg": None, "Takeout/Google Photos/Best of/IMG_88.jpg": 2},
     {}, ambiguous=True)

# ---------------------------------------------------------------------------
# L. Ambiguity
# ---------------------------------------------------------------------------

case("case-twins-exact-spelling-wins", {"IMG_90.jpg": None, "IMG_90.JPG": 2, "IMG_90.jpg.json": "IMG_90.jpg"},
     {"IMG_90.jpg": ("IMG_90.jpg.json", "exact")}, ambiguous=True)
case("case-twins-no-exact-spelling", {"IMG_91.jpg": None, "IMG_91.JPG": 2, "img_91.jpg.json": "img_91.jpg"},
     {}, ambiguous=True)
case("nfc-nfd-twins", {_e: None, unicodedata.normalize("NFD", _e): 2, _e + ".json": _e},
     {_e: (_e + ".json", "exact")}, ambiguous=True)
case("two-sidecars-same-content",
     {"IMG_92.jpg": None, "IMG_92.jpg.json": {"title": "IMG_92.jpg", "ts": 1562675400},
      "IMG_92.JPG.json": {"title": "IMG_92.JPG", "ts": 1562675400}},
     {"IMG_92.jpg": "IMG_92.jpg.json"})
case("no-ambiguity-plain-folder", {"IMG_93.jpg": None, "IMG_93.jpg.json": "IMG_93.jpg", "IMG_94.jpg": 2,
                                   "IMG_94.jpg.json": "IMG_94.jpg"},
     {"IMG_93.jpg": "IMG_93.jpg.json", "IMG_94.jpg": "IMG_94.jpg.json"}, ambiguous=False)
case("json-not-a-sidecar-ignored",
     {"IMG_95.jpg": None, "IMG_95.jpg.json": "IMG_95.jpg", f"{A}/metadata.json": {"album": "Trip"}},
     {"IMG_95.jpg": "IMG_95.jpg.json"})



# ---------------------------------------------------------------------------
# N. Edited suffixes cut by the 47-character stem limit, and numbered copies of cut names
# ---------------------------------------------------------------------------

_LONG = "Sommerurlaub an der Ostsee mit der ganzen Familie und den Hunden im August"


def edited_cut(stem, suffix, ext=".jpg", index=None, index_first=False):
    """Google's edited copy of a title's stem: stem + suffix cut to 47, the duplicate index after or before."""
    if index and index_first:
        return (stem[:47] + f"({index})" + suffix)[: 47 + len(f"({index})")] + ext
    return (stem + suffix)[:47] + (f"({index})" if index else "") + ext


def _rule_of(sidecar, title):
    body = sidecar[: -len(".json")]
    return "exact" if body == title else "supplemental" if body.startswith(title + ".") else "truncated"


for _stem_len, _suffix, _ext in [(45, "-edited", ".jpeg"), (43, "-edited", ".jpg"), (44, "-edytowane", ".jpg"),
                                 (42, "-edytowane", ".jpg"), (41, "-bearbeitet", ".jpg"), (46, "-bearbeitet", ".png"),
                                 (38, "-modificato", ".jpg")]:
    _s = _LONG[:_stem_len]
    _title = _s + _ext
    _copy = edited_cut(_s, _suffix, _ext)
    case(f"edited-suffix-cut-{_copy[len(_s):-len(_ext)] or 'away'}-stem{_stem_len}",
         {_title: None, _copy: 2, sidecar_cut(_title, True): _title},
         {_title: (sidecar_cut(_title, True), _rule_of(sidecar_cut(_title, True), _title)),
          _copy: (sidecar_cut(_title, True), "edited")})
# The title uploaded twice: each upload's edited copy, its index after or before the cut suffix.
_s = _LONG[:43]
_title = _s + ".jpg"
for _first in (False, True):
    case(f"edited-suffix-cut-with-index-{'before' if _first else 'after'}",
         {_title: None, media_cut(_title, 1): 2, edited_cut(_s, "-edited"): 3,
          edited_cut(_s, "-edited", index=1, index_first=_first): 4,
          sidecar_cut(_title): _title, sidecar_cut(_title, index=1): _title},
         {_title: (sidecar_cut(_title), "truncated"), media_cut(_title, 1): (sidecar_cut(_title, index=1), "truncated"),
          edited_cut(_s, "-edited"): (sidecar_cut(_title), "edited"),
          edited_cut(_s, "-edited", index=1, index_first=_first): (sidecar_cut(_title, index=1), "edited")})
_s = _LONG[:40]
_title = _s + ".jpg"
case("edited-suffix-cut-index-before-counted-in-the-cut",
     {_title: None, media_cut(_title, 1): 2, (_s + "(1)-bearbeitet")[:47] + ".jpg": 3,
      sidecar_cut(_title, True): _title, sidecar_cut(_title, True, 1): _title},
     {_title: sidecar_cut(_title, True), media_cut(_title, 1): sidecar_cut(_title, True, 1),
      (_s + "(1)-bearbeitet")[:47] + ".jpg": (sidecar_cut(_title, True, 1), "edited")})
# Not at the limit: "-bea" is part of the name, not a cut "-bearbeitet".
case("partial-suffix-short-of-the-limit-not-edited",
     {_LONG[:40] + ".jpg": None, _LONG[:40] + "-bea.jpg": 2, sidecar_cut(_LONG[:40] + ".jpg"): _LONG[:40] + ".jpg"},
     {_LONG[:40] + ".jpg": sidecar_cut(_LONG[:40] + ".jpg")})
# A stem of 47 or more: the cut leaves nothing of the suffix, so the edited copy is numbered instead.
for _stem_len in (47, 60):
    _title = _LONG[:_stem_len] + ".jpg"
    case(f"edited-copy-numbered-stem{_stem_len}",
         {media_cut(_title): None, media_cut(_title, 1): 2, sidecar_cut(_title, True): _title},
         {media_cut(_title): (sidecar_cut(_title, True), "truncated"),
          media_cut(_title, 1): (sidecar_cut(_title, True), "cut-copy")})
_title = "Été à la plage avec toute la famille et les cousins de Marseille.jpg"
case("edited-copy-numbered-non-ascii",
     {media_cut(_title): None, media_cut(_title, 1): 2, sidecar_cut(_title): _title},
     {media_cut(_title): sidecar_cut(_title), media_cut(_title, 1): (sidecar_cut(_title), "cut-copy")})
case("edited-copy-numbered-heic",
     {media_cut(_LONG + ".HEIC"): None, media_cut(_LONG + ".HEIC", 1): 2, sidecar_cut(_LONG + ".HEIC"): _LONG + ".HEIC"},
     {media_cut(_LONG + ".HEIC"): sidecar_cut(_LONG + ".HEIC"),
      media_cut(_LONG + ".HEIC", 1): (sidecar_cut(_LONG + ".HEIC"), "cut-copy")})
# A second upload has its own "(1)" sidecar: the "(1)" is that upload, and a "(2)" may be
# the edited copy of either upload, so it is left unpaired.
_title = _LONG + ".jpg"
case("numbered-copy-of-a-title-uploaded-twice-ambiguous",
     {media_cut(_title): None, media_cut(_title, 1): 2, media_cut(_title, 2): 3,
      sidecar_cut(_title): _title, sidecar_cut(_title, index=1): _title},
     {media_cut(_title): sidecar_cut(_title), media_cut(_title, 1): (sidecar_cut(_title, index=1), "truncated")},
     ambiguous=True)
# Short of the limit, a "(1)" without its sidecar is another upload, never the original's copy.
case("numbered-copy-short-of-the-limit-not-paired",
     {_LONG[:46] + ".jpg": None, _LONG[:46] + "(1).jpg": 2, sidecar_cut(_LONG[:46] + ".jpg"): _LONG[:46] + ".jpg"},
     {_LONG[:46] + ".jpg": sidecar_cut(_LONG[:46] + ".jpg")})

# "Forgotten duplicates" (immich-go): a name cut at the limit exported twice, with one sidecar.
_uuid = "original_1d4caa6f-16c6-4c3d-901b-9387de10e528_"
_title = _uuid + "PXL_20230101_120000000.jpg"
case("forgotten-duplicate-of-a-cut-name",
     {_uuid + "P.jpg": None, _uuid + "P(1).jpg": 2, _uuid + ".json": _title},
     {_uuid + "P.jpg": (_uuid + ".json", "truncated"), _uuid + "P(1).jpg": (_uuid + ".json", "cut-copy")},
     ambiguous=False)
case("forgotten-duplicates-supplemental",
     {_uuid + "P.jpg": None, _uuid + "P(1).jpg": 2, _uuid + "P(2).jpg": 3, sidecar_cut(_title, True): _title},
     {_uuid + "P.jpg": (sidecar_cut(_title, True), "truncated"), _uuid + "P(1).jpg": (sidecar_cut(_title, True), "cut-copy"),
      _uuid + "P(2).jpg": (sidecar_cut(_title, True), "cut-copy")})
case("forgotten-duplicate-original-missing", {_uuid + "P(1).jpg": None, _uuid + ".json": _title}, {})
case("forgotten-duplicate-not-another-title",
     {_uuid + "P.jpg": None, _uuid + "Q(1).jpg": 2, _uuid + ".json": _title},
     {_uuid + "P.jpg": (_uuid + ".json", "truncated")})


# ---------------------------------------------------------------------------
# M. A title that itself ends in an index, with edited copies and duplicates
# ---------------------------------------------------------------------------

# "Scan0-12-07(1).jpg" uploaded twice: the second upload is "...(1)(1).jpg" and its
# edited copy "...(1)-bearbeitet(1).jpg"; the inner "(1)" belongs to the title.
_scan = "Scan0-12-07(1).jpg"
case("title-index-edited-and-duplicate",
     {"Scan0-12-07(1).jpg": None, "Scan0-12-07(1)-bearbeitet.jpg": 2, "Scan0-12-07(1)(1).jpg": 3,
      "Scan0-12-07(1)-bearbeitet(1).jpg": 4,
      "Scan0-12-07(1).jpg.supplemental-metadata.json": _scan, "Scan0-12-07(1).jpg.supplemental-metadata(1).json": _scan},
     {"Scan0-12-07(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata.json", "supplemental"),
      "Scan0-12-07(1)-bearbeitet.jpg": ("Scan0-12-07(1).jpg.supplemental-metadata.json", "edited"),
      "Scan0-12-07(1)(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata(1).json", "index"),
      "Scan0-12-07(1)-bearbeitet(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata(1).json", "edited")})
case("title-index-edited-and-duplicate-old-naming",
     {"Scan0-12-07(1).jpg": None, "Scan0-12-07(1)-edited.jpg": 2, "Scan0-12-07(1)(1).jpg": 3,
      "Scan0-12-07(1)-edited(1).jpg": 4, "Scan0-12-07(1).jpg.json": _scan, "Scan0-12-07(1).jpg(1).json": _scan},
     {"Scan0-12-07(1).jpg": ("Scan0-12-07(1).jpg.json", "exact"),
      "Scan0-12-07(1)-edited.jpg": ("Scan0-12-07(1).jpg.json", "edited"),
      "Scan0-12-07(1)(1).jpg": ("Scan0-12-07(1).jpg(1).json", "index"),
      "Scan0-12-07(1)-edited(1).jpg": ("Scan0-12-07(1).jpg(1).json", "edited")})
case("title-index-edited-duplicate-without-its-original",
     {"Scan0-12-07(1)-bearbeitet(1).jpg": None, "Scan0-12-07(1).jpg.supplemental-metadata(1).json": _scan},
     {"Scan0-12-07(1)-bearbeitet(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata(1).json", "edited")})
# No second upload in the export: the "(1)" numbers the edited copies of the one upload.
case("title-index-second-edited-copy",
     {"Scan0-12-07(1).jpg": None, "Scan0-12-07(1)-bearbeitet(1).jpg": 2,
      "Scan0-12-07(1).jpg.supplemental-metadata.json": _scan},
     {"Scan0-12-07(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata.json", "supplemental"),
      "Scan0-12-07(1)-bearbeitet(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata.json", "edited")})
# The second upload is there but its sidecar is not: its edited copy is not given the first one's.
case("title-index-edited-duplicate-sidecar-missing",
     {"Scan0-12-07(1).jpg": None, "Scan0-12-07(1)(1).jpg": 2, "Scan0-12-07(1)-bearbeitet(1).jpg": 3,
      "Scan0-12-07(1).jpg.supplemental-metadata.json": _scan},
     {"Scan0-12-07(1).jpg": ("Scan0-12-07(1).jpg.supplemental-metadata.json", "supplemental")})



# ---------------------------------------------------------------------------
# O. Long names of multi-unit symbols: Google counts UTF-16 units and keeps the
#    symbol the limit falls in whole (media stems at 47, sidecar names at 46)
# ---------------------------------------------------------------------------


def units16(text):
    return len(text.encode("utf-16-le")) // 2


def keep_cut(symbols, limit):
    """Whole symbols up to the first one that ends at or past `limit` UTF-16 units."""
    out, used = [], 0
    for sym in symbols:
        if used >= limit:
            break
        out.append(sym)
        used += units16(sym)
    return "".join(out)


def symbol_case(id, symbols, ext=".jpg", supplemental=False, extra_media=(), **kw):
    """The title made of `symbols`, its media and sidecar named as Google names them."""
    title = "".join(symbols) + ext
    media = keep_cut(symbols, 47) + ext
    body = symbols + list(ext + ".supplemental-metadata") if supplemental else symbols + list(ext)
    sidecar = keep_cut(body, 46) + ".json"
    case(id, {media: None, sidecar: title, **{m: n + 2 for n, m in enumerate(extra_media)}},
         {media: (sidecar, "truncated"), **kw.pop("more_pairs", {})}, **kw)
    return title, media, sidecar


# immich-go issue 35, as found in a real export: 24 symbols in the media name, 23 in the sidecar's.
_EMOJI_35 = list("😀😃😄😁😆😅😂🤣🥲") + ["☺️"] + list("😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛😝😜🤪🤨🧐🤓😎🥸🤩🥳😏😒😞😔😟😕🙁") + [
    "☹️"] + list("😣😖😫😩🥺😢😭😤😠😡🤬🤯😳🥵🥶")
symbol_case("long-emoji-real-export", _EMOJI_35)
# A variation selector, a skin tone, a family joined by zero-width joiners, a flag: each
# the symbol the 47th unit falls in, kept whole.
_TWO_UNITS = ["🎉", "❤️", "☀️", "🌊", "✌️", "🐶", "⭐️", "🍕"]
_head = [_TWO_UNITS[i % len(_TWO_UNITS)] for i in range(23)]  # 46 units
for _name, _sym in [("variation-selector", "🏖️"), ("skin-tone", "👍🏽"), ("zwj-family", "👨‍👩‍👧"),
                    ("flag", "🇫🇷"), ("keycap", "#️⃣")]:
    symbol_case(f"long-emoji-{_name}-at-the-limit", _head + [_sym] + _TWO_UNITS * 4)
symbol_case("long-emoji-supplemental", _head + ["🏖️"] + _TWO_UNITS * 4, ext=".mp4", supplemental=True)
# 22 symbols of two units and one of three: the sidecar's 46th unit falls in it, kept whole too.
symbol_case("long-emoji-sidecar-symbol-kept", _head[:22] + ["🏖️"] + _TWO_UNITS * 4)
symbol_case("long-mixed-text-and-emoji", list("Beach day with the whole family ") + ["🏖️", "🌊", "☀️", "👨‍👩‍👧‍👦"]
            + list(" and the dog ") + ["🐶"] * 3, ext=".HEIC")
_title = "".join(_head + ["🏖️"] + _TWO_UNITS * 4) + ".jpg"
_media = keep_cut(_head + ["🏖️"] + _TWO_UNITS * 4, 47)
case("long-emoji-duplicate-and-numbered-copy",
     {_media + ".jpg": None, _media + "(1).jpg": 2, _media + "(2).jpg": 3,
      keep_cut(_head + ["🏖️"], 46) + ".json": _title, keep_cut(_head + ["🏖️"], 46) + "(1).json": _title},
     {_media + ".jpg": (keep_cut(_head + ["🏖️"], 46) + ".json", "truncated"),
      _media + "(1).jpg": (keep_cut(_head + ["🏖️"], 46) + "(1).json", "truncated")}, ambiguous=True)
case("long-emoji-edited-copy-numbered",
     {_media + ".jpg": None, _media + "(1).jpg": 2, keep_cut(_head + ["🏖️"], 46) + ".json": _title},
     {_media + ".jpg": (keep_cut(_head + ["🏖️"], 46) + ".json", "truncated"),
      _media + "(1).jpg": (keep_cut(_head + ["🏖️"], 46) + ".json", "cut-copy")})
case("long-emoji-live-photo",
     {_media + ".HEIC": None, _media + ".MOV": 2, keep_cut(_head + ["🏖️"], 46) + ".json": _media + "🌊🌊🌊.HEIC"},
     {_media + ".HEIC": (keep_cut(_head + ["🏖️"], 46) + ".json", "truncated"),
      _media + ".MOV": (keep_cut(_head + ["🏖️"], 46) + ".json", "live-photo")})
# The cut must be the title's: a name one symbol short of it is another photo.
case("long-emoji-other-cut-not-paired",
     {keep_cut(_head + ["🏖️"] + _TWO_UNITS * 4, 40) + ".jpg": None, keep_cut(_head + ["🏖️"], 46) + ".json": _title},
     {})


# ---------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------

_images: dict[tuple[int, str], bytes] = {}


def _image_bytes(variant: int, ext: str) -> bytes:
    fmt = "PNG" if ext == ".png" else "GIF" if ext == ".gif" else "TIFF" if ext in (".tif", ".tiff") else "JPEG"
    key = (variant, fmt)
    if key not in _images:
        import io

        buf = io.BytesIO()
        Image.new("RGB", (8 * variant, 8), (40 * variant % 256, 90, 160)).save(buf, fmt)
        _images[key] = buf.getvalue()
    return _images[key]


def _write(root: Path, files: dict) -> tuple[set[str], set[str]]:
    media, sidecars = set(), set()
    for n, (rel, spec) in enumerate(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, (str, dict)) and rel.lower().endswith(".json"):
            if isinstance(spec, dict) and "album" in spec:
                data = {"title": spec["album"], "description": "", "access": "protected"}
            else:
                title = spec if isinstance(spec, str) else spec["title"]
                ts = 1562675400 + 3600 * n if isinstance(spec, str) else spec["ts"]
                data = {"title": title, "photoTakenTime": {"timestamp": str(ts), "formatted": "x"}}
                sidecars.add(rel)
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        else:
            variant = spec or 1
            ext = "." + rel.rsplit(".", 1)[-1].lower() if "." in rel.rsplit("/", 1)[-1] else ""
            if ext in VIDEO_EXTS or (not ext and rel.rsplit("/", 1)[-1].startswith(VIDEO_PREFIXES)):
                path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (16 * variant))
            else:
                path.write_bytes(_image_bytes(variant, ext))
            media.add(rel)
    return media, sidecars


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_table(c: Case, tmp_path: Path):
    media, sidecars = _write(tmp_path, c.files)
    found = Source([tmp_path]).scan()
    assert {m.rel for m in found.media} == media, "the case's files were not all seen as media"
    assert {s.rel for s in found.sidecars} == sidecars, "the case's sidecars were not all seen as sidecars"
    result = match(found.media, found.sidecars, c.suffixes)

    got = {m: p.sidecar for m, p in result.pairs.items()}
    want = {m: (w[0] if isinstance(w, tuple) else w) for m, w in c.pairs.items()}
    assert got == want
    for m, w in c.pairs.items():
        if isinstance(w, tuple):
            assert result.pairs[m].rule == w[1], f"{m}: rule"
    assert set(result.unpaired_media) == media - set(want)
    assert set(result.unpaired_sidecars) == sidecars - set(want.values())
    assert all(result.unpaired_media.values()) and all(result.unpaired_sidecars.values())
    if c.ambiguous is True:
        assert result.ambiguities
    elif c.ambiguous is False:
        assert result.ambiguities == []


def test_table_is_big_enough():
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
