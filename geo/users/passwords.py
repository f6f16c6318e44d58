"""Password hashes: salted scrypt, each hash carrying its own cost.

A hash reads ``scrypt$17$8$1$<base64>`` for N=2**17, r=8, p=1, so the cost can rise: a
hash below today's cost is replaced at the user's next sign-in. Rows written before the
cost was stored hold 128 hex digits and were hashed at N=2**14.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

#: scrypt cost of new hashes (OWASP: N=2**17, r=8, p=1). The test hook: tests lower it
#: with ``monkeypatch.setitem(geo.users._SCRYPT, "n", 2**10)``; every hash keeps its own
#: cost, so a server at the full cost still checks such hashes and upgrades them.
_SCRYPT = {"n": 2**17, "r": 8, "p": 1}
#: The cost of hashes stored before the cost was (128 hex digits, no ``scrypt$``).
LEGACY_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
#: Each hash at N=2**17 needs 128 MiB: at most two at once, whatever the server's threads.
_HASHING = threading.BoundedSemaphore(2)


def _scrypt(password: str, salt: bytes, cost: dict[str, int]) -> bytes:
    n, r, p = cost["n"], cost["r"], cost["p"]
    # OpenSSL needs 128*r*(N + p + 2) bytes; the MiB on top is headroom
    maxmem = 128 * r * (n + p + 2) + 2**20
    with _HASHING:
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=64, maxmem=maxmem)


def _encode(cost: dict[str, int], digest: bytes) -> str:
    text = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return f"scrypt${cost['n'].bit_length() - 1}${cost['r']}${cost['p']}${text}"


def _decode(stored: str) -> tuple[dict[str, int], bytes]:
    """The cost and digest of a stored hash (either format)."""
    if not stored.startswith("scrypt$"):
        return dict(LEGACY_SCRYPT), bytes.fromhex(stored)
    _, log_n, r, p, text = stored.split("$")
    digest = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return {"n": 2 ** int(log_n), "r": int(r), "p": int(p)}, digest


def hash_password(password: str) -> tuple[str, str]:
    """A new salt and the self-describing hash of ``password`` at today's cost.

    Parameters
    ----------
    password : str
        The password as typed.

    Returns
    -------
    salt : str
        16 random bytes as hex.
    hashed : str
        ``scrypt$<log2 N>$<r>$<p>$<base64 digest>``.

    Examples
    --------
    >>> salt, hashed = hash_password("a-long-password")
    >>> len(salt), hashed.startswith("scrypt$17$8$1$")
    (32, True)
    """
    salt = secrets.token_bytes(16)
    return salt.hex(), _encode(_SCRYPT, _scrypt(password, salt, _SCRYPT))


def _verify(password: str, salt_hex: str, stored: str) -> bool:
    cost, digest = _decode(stored)
    return hmac.compare_digest(_scrypt(password, bytes.fromhex(salt_hex), cost), digest)


def needs_upgrade(stored: str) -> bool:
    """Whether ``stored`` was hashed below today's cost.

    Parameters
    ----------
    stored : str
        A stored hash, in either format.

    Returns
    -------
    bool
        True when the hash should be replaced at the next sign-in.

    Examples
    --------
    >>> needs_upgrade("ab" * 64)  # a hash stored before the cost was (N=2**14)
    True
    >>> needs_upgrade("scrypt$17$8$1$" + "A" * 86)
    False
    """
    return _decode(stored)[0] != _SCRYPT
