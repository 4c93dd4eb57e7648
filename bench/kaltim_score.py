#!/usr/bin/env python3
"""Score a `lindungi run` on a Kaltim world against kaltim_world.py's ground truth.

Usage: python kaltim_score.py WORLD_DIR OUT_DIR [--detail]

Reads only what CONTRACT.md / README.md promise: <out>/welfare_links.parquet, participant_links.parquet,
enrollment_candidates/<period>.parquet, resident_assessment/<period>.parquet, residents/welfare_records/
participants.parquet, the three *_quarantine.parquet, region_*_links/<kab>.parquet, gap_lists/<period>/*.xlsx,
coverage/<period>.html, coverage_by_kelurahan/<period>.parquet and PostgreSQL bpjs.submission_batch /
bpjs.submission_candidate (DSN from $LINDUNGI_DB_URL, else `lindungi db url` under $LINDUNGI_HOME).
NIKs are printed masked (first 4 and last 4 digits).
"""
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

import polars as pl

DETAIL = "--detail" in sys.argv
args = [a for a in sys.argv[1:] if not a.startswith("--")]
if len(args) != 2:
    print(__doc__)
    sys.exit(2)
WORLD, OUT = args
META = json.load(open(os.path.join(WORLD, "truth", "meta.json")))
PERIOD = META["period"]
KABS = META["kabs"]
NEX = 3 if not DETAIL else 6


def mask(x):
    if x is None:
        return "∅"
    s = str(x)
    if re.fullmatch(r"\d{16}", s):
        return s[:4] + "********" + s[-4:]
    d = re.sub(r"\D", "", s)
    if len(d) >= 8:
        return f"{s[:4]}…({len(s)} chars)"
    return repr(s)


def mid(x):
    s = str(x)
    return s[:4] + "…" + s[-3:] if len(s) > 8 else s


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if p + r else float("nan")
    return p, r, f


def hdr(t):
    print()
    print("=" * 100)
    print(t)
    print("=" * 100)


problems = []

# ------------------------------------------------------------------ truth
tres = pl.read_parquet(os.path.join(WORLD, "truth", "t_residents.parquet"))
twel = pl.read_parquet(os.path.join(WORLD, "truth", "t_welfare.parquet"))
tros = pl.read_parquet(os.path.join(WORLD, "truth", "t_roster.parquet")).with_columns(pl.col("KPJ").cast(pl.Utf8))
tbad = pl.read_parquet(os.path.join(WORLD, "truth", "t_bad_rows.parquet"))
res_kab = dict(zip(tres["NIK"].to_list(), tres["kab"].to_list()))
res_hh = dict(zip(tres["NIK"].to_list(), tres["hh"].to_list()))

# ------------------------------------------------------------------ ingest
hdr("1. INGEST: read = accepted + quarantined; bad rows quarantined with file, line, reason")
acc_files = {"penduduk.csv": "residents.parquet", "dtsen.csv": "welfare_records.parquet",
             "peserta_bpjstk.parquet": "participants.parquet"}
q_files = {"penduduk.csv": "penduduk_quarantine.parquet", "dtsen.csv": "dtsen_quarantine.parquet",
           "peserta_bpjstk.parquet": "peserta_bpjstk_quarantine.parquet"}
quar = {}
for f, accp in acc_files.items():
    a = pl.read_parquet(os.path.join(OUT, accp))
    q = pl.read_parquet(os.path.join(OUT, q_files[f]))
    quar[f] = q
    exp = META["files"][f]
    ok = (a.height + q.height == exp["read"]) and a.height == exp["accepted"]
    print(f"  {f:<24} expected read {exp['read']:>9,} accepted {exp['accepted']:>9,} | pipeline accepted {a.height:>9,}"
          f" quarantined {q.height:>5,}  -> {'OK' if ok else 'MISMATCH'}")
    if not ok:
        problems.append(f"ingest counts of {f}: accepted {a.height} quarantined {q.height}, expected read {exp['read']} "
                        f"accepted {exp['accepted']}")
    qfile = set(os.path.basename(str(x)) for x in q["file"].to_list()) if q.height else set()
    if q.height and qfile != {f}:
        problems.append(f"{q_files[f]}: file column holds {qfile}")
