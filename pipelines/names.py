"""Indonesian name normalisation and phonetic keys, as whole-column polars operations.

Legacy registry names keep titles, abbreviations and old spellings (DOMAIN.md "Names"). The
normal form drops titles, honorifics and degree suffixes, drops ``BIN``/``BINTI`` and the
father's name after it, expands ``M.``/``MOH``/``MUH``… to MUHAMMAD and the other variants,
rewrites old spellings only where the mark is unambiguous (OE, TJ, DJ, SJ), and collapses a
padded mononym (``JAYA JAYA``). The phonetic key is for blocking, never for deciding.
"""

from __future__ import annotations

import polars as pl

from pipelines.frames import per_distinct

TITLES = frozenset(
    """HAJI HAJAH HAJJAH HJ HJH KH USTADZ USTAD USTADZAH DR DRS DRA IR PROF RA RD RR BAPAK BPK
    IBU NY NYONYA TN TUAN SDR SDRI ALM ALMH ALMARHUM ALMARHUMAH JANDA DUDA LETKOL KOL KOLONEL MAYOR
    KAPTEN LETTU LETDA SERMA SERKA SERTU PELTU PELDA KOPKA KOPTU PRATU BRIPKA BRIPTU BRIGPOL
    AIPTU AIPDA IPTU IPDA AKP KOMPOL AKBP KOMBES BRIPDA SERDA KOPDA PRAKA PRADA KAPT UST""".split()
)
# Single letters that are titles only before the name, after titles alone (H. = Haji, R. = Raden:
# H. EKO, DRS. H. EKO, HJ. R. AYU), never its last word.
LEADING_TITLE_LETTERS = ("H", "R")
# Titles that are names too, dropped only among the titles in front of a name (before another
# word, after titles alone: ING. SUKARNO, DR.-ING. BUDI): ING. (the Dutch/German engineer's
# degree) is also a Dayak name (Kenyah, Bahau: ING alone, HANG ING), and dropped anywhere it
# left 484 of an outside tester's 1M residents with no name at all. HI. is Haji in Gorontalo,
# North Maluku and parts of Sulawesi (HI. ABDULLAH); kept, it made a roster card's name a
# subset of its holder's at best (an outside tester's Gorontalo world: 6 of 236 cards written
# with HI. missed, 82 of 37,024 without).
LEADING_TITLES = ("ING", "HI")
# Degree suffixes, written after the name (often after a comma).
DEGREES = frozenset("""SPD SE SH SAG SKOM AMD MPD MSI MM MH LC SST SIP SKM SKEP SFARM MT ST SS SPSI SSOS SSI AMA AMK
    STP SPT SPI SKED STR SHUT MKES MAG""".split())

VARIANTS = {
    **{v: "MUHAMMAD" for v in "M MHD MOCH MOCHAMAD MOCHAMMAD MOH MOHAMAD MOHAMMAD MOHAMMED MOHAMED MOHD MUH MUHAMAD MUHAMMED MUCHAMMAD MUCHAMAD MUHD MUCH MUKHAMMAD MUKHAMAD".split()},
    "HM": "MUHAMMAD",  # H.M. = Haji Muhammad (the dots joined as in S.PD)
    "ABD": "ABDUL", "ABDL": "ABDUL",
    "SITTI": "SITI", "STI": "SITI",
    "NURUL": "NURUL", "NUR": "NUR",
    "WY": "WAYAN", "WYN": "WAYAN", "MD": "MADE", "KTT": "KETUT", "KT": "KETUT",
    # Balinese birth-order names and caste titles as clerks shorten them (not the two-letter
    # IB, IA, IG: initials elsewhere, IG. for Ignatius, and IA a Sundanese name)
    "KDK": "KADEK", "KMG": "KOMANG", "NYM": "NYOMAN", "NGH": "NENGAH", "GST": "GUSTI",
    "COK": "COKORDA", "DSK": "DESAK",
    "DG": "DAENG", "AND": "ANDI",
}
# Balinese names open with the gender marker I (men) or NI (women) before a birth-order name or
# a caste title (I WAYAN SUDIRTA, NI MADE SRI ARTINI, I GUSTI NGURAH RAI); records drop it as
# often as not. The name keeps it (on a roster card, which has no sex column, it is the only
# word of the sex: dropped from the names, an outside tester's Bali world's roster precision fell
# 0.9933 -> 0.9897, 122 more wrong links at 200k), but the blocking keys skip it
# (``without_balinese_prefix``): NI KETUT SUARNI and KETUT SUARNI began with different letters,
# and a card with one digit of its NIK wrong was never compared with its resident (NIK
# neighbours are paired only where the initials agree).
BALINESE_AFTER_PREFIX = (
    "WAYAN PUTU GEDE MADE KADEK NENGAH NYOMAN KOMANG KETUT LUH GUSTI DEWA DESAK IDA ANAK".split())
