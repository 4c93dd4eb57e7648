"""The eligibility rules, read from a TOML file a data engineer can edit (defaults: rules.toml)."""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pipelines.nik import mask_long_digits

DEFAULT_RULES = Path(__file__).with_name("rules.toml")


def share_of(income: int, rate: float) -> int:
    """``rate`` of ``income``, rounded half up to the rupiah, as money is (Excel's and SQL's
    ROUND), exactly: Python's round() rounds half to even (Rp10,008 of 10,008.5, Rp31,112 of
    31,111.5: an outside review), and the float product of an exact half can fall just under it
    (1.74% of Rp1,527,500: 26,578.4999…). The rate is taken as the file writes it (its shortest
    repr, ``0.0174``), not as the binary fraction nearest to it."""
    return int((Decimal(income) * Decimal(repr(float(rate)))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rules:
    min_age: int
    max_age: int
    informal_codes: tuple[int, ...]
    informal_label_prefixes: tuple[str, ...]
    active_status: tuple[str, ...]
    required_programs: tuple[str, ...]
    declared_income: int
    jkk_rate: float
    jkk_minimum: int
    jkm: int
    no_welfare_desil: int
    link_threshold: float
    review_threshold: float
    link_estimate: bool = True          # m/u estimated each run; false: the declared start weights
    link_term_frequency: bool = True    # rare names and birth dates count more
    retention_months: int = 24          # a period's candidate lists are erased this long after it
    jht_rate: float | None = None       # JHT as a share of income: in the premium when JHT is required
    source: str = str(DEFAULT_RULES)

    @property
    def monthly_contribution(self) -> int:
        """The package enrolled, per worker per month, Rp: JKK + JKM (Rp16,800 at the defaults),
        + JHT when the rules require it (``protection.required_programs``)."""
        jkk = max(share_of(self.declared_income, self.jkk_rate), self.jkk_minimum)
        return int(jkk + self.jkm + self.jht)

    @property
    def jht(self) -> int:
        """JHT per worker per month, Rp: ``declared_income x jht_rate`` (rounded as JKK is) when
        JHT is required, else 0."""
        return share_of(self.declared_income, self.jht_rate) if "JHT" in self.required_programs else 0

    @property
    def program_codes(self) -> str:
        """The programmes enrolled and paid, as the BPJS export writes them: ``JKK,JKM``."""
        return ",".join(self.required_programs)

    @property
    def program_words(self) -> str:
        """The programmes enrolled and paid, as the lists and the coverage page name them: ``JKK + JKM``."""
        return " + ".join(self.required_programs)

    def as_dict(self) -> dict:
        return asdict(self)

    def assessment_terms(self) -> dict:
        """The settings ``pipelines.candidates.assess`` judges residents by (age, informal work,
        protection), as JSON holds them: the period's assessment records them, and what is made
        from it refuses an assessment of other terms."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if k in ASSESSMENT_TERMS}


# the settings the assessment judges by (Rules.assessment_terms)
ASSESSMENT_TERMS = ("min_age", "max_age", "informal_codes", "informal_label_prefixes", "active_status",
                    "required_programs")


# What the roster says (CONTRACT §1), as the ingest reads it (pipelines.ingest.clean_peserta): a
# status or programme spelled otherwise in the rules file matches no record, and everyone would
# be unprotected (a candidate) without a word.
STATUSES = ("AKTIF", "NONAKTIF")
PROGRAMS = ("JKK", "JKM", "JHT", "JP", "JKP")
# What a BPU (non-wage) enrolment can provide (DOMAIN.md: "BPU holds JKK and JKM, optionally JHT;
# no JP"; JKP follows a wage earner's JP): the programmes protection may require. With JP
# required no informal worker could ever count as protected.
BPU_PROGRAMS = ("JKK", "JKM", "JHT")
MISSION = ("JKK", "JKM")  # what Lindungi enrolls workers in: always required

# every table and its settings (which are required, and their defaults, is said where each is read)
SETTINGS = {
    "eligibility": ("min_age", "max_age", "informal_codes", "informal_label_prefixes"),
    "protection": ("active_status", "required_programs"),
    "contribution": ("declared_income", "jkk_rate", "jkk_minimum", "jkm", "jht_rate"),
    "ranking": ("no_welfare_desil",),
    "linkage": ("link_threshold", "review_threshold", "estimate", "term_frequency"),
    "retention": ("months",),
}


SIAK_CODES = 89  # SIAK's occupation codes run from 1 to 89 (pipelines.siak.OCCUPATIONS)
MAX_CONTRIBUTION = 2**31 - 1  # a PostgreSQL integer: bpjs.submission_candidate.iuran_bulanan
# and bpjs.submission_batch.declared_income, which the export writes beside each premium: an income
# above it (the docs allowed up to 10,000,000,000) passed, and the run failed at its very end, on
# "integer out of range", its candidates and coverage report written (an outside review)
MAX_INCOME = 2**31 - 1


def _shown(value, how=repr) -> str:
    """A wrong value or key as an error quotes it: long digit runs starred and at most 24
    characters. The error reaches the terminal and, in a scheduled run, Dagster's event log: a
    NIK and a name pasted into the rules file were quoted back in full (found by an audit)."""
    text = mask_long_digits(how(value))
    return text if len(text) <= 24 else text[:23] + "…"


def _table_of(key: str) -> str | None:
    """The table a setting belongs to (``SETTINGS``), or None for no setting."""
    return next((t for t, keys in SETTINGS.items() if key in keys), None)


def _as_written(value) -> str:
    """A wrong entry of a list as TOML writes it (``"8"``, ``true``, ``8.5``), shown as an error
    quotes a value (:func:`_shown`); a code written as a text says how to write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = _shown(value, lambda v: json.dumps(v, ensure_ascii=False))
        code = value.strip()
        return text + (f" (a text: write {int(code)}, without quotes)"
                       if code.isascii() and code.isdigit() and 1 <= int(code) <= SIAK_CODES else " (a text)")
    return _shown(value)


class _Reader:
    """Settings of one rules file, each checked and named in its error: ``table.key``."""

    def __init__(self, path: Path, data: dict):
        self.path, self.data = path, data
        tables = ", ".join(f"[{t}]" for t in SETTINGS)
        for table, value in data.items():
            # (a table's name given a value, and a setting above every table header, were each
            # "unknown table [eligibility]" / "unknown table [min_age]": an outside review)
            if table in SETTINGS and not isinstance(value, dict):
                raise ValueError(f"{path}: {table} must be a table (a line [{table}] with its settings on the "
                                 f"lines below it), not {_shown(value)}")
            if not isinstance(value, dict):
                if owner := _table_of(table):
                    raise ValueError(f"{path}: {table} stands above every table header, where no setting belongs: "
                                     f"it is a setting of [{owner}], so put it on a line below [{owner}]")
                raise ValueError(f"{path}: unknown setting {_shown(table, str)}, above every table header, where no "
                                 f"setting belongs (the tables are {tables})")
            if table not in SETTINGS:
                raise ValueError(f"{path}: unknown table [{_shown(table, str)}] (the tables are {tables})")
            for key in value:
                if key not in SETTINGS[table]:
                    # a setting of another table (retention's months under [eligibility]) is named
                    # as such: "unknown" sent the city looking for a misspelling
                    if owner := _table_of(key):
                        raise ValueError(f"{path}: {_shown(key, str)} is a setting of [{owner}], not of [{table}]: "
                                         f"move it below the line [{owner}]")
                    raise ValueError(f"{path}: unknown setting {_shown(table, str)}.{_shown(key, str)} (a misspelt "
                                     "setting would be "
                                     f"ignored; {table} has {', '.join(SETTINGS[table])})")

    def _raw(self, name: str, default):
        table, key = name.split(".")
        value = self.data.get(table, {}).get(key, default)
        if value is None:
            raise ValueError(f"{self.path}: missing setting {name}")
        return value

    def _bad(self, name: str, expected: str, value, *, shown: str | None = None) -> ValueError:
        return ValueError(f"{self.path}: {name} must be {expected}, not {_shown(value) if shown is None else shown}")

    def number(self, name: str, low: float, high: float, *, whole: bool, default=None, why: str = ""):
        v = self._raw(name, default)
        kinds = (int,) if whole else (int, float)
        if isinstance(v, bool) or not isinstance(v, kinds) or not low <= v <= high:
            raise self._bad(name, f"{'a whole number' if whole else 'a number'} from {low:,} to {high:,}"
                                  + (f" ({why})" if why else ""), v)
        return v

    def probability(self, name: str) -> float:
        """A threshold on a link's score, a probability: strictly between 0 and 1. At 1 no link
        passes (not even an exact NIK, which scores just under 1), at 0 every compared pair does."""
        v = self._raw(name, None)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise self._bad(name, "a number between 0 and 1, both excluded (a link's score is a probability: "
                                  "at 1 no link passes, at 0 every compared pair does)", v)
        return float(v)

    def texts(self, name: str, allowed: tuple[str, ...] | None = None, *, default=None,
              nonempty: bool = True) -> tuple[str, ...]:
        v = self._raw(name, default)
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v) or (nonempty and not v):
            raise self._bad(name, "a list of texts" + (" (at least one)" if nonempty else ""), v)
        # as the ingest writes a label (pipelines.siak.label_key): one space between words, none
        # around '/' ("OJEK  ONLINE" matched no label OJEK ONLINE: a rules review)
        out = tuple(re.sub(r"\s*/\s*", "/", " ".join(x.split())).upper() for x in v)
        if allowed and (unknown := [x for x in out if x not in allowed]):
            raise self._bad(name, f"a list of {', '.join(allowed)}", unknown)
        return out

    def codes(self, name: str) -> tuple[int, ...]:
        """SIAK occupation codes, 1 to 89 (``pipelines.siak.OCCUPATIONS``), at least one: 99 for 9
        left every petani out without a word, and the error quoted the whole list, starred as one
        long run of digits; it names the wrong entries now (a rules review)."""
        v = self._raw(name, None)
        if not isinstance(v, list):
            raise self._bad(name, "a list of SIAK occupation codes (whole numbers 1 to 89)", v)
        if not v:  # (none: 0 candidates, exit 0, a period's pending ones withdrawn; an outside review)
            raise ValueError(f"{self.path}: {name} must be a list of SIAK occupation codes (whole numbers 1 to 89, "
                             "at least one), not [] (with none, no resident's occupation is informal work and "
                             "nobody is a candidate)")
        wrong = [x for x in v if isinstance(x, bool) or not isinstance(x, int) or not 1 <= x <= SIAK_CODES]
        if wrong:  # each as the file writes it: "8" quoted was shown as "'8'" (an outside review)
            raise self._bad(name, "a list of SIAK occupation codes (whole numbers 1 to 89)", wrong,
                            shown=", ".join(_as_written(x) for x in wrong[:5]) + (" …" if len(wrong) > 5 else ""))
        return tuple(v)

    def flag(self, name: str, default: bool) -> bool:
        v = self._raw(name, default)
        if not isinstance(v, bool):
            raise self._bad(name, "true or false", v)
        return v


def _programs(r: _Reader) -> tuple[str, ...]:
    """``protection.required_programs``: the roster's programme codes, and of them only what a BPU
    enrolment provides, JKK and JKM always; in the roster's order (JKK, JKM, JHT), once each. They
    are the package enrolled and paid, too: the premium, the export's PROGRAM and every text
    (an outside review: with JP required nobody could count as protected; with JHT required the
    lists, the page and the export still said JKK + JKM)."""
    name = "protection.required_programs"
    given = r.texts(name, PROGRAMS)
    if beyond := sorted({p for p in given if p not in BPU_PROGRAMS}, key=PROGRAMS.index):
        raise ValueError(f"{r.path}: {name} may name only programmes a BPU (non-wage) enrolment provides, "
                         f"{', '.join(BPU_PROGRAMS)}, not {', '.join(beyond)} (JP and JKP are for wage earners: "
                         "no informal worker could ever hold them, and every one would be listed as unprotected)")
    if missing := [p for p in MISSION if p not in given]:
        raise ValueError(f"{r.path}: {name} must include JKK and JKM, not leave out {', '.join(missing)} "
                         "(Lindungi enrolls informal workers in JKK + JKM: without one of them required, a worker "
                         "holding only the other would count as protected and never be enrolled in it)")
    return tuple(p for p in PROGRAMS if p in given)


def _jht_rate(r: _Reader, programs: tuple[str, ...]) -> float | None:
    """``contribution.jht_rate``: required when JHT is (its premium is then part of the package);
    its number is the rules file's (DOMAIN.md does not confirm BPU's 2%), never a default of code."""
    given = r.data.get("contribution", {}).get("jht_rate") is not None
    if not given and "JHT" not in programs:
        return None
    if not given:
        raise ValueError(f"{r.path}: missing setting contribution.jht_rate (protection.required_programs includes "
                         "JHT, so the premium enrolled includes it; BPU JHT is 2% of declared income: jht_rate = 0.02)")
    return float(r.number("contribution.jht_rate", 0, 1, whole=False))


def load_rules(path: str | Path | None = None) -> Rules:
    """Rules from ``path``, else $LINDUNGI_RULES, else the packaged defaults. Every setting is
    checked (type and range), an unknown one is refused (a misspelt optional setting was
    silently left at its default), and each error names the file and ``table.setting``."""
    path = Path(path or os.environ.get("LINDUNGI_RULES") or DEFAULT_RULES)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: rules file not found") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, expected a rules file (TOML)") from None
    except OSError as exc:
        raise ValueError(f"{path}: rules file cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    r = _Reader(path, data)
    rules = Rules(
        min_age=r.number("eligibility.min_age", 0, 120, whole=True),
        max_age=r.number("eligibility.max_age", 0, 120, whole=True),
        informal_codes=r.codes("eligibility.informal_codes"),
        informal_label_prefixes=r.texts("eligibility.informal_label_prefixes", default=[], nonempty=False),
        active_status=r.texts("protection.active_status", STATUSES),
        required_programs=(programs := _programs(r)),
        declared_income=r.number("contribution.declared_income", 1, MAX_INCOME, whole=True,
                                 why="what the submission tables hold"),
        jkk_rate=float(r.number("contribution.jkk_rate", 0, 1, whole=False)),
        jkk_minimum=r.number("contribution.jkk_minimum", 0, 10**9, whole=True),
        jkm=r.number("contribution.jkm", 0, 10**9, whole=True),
        jht_rate=_jht_rate(r, programs),
        no_welfare_desil=r.number("ranking.no_welfare_desil", 1, 100, whole=True, default=11),
        link_threshold=r.probability("linkage.link_threshold"),
        review_threshold=r.probability("linkage.review_threshold"),
        link_estimate=r.flag("linkage.estimate", True),
        link_term_frequency=r.flag("linkage.term_frequency", True),
        retention_months=r.number("retention.months", 1, 1200, whole=True, default=24),
        source=str(path),
    )
    if rules.monthly_contribution > MAX_CONTRIBUTION:
        # (bpjs.submission_candidate.iuran_bulanan is an integer: the run failed at its end, on
        # "out of range for type integer", naming no setting; a rules review)
        how = "jkk_rate + jkm" if not rules.jht else "jkk_rate + jkm + declared_income x jht_rate"
        raise ValueError(f"{path}: the monthly contribution these settings give (contribution.declared_income x "
                         f"{how}: Rp{rules.monthly_contribution:,}) must be at most Rp{MAX_CONTRIBUTION:,}")
    if rules.min_age > rules.max_age:
        raise ValueError(f"{path}: eligibility.min_age must be <= eligibility.max_age")
    if rules.review_threshold > rules.link_threshold:
        raise ValueError(f"{path}: linkage.review_threshold must be <= linkage.link_threshold")
    return rules
