"""Region partitions: routing records to kab/kota, assembling the regions' links, and a whole run
over an extract that spans two kab/kota (each linked as its own partition, side by side)."""

from __future__ import annotations

import math
import os
from datetime import date

import polars as pl
import psycopg
import pytest
from polars.testing import assert_frame_equal

from pipelines.partitioning import (
    assemble_links,
    assemble_review,
    record_regions,
    records_of,
    region_sizes,
    residents_of,
    routed_to,
)
from tests.conftest import environ
from tests.test_pipeline import _fresh_db

PERIOD = "2026-11"


def _residents() -> pl.DataFrame:
    return pl.DataFrame({
        "NIK": ["6474010101900001", "6474010202900002", "6474010707900007", "6409010303900003",
                "6409014404900004", "3578010505900005", "6409010606900006"],
        "kode_kab": ["6474", "6474", "6474", "6409", "6409", None, None],
        "nama_norm": ["BUDI SANTOSO", "SITI AMINAH", "JOKO", "ANDI PRATAMA", "NUR HASANAH", "AGUS", "RINI"],
    })


def _records() -> pl.DataFrame:
    return pl.DataFrame({
        "ID": ["home-6409", "addr-6474", "prefix-6409", "nothing", "home+addr", "truncated-6409", "stranger-6474",
               "stranger+addr-6474"],
        "NIK": ["6409010303900003", None, "6409019999990009", None, "6474010101900001", None, "6474010202900002",
                "6474010707900007"],
        "nik_raw": [None, None, None, None, None, "640901030390", None, None],
        "KODE_KEL": [None, "6474011001", None, None, "6409011002", "9999999999", None, "6474011001"],
        # the last two carry the NIK of a resident of 6474 whose name shares no word with theirs
        "nama_norm": ["ANDI PRATAMA", None, "DEWI", "EKO", "BUDI", "YANTI", "JOKO SUSILO", "RINA"],
    })


def test_residents_belong_to_their_address_else_nik_region_else_largest():
    res = _residents()
    sizes = region_sizes(res)
    assert list(sizes.items()) == [("6474", 3), ("6409", 2)]  # largest first, addresses only
    regions = list(sizes)
    assert residents_of(res, "6409", regions)["NIK"].to_list() == [
        "6409010303900003", "6409014404900004", "6409010606900006"]  # no address, NIK issued in 6409
    # no address and a NIK from elsewhere: the largest region
    assert "3578010505900005" in residents_of(res, "6474", regions)["NIK"].to_list()
    assert sum(residents_of(res, r, regions).height for r in regions) == res.height


def test_records_go_where_their_person_can_live():
    res, rec = _residents(), _records()
    regions = list(region_sizes(res))
    seen = {r: set(records_of(rec, res, r, regions, "KODE_KEL")["ID"]) for r in regions}
    # a NIK issued in 6409 that no resident has: its holder may live anywhere; so may the holder
    # of a NIK whose resident is someone else by name
    everywhere = {"prefix-6409", "nothing", "truncated-6409", "stranger-6474"}
    assert seen["6409"] == {"home-6409", "home+addr"} | everywhere
    # with an address, where the person lives is known: there (and the NIK's resident's region)
    assert seen["6474"] == {"addr-6474", "home+addr", "stranger+addr-6474"} | everywhere
    # the roster has no address: by exact NIK, else everywhere
    roster = {r: set(records_of(rec, res, r, regions, None)["ID"]) for r in regions}
    assert roster["6474"] == {"addr-6474", "home+addr", "stranger+addr-6474"} | everywhere
    assert roster["6409"] == {"home-6409", "addr-6474", "stranger+addr-6474"} | everywhere
    # every record is seen somewhere, with its columns unchanged
    assert set().union(*seen.values()) == set(rec["ID"])
    assert records_of(rec, res, "6474", regions, "KODE_KEL").columns == rec.columns
    # an extract of one kab/kota: its linker sees every record, as the routing would send them
    one = res.filter(pl.col("kode_kab") == "6474")
    assert list(region_sizes(one)) == ["6474"]
    for col in ("KODE_KEL", None):
        assert records_of(rec, one, "6474", ["6474"], col).equals(rec)
        assert record_regions(rec, one, ["6474"], col).filter(routed_to("6474")).collect().select(rec.columns) \
            .equals(rec)


# residents as (NIK, name, birth date, sex, kelurahan, KK, kab/kota lived in)
_HOUSEHOLD_6474 = [
    ("6474011508850001", "AHMAD YANI", date(1985, 8, 15), "L", "6474011001", "6474010101100001", "6474"),
    ("6474015508900002", "SITI AMINAH", date(1990, 8, 15), "P", "6474011001", "6474010101100001", "6474"),
]


