"""What a request asks of the officer who finds its subject, in words an officer acts on.

The texts are msgids (N_): answers carry them in English, pages and the command line show
them in the reader's language.

The wording follows the usual practice for each type of notice (docs/circulation.md); a
diffusion asks what a notice of its type would. A stolen or invalidated document is seized.
"""

from __future__ import annotations

from interlink.core.i18n import N_
from interlink.records.restrictions import HANDLING_IN_WORDS
from interlink.records.schemas import DocumentStatus, NoticeType, VehicleStatus

PURPOSE: dict[NoticeType, str] = {
    NoticeType.RED: N_("Wanted for prosecution or to serve a sentence"),
    NoticeType.BLUE: N_("More information sought on the person's identity, location or activities"),
    NoticeType.GREEN: N_("Warning: likely to reoffend in other countries"),
    NoticeType.YELLOW: N_("Missing person, or a person unable to identify themselves"),
    NoticeType.BLACK: N_("Unidentified body"),
    NoticeType.ORANGE: N_("Serious and imminent threat"),
    NoticeType.PURPLE: N_("Modus operandi, objects, devices or concealment methods"),
    NoticeType.SILVER: N_("Assets linked to criminal activity"),
    NoticeType.UN_SPECIAL: N_("Under United Nations Security Council sanctions"),
}

ACTION: dict[NoticeType, str] = {
    NoticeType.RED: N_(
        "Locate and provisionally arrest with a view to extradition. Contact the "
        "requesting bureau at once."
    ),
    NoticeType.BLUE: N_(
        "Gather information discreetly; do not alert the person. Report to the requesting bureau."
    ),
    NoticeType.GREEN: N_("Note and report the person's movements to the requesting bureau."),
    NoticeType.YELLOW: N_(
        "Locate and protect the person; do not detain. Inform the requesting bureau."
    ),
    NoticeType.BLACK: N_("Compare with unidentified bodies and report any match."),
    NoticeType.ORANGE: N_("Act on the warning and inform the requesting bureau."),
    NoticeType.PURPLE: N_("Use the information on the method; report related cases."),
    NoticeType.SILVER: N_(
        "Trace the assets (non-coercive: no seizure on this basis alone) and "
        "report to the requesting bureau."
    ),
    NoticeType.UN_SPECIAL: N_("Apply the sanctions (travel ban, asset freeze) and report."),
}

DOCUMENT_ACTION: dict[DocumentStatus, str] = {
    DocumentStatus.STOLEN: N_("Seize the document; do not return it to the holder."),
    DocumentStatus.LOST: N_("Seize the document; do not return it to the holder."),
    DocumentStatus.REVOKED: N_("Seize the document; do not return it to the holder."),
    DocumentStatus.INVALIDATED: N_("Seize the document; do not return it to the holder."),
}

VEHICLE_ACTION: dict[VehicleStatus, str] = {
    VehicleStatus.STOLEN: N_("Seize the vehicle and contact the owning bureau."),
    VehicleStatus.MISAPPROPRIATED: N_("Seize the vehicle and contact the owning bureau."),
    VehicleStatus.RECOVERED: N_("No action: the vehicle was recovered."),
}

NOT_TO_BE_ACTED_ON = N_(
    "Not to be acted on in your country: the requesting bureau excluded it. "
    "Do not arrest or seize on this basis; contact your bureau."
)

HANDLING: dict[str, str] = {code.value: text for code, text in HANDLING_IN_WORDS.items()}


def document_action(status: str) -> str | None:
    try:
        return DOCUMENT_ACTION[DocumentStatus(status)]
    except ValueError:
        return None


def vehicle_action(status: str) -> str | None:
    try:
        return VEHICLE_ACTION[VehicleStatus(status)]
    except ValueError:
        return None