bad_ok = bad_wrong_reason = bad_missing = 0
for f in q_files:
    q = quar[f]
    got = {int(l): rc for l, rc in zip(q["line"].to_list(), q["reason_code"].to_list())}
    exp = tbad.filter(pl.col("file") == f)
    seen = set()
    for line, reasons, what in exp.select(["line", "reasons", "what"]).iter_rows():
        seen.add(line)
        if line not in got:
            bad_missing += 1
            print(f"    NOT QUARANTINED  {f}:{line}  ({what}; expected {reasons})")
            problems.append(f"{f}:{line} {what} not quarantined")
        elif got[line] not in reasons.split("|"):
            bad_wrong_reason += 1
            print(f"    other reason     {f}:{line}  ({what}): got {got[line]}, expected {reasons}")
        else:
            bad_ok += 1
    for line, rc in got.items():
        if line not in seen:
            print(f"    UNEXPECTED quarantine {f}:{line} reason {rc}")
            problems.append(f"{f}:{line} quarantined unexpectedly ({rc})")
print(f"  planted bad rows: {bad_ok} quarantined at the right line with an expected reason, {bad_wrong_reason} with "
      f"another reason, {bad_missing} not quarantined")
if DETAIL:
    for f, q in quar.items():
        for l, rc, rs in q.select(["line", "reason_code", "reason"]).sort("line").iter_rows():
            print(f"      {f}:{l:<7} {rc:<20} {rs[:90]}")


