"""Pure tests of the tag planner: exact ExifTool arguments, no ExifTool run."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pef.tags as tags
from pef.sidecar import Geo, Sidecar
from pef.tags import (
    READ_ARGS,
    WRITE_PREFIX,
    MetadataOptions,
    capabilities,
    escape,
    gps_args,
    iptc_args,
    parse_date,
    people_args,
    plan_tags,
    real_extension,
    temp_output_name,
)
from pef import timezones
from pef.timezones import format_offset, parse_offset, zone_at

UTC = timezone.utc
OPTS = MetadataOptions()
JPEG = {"File:FileType": "JPEG"}
MP4 = {"File:FileType": "MP4"}

TOKYO = Geo(35.6812, 139.7671)
NEW_YORK = Geo(40.7128, -74.006)
ADELAIDE = Geo(-34.9285, 138.6007)
APIA = Geo(-13.8333, -171.7667)  # Samoa: west of the date line's kink, UTC+13/+14
PAGO_PAGO = Geo(-14.2756, -170.702)  # American Samoa, 100 km away: UTC-11
KIRITIMATI = Geo(1.87, -157.43)  # Kiribati Line Islands: UTC+14
AT_SEA = Geo(0.0, -150.0)


def ts(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def sidecar(taken: int | None = ts(2019, 7, 9, 12, 30), geo: Geo | None = TOKYO, **kw) -> Sidecar:
    return Sidecar(rel="IMG_1.jpg.json", title=kw.pop("title", "IMG_1.jpg"), taken=taken, geo=geo, **kw)


def dates_only(args: list[str]) -> list[str]:
    return [a for a in args if "Date" in a or "Offset" in a]


def first_date(plan) -> tuple[str, str]:
    """(DateTimeOriginal, OffsetTimeOriginal) values of a photo's plan."""
    dto, offset = dates_only(plan.args)[:2]
    assert dto.startswith("-EXIF:DateTimeOriginal=") and offset.startswith("-EXIF:OffsetTimeOriginal=")
    return dto.split("=", 1)[1], offset.split("=", 1)[1]


@pytest.fixture(autouse=True)
def fixed_machine_zone(monkeypatch):
    """The machine's zone is America/Chicago in every test (the real one varies), set the way a user would: TZ."""
    monkeypatch.setenv("TZ", "America/Chicago")
    timezones.system_zone.cache_clear()
    yield
    timezones.system_zone.cache_clear()


# ------------------------------------------------------------ zones by place


def photo_dates(wall: str, offset: str) -> list[str]:
    return [
        f"-EXIF:DateTimeOriginal={wall}", f"-EXIF:OffsetTimeOriginal={offset}",
        f"-EXIF:CreateDate={wall}", f"-EXIF:OffsetTimeDigitized={offset}",
        f"-EXIF:ModifyDate={wall}", f"-EXIF:OffsetTime={offset}",
        f"-XMP-exif:DateTimeOriginal={wall}{offset}", f"-XMP-xmp:CreateDate={wall}{offset}",
        f"-XMP-xmp:ModifyDate={wall}{offset}", f"-XMP-photoshop:DateCreated={wall}{offset}",
    ]


def test_tokyo():
    plan = plan_tags(sidecar(), "IMG_1.jpg", JPEG, OPTS)
    assert dates_only(plan.args) == photo_dates("2019:07:09 21:30:00", "+09:00")
    assert (plan.target, plan.zone, plan.zone_source, plan.date_source) == ("file", "Asia/Tokyo", "gps", "sidecar")
    assert plan.mtime == ts(2019, 7, 9, 12, 30)
    assert plan.notes == []


