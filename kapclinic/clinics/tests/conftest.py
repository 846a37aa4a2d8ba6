import pytest


@pytest.fixture
def admin_in(cast, as_user):
    """The test client signed in as the clinic admin."""
    return as_user(cast.admin)
