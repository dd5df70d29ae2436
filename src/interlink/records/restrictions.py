"""The restrictions an owner sets on a record or notice, as the API and forms carry them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlink.core.access import (
    HandlingCode,
    RestrictedMixin,
    Visibility,
    VisibilityMode,
    decode_countries,
    encode_countries,
)
from interlink.core.i18n import N_, _, msg
from interlink.members.regions import REGION_OF


def _member_codes(codes: list[str]) -> list[str]:
    upper = sorted({c.strip().upper() for c in codes})
    unknown = [c for c in upper if c not in REGION_OF]
    if unknown:
        raise ValueError(msg("not member countries: %(codes)s", codes=", ".join(unknown)))
    return upper


HANDLING_IN_WORDS = {
    HandlingCode.H0: N_("H0: use only for fighting crime"),
    HandlingCode.H1: N_("H1: not in court without the owner's permission"),
    HandlingCode.H2: N_("H2: no further dissemination without the owner's permission"),
    HandlingCode.H3: N_("H3: other restrictions set by the owner"),
}


class Restrictions(BaseModel):
    """Visible to all members, only to listed ones, or to all but listed ones; not actionable
    in listed members; a handling code."""

    model_config = ConfigDict(extra="forbid")

    visibility: VisibilityMode = VisibilityMode.ALL
    countries: list[str] = Field(default_factory=list, max_length=196)
    not_actionable_in: list[str] = Field(default_factory=list, max_length=196)
    handling: HandlingCode = HandlingCode.H0

    @field_validator("countries", "not_actionable_in")
    @classmethod
    def _members(cls, codes: list[str]) -> list[str]:
        return _member_codes(codes)

    def check(self) -> None:
        if self.visibility is not VisibilityMode.ALL and not self.countries:
            raise ValueError(
                msg(
                    "visibility '%(visibility)s' needs a list of countries",
                    visibility=self.visibility.value,
                )
            )

    def apply(self, row: RestrictedMixin) -> None:
        row.set_visibility(Visibility(self.visibility, frozenset(self.countries)))
        row.not_actionable_in = encode_countries(self.not_actionable_in)
        row.handling_code = self.handling.value

    def in_words(self) -> str:
        """The sharing rules as an officer reads them:
        "All members except JP; not to be acted on in FR; H2: no further dissemination"."""
        countries = ", ".join(self.countries)
        who = {
            VisibilityMode.ALL: _("All members"),
            VisibilityMode.ONLY: _("Only %(countries)s", countries=countries),
            VisibilityMode.EXCEPT: _("All members except %(countries)s", countries=countries),
        }[self.visibility]
        parts = [who]
        if self.not_actionable_in:
            barred = ", ".join(self.not_actionable_in)
            parts.append(_("not to be acted on in %(countries)s", countries=barred))
        parts.append(_(HANDLING_IN_WORDS[self.handling]))
        return "; ".join(parts)

    @classmethod
    def of(cls, row: RestrictedMixin) -> Restrictions:
        return cls(
            visibility=VisibilityMode(row.visibility_mode),
            countries=sorted(decode_countries(row.visibility_countries)),
            not_actionable_in=sorted(decode_countries(row.not_actionable_in)),
            handling=HandlingCode(row.handling_code),
        )


def restrictions_snapshot(row: RestrictedMixin, retention_until: datetime | None) -> dict[str, Any]:
    snapshot = Restrictions.of(row).model_dump(mode="json")
    snapshot["retention_until"] = retention_until.isoformat() if retention_until else None
    return snapshot
