#!/usr/bin/env python3
"""A third held-out world generator (an outside tester's, 34th session), from CONTRACT.md and
DOMAIN.md only, without reading Lindungi's code or tests, at realistic damage rates.

    .venv/bin/python bench/makassar_world.py OUT N SEED        # the session's figures: 200000 53
    .venv/bin/lindungi run --input OUT --period 2026-11 --out RUN
    .venv/bin/python bench/makassar_score.py OUT RUN [--detail]

Habits (chosen to differ from bench/independent_world.py and bench/bogor_world.py):
  * Kota Makassar (73.71, 8 real kecamatan, all kelurahan 1xxx) and Kabupaten Gowa (73.06, 5 real
    kecamatan, kelurahan 1xxx and desa 2xxx) in ONE extract; NIKs first issued across South and
    South-East Sulawesi (Bone, Wajo, Jeneponto, Takalar, Maros, Bulukumba, Buton) and Kaltim.
  * penduduk.xlsx: SIAK-style print with a merged title block (3 lines + blank) above the header,
    a NO sequence column, a JUMLAH footer row and a "Dicetak oleh" line; NIK/KK as text cells
    (some with a literal leading apostrophe, NBSP, zero-width space, trailing space), a handful of
    NIK cells numeric (Excel-damaged, 15 significant digits); TGL_LHR mostly real date cells, some
    text DD-MM-YYYY / YYYY-MM-DD; region codes numeric (leading zeros lost); occupation mostly SIAK
    labels with case/spacing variants, some numeric codes, local labels (TUKANG BENTOR, TUKANG OJEK,
    TUKANG PARKIR) and unknown ones (PAGANDENG, PA'BENTOR); header cell with a trailing space.
  * dtsen.csv: semicolon CSV, Windows-1252 (curly apostrophes in MA'RUF-like names), CRLF, dates
    DD/MM/YYYY, sex as 1/2, Excel damage CLUSTERED by submitting kelurahan batch (NIK and NO_KK
    both as 7,37113E+15 / 7.37113E+15 or 16 digits ending 0), ALAMAT with "RT 003 RW 005" or
    "RT.03/RW.05".
  * peserta_bpjstk.xlsx: typed date cells for TGL_LHR and TGL_KEPESERTAAN, some Title-Case names
    (self-registration), Excel-damaged NIKs as numeric cells, PROGRAM with or without spaces.
  * Bugis-Makassar naming: ANDI/A., DAENG/DG./DG paddaengang, LA ODE/LAODE/LD., WA ODE, old women
    with "I", MUH./MUH/MUHAMMAD, ABDUL/ABD./ABD/ABDUL-X/ABDULX, SITTI/SITI/ST., -UDDIN/-UDIN,
    Bugis final -NG hypercorrection (NURDING), NURHAYATI/NURHAYATY, many mononyms; Toraja,
    Javanese, Chinese-Indonesian and Arab minorities; H./HJ. and S.PD/S.KM/S.E titles.
  * Penduduk itself carries placeholder birth dates for the elderly (01-07, 31-12, 01-01); the
    other sources then sometimes carry the real date.
  * Damage at realistic rates: NIK exact ~77% in DTSEN, ~85% in the roster; DOB exact ~82%/88%;
    ~11.5% of welfare families surveyed where they now live (KK new for ~45% of them), 5% of
    welfare and 8% of roster persons absent from penduduk (dead members of resident families,
    families registered elsewhere, commuters), ~2% of those explicitly sharing name+DOB with a
    resident; two roster cards (old PU NONAKTIF + new BPU) for some; twins; namesakes.
Truth in OUT/truth/: dtsen_truth.csv, roster_truth.csv, residents_truth.csv, summary.txt
"""
import csv
import datetime as dt
import os
import random
import sys
from collections import Counter, defaultdict

import xlsxwriter

OUT, N, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = random.Random(SEED)
P0 = dt.date(2026, 11, 1)
EXTRACT = dt.date(2026, 9, 30)   # the extract's date (before the period)
os.makedirs(os.path.join(OUT, 'truth'), exist_ok=True)


def wch(pairs):
    tot = sum(w for _, w in pairs)
    x = R.random() * tot
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


# ------------------------------------------------------------------ regions
MKS = {  # Kota Makassar 73.71 (kecamatan codes per Kemendagri; kelurahan order plausible)
    '10': ('TAMALATE', 'JONGAYA PABAENG-BAENG MANNURUKI PARANG_TAMBUNG MANGASA BALANG_BARU TANJUNG_MERDEKA BAROMBONG MACCINI_SOMBALA BONGAYA'),
    '13': ('RAPPOCINI', 'RAPPOCINI GUNUNG_SARI BANTA-BANTAENG BONTO_MAKKIO TIDUNG BUAKANA KARUNRUNG KASSI-KASSI MAPALA BALLA_PARANG MINASA_UPA'),
    '09': ('PANAKKUKANG', 'PANAIKANG TELLO_BARU PAMPANG KARAMPUANG PANDANG MASALE KARUWISI KARUWISI_UTARA SINRIJALA TAMAMAUNG PAROPO'),
    '12': ('MANGGALA', 'ANTANG BATUA BORONG TAMANGAPA BANGKALA MANGGALA BIRING_ROMANG BITOWA'),
    '11': ('BIRINGKANAYA', 'DAYA PACCERAKKANG SUDIANG SUDIANG_RAYA PAI BULUROKENG UNTIA BAKUNG BERUA KATIMBANG LAIKANG'),
    '14': ('TAMALANREA', 'TAMALANREA TAMALANREA_INDAH TAMALANREA_JAYA KAPASA PARANGLOE BIRA BUNTUSU KAPASA_RAYA'),
    '07': ('TALLO', 'KALUKUANG LA\'LATANG LEMBO RAPPOJAWA RAPPOKALLING SUANGGA TALLO TAMMUA WALA-WALAYA BULOA BUNGA_EJA_BERU KALUKU_BODOA UJUNG_PANDANG_BARU PANNAMPU LAKKANG'),
    '01': ('MARISO', 'MARISO LETTE MATTOANGIN BONTORANNU KAMPUNG_BUYANG TAMARUNANG PANAMBUNGAN MARIO KUNJUNG_MAE'),
}
GOWA = {  # Kabupaten Gowa 73.06: (name, [(type, kelname)])  type 1 kelurahan, 2 desa
    '08': ('SOMBA OPU', [(1, n) for n in 'SUNGGUMINASA BONTO-BONTOA BATANGKALUKU TOMPOBALANG KATANGKA PANDANG-PANDANG TOMBOLO KALEGOWA SAMATA ROMANG_POLONG PACCINONGANG TAMARUNANG MAWANG BONTORAMBA'.split()]),
    '07': ('PALLANGGA', [(1, 'BONTOALA'), (1, 'PALLANGGA'), (1, 'TETEBATU'), (2, 'TAENG'), (2, 'JENETALLASA'), (2, 'PANAKKUKANG'), (2, 'BUNGAEJAYA'), (2, 'JULUBORI'), (2, 'JULUKANAYA'), (2, 'TODDOTOA'), (2, 'KAMPILI'), (2, 'MANGALLI'), (2, 'BONTOALA_TUA'), (2, 'PARANGBANOA')]),
    '06': ('BONTOMARANNU', [(1, 'BORONGLOE'), (1, 'BONTOMANAI'), (2, 'ROMANGLOMPOA'), (2, 'NIRANNUANG'), (2, 'PAKATTO'), (2, 'SOKKOLIA'), (2, 'MATA_ALLO'), (2, 'BILI-BILI'), (2, 'ROMANGLOE')]),
    '13': ('PATTALLASSANG', [(2, n) for n in 'PATTALLASSANG PANAIKANG TIMBUSENG SUNGGUMANAI PALLANTIKANG PACCELLEKANG BORONGPALALA JENEMADINGING'.split()]),
    '12': ('BAROMBONG', [(1, 'TAMANNYELENG'), (2, 'KANJILO'), (2, 'MONCOBALANG'), (2, 'LEMBANG_PARANG'), (2, 'TINGGIMAE'), (2, 'BIRINGALA'), (2, 'BENTENG_SOMBA_OPU')]),
}
KELS = []   # dict(prop, kab, kec, kel, name, kecname, weight)
for kec, (kn, names) in MKS.items():
    for i, n in enumerate(names.split()):
        KELS.append(dict(prop='73', kab='71', kec=kec, kel='%04d' % (1001 + i), name=n.replace('_', ' '), kecname=kn,
                         w=R.uniform(0.6, 1.6) * 1.0))
for kec, (kn, lst) in GOWA.items():
    for i, (t, n) in enumerate(lst):
        KELS.append(dict(prop='73', kab='06', kec=kec, kel='%d%03d' % (t, i + 1), name=n.replace('_', ' '), kecname=kn,
                         w=R.uniform(0.5, 1.3) * (0.55 if t == 2 else 0.8)))
for k in KELS:
    k['code'] = k['prop'] + k['kab'] + k['kec'] + k['kel']
KEL_W = [(i, k['w']) for i, k in enumerate(KELS)]
KELS_BY_KEC = defaultdict(list)
for i, k in enumerate(KELS):
    KELS_BY_KEC[k['kab'] + k['kec']].append(i)
# outside the extract (for movers out and non-resident families); real Kemendagri prefixes
OUT_KEL = ['7306021003', '7306022005', '7306012004', '7309011002', '7309082003', '7305061001', '7371031004',
           '7371051002', '7371081003', '7371021006', '7371041003', '7371061005']
ORIGIN = [('730821', 5), ('730822', 2), ('730813', 1), ('731306', 3), ('731308', 1), ('730403', 3), ('730402', 2),
          ('730501', 2), ('730506', 2), ('730901', 2), ('730904', 2), ('730202', 2), ('730206', 1), ('731501', 1),
          ('731804', 1), ('732601', 1), ('740411', 1), ('747101', 1), ('647105', 1), ('317101', 0.5), ('357801', 0.5),
          ('730602', 2), ('730601', 1), ('731101', 1), ('737103', 2), ('737105', 1), ('737102', 2), ('737104', 1)]
PLACE = {'7371': ['UJUNG PANDANG', 'MAKASSAR', 'MAKASSAR', 'MAKASSAR'], '7306': ['SUNGGUMINASA', 'GOWA', 'GOWA'],
         '7308': ['WATAMPONE', 'BONE'], '7313': ['SENGKANG', 'WAJO'], '7304': ['JENEPONTO'], '7305': ['TAKALAR'],
         '7309': ['MAROS'], '7302': ['BULUKUMBA'], '7315': ['PINRANG'], '7318': ['MAKALE', 'TANA TORAJA'],
         '7326': ['RANTEPAO'], '7404': ['BAU-BAU', 'PASARWAJO'], '7471': ['KENDARI'], '6471': ['BALIKPAPAN'],
         '3171': ['JAKARTA'], '3578': ['SURABAYA'], '7311': ['SINJAI']}
