"""pef's benchmark: pef against the floors it cannot beat, on the same generated Takeout, in one process.

    .venv/bin/python bench/run.py                 # photo-sized tree, about 1 GB
    .venv/bin/python bench/run.py --photo-count 600 --video-count 12
    .venv/bin/python bench/run.py --small 100000  # many tiny files: scan/match/plan/state costs

Floors: `cp -r` of the tree (one read and one write of every byte) and the ExifTool floor (as many bare
`exiftool` batch processes as pef has workers, each given its share of the media in one argument file,
writing the same kinds of tags to new files; a second, labelled line gives the same writes sent as one
command per file, which pays ExifTool's per-command set-up each time). Prints wall time, files/s, MB/s and peak memory of every
run, the ratios pef/ExifTool floor and pef --no-exif/cp -r, and writes everything to bench/results/.
Not part of the test suite: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pef.sample import generate_takeout  # noqa: E402


def timed(name: str, cmd: list[str], files: int, total_bytes: int, **kw) -> dict:
    """Run cmd and time it until its data is on disk (sync included, for every run alike).

    Peak memory is the child's own, from GNU time (the largest process when cmd starts several).
    """
    os.sync()
    began = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "PEAK_KB %M", *cmd], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, **kw)
    os.sync()
    seconds = time.perf_counter() - began
    peak = [line for line in proc.stderr.splitlines() if line.startswith("PEAK_KB ")]
    row = {
        "name": name,
        "seconds": round(seconds, 3),
        "files_per_s": round(files / seconds, 1),
        "mb_per_s": round(total_bytes / 1e6 / seconds, 1),
        "peak_mb": round(int(peak[-1].split()[1]) / 1024, 1) if peak else None,
        "exit": proc.returncode,
    }
    if proc.returncode not in (0, 2):
        row["stderr"] = proc.stderr[-400:]
    print(f"{name:32} {seconds:8.2f} s {row['files_per_s']:9.1f} files/s "
          f"{row['mb_per_s']:8.1f} MB/s  peak {row['peak_mb'] or 0:7.1f} MB  exit {proc.returncode}", flush=True)
    return row


# The kinds of tags pef writes: local dates with their offset, GPS, a caption. In one batch command every
# file gets all of them; ExifTool writes those its format holds (EXIF/XMP in images, QuickTime in videos).
FLOOR_TAGS = [
    "-EXIF:DateTimeOriginal=2019:07:09 21:30:00", "-EXIF:OffsetTimeOriginal=+09:00",
    "-EXIF:GPSLatitude=35.68", "-EXIF:GPSLatitudeRef=N", "-EXIF:GPSLongitude=139.76", "-EXIF:GPSLongitudeRef=E",
    "-XMP-dc:Description=A caption",
    "-QuickTime:CreateDate=2019:07:09 12:30:00", "-Keys:CreationDate=2019:07:09 21:30:00+09:00",
    "-Keys:GPSCoordinates=35.68 139.76 40",
]


def run_exiftool_floor(src: Path, out: Path, media: list[str], jobs: int, total_bytes: int, work: Path) -> dict:
    """The real floor: as many bare ExifTool processes as pef has workers, each given its share of the
    files in one command (one argument file), writing new files."""
    argfiles = []
    for n in range(jobs):
        path = work / f"floor-{n}.args"
        lines = ["-q", "-q", "-m", "-charset", "filename=utf8", *FLOOR_TAGS, "-o", f"{out}/%d%f.%e",
                 *media[n::jobs]]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        argfiles.append(path)
    script = " & ".join(f"exiftool -@ '{a}' >/dev/null 2>&1" for a in argfiles) + " & wait"
    return timed(f"exiftool batch floor (x{jobs})", ["bash", "-c", script], len(media), total_bytes, cwd=src)


def run_exiftool_per_file(src: Path, out: Path, media: list[str], jobs: int, total_bytes: int, work: Path) -> dict:
    """For comparison only: the same writes as one command per file (-execute after each), the way a
    tool that sends ExifTool each file on its own pays ExifTool's per-command set-up every time."""
    argfiles = []
    for n in range(jobs):
        lines = []
        for i, rel in enumerate(media[n::jobs]):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            lines += ["-q", "-q", "-m", "-charset", "filename=utf8", *FLOOR_TAGS, "-o", str(out / rel),
                      str(src / rel), f"-execute{i}"]
        path = work / f"per-file-{n}.args"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        argfiles.append(path)
    script = " & ".join(f"exiftool -@ '{a}' >/dev/null 2>&1" for a in argfiles) + " & wait"
    return timed(f"exiftool per-file commands (x{jobs})", ["bash", "-c", script], len(media), total_bytes)


