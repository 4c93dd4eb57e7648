#!/usr/bin/env python3
"""Kalimantan Timur province-wide test world for Lindungi (independent of the project's generators).

Usage: python kaltim_world.py OUT_DIR N_RESIDENTS SEED

Writes OUT_DIR/penduduk.csv  (comma CSV, UTF-8, CRLF, columns reordered, extra columns, quoted
                              names/addresses holding commas and line breaks, mixed date forms)
       OUT_DIR/dtsen.csv     (comma CSV, Windows-1252, LF, quoted multi-line addresses with RT/RW,
                              dotted and plain KODE_KEL, extra columns)
       OUT_DIR/peserta_bpjstk.parquet (typed: KPJ int64, TGL_LHR timestamp in Asia/Makassar,
                              extra list and struct columns)
       OUT_DIR/truth/*.parquet, OUT_DIR/truth/meta.json  (ground truth; not an extract)

Seven real kab/kota of Kaltim (Kemendagri codes, real kecamatan and kelurahan/desa codes from
cahyadsn/wilayah), very unequal: Samarinda ~50 %, Mahakam Ulu ~3 %.
"""
import csv
import datetime as dt
import json
import os
import sys

import numpy as np
import polars as pl

P0 = dt.date(2026, 11, 1)          # first day of the period 2026-11
PERIOD = "2026-11"

# kab -> (share of residents, urban, coastal, ethnic mix banjar/bugis/jawa/kutai/dayak, P(welfare hh))
KAB_CFG = {
    "6472": (0.50, True, False, (0.38, 0.20, 0.25, 0.12, 0.05), 0.30),   # Kota Samarinda
    "6471": (0.14, True, True, (0.27, 0.27, 0.36, 0.04, 0.06), 0.26),    # Kota Balikpapan
    "6402": (0.14, False, True, (0.22, 0.18, 0.18, 0.35, 0.07), 0.40),   # Kab. Kutai Kartanegara
    "6474": (0.08, True, True, (0.20, 0.35, 0.30, 0.10, 0.05), 0.30),    # Kota Bontang
    "6403": (0.06, False, True, (0.20, 0.30, 0.20, 0.15, 0.15), 0.40),   # Kab. Berau
    "6409": (0.05, False, True, (0.20, 0.35, 0.30, 0.05, 0.10), 0.40),   # Kab. Penajam Paser Utara
    "6411": (0.03, False, False, (0.06, 0.03, 0.03, 0.08, 0.80), 0.55),  # Kab. Mahakam Ulu
}
KAB_ORDER = list(KAB_CFG)
ETH = ["banjar", "bugis", "jawa", "kutai", "dayak"]

# NIK prefixes of other provinces (real, from the Kemendagri table) and their weights
FOREIGN_PREFIX = {
    "7371": (0.10, ["737101", "737102", "737104", "737110"]),   # Kota Makassar
    "7308": (0.10, ["730801", "730803", "730810", "730815"]),   # Bone
    "7313": (0.08, ["731301", "731302", "731305"]),             # Wajo
    "7314": (0.04, ["731401", "731403"]),                       # Sidrap
    "6371": (0.08, ["637101", "637102", "637103"]),             # Banjarmasin
    "6303": (0.07, ["630301", "630304", "630306"]),             # Kab. Banjar
    "6304": (0.03, ["630401", "630402"]),                       # Barito Kuala
    "3578": (0.07, ["357801", "357803", "357806"]),             # Surabaya
    "3507": (0.06, ["350701", "350703", "350705"]),             # Malang
    "3509": (0.05, ["350901", "350902"]),                       # Jember
    "3522": (0.03, ["352201", "352203"]),                       # Bojonegoro
    "3301": (0.04, ["330101", "330104"]),                       # Cilacap
    "3309": (0.03, ["330901", "330903"]),                       # Boyolali
    "5371": (0.04, ["537101", "537103"]),                       # Kota Kupang
    "7602": (0.04, ["760201", "760202"]),                       # Mamuju
    "3201": (0.02, ["320101", "320103"]),                       # Bogor
    "7201": (0.02, ["720101", "720103"]),                       # Banggai
}
# NIKs issued in Kaltim before the Kaltara split: codes no longer in the Kemendagri table
OLD_PREFIX = ["647301", "647302", "647303", "640501", "640502", "640401"]

# ---------------------------------------------------------------- names
NAMES = {
    "banjar": {
        "M1": ["MUHAMMAD"] * 10 + ["AHMAD"] * 4 + ["ABDUL"] * 2 + [
            "RIDUAN", "SYAHRANI", "JAMHARI", "ASRANI", "FAHRIANSYAH", "IRWANSYAH", "ARBAIN", "SAPRUDIN",
            "RAHMADI", "RUSDIANSYAH", "HAMDAN", "MISRAN", "FAUZI", "GAZALI", "HASBULLAH", "JUHRI",
            "MASRANI", "HAIRUL", "ANSYARI", "SYARIFUDDIN", "ZAINAL", "ARIFIN", "MAHYUNI", "KASRANI",
            "BAHRUN", "TAUFIK", "RIZANI", "HUSIN", "HASAN", "JUMRI", "SAHRIANSYAH", "NAPIAH", "ASMUNI"],
        "M2": ["NOOR", "HIDAYAT", "RAHMAN", "SYAHRANI", "ANSYARI", "FAUZI", "RIDUAN", "GAZALI", "ARSYAD",
               "IRWANSYAH", "HAMDANI", "YUSRAN", "RIFANI", "SAUFI", "BASRI", "HELMI", "RIJALI", "NAJIB",
               "ALAMSYAH", "FIRDAUS", "ZAINI", "ARIFIN", "MAULANA", "RAMADHAN", "NAWAWI", "SOFYAN"],
        "F1": ["SITI"] * 4 + ["NOOR"] * 2 + ["NOR"] * 2 + [
            "NORJANAH", "HAIRANI", "MASPUAH", "HERLIANI", "RUSMILAWATI", "NORHALIDA", "MAHLIDA", "MASLIANI",
            "SALAMAH", "NURUL", "FITRIANI", "RAHMAH", "HALIMAH", "JUBAIDAH", "ISNAWATI", "SARINAH",
            "MARIANI", "NORLIANI", "ROSIDAH", "ASMAH", "HAMIDAH", "MARLIANA", "RAHMAWATI", "ZAHRATUN"],
        "F2": ["AISYAH", "HIDAYAH", "JANAH", "HASANAH", "FAUZIAH", "RAHMAH", "MAULIDA", "NORHAYATI",
               "HALIMAH", "RAHMIATI", "SAFITRI", "KHAIRUNNISA", "LAILA", "MAIDAH", "ZUBAIDAH", "WAHIDAH"],
        "prefix": {"M": (["GUSTI"], 0.04), "F": (["GUSTI", "ANTUNG"], 0.03)},
    },
    "bugis": {
        "M1": ["MUHAMMAD"] * 4 + ["MUH."] * 3 + ["ABDUL"] * 2 + [
            "HAERUDDIN", "SYAMSUDDIN", "AMIRUDDIN", "SAHARUDDIN", "BAHTIAR", "ARSYAD", "JUFRI", "HAMZAH",
            "RUSLI", "SUARDI", "BASRI", "NASRUDDIN", "ILHAM", "ARIFUDDIN", "SUDIRMAN", "HASANUDDIN",
            "JUMADI", "NURDIN", "SAMSUL", "MUSTAFA", "KAMARUDDIN", "RISAL", "ANWAR", "SYAHRIR", "LA BACO",
            "LA TANRO", "MAPPA", "TAHIR"],
        "M2": ["ARSYAD", "HAMZAH", "RAHMAN", "SALEH", "YUSUF", "AMIR", "RAUF", "HATTA", "MAKKASAU",
               "MAPPANYUKKI", "LATIF", "MUCHTAR", "SULTAN", "TAJUDDIN", "RASYID", "ALI", "NAWIR", "RIDWAN",
               "IDRIS", "BAKRI", "HAMID", "JAFAR", "SAKKA", "PAWELLANGI"],
        "F1": ["SITTI"] * 3 + ["ST."] * 2 + ["NUR"] * 2 + [
            "NURHAYATI", "HASNAH", "SUKMAWATI", "HASNAWATI", "RAHMAWATI", "NURHAEDA", "MARWAH", "JUMRIAH",
            "HASMAWATI", "HADIJAH", "MURNI", "SUHARTINI", "NURSIAH", "HERNAWATI", "ASMAWATI", "SUNARTI",
            "MASNIAH", "HAMSIAH", "NURLIAH", "FATMAWATI", "SUARNI"],
        "F2": ["AMINAH", "NURHAEDA", "HASNAH", "SALMAH", "RAHMATIA", "AISYAH", "SAENAB", "BUNGA", "HARIANI",
               "NURBAYA", "MARHAMAH", "JUMARNI", "SUKMAWATI", "HASTUTI", "RAMLAH", "INDAH"],
        "prefix": {"M": (["ANDI"], 0.12), "F": (["ANDI"], 0.12)},
        "daeng": ["MATTIRO", "MASIKKI", "MARALA", "NGALLE", "SIJAYA", "BELLA", "TOMPO", "LIWANG"],
    },
    "jawa": {
        "M1": ["SUTRISNO", "SUPARMAN", "BAMBANG", "SUGENG", "PONIRAN", "EKO", "DWI", "JOKO", "SLAMET",
               "HARIYANTO", "PURWANTO", "WAHYUDI", "SUYANTO", "AGUS", "BUDI", "TEGUH", "SUKIRMAN", "RUDI",
               "HERU", "CAHYONO", "SURYADI", "ARIF", "ANDI", "ROHMAT", "MUJIONO", "SUWARNO", "KUSNADI",
               "TRI", "YUDI", "SUPRIYADI", "MUHAMMAD", "AHMAD", "IMAM", "NUR"],
        "M2": ["SANTOSO", "WIBOWO", "PRASETYO", "SETIAWAN", "PURNOMO", "HARTONO", "SUSANTO", "SUPRIYADI",
               "HIDAYAT", "KURNIAWAN", "SAPUTRO", "NUGROHO", "WIJAYA", "RIYADI", "SUGIARTO", "SUTRISNO",
               "CAHYONO", "SUHARTO", "MULYONO", "PAMUNGKAS", "FAUZAN", "RIFAI", "HANDOKO", "UTOMO"],
        "F1": ["SRI"] * 3 + ["SITI"] * 3 + ["DWI", "TRI", "SUMARNI", "SUPARTI", "ENDANG", "WIWIK", "TUTIK",
               "SUMIATI", "PARTINAH", "SUKINAH", "LESTARI", "RATNA", "DEWI", "JUMINAH", "SUYATMI", "KARTINI",
               "NUR", "EKA", "YULI", "RINA", "WATI", "MUNAWAROH"],
        "F2": ["WAHYUNI", "REJEKI", "MUNAWAROH", "LESTARI", "RAHAYU", "HANDAYANI", "SUSANTI", "WULANDARI",
               "PURWANTI", "SETYOWATI", "KUSUMAWATI", "MULYANI", "ASTUTI", "UTAMI", "NINGSIH", "SURYANI",
               "HARTATI", "SUPRIHATIN", "FATIMAH", "KHOIRIYAH"],
        "prefix": {"M": ([], 0.0), "F": ([], 0.0)},
    },
    "kutai": {
        "M1": ["MUHAMMAD"] * 3 + ["ABDUL"] * 2 + ["SAHRIL", "BOHARI", "JAILANI", "SYAHRUN", "IMRAN", "ADNAN",
               "DAHRI", "MARDIANSYAH", "ROSIHAN", "SULAIMAN", "ZAINUDDIN", "FARUK", "RUSMAN", "ISMAIL",
               "SYAHRANI", "HERIANSYAH", "JUMANSYAH", "ARDIANSYAH", "ASRANI", "YUSRAN", "IDRUS", "HAMRI"],
        "M2": ["RAHIM", "SALEH", "GANI", "FARUK", "SYARIFUDDIN", "HASAN", "ARIFIN", "KADIR", "JAFAR",
               "SYAHRIR", "BAKRI", "SAMAD", "HAMID", "RAHMAN", "RIDWAN", "MUKHLIS", "SAID", "ISKANDAR"],
        "F1": ["SITI"] * 2 + ["NORHAYATI", "ASMAWATI", "MASNAH", "ZUBAIDAH", "DAHLIA", "SALMAH", "RAHMAH",
               "MARYAM", "JAMILAH", "SAMSIAH", "HASNIAH", "RUSNAH", "ROSLINA", "NURSIDAH", "MURNIATI"],
        "F2": ["RAHMAH", "AMINAH", "HALIMAH", "KALSUM", "SALMAH", "NORMAH", "MAHMUDAH", "MARLINA", "SAFIAH",
               "ZAITUN", "RUGAYAH", "HAFSAH"],
        "prefix": {"M": (["AJI", "AWANG", "ABANG"], 0.07), "F": (["DAYANG", "AJI"], 0.05)},
    },
    "dayak": {
        "M1": ["YOHANES", "PETRUS", "PAULUS", "ANTONIUS", "YAKOBUS", "STEFANUS", "MARKUS", "FRANSISKUS",
               "YOSEF", "MIKAEL", "LAWING", "AJANG", "IBAU", "BELAWAN", "HUVANG", "LEJU", "UJANG", "ANYIE",
               "ASUNG", "JALUNG", "ALUY", "APUI", "UBUNG", "LIHING", "BUSANG", "HANYE", "TINGANG"],
        "M2": ["LAWING", "AJANG", "IBAU", "BELAWAN", "HUVANG", "LEJU", "UJANG", "ANYIE", "ASUNG", "HIBAU",
               "BATOQ", "JALUNG", "LUHAN", "HUDOQ", "ALUY", "APUI", "UBUNG", "LIHING", "BUSANG", "LEDANG",
               "SILUQ", "TEKWAN", "MERANG", "ULAU", "HANGIN", "DOM"],
        "F1": ["MARIA", "LUSIA", "AGUSTINA", "ELISABET", "MAGDALENA", "YOSEFINA", "THERESIA", "KRISTINA",
               "HUDAN", "LUHAN", "UYANG", "LIRENG", "ING", "ANYQ", "BULAN", "ELY", "ROSALINA", "VERONIKA"],
        "F2": ["HUDAN", "IBAU", "LUHAN", "UYANG", "LIRENG", "LAWING", "AJANG", "HIBAU", "BATOQ", "LEDANG",
               "HUVANG", "TIPUNG", "BULAN", "ANYIE", "ULAU"],
        "prefix": {"M": ([], 0.0), "F": ([], 0.0)},
    },
}
APOS_TOKENS = {"M": ["MA'RUF", "NU'MAN", "JA'FAR", "MU'MIN", "FU'AD", "RO'IS", "SYA'BAN", "MA'MUN"],
               "F": ["SA'DIAH", "QUR'ANI", "MU'AWANAH", "RO'FAH", "NI'MAH", "MAS'UDAH"]}