STREET_MKS = ['JL. SULTAN ALAUDDIN', 'JL. AP PETTARANI', 'JL. URIP SUMOHARJO', 'JL. PERINTIS KEMERDEKAAN',
              'JL. ABDULLAH DAENG SIRUA', 'JL. BORONG RAYA', 'JL. MACCINI RAYA', 'JL. RAPPOCINI RAYA',
              'JL. VETERAN SELATAN', 'JL. DAENG TATA', 'JL. MALENGKERI', 'JL. BAJI GAU', 'JL. TAMALATE I',
              'BTN ANTARA BLOK', 'PERUMNAS ANTANG BLOK', 'KOMP. IDI', 'JL. BATUA RAYA', 'JL. MANURUKI II',
              'JL. KANDEA', 'JL. GALANGAN KAPAL', 'JL. TINUMBU', 'JL. CENDRAWASIH', 'JL. SUNU', 'BTP BLOK']
STREET_GOWA = ['JL. POROS MALINO', 'JL. TUN ABDUL RAZAK', 'BTN TAMARUNANG INDAH', 'JL. KH WAHID HASYIM',
               'DUSUN BONTOBILA', 'JL. MASJID RAYA', 'JL. SYEKH YUSUF', 'JL. POROS LIMBUNG', 'DUSUN PARANG',
               'PERUM SAMATA PERMAI', 'JL. MUSTAFA DAENG BUNGA', 'JL. HUSNI THAMRIN', 'DUSUN BORONGKALUKU']

# ------------------------------------------------------------------ occupations
LABEL = {1: 'BELUM/TIDAK BEKERJA', 2: 'MENGURUS RUMAH TANGGA', 3: 'PELAJAR/MAHASISWA', 4: 'PENSIUNAN', 5: 'PEGAWAI NEGERI SIPIL (PNS)',
         6: 'TENTARA NASIONAL INDONESIA (TNI)', 7: 'KEPOLISIAN RI (POLRI)', 8: 'PERDAGANGAN', 9: 'PETANI/PEKEBUN', 10: 'PETERNAK',
         11: 'NELAYAN/PERIKANAN', 12: 'INDUSTRI', 13: 'KONSTRUKSI', 14: 'TRANSPORTASI', 15: 'KARYAWAN SWASTA',
         16: 'KARYAWAN BUMN', 17: 'KARYAWAN BUMD', 18: 'KARYAWAN HONORER', 19: 'BURUH HARIAN LEPAS',
         20: 'BURUH TANI/PERKEBUNAN', 21: 'BURUH NELAYAN/PERIKANAN', 22: 'BURUH PETERNAKAN', 23: 'PEMBANTU RUMAH TANGGA',
         24: 'TUKANG CUKUR', 25: 'TUKANG LISTRIK', 26: 'TUKANG BATU', 27: 'TUKANG KAYU', 28: 'TUKANG SOL SEPATU',
         29: 'TUKANG LAS/PANDAI BESI', 30: 'TUKANG JAHIT', 31: 'TUKANG GIGI', 32: 'PENATA RIAS', 33: 'PENATA BUSANA',
         34: 'PENATA RAMBUT', 35: 'MEKANIK', 36: 'SENIMAN', 37: 'TABIB', 38: 'PARAJI', 41: 'IMAM MASJID', 42: 'PENDETA',
         45: 'USTADZ/MUBALIGH', 46: 'JURU MASAK', 64: 'DOSEN', 65: 'GURU', 72: 'DOKTER', 73: 'BIDAN', 74: 'PERAWAT',
         79: 'PELAUT', 81: 'SOPIR', 84: 'PEDAGANG', 85: 'PERANGKAT DESA', 88: 'WIRASWASTA', 89: 'LAINNYA'}
INFORMAL = {8, 9, 10, 11, 14, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 46, 81, 84, 88}
FORMAL = {12, 13, 15, 16, 17, 18, 64, 65, 72, 73, 74, 79}
LOCAL_TUKANG = ['TUKANG BENTOR', 'TUKANG OJEK', 'TUKANG PARKIR', 'TUKANG PIJAT', 'TUKANG BECAK']
UNKNOWN_LOCAL = ["PAGANDENG", "PA'BENTOR", 'OJOL', 'SERABUTAN', '-']   # not a SIAK label, not TUKANG


def work_mix(kab, sex):
    if kab == '71':
        m = [(15, 24), (88, 14), (19, 9), (84, 5), (8, 2), (81, 4), (14, 1.5), (12, 2), (13, 1.5), (26, 1.5), (27, 1),
             (35, 1.2), (11, .8), (21, .4), (18, 3), (5, 3), (6, .6), (7, .8), (16, 1.2), (17, .3), (65, 2), (64, .5),
             (72, .3), (74, .6), (73, .3), (79, .6), (46, .4), (23, .5), (24, .3), (25, .4), (29, .3), (30, .5),
             (34, .3), (32, .2), (36, .2), (41, .2), (45, .2), (42, .1), (89, 2.5), ('TUKANG BENTOR', 1.2),
             ('TUKANG OJEK', 1.0), ('TUKANG PARKIR', .4), ('TUKANG PIJAT', .1), ('TUKANG BECAK', .2), ('UNK', .4)]
    else:
        m = [(9, 18), (20, 8), (15, 10), (88, 10), (19, 8), (84, 4), (8, 2), (10, 2), (22, .5), (81, 3), (14, 1),
             (26, 2), (27, 1.5), (35, .7), (18, 3), (5, 3), (6, .5), (7, .5), (65, 2.5), (85, .6), (12, 1), (13, 1),
             (30, .4), (37, .1), (38, .15), (46, .3), (23, .3), (89, 2), ('TUKANG OJEK', .8), ('TUKANG BENTOR', .4),
             ('UNK', .4)]
    if sex == 'P':
        m = [(o, w * (0.35 if o in (26, 27, 35, 81, 14, 6, 7, 13, 29, 25, 79, 11, 21, 'TUKANG BENTOR',
                                     'TUKANG OJEK', 'TUKANG PARKIR', 'TUKANG BECAK') else
                      2.5 if o in (30, 32, 34, 23, 46, 73, 74, 84, 65) else 1)) for o, w in m]
    return m


def informal(occ):
    return occ in INFORMAL if isinstance(occ, int) else occ.startswith('TUKANG')


# ------------------------------------------------------------------ names
S = str.split
BM_M1 = S('MUHAMMAD MUHAMMAD ABDUL ABDUL AHMAD')
BM_M_ABD = S('RAHMAN KADIR HAMID RAZAK MALIK GAFUR WAHAB AZIZ RAHIM MUIS HALIM SALAM JALIL LATIF')
BM_M2 = S('ARIF ILHAM RIZAL ASWAR IRWAN SYAMSUL NURDIN TAHIR SALEH YUSUF HASAN RAHMAT FAJAR RUSLI MUSTAFA ARSYAD '
          'IQBAL AKBAR SAID SUKRI AMRI RIDWAN HAMZAH ISMAIL ANWAR BASRI JUFRI YUNUS TAUFIK ALI')
BM_MS = S('NURDIN SYAMSUL SYAMSUDDIN SYARIFUDDIN HASANUDDIN BAHARUDDIN JAMALUDDIN ZAINUDDIN AMIRUDDIN SUDIRMAN '
          'MUSLIMIN ASRIADI IRWAN RUSDI SAHARUDDIN NASRULLAH KAMARUDDIN MAPPA BACO SANNANG SAMPARA KAMMA TANRI '
          'JUMALI KADIR RAHMAN SALEH TAHIR HAMZAH ISMAIL BOLLO LAMBE BADDU MADE SIDIK SUKARDI ARFAH '
          'SYAHRIR MUHTAR BURHANUDDIN SALAHUDDIN NASRUDDIN ALIMUDDIN NURSALIM HERMAN MUKHLIS ASRUL SALMAN '
          'ARIFUDDIN HAERUDDIN JUMADI SUARDI MAKMUR KASIM MANSYUR AMRULLAH RASYID SAHABUDDIN')
BM_F1 = S('SITTI SITTI NUR ANDI')
BM_F2 = S('AISYAH HADIJAH AMINAH RAHMAH HAJRAH SAENAB NURHAYATI NURAENI HASNAH MARYAM FATIMAH HALIJAH JUMARIAH')
BM_FS = S('NURHAYATI HASNAH HASNAWATI HASMAWATI MARLINA JUMRIAH MARDIANA RISNAWATI NURAENI MUSDALIFAH RAHMAWATI '
          'HARDIANTI FITRIANI SUHARTINI RATNAWATI KASMAWATI NURMALA HARIANI SAHARIAH BECCE SOMPA NURUNG CAYA '
          'HALIMAH RAHMATIAH FATMAWATI SUARNI MASNAH SANIAH NURJANNAH ROSMINI JUMIATI RUSNAH HERAWATI '
          'SUHARNI NURLINA JUSMIATI ASMAWATI SUKMAWATI HAMSIAH ROSDIANA NURBAYA HASRIANI MURNIATI SUMARNI ERNAWATI '
          'KARTINI SAHRIANI DARMAWATI RAHMI NURHIDAYAH HASMIAH ASTUTI NURSIAH WAHIDAH MULIATI SITTIARAH RUGAYAH')
DAENG_M = S('NGALLE TOMPO NGAJI RAJA SIJAYA BELO LIWANG NAI SIKKI TAYANG SANGA MANGUNG NGUNJUNG SITUJU NYAMPA '
            'SIRUA TATA BUNGA LALANG GASSING')
