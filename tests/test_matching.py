"""Unit tests of the matcher's pieces, its determinism and its speed."""

from __future__ import annotations

import random
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pef import names
from pef import matching as matching_module
from pef.matching import (
    DEFAULT_SUFFIXES,
    EDITED_SUFFIXES,
    RULES,
    EditedSuffixes,
    MatchResult,
    MediaName,
    Pair,
    logical_folder,
    match,
    sidecar_claims,
)
from pef.scan import MediaEntry
from pef.sidecar import Sidecar

F = "Takeout/Google Photos/Photos from 2020"


def m(rel, size=100):
    return MediaEntry(rel if "/" in rel else f"{F}/{rel}", size, 0)


def s(rel, title, taken=1_562_675_400):
    return Sidecar(rel if "/" in rel else f"{F}/{rel}", title, taken)


def pairs_of(result: MatchResult) -> dict[str, str]:
    return {k.rsplit("/", 1)[1]: v.sidecar.rsplit("/", 1)[1] for k, v in result.pairs.items()}


# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------


def test_fold_normalises_case_nfc_spaces_and_marks():
    assert names.fold("IMG_1.JPG") == "img_1.jpg"
    assert names.fold(unicodedata.normalize("NFD", "Été.jpg")) == "été.jpg"
    assert names.fold("a\u00a0b\u202fc\u3000d.jpg") == "a b c d.jpg"
    assert names.fold("\u200fשלום\u200e.jpg") == "שלום.jpg"
    assert names.fold("👨‍👩‍👧.jpg") == "👨‍👩‍👧.jpg"  # the joiners inside an emoji stay


def test_spaced_keeps_one_character_per_character():
    text = "a\u00a0b\u2009c.jpg"
    assert names.spaced(text) == "a b c.jpg" and len(names.spaced(text)) == len(text)


@pytest.mark.parametrize(
    "name, stem, ext",
    [
        ("IMG_1.jpg", "IMG_1", ".jpg"),
        ("photo", "photo", ""),
        (".hidden", ".hidden", ""),
        ("a.b.c.jpg", "a.b.c", ".jpg"),
        ("PXL_1.MP~2", "PXL_1", ".MP~2"),
        ("abc.", "abc", "."),
        ("..jpg", "..jpg", ""),
        ("Mr. Smith", "Mr", ". Smith"),
    ],
)
def test_split_ext(name, stem, ext):
    assert names.split_ext(name) == (stem, ext)


@pytest.mark.parametrize(
    "stem, want",
    [("IMG(1)", ("IMG", 1)), ("IMG(12)", ("IMG", 12)), ("IMG", ("IMG", 0)), ("(1)", ("(1)", 0)),
     ("IMG (copy)", ("IMG (copy)", 0)), ("IMG(1)-edited", ("IMG(1)-edited", 0))],
)
def test_split_index(stem, want):
    assert names.split_index(stem) == want


def test_cuts_ascii_only_when_longer():
    assert names.cuts("a" * 46, 46) == []
    assert names.cuts("a" * 50, 46) == [("a" * 46, False)]


def test_cuts_emoji_utf16_never_splits_a_pair():
    text = "x" * 45 + "🎉" + "yy"
    found = dict(names.cuts(text, 46))
    assert found["x" * 45 + "🎉"] is False  # code points
    assert found["x" * 45] is True  # UTF-16: the pair does not fit in 46 units


def test_cuts_cjk_utf8_bytes():
    text = "東" * 30
    found = dict(names.cuts(text, 46))
    assert found["東" * 15] is True  # 45 bytes


def test_reaches():
    assert names.reaches("a" * 46, 46)
    assert not names.reaches("a" * 45, 46)
    assert names.reaches("x" * 45, 46) is False
    assert names.reaches("x" * 44 + "é", 46)  # 46 UTF-8 bytes
    assert names.reaches("東" * 15, 46)  # 45 UTF-8 bytes: the next one would not fit


