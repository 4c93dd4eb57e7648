#!/usr/bin/env python3
"""A second held-out world generator (an outside tester's, 34th session), written from CONTRACT.md
and DOMAIN.md only, without reading Lindungi's code, tests or its own generator.

    .venv/bin/python bench/bogor_world.py OUT N SEED          # the session's figures: 200000 51
    .venv/bin/lindungi run --input OUT --period 2026-11 --out RUN
    .venv/bin/python bench/bogor_score.py OUT/ RUN/            # P/R/F1 of links and candidates

Habits (deliberately unlike bench/independent_world.py):
  * one kab/kota in another province: Kabupaten Bogor (32.01), 10 kecamatan, mostly desa (2xxx)
    with a few kelurahan (1xxx); same desa name in two kecamatan (CILEUNGSI, SUKAHATI, PABUARAN).
  * penduduk.csv: TAB-delimited UTF-8 *with BOM*, header names in odd case / padded with spaces,
    extra columns (NAMA_LGKP_IBU, STAT_HBKEL, AGAMA, KEC_NAME, KEL_NAME); NO_KAB/NO_KEC/NO_RT/NO_RW
    often with leading zeros lost; NIK/KK with leading apostrophe or zero-width / no-break spaces;
    dates in DD-MM-YYYY, YYYY-MM-DD, DD/MM/YYYY and Excel serial; sex in every form; occupation as
    SIAK code (sometimes zero padded), SIAK label (varied case / spacing around '/'), or local label
    (TUKANG OJEK, TUKANG PIJAT, TUKANG PARKIR) or unknown label; disability as code or text.
  * dtsen.parquet: typed Parquet (TGL_LHR date32, NO_KK float64, DESIL int64), NIK as text.
  * peserta_bpjstk.csv: comma CSV in Windows-1252 (curly apostrophes, accented letters, names with
    ", S.PD" quoted), roster names truncated at 30 characters, KPJ sometimes with leading zero.
  * Sundanese-majority names plus Javanese (mononyms, old spelling), Arabic-Muslim (MUHAMMAD/SITI),
    Batak (marga, BR), Bugis (ANDI, SITTI, MUH), Banjar (GUSTI, NOOR), Chinese-Indonesian (Hokkien
    order variants, TJ/OE/DJ), Balinese (I WAYAN / NI MADE); titles H./HJ./DRS./IR./, S.PD.
  * families on one KK, twins (same KK, same DOB, consecutive serial), namesakes (same name+DOB in
    other families), movers (DTSEN still at the old kelurahan / old KK), NIK issued elsewhere.
Truth in OUT/truth/: dtsen_truth.csv, roster_truth.csv, residents_truth.csv.
"""
import csv
import datetime as dt
import os
import random
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

OUT, N, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = random.Random(SEED)
P0 = dt.date(2026, 11, 1)
EXCEL0 = dt.date(1899, 12, 30)

# ---------------------------------------------------------------- regions (Kab. Bogor 32.01)
KEC = {
    '01': ('CIBINONG', [('1001', 'CIBINONG'), ('1002', 'KARADENAN'), ('1003', 'HARAPAN JAYA'), ('1004', 'NANGGEWER'),
                        ('1005', 'NANGGEWER MEKAR'), ('1006', 'PABUARAN'), ('1007', 'CIRIUNG'), ('1008', 'CIRIMEKAR'),
                        ('1009', 'SUKAHATI'), ('1010', 'TENGAH'), ('1011', 'PAKANSARI'), ('1012', 'PONDOK RAJEG')]),
    '02': ('GUNUNG PUTRI', [('2001', 'WANAHERANG'), ('2002', 'BOJONG KULUR'), ('2003', 'CIANGSANA'), ('2004', 'GUNUNG PUTRI'),
                            ('2005', 'BOJONG NANGKA'), ('2006', 'TLAJUNG UDIK'), ('2007', 'CICADAS'), ('2008', 'CIKEAS UDIK'),
                            ('2009', 'NAGRAK'), ('2010', 'KARANGGAN')]),
    '03': ('CITEUREUP', [('1001', 'PUSPANEGARA'), ('1002', 'KARANG ASEM BARAT'), ('2003', 'PUSPASARI'), ('2004', 'TAJUR'),
                         ('2005', 'SANJA'), ('2006', 'GUNUNG SARI'), ('2007', 'HAMBALANG'), ('2008', 'TARIKOLOT'),
                         ('2009', 'SUKAHATI'), ('2010', 'CITEUREUP'), ('2011', 'LEUWINUTUG'), ('2012', 'TANGKIL')]),
    '07': ('CILEUNGSI', [('2001', 'CILEUNGSI'), ('2002', 'CILEUNGSI KIDUL'), ('2003', 'LIMUS NUNGGAL'), ('2004', 'PASIR ANGIN'),
                         ('2005', 'MEKARSARI'), ('2006', 'GANDOANG'), ('2007', 'DAYEUH'), ('2008', 'CIPENJO'),
                         ('2009', 'JATISARI'), ('2010', 'SETU SARI'), ('2011', 'CIPEUCANG'), ('2012', 'MAMPIR')]),
    '13': ('BOJONG GEDE', [('1001', 'PABUARAN'), ('2002', 'BOJONG GEDE'), ('2003', 'BOJONG BARU'), ('2004', 'KEDUNG WARINGIN'),
                           ('2005', 'SUSUKAN'), ('2006', 'RAGAJAYA'), ('2007', 'WARINGIN JAYA'), ('2008', 'CIMANGGIS'),
                           ('2009', 'RAWA PANJANG')]),
    '14': ('LEUWILIANG', [('2001', 'LEUWILIANG'), ('2002', 'PURASARI'), ('2003', 'KAREHKEL'), ('2004', 'CIBEBER I'),
                          ('2005', 'CIBEBER II'), ('2006', 'PABANGBON'), ('2007', 'KARACAK'), ('2008', 'BARENGKOK')]),
    '24': ('CIAWI', [('2001', 'BANJARWANGI'), ('2002', 'BANJARSARI'), ('2003', 'BANJAR WARU'), ('2004', 'BITUNG SARI'),
                     ('2005', 'BOJONG MURNI'), ('2006', 'CIAWI'), ('2007', 'CILEUNGSI'), ('2008', 'CITAPEN'),
                     ('2009', 'PANDANSARI'), ('2010', 'TELUK PINANG')]),
    '25': ('CISARUA', [('1001', 'CISARUA'), ('2002', 'BATULAYANG'), ('2003', 'CIBEUREUM'), ('2004', 'CILEMBER'),
                       ('2005', 'CITEKO'), ('2006', 'JOGJOGAN'), ('2007', 'KOPO'), ('2008', 'LEUWIMALANG'),
                       ('2009', 'TUGU SELATAN'), ('2010', 'TUGU UTARA')]),
    '29': ('CIOMAS', [('1001', 'PADASUKA'), ('2002', 'CIOMAS'), ('2003', 'CIOMAS RAHAYU'), ('2004', 'KOTA BATU'),
                      ('2005', 'LALADON'), ('2006', 'MEKARJAYA'), ('2007', 'PAGELARAN'), ('2008', 'PARAKAN'),
                      ('2009', 'SUKAMAKMUR'), ('2010', 'SUKAHARJA')]),
    '30': ('DRAMAGA', [('2001', 'BABAKAN'), ('2002', 'BABAKAN DRAMAGA'), ('2003', 'CIHERANG'), ('2004', 'DRAMAGA'),
                       ('2005', 'NEGLASARI'), ('2006', 'PETIR'), ('2007', 'PURWASARI'), ('2008', 'SINARSARI'),
                       ('2009', 'SUKADAMAI'), ('2010', 'SUKAWENING')]),
}
KEC_W = {'01': 14, '02': 14, '03': 10, '07': 13, '13': 12, '14': 7, '24': 7, '25': 7, '29': 10, '30': 6}
KELS = [(k, c, n) for k, (_, ls) in KEC.items() for c, n in ls]
KELS_BY_KEC = {k: [(k, c, n) for c, n in ls] for k, (_, ls) in KEC.items()}
OUTSIDE = {  # NIK first issued elsewhere (real kab/kota codes)
    'bugis': ['737101', '737104', '737110'], 'banjar': ['637101', '637103'], 'batak': ['127101', '127105'],
    'jawa': ['337401', '337406', '357801', '357812'], 'cina': ['317303', '317306'],
    'other': ['327101', '327104', '327601', '327605', '317401', '317409'], 'bali': ['517101', '510301'],
}