_BALINESE_PREFIX = rf"^(?:I|NI) ((?:{'|'.join(BALINESE_AFTER_PREFIX)})(?: |$))"


def without_balinese_prefix(name: pl.Expr) -> pl.Expr:
    """A normalised name without the Balinese gender marker I/NI before a birth-order name or a
    caste title (the name for the blocking keys: initial, first word)."""
    return name.str.replace(_BALINESE_PREFIX, "$1")


# Old (1947/1972) spellings that cannot be mistaken for modern ones. Order matters: DJ before J.
OLD_SPELLINGS = (("OE", "U"), ("TJ", "C"), ("DJ", "J"), ("SJ", "SY"), ("NJ", "NY"))


def normalize_name(col: str | pl.Expr) -> pl.Expr:
    """The normal form of each name in a column (see ``normal_forms``), as an expression."""
    e = pl.col(col) if isinstance(col, str) else col
    return e.cast(pl.String).map_batches(normal_forms, return_dtype=pl.String, is_elementwise=True)


def normalized_names(frame: pl.DataFrame, col: str) -> pl.Series:
    """``normal_forms`` of a frame's column, as a Series ``nama_norm`` in the frame's row order.

    Not ``per_distinct``: ``normal_forms`` already rewrites each distinct token once, and
    deduplicating whole names first cost more than it saved (1M residents: 2.9 s against 2.1 s)."""
    return normal_forms(frame.get_column(col)).alias("nama_norm")


def _cleaned(e: pl.Expr) -> pl.Expr:
    # (invisible and non-breaking spaces need no pass of their own: they are no word characters
    # for the boundaries below, and the last pass makes them spaces)
    return (
        e.str.to_uppercase()
        .str.replace(r",.*$", "")                       # ", S.PD" and any suffix after a comma
        .str.replace_all(r"\b(BIN|BINTI|BT|BN)\b.*$", "")  # father's name is optional in matching
        .str.replace_all(r"\b([A-Z])\.([A-Z]{1,4})\b", "$1$2")  # S.PD -> SPD, A.MD -> AMD
        .str.replace_all(r"([A-Z])['`\u2018\u2019]([A-Z])", "$1$2")  # MA'RUF -> MARUF: one word
        .str.replace_all(r"[^A-Z]+", " ")                # anything else between words: one space
        .str.strip_chars()
    )