@pytest.mark.parametrize(
    "text, want",
    [("ab", ["a", "b"]), ("☺️x", ["☺️", "x"]), ("👍🏽👍", ["👍🏽", "👍"]), ("👨‍👩‍👧🐶", ["👨‍👩‍👧", "🐶"]),
     ("🇫🇷🇩🇪", ["🇫🇷", "🇩🇪"]), ("#️⃣1", ["#️⃣", "1"]), (unicodedata.normalize("NFD", "Été"), ["E\u0301", "t", "e\u0301"]),
     ("\u200dx", ["\u200dx"])],
)
def test_symbols(text, want):
    assert names.symbols(text) == want


def test_cuts_keep_the_symbol_the_limit_falls_in():
    text = "🎉" * 23 + "🏖️" + "🎉" * 5  # the 47th UTF-16 unit falls in the beach's first half
    found = dict(names.cuts(text, 47))
    assert found["🎉" * 23 + "🏖️"] is True  # the symbol kept whole: 49 units
    assert found["🎉" * 23 + "🏖"] is True  # the code point kept, its variation selector not: 48 units
    assert found["🎉" * 23] is True  # dropped: 46 units
    assert names.reaches("🎉" * 23 + "🏖️", 47) and names.reaches("🎉" * 23 + "🏖", 47)
    assert not names.reaches("🎉" * 24 + "🏖️", 47)  # 50 units: the cut would have stopped before the beach


# (title, media name, sidecar name, sidecar is supplemental) as found in real exports, in
# peers' issue threads: immich-go 35 and 613, GooglePhotosTakeoutHelper 8, memories 1559.
REAL_LONG_NAMES = [
    ("😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛😝😜🤪🤨🧐🤓😎🥸🤩🥳😏😒😞😔😟😕🙁☹️😣😖😫😩🥺😢😭😤😠😡🤬🤯😳🥵🥶.jpg",
     "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋😛.jpg", "😀😃😄😁😆😅😂🤣🥲☺️😊😇🙂🙃😉😌😍🥰😘😗😙😚😋.json", False),
    ("PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINAL.jpg", "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGINA.jpg",
     "PXL_20230809_203449253.LONG_EXPOSURE-02.ORIGIN.json", False),
    ("05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg", "05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jpg",
     "05yqt21kruxwwlhhgrwrdyb6chhwszi9bqmzu16w0 2.jp.json", False),
    ("Urlaub in Knaufspesch in der Schneifel (38).JPG", "Urlaub in Knaufspesch in der Schneifel (38).JPG",
     "Urlaub in Knaufspesch in der Schneifel (38).JP.json", False),
    ("13039_327707840323_537645323_9470255_27214_n.jpg", "13039_327707840323_537645323_9470255_27214_n.jpg",
     "13039_327707840323_537645323_9470255_27214_n.j.json", False),
    ("Screenshot_2017-07-05-10-05-26.png", "Screenshot_2017-07-05-10-05-26.png",
     "Screenshot_2017-07-05-10-05-26.png.supplementa.json", True),
    ("Screenshot_20241227_105539_Edge.jpg", "Screenshot_20241227_105539_Edge.jpg",
     "Screenshot_20241227_105539_Edge.jpg.supplement.json", True),
    ("D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg", "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg",
     "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg.supp.json", True),
]


def _units(text):
    return len(text.encode("utf-16-le")) // 2


def _keep_cut(text, limit):
    """UTF-16 units, the symbol the limit falls in kept whole."""
    out, used = "", 0
    for sym in names.symbols(text):
        if used >= limit:
            break
        out, used = out + sym, used + _units(sym)
    return out


