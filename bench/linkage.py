"""Benchmark: Lindungi's linker against Splink 5 (DuckDB), side by side on the same worlds.

    .venv/bin/pip install -e '.[test,bench]'      # Splink and DuckDB: bench only
    .venv/bin/python bench/linkage.py [--sizes 20000 200000] [--seed 303] [--damage 1.0]
                                      [--blank-nik] [--skip-splink] [--skip-pipeline]

For each size it generates a world from a seed the tests (7), the linker's tuning (5, 11) and
bench/pipeline.py (101) never used, optionally with every damage rate multiplied by
``--damage``, and with ``--blank-nik`` every claimed NIK of the welfare extract and the roster
erased (an extract that was never matched against Dukcapil, or public benchmark data with no
national id: only names, dates and addresses link). The three extracts are cleaned once with ``pipelines.ingest`` (timed apart); then
each linker links residents <-> welfare (DTSEN) and residents <-> roster (BPJS TK) in a child
process of its own, so each row's wall time and peak RSS belong to that linker alone:

- **lindungi**: ``pipelines.linkage.link_records`` with the thresholds of ``rules.toml``;
- **splink 1:1**: Splink 5 on DuckDB, set up as a careful user would (below), its predictions
  above ``--threshold`` (0.9) resolved exactly as Lindungi resolves its own
  (``pipelines.linkage.resolve``: mutual best first, each record linked at most once);
- **splink raw**: the same predictions before resolution, scored pair by pair (a record with
  two pairs above the threshold counts one right and one wrong).

Splink's model, per source: comparisons NIK (exact, Damerau-Levenshtein <= 1, <= 2), name
(normalised by Lindungi's ``normalize_name``: exact with term-frequency adjustment,
Jaro-Winkler >= 0.95 / 0.88, two name words in common, Jaro-Winkler >= 0.70), birth date
(Splink's ``DateOfBirthComparison``), and for welfare also sex, kelurahan, KK number and
address (RT/RW stripped; exact, Jaro-Winkler >= 0.90). The roster carries none of those four.
Blocking: NIK, NIK digits 1-12 and 7-16 (a one-digit typo keeps one of them), birth date with
first name, with last name, with kelurahan (welfare) or the initial (roster), first + last name,
KK number (welfare). The prior from deterministic rules (NIK + birth date, NIK + name), u by
random sampling (5M pairs, fixed seed), m by EM on 2-3 training blocking rules. Training time
is part of Splink's wall time: a Splink user trains on each extract.

Then (unless ``--skip-pipeline``) the whole Lindungi pipeline, ``lindungi run`` as
bench/pipeline.py runs it, on the same world: its wall time against Splink's welfare time alone
is issue #7's target (<= 1/10), and it scores the enrollment candidates. It runs twice: first
in a new state directory (so it also makes the database cluster, initdb, and Dagster's home),
then for the next month in the same directory with the database still up, as a scheduled run
finds it; both times are printed.

Quality is precision/recall/F1 against the world's ground truth (``pipelines.evaluate``): a
link is right when it names the true resident; a record whose person is no valid resident
must stay unlinked. Timings on a shared 2-core machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SOURCES = {  # source -> (cleaned frame file, id column, truth file)
    "welfare": ("welfare.parquet", "ID_DTSEN", "welfare_truth.parquet"),
    "roster": ("roster.parquet", "KPJ", "participant_truth.parquet"),
}
T0 = time.monotonic()
NEXT_PERIOD = "2026-12"  # the month after bench/pipeline.py's PERIOD


def say(msg: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {msg}", file=sys.stderr, flush=True)


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


# --- world and ingest (parent) --------------------------------------------------------------

def prepare(n: int, seed: int, damage: float, work: Path, blank_nik: bool = False) -> tuple[Path, Path, dict]:
    """Generate the world and clean its extracts once; the cleaned frames go to parquet."""
    import polars as pl

    from pipelines.generate import Damage, generate_world
    from pipelines.ingest import clean_dtsen, clean_penduduk, clean_peserta
    from pipelines.readers import read_extract

    world, clean = work / f"world-{n}", work / f"clean-{n}"
    clean.mkdir(parents=True, exist_ok=True)
    t = time.monotonic()
    summary = generate_world(world, residents=n, seed=seed, damage=Damage().scaled(damage))
    say(f"generated {n:,} residents, {summary.welfare_records:,} welfare, {summary.participants:,} roster "
        f"records in {time.monotonic() - t:.1f} s")
    if blank_nik:
        for source in ("dtsen", "peserta_bpjstk"):
            path = world / f"{source}.csv"
            pl.read_csv(path, infer_schema=False).with_columns(NIK=pl.lit(None, pl.String)).write_csv(path)
        say("erased every claimed NIK of the welfare extract and the roster")
    t = time.monotonic()
    clean_penduduk(read_extract(world, "penduduk")).accepted.write_parquet(clean / "residents.parquet")
    clean_dtsen(read_extract(world, "dtsen")).accepted.write_parquet(clean / "welfare.parquet")
    clean_peserta(read_extract(world, "peserta_bpjstk")).accepted.write_parquet(
        clean / "roster.parquet")
    ingest_s = time.monotonic() - t
    say(f"ingested the three extracts in {ingest_s:.1f} s")
    return world, clean, {"generate": summary, "ingest_s": round(ingest_s, 1)}


# --- linkers (each in a child process) --------------------------------------------------------

LINDUNGI_VARIANTS = {  # linker name -> LinkSettings overrides (--ablation runs all of them)
    "lindungi": {},
    "lindungi no-TF": {"term_frequency": False},
    "lindungi start-w": {"estimate": False, "term_frequency": False},
}


def child_lindungi(clean: Path, source: str, variant: str = "lindungi") -> dict:
    import polars as pl

    from pipelines.linkage import LinkSettings, link_records
    from pipelines.rules import load_rules

    file, id_col, _ = SOURCES[source]
    residents, records = pl.read_parquet(clean / "residents.parquet"), pl.read_parquet(clean / file)
    rules = load_rules(None)
    t = time.monotonic()
    result = link_records(residents, records, id_col, LinkSettings(
        rules.link_threshold, rules.review_threshold, **LINDUNGI_VARIANTS[variant]))
    wall = time.monotonic() - t
    links = result.links.filter(pl.col("NIK").is_not_null()).select(s_id=id_col, r_nik="NIK", score="score")
    return {"wall_s": wall, "pairs": result.stats["candidate_pairs"], "links": links, "phases": {},
            "model": result.model.to_json()}


_ADDRESS_TAIL = r"\s+RT\.?\s*\d+\s*/?\s*RW\.?\s*\d+\s*$"


def _splink_frames(residents, records, source: str):
    """Both sides in one column layout (Splink's link_only needs the same columns)."""
    import polars as pl

    tokens = pl.col("name").str.split(" ")
    derived = [tokens.alias("name_tokens"), tokens.list.first().alias("first_name"),
               tokens.list.last().alias("last_name")]
    addr = (pl.col("address").str.to_uppercase().str.replace(_ADDRESS_TAIL, "")
            .str.replace_all(r"[^A-Z0-9 ]", " ").str.replace_all(r"\s+", " ").str.strip_chars())
    left = residents.select(
        unique_id=pl.col("NIK"), nik=pl.col("NIK"), name=pl.col("nama_norm"), dob=pl.col("TGL_LHR"),
        sex=pl.col("JENIS_KLMIN"), kel=pl.col("kode_kel"), kk=pl.col("NO_KK"), address=pl.col("ALAMAT"))
    # The record's NIK as written, digits only: kept when it has at least 12 digits (a damaged
    # or truncated NIK still agrees with most of the true one), else missing.
    digits = pl.col("nik_raw").str.replace_all(r"\D", "")
    cols = records.columns
    none = pl.lit(None, pl.String)
    right = records.select(
        unique_id=pl.col(SOURCES[source][1]),
        nik=pl.when(digits.str.len_chars() >= 12).then(digits),
        name=pl.col("nama_norm"), dob=pl.col("TGL_LHR"),
        sex=pl.col("JENIS_KLMIN") if "JENIS_KLMIN" in cols else none,
        kel=pl.col("KODE_KEL") if "KODE_KEL" in cols else none,
        kk=pl.col("NO_KK") if "NO_KK" in cols else none,
        address=pl.col("ALAMAT") if "ALAMAT" in cols else none)
    return [f.with_columns(*derived, address=addr) for f in (left, right)]


def splink_settings(source: str, has_nik: bool = True):
    """The model and blocking a careful Splink user would write for this source (without the NIK
    comparison, its blocking and training rules when no record has one: ``--blank-nik``)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(output_column_name="name", comparison_levels=[
        cll.NullLevel("name"),
        cll.ExactMatchLevel("name").configure(tf_adjustment_column="name"),
        cll.JaroWinklerLevel("name", 0.95),
        cll.JaroWinklerLevel("name", 0.88),
        cll.ArrayIntersectLevel("name_tokens", 2),
        cll.JaroWinklerLevel("name", 0.70),
        cll.ElseLevel(),
    ])
    comparisons = [
        *([cl.DamerauLevenshteinAtThresholds("nik", [1, 2])] if has_nik else []),
        name,
        cl.DateOfBirthComparison("dob", input_is_string=False),
    ]
    blocking = [*([block_on("nik"), block_on("substr(nik, 1, 12)"), block_on("substr(nik, 7, 10)")] if has_nik else []),
                block_on("dob", "first_name"), block_on("dob", "last_name"),
                block_on("first_name", "last_name")]
    if source == "welfare":
        address = cl.CustomComparison(output_column_name="address", comparison_levels=[
            cll.NullLevel("address"), cll.ExactMatchLevel("address"),
            cll.JaroWinklerLevel("address", 0.90), cll.ElseLevel()])
        comparisons += [cl.ExactMatch("sex"), cl.ExactMatch("kel"), cl.ExactMatch("kk"), address]
        blocking += [block_on("dob", "kel"), block_on("kk")]
        training = [block_on("dob", "kel"), block_on("first_name", "last_name")]
    else:
        blocking += [block_on("dob", "substr(name, 1, 1)")]
        training = [block_on("dob"), block_on("first_name", "last_name")]
    settings = SettingsCreator(link_type="link_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False, retain_matching_columns=False)
    if has_nik:
        training = [block_on("nik"), *training]
        deterministic = [block_on("nik", "dob"), block_on("nik", "name")]
    else:
        deterministic = [block_on("name", "dob")]
    return settings, training, deterministic


def child_splink(clean: Path, source: str, threshold: float) -> dict:
    import logging

    import polars as pl
    from splink import DuckDBAPI, Linker
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    logging.getLogger("splink").setLevel(logging.WARNING)
    file, _, _ = SOURCES[source]
    residents, records = pl.read_parquet(clean / "residents.parquet"), pl.read_parquet(clean / file)
    phases = {}
    t = time.monotonic()
    left, right = _splink_frames(residents, records, source)
    db_api = DuckDBAPI()
    sdf_l = db_api.register(left.to_arrow(), dataset_display_name="penduduk")
    sdf_r = db_api.register(right.to_arrow(), dataset_display_name=source)
    settings, training, deterministic = splink_settings(source, has_nik=right["nik"].is_not_null().any())
    linker = Linker([sdf_l, sdf_r], settings)
    phases["load_s"] = time.monotonic() - t
    t1 = time.monotonic()
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=42)
    for br in training:
        linker.training.estimate_parameters_using_expectation_maximisation(br)
    phases["train_s"] = time.monotonic() - t1
    t1 = time.monotonic()
    pred = linker.inference.predict(threshold_match_probability=threshold)
    raw = pl.from_arrow(pred.as_pyarrow_table())
    phases["predict_s"] = time.monotonic() - t1
    # unique_id_l / _r: which side holds the residents is told by source_dataset_l
    left_is_res = raw.height == 0 or raw["source_dataset_l"][0] == "penduduk"
    a, b = ("unique_id_r", "unique_id_l") if left_is_res else ("unique_id_l", "unique_id_r")
    raw = raw.select(s_key=pl.col(a).cast(pl.String), r_key=pl.col(b).cast(pl.String),
                     score=pl.col("match_probability"))
    t1 = time.monotonic()
    from pipelines.linkage import resolve

    links = resolve(raw, threshold).select(s_id="s_key", r_nik="r_key")
    phases["resolve_s"] = time.monotonic() - t1
    wall = time.monotonic() - t
    # Not timed: how many pairs the prediction blocking rules generate (exact count).
    counts = count_comparisons_from_blocking_rules(
        [sdf_l, sdf_r], blocking_rules=settings.blocking_rules_to_generate_predictions,
        link_type="link_only", record_sample_proportion=1.0)
    pairs = counts[-1]["cumulative_comparison_count"] if counts else 0
    return {"wall_s": wall, "pairs": int(pairs), "links": links, "raw": raw.select(s_id="s_key", r_nik="r_key"),
            "phases": {k: round(v, 1) for k, v in phases.items()}}


def child_main(linker: str, clean: Path, source: str, out: Path, threshold: float) -> None:
    r = child_splink(clean, source, threshold) if linker == "splink" else child_lindungi(clean, source, linker)
    r["links"].write_parquet(out / f"{linker}-{source}.parquet")
    if "model" in r:
        (out / f"{linker}-{source}-model.json").write_text(json.dumps(r["model"], indent=1))
    if "raw" in r:
        r["raw"].write_parquet(out / f"{linker}-{source}-raw.parquet")
    print(json.dumps({"wall_s": round(r["wall_s"], 2), "pairs": r["pairs"], "peak_mb": _peak_mb(),
                      "phases": r["phases"]}))


def run_child(linker: str, clean: Path, source: str, out: Path, threshold: float) -> dict:
    say(f"{linker} linking {source} ...")
    proc = subprocess.run([sys.executable, __file__, "--_child", linker, str(clean), source, str(out),
                           str(threshold)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{linker} on {source} failed:\n{proc.stderr[-3000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    say(f"{linker} {source}: {r['wall_s']:.1f} s, {r['pairs']:,} pairs, peak {r['peak_mb']:,} MB"
        + "".join(f", {k} {v}" for k, v in r["phases"].items()))
    return r


# --- scoring ----------------------------------------------------------------------------------

def accepted_truth(world: Path, clean: Path, source: str):
    """The ground truth of the records ingest accepted (what both linkers were given)."""
    import polars as pl

    file, id_col, truth_file = SOURCES[source]
    accepted = pl.read_parquet(clean / file, columns=[id_col])
    return pl.read_parquet(world / "truth" / truth_file).join(accepted, on=id_col, how="semi")


def score(links_file: Path, world: Path, clean: Path, source: str, pairwise: bool = False) -> dict:
    """As bench/pipeline.py scores: over the records ingest accepted."""
    import polars as pl

    from pipelines.evaluate import _prf, link_quality

    id_col = SOURCES[source][1]
    truth = accepted_truth(world, clean, source)
    links = pl.read_parquet(links_file).rename({"s_id": id_col, "r_nik": "NIK"})
    if not pairwise:
        # one row per record, NIK null when unlinked: the shape link_quality scores
        full = truth.select(id_col).join(links, on=id_col, how="left")
        return link_quality(full, truth, id_col)
    # raw thresholded pairs: each pair right or wrong, recall over records with a true resident
    j = links.join(truth.select(id_col, true=pl.col("NIK")), on=id_col, how="left")
    tp = j.filter(pl.col("NIK") == pl.col("true")).select(id_col).n_unique()
    return _prf(tp, links.height, truth.filter(pl.col("NIK").is_not_null()).height)


def errors_by_damage(links_file: Path, world: Path, clean: Path, source: str) -> dict:
    """Errors of a one-to-one output by each kind of damage the generator applied to the record:
    {kind: {"records": n, "missed": n, "wrong": n}}. A record with two damages counts under both
    kinds; an undamaged record is "none", a record of a person who is no resident
    "non_resident" (any link of it is wrong). "missed": the record has a true resident but was
    left unlinked; "wrong": linked to someone else. This is what tells a linkage weakness apart
    (a linker that misses `nik_missing` records leans on the NIK; one wrong on `none` confuses
    namesakes)."""
    import polars as pl

    id_col = SOURCES[source][1]
    truth = accepted_truth(world, clean, source)
    links = pl.read_parquet(links_file).rename({"s_id": id_col, "r_nik": "got"})
    j = truth.join(links, on=id_col, how="left").with_columns(
        missed=pl.col("got").is_null() & pl.col("NIK").is_not_null(),
        wrong=pl.col("got").is_not_null() & (pl.col("got") != pl.col("NIK")).fill_null(True),
        kind=pl.when(~pl.col("is_resident")).then(pl.lit(["non_resident"]))
        .otherwise(pl.col("damage").fill_null("").str.split(",").list.eval(
            pl.element().filter(pl.element() != "")).list.unique()),
    ).with_columns(kind=pl.when(pl.col("kind").list.len() == 0).then(pl.lit(["none"])).otherwise("kind"))
    by = (j.explode("kind").group_by("kind")
          .agg(records=pl.len(), missed=pl.col("missed").sum(), wrong=pl.col("wrong").sum()).sort("kind"))
    return {k: {"records": n, "missed": m, "wrong": w} for k, n, m, w in by.iter_rows()}


def calibration(links_file: Path, world: Path, source: str) -> list[tuple]:
    """Is ``score`` a probability? Per score band of the links: (band, links, mean score,
    share right). A calibrated linker's mean score and share right agree."""
    import polars as pl

    _, id_col, truth_file = SOURCES[source]
    links = pl.read_parquet(links_file)
    if "score" not in links.columns:
        return []
    truth = pl.read_parquet(world / "truth" / truth_file).select(s_id=id_col, true="NIK")
    j = links.join(truth, on="s_id", how="left").with_columns(
        right=(pl.col("r_nik") == pl.col("true")).fill_null(False),
        band=pl.when(pl.col("score") < 0.99).then(pl.lit("0.90-0.99"))
        .when(pl.col("score") < 0.9999).then(pl.lit("0.99-0.9999")).otherwise(pl.lit(">=0.9999")))
    out = j.group_by("band").agg(n=pl.len(), mean=pl.col("score").mean(), right=pl.col("right").mean()).sort("band")
    return [(b, n, round(m, 5), round(r, 5)) for b, n, m, r in out.iter_rows()]


# --- main -------------------------------------------------------------------------------------

def run_size(n: int, args, work: Path) -> dict:
    world, clean, info = prepare(n, args.seed, args.damage, work, args.blank_nik)
    out = work / f"links-{n}"
    out.mkdir(exist_ok=True)
    rows = []
    linkers = (list(LINDUNGI_VARIANTS) if args.ablation else ["lindungi"]) + ([] if args.skip_splink else ["splink"])
    for linker in linkers:
        for source in SOURCES:
            r = run_child(linker, clean, source, out, args.threshold)
            name = "splink 1:1" if linker == "splink" else linker
            rows.append({"linker": name, "source": source, **r,
                         "quality": score(out / f"{linker}-{source}.parquet", world, clean, source),
                         "errors": errors_by_damage(out / f"{linker}-{source}.parquet", world, clean, source),
                         "calibration": calibration(out / f"{linker}-{source}.parquet", world, source)})
            if linker == "splink":
                rows.append({"linker": "splink raw", "source": source, **r,
                             "quality": score(out / f"{linker}-{source}-raw.parquet", world, clean, source,
                                                    pairwise=True)})
    pipeline = None
    if not args.skip_pipeline:
        from pipeline import lindungi_run, stop_db

        from pipelines.evaluate import evaluate

        say("lindungi run (the whole pipeline) on the same world ...")
        home = work / "home"
        pipeline = lindungi_run(world, work / f"out-{n}", home)
        say(f"lindungi run: {pipeline['run_s']} s, peak {pipeline['peak_rss_mb']:,} MB")
        # the same command a month later in the same state directory, its database server still
        # up from the first: the first run also made the database cluster (initdb) and Dagster's
        # home, which a scheduled run does not
        say("lindungi run again, next month, same state directory ...")
        pipeline["next_month"] = lindungi_run(world, work / f"out-{n}-next", home, period=NEXT_PERIOD)
        stop_db(home)
        pipeline["quality"] = evaluate(work / f"out-{n}", world, "2026-11")
        say(f"lindungi run (next month): {pipeline['next_month']['run_s']} s, "
            f"peak {pipeline['next_month']['peak_rss_mb']:,} MB")
    subprocess.run(["rm", "-rf", str(world), str(clean), str(out), str(work / f"out-{n}")])
    g = info["generate"]
    return {"residents": n, "seed": args.seed, "damage": args.damage, "blank_nik": args.blank_nik,
            "threshold": args.threshold,
            "welfare_records": g.welfare_records, "roster_records": g.participants,
            "ingest_s": info["ingest_s"], "rows": rows, "pipeline": pipeline}


def report(res: dict) -> None:
    print(f"\n== {res['residents']:,} residents, seed {res['seed']}, damage x{res['damage']}"
          f"{', claimed NIKs erased' if res.get('blank_nik') else ''}: "
          f"{res['welfare_records']:,} welfare, {res['roster_records']:,} roster records; "
          f"ingest {res['ingest_s']} s (shared); Splink threshold {res['threshold']}")
    print(f"{'linker':<16} {'source':<8} {'pairs':>10} {'P':>7} {'R':>7} {'F1':>7} {'wall s':>8} {'peak MB':>8}")
    for r in res["rows"]:
        q = r["quality"]
        print(f"{r['linker']:<16} {r['source']:<8} {r['pairs']:>10,} {q['precision']:>7.4f} {q['recall']:>7.4f} "
              f"{q['f1']:>7.4f} {r['wall_s']:>8.1f} {r['peak_mb']:>8,}")
    wall = {(r["linker"], r["source"]): r["wall_s"] for r in res["rows"]}
    lin = wall[("lindungi", "welfare")] + wall[("lindungi", "roster")]
    if ("splink 1:1", "welfare") in wall:
        spl = wall[("splink 1:1", "welfare")] + wall[("splink 1:1", "roster")]
        print(f"speed: both sources Lindungi {lin:.1f} s, Splink {spl:.1f} s -> x{spl / lin:.1f} "
              f"(welfare x{wall[('splink 1:1', 'welfare')] / wall[('lindungi', 'welfare')]:.1f}, "
              f"roster x{wall[('splink 1:1', 'roster')] / wall[('lindungi', 'roster')]:.1f})")
        for r in res["rows"]:
            if r["linker"] == "splink 1:1":
                print(f"  splink {r['source']} phases: " + ", ".join(f"{k} {v}" for k, v in r["phases"].items()))
    print("calibration of Lindungi's score (band: links, mean score, share right):")
    for r in res["rows"]:
        if r.get("calibration"):
            print(f"  {r['linker']:<16} {r['source']:<8} " + "; ".join(
                f"{b}: {n:,}, {m:.4f}, {ok:.4f}" for b, n, m, ok in r["calibration"]))
    err_rows = [r for r in res["rows"] if "errors" in r]
    for source in SOURCES:
        rows = [r for r in err_rows if r["source"] == source]
        kinds = sorted({k for r in rows for k in r["errors"]},
                       key=lambda k: (k in ("none", "non_resident"), k))
        print(f"{source}: errors by damage kind, missed/wrong (a record with two damages counts under both)")
        print(f"  {'damage':<22} {'records':>8} " + " ".join(f"{r['linker']:>16}" for r in rows))
        for k in kinds:
            n = next(r["errors"][k]["records"] for r in rows if k in r["errors"])
            cells = [f"{r['errors'].get(k, {}).get('missed', 0)}/{r['errors'].get(k, {}).get('wrong', 0)}"
                     for r in rows]
            if any(c != "0/0" for c in cells) or k in ("none", "non_resident"):
                print(f"  {k:<22} {n:>8,} " + " ".join(f"{c:>16}" for c in cells))
    p = res["pipeline"]
    if p:
        q = p["quality"]
        fmt = lambda d: f"P {d['precision']:.4f} R {d['recall']:.4f} F1 {d['f1']:.4f}"  # noqa: E731
        line = (f"whole pipeline (lindungi run): {p['run_s']} s, peak {p['peak_rss_mb']:,} MB; "
                f"candidates {fmt(q['enrollment_candidates'])}")
        if ("splink 1:1", "welfare") in wall:
            line += (f"; Splink on the welfare extract alone took {wall[('splink 1:1', 'welfare')]:.1f} s "
                     f"= x{wall[('splink 1:1', 'welfare')] / p['run_s']:.2f} the whole pipeline")
        print(line)
        nxt = p.get("next_month")
        if nxt:
            line = (f"the same, a month later in the same state directory (database up, no initdb): "
                    f"{nxt['run_s']} s, peak {nxt['peak_rss_mb']:,} MB")
            if ("splink 1:1", "welfare") in wall:
                line += f" = x{wall[('splink 1:1', 'welfare')] / nxt['run_s']:.2f}"
            print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    ap.add_argument("--seed", type=int, default=303)
    ap.add_argument("--damage", type=float, default=1.0, help="multiply every damage rate (Damage.scaled)")
    ap.add_argument("--blank-nik", action="store_true",
                    help="erase every claimed NIK of the welfare extract and the roster")
    ap.add_argument("--threshold", type=float, default=0.9, help="Splink's match probability threshold")
    ap.add_argument("--skip-splink", action="store_true")
    ap.add_argument("--ablation", action="store_true",
                    help="also run Lindungi without term frequencies and with the declared start weights")
    ap.add_argument("--skip-pipeline", action="store_true", help="do not time `lindungi run`")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--_child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        linker, clean, source, out, threshold = args._child
        child_main(linker, Path(clean), source, Path(out), float(threshold))
        return
    if not args.skip_splink:
        try:
            import splink  # noqa: F401
        except ImportError:
            raise SystemExit("Splink is not installed: .venv/bin/pip install -e '.[test,bench]' "
                             "(or pass --skip-splink)") from None
    results = []
    with tempfile.TemporaryDirectory(prefix="lindungi-linkbench-") as tmp:
        for n in args.sizes:
            say(f"== {n:,} residents (seed {args.seed}, damage x{args.damage})")
            results.append(run_size(n, args, Path(tmp)))
            report(results[-1])
    if len(results) > 1:
        for res in results:
            report(res)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