# new spelling -> old spelling (1947/1972) as written in older registry rows
OLD_SPELL = {"SUPARMAN": "SOEPARMAN", "SUTRISNO": "SOETRISNO", "JOKO": "DJOKO", "CAHYONO": "TJAHJONO",
             "SUYANTO": "SOEJANTO", "SUKIRMAN": "SOEKIRMAN", "SUMARNI": "SOEMARNI", "SUPARTI": "SOEPARTI",
             "JUMINAH": "DJOEMINAH", "SURYADI": "SOERJADI", "PURWANTO": "POERWANTO", "SUKINAH": "SOEKINAH",
             "SUHARTO": "SOEHARTO", "SUYATMI": "SOEJATMI", "FARUK": "FAROEK", "LEJU": "LEDJU",
             "JALUNG": "DJALUNG", "MUJIONO": "MOEDJIONO", "SUWARNO": "SOEWARNO", "YUSUF": "JOESOEF",
             "JUMADI": "DJOEMADI", "JUBAIDAH": "DJUBAIDAH", "YAKOBUS": "JAKOBUS"}
NEW_SPELL = {v: k for k, v in OLD_SPELL.items()}
TITLES_PRE = {"M": ["H.", "DRS.", "IR.", "H.", "DRS. H.", "IR. H."], "F": ["HJ.", "DRA.", "HJ.", "IR."]}
TITLES_POST = [", S.PD.", ", S.E.", ", S.H.", ", S.PD.I", ", S.AG.", ", A.MD.", ", S.KOM.", ", M.SI."]
ABBREV = {"MUHAMMAD": ["M.", "MUH.", "MOH.", "MHD.", "MUHAMAD", "MOHAMMAD"], "ABDUL": ["ABD.", "ABD"],
          "SITTI": ["ST.", "SITI"], "DAENG": ["DG.", "DG"], "AHMAD": ["AHMAD", "ACHMAD", "AHMAT"],
          "MUH.": ["MUHAMMAD", "M."], "ST.": ["SITTI", "SITI"], "NOOR": ["NUR", "NOR"], "NOR": ["NOOR"],
          "ABD.": ["ABDUL"]}

# ---------------------------------------------------------------- occupations (SIAK codes)
LABEL = {1: "BELUM/TIDAK BEKERJA", 2: "MENGURUS RUMAH TANGGA", 3: "PELAJAR/MAHASISWA", 4: "PENSIUNAN",
         5: "PNS", 6: "TNI", 7: "POLRI", 8: "PERDAGANGAN", 9: "PETANI/PEKEBUN", 10: "PETERNAK",
         11: "NELAYAN/PERIKANAN", 12: "INDUSTRI", 13: "KONSTRUKSI", 14: "TRANSPORTASI", 15: "KARYAWAN SWASTA",
         16: "KARYAWAN BUMN", 17: "KARYAWAN BUMD", 18: "KARYAWAN HONORER", 19: "BURUH HARIAN LEPAS",
         20: "BURUH TANI/PERKEBUNAN", 21: "BURUH NELAYAN/PERIKANAN", 22: "BURUH PETERNAKAN",
         23: "PEMBANTU RUMAH TANGGA", 24: "TUKANG CUKUR", 25: "TUKANG LISTRIK", 26: "TUKANG BATU",
         27: "TUKANG KAYU", 28: "TUKANG SOL SEPATU", 29: "TUKANG LAS/PANDAI BESI", 30: "TUKANG JAHIT",
         31: "TUKANG GIGI", 32: "PENATA RIAS", 33: "PENATA BUSANA", 34: "PENATA RAMBUT", 35: "MEKANIK",
         36: "SENIMAN", 37: "TABIB", 38: "PARAJI", 41: "IMAM MASJID", 42: "PENDETA", 45: "USTADZ/MUBALIGH",
         46: "JURU MASAK", 64: "DOSEN", 65: "GURU", 72: "DOKTER", 73: "BIDAN", 74: "PERAWAT", 79: "PELAUT",
         81: "SOPIR", 84: "PEDAGANG", 85: "PERANGKAT DESA", 86: "KEPALA DESA", 88: "WIRASWASTA", 89: "LAINNYA"}
ALIAS = {9: ["PETANI", "PEKEBUN"], 11: ["NELAYAN"], 81: ["SUPIR"], 19: ["BURUH"], 15: ["KARYAWAN"],
         5: ["PEGAWAI NEGERI SIPIL"], 6: ["TENTARA NASIONAL INDONESIA"], 7: ["KEPOLISIAN RI"],
         3: ["PELAJAR", "MAHASISWA"], 2: ["IBU RUMAH TANGGA"]}
INFORMAL = {8, 9, 10, 11, 14, 19, 20, 21, 22, 23, *range(24, 32), 32, 33, 34, 35, 36, 37, 38, 46, 81, 84, 88}
FORMAL_EMP = {12, 13, 15, 16, 17, 18, 79, 64, 72, 73, 74}
# local labels with no SIAK code: code -100.. ; TUKANG* is informal by the default prefix rule
LOCAL = {-1: "TUKANG OJEK", -2: "TUKANG PIJAT", -3: "PENJUAL KUE", -4: "OJEK ONLINE", -5: "KURIR",
         -6: "PENAMBANG"}
LOCAL_INFORMAL = {-1, -2}
# weights per (sex, setting) for ages 23-64
OCC_W = {
    ("M", "urban"): {15: 22, 88: 14, 19: 10, 84: 5, 8: 3, 81: 5, 5: 5, 6: 1, 7: 1, 16: 3, 18: 3, 26: 2, 27: 2,
                     29: 1, 35: 2, 14: 1, 11: 1, 9: 2, 1: 5, 65: 2, 13: 1, 12: 1, -1: 2, -4: 1.2, -5: 0.5,
                     89: 1, 46: 0.5, 36: 0.2, 25: 0.5, 24: 0.3, 79: 0.5, 41: 0.2, 45: 0.3, 64: 0.3, 72: 0.2},
    ("F", "urban"): {2: 36, 15: 11, 84: 8, 88: 9, 65: 4, 5: 4, 30: 2, 32: 1, 34: 0.5, 23: 2, 19: 2, -3: 2,
                     -2: 0.5, 1: 5, 73: 1, 74: 1, 18: 3, 8: 2, 46: 1, 16: 1, 33: 0.3, 89: 1, 9: 1, 64: 0.2},
    ("M", "rural"): {9: 26, 20: 10, 15: 12, 88: 8, 19: 8, 11: 4, 21: 3, 10: 1, 84: 3, 81: 3, 5: 3, 26: 2,
                     27: 3, 1: 4, 65: 1.5, 85: 1, 86: 0.2, 22: 0.5, 14: 0.5, -1: 1, -6: 1.5, 35: 1, 18: 2,
                     42: 0.2, 37: 0.2, 89: 1},
    ("F", "rural"): {2: 34, 9: 16, 20: 7, 84: 5, 88: 4, 15: 4, 65: 2, 5: 2, 19: 3, 30: 1, 23: 1, -3: 1.5,
                     1: 5, 73: 1, 18: 2, 38: 0.3, 22: 0.3, 89: 1, 11: 0.5},
}

URBAN_STREETS = ["P. ANTASARI", "JUANDA", "KADRIE OENING", "M. YAMIN", "PAHLAWAN", "SLAMET RIYADI",
                 "CENDANA", "AWANG LONG", "GATOT SUBROTO", "DR. SOETOMO", "KH. WAHID HASYIM", "PM. NOOR",
                 "SUTOYO", "LAMBUNG MANGKURAT", "BHAYANGKARA", "KS. TUBUN", "AHMAD YANI", "SULTAN ALIMUDDIN",
                 "DI PANJAITAN", "SUPRAPTO", "PULAU FLORES", "SIAGA", "MT. HARYONO", "JEND. SUDIRMAN",
                 "SEPINGGAN RAYA", "MULAWARMAN", "LETJEN SUPRAPTO", "RE. MARTADINATA", "KAPTEN TENDEAN",
                 "PRAMUKA", "WOLTER MONGINSIDI", "ULIN", "MERANTI", "KERUING", "BENGKIRAI"]
RURAL_STREETS = ["POROS", "DUSUN SUKA MAJU", "DUSUN KARYA BARU", "DUSUN SIDO MULYO", "JL. POROS DESA",
                 "DUSUN TANJUNG", "JL. TRANS KALTIM", "DUSUN SUNGAI", "LORONG", "DUSUN LAMIN", "HANDIL"]
PERUM = ["PERUM BUMI SEMPAJA", "KOMP. PERUMAHAN KORPRI", "PERUM GRIYA MUKTI", "KOMP. PERTAMINA",
         "PERUM BUKIT DAMAI INDAH", "KOMP. PUPUK KALTIM", "PERUMNAS"]


def parse_regions():
    kabs, kecs, kels = {}, {}, []
    for line in WIL.strip().split("\n"):
        code, name = line.split("|")
        parts = code.split(".")
        if len(parts) == 2:
            kabs[parts[0] + parts[1]] = name
        elif len(parts) == 3:
            kecs["".join(parts)] = name
        else:
            k = "".join(parts)
            kels.append((k, name, k[:6], k[:4]))
    return kabs, kecs, kels


class W:
    """all random state and helpers"""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def choice(self, n, options, p=None):
        p = None if p is None else np.asarray(p, float) / np.sum(p)
        return self.rng.choice(len(options), size=n, p=p)


def days_to_date(d):
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(d))


# ====================================================================== people
def make_name(rng, eth, sex, byear, n_override=None):
    """one clean (untitled) name, as a list of words"""
    pool = NAMES[eth]
    s = sex
    toks = []
    pre, p_pre = pool["prefix"][s]
    if pre and rng.random() < p_pre:
        toks.append(pre[rng.integers(len(pre))])
    first = pool[s + "1"][rng.integers(len(pool[s + "1"]))]
    toks.extend(first.split(" "))
    p2 = 0.88
    if eth == "jawa" and byear < 1965:
        p2 = 0.35
    if eth == "dayak":
        p2 = 0.80
    if rng.random() < p2 or first in ("MUHAMMAD", "AHMAD", "ABDUL", "MUH.", "SITI", "SITTI", "ST.", "NOOR",
                                      "NOR", "NUR", "SRI", "DWI", "TRI", "EKA", "LA BACO", "LA TANRO"):
        sec = pool[s + "2"]
        x = sec[rng.integers(len(sec))]
        if x == toks[-1]:
            x = sec[(rng.integers(len(sec)))]
        toks.append(x)
        if rng.random() < 0.10:
            y = sec[rng.integers(len(sec))]
            if y not in toks:
                toks.append(y)
    if eth == "bugis" and s == "M" and rng.random() < 0.05:
        toks += ["DAENG", pool["daeng"][rng.integers(len(pool["daeng"]))]]
    if eth in ("banjar", "bugis", "kutai") and rng.random() < 0.025:
        ap = APOS_TOKENS[s][rng.integers(len(APOS_TOKENS[s]))]
        if len(toks) >= 2:
            toks[-1] = ap
        else:
            toks.append(ap)
    if byear < 1975 and eth in ("jawa", "kutai", "dayak") and rng.random() < 0.55:
        toks = [OLD_SPELL.get(t, t) for t in toks]
    if len(toks) >= 2 and rng.random() < 0.01 and "DAENG" not in toks:
        toks = toks[:-2] + [toks[-2] + "-" + toks[-1]]
    return toks


def registry_form(rng, toks, sex, age):
    """how SIAK holds the name: titles, case, spacing"""
    name = " ".join(toks)
    tag = []
    r = rng.random()
    if age >= 32 and r < 0.035:
        t = TITLES_PRE[sex][rng.integers(len(TITLES_PRE[sex]))]
        name = t + " " + name
        tag.append("title_pre")
    elif age >= 25 and r < 0.05:
        name = name + TITLES_POST[rng.integers(len(TITLES_POST))]
        tag.append("title_post")
    r = rng.random()
    if r < 0.03:
        name = name.title()
        tag.append("titlecase")
    elif r < 0.037:
        name = name.lower()
        tag.append("lowercase")
    if rng.random() < 0.012 and " " in name:
        name = name.replace(" ", "  ", 1)
        tag.append("double_space")
    return name, tag


TITLE_WORDS = {"H.", "HJ.", "DRS.", "DRA.", "IR.", "H", "HJ", "DRS", "IR"}


def vary_name(rng, toks, sex, kind):
    """one damaged form of a clean name (list of words) for welfare/roster records"""
    t = list(toks)
    if kind == "case":
        s = " ".join(t)
        return s.title() if rng.random() < 0.6 else s.lower()
    if kind == "title":
        if rng.random() < 0.6:
            return TITLES_PRE[sex][rng.integers(len(TITLES_PRE[sex]))] + " " + " ".join(t)
        return " ".join(t) + TITLES_POST[rng.integers(len(TITLES_POST))]
    if kind == "abbrev":
        for i, w in enumerate(t):
            if w in ABBREV:
                opts = ABBREV[w]
                t[i] = opts[rng.integers(len(opts))]
                return " ".join(t)
        if len(t) >= 2:
            t[-1] = t[-1][0] + "."
            return " ".join(t)
        kind = "typo"
    if kind == "drop":
        if len(t) >= 3:
            del t[rng.integers(1, len(t))]
            return " ".join(t)
        if len(t) == 2 and t[0] in ("ANDI", "GUSTI", "AJI", "AWANG", "DAYANG", "ANTUNG", "ABANG", "MUHAMMAD",
                                    "MUH.", "SITI", "SITTI", "ST.", "AHMAD"):
            return t[1]
        kind = "typo"
    if kind == "spell":
        for i, w in enumerate(t):
            if w in OLD_SPELL:
                t[i] = OLD_SPELL[w]
                return " ".join(t)
            if w in NEW_SPELL:
                t[i] = NEW_SPELL[w]
                return " ".join(t)
        kind = "typo"
    if kind == "punct":
        s = " ".join(t)
        if "'" in s:
            r = rng.random()
            return s.replace("'", "" if r < 0.5 else ("\u2019" if r < 0.8 else "`"))
        if "-" in s:
            return s.replace("-", " " if rng.random() < 0.5 else "")
        return s.replace(" ", "  ") if " " in s else s + " "
    if kind == "binti":
        pool = NAMES["banjar"]["M1"][10:]
        return " ".join(t) + (" BIN " if sex == "M" else " BINTI ") + pool[rng.integers(len(pool))]
    if kind == "swap":
        if len(t) >= 2:
            return " ".join([t[-1]] + t[:-1])
        kind = "typo"
    # typo: one letter substituted, deleted, doubled or inserted in a word of 4+ letters
    cand = [i for i, w in enumerate(t) if len(w) >= 4 and w.isalpha()]
    if not cand:
        return " ".join(t)
    i = cand[rng.integers(len(cand))]
    w = t[i]
    p = int(rng.integers(1, len(w)))
    op = rng.integers(4)
    L = "AIUEONRSTHKLMDGBY"
    if op == 0:
        c = L[rng.integers(len(L))]
        if c == w[p]:
            c = "A" if w[p] != "A" else "E"
        w = w[:p] + c + w[p + 1:]
    elif op == 1:
        w = w[:p] + w[p + 1:]
    elif op == 2:
        w = w[:p] + w[p] + w[p:]
    else:
        w = w[:p] + L[rng.integers(len(L))] + w[p:]
    t[i] = w
    return " ".join(t)