@pytest.mark.parametrize("title, media, sidecar, supplemental", REAL_LONG_NAMES)
def test_one_cut_explains_every_real_long_name(title, media, sidecar, supplemental):
    """UTF-16 units with the symbol at the limit kept whole gives every real media name
    (stem at 47) and sidecar name (at 46); pef's matcher tries that cut among the others."""
    stem, ext = names.split_ext(title)
    assert _keep_cut(stem, 47) + ext == media
    body = title + ".supplemental-metadata" if supplemental else title
    assert _keep_cut(body, 46) + ".json" == sidecar
    assert media in dict(names.media_names_for_title(title))
    result = match([m(media)], [s(sidecar, title)])
    assert pairs_of(result) == {media: sidecar}


def test_the_emoji_name_no_other_single_cut_explains():
    title, media, sidecar, _ = REAL_LONG_NAMES[0]
    stem = names.split_ext(title)[0]
    assert stem[:47] + ".jpg" != media  # code points
    assert names._u16_cuts(stem, 47)[0] + ".jpg" != media  # UTF-16, the straddling pair dropped
    assert names._cut_utf8(stem, 47) + ".jpg" != media  # UTF-8
    assert title[:46] + ".json" != sidecar and _keep_cut(title, 46) + ".json" == sidecar


def test_media_names_for_title():
    title = "a" * 60 + ".jpg"
    got = dict(names.media_names_for_title(title))
    assert got == {title: False, "a" * 47 + ".jpg": False}


# ---------------------------------------------------------------------------
# folders and media names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder, logical",
    [
        ("Takeout/Google Photos/Photos from 2020", "Google Photos/Photos from 2020"),
        ("Takeout 2/Google Photos/Photos from 2020", "Google Photos/Photos from 2020"),
        ("Takeout-3/Google Photos/Trip", "Google Photos/Trip"),
        ("takeout-20240101T120000Z-001/Takeout/Google Photos/X", "Google Photos/X"),
        ("exports/takeout (2)/Google Photos/X", "Google Photos/X"),
        ("Google Photos/Takeout memories", "Google Photos/Takeout memories"),
        ("", ""),
    ],
)
def test_logical_folder(folder, logical):
    assert logical_folder(folder) == logical


def test_media_name_keys():
    n = MediaName("IMG_0001(2).JPG")
    assert (n.key, n.key0, n.idx, n.stem0, n.ext) == ("img_0001(2).jpg", "img_0001.jpg", 2, "img_0001", "jpg")
    n = MediaName(unicodedata.normalize("NFD", "Été(1).jpg"))
    assert (n.key0, n.idx) == ("été.jpg", 1)
    n = MediaName("photo")
    assert (n.key, n.ext, n.idx) == ("photo", "", 0)


@pytest.mark.parametrize(
    "name, originals",
    [
        ("IMG-edited.jpg", ["IMG.jpg"]),
        ("IMG-EDITED.JPG", ["IMG.JPG"]),
        ("IMG-bearbeitet.jpg", ["IMG.jpg"]),
        ("IMG-編集済み.jpg", ["IMG.jpg"]),
        ("IMG-edited(1).jpg", ["IMG(1).jpg"]),
        ("IMG(1)-edited.jpg", ["IMG(1).jpg"]),
        ("IMG(1)-edited(1).jpg", ["IMG(1)(1).jpg"]),  # the title "IMG(1).jpg", uploaded twice
        ("IMG.jpg", []),
        ("-edited.jpg", []),
        ("G" * 44 + "-ed.jpg", ["G" * 44 + ".jpg"]),  # cut by the 47-character limit
        ("G" * 43 + "-ed.jpg", []),  # not at the limit: "-ed" is just part of the name
    ],
)
def test_edited_originals(name, originals):
    edited = EditedSuffixes([*EDITED_SUFFIXES, *DEFAULT_SUFFIXES])
    assert [o.name for o in edited.originals(MediaName(name))] == originals


def test_extra_suffixes_are_edited_suffixes():
    edited = EditedSuffixes(["", "-sticker"])
    assert [o.name for o in edited.originals(MediaName("a-sticker.jpg"))] == ["a.jpg"]


