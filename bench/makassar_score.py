#!/usr/bin/env python3
"""Score a `lindungi run` of a bench/makassar_world.py world against its truth.

    .venv/bin/python bench/makassar_score.py WORLD OUT [--detail]

Prints TP/FP/FN and P/R/F1 for welfare_links, participant_links and enrollment_candidates (against the
full truth and the judgeable truth), the read = accepted + quarantined check, quarantine reasons, and
(with --detail) an error classification with masked examples.
"""
import sys
from collections import Counter

import polars as pl

WORLD, OUT = sys.argv[1], sys.argv[2]
DETAIL = '--detail' in sys.argv
PERIOD = '2026-11'


def mask(n):
    if n is None or n == '':
        return '-'
    n = str(n)
    return n[:6] + '******' + n[-4:] if len(n) >= 10 else '*' * len(n)


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def show(label, tp, fp, fn):
    p, r, f = prf(tp, fp, fn)
    print(f'{label:<38} TP {tp:>7,}  FP {fp:>6,}  FN {fn:>6,}   P {p:.4f}  R {r:.4f}  F1 {f:.4f}')


def read_csv(path):
    return pl.read_csv(path, infer_schema_length=0)


res = read_csv(f'{WORLD}/truth/residents_truth.csv')
dtt = read_csv(f'{WORLD}/truth/dtsen_truth.csv').with_columns(pl.col('true_nik').fill_null(''))
rot = read_csv(f'{WORLD}/truth/roster_truth.csv').with_columns(pl.col('true_nik').fill_null(''))

wl = pl.read_parquet(f'{OUT}/welfare_links.parquet')
pl_ = pl.read_parquet(f'{OUT}/participant_links.parquet')
cand = pl.read_parquet(f'{OUT}/enrollment_candidates/{PERIOD}.parquet')


def review(name, key):
    try:
        r = pl.read_parquet(f'{OUT}/{name}')
        return r.group_by(key).agg(pl.col('NIK').alias('rev_niks'))
    except Exception:
        return pl.DataFrame({key: [], 'rev_niks': []}, schema={key: pl.String, 'rev_niks': pl.List(pl.String)})


def score_links(truth, links, key, label, rev):
    j = truth.join(links.select(key, pl.col('NIK').alias('pred'), 'method', 'score'), on=key, how='left')
    j = j.with_columns(pl.col('pred').fill_null(''))
    missing_rows = j.filter(pl.col('method').is_null()).height
    tp = j.filter((pl.col('pred') != '') & (pl.col('pred') == pl.col('true_nik'))).height
    fp = j.filter((pl.col('pred') != '') & (pl.col('pred') != pl.col('true_nik'))).height
    fn = j.filter((pl.col('true_nik') != '') & (pl.col('pred') != pl.col('true_nik'))).height
    show(label, tp, fp, fn)
    if missing_rows:
        print(f'   !! {missing_rows} truth records have no row in the output')
    extra = links.height - truth.height
    if extra:
        print(f'   !! output has {links.height} rows, truth {truth.height}')
    j = j.join(rev, on=key, how='left')
    j = j.with_columns(
        pl.when((pl.col('pred') != '') & (pl.col('pred') == pl.col('true_nik'))).then(pl.lit('TP'))
        .when((pl.col('pred') != '') & (pl.col('true_nik') == '')).then(pl.lit('FP_outsider'))
        .when((pl.col('pred') != '') & (pl.col('pred') != pl.col('true_nik'))).then(pl.lit('WRONG'))
        .when((pl.col('pred') == '') & (pl.col('true_nik') != '')).then(pl.lit('MISSED'))
        .otherwise(pl.lit('TN')).alias('outcome'),
        pl.col('rev_niks').list.contains(pl.col('true_nik')).fill_null(False).alias('true_in_review'),
        pl.col('rev_niks').is_not_null().alias('in_review'),
    )
    # by method
    print('   by method:', dict(j.group_by('method', 'outcome').len().sort('method', 'outcome')
                               .select(pl.concat_str('method', 'outcome', separator='/'), 'len').iter_rows()))
    return j


print('=' * 100)
print('LINKS  (a link is right when its NIK equals the true NIK of an accepted resident; a link for a '
      'person not in penduduk is FP)')
