"""Property: whatever the titles, Google's naming of them comes back paired correctly.

A small model of how Google names files in a Takeout lives here, written from
the publicly known facts and independent of pef:

* the media file is named after the title, its stem (the part before the
  extension, as `os.path.splitext` sees it) cut to 47 characters;
* two media that would get the same name in a folder: the later one gets
  "(1)", "(2)"... before the extension;
* the sidecar is the title plus ".json" (older exports) or plus
  ".supplemental-metadata.json" (newer ones), the part before ".json" cut to 46
  characters, so the supplemental suffix is shortened first and long titles
  lose their own end; the duplicate index goes just before ".json";
* an edited copy is the media name with "-edited" after its stem and shares
  the original's sidecar;
* a split export may put a media file in "Takeout 2" and its sidecar in "Takeout";
* a title without a media extension ("2013-08-22") may be exported with one
  added ("2013-08-22.png"), and a media may lose its extension: so a sidecar
  whose media is missing cannot be told from that of a media named like its
  title give or take an extension, and such layouts are left out.

The matcher must give every media its own sidecar, and leave the sidecars whose
media is missing unpaired.
"""

from __future__ import annotations

import os
import re
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pef.matching import MEDIA_EXTENSIONS, match
from pef.scan import MediaEntry
from pef.sidecar import Sidecar

FOLDER = "Takeout/Google Photos/Photos from 2020"
FOLDER2 = "Takeout 2/Google Photos/Photos from 2020"


# ---------------------------------------------------------------------------
# The naming model
# ---------------------------------------------------------------------------


def g_media_name(title: str, index: int = 0) -> str:
    stem, ext = os.path.splitext(title)
    return stem[:47] + (f"({index})" if index else "") + ext


def g_sidecar_name(title: str, supplemental: bool, index: int = 0) -> str:
    base = title + ".supplemental-metadata" if supplemental else title
    return base[:46] + (f"({index})" if index else "") + ".json"


def g_edited_name(media_name: str) -> str:
    stem, ext = os.path.splitext(media_name)
    return stem + "-edited" + ext


def g_same(a: str, b: str) -> bool:
    """Two names Google would see as the same in one folder."""
    return unicodedata.normalize("NFC", a).casefold() == unicodedata.normalize("NFC", b).casefold()


def g_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _twins(title: str, media: str) -> bool:
    """Whether a media file could as well be the missing media of this title: Google
    adds an extension to a title without one, and a media may lose its own."""
    t_stem, t_ext = os.path.splitext(title)
    m_stem, m_ext = os.path.splitext(media)
    if t_ext[1:].lower() not in MEDIA_EXTENSIONS and g_key(m_stem) == g_key(title):
        return True
    return not m_ext and g_key(t_stem) == g_key(media)


def layout(titles, supplemental, orphans, edited, split_parts):
    """Name every item like Google does: (media entries, sidecars, expected pairs, orphan sidecars)."""
    media_names: set[str] = set()
    sidecar_names: set[str] = set()
    items = []
    for n, title in enumerate(titles):
        index = 0
        while g_key(g_media_name(title, index)) in media_names:
            index += 1
        media = g_media_name(title, index)
        sidecar = g_sidecar_name(title, supplemental, index)
        if g_key(sidecar) in sidecar_names:
            continue  # Google's handling of two titles alike in their first 46 characters is unknown
        media_names.add(g_key(media))
        sidecar_names.add(g_key(sidecar))
        items.append((title, media, sidecar, n))
    entries, sidecars, want, orphan_sidecars = [], [], {}, set()
    for title, media, sidecar, n in items:
        folder = FOLDER2 if split_parts[n % len(split_parts)] else FOLDER
        sidecar_rel = f"{FOLDER}/{sidecar}"
        sidecars.append(Sidecar(sidecar_rel, title, 1_500_000_000 + n))
        if orphans[n % len(orphans)]:
            orphan_sidecars.add(sidecar_rel)
            continue
        entries.append(MediaEntry(f"{folder}/{media}", 1000 + n, 0))
        want[f"{folder}/{media}"] = sidecar_rel
        if edited[n % len(edited)]:
            copy = g_edited_name(media)
            if g_key(copy) not in media_names:
                media_names.add(g_key(copy))
                entries.append(MediaEntry(f"{folder}/{copy}", 5000 + n, 0))
                want[f"{folder}/{copy}"] = sidecar_rel
    return entries, sidecars, want, orphan_sidecars


# ---------------------------------------------------------------------------
# Titles
# ---------------------------------------------------------------------------

