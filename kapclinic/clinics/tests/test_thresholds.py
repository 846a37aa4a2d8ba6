from kapclinic.clinics.models import SiteSettings
from kapclinic.clinics.thresholds import LABELS, SOURCES, THRESHOLD_FIELDS


def test_every_threshold_field_has_a_group_a_label_and_a_source():
    model_fields = {
        f.name for f in SiteSettings._meta.concrete_fields if f.name not in ("id", "site")
    }
    assert set(THRESHOLD_FIELDS) == model_fields
    assert set(SOURCES) == model_fields
    assert set(LABELS) == model_fields


def test_no_field_is_in_two_groups():
    assert len(THRESHOLD_FIELDS) == len(set(THRESHOLD_FIELDS))


def test_sources_speak_to_the_clinic_not_of_team_files():
    # Admins never see the team's reference file, so a source may not point at it
    # or use its shorthand marks.
    for note in SOURCES.values():
        assert "CLINICAL" not in note and "[S]" not in note and "[U]" not in note


def test_the_observation_floor_names_its_regulation():
    assert SOURCES["min_observation_minutes"].startswith(
        "Spravato REMS (FDA): at least 2 hours after the dose"
    )