def _people(rows: list[tuple]) -> pl.DataFrame:
    from pipelines.names import normalize_name

    return pl.DataFrame(rows, schema=["NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "kode_kel", "NO_KK", "kode_kab"],
                        orient="row").with_columns(nama_norm=normalize_name("NAMA_LGKP"))


def test_a_damaged_nik_is_linked_where_its_person_lives_not_where_it_was_issued():
    """A NIK's prefix is where it was issued: a Bontang NIK's holder who lives in 6409 and whose
    roster record carries that NIK with a typo (no exact-NIK resident, no address of its own)
    was routed to 6474 alone, where no one is theirs: the record stayed unlinked and the
    resident looked unprotected in 6409. A typo in the serial can also make the NIK of a
    neighbour in 6474 (serials count from 0001 per kecamatan and birth date): routed to that
    resident's region alone, it stayed unlinked too (generate_regions, 50k+50k, seed 2027: 1
    roster record of 965 of the residents holding a NIK of the other kab/kota)."""
    from datetime import date

    from pipelines.linkage import LinkSettings, link_records
    from pipelines.names import normalize_name

    residents = _people([
        *_HOUSEHOLD_6474,
        ("6474010203950003", "MUHAMMAD RIZKI", date(1995, 3, 2), "L", "6474011002", "6474010101100002", "6474"),
        ("6474021111700001", "BUDI SANTOSO", date(1970, 11, 11), "L", "6474021001", "6474020101100001", "6474"),
        ("6409012001000004", "ANDI PRATAMA", date(2000, 1, 20), "L", "6409011002", "6409010101100003", "6409"),
        # issued in Bontang, moved to 6409
        ("6474021111700006", "JOKO SUSILO", date(1970, 11, 11), "L", "6409021003", "6409020101100004", "6409"),
        ("6474024407880007", "NUR HASANAH", date(1988, 7, 4), "P", "6409021003", "6409020101100005", "6409"),
    ])
    records = pl.DataFrame([  # KPJ, claimed NIK (raw), name, birth date -> the resident
        ("substituted", "6474031111700006", "JOKO SUSILO", date(1970, 11, 11), "6474021111700006"),
        ("transposed", "6474204407880007", "NUR HASANAH", date(1988, 7, 4), "6474024407880007"),
        ("truncated", "647402111170", "JOKO SUSILO", date(1970, 11, 11), "6474021111700006"),
        ("serial_typo", "6474021111700001", "JOKO SUSILO", date(1970, 11, 11), "6474021111700006"),  # BUDI's
        ("at_home", "6474011508850001", "AHMAD YANI", date(1985, 8, 15), "6474011508850001"),
    ], schema=["KPJ", "nik_raw", "NAMA", "TGL_LHR", "want"], orient="row").with_columns(
        NIK=pl.when(pl.col("nik_raw").str.contains(r"^[0-9]{16}$")).then(pl.col("nik_raw")),
        nama_norm=normalize_name("NAMA"))
    regions = list(region_sizes(residents))
    seen = {r: set(records_of(records, residents, r, regions, None)["KPJ"]) for r in regions}
    assert {"substituted", "transposed", "truncated", "serial_typo"} <= seen["6409"], seen
    assert "at_home" not in seen["6409"]  # its resident is known: it goes to their region alone
    parts = {r: link_records(residents_of(residents, r, regions),
                             records_of(records.drop("want"), residents, r, regions, None), "KPJ",
                             LinkSettings()).links for r in regions}
    links = assemble_links(parts, "KPJ")
    assert dict(links.select("KPJ", "NIK").iter_rows()) == dict(records.select("KPJ", "want").iter_rows())


def test_a_welfare_record_of_a_family_that_moved_to_another_kab_kota_is_linked():
    """DTSEN records the address a family lives at, Dukcapil the KK's: a family registered in
    6474 that moved to 6409 has welfare records whose KODE_KEL is in 6409. Without a usable NIK
    such a record was routed to 6409 alone, where its person is not a resident, and stayed
    unlinked although its KK number, name and birth date were the resident's (an independent
    world with 13% of welfare records at another address, a third of those in the other
    kab/kota: 258 of its 381 missed welfare links). It also goes to the regions of the
    residents sharing its KK number, or its birth date and a first or last name."""
    from datetime import date

    from pipelines.linkage import LinkSettings, link_records
    from pipelines.names import normalize_name

    residents = _people([
        *_HOUSEHOLD_6474,
        ("6474010203950003", "NORJANAH ANSYARI", date(1955, 2, 12), "P", "6474011002", "6474010101100002", "6474"),
        ("6409012001000004", "ANDI PRATAMA", date(2000, 1, 20), "L", "6409011002", "6409010101100003", "6409"),
        ("6409022001000005", "RINI ASTUTI", date(1977, 5, 3), "P", "6409021003", "6409020101100004", "6409"),
    ])
    records = pl.DataFrame([  # id, claimed NIK, KK, name, birth date, KODE_KEL (lives in 6409) -> the resident
        ("kk", None, "6474010101100001", "SITI AMINAH", date(1990, 8, 15), "6409021003", "6474015508900002"),
        ("name", None, None, "NORJANAH ANSYARI", date(1955, 2, 12), "6409011002", "6474010203950003"),
        ("local", None, "6409020101100004", "RINI ASTUTI", date(1977, 5, 3), "6409021003", "6409022001000005"),
    ], schema={"ID_DTSEN": pl.String, "nik_raw": pl.String, "NO_KK": pl.String, "NAMA": pl.String, "TGL_LHR": pl.Date,
               "KODE_KEL": pl.String, "want": pl.String}, orient="row").with_columns(
        NIK=pl.col("nik_raw"), JENIS_KLMIN=pl.lit("P"), ALAMAT=pl.lit(None, pl.String),
        nama_norm=normalize_name("NAMA"))
    regions = list(region_sizes(residents))
    seen = {r: set(records_of(records, residents, r, regions, "KODE_KEL")["ID_DTSEN"]) for r in regions}
    assert seen["6474"] == {"kk", "name"}, seen
    assert seen["6409"] == {"kk", "name", "local"}, seen
    parts = {r: link_records(residents_of(residents, r, regions),
                             records_of(records.drop("want"), residents, r, regions, "KODE_KEL"), "ID_DTSEN",
                             LinkSettings()).links for r in regions}
    links = assemble_links(parts, "ID_DTSEN")
    assert dict(links.select("ID_DTSEN", "NIK").iter_rows()) == dict(records.select("ID_DTSEN", "want").iter_rows())


def test_a_record_seen_by_two_regions_keeps_its_best_link():
    a = pl.DataFrame({"ID": ["x", "y", "z"], "NIK": ["A1", None, "A3"], "method": ["fuzzy", "none", "fuzzy"],
                      "score": [0.95, 0.0, 0.91], "evidence": ["a", None, "a"]})
    b = pl.DataFrame({"ID": ["x", "y"], "NIK": ["B1", "B2"], "method": ["nik_exact", "fuzzy"],
                      "score": [0.999, 0.93], "evidence": ["b", "b"]})
    links = assemble_links({"6474": a, "6409": b}, "ID")
    assert links["NIK"].to_list() == ["B1", "B2", "A3"]
    assert links.columns == a.columns
    # the order the regions come in does not matter
    assert links.equals(assemble_links({"6409": b, "6474": a}, "ID"))
    ra = pl.DataFrame({"ID": ["y", "w"], "NIK": ["A9", "A8"], "score": [0.7, 0.6], "evidence": ["r", "r"]})
    rb = pl.DataFrame({"ID": ["w"], "NIK": ["B8"], "score": [0.8], "evidence": ["r"]})
    links = pl.concat([links, pl.DataFrame({"ID": ["w"], "NIK": [None], "method": ["none"], "score": [0.0],
                                            "evidence": [None]}, schema=links.schema)])
    review = assemble_review({"6474": ra, "6409": rb}, links, "ID")
    assert review.to_dicts() == [{"ID": "w", "NIK": "B8", "score": 0.8, "evidence": "r"}]  # y was linked


def test_a_record_compared_in_two_regions_is_scored_over_both():
    """Each region scores a record among its own candidates only: a roster record without NIK
    whose namesakes (same name and birth date) live in two kab/kota scored 0.99 in each, and
    the higher was kept. Over both, each is about one half: the record is not linked, and the
    review list holds the pair saying that another kab/kota has a candidate too. A record whose
    other region's candidates are weak keeps its link, scored over both; a review pair is
    scored over both as well."""
    from pipelines.partitioning import ELSEWHERE, assemble

    def part(ids, niks, scores, odds_all, odds_link):
        return pl.DataFrame({"ID": ids, "NIK": niks, "method": ["fuzzy" if n else "none" for n in niks],
                             "score": scores, "evidence": ["e" if n else None for n in niks],
                             "log2_odds_all": odds_all, "log2_odds_link": odds_link},
                            schema_overrides={"NIK": pl.String, "evidence": pl.String})

    def review(ids, niks, scores, odds):
        return pl.DataFrame({"ID": ids, "NIK": niks, "score": scores, "evidence": ["r"] * len(ids), "log2_odds": odds},
                            schema_overrides={"ID": pl.String, "NIK": pl.String, "score": pl.Float64,
                                              "log2_odds": pl.Float64})
    # x: namesakes at 0.99 in both (odds 99 = 2^6.63); y: 0.999 here, one weak candidate there;
    # z: a review pair here (0.8, odds 4 = 2^2), as strong a candidate there, unlinked;
    # v: 0.97 here (odds 32, alone), 0.911 there (odds 4096 beside rivals of 400): over both,
    # the link there is the stronger (4096 / 4529 = 0.904), though its own region scored it lower
    a = part(["v", "x", "y", "z"], ["A4", "A1", "A2", None], [0.97, 0.99, 0.999, 0.0],
             [5.0, 6.63, 9.96, 2.0], [5.0, 6.63, 9.96, None])
    b = part(["v", "x", "y", "z"], ["B4", "B1", None, None], [0.911, 0.99, 0.0, 0.0],
             [math.log2(4496), 6.63, -3.0, 2.0], [12.0, 6.63, None, None])
    ra, rb = review(["z"], ["A3"], [0.8], [2.0]), review([], [], [], [])
    links, rev = assemble({"6474": a, "6409": b}, {"6474": ra, "6409": rb}, "ID", link_threshold=0.9)
    assert links.columns == ["ID", "NIK", "method", "score", "evidence"]
    got = {r["ID"]: r for r in links.iter_rows(named=True)}
    assert got["x"]["NIK"] is None and got["x"]["method"] == "none" and got["z"]["NIK"] is None
    assert got["y"]["NIK"] == "A2" and 0.99 < got["y"]["score"] < 0.999
    assert got["v"]["NIK"] == "B4" and got["v"]["score"] == pytest.approx(4096 / 4529, abs=1e-6)
    assert rev.columns == ["ID", "NIK", "score", "evidence"]
    pairs = {r["ID"]: r for r in rev.iter_rows(named=True)}
    assert pairs["x"]["NIK"] == "B1" and pairs["x"]["score"] == pytest.approx(0.4975, abs=0.001)
    assert pairs["x"]["evidence"] == "e" + ELSEWHERE
    assert pairs["z"]["NIK"] == "A3" and pairs["z"]["score"] == pytest.approx(4 / 9, abs=0.001)
    assert pairs["z"]["evidence"] == "r" + ELSEWHERE
    # regions linked before the odds were kept, beside ones linked after: as before for those
    links, rev = assemble({"6474": a, "6409": b.drop("log2_odds_all", "log2_odds_link")},
                          {"6474": ra, "6409": rb.drop("log2_odds")}, "ID", link_threshold=0.9)
    assert links["NIK"].to_list() == ["A4", "B1", "A2", None]  # v and x: by score, as before
    assert rev.to_dicts() == [{"ID": "z", "NIK": "A3", "score": 0.8, "evidence": "r"}]
    # without the odds (or the threshold), as before: the best link kept
    plain = {r: df.drop("log2_odds_all", "log2_odds_link") for r, df in {"6474": a, "6409": b}.items()}
    plain_review = {"6474": ra.drop("log2_odds"), "6409": rb.drop("log2_odds")}
    plain_args = (plain, plain_review, "ID", 0.9)
    for args in (plain_args, ({"6474": a, "6409": b}, {"6474": ra, "6409": rb}, "ID")):
        links, rev = assemble(*args)
        # v: without the threshold, the odds choose but do not score; x: a tie, the region code first
        assert links["NIK"].to_list() == (["A4", "B1", "A2", None] if args is plain_args else ["B4", "B1", "A2", None])
        assert assemble_links(args[0], "ID").equals(links)
        assert rev.to_dicts() == [{"ID": "z", "NIK": "A3", "score": 0.8, "evidence": "r"}]


@pytest.fixture(scope="module")
def two_regions(tmp_path_factory):
    from pipelines.generate import generate_regions

    world = tmp_path_factory.mktemp("two-regions")
    generate_regions(world, [("6474", 3000), ("6409", 2000)], seed=21)
    return world


@pytest.fixture(scope="module")
def two_region_run(two_regions, pg_server, tmp_path_factory):
    from dagster_project.cli import run_pipeline

    out = tmp_path_factory.mktemp("out")
    home = tmp_path_factory.mktemp("home")
    dsn = _fresh_db(pg_server, "two_regions")
    with environ(LINDUNGI_HOME=str(home), LINDUNGI_MAX_CONCURRENT="2"):
        summary = run_pipeline(str(two_regions), PERIOD, str(out), db=dsn)
    return out, dsn, summary


def test_each_kab_kota_is_linked_as_its_own_partition(two_regions, two_region_run, monkeypatch):
    import dagster as dg

    out, dsn, summary = two_region_run
    runs = summary["runs"]
    assert set(runs["regions"]) == {"6474", "6409"}
    assert len({runs["ingest"], runs["period"], *runs["regions"].values()}) == 4
    for name in ("region_welfare_links", "region_participant_links"):
        assert sorted(p.name for p in (out / name).glob("*.parquet")) == ["6409.parquet", "6474.parquet"]
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    instance = dg.DagsterInstance.get()
    assert set(instance.get_dynamic_partitions("region")) == {"6474", "6409"}
    for region, run_id in runs["regions"].items():
        run = instance.get_run_by_id(run_id)
        assert run.job_name == "link_regions" and run.tags["dagster/partition"] == region
        assert run.tags["lindungi/region"] == region and run.tags["lindungi/ingest_run"] == runs["ingest"]
    # the UI names each partition's kab/kota beside its code (Kemendagri's names)
    named = {region: instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("region_welfare_links"), asset_partitions=[region]),
        limit=1).records[0].asset_materialization.metadata["region"].value for region in runs["regions"]}
    assert named == {"6474": "6474 Kota Bontang", "6409": "6409 Kab. Penajam Paser Utara"}
    # a region's linker links to its own residents only
    residents = pl.read_parquet(out / "residents.parquet")
    regions = list(region_sizes(residents))
    for region in regions:
        linked = pl.read_parquet(out / "region_welfare_links" / f"{region}.parquet")["NIK"].drop_nulls()
        assert linked.len() > 300
        assert set(linked) <= set(residents_of(residents, region, regions)["NIK"])
    # one submission batch per kab/kota
    with psycopg.connect(dsn) as conn:
        batches = dict(conn.execute("SELECT region, row_count FROM bpjs.submission_batch WHERE period = %s",
                                    (PERIOD,)).fetchall())
    cands = pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet")
    assert batches == dict(cands.group_by("kode_kab").len().iter_rows())