def damage_nik(rng, nik, kind, kk=None, fam=None, other=None):
    if kind == "exact":
        return nik
    if kind == "missing":
        r = rng.random()
        return "" if r < 0.7 else ("-" if r < 0.85 else "0")
    if kind == "typo":
        p = int(rng.integers(0, 16))
        d = str((int(nik[p]) + int(rng.integers(1, 10))) % 10)
        return nik[:p] + d + nik[p + 1:]
    if kind == "swap":
        for _ in range(6):
            p = int(rng.integers(0, 15))
            if nik[p] != nik[p + 1]:
                return nik[:p] + nik[p + 1] + nik[p] + nik[p + 2:]
        return nik[:15]
    if kind == "trunc":
        return nik[: 16 - int(rng.integers(1, 5))]
    if kind == "excel":
        if rng.random() < 0.6:
            return f"{int(nik):.5E}".replace("E+", "E+")
        return nik[:15] + "0" if nik[15] != "0" else f"{int(nik):.5E}"
    if kind == "kk":
        return kk if kk else ""
    if kind == "family":
        return fam if fam else ""
    if kind == "other":
        return other if other else ""
    if kind == "quote":
        return "'" + nik
    if kind == "spaced":
        return nik[:6] + " " + nik[6:12] + " " + nik[12:]
    raise ValueError(kind)


def damage_date(rng, d, kind):
    """d: datetime.date -> (datetime.date|None)"""
    if d is None or kind == "exact":
        return d
    if kind == "missing":
        return None
    if kind == "swap":
        if d.day <= 12 and d.day != d.month:
            return dt.date(d.year, d.day, d.month)
        kind = "dayoff"
    if kind == "year":
        y = d.year + (1 if rng.random() < 0.5 else -1)
        try:
            return d.replace(year=y)
        except ValueError:
            return d.replace(year=y, day=28)
    if kind == "placeholder":
        r = rng.random()
        return dt.date(d.year, 1, 1) if r < 0.6 else (dt.date(d.year, 12, 31) if r < 0.8 else dt.date(d.year, 7, 1))
    if kind == "dayoff":
        k = int(rng.integers(1, 4)) * (1 if rng.random() < 0.5 else -1)
        return d + dt.timedelta(days=k)
    if kind == "other":
        return d + dt.timedelta(days=int(rng.integers(40, 3000)) * (1 if rng.random() < 0.5 else -1))
    raise ValueError(kind)


def pick(rng, table):
    """table: list of (key, prob) -> key"""
    r = rng.random()
    acc = 0.0
    for k, p in table:
        acc += p
        if r < acc:
            return k
    return table[-1][0]


def fmt_date(d, form):
    if d is None:
        return ""
    if form == 0:
        return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"
    if form == 1:
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if form == 2:
        return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
    return str((d - dt.date(1899, 12, 30)).days)          # Excel serial


SEX_FORMS = [("LAKI-LAKI", "PEREMPUAN"), ("L", "P"), ("1", "2"), ("Laki-laki", "Perempuan")]


def make_address(rng, urban):
    if urban:
        r = rng.random()
        if r < 0.18:
            a = f"{PERUM[rng.integers(len(PERUM))]}, BLOK {'ABCDEFGH'[rng.integers(8)]} NO. {rng.integers(1, 60)}"
        else:
            st = URBAN_STREETS[rng.integers(len(URBAN_STREETS))]
            a = f"JL. {st}"
            if rng.random() < 0.45:
                a += f", GG. {rng.integers(1, 30)}"
            a += f" NO. {rng.integers(1, 250)}"
    else:
        st = RURAL_STREETS[rng.integers(len(RURAL_STREETS))]
        a = f"{st} KM. {rng.integers(1, 40)}" if rng.random() < 0.5 else f"{st}, GG. {URBAN_STREETS[rng.integers(len(URBAN_STREETS))]}"
        if a.startswith("POROS") or a.startswith("LORONG"):
            a = "JL. " + a
    if rng.random() < 0.03:
        a = a.replace(", ", ",\n", 1) if ", " in a else a.replace(" NO.", "\nNO.", 1)
    return a


def kk_or_nik_frame(prefix, date_days, add40, serial_base, rng):
    """allocate unique numbers prefix6 + DDMMYY + serial4 (serial from serial_base+1 in random order)"""
    n = len(prefix)
    d = pl.Series("d", np.asarray(date_days, dtype=np.int32)).cast(pl.Date)
    df = pl.DataFrame({"prefix": prefix, "d": d, "add40": np.asarray(add40, dtype=bool),
                       "key": rng.random(n), "i": np.arange(n)})
    df = df.with_columns(
        (pl.col("d").dt.day().cast(pl.Int32) + pl.when(pl.col("add40")).then(40).otherwise(0)).alias("dd"),
        pl.col("d").dt.month().alias("mm"), (pl.col("d").dt.year() % 100).alias("yy"))
    df = df.with_columns(pl.concat_str([pl.col("prefix"), pl.col("dd").cast(pl.Utf8).str.zfill(2),
                                        pl.col("mm").cast(pl.Utf8).str.zfill(2),
                                        pl.col("yy").cast(pl.Utf8).str.zfill(2)]).alias("head"))
    df = df.with_columns((pl.col("key").rank("ordinal").over("head") + serial_base).alias("serial"))
    assert df["serial"].max() <= 9999
    df = df.sort("i").with_columns(
        (pl.col("head") + pl.col("serial").cast(pl.Utf8).str.zfill(4)).alias("num"))
    return df["num"].to_list()