@pytest.mark.parametrize("geo,taken,wall,offset,zone", [
    (NEW_YORK, ts(2019, 7, 9, 12, 30), "2019:07:09 08:30:00", "-04:00", "America/New_York"),
    (NEW_YORK, ts(2019, 1, 9, 12, 30), "2019:01:09 07:30:00", "-05:00", "America/New_York"),
    (ADELAIDE, ts(2020, 1, 15, 0, 0), "2020:01:15 10:30:00", "+10:30", "Australia/Adelaide"),
    (ADELAIDE, ts(2020, 7, 15, 0, 0), "2020:07:15 09:30:00", "+09:30", "Australia/Adelaide"),
    (APIA, ts(2020, 1, 15, 0, 0), "2020:01:15 14:00:00", "+14:00", "Pacific/Apia"),  # Samoa DST until 2021
    (APIA, ts(2022, 1, 15, 0, 0), "2022:01:15 13:00:00", "+13:00", "Pacific/Apia"),
    (PAGO_PAGO, ts(2020, 1, 15, 0, 0), "2020:01:14 13:00:00", "-11:00", "Pacific/Pago_Pago"),
    (KIRITIMATI, ts(2020, 1, 15, 0, 0), "2020:01:15 14:00:00", "+14:00", "Pacific/Kiritimati"),
])
def test_zone_from_gps(geo, taken, wall, offset, zone):
    plan = plan_tags(sidecar(taken, geo), "IMG_1.jpg", JPEG, OPTS)
    assert dates_only(plan.args) == photo_dates(wall, offset)
    assert (plan.zone, plan.zone_source) == (zone, "gps")
    assert plan.mtime == taken


def test_at_sea_falls_back_to_option_zone():
    assert zone_at(AT_SEA.latitude, AT_SEA.longitude) is None  # tzfpy says Etc/GMT+10
    plan = plan_tags(sidecar(geo=AT_SEA), "a.jpg", JPEG, MetadataOptions(timezone="Europe/Paris"))
    assert first_date(plan) == ("2019:07:09 14:30:00", "+02:00")
    assert (plan.zone, plan.zone_source) == ("Europe/Paris", "option")
    assert plan.notes == ["no time zone at 0, -150 (at sea?); used option zone Europe/Paris"]


def test_at_sea_falls_back_to_machine_zone():
    plan = plan_tags(sidecar(geo=AT_SEA), "a.jpg", JPEG, OPTS)
    assert first_date(plan) == ("2019:07:09 07:30:00", "-05:00")
    assert (plan.zone, plan.zone_source) == ("America/Chicago", "local")


def test_no_gps_uses_offset_already_in_file():
    existing = {**JPEG, "ExifIFD:OffsetTime": "+05:45"}
    plan = plan_tags(sidecar(geo=None), "a.jpg", existing, MetadataOptions(timezone="Europe/Paris"))
    assert first_date(plan) == ("2019:07:09 18:15:00", "+05:45")
    assert (plan.zone, plan.zone_source) == ("+05:45", "file")


def test_gps_in_file_used_when_sidecar_has_none():
    existing = {**JPEG, "Composite:GPSLatitude": 40.7128, "Composite:GPSLongitude": -74.006}
    plan = plan_tags(sidecar(geo=None), "a.jpg", existing, OPTS)
    assert (plan.zone, plan.zone_source) == ("America/New_York", "gps")


def test_gps_beats_file_offset():
    existing = {**JPEG, "ExifIFD:OffsetTime": "+02:00"}
    plan = plan_tags(sidecar(), "a.jpg", existing, OPTS)
    assert (plan.zone, plan.zone_source) == ("Asia/Tokyo", "gps")


def test_unknown_timezone_option_is_an_error():
    with pytest.raises(ValueError, match="unknown time zone"):
        plan_tags(sidecar(geo=None), "a.jpg", JPEG, MetadataOptions(timezone="Mars/Olympus"))


# ------------------------------------------------------------ odd dates


def test_before_1970():
    plan = plan_tags(sidecar(ts(1965, 3, 4, 5, 6, 7), NEW_YORK), "a.jpg", JPEG, OPTS)
    assert dates_only(plan.args) == photo_dates("1965:03:04 00:06:07", "-05:00")
    assert plan.mtime == ts(1965, 3, 4, 5, 6, 7) < 0


def test_after_2038():
    plan = plan_tags(sidecar(ts(2045, 7, 1, 0, 0)), "a.jpg", JPEG, OPTS)
    assert dates_only(plan.args) == photo_dates("2045:07:01 09:00:00", "+09:00")
    assert plan.mtime == ts(2045, 7, 1)


