#!/usr/bin/env python
"""Score a Lindungi run on a world written by bali_world.py.

usage: python bali_score.py WORLD_DIR OUT_DIR [--period 2026-11] [--examples 20] [--dsn DSN]
Reads only WORLD_DIR/truth/*.parquet and the contract's outputs under OUT_DIR.
"""
import argparse
import glob
import os
import re

import polars as pl

ap = argparse.ArgumentParser()
ap.add_argument("world")
ap.add_argument("out")
ap.add_argument("--period", default="2026-11")
ap.add_argument("--examples", type=int, default=20)
ap.add_argument("--dsn", default=None)
a = ap.parse_args()
pl.Config.set_tbl_rows(60)
pl.Config.set_tbl_cols(20)
pl.Config.set_tbl_width_chars(220)
pl.Config.set_fmt_str_lengths(60)
T = lambda f: pl.read_parquet(os.path.join(a.world, "truth", f))
O = lambda f: pl.read_parquet(os.path.join(a.out, f))


def mask(x):
    if x is None:
        return None
    s = str(x)
    d = re.sub(r"\D", "", s)
    if "E+" in s.upper():
        return s
    if len(d) >= 10:
        return d[:6] + "*" * (len(d) - 10) + d[-4:]
    return "*" * len(d) if d else s


def hdr(t):
    print("\n" + "=" * 100 + "\n" + t + "\n" + "=" * 100)


res_t = T("residents.parquet")
wel_t = T("welfare.parquet")
ros_t = T("roster.parquet")
residents = O("residents.parquet")

# ------------------------------------------------------------------------------------------------
hdr("INGEST")
pq = O("penduduk_quarantine.parquet")
exp_q = pl.concat([res_t.filter(pl.col("expected") != "accepted").select("line", "expected"),
                   T("penduduk_extra_lines.parquet")])
cmp = exp_q.join(pq.select("line", "reason_code"), on="line", how="full", coalesce=True)
print(f"penduduk: expected quarantined {exp_q.height}, quarantined {pq.height}")
print(cmp.group_by("expected", "reason_code").len().sort("expected", "reason_code"))
unexp = cmp.filter(pl.col("expected").is_null())
if unexp.height:
    print("UNEXPECTED penduduk quarantines (lines):")
    print(unexp.join(res_t.select("line", "NIK", "name", "occ_written"), on="line", how="left").with_columns(
        pl.col("NIK").map_elements(mask, return_dtype=pl.Utf8)).head(20))
miss_q = cmp.filter(pl.col("reason_code").is_null())
if miss_q.height:
    print("EXPECTED quarantines not made:", miss_q.head(20))
exp_acc = set(res_t.filter(pl.col("accepted"))["NIK"].to_list())
got_acc = set(residents["NIK"].to_list())
print(f"residents accepted: expected {len(exp_acc)}, got {len(got_acc)}; expected-not-accepted {len(exp_acc - got_acc)}, "
      f"accepted-not-expected {len(got_acc - exp_acc)}")
flags = residents.select(pl.col("flags").explode()).drop_nulls().group_by("flags").len().sort("len", descending=True)
print("resident flags:", dict(zip(flags["flags"].to_list(), flags["len"].to_list())))
nra = residents.join(res_t.select("NIK", "nik_region_not_address"), on="NIK").filter(pl.col("nik_region_not_address"))
print(f"nik region not address (truth): {nra.height}, of them flagged nik_region_not_address: "
      f"{nra.filter(pl.col('flags').list.contains('nik_region_not_address')).height}")
dq = O("dtsen_quarantine.parquet")
exp_dq = T("dtsen_extra_lines.parquet")
print("dtsen quarantine:", dq.select("line", "reason_code").join(exp_dq, on="line", how="full", coalesce=True))
rq = O("peserta_bpjstk_quarantine.parquet")
print("peserta quarantine rows:", rq.height, rq.group_by("reason_code").len() if rq.height else "")
wr = O("welfare_records.parquet")
pa = O("participants.parquet")
print(f"welfare_records {wr.height} (truth {wel_t.height}), participants {pa.height} (truth {ros_t.height})")
for nm, d in (("welfare_records", wr), ("participants", pa)):
    if "flags" in d.columns:
        f_ = d.select(pl.col("flags").explode()).drop_nulls().group_by("flags").len().sort("len", descending=True)
        print(f"{nm} flags:", dict(zip(f_["flags"].to_list(), f_["len"].to_list())))