DAENG_F = S('CAYA KANANG BAJI NGAI SANGING RANNU TAYA NGINTANG NIKE SUGI NGASSENG')
BUTON_M = S('HASAN UMAR MUHAMMAD SAMSUDIN AMIR TAMRIN RUDI SUDU NOHO LAMBU')
BUTON_F = S('NURHAYATI SITI HASNI RAMLAH WIDA MURNI SUKMAWATI ASNI')
TOR_M = ['YOHANIS', 'MARTHEN', 'DANIEL', 'YOSEPH', 'PAULUS', 'SAMUEL', 'ELIAS', 'MARKUS', 'PETRUS']
TOR_F = ['YULIANA', 'MARTHA', 'DORKAS', 'RATNA', 'SARAH', 'ESTER', 'DEBORA', 'LINCE']
TOR_L = ['PASANG', 'LOLO', 'PALILU', 'TANDIARRANG', 'PATANDUNG', 'RANTE', 'SAMPE', 'TANGKE', 'PAKONDO', 'LINGGI']
JAW_M = ['BAMBANG', 'SUPRIYADI', 'SUGIONO', 'AGUS SALIM', 'JOKO', 'SLAMET RIYADI', 'EKO SUSANTO', 'SUTRISNO']
JAW_F = ['SRI WAHYUNI', 'SUMARNI', 'ENDANG', 'SITI ROMLAH', 'TRI WAHYUNI', 'SUPARTI']
CIN = ['HENDRA', 'WILLY', 'SURYADI', 'HERMAN', 'LIANA', 'LINDA', 'FENNY', 'ERWIN']
CIN_L = ['TANDIONO', 'WIJAYA', 'SALIM', 'GUNAWAN', 'HALIM', 'TANOTO', 'SETIAWAN']
ARAB_M = ['SYARIF HASAN', 'SAID ALWI', 'ALI', 'UMAR', 'HUSEIN', 'FAHMI']
ARAB_F = ['SYARIFAH FATIMAH', 'NUR', 'AISYAH', 'ZAHRA']
ARAB_L = ['ASSEGAF', 'AL HABSYI', 'BAHMID', 'ALAYDRUS', 'BAFADAL', 'ALKAF']
MOD_M = ['MUHAMMAD FADIL', 'AHMAD FAUZAN', 'MUHAMMAD RIZKY', 'FIRDAUS', 'MUHAMMAD ALIF', 'ANDI MUHAMMAD FARHAN',
         'RAFLI', 'AHMAD DZAKY', 'MUHAMMAD ARKAN', 'ZAKI', 'ALFIAN', 'NABIL', 'MUHAMMAD RAFI', 'ANDI ARYA', 'IHSAN']
MOD_F = ['NUR AZIZAH', 'AULIA RAHMA', 'ALYA', 'ANDI NUR ALYA', 'NUR FADILAH', 'NAILA', 'SITTI NURHALIZA', 'ZAHIRA',
         'NURUL HIKMAH', 'AINUN', 'ANDI TENRI', 'KHAIRUNNISA', 'NUR ANNISA', 'AISYAH PUTRI', 'ZASKIA']
MODG_M = S('FADIL FAUZAN RIZKY ALIF FARHAN RAFLI DZAKY ARKAN ZAKI ALFIAN NABIL RAFI ARYA IHSAN FIKRI AQIL '
           'HAIKAL FATHIR RAYYAN ADNAN AZKA GIBRAN NAUFAL FAREL RAIHAN ALVIN DIMAS AKBAR RESKY ILHAM FAHRI YUSRIL '
           'SYAHRUL ASRUL HIDAYAT FAJRIN MUFLIH ASYRAF KHALID HANIF RIFQI ZIDANE DAFFA FAIZ SAKTI WAHYU IQRA')
MODS_M = S('PRATAMA RAMADHAN SAPUTRA HIDAYAT MAULANA AKBAR FAHREZI ALFARIZI SYAHPUTRA RAHMAN NUGRAHA ARDIANSYAH '
           'FIRMANSYAH KURNIAWAN SETIAWAN ISLAMI ALGIFARI IRAWAN ASHARI RAMADHANI MUBARAK HAKIM ADITYA WIJAYA')
MODG_F = S('AZIZAH AULIA ALYA FADILAH NAILA ZAHIRA HIKMAH AINUN TENRI KHAIRUNNISA ANNISA ZASKIA SALSABILA NAYLA '
           'KEISHA AMELIA SYIFA ATIKA INAYAH NADIRA RAHMA QAIRA SHAFIRA ALIFAH WAHYUNI RESKI ASTUTI MAGFIRAH '
           'MUTMAINNAH ISMI FITRI RISKA DWI ANGGI PUTRI SRI ULFA NURUL INDAH MELATI DEWI YUNI ASRI HUSNUL')
MODS_F = S('RAMADHANI PUTRI AULIA SALSABILA AMALIA RAHMADANI SAFITRI LESTARI MAHARANI KAMILA AZZAHRA FEBRIANTI '
           'ANGRAENI RAHAYU PRATIWI NINGSIH AMANDA SYAHRANI MULIANI FAUZIAH RAHMAWATI HIDAYAH')


def modern(sex):
    if sex == 'L':
        pre = wch([([], 45), (['MUHAMMAD'], 35), (['AHMAD'], 10), (['ANDI'], 7), (['ANDI', 'MUHAMMAD'], 3)])
        t = pre + [R.choice(MODG_M)]
        if R.random() < .55:
            t.append(R.choice(MODS_M))
    else:
        pre = wch([([], 62), (['NUR'], 20), (['SITTI'], 5), (['ANDI'], 9), (['ANDI', 'NUR'], 4)])
        t = pre + [R.choice(MODG_F)]
        if R.random() < .55:
            t.append(R.choice(MODS_F))
    return t


ETHN = [('bm', 76), ('buton', 5), ('toraja', 6), ('jawa', 6), ('cina', 3), ('arab', 2), ('mixed', 2)]

# spelling variants: canonical token -> [(spelling, weight)]; the first is canonical
VAR = {
    'MUHAMMAD': [('MUHAMMAD', 4), ('MUH.', 4), ('MUH', 2), ('MUHAMAD', 1), ('MOH.', .5), ('M.', 1)],
    'SITTI': [('SITTI', 5), ('SITI', 3), ('ST.', 3), ('ST', 1)],
    'DAENG': [('DAENG', 5), ('DG.', 4), ('DG', 2)],
    'ANDI': [('ANDI', 8), ('A.', 2)],
    'NURHAYATI': [('NURHAYATI', 6), ('NURHAYATY', 1), ('NUR HAYATI', 1)],
    'NURAENI': [('NURAENI', 4), ('NURAINI', 2), ('NUR AENI', 1)],
    'SYARIFUDDIN': [('SYARIFUDDIN', 5), ('SYARIFUDIN', 2), ('SARIFUDDIN', 1), ('SYARIFUDDING', .5)],
    'SYAMSUDDIN': [('SYAMSUDDIN', 5), ('SYAMSUDIN', 2), ('SAMSUDDIN', 1)],
    'SYAMSUL': [('SYAMSUL', 5), ('SAMSUL', 1)],
    'HASANUDDIN': [('HASANUDDIN', 5), ('HASANUDIN', 2), ('HASANUDDING', .5)],
    'BAHARUDDIN': [('BAHARUDDIN', 5), ('BAHARUDIN', 2)],
    'JAMALUDDIN': [('JAMALUDDIN', 5), ('JAMALUDIN', 2)],
    'ZAINUDDIN': [('ZAINUDDIN', 5), ('ZAINUDIN', 2), ('SAINUDDIN', 1)],
    'AMIRUDDIN': [('AMIRUDDIN', 5), ('AMIRUDIN', 2)],
    'SAHARUDDIN': [('SAHARUDDIN', 5), ('SAHARUDIN', 2)],
    'KAMARUDDIN': [('KAMARUDDIN', 5), ('KAMARUDIN', 2), ('KAMARUDDING', .5)],
    'NURDIN': [('NURDIN', 8), ('NURDING', 1)],
    'SUDIRMAN': [('SUDIRMAN', 8), ('SUDIRMANG', 1)],
    'AISYAH': [('AISYAH', 5), ('AISAH', 1), ('AISYA', 1)],
    'HADIJAH': [('HADIJAH', 5), ('KHADIJAH', 2), ('HADIJA', 1)],
    'SAENAB': [('SAENAB', 4), ('ZAENAB', 2), ('ZAINAB', 2)],
    'YUSUF': [('YUSUF', 5), ('YUSUP', 1)],
    'MUSTAFA': [('MUSTAFA', 5), ('MUSTAPA', 1), ('MUSTHAFA', 1)],
    'RAHMAN': [('RAHMAN', 6), ('RACHMAN', 1)],
    'HAMZAH': [('HAMZAH', 5), ('HAMSAH', 1)],
    'RISNAWATI': [('RISNAWATI', 5), ('RISNAWATY', 1)],
    'HASNAWATI': [('HASNAWATI', 5), ('HASNAWATY', 1)],
    'MUSDALIFAH': [('MUSDALIFAH', 5), ('MUSDALIPA', 1)],
    'JUMRIAH': [('JUMRIAH', 5), ('JUMRIA', 1)],
    'RAHMATIAH': [('RAHMATIAH', 5), ('RAHMATIA', 2)],
    'MARDIANA': [('MARDIANA', 5), ('MARDIYANA', 1)],
    'YOHANIS': [('YOHANIS', 4), ('YOHANES', 2)],
    'YOSEPH': [('YOSEPH', 3), ('YOSEF', 2)],
    'NURJANNAH': [('NURJANNAH', 4), ('NURJANAH', 2)],
    'LA ODE': [('LA ODE', 5), ('LAODE', 2), ('LD.', 1)],
    'WA ODE': [('WA ODE', 5), ('WAODE', 2), ('WD.', 1)],
    'AL HABSYI': [('AL HABSYI', 3), ('ALHABSYI', 2)],
}


def spell(tok, canon_only=False):
    v = VAR.get(tok)
    if not v or canon_only:
        return tok
    return wch(v)


def bm_name(sex, year):
    """Bugis-Makassar: returns list of canonical tokens (ABDUL followed by its object)."""
    r = R.random()
    old = year < 1965
    if sex == 'L':
        if year >= 1998 and R.random() < .55:
            return modern('L')
        if r < (.22 if old else .10):
            t = [R.choice(BM_MS)]
        elif r < .40:
            t = [R.choice(BM_M1)]
            t.append(R.choice(BM_M_ABD) if t[0] == 'ABDUL' else R.choice(BM_M2))
        elif r < .62:
            t = [R.choice(BM_MS)] if R.random() < .5 else [R.choice(BM_M2), R.choice(BM_MS)]
        else:
            t = [R.choice(BM_M2)] + ([R.choice(BM_MS)] if R.random() < .4 else [])
        if R.random() < .09:
            t = ['ANDI'] + t
        if year < 1990 and R.random() < (.32 if old else .2):
            t += ['DAENG', R.choice(DAENG_M)]
        return t
    if year >= 1998 and R.random() < .55:
        return modern('P')
    if r < (.30 if old else .14):
        t = [R.choice(BM_FS)]
    elif r < .55:
        t = [R.choice(BM_F1), R.choice(BM_F2)]
    else:
        t = [R.choice(BM_FS)] + ([R.choice(BM_FS)] if R.random() < (.25 if old else .6) else [])
    if t[0] != 'ANDI' and R.random() < .07:
        t = ['ANDI'] + t
    if year < 1990 and R.random() < .15:
        t += ['DAENG', R.choice(DAENG_F)]
    if year < 1955 and R.random() < .25:
        t = ['I'] + t
    return t