def normal_forms(names: pl.Series) -> pl.Series:
    """Each name's normal form (None when nothing is left), in the Series' order.

    The names are split into one row per token: the position rules (a leading H./R., degrees
    from the third token on) are plain column tests there, and the word rewrites (variants, old
    spellings) run once per distinct token, a few thousand among 400k tokens. (The same rules
    as list expressions, ``list.eval`` with positions and lengths per name, took twice as long.)"""
    t = pl.col("t")
    names = names.cast(pl.String)
    if names.str.contains(r"[^\x00-\x7F]").any():
        # accents folded (JOSÉ MARÍA is JOSE MARIA): a letter outside A-Z split the word, and the
        # name matched as JOS MAR A (an adversarial review; a Windows-1252 extract of eastern
        # Indonesia's Portuguese names). Checked first: the fold costs 60 ms at 200k, the check 10
        names = names.str.normalize("NFKD").str.replace_all(r"\p{M}", "")
    toks = pl.DataFrame({"t": names}).select(t=_cleaned(t).str.split(" "))
    toks = (toks.with_row_index("row")
            .with_columns(pos=pl.int_ranges(0, t.list.len()), n=t.list.len())
            .explode("t", "pos"))
    # whether every word before this one is a title (for LEADING_TITLE_LETTERS, LEADING_TITLES:
    # H. after DRS. is Haji still, and DRS. H. EKO was "H EKO" against a card's EKO, subset,
    # where the card's NIK was the resident's: an outside tester's province world writes
    # DRS. H. / IR. H. for 651 of its 200k residents): the titles before it
    # in its name are the titles before it in the column less those before its name's first
    # word (the names' words lie together, in order). A window over each name took 0.79 s of
    # 1.8 s at 1M residents.
    titled = t.is_in([*TITLES, *LEADING_TITLE_LETTERS, *LEADING_TITLES]).cast(pl.Int64)
    before = titled.cum_sum() - titled
    toks = toks.with_columns(after_titles=before - pl.when(pl.col("pos") == 0).then(before).forward_fill()
                             == pl.col("pos"))
    toks = toks.filter(
        ~t.is_in(list(TITLES))
        & ~(pl.col("after_titles") & t.is_in([*LEADING_TITLE_LETTERS, *LEADING_TITLES])
            & (pl.col("pos") < pl.col("n") - 1))
        & ~((pl.col("pos") >= 2) & t.is_in(list(DEGREES)))
        & (t != "")
    )
    # ST. before another word is SITI (ST AMINAH, HJ. ST. AMINAH); as the last word it is a degree
    toks = toks.with_columns(t=pl.when((t == "ST") & (pl.col("pos") < pl.col("n") - 1)).then(pl.lit("SITI")).otherwise(t))
    vocab = toks.select(t.unique()).drop_nulls()
    # variants again after the spelling: an old-spelled variant (MOEH -> MUH) is still one
    vocab = vocab.with_columns(word=_modern_spelling(t.replace(VARIANTS)).replace(VARIANTS))
    vocab = vocab.with_columns(word=_muhammad_typos(_unpadded(pl.col("word"))))
    toks = toks.join(vocab, on="t", maintain_order="left").select("row", t=pl.col("word"))
    # A repeated single name padded for forms (JAYA JAYA) is one name: a name's later tokens are
    # kept only if some token differs from its first.
    first = (pl.col("row") != pl.col("row").shift(1)).fill_null(True)
    toks = toks.with_columns(first=first).with_columns(lead=pl.when(pl.col("first")).then(t).forward_fill())
    toks = toks.filter(pl.col("first") | (t != pl.col("lead")).any().over("row"))
    # tokens keep their order within a name (group-by keeps the row order within each group);
    # collected lazily for the streaming engine's faster group-by (see linkage._union), as lists
    # joined afterwards: a string join inside the group-by took 3-5x as long (200k names:
    # 110-200 ms against 30-45 ms)
    joined = toks.lazy().group_by("row").agg(t).collect().with_columns(t=t.list.join(" "))
    rows = pl.DataFrame({"row": pl.int_range(0, names.len(), eager=True, dtype=pl.UInt32)})
    out = rows.join(joined, on="row", how="left", maintain_order="left").get_column("t").replace("", None)
    # a name of titles alone (H., IR. H.: an H that is the only word left is kept, as a name) is
    # no name: flagged as missing by the ingest, where it was a candidate called "H."
    letter = f"[{''.join(LEADING_TITLE_LETTERS)}]"
    return out.set(out.str.contains(f"^{letter}( {letter})*$").fill_null(False), None).rename(names.name)


