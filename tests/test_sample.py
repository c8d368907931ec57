"""The sample Takeout generator: real media, Google's sidecar format and names, an exact manifest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pef import sample
from pef.sidecar import Geo, OtherJson, Sidecar, parse_json_bytes

pytestmark = pytest.mark.skipif(
    shutil.which("exiftool") is None or shutil.which("ffmpeg") is None, reason="needs exiftool and ffmpeg"
)

P1 = "Takeout/Google Photos"
P2 = "Takeout 2/Google Photos"

FILE_TYPES = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".png": "PNG", ".heic": "HEIC", ".heif": "HEIC",
    ".gif": "GIF", ".tif": "TIFF", ".tiff": "TIFF", ".webp": "WEBP", ".mp4": "MP4", ".m4v": "M4V",
    ".mov": "MOV", ".3gp": "3GP", ".avi": "AVI", ".mkv": "MKV",
}


def exiftool_json(paths: list[Path], *tags: str) -> dict[str, dict]:
    """One exiftool call over all paths; results keyed by the path as given."""
    args = ["exiftool", "-j", "-charset", "filename=utf8", *[f"-{t}" for t in ("FileType", "Error", *tags)]]
    done = subprocess.run(args + [str(p) for p in paths], capture_output=True, check=False)
    return {entry["SourceFile"]: entry for entry in json.loads(done.stdout)}


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def takeout(tmp_path_factory) -> sample.Manifest:
    return sample.generate_takeout(tmp_path_factory.mktemp("sample") / "export")


# --- the default export --------------------------------------------------


def test_manifest_lists_exactly_the_files_on_disk(takeout):
    m = takeout
    assert files_under(m.root) == set(m.media) | set(m.sidecars) | set(m.other_json)
    assert m.total_bytes == sum((m.root / rel).stat().st_size for rel in files_under(m.root))
    exts = [os.path.splitext(rel)[1].lower() for rel in m.media]
    assert sum(e in sample.IMAGE_EXTENSIONS for e in exts) == 40
    assert sum(e in sample.VIDEO_EXTENSIONS for e in exts) == 6
    assert m.orphan_media == sorted([
        f"{P1}/Photos from 2017/received_1015566.jpeg",
        f"{P1}/Photos from 2019/IMG_20190509_154733.jpg",
        f"{P1}/Photos from 2019/Screenshot_2019-09-19-05-38-57.png",
    ])
    assert m.orphan_sidecars == [f"{P1}/Photos from 2014/IMG_0666.jpg.json"]
    assert m.other_json == sorted([f"{P1}/Trip/metadata.json", f"{P2}/Trip/metadata.json",
                                   f"{P2}/Été 2022/metadata.json"])
    assert set(m.taken) == {rel for rel, sidecar in m.media.items() if sidecar}
    assert m.copies == {
        f"{P1}/Trip/IMG_0001.jpg": f"{P1}/Photos from 2019/IMG_0001.jpg",
        f"{P1}/Trip/Tōkyō タワー 東京 – été 🗼.jpg": f"{P1}/Photos from 2012/Tōkyō タワー 東京 – été 🗼.jpg",
        f"{P2}/Trip/IMG_0010.jpg": f"{P2}/Photos from 2021/IMG_0010.jpg",
        f"{P2}/Photos from 2012/Tōkyō タワー 東京 – été 🗼.jpg": f"{P1}/Photos from 2012/Tōkyō タワー 東京 – été 🗼.jpg",
    }
    # Exports since 2025: an album folder of sidecars only, naming year-folder media.
    assert m.album_sidecars == {
        f"{P2}/Été 2022/IMG_0010.jpg.supplemental-metadata.json": f"{P2}/Photos from 2021/IMG_0010.jpg",
        f"{P2}/Été 2022/Crêpes à Paris 🥐 — 巴黎.jpg.supplemental-metadat.json":
            f"{P2}/Photos from 2022/Crêpes à Paris 🥐 — 巴黎.jpg",
    }
    for sidecar, media in m.album_sidecars.items():
        assert (m.root / sidecar).read_bytes() == (m.root / m.media[media]).read_bytes()
    assert m.quirks["trashed"] == [f"{P1}/Trash/IMG_0098.jpg", f"{P1}/Trash/IMG_0098.jpg.json"]
    assert m.quirks["archive_folder"] == [f"{P1}/Archive/IMG_0099.jpg", f"{P1}/Archive/IMG_0099.jpg.json"]


def test_every_media_file_is_real_and_distinct(takeout):
    m = takeout
    result = exiftool_json([m.root / rel for rel in m.media], "DateTimeOriginal", "OffsetTimeOriginal")
    for rel in m.media:
        entry = result[str(m.root / rel)]
        assert "Error" not in entry, rel
        assert entry["FileType"] == FILE_TYPES[os.path.splitext(rel)[1].lower()], rel
    camera = result[str(m.root / f"{P1}/Photos from 2018/DSC_0042.JPG")]
    local = sample.utc_datetime(m.taken[f"{P1}/Photos from 2018/DSC_0042.JPG"] + 7200)
    assert camera["DateTimeOriginal"] == local.strftime("%Y:%m:%d %H:%M:%S")
    assert camera["OffsetTimeOriginal"] == "+02:00"
    assert "DateTimeOriginal" not in result[str(m.root / f"{P1}/Photos from 2019/IMG_0001.jpg")]
    # Only album copies repeat another file's bytes.
    contents = {rel: (m.root / rel).read_bytes() for rel in m.media if rel not in m.copies}
    assert len(set(contents.values())) == len(contents)
    for copy, original in m.copies.items():
        assert (m.root / copy).read_bytes() == contents[original]


def test_every_sidecar_parses_and_dates_match(takeout):
    m = takeout
    parsed = {rel: parse_json_bytes((m.root / rel).read_bytes(), rel) for rel in m.sidecars}
    assert all(isinstance(s, Sidecar) for s in parsed.values())
    for rel, sidecar in m.media.items():
        if sidecar:
            assert parsed[sidecar].taken == m.taken[rel], rel
    for rel in m.other_json:
        assert isinstance(parse_json_bytes((m.root / rel).read_bytes(), rel), OtherJson)
    years = {sample.utc_datetime(s.taken).year for s in parsed.values()}
    assert min(years) < 1970 and years - {1965} <= set(range(2005, 2024))
    # Distinct dates, except a photo and its copies (in an album, in another part), which share one sidecar content.
    copies = {m.media[c] for c in m.copies} | set(m.album_sidecars)
    originals = [s for rel, s in parsed.items() if rel not in copies]
    assert len({s.taken for s in originals}) == len(originals)


def test_year_folders_hold_their_year(takeout):
    for rel, taken in takeout.taken.items():
        folder = rel.rsplit("/", 2)[-2]
        if folder.startswith("Photos from "):
            assert folder == f"Photos from {sample.utc_datetime(taken).year}", rel


def test_quirks_are_present(takeout):
    m = takeout
    f19, f20 = f"{P1}/Photos from 2019", f"{P2}/Photos from 2020"
    pairs = {
        f"{f19}/IMG_0001.jpg": f"{f19}/IMG_0001.jpg.json",
        f"{f19}/IMG_0002.jpg": f"{f19}/IMG_0002.jpg.json",
        f"{f19}/IMG_0002(1).jpg": f"{f19}/IMG_0002.jpg(1).json",
        f"{f19}/IMG_0003.jpg": f"{f19}/IMG_0003.jpg.json",
        f"{f19}/IMG_0003-edited.jpg": f"{f19}/IMG_0003.jpg.json",
        f"{P1}/Photos from 2020/IMG_0004.HEIC": f"{P1}/Photos from 2020/IMG_0004.HEIC.json",
        f"{P1}/Photos from 2020/IMG_0004.MOV": f"{P1}/Photos from 2020/IMG_0004.HEIC.json",
        f"{P1}/Photos from 2016/Family reunion at grandma's house, summer after.jpg":
            f"{P1}/Photos from 2016/Family reunion at grandma's house, summer afte.json",
        f"{P1}/Photos from 2015/Funny cat.gif": f"{P1}/Photos from 2015/Funny cat.gif.json",
        f"{P2}/Photos from 2021/IMG_0010.jpg": f"{P2}/Photos from 2021/IMG_0010.jpg.supplemental-metadata.json",
        f"{P2}/Photos from 2021/IMG_0010(1).jpg":
            f"{P2}/Photos from 2021/IMG_0010.jpg.supplemental-metadata(1).json",
        f"{f20}/IMG_20200704_183000_HDR_1.jpg": f"{f20}/IMG_20200704_183000_HDR_1.jpg.supplemental-met.json",
        f"{f20}/Screenshot_20200912-081530_Instagram.jpg":
            f"{f20}/Screenshot_20200912-081530_Instagram.jpg.suppl.json",
        f"{f20}/Screenshot_20201105-221034_Google Maps~2.jpg":
            f"{f20}/Screenshot_20201105-221034_Google Maps~2.jpg.s.json",
        f"{P2}/Photos from 2022/Crêpes à Paris 🥐 — 巴黎.jpg":
            f"{P2}/Photos from 2022/Crêpes à Paris 🥐 — 巴黎.jpg.supplemental-metadat.json",
        f"{P2}/Photos from 2022/Coucher de soleil sur le vieux port avec toute .jpg":
            f"{P2}/Photos from 2022/Coucher de soleil sur le vieux port avec toute.json",
        f"{P2}/Photos from 2022/IMG_0011.MOV": f"{P2}/Photos from 2022/IMG_0011.MOV.supplemental-metadata.json",
        f"{P2}/Photos from 2023/IMG_0012.HEIC": f"{P2}/Photos from 2023/IMG_0012.HEIC.supplemental-metadata.json",
    }
    for media, sidecar in pairs.items():
        assert m.media[media] == sidecar
    assert m.taken[f"{f19}/IMG_0002.jpg"] != m.taken[f"{f19}/IMG_0002(1).jpg"]
    assert sum(rel.endswith(".png") for rel in m.media) >= 2
    assert any(rel.endswith(".mp4") for rel in m.media)


def test_sidecar_content_quirks(takeout):
    m = takeout

    def sidecar_of(media: str) -> Sidecar:
        rel = m.media[media]
        return parse_json_bytes((m.root / rel).read_bytes(), rel)

    first = sidecar_of(f"{P1}/Photos from 2019/IMG_0001.jpg")
    assert first.favorited and first.geo == Geo(*sample.NEW_YORK)
    assert sidecar_of(f"{P1}/Photos from 2019/IMG_0002(1).jpg").geo == Geo(*sample.ADELAIDE)
    assert sidecar_of(f"{P1}/Photos from 2019/IMG_0002.jpg").geo is None
    tokyo = sidecar_of(f"{P1}/Photos from 2012/Tōkyō タワー 東京 – été 🗼.jpg")
    assert tokyo.title == "Tōkyō タワー 東京 – été 🗼.jpg" and tokyo.people == ("田中 花子", "Zoë Müller")
    paris = sidecar_of(f"{P2}/Photos from 2022/Crêpes à Paris 🥐 — 巴黎.jpg")
    assert paris.geo == Geo(*sample.PARIS) and "\n" in paris.description and "パリ" in paris.description
    assert sidecar_of(f"{P1}/Photos from 2019/IMG_0003-edited.jpg").archived
    raw = (m.root / m.media[f"{P2}/Photos from 2022/Crêpes à Paris 🥐 — 巴黎.jpg"]).read_bytes()
    assert "巴黎".encode() in raw  # written as UTF-8, not \\u escapes


# --- naming model --------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kw", "expected"),
    [
        ("IMG_0001.jpg", {"supplemental": False}, "IMG_0001.jpg.json"),
        ("IMG_0001.jpg", {}, "IMG_0001.jpg.supplemental-metadata.json"),
        ("IMG_0002.jpg", {"supplemental": False, "index": 1}, "IMG_0002.jpg(1).json"),
        ("IMG_0002.jpg", {"index": 1}, "IMG_0002.jpg.supplemental-metadata(1).json"),
        ("IMG_20200704_183000_HDR_1.jpg", {}, "IMG_20200704_183000_HDR_1.jpg.supplemental-met.json"),
        ("Screenshot_20200912-081530_Instagram.jpg", {}, "Screenshot_20200912-081530_Instagram.jpg.suppl.json"),
        ("Screenshot_20201105-221034_Google Maps~2.jpg", {}, "Screenshot_20201105-221034_Google Maps~2.jpg.s.json"),
        # Names seen in real exports.
        ("Screenshot_2017-07-05-10-05-26.png", {}, "Screenshot_2017-07-05-10-05-26.png.supplementa.json"),
        ("D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg", {}, "D7157814-D2D5-4A62-AFCE-9CF465CB7D66.jpeg.supp.json"),
        ("Screenshot_20220207_102421_com.snapchat.android.jpg", {},
         "Screenshot_20220207_102421_com.snapchat.androi.json"),
        ("Urlaub in Knaufspesch in der Schneifel (38).JPG", {"supplemental": False},
         "Urlaub in Knaufspesch in der Schneifel (38).JP.json"),
        ("Family reunion at grandma's house, summer afternoon 2016.jpg", {"supplemental": False},
         "Family reunion at grandma's house, summer afte.json"),
        ("Family reunion at grandma's house, summer afternoon 2016.jpg", {"index": 2},
         "Family reunion at grandma's house, summer afte(2).json"),
        # Characters, not bytes, are counted.
        ("Crêpes à Paris 🥐 — 巴黎.jpg", {}, "Crêpes à Paris 🥐 — 巴黎.jpg.supplemental-metadat.json"),
    ],
)
def test_sidecar_name(title, kw, expected):
    assert sample.sidecar_name(title, **kw) == expected
    assert len(expected.replace(f"({kw.get('index')})", "")) <= 51


def test_media_names():
    long_title = "Family reunion at grandma's house, summer afternoon 2016.jpg"
    assert len(long_title) == 60
    assert sample.media_name_for_title(long_title) == "Family reunion at grandma's house, summer after.jpg"
    assert sample.media_name_for_title(long_title, index=1) == "Family reunion at grandma's house, summer after(1).jpg"
    assert sample.media_name_for_title("IMG_0002.jpg", index=1) == "IMG_0002(1).jpg"
    assert sample.media_name_for_title("IMG_0002.jpg") == "IMG_0002.jpg"
    assert sample.edited_name_for_title("IMG_0003.jpg") == "IMG_0003-edited.jpg"


# --- sidecar format ------------------------------------------------------


def test_sidecar_dict_shape():
    data = sample.sidecar_dict("IMG_0001.jpg", 1562675400)
    assert data["photoTakenTime"] == {"timestamp": "1562675400", "formatted": "9 Jul 2019, 12:30:00 UTC"}
    assert data["creationTime"]["timestamp"] == str(1562675400 + sample.DEFAULT_UPLOAD_DELAY)
    zero = {"latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
    assert data["geoData"] == zero and data["geoDataExif"] == zero
    assert not {"favorited", "archived", "trashed", "people"} & set(data)
    assert data["url"].startswith("https://photos.google.com/photo/")
    flagged = sample.sidecar_dict("a.jpg", -100000, created=5, geo=(1.5, 2.5), people=["Ann"],
                                  favorited=True, archived=True, trashed=True)
    assert flagged["photoTakenTime"] == {"timestamp": "-100000", "formatted": "30 Dec 1969, 20:13:20 UTC"}
    assert flagged["creationTime"]["timestamp"] == "5"
    assert flagged["geoData"]["latitude"] == 1.5 and flagged["geoDataExif"] == zero
    assert flagged["people"] == [{"name": "Ann"}]
    assert flagged["favorited"] is flagged["archived"] is flagged["trashed"] is True


def test_sidecar_file_is_indented_utf8(tmp_path):
    data = sample.sidecar_dict("Zoë 🗼.jpg", 0, description="a\nb", people=["田中"], geo=sample.TOKYO)
    data["extra"] = [[], {}, None, 1e-7, [True, False]]
    path = sample.write_sidecar(tmp_path / "x.json", data)
    assert path.read_bytes() == json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# --- media makers --------------------------------------------------------


def test_make_media_for_every_extension(tmp_path):
    names = [f"m{ext}" for ext in FILE_TYPES] + ["IMG_1.JPG", "clip.MOV", "odd.xyz"]
    paths = [sample.make_media(tmp_path / name, seed=n) for n, name in enumerate(names)]
    result = exiftool_json(paths)
    for path in paths:
        expected = FILE_TYPES.get(path.suffix.lower(), "JPEG")
        assert result[str(path)]["FileType"] == expected, path.name
        assert "Error" not in result[str(path)]


def test_seed_changes_content(tmp_path):
    for maker in (sample.make_jpeg, sample.make_png, sample.make_mp4):
        a = maker(tmp_path / f"a-{maker.__name__}", seed=1).read_bytes()
        b = maker(tmp_path / f"b-{maker.__name__}", seed=2).read_bytes()
        again = maker(tmp_path / f"c-{maker.__name__}", seed=1).read_bytes()
        assert a != b and a == again


def test_target_bytes(tmp_path):
    jpeg = sample.make_jpeg(tmp_path / "big.jpg", seed=3, target_bytes=400_000)
    assert 0.9 < jpeg.stat().st_size / 400_000 < 1.1
    video = sample.make_mp4(tmp_path / "big.mp4", seed=3, target_bytes=2_000_000)
    assert 0.85 < video.stat().st_size / 2_000_000 < 1.15
    result = exiftool_json([jpeg, video])
    assert result[str(jpeg)]["FileType"] == "JPEG" and result[str(video)]["FileType"] == "MP4"


# --- many-tiny-files mode and the command line -----------------------------


def test_small_mode(tmp_path):
    m = sample.generate_takeout(tmp_path / "small", photos=300, videos=10, small=True)
    assert files_under(m.root) == set(m.media) | set(m.sidecars) | set(m.other_json)
    assert len(m.media) == 310
    contents = [(m.root / rel).read_bytes() for rel in m.media if rel not in m.copies]
    assert len(set(contents)) == len(contents)
    tiny = [m.root / rel for rel in sorted(m.media) if "IMG_1" in rel][:20]
    assert any(p.stat().st_size < 1000 for p in tiny)
    result = exiftool_json(tiny)
    assert all(result[str(p)]["FileType"] == FILE_TYPES[p.suffix.lower()] for p in tiny)


def test_same_seed_same_export(tmp_path):
    a = sample.generate_takeout(tmp_path / "a", photos=30, videos=3, seed=7)
    b = sample.generate_takeout(tmp_path / "b", photos=30, videos=3, seed=7)
    assert a.media == b.media and a.taken == b.taken
    assert all((a.root / rel).read_bytes() == (b.root / rel).read_bytes() for rel in a.media)
    c = sample.generate_takeout(tmp_path / "c", photos=30, videos=3, seed=8)
    assert c.taken != a.taken


def test_cli_refuses_non_empty_destination(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert sample.main([str(tmp_path)]) == 1
    assert "not an empty folder" in capsys.readouterr().err
    assert files_under(tmp_path) == {"keep.txt"}


def test_cli_writes_a_takeout(tmp_path, capsys):
    assert sample.main([str(tmp_path / "out"), "--photos", "30", "--videos", "4", "--seed", "2"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("34 media, ") and str(tmp_path / "out") in line
    assert (tmp_path / "out" / "Takeout 2" / "Google Photos" / "Trip" / "metadata.json").is_file()


def test_without_pillow_the_generator_says_what_to_install(tmp_path):
    code = ("import sys; sys.modules['PIL'] = None; from pef.sample import main; "
            f"sys.exit(main([{str(tmp_path / 'export')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(sample.__file__).parent.parent)})
    assert proc.returncode == 1
    assert proc.stderr == ("pef.sample makes real photos and videos, which needs Pillow: install pef with its sample "
                           "extra (pip install '.[sample]') and ffmpeg (see the README), then run this again.\n")
    assert not (tmp_path / "export").exists()
