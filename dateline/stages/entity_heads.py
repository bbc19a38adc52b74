"""Head nouns of state institutions, and role nouns of people, for entities.v1's patterns.

A country word followed by an institution head ("Russian" + "Defense Ministry", "Syrian" + "Army")
names a government body or a military of that country. A role noun ("ambassador", "minister")
before or beside a person's name is that person's role, and a later "the ambassador" refers back
to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

GOV = "government body"
MIL = "military"

# canonical head -> (kind, written variants). "<X> Ministry" also accepts "Ministry of <X>".
ORG_HEADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Foreign Ministry": (GOV, ("Ministry of Foreign Affairs", "Foreign Affairs Ministry", "MFA",
                               "Ministry for Foreign Affairs")),
    "Defense Ministry": (GOV, ("Defence Ministry", "Ministry of Defense", "Ministry of Defence", "MoD",
                               "Defense Department", "Department of Defense")),
    "Interior Ministry": (GOV, ("Ministry of Interior", "Ministry of the Interior", "Ministry of Internal Affairs",
                                "Internal Affairs Ministry", "Home Office", "Home Ministry")),
    "Justice Ministry": (GOV, ("Ministry of Justice",)),
    "Finance Ministry": (GOV, ("Ministry of Finance", "Treasury")),
    "Health Ministry": (GOV, ("Ministry of Health",)),
    "Emergencies Ministry": (GOV, ("Ministry of Emergency Situations", "Emergency Situations Ministry")),
    "Economy Ministry": (GOV, ("Ministry of Economy", "Economic Ministry", "Ministry of Economic Development")),
    "Energy Ministry": (GOV, ("Ministry of Energy",)),
    "Information Ministry": (GOV, ("Ministry of Information",)),
    "Government": (GOV, ("Cabinet", "Administration", "authorities", "regime")),
    "Parliament": (GOV, ("National Assembly", "Senate", "Congress")),
    "Embassy": (GOV, ()),
    "Presidency": (GOV, ("Presidential Administration", "Presidential Office")),
    "Security Council": (GOV, ("National Security Council",)),
    "Intelligence Service": (GOV, ("intelligence services", "Intelligence Agency", "intelligence")),
    "Prosecutor's Office": (GOV, ("Prosecutor General's Office", "General Prosecutor's Office")),
    "Investigative Committee": (GOV, ()),
    "Police": (GOV, ("National Police",)),
    "Armed Forces": (MIL, ("forces", "troops", "military forces", "army forces", "government forces",
                           "government troops")),
    "Military": (MIL, ()),
    "Army": (MIL, ("Ground Forces", "Land Forces", "Arab Army")),
    "Air Force": (MIL, ("Air Forces",)),
    "Aerospace Forces": (MIL, ("Aerospace Force", "Air and Space Forces")),
    "Navy": (MIL, ("Naval Forces", "Fleet")),
    "General Staff": (MIL, ()),
    "Special Forces": (MIL, ("Special Operations Forces",)),
    "Air Defense Forces": (MIL, ("Air Defence Forces", "air defense", "air defence")),
    "Coast Guard": (MIL, ()),
    "Border Guard": (MIL, ("Border Service", "Border Guards")),
    "National Guard": (MIL, ()),
    "Marine Corps": (MIL, ("Marines",)),
}
"""Institution heads: canonical head → (kind, other written forms)."""

# Heads that also name an institution in lower case ("the Syrian army", "the Russian government").
# Others ("military", "forces") only count capitalised: "the Russian military presence" is an
# adjective use, and its "Russian" is a mention of Russia.
LOWERCASE_OK = frozenset({"Government", "Army", "Navy", "Air Force", "Parliament", "Embassy",
                          "Foreign Ministry", "Defense Ministry", "Interior Ministry"})

ROLE_NOUNS = frozenset({
    "ambassador", "envoy", "minister", "president", "vice", "premier", "chancellor", "king", "queen",
    "prince", "emir", "sheikh", "spokesman", "spokeswoman", "spokesperson", "secretary", "general",
    "commander", "chief", "head", "leader", "director", "chairman", "chairwoman", "senator",
    "representative", "governor", "mayor", "ayatollah", "colonel", "lieutenant", "major", "captain",
    "admiral", "marshal", "officer", "official", "diplomat", "adviser", "advisor", "aide", "deputy",
    "lawmaker", "mp", "speaker", "judge", "prosecutor", "attorney", "correspondent", "analyst",
    "expert", "mufti", "patriarch", "pope", "cleric", "negotiator", "ombudsman", "counsellor",
})
"""Nouns whose presence makes a phrase before or beside a name a role ("Syrian Ambassador to Russia")."""


@dataclass(frozen=True)
class Head:
    """One written form of an institution head."""

    canonical: str
    kind: str
    lowercase_ok: bool


@cache
def head_variants() -> dict[str, Head]:
    """Every written head form (lower-cased) → its :class:`Head`."""
    from dateline.stages.entity_lexicon import name_key  # imported here: entity_lexicon imports us

    out: dict[str, Head] = {}
    for canonical, (kind, forms) in ORG_HEADS.items():
        topic = canonical[: -len(" Ministry")] if canonical.endswith(" Ministry") else None
        extra = (f"Ministry of {topic}",) if topic else ()
        for form in (canonical, *forms, *extra):
            # A form written in lower case in the table ("troops", "regime") is a lower-case word.
            out[name_key(form)] = Head(canonical, kind, canonical in LOWERCASE_OK or form[0].islower())
    return out