wj = score_links(dtt, wl, 'ID_DTSEN', 'welfare_links', review('welfare_link_review.parquet', 'ID_DTSEN'))
rj = score_links(rot, pl_, 'KPJ', 'participant_links', review('participant_link_review.parquet', 'KPJ'))
# the linkable subset only (excluding persons not in penduduk) for reference
for j, label in ((wj, 'welfare_links (resident records)'), (rj, 'participant_links (resident records)')):
    s = j.filter(pl.col('true_nik') != '')
    show(label, s.filter(pl.col('outcome') == 'TP').height, s.filter(pl.col('outcome') == 'WRONG').height,
         s.filter(pl.col('outcome') != 'TP').height)
for j, label in ((wj, 'welfare'), (rj, 'roster')):
    o = j.filter(pl.col('true_nik') == '')
    print(f'   {label} records of persons not accepted in penduduk: {o.height:,}, linked anyway: '
          f'{o.filter(pl.col("pred") != "").height:,}')

# ------------------------------------------------------------------ candidates
print('=' * 100)
print('ENROLLMENT CANDIDATES', PERIOD)
out_niks = set(cand['NIK'].to_list())
truth_all = set(res.filter(pl.col('candidate') == 'True')['nik'].to_list())
truth_j = set(res.filter(pl.col('candidate_judgeable') == 'True')['nik'].to_list())
judgeable_pop = set(res.filter((pl.col('pend_status') == 'accepted') & ((pl.col('flags') == '') |
                                                                     pl.col('flags').is_null() |
                                                                     (pl.col('flags') == 'sex_blank')))['nik'].to_list())
tp = len(out_niks & truth_all)
show('candidates vs full truth', tp, len(out_niks - truth_all), len(truth_all - out_niks))
oj = out_niks & judgeable_pop
show('candidates vs judgeable truth', len(oj & truth_j), len(oj - truth_j), len(truth_j - out_niks))
print(f'   output candidates {len(out_niks):,} (of them outside the judgeable population: {len(out_niks - judgeable_pop)})')
if 'mungkin_terdaftar' in cand.columns:
    mt = cand.filter(pl.col('mungkin_terdaftar').is_not_null() & (pl.col('mungkin_terdaftar') > 0))
    ms = set(mt['NIK'].to_list())
    print(f'   flagged "mungkin_terdaftar" (possibly registered): {len(ms)}, of which truly protected (false '
          f'candidates): {len(ms - truth_all)}')
dups = cand.height - len(out_niks)
if dups:
    print(f'   !! {dups} duplicate NIKs among candidates')

# ------------------------------------------------------------------ read = accepted + quarantined
print('=' * 100)
print('READ = ACCEPTED + QUARANTINED')
summ = open(f'{WORLD}/truth/summary.txt').read().split('\n')
pend_rows = int(summ[0].split('penduduk data rows')[1])
for src, acc_f, n_truth in (('penduduk', 'residents', pend_rows + 2),
                            ('dtsen', 'welfare_records', dtt.height),
                            ('peserta_bpjstk', 'participants', rot.height)):
    acc = pl.read_parquet(f'{OUT}/{acc_f}.parquet').height
    q = pl.read_parquet(f'{OUT}/{src}_quarantine.parquet')
    print(f'   {src:<15} accepted {acc:>7,} + quarantined {q.height:>5,} = {acc + q.height:>7,};  rows in file '
          f'{n_truth:>7,} (penduduk: data rows + JUMLAH + Dicetak lines)  {"OK" if acc + q.height == n_truth else "MISMATCH"}')
    if q.height:
        rc = 'reason_code' if 'reason_code' in q.columns else 'reason'
        for k, v in q.group_by(rc).len().sort('len', descending=True).iter_rows():
            ex = q.filter(pl.col(rc) == k)['reason'][0]
            print(f'      {v:>5}  {k}: {ex[:150]}')
# expected penduduk quarantine
pq = pl.read_parquet(f'{OUT}/penduduk_quarantine.parquet')
exp = Counter(res['pend'].to_list())
print(f'   expected from truth: excel_nik {exp["excel_nik"]} (invalid), conflict {exp["conflict"]} x2 rows, '
      f'dup copies {exp["dup_exact"]}, footer 2')
