"""A world generator independent of Lindungi's own (pipelines/generate.py), for held-out quality.

    .venv/bin/python bench/independent_world.py OUT_DIR N_RESIDENTS SEED

Written by a session helper from /work/shared/CONTRACT.md and DOMAIN.md alone, without reading
pipelines/generate.py, tests or the linker: its names, households, migrants, damage and error
rates are its own, so a linker tuned on the project's worlds is measured here on habits it has
not seen. bench/independent.py runs and scores it. Two kab/kota (Bontang 6474 and a Kutai Timur
6408); penduduk as semicolon CSV in Windows-1252, dtsen as XLSX under a title row, the roster as
Parquet; ground truth in OUT_DIR/truth/ (dtsen_truth.csv, roster_truth.csv: the true NIK and
the error kinds of each record; residents_truth.csv: who is a candidate for 2026-11).

Welfare and roster records' errors (per record): NIK 58% exact, 7% one digit wrong, 5% two
digits transposed, 4% truncated, 4% Excel-damaged, 10% blank, 4% a family member's, 3% spaced,
3% quoted, 2% serial 0000 (the roster re-rolls 40% of its damaged NIKs back to exact); name 45%
exact, 7% title, 4% degree, 6% MUHAMMAD/SITI/ABD variants, 6% old/new spelling, 5% a space lost,
10% typo, 5% order swapped, 4% a word dropped, 4% case, 4% BIN/BINTI; birth date 70% exact,
placeholders 01-01 5%, 01-07 3%, 31-12 2%, day/month swapped 5%, year off by 1-2 6%, blank 4%,
+-1/+-10 days 3%; 13% of welfare records at another address (some in the other kab/kota), 5%
without KODE_KEL; 8% of welfare and 10% of roster people absent from penduduk.
"""
import csv
import datetime as dt
import os
import random
import sys

import polars as pl
import xlsxwriter

OUT, N, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = random.Random(SEED)
PERIOD_START = dt.date(2026, 11, 1)
os.makedirs(os.path.join(OUT, "truth"), exist_ok=True)

# ---------------------------------------------------------------- regions
BONTANG = {
    "01": ["1001", "1002", "1003", "1004", "1005", "1006"],
    "02": ["1001", "1002", "1003", "1004", "1005", "1006"],
    "03": ["1001", "1002", "1003"],
}
KUTIM = {"06": ["2001", "2002", "2003", "1004"], "07": ["2001", "2002", "2005"]}  # Kutai Timur 64.08
KELS = []  # (prop, kab, kec, kel, weight)
for kec, kels in BONTANG.items():
    for k in kels:
        KELS.append(("64", "74", kec, k, 3))
for kec, kels in KUTIM.items():
    for k in kels:
        KELS.append(("64", "08", kec, k, 2))
KEL_W = [k[4] for k in KELS]
MIGRANT_PREFIX = {  # where a migrant's NIK was issued
    "jawa": ["357801", "357305", "337401", "330205", "350916", "320101"],
    "bugis": ["737101", "737305", "731701", "730801"],
    "banjar": ["637101", "637201", "630401"],
    "kutai": ["640201", "640301"],
    "tionghoa": ["357801", "317101", "647201"],
    "arab": ["357801", "737101"],
}
STREETS = ["JL. AHMAD YANI", "JL. MT HARYONO", "JL. BRIGJEN KATAMSO", "JL. KS TUBUN", "JL. PELABUHAN",
           "JL. PIPA GAS", "JL. DANAU TOBA", "JL. RUMBIA", "JL. CUMI-CUMI", "GG. SEJAHTERA", "JL. PADAT KARYA",
           "JL. POROS SANGATTA", "JL. YOS SUDARSO", "JL. KAPTEN PIERRE TENDEAN", "PERUM PKT", "JL. MERDEKA"]

