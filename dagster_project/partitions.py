"""Partitions: one per month (the period ``YYYY-MM`` candidates are judged for)."""

import dagster as dg

# From 2020 to twelve months ahead, so next year's enrollment can be planned.
period_partitions = dg.MonthlyPartitionsDefinition(start_date="2020-01", fmt="%Y-%m", end_offset=12)
