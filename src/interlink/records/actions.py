"""What a request asks of the officer who finds its subject, in words an officer acts on.

The wording follows the usual practice for each type of notice (docs/circulation.md); a
diffusion asks what a notice of its type would. A stolen or invalidated document is seized.
"""

from __future__ import annotations

from interlink.records.restrictions import HANDLING_IN_WORDS
from interlink.records.schemas import DocumentStatus, NoticeType, VehicleStatus

PURPOSE: dict[NoticeType, str] = {
    NoticeType.RED: "Wanted for prosecution or to serve a sentence",
    NoticeType.BLUE: "More information sought on the person's identity, location or activities",
    NoticeType.GREEN: "Warning: likely to reoffend in other countries",
    NoticeType.YELLOW: "Missing person, or a person unable to identify themselves",
    NoticeType.BLACK: "Unidentified body",
    NoticeType.ORANGE: "Serious and imminent threat",
    NoticeType.PURPLE: "Modus operandi, objects, devices or concealment methods",
    NoticeType.SILVER: "Assets linked to criminal activity",
    NoticeType.UN_SPECIAL: "Under United Nations Security Council sanctions",
}

ACTION: dict[NoticeType, str] = {
    NoticeType.RED: (
        "Locate and provisionally arrest with a view to extradition. Contact the "
        "requesting bureau at once."
    ),
    NoticeType.BLUE: (
        "Gather information discreetly; do not alert the person. Report to the requesting bureau."
    ),
    NoticeType.GREEN: "Note and report the person's movements to the requesting bureau.",
    NoticeType.YELLOW: (
        "Locate and protect the person; do not detain. Inform the requesting bureau."
    ),
    NoticeType.BLACK: "Compare with unidentified bodies and report any match.",
    NoticeType.ORANGE: "Act on the warning and inform the requesting bureau.",
    NoticeType.PURPLE: "Use the information on the method; report related cases.",
    NoticeType.SILVER: (
        "Trace the assets (non-coercive: no seizure on this basis alone) and "
        "report to the requesting bureau."
    ),
    NoticeType.UN_SPECIAL: "Apply the sanctions (travel ban, asset freeze) and report.",
}

DOCUMENT_ACTION: dict[DocumentStatus, str] = {
    DocumentStatus.STOLEN: "Seize the document; do not return it to the holder.",
    DocumentStatus.LOST: "Seize the document; do not return it to the holder.",
    DocumentStatus.REVOKED: "Seize the document; do not return it to the holder.",
    DocumentStatus.INVALIDATED: "Seize the document; do not return it to the holder.",
}

VEHICLE_ACTION: dict[VehicleStatus, str] = {
    VehicleStatus.STOLEN: "Seize the vehicle and contact the owning bureau.",
    VehicleStatus.MISAPPROPRIATED: "Seize the vehicle and contact the owning bureau.",
    VehicleStatus.RECOVERED: "No action: the vehicle was recovered.",
}

NOT_TO_BE_ACTED_ON = (
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