# ---------------------------------------------------------------- names
ETH_W = {"jawa": 38, "bugis": 22, "banjar": 14, "kutai": 10, "tionghoa": 5, "arab": 5, "single": 6}
M = {
    "jawa": ["AGUS", "BAMBANG", "BUDI", "DWI", "EKO", "HERU", "JOKO", "SLAMET", "SUPARDI", "SUGENG", "TRI", "WAHYU",
             "YUDI", "PRIYO", "RUDI", "SURYO", "DJOKO", "SOEKARDI", "MUHAMMAD", "AHMAD", "ARIF", "DANANG", "GUNAWAN"],
    "bugis": ["ANDI", "MUHAMMAD", "BASO", "LA ODE", "AMIRUDDIN", "SYAMSUL", "ARFAH", "HASANUDDIN", "SUDIRMAN", "RUSLAN",
              "ABDUL", "IMRAN", "MAPPA", "ILHAM", "ASWAR", "DAENG"],
    "banjar": ["MUHAMMAD", "AHMAD", "RAHMADI", "ASRIANSYAH", "GUSTI", "FAHRUDDIN", "SYAHRANI", "ARBAIN", "NOORDIN",
               "HAMDAN", "MASRANI", "JUHRI", "ABDUL"],
    "kutai": ["AJI", "AWANG", "ERWIN", "JUMRI", "SAHRANI", "ZULKIFLI", "ADI", "HERMAN", "RUSDI", "MULYADI"],
    "tionghoa": ["HENDRA", "WILLY", "SUSANTO", "HARTONO", "KEVIN", "RICKY", "TJOA", "LIEM", "ANTHONY", "JOHAN", "ANDRÉ"],
    "arab": ["ABDUL", "MUHAMMAD", "SYARIF", "HUSEIN", "HASAN", "ALI", "UMAR", "SALIM", "FAISAL", "ZAINAL"],
}
F = {
    "jawa": ["SRI", "SITI", "DEWI", "ENDANG", "SUMARNI", "TUTIK", "WAHYUNI", "RINI", "YULIANI", "PONIYEM", "SUPARTI",
             "KARTINI", "NURUL", "DJUMIATI", "TJIPTANINGSIH", "RETNO", "ANI"],
    "bugis": ["SITTI", "ANDI", "HASNAH", "NURHAYATI", "ST.", "MARLINA", "RAHMAWATI", "JUMRIAH", "SAMSIAH", "HAJRAH",
              "NURLAELA", "FATMAWATI"],
    "banjar": ["NORHAYATI", "NORJANAH", "SYARIFAH", "GUSTI", "RAHMAH", "NOORLIANI", "HALIMAH", "MASITAH", "JAMILAH"],
    "kutai": ["DAYANG", "AJI", "RATNA", "ROSITA", "SALMAH", "YUSNIAR", "NURLIANA", "ERNA"],
    "tionghoa": ["LINDA", "MEILIANA", "SUSI", "LIANA", "JESSICA", "CHRISTINA", "LIEM", "WENNY", "IRENE"],
    "arab": ["FATIMAH", "AISYAH", "KHADIJAH", "ZAINAB", "SYARIFAH", "SALMA", "MARYAM", "NAJWA"],
}
LAST = {
    "jawa": ["SETIAWAN", "SUTRISNO", "PRASETYO", "WIBOWO", "HARTONO", "SUSANTO", "PURNOMO", "HIDAYAT", "SANTOSO",
             "RAHAYU", "LESTARI", "WULANDARI", "SULISTYOWATI", "SOEHARTO", "DJUNAEDI", "PRIYANTO", "NUGROHO",
             "KURNIAWAN", "SAPUTRA", "HANDAYANI", "PURWANTI"],
    "bugis": ["MAPPANGARA", "AMIR", "BADARUDDIN", "MUSTAFA", "HAMZAH", "SALEH", "RAHMAN", "NURDIN", "ARIFIN",
              "PATTAWARI", "DAENG MATTA", "MAKKASAU", "BASRI", "LATIF"],
    "banjar": ["NOOR", "ANSYARI", "HAMIDAN", "SYAHRIR", "BAHRUN", "RIDUAN", "ARSYAD", "MAHMUDAH", "FITRIANI",
               "HAYATI", "JAHRI", "ZAINI"],
    "kutai": ["KARTANEGARA", "SURYA", "IDRIS", "BACHTIAR", "RAHMAN", "HASAN", "ASMARA", "SAPUTRA"],
    "tionghoa": ["WIJAYA", "GUNAWAN", "TANUWIDJAJA", "HALIM", "SALIM", "KUSUMA", "SETIADI", "SWIE KING", "TJANDRA",
                 "LIMANTO", "SANTOSO"],
    "arab": ["AL HABSYI", "ASSEGAF", "BAFADAL", "ALATAS", "BASALAMAH", "AL KATIRI", "RAHMAN", "HIDAYATULLAH"],
}
SINGLE_M = ["SUPARMAN", "PAIMAN", "SUKIRNO", "WAGIMAN", "SAMIN", "TUKIMIN", "KASIM", "SAMSUDIN", "JUMADI", "MARJUKI",
            "SAHRUL", "RUSTAM", "SUTOYO", "SOEPRAPTO", "DJUMADI"]
