"""Candidate assets: residents judged against the rules, the ranked candidates, coverage."""

import json
from collections.abc import Collection

import dagster as dg
import polars as pl

from assets._common import counts_md, latest_record, monthly_asset, preview, progress, stored, stored_checked
from dagster_project.resources import Database, LindungiSettings
from pipelines.bpjs_exchange import (accepted_cards, awaiting_among, earlier_answers, held_among, rejections_among,
                                     sent_this_period)
from pipelines.db import migrate
from pipelines.verification import latest_results, latest_with, verified_exclusions, verified_valid
from pipelines.candidates import (accepted_by_bpjs, assess, coverage, enrollment_candidates as select_candidates,
                                  informal_workers, paid_for, protects, to_fix, with_rejections)
from pipelines.reports import coverage_md
from pipelines.rules import _table_of
from quality.definitions import asset_suite, suite_check
from quality.expectations import validate_later

GROUP = "candidates"


ASSESSED_CHECK = "one_row_per_resident"


def _one_row_per_resident(residents: pl.DataFrame, out: pl.DataFrame) -> dg.AssetCheckResult:
    """Every resident judged once, and no one else: a join upstream that doubled a resident (two
    welfare records linked to one NIK, two cards) would count them twice in the coverage and
    could list them twice; one that lost a resident would leave them off every list unseen."""
    niks = out.get_column("NIK")
    doubled = niks.len() - niks.n_unique()
    missing = residents.select("NIK").join(out.select("NIK"), on="NIK", how="anti").height
    extra = out.select("NIK").join(residents.select("NIK"), on="NIK", how="anti").height
    passed = doubled == 0 and missing == 0 and extra == 0 and niks.null_count() == 0
    return dg.AssetCheckResult(
        check_name=ASSESSED_CHECK, passed=passed, severity=dg.AssetCheckSeverity.ERROR,
        description=f"each of the {residents.height:,} residents once"
                    + ("" if passed else f"; {doubled:,} rows doubled, {missing:,} residents missing, "
                                         f"{extra:,} rows of no resident"),
        metadata={"residents": residents.height, "rows": out.height, "doubled": doubled, "missing": missing,
                  "not_residents": extra})


@monthly_asset("resident_assessment", GROUP,
               "Every resident with age on the period's first day, informal work, protection and desil.",
               ASSESSED_CHECK, "Each resident once, no one else (the coverage and the lists count rows)",
               blocking=True)
def resident_assessment(context: dg.AssetExecutionContext, settings: LindungiSettings,
                        residents: pl.DataFrame, welfare_records: pl.DataFrame, welfare_links: pl.DataFrame,
                        participants: pl.DataFrame, participant_links: pl.DataFrame,
                        participant_link_review: pl.DataFrame):
    if "resident_assessment" not in context.op_execution_context.selected_output_names:
        stored_nik = stored(settings, "resident_assessment", context.partition_key, columns=["NIK"])
        yield _one_row_per_resident(residents, stored_nik)
        return
    rules = settings.rules()
    out = assess(residents, welfare_records, welfare_links, participants, participant_links,
                 rules, context.partition_key, participant_link_review)
    yield dg.Output(out, output_name="resident_assessment", metadata={
        "dagster/row_count": out.height,
        ASSESSED_UNDER: dg.MetadataValue.json(rules.assessment_terms()),
        "not_judgeable": int((~out.get_column("judgeable")).sum()),
        # (residents of any occupation; coverage_by_kelurahan's "protected" counts its informal
        # workers only, and the two figures under one name read as a contradiction: a UI review)
        "protected_residents": int(out.get_column("terlindungi").sum()),
        "possibly_registered": int(out.get_column("mungkin_terdaftar").is_not_null().sum()),
    })
    yield _one_row_per_resident(residents, out)


def _held(answers: list[tuple], participants: pl.LazyFrame, period: str, rules) -> dict[str, str]:
    """Whom BPJS has from an earlier period's export, or accepted from this period's (``answers``:
    ``earlier_answers``), judged against the roster's cards. Only a card that does not protect
    under the period's ``rules`` (:func:`pipelines.candidates.protects`: active JKK+JKM at the
    defaults) lets the roster decide (lapsed: listed again, unless BPJS accepted them in a period
    after ``period``). An active card protects whoever its record is linked to; when the linkage
    could not tie it to the person BPJS accepted (its NIK empty or wrong, the name spelt
    otherwise), that person was unprotected, not held, listed and exported again: registered
    twice. They stay held instead."""
    lapsed = participants.filter(~protects(rules)).select("KPJ").collect()
    return held_among(answers, lapsed.get_column("KPJ"), period)


