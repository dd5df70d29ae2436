"""Member countries and their continental regions: our table, names from pycountry.

Executive Committee seats are allotted by these four regions. The list is data: the General
Assembly admits members, so it can change; `members.csv`-style edits happen here and in a
migration. 196 entries: the UN members but the DPRK and Tuvalu, plus the Holy See, Palestine,
Aruba, Curaçao and Sint Maarten (which have their own bureaus).
"""

from __future__ import annotations

import enum

import pycountry


class Region(enum.StrEnum):
    AFRICA = "africa"
    AMERICAS = "americas"
    ASIA_SOUTH_PACIFIC = "asia_south_pacific"
    EUROPE = "europe"

    @property
    def label(self) -> str:
        return {
            "africa": "Africa",
            "americas": "Americas",
            "asia_south_pacific": "Asia and South Pacific",
            "europe": "Europe",
        }[self.value]


_BY_REGION: dict[Region, str] = {
    Region.AFRICA: """DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW
        KE LS LR LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM
        ZW""",
    Region.AMERICAS: """AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI
        PA PY PE KN LC VC SR TT US UY VE AW CW SX""",
    Region.ASIA_SOUTH_PACIFIC: """AF AU BD BT BN KH CN FJ IN ID IR IQ JP KZ KI KG LA MY MV MH FM
        MN MM NR NP NZ PK PW PG PH KR WS SG SB LK TJ TH TL TO TM UZ VU VN BH JO KW LB OM QA SA
        SY AE YE PS IL""",
    Region.EUROPE: """AL AD AM AT AZ BY BE BA BG HR CY CZ DK EE FI FR GE DE GR HU IS IE IT LV LI
        LT LU MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SE CH TR UA GB VA""",
}

REGION_OF: dict[str, Region] = {
    code: region for region, codes in _BY_REGION.items() for code in codes.split()
}


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise KeyError(code)
    return getattr(country, "common_name", None) or country.name


def member_codes() -> list[str]:
    return sorted(REGION_OF)