def make_tokens(eth, sex, year):
    c = R.choice
    if eth == 'bm' or (eth == 'mixed' and R.random() < .5):
        return bm_name(sex, year)
    if eth == 'buton':
        if R.random() < .35:
            return (['LA ODE'] if sex == 'L' else ['WA ODE']) + [c(BUTON_M if sex == 'L' else BUTON_F)]
        return (['LA'] if sex == 'L' else ['WA']) + [c(BUTON_M if sex == 'L' else BUTON_F)]
    if eth == 'toraja':
        return [c(TOR_M if sex == 'L' else TOR_F), c(TOR_L)]
    if eth == 'jawa':
        return S(c(JAW_M if sex == 'L' else JAW_F))
    if eth == 'cina':
        return [c(CIN), c(CIN_L)]
    if eth == 'arab':
        return S(c(ARAB_M if sex == 'L' else ARAB_F)) + [c(ARAB_L)]
    return modern(sex)


def render(tokens, pref=None, abd_style=None):
    """Render canonical tokens; pref maps token -> chosen spelling (to reproduce a person's own spelling)."""
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == 'ABDUL' and i + 1 < len(tokens):
            nxt = (pref or {}).get(tokens[i + 1]) or spell(tokens[i + 1])
            st = abd_style or wch([('ABDUL ', 6), ('ABD. ', 3), ('ABD ', 1.5), ('ABDUL-', .5), ('ABDUL', .6)])
            out.append(st + nxt if st.endswith(' ') else st + nxt)
            i += 2
            continue
        out.append((pref or {}).get(t) or spell(t))
        i += 1
    return ' '.join(out)


# ------------------------------------------------------------------ people, families
people = []
families = []
NIKS = set()
KKS = set()
SERIAL = Counter()


def rdate(y0, y1):
    a, b = dt.date(y0, 1, 1).toordinal(), min(dt.date(y1, 12, 31), EXTRACT).toordinal()
    return dt.date.fromordinal(R.randint(min(a, b), b))


def age_on(d, ref=P0):
    return ref.year - d.year - ((ref.month, ref.day) < (d.month, d.day))


def make_nik(prefix, d, sex, after=None):
    dd = d.day + (40 if sex == 'P' else 0)
    mid = '%02d%02d%02d' % (dd, d.month, d.year % 100)
    key = prefix + mid
    if after is not None:
        s = int(after[-4:]) + 1
        while key + '%04d' % s in NIKS:
            s += 1
    else:
        if SERIAL[key] == 0:
            SERIAL[key] = R.randint(0, 3)
        SERIAL[key] += 1
        s = SERIAL[key]
        while key + '%04d' % s in NIKS:
            s += 1
            SERIAL[key] = s
    nik = key + '%04d' % s
    NIKS.add(nik)
    return nik


def make_kk(kabkec, regdate=None):
    d = regdate or rdate(2008, 2026)
    while True:
        kk = '73' + kabkec + '%02d%02d%02d' % (d.day, d.month, d.year % 100) + '%04d' % R.randint(1, 60)
        if kk not in KKS and kk not in NIKS:
            KKS.add(kk)
            return kk


def new_person(fam, role, sex, dob, eth, tokens=None, after=None, born_local=None, prefix=None):
    kel = KELS[fam['kel']]
    forced_prefix = prefix
    if born_local is None:
        born_local = R.random() < (.9 if dob.year >= 1995 else .6)
    if born_local:
        if R.random() < .75:
            prefix = kel['prop'] + kel['kab'] + kel['kec']
        else:
            prefix = R.choice(['737110', '737113', '737109', '737107', '737101', '737102', '737103', '730608',
                               '730607', '737112', '737111'])
    else:
        prefix = wch(ORIGIN)
    if eth == 'toraja' and not born_local and R.random() < .6:
        prefix = R.choice(['731804', '732601'])
    if eth == 'buton' and not born_local and R.random() < .6:
        prefix = R.choice(['740411', '747101'])
    if forced_prefix:
        prefix = forced_prefix
    p = dict(pid=len(people), fam=fam['id'], role=role, sex=sex, dob=dob, eth=eth,
             tokens=tokens or make_tokens(eth, sex, dob.year), prefix=prefix)
    # NIK date: 1% differs from the (corrected) TGL_LHR
    nd = dob
    p['nik_date_diff'] = False
    if R.random() < .01:
        nd = dob + dt.timedelta(days=R.choice([-400, -365, -31, -10, -1, 1, 30, 365]))
        p['nik_date_diff'] = True
    if after:
        p['nik'] = make_nik(prefix, nd, sex, after=after)
    else:
        p['nik'] = make_nik(prefix, nd, sex)
    p['nik_dob'] = nd
    # penduduk rendering (spelling preferences are the person's own)
    p['pref'] = {t: spell(t) for t in p['tokens'] if t in VAR}
    p['abd'] = wch([('ABDUL ', 6), ('ABD. ', 3), ('ABD ', 1.5), ('ABDUL-', .5), ('ABDUL', .6)])
    p['name'] = render(p['tokens'], p['pref'], p['abd'])
    a = age_on(dob)
    p['title_pre'] = ''
    p['title_suf'] = ''
    if a >= 45 and eth in ('bm', 'buton', 'arab', 'mixed') and R.random() < .09:
        p['title_pre'] = 'H. ' if sex == 'L' else 'HJ. '
    if 24 <= a <= 62 and R.random() < .04:
        p['title_suf'] = R.choice([', S.PD', ', S.KM', ', S.E', ', SE', ', S.H', ', S.AG', ' S.PD.I', ', S.KEP'])
    p['birthplace'] = R.choice(PLACE.get(prefix[:4], ['MAKASSAR']))
    people.append(p)
    fam['members'].append(p['pid'])
    return p


def placeholder_dob(y):
    return R.choice([dt.date(y, 7, 1), dt.date(y, 7, 1), dt.date(y, 12, 31), dt.date(y, 1, 1)])


def make_family():
    ki = wch(KEL_W)
    kel = KELS[ki]
    fam = dict(id=len(families), kel=ki, members=[])
    fam['eth'] = wch(ETHN)
    fam['kk'] = make_kk(kel['kab'] + kel['kec'])
    st = wch([(R.choice(STREET_MKS if kel['kab'] == '71' else STREET_GOWA), 1)])
    fam['alamat'] = st + (' NO. %d' % R.randint(1, 150) if R.random() < .7 else ' %s%d/%d' % (R.choice('ABCDEFG'), R.randint(1, 12), R.randint(1, 30)) if 'BLOK' in st or 'BTN' in st or 'PERUM' in st else '')
    fam['rt'], fam['rw'] = R.randint(1, 8), R.randint(1, 12)
    families.append(fam)
    kind = wch([('couple_kids', 58), ('single', 7), ('single_parent', 11), ('extended', 14), ('couple', 10)])
    head_age = int(min(88, max(19, R.triangular(20, 85, 36))))
    hsex = 'L' if kind != 'single_parent' or R.random() < .25 else 'P'
    if kind == 'single':
        hsex = R.choice('LP')

    def dob_age(a, allow_ph=True):
        y = P0.year - a - 1 + (1 if R.random() < .85 else 0)
        d = rdate(y, y)
        if allow_ph and d.year < 1972 and R.random() < .14:
            d = placeholder_dob(d.year)
        return d
    new_person(fam, 'KEPALA KELUARGA', hsex, dob_age(head_age), fam['eth'])
    eth2 = fam['eth'] if R.random() < .85 else wch(ETHN)
    spouse = None
    if kind in ('couple_kids', 'extended', 'couple'):
        sa = max(17, head_age + R.randint(-9, 4))
        spouse = new_person(fam, 'ISTRI', 'P' if hsex == 'L' else 'L', dob_age(sa), eth2)
    mother_age = spouse and age_on(spouse['dob']) if hsex == 'L' else head_age
    mother_age = mother_age or head_age
    if kind in ('couple_kids', 'single_parent', 'extended'):
        nk = wch([(1, 25), (2, 30), (3, 22), (4, 12), (5, 7), (6, 4)])
        span = mother_age - 17
        if span > 0:
            for _ in range(nk):
                ka = R.randint(max(0, mother_age - 44), mother_age - 17)
                if ka > 40:
                    continue
                sx = R.choice('LP')
                d = dob_age(ka, allow_ph=False)
                ceth = fam['eth'] if R.random() < .7 else eth2
                kid = new_person(fam, 'ANAK', sx, d, ceth, born_local=R.random() < .88)
                if R.random() < .013:   # twins
                    sx2 = R.choice('LP')
                    toks = twin_tokens(kid['tokens'], sx2, ceth, d.year)
                    tw = new_person(fam, 'ANAK', sx2, d, ceth, tokens=toks, after=kid['nik'], born_local=True,
                                    prefix=kid['prefix'])
                    kid['twin'] = tw['pid']
                    tw['twin'] = kid['pid']
    if kind == 'extended':
        ga = min(95, head_age + R.randint(22, 35))
        new_person(fam, 'ORANG TUA', 'P' if R.random() < .7 else 'L', dob_age(ga), fam['eth'], born_local=R.random() < .3)
        if R.random() < .3:
            new_person(fam, 'FAMILI LAIN', R.choice('LP'), dob_age(R.randint(16, 40)), fam['eth'])
    return fam


TWIN_PAIRS = {'HASAN': 'HUSAIN', 'HUSAIN': 'HASAN', 'ALIF': 'ALIM', 'FADIL': 'FADLI', 'RIZKY': 'RIZAL',
              'AZIZAH': 'AZIZAH', 'ALYA': 'ALYA', 'FADILAH': 'FADILLAH', 'ANNISA': 'ANISA', 'HIKMAH': 'HIKMA'}


def twin_tokens(toks, sex, eth, year):
    t = list(toks)
    if R.random() < .6 and len(t) >= 1:
        last = t[-1]
        rep = TWIN_PAIRS.get(last) or (last[:-1] + ('I' if last[-1] != 'I' else 'A'))
        t[-1] = rep
        return t
    return make_tokens(eth, sex, year)


while len(people) < N:
    make_family()
people = people[:N]
PID_OK = set(range(len(people)))
for f in families:
    f['members'] = [m for m in f['members'] if m in PID_OK]
families = [f for f in families if f['members']]
BY_PID = {p['pid']: p for p in people}

# occupations, marital status, disability
FAM_BY_ID = {f['id']: f for f in families}
for f in families:
    kab = KELS[f['kel']]['kab']
    for m in f['members']:
        p = BY_PID[m]
        a = age_on(p['dob'])
        if a < 5:
            occ = 1
        elif a < 17:
            occ = 3 if R.random() < .93 else 1
        elif a < 23 and R.random() < .45:
            occ = 3
        elif a > 67 and R.random() < .7:
            occ = 4 if R.random() < .25 else 1
        elif p['sex'] == 'P' and R.random() < .42:
            occ = 2
        elif R.random() < .07:
            occ = 1
        else:
            occ = wch(work_mix(kab, p['sex']))
            if occ == 'UNK':
                occ = ('UNK', R.choice(UNKNOWN_LOCAL), R.choice([84, 84, 81, 88, 19]))
        p['occ'] = occ
        p['kab'] = kab
        p['dis'] = 0
        if R.random() < (.006 if a < 18 else .012 if a < 60 else .03):
            p['dis'] = wch([(1, 45), (2, 15), (3, 12), (4, 14), (5, 5), (6, 9)])
        p['kwn'] = ('BELUM KAWIN' if p['role'] == 'ANAK' and a < 28 else
                    'KAWIN' if p['role'] in ('KEPALA KELUARGA', 'ISTRI') and R.random() < .85 else
                    R.choice(['CERAI MATI', 'CERAI HIDUP', 'KAWIN', 'BELUM KAWIN']))


