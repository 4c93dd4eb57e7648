"""Quality of a run against a generated world's ground truth: precision, recall, F1."""

from __future__ import annotations

from pathlib import Path

import polars as pl

LINKS = (("welfare_links", "welfare_truth", "ID_DTSEN"), ("participant_links", "participant_truth", "KPJ"))


def _prf(tp: int, predicted: int, actual: int) -> dict:
    p = tp / predicted if predicted else 1.0
    r = tp / actual if actual else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "predicted": predicted, "actual": actual}


def link_quality(links: pl.DataFrame, truth: pl.DataFrame, key: str) -> dict:
    """A predicted link is right when it names the true resident; a record whose person is not
    a valid resident must stay unlinked."""
    j = links.select(key, got=pl.col("NIK")).join(truth.select(key, true=pl.col("NIK")), on=key)
    tp = j.filter(pl.col("got").is_not_null() & (pl.col("got") == pl.col("true"))).height
    return _prf(tp, j.filter(pl.col("got").is_not_null()).height, j.filter(pl.col("true").is_not_null()).height)


def candidate_quality(candidates: pl.DataFrame, truth: pl.DataFrame) -> dict:
    got, want = set(candidates["NIK"]), set(truth["NIK"])
    return _prf(len(got & want), len(got), len(want))


def evaluate(out_dir: str | Path, world_dir: str | Path, period: str) -> dict:
    from pipelines.generate import truth_candidates

    out, world = Path(out_dir), Path(world_dir)
    result = {name: link_quality(pl.read_parquet(out / f"{name}.parquet"),
                                 pl.read_parquet(world / "truth" / f"{truth}.parquet"), key)
              for name, truth, key in LINKS}
    result["enrollment_candidates"] = candidate_quality(
        pl.read_parquet(out / "enrollment_candidates" / f"{period}.parquet"),
        truth_candidates(world / "truth", period))
    return result
