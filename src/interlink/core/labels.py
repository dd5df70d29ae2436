"""How a coded value reads on a page: states, kinds, types, roles, statuses, outcomes.

Services store and the API answers the code ("under_review", "un_special"); people read a
label in their language ("Under review", "Notice spéciale ONU"). One table for every code a
page shows, translated where it is shown: `{{ n.state|label }}` in a template, `label(v)` in
page code (docs/languages.md). A code with no entry shows as it is, and the test
tests/web/test_i18n.py fails if an enum listed in LABELLED has a member without one.
"""

from __future__ import annotations

import re
from enum import Enum

from interlink.core.i18n import DEFAULT_LANGUAGE, N_, current_language, translate, translations

LABELS: dict[str, str] = {
    # notices and records
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "under_review": N_("Under review"),
    "needs_info": N_("Needs information"),
    "published": N_("Published"),
    "refused": N_("Refused"),
    "circulated": N_("Circulated"),
    "withdrawn": N_("Withdrawn"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
    "active": N_("Active"),
    "erased": N_("Erased"),
    "person": N_("Person"),
    "document": N_("Document"),
    "vehicle": N_("Vehicle"),
    "notice": N_("Notice"),
    "record": N_("Record"),
    "diffusion": N_("Diffusion"),
    "red": N_("Red"),
    "blue": N_("Blue"),
    "green": N_("Green"),
    "yellow": N_("Yellow"),
    "black": N_("Black"),
    "orange": N_("Orange"),
    "purple": N_("Purple"),
    "silver": N_("Silver"),
    "un_special": N_("UN Special"),
    "prosecution": N_("Prosecution"),
    "sentence": N_("Sentence"),
    "male": N_("Male"),
    "female": N_("Female"),
    "other": N_("Other"),
    "passport": N_("Passport"),
    "id_card": N_("Identity card"),
    "visa": N_("Visa"),
    "residence_permit": N_("Residence permit"),
    "stolen": N_("Stolen"),
    "lost": N_("Lost"),
    "revoked": N_("Revoked"),
    "invalidated": N_("Invalidated"),
    "misappropriated": N_("Misappropriated"),
    "recovered": N_("Recovered"),
    "homicide": N_("Homicide"),
    "assault": N_("Assault"),
    "sexual_offence": N_("Sexual offence"),
    "child_sexual_abuse": N_("Child sexual abuse"),
    "kidnapping": N_("Kidnapping"),
    "trafficking_in_human_beings": N_("Trafficking in human beings"),
    "migrant_smuggling": N_("Migrant smuggling"),
    "drug_trafficking": N_("Drug trafficking"),
    "firearms_trafficking": N_("Firearms trafficking"),
    "terrorism": N_("Terrorism"),
    "organised_crime": N_("Organised crime"),
    "robbery": N_("Robbery"),
    "theft": N_("Theft"),
    "fraud": N_("Fraud"),
    "money_laundering": N_("Money laundering"),
    "corruption": N_("Corruption"),
    "cybercrime": N_("Cybercrime"),
    "counterfeiting": N_("Counterfeiting"),
    "environmental_crime": N_("Environmental crime"),
    "international_crime": N_("International crime"),
    "other_serious_crime": N_("Other serious crime"),
    "behaviour_or_cultural_norms": N_("Behaviour or cultural norms"),
    "family_or_private_matter": N_("Family or private matter"),
    "administrative_offence": N_("Administrative offence"),
    "private_dispute": N_("Private dispute"),
    # a request named by its type and kind ("The Red notice lacks ...", a hit's request)
    "red_notice": N_("Red notice"),
    "red_diffusion": N_("Red diffusion"),
    "blue_notice": N_("Blue notice"),
    "blue_diffusion": N_("Blue diffusion"),
    "green_notice": N_("Green notice"),
    "green_diffusion": N_("Green diffusion"),
    "yellow_notice": N_("Yellow notice"),
    "yellow_diffusion": N_("Yellow diffusion"),
    "black_notice": N_("Black notice"),
    "black_diffusion": N_("Black diffusion"),
    "orange_notice": N_("Orange notice"),
    "orange_diffusion": N_("Orange diffusion"),
    "purple_notice": N_("Purple notice"),
    "purple_diffusion": N_("Purple diffusion"),
    "silver_notice": N_("Silver notice"),
    "silver_diffusion": N_("Silver diffusion"),
    "un_special_notice": N_("UN Special notice"),
    "un_special_diffusion": N_("UN Special diffusion"),
    # compliance checks of a notice request
    "required_identity_data": N_("Required identity data"),
    "required_judicial_data": N_("Required judicial data"),
    "required_case_data": N_("Required case data"),
    "consistent_data": N_("Consistent data"),
    "red_penalty_threshold": N_("Penalty threshold of a Red notice"),
    "excluded_offence_category": N_("Excluded offence category"),
    "political_context": N_("Political context"),
    "military_context": N_("Military context"),
    "religious_context": N_("Religious context"),
    "racial_context": N_("Racial context"),
    "refugee_status": N_("Refugee status"),
    "pass": N_("Pass"),
    "fail": N_("Fail"),
    "flag": N_("Flag"),
    "not_applicable": N_("Not applicable"),
    # the notice's timeline
    "create": N_("Created"),
    "edit": N_("Edited"),
    "confirm": N_("Confirmed"),
    "copy": N_("Copied"),
    "upsert": N_("Updated"),
    "withdraw": N_("Withdrawn"),
    "expire": N_("Expired"),
    "submit": N_("Submitted"),
    "review": N_("Review started"),
    "request_info": N_("Information asked"),
    "answer": N_("Answered"),
    "publish": N_("Published"),
    "oversight_delete": N_("Deleted on the commission's order"),
    "refuse": N_("Refused"),
    "cancel": N_("Cancelled"),
    "circulate": N_("Circulated"),
    # why a screening hit matched
    "name": N_("Name"),
    "birth_date": N_("Birth date"),
    "nationality": N_("Nationality"),
    "sex": N_("Sex"),
    "agreed": N_("Agrees"),
    "disagreed": N_("Disagrees"),
    "unknown": N_("Unknown"),
    # roles
    "officer": N_("Officer"),
    "supervisor": N_("Supervisor"),
    "ncb_admin": N_("NCB admin"),
    "compliance_reviewer": N_("Compliance reviewer"),
    "analyst": N_("Analyst"),
    "delegate": N_("Delegate"),
    "oversight": N_("Oversight"),
    "gs_admin": N_("GS admin"),
    "partner": N_("Partner"),
    "head": N_("Head of delegation"),
    "observer": N_("Observer"),
    # messaging
    "routine": N_("Routine"),
    "urgent": N_("Urgent"),
    "flash": N_("Flash"),
    "direct": N_("Direct"),
    "hit_followup": N_("Hit follow-up"),
    "operation": N_("Operation"),
    "message": N_("Message"),
    "hit": N_("Hit"),
    "lead": N_("Lead"),
    "forward": N_("Forward"),
    "invited": N_("Invited"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "removed": N_("Removed"),
    "open": N_("Open"),
    "overdue": N_("Overdue"),
    "answered": N_("Answered"),
    "late": N_("Late"),
    "owner": N_("Owner"),
    "searcher": N_("Searcher"),
    "pending": N_("Pending"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    # linking
    "suggested": N_("Suggested"),
    "confirmed": N_("Confirmed"),
    "rejected": N_("Rejected"),
    "unsure": N_("Unsure"),
    "running": N_("Running"),
    "completed": N_("Completed"),
    # how linked records compare (linking/model.py's levels), and the graph's edges
    "identifier": N_("Identifier"),
    "prior": N_("Prior"),
    "exact": N_("Exact"),
    "strong": N_("Strong"),
    "good": N_("Good"),
    "fair": N_("Fair"),
    "weak": N_("Weak"),
    "compatible": N_("Compatible"),
    "close": N_("Close"),
    "incompatible": N_("Incompatible"),
    "missing": N_("Missing"),
    "shared": N_("Shared"),
    "disjoint": N_("Disjoint"),
    "same": N_("Same"),
    "different": N_("Different"),
    "ocr_variant": N_("OCR variant"),
    # how two name parts matched (screening's person matcher), and which linker found a link
    "spelling": N_("Spelling"),
    "transliteration": N_("Transliteration"),
    "script": N_("Another script"),
    "initial": N_("Initial"),
    "joined": N_("Joined"),
    "full": N_("Full run"),
    "incremental": N_("Incremental run"),
    "vin": N_("VIN"),
    "plate": N_("Number plate"),
    "link": N_("Suggested link"),
    "pattern": N_("Pattern"),
    "same_person": N_("Same person"),
    "holds_document": N_("Holds the document"),
    "concerns": N_("Concerns"),
    "shared_document": N_("Shared document"),
    "red_subject_screened_abroad": N_("Red notice subject screened abroad"),
    # audit
    "ok": N_("Allowed"),
    "denied": N_("Denied"),
    # blocklist
    "listed": N_("Listed"),
    "delisted": N_("Delisted"),
    "upheld": N_("Upheld"),
    "dismissed": N_("Dismissed"),
    "update": N_("Update"),
    "full_hash": N_("Full hash"),
    # rights of the people recorded
    "access": N_("Access"),
    "correction": N_("Correction"),
    "deletion": N_("Deletion"),
    "revision": N_("Revision"),
    "received": N_("Received"),
    "admissible": N_("Admissible"),
    "inadmissible": N_("Inadmissible"),
    "decided": N_("Decided"),
    "access_given": N_("Access given"),
    "nothing_disclosable": N_("Nothing disclosable"),
    "compliant": N_("Compliant"),
    "non_compliant": N_("Not compliant"),
    "revision_refused": N_("Revision refused"),
    "block": N_("Block"),
    "withdraw_extract": N_("Withdraw the public extract"),
    "delete": N_("Delete"),
    "correct": N_("Correct"),
    "admissibility": N_("Admissibility"),
    "decision": N_("Decision"),
    "pending_examination": N_("Pending examination"),
    "possible_political_character": N_("Possible political character"),
    "data_accuracy": N_("Data accuracy"),
    "retention_exceeded": N_("Retention exceeded"),
    # the General Assembly
    "planned": N_("Planned"),
    "closed": N_("Closed"),
    "voting": N_("Voting"),
    "candidacy": N_("Candidacy"),
    "adopted": N_("Adopted"),
    "noted": N_("Noted"),
    "proposed": N_("Proposed"),
    "negotiating": N_("Negotiating"),
    "signed": N_("Signed"),
    "in_force": N_("In force"),
    "terminated": N_("Terminated"),
    "memorandum_of_understanding": N_("Memorandum of understanding"),
    "cooperation_agreement": N_("Cooperation agreement"),
    "report": N_("Report"),
    "yes": N_("Yes"),
    "no": N_("No"),
    "abstain": N_("Abstain"),
    "resolution": N_("Resolution"),
    "election": N_("Election"),
    "president": N_("President"),
    "vice_president": N_("Vice-president"),
    "previous_rounds_then_lot": N_("Previous rounds, then lot"),
    "lot": N_("Lot"),
}


def label(value: object) -> str:
    """The label of a code in the reader's language; a code with no label as it is."""
    if value is None or value == "":
        return ""
    code = value.value if isinstance(value, Enum) else str(value)
    found = LABELS.get(code)
    return translate(found) if found is not None else code


def choices(values: object) -> list[tuple[str, str]]:
    """(code, label) pairs for a menu, in the reader's language."""
    return [
        (v.value if isinstance(v, Enum) else str(v), label(v))
        for v in values  # type: ignore[attr-defined]
    ]


# -- labels the platform composes for records and requests ---------------------------------
#
# A record's stored label is its search key and what lists show: a person's name (data), a
# document's "passport MA AB1234567" (its type's code inside), a vehicle's make, model and
# VIN. The label stays as stored (search, API, exports); `shown_label` shows the words the
# platform put in it in the reader's language, from the label's own parts.

_DOCUMENT_LABEL = re.compile(
    r"^(?P<type>passport|id_card|visa|residence_permit|other) (?P<country>[A-Z]{2,3}) "
    r"(?P<number>\S.*)$",
    re.S,
)
# A request's label: "Red notice: <its subject's label>" (records.notices._label).
_REQUEST_LABEL = re.compile(
    r"^(?P<type>Red|Blue|Green|Yellow|Black|Orange|Purple|Silver|Un Special) "
    r"(?P<kind>notice|diffusion): (?P<subject>.*)$",
    re.S,
)
_ERASED_LABEL = re.compile(r"^\(erased by decision (?P<decision>[^()]+)\)$")
# Labels given when there is nothing to name (records.service, records.notices, messaging)
PLACEHOLDER_LABELS = (N_("(unnamed person)"), N_("(no subject)"))
DOCUMENT_LABEL = N_("%(type)s %(country)s %(number)s")
REQUEST_LABEL = N_("%(request)s: %(subject)s")
ERASED_LABEL = N_("(erased by decision %(decision)s)")


def shown_label(text: str | None) -> str:
    """A stored record or request label in the reader's language: the words the platform
    composed into it translated, names and numbers as they are; English as stored."""
    if not text or current_language() == DEFAULT_LANGUAGE:
        return text or ""
    catalog = translations(current_language())
    if text in PLACEHOLDER_LABELS:
        return catalog.gettext(text)
    if found := _DOCUMENT_LABEL.match(text):
        return catalog.gettext(DOCUMENT_LABEL) % {**found.groupdict(), "type": label(found["type"])}
    if found := _REQUEST_LABEL.match(text):
        code = f"{found['type'].lower().replace(' ', '_')}_{found['kind']}"
        return catalog.gettext(REQUEST_LABEL) % {
            "request": label(code),
            "subject": shown_label(found["subject"]),
        }
    if found := _ERASED_LABEL.match(text):
        return catalog.gettext(ERASED_LABEL) % found.groupdict()
    return text


# -- the fields of a record's or a request's data, by name -----------------------------------
#
# A version's changes name each field by its data path ("judicial.maximum_penalty_months");
# a page shows each part of the path by its label ("Judicial data › Maximum penalty (months)").
# tests/web/test_i18n.py fails if a field of the records' data models has no label here.

FIELD_LABELS: dict[str, str] = {
    # a request
    "notice_type": N_("Type"),
    "kind": N_("Kind"),
    "subject": N_("Person concerned"),
    "object_description": N_("Object of the request"),
    "facts": N_("Summary of facts"),
    "judicial": N_("Judicial data"),
    "public_extract_consent": N_("Public extract agreed"),
    "offence_description": N_("Offence"),
    "offence_category": N_("Offence category"),
    "law_reference": N_("Law"),
    "maximum_penalty_months": N_("Maximum penalty (months)"),
    "purpose": N_("Purpose"),
    "months_left_to_serve": N_("Months left to serve (sentence)"),
    "warrant_reference": N_("Warrant or judgment reference"),
    "warrant_date": N_("Warrant date"),
    "issuing_authority": N_("Issuing authority"),
    "extradition_countries": N_("Extradition will be sought from (codes)"),
    # a person
    "names": N_("Names"),
    "aliases": N_("Aliases"),
    "previous_names": N_("Previous names"),
    "full_name": N_("Full name"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "script": N_("Script"),
    "name_parts": N_("Name parts"),
    "titles": N_("Titles"),
    "first_names": N_("First names"),
    "second_names": N_("Second names"),
    "middle_names": N_("Middle names"),
    "father_names": N_("Father's names"),
    "mother_names": N_("Mother's names"),
    "last_names": N_("Last names"),
    "name_suffixes": N_("Name suffixes"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "birth_place": N_("Birth place"),
    "nationalities": N_("Nationalities"),
    "physical_description": N_("Physical description"),
    "height_cm": N_("Height (cm)"),
    "weight_kg": N_("Weight (kg)"),
    "eye_colour": N_("Eye colour"),
    "hair_colour": N_("Hair colour"),
    "description": N_("Description"),
    "identity_documents": N_("Identity documents"),
    "vehicles": N_("Vehicles"),
    "photo_ref": N_("Photo"),
    # a document, a vehicle
    "document_type": N_("Document type"),
    "number": N_("Number"),
    "number_as_given": N_("Number as written"),
    "issuing_country": N_("Issuing country"),
    "issued_on": N_("Issued on"),
    "expires_on": N_("Expires on"),
    "status": N_("Status"),
    "reported_on": N_("Reported on"),
    "vin": N_("VIN"),
    "registration_number": N_("Registration number"),
    "registration_country": N_("Registration country"),
    "make": N_("Make"),
    "model": N_("Model"),
    "colour": N_("Colour"),
}
FIELD_PATH = N_("%(path)s › %(field)s")


def field_label(path: str) -> str:
    """A data path ("judicial.maximum_penalty_months") as its fields' labels in the reader's
    language ("Judicial data › Maximum penalty (months)"); a field with no label as it is."""
    shown = ""
    for part in path.split("."):
        found = FIELD_LABELS.get(part)
        text = translate(found) if found is not None else part.replace("_", " ")
        shown = translate(FIELD_PATH) % {"path": shown, "field": text} if shown else text
    return shown