def test_two_regions_link_as_well_as_one(two_regions, two_region_run):
    from pipelines.evaluate import evaluate

    out, _, _ = two_region_run
    q = evaluate(out, two_regions, PERIOD)
    assert q["welfare_links"]["f1"] >= 0.99, q
    assert q["participant_links"]["f1"] >= 0.99, q
    assert q["enrollment_candidates"]["f1"] >= 0.99, q
    links = pl.read_parquet(out / "welfare_links.parquet")
    assert links.height == pl.read_parquet(out / "welfare_records.parquet").height


def test_regions_linked_one_after_the_other_in_process_link_as_side_by_side(two_regions, two_region_run, pg_server,
                                                                          tmp_path, monkeypatch):
    """With one worker (LINDUNGI_MAX_CONCURRENT=1, the default on two cores or fewer) the
    regions are linked in the command's own process, one Dagster run each, one after the other:
    a region's process cost ~2 s of start on a 2-core machine, where polars already fills both
    cores. The same runs and the same links as side by side, the extract-wide routing and
    blocks computed once."""
    import dagster as dg

    from dagster_project.cli import region_workers, run_pipeline

    monkeypatch.delenv("LINDUNGI_MAX_CONCURRENT", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert region_workers(["6474", "6409"]) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert region_workers(["6474", "6409"]) == 2 and region_workers(["6474", "6409", "6408"] * 4) == 8
    monkeypatch.setenv("LINDUNGI_MAX_CONCURRENT", "1")
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    summary = run_pipeline(str(two_regions), PERIOD, str(tmp_path / "out"), db=_fresh_db(pg_server, "in_process"))
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    instance = dg.DagsterInstance.get()
    pids = {instance.get_run_by_id(r).tags["lindungi/pid"] for r in summary["runs"]["regions"].values()}
    assert set(summary["runs"]["regions"]) == {"6474", "6409"} and pids == {str(os.getpid())}
    # the second region took the extract-wide routing and blocks the first one computed
    from assets.linkage import _EXTRACT_WIDE

    (key, wide), = _EXTRACT_WIDE.items()
    assert set(key[0]) == {"6474", "6409"} and set(wide) == {"blocks", "welfare_links", "participant_links"}
    side_by_side = two_region_run[0]
    for name in ("welfare_links", "participant_links"):
        assert pl.read_parquet(tmp_path / "out" / f"{name}.parquet").equals(
            pl.read_parquet(side_by_side / f"{name}.parquet")), name


def test_one_source_of_a_region_can_be_linked_alone(two_region_run, monkeypatch):
    """The region's linking step (both sources, in threads) is subsettable: the roster's two
    assets of one region are materialized alone, to the same links, and welfare's are left be."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, _, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    instance = dg.DagsterInstance.get()
    before = {k: instance.get_latest_materialization_event(dg.AssetKey(k)).run_id
              for k in ("region_welfare_links", "region_participant_links")}
    links = pl.read_parquet(out / "region_participant_links" / "6409.parquet")
    keys = [dg.AssetKey("region_participant_links"), dg.AssetKey("region_participant_link_review")]
    result = defs.resolve_job_def("link_regions").execute_in_process(
        instance=instance, partition_key="6409", asset_selection=keys)
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == set(keys)
    assert instance.get_latest_materialization_event(dg.AssetKey("region_welfare_links")).run_id \
        == before["region_welfare_links"]
    assert instance.get_latest_materialization_event(dg.AssetKey("region_participant_links")).run_id \
        == result.run_id != before["region_participant_links"]
    # the same links, methods, scores, evidence and odds, to the last bit (the sums over a
    # record's candidates and the model's run over the pairs in a fixed order)
    assert_frame_equal(pl.read_parquet(out / "region_participant_links" / "6409.parquet"), links, check_exact=True)


def test_the_submission_and_the_gap_lists_can_each_be_delivered_alone(two_region_run, monkeypatch):
    """Their step (deliver_candidates, the two side by side in threads) is subsettable: each
    asset is materialized alone, and the other's last run and files are left be."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    instance = dg.DagsterInstance.get()
    job = defs.resolve_job_def("lindungi")

    def latest(key: str) -> str:
        return instance.get_latest_materialization_event(dg.AssetKey(key)).run_id

    def batches() -> int:
        with psycopg.connect(dsn) as conn:
            return conn.execute("SELECT count(*) FROM bpjs.submission_batch WHERE period = %s", (PERIOD,)).fetchone()[0]

    def workbooks() -> dict:
        return {p.name: p.stat().st_mtime_ns for p in (out / "gap_lists" / PERIOD).glob("*.xlsx")}

    submitted, before, n = latest("bpjs_submission"), workbooks(), batches()
    assert before and n == 2
    lists = job.execute_in_process(instance=instance, partition_key=PERIOD,
                                   asset_selection=[dg.AssetKey("gap_lists")])
    assert lists.success
    assert {e.asset_key for e in lists.get_asset_materialization_events()} == {dg.AssetKey("gap_lists")}
    assert not lists.get_asset_check_evaluations()
    assert latest("bpjs_submission") == submitted and batches() == n
    rewritten = workbooks()
    assert rewritten.keys() == before.keys() and all(rewritten[k] != before[k] for k in before)

    sub = job.execute_in_process(instance=instance, partition_key=PERIOD,
                                 asset_selection=[dg.AssetKey("bpjs_submission")])
    assert sub.success
    assert {e.asset_key for e in sub.get_asset_materialization_events()} == {dg.AssetKey("bpjs_submission")}
    assert {(e.check_name, e.passed) for e in sub.get_asset_check_evaluations()} == {
        ("batch_matches_table", True), ("submission_table_expectations", True),
        ("submission_batches_expectations", True)}
    assert latest("gap_lists") == lists.run_id and workbooks() == rewritten
    assert batches() == n + 2  # a batch row per region; no candidate row changed
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT sum(inserted + updated + withdrawn) FROM bpjs.submission_batch "
                            "WHERE period = %s AND dagster_run_id = %s", (PERIOD, sub.run_id)).fetchone()[0] == 0