# ---------------------------------------------------------------- occupations
OCC = {1: 'BELUM/TIDAK BEKERJA', 2: 'MENGURUS RUMAH TANGGA', 3: 'PELAJAR/MAHASISWA', 4: 'PENSIUNAN', 5: 'PNS',
       6: 'TNI', 7: 'POLRI', 8: 'PERDAGANGAN', 9: 'PETANI/PEKEBUN', 10: 'PETERNAK', 11: 'NELAYAN/PERIKANAN',
       12: 'INDUSTRI', 13: 'KONSTRUKSI', 14: 'TRANSPORTASI', 15: 'KARYAWAN SWASTA', 16: 'KARYAWAN BUMN',
       17: 'KARYAWAN BUMD', 18: 'KARYAWAN HONORER', 19: 'BURUH HARIAN LEPAS', 20: 'BURUH TANI/PERKEBUNAN',
       21: 'BURUH NELAYAN/PERIKANAN', 22: 'BURUH PETERNAKAN', 23: 'PEMBANTU RUMAH TANGGA', 24: 'TUKANG CUKUR',
       25: 'TUKANG LISTRIK', 26: 'TUKANG BATU', 27: 'TUKANG KAYU', 28: 'TUKANG SOL SEPATU',
       29: 'TUKANG LAS/PANDAI BESI', 30: 'TUKANG JAHIT', 31: 'TUKANG GIGI', 32: 'PENATA RIAS', 33: 'PENATA BUSANA',
       34: 'PENATA RAMBUT', 35: 'MEKANIK', 36: 'SENIMAN', 37: 'TABIB', 38: 'PARAJI', 45: 'USTADZ/MUBALIGH',
       46: 'JURU MASAK', 65: 'GURU', 72: 'DOKTER', 73: 'BIDAN', 74: 'PERAWAT', 79: 'PELAUT', 81: 'SOPIR',
       84: 'PEDAGANG', 85: 'PERANGKAT DESA', 88: 'WIRASWASTA', 89: 'LAINNYA'}
INFORMAL = {8, 9, 10, 11, 14, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 46, 81, 84, 88}
LOCAL = ['TUKANG OJEK', 'TUKANG PIJAT', 'TUKANG PARKIR', 'TUKANG SAYUR']      # informal, no SIAK code
UNKNOWN_OCC = ['OJOL', 'KURIR', 'PEDAGANG KELILING', '99', 'SERABUTAN']        # not in list, not TUKANG
WORK_W = [(15, 28), (88, 11), (19, 11), (84, 6), (8, 2.5), (9, 4), (20, 3), (81, 4), (26, 2), (27, 1.5), (30, 1),
          (14, 1.5), (35, 1), (13, 1), (12, 1.5), (5, 2), (65, 2), (6, .4), (7, .5), (18, 1.5), (16, 1), (17, .3),
          (46, .5), (23, 1), (34, .3), (32, .2), (10, .6), (11, .2), (21, .1), (22, .1), (24, .3), (25, .4), (28, .1),
          (29, .3), (31, .05), (33, .1), (36, .2), (37, .1), (38, .1), (89, 2), (74, .5), (73, .3), (72, .2),
          (85, .3), (45, .3), (79, .1), ('TUKANG OJEK', 1.6), ('TUKANG PIJAT', .3), ('TUKANG PARKIR', .3),
          ('TUKANG SAYUR', .2), ('UNK', .35)]
FORMAL = {5, 6, 7, 12, 13, 15, 16, 17, 18, 65, 72, 73, 74, 79, 85}


def wchoice(pairs):
    tot = sum(w for _, w in pairs)
    x = R.random() * tot
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def is_informal(occ):
    if isinstance(occ, int):
        return occ in INFORMAL
    return occ.upper().startswith('TUKANG')


# ---------------------------------------------------------------- names
S = str.split
SUN_M = S("ASEP UJANG DEDE CECEP DADANG ENDANG YAYAT OMAN UDIN IWAN DEDI HENDRA AGUS JAJANG ENCEP KOMAR DENI ADE YANA "
          "NANANG ROHMAT ENJANG OJAT MAMAN UCUP HERMAWAN ENDANG WAWAN DIDIN AAN")
SUN_F = S("EUIS NENG IMAS ENTIN ELIS CUCU NANI YETI IIS TITIN NINING ENOK LILIS KOKOM AAS YAYAH EMAH ENOH ICAH TATI "
          "DEDEH NUNUNG EPON NURHAYATI ROSMIATI")
SUN_L = S("SUPRIATNA SUTISNA SAEPULOH HIDAYAT RUKMANA KURNIAWAN SETIAWAN SOLIHIN MULYADI SUNARYA KUSNADI PERMANA "
          "GUNAWAN HERMAWAN FIRMANSYAH NURJAMAN SOBARI SUHERMAN RACHMAT SAPUTRA MAULANA RAMDANI SUPRIADI")
SUN_FL = S("SURYANI ROSMIATI NURHAYATI KURNIASIH MULYATI SUMIATI RAHAYU NURJANAH ROHAYATI KARTINI WULANDARI HERLINA "
           "MARLINA SOLIHAT JUBAEDAH")
JAW_M = S("SUPARMAN SUTRISNO SUMARNO SUKIRMAN WAGIYO PAIMIN SUGENG SUPRIYADI SUYATNO SLAMET SOEPARMAN SOEDJONO "
          "SOETRISNO DJUMADI TJIPTO PARDJO")
JAW_F = S("SUMIATI TUMINAH PARTINI SUWARNI WARSINAH SUPARTI SOEMARNI DJUMINAH SUTINAH SAMINAH")
JAW_2M = ["BAMBANG SUTRISNO", "JOKO SANTOSO", "DJOKO SANTOSO", "AGUS SALIM", "HERU PRASETYO", "BUDI SANTOSO",
          "EKO PRASETYO", "TJAHJO WIBOWO", "BAMBANG SOEDJATMIKO", "WAHYU HIDAYAT", "ARIEF BUDIMAN"]
JAW_2F = ["SRI WAHYUNI", "DWI LESTARI", "TRI WAHYUNI", "SRI MULYANI", "ENDANG SUSILOWATI", "RETNO WULANDARI",
          "SITI ROMLAH", "SRI REDJEKI"]
MUS_M1 = S("MUHAMMAD AHMAD ABDUL")
MUS_M2 = S("RIZKI FAUZI ILHAM FADLI HASAN YUSUF ARIF SYAIFUL FAUZAN DAHLAN ROHMAN GANI HAMID KADIR KHOIRUL ZAINAL "
           "SYAMSUL")
MUS_F1 = S("SITI NUR")
MUS_F2 = S("AMINAH KHODIJAH FATIMAH ZULAEHA MAEMUNAH NURHALIZA AINI HALIMAH RAHMAWATI FITRIANI KHAIRUNNISA ZAINAB")
MUS_SINGLE_M = ["MA'RUF", "SYAHRONI", "ZULKIFLI", "CHAIRUL ANWAR", "CHOLIL", "MAS'UD"]
MUS_SINGLE_F = ["NUR'AINI", "ZAINAB", "HALIMAH", "KHADIJAH", "MUNAWAROH"]
BAT_GM = S("RUDI MARTUA HOTMAN JONNI POLTAK RIKARDO BONAR PARULIAN SAHAT TUA")
BAT_GF = S("TIORMA ROSLINA MERI DAME RUGUN LAMRIA NURMAIDA SORTA")
BAT_MARGA = S("SIHOMBING SIREGAR SIMANJUNTAK NAINGGOLAN HUTAGALUNG PANJAITAN SITUMORANG NASUTION LUBIS HARAHAP")
BUG_M = ["ANDI ARMAN", "MUH ASRI", "BAHARUDDIN", "SYAMSUDDIN", "HASANUDDIN", "ANDI MAPPA", "MUHAMMAD TAHIR",
         "DAENG MANGALLE", "LA ODE HASAN", "ABD RAHMAN", "MUH ARSYAD"]
BUG_F = ["HASNAWATI", "SITTI RAHMAH", "ANDI SITTI NURHAYATI", "MARYAM", "HAJRAH", "NURHAEDAH", "SITTI AMINAH",
         "ANDI TENRI"]
BAN_M = ["GUSTI MUHAMMAD NOOR", "MASRANI", "MISRAN", "ABDUL GAFUR", "MAHMUD", "RUSDIANSYAH", "ANTUNG FAHRIANSYAH",
         "MUHAMMAD NOOR"]
