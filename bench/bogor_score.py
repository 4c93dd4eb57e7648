#!/usr/bin/env python3
"""Score a `lindungi run` of a bench/bogor_world.py world against its truth, with the errors by cause.

    .venv/bin/python bench/bogor_score.py WORLD/ OUT/      (both with their trailing slash)
"""
import sys
from collections import Counter

import pandas as pd

W, O = sys.argv[1], sys.argv[2]
T = W + '/truth/'


def mask(n):
    n = '' if n is None or (isinstance(n, float)) else str(n)
    return (n[:6] + '******' + n[-4:]) if len(n) >= 10 else ('<' + str(len(n)) + ' chars>')


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0
    r = tp / (tp + fn) if tp + fn else 0
    return p, r, (2 * p * r / (p + r) if p + r else 0)


res = pd.read_csv(T + 'residents_truth.csv', dtype={'nik': str, 'kel': str})
res_by_nik = res.set_index('nik')
pid2nik = dict(zip(res.pid, res.nik))


def score_links(kind, idcol, truthf, linksf):
    tr = pd.read_csv(T + truthf, dtype=str, keep_default_na=False).drop_duplicates(idcol)
    lk = pd.read_parquet(O + linksf)
    m = tr.merge(lk, on=idcol, how='left', indicator=True)
    missing = (m._merge == 'left_only').sum()
    m = m[m._merge == 'both'].copy()
    m['NIK'] = m['NIK'].fillna('')
    tn = m.true_nik
    ln = m.NIK
    tp = ((ln != '') & (ln == tn)).sum()
    fp = ((ln != '') & (ln != tn)).sum()            # linked to the wrong person or linked when none
    fn = ((tn != '') & (ln != tn)).sum()            # true person not found (includes wrong links)
    p, r, f = prf(tp, fp, fn)
    print(f"\n=== {kind}: {len(m)} scored ({missing} truth rows absent from links) ===")
    print(f"TP {tp} FP {fp} FN {fn}  precision {p:.4f} recall {r:.4f} F1 {f:.4f}")
    m['outcome'] = 'ok'
    m.loc[(tn == '') & (ln != ''), 'outcome'] = 'linked_nonresident'
    m.loc[(tn != '') & (ln != '') & (ln != tn), 'outcome'] = 'wrong_person'
    m.loc[(tn != '') & (ln == ''), 'outcome'] = 'missed'
    m.loc[(tn == '') & (ln == ''), 'outcome'] = 'ok_none'
    print(m.outcome.value_counts().to_string())
    print('by method:\n', pd.crosstab(m.method, m.outcome).to_string())
    for oc in ['wrong_person', 'linked_nonresident', 'missed']:
        s = m[m.outcome == oc]
        if not len(s):
            continue
        print(f'\n-- {oc}: {len(s)}; nik_kind:', dict(Counter(s.nik_kind).most_common(8)))
        print('   name_kind:', dict(Counter(s.name_kind).most_common(8)))
        print('   dob_kind:', dict(Counter(s.dob_kind).most_common(8)))
        print('   flags:', dict(Counter(s['flags']).most_common(8)))
        if 'moved' in s:
            print('   moved:', dict(Counter(s.moved)))
    return m


wm = score_links('WELFARE', 'ID_DTSEN', 'dtsen_truth.csv', 'welfare_links.parquet')
pm = score_links('ROSTER', 'KPJ', 'roster_truth.csv', 'participant_links.parquet')
wm.to_parquet(O + 'welfare_scored.parquet')  # each record with its truth and outcome, beside the run
pm.to_parquet(O + 'roster_scored.parquet')

# ----- candidates
cand = pd.read_parquet(O + 'enrollment_candidates/2026-11.parquet')
cs = set(cand.NIK)
acc = res[res.accepted]
tset = set(acc.nik[acc.candidate])
tjs = set(acc.nik[acc.candidate_judgeable])
tp = len(cs & tset)
print(f"\n=== CANDIDATES: predicted {len(cs)}, true {len(tset)} (judgeable {len(tjs)}) ===")
p, r, f = prf(tp, len(cs - tset), len(tset - cs))
print(f"vs strict truth: TP {tp} FP {len(cs - tset)} FN {len(tset - cs)} P {p:.4f} R {r:.4f} F1 {f:.4f}")
tp2 = len(cs & tjs)
p, r, f = prf(tp2, len(cs - tjs), len(tjs - cs))
print(f"vs judgeable truth: TP {tp2} FP {len(cs - tjs)} FN {len(tjs - cs)} P {p:.4f} R {r:.4f} F1 {f:.4f}")