def true_informal(p):
    o = p['occ']
    if isinstance(o, tuple):
        return o[2] in INFORMAL
    return informal(o)


# ------------------------------------------------------------------ penduduk damage (extract-level)
INVIS = ['\u200b', '\xa0', '\ufeff']
for p in people:
    p['pend'] = 'ok'          # ok | excel_nik | conflict | dup_exact
    p['flags'] = []
r_excel = set(R.sample([i for i, p in enumerate(people) if p['nik'][-1] != '0'], int(len(people) * .0012)))
for i in r_excel:
    people[i]['pend'] = 'excel_nik'
cands = [p for p in people if p['pend'] == 'ok']
for p in R.sample(cands, int(len(people) * .0010)):
    p['pend'] = 'conflict'       # a second, different row carries the same NIK
for p in R.sample([q for q in people if q['pend'] == 'ok'], int(len(people) * .0025)):
    p['pend'] = 'dup_exact'      # the row repeated (same values)
for p in people:
    if p['pend'] != 'ok' and p['pend'] != 'dup_exact':
        continue
    x = R.random()
    if x < .0025:
        p['flags'].append('dob_bad')
    if isinstance(p['occ'], tuple):
        p['flags'].append('occ_unknown')
    if R.random() < .003:
        p['flags'].append('sex_blank')


def pend_status(p):
    if p['pend'] in ('excel_nik', 'conflict'):
        return 'quarantined'
    return 'accepted'


# ------------------------------------------------------------------ welfare (DTSEN)
def fam_poverty(f):
    hd = BY_PID[f['members'][0]]
    o = hd['occ']
    if isinstance(o, tuple):
        o = o[2]
    base = .55 if (isinstance(o, str) or o in INFORMAL or o in (1, 2, 4)) else .30 if o in (15, 18, 89) else .15
    if KELS[f['kel']]['kab'] == '06':
        base += .08
    return base


DESIL_W = [(1, 15), (2, 14), (3, 13), (4, 12), (5, 10), (6, 9), (7, 8), (8, 7), (9, 6), (10, 6)]
dtsen = []       # records
dt_ids = set()


def new_dtsen_id(kelcode):
    while True:
        i = kelcode[:6] + '%08d' % R.randint(1, 99999999)
        if i not in dt_ids:
            dt_ids.add(i)
            return i


def typo(s):
    if len(s) < 4:
        return s
    for _ in range(5):
        i = R.randrange(1, len(s) - 1)
        if s[i] != ' ' and s[i] != '.':
            break
    else:
        return s
    k = R.random()
    near = {'A': 'SQE', 'I': 'UOE', 'U': 'IY', 'E': 'IA', 'O': 'UI', 'N': 'MB', 'M': 'N', 'S': 'AZ', 'R': 'TL',
            'H': 'G', 'D': 'T', 'T': 'D', 'L': 'R', 'K': 'G', 'Y': 'I', 'B': 'P', 'P': 'B', 'G': 'K'}
    if k < .4:
        return s[:i] + R.choice(near.get(s[i], 'AIUE')) + s[i + 1:]
    if k < .65:
        return s[:i] + s[i + 1:]
    if k < .85:
        return s[:i] + s[i] + s[i:]
    return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:]


def damage_name(p, mix):
    kind = wch(mix)
    toks = list(p['tokens'])
    base = p['name']
    nm = base
    if kind == 'exact':
        pass
    elif kind == 'exact_titled':
        nm = p['title_pre'] + base + p['title_suf']
        if nm == base:
            kind = 'exact'
    elif kind == 'variant':
        nm = render(toks)          # fresh spellings
        if nm == base:
            kind = 'exact'
    elif kind == 'typo':
        nm = typo(base)
    elif kind == 'title':
        if p['title_pre'] or p['title_suf']:
            nm = p['title_pre'] + base + p['title_suf']
            kind = 'title_kept'
        else:
            nm = R.choice(['H. ', 'BPK. ', 'DRS. '] if p['sex'] == 'L' else ['HJ. ', 'IBU ', 'NY. ']) + base \
                if R.random() < .6 else base + R.choice([', S.PD', ', S.E', ', A.MD', ', S.KM'])
            kind = 'title_added'
    elif kind == 'drop_word':
        if len(toks) >= 2:
            if 'DAENG' in toks and R.random() < .7:
                j = toks.index('DAENG')
                toks = toks[:j] if R.random() < .7 else toks[j:]     # without / only the paddaengang
                kind = 'daeng_drop' if toks[0] != 'DAENG' else 'daeng_only'
            elif toks[0] in ('ANDI', 'I', 'LA', 'WA', 'LA ODE', 'WA ODE') and R.random() < .6:
                toks = toks[1:]
                kind = 'prefix_drop'
            else:
                toks = toks[:-1] if R.random() < .65 else toks[1:]
            nm = render(toks, p['pref'], p['abd']) if toks else base
        else:
            kind = 'typo'
            nm = typo(base)
    elif kind == 'order':
        if len(toks) >= 2 and 'DAENG' not in toks:
            nm = render(toks[1:] + toks[:1], p['pref'], p['abd'])
        elif len(toks) >= 2:
            j = toks.index('DAENG')
            nm = render(toks[j:] + toks[:j], p['pref'], p['abd'])
        else:
            kind = 'exact'
    elif kind == 'space':
        w = base.split(' ')
        if len(w) >= 2:
            i = R.randrange(len(w) - 1)
            nm = ' '.join(w[:i] + [w[i] + w[i + 1]] + w[i + 2:])
        else:
            kind = 'exact'
    elif kind == 'case':
        nm = base.title()
    if nm == base and kind not in ('exact', 'title_kept'):
        kind = 'exact'
    return nm, kind


def excel_forms(nik):
    v = float(nik)
    mant = '%.5E' % v        # 7.37113E+15
    m, e = mant.split('E')
    m = m.rstrip('0').rstrip('.')
    e = 'E+' + str(int(e))
    return m + e


def damage_nik(p, mix, rel_niks, kk):
    nik = p['nik']
    kind = wch(mix)
    if kind == 'exact':
        return nik, kind
    if kind == 'blank':
        return '', kind
    if kind == 'digit':
        i = R.randrange(6, 16)
        return nik[:i] + str((int(nik[i]) + R.randint(1, 9)) % 10) + nik[i + 1:], kind
    if kind == 'swap':
        for _ in range(12):
            i = R.randrange(4, 15)
            if nik[i] != nik[i + 1]:
                return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:], kind
        return nik, 'exact'
    if kind == 'trunc':
        k = R.random()
        return (nik[:15] if k < .6 else nik[:14] if k < .8 else nik[1:]), kind
    if kind == 'excel':
        return excel_forms(nik), kind
    if kind == 'kk':
        return (kk or ''), ('kk' if kk else 'blank')
    if kind == 'relative':
        if rel_niks:
            return R.choice(rel_niks), kind
        return '', 'blank'
    if kind == 'd17':
        i = R.randrange(6, 16)
        return nik[:i] + nik[i] + nik[i:], kind
    raise ValueError(kind)


def damage_dob(p, mix):
    d = p['dob']
    kind = wch(mix)
    if p.get('ph') and kind == 'exact' and R.random() < .4:
        return p['real_dob'], 'pend_placeholder_real'
    if kind == 'exact':
        return d, kind
    if kind == 'blank':
        return None, kind
    if kind == 'placeholder':
        nd = R.choice([dt.date(d.year, 1, 1), dt.date(d.year, 7, 1), dt.date(d.year, 12, 31)])
        return nd, ('placeholder' if nd != d else 'exact')
    if kind == 'swap':
        if d.day <= 12 and d.day != d.month:
            return dt.date(d.year, d.day, d.month), kind
        return d, 'exact'
    if kind == 'year':
        y = d.year + R.choice([-1, 1, -1, 1, -2, 2, 10, -10])
        try:
            return d.replace(year=y), kind
        except ValueError:
            return d.replace(year=y, day=28), kind
    if kind == 'day':
        return d + dt.timedelta(days=R.choice([-2, -1, 1, 2, 10, -10])), kind
    if kind == 'nikdate':
        if p['nik_date_diff']:
            return p['nik_dob'], kind
        return d, 'exact'
    raise ValueError(kind)


# elderly with placeholder penduduk DOB: keep a "real" date that other sources sometimes carry
for p in people:
    d = p['dob']
    if (d.month, d.day) in ((7, 1), (12, 31), (1, 1)) and d.year < 1972:
        p['ph'] = True
        p['real_dob'] = rdate(d.year, d.year)

DT_NIK_MIX = [('exact', 79), ('blank', 7), ('digit', 3), ('swap', 2), ('trunc', 2), ('excel', 0), ('kk', 3),
              ('relative', 2.5), ('d17', 1)]
DT_NAME_MIX = [('exact', 58), ('exact_titled', 3), ('variant', 18), ('typo', 6), ('title', 3), ('drop_word', 5),
               ('order', 2), ('space', 2.5), ('case', 0)]
DT_DOB_MIX = [('exact', 81), ('placeholder', 5), ('swap', 3), ('year', 3.5), ('blank', 3.5), ('day', 2), ('nikdate', 2)]
RO_NIK_MIX = [('exact', 85), ('blank', 3.5), ('digit', 3), ('swap', 2), ('trunc', 1), ('excel', 1.5), ('kk', 1),
              ('relative', 1.5), ('d17', 1.5)]
RO_NAME_MIX = [('exact', 68), ('exact_titled', 4), ('variant', 12), ('typo', 5), ('title', 2), ('drop_word', 3),
               ('order', 1.5), ('space', 1.5), ('case', 3)]
RO_DOB_MIX = [('exact', 88), ('placeholder', 2), ('swap', 2), ('year', 2), ('blank', 1), ('day', 1.5), ('nikdate', 3.5)]

# Excel-damaged submission batches: a few kelurahan whose operator saved through Excel
EXCEL_KELS = set(R.sample([k['code'] for k in KELS], 4))


def fmt_rt(rt, rw):
    return R.choice(['RT %03d RW %03d' % (rt, rw), 'RT.%02d/RW.%02d' % (rt, rw), 'RT %d RW %d' % (rt, rw),
                     'RT %03d/RW %03d' % (rt, rw)])