def test_many_region_links_are_put_together_one_source_after_the_other(two_region_run, monkeypatch):
    """Above LINDUNGI_ASSEMBLE_CONCURRENT_MAX_ROWS region links the two sources are assembled one
    after the other (their two peaks side by side were a stress world's peak): the same links,
    review lists and checks."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    monkeypatch.setenv("LINDUNGI_ASSEMBLE_CONCURRENT_MAX_ROWS", "1")
    names = ("welfare_links", "welfare_link_review", "participant_links", "participant_link_review")
    before = {n: pl.read_parquet(out / f"{n}.parquet") for n in names}
    result = defs.resolve_job_def("lindungi").execute_in_process(
        instance=dg.DagsterInstance.get(), partition_key=PERIOD, asset_selection=[dg.AssetKey(n) for n in names])
    assert result.success
    assert sorted(e.check_name for e in result.get_asset_check_evaluations()) == [
        "participant_links_expectations", "welfare_links_expectations"]
    assert all(pl.read_parquet(out / f"{n}.parquet").equals(before[n]) for n in names)


def test_each_source_s_links_can_be_assembled_alone(two_region_run, monkeypatch):
    """The two sources' links are put together in one step (assemble_links, side by side in
    threads), which is subsettable: one source's links, review list and check alone, the other
    source's files and last run left be; or a check alone."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    instance = dg.DagsterInstance.get()

    def latest(key: str) -> str:
        return instance.get_latest_materialization_event(dg.AssetKey(key)).run_id

    welfare = {n: (out / f"{n}.parquet").stat().st_mtime_ns for n in ("welfare_links", "welfare_link_review")}
    before = pl.read_parquet(out / "participant_links.parquet")
    runs = {n: latest(n) for n in ("welfare_links", "welfare_link_review")}
    keys = [dg.AssetKey("participant_links"), dg.AssetKey("participant_link_review")]
    result = defs.resolve_job_def("lindungi").execute_in_process(
        instance=instance, partition_key=PERIOD, asset_selection=keys)
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == set(keys)
    assert [(e.asset_key.path[-1], e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("participant_links", "participant_links_expectations", True)]
    assert pl.read_parquet(out / "participant_links.parquet").equals(before)
    assert {n: (out / f"{n}.parquet").stat().st_mtime_ns for n in welfare} == welfare
    assert {n: latest(n) for n in runs} == runs

    # the welfare links' check alone: evaluated on the links put together again, nothing written
    check = dg.AssetCheckKey(dg.AssetKey("welfare_links"), "welfare_links_expectations")
    only = dg.define_asset_job("welfare_links_check", selection=dg.AssetSelection.checks(check))
    job = dg.Definitions.merge(defs, dg.Definitions(jobs=[only])).resolve_job_def("welfare_links_check")
    result = job.execute_in_process(instance=instance)
    assert result.success and not result.get_asset_materialization_events()
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("welfare_links_expectations", True)]
    assert {n: (out / f"{n}.parquet").stat().st_mtime_ns for n in welfare} == welfare