resi = pl.read_parquet(f'{OUT}/residents.parquet')
flagc = Counter(f for fl in resi['flags'].to_list() for f in (fl or []))
print('   residents flags:', dict(flagc.most_common()))

if not DETAIL:
    sys.exit(0)

# ------------------------------------------------------------------ error classification
print('=' * 100)
print('ERROR CLASSES')
R = res.select('nik', 'pid', 'fam', 'twin_of', 'namesake', 'kel', 'name', 'dob', 'placeholder_dob', 'occ', 'age',
               'flags', 'pend_status', 'protected', 'candidate')
nik2 = {r['nik']: r for r in R.iter_rows(named=True)}
pid2 = {r['pid']: r for r in R.iter_rows(named=True)}


def relation(true_nik, pred):
    a, b = nik2.get(true_nik), nik2.get(pred)
    if b is None:
        return 'pred_not_resident'
    if a is None:
        return 'outsider->resident' + ('(same name+dob)' if False else '')
    if a['twin_of'] and a['twin_of'] == b['pid']:
        return 'twin'
    if a['fam'] == b['fam']:
        return 'same_family'
    if a['name'] == b['name'] and a['dob'] == b['dob']:
        return 'namesake_same_dob'
    if a['name'] == b['name']:
        return 'namesake'
    return 'unrelated'


def rel_pair_outsider(row):
    b = nik2.get(row['pred'])
    if b is None:
        return 'pred_not_resident'
    if row['shares_name_dob'] == 'True':
        return 'outsider_shares_name_dob'
    if row['person_nik'] == row['pred']:
        return 'same_nik(quarantined resident?)'
    return 'outsider_other'


def classify(j, label, extra_cols):
    print('-' * 100)
    print(label)
    w = j.filter(pl.col('outcome') == 'WRONG')
    rels = Counter(relation(r['true_nik'], r['pred']) for r in w.iter_rows(named=True))
    print(f'  WRONG links (resident linked to another resident): {w.height}  relation: {dict(rels.most_common())}')
    for col in ('method', 'nik_kind', 'name_kind', 'dob_kind') + extra_cols:
        print(f'     by {col}: {dict(Counter(w[col].to_list()).most_common(8))}')
    for r in w.head(3).iter_rows(named=True):
        print(f'     e.g. true {mask(r["true_nik"])} -> linked {mask(r["pred"])} ({r["method"]}, score {r["score"]:.2f}); '
              f'nik {r["nik_kind"]}, name {r["name_kind"]}, dob {r["dob_kind"]}; {relation(r["true_nik"], r["pred"])}')
    o = j.filter(pl.col('outcome') == 'FP_outsider')
    rels = Counter(rel_pair_outsider(r) for r in o.iter_rows(named=True))
    print(f'  FP links of persons not in penduduk: {o.height}  kind: {dict(Counter(o["in_penduduk"].to_list()))} '
          f'{dict(Counter(o["outsider"].to_list()))}  {dict(rels.most_common())}')
    for col in ('method', 'nik_kind'):
        print(f'     by {col}: {dict(Counter(o[col].to_list()).most_common(8))}')
    for r in o.head(3).iter_rows(named=True):
        print(f'     e.g. person {mask(r["person_nik"])} ({r["in_penduduk"]}/{r["outsider"]}) -> linked {mask(r["pred"])} '
              f'({r["method"]}, {r["score"]:.2f}); nik {r["nik_kind"]}, name {r["name_kind"]}, dob {r["dob_kind"]}; '
              f'{rel_pair_outsider(r)}')
    m = j.filter(pl.col('outcome') == 'MISSED')
    print(f'  MISSED links: {m.height}  true pair in review list: {m["true_in_review"].sum()}, record in review: '
          f'{m["in_review"].sum()}')
    for col in ('nik_kind', 'name_kind', 'dob_kind') + extra_cols:
        tot = Counter(j.filter(pl.col('true_nik') != '')[col].to_list())
        c = Counter(m[col].to_list())
        print(f'     by {col}: ' + ', '.join(f'{k} {v} ({100 * v / tot[k]:.0f}% of {tot[k]})' for k, v in c.most_common(9)))
    # damage combinations
    combo = Counter((r['nik_kind'] != 'exact', r['name_kind'] != 'exact', r['dob_kind'] != 'exact')
                    for r in m.iter_rows(named=True))
    print('     (nik damaged, name damaged, dob damaged):', dict(combo.most_common()))
    for r in m.head(3).iter_rows(named=True):
        print(f'     e.g. {mask(r["true_nik"])}: nik {r["nik_kind"]}, name {r["name_kind"]}, dob {r["dob_kind"]}'
              + ''.join(f', {c} {r[c]}' for c in extra_cols) + f', in review {r["true_in_review"]}')
    return w, o, m


