"""Indonesian name normalisation and phonetic keys, as whole-column polars expressions.

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
    """HAJI HAJAH HJ KH USTADZ USTAD USTADZAH DR DRS DRA IR PROF ING RA RD RR BAPAK BPK
    IBU NY NYONYA TN TUAN SDR SDRI ALM ALMH ALMARHUM ALMARHUMAH JANDA DUDA LETKOL KOL KOLONEL MAYOR
    KAPTEN LETTU LETDA SERMA SERKA SERTU PELTU PELDA KOPKA KOPTU PRATU BRIPKA BRIPTU BRIGPOL
    AIPTU AIPDA IPTU IPDA AKP KOMPOL AKBP KOMBES""".split()
)
# Single letters that are titles only in first position (H. = Haji, R. = Raden).
LEADING_TITLE_LETTERS = ("H", "R")
# Degree suffixes, written after the name (often after a comma).
DEGREES = frozenset("SPD SE SH SAG SKOM AMD MPD MSI MM MH LC SST SIP SKM SKEP SFARM MT ST SS SPSI".split())

VARIANTS = {
    **{v: "MUHAMMAD" for v in "M MHD MOCH MOCHAMAD MOCHAMMAD MOH MOHAMAD MOHAMMAD MOHAMMED MOHD MUH MUHAMAD MUHAMMED MUCHAMMAD MUCHAMAD MUHD".split()},
    "ABD": "ABDUL", "ABDL": "ABDUL",
    "SITTI": "SITI", "STI": "SITI",
    "NURUL": "NURUL", "NUR": "NUR",
    "WY": "WAYAN", "WYN": "WAYAN", "MD": "MADE", "KTT": "KETUT", "KT": "KETUT",
    "DG": "DAENG", "AND": "ANDI",
}

# Old (1947/1972) spellings that cannot be mistaken for modern ones. Order matters: DJ before J.
OLD_SPELLINGS = (("OE", "U"), ("TJ", "C"), ("DJ", "J"), ("SJ", "SY"), ("NJ", "NY"))


def normalize_name(col: str | pl.Expr) -> pl.Expr:
    e = pl.col(col) if isinstance(col, str) else col
    s = (
        e.cast(pl.String)
        .str.to_uppercase()
        .str.replace_all(r"[\u00a0\u200b\ufeff]", " ")
        .str.replace(r",.*$", "")                       # ", S.PD" and any suffix after a comma
        .str.replace_all(r"\b(BIN|BINTI|BT|BN)\b.*$", "")  # father's name is optional in matching
        .str.replace_all(r"\b([A-Z])\.([A-Z]{1,4})\b", "$1$2")  # S.PD -> SPD, A.MD -> AMD
        .str.replace_all(r"[^A-Z ]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    tokens = s.str.split(" ")
    tokens = tokens.list.eval(
        pl.element().filter(
            ~pl.element().is_in(list(TITLES))
            & ~((pl.int_range(pl.len()) == 0) & pl.element().is_in(list(LEADING_TITLE_LETTERS))
                & (pl.len() > 1))
            & ~((pl.int_range(pl.len()) >= 2) & pl.element().is_in(list(DEGREES)))
            & (pl.element() != "")
        )
    )
    tokens = tokens.list.eval(pl.element().replace(VARIANTS))
    tokens = tokens.list.eval(_modern_spelling(pl.element()))
    # A repeated single name padded for forms (JAYA JAYA) is one name.
    tokens = tokens.list.eval(pl.element().filter((pl.element().n_unique() > 1) | (pl.int_range(pl.len()) == 0)))
    # Each intermediate is referenced once: an eager expression used twice is computed twice.
    return tokens.list.join(" ").replace("", None)


def normalized_names(frame: pl.DataFrame, col: str) -> pl.Series:
    """``normalize_name`` over a frame's column, each distinct value normalised once, as a
    Series ``nama_norm`` in the frame's row order."""
    return per_distinct(frame, col, lambda d: d.with_columns(nama_norm=normalize_name(col))).to_series()


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


def first_token_key(col: str | pl.Expr) -> pl.Expr:
    """Phonetic key of the first name token that is not MUHAMMAD (too common to block on)."""
    toks = name_tokens(col).list.eval(pl.element().filter(pl.element() != "MUHAMMAD"))
    return phonetic_token(toks.list.first())


def last_token_key(col: str | pl.Expr) -> pl.Expr:
    return phonetic_token(name_tokens(col).list.last())
