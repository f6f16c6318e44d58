"""Who may see what: the pages each role may open, and the roles that see only published
figures. Enforced on the server by every data function (:func:`require`)."""

from __future__ import annotations

from dashboard.auth import current_role
from geo.users import ROLES

#: Which roles may open which page (and call its data functions).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "overview": ("tactical", "analyst"),
    "tension": ("tactical",),
    "hotspots": ("tactical", "analyst"),
    "schools": ("tactical", "analyst", "prevention"),
    "partner": ("tactical", "analyst", "partner"),
    "trends": ROLES,
    # the settings review queue shows records' descriptions: analysts and tactical leads
    "review": ("tactical", "analyst"),
}

#: Roles that see only published figures (closed periods, small counts suppressed,
#: rounded) on Trends and Schools; the partner page is published for every role.
PUBLISHED_ROLES: tuple[str, ...] = ("partner", "prevention")


class ForbiddenError(PermissionError):
    """The signed-in role may not use the page whose data was asked for (403)."""


def allowed(page: str) -> bool:
    """Whether the signed-in role may open ``page``."""
    return current_role() in PAGE_ROLES[page]


def require(page: str) -> None:
    """Raise :class:`ForbiddenError` unless the signed-in role may open ``page``."""
    if not allowed(page):
        role = current_role() or "anonymous"
        raise ForbiddenError(f"the {role} role may not use the {page} page")


def published_view() -> bool:
    """Whether the signed-in role sees published figures on Trends and Schools."""
    return current_role() in PUBLISHED_ROLES