# ------------------------------------------------------------------ links
def score_links(name, truth, key, links_path, kinds_label):
    hdr(f"{name}")
    lk = pl.read_parquet(os.path.join(OUT, links_path)).with_columns(pl.col(key).cast(pl.Utf8))
    rv_path = os.path.join(OUT, links_path.replace("_links", "_link_review"))
    review = {}
    if os.path.exists(rv_path):
        rv = pl.read_parquet(rv_path).with_columns(pl.col(key).cast(pl.Utf8))
        for k_, n_, s_, e_ in rv.select([key, "NIK", "score", "evidence"]).iter_rows():
            review[(k_, n_)] = (s_, e_)
    t = truth.filter(pl.col("accepted"))
    j = t.join(lk.select([key, pl.col("NIK").alias("pred"), "method", "score", "evidence"]), on=key, how="left")
    nmiss = j.filter(pl.col("method").is_null()).height
    extra = lk.join(t.select(key), on=key, how="anti").height
    if nmiss or extra:
        problems.append(f"{links_path}: {nmiss} accepted records without a row, {extra} rows for unknown records")
    dup = lk.height - lk[key].n_unique()
    if dup:
        problems.append(f"{links_path}: {dup} records with more than one row")
    j = j.with_columns(
        (pl.col("pred").is_not_null() & (pl.col("pred") == pl.col("true_nik"))).fill_null(False).alias("tp"),
        (pl.col("pred").is_not_null() & (pl.col("true_nik").is_null() | (pl.col("pred") != pl.col("true_nik"))))
        .fill_null(False).alias("fp"),
        (pl.col("true_nik").is_not_null() & (pl.col("pred").is_null() | (pl.col("pred") != pl.col("true_nik"))))
        .fill_null(False).alias("fn"),
    )
    j = j.with_columns(pl.col("true_nik").replace_strict(res_kab, default=None).alias("tkab"),
                       pl.col("pred").replace_strict(res_kab, default=None).alias("pkab"))
    TP, FP, FN = int(j["tp"].sum()), int(j["fp"].sum()), int(j["fn"].sum())
    p, r, f = prf(TP, FP, FN)
    tot = (p, r, f)
    print(f"  records {t.height:,} (with a true resident {t['true_nik'].is_not_null().sum():,}); links made "
          f"{j['pred'].is_not_null().sum():,}; methods {dict(Counter(j['method'].to_list()))}")
    print(f"  OVERALL  P {p:.4f}  R {r:.4f}  F1 {f:.4f}   (TP {TP:,}  wrong/extra links {FP:,}  missed {FN:,})")
    per = {}
    print(f"  {'kab/kota':<36}{'P':>8}{'R':>8}{'F1':>8}{'TP':>9}{'FP':>6}{'FN':>6}")
    for k, nm in KABS.items():
        tp = int(j.filter(pl.col("tp") & (pl.col("tkab") == k)).height)
        fp = int(j.filter(pl.col("fp") & (pl.col("pkab") == k)).height)
        fn = int(j.filter(pl.col("fn") & (pl.col("tkab") == k)).height)
        pp, rr, ff = prf(tp, fp, fn)
        per[k] = (pp, rr, ff)
        print(f"  {k} {nm:<31}{pp:>8.4f}{rr:>8.4f}{ff:>8.4f}{tp:>9,}{fp:>6}{fn:>6}")
    # marginal recall by damage
    tt = j.filter(pl.col("true_nik").is_not_null())
    print("  recall by damage (records with a true resident):")
    for col in ["nik_dmg", "date_dmg", "name_dmg", "moved" if "moved" in tt.columns else "kind",
                "kel_dmg" if "kel_dmg" in tt.columns else "segmen", "cross_kab"]:
        if col == "cross_kab":
            if "rec_kab" in tt.columns:
                tt2 = tt.with_columns((pl.col("rec_kab") != pl.col("tkab")).alias("cross_kab"))
            else:
                tt2 = tt.with_columns((pl.col("nik_kab") != pl.col("tkab")).alias("cross_kab"))
        else:
            tt2 = tt
        g = tt2.group_by(col).agg(pl.len().alias("n"), pl.col("fn").sum().alias("fn")).sort("n", descending=True)
        s = ", ".join(f"{v}: {1 - fn / n_:.4f} ({fn}/{n_})" for v, n_, fn in g.iter_rows() if n_ >= 1)
        lab = {"cross_kab": ("record's KODE_KEL kab != residence kab" if "rec_kab" in tt.columns
                             else "NIK issued in another kab than residence")}.get(col, col)
        print(f"    {lab}: {s}")
    # error classes
    errs = []
    for row in j.filter(pl.col("fp") | pl.col("fn")).iter_rows(named=True):
        if row["fp"] and row["true_nik"] is None:
            rel = "the claimed NIK's owner" if row["pred"] == re.sub(r"\D", "", row["NIK_written"] or "") else (
                "a member of the same household" if res_hh.get(row["pred"]) == row["hh"] and row["hh"] >= 0
                else "an unrelated resident")
            cls = f"WRONG LINK: {row['kind']} (not in penduduk) linked to {rel}"
        elif row["fp"]:
            rel = "the claimed NIK's owner" if row["pred"] == re.sub(r"\D", "", row["NIK_written"] or "") else (
                "a member of the same household" if res_hh.get(row["pred"]) == row["hh"] else "an unrelated resident")
            cls = f"WRONG LINK: resident's record linked to {rel} (nik {row['nik_dmg']})"
        else:
            nd = row["nik_dmg"]
            nik_ok = nd in ("exact", "quote", "spaced")
            parts = [f"nik {nd}"]
            if row["date_dmg"] != "exact":
                parts.append(f"date {row['date_dmg']}")
            if row["name_dmg"] != "none":
                parts.append(f"name {row['name_dmg'].split('+')[0]}")
            if row.get("moved"):
                parts.append("moved")
            if row.get("kel_dmg") not in (None, "none"):
                parts.append(f"kel {row['kel_dmg']}")
            cls = ("MISSED despite a usable NIK: " if nik_ok else "MISSED: ") + ", ".join(parts)
            if row["pred"] is None and (row[key], row["true_nik"]) in review:
                cls += " [true pair in review]"
                sc, ev = review[(row[key], row["true_nik"])]
                row = dict(row, score=sc, evidence="review: " + (ev or ""))
            elif row["pred"] is not None:
                cls = cls.replace("MISSED", "LINKED TO ANOTHER RESIDENT")
        errs.append((cls, row))
    cc = Counter(c for c, _ in errs)
    print(f"  biggest error classes ({len(errs)} records in error):")
    for cls, cnt in cc.most_common(10 if DETAIL else 7):
        print(f"   {cnt:>5}  {cls}")
        ex = [r for c, r in errs if c == cls][:NEX]
        for r in ex:
            print(f"           e.g. {key} {mid(r[key])}: wrote NIK {mask(r['NIK_written'])}, true {mask(r['true_nik'])}"
                  f" -> linked {mask(r['pred'])} ({r['method']}, {r['score'] if r['score'] is None else round(r['score'], 3)})"
                  f"; damage nik={r['nik_dmg']} date={r['date_dmg']} name={r['name_dmg']}"
                  + (f" kind={r['kind']}" if r.get('kind') not in (None, 'resident') else "")
                  + (" moved-hh" if r.get("moved") else ""))
            if DETAIL or r["method"] != "none":
                print(f"                evidence: {(r['evidence'] or '')[:150]}")
    return j, per, tot


