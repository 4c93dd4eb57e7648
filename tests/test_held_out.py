"""Quality on worlds the project's generator did not make: four outside testers' generators
(`bench/bogor_world.py`, `bench/makassar_world.py`, `bench/kaltim_world.py`, `bench/bali_world.py`, written from
CONTRACT.md and DOMAIN.md alone) at 8,000 residents, run through `lindungi run` on the real
embedded PostgreSQL and scored against their own truth.

The floors are this session's figures less a margin, above what the code before the 34th
session's changes gave on the same worlds (Bogor welfare recall 0.965, Makassar welfare and
roster recall 0.994 and 0.992): families that moved with stale welfare records, KK numbers typed
as NIKs, 17-digit NIKs, KKs whose 16th digit Excel zeroed, Dukcapil's placeholder dates. The
Kalimantan Timur world (a province's extract of seven kab/kota of very unequal size, 25 columns,
quoted multi-line addresses, a malformed row or two in each file, Dayak names) is held at the
level the 35th session measured, less a margin. Two floors the code before that session's last
linkage changes falls under: a birth date written again after a move no longer counts against
an exact NIK and name (Kalimantan welfare recall 0.9917 -> 0.9946, floor 0.993), and a
namesake's own valid NIK carrying the resident's birth date is another person's (roster
precision: Kalimantan 0.9979 -> 1.0, floor 0.999; Bogor 0.9959 -> 0.9985, floor 0.997). The
Bali world (five kab/kota, birth-order and caste names shared by very many, a semicolon
Windows-1252 SIAK export, welfare as an XLSX with numbers Excel rounded, namesakes from outside
on the roster) is held at the 36th session's level less a margin; at 8,000 residents its
neighbouring-kecamatan NIK collisions are too few to tell that session's change (see
``tests/test_linkage.py``: the region slip)."""

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-11"

# generator, seed: floors of (welfare P, R), (roster P, R), (candidates P, R among the judgeable)
WORLDS = {
    "bogor": (3, {"welfare": (0.99, 0.98), "roster": (0.997, 0.98), "candidates": (0.99, 0.99)}),
    "makassar": (3, {"welfare": (0.995, 0.995), "roster": (0.995, 0.995), "candidates": (0.99, 0.995)}),
    "kaltim": (3, {"welfare": (0.995, 0.993), "roster": (0.999, 0.985), "candidates": (0.995, 0.995)}),
    "bali": (3, {"welfare": (0.995, 0.99), "roster": (0.985, 0.985), "candidates": (0.995, 0.995)}),
}


def _truth(world: Path, name: str) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    """(welfare truth: ID_DTSEN, true_nik), (roster truth: KPJ, true_nik) and the NIKs of the
    candidates among the judgeable residents, as each generator writes them."""
    t = world / "truth"
    if name == "bali":
        read = lambda f, key: pl.read_parquet(t / f).select(pl.col(key).cast(pl.String), "true_nik")  # noqa: E731
        residents = pl.read_parquet(t / "residents.parquet").filter("accepted", "judgeable", "candidate")
        return (read("welfare.parquet", "ID_DTSEN"), read("roster.parquet", "KPJ"),
                set(residents["NIK"].to_list()))
    if name == "kaltim":
        read = lambda f, key: (pl.read_parquet(t / f).filter("accepted")  # noqa: E731
                               .select(pl.col(key).cast(pl.String), "true_nik"))
        residents = pl.read_parquet(t / "t_residents.parquet").filter("accepted", "judgeable", "candidate")
        return (read("t_welfare.parquet", "ID_DTSEN"), read("t_roster.parquet", "KPJ"),
                set(residents["NIK"].to_list()))
    read = lambda f, key: (pl.read_csv(t / f, infer_schema=False).select(key, "true_nik")  # noqa: E731
                           .with_columns(pl.col("true_nik").replace("", None)))
    residents = pl.read_csv(t / "residents_truth.csv", infer_schema=False)
    return (read("dtsen_truth.csv", "ID_DTSEN"), read("roster_truth.csv", "KPJ"),
            set(residents.filter(pl.col("candidate_judgeable") == "True")["nik"].to_list()))


def _links(truth: pl.DataFrame, out: Path, links: str, id_col: str) -> tuple[float, float]:
    """Precision and recall of a link output: a link is right when its NIK is the record's
    person's (the truth's ``true_nik``, empty for a person not in the population extract)."""
    t = truth.unique(id_col)
    j = t.join(pl.read_parquet(out / links).select(id_col, "NIK"), on=id_col, how="left")
    right = (pl.col("NIK") == pl.col("true_nik")).fill_null(False)
    tp = j.filter(right).height
    fp = j.filter(pl.col("NIK").is_not_null() & ~right).height
    fn = j.filter(pl.col("true_nik").is_not_null() & ~right).height
    return tp / (tp + fp), tp / (tp + fn)


def _candidates(want: set[str], out: Path) -> tuple[float, float]:
    got = set(pl.read_parquet(out / "enrollment_candidates" / f"{PERIOD}.parquet")["NIK"].to_list())
    return len(want & got) / len(got), len(want & got) / len(want)


@pytest.mark.parametrize("name", sorted(WORLDS))
def test_an_outside_tester_s_world_is_linked_and_judged_well(name, pg_server, tmp_path, monkeypatch):
    from dagster_project.cli import run_pipeline
    from tests.test_pipeline import _fresh_db

    seed, floors = WORLDS[name]
    world, out = tmp_path / "world", tmp_path / "out"
    subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}_world.py"), str(world), "8000", str(seed)],
                   check=True, capture_output=True)
    monkeypatch.setenv("LINDUNGI_HOME", str(tmp_path / "home"))
    run_pipeline(str(world), PERIOD, str(out), db=_fresh_db(pg_server, f"held_{name}"))
    welfare, roster, want = _truth(world, name)
    got = {"welfare": _links(welfare, out, "welfare_links.parquet", "ID_DTSEN"),
           "roster": _links(roster, out, "participant_links.parquet", "KPJ"),
           "candidates": _candidates(want, out)}
    short = {k: (round(p, 4), round(r, 4)) for k, (p, r) in got.items()
             if p < floors[k][0] or r < floors[k][1]}
    assert not short, f"below the floors {floors}: {short}"