SINGLE_F = ["PONIYEM", "WAGINAH", "SUMIYATI", "KASMINAH", "TUMINAH", "SARINAH", "SUPINAH", "JUMIATI", "MURNI",
            "SAMIATI", "NURHAYATI", "SOEMIATI", "DJUARIAH"]


def make_name(eth, sex):
    if eth == "single":
        return R.choice(SINGLE_M if sex == "L" else SINGLE_F)
    first = R.choice((M if sex == "L" else F)[eth])
    r = R.random()
    if r < 0.15:
        return first + " " + R.choice((M if sex == "L" else F)[eth]) + " " + R.choice(LAST[eth])
    if r < 0.85:
        n = first + " " + R.choice(LAST[eth])
        return n
    return first + " " + R.choice((M if sex == "L" else F)[eth])


# ---------------------------------------------------------------- occupations
INFORMAL_CODES = {8, 9, 10, 11, 14, 19, 20, 21, 22, 23, *range(24, 32), 32, 33, 34, 35, 36, 37, 38, 46, 81, 84, 88}
LABELS = {1: "BELUM/TIDAK BEKERJA", 2: "MENGURUS RUMAH TANGGA", 3: "PELAJAR/MAHASISWA", 4: "PENSIUNAN",
          5: "PEGAWAI NEGERI SIPIL (PNS)", 8: "PERDAGANGAN", 9: "PETANI/PEKEBUN", 10: "PETERNAK",
          11: "NELAYAN/PERIKANAN", 12: "INDUSTRI", 14: "TRANSPORTASI", 15: "KARYAWAN SWASTA", 16: "KARYAWAN BUMN",
          18: "KARYAWAN HONORER", 19: "BURUH HARIAN LEPAS", 20: "BURUH TANI/PERKEBUNAN",
          21: "BURUH NELAYAN/PERIKANAN", 23: "PEMBANTU RUMAH TANGGA", 26: "TUKANG BATU", 27: "TUKANG KAYU",
          30: "TUKANG JAHIT", 34: "PENATA RAMBUT", 35: "MEKANIK", 46: "JURU MASAK", 65: "GURU", 74: "PERAWAT",
          81: "SOPIR", 84: "PEDAGANG", 88: "WIRASWASTA", 89: "LAINNYA"}
ADULT_OCC = [(1, 6), (2, 14), (4, 2), (5, 4), (8, 5), (9, 5), (10, 1), (11, 4), (12, 1), (14, 2), (15, 16), (16, 3),
             (18, 2), (19, 8), (20, 3), (21, 2), (23, 1), (26, 2), (27, 2), (30, 1), (34, 1), (35, 1), (46, 1),
             (65, 2), (74, 1), (81, 3), (84, 4), (88, 8), (89, 2), ("TUKANG OJEK", 1), ("TUKANG PIJAT", 0.5),
             ("OJEK ONLINE", 0.5)]
OCC_VALUES = [o for o, _ in ADULT_OCC]
OCC_W = [w for _, w in ADULT_OCC]


def occ_text(code):
    """SIAK code or label, mixed forms"""
    if isinstance(code, str):
        return code if R.random() < 0.7 else code.title()
    r = R.random()
    if r < 0.45 or code not in LABELS:
        return str(code)
    lab = LABELS[code]
    if r < 0.55:
        lab = lab.replace("/", " / ")
    elif r < 0.65:
        lab = lab.title()
    return lab


def is_informal(code):
    if isinstance(code, str):
        return code.upper().startswith("TUKANG")
    return code in INFORMAL_CODES


def age_on(dob, ref=PERIOD_START):
    return ref.year - dob.year - ((ref.month, ref.day) < (dob.month, dob.day))


# ---------------------------------------------------------------- residents
residents = []  # dicts
used_nik = set()
serials = {}


def new_nik(prefix, dob, sex):
    d = dob.day + (40 if sex == "P" else 0)
    base = f"{prefix}{d:02d}{dob.month:02d}{dob.year % 100:02d}"
    s = serials.get(base, R.randint(1, 40))
    while True:
        s += 1 if R.random() < 0.7 else R.randint(2, 9)
        nik = f"{base}{s:04d}"
        if nik not in used_nik:
            serials[base] = s
            used_nik.add(nik)
            return nik


