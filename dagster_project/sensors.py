"""Sensors: BPJS response files dropped into ``<out>/inbox/bpjs/`` are validated and applied.

A file applied goes to ``inbox/bpjs/processed/``; a file refused goes to
``inbox/bpjs/rejected/`` with ``<name>.error.txt`` listing every problem. Nothing is applied
half-way (``pipelines.bpjs_exchange.apply_response`` is one transaction).
"""

import os
import shutil
from pathlib import Path

import dagster as dg

from dagster_project.resources import Database
from pipelines.bpjs_exchange import ResponseError, apply_response


def inbox_dir() -> Path:
    return Path(os.environ.get("LINDUNGI_OUT", "lindungi-data")) / "inbox" / "bpjs"


@dg.op(config_schema={"path": str}, description="Validate and apply one BPJS response file.")
def apply_bpjs_response_file(context: dg.OpExecutionContext, database: Database) -> None:
    path = Path(context.op_config["path"])
    if not path.exists():
        context.log.info(f"{path.name}: already handled")
        return
    try:
        result = apply_response(database.url(), path, run_id=context.run_id)
    except ResponseError as exc:
        target = path.parent / "rejected"
        target.mkdir(exist_ok=True)
        (target / f"{path.name}.error.txt").write_text("\n".join(exc.problems) + "\n", encoding="utf-8")
        shutil.move(str(path), target / path.name)
        raise dg.Failure(description=f"{path.name} refused: {len(exc.problems)} problem(s)",
                         metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in exc.problems[:50]))},
                         ) from None
    target = path.parent / "processed"
    target.mkdir(exist_ok=True)
    shutil.move(str(path), target / path.name)
    context.log.info(f"{result.file}: {result.accepted} accepted, {result.rejected} rejected")


@dg.job(description="Apply a BPJS response file to bpjs.submission_candidate.")
def apply_bpjs_response():
    apply_bpjs_response_file()


@dg.sensor(job=apply_bpjs_response, minimum_interval_seconds=30,
           description="Picks up BPJS response files in <out>/inbox/bpjs/.")
def bpjs_response_sensor(context: dg.SensorEvaluationContext):
    inbox = inbox_dir()
    if not inbox.is_dir():
        return dg.SkipReason(f"no inbox at {inbox}")
    files = sorted(p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    if not files:
        return dg.SkipReason("no response files")
    return [
        dg.RunRequest(run_key=f"{p.name}:{p.stat().st_mtime_ns}",
                      run_config={"ops": {"apply_bpjs_response_file": {"config": {"path": str(p.resolve())}}}})
        for p in files
    ]
