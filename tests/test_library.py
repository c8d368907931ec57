"""Organising the library: packaging removed, parts merged, special folders, date layouts (pure, exact)."""

from __future__ import annotations

import pytest

from pef.library import LibraryOptions, library_rel, organise, photos_only
from pef.matching import DEFAULT_SUFFIXES, match
from pef.scan import MediaEntry, ScanResult
from pef.sidecar import Geo, OtherJson, Sidecar

T = 1562675400  # 2019-07-09 12:30:00 UTC


@pytest.mark.parametrize("rel, expected", [
    ("Takeout/Google Photos/Photos from 2019/a.jpg", "Photos from 2019/a.jpg"),
    ("Takeout 2/Google Photos/Photos from 2019/a.jpg", "Photos from 2019/a.jpg"),
    ("takeout-20240101T101010Z-001/Takeout/Google Photos/Trip/a.jpg", "Trip/a.jpg"),
    ("Downloads/Takeout/Google Fotos/Fotos von 2019/a.jpg", "Fotos von 2019/a.jpg"),
    ("Takeout/Zdjęcia Google/Zdjęcia z 2019/a.jpg", "Zdjęcia z 2019/a.jpg"),
    ("Google Photos/Photos from 2019/a.jpg", "Photos from 2019/a.jpg"),
    ("Takeout/Drive/report.pdf", None),
    ("Takeout/archive_browser.html", None),
    ("Photos from 2019/a.jpg", "Photos from 2019/a.jpg"),
    # A folder named like the Photos root deeper inside an album is an album's, not packaging.
    ("Takeout/Google Photos/My Album/Google Photos/a.jpg", "My Album/Google Photos/a.jpg"),
])
def test_packaging_is_removed(rel: str, expected: str | None) -> None:
    assert library_rel(rel, is_takeout=True) == expected


def test_a_folder_that_is_not_a_takeout_is_the_root_itself() -> None:
    found = ScanResult(media=[MediaEntry("Takeout/holiday/a.jpg", 1, 0)])
    assert photos_only(found, "source").media == [MediaEntry("Takeout/holiday/a.jpg", 1, 0)]
    assert found.skipped == {}


def _tree(media: dict[str, dict | None], albums: tuple[str, ...] = ()) -> tuple[ScanResult, object]:
    """media rel -> sidecar fields (None: no sidecar); sidecars are named NAME.json beside it."""
    found = ScanResult()
    for rel, fields in media.items():
        found.media.append(MediaEntry(rel, 10, 0))
        if fields is not None:
            name = rel.rpartition("/")[2]
            found.sidecars.append(Sidecar(rel + ".json", name, fields.pop("taken", T), **fields))
    found.other_json = [OtherJson(f"{a}/metadata.json") for a in albums]
    return found, match(found.media, found.sidecars, DEFAULT_SUFFIXES)


def _paths(layout: str, found, matched, **options) -> dict[str, str]:
    places = organise(found, matched, LibraryOptions(layout=layout, **options)).places
    return {rel: p.path for rel, p in places.items()}


ROOT = "Takeout/Google Photos"
ROOT2 = "Takeout 2/Google Photos"


def _export():
    return _tree({
        f"{ROOT}/Photos from 2019/a.jpg": {},
        f"{ROOT2}/Photos from 2019/b.jpg": {"geo": Geo(35.68, 139.76, 0.0)},  # 21:30 in Tokyo
        f"{ROOT}/Trip/a.jpg": {},
        f"{ROOT}/Trash/gone.jpg": {},
        f"{ROOT}/Photos from 2019/binned.jpg": {"trashed": True},
        f"{ROOT}/Photos from 2019/secret.jpg": {"locked": True},
        f"{ROOT}/Photos from 2019/old.jpg": {"archived": True},
        f"{ROOT}/Photos from 2019/hers.jpg": {"partner": True},
        f"{ROOT}/Photos from 2019/IMG_20180102_030405.jpg": {"taken": None},
        f"{ROOT}/Photos from 2019/nodate.jpg": {"taken": None},
        f"{ROOT}/Photos from 2019/orphan.jpg": None,
    }, albums=(f"{ROOT}/Trip",))