def test_the_coverage_check_runs_alone_on_the_stored_figures(two_region_run, monkeypatch):
    """``figures_add_up`` selected alone checks the period's stored coverage: nothing written; a
    kelurahan whose figures were made not to add up fails it."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    check = dg.AssetCheckKey(dg.AssetKey("coverage_by_kelurahan"), "figures_add_up")
    job = defs.resolve_job_def("lindungi").get_subset(asset_selection=set(), asset_check_selection={check})
    stored = out / "coverage_by_kelurahan" / f"{PERIOD}.parquet"
    before = stored.read_bytes()
    result = job.execute_in_process(instance=dg.DagsterInstance.get(), partition_key=PERIOD)
    assert result.success and not result.get_asset_materialization_events()
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [("figures_add_up", True)]
    assert stored.read_bytes() == before
    figures = pl.read_parquet(stored)
    try:
        figures.with_columns(kandidat=pl.col("kandidat") + (pl.int_range(pl.len()) == 0)).write_parquet(stored)
        result = job.execute_in_process(instance=dg.DagsterInstance.get(), partition_key=PERIOD)
        assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [("figures_add_up", False)]
    finally:
        stored.write_bytes(before)


def test_the_submission_s_checks_run_alone_on_what_was_submitted(two_region_run, monkeypatch):
    """A check of bpjs_submission selected alone (the UI's "Execute" on a check) checks the
    period's latest batches and the tables as they are: nothing is submitted, nothing written."""
    import dagster as dg
    import psycopg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    instance = dg.DagsterInstance.get()

    def tables():
        with psycopg.connect(dsn) as conn:
            return (conn.execute("SELECT * FROM bpjs.submission_batch ORDER BY id").fetchall(),
                    conn.execute("SELECT * FROM bpjs.submission_candidate ORDER BY nik, period").fetchall())

    before = tables()
    names = ("batch_matches_table", "submission_table_expectations", "submission_batches_expectations")
    checks = [dg.AssetCheckKey(dg.AssetKey("bpjs_submission"), n) for n in names]
    # as the UI launches a check alone: the period job subset to the checks
    job = defs.resolve_job_def("lindungi").get_subset(asset_selection=set(), asset_check_selection=set(checks))
    result = job.execute_in_process(instance=instance, partition_key=PERIOD)
    assert result.success and not result.get_asset_materialization_events()
    assert sorted((e.check_name, e.passed) for e in result.get_asset_check_evaluations()) == [
        (n, True) for n in sorted(names)]
    assert tables() == before

    # a candidate row changed behind the batch's back (its content: the hash follows it) fails the
    # batch check, run alone
    with psycopg.connect(dsn) as conn:
        nik, real = conn.execute("SELECT nik, nama_lgkp FROM bpjs.submission_candidate WHERE period = %s "
                                 "ORDER BY nik LIMIT 1", (PERIOD,)).fetchone()
        conn.execute("UPDATE bpjs.submission_candidate SET nama_lgkp = 'X' WHERE nik = %s AND period = %s",
                     (nik, PERIOD))
    try:
        result = job.execute_in_process(instance=instance, partition_key=PERIOD, raise_on_error=False)
        assert {e.check_name: e.passed for e in result.get_asset_check_evaluations()} == {
            "batch_matches_table": False, "submission_table_expectations": True,
            "submission_batches_expectations": True}
    finally:
        with psycopg.connect(dsn) as conn:
            conn.execute("UPDATE bpjs.submission_candidate SET nama_lgkp = %s WHERE nik = %s AND period = %s",
                         (real, nik, PERIOD))
    assert tables() == before


def test_every_check_runs_alone_and_writes_nothing(two_region_run, monkeypatch):
    """The UI's "Execute" on one check: each check of the ingest and the period's jobs runs alone,
    evaluates itself and materializes nothing (enrollment_candidates' suite, on the stored
    candidates: Dagster refused it alone while the asset could not be subset)."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    instance = dg.DagsterInstance.get()
    files = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    ran, refused = [], []
    for job_name, partition in (("ingest", None), ("lindungi", PERIOD)):
        job = defs.resolve_job_def(job_name)
        for check in sorted(job.asset_layer.asset_graph.asset_check_keys, key=str):
            try:
                alone = job.get_subset(asset_selection=set(), asset_check_selection={check})
            except dg.DagsterInvalidSubsetError:
                refused.append(check.name)
                continue
            result = alone.execute_in_process(instance=instance, partition_key=partition)
            assert result.success and not result.get_asset_materialization_events()
            # (an extract's suite fails at WARN on the world's damaged rows, which it quarantines)
            assert [(e.asset_key, e.check_name, e.passed or e.severity == dg.AssetCheckSeverity.WARN)
                    for e in result.get_asset_check_evaluations()] == [(check.asset_key, check.name, True)]
            ran.append(check.name)
    assert refused == [] and len(ran) == 17 and {"enrollment_candidates_expectations", "figures_add_up",
                                                  "one_row_per_resident"} <= set(ran)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == files


def test_a_links_check_alone_checks_the_stored_links(two_region_run, tmp_path, monkeypatch):
    """A links check run alone put the links together again from the regions' parts, so a stored
    welfare_links.parquet that broke its suite (a record linked twice) passed. It checks the
    asset as stored now, and says so when it is not stored."""
    import shutil

    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    links = pl.read_parquet(copy / "welfare_links.parquet")
    pl.concat([links, links.head(1)]).write_parquet(copy / "welfare_links.parquet")
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(copy))
    check = dg.AssetCheckKey(dg.AssetKey("welfare_links"), "welfare_links_expectations")
    alone = defs.resolve_job_def("lindungi").get_subset(asset_selection=set(), asset_check_selection={check})
    result = alone.execute_in_process(instance=dg.DagsterInstance.get(), partition_key=PERIOD, raise_on_error=False)
    assert not result.success and [e.passed for e in result.get_asset_check_evaluations()] == [False]
    (copy / "welfare_links.parquet").unlink()
    result = alone.execute_in_process(instance=dg.DagsterInstance.get(), partition_key=PERIOD, raise_on_error=False)
    assert not result.success and "welfare_links is not materialized" in str(result.all_events)


def test_an_ingest_check_alone_refuses_an_extract_that_changed_since(two_regions, two_region_run, monkeypatch,
                                                                      tmp_path):
    """An ingest check run alone reads the extract now: a file other than the one the asset was
    materialized from is not that asset, and the run says so instead of checking it. A copy saved
    again (CRLF line endings, a blank line at the end) holds its rows: its check runs."""
    import shutil

    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    changed = tmp_path / "input"
    shutil.copytree(two_regions, changed)
    text = (changed / "penduduk.csv").read_text(encoding="utf-8")
    (changed / "penduduk.csv").write_text(text + text.splitlines()[-1] + "\n", encoding="utf-8")  # a row twice
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_INPUT", str(changed))
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    job = defs.resolve_job_def("ingest")
    check = dg.AssetCheckKey(dg.AssetKey("residents"), "residents_expectations")
    result = job.get_subset(asset_selection=set(), asset_check_selection={check}).execute_in_process(
        instance=dg.DagsterInstance.get(), raise_on_error=False)
    assert not result.success and not result.get_asset_check_evaluations()
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.message
    assert "penduduk.csv is not the file residents was materialized from" in failure
    (changed / "penduduk.csv").write_bytes(text.replace("\n", "\r\n").encode() + b"\r\n")
    result = job.get_subset(asset_selection=set(), asset_check_selection={check}).execute_in_process(
        instance=dg.DagsterInstance.get())
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("residents_expectations", True)]
    # the other extracts did not change: their checks still run alone
    check = dg.AssetCheckKey(dg.AssetKey("participants"), "participants_expectations")
    result = job.get_subset(asset_selection=set(), asset_check_selection={check}).execute_in_process(
        instance=dg.DagsterInstance.get())
    assert [(e.check_name, e.passed) for e in result.get_asset_check_evaluations()] == [
        ("participants_expectations", True)]


def test_a_failed_links_suite_stops_what_depends_on_the_links(two_region_run, monkeypatch):
    """The links' GX suite runs inside their assembly step: a failure still blocks the assets
    downstream, and nothing is submitted."""
    import dagster as dg

    from assets import linkage
    from dagster_project.definitions import defs
    from quality.expectations import Expectation

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    real = linkage.asset_suite
    impossible = Expectation("ExpectColumnValuesToBeBetween", {"column": "score", "min_value": 2, "max_value": 3})
    monkeypatch.setattr(linkage, "asset_suite",
                        lambda name, settings: real(name, settings) + ([impossible] if name == "welfare_links" else []))
    instance = dg.DagsterInstance.get()
    submitted = instance.get_latest_materialization_event(dg.AssetKey("bpjs_submission")).run_id
    result = defs.resolve_job_def("lindungi").execute_in_process(
        instance=instance, partition_key=PERIOD, raise_on_error=False)
    assert not result.success
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {("welfare_links", "welfare_links_expectations"): False,
                      ("participant_links", "participant_links_expectations"): True}
    done = {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    assert done == {"welfare_links", "welfare_link_review", "participant_links", "participant_link_review"}
    assert instance.get_latest_materialization_event(dg.AssetKey("bpjs_submission")).run_id == submitted


def test_stale_region_links_stop_the_period_run(two_region_run, monkeypatch, tmp_path):
    """A new ingest without the regions' linkage: the assembly refuses to mix old links in. (Into
    a folder of its own: ingested into the module's, it left the links there stale for the tests
    after it, which passed only while an earlier test's LINDUNGI_OUT leaked into this one.)"""
    from dagster_project.cli import CliError, _execute

    _, _, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path / "out"))
    _execute("ingest", None, {})
    with pytest.raises(CliError, match="missing or older than the last ingest"):
        _execute("lindungi", PERIOD, {})


def test_the_stale_links_guard_reads_this_out_folder_only(two_regions, two_region_run, monkeypatch, tmp_path):
    """An operations review: the guard compared the latest materializations in the instance,
    whatever folder they were written to. An ingest into another --out on the same state
    directory made this folder's fresh links look stale, and another folder's fresh links let
    this folder's stale ones through."""
    from dagster_project.cli import CliError, _execute

    out, dsn, summary = two_region_run
    other = tmp_path / "other"
    for name, value in (("DAGSTER_HOME", summary["dagster_home"]), ("LINDUNGI_DB_URL", dsn),
                        ("LINDUNGI_INPUT", str(two_regions)), ("LINDUNGI_OUT", str(other))):
        monkeypatch.setenv(name, value)
    _execute("ingest", None, {})
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    _execute("lindungi", PERIOD, {})                    # its links are as fresh as its own ingest
    _execute("ingest", None, {})                        # now they are not
    monkeypatch.setenv("LINDUNGI_OUT", str(other))
    for region in ("6474", "6409"):
        _execute("link_regions", region, {})            # the other folder's are
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    with pytest.raises(CliError, match="missing or older than the last ingest"):
        _execute("lindungi", PERIOD, {})
    for region in ("6474", "6409"):                     # the folder left as the module found it
        _execute("link_regions", region, {})
    _execute("lindungi", PERIOD, {})


def test_a_review_list_is_not_put_together_from_review_pairs_older_than_the_ingest(two_region_run, monkeypatch):
    """A region's links and review pairs are each materializable alone, so links linked after the
    last ingest say nothing of the review pairs beside them. The assembly checked the links only:
    a review list put together after an ingest and a links-only relink came from the earlier
    extract's pairs, without a word (a grey-zone record the new extract brought was missing)."""
    import dagster as dg

    from dagster_project.cli import _execute
    from dagster_project.definitions import defs

    out, dsn, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    instance = dg.DagsterInstance.get()
    link, period = defs.resolve_job_def("link_regions"), defs.resolve_job_def("lindungi")

    def relink(*keys: str) -> None:
        for region in ("6474", "6409"):
            assert link.execute_in_process(instance=instance, partition_key=region,
                                           asset_selection=[dg.AssetKey(k) for k in keys]).success

    _execute("ingest", None, {})
    relink("region_welfare_links")
    # the links alone are put together from fresh parts
    assert period.execute_in_process(instance=instance, partition_key=PERIOD,
                                     asset_selection=[dg.AssetKey("welfare_links")]).success
    # the review list is refused: its region pairs predate the ingest
    result = period.execute_in_process(instance=instance, partition_key=PERIOD, raise_on_error=False,
                                       asset_selection=[dg.AssetKey("welfare_link_review")])
    assert not result.success
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    assert "missing or older than the last ingest" in message and "region_welfare_link_review" in message
    assert "run the job link_regions" in message  # the job the UI shows, not the op's name
    relink("region_welfare_link_review")
    assert period.execute_in_process(instance=instance, partition_key=PERIOD,
                                     asset_selection=[dg.AssetKey("welfare_link_review")]).success