def bpjs_held(dsn: str, assessed: pl.DataFrame, participants: pl.LazyFrame, period: str,
              excluded: Collection[str], rules) -> tuple[list[tuple], dict[str, str]]:
    """BPJS's earlier answers for everyone the rules would list (``earlier_answers``), and whom
    of them BPJS has from another period's export, or accepted from this period's (``_held``): not
    listed (and exported) twice, nor on the list to visit beside the sheet of those accepted,
    and counted as ``didaftarkan``. Not those a kelurahan verified out (``excluded``): its
    result comes first, as in the reason of their withdrawn rows (``assets.submission._reasons``).
    The candidates and the coverage look them up alike: the summary counted someone exported,
    then verified out, as verified out, and the coverage page as registered."""
    unprotected = assessed.filter(informal_workers() & ~pl.col("terlindungi")).get_column("NIK")
    answers = earlier_answers(dsn, period, unprotected.to_list())
    return answers, {nik: why for nik, why in _held(answers, participants, period, rules).items()
                     if nik not in excluded}


def coverage_of(dsn: str, assessed: pl.DataFrame, candidates: pl.DataFrame, participants: pl.LazyFrame, rules,
                period: str, excluded: dict[str, str] | None = None, fix: pl.DataFrame | None = None,
                accepted: pl.DataFrame | None = None) -> pl.DataFrame:
    """The period's coverage per kelurahan (``pipelines.candidates.coverage``) with whom BPJS has
    from an earlier export and whom a kelurahan verified out, as the database says now: the
    ``coverage_by_kelurahan`` asset, and each gap list's Ringkasan. ``excluded``
    (``verified_exclusions``), ``fix`` (``residents_to_fix``) and ``accepted`` (:func:`accepted_of`)
    are computed when not given.
    Only those the figures count are looked up in PostgreSQL: 33,786 NIKs at 200k, not every
    resident without protection (165,757, children and the formally employed included)."""
    excluded = verified_exclusions(dsn, assessed) if excluded is None else excluded
    answers, held = bpjs_held(dsn, assessed, participants, period, excluded, rules)
    fix = residents_to_fix(dsn, assessed, rules, period, participants, excluded) if fix is None else fix
    accepted = accepted_of(dsn, assessed, participants, rules) if accepted is None else accepted
    return coverage(assessed, candidates, rules, period, held=held, fix=fix, awaiting=awaiting_among(answers),
                    accepted=paid_for(accepted))


def accepted_of(dsn: str, assessed: pl.DataFrame, participants: pl.LazyFrame, rules) -> pl.DataFrame:
    """The informal workers BPJS accepted from an export, with their card as the roster shows it
    (``pipelines.candidates.accepted_by_bpjs``): the gap lists' sheet of them, and the premiums
    the coverage counts as paid."""
    workers = assessed.filter(informal_workers()).get_column("NIK")
    return accepted_by_bpjs(assessed, accepted_cards(dsn, workers.to_list()), participants, rules)


def residents_to_fix(dsn: str, assessed: pl.DataFrame, rules, period: str, participants: pl.LazyFrame,
                     excluded: Collection[str] | None = None) -> pl.DataFrame:
    """``candidates.to_fix`` without those a fix would still not list: verified by a kelurahan
    as not to enroll (dead, moved, refused, registered; ``excluded``, looked up when not given),
    or whom BPJS has: from another period's export as the candidates count them (``_held``: an
    acceptance whose card the roster shows lapsed holds no one), or from this period's own. They
    were on the sheet: a kelurahan asked to have a dead person's record fixed."""
    fix = to_fix(assessed, rules)
    if fix.height == 0:
        return fix
    niks = fix.get_column("NIK").to_list()
    excluded = verified_exclusions(dsn, assessed) if excluded is None else excluded
    left = (set(excluded) | set(_held(earlier_answers(dsn, period, niks), participants, period, rules))
            | sent_this_period(dsn, period, niks))
    return fix.filter(~pl.col("NIK").is_in(list(left))) if left else fix


ASSESSED_UNDER = "assessed_under"  # the rules' assessment terms, on the assessment's materialization


