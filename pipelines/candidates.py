"""Enrollment candidates and coverage under the eligibility rules (CONTRACT §2).

A resident is a candidate for period P when aged min..max (completed years on the first day of
P), the occupation is informal, and no linked roster record is active with every required
programme. Residents whose birth date, occupation or region is missing or impossible cannot be
judged and are never candidates (they are counted, so a coordinator can fix them).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from pipelines import schema
from pipelines.dates import age_on, period_start
from pipelines.names import normal_forms
from pipelines.nik import ascii_digits, starred_and_cut
from pipelines.partitioning import region_sizes, resident_region
from pipelines.regions import kabkota_name, kecamatan_name, kecamatan_names, kelurahan_name
from pipelines.rules import Rules


def _by_label(rules: Rules) -> pl.Expr:
    """A local label without a SIAK code that the rules count as informal work (a prefix of
    ``informal_label_prefixes``: TUKANG PIJAT, or OJEK ONLINE when a city adds OJEK)."""
    by_label = pl.lit(False)
    for prefix in rules.informal_label_prefixes:
        by_label = by_label | pl.col("JENIS_PKRJN").str.starts_with(prefix)
    return (pl.col("pekerjaan_kode").is_null() & by_label).fill_null(False)


def _informal(rules: Rules) -> pl.Expr:
    return (pl.col("pekerjaan_kode").is_in(list(rules.informal_codes)) | _by_label(rules)).fill_null(False)


def protects(rules: Rules) -> pl.Expr:
    """A roster record (the ``participants`` asset's STATUS and PROGRAM) that protects under the
    rules: a status of ``active_status`` and every programme of ``required_programs`` held. The
    ingest keeps the record as read, rule-free; the period's assessment decides with the period's
    rules, so a period materialized again after a rules change judges by the new ones."""
    held = pl.col("PROGRAM").fill_null("").str.split(",")
    return (pl.col("STATUS").is_in(list(rules.active_status)).fill_null(False)
            & pl.all_horizontal([held.list.contains(p) for p in rules.required_programs]).fill_null(False))


def informal_workers() -> pl.Expr:
    """Residents the coverage counts: of working age, in informal work, judgeable (an assessed
    frame's columns). Candidates are those of them not protected."""
    return pl.col("judgeable") & pl.col("working_age") & pl.col("informal")


# The ingest's flags of the fields ``assess`` cannot judge a resident without (a birth date, a
# region, an occupation the rules can place, a sex, a name), each with what to fix in the
# coordinators' words (the gap lists' "Perlu Perbaikan Data" sheet): change one with the other.
TO_FIX = {
    "tgl_lhr_missing": "tanggal lahir kosong",
    "tgl_lhr_invalid": "tanggal lahir tidak valid",
    "tgl_lhr_future": "tanggal lahir sesudah hari ini",
    "region_code_missing": "kode wilayah (kecamatan/kelurahan) kosong",
    "region_code_invalid": "kode wilayah tidak valid",
    "occupation_missing": "pekerjaan kosong",
    # what to ask for, not only what is wrong (a coordinator's review)
    "occupation_unknown": "pekerjaan tertulis tidak memakai kode pekerjaan SIAK: minta Disdukcapil mencatatnya "
                          "dengan kode yang sesuai",
    "sex_unknown": "jenis kelamin tidak dikenal",
    "nama_missing": "nama kosong atau hanya gelar",
}
UNJUDGED_FLAGS = tuple(TO_FIX)
# the field as written, after the words, for the flags whose value could not be read
WRITTEN = {"tgl_lhr_invalid": "tgl_lhr_raw", "sex_unknown": "jenis_klmin_raw"}
WRITTEN_CHARS = 40  # of a value as written, shown (a date or a sex is a few characters)


def _fix_text(flag: str, text: str, columns: Collection[str]) -> pl.Expr:
    """What to fix in words, with the value as written where it could not be read (``tanggal
    lahir tidak valid (tertulis: "1953-02-30")``): "not valid" alone sent the kelurahan to the
    registry to find out what was wrong. A long digit run in it is starred first, even on a list
    with full NIKs (a NIK in a birth date field is no birth date), then the value is cut
    (``nik.starred_and_cut``; found by fuzzing). An assessment stored before the ingest kept
    those values has the words alone."""
    if flag == "region_code_missing" and "kode_kec" in columns:
        # which code, where the kecamatan is known: NO_KEL alone is blank (the words said
        # "kecamatan/kelurahan", and the kab/kota's list of them had no kecamatan to route it)
        kec = pl.col("kode_kec")
        return (pl.when(kec.is_not_null())
                .then(pl.format("kode kelurahan (NO_KEL) kosong; kecamatan {}",
                                kec.replace_strict(kecamatan_names(), default=kec, return_dtype=pl.String)))
                .otherwise(pl.lit(text)))
    raw = WRITTEN.get(flag)
    if raw not in columns:
        return pl.lit(text)
    written = starred_and_cut(pl.col(raw), WRITTEN_CHARS)
    return pl.when(written.is_not_null()).then(pl.format(f'{text} (tertulis: "{{}}")', written)).otherwise(pl.lit(text))


def to_fix(assessed: pl.DataFrame, rules: Rules, exclude: Collection[str] = ()) -> pl.DataFrame:
    """The residents not judged whom a corrected record could make candidates (an assessed
    frame's rows): not protected, of working age or of an age the record does not tell, in
    informal work or in an occupation the record does not tell; with ``perbaikan``, what to fix
    in words (``TO_FIX``). The flags alone were in ``residents.parquet``, which no coordinator
    opens: an exclusion no person could review (UU PDP Art. 34). Children, the elderly, the
    formally employed and the protected are left out: no fix would list them; so are the NIKs
    of ``exclude`` (verified by a kelurahan as not to enroll, or held by BPJS: see
    ``assets.candidates.residents_to_fix``)."""
    flags = pl.col("flags")
    age_unknown = pl.col("umur").is_null() | flags.list.contains("tgl_lhr_future")
    job_unknown = flags.list.contains("occupation_missing") | flags.list.contains("occupation_unknown")
    # a label the rules judge (TUKANG PIJAT) is no fault of the record
    label_fault = flags.list.contains("occupation_unknown") & ~_by_label(rules)
    said = [pl.when(label_fault if flag == "occupation_unknown" else flags.list.contains(flag))
            .then(_fix_text(flag, text, assessed.columns)) for flag, text in TO_FIX.items()]
    return (assessed.filter(~pl.col("judgeable") & ~pl.col("terlindungi")
                            & (pl.col("working_age") | age_unknown) & (pl.col("informal") | job_unknown)
                            & ~pl.col("NIK").is_in(pl.Series(list(exclude), dtype=pl.String)))
            .with_columns(perbaikan=pl.concat_str(said, separator="; ", ignore_nulls=True).replace("", None))
            # judged unjudgeable by no flag the words cover (born after the period began): not a fault
            .filter(pl.col("perbaikan").is_not_null())
            .sort("kode_kel", "NAMA_LGKP", "NIK", nulls_last=True))


def assess(residents: pl.DataFrame, welfare_records: pl.DataFrame, welfare_links: pl.DataFrame,
           participants: pl.DataFrame, participant_links: pl.DataFrame, rules: Rules,
           period: str, participant_link_review: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every resident with the facts the rules need: umur, informal, terlindungi, desil, judgeable;
    and ``mungkin_terdaftar`` (:func:`possibly_registered`)."""
    start = period_start(period)
    protected = (
        participant_links.filter(pl.col("NIK").is_not_null())
        .join(participants.select("KPJ", "SEGMEN", "STATUS", protects=protects(rules)), on="KPJ")
        .group_by("NIK")
        .agg(terlindungi=pl.col("protects").any(), roster_records=pl.len(),
             roster_status=pl.col("STATUS").drop_nulls().unique().sort().str.join("/"))
    )
    desil = (
        welfare_links.filter(pl.col("NIK").is_not_null())
        .join(welfare_records.select("ID_DTSEN", "DESIL"), on="ID_DTSEN")
        .group_by("NIK").agg(desil=pl.col("DESIL").min(), welfare_records=pl.len())
    )
    return (
        residents.join(protected, on="NIK", how="left").join(desil, on="NIK", how="left")
        .join(possibly_registered(participants, participant_link_review, rules), on="NIK", how="left")
        .with_columns(
            umur=age_on("TGL_LHR", start),
            informal=_informal(rules),
            terlindungi=pl.col("terlindungi").fill_null(False),
            judgeable=pl.col("TGL_LHR").is_not_null()
            & (pl.col("TGL_LHR") <= pl.lit(start))
            & pl.col("kode_kel").is_not_null()
            & (pl.col("pekerjaan_kode").is_not_null() | pl.col("JENIS_PKRJN").is_not_null())
            # a label SIAK does not know can be judged when the rules name it (the ingest, which
            # knows no rules, flags every one: with no prefix, TUKANG PIJAT is not judged, as
            # OJEK ONLINE is not)
            & (~pl.col("flags").list.contains("occupation_unknown") | _by_label(rules))
            # a sex typed as none of the contract's forms (X, a name): damaged, not judged until
            # fixed (CONTRACT §5); an empty one is a form the contract accepts
            & ~pl.col("flags").list.contains("sex_unknown")
            # nor a name (CONTRACT §5: any damaged field)
            & ~pl.col("flags").list.contains("nama_missing"),
        )
        .with_columns(working_age=pl.col("umur").is_between(rules.min_age, rules.max_age).fill_null(False))
    )


def possibly_registered(participants: pl.DataFrame, review: pl.DataFrame | None, rules: Rules) -> pl.DataFrame:
    """Per resident, ``mungkin_terdaftar``: the highest score of a roster record that would
    protect under the rules (:func:`protects`: active JKK+JKM at the defaults) in the review list
    whose best candidate they are (a card whose link to them stayed under the threshold). Not
    protection (CONTRACT §2 counts linked records only), but worth a look at the door: in an
    independent generator's 1M world, 341 of the 1,897 candidates who were in truth protected
    had such a card, against 178 of the 231,218 right ones."""
    if review is None or review.height == 0:
        return pl.DataFrame(schema={"NIK": pl.String, "mungkin_terdaftar": pl.Float64})
    active = participants.filter(protects(rules)).select("KPJ")
    return (review.filter(pl.col("NIK").is_not_null()).join(active, on="KPJ")
            .group_by("NIK").agg(mungkin_terdaftar=pl.col("score").max()))


def match_percent() -> pl.Expr:
    """``mungkin_terdaftar`` as whole percent, rounded down (a pair scored 0.8958 stayed under a
    threshold of 0.90: "90%" would say otherwise); under 1% "<1" (a card with the resident's NIK
    exactly, name and date differing, is kept for review however low it scores: "0%" read as
    no match at all, a review)."""
    pct = (pl.col("mungkin_terdaftar") * 100).floor().cast(pl.Int64)
    return pl.when(pct < 1).then(pl.lit("<1")).otherwise(pct.cast(pl.String))


# Columns of :func:`assess` added since its first version (welfare_records in 0e05090,
# mungkin_terdaftar in bc6ee4f), with their types: an assessment stored by an earlier version
# lacks them, and the period's candidates materialized alone on it after an upgrade stopped on
# polars' "unable to find column" (found by an upgrade probe)
LATER_ASSESSMENT_COLUMNS = {"mungkin_terdaftar": pl.Float64, "welfare_records": pl.UInt32}


def protection_words(rules: Rules) -> str:
    """The programmes protection requires, as the lists and reasons name them: ``JKK+JKM``."""
    return "+".join(rules.required_programs)


def enrollment_candidates(assessed: pl.DataFrame, rules: Rules, period: str,
                          exclude: list[str] | None = None, verified: list[str] | None = None,
                          not_found: list[str] | None = None) -> pl.DataFrame:
    """Ranked candidates; ``exclude`` holds NIKs a coordinator verified as not to be enrolled,
    ``verified`` those verified ``Valid`` (``terverifikasi``, said in the evidence: their rank is
    the contract's all the same, and the BPJS export sends them ahead of the rest, see
    ``bpjs_exchange.EXPORT``); ``not_found`` those whose latest visit did not find them
    (``tidak_ditemukan``: the list says so, for the next visit). An assessment stored by an
    earlier version reads as if those columns were empty (``LATER_ASSESSMENT_COLUMNS``).

    ``rank`` is CONTRACT §2's order: disability first, then lower desil (no welfare record after
    desil 10: ``ranking.no_welfare_desil``), then kelurahan and name, the NIK last to break ties."""
    assessed = assessed.with_columns(pl.lit(None, dtype).alias(c) for c, dtype in LATER_ASSESSMENT_COLUMNS.items()
                                     if c not in assessed.columns)
    cands = assessed.filter(
        informal_workers() & ~pl.col("terlindungi")
        & ~pl.col("NIK").is_in(exclude or [])
    )
    # the programmes the rules require, as they stand (JKK+JKM by default): with JHT required as
    # well, a worker holding an active JKK+JKM read "JKK+JKM tidak aktif" (a rules review)
    held = protection_words(rules)
    maybe = (pl.lit(f"mungkin sudah terdaftar di BPJS TK: ada kartu aktif {held} dengan NIK atau data mirip (kecocokan ")
             + match_percent() + pl.lit("%) yang belum pasti miliknya"))
    roster_note = (
        pl.when(pl.col("roster_records").is_not_null())
        .then(pl.lit(f"; terdaftar di BPJS TK tetapi {held} tidak aktif (")
              + pl.when(pl.col("roster_status") != "").then(pl.col("roster_status"))
              .otherwise(pl.lit("status tidak terbaca")) + ")"
              + pl.when(pl.col("mungkin_terdaftar").is_not_null()).then(pl.lit("; ") + maybe).otherwise(pl.lit("")))
        .when(pl.col("mungkin_terdaftar").is_not_null()).then(pl.lit("; ") + maybe)
        .otherwise(pl.lit("; tidak ditemukan di daftar peserta BPJS TK"))
    )
    desil_note = (
        pl.when(pl.col("desil").is_not_null()).then(pl.lit("; DTSEN desil ") + pl.col("desil").cast(pl.String))
        # linked, but no record's desil is 1-10: ranked as no welfare record, and not absent
        .when(pl.col("welfare_records").is_not_null()).then(pl.lit("; ada di DTSEN tanpa desil yang sah"))
        .otherwise(pl.lit("; tidak ada di DTSEN"))
    )
    cands = cands.with_columns(
        period=pl.lit(period),
        iuran_bulanan=pl.lit(rules.monthly_contribution, pl.Int64),
        evidence=pl.lit("umur ") + pl.col("umur").cast(pl.String) + pl.lit(" tahun; pekerjaan ")
        + pl.col("JENIS_PKRJN") + pl.lit(" (informal)") + roster_note + desil_note
        + pl.when(pl.col("disabilitas")).then(pl.lit("; penyandang disabilitas")).otherwise(pl.lit(""))
        + pl.when(pl.col("NIK").is_in(verified or [])).then(pl.lit("; diverifikasi Valid oleh kelurahan"))
        .otherwise(pl.lit("")),
        terverifikasi=pl.col("NIK").is_in(verified or []),
        tidak_ditemukan=pl.col("NIK").is_in(not_found or []),
        catatan_bpjs=pl.lit(None, pl.String),
        _desil_rank=pl.col("desil").cast(pl.Int16).fill_null(rules.no_welfare_desil),
    ).sort(
        # a kelurahan's Valid is no part of it: verified first, a candidate without disability or
        # desil was rank 1, ahead of people with disabilities (a contract review)
        ["disabilitas", "_desil_rank", "kode_kel", "NAMA_LGKP", "NIK"],
        descending=[True, False, False, False, False],
    ).with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    return schema.conform(cands, schema.ENROLLMENT_CANDIDATES)


def with_rejections(candidates: pl.DataFrame, rejected: dict[str, str]) -> pl.DataFrame:
    """``catatan_bpjs``: BPJS's earlier rejection of a candidate listed again (see
    ``bpjs_exchange.rejections_among``), also at the end of the evidence; null for the others."""
    note = pl.col("NIK").replace_strict(rejected, default=None, return_dtype=pl.String)
    return candidates.with_columns(catatan_bpjs=note).with_columns(
        evidence=pl.when(pl.col("catatan_bpjs").is_not_null())
        .then(pl.col("evidence") + pl.lit("; ") + pl.col("catatan_bpjs")).otherwise(pl.col("evidence")))


# residents a KEL_NAME spelling needs to name its kelurahan: one resident's is no kelurahan's
# name (a name typed there, under a code of one resident, was published on the coverage page
# and in a list's title: a privacy audit)
KEL_NAME_MIN_RESIDENTS = 2


# The card of someone BPJS accepted, as the roster extract shows it (``accepted_by_bpjs``'s "kartu")
CARD_ACTIVE, CARD_INACTIVE, CARD_NOT_YET = "aktif", "tidak_aktif", "belum_tampak"


def accepted_by_bpjs(assessed: pl.DataFrame, accepted: pl.DataFrame, participants: pl.LazyFrame,
                     rules: Rules) -> pl.DataFrame:
    """The informal workers of working age (``informal_workers``) whom BPJS accepted from an
    export, with the card it gave them, for their kelurahan's sheet of those registered: the
    kelurahan tells them their card number, with which they or their heirs claim the benefits.
    ``accepted``: ``nik``, ``period`` and ``kpj`` (``pipelines.bpjs_exchange.accepted_cards``).
    ``kartu``: the card in the roster extract, compared by its digits: ``aktif`` (it protects
    under ``rules``), ``tidak_aktif`` (there, not protecting: a lapse, and the person is listed
    again), ``belum_tampak`` (the roster lags behind BPJS). In the order of the lists' rounds:
    kelurahan, RW, RT, name."""
    cards = (participants.select(kpj=ascii_digits(pl.col("KPJ")), on=protects(rules))
             .filter(pl.col("kpj") != "").group_by("kpj").agg(pl.col("on").any()).collect())
    people = assessed.filter(informal_workers()).select(
        "NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "ALAMAT", "NO_RT", "NO_RW", "kode_kel", "JENIS_PKRJN")
    rw, rt = (pl.col(c).cast(pl.Int64, strict=False) for c in ("NO_RW", "NO_RT"))
    return (people.join(accepted.select(NIK="nik", diterima="period", kpj="kpj"), on="NIK")
            .with_columns(kpj_digits=ascii_digits(pl.col("kpj")))
            .join(cards, left_on="kpj_digits", right_on="kpj", how="left")
            .with_columns(kartu=pl.when(pl.col("on")).then(pl.lit(CARD_ACTIVE))
                          .when(pl.col("on").not_()).then(pl.lit(CARD_INACTIVE)).otherwise(pl.lit(CARD_NOT_YET)))
            .drop("kpj_digits", "on")
            .sort(["kode_kel", rw, "NO_RW", rt, "NO_RT", "NAMA_LGKP", "NIK"], nulls_last=True))


def paid_for(accepted: pl.DataFrame) -> pl.Series:
    """Of those BPJS accepted (``accepted_by_bpjs``), the NIKs whose card has not lapsed: active
    in the roster, or not there yet. Their premiums are paid; a lapsed card's holder is listed
    again, and counted among the candidates' premiums instead."""
    return accepted.filter(pl.col("kartu") != CARD_INACTIVE).get_column("NIK")


def kelurahan_of(residents: pl.DataFrame) -> pl.DataFrame:
    """Every kelurahan of the extract (``kode_kel``) with its name as the extract gives it
    (``nama_kel``, from KEL_NAME): the spelling most of its residents carry, the first in sort
    order on a tie, when at least ``KEL_NAME_MIN_RESIDENTS`` carry it and it is no resident's
    name; null otherwise. For a city outside the packaged name table (Bontang's) the coverage and
    the gap lists name the kelurahan by it, not by its code."""
    name = pl.col("nama_kel") if "nama_kel" in residents.columns else pl.lit(None, pl.String)
    kels = residents.filter(pl.col("kode_kel").is_not_null())
    counted = (kels.select("kode_kel", name.alias("nama_kel")).drop_nulls()
               .group_by("kode_kel", "nama_kel").len().filter(pl.col("len") >= KEL_NAME_MIN_RESIDENTS))
    # a person's name in KEL_NAME (a shifted column, ten residents under a code the table lacks)
    # was published as their kelurahan's name on the coverage page and the lists' titles (a
    # privacy audit): a spelling that is a resident's name (normalised as names are: HJ. SITI
    # AMINAH is SITI AMINAH) names none. The few spellings are normalised, not the residents' names
    if counted.height and "nama_norm" in residents.columns:
        spellings = counted.get_column("nama_kel").unique()
        forms = pl.DataFrame({"nama_kel": spellings, "form": normal_forms(spellings)})
        norm = residents.get_column("nama_norm")
        named = forms.filter(pl.col("form").is_in(norm.filter(norm.is_in(forms.get_column("form").implode())).implode()))
        counted = counted.join(named.select("nama_kel"), on="nama_kel", how="anti")
    spelt = (counted.sort(["kode_kel", "len", "nama_kel"], descending=[False, True, False])
             .group_by("kode_kel", maintain_order=True).agg(pl.col("nama_kel").first()))
    return kels.select("kode_kel").unique().join(spelt, on="kode_kel", how="left")


def coverage(assessed: pl.DataFrame, candidates: pl.DataFrame, rules: Rules, period: str,
             held: Collection[str] = (), fix: pl.DataFrame | None = None,
             awaiting: Collection[str] = (), accepted: Collection[str] = ()) -> pl.DataFrame:
    """Per kelurahan: informal workers, protected, candidates, verified, and ``didaftarkan``: the
    workers not protected yet whom BPJS has from another period's export, or accepted from this
    period's (``held``, see
    ``bpjs_exchange.held_by_bpjs``): neither protected in the roster, which lags behind BPJS, nor
    candidates, and counted rather than lost between the two; ``menunggu_bpjs``, those of them
    whose export still awaits BPJS's answer (``awaiting``, of ``held``: whom the city chases BPJS about, where
    the others were accepted and wait for the roster). ``perlu_perbaikan``: the residents
    of ``fix`` (default: :func:`to_fix`), those without a kelurahan code in a row of their
    kab/kota named ``NO_KELURAHAN`` and the kab/kota. ``diterima_bpjs``: the workers of
    ``accepted`` (those BPJS accepted from an export whose card has not lapsed:
    :func:`paid_for`) who are protected or held (of ``terlindungi`` or ``didaftarkan``), whose
    premiums the city pays, beside the premiums of the candidates (``iuran_diterima_bulanan``,
    ``iuran_bulanan``): each worker in one of the two budgets at most."""
    workers = assessed.filter(informal_workers())
    per_kel = workers.group_by("kode_kel").agg(
        pekerja=pl.len().cast(pl.Int64), terlindungi=pl.col("terlindungi").sum().cast(pl.Int64),
        didaftarkan=(~pl.col("terlindungi") & pl.col("NIK").is_in(pl.Series(list(held), dtype=pl.String)))
        .sum().cast(pl.Int64),
        # (of those held only: never more than ``didaftarkan``, whatever the caller passes)
        menunggu_bpjs=(~pl.col("terlindungi")
                       & pl.col("NIK").is_in(pl.Series(list(set(awaiting) & set(held)), dtype=pl.String)))
        .sum().cast(pl.Int64),
        # (of the protected and of those held only: one a kelurahan verified out is neither, and
        # one listed again is a candidate, its premium in the candidates' budget; counted in both,
        # the year's budget counted them twice: a re-check)
        diterima_bpjs=(pl.col("NIK").is_in(pl.Series(list(accepted), dtype=pl.String))
                       & (pl.col("terlindungi") | pl.col("NIK").is_in(pl.Series(list(held), dtype=pl.String))))
        .sum().cast(pl.Int64),
    )
    cand = candidates.group_by("kode_kel").agg(
        kandidat=pl.len().cast(pl.Int64),
        terverifikasi=(pl.col("terverifikasi").fill_null(False).sum() if "terverifikasi" in candidates.columns
                       else pl.lit(0)).cast(pl.Int64))
    fix = to_fix(assessed, rules) if fix is None else fix
    fixes = fix.group_by("kode_kel").agg(perlu_perbaikan=pl.len().cast(pl.Int64))
    kels = kelurahan_of(assessed).rename({"nama_kel": "nama_kel_extract"})
    out = (
        kels.join(per_kel, on="kode_kel", how="left").join(cand, on="kode_kel", how="left")
        .join(fixes, on="kode_kel", how="left")
        .with_columns(pl.col("pekerja", "terlindungi", "didaftarkan", "menunggu_bpjs", "kandidat", "terverifikasi",
                             "perlu_perbaikan", "diterima_bpjs").fill_null(0))
        # the workers in none of the three: verified by the kelurahan as not to enroll; the row
        # did not add up without them, and they still counted in `pekerja`
        .with_columns(dikecualikan=(pl.col("pekerja") - pl.col("terlindungi") - pl.col("didaftarkan")
                                    - pl.col("kandidat")).clip(lower_bound=0))
        .with_columns(
            period=pl.lit(period),
            kode_kab=pl.col("kode_kel").str.slice(0, 4),
            kode_kec=pl.col("kode_kel").str.slice(0, 6),
            cakupan_pct=pl.when(pl.col("pekerja") > 0)
            .then((100.0 * pl.col("terlindungi") / pl.col("pekerja")).round(2)).otherwise(None),
            iuran_bulanan=pl.col("kandidat") * rules.monthly_contribution,
            iuran_diterima_bulanan=pl.col("diterima_bpjs") * rules.monthly_contribution,
        )
        .with_columns(
            iuran_tahunan=pl.col("iuran_bulanan") * 12,
            nama_kec=pl.col("kode_kec").map_elements(kecamatan_name, return_dtype=pl.String),
            nama_kel=pl.coalesce(pl.col("kode_kel").map_elements(kelurahan_name, return_dtype=pl.String),
                                 pl.col("nama_kel_extract")),
        )
    )
    # those to fix who have no kelurahan (its code missing or invalid): a row of their kab/kota
    # without one (the region their linking took them in: their address's kab/kota, else their
    # NIK's), so that none is left out of the figures; a kab/kota none of whose residents had a
    # kelurahan code was missing from the page altogether
    nowhere = without_kelurahan(fix, assessed)
    if nowhere.height:
        nowhere = (nowhere.group_by(kode_kab=pl.col("region")).agg(perlu_perbaikan=pl.len().cast(pl.Int64))
                   .with_columns(period=pl.lit(period)))
        # named with its kab/kota: two kab/kota's rows read alike on the page
        named = [f"{NO_KELURAHAN}, {kabkota_name(k) or k}" for k in nowhere["kode_kab"]]
        nowhere = nowhere.with_columns(nama_kel=pl.Series(named, dtype=pl.String), nama_kec=pl.Series(named, dtype=pl.String))
        out = pl.concat([out, nowhere], how="diagonal_relaxed").with_columns(
            pl.col("pekerja", "terlindungi", "didaftarkan", "menunggu_bpjs", "kandidat", "terverifikasi",
                   "dikecualikan", "iuran_bulanan", "iuran_tahunan", "diterima_bpjs",
                   "iuran_diterima_bulanan").fill_null(0))
    return schema.conform(out.sort("kode_kab", "kode_kel", nulls_last=True), schema.COVERAGE)


# the coverage row of a kab/kota's residents to fix who have no kelurahan code
NO_KELURAHAN = "Tanpa kode kelurahan"


def without_kelurahan(fix: pl.DataFrame, assessed: pl.DataFrame) -> pl.DataFrame:
    """The residents to fix (``fix``: :func:`to_fix`) who have no kelurahan code (missing or
    invalid), each with ``region``: the kab/kota their linking took them in, their address's,
    else their NIK's (``assessed``: every resident, for the extract's regions). No kelurahan's
    list holds them: they are counted in their kab/kota's coverage row and listed for its staff
    (``reports.write_lists_without_kelurahan``)."""
    nowhere = fix.filter(pl.col("kode_kel").is_null())
    if nowhere.height == 0:
        return nowhere.with_columns(region=pl.lit(None, pl.String))
    return nowhere.with_columns(resident_region(list(region_sizes(assessed))))


# a withdrawal no rule explains: the person would still be listed (see assets.submission._reasons)
ELIGIBLE_STILL = "tidak lagi memenuhi syarat"


def withdrawal_reasons(assessed: pl.DataFrame, rules: Rules, niks: list[str]) -> dict[str, str]:
    """Why each NIK is no longer a candidate, in Bahasa Indonesia (for the submission's
    ``status_reason``). A NIK absent from the population extract moved away or died."""
    rows = assessed.filter(pl.col("NIK").is_in(niks)).select(
        "NIK",
        reason=pl.when(pl.col("terlindungi")).then(pl.lit(f"sudah terlindungi {protection_words(rules)}"))
        .when(~pl.col("judgeable")).then(pl.lit("data penduduk perlu diperbaiki (nama, tanggal lahir, jenis kelamin, pekerjaan atau wilayah)"))
        .when(pl.col("umur") > rules.max_age).then(pl.lit(f"usia di atas {rules.max_age} tahun"))
        .when(pl.col("umur") < rules.min_age).then(pl.lit(f"usia di bawah {rules.min_age} tahun"))
        .when(~pl.col("informal")).then(pl.lit("pekerjaan bukan sektor informal"))
        .otherwise(pl.lit(ELIGIBLE_STILL)),
    )
    reasons = dict(rows.iter_rows())
    absent = "tidak ada lagi di data penduduk (pindah atau meninggal)"
    return {n: reasons.get(n, absent) for n in niks}