def test_the_sensors_chain_ingest_regions_and_period(two_region_run, monkeypatch):
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.schedules import INGEST_TAG, period_request, region_requests
    from pipelines.dates import this_month

    _, _, summary = two_region_run
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    instance = dg.DagsterInstance.get()
    runs = summary["runs"]
    ingest = instance.get_run_by_id(runs["ingest"])
    assert ingest.tags["lindungi/period"] == PERIOD
    reqs = region_requests(ingest, ["6474", "6409"])
    assert [(r.partition_key, r.tags["lindungi/region"], r.tags["lindungi/period"]) for r in reqs] == [
        ("6474", "6474", PERIOD), ("6409", "6409", PERIOD)]
    # an ingest launched in the UI has no period: its chain goes on to this month's run (the
    # period's run was skipped, "no period to run")
    by_hand = dg.DagsterRun(job_name="ingest", run_id="f" * 36)
    assert {r.tags["lindungi/period"] for r in region_requests(by_hand, ["6474"])} == {this_month()}
    region_runs = list(instance.get_runs(filters=dg.RunsFilter(job_name="link_regions",
                                                               tags={INGEST_TAG: runs["ingest"]})))
    req = period_request(region_runs, ["6474", "6409"], runs["ingest"], PERIOD)
    assert isinstance(req, dg.RunRequest) and req.partition_key == PERIOD
    wait = period_request(region_runs[:1], ["6474", "6409"], runs["ingest"], PERIOD)
    assert isinstance(wait, dg.SkipReason) and "waiting" in wait.skip_message
    assert {"link_regions_after_ingest", "period_after_regions"} <= {s.name for s in defs.sensors}
    assert defs.resolve_schedule_def("monthly_enrollment").job_name == "ingest"
    # `lindungi run`'s own runs are not chained (an outside review: with the UI's sensors on, its
    # ingest made the daemon link every region again on the UI's --out, then run the period
    # again): the command runs its own chain
    for job, sensor_name, run_id in (("ingest", "link_regions_after_ingest", runs["ingest"]),
                                     ("link_regions", "period_after_regions", region_runs[0].run_id)):
        run = instance.get_run_by_id(run_id)
        assert run.tags["lindungi/command"] == "run", job
        success = next(e for e in instance.all_logs(run_id)
                       if e.dagster_event and e.dagster_event.event_type_value == "PIPELINE_SUCCESS")
        sensor = defs.resolve_sensor_def(sensor_name)
        out = sensor(dg.build_run_status_sensor_context(sensor_name=sensor_name, dagster_instance=instance,
                                                         dagster_run=run, dagster_event=success.dagster_event))
        assert isinstance(out, dg.SkipReason) and "started by `lindungi run`" in out.skip_message, out


def test_an_ingest_materialized_from_the_asset_graph_is_chained_and_counts_as_in_flight(two_regions, tmp_path,
                                                                                          monkeypatch):
    """A production-path review: runs made from the asset graph (Dagster 1.13 names them all
    __ASSET_JOB; an asset backfill's carry dagster/backfill and dagster/partition) were neither
    chained nor counted as runs in flight. The three extracts materialized there are the ingest in
    all but name: their regions are linked as the ingest job's are; one extract alone is not, and
    says so; and while such a run is queued or running the month's ingest waits for it."""
    import dagster as dg

    from dagster._core.definitions.partitions.context import partition_loading_context

    from dagster_project.cli import _settings_config
    from dagster_project.definitions import defs
    from dagster_project.schedules import INGEST_TAG, chain_in_flight

    monkeypatch.setenv("LINDUNGI_INPUT", str(two_regions))
    monkeypatch.setenv("LINDUNGI_OUT", str(tmp_path / "out"))
    asset_job = defs.resolve_implicit_global_asset_job_def()
    assert asset_job.name == "__ASSET_JOB"
    sensor = defs.resolve_sensor_def("link_regions_after_asset_ingest")
    assert sensor.job_name == "link_regions"
    by_job = defs.resolve_sensor_def("link_regions_after_ingest")
    with dg.instance_for_test() as instance:
        cursors = {s.name: s.evaluate_tick(dg.build_sensor_context(instance=instance)).cursor for s in (sensor, by_job)}

        def tick(s):  # (the repository and the instance resolve a region's request, as in the daemon;
            # the repository's name left unset, as the runs' made here are)
            with partition_loading_context(dynamic_partitions_store=instance):
                data = s.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursors[s.name],
                                                               repository_def=defs.get_repository_def()))
            cursors[s.name] = data.cursor
            return data

        settings = _settings_config()
        one = asset_job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey("participants")],
                                           run_config=settings)
        assert one.success and instance.get_run_by_id(one.run_id).job_name == "__ASSET_JOB"
        data = tick(sensor)
        assert not data.run_requests and data.skip_message == (
            f"__ASSET_JOB run {one.run_id[:8]} materialized participants but not residents, welfare_records: part "
            "of the extracts is not chained (materialize all three, or launch the ingest job)")
        keys = defs.resolve_job_def("ingest").asset_layer.executable_asset_keys
        full = asset_job.execute_in_process(instance=instance, asset_selection=list(keys), run_config=settings)
        assert full.success
        data = tick(sensor)
        assert sorted((r.partition_key, r.tags[INGEST_TAG]) for r in data.run_requests) == [
            ("6409", full.run_id), ("6474", full.run_id)]
        assert not tick(by_job).run_requests  # not chained twice
        assert not tick(sensor).run_requests

        assert chain_in_flight(instance) == []
        backfill = dg.DagsterRun(job_name="__ASSET_JOB", run_id="a" * 36, status=dg.DagsterRunStatus.STARTED,
                                 tags={"dagster/backfill": "piwwilsh", "dagster/partition": "6474"})
        instance.add_run(backfill)
        assert chain_in_flight(instance) == ["__ASSET_JOB:aaaaaaaa"]