def _assessed_under_these_rules(context: dg.AssetExecutionContext, settings: LindungiSettings, rules) -> None:
    """Refuse a stored assessment that other rules' ages, informal work or protection judged
    (``Rules.assessment_terms``, recorded on its materialization): enrollment_candidates
    materialized alone after a rules change selected by the old assessment's working age,
    informal work and protection, and priced by the new rules (a rules review). An assessment
    stored before the terms were recorded is taken as it is."""
    record = latest_record(context.instance, "resident_assessment", settings.out_dir, context.partition_key)
    then = record.asset_materialization.metadata.get(ASSESSED_UNDER) if record else None
    if then is None:
        return
    now = rules.assessment_terms()
    changed = [k for k in now if then.value.get(k) != now[k]]
    if changed:
        raise dg.Failure(
            f"resident_assessment {context.partition_key} was judged by other rules than these ({rules.source}): "
            + "; ".join(f"[{_table_of(k)}] {k} {_shown(then.value.get(k))} there, {_shown(now[k])} here"
                        for k in changed)
            + f"; materialize resident_assessment {context.partition_key} with these rules, then "
              f"{context.asset_key.to_user_string()}")


def _shown(value) -> str:
    """A setting's value as TOML writes it, cut when long (29 informal codes)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


CANDIDATES_CHECK = "enrollment_candidates_expectations"


@monthly_asset("enrollment_candidates", GROUP,
               "Ranked enrollment candidates for the period under the rules file (docs/rules.md).",
               CANDIDATES_CHECK, "GX suite: candidates unique, of working age, contributions add up", blocking=True)
def enrollment_candidates(context: dg.AssetExecutionContext, settings: LindungiSettings, database: Database,
                          resident_assessment: pl.DataFrame, participants: pl.LazyFrame):
    if "enrollment_candidates" not in context.op_execution_context.selected_output_names:
        yield _stored_candidates_check(context, settings)
        return
    rules = settings.rules()
    _assessed_under_these_rules(context, settings, rules)
    dsn = database.url()
    migrate(dsn)
    results = latest_results(dsn)
    excluded = verified_exclusions(dsn, resident_assessment, results)
    verified = verified_valid(dsn, results)
    # whom BPJS has is not listed twice; whom it rejected is listed with BPJS's reason, for the
    # kelurahan to mend (a rejection holds nobody)
    answers, held = bpjs_held(dsn, resident_assessment, participants, context.partition_key, excluded, rules)
    out = select_candidates(resident_assessment, rules, context.partition_key, exclude=[*excluded, *held],
                            verified=verified, not_found=latest_with(dsn, "Tidak ditemukan", results))
    listed = set(out.get_column("NIK").to_list())
    rejected = {nik: why for nik, why in rejections_among(answers).items() if nik in listed}
    out = with_rejections(out, rejected)
    # GX runs in the worker while the candidates are written
    checked = validate_later(out, "enrollment_candidates", asset_suite("enrollment_candidates", settings))
    by_kel = dict(out.group_by("kode_kel").len().sort("kode_kel").iter_rows())
    progress(context, f"enrollment_candidates {context.partition_key}: {out.height:,} candidates "
                      f"in {len(by_kel)} kelurahan, Rp{out.get_column('iuran_bulanan').sum():,}/month")
    metadata = {
        "dagster/row_count": out.height,
        "with_disability": int(out.get_column("disabilitas").sum()),
        # those the results actually left out (not every result ever stored: someone gone from
        # the registry, or in formal work now, would not be listed anyway): the coverage's
        # `dikecualikan`, summed
        "excluded_by_verification": resident_assessment.filter(
            informal_workers() & ~pl.col("terlindungi") & pl.col("NIK").is_in(list(excluded))).height,
        "held_by_bpjs": len(held),
        "rejected_by_bpjs_before": len(rejected),
        # their rank is the contract's; the BPJS export sends them first
        "verified_valid_exported_first": int(out.get_column("terverifikasi").sum()),
        "possibly_registered": int(out.get_column("mungkin_terdaftar").is_not_null().sum()),
        "monthly_premium_rp": int(out.get_column("iuran_bulanan").sum()),
        "by_kelurahan": counts_md("kode_kel", by_kel),
        "by_desil": counts_md("desil", dict(out.group_by("desil").len().sort("desil", nulls_last=True)
                                            .with_columns(pl.col("desil").cast(pl.String).fill_null("tanpa desil"))
                                            .iter_rows())),
        "rules": dg.MetadataValue.json(rules.as_dict()),
        # not whether they have a disability (health data under UU PDP): the list puts them first,
        # so the preview was five people with one, beside their initials, age and kelurahan (a
        # privacy audit); the count is above. Nor their welfare decile (the DTSEN's, given for the
        # welfare programmes): five people of desil 1 beside the same; counted above as well
        "preview": preview(out, ["rank", "NIK", "NAMA_LGKP", "umur", "kode_kel", "JENIS_PKRJN"]),
    }
    yield dg.Output(out, output_name="enrollment_candidates", metadata=metadata)
    yield suite_check(checked.result(), check_name=CANDIDATES_CHECK)


def _stored_candidates_check(context: dg.AssetExecutionContext, settings: LindungiSettings) -> dg.AssetCheckResult:
    """The candidates' suite alone, on the period's stored candidates: nothing is selected or
    written again (Dagster refused the check alone, the asset being one it could not subset)."""
    checked = stored_checked(settings, "enrollment_candidates", context.partition_key)
    return suite_check(checked.result(), asset_key="enrollment_candidates", check_name=CANDIDATES_CHECK)


COVERAGE_CHECK = "figures_add_up"


def _adds_up(out: pl.DataFrame) -> dg.AssetCheckResult:
    """Each kelurahan's workers are the protected, the registered, the candidates and the verified
    out, to the person: ``dikecualikan`` is what is left, so a kelurahan whose candidates and
    protected outnumber its workers (a bug upstream) would have it clipped at 0 and look whole.
    Those awaiting BPJS's answer are some of the registered (figures stored before the count
    existed have none)."""
    wrong = pl.col("pekerja") != pl.sum_horizontal("terlindungi", "didaftarkan", "kandidat", "dikecualikan")
    if "menunggu_bpjs" in out.columns:
        wrong = wrong | (pl.col("menunggu_bpjs") > pl.col("didaftarkan"))
    if "diterima_bpjs" in out.columns:  # (the paid for are of the protected and the registered)
        wrong = wrong | (pl.col("diterima_bpjs") > pl.col("terlindungi") + pl.col("didaftarkan"))
    off = out.filter(wrong)
    return dg.AssetCheckResult(
        check_name=COVERAGE_CHECK, passed=off.height == 0, severity=dg.AssetCheckSeverity.ERROR,
        description="pekerja = terlindungi + didaftarkan + kandidat + dikecualikan, menunggu_bpjs ≤ didaftarkan "
                    "and diterima_bpjs ≤ terlindungi + didaftarkan, "
                    "in every kelurahan"
                    + ("" if off.height == 0 else f"; not in {off.height}: {', '.join(off['kode_kel'].head(5))}"),
        metadata={"kelurahan_off": off.height})


@monthly_asset("coverage_by_kelurahan", "reporting",
               "Coverage per kelurahan: informal workers, protected, candidates, coverage %, premium budget.",
               COVERAGE_CHECK, "pekerja = terlindungi + didaftarkan + kandidat + dikecualikan, "
                               "and menunggu_bpjs ≤ didaftarkan, per kelurahan")
def coverage_by_kelurahan(context: dg.AssetExecutionContext, settings: LindungiSettings, database: Database,
                          resident_assessment: pl.DataFrame, enrollment_candidates: pl.DataFrame,
                          participants: pl.LazyFrame):
    if "coverage_by_kelurahan" not in context.op_execution_context.selected_output_names:
        yield _adds_up(stored(settings, "coverage_by_kelurahan", context.partition_key))
        return
    rules, dsn = settings.rules(), database.url()
    _assessed_under_these_rules(context, settings, rules)
    out = coverage_of(dsn, resident_assessment, enrollment_candidates, participants, rules, context.partition_key)
    workers, protected = int(out["pekerja"].sum()), int(out["terlindungi"].sum())
    registered = int(out["didaftarkan"].sum())
    pct = 100.0 * protected / workers if workers else 0.0
    progress(context, f"coverage {context.partition_key}: {protected:,} of {workers:,} informal workers "
                      f"protected ({pct:.1f}%)"
                      + (f"; {registered:,} registered with BPJS earlier, not in the roster yet" if registered else ""))
    yield dg.Output(out, output_name="coverage_by_kelurahan", metadata={
        "dagster/row_count": out.height, "informal_workers": workers, "protected_workers": protected,
        "candidates": int(out["kandidat"].sum()), "verified": int(out["terverifikasi"].sum()),
        "registered_awaiting_roster": registered, "awaiting_bpjs_answer": int(out["menunggu_bpjs"].sum()),
        "excluded_by_verification": int(out["dikecualikan"].sum()),
        "to_fix_before_judging": int(out["perlu_perbaikan"].sum()),
        "coverage_pct": round(pct, 2), "monthly_budget_rp": int(out["iuran_bulanan"].sum()),
        "yearly_budget_rp": int(out["iuran_tahunan"].sum()),
        "accepted_by_bpjs": int(out["diterima_bpjs"].sum()),
        "accepted_monthly_premiums_rp": int(out["iuran_diterima_bulanan"].sum()),
        "by_kelurahan": dg.MetadataValue.md(coverage_md(out)),
    })
    yield _adds_up(out)