def pick_move_kel(f):
    cur = KELS[f['kel']]
    x = R.random()
    if x < .45:
        same = [i for i in KELS_BY_KEC[cur['kab'] + cur['kec']] if i != f['kel']]
        return ('same_kec', KELS[R.choice(same)]['code'])
    if x < .80:
        oth = [i for i, k in enumerate(KELS) if k['kab'] == cur['kab'] and k['kec'] != cur['kec']]
        return ('other_kec', KELS[R.choice(oth)]['code'])
    if x < .93:
        oth = [i for i, k in enumerate(KELS) if k['kab'] != cur['kab']]
        return ('other_kab', KELS[R.choice(oth)]['code'])
    return ('outside', R.choice(OUT_KEL))


def dtsen_rec(p, f, ctx, outsider=None):
    """ctx: family context dict (kelcode, kk, alamat, rt, rw, desil, moved, new_kk)"""
    rel = [BY_PID[m]['nik'] for m in f['members'] if m != p['pid']] if f else ctx.get('rel', [])
    nik, nk = damage_nik(p, DT_NIK_MIX, rel, ctx['kk'])
    kkv = ctx['kk']
    excel_batch = ctx['kel'] in EXCEL_KELS and R.random() < .85
    if excel_batch:
        if nk == 'exact':
            nik = excel_forms(nik) if R.random() < .75 else nik[:15] + '0'
            nk = 'excel' if 'E+' in nik else ('excel0' if nik != p['nik'] else 'exact')
        kkv = excel_forms(kkv) if R.random() < .75 else kkv[:15] + '0'
        if R.random() < .7:
            nik = nik.replace('.', ',')
            kkv = kkv.replace('.', ',')
    nm, namek = damage_name(p, DT_NAME_MIX)
    d, dk = damage_dob(p, DT_DOB_MIX)
    sex = '1' if p['sex'] == 'L' else '2'
    if R.random() < .008:
        sex = ''
    rec = dict(ID_DTSEN=new_dtsen_id(ctx['kel']), NIK=nik, NO_KK=kkv, NAMA=nm,
               TGL_LHR=d.strftime('%d/%m/%Y') if d else '', JENIS_KLMIN=sex,
               ALAMAT=ctx['alamat'] + ' ' + fmt_rt(ctx['rt'], ctx['rw']), KODE_KEL=ctx['kel'], DESIL=str(ctx['desil']),
               HUB_KK=R.choice(['KEPALA KELUARGA', 'ISTRI', 'ANAK', 'LAINNYA']) if not p.get('role') else p['role'])
    truth = dict(ID_DTSEN=rec['ID_DTSEN'], person_nik=p['nik'], pid=p['pid'], nik_kind=nk, name_kind=namek,
                 dob_kind=dk, moved=ctx['moved'], new_kk=ctx['new_kk'], outsider=outsider or '',
                 excel_batch=excel_batch, claimed_nik_is_real=(nik == p['nik']))
    return rec, truth


dtsen_truth = []
dt_pids = Counter()
for f in families:
    if R.random() >= fam_poverty(f):
        continue
    kel = KELS[f['kel']]
    desil = wch(DESIL_W)
    if fam_poverty(f) < .2:
        desil = min(10, desil + 3)
    ctx = dict(kel=kel['code'], kk=f['kk'], alamat=f['alamat'], rt=f['rt'], rw=f['rw'], desil=desil, moved='',
               new_kk=False)
    if R.random() < .115:
        mv, code = pick_move_kel(f)
        ctx['moved'] = mv
        ctx['kel'] = code
        ctx['alamat'] = R.choice(STREET_MKS if code[2:4] == '71' else STREET_GOWA) + ' NO. %d' % R.randint(1, 200)
        ctx['rt'], ctx['rw'] = R.randint(1, 9), R.randint(1, 12)
        if R.random() < .45:
            ctx['kk'] = make_kk(code[2:6], rdate(2019, 2026))
            ctx['new_kk'] = True
    for m in f['members']:
        p = BY_PID[m]
        if R.random() < .06:          # member missing from the welfare family
            continue
        rec, tr = dtsen_rec(p, f, ctx)
        dtsen.append(rec)
        dtsen_truth.append(tr)
        dt_pids[p['pid']] += 1
        if R.random() < .008:         # the same person under a second welfare id (older survey, old address)
            ctx2 = dict(ctx, kel=kel['code'], kk=f['kk'], alamat=f['alamat'], moved='', new_kk=False,
                        desil=min(10, desil + R.choice([0, 1, 2])))
            rec, tr = dtsen_rec(p, f, ctx2)
            tr['outsider'] = 'second_id'
            dtsen.append(rec)
            dtsen_truth.append(tr)
            dt_pids[p['pid']] += 1
    f['dtsen_ctx'] = ctx

# welfare people not in penduduk: 5% of welfare persons
n_res_dt = len(dt_pids)
n_out_dt = int(round(n_res_dt * .05 / .95))
outsiders = []


def outsider_person(kind, fam=None, copy_of=None, prefix=None):
    eth = fam['eth'] if fam else wch(ETHN)
    sex = R.choice('LP')
    if copy_of is not None:
        sex = copy_of['sex']
    if kind == 'dead_member':
        a = R.randint(55, 92)
    else:
        a = int(min(85, max(0, R.triangular(0, 80, 30))))
    y = P0.year - a - 1
    dob = rdate(y, y)
    if dob.year < 1972 and R.random() < .14:
        dob = placeholder_dob(dob.year)
    toks = make_tokens(eth, sex, dob.year)
    if copy_of is not None:
        dob = copy_of['dob']
        toks = list(copy_of['tokens'])
    prefix = prefix or (wch(ORIGIN) if kind != 'dead_member' else KELS[fam['kel']]['code'][:6])
    q = dict(pid=-1 - len(outsiders), sex=sex, dob=dob, tokens=toks, eth=eth, prefix=prefix,
             nik=make_nik(prefix, dob, sex), nik_date_diff=False, role='', title_pre='', title_suf='')
    q['nik_dob'] = dob
    q['pref'] = copy_of['pref'] if copy_of is not None else {t: spell(t) for t in toks if t in VAR}
    q['abd'] = copy_of['abd'] if copy_of is not None else wch([('ABDUL ', 6), ('ABD. ', 3), ('ABD ', 1.5)])
    q['name'] = render(toks, q['pref'], q['abd'])
    outsiders.append(q)
    return q


res_pool = [p for p in people if 18 <= age_on(p['dob']) <= 80]
made = 0
while made < n_out_dt:
    x = R.random()
    if x < .30:
        # a dead / departed member still listed in a resident welfare family
        fams = [f for f in R.sample(families, 50) if 'dtsen_ctx' in f]
        if not fams:
            continue
        f = fams[0]
        q = outsider_person('dead_member', fam=f)
        if R.random() < .01:
            c = R.choice(res_pool)
            q['tokens'], q['dob'], q['name'], q['sex'] = list(c['tokens']), c['dob'], c['name'], c['sex']
            q['copied'] = c['pid']
        rec, tr = dtsen_rec(q, None, dict(f['dtsen_ctx'], rel=[BY_PID[m]['nik'] for m in f['members']]),
                            outsider='dead_member')
        dtsen.append(rec)
        dtsen_truth.append(tr)
        made += 1
    else:
        # a whole family registered elsewhere, living here
        ki = wch(KEL_W)
        kel = KELS[ki]
        pre = wch(ORIGIN)
        kk = make_kk(pre[2:6] if pre.startswith('73') else '71' + pre[4:6])
        ctx = dict(kel=kel['code'], kk=kk, alamat=R.choice(STREET_MKS if kel['kab'] == '71' else STREET_GOWA) +
                   ' NO. %d' % R.randint(1, 99), rt=R.randint(1, 8), rw=R.randint(1, 10), desil=wch(DESIL_W),
                   moved='', new_kk=False)
        members = []
        for j in range(wch([(1, 2), (2, 3), (3, 3), (4, 3), (5, 2)])):
            cp = None
            if R.random() < .01:
                cp = R.choice(res_pool)
            q = outsider_person('nonresident', copy_of=cp, prefix=pre)
            if cp is not None:
                q['copied'] = cp['pid']
            members.append(q)
        ctx['rel'] = [q['nik'] for q in members]
        for q in members:
            rec, tr = dtsen_rec(q, None, dict(ctx, rel=[z['nik'] for z in members if z is not q]),
                                outsider='nonresident_family')
            dtsen.append(rec)
            dtsen_truth.append(tr)
            made += 1

# ------------------------------------------------------------------ roster (BPJS TK)
roster = []
roster_truth = []
kpjs = set()


def new_kpj():
    while True:
        k = R.choice(['19', '20', '21', '22', '23', '24', '25', '16', '17', '18']) + '%09d' % R.randint(0, 999999999)
        if k not in kpjs:
            kpjs.add(k)
            return k


def programs(seg):
    if seg == 'PU':
        return wch([('JKK,JKM,JHT,JP', 70), ('JKK,JKM,JHT', 18), ('JKK,JKM,JHT,JP,JKP', 12)])
    if seg == 'BPU':
        return wch([('JKK,JKM', 72), ('JKK,JKM,JHT', 28)])
    if seg == 'JAKON':
        return 'JKK,JKM'
    return 'JKK,JKM,JHT'


def roster_rec(p, seg, status, kind='', rel=None, kk=None):
    nik, nk = damage_nik(p, RO_NIK_MIX, rel or [], kk)
    nm, namek = damage_name(p, RO_NAME_MIX)
    d, dk = damage_dob(p, RO_DOB_MIX)
    prog = programs(seg)
    if R.random() < .06:
        prog = prog.replace(',', ', ')
    if status == 'AKTIF':
        blth = wch([('2026-10', 70), ('2026-09', 15), ('2026-08', 6), ('2026-05', 5), ('2025-12', 4)])
        if seg == 'JAKON':
            blth = wch([('2026-10', 50), ('2026-09', 30), ('2026-07', 20)])
    else:
        blth = '%d-%02d' % (R.randint(2016, 2026), R.randint(1, 12))
        if blth > '2026-06':
            blth = '2025-%02d' % R.randint(1, 12)
    start = rdate(2012, 2026) if status == 'AKTIF' else rdate(2010, 2022)
    rec = dict(KPJ=new_kpj(), NIK=nik, NAMA=nm, TGL_LHR=d, SEGMEN=seg, STATUS=status, PROGRAM=prog,
               BLTH_AKHIR_IURAN=blth, TGL_KEPESERTAAN=start,
               KANTOR_CABANG=R.choice(['MAKASSAR', 'MAKASSAR MAROS', 'SUNGGUMINASA', 'MAKASSAR'])) 
    protective = status == 'AKTIF' and 'JKK' in prog and 'JKM' in prog
    truth = dict(KPJ=rec['KPJ'], person_nik=p['nik'], pid=p['pid'], nik_kind=nk, name_kind=namek, dob_kind=dk,
                 segmen=seg, status=status, program=prog, protective=protective, card=kind)
    return rec, truth