def test_a_period_run_launched_with_its_partition_tag_alone_is_one_of_the_job_s_partitions(tmp_path, monkeypatch):
    """A production-path review: `dagster job launch -j lindungi --tags '{"dagster/partition":
    "2026-11"}'` ran the month and materialized it, but the run was missing from the job's
    partition statuses: Dagster finds a job's partition runs by the tag dagster/partition_set,
    which it adds when it launches a partition itself, not to tags given by hand. The
    partitioned jobs carry it as a job tag. Dagster's own CLI, on an instance of its own (the run
    is queued there and never started: no daemon)."""
    import subprocess
    import sys

    import dagster as dg

    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for job, key in (("lindungi", PERIOD), ("link_regions", "6474")):
        launched = subprocess.run(
            [sys.executable, "-m", "dagster", "job", "launch", "-m", "dagster_project.definitions", "-j", job,
             "--tags", f'{{"dagster/partition": "{key}"}}'],
            cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert launched.returncode == 0, launched.stderr[-2000:]
        with dg.DagsterInstance.get() as instance:
            # the filter of the job's partition statuses (dagster_graphql's fetch_partition_sets)
            data = instance.run_storage.get_run_partition_data(runs_filter=dg.RunsFilter(tags={
                "dagster/partition_set": f"{job}_partition_set",
                ".dagster/repository": "__repository__@dagster_project.definitions"}))
            assert [(d.partition, d.status) for d in data] == [(key, dg.DagsterRunStatus.QUEUED)], job


def test_the_runs_of_lindungi_run_are_in_the_ui_s_jobs_and_partition_statuses(two_regions, pg_server, tmp_path,
                                                                              monkeypatch):
    """A data engineer's review: after `lindungi run`, `lindungi ui` showed no run in the jobs'
    Runs tabs, and every region and month as never run in the partition statuses of
    `link_regions` and `lindungi`, though the assets showed them materialized. The UI finds a
    job's runs by the tag .dagster/repository (repository@code location), which Dagster adds to
    the runs it launches, not to a run executed in a process. Asked here as the UI asks, through
    Dagster's GraphQL, on the code location of the command `lindungi ui` starts. A run of its own:
    the other tests add runs of these jobs to ``two_region_run``'s history."""
    import dagster as dg
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster_graphql.test.utils import execute_dagster_graphql

    from dagster_project import cli
    from tests.test_run_cli import _ui_started

    with environ(LINDUNGI_HOME=str(tmp_path / "run-home"), LINDUNGI_MAX_CONCURRENT="2"):  # regions' runs in workers
        summary = cli.run_pipeline(str(two_regions), PERIOD, str(tmp_path / "out"), db=_fresh_db(pg_server, "ui_runs"))
    runs = summary["runs"]
    started = _ui_started(monkeypatch, tmp_path)
    monkeypatch.setattr(cli, "_adopt_orphans", lambda: None)
    assert cli.main(["ui", "--port", "0", "--db", "postgresql://nowhere/x"]) == 0
    monkeypatch.undo()  # subprocess.Popen back, for the code server
    dev = started[0]
    module = dev[dev.index("-m", dev.index("dev")) + 1]
    monkeypatch.setenv("DAGSTER_HOME", summary["dagster_home"])
    query = """query($repo: RepositorySelector!, $job: PipelineSelector!, $set: String!) {
      pipelineOrError(params: $job) { ... on Pipeline { runs { runId } } }
      partitionSetOrError(repositorySelector: $repo, partitionSetName: $set) { ... on PartitionSet {
        partitionStatusesOrError { ... on PartitionStatuses { results { partitionName runId runStatus } } } } } }"""
    with dg.DagsterInstance.get() as instance, WorkspaceProcessContext(
            instance, ModuleTarget(module, None, None, None)) as workspace:
        context = workspace.create_request_context()
        [location] = context.code_location_names
        [repository] = context.get_code_location(location).get_repositories()
        repo = {"repositoryLocationName": location, "repositoryName": repository}

        def ask(job: str) -> tuple[list[str], dict]:
            data = execute_dagster_graphql(context, query, {
                "repo": repo, "job": {**repo, "pipelineName": job}, "set": f"{job}_partition_set"}).data
            statuses = (data["partitionSetOrError"] or {}).get("partitionStatusesOrError", {}).get("results", [])
            return ([r["runId"] for r in data["pipelineOrError"]["runs"]],
                    {s["partitionName"]: (s["runId"], s["runStatus"]) for s in statuses if s["runId"]})

        assert ask("ingest") == ([runs["ingest"]], {})
        region_runs, regions = ask("link_regions")
        assert sorted(region_runs) == sorted(runs["regions"].values())
        assert regions == {r: (run_id, "SUCCESS") for r, run_id in runs["regions"].items()}
        assert ask("lindungi") == ([runs["period"]], {PERIOD: (runs["period"], "SUCCESS")})


def test_new_extracts_start_an_ingest_once_they_have_settled(tmp_path, monkeypatch):
    """Nothing watched the input folder: a corrected extract delivered mid-month waited for the
    next monthly schedule. The sensor takes what it first finds as ingested, then requests one
    ingest (the chain follows it) for changed extracts that stayed unchanged for one evaluation."""
    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.schedules import extracts_fingerprint

    sensor = defs.resolve_sensor_def("new_extracts_sensor")
    assert sensor.job_name == "ingest"

    def tick(cursor, runs=()):
        instance = dg.DagsterInstance.ephemeral()
        for run in runs:
            instance.add_run(run)
        result = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))
        return result.run_requests, result.skip_message, result.cursor

    monkeypatch.delenv("LINDUNGI_INPUT", raising=False)
    assert "LINDUNGI_INPUT" in tick(None)[1]
    monkeypatch.setenv("LINDUNGI_INPUT", str(tmp_path))
    for name in ("penduduk.csv", "dtsen.csv"):
        (tmp_path / name).write_text("NIK\n")
    assert "no peserta_bpjstk extract" in tick(None)[1]
    (tmp_path / "peserta_bpjstk.csv").write_text("KPJ\n")
    reqs, why, cursor = tick(None)                          # turned on: the baseline
    assert not reqs and "already ingested" in why
    assert tick(cursor)[:2] == ([], "extracts unchanged")
    (tmp_path / "penduduk.csv").write_text("NIK\n6474011508850001\n")   # a new extract arrives
    reqs, why, cursor = tick(cursor)
    assert not reqs and "stay unchanged" in why             # maybe still being copied
    busy = dg.DagsterRun(job_name="link_regions", run_id="a" * 36, status=dg.DagsterRunStatus.STARTED)
    assert "wait for 1 run(s) in flight: link_regions:aaaaaaaa" in tick(cursor, [busy])[1]
    settled = cursor
    reqs, _, cursor = tick(cursor)                          # the chain done: requested
    assert len(reqs) == 1 and reqs[0].tags["lindungi/period"]       # the current month
    # named by the extracts it reads, as the monthly schedule looks them up
    fingerprint = extracts_fingerprint(str(tmp_path))[0]
    assert reqs[0].tags["lindungi/extracts"] == fingerprint
    assert tick(cursor)[:2] == ([], "extracts unchanged")   # once
    # delivered just before the 1st's 02:00: the monthly schedule's ingest read them first
    scheduled = dg.DagsterRun(job_name="ingest", run_id="e" * 36, status=dg.DagsterRunStatus.SUCCESS,
                              tags={"lindungi/period": reqs[0].tags["lindungi/period"],
                                    "lindungi/extracts": fingerprint})
    reqs, why, cursor = tick(settled, [scheduled])
    assert not reqs and why.startswith("new extracts already ingested for") and "ingest:eeeeeeee" in why
    assert tick(cursor)[:2] == ([], "extracts unchanged")