BAN_F = ["NORHAYATI", "JUMRIAH", "ARBAINAH", "NOOR HIDAYAH", "GUSTI NORMA", "SITI NORLATIFAH", "RUSMILAWATI"]
CIN_SUR = S("LIE TAN LIM OEY THE GO KWEE TJIA ONG")
CIN_G = S("KIM HONG SIOE LING TJOEN HOK SIAUW GIE HWIE LAN BING SENG MEI")
CIN_IND_M = S("HENDRA SUSANTO WILLIAM FELIX JOHAN ANDRE ANDRÉ KEVIN RUDY")
CIN_IND_F = S("LINDA MELIANA JESSICA LILY VERONIKA WENNY CHRISTINE")
CIN_IND_L = S("WIJAYA TANUWIDJAJA HALIM SANTOSO GUNAWAN SETIADI TANDJUNG KUSUMA SALIM")
BAL_M = S("SUDARSANA ARSANA SUARDANA ARTAWAN SUKADANA")
BAL_F = S("SUARTINI ARINI SRIASIH KARMINI")
BAL_ORD = S("WAYAN MADE NYOMAN KETUT")
MOD_M = ["MUHAMMAD RAFFA", "DAFFA PRATAMA", "RIZKY PRATAMA", "FAJAR NUGRAHA", "RAFA ADITYA", "MUHAMMAD ALFARIZI",
         "ADITYA RAMADHAN", "GILANG PERMANA", "AZKA", "ARKAN", "MUHAMMAD FATIH", "ALDI SAPUTRA"]
MOD_F = ["AISYAH PUTRI", "NAYLA RAMADHANI", "KEISHA AULIA", "ALYA SALSABILA", "NAYLA PUTRI", "ZAHRA", "AZZAHRA",
         "SALSABILA", "PUTRI AMELIA", "SITI NURHALIZA", "ANISA RAHMAWATI"]
ETHN = [('sunda', 55), ('jawa', 14), ('muslim', 13), ('batak', 5), ('cina', 5), ('bugis', 3), ('banjar', 3), ('bali', 2)]


def make_name(eth, sex, year):
    c = R.choice
    if year >= 2002 and eth in ('sunda', 'jawa', 'muslim') and R.random() < .6:
        return c(MOD_M) if sex == 'L' else c(MOD_F)
    if eth == 'sunda':
        r = R.random()
        if sex == 'L':
            if r < .22:
                return c(SUN_M)
            if r < .85:
                return c(SUN_M) + ' ' + c(SUN_L)
            return c(SUN_M) + ' ' + c(SUN_M) + ' ' + c(SUN_L)
        if r < .3:
            return c(SUN_F)
        if r < .9:
            return c(SUN_F) + ' ' + c(SUN_FL)
        return 'SITI ' + c(SUN_FL)
    if eth == 'jawa':
        if R.random() < .55:
            return c(JAW_M) if sex == 'L' else c(JAW_F)
        return c(JAW_2M) if sex == 'L' else c(JAW_2F)
    if eth == 'muslim':
        if R.random() < .2:
            return c(MUS_SINGLE_M) if sex == 'L' else c(MUS_SINGLE_F)
        if sex == 'L':
            return c(MUS_M1) + ' ' + c(MUS_M2) + ('' if R.random() < .7 else ' ' + c(SUN_L))
        return c(MUS_F1) + ' ' + c(MUS_F2)
    if eth == 'batak':
        if sex == 'L':
            return c(BAT_GM) + ' ' + c(BAT_MARGA)
        return c(BAT_GF) + (' BR ' if R.random() < .6 else ' ') + c(BAT_MARGA)
    if eth == 'bugis':
        return c(BUG_M) if sex == 'L' else c(BUG_F)
    if eth == 'banjar':
        return c(BAN_M) if sex == 'L' else c(BAN_F)
    if eth == 'cina':
        if year < 1975 and R.random() < .6:
            return c(CIN_SUR) + ' ' + c(CIN_G) + ' ' + c(CIN_G)
        return (c(CIN_IND_M) if sex == 'L' else c(CIN_IND_F)) + ' ' + c(CIN_IND_L)
    if eth == 'bali':
        return ('I ' + c(BAL_ORD) + ' ' + c(BAL_M)) if sex == 'L' else ('NI ' + c(BAL_ORD) + ' ' + c(BAL_F))
    raise ValueError(eth)


# ---------------------------------------------------------------- people and families
def rand_date(y0, y1):
    a = dt.date(y0, 1, 1).toordinal()
    b = dt.date(y1, 12, 31).toordinal()
    return dt.date.fromordinal(R.randint(a, b))


def age_on(dob, ref=P0):
    return ref.year - dob.year - ((ref.month, ref.day) < (dob.month, dob.day))


NIK_USED = set()
SERIAL = {}


def nik_for(prefix, dob, sex, consecutive_after=None):
    d = dob.day + (40 if sex == 'P' else 0)
    mid = f"{d:02d}{dob.month:02d}{dob.year % 100:02d}"
    key = prefix + mid
    if consecutive_after is not None:
        s = consecutive_after + 1
    else:
        s = SERIAL.get(key, R.randint(0, 40)) + R.randint(1, 3)
    while f"{key}{s:04d}" in NIK_USED:
        s += 1
    SERIAL[key] = max(SERIAL.get(key, 0), s)
    nik = f"{key}{s:04d}"
    NIK_USED.add(nik)
    return nik, s


KK_USED = set()


def new_kk(kec):
    while True:
        reg = rand_date(2005, 2025)
        kk = f"3201{kec}{reg.day:02d}{reg.month:02d}{reg.year % 100:02d}{R.randint(1, 9999):04d}"
        if kk not in KK_USED:
            KK_USED.add(kk)
            return kk


STREETS = S("MAWAR MELATI KENANGA ANGGREK DAHLIA FLAMBOYAN CEMPAKA NANGKA RAYA MANGGA DURIAN SIRSAK MERDEKA "
            "PEMUDA")


def make_address(kel):
    r = R.random()
    if r < .45:
        a = f"KP. {R.choice(['CIBEUREUM', 'CIPAYUNG', 'BABAKAN', 'SUKAMAJU', 'CILEBUT', 'PASIR', 'CIHIDEUNG', 'LEUWIKOPO', 'KEBON KOPI', 'SAWAH'])}"
        if R.random() < .3:
            a += ' ' + R.choice(['TONGGOH', 'HILIR', 'GIRANG', 'TENGAH'])
    elif r < .75:
        a = f"JL. {R.choice(STREETS)} NO. {R.randint(1, 120)}"
    elif r < .93:
        a = f"PERUM {R.choice(['CITRA INDAH', 'BUMI PERTIWI', 'GRIYA ASRI', 'VILLA NUSA INDAH', 'PURI CIBINONG'])} BLOK {R.choice('ABCDEFGH')}{R.randint(1, 12)} NO. {R.randint(1, 40)}"
    else:
        a = f"GG. H. {R.choice(['DAHLAN', 'SALEH', 'MUHI', 'ASMAT'])} NO {R.randint(1, 30)}"
    return a, R.randint(1, 12), R.randint(1, 15)


people = []   # list of dicts
families = []


def add_person(fam, role, sex, dob, eth, name=None, prefix=None, consecutive_after=None):
    p = {'pid': len(people), 'fam': fam['id'], 'role': role, 'sex': sex, 'dob': dob, 'eth': eth}
    p['name'] = name or make_name(eth, sex, dob.year)
    if prefix is None:
        r = R.random()
        if dob.year >= 2000 and r < .85 or r < .70:
            prefix = '3201' + fam['kec']
        elif r < .88:
            prefix = '3201' + R.choice(list(KEC))
        else:
            prefix = R.choice(OUTSIDE.get(eth, OUTSIDE['other']) if R.random() < .7 else OUTSIDE['other'])
    p['prefix'] = prefix
    p['nik'], p['serial'] = nik_for(prefix, dob, sex, consecutive_after)
    p['kk'] = fam['kk']
    people.append(p)
    fam['members'].append(p['pid'])
    return p


def occupation(p):
    a = age_on(p['dob'])
    r = R.random()
    if a < 5:
        return 1
    if a < 15:
        return 3
    if a < 18:
        return 3 if r < .85 else (1 if r < .93 else 19)
    if a < 23 and r < .35:
        return 3
    if a >= 58 and r < .25:
        return 4
    if p['sex'] == 'P' and r < (.45 if a < 58 else .6):
        return 2
    if R.random() < (.08 if a < 60 else .35):
        return 1
    o = wchoice(WORK_W)
    if o == 'UNK':
        return R.choice(UNKNOWN_OCC)
    return o