def test_source_layout_merges_parts_and_separates_trash_and_locked() -> None:
    found, matched = _export()
    assert _paths("source", found, matched) == {
        f"{ROOT}/Photos from 2019/a.jpg": "Photos from 2019/a.jpg",
        f"{ROOT2}/Photos from 2019/b.jpg": "Photos from 2019/b.jpg",
        f"{ROOT}/Trip/a.jpg": "Trip/a.jpg",
        f"{ROOT}/Trash/gone.jpg": "Trash/gone.jpg",
        f"{ROOT}/Photos from 2019/binned.jpg": "Trash/Photos from 2019/binned.jpg",
        f"{ROOT}/Photos from 2019/secret.jpg": "Locked Folder/Photos from 2019/secret.jpg",
        f"{ROOT}/Photos from 2019/old.jpg": "Photos from 2019/old.jpg",
        f"{ROOT}/Photos from 2019/hers.jpg": "Photos from 2019/hers.jpg",
        f"{ROOT}/Photos from 2019/IMG_20180102_030405.jpg": "Photos from 2019/IMG_20180102_030405.jpg",
        f"{ROOT}/Photos from 2019/nodate.jpg": "Photos from 2019/nodate.jpg",
        f"{ROOT}/Photos from 2019/orphan.jpg": "Unprocessed/Photos from 2019/orphan.jpg",
    }


def test_archive_and_partner_separate_when_asked() -> None:
    found, matched = _export()
    paths = _paths("source", found, matched, archive="separate", partner="separate")
    assert paths[f"{ROOT}/Photos from 2019/old.jpg"] == "Archive/Photos from 2019/old.jpg"
    assert paths[f"{ROOT}/Photos from 2019/hers.jpg"] == "Partner/Photos from 2019/hers.jpg"


@pytest.mark.parametrize("layout, a, b", [
    ("year", "Photos/2019/a.jpg", "Photos/2019/b.jpg"),
    ("year/month", "Photos/2019/07/a.jpg", "Photos/2019/07/b.jpg"),
    ("year/month/day", "Photos/2019/07/09/a.jpg", "Photos/2019/07/09/b.jpg"),
])
def test_date_layouts_bucket_by_local_capture_date(layout: str, a: str, b: str) -> None:
    found, matched = _export()
    paths = _paths(layout, found, matched, timezone="UTC")
    assert paths[f"{ROOT}/Photos from 2019/a.jpg"] == a
    assert paths[f"{ROOT2}/Photos from 2019/b.jpg"] == b
    assert paths[f"{ROOT}/Trip/a.jpg"] == "Albums/Trip/a.jpg"
    assert paths[f"{ROOT}/Trash/gone.jpg"] == "Trash/gone.jpg"
    assert paths[f"{ROOT}/Photos from 2019/binned.jpg"] == "Trash/binned.jpg"
    assert paths[f"{ROOT}/Photos from 2019/nodate.jpg"] == "Undated/nodate.jpg"
    assert paths[f"{ROOT}/Photos from 2019/orphan.jpg"] == "Unprocessed/Photos from 2019/orphan.jpg"
    dated = paths[f"{ROOT}/Photos from 2019/IMG_20180102_030405.jpg"]
    assert dated == {"year": "Photos/2018/", "year/month": "Photos/2018/01/",
                     "year/month/day": "Photos/2018/01/02/"}[layout] + "IMG_20180102_030405.jpg"


def test_the_local_day_decides_not_utc() -> None:
    # 2019-12-31 20:00 UTC is already 2020-01-01 05:00 in Tokyo.
    found, matched = _tree({f"{ROOT}/Photos from 2019/nye.jpg": {"taken": 1577822400, "geo": Geo(35.68, 139.76, 0.0)}})
    assert _paths("year/month/day", found, matched, timezone="UTC") == {
        f"{ROOT}/Photos from 2019/nye.jpg": "Photos/2020/01/01/nye.jpg"}
    found, matched = _tree({f"{ROOT}/Photos from 2019/nye.jpg": {"taken": 1577822400}})
    assert _paths("year", found, matched, timezone="America/New_York") == {
        f"{ROOT}/Photos from 2019/nye.jpg": "Photos/2019/nye.jpg"}


def test_undated_items_say_why() -> None:
    found, matched = _export()
    places = organise(found, matched, LibraryOptions(layout="year")).places
    assert places[f"{ROOT}/Photos from 2019/nodate.jpg"].undated_reason == (
        "no photoTakenTime in the sidecar and no date in the name")


def test_export_layout_is_the_export_as_it_is() -> None:
    found, matched = _export()
    paths = _paths("export", found, matched)
    assert paths[f"{ROOT}/Photos from 2019/binned.jpg"] == f"{ROOT}/Photos from 2019/binned.jpg"
    assert paths[f"{ROOT}/Photos from 2019/orphan.jpg"] == f"Unprocessed/{ROOT}/Photos from 2019/orphan.jpg"


def test_outside_the_photos_part_is_skipped() -> None:
    found = ScanResult(media=[MediaEntry(f"{ROOT}/Photos from 2019/a.jpg", 1, 0),
                              MediaEntry("Takeout/Drive/scan.jpg", 1, 0)])
    photos_only(found, "source")
    assert [m.rel for m in found.media] == [f"{ROOT}/Photos from 2019/a.jpg"]
    assert found.skipped == {"Takeout/Drive/scan.jpg": "not part of Google Photos (another product of the Takeout)"}