# ---------------------------------------------------------------------------
# sidecar readings
# ---------------------------------------------------------------------------


def claim_keys(rel, title, space=None):
    return {(c[0], c[1], c[2], c[4]) for c in sidecar_claims(rel, title) if space is None or c[0] == space}


def test_claims_plain():
    assert ("n", "img.jpg", 0, "exact") in claim_keys("a/IMG.jpg.json", "IMG.jpg")


def test_claims_supplemental_and_index():
    assert claim_keys("a/IMG.jpg.supplemental-metadata(1).json", "IMG.jpg", "n") == {("n", "img.jpg", 1, "index")}


def test_claims_short_supplemental_needs_the_limit_or_the_title():
    assert ("n", "img.jpg", 0, "supplemental") in claim_keys("a/IMG.jpg.s.json", "IMG.jpg")
    assert ("n", "img.jpg", 0, "supplemental") not in claim_keys("a/IMG.jpg.s.json", "Other.jpg")
    title = "x" * 40 + ".jpg"  # 44 + ".s" = 46
    assert ("n", title, 0, "supplemental") in claim_keys(f"a/{title}.s.json", "renamed.png")


def test_claims_literal_index_when_title_says_so():
    keys = claim_keys("a/IMG(1).json", "IMG(1).jpg")
    assert ("nf", "img(1).jpg", 0, "no-extension") in keys
    assert not any(k[2] == 1 for k in keys)


def test_claims_truncated_use_the_title_names():
    title = "a" * 60 + ".jpg"
    keys = claim_keys(f"a/{'a' * 46}.json", title)
    assert ("tf", "a" * 47 + ".jpg", 0, "truncated") in keys
    assert not any(k[0] == "tp" for k in keys)  # the title decides: no prefix guessing


def test_claims_renamed_item_keeps_both_keys():
    keys = claim_keys("a/IMG_1.jpg.json", "Holiday.jpg")
    assert ("n", "img_1.jpg", 0, "exact") in keys and ("T", "holiday.jpg", 0, "title") in keys


def _general_claims(rel, title):
    """sidecar_claims without its fast path for the common names."""
    body = rel.rpartition("/")[2][:-5]
    x_raw, idx = names.split_index(body)
    t = names.fold(title)
    readings = matching_module._readings(x_raw, idx, title, t)
    if idx:  # a final "(N)" is also read as part of the name
        readings += matching_module._readings(body, 0, title, t)
    decides = any(r.agrees for r in readings)
    out: list = []
    for r in readings:
        if r.agrees or (not decides and r.valid):
            matching_module._claims_of(r, title, out)
    if not decides:
        out += [("T", names.fold(e), idx, e, "title", weak) for e, weak in names.media_names_for_title(title)]
    return out


@settings(max_examples=300, deadline=None)
@given(
    stem=st.text(st.sampled_from("aZ_ .()1-é"), min_size=1, max_size=30),
    ext=st.sampled_from([".jpg", ".JPG", ".mp4", ".s", "", ".heic", ".supplemental-metadata"]),
    supplemental=st.booleans(),
    same_title=st.booleans(),
)
def test_fast_path_gives_what_the_general_path_gives(stem, ext, supplemental, same_title):
    name = stem + ext
    rel = f"a/{name}{'.supplemental-metadata' if supplemental else ''}.json"
    title = name if same_title else "other.jpg"
    assert sidecar_claims(rel, title) == _general_claims(rel, title)


def test_rules_order_and_names():
    assert [r.name for r in RULES] == ["name", "truncated", "no-extension", "edited", "extension", "title",
                                       "edited", "edited", "cut-copy", "live-photo"]
    assert [r.shared for r in RULES] == [False, False, False, True, False, False, True, True, True, True]