classify(wj, 'WELFARE', ('moved', 'new_kk', 'excel_batch'))
classify(rj, 'ROSTER', ('segmen', 'card'))

# ------------------------------------------------------------------ candidate errors
print('-' * 100)
fc = out_niks - truth_all
mc = truth_all - out_niks
rl = rj  # roster truth joined with links
prot_by_pid = {}
for r in rl.filter(pl.col('protective') == 'True').iter_rows(named=True):
    prot_by_pid.setdefault(r['pid'], []).append(r)
kinds = Counter()
ex = {}
for n in fc:
    t = nik2.get(n)
    if t is None:
        k = 'not_a_resident_nik'
    elif t['protected'] == 'True':
        recs = prot_by_pid.get(t['pid'], [])
        fails = [r for r in recs if r['pred'] != n]
        if not fails:
            k = 'protected_but_linked?'
        else:
            r = fails[0]
            how = 'unlinked' if r['pred'] == '' else 'linked_elsewhere'
            dmg = [x for x in ('nik', 'name', 'dob') if r[f'{x}_kind'] != 'exact']
            k = f'protector {how}; damage {"+".join(dmg) or "none"}; nik {r["nik_kind"]}'
            if r['true_in_review']:
                k += ' (in review)'
    elif t['pend_status'] != 'accepted':
        k = 'quarantined resident'
    else:
        k = f'not eligible: age {t["age"]}, occ {t["occ"]}, flags {t["flags"]}'
    kinds[k] += 1
    ex.setdefault(k, []).append(n)
print(f'FALSE CANDIDATES: {len(fc)}')
for k, v in kinds.most_common(25):
    print(f'   {v:>5}  {k}   e.g. ' + ', '.join(mask(x) for x in ex[k][:2]))
# missed
linked_to = {}
for r in rl.filter(pl.col('pred') != '').iter_rows(named=True):
    linked_to.setdefault(r['pred'], []).append(r)
flags_out = {r['NIK']: r['flags'] for r in resi.select('NIK', 'flags').iter_rows(named=True)}
kinds = Counter()
ex = {}
for n in mc:
    t = nik2[n]
    if t['pend_status'] != 'accepted':
        k = 'penduduk row quarantined (' + res.filter(pl.col('nik') == n)['pend'][0] + ')'
    elif n not in flags_out:
        k = 'not in residents output'
    elif flags_out[n] and any(f in ('occupation_unknown', 'tgl_lhr_invalid', 'tgl_lhr_missing', 'tgl_lhr_future')
                              for f in flags_out[n]):
        k = 'not judged: ' + ','.join(sorted(flags_out[n]))
    else:
        lr = [r for r in linked_to.get(n, []) if r['protective'] == 'True' and r['true_nik'] != n]
        if lr:
            r = lr[0]
            k = ('protected by another person\'s card: ' + (r['in_penduduk'] if r['true_nik'] == '' else
                                                           relation(r['true_nik'], n)) +
                 f'; method {r["method"]}, nik {r["nik_kind"]}')
        else:
            k = 'other (flags %s)' % (','.join(flags_out[n] or []))
    kinds[k] += 1
    ex.setdefault(k, []).append(n)
print(f'MISSED CANDIDATES: {len(mc)}')
for k, v in kinds.most_common(25):
    print(f'   {v:>5}  {k}   e.g. ' + ', '.join(mask(x) for x in ex[k][:2]))