_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00")
# Even lone surrogates: no file system gives them to pef, but match() must not care.
_any_chars = st.characters(blacklist_categories=(), blacklist_characters="/\x00")
_base = st.one_of(
    st.text(_chars, min_size=1, max_size=110),
    st.text(_any_chars, min_size=1, max_size=60),
    st.text(st.sampled_from("abcXYZ_ -.()0123456789"), min_size=1, max_size=110),
    st.text(st.sampled_from("日本語写真é🎉🏖️\u00a0\u200f"), min_size=1, max_size=60),
)
_endings = st.sampled_from(
    ["", "", "(1)", "(2)", "-edited", "-bearbeitet", ".supplemental-metadata", ".supplemental-met", ".s",
     ".suppl", "~2", " (copy)", ".", "..", ".MP", "[1]", " ", ".json"]
)
_exts = st.sampled_from([".jpg", ".JPG", ".jpeg", ".heic", ".HEIC", ".mp4", ".MOV", ".png", "", ".tar.gz", ".MP~2",
                         ".gif", ".Jpg"])


def _plausible(title: str) -> bool:
    # A title whose "extension" ends in a duplicate index ("0.(1)", "0.0(1)") has no
    # single Google naming: the index would go before an extension that holds one.
    return title.strip() != "" and re.search(r"\(\d+\)\Z", os.path.splitext(title)[1]) is None


titles = st.builds(lambda b, e, x: (b + e + x)[-120:], _base, _endings, _exts).filter(_plausible)


def _check(titles_, supplemental, orphans, edited, split_parts):
    entries, sidecars, want, orphan_sidecars = layout(titles_, supplemental, orphans, edited, split_parts)
    assume(entries)
    orphan_titles = [s.title for s in sidecars if s.rel in orphan_sidecars]
    assume(not any(_twins(t, e.rel.rpartition("/")[2]) for t in orphan_titles for e in entries))
    result = match(entries, sidecars)
    got = {m: p.sidecar for m, p in result.pairs.items()}
    assert got == want, result.ambiguities
    assert set(result.unpaired_media) == set()
    assert set(result.unpaired_sidecars) == orphan_sidecars


