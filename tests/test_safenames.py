"""Output names valid on Windows, macOS and exFAT, whatever system writes them: the mapping and the plan that uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import OWN_FILES, REPO
from pef.matching import MatchResult, Pair
from pef.plan import Kind, make_plan
from pef.safenames import MAX_NAME_BYTES, is_safe, safe_component, safe_path
from pef.scan import MediaEntry, ScanResult

_SCALE = float(os.environ.get("PEF_PROPERTY_EXAMPLES", "1"))


def _settings(n: int):
    return settings(max_examples=max(1, int(n * _SCALE)), deadline=None)


# ----- what Windows, macOS and exFAT accept, written out from their documented rules -------------------------

FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(0x20)}
DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{d}" for p in ("COM", "LPT") for d in "0123456789\u00b9\u00b2\u00b3"
}


def invalid_because(name: str) -> str | None:
    if name in ("", ".", ".."):
        return "empty or a dot name"
    bad = sorted(c for c in set(name) if c in FORBIDDEN)
    if bad:
        return f"holds {bad!r}"
    if name[-1] in ". ":
        return "ends with a dot or a space (Windows drops them)"
    if name.split(".")[0].rstrip(" ").upper() in DEVICES:
        return "is a Windows device name"
    try:
        size = len(name.encode("utf-8"))  # strict: APFS and exFAT take only valid Unicode
    except UnicodeEncodeError:
        return "is not valid Unicode"
    if size > MAX_NAME_BYTES or len(name.encode("utf-16-le")) // 2 > 255:
        return "is too long"
    return None


# ----- the mapping ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("IMG_0001.jpg", "IMG_0001.jpg"),
    ("Trip: Paris?.jpg", "Trip\uff1a Paris\uff1f.jpg"),
    ('<a>"b"|c*.png', "\uff1ca\uff1e\uff02b\uff02\uff5cc\uff0a.png"),
    ("back\\slash.jpg", "back\uff3cslash.jpg"),
    ("new\nline.jpg", "new\u240aline.jpg"),
    ("tab\there\x00.jpg", "tab\u2409here\u2400.jpg"),
    ("Trip.", "Trip_"),
    ("Trip ", "Trip_"),
    ("Trip. . ", "Trip____"),
    ("...", "___"),
    ("CON", "CON_"),
    ("con.jpg", "con_.jpg"),
    ("Nul.tar.gz", "Nul_.tar.gz"),
    ("CON .txt", "CON_ .txt"),
    ("COM1.heic", "COM1_.heic"),
    ("LPT\u00b9", "LPT\u00b9_"),
    ("conin$.png", "conin$_.png"),
    ("CONSOLE.jpg", "CONSOLE.jpg"),
    ("COM10.jpg", "COM10.jpg"),
    ("caf\udce9.jpg", "caf\u00e9.jpg"),  # the bytes b"caf\xe9.jpg": Latin-1, not UTF-8
    ("x\ud800y.jpg", "x\ufffdy.jpg"),
    (".hidden", ".hidden"),
    (" leading space.jpg", " leading space.jpg"),
    ("a" * 300, "a" * 255),
    ("\u00e9" * 200, "\u00e9" * 127),
])
def test_hostile_names(name: str, expected: str) -> None:
    assert safe_component(name) == expected
    assert invalid_because(expected) is None


def test_path_cuts_folders_but_leaves_the_file_name_to_the_plan() -> None:
    assert safe_path("Trip: 2019./CON/" + "x" * 300 + ".jpg") == "Trip\uff1a 2019_/CON_/" + "x" * 300 + ".jpg"
    assert safe_path("a" * 300 + "/b.jpg") == "a" * 255 + "/b.jpg"


names = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(sorted(FORBIDDEN - {"/"}) + [".", " ", "\udc80", "\udcff", "\ud800", "\u00b9"]),
    ),
    min_size=1, max_size=40,
).filter(lambda n: n not in (".", "..") and "/" not in n)
device_names = st.tuples(st.sampled_from(sorted(DEVICES)), st.sampled_from(["", ".jpg", " .txt", ".tar.gz", "."])).map(
    lambda t: "".join(t)
)
long_names = st.tuples(st.sampled_from(["a", "\u00e9", "\u4e2d", "\U0001f600", ".", " "]), st.integers(60, 300)).map(
    lambda t: t[0] * t[1]
)


@_settings(500)
@given(name=st.one_of(names, device_names, long_names, st.builds(lambda a, b: a + b, device_names, names)))
@example(name="CON")
@example(name="\udce9.")
def test_every_mapped_name_is_valid_and_stays_as_it_is(name: str) -> None:
    mapped = safe_component(name)
    assert invalid_because(mapped) is None, (name, mapped, invalid_because(mapped))
    assert safe_component(mapped) == mapped
    assert is_safe(mapped)
    if invalid_because(name) is None:
        assert mapped == name  # a name valid everywhere is never changed


# ----- the plan ------------------------------------------------------------------------------------------

def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", path).casefold())


folders = st.sampled_from(["", "Photos from 2019", "Trip.", "Trip", "Trip_", "CON", "con", "a:b", "a\uff1ab",
                           "Album \udce9t\udce9", "Album \u00e9t\u00e9", "x" * 250 + "::"])
files = st.sampled_from(["IMG.jpg", "img.JPG", "IMG.jpg.", "IMG.jpg ", "IMG.jpg_", "a:b.jpg", "a\uff1ab.jpg",
                         "CON.jpg", "con_.jpg", "new\nline.jpg", "new\u240aline.jpg", "caf\udce9.jpg", "caf\u00e9.jpg",
                         "y" * 250 + ".jpg", "y" * 250 + ":.jpg", "NUL", "nul_", "Unprocessed"])
trees = st.lists(st.tuples(folders, files, st.booleans()), min_size=1, max_size=25, unique_by=lambda t: (t[0], t[1]))


def _scan_and_pairs(tree) -> tuple[ScanResult, MatchResult]:
    media, matched = [], MatchResult()
    for i, (folder, name, paired) in enumerate(tree):
        rel = f"{folder}/{name}" if folder else name
        media.append(MediaEntry(rel, 100 + i, 0))
        if paired:
            matched.pairs[rel] = Pair(rel, rel + ".json", "exact")
        else:
            matched.unpaired_media[rel] = "no sidecar"
    return ScanResult(media=media), matched


@_settings(300)
@given(tree=trees)
def test_planned_outputs_are_valid_everywhere_and_never_shared(tree) -> None:
    found, matched = _scan_and_pairs(tree)
    plan = make_plan(found, matched)
    outputs = []
    for action in plan.actions:
        outputs.append(action.dest)
        if action.kind is Kind.WRITE:
            outputs.append(action.dest + ".xmp")
    for path in outputs:
        for part in path.split("/"):
            assert invalid_because(part) is None, (path, part, invalid_because(part))
    folded = [_fold(p) for p in outputs]
    assert len(folded) == len(set(folded)), "two outputs on one name"
    assert {a.source for a in plan.actions} == {m.rel for m in found.media}  # the originals, as recorded
    # Stable: the same plan again, from the plan's own record (a resume), and in the other order.
    assert make_plan(found, matched).actions == plan.actions
    assert make_plan(found, matched, {a.source: a.dest for a in plan.actions}).actions == plan.actions
    # A source whose path is valid everywhere keeps it, unless another such path differs from it only in case
    # (or its name leaves no room for the ".xmp" an output may need beside it, or it is pef's Unprocessed folder).
    valid = [m.rel for m in found.media if all(invalid_because(p) is None for p in m.rel.split("/"))
             and len(m.rel.rpartition("/")[2].encode()) <= MAX_NAME_BYTES - len(".xmp")
             and _fold(m.rel.split("/")[0]) != "unprocessed"]
    for action in plan.actions:
        if action.source in valid and [_fold(v) for v in valid].count(_fold(action.source)) == 1:
            assert action.dest.endswith(action.source), action


def test_names_that_map_to_one_name_get_numbered() -> None:
    tree = [("", "Trip.", False), ("", "Trip_", False), ("", "a:b.jpg", True), ("", "a\uff1ab.jpg", True),
            ("", "CON.jpg", True), ("", "con_.JPG", True), ("", "IMG.jpg ", True), ("", "IMG.jpg_", True)]
    found, matched = _scan_and_pairs(tree)
    # The name that was valid everywhere keeps it; the mapped one is numbered.
    assert {a.source: a.dest for a in make_plan(found, matched).actions} == {
        "Trip.": "Unprocessed/Trip_(1)",
        "Trip_": "Unprocessed/Trip_",
        "a:b.jpg": "a\uff1ab(1).jpg",
        "a\uff1ab.jpg": "a\uff1ab.jpg",
        "CON.jpg": "CON_(1).jpg",
        "con_.JPG": "con_.JPG",
        "IMG.jpg ": "IMG(1).jpg_",
        "IMG.jpg_": "IMG.jpg_",
    }


def test_plan_is_the_same_in_another_process() -> None:
    """Nothing in the mapping depends on hash order or the machine: a fresh interpreter with another hash seed agrees."""
    tree = [(f, n, p) for f in ["", "Trip.", "CON", "a:b"] for n, p in
            [("IMG.jpg", True), ("img.JPG", False), ("new\nline.jpg", True), ("caf\udce9.jpg", False), ("NUL", True)]]
    code = (
        "import json, sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_safenames import _scan_and_pairs\n"
        "from pef.plan import make_plan\n"
        "tree = [tuple(t) for t in json.loads(sys.stdin.read())]\n"
        "print(json.dumps([[a.source, a.dest] for a in make_plan(*_scan_and_pairs(tree)).actions]))\n"
    )
    runs = []
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code], input=json.dumps(tree), capture_output=True, text=True, check=True,
            cwd=REPO, env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
        ).stdout
        runs.append(json.loads(out))
    assert runs[0] == runs[1]
    here = [[a.source, a.dest] for a in make_plan(*_scan_and_pairs(tree)).actions]
    assert runs[0] == here


def test_a_run_writes_only_names_valid_everywhere(src, tmp_path) -> None:
    """For real: hostile names on disk, written under their mapped names, recorded under the originals, resumable,
    and verified."""
    from conftest import exif_read, run_cli, tree_files, write_sidecar
    from pef.sample import make_media

    t = 1546300800
    paired = ["Trip: Paris?/CON.jpg", "Trip: Paris?/a|b*.jpg", "Trip./IMG_1.jpg", "Trip/IMG_1.jpg"]
    for i, rel in enumerate(paired):
        make_media(src / rel, seed=i)
        write_sidecar(src / (rel + ".json"), rel.rpartition("/")[2], t + i)
    make_media(src / "nul", seed=9)  # no sidecar: Unprocessed/
    out = tmp_path / "out"
    proc = run_cli("-p", str(src), "--output", str(out), "--timezone", "UTC")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = {
        "Trip: Paris?/CON.jpg": "Trip\uff1a Paris\uff1f/CON_.jpg",
        "Trip: Paris?/a|b*.jpg": "Trip\uff1a Paris\uff1f/a\uff5cb\uff0a.jpg",
        "Trip./IMG_1.jpg": "Trip_/IMG_1.jpg",
        "Trip/IMG_1.jpg": "Trip/IMG_1.jpg",
        "nul": "Unprocessed/nul_",
    }
    assert tree_files(out) == {*expected.values(), *OWN_FILES}
    report = json.loads((out / "report.json").read_text())
    state = json.loads((out / "processing_state.json").read_text())
    assert {k: v["output"] for k, v in report["media"].items()} == expected
    assert {k: v["output_file"] for k, v in state["media"].items()} == expected
    got = exif_read(*(out / expected[rel] for rel in paired), args=("-DateTimeOriginal",))
    assert [g["DateTimeOriginal"] for g in got] == [f"2019:01:01 00:00:0{i}" for i in range(4)]
    again = run_cli("-p", str(src), "--resume", "--timezone", "UTC", "--output", str(out))
    assert "Everything was already done" in again.stdout, again.stdout + again.stderr
    check = run_cli("verify", str(out))
    assert check.returncode == 0, check.stdout + check.stderr
