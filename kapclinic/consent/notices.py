"""Which notices a consent form carries, from the route and the indication.

Pure (no Django): CLINICAL.md sections 1 and 3. Racemic ketamine (IV, IM, oral or
sublingual) is licensed as an anaesthetic, not for any psychiatric indication, so
its use here is always off-label. Esketamine (intranasal) is licensed for
treatment-resistant depression and for major depression with suicidal ideation or
behaviour; for any other indication it is off-label. An indication that is not
recorded gets the notice: telling a patient too much is safe, too little is not.
Esketamine is given only under its REMS programme, so its form carries the REMS
enrolment acknowledgement.
"""

from __future__ import annotations

KETAMINE = "ketamine"
ESKETAMINE = "esketamine"

DRUG_FOR_ROUTE = {"iv": KETAMINE, "im": KETAMINE, "oral": KETAMINE, "intranasal": ESKETAMINE}
# Screening indication codes (CLINICAL.md 2a) esketamine is licensed for.
ESKETAMINE_LICENSED_FOR = frozenset({"trd", "suicidal_ideation"})


def drug_for_route(route: str) -> str:
    """The drug a route gives (CLINICAL.md 3); ValueError for an unknown route."""
    try:
        return DRUG_FOR_ROUTE[route]
    except KeyError:
        raise ValueError(f"Unknown route: {route!r}") from None


def is_off_label(route: str, indication: str | None) -> bool:
    """Whether the drug of `route` is unlicensed for `indication` (None: not recorded)."""
    if drug_for_route(route) == KETAMINE:
        return True
    return indication not in ESKETAMINE_LICENSED_FOR


def needs_rems(route: str) -> bool:
    """Whether the esketamine REMS enrolment acknowledgement belongs on the form."""
    return drug_for_route(route) == ESKETAMINE
