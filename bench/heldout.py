"""Benchmark: a linker change scored on every held-out world in minutes, before it lands.

    .venv/bin/python bench/heldout.py prepare [--dir D] [--force] [WORLD ...]
    PYTHONPATH=/path/to/checkout .venv/bin/python bench/heldout.py link [--dir D] [--source S] TAG [WORLD ...]
    .venv/bin/python bench/heldout.py compare [--dir D] TAG_A TAG_B [WORLD ...]
    .venv/bin/python bench/heldout.py list [--dir D]

``prepare`` makes each world once (default: every world but ind1m): it generates it into
D/<world>/world, runs `lindungi run --period 2026-11` on it (``python -m dagster_project.cli``,
the code under test, with a state directory D/<world>/home of its own, then `lindungi db stop`)
into D/<world>/out. A world already prepared is skipped unless ``--force``. The worlds (``list``):

    ours      lindungi generate 200k, seed 2027 (the project's own generator)
    ind5/11   bench/independent_world.py 150k, seeds 5 and 11 (written from the contract alone)
    bali      bench/bali_world.py 200k, seed 11      kaltim    bench/kaltim_world.py 200k, seed 7
    makassar  bench/makassar_world.py 200k, seed 53  bogor     bench/bogor_world.py 200k, seed 51
    blank     ours with every claimed NIK of the welfare extract and the roster erased
              (as bench/linkage.py --blank-nik: only names, dates and addresses link)
    ind1m     bench/independent_world.py 1M, seed 5 (only when named: ~4 min to prepare, 1 to link)

``link`` re-links the ingested records of each world (default: the prepared ones but ind1m) with
the linker of the code under test and scores the links against the world's truth. It mirrors
assets/linkage.py link_region + assemble_links: per kab/kota region (the resident side built once
per region and shared by both sources), records routed with record_regions / records_of, the
extract-wide oversized blocks, odds and `everywhere` when the extract has several regions; the
thresholds of the code under test's rules (load_rules: $LINDUNGI_RULES, else its packaged
rules.toml). Sources are linked one after the other (not threaded, unlike `lindungi run`), so
each source's wall time is its own. One JSON line per world and source goes to D/results.jsonl
(with the code's git revision and whether its tree was dirty; a tag's last run wins), the links
to D/links/<TAG>_<world>_<source>.parquet. ``compare`` puts two tags side by side, with the
records that turned right or wrong between them.

The code under test is the checkout on PYTHONPATH when it holds pipelines/, else this one; the
ingest of ``prepare`` is the code on PYTHONPATH as well (recorded as ``ingest_rev``).

Scoring is independent of pipelines/ (the code under test), over the records the linker saw
(links inner-joined with truth; truth rows of quarantined records are counted as ``absent``
only): right = linked to the true resident; wrong = linked, but not to the true resident
(``outsider``, a subset of wrong: the record's person is no resident); missed = has a true
resident and is unlinked. P = right / linked, R = right / linkable, as
pipelines.evaluate.link_quality. Timings on a shared 2-core machine are noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import polars as pl

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if not any((Path(p) / "pipelines").is_dir() for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p):
    sys.path.insert(0, str(ROOT))
PERIOD = "2026-11"
DEFAULT_DIR = Path(tempfile.gettempdir()) / "lindungi-heldout"
T0 = time.monotonic()

# source -> (ingested records file, id column, address column for routing: assets/linkage.py SOURCES)
SOURCES = {
    "welfare": ("welfare_records.parquet", "ID_DTSEN", "KODE_KEL"),
    "roster": ("participants.parquet", "KPJ", None),
}
# truth layouts: source -> (file under <world>/truth, true-NIK column)
OURS_TRUTH = {"welfare": ("welfare_truth.parquet", "NIK"), "roster": ("participant_truth.parquet", "NIK")}
CSV_TRUTH = {"welfare": ("dtsen_truth.csv", "true_nik"), "roster": ("roster_truth.csv", "true_nik")}
BALI_TRUTH = {"welfare": ("welfare.parquet", "true_nik"), "roster": ("roster.parquet", "true_nik")}
KALTIM_TRUTH = {"welfare": ("t_welfare.parquet", "true_nik"), "roster": ("t_roster.parquet", "true_nik")}


class World(NamedTuple):
    generator: str   # "lindungi" (lindungi generate) or a script bench/<generator>.py OUT N SEED
    residents: int
    seed: int
    truth: dict
    blank_nik: bool = False


WORLDS = {
    "ours": World("lindungi", 200_000, 2027, OURS_TRUTH),
    "ind5": World("independent_world", 150_000, 5, CSV_TRUTH),
    "ind11": World("independent_world", 150_000, 11, CSV_TRUTH),
    "bali": World("bali_world", 200_000, 11, BALI_TRUTH),
    "kaltim": World("kaltim_world", 200_000, 7, KALTIM_TRUTH),
    "makassar": World("makassar_world", 200_000, 53, CSV_TRUTH),
    "bogor": World("bogor_world", 200_000, 51, CSV_TRUTH),
    "blank": World("lindungi", 200_000, 2027, OURS_TRUTH, blank_nik=True),
    "ind1m": World("independent_world", 1_000_000, 5, CSV_TRUTH),
}
ONLY_WHEN_NAMED = {"ind1m"}
DEFAULT_WORLDS = [w for w in WORLDS if w not in ONLY_WHEN_NAMED]


def say(msg: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {msg}", file=sys.stderr, flush=True)


def paths(base: Path, world: str) -> tuple[Path, Path, Path]:
    """The world's generated input, its `lindungi run` output and its state directory."""
    return base / world / "world", base / world / "out", base / world / "home"