# PEF_PROPERTY_EXAMPLES scales the example counts (see conftest.py).
_settings = settings(
    max_examples=max(1, int(400 * float(os.environ.get("PEF_PROPERTY_EXAMPLES", "1")))),
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@_settings
@given(
    titles_=st.lists(titles, min_size=1, max_size=6),
    supplemental=st.booleans(),
    orphans=st.lists(st.booleans(), min_size=1, max_size=6),
    edited=st.lists(st.booleans(), min_size=1, max_size=6),
    split_parts=st.lists(st.booleans(), min_size=1, max_size=6),
)
@example(["Family reunion at grandma's house, summer afternoon 2016.jpg"], False, [False], [True], [False])
@example(["Coucher de soleil sur le vieux port avec toute la famille, été 2022.jpg"] * 3, True, [False], [True],
         [False, True])
@example(["IMG.jpg", "IMG.jpg", "IMG(1).jpg"], True, [False], [True], [False])
@example(["a" * 46 + "b.jpg", "a" * 46 + "bc.jpg"], False, [False], [False], [False])
# "0-edited.jpg" is 0.jpg's edited copy, not the missing "0-edited.jpeg" under another extension.
@example(["0.jpg", "0-edited.jpeg"], False, [False, True], [True], [False])
# Titles told apart only by a space and a no-break space: so are their edited copies.
@example([" .jpg", "\xa0.jpg"], False, [False], [True], [False])
def test_google_naming_pairs_back(titles_, supplemental, orphans, edited, split_parts):
    _check(titles_, supplemental, orphans, edited, split_parts)


@_settings
@given(title=titles, supplemental=st.booleans(), copies=st.integers(1, 4))
# A title ending in "(1)", cut to "X" when counted in UTF-16 units: "X(1).jpg" is that title, not X's duplicate.
@example("0" * 33 + "\u05d0\u05b7" + "\U00010000" * 6 + "(1).jpg", False, 2)
def test_duplicates_of_one_title(title, supplemental, copies):
    """The same title uploaded several times: IMG.jpg, IMG(1).jpg, IMG(2).jpg..."""
    _check([title] * copies, supplemental, [False], [False], [False])


@_settings
@given(title=titles, supplemental=st.booleans())
# Cut to "0000...\x80" in UTF-8 bytes, "X(1).json" would be the sidecar of X's duplicate (1); in code points it is X(1)'s.
@example("00000000" + "\x80" * 5 + "\U00010000" * 7 + "(1)", False)
def test_orphan_sidecar_goes_to_nobody(title, supplemental):
    """Only the sidecar of a title is there, next to an unrelated file: nothing is paired."""
    sidecar = Sidecar(f"{FOLDER}/{g_sidecar_name(title, supplemental)}", title, 1_500_000_000)
    other = MediaEntry(f"{FOLDER}/{g_media_name(title, 1)}", 10, 0)  # a duplicate's name, no sidecar of its own
    result = match([other], [sidecar])
    assert result.pairs == {}


@_settings
@given(
    prefix=st.text(st.sampled_from("ab Ωé日🎉._-()"), min_size=38, max_size=60),
    tails=st.lists(st.tuples(st.text(st.sampled_from("xy(1)-.é🎉"), max_size=6), _exts), min_size=2, max_size=6),
    supplemental=st.booleans(),
    orphans=st.lists(st.booleans(), min_size=1, max_size=4),
    edited=st.lists(st.booleans(), min_size=1, max_size=4),
)
def test_titles_sharing_a_long_prefix(prefix, tails, supplemental, orphans, edited):
    """Titles alike up to and beyond the cut: only the title and the index can tell them apart."""
    titles_ = [prefix + tail + ext for tail, ext in tails]
    assume(all(t.strip() for t in titles_))
    _check(titles_, supplemental, orphans, edited, [False])


@_settings
@given(
    shots=st.lists(st.integers(0, 999_999_999), min_size=1, max_size=4, unique=True),
    tildes=st.lists(st.sets(st.integers(2, 5), max_size=3), min_size=1, max_size=4),
    kind=st.sampled_from(["MP", "MV"]),
    mvimg=st.lists(st.booleans(), min_size=1, max_size=4),
    supplemental=st.booleans(),
)
def test_motion_photo_video_halves_follow_their_photo(shots, tildes, kind, mvimg, supplemental):
    """Every motion photo's video half takes its own photo's sidecar: a Pixel photo
    "PXL_x.MP.jpg" and its tilde copies "PXL_x.MP~2.jpg"... with videos "PXL_x.MP",
    "PXL_x.MP~2"..., or an older "MVIMG_x.jpg" with a video "MVIMG_x" without extension."""
    entries, sidecars, want = [], [], {}
    for n, shot in enumerate(shots):
        if mvimg[n % len(mvimg)]:
            halves = [(f"MVIMG_20190704_{shot:09d}.jpg", f"MVIMG_20190704_{shot:09d}")]
        else:
            stem = f"PXL_20230311_{shot:09d}.{kind}"
            halves = [(f"{stem}{t}.jpg", f"{stem}{t}") for t in ["", *(f"~{k}" for k in sorted(tildes[n % len(tildes)]))]]
        for k, (photo, video) in enumerate(halves):
            sidecar = f"{FOLDER}/{g_sidecar_name(photo, supplemental)}"
            sidecars.append(Sidecar(sidecar, photo, 1_500_000_000 + 100 * n + k))
            for name, size in ((photo, 1000), (video, 2000)):
                entries.append(MediaEntry(f"{FOLDER}/{name}", size + 100 * n + k, 0))
                want[f"{FOLDER}/{name}"] = sidecar
    result = match(entries, sidecars)
    assert {m: p.sidecar for m, p in result.pairs.items()} == want, result.ambiguities
    assert {p.rule for m, p in result.pairs.items() if not m.endswith(".jpg")} == {"live-photo"}


_LOCAL_SUFFIXES = ["-edited", "-bearbeitet", "-edytowane", "-modifié", "-編集済み"]


def g_edited_copy_name(title: str, suffix: str, index: int = 0) -> str:
    """Google's edited copy: the title's stem and the localised suffix, cut to 47
    together (so a long stem loses the suffix's end, or all of it), then the upload's index."""
    stem, ext = os.path.splitext(title)
    return (stem + suffix)[:47] + (f"({index})" if index else "") + ext


@_settings
@given(
    titles_=st.lists(titles, min_size=1, max_size=4),
    uploads=st.lists(st.integers(1, 3), min_size=1, max_size=4),
    edits=st.lists(st.booleans(), min_size=1, max_size=6),
    suffix=st.sampled_from(_LOCAL_SUFFIXES),
    supplemental=st.booleans(),
)
@example(["Scan0-12-07(1).jpg"], [2], [True], "-bearbeitet", True)
@example(["original_1d4caa6f-16c6-4c3d-901b-9387de10e528_PXL_20230101_120000000.jpg"], [1], [True], "-edited", False)
@example(["Sommerurlaub an der Ostsee mit der ganzen Familie.jpg"], [2], [True], "-edytowane", True)
def test_edited_copies_with_cut_suffixes(titles_, uploads, edits, suffix, supplemental):
    """Every upload of every title, and its edited copy named as Google names it: the
    suffix cut by the 47-character limit, or cut away and the copy numbered instead
    (then the copy of a title uploaded once shares its sidecar)."""
    media_keys: set[str] = set()
    sidecar_keys: set[str] = set()
    uploads_of: dict[str, list[tuple[str, str, int]]] = {}
    for n, title in enumerate(titles_):
        for _ in range(uploads[n % len(uploads)]):
            index = 0
            while g_key(g_media_name(title, index)) in media_keys:
                index += 1
            media, sidecar = g_media_name(title, index), g_sidecar_name(title, supplemental, index)
            if g_key(sidecar) in sidecar_keys:
                continue  # two titles alike in their first 46 characters: not modelled
            media_keys.add(g_key(media))
            sidecar_keys.add(g_key(sidecar))
            uploads_of.setdefault(title, []).append((media, sidecar, index))
    entries, sidecars, want = [], [], {}
    k = 0
    for title, ups in uploads_of.items():
        for media, sidecar, index in ups:
            k += 1
            rel = f"{FOLDER}/{sidecar}"
            sidecars.append(Sidecar(rel, title, 1_500_000_000 + k))
            entries.append(MediaEntry(f"{FOLDER}/{media}", 1000 + k, 0))
            want[f"{FOLDER}/{media}"] = rel
            if not edits[k % len(edits)]:
                continue
            copy = g_edited_copy_name(title, suffix, index)
            if g_key(copy) == g_key(media) and len(ups) == 1:
                copy = g_media_name(title, 1)  # the suffix was cut away: Google numbers the copy
            if g_key(copy) in media_keys:
                continue  # a numbered copy of a title uploaded more than once: whose it is is unknowable
            media_keys.add(g_key(copy))
            entries.append(MediaEntry(f"{FOLDER}/{copy}", 5000 + k, 0))
            want[f"{FOLDER}/{copy}"] = rel
    result = match(entries, sidecars)
    assert {m: p.sidecar for m, p in result.pairs.items()} == want, result.ambiguities
    assert result.unpaired_sidecars == {}


# Whole symbols of 1 to 8 UTF-16 units: plain letters, emoji, emoji with a variation
# selector, a skin tone, joined by zero-width joiners, flags, keycaps, accented letters.
_SYMBOLS = [
    "a", "Z", " ", "_", "é", "日", "🎉", "🐶", "❤️", "☀️", "☺️", "🏖️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "#️⃣", "🧔‍♂", "e\u0301",
]


def _units16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def g_symbol_cut(symbols: list[str], limit: int) -> str:
    """Google's cut of a name: UTF-16 units, the symbol the limit falls in kept whole."""
    out, used = [], 0
    for sym in symbols:
        if used >= limit:
            break
        out.append(sym)
        used += _units16(sym)
    return "".join(out)


@_settings
@given(
    names_=st.lists(st.lists(st.sampled_from(_SYMBOLS), min_size=15, max_size=70), min_size=1, max_size=3),
    ext=st.sampled_from([".jpg", ".HEIC", ".mp4", ".png"]),
    copies=st.integers(1, 3),
    supplemental=st.booleans(),
)
@example([["😀"] * 9 + ["☺️"] + ["😊"] * 13 + ["😛"] * 30], ".jpg", 1, False)
@example([["🎉"] * 23 + ["🏖️"] + ["🎉"] * 20, ["🎉"] * 23 + ["🏖"] + ["🎉"] * 20], ".jpg", 2, True)
def test_long_names_of_multi_unit_symbols(names_, ext, copies, supplemental):
    """Titles of symbols of several code points and UTF-16 units, each uploaded one or
    more times, named as real exports name them: cut in UTF-16 units at 47 (media stem)
    and 46 (sidecar), the symbol the limit falls in kept whole."""
    media_keys: set[str] = set()
    sidecar_keys: set[str] = set()
    entries, sidecars, want = [], [], {}
    for n, symbols in enumerate(names_):
        title = "".join(symbols) + ext
        if not "".join(symbols).strip():
            continue
        body = symbols + list(ext + (".supplemental-metadata" if supplemental else ""))
        for _ in range(copies):
            index = 0
            while g_key(g_symbol_cut(symbols, 47) + (f"({index})" if index else "") + ext) in media_keys:
                index += 1
            tag = f"({index})" if index else ""
            media, sidecar = g_symbol_cut(symbols, 47) + tag + ext, g_symbol_cut(body, 46) + tag + ".json"
            if g_key(sidecar) in sidecar_keys:
                continue  # titles alike in their first 46 units: not modelled
            media_keys.add(g_key(media))
            sidecar_keys.add(g_key(sidecar))
            sidecars.append(Sidecar(f"{FOLDER}/{sidecar}", title, 1_500_000_000 + len(sidecars)))
            entries.append(MediaEntry(f"{FOLDER}/{media}", 1000 + len(entries), 0))
            want[f"{FOLDER}/{media}"] = f"{FOLDER}/{sidecar}"
    assume(entries)
    result = match(entries, sidecars)
    assert {m: p.sidecar for m, p in result.pairs.items()} == want, result.ambiguities
    assert result.unpaired_sidecars == {}