def test_the_same_extracts_copied_in_again_start_no_ingest(tmp_path, monkeypatch):
    """A production-path review: byte-identical extracts copied in again (a re-delivery, a sync
    that rewrites modification times) started an ingest, every region's linking and the period's
    run, whose submission added an empty batch to each region. Once the folder's fingerprint
    changes, the files' SHA-256 are compared with those the last ingest recorded."""
    import hashlib
    import os

    import dagster as dg

    from dagster_project.definitions import defs

    sensor = defs.resolve_sensor_def("new_extracts_sensor")
    monkeypatch.setenv("LINDUNGI_INPUT", str(tmp_path))
    files = {"penduduk.csv": "NIK\n6474011508850001\n", "dtsen.csv": "ID_DTSEN\n1\n", "peserta_bpjstk.csv": "KPJ\n2\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    instance = dg.DagsterInstance.ephemeral()
    for name, asset in (("penduduk.csv", "residents"), ("dtsen.csv", "welfare_records"),
                        ("peserta_bpjstk.csv", "participants")):
        instance.report_runless_asset_event(dg.AssetMaterialization(
            asset, metadata={"sha256": hashlib.sha256(files[name].encode()).hexdigest()}))

    def tick(cursor):
        result = sensor.evaluate_tick(dg.build_sensor_context(cursor=cursor, instance=instance))
        return result.run_requests, result.skip_message, result.cursor

    _, _, cursor = tick(None)
    for name, text in files.items():  # the same bytes, written again later
        (tmp_path / name).write_text(text)
        os.utime(tmp_path / name, ns=(2_000_000_000 * 10**9, 2_000_000_000 * 10**9))
    reqs, why, cursor = tick(cursor)
    assert not reqs and "stay unchanged" in why
    reqs, why, cursor = tick(cursor)
    assert not reqs and "the same SHA-256" in why
    assert tick(cursor)[:2] == ([], "extracts unchanged")
    (tmp_path / "dtsen.csv").write_text("ID_DTSEN\n3\n")  # one of them new: the ingest, once settled
    reqs, _, cursor = tick(cursor)
    assert not reqs and len(tick(cursor)[0]) == 1


def test_the_monthly_ingest_waits_for_a_chain_in_flight_and_starts_once(tmp_path, monkeypatch):
    """The schedule started the month's ingest at 02:00 on the 1st whatever was running: an
    ingest replaced the extracts' assets under a mid-month chain's region and period runs still
    reading them. It now waits for the chain, evaluated hourly, and starts the ingest once; and
    not at all when the extracts in the input folder are already ingested for the month (new
    extracts delivered shortly before, which new_extracts_sensor ingested: the whole chain ran
    again over the same files)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import dagster as dg
    from dagster._utils.schedules import schedule_execution_time_iterator

    from dagster_project.definitions import defs
    from dagster_project.schedules import extracts_fingerprint

    schedule = defs.resolve_schedule_def("monthly_enrollment")
    wita = ZoneInfo("Asia/Makassar")
    ticks = schedule_execution_time_iterator(datetime(2026, 11, 30, 23, 30, tzinfo=wita).timestamp(),
                                             schedule.cron_schedule, "Asia/Makassar")
    first = [next(ticks).strftime("%d %H:%M") for _ in range(3)]
    assert first == ["01 02:00", "01 03:00", "01 04:00"]  # not before 02:00 on the 1st, then hourly

    def tick(runs=(), when=datetime(2026, 12, 1, 2, tzinfo=wita)):
        with dg.instance_for_test() as instance:  # a schedule's context needs a persistent one
            for run in runs:
                instance.add_run(run)
            with dg.build_schedule_context(instance=instance, scheduled_execution_time=when) as context:
                data = schedule.evaluate_tick(context)
        return data.run_requests, data.skip_message

    monkeypatch.setenv("LINDUNGI_INPUT", str(tmp_path))
    for name in ("penduduk.csv", "dtsen.csv", "peserta_bpjstk.csv"):
        (tmp_path / name).write_text("NIK\n")
    fingerprint = extracts_fingerprint(str(tmp_path))[0]
    reqs, _ = tick()
    assert [(r.run_key, r.tags["lindungi/period"], r.tags["lindungi/extracts"]) for r in reqs] == \
        [("2026-12", "2026-12", fingerprint)]
    busy = dg.DagsterRun(job_name="lindungi", run_id="b" * 36, status=dg.DagsterRunStatus.STARTED)
    reqs, why = tick([busy])
    assert not reqs and "waits for 1 run(s) of the chain in flight: lindungi:bbbbbbbb" in why
    done = dg.DagsterRun(job_name="ingest", run_id="c" * 36, status=dg.DagsterRunStatus.SUCCESS,
                         tags={"dagster/schedule_name": "monthly_enrollment", "lindungi/period": "2026-12"})
    reqs, why = tick([done], datetime(2026, 12, 1, 5, tzinfo=wita))
    assert not reqs and "the ingest of 2026-12 is started: ingest:cccccccc (success)" in why
    # last month's ingest by the schedule does not stop this month's
    reqs, _ = tick([done], datetime(2027, 1, 1, 2, tzinfo=wita))
    assert [r.run_key for r in reqs] == ["2027-01"]

    # the sensor's ingest of these extracts for December, at 01:40 on the 1st
    def by_sensor(status, period="2026-12", extracts=fingerprint):
        return dg.DagsterRun(job_name="ingest", run_id="d" * 36, status=status,
                             tags={"lindungi/period": period, "lindungi/extracts": extracts})

    for status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.STARTED):
        reqs, why = tick([by_sensor(status)])
        assert not reqs and why == ("the extracts in the input folder are already ingested for 2026-12: "
                                    f"ingest:dddddddd ({status.value.lower()})")
    for other in (by_sensor(dg.DagsterRunStatus.FAILURE),           # it failed: ingested by the schedule
                  by_sensor(dg.DagsterRunStatus.SUCCESS, "2026-11"),  # for November: December's needs its own
                  by_sensor(dg.DagsterRunStatus.SUCCESS, extracts="0" * 16)):  # other extracts since
        assert [r.run_key for r in tick([other])[0]] == ["2026-12"]


def test_a_killed_run_leaves_no_process_behind_and_its_runs_are_reported_failed(two_regions, pg_server,
                                                                                  tmp_path, monkeypatch):
    """`lindungi run` over two kab/kota killed with SIGKILL (the process alone) while its
    regions are linked in processes of their own: those and the GX worker end with it, and the
    next run reports the killed run's unfinished Dagster runs failed (they showed as started for
    good), then completes."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import dagster as dg

    from pipelines.processes import alive

    dsn = _fresh_db(pg_server, "killed_run")
    env = {**os.environ, "LINDUNGI_HOME": str(tmp_path / "home"), "LINDUNGI_MAX_CONCURRENT": "2"}
    cmd = [str(Path(sys.executable).with_name("lindungi")), "run", "--input", str(two_regions),
           "--period", PERIOD, "--out", str(tmp_path / "out"), "--db", dsn]

    def children(pid: int) -> list[int]:
        out = []
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
        return out

    def cmdline(pid: int) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # ended since it was listed
            return b""

    def spawned(pid: int) -> list[int]:  # the GX worker and the region workers
        return [c for c in children(pid) if b"spawn_main" in cmdline(c)]

    home = tmp_path / "home" / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # the instance's dagster.yaml reads it

    instances = []  # opened once: opening one per poll could miss the short window of a small world

    def linking(pid: int) -> bool:  # a region's Dagster run under way
        if not instances:
            if not (home / "history" / "runs.db").exists():
                return False
            instances.append(dg.DagsterInstance.get())
        return bool(instances[0].get_runs(filters=dg.RunsFilter(
            job_name="link_regions", statuses=[dg.DagsterRunStatus.STARTED], tags={"lindungi/pid": str(pid)})))

    run = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while not (len(spawned(run.pid)) >= 3 and linking(run.pid)) and run.poll() is None and time.monotonic() - t0 < 300:
        time.sleep(0.05)
    left = children(run.pid)
    assert len(spawned(run.pid)) >= 3, "the regions were not linked side by side before the run ended"
    run.send_signal(signal.SIGKILL)
    run.wait()
    for instance in instances:
        instance.dispose()
    try:
        t0 = time.monotonic()
        while any(alive(p) for p in left) and time.monotonic() - t0 < 30:
            time.sleep(0.05)
        assert not any(alive(p) for p in left)
    finally:
        for p in left:
            if alive(p):
                os.kill(p, signal.SIGKILL)

    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "killed as failed" in again.stderr
    # nothing of either run left running: Dagster's compute logs had a `tail -F` per stream, and
    # one of a killed region worker ran on for good
    home_text = str(tmp_path / "home").encode()
    assert not [p for p in os.listdir("/proc") if p.isdigit() and home_text in cmdline(int(p))]
    with dg.DagsterInstance.get() as instance:
        killed = instance.get_runs(filters=dg.RunsFilter(tags={"lindungi/pid": str(run.pid)}))
        statuses = {r.status for r in killed}
        assert dg.DagsterRunStatus.FAILURE in statuses
        assert not statuses & {dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING,
                               dg.DagsterRunStatus.NOT_STARTED}


def test_links_assembled_in_another_dagster_instance_say_so(two_region_run, monkeypatch):
    """`dagster asset materialize --select welfare_links` without DAGSTER_HOME (Dagster's
    throwaway instance, which knows no region partition) stopped on "the linkage of region(s)
    6474, 6409 is missing or older than the last ingest ...; materialize link_region for those
    partitions first", though both were linked a moment before; materializing them then failed
    on "Could not find a partition with key `6474`"."""
    import dagster as dg

    from dagster_project.definitions import defs

    out, dsn, _ = two_region_run
    monkeypatch.setenv("LINDUNGI_DB_URL", dsn)
    monkeypatch.setenv("LINDUNGI_OUT", str(out))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection={dg.AssetKey("welfare_links")})
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.message
    assert "welfare_links: region(s) 6474, 6409 of the ingested residents are no partitions of this Dagster " \
           f"instance (at {instance.root_directory}): use the instance `lindungi run` and `lindungi ui` use, " \
           "DAGSTER_HOME=<state directory>/dagster_home" in failure, failure


def test_a_record_compared_in_every_region_skips_the_blocks_too_large_over_the_extract():
    """A record without a usable NIK or an address is compared in every region; its attribute
    blocks are capped over the whole extract too (150 residents), not only per region (50):
    capped per region, each region gave it up to 50 namesakes again, and a roster with many
    damaged NIKs in an extract of many kab/kota was compared that many times over (1M residents
    in 20 kab/kota: 55.7M roster pairs, 13.4M with the extract's cap). A record routed to one
    region keeps that region's blocks."""
    from datetime import date

    from pipelines import linkage as lk
    from pipelines.partitioning import EVERYWHERE

    born = date(1970, 1, 1)
    rows = [(f"64{kab}014101700{i:03d}", "SITI AMINAH", born, f"64{kab}", f"64{kab}011001")
            for kab in ("71", "72", "73", "74") for i in range(1, 41)]
    residents = pl.DataFrame(rows, schema=["NIK", "nama_norm", "TGL_LHR", "kode_kab", "kode_kel"],
                             orient="row").with_columns(JENIS_KLMIN=pl.lit("P"), NO_KK=pl.lit(None, pl.String))
    records = pl.DataFrame([("nowhere", None, None), ("home", "6471014101700001", "6471014101700001")],
                           schema=["KPJ", "NIK", "nik_raw"], orient="row").with_columns(
        nama_norm=pl.lit("SITI AMINAH"), TGL_LHR=pl.lit(born))
    regions = list(region_sizes(residents))
    oversized = lk.extract_blocks(residents)
    seen, capped = {}, {}
    for region in regions:
        r = lk.resident_side(residents_of(residents, region, regions))
        s = lk._record_side(records_of(records, residents, region, regions, None, everywhere=EVERYWHERE), "KPJ")
        for out, ov in ((seen, None), (capped, oversized)):
            pairs = lk.attribute_pairs(r, s, extract_oversized=ov).join(s.select("s_key", "s_id"), on="s_key")
            for kpj, n in pairs.group_by("s_id").len().iter_rows():
                out[kpj] = out.get(kpj, 0) + n
    assert seen == {"nowhere": 160, "home": 40}  # per region: 40 namesakes in each
    assert capped == {"home": 40}  # 160 namesakes over the extract: more than its block may hold