def test_title_without_extension_takes_a_media_with_one():
    """Google adds an extension to a title that has none, so "0-edited.jpg" is the media of
    the title "0-edited" (rule no-extension) before it is 0.jpg's edited copy."""
    result = match(
        [m("x/0.jpg"), m("x/0-edited.jpg")],
        [s("x/0.jpg.json", "0.jpg"), s("x/0-edited.json", "0-edited")],
    )
    assert {k: (p.sidecar, p.rule) for k, p in result.pairs.items()} == {
        "x/0.jpg": ("x/0.jpg.json", "exact"),
        "x/0-edited.jpg": ("x/0-edited.json", "no-extension"),
    }


def test_edited_copy_before_a_changed_extension():
    """Both sidecars could take "0-edited.jpg"; the original's exact name is the stronger evidence."""
    result = match(
        [m("x/0.jpg"), m("x/0-edited.jpg")],
        [s("x/0.jpg.json", "0.jpg"), s("x/0-edited.jpeg.json", "0-edited.jpeg")],
    )
    assert {k: (p.sidecar, p.rule) for k, p in result.pairs.items()} == {
        "x/0.jpg": ("x/0.jpg.json", "exact"),
        "x/0-edited.jpg": ("x/0.jpg.json", "edited"),
    }
    assert set(result.unpaired_sidecars) == {"x/0-edited.jpeg.json"}


# ---------------------------------------------------------------------------
# match()
# ---------------------------------------------------------------------------


def test_numbered_copy_of_a_cut_title_uploaded_twice_is_left_unpaired_with_its_reason():
    stem = "x" * 47
    title = stem + "yz.jpg"
    result = match(
        [m(f"{stem}.jpg"), m(f"{stem}(1).jpg"), m(f"{stem}(2).jpg")],
        [s("x" * 46 + ".json", title), s("x" * 46 + "(1).json", title)],
    )
    assert pairs_of(result) == {f"{stem}.jpg": "x" * 46 + ".json", f"{stem}(1).jpg": "x" * 46 + "(1).json"}
    assert result.unpaired_media == {f"{F}/{stem}(2).jpg": f"ambiguous: a numbered copy of '{stem}.jpg', a title "
                                                          "uploaded more than once"}
    assert result.ambiguities == [
        f"'{F}/{stem}(2).jpg' is a numbered copy of '{stem}.jpg', whose name was cut at the length limit, but the "
        "title was uploaded more than once: it may belong to any of the uploads, so it was left without a sidecar."
    ]



def test_match_is_pure_no_files_needed():
    result = match([m("/nonexistent/x/IMG.jpg")], [s("/nonexistent/x/IMG.jpg.json", "IMG.jpg")])
    assert result.pairs == {"/nonexistent/x/IMG.jpg": Pair("/nonexistent/x/IMG.jpg", "/nonexistent/x/IMG.jpg.json", "exact")}


def test_every_media_once_and_unused_sidecars_listed():
    media = [m("IMG.jpg"), m("IMG(1).jpg"), m("other.png"), m("IMG-edited.jpg")]
    sidecars = [s("IMG.jpg.json", "IMG.jpg"), s("lost.jpg.json", "lost.jpg")]
    result = match(media, sidecars)
    assert set(result.pairs) | set(result.unpaired_media) == {e.rel for e in media}
    assert not set(result.pairs) & set(result.unpaired_media)
    assert set(result.unpaired_sidecars) == {f"{F}/lost.jpg.json"}
    assert pairs_of(result) == {"IMG.jpg": "IMG.jpg.json", "IMG-edited.jpg": "IMG.jpg.json"}


def test_duplicate_input_rels_counted_once():
    result = match([m("IMG.jpg"), m("IMG.jpg")], [s("IMG.jpg.json", "IMG.jpg")] * 2)
    assert pairs_of(result) == {"IMG.jpg": "IMG.jpg.json"} and result.unpaired_sidecars == {}