jw, wper, wtot = score_links("2. WELFARE LINKS (dtsen -> penduduk)", twel, "ID_DTSEN", "welfare_links.parquet", "kind")
jr, rper, rtot = score_links("3. ROSTER LINKS (peserta_bpjstk -> penduduk)", tros, "KPJ", "participant_links.parquet",
                             "kind")

# ------------------------------------------------------------------ candidates
hdr("4. ENROLLMENT CANDIDATES (default rules, period %s)" % PERIOD)
ec = pl.read_parquet(os.path.join(OUT, "enrollment_candidates", f"{PERIOD}.parquet"))
ra = pl.read_parquet(os.path.join(OUT, "resident_assessment", f"{PERIOD}.parquet"))
pred = set(ec["NIK"].to_list())
T = tres.filter(pl.col("accepted")).join(
    ra.select(["NIK", pl.col("judgeable").alias("p_judge"), pl.col("terlindungi").alias("p_prot"),
               pl.col("informal").alias("p_inf"), pl.col("umur").alias("p_age"), pl.col("flags").alias("p_flags"),
               pl.col("JENIS_PKRJN").alias("p_occ")]), on="NIK", how="left")
T = T.with_columns(pl.col("NIK").is_in(list(pred)).alias("pred"))
J = T.filter(pl.col("judgeable"))
TP = J.filter(pl.col("pred") & pl.col("candidate")).height
FP = J.filter(pl.col("pred") & ~pl.col("candidate")).height
FN = J.filter(~pl.col("pred") & pl.col("candidate")).height
outside = T.filter(~pl.col("judgeable") & pl.col("pred")).height
unknown = len(pred - set(T["NIK"].to_list()))
p, r, f = prf(TP, FP, FN)
ctot = (p, r, f)
print(f"  truth: judgeable {J.height:,} of {T.height:,} accepted residents; candidates {J['candidate'].sum():,}."
      f"  pipeline: candidates {len(pred):,}")
print(f"  OVERALL (judgeable)  P {p:.4f}  R {r:.4f}  F1 {f:.4f}   (TP {TP:,}  false {FP:,}  missed {FN:,});"
      f" listed though truth-unjudgeable {outside}; listed NIK not a resident {unknown}")
cper = {}
print(f"  {'kab/kota':<36}{'P':>8}{'R':>8}{'F1':>8}{'truth':>8}{'listed':>8}{'FP':>6}{'FN':>6}")
for k, nm in KABS.items():
    Jk = J.filter(pl.col("kab") == k)
    tp = Jk.filter(pl.col("pred") & pl.col("candidate")).height
    fp = Jk.filter(pl.col("pred") & ~pl.col("candidate")).height
    fn = Jk.filter(~pl.col("pred") & pl.col("candidate")).height
    pp, rr, ff = prf(tp, fp, fn)
    cper[k] = (pp, rr, ff)
    print(f"  {k} {nm:<31}{pp:>8.4f}{rr:>8.4f}{ff:>8.4f}{Jk['candidate'].sum():>8,}{Jk['pred'].sum():>8,}{fp:>6}{fn:>6}")
# judgeable agreement
jj = T.group_by(["judgeable", "p_judge"]).len().sort("len", descending=True)
print("  judgeable (truth, pipeline): " + ", ".join(f"({a},{b}) {c:,}" for a, b, c in jj.iter_rows()))
dis = T.filter(pl.col("judgeable") & ~pl.col("p_judge").fill_null(False))
if dis.height:
    fl = Counter(x for lst in dis["p_flags"].to_list() for x in (lst or []))
    print(f"  truth-judgeable residents the pipeline would not judge: {dis.height:,}; their flags {dict(fl.most_common(6))};"
          f" of them truth candidates {dis['candidate'].sum():,}")
    nm_ = dis.filter(pl.col("p_flags").list.contains("nama_missing"))
    if nm_.height:
        print(f"    nama_missing on {nm_.height} truth-valid names (name as registered, no NIK): "
              f"{dict(Counter(pl.read_parquet(os.path.join(OUT, 'residents.parquet'), columns=['NIK', 'NAMA_LGKP']).filter(pl.col('NIK').is_in(nm_['NIK'].to_list()))['NAMA_LGKP'].to_list()).most_common(5))}")