target = N
fid = 0
while len(people) < target:
    kec = wchoice(list(KEC_W.items()))
    kel = R.choice(KELS_BY_KEC[kec])
    eth = wchoice(ETHN)
    fam = {'id': fid, 'kec': kec, 'kel': kel, 'eth': eth, 'members': [], 'kk': new_kk(kec)}
    fam['alamat'], fam['rt'], fam['rw'] = make_address(kel)
    fid += 1
    families.append(fam)
    t = R.random()
    head_age = min(88, max(19, int(R.gauss(43, 13))))
    head_dob = P0 - dt.timedelta(days=int(head_age * 365.25) + R.randint(0, 364))
    if t < .1:     # single person household
        add_person(fam, 'KEPALA KELUARGA', R.choice('LP'), head_dob, eth)
        continue
    if t < .2:     # widow(er)/single parent
        head = add_person(fam, 'KEPALA KELUARGA', 'P' if R.random() < .7 else 'L', head_dob, eth)
        mother = head if head['sex'] == 'P' else None
    else:
        head = add_person(fam, 'KEPALA KELUARGA', 'L', head_dob, eth)
        sp_age = max(18, head_age - R.randint(-2, 9))
        sp_dob = P0 - dt.timedelta(days=int(sp_age * 365.25) + R.randint(0, 364))
        sp_eth = eth if R.random() < .85 else wchoice(ETHN)
        mother = add_person(fam, 'ISTRI', 'P', sp_dob, sp_eth)
    ma = age_on(mother['dob']) if mother else head_age
    nkids = 0 if t > .92 else min(6, max(0, int(R.gauss(2.3, 1.3))))
    for _ in range(nkids):
        hi = ma - 17
        lo = max(0, ma - 43)
        if hi <= lo:
            break
        kage = R.randint(lo, hi)
        kdob = P0 - dt.timedelta(days=int(kage * 365.25) + R.randint(0, 364))
        if kdob > P0 - dt.timedelta(days=10):
            continue
        k = add_person(fam, 'ANAK', R.choice('LP'), kdob, eth)
        if R.random() < .012:   # twin
            base = k['name'].split()
            if k['name'] in ('ZAHRA', 'AZKA', 'ARKAN', 'AZZAHRA'):
                tn = k['name'] + ' ' + R.choice(['PUTRA', 'PUTRI'])
            elif len(base) >= 2:
                tn = base[0] + ' ' + R.choice([x for x in (SUN_L + ['PRATAMA', 'SAPUTRA', 'RAMADHAN']) if x != base[-1]])
            else:
                tn = {'HASAN': 'HUSEIN'}.get(base[0], base[0] + ('I' if not base[0].endswith('I') else 'A'))
            tsex = k['sex'] if R.random() < .6 else ('P' if k['sex'] == 'L' else 'L')
            pref = k['prefix']
            tw = add_person(fam, 'ANAK', tsex, kdob, eth, name=tn, prefix=pref,
                            consecutive_after=k['serial'] if tsex == k['sex'] else None)
            tw['twin_of'] = k['pid']
            k['twin_of'] = tw['pid']
    if t > .88 and head_age < 60:  # grandparent living in
        gage = min(92, ma + R.randint(20, 32))
        gdob = P0 - dt.timedelta(days=int(gage * 365.25) + R.randint(0, 364))
        add_person(fam, 'ORANG TUA', R.choice('LP'), gdob, eth)

# mothers' names for the extra column
for fam in families:
    ms = [people[i] for i in fam['members'] if people[i]['role'] in ('ISTRI',) or
          (people[i]['role'] == 'KEPALA KELUARGA' and people[i]['sex'] == 'P')]
    for i in fam['members']:
        p = people[i]
        p['mother'] = ms[0]['name'] if (p['role'] == 'ANAK' and ms) else make_name(p['eth'], 'P', p['dob'].year - 25)

# namesakes: copy name and DOB of someone in another family (other kelurahan), new NIK same date
adults = [p for p in people if 18 <= age_on(p['dob']) <= 70]
for _ in range(int(N * .003)):
    a, b = R.sample(adults, 2)
    if a['fam'] == b['fam'] or a['sex'] != b['sex'] or a.get('twin_of') is not None or b.get('twin_of') is not None:
        continue
    NIK_USED.discard(b['nik'])
    b['name'], b['dob'] = a['name'], a['dob']
    b['prefix'] = a['prefix'] if R.random() < .5 else b['prefix']
    b['nik'], b['serial'] = nik_for(b['prefix'], b['dob'], b['sex'])
    a['namesake'] = b['pid']
    b['namesake'] = a['pid']

# titles on the true (penduduk) name
for p in people:
    a = age_on(p['dob'])
    p['title'] = ''
    if a >= 45 and p['eth'] in ('sunda', 'muslim', 'bugis', 'banjar', 'jawa') and R.random() < .10:
        p['title'] = R.choice(['H. ', 'H. ', 'H ', 'HAJI ']) if p['sex'] == 'L' else R.choice(['HJ. ', 'HJ. ', 'HJ ', 'HAJAH '])
    elif a >= 50 and R.random() < .02:
        p['title'] = (R.choice(['DRS. ', 'IR. ']) if p['sex'] == 'L' else 'DRA. ')
    p['suffix'] = ''
    if 24 <= a <= 60 and R.random() < .035:
        p['suffix'] = R.choice([', S.PD', ', S.E', ', S.H', ', S.KOM', ', S.AG', ', A.MD', ', S.PD.I'])

for p in people:
    p['occ'] = occupation(p)
    if p['suffix'] == ', S.PD' and R.random() < .5:
        p['occ'] = 65
    r = R.random()
    p['dis'] = None
    if r < .025:
        p['dis'] = R.choice(['1', '2', '3', '4', '5', '6', 'CACAT FISIK', 'CACAT NETRA/BUTA', 'CACAT RUNGU/WICARA',
                             'CACAT MENTAL/JIWA', 'TUNA DAKSA', 'DISABILITAS FISIK'])
    p['stat_kwn'] = (1 if age_on(p['dob']) < 20 else (2 if p['role'] in ('KEPALA KELUARGA', 'ISTRI') else R.choice([1, 1, 2, 3, 4])))

# movers: 11% of families moved to another kelurahan since DTSEN registration (DTSEN has old kel / old KK)
for fam in families:
    fam['old_kel'] = None
    fam['old_kk'] = None
    if R.random() < .11:
        k2 = R.choice(KELS_BY_KEC[fam['kec']]) if R.random() < .6 else R.choice(KELS)
        if k2 != fam['kel']:
            fam['old_kel'] = k2
            fam['old_alamat'], fam['old_rt'], fam['old_rw'] = make_address(k2)
            if R.random() < .7:
                fam['old_kk'] = new_kk(k2[0])

# ---------------------------------------------------------------- penduduk damage (row-level)
for p in people:
    p['accepted'] = True
    p['pend_flag'] = ''
for p in R.sample(people, int(N * .004)):          # invalid NIK in penduduk -> quarantined
    p['accepted'] = False
    p['pend_flag'] = 'invalid_nik'
conf = [p for p in R.sample(people, int(N * .0008)) if p['accepted']]
for p in conf:                                     # two different rows under one NIK
    p['accepted'] = False
    p['pend_flag'] = 'conflict_nik'
for p in R.sample(people, int(N * .003)):
    if p['accepted'] and not p['pend_flag']:
        p['pend_flag'] = 'bad_date'                   # impossible/missing birth date: kept, unjudgeable
for p in R.sample(people, int(N * .01)):
    if not p['pend_flag']:
        p['pend_flag'] = 'nik_date_differs'           # NIK date part differs (valid, flagged)

FORMS_DATE = [('dmy-', 35), ('ymd', 20), ('dmy/', 30), ('serial', 15)]


def fmt_date(d, form):
    if form == 'dmy-':
        return d.strftime('%d-%m-%Y')
    if form == 'ymd':
        return d.strftime('%Y-%m-%d')
    if form == 'dmy/':
        return d.strftime('%d/%m/%Y')
    return str((d - EXCEL0).days)


def fmt_sex(s):
    r = R.random()
    if r < .04:
        return ''
    forms = [(('LAKI-LAKI', 'PEREMPUAN'), 45), (('L', 'P'), 20), (('1', '2'), 20), (('LK', 'PR'), 5),
             (('Laki-laki', 'Perempuan'), 5), (('laki-laki', 'perempuan'), 1)]
    f = wchoice(forms)
    return f[0] if s == 'L' else f[1]