def test_ambiguity_is_reported_and_nobody_guesses():
    result = match([m("IMG.jpg"), m("IMG.JPG", 200)], [s("img.jpg.json", "img.jpg")])
    assert result.pairs == {}
    assert len(result.ambiguities) == 1 and "equally well" in result.ambiguities[0]
    assert all("ambiguous" in why for why in result.unpaired_media.values())


def test_loser_of_a_conflict_is_reported():
    result = match([m("IMG.jpg"), m("IMG.JPG", 200)], [s("IMG.jpg.json", "IMG.jpg")])
    assert pairs_of(result) == {"IMG.jpg": "IMG.jpg.json"}
    assert any("IMG.JPG" in a for a in result.ambiguities)


def _tricky_export(seed: int, count: int):
    """Many collisions on purpose: few stems, every naming variant, several folders and parts."""
    rng = random.Random(seed)
    folders = [F, "Takeout 2/Google Photos/Photos from 2020", "Takeout/Google Photos/Trip",
               "Takeout/Google Photos/Photos from 2019"]
    media, sidecars = {}, {}
    for n in range(count):
        folder = rng.choice(folders)
        stem = rng.choice(["IMG_1", "IMG_10", "img_1", "Été", unicodedata.normalize("NFD", "Été"), "x" * 50,
                           "x" * 50 + "y", "PXL_1.MP"])
        ext = rng.choice([".jpg", ".JPG", ".jpeg", ".HEIC", ".MOV", ".mp4", ""])
        title = stem + ext
        kind = rng.randrange(8)
        if kind == 0:
            media[f"{folder}/{stem}{ext}"] = m(f"{folder}/{stem}{ext}", rng.choice([1, 2]))
        elif kind == 1:
            media[f"{folder}/{stem}(1){ext}"] = m(f"{folder}/{stem}(1){ext}", rng.choice([1, 2]))
        elif kind == 2:
            media[f"{folder}/{stem}-edited{ext}"] = m(f"{folder}/{stem}-edited{ext}", 3)
        elif kind == 3:
            rel = f"{folder}/{(title + '.supplemental-metadata')[:46]}.json"
            sidecars[rel] = s(rel, title, rng.randrange(10))
        elif kind == 4:
            rel = f"{folder}/{title[:46]}.json"
            sidecars[rel] = s(rel, title, rng.randrange(10))
        elif kind == 5:
            rel = f"{folder}/{title[:46]}(1).json"
            sidecars[rel] = s(rel, title, rng.randrange(10))
        elif kind == 6:
            rel = f"{folder}/{stem}.json"
            sidecars[rel] = s(rel, rng.choice([title, "renamed.jpg"]), rng.randrange(10))
        else:
            media[f"{folder}/{stem[:47]}{ext}"] = m(f"{folder}/{stem[:47]}{ext}", rng.choice([1, 2]))
    return list(media.values()), list(sidecars.values())


@pytest.mark.parametrize("seed", range(5))
def test_deterministic_whatever_the_input_order(seed):
    media, sidecars = _tricky_export(seed, 400)
    first = match(media, sidecars)
    assert first.ambiguities, "the export is meant to be full of ambiguities"
    rng = random.Random(seed)
    for _ in range(4):
        rng.shuffle(media)
        rng.shuffle(sidecars)
        again = match(list(reversed(media)) if rng.random() < 0.5 else media, sidecars)
        assert again.pairs == first.pairs
        assert again.unpaired_media == first.unpaired_media
        assert again.unpaired_sidecars == first.unpaired_sidecars
        assert again.ambiguities == first.ambiguities
        assert list(again.pairs) == list(first.pairs)