dis2 = T.filter(~pl.col("judgeable") & pl.col("p_judge").fill_null(False))
if dis2.height:
    print(f"  truth-unjudgeable the pipeline judged: {dis2.height:,}; truth flags {dict(Counter(dis2['flag'].to_list()).most_common(6))}"
          f"; occupations {dict(Counter(dis2['occ_written'].to_list()).most_common(5))}")
# error classes
# protective cards by person, their link outcome
jr_prot = jr.filter(pl.col("protective") & pl.col("true_nik").is_not_null())
cards_of = defaultdict(list)
for row in jr_prot.iter_rows(named=True):
    cards_of[row["true_nik"]].append(row)
wrong_to = defaultdict(list)
for row in jr.filter(pl.col("fp") & pl.col("protective")).iter_rows(named=True):
    wrong_to[row["pred"]].append(row)
errs = []
for row in J.filter(pl.col("pred") != pl.col("candidate")).iter_rows(named=True):
    if row["pred"]:   # false candidate
        if row["protected"] and not row["p_prot"]:
            cs = cards_of.get(row["NIK"], [])
            c0 = cs[0] if cs else None
            if c0 is None:
                cls, why = "FALSE CANDIDATE: protected, card not found in links", ""
            elif c0["pred"] is None:
                cls = f"FALSE CANDIDATE: protective card unlinked (card nik {c0['nik_dmg']}" + (
                    f", date {c0['date_dmg']}" if c0["date_dmg"] != "exact" else "") + (
                    f", name {c0['name_dmg']}" if c0["name_dmg"] != "none" else "") + ")"
                why = f"KPJ {mid(c0['KPJ'])} wrote NIK {mask(c0['NIK_written'])}, unlinked"
            else:
                cls = f"FALSE CANDIDATE: protective card linked to someone else (card nik {c0['nik_dmg']})"
                why = f"KPJ {mid(c0['KPJ'])} linked to {mask(c0['pred'])}"
        elif not row["informal"] and row["p_inf"]:
            cls, why = "FALSE CANDIDATE: occupation read as informal", f"written {row['occ_written']!r}"
        elif row["age"] != row["p_age"]:
            cls, why = "FALSE CANDIDATE: age differs", f"truth {row['age']} pipeline {row['p_age']}"
        else:
            cls, why = "FALSE CANDIDATE: other", f"truth prot {row['protected']} inf {row['informal']} age {row['age']}"
    else:             # missed candidate
        if row["p_prot"] and not row["protected"]:
            ws = wrong_to.get(row["NIK"], [])
            w0 = ws[0] if ws else None
            if w0 is None:
                cls, why = "MISSED CANDIDATE: taken as protected (a non-protective or unknown card)", ""
            else:
                rel = ("own family member's card" if res_hh.get(w0["true_nik"] or "", -9) == row["hh"] else
                       f"card of a {w0['kind']}" if w0["true_nik"] is None else "card of an unrelated resident")
                cls = f"MISSED CANDIDATE: taken as protected via a wrong roster link ({rel})"
                why = f"KPJ {mid(w0['KPJ'])} (true owner {mask(w0['person_nik'])}, wrote {mask(w0['NIK_written'])}, nik {w0['nik_dmg']}, {w0['method']} {round(w0['score'], 3)})"
        elif not row["p_judge"]:
            cls, why = f"MISSED CANDIDATE: pipeline would not judge ({','.join(row['p_flags'] or [])})", \
                f"occupation {row['occ_written']!r}"
        elif row["informal"] and not row["p_inf"]:
            cls, why = "MISSED CANDIDATE: occupation not read as informal", f"written {row['occ_written']!r}"
        elif row["age"] != row["p_age"]:
            cls, why = "MISSED CANDIDATE: age differs", f"truth {row['age']} pipeline {row['p_age']}"
        else:
            cls, why = "MISSED CANDIDATE: other", ""
    errs.append((cls, row, why))