def marker(base: Path, world: str) -> Path:
    return base / world / "prepared.json"


def code_under_test() -> dict:
    """Where the imported pipelines/ lives, its git revision and whether its tree is dirty."""
    import pipelines
    root = Path(pipelines.__file__).resolve().parent.parent
    info: dict = {"code": str(root)}
    try:
        info["rev"] = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        info["dirty"] = bool(dirty)
    except Exception:  # noqa: BLE001 (not a git tree)
        pass
    return info


# --- prepare --------------------------------------------------------------------------------

def _child_env(code: dict, **extra: str) -> dict:
    """The environment of a child: the code under test first on its PYTHONPATH."""
    pp = os.pathsep.join(p for p in (code["code"], os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": pp, **extra}


def _run(what: str, cmd: list[str], log: Path, env: dict, timeout: float) -> float:
    """``cmd`` with its output appended to ``log``; its wall seconds, or SystemExit with the log's tail."""
    t = time.monotonic()
    with log.open("a") as f:
        f.write(f"$ {' '.join(cmd)}\n")
        f.flush()
        try:
            proc = subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            rc = f"timeout after {timeout:.0f} s"
    if rc != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise SystemExit(f"{what} failed ({rc}); the end of {log}:\n  " + "\n  ".join(tail))
    return time.monotonic() - t


def stop_db(home: Path, code: dict) -> None:
    subprocess.run([sys.executable, "-m", "dagster_project.cli", "db", "stop"],
                   env=_child_env(code, LINDUNGI_HOME=str(home)), capture_output=True, timeout=120)


def prepare_world(base: Path, name: str, code: dict, timeout: float) -> dict:
    w = WORLDS[name]
    world, out, home = paths(base, name)
    log = base / name / "prepare.log"
    if home.exists():
        stop_db(home, code)  # a server left from an interrupted prepare
    for d in (world, out, home):
        shutil.rmtree(d, ignore_errors=True)
    marker(base, name).unlink(missing_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    env = _child_env(code)
    if w.generator == "lindungi":
        cmd = [sys.executable, "-m", "dagster_project.cli", "generate", str(world), "--residents", str(w.residents),
               "--seed", str(w.seed)]
    else:
        cmd = [sys.executable, str(BENCH / f"{w.generator}.py"), str(world), str(w.residents), str(w.seed)]
    say(f"{name}: generating {w.residents:,} residents ({w.generator}, seed {w.seed}) ...")
    gen_s = _run("generate", cmd, log, env, timeout)
    if w.blank_nik:  # as bench/linkage.py prepare(blank_nik=True)
        for source in ("dtsen", "peserta_bpjstk"):
            path = world / f"{source}.csv"
            pl.read_csv(path, infer_schema=False).with_columns(NIK=pl.lit(None, pl.String)).write_csv(path)
        say(f"{name}: erased every claimed NIK of dtsen.csv and peserta_bpjstk.csv")
    say(f"{name}: generated in {gen_s:.1f} s; lindungi run --period {PERIOD} ...")
    try:
        run_s = _run("lindungi run", [sys.executable, "-m", "dagster_project.cli", "run", "--input", str(world),
                                      "--out", str(out), "--period", PERIOD],
                     log, _child_env(code, LINDUNGI_HOME=str(home)), timeout)
    finally:
        stop_db(home, code)
    info = {"world": name, **w._asdict(), "generate_s": round(gen_s, 1), "run_s": round(run_s, 1),
            **code, "at": dt.datetime.now().isoformat(timespec="seconds")}
    info.pop("truth")
    marker(base, name).write_text(json.dumps(info, indent=1) + "\n")
    say(f"{name}: lindungi run in {run_s:.1f} s (log {log})")
    return info


def cmd_prepare(args) -> None:
    code = code_under_test()
    say(f"code under test: {code}")
    done, failed = [], []
    for name in args.worlds or DEFAULT_WORLDS:
        if marker(args.dir, name).exists() and not args.force:
            say(f"{name}: prepared already ({marker(args.dir, name)}; --force to make it again)")
            continue
        try:
            done.append(prepare_world(args.dir, name, code, args.timeout))
        except SystemExit as e:
            say(f"{name}: FAILED {e}")
            failed.append(name)
    if done:
        print(f"\n{'world':<9} {'residents':>10} {'seed':>5} {'generate_s':>11} {'run_s':>8}")
        for r in done:
            print(f"{r['world']:<9} {r['residents']:>10,} {r['seed']:>5} {r['generate_s']:>11.1f} {r['run_s']:>8.1f}")
    print(f"prepared {len(done)}, failed {len(failed)} {failed if failed else ''}in {time.monotonic() - T0:.1f} s "
          f"({args.dir})")
    if failed:
        sys.exit(1)


# --- scoring (independent of the code under test) -------------------------------------------

def truth_of(base: Path, world: str, source: str) -> pl.DataFrame:
    """[id, true] (strings; true null: the record's person is no resident), one row per id."""
    file, col = WORLDS[world].truth[source]
    idc = SOURCES[source][1]
    path = paths(base, world)[0] / "truth" / file
    t = pl.read_parquet(path) if file.endswith(".parquet") else pl.read_csv(path, infer_schema=False)
    # bogor's truth repeats exact-duplicate rows (the ingest keeps one): first kept, as bogor_score
    return (t.select(pl.col(idc).cast(pl.String), true=pl.col(col).cast(pl.String).replace("", None))
            .unique(idc, keep="first", maintain_order=True))


def score(links: pl.DataFrame, truth: pl.DataFrame, idc: str) -> tuple[dict, pl.DataFrame]:
    """Metrics and the per-record outcome frame [id, got, true, right, wrong, missed]."""
    j = (links.select(pl.col(idc).cast(pl.String), got=pl.col("NIK")).join(truth, on=idc, how="inner")
         .with_columns(linked=pl.col("got").is_not_null(), linkable=pl.col("true").is_not_null()))
    j = j.with_columns(right=pl.col("linked") & (pl.col("got") == pl.col("true")).fill_null(False))
    j = j.with_columns(wrong=pl.col("linked") & ~pl.col("right"),
                       missed=pl.col("linkable") & ~pl.col("linked"))
    s = j.select(pl.len().alias("scored"), pl.col("linked").sum(), pl.col("linkable").sum(), pl.col("right").sum(),
                 pl.col("wrong").sum(), pl.col("missed").sum(),
                 outsider=(pl.col("wrong") & ~pl.col("linkable")).sum()).row(0, named=True)
    ids = links.select(pl.col(idc).cast(pl.String))
    return {**quality(s["right"], s["linked"], s["linkable"]), **{k: int(v) for k, v in s.items()},
            "absent": truth.join(ids, on=idc, how="anti").height,
            "unknown_ids": ids.join(truth, on=idc, how="anti").height,
            }, j.select(idc, "got", "true", "right", "wrong", "missed")


def quality(right: int, linked: int, linkable: int) -> dict:
    p = right / linked if linked else 1.0
    r = right / linkable if linkable else 1.0
    return {"precision": round(p, 6), "recall": round(r, 6), "f1": round(2 * p * r / (p + r), 6) if p + r else 0.0}


# --- link -----------------------------------------------------------------------------------

def relink(base: Path, world: str, tag: str, sources: list[str], code: dict) -> list[dict]:
    """The world's ingested records linked again by the code under test, as `lindungi run` links them."""
    import pipelines.linkage as L
    from pipelines.partitioning import EVERYWHERE, assemble, record_regions, records_of, region_sizes, residents_of
    from pipelines.rules import load_rules

    out = paths(base, world)[1]
    ingest_rev = json.loads(marker(base, world).read_text()).get("rev")
    t_world = time.monotonic()
    res = pl.read_parquet(out / "residents.parquet")
    regions = list(region_sizes(res))
    several = len(regions) > 1
    rules = load_rules(None)
    settings = L.LinkSettings.from_rules(rules)
    t = time.monotonic()
    blocks = L.extract_blocks(res) if several else None
    rsides = {reg: L.resident_side(residents_of(res, reg, regions)) for reg in regions}
    shared_s = time.monotonic() - t
    links_dir = base / "links"
    links_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for source in sources:
        file, idc, addr = SOURCES[source]
        recs = pl.read_parquet(out / file)
        t = time.monotonic()
        routed = record_regions(recs, res, regions, addr).collect() if several else None
        parts, rparts, pairs, region_records = {}, {}, 0, 0
        for reg in regions:
            sub = records_of(recs, res, reg, regions, addr, everywhere=EVERYWHERE if several else None,
                             routed=routed)
            rs = rsides[reg]
            result = L._link(lambda: rs, sub, idc, settings, blocks, several)
            parts[reg] = (result.links.join(result.odds, on=idc, how="left", maintain_order="left")
                          if result.odds is not None else result.links)
            rparts[reg] = result.review
            pairs += result.stats.get("candidate_pairs", 0)
            region_records += result.stats.get("records", sub.height)
            del result
        links, review = assemble(parts, rparts, idc, settings.link_threshold)
        link_s = time.monotonic() - t
        del parts, rparts
        links.write_parquet(links_dir / f"{tag}_{world}_{source}.parquet")
        by_method = dict(links.group_by("method").len().sort("method").iter_rows())
        m, _ = score(links, truth_of(base, world, source), idc)
        row = {"tag": tag, "world": world, "source": source, **m, "pairs": pairs, "link_s": round(link_s, 2),
               "shared_s": round(shared_s, 2), "records": recs.height, "links_rows": links.height,
               "region_records": region_records, "review": review.height, "regions": len(regions),
               "by_method": by_method, **code, "ingest_rev": ingest_rev,
               "at": dt.datetime.now().isoformat(timespec="seconds")}
        if links.height != recs.height:
            row["warning"] = f"{links.height} link rows for {recs.height} records"
        rows.append(row)
        say(f"{tag} {world:<9} {source:<8} P {m['precision']:.4f} R {m['recall']:.4f} F1 {m['f1']:.4f} "
            f"missed {m['missed']:>5} wrong {m['wrong']:>4} (outsider {m['outsider']}) pairs {pairs:>9,} "
            f"link {link_s:6.1f} s" + (f"  !! {row['warning']}" if "warning" in row else ""))
        del links, review, recs, routed
        gc.collect()
    say(f"{tag} {world:<9} world wall {time.monotonic() - t_world:.1f} s (shared resident side/blocks "
        f"{shared_s:.1f} s, {len(regions)} region(s))")
    return rows


def totals(rows: list[dict], source: str) -> dict:
    """A source's figures summed over the worlds (P/R/F1 from the summed counts)."""
    rs = [r for r in rows if r["source"] == source]
    s = {k: sum(r[k] for r in rs) for k in ("right", "linked", "linkable", "missed", "wrong", "pairs", "link_s")}
    return {**s, **quality(s["right"], s["linked"], s["linkable"])}


def table(rows: list[dict]) -> None:
    print(f"\n{'world':<9} {'source':<8} {'P':>7} {'R':>7} {'F1':>7} {'missed':>7} {'wrong':>6} {'pairs':>10} "
          f"{'link_s':>7}")
    keyed = [(r["world"], r["source"], r) for r in rows]
    if len({r["world"] for r in rows}) > 1:
        keyed += [("all", s, totals(rows, s)) for s in SOURCES if any(r["source"] == s for r in rows)]
    for world, source, r in keyed:
        print(f"{world:<9} {source:<8} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f} {r['missed']:7} "
              f"{r['wrong']:6} {r['pairs']:10,} {r['link_s']:7.1f}")


def cmd_link(args) -> None:
    if "_" in args.tag or "/" in args.tag:
        sys.exit("TAG: no '_' or '/' (it names the links files <TAG>_<world>_<source>.parquet)")
    prepared = [w for w in WORLDS if marker(args.dir, w).exists()]
    if args.worlds:
        missing = [w for w in args.worlds if w not in prepared]
        if missing:
            sys.exit(f"not prepared in {args.dir}: {missing} (bench/heldout.py prepare --dir {args.dir} "
                     + " ".join(missing) + ")")
        worlds = args.worlds
    else:
        worlds = [w for w in DEFAULT_WORLDS if w in prepared]
        if not worlds:
            sys.exit(f"no world prepared in {args.dir} (bench/heldout.py prepare --dir {args.dir})")
        skipped = [w for w in DEFAULT_WORLDS if w not in prepared]
        if skipped:
            say(f"not prepared, skipped: {skipped}")
    code = code_under_test()
    say(f"code under test: {code}")
    rows = []
    for world in worlds:
        new = relink(args.dir, world, args.tag, args.source or list(SOURCES), code)
        with (args.dir / "results.jsonl").open("a") as f:  # after each world: a crash later keeps the finished ones
            for r in new:
                f.write(json.dumps(r) + "\n")
        rows += new
    table(rows)
    print(f"{args.tag}: {len(worlds)} world(s) in {time.monotonic() - T0:.1f} s, rev {code.get('rev')}"
          f"{' (dirty)' if code.get('dirty') else ''}; results {args.dir / 'results.jsonl'}")


# --- compare, list --------------------------------------------------------------------------

def latest(base: Path, tag: str) -> dict[tuple[str, str], dict]:
    """The tag's rows by (world, source): its last run of each wins."""
    got = {}
    results = base / "results.jsonl"
    if results.exists():
        for line in results.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                if r["tag"] == tag:
                    got[(r["world"], r["source"])] = r
    return got


def cmd_compare(args) -> None:
    a, b, base = args.tag_a, args.tag_b, args.dir
    ra, rb = latest(base, a), latest(base, b)
    keys = [k for k in ra if k in rb and k[0] in WORLDS and (not args.worlds or k[0] in args.worlds)]
    keys.sort(key=lambda k: (list(WORLDS).index(k[0]), list(SOURCES).index(k[1])))
    if not keys:
        sys.exit(f"no world/source with results for both {a} and {b} in {base / 'results.jsonl'}")
    for tag, rows in ((a, ra), (b, rb)):
        r = rows[keys[0]]
        print(f"{tag}: rev {r.get('rev')}{' (dirty)' if r.get('dirty') else ''} {r.get('code')} at {r.get('at')}")
    print(f"{'world':<9} {'source':<8} {'P':>15} {'R':>15} {'F1':>15} {'missed':>13} {'wrong':>11} "
          f"{'pairs':>21} {'link_s':>13} | {'+right':>6} {'-right':>6} {'+wrong':>6} {'-wrong':>6}")
    sums: dict[str, list[int]] = {}

    def line(world: str, source: str, x: dict, y: dict, flips: list) -> None:
        def d(k, f="{:.4f}", w=15):
            return (f.format(x[k]) + "/" + f.format(y[k])).rjust(w)
        print(f"{world:<9} {source:<8} {d('precision')} {d('recall')} {d('f1')} {d('missed', '{}', 13)} "
              f"{d('wrong', '{}', 11)} {d('pairs', '{:,}', 21)} {d('link_s', '{:.1f}', 13)} | "
              + " ".join(f"{v:>6}" for v in flips))

    for world, source in keys:
        x, y = ra[(world, source)], rb[(world, source)]
        idc = SOURCES[source][1]
        flips: list = ["", "", "", ""]
        pa, pb = (base / "links" / f"{t}_{world}_{source}.parquet" for t in (a, b))
        if pa.exists() and pb.exists():
            truth = truth_of(base, world, source)
            _, oa = score(pl.read_parquet(pa), truth, idc)
            _, ob = score(pl.read_parquet(pb), truth, idc)
            j = oa.join(ob, on=idc, how="full", coalesce=True, suffix="_b").fill_null(False)
            flips = [j.filter(pl.col("right_b") & ~pl.col("right")).height,
                     j.filter(pl.col("right") & ~pl.col("right_b")).height,
                     j.filter(pl.col("wrong_b") & ~pl.col("wrong")).height,
                     j.filter(pl.col("wrong") & ~pl.col("wrong_b")).height]
            sums[source] = [s + f for s, f in zip(sums.get(source, [0] * 4), flips)]
        line(world, source, x, y, flips)
    if len({w for w, _ in keys}) > 1:
        for source in SOURCES:
            xs, ys = [ra[k] for k in keys if k[1] == source], [rb[k] for k in keys if k[1] == source]
            if xs:
                line("all", source, totals(xs, source), totals(ys, source), sums.get(source, [""] * 4))
    print("(A/B; +right: right in B, not in A; -right: right in A, not in B; +wrong: newly wrong; "
          "-wrong: no longer wrong)")


def cmd_list(args) -> None:
    print(f"{args.dir}")
    for name, w in WORLDS.items():
        m = marker(args.dir, name)
        status = "not prepared"
        if m.exists():
            info = json.loads(m.read_text())
            status = (f"prepared at {info.get('at')}, rev {info.get('rev')}{' (dirty)' if info.get('dirty') else ''}"
                      f", run {info.get('run_s')} s")
        gen = "lindungi generate" if w.generator == "lindungi" else f"bench/{w.generator}.py"
        print(f"{name:<9} {gen:<27} {w.residents:>9,} seed {w.seed:<5}{' blank NIK' if w.blank_nik else '':<10} "
              f"{status}{'  (only when named)' if name in ONLY_WHEN_NAMED else ''}")
    results = args.dir / "results.jsonl"
    if results.exists():
        tags: dict[str, dict] = {}
        for line in results.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                t = tags.setdefault(r["tag"], {"worlds": set()})
                t["worlds"].add(r["world"])
                t.update(rev=r.get("rev"), dirty=r.get("dirty"), at=r.get("at"))
        print(f"\n{'tag':<12} {'rev':<10} {'last run':<20} worlds")
        for tag, t in tags.items():
            rev = f"{t['rev']}{'+' if t['dirty'] else ''}"
            print(f"{tag:<12} {rev:<10} {t['at']:<20} {' '.join(w for w in WORLDS if w in t['worlds'])}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="worlds: " + ", ".join(WORLDS) + " (see the module docstring)")
    sub = ap.add_subparsers(dest="command", required=True)

    def world_list(p, help_: str) -> None:
        p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the worlds and results (default: %(default)s)")
        p.add_argument("worlds", nargs="*", metavar="WORLD", help=help_)

    p = sub.add_parser("prepare", help="generate each world and `lindungi run` it once")
    world_list(p, "default: every world but " + ", ".join(ONLY_WHEN_NAMED))
    p.add_argument("--force", action="store_true", help="make a world prepared already again")
    p.add_argument("--timeout", type=float, default=3600, help="seconds for each generate or run (default 3600)")
    p.set_defaults(func=cmd_prepare)
    p = sub.add_parser("link", help="re-link the prepared worlds with the code under test and score them")
    p.add_argument("tag", help="names this run (no '_' or '/')")
    world_list(p, "default: the prepared ones but " + ", ".join(ONLY_WHEN_NAMED))
    p.add_argument("--source", choices=list(SOURCES), action="append", help="link only this source (repeatable)")
    p.set_defaults(func=cmd_link)
    p = sub.add_parser("compare", help="two tags side by side")
    p.add_argument("tag_a")
    p.add_argument("tag_b")
    world_list(p, "default: every world both tags have")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("list", help="the worlds, whether they are prepared, and the tags of results.jsonl")
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the worlds and results (default: %(default)s)")
    p.set_defaults(func=cmd_list)
    args = ap.parse_args()
    unknown = [w for w in getattr(args, "worlds", []) if w not in WORLDS]
    if unknown:
        ap.error(f"unknown world(s) {unknown}; known: {', '.join(WORLDS)}")
    args.dir = args.dir.resolve()
    args.func(args)


if __name__ == "__main__":
    main()