def test_local_mean_time_rounded_to_whole_minutes():
    plan = plan_tags(sidecar(ts(1880, 1, 1)), "a.jpg", JPEG, OPTS)  # Tokyo LMT +09:18:59
    assert first_date(plan) == ("1880:01:01 09:19:00", "+09:19")


def test_sidecar_epoch_zero_is_no_date():
    plan = plan_tags(sidecar(0, description="x"), "a.jpg", JPEG, OPTS)
    assert dates_only(plan.args) == []
    assert (plan.date_source, plan.mtime) == ("none", None)
    assert plan.notes == ["sidecar photoTakenTime is 0 (1970-01-01), ignored"]


def test_sidecar_without_date_falls_back_to_name_for_mtime_only():
    plan = plan_tags(sidecar(None, title="IMG_20190509_154733.jpg"), "x.jpg", JPEG, OPTS)
    assert plan.date_source == "filename"
    plan = plan_tags(sidecar(None, title="IMG_20200101_000000.jpg"), "IMG_20190509_154733.jpg", JPEG, OPTS)
    assert dates_only(plan.args) == []
    assert plan.date_source == "filename"
    assert plan.mtime == datetime(2019, 5, 9, 15, 47, 33, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()


# ------------------------------------------------------------ dates already in the file


def test_existing_date_time_original_kept_and_gaps_filled():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:09 21:29:58", "ExifIFD:OffsetTimeOriginal": "+09:00"}
    plan = plan_tags(sidecar(), "a.jpg", existing, OPTS)
    assert dates_only(plan.args) == [
        "-EXIF:CreateDate=2019:07:09 21:29:58", "-EXIF:OffsetTimeDigitized=+09:00",
        "-EXIF:ModifyDate=2019:07:09 21:29:58", "-EXIF:OffsetTime=+09:00",
        "-XMP-exif:DateTimeOriginal=2019:07:09 21:29:58+09:00", "-XMP-xmp:CreateDate=2019:07:09 21:29:58+09:00",
        "-XMP-xmp:ModifyDate=2019:07:09 21:29:58+09:00", "-XMP-photoshop:DateCreated=2019:07:09 21:29:58+09:00",
    ]
    assert (plan.date_source, plan.zone, plan.zone_source) == ("file", "+09:00", "file")
    assert plan.mtime == ts(2019, 7, 9, 12, 29, 58)
    assert plan.notes == []


def test_existing_date_without_offset_gets_offset_of_gps_zone():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:09 21:30:00", "ExifIFD:CreateDate": "2019:07:09 21:30:00",
                "IFD0:ModifyDate": "2020:01:02 03:04:05", "XMP-exif:DateTimeOriginal": "2019:07:09 21:30:00",
                "XMP-xmp:CreateDate": "2019:07:09 21:30:00", "XMP-xmp:ModifyDate": "2020:01:02 03:04:05",
                "XMP-photoshop:DateCreated": "2019:07:09 21:30:00"}
    plan = plan_tags(sidecar(geo=NEW_YORK), "a.jpg", existing, OPTS)
    assert dates_only(plan.args) == [
        "-EXIF:OffsetTimeOriginal=-04:00", "-EXIF:OffsetTimeDigitized=-04:00", "-EXIF:OffsetTime=-05:00",
    ]
    assert (plan.zone, plan.zone_source) == ("America/New_York", "gps")
    assert plan.mtime == ts(2019, 7, 10, 1, 30)


def test_existing_date_more_than_a_day_off_is_reported_and_kept():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:06 21:30:00", "ExifIFD:OffsetTimeOriginal": "+09:00"}
    plan = plan_tags(sidecar(), "a.jpg", existing, OPTS)
    assert "-EXIF:DateTimeOriginal=2019:07:09 21:30:00" not in plan.args
    assert plan.notes == ["camera date 2019:07:06 21:30:00+09:00 differs from sidecar date "
                          "2019:07:09 12:30:00 UTC by 3.0 days; kept camera date"]
    assert plan.mtime == ts(2019, 7, 6, 12, 30)


def test_existing_date_within_a_day_is_not_reported():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:09 09:30:00"}  # camera clock 12 h off
    assert plan_tags(sidecar(), "a.jpg", existing, OPTS).notes == []


