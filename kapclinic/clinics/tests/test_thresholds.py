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


def test_each_source_cites_clinical_md():
    assert all(note.startswith("CLINICAL.md") for note in SOURCES.values())