def _unpadded(tok: pl.Expr) -> pl.Expr:
    """A name padded for forms and written as one word (KARTINIKARTINI for KARTINI KARTINI, a
    space dropped): the name once."""
    n = tok.str.len_chars()
    half = tok.str.slice(0, n // 2)
    return pl.when((n >= 6) & (n % 2 == 0) & (half == tok.str.slice(n // 2))).then(half).otherwise(tok)


# MUHAMMAD's long spellings: a word of five letters or more, starting with M, one edit from one of
# them (MOHAMD, MOHLMAD, MUHAMAT) is MUHAMMAD mistyped. Left as typed it stayed apart from its
# register's MOH. (folded to MUHAMMAD): MOHAMD HUNTA on his own NIK scored 0.016 against
# MUHAMMAD HUNTA, "weak" names (an outside tester's Gorontalo world)
_MUHAMMADS = sorted({v for v, w in VARIANTS.items() if w == "MUHAMMAD" and len(v) >= 6} | {"MUHAMMAD"})


def _muhammad_typos(tok: pl.Expr) -> pl.Expr:
    def fold(words: pl.Series) -> pl.Series:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        maybe = (words.str.starts_with("M") & (words.str.len_chars() >= 5) & (words != "MUHAMMAD")).fill_null(False)
        at = maybe.arg_true()
        if at.is_empty():
            return words
        near = process.cdist(words.gather(at).to_list(), _MUHAMMADS, scorer=Levenshtein.distance, score_cutoff=1,
                             workers=1)
        typos = at.filter(pl.Series((near <= 1).any(axis=1)))
        return words.scatter(typos, "MUHAMMAD") if len(typos) else words
    return tok.map_batches(fold, return_dtype=pl.String)


def _modern_spelling(tok: pl.Expr) -> pl.Expr:
    """Old spellings to modern ones. An old J becomes Y only in a token that carries another
    old-spelling mark (TJAHJONO -> CAHYONO), while DJ always becomes J (DJOKO -> JOKO)."""
    old = tok.str.contains("OE|TJ|DJ|SJ|NJ")
    k = tok.str.replace_all("DJ", "\x01", literal=True)
    for a, b in OLD_SPELLINGS[:2] + OLD_SPELLINGS[3:]:
        k = k.str.replace_all(a, b, literal=True)
    k = k.str.replace_all("J", "Y", literal=True).str.replace_all("\x01", "J", literal=True)
    return pl.when(old).then(k).otherwise(tok)


def phonetic_token(e: pl.Expr) -> pl.Expr:
    """Indonesian phonetic key of one normalised token (after Priyadi): letters that sound
    alike merge, vowels after the first letter go, doubles collapse."""
    k = e
    for a, b in (("KH", "K"), ("SY", "S"), ("CH", "K"), ("PH", "F"), ("DH", "D"), ("TH", "T"),
                 ("Q", "K"), ("V", "F"), ("Z", "J"), ("X", "KS"), ("DZ", "J"), ("Y", "I"),
                 ("W", "U"), ("D", "T"), ("B", "P"), ("G", "K"), ("C", "K")):
        k = k.str.replace_all(a, b, literal=True)
    first = k.str.slice(0, 1)
    rest = k.str.slice(1).str.replace_all(r"[AEIOUH]", "")
    k = first + rest
    for ch in "BCDFGJKLMNPRSTUY":  # polars regexes have no backreferences: collapse per letter
        k = k.str.replace_all(ch + ch + "+", ch)
    return k


def name_tokens(col: str | pl.Expr) -> pl.Expr:
    e = pl.col(col) if isinstance(col, str) else col
    return e.str.split(" ")


def first_token(col: str | pl.Expr) -> pl.Expr:
    """The first name token that is not MUHAMMAD (too common to block on); null when there is
    none. (Leading MUHAMMADs stripped by one regex: ``list.eval`` filtering tokens cost more.)"""
    e = pl.col(col) if isinstance(col, str) else col
    rest = e.str.replace(r"^(?:MUHAMMAD(?: |$))+", "")
    return pl.when((rest == "") & (e != "")).then(pl.lit(None, pl.String)).otherwise(rest.str.split(" ").list.first())


def token_keys(frame: pl.DataFrame, col: str, first: str, last: str) -> pl.DataFrame:
    """``first`` and ``last``: the phonetic keys of the first (not MUHAMMAD) and the last token
    of each name in ``col``, in ``frame``'s row order. The tokens are cut out per row, the
    phonetic rules (a dozen regexes) run once per distinct token: 200k residents, 1.2 s ->
    0.15 s."""
    toks = frame.select(_f=first_token(col), _l=name_tokens(col).list.last())

    def keyed(tok: str, name: str) -> pl.DataFrame:
        return per_distinct(toks, tok, lambda d: d.with_columns(phonetic_token(pl.col(tok)).alias(name)))
    return keyed("_f", first).hstack(keyed("_l", last))