# resident lookup for examples
rinfo = res_t.select("NIK", "name", "kode_kel", "age", "occupation").join(
    residents.select("NIK", "NO_KK", "TGL_LHR"), on="NIK", how="left")
KK = dict(zip(rinfo["NIK"].to_list(), rinfo["NO_KK"].to_list()))
NAME = dict(zip(rinfo["NIK"].to_list(), rinfo["name"].to_list()))
DOB = dict(zip(rinfo["NIK"].to_list(), rinfo["TGL_LHR"].to_list()))


def score_links(truth, links, key, label):
    hdr(f"LINKS: {label}")
    j = truth.join(links.select(key, pl.col("NIK").alias("got"), "method", "score", "evidence"), on=key, how="left")
    j = j.with_columns(
        linked=pl.col("got").is_not_null(),
        linkable=pl.col("true_nik").is_not_null(),
    ).with_columns(
        correct=pl.col("linked") & (pl.col("got") == pl.col("true_nik")),
        wrong=pl.col("linked") & pl.col("linkable") & (pl.col("got") != pl.col("true_nik")),
        fp_null=pl.col("linked") & ~pl.col("linkable"),
        missed=~pl.col("linked") & pl.col("linkable"),
    )
    s = j.select(pl.len().alias("records"), pl.col("linkable").sum(), pl.col("linked").sum(), pl.col("correct").sum(),
                 pl.col("wrong").sum(), pl.col("fp_null").sum(), pl.col("missed").sum())
    r = s.row(0, named=True)
    P = r["correct"] / max(r["linked"], 1)
    R = r["correct"] / max(r["linkable"], 1)
    F = 2 * P * R / max(P + R, 1e-9)
    print(s)
    print(f"{label}: precision {P:.4f}  recall {R:.4f}  F1 {F:.4f}   (absent from links: {j.filter(pl.col('method').is_null()).height})")
    print(j.group_by("method").agg(pl.len(), pl.col("correct").sum(), pl.col("wrong").sum(), pl.col("fp_null").sum(),
                                   pl.col("missed").sum()).sort("method"))
    for cat in ("kind", "nik_damage", "name_variant", "date_damage", "name_pattern"):
        g = j.group_by(cat).agg(pl.len().alias("n"), pl.col("linkable").sum(), pl.col("correct").sum(),
                                pl.col("wrong").sum(), pl.col("fp_null").sum(), pl.col("missed").sum()).with_columns(
            recall=(pl.col("correct") / pl.col("linkable")).round(4)).sort("n", descending=True)
        print(g)
    # wrong links: how the wrong resident relates to the true one
    bad = j.filter(pl.col("wrong") | pl.col("fp_null"))
    if bad.height:
        rel = []
        for t_, g_, nm in zip(bad["true_nik"].to_list(), bad["got"].to_list(), bad["rec_nama"].to_list()):
            if t_ is not None and KK.get(t_) is not None and KK.get(t_) == KK.get(g_):
                rel.append("same KK (family member)")
            elif t_ is None:
                rel.append("record of a non-resident")
            elif NAME.get(t_) == NAME.get(g_):
                rel.append("namesake (identical SIAK name)")
            elif DOB.get(t_) == DOB.get(g_):
                rel.append("same birth date, other name")
            else:
                rel.append("other")
        bad = bad.with_columns(relation=pl.Series(rel))
        print("wrong/false links by relation:")
        print(bad.group_by("relation", "kind").len().sort("len", descending=True))
    return j