def test_overwrite_dates_writes_sidecar_date():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:06 21:30:00", "ExifIFD:OffsetTimeOriginal": "+09:00",
                "IFD0:ModifyDate": "2021:01:01 00:00:00"}
    plan = plan_tags(sidecar(), "a.jpg", existing, MetadataOptions(overwrite_dates=True))
    assert dates_only(plan.args) == photo_dates("2019:07:09 21:30:00", "+09:00")
    assert plan.date_source == "sidecar"
    assert plan.mtime == ts(2019, 7, 9, 12, 30)
    assert plan.notes[0].endswith("by 3.0 days; overwritten with sidecar date")


@pytest.mark.parametrize("sentinel", ["0000:00:00 00:00:00", "    :  :     :  :  ", "1970:01:01 00:00:00",
                                      "1904:01:01 00:00:00", "1970:01:01 09:00:00+09:00", "", "2019:13:01 00:00:00"])
def test_sentinel_in_file_counts_as_no_date(sentinel):
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": sentinel, "IFD0:ModifyDate": sentinel}
    plan = plan_tags(sidecar(), "a.jpg", existing, OPTS)
    assert dates_only(plan.args) == photo_dates("2019:07:09 21:30:00", "+09:00")
    assert plan.date_source == "sidecar"


# ------------------------------------------------------------ videos


def test_video_dates_utc_plus_keys_local():
    plan = plan_tags(sidecar(geo=NEW_YORK), "a.mp4", MP4, OPTS)
    assert dates_only(plan.args) == [
        "-QuickTime:CreateDate=2019:07:09 12:30:00", "-QuickTime:ModifyDate=2019:07:09 12:30:00",
        "-QuickTime:TrackCreateDate=2019:07:09 12:30:00", "-QuickTime:TrackModifyDate=2019:07:09 12:30:00",
        "-QuickTime:MediaCreateDate=2019:07:09 12:30:00", "-QuickTime:MediaModifyDate=2019:07:09 12:30:00",
        "-Keys:CreationDate=2019:07:09 08:30:00-04:00",
    ]


def test_video_zero_dates_are_filled():
    existing = {**MP4, "QuickTime:CreateDate": "0000:00:00 00:00:00", "Track1:TrackCreateDate": "0000:00:00 00:00:00"}
    plan = plan_tags(sidecar(), "a.mp4", existing, OPTS)
    assert "-QuickTime:CreateDate=2019:07:09 12:30:00" in plan.args
    assert "-QuickTime:TrackCreateDate=2019:07:09 12:30:00" in plan.args


def test_video_existing_create_date_kept():
    existing = {**MP4, "QuickTime:CreateDate": "2019:07:09 12:29:00", "QuickTime:ModifyDate": "2019:07:09 12:29:00",
                "Track1:TrackCreateDate": "2019:07:09 12:29:00", "Track1:TrackModifyDate": "2019:07:09 12:29:00",
                "Track1:MediaCreateDate": "2019:07:09 12:29:00", "Track1:MediaModifyDate": "2019:07:09 12:29:00"}
    plan = plan_tags(sidecar(), "a.mp4", existing, OPTS)
    assert dates_only(plan.args) == ["-Keys:CreationDate=2019:07:09 21:29:00+09:00"]
    assert (plan.date_source, plan.zone, plan.zone_source) == ("file", "Asia/Tokyo", "gps")
    assert plan.mtime == ts(2019, 7, 9, 12, 29)


def test_video_outside_quicktime_range_gets_keys_date_only():
    plan = plan_tags(sidecar(ts(2045, 1, 2, 3, 4, 5)), "a.mp4", MP4, OPTS)
    assert dates_only(plan.args) == ["-Keys:CreationDate=2045:01:02 12:04:05+09:00"]
    assert plan.notes == ["2045:01:02 03:04:05 UTC is outside the QuickTime date range (1904-2040); "
                          "only Keys:CreationDate written"]


def test_video_before_1970_uses_quicktime_dates():
    plan = plan_tags(sidecar(ts(1965, 3, 4, 5, 6, 7)), "a.mp4", MP4, OPTS)
    assert "-QuickTime:CreateDate=1965:03:04 05:06:07" in plan.args


