"""Who may use the pathway pages.

The board lists clinical facts (who awaits a screening decision, who is dosing), so
it is for clinicians only, each seeing their own care-team patients. Front desk
works from the patient list, which shows the stage without what a patient waits
for; the clinic admin and patients get the same 404 as for any page they may not see.
"""

from __future__ import annotations

from django.http import Http404

from kapclinic.accounts.models import CLINICAL_ROLES, User


def require_board_user(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.role in CLINICAL_ROLES):
        raise Http404("No pathway board")