def examples(j, key, n, label):
    hdr(f"EXAMPLES: {label}")
    bad = j.filter(pl.col("wrong") | pl.col("fp_null") | pl.col("missed"))
    if bad.height == 0:
        print("none")
        return
    k = min(n, bad.height)
    # a mix: wrong links first, then false links of non-residents, then misses
    parts = [bad.filter(pl.col("wrong")), bad.filter(pl.col("fp_null")), bad.filter(pl.col("missed"))]
    quota = [max(1, k // 3)] * 3
    pick = []
    for p_, q in zip(parts, quota):
        if p_.height:
            pick.append(p_.sample(min(q, p_.height), seed=7))
    ex = pl.concat(pick)
    for r in ex.iter_rows(named=True):
        kind = "WRONG" if r["wrong"] else ("FALSE(non-resident)" if r["fp_null"] else "MISSED")
        print(f"- [{kind}] {key} {str(r[key])[:2]}…{str(r[key])[-2:]}: record '{r['rec_nama']}' NIK '{mask(r['rec_nik'])}' "
              f"tgl '{r['rec_tgl']}'  [{r['kind']}; nik {r['nik_damage']}; name {r['name_variant']}; date {r['date_damage']}]")
        if r["true_nik"] is not None:
            print(f"    true resident: {mask(r['true_nik'])} '{NAME.get(r['true_nik'])}' born {DOB.get(r['true_nik'])}")
        if r["got"] is not None:
            print(f"    linked to:     {mask(r['got'])} '{NAME.get(r['got'])}' born {DOB.get(r['got'])}  method {r['method']} "
                  f"score {r['score']:.3f}")
        elif r["method"] is not None:
            print(f"    not linked (method {r['method']}, score {r['score']})")


wl = O("welfare_links.parquet")
pl_ = O("participant_links.parquet")
for nm, d, key in (("welfare_links", wl, "ID_DTSEN"), ("participant_links", pl_, "KPJ")):
    miss_cols = {key, "NIK", "method", "score"} - set(d.columns)
    dupk = d.height - d[key].n_unique()
    bad_m = d.filter(~pl.col("method").is_in(["nik_exact", "nik_repaired", "fuzzy", "none"])).height
    bad_s = d.filter((pl.col("score") < 0) | (pl.col("score") > 1)).height
    nn = d.filter((pl.col("method") == "none") & pl.col("NIK").is_not_null()).height
    print(f"{nm}: {d.height} rows; missing contract columns {miss_cols or 'none'}; duplicate keys {dupk}; "
          f"bad methods {bad_m}; scores outside 0-1 {bad_s}; method none with NIK {nn}")
    one2one = d.filter(pl.col("NIK").is_not_null()).group_by("NIK").len().filter(pl.col("len") > 1).height
    print(f"   residents linked by more than one record: {one2one}")
jw = score_links(wel_t, wl, "ID_DTSEN", "welfare_links (dtsen)")
jp = score_links(ros_t, pl_, "KPJ", "participant_links (peserta_bpjstk)")
# roster: protecting cards (AKTIF + JKK + JKM) matter most for candidates
pc = jp.filter(pl.col("protecting") & pl.col("linkable"))
print(f"protecting cards of residents: {pc.height}, linked right {pc['correct'].sum()}, wrong {pc['wrong'].sum()}, "
      f"missed {pc['missed'].sum()}")
po = jp.filter(pl.col("protecting") & ~pl.col("linkable"))
print(f"protecting cards of non-residents (namesakes, moved away): {po.height}, linked to a resident {po['fp_null'].sum()}")
ns = jp.filter(pl.col("kind") == "namesake_outsider")
print("namesake outsiders linked, by their NIK and name:")
print(ns.group_by("nik_damage", "name_variant").agg(pl.len(), pl.col("fp_null").sum()).sort("len", descending=True))
examples(jw, "ID_DTSEN", a.examples, "welfare")
examples(jp, "KPJ", a.examples, "roster")

# ------------------------------------------------------------------------------------------------
hdr("CANDIDATES")
cand = O(f"enrollment_candidates/{a.period}.parquet")
ra = O(f"resident_assessment/{a.period}.parquet")
tc = res_t.filter(pl.col("candidate"))
tj = res_t.filter(pl.col("judgeable"))
pred = set(cand["NIK"].to_list())
truth = set(tc["NIK"].to_list())
judge = set(tj["NIK"].to_list())
tp = len(pred & truth)
print(f"candidates: predicted {len(pred)}, truth {len(truth)}, true positives {tp}")
print(f"  precision {tp / max(len(pred), 1):.4f}  recall {tp / max(len(truth), 1):.4f}")
pj = pred & judge
print(f"  among judgeable residents: predicted {len(pj)}, precision {len(pj & truth) / max(len(pj), 1):.4f}, "
      f"recall {len(pj & truth) / max(len(truth), 1):.4f}; predicted but not judgeable in truth: {len(pred - judge)}")
# contract checks on the candidate list
cc = {"NIK", "NAMA_LGKP", "kode_kel", "JENIS_PKRJN", "desil", "disabilitas", "rank", "iuran_bulanan", "evidence"}
print("  missing contract columns:", cc - set(cand.columns) or "none",
      "| iuran != 16800:", cand.filter(pl.col("iuran_bulanan") != 16800).height,
      "| duplicate NIK:", cand.height - cand["NIK"].n_unique(),
      "| ranks 1..n:", sorted(cand["rank"].to_list()) == list(range(1, cand.height + 1)))
# ranking: disability first, then desil (null last), then kelurahan, then name
rk = cand.sort("rank").with_columns(d0=~pl.col("disabilitas"), ds=pl.col("desil").fill_null(11))
viol = rk.with_columns(prev_d0=pl.col("d0").shift(), prev_ds=pl.col("ds").shift()).filter(
    (pl.col("d0") < pl.col("prev_d0")) | ((pl.col("d0") == pl.col("prev_d0")) & (pl.col("ds") < pl.col("prev_ds"))))
print("  rank order violations (disability, desil):", viol.height)
# desil agreement with truth (a resident's own welfare desil)
dchk = cand.select("NIK", "desil").join(res_t.select("NIK", pl.col("desil").alias("true_desil")), on="NIK").with_columns(
    pl.col("true_desil").replace(0, None))
print("  desil agreement: equal", dchk.filter(pl.col("desil") == pl.col("true_desil")).height,
      "| pipeline null, truth has", dchk.filter(pl.col("desil").is_null() & pl.col("true_desil").is_not_null()).height,
      "| pipeline has, truth null", dchk.filter(pl.col("desil").is_not_null() & pl.col("true_desil").is_null()).height,
      "| differ", dchk.filter(pl.col("desil") != pl.col("true_desil")).height)
# disability agreement
dis = cand.select("NIK", "disabilitas").join(res_t.select("NIK", "disability"), on="NIK")
print("  disability flag disagreements:", dis.filter(pl.col("disabilitas") != pl.col("disability")).height)
# explanations of errors
rav = ra.select("NIK", pl.col("judgeable").alias("p_judge"), pl.col("informal").alias("p_inf"),
                pl.col("terlindungi").alias("p_prot"), pl.col("umur").alias("p_age"), "flags", "mungkin_terdaftar")
x = res_t.join(rav, on="NIK", how="left")
fp = x.filter(pl.col("NIK").is_in(list(pred - truth)))
fn = x.filter(pl.col("NIK").is_in(list(truth - pred)))


def cause_fp(r):
    if not r["judgeable"]:
        return "not judgeable in truth"
    if r["protected"]:
        return "protected in truth (its card not linked)"
    if not r["informal"]:
        return "not informal in truth"
    if not (18 <= r["age"] <= 65):
        return "age outside 18-65 in truth"
    return "other"


def cause_fn(r):
    if r["p_judge"] is None:
        return "not in resident_assessment"
    if not r["p_judge"]:
        return "not judged by pipeline: " + ",".join(f for f in (r["flags"] or []) if f.startswith(("occ", "tgl", "sex", "region", "nama")))
    if r["p_prot"]:
        return "pipeline: protected (another's card linked to them)"
    if not r["p_inf"]:
        return "pipeline: not informal"
    if r["p_age"] is not None and not (18 <= r["p_age"] <= 65):
        return "pipeline: age"
    return "other (held/verified/..)"


print("false candidates by cause:")
print(pl.DataFrame({"cause": [cause_fp(r) for r in fp.iter_rows(named=True)]}).group_by("cause").len() if fp.height else "none")
print("missed candidates by cause:")
print(pl.DataFrame({"cause": [cause_fn(r) for r in fn.iter_rows(named=True)]}).group_by("cause").len() if fn.height else "none")
if fp.height:
    # which cards left them unprotected
    cards = jp.filter(pl.col("true_nik").is_in(fp["NIK"].to_list()) & pl.col("protecting"))
    print("  their protecting cards: ", cards.group_by("nik_damage", "name_variant", "date_damage").len().sort("len", descending=True).head(15))
    print("  of the false candidates, marked mungkin_terdaftar:", fp.filter(pl.col("mungkin_terdaftar").is_not_null()).height)
# judgeable / informal / protected agreement over all residents
agree = x.filter(pl.col("accepted"))
print("judgeable: truth vs pipeline")
print(agree.group_by("judgeable", "p_judge").len().sort("judgeable", "p_judge"))
jm = agree.filter(pl.col("judgeable") != pl.col("p_judge"))
if jm.height:
    print(jm.group_by("occ_written", "judgeable", "p_judge").len().sort("len", descending=True).head(20))
im = agree.filter(pl.col("judgeable") & pl.col("p_judge") & (pl.col("informal") != pl.col("p_inf")))
print("informal disagreements among judgeable:", im.height)
if im.height:
    print(im.group_by("occ_written", "informal", "p_inf").len().sort("len", descending=True).head(20))
am = agree.filter(pl.col("date_ok") & (pl.col("age") != pl.col("p_age")))
print("age disagreements (valid dates):", am.height)
pm = agree.filter(pl.col("protected") != pl.col("p_prot"))
print("protected disagreements:", pm.group_by("protected", "p_prot").len())

# ------------------------------------------------------------------------------------------------
hdr("REPORTS")
kels = residents["kode_kel"].drop_nulls().unique().to_list()
gl = glob.glob(os.path.join(a.out, "gap_lists", a.period, "*.xlsx"))
glk = {os.path.basename(f)[:-5] for f in gl}
print(f"gap lists: {len(gl)} workbooks; kelurahan among residents {len(kels)}; without a list {len(set(kels) - glk)}; "
      f"lists for no resident kelurahan {len(glk - set(kels))}")
ck = cand.group_by("kode_kel").len()
print(f"kelurahan with candidates {ck.height}; without a workbook: {len(set(ck['kode_kel'].to_list()) - glk)}")
cov = os.path.join(a.out, "coverage", f"{a.period}.html")
print("coverage page:", cov, os.path.exists(cov), os.path.getsize(cov) if os.path.exists(cov) else "")
cbk = O(f"coverage_by_kelurahan/{a.period}.parquet")
print("coverage_by_kelurahan:", cbk.shape, "| columns:", cbk.columns)
tot = cbk.select(pl.col(c).sum() for c in ("pekerja", "terlindungi", "kandidat") if c in cbk.columns)
print(tot)
if {"pekerja", "terlindungi", "kandidat", "didaftarkan", "dikecualikan"} <= set(cbk.columns):
    bad = cbk.filter(pl.col("pekerja") != pl.col("terlindungi") + pl.col("didaftarkan") + pl.col("kandidat") + pl.col("dikecualikan"))
    print("kelurahan whose figures do not add up:", bad.height)
# truth: workers (informal, 18-65, judgeable) and protected among them
tw = res_t.filter(pl.col("judgeable") & pl.col("informal") & pl.col("age").is_between(18, 65))
print(f"truth: informal workers 18-65 {tw.height}, protected {tw['protected'].sum()}, candidates {tc.height}")
if a.dsn:
    import psycopg
    with psycopg.connect(a.dsn) as con:
        for q in ("select period, region, status, row_count, checksum is not null from bpjs.submission_batch order by id",
                  "select period, status, count(*) from bpjs.submission_candidate group by 1,2 order by 1,2",
                  "select count(*), count(distinct (nik, period)) from bpjs.submission_candidate"):
            print(q)
            for row in con.execute(q).fetchall():
                print("  ", row)
        nk = {r[0] for r in con.execute("select nik from bpjs.submission_candidate where period=%s and status='pending'", (a.period,)).fetchall()}
        print("pending NIKs equal to the candidate list:", nk == pred, len(nk), len(pred))