@pytest.mark.parametrize("file_type", ["AVI", "MKV", "M2TS", "WEBM", None])
def test_unwritable_formats_get_xmp_sidecar(file_type):
    existing = {"File:FileType": file_type} if file_type else {}
    plan = plan_tags(sidecar(), "a.avi", existing, OPTS)
    assert plan.target == "xmp"
    assert all(arg.startswith("-XMP-") for arg in plan.args)
    assert "-XMP-exif:DateTimeOriginal=2019:07:09 21:30:00+09:00" in plan.args


def test_xmp_sidecar_uses_camera_date_of_container():
    existing = {"File:FileType": "MKV", "Matroska:DateTimeOriginal": "2019:07:09 12:00:00Z"}
    plan = plan_tags(sidecar(), "a.mkv", existing, OPTS)
    assert "-XMP-exif:DateTimeOriginal=2019:07:09 21:00:00+09:00" in plan.args
    assert plan.date_source == "file"


# ------------------------------------------------------------ no sidecar


def test_no_sidecar_date_from_file_with_offset():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:09 21:30:00", "ExifIFD:OffsetTimeOriginal": "+09:00"}
    plan = plan_tags(None, "IMG_20200101_000000.jpg", existing, OPTS)
    assert (plan.target, plan.args, plan.date_source, plan.zone_source) == ("none", [], "file", "file")
    assert plan.mtime == ts(2019, 7, 9, 12, 30)


def test_no_sidecar_quicktime_date_is_utc():
    plan = plan_tags(None, "a.mp4", {**MP4, "QuickTime:CreateDate": "2019:07:09 12:30:00"}, OPTS)
    assert (plan.target, plan.date_source, plan.mtime) == ("none", "file", ts(2019, 7, 9, 12, 30))


def test_no_sidecar_create_date_counts():
    existing = {**JPEG, "ExifIFD:CreateDate": "2019:07:09 12:30:00"}
    plan = plan_tags(None, "a.jpg", existing, MetadataOptions(timezone="UTC"))
    assert (plan.date_source, plan.mtime) == ("file", ts(2019, 7, 9, 12, 30))


def test_no_sidecar_date_from_name_in_option_zone():
    plan = plan_tags(None, "dir/IMG_20190509_154733.jpg", JPEG, MetadataOptions(timezone="Europe/Paris"))
    assert (plan.target, plan.args, plan.date_source) == ("none", [], "filename")
    assert (plan.zone, plan.zone_source) == ("Europe/Paris", "option")
    assert plan.mtime == ts(2019, 5, 9, 13, 47, 33)


def test_no_sidecar_sentinel_then_name():
    existing = {**MP4, "QuickTime:CreateDate": "0000:00:00 00:00:00"}
    plan = plan_tags(None, "VID_20190509_154733.mp4", existing, MetadataOptions(timezone="UTC"))
    assert (plan.date_source, plan.mtime) == ("filename", ts(2019, 5, 9, 15, 47, 33))


def test_no_sidecar_no_date_at_all():
    plan = plan_tags(None, "DSC01234.jpg", JPEG, OPTS)
    assert plan == tags.TagPlan("none", [], None, "none", None, "none", [])


# ------------------------------------------------------------ other fields


def test_gps_photo_exact_args():
    assert gps_args(-33.8688, 151.2093, -12.25, frozenset({"exif", "xmp"})) == [
        "-EXIF:GPSLatitude#=33.8688", "-EXIF:GPSLatitudeRef#=S",
        "-EXIF:GPSLongitude#=151.2093", "-EXIF:GPSLongitudeRef#=E",
        "-EXIF:GPSAltitude#=12.25", "-EXIF:GPSAltitudeRef#=1",
        "-XMP-exif:GPSLatitude#=-33.8688", "-XMP-exif:GPSLongitude#=151.2093",
        "-XMP-exif:GPSAltitude#=12.25", "-XMP-exif:GPSAltitudeRef#=1",
    ]


def test_gps_video_exact_args_and_zero_altitude_left_out():
    assert gps_args(40.7128, -74.006, 0.0, frozenset({"qt", "xmp"})) == [
        "-Keys:GPSCoordinates#=40.7128 -74.006", "-UserData:GPSCoordinates#=40.7128 -74.006",
    ]


