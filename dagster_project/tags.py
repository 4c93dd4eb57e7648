"""The tags Lindungi puts on its Dagster runs, in one light module (no Dagster import): the CLI
reads them before it imports Dagster, and the schedule and sensors match runs by them."""

PERIOD_TAG = "lindungi/period"
INGEST_TAG = "lindungi/ingest_run"
REGION_TAG = "lindungi/region"
# the input folder's extracts an ingest read (``schedules.extracts_fingerprint``), on the runs the
# schedule and ``new_extracts_sensor`` request (not on `lindungi run`'s: they may write to another
# --out or database)
EXTRACTS_TAG = "lindungi/extracts"
# on the runs a `lindungi` command starts (``run``: its ingest, region and period runs), the
# input folder it read and the output folder it wrote (``lindungi ui`` takes both, as a pair)
COMMAND_TAG, INPUT_TAG, OUT_TAG = "lindungi/command", "lindungi/input", "lindungi/out"