def fmt_occ(o):
    if isinstance(o, str):
        return o if R.random() < .8 else o.title()
    r = R.random()
    lab = OCC[o]
    if r < .52:
        return lab
    if r < .82:
        return str(o)
    if r < .86 and o < 10:
        return f"{o:02d}"
    if r < .92:
        return lab.replace('/', ' / ')
    if r < .97:
        return lab.title()
    return lab.lower() + ' '


def excel_damaged(nik, comma=False):
    v = float(nik)
    if R.random() < .5:
        s = f"{v:.5E}".replace('E+', 'E+')  # 3.20101E+15
        m, e = s.split('E+')
        s = f"{m}E+{int(e)}"
        return s.replace('.', ',') if comma else s
    return str(int(float(f"{v:.15g}")))[:15] + '0'


def pend_nik_str(p):
    nik = p['nik']
    if p['pend_flag'] == 'invalid_nik':
        k = R.random()
        if k < .35:
            v = excel_damaged(nik, comma=R.random() < .3)
            while 'E+' not in v:
                v = excel_damaged(nik, comma=R.random() < .3)
            return v
        if k < .55:
            return nik[:15]
        if k < .7:
            return nik[:12] + '0000'
        if k < .85:
            return nik[:8] + '13' + nik[10:]          # month 13
        if k < .93:
            return nik[:6] + '00' + nik[8:]           # day 00
        return ''
    r = R.random()
    if r < .02:
        return "'" + nik
    if r < .025:
        return '\u200b' + nik
    if r < .03:
        return nik + '\u00a0'
    if r < .032:
        return ' ' + nik + ' '
    return nik


def nik_date_variant(p):
    # NIK whose date part differs from TGL_LHR (Dukcapil will not reissue): recompute NIK for a near date
    d = p['dob']
    alt = dt.date(d.year, 7, 1) if R.random() < .5 else d + dt.timedelta(days=R.choice([-3, -1, 1, 2, 31]))
    NIK_USED.discard(p['nik'])
    p['nik'], p['serial'] = nik_for(p['prefix'], alt, p['sex'])


for p in people:
    if p['pend_flag'] == 'nik_date_differs':
        nik_date_variant(p)

# a few NIKs whose sex part disagrees with JENIS_KLMIN (valid, flagged)
for p in R.sample(people, int(N * .001)):
    if not p['pend_flag'] and p['sex'] == 'P':
        NIK_USED.discard(p['nik'])
        p['nik'], p['serial'] = nik_for(p['prefix'], p['dob'], 'L')
        p['pend_flag'] = 'nik_sex_differs'

# unknown sex (kept, flagged)
for p in R.sample(people, int(N * .002)):
    p['sex_raw'] = R.choice(['X', 'PRIA', 'WANITA', '3', '-'])

STATK = {1: ['BELUM KAWIN', 'BK', '1'], 2: ['KAWIN', 'K', '2'], 3: ['CERAI HIDUP', 'CH', '3'], 4: ['CERAI MATI', 'CM', '4']}
AGAMA = ['ISLAM'] * 9 + ['KRISTEN', 'KATHOLIK', 'BUDHA', 'HINDU']


def dis_raw(p):
    if p['dis']:
        return p['dis']
    r = R.random()
    if r < .90:
        return ''
    if r < .95:
        return '0'
    if r < .98:
        return 'TIDAK'
    return '7'        # DOMAIN: 7 = none; CONTRACT only lists empty/0/TIDAK


def casefmt(name):
    r = R.random()
    if r < .04:
        return name.title()
    if r < .06:
        return name.replace(' ', '  ', 1) + ' '
    return name


def pend_row(p, kel=None, alamat=None):
    fam = families[p['fam']]
    kec, kelc, keln = kel or fam['kel']
    nm = p['title'] + p['name'] + p['suffix']
    if p['eth'] == 'cina' and 'ANDRE ' in nm and R.random() < .5:
        nm = nm.replace('ANDRE ', 'ANDRÉ ')
    if ("'" in nm) and R.random() < .3:
        nm = nm.replace("'", '\u2019')
    dob = fmt_date(p['dob'], wchoice(FORMS_DATE))
    if p['pend_flag'] == 'bad_date':
        d = p['dob']
        dob = R.choice([f"31-02-{d.year}", '00-00-0000', '', f"{d.year}-13-{d.day:02d}", f"30/02/{d.year}", '0'])
    return {
        'NIK': pend_nik_str(p),
        'NO_KK': ("'" + p['kk'] if R.random() < .02 else (p['kk'] if R.random() < .99 else '')),
        'NAMA_LGKP': casefmt(nm),
        'TMPT_LHR': R.choice(['BOGOR', 'BOGOR', 'JAKARTA', 'CIANJUR', 'SUKABUMI', 'KAB. BOGOR', 'MAKASSAR', 'MEDAN', 'SEMARANG']),
        'TGL_LHR': dob,
        'JENIS_KLMIN': p.get('sex_raw') or fmt_sex(p['sex']),
        'STAT_KWN': R.choice(STATK[p['stat_kwn']]),
        'JENIS_PKRJN': fmt_occ(p['occ']),
        'PNYDNG_CCT': dis_raw(p),
        'ALAMAT': alamat or fam['alamat'],
        'NO_RT': (f"{fam['rt']:03d}" if R.random() < .5 else str(fam['rt'])),
        'NO_RW': (f"{fam['rw']:03d}" if R.random() < .5 else str(fam['rw'])),
        'NO_PROP': '32',
        'NO_KAB': '1' if R.random() < .6 else '01',
        'NO_KEC': str(int(kec)) if R.random() < .6 else kec,
        'NO_KEL': kelc,
        'NAMA_LGKP_IBU': p['mother'],
        'STAT_HBKEL': p['role'],
        'AGAMA': R.choice(AGAMA),
        'KEC_NAME': KEC[kec][0],
        'KEL_NAME': keln,
    }


rows = []
for fam in families:
    for i in fam['members']:
        p = people[i]
        row = pend_row(p)
        rows.append(row)
        if p['pend_flag'] == 'conflict_nik':
            other = R.choice(KELS)
            r2 = pend_row(p, kel=other, alamat=make_address(other)[0])
            r2['NIK'] = row['NIK'] = p['nik']
            rows.append(r2)
        elif p['accepted'] and R.random() < .0025:
            rows.append(dict(row))      # exact duplicate row
# light shuffle: blocks by kecamatan but rows inside a block shuffled
R.shuffle(rows)
HEADER = [' NIK', 'no_kk', 'Nama_Lgkp ', 'TMPT_LHR', 'tgl_lhr', 'JENIS_KLMIN', 'STAT_KWN', 'Jenis_Pkrjn', 'PNYDNG_CCT',
          'ALAMAT', 'NO_RT', 'NO_RW', 'NO_PROP', 'NO_KAB', 'NO_KEC', ' NO_KEL', 'NAMA_LGKP_IBU', 'STAT_HBKEL', 'AGAMA',
          'KEC_NAME', 'KEL_NAME']
KEYS = [h.strip().upper() for h in HEADER]

os.makedirs(os.path.join(OUT, 'truth'), exist_ok=True)
with open(os.path.join(OUT, 'penduduk.csv'), 'w', encoding='utf-8-sig', newline='') as f:
    w = csv.writer(f, delimiter='\t', lineterminator='\r\n')
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r[k] for k in KEYS])
n_pend_rows = len(rows)

# ---------------------------------------------------------------- record damage helpers
MUH = ['MUHAMMAD', 'M.', 'M', 'MOH', 'MOH.', 'MUH', 'MUH.', 'MOCH', 'MOCHAMAD', 'MOHAMAD', 'MOHAMMAD', 'MUHAMAD', 'MHD']
NICK = {'HERMAWAN': 'WAWAN', 'ASEP': "AA'", 'SUHERMAN': 'HERMAN', 'NURHAYATI': 'YATI', 'RACHMAT': 'AMAT',
        'SUPRIATNA': 'NANA', 'ABDUL': 'DUL', 'KOMAR': 'OMAR', 'SUTISNA': 'TISNA', 'ROHMAT': 'MAMAT',
        'FITRIANI': 'FITRI', 'RAHMAWATI': 'RAHMA', 'SUPARMAN': 'PARMAN', 'SUTRISNO': 'TRISNO'}
OLD2NEW = [('OE', 'U'), ('DJ', 'J'), ('TJ', 'C'), ('SJ', 'SY'), ('CH', 'KH'), ('NJ', 'NY')]
NEW2OLD = [('U', 'OE'), ('J', 'DJ'), ('C', 'TJ'), ('SY', 'SJ'), ('KH', 'CH')]