def test_no_gps_without_geo():
    plan = plan_tags(sidecar(geo=None), "a.jpg", JPEG, MetadataOptions(timezone="UTC"))
    assert not any("GPS" in arg for arg in plan.args)


def test_description_everywhere_for_jpeg():
    existing = {**JPEG, "ExifIFD:DateTimeOriginal": "2019:07:09 21:30:00"}
    plan = plan_tags(sidecar(description='-a "b"\r\nc\\d'), "a.jpg", existing, OPTS)
    value = '-a "b"\\nc\\\\d'
    for tag in ("XMP-dc:Description", "EXIF:ImageDescription", "IPTC:Caption-Abstract"):
        assert f"-{tag}={value}" in plan.args
    assert plan.args[-1] == "-IPTC:CodedCharacterSet=UTF8"


def test_description_for_video_and_gif():
    video = plan_tags(sidecar(description="hi"), "a.mp4", MP4, OPTS).args
    assert [a for a in video if "Description" in a] == ["-XMP-dc:Description=hi", "-Keys:Description=hi",
                                                        "-ItemList:Description=hi"]
    gif = plan_tags(sidecar(description="hi"), "a.gif", {"File:FileType": "GIF"}, OPTS).args
    assert [a for a in gif if "Description" in a] == ["-XMP-dc:Description=hi"]


def test_blank_description_not_written():
    plan = plan_tags(sidecar(description=" \n "), "a.jpg", JPEG, OPTS)
    assert not any("Description" in a or "Caption" in a for a in plan.args)


def test_people_added_once_each():
    assert people_args(("Ann  Lee", "Bo", " ", "Bo"), frozenset({"xmp", "iptc"})) == [
        "-XMP-iptcExt:PersonInImage-=Ann Lee", "-XMP-iptcExt:PersonInImage+=Ann Lee",
        "-XMP-dc:Subject-=Ann Lee", "-XMP-dc:Subject+=Ann Lee",
        "-XMP-iptcExt:PersonInImage-=Bo", "-XMP-iptcExt:PersonInImage+=Bo",
        "-XMP-dc:Subject-=Bo", "-XMP-dc:Subject+=Bo",
    ]


IPTC_CAPS = frozenset({"exif", "iptc", "xmp"})


def test_iptc_new_or_utf8_adds_keywords_once():
    sc = sidecar(description="a\nb", people=("Ann", "Bo"))
    expected = [
        "-IPTC:Caption-Abstract=a\\nb", "-IPTC:Keywords-=Ann", "-IPTC:Keywords+=Ann",
        "-IPTC:Keywords-=Bo", "-IPTC:Keywords+=Bo", "-IPTC:CodedCharacterSet=UTF8",
    ]
    assert iptc_args(sc, {}, IPTC_CAPS, []) == expected
    utf8 = {"IPTC:CodedCharacterSet": "\x1b%G", "IPTC:Keywords": ["Ann", "Zoé"]}
    assert iptc_args(sc, utf8, IPTC_CAPS, []) == expected


def test_iptc_legacy_charset_is_re_encoded():
    latin = {"IPTC:Keywords": ["Café", "Ann"], "IPTC:City": "Zürich"}
    assert iptc_args(sidecar(description="x", people=("Ann", "王")), latin, IPTC_CAPS, []) == [
        "-tagsFromFile", "@", "-IPTC:all",
        "--IPTC:Keywords", "-IPTC:Keywords=Café", "-IPTC:Keywords=Ann", "-IPTC:Keywords=王",
        "--IPTC:Caption-Abstract", "-IPTC:Caption-Abstract=x",
        "-IPTC:CodedCharacterSet=UTF8",
    ]
    assert iptc_args(sidecar(description="x"), {"IPTC:Keywords": 2019}, IPTC_CAPS, []) == [
        "-tagsFromFile", "@", "-IPTC:all", "--IPTC:Caption-Abstract", "-IPTC:Caption-Abstract=x",
        "-IPTC:CodedCharacterSet=UTF8",
    ]


def test_iptc_nothing_to_write():
    assert iptc_args(sidecar(), {"IPTC:Keywords": "x"}, IPTC_CAPS, []) == []
    assert iptc_args(sidecar(description="x"), {}, frozenset({"exif", "xmp"}), []) == []