def bench_archives(src: Path, work: Path, pef: list[str], env: dict, files: int, total: int) -> dict:
    """pef on Takeout zip parts against the usual way: unzip everything, then pef on the folder."""
    parts = work / "zips"
    parts.mkdir()
    names = sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file())
    share = (len(names) + 2) // 3
    for n in range(3):  # three parts, like a Takeout split by size
        chunk = names[n * share : (n + 1) * share]
        subprocess.run(["zip", "-q", "-1", str(parts / f"takeout-{n + 1:03d}.zip"), *chunk], cwd=src, check=True)
    zips = sorted(str(p) for p in parts.iterdir())
    base = [a for a in pef if a not in ("-p", str(src))]
    rows = {"unzip": timed("unzip (all parts)", ["bash", "-c", " && ".join(
        f"unzip -q -o '{z}' -d '{work / 'unzipped'}'" for z in zips)], files, total)}
    rows["pef_unzipped"] = timed("pef on the unzipped tree", [*base, "-p", str(work / "unzipped"), "--output",
                                 str(work / "out-unzipped")], files, total, env=env)
    rows["pef_zips"] = timed("pef on the zip parts", [*base, "-p", *zips, "--output", str(work / "out-zips")],
                             files, total, env=env)
    for name in ("unzipped", "out-unzipped", "out-zips"):
        shutil.rmtree(work / name)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--photo-count", type=int, default=280)
    p.add_argument("--video-count", type=int, default=8)
    p.add_argument("--photo-mb", type=float, default=3.0)
    p.add_argument("--video-mb", type=float, default=20.0)
    p.add_argument("--small", type=int, default=0, help="many-small-files mode with this many media files")
    p.add_argument("--archives", action="store_true",
                   help="also compare pef on zip parts with unzip + pef on the extracted tree")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--work", type=Path, help="work folder (default: a temporary one, removed after)")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="pef-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = bench(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out_file = out_dir / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out_file.write_text(json.dumps(results, indent=1))
    print(f"\nFigures written to {out_file}")
    return 0


def bench(args, work: Path) -> dict:
    src = work / "Takeout"
    began = time.perf_counter()
    if args.small:
        manifest = generate_takeout(src, photos=args.small, videos=0, small=True)
    else:
        manifest = generate_takeout(
            src, photos=args.photo_count, videos=args.video_count,
            photo_bytes=int(args.photo_mb * 1e6), video_bytes=int(args.video_mb * 1e6),
        )
    media = sorted(manifest.media)
    total = manifest.total_bytes
    print(f"Generated {len(media)} media files, {total / 1e6:.0f} MB in {time.perf_counter() - began:.1f} s "
          f"({args.jobs} jobs)\n")
    pef = [sys.executable, "-m", "pef", "-p", str(src), "-j", str(args.jobs), "--timezone", "UTC"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rows = {}
    rows["cp"] = timed("cp -r", ["cp", "-r", str(src), str(work / "cp-copy")], len(media), total)
    shutil.rmtree(work / "cp-copy")
    if args.small:
        rows["plan"] = timed("pef --dry-run (scan+match+plan)", [*pef, "--dry-run"], len(media), total, env=env)
    else:
        rows["exiftool"] = run_exiftool_floor(src, work / "floor", media, args.jobs, total, work)
        shutil.rmtree(work / "floor")
        rows["exiftool_per_file"] = run_exiftool_per_file(src, work / "floor", media, args.jobs, total, work)
        shutil.rmtree(work / "floor")
    rows["no_exif"] = timed("pef --no-exif", [*pef, "--no-exif", "--output", str(work / "noexif")], len(media), total, env=env)
    if not args.small:
        shutil.rmtree(work / "noexif")
        rows["pef"] = timed("pef", [*pef, "--output", str(work / "pef")], len(media), total, env=env)
        rows["resume"] = timed("pef resume (finished run)", [*pef, "--output", str(work / "pef")], len(media), total, env=env)
    else:
        rows["resume"] = timed("pef resume (finished run)", [*pef, "--no-exif", "--output", str(work / "noexif")],
                               len(media), total, env=env)
        # The audit's own cost (a fresh scan and one stat per output), against the scan it must repeat.
        rows["verify"] = timed("pef verify --no-read", [sys.executable, "-m", "pef", "verify", "--no-read",
                                                        str(work / "noexif")], len(media), total, env=env)
    if args.archives:
        rows.update(bench_archives(src, work, pef, env, len(media), total))
    ratios = {"pef_no_exif_to_cp": rows["no_exif"]["seconds"] / rows["cp"]["seconds"]}
    if args.archives:
        ratios["zips_to_unzip_then_pef"] = rows["pef_zips"]["seconds"] / (
            rows["unzip"]["seconds"] + rows["pef_unzipped"]["seconds"])
    if "pef" in rows:
        # Finding identical files (size, sampled pre-hash, full hash of what still collides), timed by pef itself.
        summary = json.loads((work / "pef" / "report.json").read_text(encoding="utf-8"))["summary"]
        print(f"{'dedup inside pef':32} {summary['dedup_seconds']:8.2f} s, {summary['duplicates']} duplicates, "
              f"{summary['dedup_hashed_bytes'] / 1e6:.1f} MB read to find them", flush=True)
        rows["dedup"] = {"seconds": summary["dedup_seconds"], "hashed_bytes": summary["dedup_hashed_bytes"],
                         "duplicates": summary["duplicates"]}
        ratios["dedup_share_of_pef_run"] = summary["dedup_seconds"] / rows["pef"]["seconds"]
        ratios["pef_to_exiftool_floor"] = rows["pef"]["seconds"] / rows["exiftool"]["seconds"]
        ratios["pef_to_per_file_commands"] = rows["pef"]["seconds"] / rows["exiftool_per_file"]["seconds"]
        ratios["resume_to_full_run"] = rows["resume"]["seconds"] / rows["pef"]["seconds"]
    else:
        ratios["resume_to_full_run"] = rows["resume"]["seconds"] / rows["no_exif"]["seconds"]
        ratios["verify_to_dry_run"] = rows["verify"]["seconds"] / rows["plan"]["seconds"]
    print()
    for name, value in ratios.items():
        print(f"{name:32} {value:6.3f}x")
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cores": os.cpu_count(),
        "jobs": args.jobs,
        "media_files": len(media),
        "total_mb": round(total / 1e6, 1),
        "small_mode": bool(args.small),
        "runs": rows,
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
    }


if __name__ == "__main__":
    sys.exit(main())
