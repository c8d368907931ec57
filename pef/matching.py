"""Pairing Google Takeout sidecars with their media files.

`match(media, sidecars)` is pure: it sees the two lists and nothing else (no
file-system probing). Every name is indexed once; then the rules below are tried
in order, each only on the media the earlier ones left unpaired. Every lookup is
a dictionary access, so the whole is linear in the number of files.

Keys
----
Names are compared as *keys*: NFC, unusual spaces made plain, invisible direction
marks removed, case-folded (`pef.names`). Each sidecar's file name, without
".json", is read every way Google may have written it (`sidecar_claims`): the
media name itself, that name plus a whole or shortened ".supplemental-metadata",
that name cut at 46 characters, the name without its extension (older exports);
a final "(N)" is read both as the duplicate index and as part of the name. When
the sidecar's `title` agrees with some of these readings only those are used,
and the title then also gives the exact media names to expect (the title, and
the title with its stem cut to 47). When the title agrees with none (an item
renamed in Google Photos), every reading the name's length allows is used and
the title becomes a key of its own. The index is part of every key (0 for none),
so `IMG(1).jpg` only meets sidecars that say "(1)", and `IMG.jpg.json` only
media without an index; no "(1)".."(99)" candidates are ever tried.

Lengths are cut in code points, and also in UTF-16 units and UTF-8 bytes (never
splitting a character, dropping the one the limit falls in), and in UTF-16 units
keeping the code point or the whole symbol the limit falls in: real exports cut a
title of emoji to 24 symbols in the media name and 23 in the sidecar's, which only
that last measure explains (`pef.names`). Which measure Google uses is not
documented; a cut under any but code points is weaker evidence than a code-point
cut: a sidecar reading the title confirms in code points drops the readings it
confirms only in the others, and a media looks past a key found only by weak
claims for a later, stronger one.
A sidecar name is only taken as cut when it reaches the limit, and a media name
only compared by its cut when it is longer than the cut.

Rules, in the order they run (`RULES`, then the two across folders)
------------------------------------------------------------------
The name in quotes is the one recorded in `Pair.rule`. Rules 1-3, 5 and 6 are
*primary* (they give a sidecar to one media only); the others *share* it.

1. "exact" / "supplemental" / "index": the media name is the name the sidecar
   describes -- `IMG.jpg.json`, `IMG.jpg.supplemental-metadata.json` (shortened
   down to ".s" when the name reaches the limit or the title confirms it),
   `IMG.jpg(1).json` and `IMG.jpg.supplemental-metadata(1).json` for `IMG(1).jpg`.
2. "truncated": long names. The title's media names, exactly (under every length
   measure above); for a renamed item, any media whose name cut at 46 gives the
   sidecar's cut name.
3. "no-extension": older exports, `IMG_1234.json` for `IMG_1234.jpg`: the
   title's name, else any media of a known type with that stem. Also an item
   uploaded without an extension: Google adds one to the media only, so the
   title "2013-08-22" has `2013-08-22.json` or `2013-08-22.supplemental-metadata.json`
   beside `2013-08-22.png`.
4. "edited" (shared): `IMG-edited.jpg` and its localised forms (`EDITED_SUFFIXES`,
   plus the caller's `suffixes`): rules 1-3 on the original's name. The suffix may
   be cut short by the 47-character stem limit ("-ed", "-edyt", "-bearb", even
   "-"), with "(N)" after it or before it (counted in the cut or not):
   "LONG-ed(1).jpg" and "LONG(1)-ed.jpg" are edited copies of "LONG(1).jpg". With
   an index on both sides, the inner one is the title's own: "Scan(1)-edited(1).jpg"
   is the edited copy of "Scan(1)(1).jpg", the second upload of "Scan(1).jpg". This
   runs before rule 5: "IMG-edited.jpg" beside "IMG.jpg.json" is IMG.jpg's edited
   copy rather than the media of an "IMG-edited.jpeg.json".
5. "extension": the same stem with another extension of the family (.jpg
   .jpeg .jpe .jfif, .tif .tiff, .heic .heif), then a HEIC exported as .jpg.
6. "title": the title of a sidecar whose file name disagrees with it.
7. "edited" (shared): rules 5-6 on the original's names of rule 4.
8. "edited" (shared): "IMG-edited(1).jpg" beside IMG.jpg with no "IMG(1).jpg"
   anywhere in the export (so the "(1)" numbers IMG's edited copies): the primary
   rules on "IMG.jpg".
9. "cut-copy" (shared): "X(1).jpg" beside "X.jpg" when X reaches the 47-character
   cut and no sidecar names the title with an index: the primary rules on "X.jpg".
   The cut leaves nothing of the suffix of X's edited copy, so Google numbers the
   copy instead; and a cut name may be exported twice with one sidecar (immich-go's
   "forgotten duplicates"). With an indexed sidecar of the title (a second upload)
   the copy may be either upload's: it is left unpaired, as ambiguous.
10. "live-photo" (shared): a video (.mov .mp4 .m4v .3gp) with the stem of a
   photo's sidecar: `IMG_1234.MOV` + `IMG_1234.HEIC.json`, `MVIMG_x.mp4` +
   `MVIMG_x.jpg.json`. A Pixel motion photo's video (.MP, .MV and the tilde copies'
   .MP~2, .MP~3...) keeps its whole name in its photo's: `PXL_x.MP~2` takes
   `PXL_x.MP~2.jpg.json`, and `PXL_x.MP.jpg.json` only when no `PXL_x.MP~2.jpg` is in
   the export. A file without any extension beside a photo of its stem is that
   photo's video half: `MVIMG_x` beside `MVIMG_x.jpg` takes `MVIMG_x.jpg.json`.
11. "cross-folder" (shared): a media still unpaired whose same-named, same-sized
   copy in another folder is paired gets that copy's sidecar (album folders).
12. "cross-folder-name" (shared): rules 1-10 run against every other folder find
   exactly one sidecar, leaving out sidecars whose paired media has this name but
   another size, and sidecars in another year's "Photos from YYYY" folder when
   the media is in a year folder itself.

Rules 1-10 look only inside the media's *logical* folder: its path without the
export part ("Takeout", "Takeout 2", "Takeout-2", "takeout-20240101T...-001/Takeout"),
so a split export's parts count as one folder. Within it, the media's own
physical folder is preferred.

Ambiguity policy (every case is written to `MatchResult.ambiguities`)
---------------------------------------------------------------------
* Primary rules give a sidecar to one media only. The shared ones give it to
  more: an edited copy, a numbered copy of a cut name, a Live Photo or motion
  photo video, album copies all take their original's sidecar.
* One media, several sidecars at the first key that finds any (a key found
  only by weak cuts counts after every other key of the rule): the best
  evidence wins -- a code-point cut before another measure, the physical folder
  before another part, the exact unfolded spelling before a folded one. If
  several remain and all say the same (date, place, description, people, flags),
  the first by path is used; if they differ, the media is left unpaired: no date
  is better than a guessed one.
* Several media, one sidecar (primary rules): the best evidence wins -- the
  rule's earlier key, the same criteria as above, then a name that does not look
  edited, then an image before a video. The others go on to the later rules
  (where an edited copy or a Live Photo video still shares it). If the best are
  tied, none of them gets it.
* Across folders: several same-sized copies paired to sidecars that differ, or
  several sidecars elsewhere, or same-named files of different sizes wanting one
  sidecar elsewhere: nobody gets it.
* The result does not depend on the order of the input lists: both are sorted by
  path first and every tie is broken by path.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple, Sequence

from pef.names import (
    SIDECAR_BODY_LIMIT,
    SUPPLEMENTAL,
    cuts,
    fold,
    join_ext,
    media_names_for_title,
    reaches,
    reaches_media_stem,
    spaced,
    split_ext,
    split_index,
)
from pef.scan import MediaEntry
from pef.sidecar import Sidecar

DEFAULT_SUFFIXES = ("", "-edited")

# Google's "-edited" in the languages of its interface (as seen in exports and
# reported by users); all compared case-folded.
EDITED_SUFFIXES: tuple[str, ...] = (
    "-edited",  # English
    "-bearbeitet",  # German
    "-modifié",  # French
    "-modifie",
    "-editado",  # Spanish, Portuguese
    "-editada",
    "-ha editado",  # Spanish (older)
    "-modificato",  # Italian
    "-modificata",
    "-bewerkt",  # Dutch
    "-edytowane",  # Polish
    "-upraveno",  # Czech
    "-upravené",  # Czech / Slovak
    "-изменено",  # Russian
    "-отредактировано",
    "-змінено",  # Ukrainian
    "-відредаговано",
    "-düzenlendi",  # Turkish
    "-düzenlenmiş",
    "-編集済み",  # Japanese
    "-编辑",  # Chinese (simplified)
    "-已编辑",
    "-已修改",
    "-編輯",  # Chinese (traditional)
    "-已編輯",
    "-편집됨",  # Korean
    "-editat",  # Catalan
    "-redigerad",  # Swedish
    "-redigeret",  # Danish
    "-redigert",  # Norwegian
    "-muokattu",  # Finnish
    "-szerkesztett",  # Hungarian
    "-επεξεργασμένο",  # Greek
    "-επεξεργασία",
)

IMAGE_EXTENSIONS = frozenset(
    "jpg jpeg jpe jfif png gif heic heif webp tif tiff bmp dng avif raw cr2 cr3 nef arw orf rw2 raf srw".split()
)
LIVE_VIDEO_EXTENSIONS = frozenset("mov mp4 m4v 3gp qt".split())
VIDEO_EXTENSIONS = LIVE_VIDEO_EXTENSIONS | frozenset(
    "3g2 avi mkv wmv mpg mpeg mts m2ts webm flv vob mp mv".split()
)
MEDIA_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS
_ALL_MEDIA_EXTENSIONS = tuple(sorted(MEDIA_EXTENSIONS))
# A Pixel motion photo's video half: ".MP" or ".MV", and "~2", "~3"... for its copies.
_PIXEL_MOTION_RE = re.compile(r"m[pv](?:~\d+)?")

# Extension families: names in one family are the same kind of file.
_EXT_FAMILY = {
    "jpg": "jpg", "jpeg": "jpg", "jpe": "jpg", "jfif": "jpg",
    "tif": "tif", "tiff": "tif",
    "heic": "heic", "heif": "heic",
    "mpg": "mpg", "mpeg": "mpg",
}
_FAMILY_MEMBERS: dict[str, tuple[str, ...]] = {}
for _ext, _family in _EXT_FAMILY.items():
    _FAMILY_MEMBERS[_family] = (*_FAMILY_MEMBERS.get(_family, ()), _ext)
# Families a media of a family may have been exported from: a HEIC is exported as JPEG.
_FAMILY_SOURCES = {"jpg": ("jpg", "heic"), "tif": ("tif",), "heic": ("heic",), "mpg": ("mpg",)}
# The photo half of a Live Photo or motion photo.
LIVE_IMAGE_EXTENSIONS = ("heic", "heif", "jpg", "jpeg", "jpe", "jfif", "dng", "png", "tif", "tiff", "webp", "avif")

# Google's per-year folders ("Photos from 2020" and its translations). A photo sits
# in the folder of its own year, so a sidecar in another year's folder is never its.
_YEAR_FOLDER_RE = re.compile(
    r"(?:photos from|fotos von|fotos de|photos de|foto dal|foto del|foto's uit|foto's van|zdjęcia z|"
    r"fotky z|fotos fra|foton från|bilder från|fotoğraflar|фото за|фотографии за|фото з)\s+(?:\d{4})"
    r"|\d{4}\s*年の写真|\d{4}\s*年的照片|\d{4}년 사진",
    re.IGNORECASE,
)

_PART_RE = re.compile(
    r"takeout(?:[ _-]?\(?\d{1,3}\)?|-\d{8}t\d{6}z?(?:-\d{1,4})?)?", re.IGNORECASE
)


@dataclass(frozen=True)
class Pair:
    media: str
    sidecar: str
    rule: str


@dataclass
class MatchResult:
    pairs: dict[str, Pair] = field(default_factory=dict)
    unpaired_media: dict[str, str] = field(default_factory=dict)
    unpaired_sidecars: dict[str, str] = field(default_factory=dict)
    ambiguities: list[str] = field(default_factory=list)


# Lookups (media side) and claims (sidecar side) meet on (space, key, index); both
# also carry the unfolded spelling (for tie-breaks) and whether a less usual length
# measure made them ("weak"). Claims add the rule name to record.
Key = tuple[str, str, int]


def logical_folder(folder: str) -> str:
    """The folder with the export part removed: "Takeout 2/Google Photos/X" -> "Google Photos/X"."""
    parts = folder.split("/") if folder else []
    last = -1
    for i, part in enumerate(parts):
        if _PART_RE.fullmatch(part):
            last = i
    return "/".join(parts[last + 1 :])


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


class MediaName:
    """Keys of one media file name (or of an edited copy's original name)."""

    __slots__ = ("name", "key", "idx", "key0", "stem0", "stem_lit", "ext", "raw0", "raw_stem0", "raw_stem", "raw_ext",
                 "originals")

    def __init__(self, name: str):
        self.name = name
        self.originals: list[MediaName] | None = None  # filled by EditedSuffixes
        self.key = key = fold(name)
        raw_stem, raw_ext = split_ext(name)
        raw_stem0, idx = split_index(raw_stem)
        self.raw_stem, self.raw_ext, self.raw_stem0 = raw_stem, raw_ext, raw_stem0
        self.idx = idx
        if name.isascii():  # folding keeps every position: slice instead of folding again
            self.ext = key[len(raw_stem) + 1 :]
            self.stem0 = key[: len(raw_stem0)]
            self.stem_lit = key[: len(raw_stem)]
            self.raw0 = raw_stem0 + raw_ext if idx else name
            self.key0 = self.stem0 + key[len(raw_stem) :] if idx else key
        else:
            self.ext = fold(raw_ext)[1:]
            self.stem0 = fold(raw_stem0)
            self.stem_lit = fold(raw_stem) if idx else self.stem0
            self.raw0 = raw_stem0 + raw_ext if idx else name
            self.key0 = fold(self.raw0) if idx else key


def _lookups_name(n: MediaName, edited: EditedSuffixes | None = None) -> list[tuple]:
    out = [("n", n.key, 0, n.name, False)]
    if n.idx:
        out.append(("n", n.key0, n.idx, n.raw0, False))
    return out


def _lookups_truncated(n: MediaName, edited: EditedSuffixes | None = None) -> list[tuple]:
    # A final "(N)" is the duplicate index, or part of the title itself.
    readings = [(n.raw0, n.key0, n.idx)] + ([(n.name, n.key, 0)] if n.idx else [])
    out = [("tf", key, idx, raw, False) for raw, key, idx in readings]
    name = n.name
    if len(name) <= SIDECAR_BODY_LIMIT and (
        name.isascii() or len(name.encode("utf-8", "surrogatepass")) <= SIDECAR_BODY_LIMIT
    ):
        return out  # too short to be cut under any measure (UTF-8 is the longest)
    if edited is not None and edited.looks_edited(n):
        # "LONG(1)-edited.jpg" hides its index: the edited rule reads it properly.
        return out
    for raw, _, idx in readings:
        for cut, weak in cuts(raw, SIDECAR_BODY_LIMIT):
            out.append(("tp", fold(cut), idx, cut, weak))
    return out


def _lookups_no_extension(n: MediaName, edited: EditedSuffixes | None = None) -> list:
    """An older sidecar without the media's extension; or a media that lost its own
    extension ("IMG_1234" next to "IMG_1234.jpg.json"), all extensions being one key."""
    out: list = [("nf", n.key0, n.idx, n.raw0, False)]
    if n.idx:
        out.append(("nf", n.key, 0, n.name, False))
    if n.ext in MEDIA_EXTENSIONS:  # a stem match says nothing about a file of unknown type
        out.append(("ns", n.stem0, n.idx, n.raw_stem0, False))
        if n.idx:
            out.append(("ns", n.stem_lit, 0, n.raw_stem, False))
    elif not n.raw_ext:
        out.append(_named(n.stem0, _ALL_MEDIA_EXTENSIONS, n.idx))
    return out


def _named(stem: str, exts: Iterable[str], idx: int) -> list[tuple]:
    """Lookups of every name a sidecar can give for `stem` + one of `exts` (one group)."""
    group = []
    for ext in exts:
        key = f"{stem}.{ext}"
        group += [("n", key, idx, "", False), ("tf", key, idx, "", False), ("nf", key, idx, "", False)]
    return group


def _lookups_extension(n: MediaName, edited: EditedSuffixes | None = None) -> list:
    """The same stem with another extension of the family (.jpeg for .jpg...), then of a
    family it may have been converted from (a HEIC exported as .jpg)."""
    family = _EXT_FAMILY.get(n.ext)
    if family is None:
        return []
    out = []
    for source in _FAMILY_SOURCES[family]:
        exts = [e for e in _FAMILY_MEMBERS[source] if e != n.ext]
        if exts:
            out.append(_named(n.stem0, exts, n.idx))
    return out


def _lookups_title(n: MediaName, edited: EditedSuffixes | None = None) -> list[tuple]:
    out = [("T", n.key0, n.idx, n.raw0, False)]
    if n.idx:
        out.append(("T", n.key, 0, n.name, False))
    return out




def _lookups_live(n: MediaName, edited: EditedSuffixes | None = None) -> list:
    """A video's photo half: the same stem with an image extension (or an older
    sidecar without extension). A Pixel motion photo keeps its video's whole name in
    the photo's stem ("PXL_x.MP~2" is the half of "PXL_x.MP~2.jpg"); only when that
    photo is not in the export is a tilde copy's video taken for the first one's
    ("PXL_x.MP.jpg"). A file without any extension beside a photo of its stem is
    that photo's video half too ("MVIMG_x" beside "MVIMG_x.jpg")."""
    media_keys = edited.media_keys if edited is not None else frozenset()
    if _PIXEL_MOTION_RE.fullmatch(n.ext):
        own = f"{n.stem0}.{n.ext}"
        if n.ext == "mp" or not _has_photo(own, n.idx, media_keys):
            stems: tuple[str, ...] = tuple(dict.fromkeys((own, n.stem0 + ".mp", n.stem0)))
        else:
            stems = (own,)
    elif n.ext in LIVE_VIDEO_EXTENSIONS:
        stems = (n.stem0, n.stem0 + ".mp")
    elif not n.raw_ext and _has_photo(n.stem0, n.idx, media_keys):
        stems = (n.stem0,)
    else:
        return []
    return [_named(stem, LIVE_IMAGE_EXTENSIONS, n.idx) + [("ns", stem, n.idx, "", False)] for stem in stems]


def _has_photo(stem: str, idx: int, media_keys: frozenset[str]) -> bool:
    """Whether the export holds a photo named `stem` (with this duplicate index) plus an image extension."""
    named = f"{stem}({idx})" if idx else stem
    return any(f"{named}.{ext}" in media_keys for ext in LIVE_IMAGE_EXTENSIONS)


class EditedSuffixes:
    """The names a copy's original may have had: an edited suffix (full, or cut by
    the stem limit) stripped, or a numbered copy's index. Holds what of the whole
    export those rules need (every media name, every key claimed with an index);
    the rules receive it as their second argument."""

    def __init__(self, suffixes: Iterable[str]):
        folded = {fold(s) for s in suffixes if s and s.strip()}
        self.suffixes = sorted(folded, key=lambda s: (-len(s), s))
        self._end_re = re.compile("(?:" + "|".join(map(re.escape, self.suffixes)) + r")\Z") if self.suffixes else None
        # What the 47-character cut may leave of a suffix: "-edi", "-e", "-".
        self._partials = {suffix[:k] for suffix in self.suffixes for k in range(1, len(suffix))}
        self._longest_partial = max((len(p) for p in self._partials), default=0)
        self.media_keys: frozenset[str] = frozenset()  # every media name of the export, folded
        self.indexed_keys: frozenset[str] = frozenset()  # every key a sidecar claims with a "(N)"

    def looks_edited(self, n: MediaName) -> bool:
        stem, _ = split_index(n.raw_stem)
        return bool(self._end_re and self._end_re.search(fold(stem)))

    def originals(self, n: MediaName) -> list[MediaName]:
        """The names the original may have had, most likely first."""
        if n.originals is None:
            n.originals = self._originals(n) if self.suffixes else []
        return n.originals

    def unindexed_originals(self, n: MediaName) -> list[MediaName]:
        """For "X-edited(1).jpg": "X.jpg", when the export holds X.jpg but no "X(1).jpg",
        so the "(1)" can only number X's edited copies."""
        idx1 = split_index(n.raw_stem)[1]
        if not idx1:
            return []
        return [
            MediaName(base.raw0) for base in self.originals(n)
            if base.idx == idx1 and base.key not in self.media_keys and base.key0 in self.media_keys
        ]

    def cut_copy_originals(self, n: MediaName) -> list[MediaName]:
        """For "X(1).jpg" whose stem X reaches the 47-character cut, beside "X.jpg": "X.jpg".

        Google's cut leaves nothing of the suffix of X's edited copy ("X-edited"
        cut to 47 is X), so that copy collides with X.jpg and is numbered instead;
        and a name cut at the limit can be exported twice with one sidecar (immich-go's
        "forgotten duplicates"). Either way it is a copy of the one upload, unless
        the title was uploaded again: `_lookups_cut_copy` drops it when any sidecar
        names the title with an index."""
        if not n.idx or n.key0 not in self.media_keys or not reaches_media_stem(n.raw_stem0):
            return []
        return [MediaName(n.raw0)]

    def _originals(self, n: MediaName) -> list[MediaName]:
        stem1, idx1 = split_index(n.raw_stem)
        spaced_stem = spaced(stem1)
        folded_stem = fold(stem1)
        # The original's name is cut from the name as spelled (an NBSP stays an NBSP, so
        # the spelling still tells " .jpg" from "\xa0.jpg"), which lines up with the
        # spaced form whenever NFC leaves the length alone.
        nfc_stem = unicodedata.normalize("NFC", stem1)
        spelled = stem1 if len(nfc_stem) == len(stem1) else nfc_stem
        bases: list[str] = []
        hit = self._end_re.search(folded_stem) if self._end_re else None
        if hit is not None:
            suffix = hit.group()
            if len(spaced_stem) > len(suffix):
                tail = spaced_stem[len(spaced_stem) - len(suffix) :]
                if fold(tail) == suffix:
                    bases.append(spelled[: len(spaced_stem) - len(suffix)])
        if not bases:
            # Cut by the 47-character limit: "...name-edi". Longest partial suffix first.
            # A duplicate's index may stand before it ("...name(1)-edi"), counted in
            # the cut or not.
            for k in range(min(self._longest_partial, len(spaced_stem) - 1), 0, -1):
                if fold(spaced_stem[-k:]) in self._partials:
                    base = spelled[:-k]
                    inner, inner_idx = split_index(base)
                    if reaches_media_stem(stem1) or (inner_idx and reaches_media_stem(inner + spelled[-k:])):
                        bases.append(base)
                    break
        out = []
        for base in bases:
            # An index on both sides ("X(1)-edited(1)"): the inner one is part of the
            # title "X(1).jpg", the outer one numbers its second upload "X(1)(1).jpg".
            # MediaName reads "X(1)(1)" both ways, so one name covers it.
            name = join_ext(f"{base}({idx1})" if idx1 else base, n.raw_ext)
            out.append(MediaName(name))
        return out


# ---------------------------------------------------------------------------
# Sidecar claims
# ---------------------------------------------------------------------------


def sidecar_claims(rel: str, title: str) -> list[tuple[str, str, int, str, str, bool]]:
    """What the sidecar at `rel` with this title describes: (space, key, index, spelling, rule, weak).

    The file name, without ".json", has several possible readings: the media name
    itself ("plain"), that name plus a whole or shortened ".supplemental-metadata",
    that name cut at 46 characters ("truncated"), the media name without its
    extension ("no-extension"); a final "(N)" is read both as Google's duplicate
    index and as part of the name. When the title agrees with some readings, only
    those are used; when it agrees with none (a renamed item), every reading the
    name's length allows is used, and the title becomes a key of its own.
    """
    name = rel.rpartition("/")[2]
    body = name[:-5] if name[-5:].lower() == ".json" else name
    x_raw, idx = split_index(body)
    t = fold(title) if title else ""
    fast = _common_case(x_raw, idx, t)
    if fast is not None:
        return [fast]
    readings = _readings(x_raw, idx, title, t)
    if idx:
        readings += _readings(body, 0, title, t)
    title_decides = any(r.agrees for r in readings)
    # A reading the title confirms only under a less usual length measure yields to
    # one it confirms in code points: "X(1).json" of the title "X(1)" is that title's
    # sidecar, not the duplicate (1) of a title cut to "X" in UTF-8 bytes.
    strong = any(r.agrees and not r.weak for r in readings)
    claims: list[tuple[str, str, int, str, str, bool]] = []
    for r in readings:
        if (r.agrees and not (r.weak and strong)) or (not title_decides and r.valid):
            _claims_of(r, title, claims)
    # 6. The title, when the file name disagrees with it (renamed items).
    if title and not title_decides:
        for e, weak in media_names_for_title(title):
            claims.append(("T", fold(e), idx, e, "title", weak))
    # A key may be claimed twice (title and file name agreeing): the lookups keep the best.
    return claims


def _common_case(x_raw: str, idx: int, t: str) -> tuple | None:
    """The one claim of most sidecars: "NAME.ext.json" or "NAME.ext.supplemental-metadata.json"
    whose title is NAME.ext, short of every limit; None for anything else (the general path)."""
    if idx or not t or len(x_raw) > 40 or not x_raw.isascii():
        return None
    x = x_raw.lower()
    if x.endswith(".supplemental-metadata"):
        head = x_raw[: -len(".supplemental-metadata")]
        if head.lower() != t:
            return None
        name, rule = head, "supplemental"
    elif x == t:
        name, rule = x_raw, "exact"
    else:
        return None
    # With a media extension, the no-extension reading does not apply; short, no cut does.
    if _no_media_extension(name) or SUPPLEMENTAL.startswith(split_ext(name)[1][1:].lower()):
        return None
    return ("n", name.lower(), 0, name, rule, False)


class _Reading(NamedTuple):
    kind: str  # "plain", "supplemental", "truncated" or "no-extension"
    name: str  # the media name it gives (a cut of it for "truncated", its stem for "no-extension")
    idx: int
    agrees: bool  # the sidecar's title says the same
    valid: bool  # the name's form allows this reading without the title's support
    weak: bool = False  # the title agrees only when cut in UTF-16 units or UTF-8 bytes


def _readings(x_raw: str, idx: int, title: str, t: str) -> list[_Reading]:
    x = fold(x_raw)
    out = [_Reading("plain", x_raw, idx, bool(title) and t == x, True)]
    head, dot, tail = x_raw.rpartition(".")
    reached = reaches(x_raw, SIDECAR_BODY_LIMIT)
    supplemental = bool(dot and head and SUPPLEMENTAL.startswith(tail.lower()))
    if supplemental:
        valid = tail.lower() == SUPPLEMENTAL or reached
        out.append(_Reading("supplemental", head, idx, bool(title) and fold(head) == t, valid))
    if reached:
        measures = [weak for c, weak in cuts(title, SIDECAR_BODY_LIMIT) if fold(c) == x] if title else []
        out.append(_Reading("truncated", x_raw, idx, bool(measures), True, bool(measures) and all(measures)))
    # Older exports leave the media's extension out of the sidecar's name; and an item
    # uploaded without an extension (title "2013-08-22") is exported with one added
    # ("2013-08-22.png") beside "2013-08-22.json" or "2013-08-22.supplemental-metadata.json".
    stem_name = head if supplemental else x_raw
    if _no_media_extension(stem_name):
        s = fold(stem_name)
        agrees = bool(title) and (fold(split_ext(title)[0]) == s or (t == s and _no_media_extension(title)))
        out.append(_Reading("no-extension", stem_name, idx, agrees, not supplemental or valid))
    if not idx and title:
        # "IMG(1).jpg.json" for the duplicate of "IMG.jpg": the index before the
        # extension, as in the media name. Only when the title says so.
        for r in out[:2]:
            if r.kind in ("plain", "supplemental"):
                stem, ext = split_ext(r.name)
                inner_stem, inner = split_index(stem)
                if inner and fold(inner_stem + ext) == t:
                    out.append(_Reading(r.kind, inner_stem + ext, inner, True, False))
    return out


def _no_media_extension(name: str) -> bool:
    return split_ext(name)[1][1:].lower() not in MEDIA_EXTENSIONS


def _claims_of(r: _Reading, title: str, claims: list) -> None:
    add = claims.append
    idx = r.idx
    key = fold(r.name)
    # The title's own media names, when the file name gives only part of the name.
    title_names = media_names_for_title(title) if r.agrees and r.kind in ("truncated", "no-extension") else []
    if r.kind in ("plain", "supplemental"):
        # 1. The name the file name describes.
        add(("n", key, idx, r.name, "index" if idx else "exact" if r.kind == "plain" else "supplemental", False))
    elif r.kind == "truncated":
        # 2. Long names. A title that agrees says exactly which names the media can
        # have; only a renamed item falls back to comparing cut names.
        for e, weak in title_names:
            add(("tf", fold(e), idx, e, "truncated", weak or r.weak))
        if not r.agrees:
            add(("tp", key, idx, r.name, "truncated", False))
    else:
        # 3. No extension.
        for e, weak in title_names:
            add(("nf", fold(e), idx, e, "no-extension", weak))
        add(("ns", key, idx, r.name, "no-extension", False))
    # 5. Extension families and 10. Live Photos need no claims of their own: the
    # media side looks the names above up with the other extensions.


# ---------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One matching rule: the keys a media name is looked up under, best first.

    Each item of `lookups(name, edited)` is one lookup (space, key, index, spelling,
    weak) or a list of them that count as one equally good key. A new rule is a
    new function here plus, if it needs a new key space, claims in `_claims_of`."""

    name: str  # recorded in Pair.rule; the "name" rule records the claim's own rule instead
    shared: bool  # may give a sidecar that another media already has
    lookups: Callable[[MediaName, EditedSuffixes], list]


def _edited(
    *primary: Callable, originals: Callable[[EditedSuffixes, MediaName], list[MediaName]] = EditedSuffixes.originals
) -> Callable[[MediaName, EditedSuffixes], list]:
    """Lookups of a copy: the given primary rules on each name its original may have had."""

    def lookups(n: MediaName, edited: EditedSuffixes) -> list[tuple]:
        out: list[tuple] = []
        for base in originals(edited, n):
            for lookups_of in primary:
                out.extend(lookups_of(base, edited))
        return out

    return lookups


_PRIMARY = (_lookups_name, _lookups_truncated, _lookups_no_extension, _lookups_extension, _lookups_title)
_lookups_copy_of_cut_name = _edited(*_PRIMARY, originals=EditedSuffixes.cut_copy_originals)


def _lookups_cut_copy(n: MediaName, edited: EditedSuffixes) -> list:
    """A numbered copy of a name cut at the limit: the primary rules on the original's
    name, unless some sidecar names the title with an index (a second upload, whose
    sidecar may belong to this very file)."""
    out = _lookups_copy_of_cut_name(n, edited)
    keys = edited.indexed_keys
    for item in out:
        for lookup in item if type(item) is list else (item,):
            if lookup[1] in keys:
                return []
    return out


# "IMG-edited.jpg" next to "IMG.jpg.json" is the edited copy of IMG.jpg before it is
# an "IMG-edited.jpeg" whose extension changed: the original's own name is
# stronger evidence than a changed extension. So the edited rule runs in two
# steps, around the extension rule.
RULES: tuple[Rule, ...] = (
    Rule("name", False, _lookups_name),
    Rule("truncated", False, _lookups_truncated),
    Rule("no-extension", False, _lookups_no_extension),
    Rule("edited", True, _edited(_lookups_name, _lookups_truncated, _lookups_no_extension)),
    Rule("extension", False, _lookups_extension),
    Rule("title", False, _lookups_title),
    Rule("edited", True, _edited(_lookups_extension, _lookups_title)),
    Rule("edited", True, _edited(*_PRIMARY, originals=EditedSuffixes.unindexed_originals)),
    Rule("cut-copy", True, _lookups_cut_copy),
    Rule("live-photo", True, _lookups_live),
)


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


class _Media:
    __slots__ = ("rel", "size", "folder", "lfolder", "n", "looks_edited", "reason")

    def __init__(self, entry: MediaEntry, lfolder: Callable[[str], int]):
        self.rel = entry.rel
        self.size = entry.size
        folder, _, name = entry.rel.rpartition("/")
        self.folder = folder
        self.lfolder = lfolder(folder)
        self.n = MediaName(name)
        self.looks_edited: bool | None = None
        self.reason: str | None = None  # why it was left unpaired, when ambiguous


def _content(sc: Sidecar) -> tuple:
    """What a sidecar says about its photo, for telling apart two candidates."""
    return (sc.taken, sc.geo, sc.description, sc.people, sc.favorited, sc.archived, sc.trashed)


class _Matcher:
    """One run of `match`: the index of every sidecar's claims, then the rules."""

    def __init__(self, media: Sequence[MediaEntry], sidecars: Sequence[Sidecar], suffixes: Sequence[str]):
        self.lfolders: dict[str, int] = {}  # logical folder -> id
        self._folder_ids: dict[str, int] = {}  # physical folder -> its logical folder's id
        self._year_folders: dict[str, bool] = {}
        seen: set[str] = set()
        self.media: list[_Media] = []
        for entry in sorted(media, key=lambda e: e.rel):
            if entry.rel not in seen:
                seen.add(entry.rel)
                self.media.append(_Media(entry, self._lfolder))
        seen = set()
        self.sidecars: list[Sidecar] = []
        for sc in sorted(sidecars, key=lambda s: s.rel):
            if sc.rel not in seen:
                seen.add(sc.rel)
                self.sidecars.append(sc)
        self.s_folder = [sc.rel.rpartition("/")[0] for sc in self.sidecars]
        self.s_lfolder = [self._lfolder(f) for f in self.s_folder]
        self.edited = EditedSuffixes([*EDITED_SUFFIXES, *suffixes])
        self.edited.media_keys = frozenset(m.n.key for m in self.media)
        self.claims: list[list[tuple]] = []
        self.known_keys: set[str] = set()  # every claimed key: a cheap first filter for lookups
        self.index: dict[tuple, list[tuple]] = {}
        indexed: set[str] = set()
        for sid, sc in enumerate(self.sidecars):
            found = sidecar_claims(sc.rel, sc.title)
            self.claims.append(found)
            lf = self.s_lfolder[sid]
            for space, key, idx, spelling, rule, weak in found:
                self.index.setdefault((space, lf, key, idx), []).append((sid, spelling, rule, weak))
                self.known_keys.add(key)
                if idx:
                    indexed.add(key)
        self.edited.indexed_keys = frozenset(indexed)
        self.paired: dict[int, tuple[int, str]] = {}  # media id -> (sidecar id, rule)
        self.taken: set[int] = set()  # sidecars given by a primary rule
        self.sidecar_reason: dict[int, str] = {}
        self.ambiguities: list[str] = []
        self.lost: list[tuple[int, int, int]] = []  # (loser media, sidecar, winner media)
        self.duplicates: dict[tuple[int, int], list[int]] = {}  # (media, chosen sidecar) -> identical others

    # -- helpers -----------------------------------------------------------

    def _is_year_folder(self, folder: str) -> bool:
        found = self._year_folders.get(folder)
        if found is None:
            found = self._year_folders[folder] = bool(_YEAR_FOLDER_RE.fullmatch(folder.rpartition("/")[2]))
        return found

    def _lfolder(self, folder: str) -> int:
        found = self._folder_ids.get(folder)
        if found is None:
            logical = logical_folder(folder)
            found = self._folder_ids[folder] = self.lfolders.setdefault(logical, len(self.lfolders))
        return found

    def _looks_edited(self, m: _Media) -> bool:
        if m.looks_edited is None:
            m.looks_edited = self.edited.looks_edited(m.n)
        return m.looks_edited

    def _pick(self, m: _Media, lookups: list, index: dict, lf: int | None, usable) -> tuple[int, dict] | None:
        """The first lookup that finds usable sidecars: (position, {sidecar: (score, rule)}).

        A lookup finding only weak claims (a cut under a less usual length measure)
        counts only when no later lookup of the rule finds a code-point one:
        "X(1).jpg" is the title "X(1).jpg" before it is a duplicate of a title cut
        to "X" in UTF-16 units. `index` is keyed (space, logical folder, key,
        index), or (space, key, index) when `lf` is None; `usable(sid)` filters the
        sidecars (None: all are)."""
        known = self.known_keys
        fallback = None
        for pos, item in enumerate(lookups):
            best: dict[int, tuple] = {}
            # A list is a group of lookups that count as one (equally good) key.
            for space, key, idx, spelling, weak_lookup in item if type(item) is list else (item,):
                if key not in known:
                    continue
                hits = index.get((space, key, idx) if lf is None else (space, lf, key, idx))
                if not hits:
                    continue
                for sid, claim_spelling, rule, weak_claim in hits:
                    if usable is not None and not usable(sid):
                        continue
                    score = (
                        weak_lookup or weak_claim,  # a cut under a less usual length measure
                        self.s_folder[sid] != m.folder,
                        bool(spelling) and claim_spelling != spelling,
                    )
                    old = best.get(sid)
                    if old is None or score < old[0]:
                        best[sid] = (score, rule)
            if best:
                if any(not score[0] for score, _ in best.values()):
                    return pos, best
                if fallback is None:
                    fallback = pos, best
        return fallback

    def _settle(self, m: _Media, found: dict[int, tuple], how: str, quiet: bool = False) -> tuple[int, tuple, str] | None:
        """One sidecar out of the candidates, or None (recorded as ambiguous)."""
        if len(found) == 1:
            ((sid, (score, rule)),) = found.items()
            return sid, score, rule
        top = min(score for score, _ in found.values())
        sids = sorted(sid for sid, (score, _) in found.items() if score == top)
        if len(sids) == 1:
            return sids[0], top, found[sids[0]][1]
        names = ", ".join(repr(self.sidecars[s].rel) for s in sids)
        contents = {_content(self.sidecars[s]) for s in sids}
        if len(contents) == 1:
            chosen = sids[0]
            if not quiet:
                self.ambiguities.append(
                    f"{m.rel!r} matches {len(sids)} sidecars ({names}) equally well ({how}); they say the same, "
                    f"so the first by path, {self.sidecars[chosen].rel!r}, was used."
                )
            for other in sids[1:]:
                self.sidecar_reason.setdefault(
                    other, f"duplicate: {self.sidecars[chosen].rel!r} describes the same media {m.rel!r} and was used"
                )
            self.duplicates[(id(m), chosen)] = sids[1:]
            return chosen, top, found[chosen][1]
        self.ambiguities.append(
            f"{m.rel!r} matches {len(sids)} sidecars ({names}) equally well ({how}) and they differ; "
            "it was left without a sidecar rather than given a guessed date."
        )
        m.reason = f"ambiguous: {len(sids)} sidecars match equally well ({names})"
        for s in sids:
            self.sidecar_reason.setdefault(s, f"ambiguous: one of {len(sids)} sidecars matching {m.rel!r} equally well")
        return None

    # -- same-folder rules -------------------------------------------------

    def run_rules(self) -> None:
        pending = list(range(len(self.media)))
        taken = self.taken

        def not_taken(sid: int) -> bool:
            return sid not in taken

        # Sidecars per logical folder, and those no primary rule has given yet: a
        # folder without any (an album of copies) needs no lookups at all.
        in_folder = Counter(self.s_lfolder)
        free = self.free_in_folder = Counter(self.s_lfolder)
        for rule in RULES:
            if not pending:
                break
            chosen: dict[int, tuple[int, tuple, str]] = {}
            done: set[int] = set()
            left = in_folder if rule.shared else free
            how = f"rule {rule.name}"
            own_name = rule.name != "name"  # the "name" rule records the claim's own rule
            usable = None if rule.shared else not_taken
            lookups_of, media, edited, index, pick = rule.lookups, self.media, self.edited, self.index, self._pick
            for mid in pending:
                m = media[mid]
                if not left[m.lfolder]:
                    continue
                lookups = lookups_of(m.n, edited)
                if not lookups:
                    continue
                got = pick(m, lookups, index, m.lfolder, usable)
                if got is None:
                    continue
                pos, found = got
                settled = self._settle(m, found, how)
                if settled is None:
                    done.add(mid)
                    continue
                sid, score, claim_rule = settled
                chosen[mid] = (sid, (pos, *score), rule.name if own_name else claim_rule)
            if rule.shared:
                for mid, (sid, _, name) in chosen.items():
                    self.paired[mid] = (sid, name)
                    done.add(mid)
            else:
                self._give_primary(chosen, done, rule.name)
            pending = [mid for mid in pending if mid not in done]

    def _give_primary(self, chosen: dict[int, tuple], done: set[int], rule_name: str) -> None:
        by_sidecar: dict[int, list[int]] = defaultdict(list)
        for mid, (sid, _, _) in chosen.items():
            by_sidecar[sid].append(mid)
        for sid, mids in by_sidecar.items():
            if len(mids) == 1:
                winners = mids
            else:
                def rank(mid: int) -> tuple:
                    m = self.media[mid]
                    return (*chosen[mid][1], self._looks_edited(m), m.n.ext in VIDEO_EXTENSIONS)

                best = min(rank(mid) for mid in mids)
                winners = [mid for mid in mids if rank(mid) == best]
                if len(winners) > 1:
                    names = ", ".join(repr(self.media[w].rel) for w in winners)
                    self.ambiguities.append(
                        f"{len(winners)} files ({names}) match sidecar {self.sidecars[sid].rel!r} equally well "
                        f"(rule {rule_name}); none of them was given it."
                    )
                    for w in winners:
                        self.media[w].reason = (
                            f"ambiguous: {len(winners)} files match sidecar {self.sidecars[sid].rel!r} equally well"
                        )
                        done.add(w)
                    self.sidecar_reason.setdefault(sid, f"ambiguous: {len(winners)} files match it equally well")
                    continue
                for mid in mids:
                    if mid != winners[0]:
                        self.lost.append((mid, sid, winners[0]))
            mid = winners[0]
            self.paired[mid] = (sid, chosen[mid][2])
            # The sidecar, and its identical duplicates (which describe the same media), are used up.
            used = (sid, *self.duplicates.get((id(self.media[mid]), sid), ())) if self.duplicates else (sid,)
            for u in used:
                if u not in self.taken:
                    self.taken.add(u)
                    self.free_in_folder[self.s_lfolder[u]] -= 1
            done.add(mid)

    # -- across folders ----------------------------------------------------

    def run_cross_folder(self) -> None:
        left = [mid for mid in range(len(self.media)) if mid not in self.paired and self.media[mid].reason is None]
        if not left:
            return
        new_pairs: dict[int, tuple[int, str]] = {}
        rest = self._cross_folder_copies(left, new_pairs)
        if rest:
            self._cross_folder_names(rest, new_pairs)
        self.paired.update(new_pairs)

    def _cross_folder_copies(self, left: list[int], new_pairs: dict) -> list[int]:
        """Evidence 1: a same-named, same-sized media paired in another folder. Returns the rest."""
        wanted = {(self.media[mid].n.key, self.media[mid].size) for mid in left}
        by_name_size: dict[tuple[str, int], list[int]] = defaultdict(list)
        for mid in self.paired:
            m = self.media[mid]
            if (m.n.key, m.size) in wanted:
                by_name_size[(m.n.key, m.size)].append(mid)
        rest = []
        for mid in left:
            m = self.media[mid]
            copies = [c for c in by_name_size.get((m.n.key, m.size), ()) if self.media[c].folder != m.folder]
            if not copies:
                rest.append(mid)
                continue
            found = {self.paired[c][0]: ((False, False, False), "cross-folder") for c in copies}
            settled = self._settle(m, found, "same-named, same-sized copies in other folders", quiet=True)
            if settled is not None:
                new_pairs[mid] = (settled[0], "cross-folder")
        return rest

    def _cross_folder_names(self, rest: list[int], new_pairs: dict) -> None:
        """Evidence 2: the rules, run against every other folder, find exactly one sidecar."""
        lookups_of: dict[int, list[tuple[Rule, list]]] = {}
        names: set[str] = set()
        for mid in rest:
            n = self.media[mid].n
            per_rule = [(rule, rule.lookups(n, self.edited)) for rule in RULES]
            lookups_of[mid] = per_rule
            for _, lookups in per_rule:
                for item in lookups:
                    if type(item) is list:
                        names.update([lk[1] for lk in item])
                    else:
                        names.add(item[1])
        names &= self.known_keys
        # The claims of those names, in every folder; strings cache their hash, so this is cheap.
        glob: dict[Key, list[tuple]] = defaultdict(list)
        for sid, claims in enumerate(self.claims):
            for space, key, idx, spelling, rule, weak in claims:
                if key in names:
                    glob[(space, key, idx)].append((sid, spelling, rule, weak))
        hit_sidecars = {sid for hits in glob.values() for sid, *_ in hits}
        paired_names: dict[int, set[tuple[str, int]]] = defaultdict(set)  # sidecar -> (name, size) of its media
        for mid, (sid, _) in self.paired.items():
            if sid in hit_sidecars:
                paired_names[sid].add((self.media[mid].n.key, self.media[mid].size))

        claimed: dict[int, list[int]] = defaultdict(list)
        for mid in rest:
            m = self.media[mid]
            m_year = self._is_year_folder(m.folder)

            def usable(sid: int, m=m, m_year=m_year) -> bool:
                if self.s_lfolder[sid] == m.lfolder:
                    return False
                if m_year and self._is_year_folder(self.s_folder[sid]):
                    return False  # two different years: not the same photo
                # A sidecar whose paired media has this name but another size is another photo.
                return not any(k == m.n.key and size != m.size for k, size in paired_names.get(sid, ()))

            for rule, lookups in lookups_of[mid]:
                got = self._pick(m, lookups, glob, None, usable)
                if got is None:
                    continue
                # Folders say nothing here: every candidate is in another one.
                found = {sid: ((score[0], False, False), r) for sid, (score, r) in got[1].items()}
                settled = self._settle(m, found, f"rule {rule.name} across folders")
                if settled is not None:
                    claimed[settled[0]].append(mid)
                break
        for sid, mids in claimed.items():
            sizes: dict[str, set[int]] = defaultdict(set)
            for mid in mids:
                sizes[self.media[mid].n.key].add(self.media[mid].size)
            for mid in mids:
                m = self.media[mid]
                if len(sizes[m.n.key]) > 1:
                    self.ambiguities.append(
                        f"{m.rel!r} and other files of the same name but other sizes all match only "
                        f"{self.sidecars[sid].rel!r}, in another folder; none of them was given it."
                    )
                    m.reason = f"ambiguous: files of this name with different sizes match {self.sidecars[sid].rel!r}"
                else:
                    new_pairs[mid] = (sid, "cross-folder-name")

    # -- result ------------------------------------------------------------

    def _cut_copy_unsure(self, m: _Media) -> str | None:
        """The reason a numbered copy of a cut name was left unpaired by rule cut-copy, if it was."""
        originals = self.edited.cut_copy_originals(m.n)
        if not originals or _lookups_cut_copy(m.n, self.edited):
            return None
        original = originals[0].name
        self.ambiguities.append(
            f"{m.rel!r} is a numbered copy of {original!r}, whose name was cut at the length limit, but the title "
            "was uploaded more than once: it may belong to any of the uploads, so it was left without a sidecar."
        )
        return f"ambiguous: a numbered copy of {original!r}, a title uploaded more than once"

    def result(self) -> MatchResult:
        out = MatchResult()
        used: set[int] = set()
        for mid, m in enumerate(self.media):
            got = self.paired.get(mid)
            if got is None:
                out.unpaired_media[m.rel] = m.reason or self._cut_copy_unsure(m) or (
                    "no sidecar matches its name in its folder, nor unambiguously in another folder"
                )
            else:
                sid, rule = got
                used.add(sid)
                out.pairs[m.rel] = Pair(m.rel, self.sidecars[sid].rel, rule)
        for loser, sid, winner in self.lost:
            if self.paired.get(loser, (None,))[0] != sid:
                self.ambiguities.append(
                    f"{self.media[loser].rel!r} and {self.media[winner].rel!r} could both take sidecar "
                    f"{self.sidecars[sid].rel!r}; it went to {self.media[winner].rel!r}, the closer match."
                )
        for sid, sc in enumerate(self.sidecars):
            if sid not in used:
                out.unpaired_sidecars[sc.rel] = self.sidecar_reason.get(
                    sid, "no media file matches its name or title (the media may be missing from the export)"
                )
        out.ambiguities = self.ambiguities
        return out


def match(
    media: Sequence[MediaEntry], sidecars: Sequence[Sidecar], suffixes: Sequence[str] = DEFAULT_SUFFIXES
) -> MatchResult:
    """Pair every media file with at most one sidecar; see the module docstring for the rules."""
    # Millions of small tuples, none of them cyclic: the cyclic collector would
    # only spend seconds walking them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        matcher = _Matcher(media, sidecars, suffixes)
        matcher.run_rules()
        matcher.run_cross_folder()
        return matcher.result()
    finally:
        if collecting:
            gc.enable()
