"""Partitions: one per month (the period ``YYYY-MM`` candidates are judged for), and one per
kab/kota for the linkage."""

import dagster as dg

from pipelines.dates import FIRST_PERIOD, MONTHS_AHEAD

# From 2020 to twelve months ahead, so next year's enrollment can be planned: 2027-11 in
# November 2026 (end_offset counts the current month, itself not yet complete, as the first).
# Months in WITA, the city's time, as the schedule's and the periods' "this month" are: in UTC
# (the default, which the UI names) the last partition was a month short for the first eight
# hours of every month.
# (pipelines.dates.period_in_range says the same, for the CLI's refusals before Dagster's import)
period_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_PERIOD, fmt="%Y-%m", end_offset=MONTHS_AHEAD + 1,
                                                   timezone="Asia/Makassar")

# One per kab/kota (NO_PROP + NO_KAB, e.g. "6474" for Bontang): the linkage's unit of work. The
# keys are added by the residents' ingest from the extract's region codes, so an extract of
# several kab/kota becomes that many partitions, and a backfill over them runs each on its own.
region_partitions = dg.DynamicPartitionsDefinition(name="region")
