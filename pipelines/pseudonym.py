"""Keyed pseudonyms of NIKs (HMAC-SHA256), for places where the full NIK is not needed.

UU PDP asks to pseudonymise personal identifiers where the full value is not needed: gap
lists carry a pseudonymous row id to match a returned file back to the candidate without a
full NIK. The key comes from $LINDUNGI_PSEUDONYM_KEY (hex) or ``<state>/pseudonym.key``, made
once with 32 random bytes; without the key the pseudonym cannot be reversed by guessing NIKs.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

import polars as pl

from pipelines.files import aside


KEY_MIN_BYTES = 16  # 128 bits: a shorter key could be found by trying keys against known NIKs


def key_from_env() -> bytes | None:
    """``$LINDUNGI_PSEUDONYM_KEY`` as bytes, or None when unset; ValueError naming the variable
    (never its value) when it is not hexadecimal or too short. `lindungi run` asks before any
    work: a key like "mysecret" failed in the last step, after the submission was written."""
    env = os.environ.get("LINDUNGI_PSEUDONYM_KEY")
    return _parse_key(env, "LINDUNGI_PSEUDONYM_KEY") if env else None


def _parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        # docs/commands.md's rule (LINDUNGI_PSEUDONYM_KEY), in the same words (it said "64 of them", and refused 33 good digits
        # without saying the count was odd)
        raise ValueError(f"{where}: the pseudonym key must be hexadecimal digits, an even number of them "
                         f"(two per byte), at least {2 * KEY_MIN_BYTES}: `openssl rand -hex 32` makes one") from None
    if len(key) < KEY_MIN_BYTES:
        raise ValueError(f"{where}: the pseudonym key must have at least {2 * KEY_MIN_BYTES} hexadecimal digits, "
                         f"not {2 * len(key)}")
    return key


def load_key(state: Path | None = None) -> bytes:
    env = key_from_env()
    if env is not None:
        return env
    from pipelines.db import state_dir

    path = (state or state_dir()) / "pseudonym.key"
    if not path.exists():
        _create_key(path)
    return _parse_key(path.read_text(), str(path))


def _create_key(path: Path) -> None:
    """A new key at ``path``, unless another process or thread made one first: the key is
    written aside, readable by its owner only from the start, and linked into place, which never
    replaces an existing key (a replaced key would orphan the ids of the lists already written
    with it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = aside(path)
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # a filesystem without hard links: renamed into place unless one exists
        if not path.exists():
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def pseudonym_column(niks: pl.Series, key: bytes) -> pl.Series:
    """Each NIK's pseudonym: the first 20 hex digits of HMAC-SHA256(key, NIK); none for a missing
    NIK. The key is set up once and copied per NIK (an HMAC's keyed state is two hash states):
    33,799 NIKs in 0.08-0.17 s against 0.14-0.24 s with ``hmac.digest``, which sets the key up
    for each."""
    keyed = hmac.new(key, digestmod="sha256")

    def one(nik: str) -> str:
        h = keyed.copy()
        h.update(nik.encode())
        return h.hexdigest()[:20]

    return pl.Series("pseudonym", [one(n) if n else None for n in niks.to_list()], dtype=pl.String)