cc = Counter(c for c, _, _ in errs)
print(f"  biggest error classes ({len(errs)} residents):")
for cls, cnt in cc.most_common(10 if DETAIL else 7):
    print(f"   {cnt:>5}  {cls}")
    for c, row, why in [e for e in errs if e[0] == cls][:NEX]:
        print(f"           e.g. resident {mask(row['NIK'])} ({row['kab']}, NIK origin {row['origin']}): {why}")

# ------------------------------------------------------------------ per-region outputs
hdr("5. PER-REGION OUTPUTS (partitions, gap lists, coverage, submission batches)")
for a in ["region_welfare_links", "region_participant_links"]:
    have = {os.path.splitext(x)[0] for x in os.listdir(os.path.join(OUT, a))} if os.path.isdir(os.path.join(OUT, a)) else set()
    miss = set(KABS) - have
    print(f"  {a}: partitions {sorted(have)}" + (f"  MISSING {sorted(miss)}" if miss else "  (all 7 kab/kota)"))
    if miss:
        problems.append(f"{a}: partitions missing for {sorted(miss)}")
gdir = os.path.join(OUT, "gap_lists", PERIOD)
files = {os.path.splitext(x)[0] for x in os.listdir(gdir) if x.endswith(".xlsx")} if os.path.isdir(gdir) else set()
kels = set(META["kels"])
ec_by_kel = ec.group_by("kode_kel").agg(pl.col("NIK"), pl.col("rank"))
ec_map = {k: (n_, r_) for k, n_, r_ in ec_by_kel.iter_rows()}
truth_by_kel = Counter(J.filter(pl.col("candidate"))["kel"].to_list())
print(f"  gap lists: {len(files)} files for {len(kels)} kelurahan with residents; missing {len(kels - files)}, "
      f"extra {len(files - kels)} {sorted(files - kels)[:5]}")
if kels - files:
    problems.append(f"gap lists missing for {len(kels - files)} kelurahan")
try:
    import python_calamine as pc
except ImportError:
    pc = None
bad_files = []
rows_total = Counter()
if pc:
    for k in sorted(files):
        wb = pc.CalamineWorkbook.from_path(os.path.join(gdir, k + ".xlsx"))
        rows = wb.get_sheet_by_name(wb.sheet_names[0]).to_python()
        hi = next((i for i, rw in enumerate(rows[:40]) if "NIK" in [str(x).strip() for x in rw]), None)
        if hi is None:
            bad_files.append((k, "no header"))
            continue
        h = [str(x).strip() for x in rows[hi]]
        ci, ri = h.index("NIK"), h.index("Peringkat") if "Peringkat" in h else None
        body = [rw for rw in rows[hi + 1:] if re.fullmatch(r"\d{6}\*{6}\d{4}", str(rw[ci]).strip())]
        rows_total[k[:4]] += len(body)
        niks, ranks = ec_map.get(k, ([], []))
        if len(body) != len(niks):
            bad_files.append((k, f"{len(body)} rows, candidates {len(niks)}"))
            continue
        rk = [int(float(rw[ri])) for rw in body] if ri is not None else []
        if rk != sorted(rk) or sorted(rk) != sorted(ranks):
            bad_files.append((k, "rank order/values differ"))
        masks = sorted(str(rw[ci]) for rw in body)
        if masks != sorted(n_[:6] + "******" + n_[-4:] for n_ in niks):
            bad_files.append((k, "masked NIKs differ from the candidates"))
    print(f"  gap-list rows vs enrollment_candidates per kelurahan: {len(files) - len(bad_files)} files consistent, "
          f"{len(bad_files)} not {bad_files[:4]}")
    if bad_files:
        problems.append(f"{len(bad_files)} gap lists inconsistent with enrollment_candidates, e.g. {bad_files[:3]}")
kel_dev = []
for k in kels:
    listed = len(ec_map.get(k, ([], []))[0])
    tr = truth_by_kel.get(k, 0)
    if tr and abs(listed - tr) / tr > 0.05 and abs(listed - tr) > 2:
        kel_dev.append((k, tr, listed))
print(f"  kelurahan whose list differs from truth by >5% and >2 people: {len(kel_dev)} {sorted(kel_dev)[:5]}")
cov = os.path.join(OUT, "coverage", f"{PERIOD}.html")
if os.path.exists(cov):
    html = open(cov, encoding="utf-8").read()
    absent = [nm for nm in KABS.values() if nm.replace("Kabupaten ", "").replace("Kota ", "") not in html]
    print(f"  coverage page {os.path.getsize(cov):,} bytes; kab/kota names absent: {absent or 'none'}")
    if absent:
        problems.append(f"coverage page lacks {absent}")