def rand_dob(lo, hi):
    y = R.randint(lo, hi)
    start = dt.date(y, 1, 1)
    return start + dt.timedelta(days=R.randint(0, 364))


kk_counter = 0
while len(residents) < N:
    kk_counter += 1
    kel = R.choices(KELS, KEL_W)[0]
    prop, kab, kec, nkel, _ = kel
    eth = R.choices(list(ETH_W), list(ETH_W.values()))[0]
    migrant = eth != "kutai" and R.random() < 0.55
    reg_prefix = prop + kab + kec
    issued = R.choice(MIGRANT_PREFIX.get(eth, ["357801"])) if migrant else reg_prefix
    kk = f"{reg_prefix}{R.randint(1, 28):02d}{R.randint(1, 12):02d}{R.randint(5, 25):02d}{kk_counter % 10000:04d}"
    addr = f"{R.choice(STREETS)} NO. {R.randint(1, 150)}"
    rt, rw = f"{R.randint(1, 45):03d}", f"{R.randint(1, 12):03d}"
    members = []
    head_dob = rand_dob(1950, 2003)
    size = R.choices([1, 2, 3, 4, 5, 6], [8, 14, 22, 28, 18, 10])[0]
    members.append(("L" if R.random() < 0.88 else "P", head_dob, "KEPALA"))
    if size >= 2:
        members.append(("P" if members[0][0] == "L" else "L", head_dob + dt.timedelta(days=R.randint(-3000, 2500)),
                        "ISTRI"))
    twins_done = False
    for _ in range(size - 2):
        cdob = head_dob + dt.timedelta(days=R.randint(19 * 365, 40 * 365))
        if cdob > dt.date(2026, 6, 1):
            cdob = dt.date(2026, 6, 1) - dt.timedelta(days=R.randint(0, 8000))
        members.append(("L" if R.random() < 0.5 else "P", cdob, "ANAK"))
        if not twins_done and R.random() < 0.06:
            twins_done = True
            members.append(("L" if R.random() < 0.5 else "P", cdob, "ANAK_KEMBAR"))
    family_last = R.choice(LAST.get(eth, ["SAPUTRA"])) if eth != "single" else None
    fam_ids = []
    for sex, dob, role in members:
        if len(residents) >= N:
            break
        name = make_name(eth, sex)
        if family_last and role.startswith("ANAK") and R.random() < 0.4 and eth in ("tionghoa", "arab", "bugis"):
            name = name.split()[0] + " " + family_last
        if role == "ANAK_KEMBAR":
            prev = residents[-1]["name"].split()
            name = " ".join([make_name(eth, sex).split()[0]] + prev[1:]) if len(prev) > 1 else make_name(eth, sex)
        nik_prefix = issued if (migrant and R.random() < 0.85) else reg_prefix
        nik_dob = dob
        nikdate_differs = R.random() < 0.02
        if nikdate_differs:
            nik_dob = dob + dt.timedelta(days=R.randint(-400, 400))
        nik = new_nik(nik_prefix, nik_dob, sex)
        age = age_on(dob)
        if age < 15:
            occ = R.choice([1, 3]) if age >= 5 else 1
        elif age < 22 and R.random() < 0.5:
            occ = 3
        elif age > 66 and R.random() < 0.6:
            occ = R.choice([1, 4, 2])
        else:
            occ = R.choices(OCC_VALUES, OCC_W)[0]
            if sex == "P" and R.random() < 0.3:
                occ = 2
        dis = ""
        if R.random() < 0.015:
            dis = R.choice(["1", "2", "3", "4", "CACAT FISIK", "6"])
        else:
            dis = R.choice(["", "", "", "0", "TIDAK", "7"])
        title = ""
        if age > 30 and R.random() < 0.06:
            title = R.choice(["H. ", "HJ. " if sex == "P" else "H. ", "DRS. ", "IR. ", "DR. "])
        suffix = ""
        if age > 24 and R.random() < 0.04:
            suffix = R.choice([", S.PD", ", S.E", ", S.H", ", A.MD", ", S.KOM"])
        residents.append(dict(
            nik=nik, kk=kk, name=name, pname=(title + name + suffix), sex=sex, dob=dob, eth=eth, occ=occ,
            dis=dis, prop=prop, kab=kab, kec=kec, kel=nkel, addr=addr, rt=rt, rw=rw, role=role,
            family=kk_counter, status="ok", place=R.choice(["BONTANG", "SAMARINDA", "SURABAYA", "MAKASSAR",
                                                            "BANJARMASIN", "TENGGARONG", "SANGATTA", "BONE"]),
            nikdate_differs=nikdate_differs))
        fam_ids.append(len(residents) - 1)

