"""Dashboard users: a name, a role and a salted scrypt hash of the password.

The password itself is never stored. Roles decide what the dashboard's data layer hands
out:

| role | sees |
|---|---|
| ``tactical`` | everything, including alert evidence and record references |
| ``analyst`` | hotspots, schools, partner maps and trends (no record references) |
| ``prevention`` | schools and trends |
| ``partner`` | disclosure-controlled partner heat maps and trends only |

Each hash carries its own cost (``scrypt$17$8$1$<base64>`` for N=2**17, r=8, p=1), so the
cost can rise: a hash below today's cost is replaced at the user's next sign-in. Rows
written before the cost was stored hold 128 hex digits and were hashed at N=2**14.

Sign-in is throttled per user name given, whether or not such a user exists (so the
lock says nothing about which names exist): after :data:`MAX_FAILURES` failures within
:data:`FAILURE_WINDOW` the name is refused, right password or not, for :data:`LOCK_TIME`.

Adding a user again (a new role or password), or removing one, ends all their dashboard
sessions at once and is written to the audit trail.

One module per concern: :mod:`~geo.users.passwords` (hashes and their cost),
:mod:`~geo.users.accounts` (adding, removing and listing users) and
:mod:`~geo.users.sign_in` (checking a sign-in, throttled). ``_SCRYPT`` and ``_verify``
are exported for the tests (``monkeypatch.setitem(geo.users._SCRYPT, "n", 2**10)``
lowers the cost of new hashes).
"""

from geo.users.accounts import (
    MIN_PASSWORD,
    ROLES,
    User,
    add_user,
    end_sessions,
    list_users,
    remove_user,
)
from geo.users.passwords import _SCRYPT as _SCRYPT  # the tests' hook (see above)
from geo.users.passwords import LEGACY_SCRYPT, hash_password, needs_upgrade
from geo.users.passwords import _verify as _verify
from geo.users.sign_in import (
    FAILURE_WINDOW,
    LOCK_TIME,
    MAX_FAILURES,
    Attempt,
    authenticate,
    check_password,
)

__all__ = [
    "FAILURE_WINDOW", "LEGACY_SCRYPT", "LOCK_TIME", "MAX_FAILURES", "MIN_PASSWORD", "ROLES",
    "Attempt", "User", "add_user", "authenticate", "check_password", "end_sessions",
    "hash_password", "list_users", "needs_upgrade", "remove_user",
]  # fmt: skip
