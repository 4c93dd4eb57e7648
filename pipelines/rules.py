"""The eligibility rules, read from a TOML file a data engineer can edit (defaults: rules.toml)."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_RULES = Path(__file__).with_name("rules.toml")


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
    source: str = str(DEFAULT_RULES)

    @property
    def monthly_contribution(self) -> int:
        """JKK + JKM per worker per month, Rp (Rp16,800 at the defaults)."""
        jkk = max(round(self.declared_income * self.jkk_rate), self.jkk_minimum)
        return int(jkk + self.jkm)

    def as_dict(self) -> dict:
        return asdict(self)


def _bool(v, name: str) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"{name} must be true or false, not {v!r}")
    return v


def load_rules(path: str | Path | None = None) -> Rules:
    """Rules from ``path``, else $LINDUNGI_RULES, else the packaged defaults."""
    path = Path(path or os.environ.get("LINDUNGI_RULES") or DEFAULT_RULES)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: rules file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    try:
        e, p, c, r, k = (data[s] for s in ("eligibility", "protection", "contribution", "ranking", "linkage"))
        rules = Rules(
            min_age=int(e["min_age"]), max_age=int(e["max_age"]),
            informal_codes=tuple(int(x) for x in e["informal_codes"]),
            informal_label_prefixes=tuple(str(x).upper() for x in e.get("informal_label_prefixes", [])),
            active_status=tuple(str(x).upper() for x in p["active_status"]),
            required_programs=tuple(str(x).upper() for x in p["required_programs"]),
            declared_income=int(c["declared_income"]), jkk_rate=float(c["jkk_rate"]),
            jkk_minimum=int(c["jkk_minimum"]), jkm=int(c["jkm"]),
            no_welfare_desil=int(r.get("no_welfare_desil", 11)),
            link_threshold=float(k["link_threshold"]), review_threshold=float(k["review_threshold"]),
            link_estimate=_bool(k.get("estimate", True), "linkage.estimate"),
            link_term_frequency=_bool(k.get("term_frequency", True), "linkage.term_frequency"),
            source=str(path),
        )
    except KeyError as exc:
        raise ValueError(f"{path}: missing setting {exc.args[0]}") from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: invalid setting ({exc})") from None
    if not 0 <= rules.min_age <= rules.max_age:
        raise ValueError(f"{path}: min_age must be <= max_age")
    return rules