def test_long_keyword_cut_at_character_boundary():
    notes: list[str] = []
    args = iptc_args(sidecar(people=("王" * 30,)), {}, IPTC_CAPS, notes)  # 90 bytes
    assert args[:2] == [f"-IPTC:Keywords-={'王' * 21}", f"-IPTC:Keywords+={'王' * 21}"]
    assert notes == [f"{'王' * 30!r} cut to 64 bytes for IPTC:Keywords"]


def test_long_caption_cut_for_iptc_only():
    text = "é" * 1500  # 3000 bytes
    plan = plan_tags(sidecar(description=text), "a.jpg", JPEG, OPTS)
    assert f"-XMP-dc:Description={text}" in plan.args
    assert f"-IPTC:Caption-Abstract={'é' * 1000}" in plan.args
    assert len(plan.notes) == 1


def test_rating_only_when_favorited():
    assert "-XMP-xmp:Rating=5" in plan_tags(sidecar(favorited=True), "a.jpg", JPEG, OPTS).args
    assert not any("Rating" in a for a in plan_tags(sidecar(), "a.jpg", JPEG, OPTS).args)


def test_no_iptc_outside_jpeg_tiff_dng():
    for file_type in ("PNG", "HEIC", "WEBP", "GIF", "MP4", "CR2"):
        plan = plan_tags(sidecar(description="x", people=("A",)), "a", {"File:FileType": file_type}, OPTS)
        assert not any(arg.startswith("-IPTC:") for arg in plan.args), file_type


def test_nothing_to_add_means_target_none():
    existing = {**JPEG, **{k: "2019:07:09 21:30:00" for k in (
        "ExifIFD:DateTimeOriginal", "ExifIFD:CreateDate", "IFD0:ModifyDate")},
        **{k: "+09:00" for k in ("ExifIFD:OffsetTimeOriginal", "ExifIFD:OffsetTimeDigitized", "ExifIFD:OffsetTime")},
        **{k: "2019:07:09 21:30:00+09:00" for k in (
            "XMP-exif:DateTimeOriginal", "XMP-xmp:CreateDate", "XMP-xmp:ModifyDate", "XMP-photoshop:DateCreated")}}
    plan = plan_tags(sidecar(geo=None), "a.jpg", existing, OPTS)
    assert (plan.target, plan.args, plan.date_source) == ("none", [], "file")
    assert plan.mtime == ts(2019, 7, 9, 12, 30)


# ------------------------------------------------------------ formats and extensions


@pytest.mark.parametrize("file_type,expected", [
    ("JPEG", {"exif", "iptc", "xmp"}), ("TIFF", {"exif", "iptc", "xmp"}), ("DNG", {"exif", "iptc", "xmp"}),
    ("PNG", {"exif", "xmp"}), ("HEIC", {"exif", "xmp"}), ("Extended WEBP", {"exif", "xmp"}), ("GIF", {"xmp"}),
    ("NEF", {"exif", "xmp"}), ("MOV", {"qt", "xmp"}), ("3GP", {"qt", "xmp"}), ("AVI", set()), ("MKV", set()),
    ("M2TS", set()),
])
def test_capabilities(file_type, expected):
    assert capabilities({"File:FileType": file_type}) == expected


@pytest.mark.parametrize("name,type_ext,expected", [
    ("a.heic", "JPG", "jpg"), ("a.jpg", "PNG", "png"), ("a.JPG", "JPG", None), ("a.jpeg", "JPG", None),
    ("a.heif", "HEIC", None), ("a.tiff", "TIF", None), ("a.mp4", "MOV", "mov"), ("a.MTS", "MTS", None),
    ("noext", "JPG", "jpg"), ("a.jpg", None, None),
])
def test_real_extension(name, type_ext, expected):
    existing = {"SourceFile": f"/x/{name}"} | ({"File:FileTypeExtension": type_ext} if type_ext else {})
    assert real_extension(existing) == expected


def test_real_extension_with_explicit_name():
    assert real_extension({"File:FileTypeExtension": "PNG"}, "photo.jpg") == "png"