@pytest.mark.parametrize("seed", range(5))
def test_invariants_on_tricky_exports(seed):
    media, sidecars = _tricky_export(seed + 100, 400)
    result = match(media, sidecars)
    rels = {e.rel for e in media}
    assert set(result.pairs) | set(result.unpaired_media) == rels
    assert not set(result.pairs) & set(result.unpaired_media)
    used = {p.sidecar for p in result.pairs.values()}
    assert used | set(result.unpaired_sidecars) == {sc.rel for sc in sidecars}
    assert not used & set(result.unpaired_sidecars)
    for p in result.pairs.values():
        assert p.rule in {"exact", "supplemental", "index", "truncated", "no-extension", "extension", "title",
                          "edited", "cut-copy", "live-photo", "cross-folder", "cross-folder-name"}
        # A "(1)" never meets a sidecar without one, nor the other way round (same-folder name rules).
        if p.rule in ("exact", "supplemental"):
            assert ("(1)" in p.media.rsplit("/", 1)[1]) == ("(1)" in p.sidecar.rsplit("/", 1)[1])


def test_sample_takeout_pairs_as_its_manifest_says(tmp_path):
    """The sample generator's ground truth (another helper's model of Google's naming)."""
    import shutil

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make the sample's videos")
    from pef.sample import generate_takeout
    from pef.sources import Source

    manifest = generate_takeout(tmp_path / "t", photos=60, videos=6, small=True)
    found = Source([tmp_path / "t"]).scan()
    result = match(found.media, found.sidecars)
    assert {m: p.sidecar for m, p in result.pairs.items()} == {m: sc for m, sc in manifest.media.items() if sc}
    assert sorted(result.unpaired_sidecars) == sorted([*manifest.orphan_sidecars, *manifest.album_sidecars])


# ---------------------------------------------------------------------------
# Scale
# ---------------------------------------------------------------------------


def synthetic_export(total: int, seed: int = 1):
    """About `total` entries: year folders in two parts, albums, long names, edits, orphans."""
    rng = random.Random(seed)
    media, sidecars = [], []
    i = 0
    while len(media) + len(sidecars) < total:
        part = "Takeout" if rng.random() < 0.6 else "Takeout 2"
        folder = f"{part}/Google Photos/Photos from {2000 + i % 24}"
        roll = rng.random()
        if roll < 0.6:
            title = f"IMG_{i:06d}.jpg"
        elif roll < 0.75:
            title = f"PXL_{20200101 + i}_{i:09d}.MP.jpg"
        elif roll < 0.85:
            title = f"Holiday photo number {i} of the trip to the mountains with everyone.jpg"
        elif roll < 0.95:
            title = f"VID_{i:06d}.mp4"
        else:
            title = f"IMG_{i:06d}.HEIC"
        media_name = names.split_ext(title)[0][:47] + names.split_ext(title)[1]
        media.append(MediaEntry(f"{folder}/{media_name}", 1000 + i, 0))
        sroll = rng.random()
        if sroll < 0.45:
            sidecars.append(Sidecar(f"{folder}/{title[:46]}.json", title, i))
        elif sroll < 0.9:
            sidecars.append(Sidecar(f"{folder}/{(title + '.supplemental-metadata')[:46]}.json", title, i))
        if rng.random() < 0.08:
            stem, ext = names.split_ext(media_name)
            media.append(MediaEntry(f"{folder}/{stem}-edited{ext}", 7, 0))
        if title.endswith(".HEIC"):
            media.append(MediaEntry(f"{folder}/{names.split_ext(title)[0]}.MOV", 9, 0))
        if rng.random() < 0.1:
            media.append(MediaEntry(f"Takeout/Google Photos/Album {i % 300}/{media_name}", 1000 + i, 0))
        i += 1
    return media, sidecars


def test_scale_300k():
    media, sidecars = synthetic_export(300_000)
    start = time.perf_counter()
    result = match(media, sidecars)
    elapsed = time.perf_counter() - start
    print(f"\nmatched {len(media)} media and {len(sidecars)} sidecars in {elapsed:.2f} s "
          f"({len(result.pairs)} pairs, {len(result.unpaired_media)} unpaired)")
    assert len(result.pairs) + len(result.unpaired_media) == len(media)
    assert len(result.pairs) > 0.8 * len(media)
    assert elapsed < 60
