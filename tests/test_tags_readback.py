"""Round trip through the real ExifTool: plan_tags -> exiftool -@ argfile -> read back.

One tiny real file per format is generated here (Pillow, pillow-heif, ffmpeg),
read with READ_ARGS, planned, written with WRITE_PREFIX + plan.args through an
argfile (one argument per line, as the executor's -stay_open stream does) and
read back with `exiftool -j -G1 -a -n`. ExifTool runs three times in total (read,
write, read back), with -execute separating the files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pef.sidecar import Geo, Sidecar
from pef.tags import READ_ARGS, WRITE_PREFIX, MetadataOptions, TagPlan, plan_tags, real_extension, temp_output_name

pytestmark = pytest.mark.skipif(
    not (shutil.which("exiftool") and shutil.which("ffmpeg")), reason="needs exiftool and ffmpeg"
)

CAPTION = '-第一行 "引号" \'单引号\'\n第二行：照片\t制表 \\ 反斜杠 😀 \u200fשלום\u200f'
PEOPLE = ("Alice", "王小明", "Smith, John")
TOKYO = Geo(35.6812345, 139.7671234, 40.5)
RIO = Geo(-22.9068, -43.1729, -12.5)


def _ts(*args) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp())


def _sidecar(geo: Geo = TOKYO, taken: int = _ts(2019, 7, 9, 12, 30)) -> Sidecar:
    return Sidecar(rel="x.json", title="x", taken=taken, geo=geo, description=CAPTION,
                   people=PEOPLE, favorited=True)


# ------------------------------------------------------------ sample files


def _image(fmt: str):
    def make(path: Path) -> None:
        from PIL import Image

        if fmt == "HEIF":
            import pillow_heif

            pillow_heif.register_heif_opener()
        Image.new("RGB", (64, 48), "red").save(path, fmt)

    return make


def _video(*codec: str):
    def make(path: Path) -> None:
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x48:d=1",
             *codec, str(path)],
            check=True, capture_output=True,
        )

    return make


@dataclass
class Case:
    name: str
    make: object
    ext: str
    sidecar: Sidecar
    kind: str  # "exif" (EXIF+XMP[+IPTC]), "gif" (XMP only), "qt" (QuickTime), "xmp" (sidecar file)
    iptc: bool = False
    seed: tuple[str, ...] = ()  # exiftool assignments giving the source metadata first
    link_ext: str | None = None  # content does not match the name: write through a link


# Keywords/Subject that already hold "Alice", IPTC marked UTF-8
UTF8_SEED = ("-IPTC:Keywords=Alice", "-IPTC:Keywords=Family", "-XMP-dc:Subject=Alice",
             "-IPTC:CodedCharacterSet=UTF8")
# Old software's IPTC: Latin-1, no CodedCharacterSet
LATIN1_SEED = ("-IPTC:Keywords=Café", "-IPTC:Keywords=Alice", "-IPTC:City=Zürich", "-IPTC:Caption-Abstract=Vieux")


CASES = [
    Case("jpeg", _image("JPEG"), "jpg", _sidecar(), "exif", iptc=True, seed=UTF8_SEED),
    Case("png", _image("PNG"), "png", _sidecar(), "exif"),
    Case("heic", _image("HEIF"), "heic", _sidecar(), "exif"),
    Case("gif", _image("GIF"), "gif", _sidecar(), "gif"),
    Case("tiff", _image("TIFF"), "tif", _sidecar(), "exif", iptc=True, seed=UTF8_SEED),
    Case("jpeg_latin1_iptc", _image("JPEG"), "jpg", _sidecar(), "exif", iptc=True, seed=LATIN1_SEED),
    Case("webp", _image("WEBP"), "webp", _sidecar(), "exif"),
    Case("mp4", _video(), "mp4", _sidecar(), "qt"),
    Case("mov", _video(), "mov", _sidecar(), "qt"),
    Case("m4v", _video(), "m4v", _sidecar(), "qt"),
    Case("3gp", _video("-c:v", "mpeg4"), "3gp", _sidecar(), "qt"),
    Case("avi", _video(), "avi", _sidecar(), "xmp"),
    Case("mkv", _video(), "mkv", _sidecar(), "xmp"),
    Case("jpeg_south_west", _image("JPEG"), "jpg", _sidecar(RIO), "exif", iptc=True),
    Case("mp4_south_west", _video(), "mp4", _sidecar(RIO), "qt"),
    Case("jpeg_1965", _image("JPEG"), "jpg", _sidecar(Geo(40.7128, -74.006), _ts(1965, 3, 4, 5, 6, 7)), "exif",
         iptc=True),
    Case("mp4_2045", _video(), "mp4", _sidecar(taken=_ts(2045, 1, 2, 3, 4, 5)), "qt"),
    Case("jpeg_named_heic", _image("JPEG"), "heic", _sidecar(), "exif", iptc=True, link_ext="jpg"),
]


def _exiftool(args: list[str], workdir: Path) -> str:
    argfile = workdir / f"args{len(list(workdir.glob('args*')))}.txt"
    assert all("\n" not in arg and "\r" not in arg for arg in args)
    argfile.write_text("\n".join(args) + "\n", encoding="utf-8")
    done = subprocess.run(["exiftool", "-@", str(argfile)], capture_output=True, timeout=60)
    return done.stdout.decode("utf-8")


def _by_file(stdout: str) -> dict[str, dict]:
    return {Path(item["SourceFile"]).name: item for item in json.loads(stdout)}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, tuple[TagPlan, dict, dict]]:
    work = tmp_path_factory.mktemp("readback")
    sources: dict[str, Path] = {}
    for case in CASES:
        sources[case.name] = work / f"{case.name}.{case.ext}"
        case.make(sources[case.name])
    seeds = [a for c in CASES if c.seed for a in (*c.seed, "-overwrite_original", str(sources[c.name]), "-execute")]
    if seeds:
        _exiftool(seeds, work)
    existing = _by_file(_exiftool([*READ_ARGS, *map(str, sources.values())], work))

    write: list[str] = []
    plans, outputs = {}, {}
    for case in CASES:
        src = sources[case.name]
        facts = existing[src.name]
        plan = plan_tags(case.sidecar, src.name, facts, MetadataOptions(timezone="UTC"))
        plans[case.name] = (plan, facts)
        if case.link_ext:  # ExifTool only writes a file whose name matches its content
            link = work / f"{case.name}-src.{case.link_ext}"
            link.symlink_to(src)
            src = link
        out = work / "out" / f"{case.name}.{case.ext}"
        out.parent.mkdir(exist_ok=True)
        tmp = temp_output_name(str(out), plan.target)
        outputs[case.name] = tmp
        write += [*WRITE_PREFIX, *plan.args, "-o", tmp] + ([str(src)] if plan.target == "file" else []) + ["-execute"]
    _exiftool(write, work)

    written = [tmp for tmp in outputs.values() if Path(tmp).exists()]
    back = _by_file(_exiftool(["-j", "-G1", "-a", "-n", *written], work)) if written else {}
    return {name: (*plans[name], back.get(Path(tmp).name, {})) for name, tmp in outputs.items()}


def _case(results, name):
    plan, facts, back = results[name]
    assert back, f"{name}: nothing written ({plan.target}, {plan.args})"
    return plan, facts, back


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


# ------------------------------------------------------------ targets


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_target_matches_format(results, case):
    plan, facts, back = _case(results, case.name)
    assert plan.target == ("xmp" if case.kind == "xmp" else "file")
    expected_type = "XMP" if case.kind == "xmp" else facts["File:FileType"]
    assert back["File:FileType"].replace("Extended ", "") == expected_type.replace("Extended ", "")
    assert plan.date_source == "sidecar"


def test_mismatched_extension_is_recognised_by_content(results):
    plan, facts, back = _case(results, "jpeg_named_heic")
    assert facts["File:FileType"] == "JPEG"
    assert real_extension(facts) == "jpg"
    assert back["IPTC:Caption-Abstract"] == CAPTION


# ------------------------------------------------------------ dates


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "exif" and c.name.startswith(("jpeg", "png", "heic",
                                                                                                "tiff", "webp"))],
                         ids=lambda c: c.name)
def test_photo_dates_local_time_with_offset(results, case):
    plan, _, back = _case(results, case.name)
    wall, offset = {
        "jpeg_south_west": ("2019:07:09 09:30:00", "-03:00"),
        "jpeg_1965": ("1965:03:04 00:06:07", "-05:00"),
    }.get(case.name, ("2019:07:09 21:30:00", "+09:00"))
    assert back["ExifIFD:DateTimeOriginal"] == wall
    assert back["ExifIFD:CreateDate"] == wall
    assert back["IFD0:ModifyDate"] == wall
    assert back["ExifIFD:OffsetTimeOriginal"] == offset
    assert back["ExifIFD:OffsetTimeDigitized"] == offset
    assert back["ExifIFD:OffsetTime"] == offset
    assert back["XMP-exif:DateTimeOriginal"] == wall + offset
    assert back["XMP-xmp:CreateDate"] == wall + offset
    assert plan.zone_source == "gps"


@pytest.mark.parametrize("name", ["gif", "avi", "mkv"])
def test_xmp_only_dates(results, name):
    _, _, back = _case(results, name)
    assert back["XMP-exif:DateTimeOriginal"] == "2019:07:09 21:30:00+09:00"
    assert back["XMP-xmp:CreateDate"] == "2019:07:09 21:30:00+09:00"
    assert back["XMP-photoshop:DateCreated"] == "2019:07:09 21:30:00+09:00"


@pytest.mark.parametrize("name", ["mp4", "mov", "m4v", "3gp", "mp4_south_west"])
def test_video_dates_utc_and_keys_local(results, name):
    _, _, back = _case(results, name)
    for tag in ("QuickTime:CreateDate", "QuickTime:ModifyDate", "Track1:TrackCreateDate",
                "Track1:TrackModifyDate", "Track1:MediaCreateDate", "Track1:MediaModifyDate"):
        assert back[tag] == "2019:07:09 12:30:00", tag
    local = "2019:07:09 09:30:00-03:00" if name == "mp4_south_west" else "2019:07:09 21:30:00+09:00"
    assert back["Keys:CreationDate"] == local


def test_video_after_2040_gets_keys_date_only(results):
    plan, _, back = _case(results, "mp4_2045")
    assert back["Keys:CreationDate"] == "2045:01:02 12:04:05+09:00"
    assert back.get("QuickTime:CreateDate") in (None, "0000:00:00 00:00:00")
    assert any("QuickTime" in note for note in plan.notes)


# ------------------------------------------------------------ GPS


@pytest.mark.parametrize("name,geo", [("jpeg", TOKYO), ("tiff", TOKYO), ("heic", TOKYO), ("png", TOKYO),
                                      ("webp", TOKYO), ("jpeg_south_west", RIO)])
def test_photo_gps_exif_and_xmp(results, name, geo):
    _, _, back = _case(results, name)
    assert back["GPS:GPSLatitudeRef"] == ("N" if geo.latitude > 0 else "S")
    assert back["GPS:GPSLongitudeRef"] == ("E" if geo.longitude > 0 else "W")
    assert back["GPS:GPSLatitude"] == pytest.approx(abs(geo.latitude), abs=1e-7)
    assert back["GPS:GPSLongitude"] == pytest.approx(abs(geo.longitude), abs=1e-7)
    assert back["GPS:GPSAltitude"] == pytest.approx(abs(geo.altitude))
    assert back["GPS:GPSAltitudeRef"] == (1 if geo.altitude < 0 else 0)
    assert back["XMP-exif:GPSLatitude"] == pytest.approx(geo.latitude, abs=1e-6)
    assert back["XMP-exif:GPSLongitude"] == pytest.approx(geo.longitude, abs=1e-6)


@pytest.mark.parametrize("name", ["gif", "avi", "mkv"])
def test_xmp_only_gps(results, name):
    _, _, back = _case(results, name)
    assert back["XMP-exif:GPSLatitude"] == pytest.approx(TOKYO.latitude, abs=1e-6)
    assert back["XMP-exif:GPSLongitude"] == pytest.approx(TOKYO.longitude, abs=1e-6)
    assert back["XMP-exif:GPSAltitude"] == pytest.approx(40.5)
    assert back["XMP-exif:GPSAltitudeRef"] == 0


@pytest.mark.parametrize("name,expected", [("mp4", "35.6812345 139.7671234 40.5"),
                                           ("mov", "35.6812345 139.7671234 40.5"),
                                           ("3gp", "35.6812345 139.7671234 40.5"),
                                           ("mp4_south_west", "-22.9068 -43.1729 -12.5")])
def test_video_gps_keys_and_userdata(results, name, expected):
    _, _, back = _case(results, name)
    assert back["Keys:GPSCoordinates"] == expected
    assert back["UserData:GPSCoordinates"] == expected
    assert back["Composite:GPSLatitude"] == pytest.approx(float(expected.split()[0]))


# ------------------------------------------------------------ text fields


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_caption_people_rating(results, case):
    _, _, back = _case(results, case.name)
    assert back["XMP-dc:Description"] == CAPTION
    assert back["XMP-xmp:Rating"] == 5
    assert _as_list(back["XMP-iptcExt:PersonInImage"]) == list(PEOPLE)
    subject = _as_list(back["XMP-dc:Subject"])
    assert sorted(subject) == sorted(PEOPLE) and len(subject) == len(set(subject))
    if case.kind == "exif":
        assert back["IFD0:ImageDescription"] == CAPTION
    if case.kind == "qt":
        assert back["Keys:Description"] == CAPTION
        assert back["ItemList:Description"] == CAPTION
    if case.iptc:
        assert back["IPTC:Caption-Abstract"] == CAPTION
        assert back["IPTC:CodedCharacterSet"] == "\x1b%G"
        keywords = _as_list(back["IPTC:Keywords"])
        seeded = tuple(arg.split("=", 1)[1] for arg in case.seed if arg.startswith("-IPTC:Keywords="))
        assert sorted(keywords) == sorted(set(PEOPLE + seeded)) and len(keywords) == len(set(keywords))
    else:
        assert not any(key.startswith("IPTC:") for key in back)


def test_latin1_iptc_re_encoded_as_utf8(results):
    _, facts, back = _case(results, "jpeg_latin1_iptc")
    assert facts["IPTC:Keywords"] == ["Café", "Alice"] and "IPTC:CodedCharacterSet" not in facts
    assert back["IPTC:Keywords"] == ["Café", "Alice", "王小明", "Smith, John"]
    assert back["IPTC:City"] == "Zürich"
    assert back["IPTC:Caption-Abstract"] == CAPTION


def test_seeded_subject_has_no_duplicate(results):
    _, facts, back = _case(results, "jpeg")
    assert _as_list(back["XMP-dc:Subject"]).count("Alice") == 1
    assert _as_list(back["IPTC:Keywords"]).count("Alice") == 1