for p in people:
    a = age_on(p['dob'])
    if a < 16 or a > 72:
        continue
    o = p['occ'][2] if isinstance(p['occ'], tuple) else p['occ']
    cards = []
    if isinstance(o, int) and o in FORMAL:
        if R.random() < .72:
            cards.append(('PU', 'AKTIF' if R.random() < .87 else 'NONAKTIF'))
    elif isinstance(o, int) and o == 5:
        if R.random() < .04:
            cards.append(('PU', 'NONAKTIF'))
    elif true_informal(p):
        x = R.random()
        if x < .17:
            cards.append(('BPU', 'AKTIF' if R.random() < .72 else 'NONAKTIF'))
            if R.random() < .25:
                cards.append(('PU', 'NONAKTIF'))       # old wage job card
        elif x < .25:
            cards.append(('PU', 'AKTIF' if R.random() < .70 else 'NONAKTIF'))   # occupation stale in SIAK
        elif x < .27 and o in (19, 26, 27, 25, 29, 13):
            cards.append(('JAKON', 'AKTIF' if R.random() < .6 else 'NONAKTIF'))
        elif x < .275:
            cards.append(('PMI', 'AKTIF' if R.random() < .5 else 'NONAKTIF'))
    elif o in (2, 89, 1):
        if R.random() < (.03 if o == 2 else .08):
            cards.append(('BPU' if R.random() < .7 else 'PU', 'AKTIF' if R.random() < .6 else 'NONAKTIF'))
    elif o == 3 and a >= 18 and R.random() < .03:
        cards.append(('BPU', 'AKTIF'))
    if cards and cards[0][0] == 'PU' and cards[0][1] == 'AKTIF' and R.random() < .04:
        cards.append(('PU', 'NONAKTIF'))
    fm = FAM_BY_ID[p['fam']]
    rel = [BY_PID[m]['nik'] for m in fm['members'] if m != p['pid']]
    for i, (seg, st) in enumerate(cards):
        rec, tr = roster_rec(p, seg, st, kind=('second_card' if i else ('two_cards' if len(cards) > 1 else '')),
                             rel=rel, kk=fm['kk'])
        roster.append(rec)
        roster_truth.append(tr)
    p['cards'] = cards


# roster people not in penduduk: 8% of roster persons
n_res_ro = len({t['pid'] for t in roster_truth})
n_out_ro = int(round(n_res_ro * .08 / .92))
for j in range(n_out_ro):
    cp = R.choice(res_pool) if R.random() < .01 else None
    pre = wch([('730901', 3), ('730908', 2), ('730904', 2), ('730602', 2), ('730601', 1), ('730501', 2),
               ('730506', 1), ('730821', 2), ('731306', 1), ('730403', 1), ('737103', 2), ('737105', 1),
               ('737104', 1), ('747101', .5), ('647105', .5)])
    q = outsider_person('commuter', copy_of=cp, prefix=pre)
    a = age_on(q['dob'])
    if a < 18 or a > 62:
        y = P0.year - R.randint(20, 55) - 1
        q['dob'] = rdate(y, y)
        NIKS.discard(q['nik'])
        q['nik'] = make_nik(pre, q['dob'], q['sex'])
        q['nik_dob'] = q['dob']
        q['tokens'] = make_tokens(q['eth'], q['sex'], q['dob'].year)
        q['name'] = render(q['tokens'], q['pref'], q['abd'])
    if cp is not None:
        q['copied'] = cp['pid']
    seg = wch([('PU', 70), ('BPU', 20), ('JAKON', 7), ('PMI', 3)])
    rec, tr = roster_rec(q, seg, 'AKTIF' if R.random() < .8 else 'NONAKTIF', kind='',
                         rel=[], kk=make_kk(pre[2:6] if pre.startswith('73') else '7101'))
    tr['outsider'] = 'commuter'
    roster.append(rec)
    roster_truth.append(tr)
idx = list(range(len(roster)))
R.shuffle(idx)
roster = [roster[i] for i in idx]
roster_truth = [roster_truth[i] for i in idx]
idx = list(range(len(dtsen)))
R.shuffle(idx)
dtsen = [dtsen[i] for i in idx]
dtsen_truth = [dtsen_truth[i] for i in idx]

# ------------------------------------------------------------------ write penduduk.xlsx
OUTSIDERS = {q['pid']: q for q in outsiders}


def occ_cell(p):
    o = p['occ']
    if isinstance(o, tuple):
        return ('s', o[1])
    if isinstance(o, str):
        return ('s', o)
    x = R.random()
    if x < .12:
        return ('n', o)
    lab = LABEL[o]
    if x < .17:
        lab = lab.replace('/', ' / ')
    elif x < .21:
        lab = lab.title()
    elif x < .23 and o == 9:
        lab = 'PETANI'
    return ('s', lab)


wb = xlsxwriter.Workbook(os.path.join(OUT, 'penduduk.xlsx'), {'constant_memory': True, 'strings_to_numbers': False})
ws = wb.add_worksheet('DATA')
bold = wb.add_format({'bold': True})
datef = wb.add_format({'num_format': 'dd-mm-yyyy'})
HDR = ['NO', 'NIK', 'NO_KK', 'NAMA_LGKP', 'TMPT_LHR', 'TGL_LHR', 'JENIS_KLMIN', 'STAT_KWN', 'STAT_HBKEL', 'AGAMA',
       'JENIS_PKRJN', 'PNYDNG_CCT', 'ALAMAT', 'NO_RT', 'NO_RW', 'NO_PROP', 'NO_KAB', 'NO_KEC', 'NO_KEL', 'KEC_NAME',
       'KEL_NAME', 'NAMA_LGKP_IBU']
HDR_OUT = list(HDR)
HDR_OUT[HDR.index('JENIS_PKRJN')] = 'JENIS_PKRJN '
HDR_OUT[HDR.index('NAMA_LGKP')] = 'Nama_Lgkp'
ws.write(0, 0, 'DATA KONSOLIDASI PENDUDUK (DATABASE KEPENDUDUKAN)', bold)
ws.write(1, 0, 'KOTA MAKASSAR DAN KABUPATEN GOWA - PROVINSI SULAWESI SELATAN', bold)
ws.write(2, 0, 'KEADAAN SEMESTER II TAHUN 2026 - SUMBER: SIAK TERPUSAT')
ws.write_row(4, 0, HDR_OUT, bold)
row = 5
seq = 0
DIS_TXT = {1: 'CACAT FISIK', 2: 'CACAT NETRA/BUTA', 3: 'CACAT RUNGU/WICARA', 4: 'CACAT MENTAL/JIWA',
           5: 'CACAT FISIK DAN MENTAL', 6: 'CACAT LAINNYA'}
pend_rows = 0
mothers = {}
for f in families:
    moms = [BY_PID[m] for m in f['members'] if BY_PID[m]['role'] in ('ISTRI', 'KEPALA KELUARGA') and BY_PID[m]['sex'] == 'P']
    mothers[f['id']] = moms[0]['name'] if moms else ''


def write_pend(p, f, variant=None):
    global row, seq, pend_rows
    seq += 1
    kel = KELS[f['kel']]
    ws.write_number(row, 0, seq)
    nik = p['nik']
    if p['pend'] == 'excel_nik':
        ws.write_number(row, 1, float(nik[:15] + '0'))
    else:
        x = p.setdefault('nikform', R.random())
        if x < .05:
            nik = "'" + nik
        elif x < .06:
            nik = nik + R.choice(INVIS)
        elif x < .065:
            nik = R.choice(INVIS) + nik
        elif x < .085:
            nik = nik + ' '
        ws.write_string(row, 1, nik)
    kk = f['kk'] if variant is None else variant['kk']
    if p.setdefault('kkblank', R.random()) < .004:
        kk = ''
    ws.write_string(row, 2, kk)
    ws.write_string(row, 3, p['title_pre'] + p['name'] + p['title_suf'])
    ws.write_string(row, 4, p['birthplace'])
    d = p['dob']
    if 'dob_bad' in p['flags']:
        ws.write_string(row, 5, R.choice(['', '00-00-%d' % d.year, '31-02-%d' % d.year, '%d' % d.year]))
    else:
        y = p.setdefault('dobform', R.random())
        if y < .78:
            ws.write_datetime(row, 5, dt.datetime(d.year, d.month, d.day), datef)
        elif y < .96:
            ws.write_string(row, 5, d.strftime('%d-%m-%Y'))
        else:
            ws.write_string(row, 5, d.isoformat())
    sx = '' if 'sex_blank' in p['flags'] else ('LAKI-LAKI' if p['sex'] == 'L' else 'PEREMPUAN')
    if sx and p.setdefault('sexform', R.random()) < .06:
        sx = sx[0]
    ws.write_string(row, 6, sx)
    ws.write_string(row, 7, p['kwn'])
    ws.write_string(row, 8, p['role'] or 'LAINNYA')
    ws.write_string(row, 9, 'KRISTEN' if p['eth'] == 'toraja' else 'BUDHA' if p['eth'] == 'cina' and R.random() < .5 else 'ISLAM')
    k, v = p.setdefault('occcell', occ_cell(p))
    if k == 'n':
        ws.write_number(row, 10, v)
    else:
        ws.write_string(row, 10, v)
    dv = p['dis']
    if dv:
        dcell = p.setdefault('discell', R.choice([str(dv), DIS_TXT[dv], DIS_TXT[dv]]))
        ws.write_string(row, 11, dcell)
    else:
        dcell = p.setdefault('discell', wch([('', 80), ('TIDAK', 10), ('0', 5), ('7', 5)]))
        if dcell:
            ws.write_string(row, 11, dcell)
    al = f['alamat'] if variant is None else variant['alamat']
    ws.write_string(row, 12, al)
    ws.write_number(row, 13, f['rt'] if variant is None else variant['rt'])
    ws.write_number(row, 14, f['rw'] if variant is None else variant['rw'])
    kl = kel if variant is None else variant['kelobj']
    ws.write_number(row, 15, int(kl['prop']))
    ws.write_number(row, 16, int(kl['kab']))
    ws.write_number(row, 17, int(kl['kec']))
    ws.write_number(row, 18, int(kl['kel']))
    ws.write_string(row, 19, kl['kecname'])
    ws.write_string(row, 20, kl['name'])
    ws.write_string(row, 21, mothers.get(p['fam'], '') if p['role'] == 'ANAK' else '')
    row += 1
    pend_rows += 1


pend_order = list(families)
R.shuffle(pend_order)
pend_order.sort(key=lambda f: KELS[f['kel']]['code'])
for f in pend_order:
    for m in f['members']:
        p = BY_PID[m]
        write_pend(p, f)
        if p['pend'] == 'dup_exact':
            # same values; RNG-driven fields are memoised so the row repeats exactly (NO differs)
            write_pend(p, f)
        if p['pend'] == 'conflict':
            ki = R.choice([i for i, k in enumerate(KELS) if k['code'] != KELS[f['kel']]['code']])
            var = dict(kk=make_kk(KELS[ki]['kab'] + KELS[ki]['kec']), alamat=R.choice(STREET_MKS) + ' NO. 3',
                       rt=R.randint(1, 8), rw=R.randint(1, 9), kelobj=KELS[ki])
            write_pend(p, f, variant=var)