def test_temp_output_names():
    assert temp_output_name("/o/a.webp", "file") == "/o/a.webp.pef-tmp"
    assert temp_output_name("/o/a.avi", "xmp") == "/o/a.avi.pef-tmp.xmp"


# ------------------------------------------------------------ escaping


def test_escape_exact():
    assert escape('-"q" \\ a\nb\r\tc\x07 😀 \u200f\u2028') == '-"q" \\\\ a\\nb\\r\\tc\\x07 😀 \u200f\\xe2\\x80\\xa8'


def test_escape_replaces_lone_surrogates():
    assert escape("a\ud800b\ud83d\ude00") == "a\ufffdb😀"


def _exiftool_unescape(text: str) -> str:
    """What exiftool -ec does to a value (bytes level), decoded back."""
    table = {"a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\"}
    data = text.encode("utf-8")
    out = re.sub(rb"\\(x([0-9a-fA-F]{2})|.)",
                 lambda m: bytes([int(m.group(2), 16)]) if m.group(2) else table.get(m.group(1).decode("latin-1"),
                                                                                    m.group(1)), data, flags=re.S)
    return out.decode("utf-8")


@given(st.text())
def test_escape_round_trips_and_stays_on_one_line(value):
    escaped = escape(value)
    assert "\n" not in escaped and "\r" not in escaped and len(escaped.splitlines()) <= 1
    assert _exiftool_unescape(escaped) == value.replace("\x00", "")


def test_prefix_and_read_args_are_single_lines():
    for arg in READ_ARGS + WRITE_PREFIX:
        assert "\n" not in arg
    assert "-ec" in WRITE_PREFIX and "-overwrite_original" not in WRITE_PREFIX
    assert READ_ARGS[:2] == ["-j", "-G1"]


# ------------------------------------------------------------ parsing helpers


@pytest.mark.parametrize("text,expected", [
    ("2019:07:09 21:30:00", (datetime(2019, 7, 9, 21, 30), None)),
    ("2019:07:09 21:30:00+09:00", (datetime(2019, 7, 9, 21, 30), timedelta(hours=9))),
    ("2019-07-09T21:30:00.123-04:30", (datetime(2019, 7, 9, 21, 30), timedelta(hours=-4, minutes=-30))),
    ("2019:07:09 21:30:00Z", (datetime(2019, 7, 9, 21, 30), timedelta(0))),
    ("2013:06:01 12:00:00+02:00 DST", (datetime(2013, 6, 1, 12), timedelta(hours=2))),
    ("1850:01:01 00:00:00", (datetime(1850, 1, 1), None)),
    ("0000:00:00 00:00:00", None), ("2019:02:30 00:00:00", None), ("2019:07:09", None), ("1700:01:01 00:00:00", None),
    (None, None), (20190709, None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_offsets():
    assert parse_offset("+05:45") == timedelta(hours=5, minutes=45)
    assert parse_offset("-0330") == timedelta(hours=-3, minutes=-30)
    assert parse_offset("+15:00") is None and parse_offset("+09:60") is None and parse_offset("") is None
    assert format_offset(timedelta(hours=-9, minutes=-30)) == "-09:30"
    assert format_offset(timedelta(0)) == "+00:00"


# ------------------------------------------------------------ the machine's zone


@pytest.fixture
def tz_env(monkeypatch):
    import time

    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()
        timezones.system_zone.cache_clear()

    yield set_tz
    monkeypatch.undo()
    time.tzset()
    timezones.system_zone.cache_clear()


def test_system_zone_name_from_tz_variable(tz_env):
    tz_env("Asia/Kathmandu")
    zone, name = timezones.system_zone()
    assert name == "Asia/Kathmandu" and zone.utcoffset(datetime(2020, 1, 1)) == timedelta(hours=5, minutes=45)


def test_c_library_local_zone_fallback(tz_env):
    tz_env("America/New_York")
    local = timezones._SystemLocal()
    assert timezones.wall_offset(datetime(2019, 7, 9, 12), local) == timedelta(hours=-4)
    assert timezones.utc_to_wall(datetime(2019, 1, 9, 12, tzinfo=UTC), local) == (datetime(2019, 1, 9, 7),
                                                                                 timedelta(hours=-5))