def typo(s):
    if len(s) < 4:
        return s
    i = R.randrange(1, len(s) - 1)
    k = R.random()
    if s[i] == ' ':
        return s
    if k < .35:
        return s[:i] + R.choice('AIUEONRSTMHK') + s[i + 1:]
    if k < .6:
        return s[:i] + s[i + 1:]
    if k < .8:
        return s[:i] + s[i] + s[i:]
    return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:]


def damage_name(p, mix, father=None):
    """Return (name, kind). p is a person; base is the true name (without titles)."""
    base = p['name']
    toks = base.split()
    kind = wchoice(mix)
    nm = base
    if kind == 'exact_titled':
        nm = p['title'] + base + p['suffix']
    elif kind == 'case':
        nm = base.title() if R.random() < .7 else base.lower()
    elif kind == 'title':
        if p['title'] or p['suffix']:
            nm = base      # title dropped (identical core)
            kind = 'title_dropped'
        else:
            pre = ['H. ', 'BPK. ', 'SDR. ', 'H '] if p['sex'] == 'L' else ['HJ. ', 'IBU ', 'NY. ', 'SDRI. ']
            nm = R.choice(pre) + base if R.random() < .6 else base + R.choice([', S.PD', ' S.E', ', A.MD'])
            kind = 'title_added'
    elif kind == 'muh':
        if toks[0] in MUH or toks[0] == 'MUHAMMAD':
            toks[0] = R.choice([m for m in MUH if m != toks[0]])
        elif 'SITI' in toks or 'SITTI' in toks:
            toks = ['SITTI' if t == 'SITI' else ('SITI' if t == 'SITTI' else t) for t in toks]
        elif 'ABDUL' in toks or 'ABD' in toks:
            toks = ['ABD' if t == 'ABDUL' else ('ABDUL' if t == 'ABD' else t) for t in toks]
        elif 'NOOR' in toks:
            toks = ['NUR' if t == 'NOOR' else t for t in toks]
        elif toks[0] in ('WAYAN', 'MADE', 'KETUT') or (len(toks) > 1 and toks[1] in ('WAYAN', 'MADE', 'KETUT')):
            toks = [{'WAYAN': 'WY', 'MADE': 'MD', 'KETUT': 'KTT'}.get(t, t) for t in toks]
        elif toks[0] == 'DAENG':
            toks[0] = 'DG.'
        else:
            kind = 'typo'
            return typo(base), kind
        nm = ' '.join(toks)
    elif kind == 'spelling':
        done = False
        for a, b in OLD2NEW:
            if a in base:
                nm = base.replace(a, b)
                kind = 'old_to_new'
                done = True
                break
        if not done:
            for a, b in NEW2OLD:
                if a in base:
                    nm = base.replace(a, b, 1)
                    kind = 'new_to_old'
                    done = True
                    break
        if not done:
            kind = 'typo'
            nm = typo(base)
    elif kind == 'nick':
        hit = [t for t in toks if t in NICK]
        if hit:
            nm = NICK[hit[0]] if R.random() < .6 else base.replace(hit[0], NICK[hit[0]])
        else:
            kind = 'drop_word' if len(toks) > 1 else 'typo'
            nm = ' '.join(toks[:-1]) if len(toks) > 1 else typo(base)
    elif kind == 'typo':
        nm = typo(base)
    elif kind == 'typo2':
        nm = typo(typo(base))
    elif kind == 'drop_word':
        if len(toks) > 1:
            nm = ' '.join(toks[:-1]) if R.random() < .7 else ' '.join(toks[1:])
        else:
            kind = 'typo'
            nm = typo(base)
    elif kind == 'order':
        if len(toks) > 1:
            nm = ' '.join(toks[1:] + toks[:1]) if R.random() < .7 else ' '.join(toks[-1:] + toks[:-1])
        else:
            kind = 'exact'
    elif kind == 'space':
        if len(toks) > 1:
            i = R.randrange(len(toks) - 1)
            nm = ' '.join(toks[:i] + [toks[i] + toks[i + 1]] + toks[i + 2:])
        else:
            kind = 'exact'
    elif kind == 'bin':
        if father:
            nm = base + (' BIN ' if p['sex'] == 'L' else ' BINTI ') + father.split()[0]
        else:
            kind = 'exact'
    elif kind == 'apostrophe':
        if "'" in base:
            nm = base.replace("'", '' if R.random() < .5 else '\u2019')
        else:
            kind = 'exact'
    return nm, kind


def damage_nik(p, mix, relatives):
    nik = p['nik']
    kind = wchoice(mix)
    if kind == 'exact':
        return nik, kind
    if kind == 'blank':
        return R.choice(['', '', '', None]), kind
    if kind == 'placeholder':
        return R.choice(['0', '-', '0000000000000000', 'TIDAK ADA']), kind
    if kind == 'wrong_digit':
        i = R.randrange(16)
        d = str((int(nik[i]) + R.randint(1, 9)) % 10)
        return nik[:i] + d + nik[i + 1:], kind
    if kind == 'transposed':
        for _ in range(10):
            i = R.randrange(15)
            if nik[i] != nik[i + 1]:
                return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:], kind
        return nik, 'exact'
    if kind == 'truncated':
        return (nik[:15] if R.random() < .7 else nik[1:]), kind
    if kind == 'excel_sci':
        v = excel_damaged(nik, comma=R.random() < .3)
        while 'E+' not in v:
            v = excel_damaged(nik, comma=R.random() < .3)
        return v, kind
    if kind == 'excel_zero':
        if nik[-1] == '0':
            return nik, 'exact'
        return nik[:15] + '0', kind
    if kind == 'relative':
        if relatives:
            return R.choice(relatives), kind
        return '', 'blank'
    if kind == 'kk':
        return p['kk'], kind
    if kind == 'spaced':
        return R.choice([f"{nik[:6]}.{nik[6:12]}.{nik[12:]}", f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}",
                         f"{nik[:6]} {nik[6:]}"]), kind
    if kind == 'quoted':
        return "'" + nik, kind
    if kind == 'extra_digit':
        i = R.randrange(17)
        return nik[:i] + str(R.randint(0, 9)) + nik[i:], kind
    raise ValueError(kind)


def damage_dob(p, mix):
    d = p['dob']
    kind = wchoice(mix)
    if kind == 'exact':
        return d, kind
    if kind == 'blank':
        return None, kind
    if kind == 'placeholder':
        return R.choice([dt.date(d.year, 1, 1), dt.date(d.year, 7, 1), dt.date(d.year, 12, 31)]), kind
    if kind == 'swap':
        if d.day <= 12 and d.day != d.month:
            return dt.date(d.year, d.day, d.month), kind
        return d + dt.timedelta(days=1), 'day_off'
    if kind == 'year_off':
        y = d.year + R.choice([-1, 1, -2, 10, -10])
        try:
            return d.replace(year=y), kind
        except ValueError:
            return d.replace(year=y, day=28), kind
    if kind == 'day_off':
        return d + dt.timedelta(days=R.choice([-3, -2, -1, 1, 2, 3])), kind
    if kind == 'nik_date':
        dd = int(p['nik'][6:8])
        dd = dd - 40 if dd > 40 else dd
        try:
            nd = dt.date(d.year, int(p['nik'][8:10]), dd)
        except ValueError:
            return d, 'exact'
        return nd, ('nik_date' if nd != d else 'exact')
    raise ValueError(kind)


def relatives_of(p):
    fam = families[p['fam']]
    return [people[i]['nik'] for i in fam['members'] if i != p['pid']]


def father_of(p):
    fam = families[p['fam']]
    for i in fam['members']:
        q = people[i]
        if q['role'] == 'KEPALA KELUARGA' and q['sex'] == 'L' and q['pid'] != p['pid']:
            return q['name']
    return make_name('muslim', 'L', 1960)


def fake_outsider(eth=None, namesake_of=None):
    eth = eth or wchoice(ETHN)
    sex = R.choice('LP')
    dob = rand_date(1950, 2006)
    if namesake_of is not None:
        sex, dob = namesake_of['sex'], (namesake_of['dob'] if R.random() < .4 else dob)
    pref = R.choice(['3201' + R.choice(list(KEC))] * 3 + OUTSIDE['other'] + OUTSIDE.get(eth, OUTSIDE['other']))
    q = {'pid': -1, 'fam': None, 'sex': sex, 'dob': dob, 'eth': eth, 'title': '', 'suffix': '',
         'name': namesake_of['name'] if namesake_of is not None else make_name(eth, sex, dob.year)}
    q['nik'], _ = nik_for(pref, dob, sex)
    kc = '3201' + R.choice(list(KEC))
    q['kk'] = kc + f"{R.randint(1, 28):02d}{R.randint(1, 12):02d}{R.randint(5, 25):02d}{R.randint(1, 9999):04d}"
    return q