else:
    problems.append("coverage page missing")
    print("  coverage page MISSING")
cbk = pl.read_parquet(os.path.join(OUT, "coverage_by_kelurahan", f"{PERIOD}.parquet"))
ck = cbk.group_by("kode_kab").agg(pl.col("pekerja").sum(), pl.col("terlindungi").sum(), pl.col("kandidat").sum(),
                                  pl.col("iuran_bulanan").sum())
ec_kab = Counter(ec["kode_kab"].to_list())
trw = J.filter((pl.col("age") >= 18) & (pl.col("age") <= 65) & pl.col("informal"))
# DB
dsn = os.environ.get("LINDUNGI_DB_URL")
if not dsn:
    try:
        dsn = subprocess.run([os.path.join(os.path.dirname(sys.executable), "lindungi"), "db", "url"], capture_output=True,
                             text=True, env=dict(os.environ, LINDUNGI_HOME=os.environ.get("LINDUNGI_HOME", "/tmp/h60/home")),
                             timeout=120).stdout.strip().splitlines()[-1]
    except Exception as e:  # noqa
        dsn = None
batches, pend = {}, Counter()
if dsn:
    import psycopg
    with psycopg.connect(dsn) as con:
        for region, bid, rc, st, ts in con.execute(
                "select region, id, row_count, status, created_at from bpjs.submission_batch where period=%s "
                "order by created_at", (PERIOD,)):
            batches[region] = (bid, rc, st)
        for region, st, c in con.execute("select region, status, count(*) from bpjs.submission_candidate where period=%s"
                                         " group by 1, 2", (PERIOD,)):
            if st == "pending":
                pend[region] += c
print(f"  {'kab/kota':<36}{'truth':>8}{'listed':>8}{'cov.kand':>9}{'gaprows':>8}{'batch':>8}{'pending':>8}"
      f"{'pekerja':>9}{'truth wk':>9}{'cov%':>7}")
for k, nm in KABS.items():
    row = ck.filter(pl.col("kode_kab") == k)
    pk = int(row["pekerja"][0]) if row.height else 0
    tl = int(row["terlindungi"][0]) if row.height else 0
    kd = int(row["kandidat"][0]) if row.height else 0
    b = batches.get(k)
    twk = trw.filter(pl.col("kab") == k).height
    print(f"  {k} {nm:<31}{J.filter((pl.col('kab') == k) & pl.col('candidate')).height:>8,}{ec_kab.get(k, 0):>8,}"
          f"{kd:>9,}{rows_total.get(k, 0):>8,}{(b[1] if b else -1):>8,}{pend.get(k, 0):>8,}{pk:>9,}{twk:>9,}"
          f"{(100 * tl / pk if pk else 0):>7.1f}")
    if b is None or b[1] != ec_kab.get(k, 0) or pend.get(k, 0) != ec_kab.get(k, 0) or kd != ec_kab.get(k, 0):
        problems.append(f"region {k}: candidates {ec_kab.get(k, 0)}, coverage kandidat {kd}, batch {b}, pending {pend.get(k, 0)}")
other_regions = set(batches) - set(KABS)
if other_regions:
    print(f"  batches of regions outside the extract: {sorted(other_regions)}")

hdr("SUMMARY")
print(f"  welfare links  P {wtot[0]:.4f} R {wtot[1]:.4f} F1 {wtot[2]:.4f}")
print(f"  roster links   P {rtot[0]:.4f} R {rtot[1]:.4f} F1 {rtot[2]:.4f}")
print(f"  candidates     P {ctot[0]:.4f} R {ctot[1]:.4f} F1 {ctot[2]:.4f} (judgeable)")
print("  per kab/kota F1 (welfare / roster / candidates):")
for k, nm in KABS.items():
    print(f"    {k} {nm:<31} {wper[k][2]:.4f} / {rper[k][2]:.4f} / {cper[k][2]:.4f}")
print(f"  contract problems found: {len(problems)}")
for pmsg in problems:
    print("   - " + pmsg)