# penduduk damage (resident status != ok -> not an accepted resident / not judgeable)
for r in residents:
    x = R.random()
    if x < 0.002:
        r["status"] = "excel"  # quarantined
    elif x < 0.003:
        r["status"] = "dob_invalid"  # kept, flagged, not judgeable
    elif x < 0.004:
        r["status"] = "dob_missing"
# pairs sharing a NIK (both quarantined)
for _ in range(max(1, N // 3000)):
    a, b = R.sample(range(len(residents)), 2)
    residents[b]["nik"] = residents[a]["nik"]
    residents[a]["status"] = residents[b]["status"] = "dupnik"
exact_dupes = R.sample(range(len(residents)), max(1, N // 2000))
accepted = {r["nik"]: r for r in residents if r["status"] not in ("excel", "dupnik")}
# person lookup by index
nik_to_idx = {r["nik"]: i for i, r in enumerate(residents) if r["status"] not in ("excel", "dupnik")}


# ---------------------------------------------------------------- writing helpers
def fmt_date(d, style=None):
    style = style or R.choices(["dmy", "iso", "slash"], [6, 2, 2])[0]
    if style == "dmy":
        return d.strftime("%d-%m-%Y")
    if style == "iso":
        return d.isoformat()
    return d.strftime("%d/%m/%Y")


def sex_text(s):
    return R.choice({"L": ["LAKI-LAKI", "LAKI-LAKI", "L", "1"], "P": ["PEREMPUAN", "PEREMPUAN", "P", "2"]}[s])


def strip0(code):
    return str(int(code)) if R.random() < 0.5 else code


rows = []
for i, r in enumerate(residents):
    nik = r["nik"]
    if r["status"] == "excel":
        nik = f"{int(nik) / 1e15:.5f}".rstrip("0") + "E+15"
    elif R.random() < 0.03:
        nik = "'" + nik
    dob = fmt_date(r["dob"])
    if r["status"] == "dob_invalid":
        dob = f"31-02-{r['dob'].year}"
    elif r["status"] == "dob_missing":
        dob = ""
    rows.append([nik, r["kk"], r["pname"] if R.random() < 0.9 else r["pname"].title(), r["place"], dob,
                 sex_text(r["sex"]), R.choice(["KAWIN", "BELUM KAWIN", "2", "1"]), occ_text(r["occ"]), r["dis"],
                 r["addr"], r["rt"], r["rw"], r["prop"], r["kab"], strip0(r["kec"]), strip0(r["kel"]),
                 R.choice(["ISLAM", "KRISTEN", "KATHOLIK", "BUDHA"])])
for i in exact_dupes:
    rows.append(list(rows[i]))
R.shuffle(rows)
with open(os.path.join(OUT, "penduduk.csv"), "w", encoding="cp1252", newline="") as fh:
    w = csv.writer(fh, delimiter=";")
    w.writerow(["NIK", "NO_KK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "JENIS_KLMIN", "STAT_KWN", "JENIS_PKRJN",
                "PNYDNG_CCT", "ALAMAT", "NO_RT", "NO_RW", "NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL", "AGAMA"])
    w.writerows(rows)

# ---------------------------------------------------------------- error model for dtsen / roster
OLD = [("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("Y", "J"), ("KH", "CH"), ("SY", "SJ"), ("NY", "NJ")]
NEW_FROM_OLD = [("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("NJ", "NY"), ("CH", "KH")]
ABBR = {"MUHAMMAD": ["M.", "MUH", "MOH", "MOCH", "MUHAMAD", "MHD"], "SITI": ["SITTI", "ST."], "SITTI": ["SITI"],
        "ABDUL": ["ABD", "ABD."], "AHMAD": ["ACHMAD", "AHMAD"]}


def typo(s):
    if len(s) < 4:
        return s
    i = R.randint(1, len(s) - 2)
    k = R.random()
    if s[i] == " ":
        return s
    if k < 0.4:
        return s[:i] + R.choice("AIUEONRSTMK") + s[i + 1:]
    if k < 0.7:
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]


def name_variant(name):
    """returns (variant, kind)"""
    x = R.random()
    words = name.split()
    if x < 0.45:
        return name, "exact"
    if x < 0.52:
        return R.choice(["H. ", "HJ. ", "DRS. ", "IR. ", "DR. ", "BPK. ", "IBU "]) + name, "title"
    if x < 0.56:
        return name + R.choice([", S.PD", " S.PD", ", S.E.", " SH", ", A.MD"]), "degree"
    if x < 0.62:
        for w in words:
            if w in ABBR:
                return " ".join(R.choice(ABBR[w]) if ww == w else ww for ww in words), "abbrev"
        return typo(name), "typo"
    if x < 0.68:
        if any(o in name for o, _ in NEW_FROM_OLD):
            for o, n in NEW_FROM_OLD:
                if o in name:
                    return name.replace(o, n, 1), "spelling"
        for n, o in OLD[:3]:
            if n in name:
                return name.replace(n, o, 1), "spelling"
        return typo(name), "typo"
    if x < 0.73 and len(words) >= 2:
        return "".join(words[:2]) + (" " + " ".join(words[2:]) if len(words) > 2 else ""), "nospace"
    if x < 0.83:
        return typo(name), "typo"
    if x < 0.88 and len(words) >= 2:
        return " ".join(words[1:] + words[:1]), "swap"
    if x < 0.92 and len(words) >= 2:
        return words[0] if len(words[0]) > 3 else " ".join(words[:2]), "dropword"
    if x < 0.96:
        return name.lower() if R.random() < 0.5 else name.title(), "case"
    return name + R.choice([" BIN ", " BINTI "]) + R.choice(SINGLE_M), "bin"


def dob_variant(dob):
    x = R.random()
    if x < 0.70:
        return dob, "exact"
    if x < 0.75:
        return dob.replace(month=1, day=1), "placeholder_0101"
    if x < 0.78:
        return dob.replace(month=7, day=1), "placeholder_0107"
    if x < 0.80:
        return dob.replace(month=12, day=31), "placeholder_3112"
    if x < 0.85 and dob.day <= 12 and dob.day != dob.month:
        return dob.replace(month=dob.day, day=dob.month), "dm_swap"
    if x < 0.91:
        try:
            return dob.replace(year=dob.year + R.choice([-1, 1, -2, 2])), "year_off"
        except ValueError:
            return dob, "exact"
    if x < 0.95:
        return None, "blank"
    if x < 0.98:
        return dob + dt.timedelta(days=R.choice([-1, 1, -10, 10])), "day_off"
    return dob, "exact"


def excel(nik):
    return f"{int(nik) / 1e15:.5f}".rstrip("0") + "E+15"


def nik_variant(r):
    nik = r["nik"]
    x = R.random()
    if x < 0.58:
        return nik, "exact"
    if x < 0.65:
        i = R.randint(6, 15)  # a digit in the date/serial part
        d = str((int(nik[i]) + R.randint(1, 9)) % 10)
        return nik[:i] + d + nik[i + 1:], "one_digit"
    if x < 0.70:
        i = R.randint(6, 14)
        if nik[i] == nik[i + 1]:
            i = 12
        return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:], "transposed"
    if x < 0.74:
        return (nik[:15] if R.random() < 0.6 else nik[:14]), "truncated"
    if x < 0.78:
        return excel(nik), "excel"
    if x < 0.88:
        return "", "blank"
    if x < 0.92:
        fam = [o for o in residents_by_family.get(r["family"], []) if o["nik"] != nik]
        if fam:
            return R.choice(fam)["nik"], "family_nik"
        return "", "blank"
    if x < 0.95:
        return nik[:4] + " " + nik[4:8] + " " + nik[8:12] + " " + nik[12:], "spaced"
    if x < 0.98:
        return "'" + nik, "quoted"
    return nik[:-4] + "0000" if R.random() < 0.5 else nik, "serial0000"


residents_by_family = {}
for r in residents:
    residents_by_family.setdefault(r["family"], []).append(r)


def fake_person():
    eth = R.choices(list(ETH_W), list(ETH_W.values()))[0]
    sex = R.choice("LP")
    dob = rand_dob(1955, 2006)
    prefix = R.choice(MIGRANT_PREFIX.get(eth, ["357801"]) + ["647401", "647402", "640806"])
    d = dob.day + (40 if sex == "P" else 0)
    while True:
        nik = f"{prefix}{d:02d}{dob.month:02d}{dob.year % 100:02d}{R.randint(1, 3000):04d}"
        if nik not in used_nik:
            used_nik.add(nik)
            break
    return dict(nik=nik, kk="", name=make_name(eth, sex), sex=sex, dob=dob, family=-1, status="absent",
                prop="64", kab="74", kec="01", kel="1001", addr=f"{R.choice(STREETS)} NO. {R.randint(1, 150)}",
                rt=f"{R.randint(1, 45):03d}", rw=f"{R.randint(1, 12):03d}")


def truth_nik(r):
    return r["nik"] if r["status"] not in ("excel", "dupnik", "absent") else ""


# ---------------------------------------------------------------- dtsen
dt_rows, dt_truth = [], []
fam_desil = {}
families = list(residents_by_family)
welfare_fams = set(R.sample(families, int(len(families) * 0.38)))
people = [r for r in residents if r["family"] in welfare_fams]
absent = [fake_person() for _ in range(int(len(people) * 0.08))]
for i, r in enumerate(absent):
    r["family"] = -100 - i
dup_welfare = R.sample(people, int(len(people) * 0.02))
idn = 0
for r in people + absent + dup_welfare:
    if r["family"] not in fam_desil:
        fam_desil[r["family"]] = R.choices(range(1, 11), [14, 14, 13, 12, 11, 10, 9, 7, 6, 4])[0]
    idn += 1
    id_dtsen = f"DTSEN{SEED:02d}{idn:08d}"
    nik, nk = nik_variant(r) if r["status"] != "absent" else (r["nik"] if R.random() < 0.7 else "", "absent")
    name, nmk = name_variant(r["name"])
    dob, dk = dob_variant(r["dob"])
    moved = R.random() < 0.13
    if moved:
        k = R.choices(KELS, KEL_W)[0]
        kode = "".join(k[:4])
        alamat = f"{R.choice(STREETS)} NO. {R.randint(1, 150)} RT {R.randint(1, 45):03d} RW {R.randint(1, 12):03d}"
    else:
        kode = r["prop"] + r["kab"] + r["kec"] + r["kel"]
        alamat = f"{r['addr']} RT {r['rt']} RW {r['rw']}" if R.random() < 0.7 else r["addr"]
    if R.random() < 0.05:
        kode = ""
    dob_out = "" if dob is None else fmt_date(dob, R.choice(["dmy", "iso", "slash", "dmy"]))
    dt_rows.append([id_dtsen, nik, r["kk"] if R.random() < 0.8 else "", name, dob_out,
                    sex_text(r["sex"]) if R.random() < 0.9 else "", alamat, kode, str(fam_desil[r["family"]])])
    dt_truth.append(dict(ID_DTSEN=id_dtsen, true_nik=truth_nik(r), nik_err=nk, name_err=nmk, dob_err=dk,
                         moved=moved, kode_blank=(kode == ""), twin=(r.get("role") == "ANAK_KEMBAR" or any(
                             o.get("role") == "ANAK_KEMBAR" and o["dob"] == r["dob"] for o in
                             residents_by_family.get(r["family"], []))),
                         status=r["status"], desil=fam_desil[r["family"]]))
order = list(range(len(dt_rows)))
R.shuffle(order)
wb = xlsxwriter.Workbook(os.path.join(OUT, "dtsen.xlsx"), {"constant_memory": True})
ws = wb.add_worksheet("DTSEN")
ws.write_row(0, 0, ["Data Tunggal Sosial Ekonomi Nasional - ekstrak Kaltim"])
hdr = ["ID_DTSEN", "NIK", "NO_KK", "NAMA", "TGL_LHR", "JENIS_KLMIN", "ALAMAT", "KODE_KEL", "DESIL"]
ws.write_row(2, 0, hdr)
for j, i in enumerate(order):
    row = dt_rows[i]
    for c, v in enumerate(row):
        if c == 8 and R.random() < 0.5:
            ws.write_number(3 + j, c, int(v))
        else:
            ws.write_string(3 + j, c, v)
wb.close()
pl.DataFrame(dt_truth).write_csv(os.path.join(OUT, "truth", "dtsen_truth.csv"))

# ---------------------------------------------------------------- roster
ro_rows, ro_truth = [], []
kpj_used = set()


def new_kpj():
    while True:
        k = str(R.randint(10**10, 10**11 - 1))
        if k not in kpj_used:
            kpj_used.add(k)
            return k


protected = set()
workers = [r for r in residents if 17 <= age_on(r["dob"]) <= 70 and r["occ"] not in (1, 2, 3)]
roster_people = []
for r in workers:
    p = 0.55 if r["occ"] in (5, 15, 16, 18, 65, 74) else 0.30 if is_informal(r["occ"]) else 0.2
    if R.random() < p:
        roster_people.append(r)
absent_ro = [fake_person() for _ in range(int(len(roster_people) * 0.10))]
for r in roster_people + absent_ro:
    recs = []
    formal = r.get("occ") in (5, 15, 16, 18, 65, 74, 12)
    if formal:
        recs.append(("PU", "AKTIF" if R.random() < 0.85 else "NONAKTIF", "JKK,JKM,JHT,JP"))
    else:
        x = R.random()
        if x < 0.55:
            recs.append(("BPU", "AKTIF", R.choice(["JKK,JKM", "JKK, JKM", "JKK,JKM,JHT"])))
        elif x < 0.75:
            recs.append(("BPU", "NONAKTIF", "JKK,JKM"))
        elif x < 0.85:
            recs.append(("BPU", "AKTIF", R.choice(["JKK", "JHT", "JKM"])))  # not fully protected
        elif x < 0.93:
            recs.append(("JAKON", "AKTIF", "JKK,JKM"))
        else:
            recs.append(("PMI", "NONAKTIF", "JKK,JKM,JHT"))
    if R.random() < 0.08:  # an older lapsed card too
        recs.append(("BPU", "NONAKTIF", "JKK,JKM"))
    for seg, st, prog in recs:
        kpj = new_kpj()
        nik, nk = nik_variant(r) if r["status"] != "absent" else (r["nik"] if R.random() < 0.8 else "", "absent")
        # roster tends to be cleaner on NIK; re-roll once toward exact
        if nk not in ("exact", "absent") and R.random() < 0.4:
            nik, nk = r["nik"], "exact"
        name, nmk = name_variant(r["name"])
        dob, dk = dob_variant(r["dob"])
        blth = f"{R.choice([2025, 2026])}-{R.randint(1, 12):02d}" if st == "NONAKTIF" else "2026-10"
        ro_rows.append(dict(KPJ=kpj, NIK=nik, NAMA=name, TGL_LHR=dob, SEGMEN=seg, STATUS=st, PROGRAM=prog,
                            BLTH_AKHIR_IURAN=blth))
        ro_truth.append(dict(KPJ=kpj, true_nik=truth_nik(r), nik_err=nk, name_err=nmk, dob_err=dk,
                             status=r["status"], aktif_jkkjkm=(st == "AKTIF" and "JKK" in prog and "JKM" in prog)))
        if st == "AKTIF" and "JKK" in prog and "JKM" in prog and truth_nik(r):
            protected.add(r["nik"])
R.shuffle(ro_rows)
ro = pl.DataFrame(ro_rows, schema={"KPJ": pl.Utf8, "NIK": pl.Utf8, "NAMA": pl.Utf8, "TGL_LHR": pl.Date,
                                   "SEGMEN": pl.Utf8, "STATUS": pl.Utf8, "PROGRAM": pl.Utf8,
                                   "BLTH_AKHIR_IURAN": pl.Utf8})
ro.write_parquet(os.path.join(OUT, "peserta_bpjstk.parquet"))
pl.DataFrame(ro_truth).write_csv(os.path.join(OUT, "truth", "roster_truth.csv"))

# ---------------------------------------------------------------- residents truth
res_truth = []
for r in residents:
    if r["status"] in ("excel", "dupnik"):
        continue
    age = age_on(r["dob"])
    judge = r["status"] == "ok"
    cand = judge and 18 <= age <= 65 and is_informal(r["occ"]) and r["nik"] not in protected
    res_truth.append(dict(NIK=r["nik"], candidate=cand, age=age, occ=str(r["occ"]), informal=is_informal(r["occ"]),
                          protected=r["nik"] in protected, status=r["status"], eth=r["eth"],
                          twin=r["role"] == "ANAK_KEMBAR", nikdate_differs=r["nikdate_differs"]))
pl.DataFrame(res_truth).write_csv(os.path.join(OUT, "truth", "residents_truth.csv"))
print(f"residents {len(residents)} penduduk rows {len(rows)} dtsen {len(dt_rows)} roster {len(ro_rows)} "
      f"candidates {sum(x['candidate'] for x in res_truth)}")