# ---------------------------------------------------------------- DTSEN
DT_NIK = [('exact', 60), ('blank', 8), ('placeholder', 2), ('wrong_digit', 5), ('transposed', 3), ('truncated', 3),
          ('excel_sci', 3), ('excel_zero', 2), ('relative', 6), ('kk', 3), ('spaced', 2), ('quoted', 1),
          ('extra_digit', 2)]
DT_NAME = [('exact', 44), ('exact_titled', 6), ('case', 6), ('title', 6), ('muh', 7), ('spelling', 5), ('nick', 4),
           ('typo', 7), ('typo2', 2), ('drop_word', 5), ('order', 3), ('space', 3), ('bin', 2)]
DT_DOB = [('exact', 74), ('blank', 5), ('placeholder', 6), ('swap', 4), ('year_off', 4), ('day_off', 4), ('nik_date', 3)]


def fam_weight(fam):
    head = people[fam['members'][0]]
    o = head['occ']
    if isinstance(o, str) or o in INFORMAL:
        return .62
    if o in (1, 2, 4):
        return .5
    if o in (5, 65, 72, 6, 7):
        return .03
    return .16


fam_sel = [fam for fam in families if R.random() < fam_weight(fam) * 0.95]
dt_rows, dt_truth = [], []
idn = [0]


def new_id():
    idn[0] += 1
    return f"3201{R.randint(10, 99)}{idn[0]:08d}"


def sex_dtsen(s):
    return R.choice([s, {'L': '1', 'P': '2'}[s], {'L': 'LAKI-LAKI', 'P': 'PEREMPUAN'}[s]])


def dtsen_record(p, fam, desil, flags=''):
    nik, nk = damage_nik(p, DT_NIK, relatives_of(p) if fam else [])
    nm, mk = damage_name(p, DT_NAME, father_of(p) if fam else None)
    dob, dk = damage_dob(p, DT_DOB)
    if fam is not None and fam['old_kel'] and R.random() < .85:
        kel, alamat, rt, rw = fam['old_kel'], fam['old_alamat'], fam['old_rt'], fam['old_rw']
        moved = 'moved'
        kk = fam['old_kk'] or fam['kk']
    elif fam is not None:
        kel, alamat, rt, rw = fam['kel'], fam['alamat'], fam['rt'], fam['rw']
        moved = ''
        kk = fam['kk']
    else:
        kel = R.choice(KELS)
        alamat, rt, rw = make_address(kel)
        moved = ''
        kk = p['kk']
    r = R.random()
    kode = '3201' + kel[0] + kel[1]
    if r < .04:
        kode = None
    al = f"{alamat} RT {rt:03d} RW {rw:03d}" if R.random() < .7 else alamat
    i = new_id()
    row = {'ID_DTSEN': i, 'NIK': nik, 'NO_KK': float(kk) if (kk and R.random() < .93) else None, 'NAMA': nm,
           'TGL_LHR': dob, 'JENIS_KLMIN': sex_dtsen(p['sex']) if R.random() < .95 else None, 'ALAMAT': al,
           'KODE_KEL': kode, 'DESIL': desil, 'ID_KELUARGA': f"K{(fam['id'] if fam else 900000 + idn[0]):07d}"}
    truth_nik = p['nik'] if (p['pid'] >= 0 and p['accepted']) else ''
    dt_truth.append({'ID_DTSEN': i, 'true_nik': truth_nik, 'pid': p['pid'], 'nik_kind': nk, 'name_kind': mk,
                     'dob_kind': dk, 'moved': moved, 'no_kodekel': kode is None,
                     'flags': flags or ('' if p['pid'] < 0 else p['pend_flag'])})
    dt_rows.append(row)


for fam in fam_sel:
    desil = min(10, max(1, int(R.gauss(3.2, 2.0))))
    for i in fam['members']:
        if R.random() < .93:
            p = people[i]
            dtsen_record(p, fam, desil)
            if R.random() < .015:
                dtsen_record(p, fam, desil, flags='second_id')
n_res_dt = len(dt_rows)
for _ in range(int(n_res_dt * .065)):
    if R.random() < .15:
        q = fake_outsider(namesake_of=R.choice(people))
        dtsen_record(q, None, R.randint(1, 6), flags='outsider_namesake')
    else:
        q = fake_outsider()
        dtsen_record(q, None, R.randint(1, 7), flags='outsider')
# bad rows: exact duplicates and impossible DESIL
n_dup_dt = 0
for _ in range(25):
    j = R.randrange(len(dt_rows))
    dt_rows.append(dict(dt_rows[j]))
    dt_truth.append(dict(dt_truth[j], flags='exact_duplicate_row'))
    n_dup_dt += 1
for j in R.sample(range(len(dt_rows)), 20):
    dt_rows[j]['DESIL'] = R.choice([0, 11, 99])
    dt_truth[j]['flags'] += '|bad_desil'
order = list(range(len(dt_rows)))
R.shuffle(order)
dt_rows = [dt_rows[j] for j in order]
dt_truth = [dt_truth[j] for j in order]
tbl = pa.table({
    'ID_DTSEN': pa.array([r['ID_DTSEN'] for r in dt_rows], pa.string()),
    'NIK': pa.array([r['NIK'] for r in dt_rows], pa.string()),
    'NO_KK': pa.array([r['NO_KK'] for r in dt_rows], pa.float64()),
    'NAMA': pa.array([r['NAMA'] for r in dt_rows], pa.string()),
    'TGL_LHR': pa.array([r['TGL_LHR'] for r in dt_rows], pa.date32()),
    'JENIS_KLMIN': pa.array([r['JENIS_KLMIN'] for r in dt_rows], pa.string()),
    'ALAMAT': pa.array([r['ALAMAT'] for r in dt_rows], pa.string()),
    'KODE_KEL': pa.array([r['KODE_KEL'] for r in dt_rows], pa.string()),
    'DESIL': pa.array([r['DESIL'] for r in dt_rows], pa.int64()),
    'ID_KELUARGA': pa.array([r['ID_KELUARGA'] for r in dt_rows], pa.string()),
})
pq.write_table(tbl, os.path.join(OUT, 'dtsen.parquet'))
pd.DataFrame(dt_truth).to_csv(os.path.join(OUT, 'truth', 'dtsen_truth.csv'), index=False)

# ---------------------------------------------------------------- roster (BPJS TK)
RO_NIK = [('exact', 77), ('blank', 5), ('wrong_digit', 3), ('transposed', 2), ('excel_sci', 3), ('excel_zero', 1),
          ('truncated', 2), ('relative', 2), ('kk', 2), ('spaced', 2), ('quoted', 1)]
RO_NAME = [('exact', 58), ('case', 2), ('title', 6), ('muh', 8), ('spelling', 5), ('typo', 6), ('drop_word', 5),
           ('order', 3), ('space', 3), ('nick', 2), ('apostrophe', 2)]
RO_DOB = [('exact', 84), ('blank', 3), ('placeholder', 3), ('swap', 3), ('year_off', 3), ('day_off', 2), ('nik_date', 2)]
kpj_used = set()


def new_kpj():
    while True:
        k = f"{R.randint(0, 26):02d}{R.randint(0, 999999999):09d}"
        if k not in kpj_used:
            kpj_used.add(k)
            return k


def programs(seg, status):
    if seg == 'PU':
        base = wchoice([('JKK,JKM,JHT,JP', 55), ('JKK,JKM,JHT,JP,JKP', 30), ('JKK,JKM,JHT', 8), ('JHT,JP', 4), ('JHT', 3)])
    elif seg == 'BPU':
        base = wchoice([('JKK,JKM', 64), ('JKK,JKM,JHT', 24), ('JKK', 3), ('JKM', 2), ('JHT', 3), ('JKK,JHT', 2), ('JKM,JHT', 2)])
    elif seg == 'JAKON':
        base = wchoice([('JKK,JKM', 90), ('JKK', 10)])
    else:
        base = wchoice([('JKK,JKM,JHT', 85), ('JKK,JKM', 15)])
    ps = base.split(',')
    if R.random() < .25:
        R.shuffle(ps)
    sep = ', ' if R.random() < .2 else ','
    return sep.join(ps)