def build(out_dir, n, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(out_dir, "truth"), exist_ok=True)
    kabs, kecs, kels = parse_regions()
    K = len(kels)
    kel_code = np.array([k[0] for k in kels])
    kel_name = [k[1] for k in kels]
    kel_kec = np.array([k[2] for k in kels])
    kel_kab = np.array([k[3] for k in kels])
    kel_w = np.zeros(K)
    for kab in KAB_ORDER:
        idx = np.where(kel_kab == kab)[0]
        g = rng.gamma(1.3, size=len(idx)) + 0.05
        kel_w[idx] = KAB_CFG[kab][0] * g / g.sum()
    kec_by_kab = {kab: sorted(k for k in kecs if k[:4] == kab) for kab in KAB_ORDER}
    kels_by_kab = {kab: np.where(kel_kab == kab)[0] for kab in KAB_ORDER}
    kels_by_kec = {}
    for i, kc in enumerate(kel_kec):
        kels_by_kec.setdefault(kc, []).append(i)

    # ------------------------------------------------------------ households
    size_opts = np.arange(1, 8)
    hs = rng.choice(size_opts, size=int(n / 3.5 * 1.2) + 50, p=[.10, .15, .20, .25, .16, .09, .05])
    cs = np.cumsum(hs)
    H = int(np.searchsorted(cs, n)) + 1
    hs = hs[:H].copy()
    hs[-1] = n - (cs[H - 2] if H > 1 else 0)
    hh_kel = rng.choice(K, size=H, p=kel_w)
    hh_kab = kel_kab[hh_kel]
    hh_urban = np.array([kel_code[i][6] == "1" for i in hh_kel])
    hh_eth = np.zeros(H, dtype=int)
    hh_welf = np.zeros(H, dtype=bool)
    for kab in KAB_ORDER:
        m = hh_kab == kab
        hh_eth[m] = rng.choice(5, size=int(m.sum()), p=KAB_CFG[kab][3])
        hh_welf[m] = rng.random(int(m.sum())) < KAB_CFG[kab][4]
    # NIK origin of the household's adults: 0 here, 1 another kab/kota of the extract,
    # 2 an old Kaltim code (before Kaltara), 3 another province
    hh_orig = rng.choice(4, size=H, p=[.72, .11, .015, .155])
    hh_orig[(hh_orig == 3) & np.isin(hh_eth, [3, 4])] = 1
    hh_origkab = np.array([""] * H, dtype=object)
    shares = np.array([KAB_CFG[k][0] for k in KAB_ORDER])
    foreign_by_eth = {0: ["6371", "6303", "6304"], 1: ["7371", "7308", "7313", "7314", "7602", "7201"],
                      2: ["3578", "3507", "3509", "3522", "3301", "3309", "3201", "5371"]}
    for h in np.where(hh_orig == 1)[0]:
        p = shares.copy()
        p[KAB_ORDER.index(hh_kab[h])] = 0
        hh_origkab[h] = KAB_ORDER[rng.choice(len(KAB_ORDER), p=p / p.sum())]
    for h in np.where(hh_orig == 3)[0]:
        opts = foreign_by_eth[hh_eth[h]]
        wts = np.array([FOREIGN_PREFIX[o][0] for o in opts])
        hh_origkab[h] = opts[rng.choice(len(opts), p=wts / wts.sum())]
    hh_desil = rng.choice(np.arange(1, 11), size=H, p=[.16, .15, .14, .12, .11, .09, .08, .06, .05, .04])
    hh_moved = hh_welf & (rng.random(H) < 0.08)
    hh_oldkel = hh_kel.copy()
    for h in np.where(hh_moved)[0]:
        if rng.random() < 0.6:
            other = [k for k in KAB_ORDER if k != hh_kab[h]]
            p = np.array([KAB_CFG[k][0] for k in other])
            k2 = other[rng.choice(len(other), p=p / p.sum())]
            cand = kels_by_kab[k2]
        else:
            cand = kels_by_kab[hh_kab[h]]
        c = cand[rng.integers(len(cand))]
        while c == hh_kel[h]:
            c = cand[rng.integers(len(cand))]
        hh_oldkel[h] = c
    hh_addr = [make_address(rng, hh_urban[h]) for h in range(H)]
    hh_oldaddr = [make_address(rng, True) if hh_moved[h] else hh_addr[h] for h in range(H)]
    hh_rt = rng.integers(1, 36, H)
    hh_rw = np.where(hh_urban, rng.integers(1, 13, H), np.where(rng.random(H) < 0.6, 0, rng.integers(1, 6, H)))
    hh_oldrt = np.where(hh_moved, rng.integers(1, 36, H), hh_rt)
    hh_oldrw = np.where(hh_moved, rng.integers(1, 13, H), hh_rw)
    kkreg = rng.integers(int((dt.date(2004, 1, 1) - dt.date(1970, 1, 1)).days),
                        int((dt.date(2026, 9, 30) - dt.date(1970, 1, 1)).days), 2 * H)
    hh_kk_all = kk_or_nik_frame(list(kel_kec[hh_kel]) + list(kel_kec[hh_oldkel]), kkreg, np.zeros(2 * H, bool),
                                5000, rng)
    hh_kk = hh_kk_all[:H]
    hh_oldkk = [hh_kk_all[H + h] if hh_moved[h] else hh_kk[h] for h in range(H)]

    # ------------------------------------------------------------ residents
    hh = np.repeat(np.arange(H), hs)
    start = np.concatenate([[0], np.cumsum(hs)[:-1]])
    pos = np.arange(n) - start[hh]
    size = hs[hh]
    role = np.full(n, 2)
    role[pos == 0] = 0
    role[(pos == 1) & (rng.random(n) < 0.85)] = 1
    role[(pos == size - 1) & (size >= 3) & (rng.random(n) < 0.12)] = 3
    head_male = rng.random(H) < 0.86
    male = np.where(role == 0, head_male[hh], np.where(role == 1, ~head_male[hh], rng.random(n) < 0.51))
    head_age = np.clip(np.round(rng.normal(45, 13, H)), 19, 90).astype(int)
    ha = head_age[hh]
    age0 = np.where(role == 0, ha,
                    np.where(role == 1, np.clip(ha + np.round(rng.normal(-3, 4, n)), 17, 95),
                             np.where(role == 2, np.clip(ha - rng.integers(19, 42, n), 0, None),
                                      np.clip(ha + rng.integers(22, 33, n), 0, 99)))).astype(int)
    z = (role == 2) & (age0 == 0)
    age0[z] = rng.integers(0, 6, int(z.sum()))
    byear = 2026 - age0
    base = ((byear - 1970) * 12 + 10).astype("datetime64[M]").astype("datetime64[D]")
    bd = (base - rng.integers(1, 365, n).astype("timedelta64[D]")).astype(np.int64)
    # twins
    tw = np.where((pos == 3) & (role == 2) & (np.roll(role, 1) == 2) & (rng.random(n) < 0.015))[0]
    bd[tw] = bd[tw - 1]
    # Dukcapil placeholder dates for older people
    bdates = [days_to_date(x) for x in bd]
    ph = np.where((byear < 1970) & (rng.random(n) < 0.06))[0]
    for i in ph:
        r = rng.random()
        y = bdates[i].year
        bdates[i] = dt.date(y, 1, 1) if r < 0.65 else (dt.date(y, 12, 31) if r < 0.85 else dt.date(y, 7, 1))
        bd[i] = (bdates[i] - dt.date(1970, 1, 1)).days
    eth = hh_eth[hh].copy()
    mix = (role == 1) & (rng.random(n) < 0.2)
    eth[mix] = rng.integers(0, 5, int(mix.sum()))
    # ages on the period start, from the registry's birth date
    age = np.array([P0.year - d.year - ((d.month, d.day) > (P0.month, P0.day)) for d in bdates])

    # occupations
    occ = np.zeros(n, dtype=int)
    setting = np.where(hh_urban[hh], "urban", "rural")
    for sx in ("M", "F"):
        for st in ("urban", "rural"):
            m = (male == (sx == "M")) & (setting == st)
            tab = OCC_W[(sx, st)]
            if st == "rural" and sx == "M":
                tab = dict(tab)
            codes = np.array(list(tab))
            p = np.array(list(tab.values()), float)
            idx = np.where(m)[0]
            occ[idx] = codes[rng.choice(len(codes), size=len(idx), p=p / p.sum())]
    r = rng.random(n)
    occ[age < 5] = 1
    k = (age >= 5) & (age < 18)
    occ[k] = np.where(r[k] < 0.9, 3, np.where(r[k] < 0.97, 1, 19))
    k = (age >= 18) & (age < 23)
    occ[k & (r < 0.45)] = 3
    k = age >= 65
    occ[k & (r < 0.25)] = 4
    occ[k & (r >= 0.25) & (r < 0.6)] = 1
    occ[k & (r >= 0.6) & (r < 0.75) & ~male] = 2
    # coastal kab: more fishers
    coast = np.array([KAB_CFG[hh_kab[h]][2] for h in range(H)])[hh]
    f = coast & (age >= 18) & (age < 65) & male & (rng.random(n) < 0.05)
    occ[f] = np.where(rng.random(int(f.sum())) < 0.6, 11, 21)
    disab = np.zeros(n, dtype=int)
    d_ = rng.random(n) < (0.008 + 0.025 * (age > 60))
    disab[d_] = rng.choice(np.arange(1, 7), size=int(d_.sum()), p=[.45, .15, .12, .1, .08, .1])

    # names
    names_tok = []
    for i in range(n):
        names_tok.append(make_name(rng, ETH[eth[i]], "M" if male[i] else "F", byear[i]))
    # namesakes within the extract: a common name given to another person born the same day elsewhere
    reg_name, reg_tag = [], []
    for i in range(n):
        s, t = registry_form(rng, names_tok[i], "M" if male[i] else "F", age[i])
        reg_name.append(s)
        reg_tag.append(t)

    # NIK prefix of residents
    pers_orig = np.where(np.isin(role, [0, 1, 3]), hh_orig[hh], np.where(rng.random(n) < 0.5, hh_orig[hh], 0))
    prefix = []
    for i in range(n):
        o = pers_orig[i]
        h = hh[i]
        if o == 0:
            kab = hh_kab[h]
            prefix.append(kel_kec[hh_kel[h]] if rng.random() < 0.8 else
                          kec_by_kab[kab][rng.integers(len(kec_by_kab[kab]))])
        elif o == 1:
            lst = kec_by_kab[hh_origkab[h]]
            prefix.append(lst[rng.integers(len(lst))])
        elif o == 2:
            prefix.append(OLD_PREFIX[rng.integers(len(OLD_PREFIX))])
        else:
            lst = FOREIGN_PREFIX[hh_origkab[h]][1]
            prefix.append(lst[rng.integers(len(lst))])
    nik_bd = bd.copy()
    mm_ = rng.random(n) < 0.015
    nik_bd[mm_] += rng.choice([-30, -7, -3, -1, 1, 2, 5, 31, 365, -365], size=int(mm_.sum()))
    nik_female = ~male.copy()
    sm = rng.random(n) < 0.003
    nik_female[sm] = ~nik_female[sm]

    # ------------------------------------------------------------ roster cards of residents
    informal_occ = np.array([(c in INFORMAL) or (c in LOCAL_INFORMAL) for c in occ])
    p_card = np.full(n, 0.03)
    p_card[np.isin(occ, list(FORMAL_EMP))] = 0.72
    p_card[informal_occ] = 0.22
    p_card[np.isin(occ, [-4, -5])] = 0.35
    p_card[np.isin(occ, [5, 6, 7])] = 0.05
    p_card[(age < 17) | (age > 72)] = 0.0
    p_card[(age > 65) & (age <= 72)] = 0.05
    has_card = rng.random(n) < p_card
    cards = []   # (pid, segmen, status, programs tuple, kind)
    for i in np.where(has_card)[0]:
        c = occ[i]
        if c in FORMAL_EMP:
            st = "AKTIF" if rng.random() < 0.88 else "NONAKTIF"
            pr = pick(rng, [(("JKK", "JKM", "JHT", "JP"), .7), (("JKK", "JKM", "JHT"), .2),
                            (("JKK", "JKM", "JHT", "JP", "JKP"), .1)])
            cards.append((i, "PU", st, pr))
        elif informal_occ[i] or c in (-4, -5):
            kind = pick(rng, [("bpu_full", .55), ("bpu_jht", .10), ("bpu_non", .20), ("bpu_partial", .05),
                              ("pu_old", .07), ("jakon", .03)])
            if kind == "bpu_full":
                cards.append((i, "BPU", "AKTIF", ("JKK", "JKM")))
            elif kind == "bpu_jht":
                cards.append((i, "BPU", "AKTIF", ("JKK", "JKM", "JHT")))
            elif kind == "bpu_non":
                cards.append((i, "BPU", "NONAKTIF", ("JKK", "JKM")))
            elif kind == "bpu_partial":
                cards.append((i, "BPU", "AKTIF", pick(rng, [(("JKK",), .4), (("JKM",), .3), (("JHT",), .3)])))
            elif kind == "pu_old":
                cards.append((i, "PU", "NONAKTIF", ("JKK", "JKM", "JHT", "JP")))
            else:
                cards.append((i, "JAKON", "AKTIF", ("JKK", "JKM")))
        else:
            if rng.random() < 0.7:
                cards.append((i, "PU", "NONAKTIF", ("JKK", "JKM", "JHT")))
            else:
                cards.append((i, "BPU", "AKTIF", ("JKK", "JKM")))
    # PMI (migrant workers abroad, still on the KK)
    for i in np.where((age >= 20) & (age <= 45) & (rng.random(n) < 0.002))[0]:
        cards.append((i, "PMI", "AKTIF", ("JKK", "JKM")))
    extra = []
    for c in cards:
        r = rng.random()
        if r < 0.06:
            extra.append((c[0], "PU", "NONAKTIF", ("JKK", "JKM", "JHT", "JP")))
        elif r < 0.07:
            extra.append((c[0], c[1], c[2], c[3]))     # registered twice
    cards += extra
    n_res_cards = len(cards)

    # ------------------------------------------------------------ non-residents
    # (a) deceased members still on a welfare record; (b) emigrants (left the province) with a
    # welfare record; (c) roster participants living outside the extract (other provinces, Kaltara)
    welf_hh = np.where(hh_welf)[0]
    dead_hh = welf_hh[rng.random(len(welf_hh)) < 0.04]
    n_dead = len(dead_hh)
    n_emig = int(0.015 * hs[welf_hh].sum())
    n_out = int(0.13 * n_res_cards)
    m_tot = n_dead + n_emig + n_out
    nr_kind = np.array(["dead"] * n_dead + ["emigrant"] * n_emig + ["outsider"] * n_out)
    nr_hh = np.concatenate([dead_hh, -np.ones(n_emig + n_out, int)])
    nr_kel = np.concatenate([hh_kel[dead_hh], rng.choice(K, size=n_emig + n_out, p=kel_w)])
    nr_male = rng.random(m_tot) < 0.5
    nr_male[n_dead + n_emig:] = rng.random(n_out) < 0.85
    nr_age = np.concatenate([rng.integers(72, 96, n_dead), rng.integers(20, 70, n_emig),
                             rng.integers(19, 58, n_out)])
    nr_by = 2026 - nr_age
    nr_bd = (((nr_by - 1970) * 12 + 10).astype("datetime64[M]").astype("datetime64[D]")
             - rng.integers(1, 365, m_tot).astype("timedelta64[D]")).astype(np.int64)
    nr_eth = np.concatenate([hh_eth[dead_hh],
                             np.array([rng.choice(5, p=KAB_CFG[kel_kab[k]][3]) for k in nr_kel[n_dead:n_dead + n_emig]],
                                      dtype=int),
                             rng.choice(3, size=n_out, p=[.25, .40, .35])])
    nr_names = [make_name(rng, ETH[nr_eth[j]], "M" if nr_male[j] else "F", nr_by[j]) for j in range(m_tot)]
    nr_prefix = []
    nr_namesake = np.zeros(m_tot, dtype=bool)
    working = np.where((age >= 20) & (age <= 55))[0]
    for j in range(m_tot):
        if nr_kind[j] == "dead":
            h = nr_hh[j]
            nr_prefix.append(kel_kec[hh_kel[h]] if hh_orig[h] != 3 else FOREIGN_PREFIX[hh_origkab[h]][1][0])
        elif nr_kind[j] == "emigrant":
            nr_prefix.append(kel_kec[nr_kel[j]])
        else:
            r = rng.random()
            if r < 0.85:
                fk = list(FOREIGN_PREFIX)
                wts = np.array([FOREIGN_PREFIX[x][0] for x in fk])
                lst = FOREIGN_PREFIX[fk[rng.choice(len(fk), p=wts / wts.sum())]][1]
                nr_prefix.append(lst[rng.integers(len(lst))])
            else:
                nr_prefix.append(["650101", "650201", "657101", "657102", "650401"][rng.integers(5)])
            if rng.random() < 0.025:       # a namesake of a resident: same name and birth date
                i = working[rng.integers(len(working))]
                nr_names[j] = list(names_tok[i])
                nr_bd[j] = bd[i]
                nr_male[j] = male[i]
                nr_namesake[j] = True
    nr_nik_female = ~nr_male

    # ------------------------------------------------------------ NIK allocation (everyone at once)
    all_prefix = prefix + nr_prefix
    all_nbd = np.concatenate([nik_bd, nr_bd])
    all_f = np.concatenate([nik_female, nr_nik_female])
    niks = kk_or_nik_frame(all_prefix, all_nbd, all_f, 0, rng)
    res_nik = niks[:n]
    nr_nik = niks[n:]
    assert len(set(niks)) == len(niks)
    assert not (set(niks) & set(hh_kk_all))

    # ------------------------------------------------------------ helpers over all persons
    def p_nik(pid):
        return res_nik[pid] if pid < n else nr_nik[pid - n]

    def p_toks(pid):
        return names_tok[pid] if pid < n else nr_names[pid - n]

    def p_male(pid):
        return bool(male[pid]) if pid < n else bool(nr_male[pid - n])

    def p_bdate(pid):
        return bdates[pid] if pid < n else days_to_date(nr_bd[pid - n])

    def fam_nik(pid):
        """NIK of a family member (the head's, or the spouse's for the head)"""
        if pid >= n:
            h = nr_hh[pid - n]
            return res_nik[start[h]] if h >= 0 else None
        h = hh[pid]
        if pos[pid] != 0:
            return res_nik[start[h]]
        return res_nik[start[h] + 1] if hs[h] > 1 else None

    def p_kk(pid):
        if pid < n:
            return hh_kk[hh[pid]]
        h = nr_hh[pid - n]
        return hh_kk[h] if h >= 0 else None

    kel_res = {}
    for i in range(n):
        kel_res.setdefault(hh_kel[hh[i]], []).append(i)

    def other_nik(kel):
        lst = kel_res.get(kel)
        return res_nik[lst[rng.integers(len(lst))]] if lst else None

    def sex_form(is_male, form):
        return SEX_FORMS[form][0 if is_male else 1]

    # ------------------------------------------------------------ welfare records
    WELF_NIK = [("exact", .803), ("quote", .015), ("missing", .06), ("typo", .035), ("swap", .01), ("trunc", .02),
                ("excel", .02), ("kk", .012), ("family", .015), ("other", .005), ("spaced", .005)]
    WELF_NAME = [("none", .60), ("case", .07), ("title", .06), ("abbrev", .06), ("typo", .07), ("drop", .04),
                 ("spell", .025), ("punct", .02), ("binti", .015), ("swap", .01), ("double", .03)]
    WELF_DATE = [("exact", .86), ("missing", .03), ("swap", .02), ("year", .03), ("placeholder", .02),
                 ("dayoff", .025), ("other", .015)]
    HUB = {0: "KEPALA KELUARGA", 1: "ISTRI", 2: "ANAK", 3: "ORANG TUA"}
    wrec = []   # dict per welfare record (truth + raw)
    for h in welf_hh:
        for i in range(start[h], start[h] + hs[h]):
            if rng.random() < (0.95 if age[i] >= 2 else 0.4):
                wrec.append(dict(pid=i, kind="resident", h=h, kel=hh_oldkel[h], moved=bool(hh_moved[h]),
                                 desil=int(hh_desil[h]), hub=("SUAMI" if (role[i] == 1 and male[i]) else HUB[role[i]])))
    for j in range(n_dead):
        h = nr_hh[j]
        wrec.append(dict(pid=n + j, kind="dead", h=h, kel=hh_oldkel[h], moved=bool(hh_moved[h]),
                         desil=int(hh_desil[h]), hub="ORANG TUA"))
    for j in range(n_dead, n_dead + n_emig):
        wrec.append(dict(pid=n + j, kind="emigrant", h=-1, kel=nr_kel[j], moved=False,
                         desil=int(rng.integers(1, 8)), hub="KEPALA KELUARGA"))
    second = [r for r in wrec if r["kind"] == "resident" and rng.random() < 0.02]
    for r in second:
        r2 = dict(r)
        r2["kind"] = "second_id"
        r2["desil"] = int(min(10, max(1, r["desil"] + rng.integers(-1, 2))))
        wrec.append(r2)
    for r in wrec:
        pid, h = r["pid"], r["h"]
        nk = p_nik(pid)
        r["nik_dmg"] = pick(rng, WELF_NIK)
        kk = hh_oldkk[h] if h >= 0 else None
        if r["nik_dmg"] in ("kk", "family", "other"):
            alt = {"kk": kk, "family": fam_nik(pid), "other": other_nik(r["kel"])}[r["nik_dmg"]]
            if alt is None or alt == nk:
                r["nik_dmg"] = "missing"
        r["NIK"] = damage_nik(rng, nk, r["nik_dmg"], kk=kk, fam=fam_nik(pid), other=other_nik(r["kel"]))
        toks = p_toks(pid)
        sx = "M" if p_male(pid) else "F"
        k1 = pick(rng, WELF_NAME)
        kinds = [k1]
        if k1 == "none":
            nm = " ".join(toks)
        elif k1 == "double":
            nm = " ".join(toks).replace(" ", "  ", 1) if len(toks) > 1 else " ".join(toks) + "  "
        else:
            nm = vary_name(rng, toks, sx, k1)
            if rng.random() < 0.12:
                k2 = pick(rng, WELF_NAME[2:])
                if k2 not in ("double", "case", k1):
                    nm = vary_name(rng, nm.split(), sx, k2)
                    kinds.append(k2)
        r["NAMA"] = nm
        r["name_dmg"] = "+".join(kinds)
        r["date_dmg"] = pick(rng, WELF_DATE)
        r["date"] = damage_date(rng, p_bdate(pid), r["date_dmg"])
        kel = r["kel"]
        rk = rng.random()
        if rk < 0.03:
            r["kel_dmg"] = "blank"
            r["KODE_KEL"] = ""
        else:
            if rk < 0.04:
                sib = kels_by_kec[kel_kec[kel]]
                if len(sib) > 1:
                    kel = sib[rng.integers(len(sib))]
                r["kel_dmg"] = "neighbour_kel" if kel != r["kel"] else "none"
            else:
                r["kel_dmg"] = "none"
            c = kel_code[kel]
            r["KODE_KEL"] = f"{c[:2]}.{c[2:4]}.{c[4:6]}.{c[6:]}" if rng.random() < 0.12 else c
        if h >= 0:
            addr, rt, rw = hh_oldaddr[h], hh_oldrt[h], hh_oldrw[h]
        else:
            addr, rt, rw = make_address(rng, kel_code[r["kel"]][6] == "1"), rng.integers(1, 30), rng.integers(0, 10)
        f = rng.random()
        if f < 0.5:
            addr = addr + f" RT {rt:03d} RW {rw:03d}" if rw else addr + f" RT {rt:03d}"
        elif f < 0.7:
            addr = addr + f", RT.{rt:02d}/RW.{rw:02d}"
        r["ALAMAT"] = addr
        kkv = kk if kk else ""
        rkk = rng.random()
        if rkk < 0.04:
            kkv = ""
        elif rkk < 0.05 and kkv:
            kkv = kkv[:15] + "0"
        r["NO_KK"] = kkv
        r["JENIS_KLMIN"] = "" if rng.random() < 0.02 else sex_form(p_male(pid), int(rng.integers(0, 3)))
        r["TGL_LHR"] = fmt_date(r["date"], int(rng.choice(3, p=[.6, .2, .2])))
        r["rec_kab"] = kel_code[r["kel"]][:4]
        r["person_kab"] = hh_kab[hh[pid]] if pid < n else None
    # welfare order: by registered kelurahan, then family
    wrec.sort(key=lambda r: (kel_code[r["kel"]], r["h"], r["pid"]))
    ids = rng.choice(np.arange(10 ** 11, 10 ** 11 + 50 * len(wrec) + 1000), size=len(wrec), replace=False)
    for r, x in zip(wrec, ids):
        r["ID_DTSEN"] = f"DT64{x}"

    # ------------------------------------------------------------ roster records
    out_cards = []
    for j in range(n_dead + n_emig, m_tot):
        kind = pick(rng, [("pu", .75), ("jakon", .15), ("non", .10)])
        if kind == "pu":
            out_cards.append((n + j, "PU", "AKTIF", ("JKK", "JKM", "JHT", "JP")))
        elif kind == "jakon":
            out_cards.append((n + j, "JAKON", "AKTIF", ("JKK", "JKM")))
        else:
            out_cards.append((n + j, "PU", "NONAKTIF", ("JKK", "JKM", "JHT")))
    ROS_NIK = [("exact", .867), ("quote", .015), ("spaced", .005), ("missing", .035), ("typo", .03), ("swap", .01),
               ("trunc", .01), ("excel", .015), ("family", .005), ("kk", .005), ("other", .003)]
    ROS_NAME = [("none", .66), ("case", .05), ("title", .03), ("abbrev", .08), ("typo", .06), ("drop", .05),
                ("spell", .02), ("punct", .02), ("swap", .005), ("double", .025)]
    ROS_DATE = [("exact", .925), ("missing", .015), ("swap", .01), ("year", .015), ("placeholder", .01),
                ("dayoff", .015), ("other", .01)]
    COMPANIES = ["PT. PUPUK KALIMANTAN TIMUR", "PT. KALTIM PRIMA COAL", "PT. BADAK NGL", "CV. MAHAKAM JAYA",
                 "PT. INDOMINCO MANDIRI", "PT. BERAU COAL", "PT. PERTAMINA HULU MAHAKAM", "CV. BORNEO TEKNIK",
                 "PT. MULTI HARAPAN UTAMA", "KOPERASI TKBM SAMUDERA", "PT. TUNAS ALFIN", "RSUD A. W. SJAHRANIE"]
    rrec = []
    for (pid, seg, st, pr) in cards + out_cards:
        r = dict(pid=pid, kind=("resident" if pid < n else ("namesake" if nr_namesake[pid - n] else "outsider")),
                 seg=seg, st=st, prog=pr, protective=(st == "AKTIF" and "JKK" in pr and "JKM" in pr))
        nk = p_nik(pid)
        r["nik_dmg"] = pick(rng, ROS_NIK)
        kk = p_kk(pid)
        fm = fam_nik(pid)
        kelx = hh_kel[hh[pid]] if pid < n else nr_kel[pid - n]
        if r["nik_dmg"] in ("kk", "family", "other"):
            alt = {"kk": kk, "family": fm, "other": other_nik(kelx)}[r["nik_dmg"]]
            if alt is None or alt == nk:
                r["nik_dmg"] = "missing"
        r["NIK"] = damage_nik(rng, nk, r["nik_dmg"], kk=kk, fam=fm, other=other_nik(kelx))
        if r["NIK"] in ("", "-") and rng.random() < 0.5:
            r["NIK"] = None
        toks = p_toks(pid)
        sx = "M" if p_male(pid) else "F"
        k1 = pick(rng, ROS_NAME)
        if k1 == "none":
            nm = " ".join(toks)
        elif k1 == "double":
            nm = " ".join(toks).replace(" ", "  ", 1) if len(toks) > 1 else " ".join(toks) + " "
        else:
            nm = vary_name(rng, toks, sx, k1)
        r["NAMA"] = nm
        r["name_dmg"] = k1
        r["date_dmg"] = pick(rng, ROS_DATE)
        r["date"] = damage_date(rng, p_bdate(pid), r["date_dmg"])
        r["SEGMEN"] = seg if rng.random() < 0.95 else seg.lower()
        if st == "AKTIF":
            r["STATUS"] = pick(rng, [("AKTIF", .9), ("Aktif", .07), (" AKTIF ", .03)])
            r["BLTH"] = pick(rng, [("2026-10", .7), ("2026-09", .25), ("2026-08", .05)])
        else:
            r["STATUS"] = pick(rng, [("NONAKTIF", .6), ("NON AKTIF", .25), ("Non-Aktif", .1), ("TIDAK AKTIF", .05)])
            r["BLTH"] = f"{rng.integers(2016, 2026)}-{rng.integers(1, 13):02d}"
        progs = list(pr)
        if rng.random() < 0.03:
            progs = progs[::-1]
        sep = pick(rng, [(",", .7), (", ", .2), (";", .05), (" ,", .05)])
        ps = sep.join(progs)
        r["PROGRAM"] = ps.lower() if rng.random() < 0.03 else ps
        r["NAMA_PERUSAHAAN"] = COMPANIES[rng.integers(len(COMPANIES))] if seg in ("PU", "JAKON") else ""
        r["person_kab"] = hh_kab[hh[pid]] if pid < n else None
        r["nik_kab"] = nk[:4]
        rrec.append(r)
    kpjs = np.unique(rng.integers(10 ** 10, 10 ** 11, int(len(rrec) * 1.2) + 100))
    rng.shuffle(kpjs)
    kpjs = kpjs[:len(rrec)]
    assert len(set(kpjs.tolist())) == len(kpjs)
    for r, x in zip(rrec, kpjs):
        r["KPJ"] = int(x)
    rrec.sort(key=lambda r: r["KPJ"])

    # ------------------------------------------------------------ penduduk rows
    RELIG = ["ISLAM"] * 8 + ["KRISTEN", "KATHOLIK"]
    PDDK = ["TIDAK/BELUM SEKOLAH", "TAMAT SD/SEDERAJAT", "SLTP/SEDERAJAT", "SLTA/SEDERAJAT", "DIPLOMA IV/STRATA I"]
    GOLD = ["A", "B", "AB", "O", "TIDAK TAHU"]
    DIS_LABEL = {1: "CACAT FISIK", 2: "CACAT NETRA/BUTA", 3: "CACAT RUNGU/WICARA", 4: "CACAT MENTAL/JIWA",
                 5: "CACAT FISIK DAN MENTAL", 6: "CACAT LAINNYA"}
    TMPT = {"6472": "SAMARINDA", "6471": "BALIKPAPAN", "6402": "TENGGARONG", "6474": "BONTANG", "6403": "TANJUNG REDEB",
            "6409": "PENAJAM", "6411": "UJOH BILANG", "6473": "TARAKAN", "6405": "TANJUNG SELOR", "6404": "MALINAU",
            "7371": "UJUNG PANDANG", "7308": "WATAMPONE", "7313": "SENGKANG", "7314": "SIDRAP", "6371": "BANJARMASIN",
            "6303": "MARTAPURA", "6304": "MARABAHAN", "3578": "SURABAYA", "3507": "MALANG", "3509": "JEMBER",
            "3522": "BOJONEGORO", "3301": "CILACAP", "3309": "BOYOLALI", "5371": "KUPANG", "7602": "MAMUJU",
            "3201": "BOGOR", "7201": "LUWUK"}
    HEADER = ["NO_KK", " nik ", "Nama_Lgkp", "JENIS_KLMIN", "TMPT_LHR", "tgl_lhr", "AGAMA", "STAT_KWN", "PDDK_AKH",
              "JENIS_PKRJN", "NAMA_LGKP_IBU", "PNYDNG_CCT", "GOL_DRH", "ALAMAT", "NO_RT", "NO_RW", "NO_KEL",
              "KEL_NAME", "NO_KEC", "KEC_NAME", "NO_KAB", "KAB_NAME", "NO_PROP", "PROP_NAME", "TGL_ENTRI"]
    COL = {h.strip().upper(): j for j, h in enumerate(HEADER)}
    flag_kind = np.array([""] * n, dtype=object)
    rr = rng.random(n)
    cuts = [("tgl_missing", .0025), ("tgl_invalid", .0008), ("tgl_2digit", .0004), ("occ_empty", .002),
            ("sex_unknown", .0002), ("kel_missing", .0004)]
    acc = 0.0
    for k_, p_ in cuts:
        flag_kind[(rr >= acc) & (rr < acc + p_)] = k_
        acc += p_
    occ_written = []
    rows = []
    mothers = {}
    for h in range(H):
        s0 = start[h]
        for i in range(s0, s0 + min(2, hs[h])):
            if not male[i] and role[i] in (0, 1):
                mothers[h] = reg_name[i] if rng.random() < 0.7 else " ".join(names_tok[i])
    for i in range(n):
        h = hh[i]
        kel = hh_kel[h]
        c = kel_code[kel]
        is_m = bool(male[i])
        fk = flag_kind[i]
        nikv = res_nik[i]
        r = rng.random()
        if r < 0.03:
            nikv = "'" + nikv
        elif r < 0.036:
            nikv = "\u200b" + nikv
        elif r < 0.04:
            nikv = nikv + "\u00a0"
        d = bdates[i]
        form = int(rng.choice(4, p=[.45, .25, .20, .10]))
        if fk == "tgl_missing":
            tgl = ""
        elif fk == "tgl_invalid":
            tgl = f"{30 if d.month != 2 else 31}-02-{d.year}" if rng.random() < 0.5 else f"31-{rng.choice([4, 6, 9, 11]):02d}-{d.year}"
        elif fk == "tgl_2digit":
            tgl = f"{d.day:02d}-{d.month:02d}-{d.year % 100:02d}"
        else:
            tgl = fmt_date(d, form)
        sf = int(rng.choice(4, p=[.55, .25, .15, .05]))
        jk = "3" if fk == "sex_unknown" else sex_form(is_m, sf)
        oc = occ[i]
        if fk == "occ_empty":
            ow = ""
        elif oc < 0:
            ow = LOCAL[oc] if rng.random() < 0.8 else LOCAL[oc].title()
        else:
            r = rng.random()
            lab = LABEL[oc]
            if r < 0.55:
                ow = lab
            elif r < 0.78:
                ow = str(oc)
            elif r < 0.88:
                ow = lab.title().replace("/", " / ")
            elif oc in ALIAS:
                ow = ALIAS[oc][rng.integers(len(ALIAS[oc]))]
            else:
                ow = lab.lower() if rng.random() < 0.5 else lab
        occ_written.append(ow)
        dv = disab[i]
        if dv:
            pc = DIS_LABEL[dv] if rng.random() < 0.6 else str(dv)
        else:
            pc = pick(rng, [("", .55), ("TIDAK", .15), ("0", .1), ("7", .05), ("TIDAK CACAT", .1), ("-", .05)])
        pad = rng.random() < 0.5
        row = [""] * len(HEADER)
        row[COL["NO_KK"]] = "" if rng.random() < 0.02 else hh_kk[h]
        row[COL["NIK"]] = nikv
        row[COL["NAMA_LGKP"]] = reg_name[i]
        row[COL["JENIS_KLMIN"]] = jk
        row[COL["TMPT_LHR"]] = TMPT.get(prefix[i][:4], "SAMARINDA")
        row[COL["TGL_LHR"]] = tgl
        row[COL["AGAMA"]] = "KRISTEN" if eth[i] == 4 and rng.random() < 0.7 else RELIG[rng.integers(len(RELIG))]
        stk = "BELUM KAWIN" if role[i] == 2 else ("CERAI MATI" if role[i] == 3 else "KAWIN")
        row[COL["STAT_KWN"]] = stk if rng.random() < 0.8 else {"BELUM KAWIN": "1", "KAWIN": "2", "CERAI MATI": "4"}[stk]
        row[COL["PDDK_AKH"]] = PDDK[rng.integers(len(PDDK))]
        row[COL["JENIS_PKRJN"]] = ow
        row[COL["NAMA_LGKP_IBU"]] = mothers.get(h, "") if role[i] == 2 else ""
        row[COL["PNYDNG_CCT"]] = pc
        row[COL["GOL_DRH"]] = GOLD[rng.integers(len(GOLD))]
        row[COL["ALAMAT"]] = hh_addr[h]
        row[COL["NO_RT"]] = f"{hh_rt[h]:03d}" if pad else str(hh_rt[h])
        row[COL["NO_RW"]] = (f"{hh_rw[h]:03d}" if pad else str(hh_rw[h])) if hh_rw[h] else ""
        row[COL["NO_KEL"]] = "" if fk == "kel_missing" else c[6:]
        row[COL["KEL_NAME"]] = kel_name[kel].upper()
        row[COL["NO_KEC"]] = c[4:6] if pad else str(int(c[4:6]))
        row[COL["KEC_NAME"]] = kecs[c[:6]].upper()
        row[COL["NO_KAB"]] = c[2:4] if pad else str(int(c[2:4]))
        row[COL["KAB_NAME"]] = kabs[c[:4]].upper()
        row[COL["NO_PROP"]] = "64"
        row[COL["PROP_NAME"]] = "KALIMANTAN TIMUR"
        row[COL["TGL_ENTRI"]] = f"{rng.integers(2008, 2026)}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d} 10:{rng.integers(0, 60):02d}:00"
        rows.append(row)

    # ------------------------------------------------------------ bad penduduk rows
    res_accepted = np.ones(n, dtype=bool)
    res_badtag = [""] * n

    def fake_row(nik_text, label):
        sx = rng.random() < 0.5
        toks = make_name(rng, ETH[rng.integers(5)], "M" if sx else "F", 1980)
        row = list(rows[rng.integers(n)])
        row[COL["NIK"]] = nik_text
        row[COL["NAMA_LGKP"]] = " ".join(toks)
        row[COL["JENIS_KLMIN"]] = "LAKI-LAKI" if sx else "PEREMPUAN"
        row[COL["TGL_LHR"]] = f"{rng.integers(1, 28):02d}-{rng.integers(1, 13):02d}-{rng.integers(1960, 2005)}"
        return row

    inserts = []     # (emitted after this resident, kind, payload, expected reasons, what)
    some = rng.choice(n, size=40, replace=False)
    base_nik = res_nik[some[0]]
    inserts.append((some[1], "row", fake_row(f"{int(base_nik):.5E}", "x"), "nik_excel_damaged", "NIK as 6.4xxxxE+15"))
    inserts.append((some[2], "row", fake_row(f"{int(res_nik[some[2]]):.5E}".replace("E+15", "E15"), "x"),
                    "nik_excel_damaged|nik_characters", "NIK as 6.4xxxxE15"))
    inserts.append((some[3], "row", fake_row(res_nik[some[3]][:15], "x"), "nik_length", "15-digit NIK"))
    inserts.append((some[4], "row", fake_row(res_nik[some[4]][:12] + "0000", "x"), "nik_serial|nik_length",
                    "serial 0000"))
    inserts.append((some[5], "row", fake_row(res_nik[some[5]][:8] + "13" + res_nik[some[5]][10:12] + "7771", "x"),
                    "nik_month", "month 13"))
    inserts.append((some[6], "row", fake_row(res_nik[some[6]][:6] + "35" + res_nik[some[6]][8:12] + "7772", "x"),
                    "nik_day", "day 35"))
    inserts.append((some[7], "row", fake_row(res_nik[some[7]][:15] + "A", "x"), "nik_characters", "letter in NIK"))
    inserts.append((some[8], "row", fake_row("", "x"), "nik_missing", "empty NIK, real person data"))
    inserts.append((some[9], "row", fake_row("-", "x"), "nik_missing|nik_characters|nik_length", "NIK '-'"))
    for k in (10, 11, 12):                                  # exact copies (second is quarantined)
        i = int(some[k])
        inserts.append((i, "row", list(rows[i]), "duplicate_row", "exact copy of the row above"))
    for k in (13, 14):                                      # another person written with a resident's NIK
        i = int(some[k])
        fr = fake_row(rows[i][COL["NIK"]], "x")
        inserts.append((int(some[k + 10]), "row", fr, "duplicate_nik", "another person holding a resident's NIK"))
        res_accepted[i] = False
        res_badtag[i] = "duplicate_nik"
    # malformed: an unquoted comma in ALAMAT (one field too many), a row cut short
    for k in (15, 16):
        i = int(some[k])
        rw = list(rows[i])
        rw[COL["NIK"]] = res_nik[i][:12] + f"{9000 + k}"
        raw = ",".join(x.replace("\n", " ").replace(",", " ").replace('"', "") for x in rw[:COL["ALAMAT"]]) + \
            ",JL. PRAMUKA, GG. 4," + ",".join(x.replace(",", " ") for x in rw[COL["ALAMAT"] + 1:])
        inserts.append((int(some[k + 10]), "raw", raw, "row_malformed", "unquoted comma in ALAMAT (extra field)"))
    rw = list(rows[int(some[17])])
    rw[COL["NIK"]] = res_nik[int(some[17])][:12] + "9017"
    raw = ",".join(x.replace("\n", " ").replace(",", " ").replace('"', "") for x in rw[:12])
    inserts.append((int(some[27]), "raw", raw, "row_malformed", "row cut short (12 of 25 fields)"))
    inserts.append((int(some[28]), "raw", ",".join(HEADER), "row_malformed", "header repeated (two exports pasted)"))
    # order residents as a SIAK export: by kelurahan, then KK
    order = sorted(range(n), key=lambda i: (kel_code[hh_kel[hh[i]]], hh[i], i))
    ins_by_pos = {}
    for ins in inserts:
        ins_by_pos.setdefault(int(ins[0]), []).append(ins)
    footer_rows = [
        ("raw", "," * 2 + "JUMLAH PENDUDUK: " + f"{n:,}".replace(",", ".") + "," * (len(HEADER) - 3),
         "no_identity|nik_missing|row_malformed", "footer JUMLAH"),
        ("raw", "Dicetak oleh: operator SIAK Disdukcapil Prov. Kaltim, 02-11-2026", "row_malformed|no_identity",
         "printed-by line (2 fields)"),
    ]
    pen_path = os.path.join(out_dir, "penduduk.csv")
    bad_truth = []
    res_line = np.zeros(n, dtype=np.int64)

    with open(pen_path, "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\r\n")
        wr.writerow(HEADER)
        line = 2

        def emit(kind, payload):
            nonlocal line
            l0 = line
            if kind == "row":
                wr.writerow(payload)
                line += 1 + sum(x.count("\n") for x in payload)
            else:
                f.write(payload + "\r\n")
                line += 1 + payload.count("\n")
            return l0

        for i in order:
            res_line[i] = emit("row", rows[i])
            for ins in ins_by_pos.pop(i, []):
                ln = emit(ins[1], ins[2])
                bad_truth.append(("penduduk.csv", ln, ins[3], ins[4], None))
        for ins in [x for v in ins_by_pos.values() for x in v]:
            ln = emit(ins[1], ins[2])
            bad_truth.append(("penduduk.csv", ln, ins[3], ins[4], None))
        for kind, payload, reason, what in footer_rows:
            ln = emit(kind, payload)
            bad_truth.append(("penduduk.csv", ln, reason, what, None))
    for i in np.where(~res_accepted)[0]:
        bad_truth.append(("penduduk.csv", int(res_line[i]), "duplicate_nik", "resident whose NIK another row also holds",
                          None))
    pen_read = n + len(inserts) + len(footer_rows)
    pen_acc = int(res_accepted.sum())

    # ------------------------------------------------------------ dtsen.csv (Windows-1252)
    DHEAD = ["ID_DTSEN", "Kode_Kel", "NAMA_KAB", "ALAMAT", "NO_KK", "NIK", "nama", "HUB_KEL", "JENIS_KLMIN", "TGL_LHR",
             "DESIL", "STATUS_PKH", "TGL_UPDATE"]

    def wrow(r):
        kc = r["KODE_KEL"].replace(".", "")
        return [r["ID_DTSEN"], r["KODE_KEL"], kabs.get(kc[:4], "").upper() if kc else "", r["ALAMAT"], r["NO_KK"],
                r["NIK"], r["NAMA"], r["hub"], r["JENIS_KLMIN"], r["TGL_LHR"],
                "" if r.get("desil_blank") else str(r["desil"]), "YA" if r["desil"] <= 3 else "TIDAK",
                f"2026-{rng.integers(1, 11):02d}-{rng.integers(1, 29):02d}"]

    for r in wrec:
        r["accepted"] = True
        r["desil_blank"] = rng.random() < 0.01
        r["row"] = wrow(r)
    nW = len(wrec)
    wsome = rng.choice(nW, size=20, replace=False)
    winserts = []     # (after record index, kind, payload, reasons, what)

    def wfake(id_text):
        sx = rng.random() < 0.5
        toks = make_name(rng, ETH[rng.integers(5)], "M" if sx else "F", 1975)
        kel = rng.choice(K, p=kel_w)
        return [id_text, kel_code[kel], kabs[kel_code[kel][:4]].upper(), make_address(rng, True).replace("\n", " "), "",
                prefix[rng.integers(n)] + "0101809" + str(rng.integers(100, 999)), " ".join(toks), "KEPALA KELUARGA",
                "L" if sx else "P", f"0{rng.integers(1, 9)}-0{rng.integers(1, 9)}-19{rng.integers(50, 99)}", "2", "YA",
                "2026-10-01"]

    cand = [j for j in wsome if wrec[j]["kind"] == "resident"]
    j = cand[0]
    winserts.append((int(wsome[-1]), "row", wfake(wrec[j]["ID_DTSEN"]), "duplicate_id",
                     "another family's record under the same ID_DTSEN"))
    wrec[j]["accepted"] = False
    for j2 in wsome[1:3]:
        winserts.append((int(j2), "row", list(wrec[j2]["row"]), "duplicate_row", "exact copy of the record above"))
    for j2 in wsome[3:5]:
        winserts.append((int(j2), "row", wfake(""), "missing_id", "record without ID_DTSEN"))
    rwx = list(wrec[wsome[5]]["row"])
    raw = ",".join(x.replace("\n", " ").replace(",", " ") for x in rwx[:3]) + ",JL. ULIN, GG. 2," + \
        ",".join(x.replace("\n", " ").replace(",", " ") for x in rwx[4:])
    raw = raw.replace(rwx[0], "DT64" + "9" * 12)
    winserts.append((int(wsome[5]), "raw", raw, "row_malformed", "unquoted comma in ALAMAT"))
    dt_path = os.path.join(out_dir, "dtsen.csv")
    w_ins = {}
    for ins in winserts:
        w_ins.setdefault(ins[0], []).append(ins)
    with open(dt_path, "w", encoding="cp1252", newline="") as f:
        f.write("DATA TUNGGAL SOSIAL EKONOMI NASIONAL (DTSEN)\n")
        f.write("PROVINSI KALIMANTAN TIMUR, POSISI OKTOBER 2026\n\n")
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(DHEAD)
        line = 5

        def emitw(kind, payload):
            nonlocal line
            l0 = line
            if kind == "row":
                wr.writerow(payload)
                line += 1 + sum(x.count("\n") for x in payload)
            else:
                f.write(payload + "\n")
                line += 1 + payload.count("\n")
            return l0

        for j, r in enumerate(wrec):
            r["line"] = emitw("row", r["row"])
            for ins in w_ins.pop(j, []):
                ln = emitw(ins[1], ins[2])
                bad_truth.append(("dtsen.csv", ln, ins[3], ins[4], None))
        ln = emitw("raw", f"TOTAL: {nW} ART" + "," * (len(DHEAD) - 1))
        bad_truth.append(("dtsen.csv", ln, "no_identity|missing_id", "footer TOTAL", None))
    for r in wrec:
        if not r["accepted"]:
            bad_truth.append(("dtsen.csv", r["line"], "duplicate_id", "record whose ID another row also holds", None))
    dt_read = nW + len(winserts) + 1
    dt_acc = sum(r["accepted"] for r in wrec)

    # ------------------------------------------------------------ peserta_bpjstk.parquet (typed)
    nR = len(rrec)
    for r in rrec:
        r["accepted"] = True
    ros_rows = []
    for r in rrec:
        ros_rows.append(dict(KPJ=r["KPJ"], NIK=r["NIK"], NAMA=r["NAMA"], TGL=r["date"], SEGMEN=r["SEGMEN"],
                             STATUS=r["STATUS"], PROGRAM=r["PROGRAM"], BLTH=r["BLTH"], PERUSAHAAN=r["NAMA_PERUSAHAAN"],
                             src=r))
    rsome = rng.choice(nR, size=12, replace=False)
    rins = {}

    def rfake(kpj):
        sx = rng.random() < 0.8
        toks = make_name(rng, ETH[rng.integers(3)], "M" if sx else "F", 1985)
        return dict(KPJ=kpj, NIK="7371" + str(rng.integers(10 ** 11, 10 ** 12 - 1)), NAMA=" ".join(toks),
                    TGL=dt.date(int(rng.integers(1970, 2000)), int(rng.integers(1, 13)), int(rng.integers(1, 28))),
                    SEGMEN="PU", STATUS="AKTIF", PROGRAM="JKK,JKM,JHT,JP", BLTH="2026-10", PERUSAHAAN="CV. BORNEO TEKNIK",
                    src=None)

    cand = [j for j in rsome if rrec[j]["kind"] == "resident"]
    jd = int(cand[0])
    rins.setdefault(int(rsome[-1]), []).append((rfake(rrec[jd]["KPJ"]), "duplicate_id", "another card under the same KPJ"))
    rrec[jd]["accepted"] = False
    for j2 in rsome[1:3]:
        d = dict(ros_rows[j2])
        d["src"] = None
        rins.setdefault(int(j2), []).append((d, "duplicate_row", "exact copy of the row above"))
    for j2 in rsome[3:5]:
        rins.setdefault(int(j2), []).append((rfake(None), "missing_id", "row without KPJ"))
    rins.setdefault(int(rsome[5]), []).append((dict(KPJ=int(rng.integers(10 ** 10, 2 * 10 ** 10)), NIK=None, NAMA=None,
                                                    TGL=None, SEGMEN="BPU", STATUS="AKTIF", PROGRAM="JKK,JKM",
                                                    BLTH="2026-10", PERUSAHAAN="", src=None),
                                               "no_identity", "KPJ with no NIK, name or birth date"))
    final = []
    for j, d in enumerate(ros_rows):
        final.append(d)
        d["src"]["row"] = len(final)
        for (fd, reason, what) in rins.get(j, []):
            final.append(fd)
            bad_truth.append(("peserta_bpjstk.parquet", len(final), reason, what, None))
    for r in rrec:
        if not r["accepted"]:
            bad_truth.append(("peserta_bpjstk.parquet", r["row"], "duplicate_id", "card whose KPJ another row also holds",
                              None))
    tgl = pl.Series("TGL_LHR", [d["TGL"] for d in final], dtype=pl.Date)
    kantor = ["SAMARINDA", "BALIKPAPAN", "BONTANG", "TENGGARONG", "TANJUNG REDEB", "PENAJAM"]
    rdf = pl.DataFrame({
        "KPJ": pl.Series([d["KPJ"] for d in final], dtype=pl.Int64),
        "Nik": pl.Series([d["NIK"] for d in final], dtype=pl.Utf8),
        "NAMA": pl.Series([d["NAMA"] for d in final], dtype=pl.Utf8),
        "TGL_LHR": tgl.cast(pl.Datetime("us")).dt.replace_time_zone("Asia/Makassar"),
        "NAMA_PERUSAHAAN": [d["PERUSAHAAN"] for d in final],
        " SEGMEN ": [d["SEGMEN"] for d in final],
        "STATUS": [d["STATUS"] for d in final],
        "PROGRAM": [d["PROGRAM"] for d in final],
        "BLTH_AKHIR_IURAN": [d["BLTH"] for d in final],
        "KANTOR_CABANG": [kantor[i % len(kantor)] for i in range(len(final))],
        "RIWAYAT_IURAN": [[d["BLTH"], "2025-12"] if i % 3 else [] for i, d in enumerate(final)],
        "META": [{"kanal": "SIPP" if i % 2 else "PERISAI", "versi": i % 5} for i in range(len(final))],
    })
    rdf.write_parquet(os.path.join(out_dir, "peserta_bpjstk.parquet"))
    ro_read = len(final)
    ro_acc = sum(r["accepted"] for r in rrec)

    # ------------------------------------------------------------ truth
    informal = np.array([(c in INFORMAL) or (c in LOCAL_INFORMAL) for c in occ])
    known_occ = np.array([(ow != "") and (c >= 0 or c in LOCAL_INFORMAL) for ow, c in zip(occ_written, occ)])
    protected = np.zeros(n, dtype=bool)
    for r in rrec:
        if r["accepted"] and r["protective"] and r["pid"] < n:
            protected[r["pid"]] = True
    judgeable = res_accepted & (flag_kind == "") & known_occ
    candidate = judgeable & (age >= 18) & (age <= 65) & informal & ~protected
    desil_min = np.full(n, 99)
    for r in wrec:
        if r["accepted"] and r["pid"] < n:
            desil_min[r["pid"]] = min(desil_min[r["pid"]], r["desil"])
    orig_name = np.array(["local", "other_kab", "old_code", "other_prov"])
    tres = pl.DataFrame({
        "NIK": res_nik, "hh": hh, "line": res_line, "accepted": res_accepted, "bad": res_badtag,
        "judgeable": judgeable, "candidate": candidate, "age": age, "informal": informal,
        "protected": protected, "kab": [hh_kab[h] for h in hh], "kel": [kel_code[hh_kel[h]] for h in hh],
        "origin": orig_name[pers_orig], "nik_kab": [p[:4] for p in prefix], "flag": flag_kind.astype(str),
        "occ": occ, "occ_written": occ_written, "disab": disab, "desil": desil_min,
        "has_welfare_hh": hh_welf[hh], "moved_hh": hh_moved[hh], "title": ["+".join(t) for t in reg_tag],
        "nik_date_mismatch": mm_, "twin": np.isin(np.arange(n), tw) | np.isin(np.arange(n), tw - 1),
    })
    tres.write_parquet(os.path.join(out_dir, "truth", "t_residents.parquet"))
    twel = pl.DataFrame({
        "ID_DTSEN": [r["ID_DTSEN"] for r in wrec], "line": [r["line"] for r in wrec], "hh": [int(r["h"]) for r in wrec],
        "accepted": [r["accepted"] for r in wrec],
        "true_nik": [(res_nik[r["pid"]] if (r["pid"] < n and res_accepted[r["pid"]]) else None) for r in wrec],
        "person_nik": [p_nik(r["pid"]) for r in wrec],
        "kind": [r["kind"] for r in wrec], "nik_dmg": [r["nik_dmg"] for r in wrec],
        "name_dmg": [r["name_dmg"] for r in wrec], "date_dmg": [r["date_dmg"] for r in wrec],
        "kel_dmg": [r["kel_dmg"] for r in wrec], "moved": [r["moved"] for r in wrec],
        "rec_kab": [r["rec_kab"] for r in wrec], "person_kab": [r["person_kab"] for r in wrec],
        "NIK_written": [r["NIK"] for r in wrec], "desil": [r["desil"] for r in wrec],
    })
    twel.write_parquet(os.path.join(out_dir, "truth", "t_welfare.parquet"))
    tros = pl.DataFrame({
        "KPJ": pl.Series([r["KPJ"] for r in rrec], dtype=pl.Int64), "row": [r["row"] for r in rrec],
        "hh": [int(hh[r["pid"]]) if r["pid"] < n else int(nr_hh[r["pid"] - n]) for r in rrec],
        "accepted": [r["accepted"] for r in rrec],
        "true_nik": [(res_nik[r["pid"]] if (r["pid"] < n and res_accepted[r["pid"]]) else None) for r in rrec],
        "person_nik": [p_nik(r["pid"]) for r in rrec],
        "kind": [r["kind"] for r in rrec], "nik_dmg": [r["nik_dmg"] for r in rrec],
        "name_dmg": [r["name_dmg"] for r in rrec], "date_dmg": [r["date_dmg"] for r in rrec],
        "protective": [r["protective"] for r in rrec], "segmen": [r["seg"] for r in rrec],
        "status": [r["st"] for r in rrec], "person_kab": [r["person_kab"] for r in rrec],
        "nik_kab": [r["nik_kab"] for r in rrec], "NIK_written": [r["NIK"] for r in rrec],
    })
    tros.write_parquet(os.path.join(out_dir, "truth", "t_roster.parquet"))
    tbad = pl.DataFrame({"file": [b[0] for b in bad_truth], "line": [int(b[1]) for b in bad_truth],
                         "reasons": [b[2] for b in bad_truth], "what": [b[3] for b in bad_truth]})
    tbad.write_parquet(os.path.join(out_dir, "truth", "t_bad_rows.parquet"))
    kel_used = sorted(set(kel_code[hh_kel].tolist()))
    meta = dict(n=n, seed=seed, period=PERIOD, kabs={k: kabs[k] for k in KAB_ORDER},
                kels={c: kel_name[i] for i, c in enumerate(kel_code) if c in set(kel_used)},
                files={"penduduk.csv": dict(read=pen_read, accepted=pen_acc),
                       "dtsen.csv": dict(read=dt_read, accepted=dt_acc),
                       "peserta_bpjstk.parquet": dict(read=ro_read, accepted=ro_acc)})
    with open(os.path.join(out_dir, "truth", "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"residents {n:,} (accepted {pen_acc:,}; judgeable {int(judgeable.sum()):,}; candidates {int(candidate.sum()):,})"
          f"; welfare {nW:,}; roster {nR:,}; kelurahan {len(kel_used)}")
    for k in KAB_ORDER:
        m = tres["kab"].to_numpy() == k
        print(f"  {k} {kabs[k]:<32} residents {int(m.sum()):>8,}  candidates {int((candidate & m).sum()):>7,}")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    out_dir, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    if n > 1_000_000:
        sys.exit("at most 1,000,000 residents")
    build(out_dir, n, seed)


WIL = """
64.02|Kabupaten Kutai Kartanegara
64.02.01|Muara Muntai
64.02.01.2001|Perian
64.02.01.2002|Muara Leka
64.02.01.2003|Muara Aloh
64.02.01.2004|Jantur
64.02.01.2005|Batuq
64.02.01.2006|Rebaq Rinding
64.02.01.2007|Muara Muntai Ulu
64.02.01.2008|Muara Muntai Ilir
64.02.01.2009|Kayu Batu
64.02.01.2010|Jantur Selatan
64.02.01.2011|Tanjung Batuq Harapan
64.02.01.2012|Pulau Harapan
64.02.01.2013|Jantur Baru
64.02.02|Loa Kulu
64.02.02.2001|Jonggon Desa
64.02.02.2002|Sungai Payang
64.02.02.2003|Jembayan
64.02.02.2004|Loa Kulu Kota
64.02.02.2005|Loh Sumber
64.02.02.2006|Ponoragan
64.02.02.2007|Rempanga
64.02.02.2008|Margahayu
64.02.02.2009|Jonggon Jaya
64.02.02.2010|Lung Anai
64.02.02.2011|Jembayan Tengah
64.02.02.2012|Jembayan Dalam
64.02.02.2013|Sepakat
64.02.02.2014|Sumber Sari
64.02.02.2015|Jongkang
64.02.03|Loa Janan
64.02.03.2001|Bakungan
64.02.03.2002|Loa Duri Ulu
64.02.03.2003|Loa Janan Ulu
64.02.03.2004|Purwajaya
64.02.03.2005|Tani Bhakti
64.02.03.2006|Batuah
64.02.03.2007|Loa Duri Ilir
64.02.03.2008|Tani Harapan
64.02.04|Anggana
64.02.04.2001|Sepatin
64.02.04.2002|Muara Pantuan
64.02.04.2003|Tani Baru
64.02.04.2004|Kutai Lama
64.02.04.2005|Anggana
64.02.04.2006|Sungai Meriam
64.02.04.2007|Sidomulyo
64.02.04.2008|Handil Terusan
64.02.05|Muara Badak
64.02.05.2001|Saliki
64.02.05.2002|Salok Palai
64.02.05.2003|Muara Badak Ulu
64.02.05.2004|Muara Badak Ilir
64.02.05.2005|Tanjung Limau
64.02.05.2006|Tanah Datar
64.02.05.2007|Badak Baru
64.02.05.2008|Suka Damai
64.02.05.2009|Badak Mekar
64.02.05.2010|Gas Alam Badak I
64.02.05.2011|Batu-Batu
64.02.05.2012|Sallo Cela
64.02.05.2013|Sungai Bawang
64.02.06|Tenggarong
64.02.06.1001|Jahab
64.02.06.1002|Loa Ipuh
64.02.06.1003|Bukit Biru
64.02.06.1004|Timbau
64.02.06.1005|Melayu
64.02.06.1006|Panji
64.02.06.1007|Sukarame
64.02.06.1008|Kampung Baru
64.02.06.1009|Loa Tebu
64.02.06.1010|Mangkurawang
64.02.06.1011|Maluhu
64.02.06.1013|Loa Ipuh Darat
64.02.06.2012|Rapak Lambur
64.02.06.2014|Bendang Raya
64.02.07|Sebulu
64.02.07.2001|Selerong
64.02.07.2002|Tanjung Harapan
64.02.07.2003|Beloro
64.02.07.2004|Sebulu Ulu
64.02.07.2005|Sebulu Ilir
64.02.07.2006|Segihan
64.02.07.2007|Sumber Sari
64.02.07.2008|Manunggal Daya
64.02.07.2009|Giri Agung
64.02.07.2010|Senoni
64.02.07.2011|Sebulu Moderen
64.02.07.2012|Sanggulan
64.02.07.2013|Lekaq Kidau
64.02.07.2014|Mekar Jaya
64.02.08|Kota Bangun
64.02.08.2004|Loleng
64.02.08.2005|Kota Bangun Ulu
64.02.08.2006|Kota Bangun Ilir
64.02.08.2007|Liang
64.02.08.2008|Muhuran
64.02.08.2009|Pela
64.02.08.2017|Kedang Murung
64.02.08.2018|Kota Bangun Seberang
64.02.08.2019|Liang Ulu
64.02.08.2020|Sebelimbingan
64.02.08.2021|Sangkuliman
64.02.09|Kenohan
64.02.09.2001|Lamin Telihan
64.02.09.2002|Lamin Pulut
64.02.09.2003|Teluk Bingkai
64.02.09.2004|Kahala
64.02.09.2005|Tubuhan
64.02.09.2006|Semayang
64.02.09.2007|Teluk Muda
64.02.09.2008|Tuana Tuha
64.02.09.2009|Kahala Ilir
64.02.10|Kembang Janggut
64.02.10.2001|Genting Tanah
64.02.10.2002|Loa Sakoh
64.02.10.2003|Hambau
64.02.10.2004|Kembang Janggut
64.02.10.2005|Kelekat
64.02.10.2006|Pulau Pinang
64.02.10.2007|Long Beleh Haloq
64.02.10.2008|Long Beleh Modang
64.02.10.2009|Muai
64.02.10.2010|Perdana
64.02.10.2011|Bukit Layang
64.02.11|Muara Kaman
64.02.11.2001|Muara Kaman Ilir
64.02.11.2002|Rantau Hempang
64.02.11.2003|Teratak
64.02.11.2004|Benua Puhun
64.02.11.2005|Muara Kaman Ulu
64.02.11.2006|Sabintulung
64.02.11.2007|Muara Siran
64.02.11.2008|Tunjungan
64.02.11.2009|Sedulang
64.02.11.2010|Menamang Kiri
64.02.11.2011|Menamang Kanan
64.02.11.2012|Sidomukti
64.02.11.2013|Panca Jaya
64.02.11.2014|Bunga Jadi
64.02.11.2015|Kupang Baru
64.02.11.2016|Lebaho Ulaq
64.02.11.2017|Bukit Jering
64.02.11.2018|Liang Buaya
64.02.11.2019|Puan Cepak
64.02.11.2020|Cipari Makmur
64.02.12|Tabang
64.02.12.2001|Gunung Sari
64.02.12.2002|Long Lalang
64.02.12.2003|Muara Ritan
64.02.12.2004|Buluk Sen
64.02.12.2005|Umaq Dian
64.02.12.2006|Muara Pedohon
64.02.12.2007|Bila Talang
64.02.12.2008|Kampung Baru
64.02.12.2009|Umaq Tukung
64.02.12.2010|Sidomulyo
64.02.12.2011|Umaq Bekuay
64.02.12.2012|Tabang Lama
64.02.12.2013|Muara Tiq
64.02.12.2014|Muara Salung
64.02.12.2015|Muara Kebaq
64.02.12.2016|Muara Belinau
64.02.12.2017|Muara Tubo
64.02.12.2018|Ritan Baru
64.02.12.2019|Tukung Ritan
64.02.13|Samboja
64.02.13.1007|Sungai Seluang
64.02.13.1008|Wonotirto
64.02.13.1009|Tanjung Harapan
64.02.13.1010|Samboja Kuala
64.02.13.1011|Sanipah
64.02.13.1012|Handil Baru
64.02.13.1013|Muara Sembilang
64.02.13.1021|Teluk Pemedas
64.02.13.1022|Kampung Lama
64.02.13.1023|Handil Baru Darat
64.02.13.2014|Karya Jaya
64.02.13.2016|Bukit Raya
64.02.13.2019|Beringin Agung
64.02.14|Muara Jawa
64.02.14.1001|Muara Jawa Ilir
64.02.14.1002|Muara Jawa Tengah
64.02.14.1003|Muara Jawa Ulu
64.02.14.1004|Teluk Dalam
64.02.14.1005|Dondang
64.02.14.1006|Tama Pole
64.02.14.1007|Muara Kembang
64.02.14.1008|Muara Jawa
64.02.15|Sanga Sanga
64.02.15.1001|Jawa
64.02.15.1002|Pendingin
64.02.15.1003|Sanga-Sanga Dalam
64.02.15.1004|Sari Jaya
64.02.15.1005|Sanga-Sanga Muara
64.02.16|Tenggarong Seberang
64.02.16.2001|Manunggal Jaya
64.02.16.2002|Bukit Raya
64.02.16.2003|Embalut
64.02.16.2004|Bangun Rejo
64.02.16.2005|Kerta Buana
64.02.16.2006|Separi
64.02.16.2007|Bukit Pariaman
64.02.16.2008|Bhuana Jaya
64.02.16.2009|Mulawarman
64.02.16.2010|Loa Ulung
64.02.16.2011|Loa Raya
64.02.16.2012|Perjiwa
64.02.16.2013|Teluk Dalam
64.02.16.2014|Loa Lepu
64.02.16.2015|Suka Maju
64.02.16.2016|Loa Pari
64.02.16.2017|Karang Tunggal
64.02.16.2018|Tanjung Batu
64.02.17|Marang Kayu
64.02.17.2001|Sebuntal
64.02.17.2002|Santan Ulu
64.02.17.2003|Santan Tengah
64.02.17.2004|Santan Ilir
64.02.17.2005|Kersik
64.02.17.2006|Bunga Putih
64.02.17.2007|Makarti
64.02.17.2008|Prangat Selatan
64.02.17.2009|Prangat Baru
64.02.17.2010|Semangko
64.02.17.2011|Sambera Baru
64.02.18|Muara Wis
64.02.18.2001|Muara Wis
64.02.18.2002|Sebemban
64.02.18.2003|Melintang
64.02.18.2004|Enggelam
64.02.18.2005|Lebak Mantan
64.02.18.2006|Lebak Cilong
64.02.18.2007|Muara Enggelam
64.02.19|Kota Bangun Darat
64.02.19.2001|Kedang Ipil
64.02.19.2002|Sedulang
64.02.19.2003|Benua Baru
64.02.19.2004|Kota Bangun I
64.02.19.2005|Kota Bangun II
64.02.19.2006|Kota Bangun III
64.02.19.2007|Sumber Sari
64.02.19.2008|Sari Nadi
64.02.19.2009|Suka Bumi
64.02.19.2010|Wonosari
64.02.20|Samboja Barat
64.02.20.1001|Bukit Merdeka
64.02.20.1002|Sungai Merdeka
64.02.20.1003|Karya Merdeka
64.02.20.1005|Amborawang Darat
64.02.20.1006|Argo Sari
64.02.20.1007|Salok Api Darat
64.02.20.1008|Salok Api Laut
64.02.20.1009|Amborawang Laut
64.02.20.1010|Margomulyo
64.02.20.2004|Tani Bhakti
64.03|Kabupaten Berau
64.03.01|Kelay
64.03.01.2001|Merabu
64.03.01.2002|Panaan
64.03.01.2003|Merapun
64.03.01.2004|Muara Lesan
64.03.01.2005|Merasa
64.03.01.2006|Lesan Dayak
64.03.01.2007|Long Beliu
64.03.01.2008|Long Duhung
64.03.01.2009|Long Lamcin
64.03.01.2010|Long Keluh
64.03.01.2011|Long Pelay
64.03.01.2012|Mapulu
64.03.01.2013|Long Sului
64.03.01.2014|Sido Bangen
64.03.02|Talisayan
64.03.02.2002|Dumaring
64.03.02.2003|Talisayan
64.03.02.2014|Campur Sari
64.03.02.2015|Bumi Jaya
64.03.02.2016|Tunggal Bumi
64.03.02.2017|Sumber Mulya
64.03.02.2018|Suka Murya
64.03.02.2019|Purna Sari Jaya
64.03.02.2021|Eka Sapta
64.03.02.2023|Capuak
64.03.03|Sambaliung
64.03.03.1013|Sambaliung
64.03.03.2001|Long Lanuk
64.03.03.2002|Tumbit Dayak
64.03.03.2004|Inaran
64.03.03.2005|Pegat Bukur
64.03.03.2006|Rantau Panjang
64.03.03.2007|Suaran
64.03.03.2008|Pilanjau
64.03.03.2009|Pesayan
64.03.03.2010|Sei Bebanir Bangun
64.03.03.2011|Gurimbang
64.03.03.2012|Sukan Tengah
64.03.03.2014|Tanjung Perangat
64.03.03.2015|Bena Baru
64.03.04|Segah
64.03.04.2002|Punan Segah
64.03.04.2003|Long Ayap
64.03.04.2004|Long Ayan
64.03.04.2005|Punan Malinau
64.03.04.2006|Punan Mahkam
64.03.04.2007|Gunung Sari
64.03.04.2008|Pandan Sari
64.03.04.2009|Bukit Makmur
64.03.04.2010|Harapan Jaya
64.03.04.2011|Tepian Buah
64.03.04.2012|Batu Rajang
64.03.04.2013|Siduung Indah
64.03.05|Tanjung Redeb
64.03.05.1003|Sungai Bedungun
64.03.05.1004|Tanjung Redeb
64.03.05.1005|Bugis
64.03.05.1006|Gayam
64.03.05.1007|Karang Ambun
64.03.05.1008|Gunung Panjang
64.03.06|Gunung Tabur
64.03.06.1003|Gunung Tabur
64.03.06.2001|Tasuk
64.03.06.2002|Birang
64.03.06.2004|Maluang
64.03.06.2005|Samburakat
64.03.06.2006|Sambakungan
64.03.06.2007|Merancang Ulu
64.03.06.2008|Merancang Ilir
64.03.06.2009|Pulau Besing
64.03.06.2010|Melati Jaya
64.03.06.2011|Batu-Batu
64.03.07|Pulau Derawan
64.03.07.2001|Pegat Batumbuk
64.03.07.2002|Teluk Semanting
64.03.07.2003|Tanjung Batu
64.03.07.2004|Pulau Derawan
64.03.07.2009|Kasai
64.03.08|Biduk-Biduk
64.03.08.2001|Biduk-Biduk
64.03.08.2002|Pantai Harapan
64.03.08.2003|Tanjung Prepat
64.03.08.2004|Teluk Sumbang
64.03.08.2008|Teluk Sulaiman
64.03.08.2009|Giring-Giring
64.03.09|Teluk Bayur
64.03.09.1002|Teluk Bayur
64.03.09.1003|Rinding
64.03.09.2001|Tumbit Melayu
64.03.09.2004|Labanan Jaya
64.03.09.2005|Labanan Makmur
64.03.09.2006|Labanan Makarti
64.03.10|Tabalar
64.03.10.2002|Tabalar Muara
64.03.10.2003|Tubaan
64.03.10.2004|Tabalar Ulu
64.03.10.2005|Semurut
64.03.10.2006|Buyung-Buyung
64.03.10.2007|Harapan Maju
64.03.11|Maratua
64.03.11.2001|Bohe Silian
64.03.11.2002|Payung-Payung
64.03.11.2003|Teluk Alulu
64.03.11.2004|Teluk Harapan
64.03.12|Batu Putih
64.03.12.2001|Tembudan
64.03.12.2002|Kayu Indah
64.03.12.2003|Batu Putih
64.03.12.2004|Lobang Kelatak
64.03.12.2005|Ampen Medang
64.03.12.2006|Balikukup
64.03.12.2007|Sumber Agung
64.03.13|Biatan
64.03.13.2001|Biatan Ulu
64.03.13.2002|Biatan Ilir
64.03.13.2003|Karangan
64.03.13.2004|Biatan Lempake
64.03.13.2005|Manunggal Jaya
64.03.13.2006|Biatan Bapinang
64.03.13.2007|Biatan Baru
64.03.13.2008|Bukit Makmur Jaya
64.09|Kabupaten Penajam Paser Utara
64.09.01|Penajam
64.09.01.1001|Tanjung Tengah
64.09.01.1002|Salo Loang
64.09.01.1003|Petung
64.09.01.1004|Lawe-lawe
64.09.01.1005|Pejala
64.09.01.1006|Kampung Baru
64.09.01.1007|Sesumpu
64.09.01.1008|Sungai Parit
64.09.01.1009|Nipah-Nipah
64.09.01.1010|Nenang
64.09.01.1011|Penajam
64.09.01.1012|Gunung Seteleng
64.09.01.1013|Buluminung
64.09.01.1014|Sotek
64.09.01.1015|Sepan
64.09.01.1016|Riko
64.09.01.1017|Gersik
64.09.01.1018|Jenebora
64.09.01.1019|Pantai Lango
64.09.01.2020|Giri Mukti
64.09.01.2021|Bukit Subur
64.09.01.2022|Sidorejo
64.09.01.2023|Giri Purwa
64.09.02|Waru
64.09.02.1003|Waru
64.09.02.2001|Api-api
64.09.02.2002|Sesulu
64.09.02.2004|Bangun Mulya
64.09.03|Babulu
64.09.03.2001|Babulu Darat
64.09.03.2002|Labangka
64.09.03.2003|Babulu Laut
64.09.03.2004|Gunung Intan
64.09.03.2005|Gunung Makmur
64.09.03.2006|Sebakung Jaya
64.09.03.2007|Rawa Mulia
64.09.03.2008|Sri Raharja
64.09.03.2009|Sumber Sari
64.09.03.2010|Rintik
64.09.03.2011|Gunung Mulia
64.09.03.2012|Labangka Barat
64.09.04|Sepaku
64.09.04.1005|Sepaku
64.09.04.1006|Pemaluan
64.09.04.1007|Maridan
64.09.04.1008|Mentawir
64.09.04.2001|Tengin Baru
64.09.04.2002|Bukit Raya
64.09.04.2003|Suka Raja
64.09.04.2004|Bumi Harapan
64.09.04.2009|Argo Mulyo
64.09.04.2010|Semoi Dua
64.09.04.2011|Suko Mulyo
64.09.04.2012|Wono Sari
64.09.04.2013|Karang Jinawi
64.09.04.2014|Binuang
64.09.04.2015|Telemow
64.11|Kabupaten Mahakam Ulu
64.11.01|Long Bagun
64.11.01.2001|Long Hurai
64.11.01.2002|Long Melaham
64.11.01.2003|Memahak Besar
64.11.01.2004|Memahak Ulu
64.11.01.2005|Batu Majang
64.11.01.2006|Ujoh Bilang
64.11.01.2007|Long Bagun Ilir
64.11.01.2008|Long Bagun Ulu
64.11.01.2009|Batoq Kelo
64.11.01.2010|Long Merah
64.11.01.2011|Rukun Damai
64.11.02|Long Hubung
64.11.02.2001|Long Hubung
64.11.02.2002|Memahak Teboq
64.11.02.2003|Lutan
64.11.02.2004|Matalibaq
64.11.02.2005|Datah Bilang Ilir
64.11.02.2006|Datah Bilang Ulu
64.11.02.2007|Tri Pariq Makmur
64.11.02.2008|Wana Pariq
64.11.02.2009|Datah Bilang Baru
64.11.02.2010|Sirau
64.11.02.2011|Long Hubung Ulu
64.11.03|Laham
64.11.03.2001|Laham
64.11.03.2002|Long Gelawang
64.11.03.2003|Muara Ratah
64.11.03.2004|Danum Paroy
64.11.03.2005|Nyaribungan
64.11.04|Long Apari
64.11.04.2001|Long Penaneh I
64.11.04.2002|Long Kerioq
64.11.04.2003|Long Penaneh II
64.11.04.2004|Tiong Ohang
64.11.04.2005|Long Penaneh III
64.11.04.2007|Naha Buan
64.11.04.2008|Naha Tifab
64.11.04.2009|Naha Silat
64.11.04.2010|Long Apari
64.11.05|Long Pahangai
64.11.05.2001|Delang Kerohong
64.11.05.2002|Long Pakaq
64.11.05.2003|Long Lunuk
64.11.05.2004|Long Isun
64.11.05.2005|Naha Aru
64.11.05.2006|Datah Naha
64.11.05.2007|Lirung Ubing
64.11.05.2008|Long Pahangai I
64.11.05.2009|Long Pahangai II
64.11.05.2010|Long Tuyoq
64.11.05.2011|Liu Mulang
64.11.05.2012|Long Pakaq Baru
64.11.05.2013|Long Lunuk Baru
64.71|Kota Balikpapan
64.71.01|Balikpapan Timur
64.71.01.1001|Manggar
64.71.01.1002|Lamaru
64.71.01.1003|Teritip
64.71.01.1004|Manggar Baru
64.71.02|Balikpapan Barat
64.71.02.1001|Baru Ilir
64.71.02.1002|Baru Tengah
64.71.02.1003|Baru Ulu
64.71.02.1004|Kariangau
64.71.02.1005|Margo Mulyo
64.71.02.1006|Marga Sari
64.71.03|Balikpapan Utara
64.71.03.1001|Batu Ampar
64.71.03.1002|Gunung Samarinda
64.71.03.1003|Karang Joang
64.71.03.1004|Muara Rapak
64.71.03.1005|Gunung Samarinda Baru
64.71.03.1006|Graha Indah
64.71.04|Balikpapan Tengah
64.71.04.1001|Gunung Sari Ulu
64.71.04.1002|Gunung Sari Ilir
64.71.04.1003|Karang Rejo
64.71.04.1004|Karang Jati
64.71.04.1005|Mekar Sari
64.71.04.1006|Sumber Rejo
64.71.05|Balikpapan Selatan
64.71.05.1002|Sepinggan
64.71.05.1006|Gunung Bahagia
64.71.05.1008|Sepinggan Baru
64.71.05.1009|Sepinggan Raya
64.71.05.1010|Sungainangka
64.71.05.1011|Damai Baru
64.71.05.1012|Damai Bahagia
64.71.06|Balikpapan Kota
64.71.06.1001|Prapatan
64.71.06.1002|Telaga Sari
64.71.06.1003|Klandasan Ulu
64.71.06.1004|Klandasan Ilir
64.71.06.1005|Damai
64.72|Kota Samarinda
64.72.01|Palaran
64.72.01.1001|Rawa Makmur
64.72.01.1002|Handil Bakti
64.72.01.1003|Bukuan
64.72.01.1004|Simpang Pasir
64.72.01.1005|Bantuas
64.72.02|Samarinda Seberang
64.72.02.1001|Sungai Keledang
64.72.02.1002|Baqa
64.72.02.1003|Mesjid
64.72.02.1009|Mangkupalas
64.72.02.1010|Tenun Samarinda
64.72.02.1011|Gunung Panjang
64.72.03|Samarinda Ulu
64.72.03.1001|Teluk Lerong Ilir
64.72.03.1002|Jawa
64.72.03.1004|Air Putih
64.72.03.1005|Sidodadi
64.72.03.1006|Air Hitam
64.72.03.1007|Dadi Mulya
64.72.03.1008|Gunung Kelua
64.72.03.1009|Bukit Pinang
64.72.04|Samarinda Ilir
64.72.04.1001|Selili
64.72.04.1002|Sungai Dama
64.72.04.1003|Sidomulyo
64.72.04.1013|Sidodamai
64.72.04.1014|Pelita
64.72.05|Samarinda Utara
64.72.05.1002|Sempaja Selatan
64.72.05.1003|Lempake
64.72.05.1004|Sungai Siring Pelita
64.72.05.1010|Sempaja Utara
64.72.05.1011|Tanah Merah
64.72.05.1012|Sempaja Barat
64.72.05.1013|Sempaja Timur
64.72.05.1014|Budaya Pampang
64.72.06|Sungai Kunjang
64.72.06.1001|Loa Bakung
64.72.06.1002|Loa Buah
64.72.06.1003|Karang Asam Ulu
64.72.06.1004|Lok Bahu
64.72.06.1005|Teluk Lerong Ulu
64.72.06.1006|Karang Asam Ilir
64.72.06.1007|Karang Anyar
64.72.07|Sambutan
64.72.07.1001|Sungai Kapih
64.72.07.1002|Sambutan
64.72.07.1003|Makroman
64.72.07.1004|Sindang Sari
64.72.07.1005|Pulau Atas
64.72.08|Sungai Pinang
64.72.08.1001|Temindung Permai
64.72.08.1002|Sungai Pinang Dalam
64.72.08.1003|Gunung Lingai
64.72.08.1004|Mugirejo
64.72.08.1005|Bandara
64.72.09|Samarinda Kota
64.72.09.1001|Karang Mumus
64.72.09.1002|Pelabuhan
64.72.09.1003|Pasar Pagi
64.72.09.1004|Bugis
64.72.09.1005|Sungai Pinang Luar
64.72.10|Loa Janan Ilir
64.72.10.1001|Simpang Tiga
64.72.10.1002|Tani Aman
64.72.10.1003|Sengkotek
64.72.10.1004|Harapan Baru
64.72.10.1005|Rapak Dalam
64.74|Kota Bontang
64.74.01|Bontang Utara
64.74.01.1001|Bontang Kuala
64.74.01.1002|Bontang Baru
64.74.01.1003|Lok Tuan
64.74.01.1004|Guntung
64.74.01.1005|Gunung Elai
64.74.01.1006|Api-api
64.74.02|Bontang Selatan
64.74.02.1001|Tanjung Laut
64.74.02.1002|Berbas Tengah
64.74.02.1003|Berbas Pantai
64.74.02.1004|Satimpo
64.74.02.1005|Bontang Lestari
64.74.02.1006|Tanjung Laut Indah
64.74.03|Bontang Barat
64.74.03.1001|Belimbing
64.74.03.1002|Gunung Telihan
64.74.03.1003|Kanaan
"""

if __name__ == "__main__":
    main()