ws.write_string(row + 1, 0, 'JUMLAH')
ws.write_string(row + 1, 3, '%d JIWA' % pend_rows)
ws.write_string(row + 3, 0, 'Dicetak oleh: OPERATOR SIAK DUKCAPIL, %s' % '03-10-2026')
wb.close()

# ------------------------------------------------------------------ write dtsen.csv (cp1252, ;)
with open(os.path.join(OUT, 'dtsen.csv'), 'w', encoding='cp1252', newline='') as fh:
    w = csv.writer(fh, delimiter=';', lineterminator='\r\n')
    cols = ['ID_DTSEN', 'NIK', 'NO_KK', 'NAMA', 'TGL_LHR', 'JENIS_KLMIN', 'HUB_KK', 'ALAMAT', 'KODE_KEL', 'DESIL']
    w.writerow(cols)
    for rec in dtsen:
        nm = rec['NAMA']
        if "'" in nm and R.random() < .6:
            nm = nm.replace("'", '\u2019')
        rec['NAMA'] = nm
        w.writerow([rec[c] for c in cols])

# ------------------------------------------------------------------ write peserta_bpjstk.xlsx
wb = xlsxwriter.Workbook(os.path.join(OUT, 'peserta_bpjstk.xlsx'), {'constant_memory': True})
ws = wb.add_worksheet('Peserta')
datef = wb.add_format({'num_format': 'yyyy-mm-dd'})
cols = ['KPJ', 'NIK', 'NAMA', 'TGL_LHR', 'SEGMEN', 'STATUS', 'PROGRAM', 'BLTH_AKHIR_IURAN', 'TGL_KEPESERTAAN',
        'KANTOR_CABANG']
ws.write_row(0, 0, cols)
for i, (rec, tr) in enumerate(zip(roster, roster_truth)):
    r = i + 1
    ws.write_string(r, 0, rec['KPJ'])
    if tr['nik_kind'] == 'excel':
        ws.write_number(r, 1, float(tr['person_nik'][:15] + '0'))
        rec['NIK'] = tr['person_nik'][:15] + '0'
        if rec['NIK'] == tr['person_nik']:
            tr['nik_kind'] = 'excel_intact'
    else:
        ws.write_string(r, 1, rec['NIK'])
    ws.write_string(r, 2, rec['NAMA'])
    if rec['TGL_LHR']:
        d = rec['TGL_LHR']
        ws.write_datetime(r, 3, dt.datetime(d.year, d.month, d.day), datef)
    ws.write_string(r, 4, rec['SEGMEN'])
    ws.write_string(r, 5, rec['STATUS'])
    ws.write_string(r, 6, rec['PROGRAM'])
    ws.write_string(r, 7, rec['BLTH_AKHIR_IURAN'])
    d = rec['TGL_KEPESERTAAN']
    ws.write_datetime(r, 8, dt.datetime(d.year, d.month, d.day), datef)
    ws.write_string(r, 9, rec['KANTOR_CABANG'])
wb.close()

# ------------------------------------------------------------------ truth
# which people are linkable: residents whose penduduk row is accepted
def linkable_nik(pid):
    if pid is None or pid < 0:
        return ''
    p = BY_PID[pid]
    return p['nik'] if pend_status(p) == 'accepted' else ''


# name+DOB shared with a resident (exact rendered name and dob)
ND = defaultdict(list)
for p in people:
    ND[(p['name'], p['dob'])].append(p['pid'])
namesake_res = {pid for v in ND.values() if len(v) > 1 for pid in v}
for q in outsiders:
    q['shares'] = (q['name'], q['dob']) in ND
OUTS = {q['pid']: q for q in outsiders}

with open(os.path.join(OUT, 'truth', 'dtsen_truth.csv'), 'w', newline='') as fh:
    cols = ['ID_DTSEN', 'true_nik', 'person_nik', 'pid', 'in_penduduk', 'nik_kind', 'name_kind', 'dob_kind', 'moved',
            'new_kk', 'outsider', 'excel_batch', 'shares_name_dob']
    w = csv.DictWriter(fh, fieldnames=cols)
    w.writeheader()
    for t in dtsen_truth:
        pid = t['pid']
        inp = 'no' if pid < 0 else pend_status(BY_PID[pid])
        w.writerow(dict({k: t[k] for k in cols if k in t}, true_nik=linkable_nik(pid), in_penduduk=inp,
                        shares_name_dob=OUTS[pid]['shares'] if pid < 0 else ''))
with open(os.path.join(OUT, 'truth', 'roster_truth.csv'), 'w', newline='') as fh:
    cols = ['KPJ', 'true_nik', 'person_nik', 'pid', 'in_penduduk', 'nik_kind', 'name_kind', 'dob_kind', 'segmen',
            'status', 'program', 'protective', 'card', 'outsider', 'shares_name_dob']
    w = csv.DictWriter(fh, fieldnames=cols)
    w.writeheader()
    for t in roster_truth:
        pid = t['pid']
        inp = 'no' if pid < 0 else pend_status(BY_PID[pid])
        w.writerow(dict({k: t.get(k, '') for k in cols}, true_nik=linkable_nik(pid), in_penduduk=inp,
                        shares_name_dob=OUTS[pid]['shares'] if pid < 0 else ''))

protected = set()
for t in roster_truth:
    if t['pid'] >= 0 and t['protective']:
        protected.add(t['pid'])
desil_of = {}
for t, rec in zip(dtsen_truth, dtsen):
    if t['pid'] >= 0:
        desil_of[t['pid']] = min(desil_of.get(t['pid'], 99), int(rec['DESIL']))
ncand = ncj = 0
with open(os.path.join(OUT, 'truth', 'residents_truth.csv'), 'w', newline='') as fh:
    cols = ['pid', 'nik', 'pend', 'pend_status', 'flags', 'age', 'occ', 'informal', 'protected', 'candidate',
            'candidate_judgeable', 'disability', 'kel', 'desil', 'twin', 'namesake', 'placeholder_dob', 'eth',
            'nik_date_diff', 'n_cards', 'in_dtsen', 'fam', 'twin_of', 'name', 'dob', 'sex']
    w = csv.DictWriter(fh, fieldnames=cols)
    w.writeheader()
    for p in people:
        a = age_on(p['dob'])
        inf = true_informal(p)
        cand = 18 <= a <= 65 and inf and p['pid'] not in protected
        judge = cand and pend_status(p) == 'accepted' and not p['flags'] or (cand and p['flags'] == ['sex_blank'] and pend_status(p) == 'accepted')
        ncand += cand
        ncj += bool(judge)
        o = p['occ']
        w.writerow(dict(pid=p['pid'], nik=p['nik'], pend=p['pend'], pend_status=pend_status(p),
                        flags='|'.join(p['flags']), age=a, occ=(o[1] + '->' + str(o[2])) if isinstance(o, tuple) else o,
                        informal=inf, protected=p['pid'] in protected, candidate=cand, candidate_judgeable=bool(judge),
                        disability=p['dis'], kel=KELS[FAM_BY_ID[p['fam']]['kel']]['code'],
                        desil=desil_of.get(p['pid'], ''), twin='twin' in p, namesake=p['pid'] in namesake_res,
                        placeholder_dob=bool(p.get('ph')), eth=p['eth'], nik_date_diff=p['nik_date_diff'],
                        n_cards=len(p.get('cards', [])), in_dtsen=dt_pids[p['pid']], fam=p['fam'],
                        twin_of=p.get('twin', ''), name=p['name'], dob=p['dob'].isoformat(), sex=p['sex']))

# summary
dtk = Counter(t['nik_kind'] for t in dtsen_truth)
rok = Counter(t['nik_kind'] for t in roster_truth)
with open(os.path.join(OUT, 'truth', 'summary.txt'), 'w') as fh:
    def pr(*a):
        print(*a, file=fh)
        print(*a)
    pr('residents', len(people), 'families', len(families), 'penduduk data rows', pend_rows)
    pr('penduduk special', Counter(p['pend'] for p in people))
    pr('penduduk flags', Counter(f for p in people for f in p['flags']))
    pr('dtsen records', len(dtsen), 'persons in penduduk', len(dt_pids), 'outsider records',
       sum(1 for t in dtsen_truth if t['pid'] < 0))
    pr('dtsen nik kinds', {k: '%.1f%%' % (100 * v / len(dtsen)) for k, v in dtk.most_common()})
    pr('dtsen name kinds', {k: '%.1f%%' % (100 * v / len(dtsen)) for k, v in Counter(t['name_kind'] for t in dtsen_truth).most_common()})
    pr('dtsen dob kinds', {k: '%.1f%%' % (100 * v / len(dtsen)) for k, v in Counter(t['dob_kind'] for t in dtsen_truth).most_common()})
    pr('dtsen moved', Counter(t['moved'] for t in dtsen_truth), 'new_kk', sum(t['new_kk'] for t in dtsen_truth))
    pr('dtsen outsiders', Counter(t['outsider'] for t in dtsen_truth))
    pr('roster records', len(roster), 'outsider records', sum(1 for t in roster_truth if t['pid'] < 0))
    pr('roster nik kinds', {k: '%.1f%%' % (100 * v / len(roster)) for k, v in rok.most_common()})
    pr('roster name kinds', {k: '%.1f%%' % (100 * v / len(roster)) for k, v in Counter(t['name_kind'] for t in roster_truth).most_common()})
    pr('roster dob kinds', {k: '%.1f%%' % (100 * v / len(roster)) for k, v in Counter(t['dob_kind'] for t in roster_truth).most_common()})
    pr('roster segmen/status', Counter((t['segmen'], t['status']) for t in roster_truth))
    pr('roster cards', Counter(t['card'] for t in roster_truth))
    sh_dt = sum(1 for t in dtsen_truth if t['pid'] < 0 and OUTS[t['pid']]['shares'])
    n_dt_o = sum(1 for t in dtsen_truth if t['pid'] < 0)
    sh_ro = sum(1 for t in roster_truth if t['pid'] < 0 and OUTS[t['pid']]['shares'])
    n_ro_o = sum(1 for t in roster_truth if t['pid'] < 0)
    pr('  dtsen outsider records sharing name+dob: %d / %d' % (sh_dt, n_dt_o))
    pr('  roster outsider records sharing name+dob: %d / %d' % (sh_ro, n_ro_o))
    pr('resident namesakes (same rendered name + dob):', len(namesake_res), 'twins', sum('twin' in p for p in people))
    pr('candidates (true)', ncand, 'judgeable', ncj, 'protected residents', len(protected))