ro_rows, ro_truth = [], []
protected = set()


def roster_record(p, seg, status, flags=''):
    rel = relatives_of(p) if p['pid'] >= 0 else []
    nik, nk = damage_nik(p, RO_NIK, rel)
    nm, mk = damage_name(p, RO_NAME)
    if len(nm) > 30:
        nm = nm[:30].rstrip()
        mk += '+trunc30'
    if "'" in nm and R.random() < .5:
        nm = nm.replace("'", '\u2019')
    dob, dk = damage_dob(p, RO_DOB)
    form = R.random()
    if dob is None:
        ds = ''
    elif form < .6:
        ds = dob.strftime('%d/%m/%Y')
    elif form < .85:
        ds = dob.strftime('%Y-%m-%d')
    else:
        ds = dob.strftime('%d-%m-%Y')
    prog = programs(seg, status)
    if status == 'AKTIF':
        blth = R.choice(['2026-09', '2026-10', '2026-10', '2026-08', '2026-06'])
    else:
        blth = f"{R.randint(2019, 2026)}-{R.randint(1, 12):02d}"
        if blth > '2026-08':
            blth = '2025-12'
    st = status if R.random() > .01 else status + ' '
    k = new_kpj()
    row = {'KPJ': k, 'NIK': nik or '', 'NAMA': nm, 'TGL_LHR': ds, 'SEGMEN': seg, 'STATUS': st, 'PROGRAM': prog,
           'BLTH_AKHIR_IURAN': blth, 'NAMA_PERUSAHAAN': (R.choice(['PT INDOCEMENT TUNGGAL PRAKARSA', 'PT MULIA KERAMIK', 'CV MAJU JAYA', 'PT SARI ROTI', 'KOPERASI UNIT DESA']) if seg == 'PU' else '')}
    pr = status == 'AKTIF' and 'JKK' in prog.split(',') + prog.split(', ') and 'JKM' in [x.strip() for x in prog.split(',')]
    pr = status == 'AKTIF' and {'JKK', 'JKM'} <= {x.strip() for x in prog.split(',')}
    if pr and p['pid'] >= 0:
        protected.add(p['pid'])
    truth_nik = p['nik'] if (p['pid'] >= 0 and p['accepted']) else ''
    ro_truth.append({'KPJ': k, 'true_nik': truth_nik, 'pid': p['pid'], 'nik_kind': nk, 'name_kind': mk, 'dob_kind': dk,
                     'segmen': seg, 'status': status, 'program': prog, 'protective': pr,
                     'flags': flags or ('' if p['pid'] < 0 else p['pend_flag'])})
    ro_rows.append(row)


def roster_prob(p):
    a = age_on(p['dob'])
    if a < 17 or a > 72:
        return 0
    o = p['occ']
    if isinstance(o, str):
        return .38 if o.startswith('TUKANG') else .15
    if o in (15, 16, 17, 12):
        return .85
    if o in (13, 18, 79, 85):
        return .55
    if o in (5, 6, 7, 65, 72, 73, 74):
        return .12
    if o in INFORMAL:
        return .36
    if o == 2:
        return .07
    if o in (1, 4, 89):
        return .08
    return .05


for p in people:
    pr = roster_prob(p)
    if R.random() >= pr:
        continue
    o = p['occ']
    informal = is_informal(o) if not isinstance(o, str) or o.startswith('TUKANG') else False
    if isinstance(o, int) and o in (15, 16, 17, 12, 13, 18, 79, 85, 5, 6, 7, 65, 72, 73, 74):
        seg = 'PU' if R.random() < .93 else ('JAKON' if o == 13 else 'BPU')
        status = 'AKTIF' if R.random() < .82 else 'NONAKTIF'
    elif informal:
        seg = wchoice([('BPU', 78), ('PU', 8), ('JAKON', 10 if o in (26, 27, 29, 25, 13) else 2), ('PMI', 2)])
        status = 'AKTIF' if R.random() < .62 else 'NONAKTIF'
    else:  # housewives / not working: mostly old PU or BPU records, mostly NONAKTIF
        seg = wchoice([('PU', 55), ('BPU', 35), ('PMI', 10)])
        status = 'NONAKTIF' if R.random() < .8 else 'AKTIF'
    roster_record(p, seg, status)
    if R.random() < .06:  # second card: an old card plus the current one
        if status == 'AKTIF':
            roster_record(p, 'PU', 'NONAKTIF', flags='second_card')
        else:
            roster_record(p, 'BPU', 'AKTIF', flags='second_card')
n_res_ro = len(ro_rows)
for _ in range(int(n_res_ro * .11)):
    if R.random() < .15:
        q = fake_outsider(namesake_of=R.choice(adults))
        roster_record(q, R.choice(['PU', 'BPU']), R.choice(['AKTIF', 'AKTIF', 'NONAKTIF']), flags='outsider_namesake')
    else:
        q = fake_outsider()
        roster_record(q, R.choice(['PU', 'PU', 'BPU', 'JAKON']), R.choice(['AKTIF', 'AKTIF', 'NONAKTIF']), flags='outsider')
for _ in range(15):
    j = R.randrange(len(ro_rows))
    ro_rows.append(dict(ro_rows[j]))
    ro_truth.append(dict(ro_truth[j], flags='exact_duplicate_row'))
order = list(range(len(ro_rows)))
R.shuffle(order)
ro_rows = [ro_rows[j] for j in order]
ro_truth = [ro_truth[j] for j in order]
RO_COLS = ['KPJ', 'NIK', 'NAMA', 'TGL_LHR', 'SEGMEN', 'STATUS', 'PROGRAM', 'BLTH_AKHIR_IURAN', 'NAMA_PERUSAHAAN']
with open(os.path.join(OUT, 'peserta_bpjstk.csv'), 'w', encoding='cp1252', newline='', errors='strict') as f:
    w = csv.writer(f, delimiter=',', lineterminator='\r\n', quoting=csv.QUOTE_MINIMAL)
    w.writerow(RO_COLS)
    for r in ro_rows:
        w.writerow([r[c] for c in RO_COLS])
pd.DataFrame(ro_truth).to_csv(os.path.join(OUT, 'truth', 'roster_truth.csv'), index=False)

# ---------------------------------------------------------------- residents truth
desil_of = {}
for t, r in zip(dt_truth, dt_rows):
    if t['pid'] >= 0:
        desil_of[t['pid']] = min(desil_of.get(t['pid'], 99), r['DESIL'] or 99)
res = []
for p in people:
    a = age_on(p['dob'])
    inf = is_informal(p['occ'])
    cand = p['accepted'] and 18 <= a <= 65 and inf and p['pid'] not in protected
    res.append({'pid': p['pid'], 'nik': p['nik'], 'accepted': p['accepted'], 'pend_flag': p['pend_flag'],
                'age': a, 'occ': p['occ'], 'informal': inf, 'protected': p['pid'] in protected,
                'candidate': cand, 'candidate_judgeable': cand and p['pend_flag'] != 'bad_date',
                'disability': bool(p['dis']), 'eth': p['eth'], 'fam': p['fam'],
                'kel': '3201' + families[p['fam']]['kel'][0] + families[p['fam']]['kel'][1],
                'twin': p.get('twin_of') is not None, 'namesake': p.get('namesake') is not None,
                'moved_family': families[p['fam']]['old_kel'] is not None,
                'dob': p['dob'].isoformat(), 'sex': p['sex'], 'name': p['title'] + p['name'] + p['suffix'],
                'dis_raw': p['dis'] or ''})
pd.DataFrame(res).to_csv(os.path.join(OUT, 'truth', 'residents_truth.csv'), index=False)

summary = {'residents': len(people), 'penduduk_rows': n_pend_rows,
           'penduduk_expected_quarantine': sum(1 for p in people if p['pend_flag'] == 'invalid_nik') +
           2 * sum(1 for p in people if p['pend_flag'] == 'conflict_nik') + (n_pend_rows - len(people) - sum(1 for p in people if p['pend_flag'] == 'conflict_nik')),
           'dtsen_rows': len(dt_rows), 'roster_rows': len(ro_rows), 'candidates': sum(r['candidate'] for r in res),
           'candidates_judgeable': sum(r['candidate_judgeable'] for r in res), 'protected_residents': len(protected)}
print(summary)
with open(os.path.join(OUT, 'truth', 'summary.txt'), 'w') as f:
    f.write(repr(summary) + '\n')
