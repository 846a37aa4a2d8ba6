import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.actions import concrete_field
from kapclinic.clinics.models import SiteSettings
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows
from kapclinic.clinics.thresholds import THRESHOLD_FIELDS

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:site_settings", kwargs={"pk": pk})


def _data(site, **over):
    values = model_to_dict(SiteSettings.objects.get(site=site), fields=THRESHOLD_FIELDS)
    values.update(over)
    return values


def _thresholds():
    return list(SiteSettings.objects.order_by("pk").values(*THRESHOLD_FIELDS))


def test_page_shows_each_threshold_with_default_and_source(cast, admin_in):
    response = admin_in.get(_url(cast.site.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Warning: SpO2 below (%)" in text
    assert "Oxygen saturation below 94% warns. No published source: a clinic setting" in text
    assert "CLINICAL.md" not in text
    assert "Spravato REMS" in text
    assert text.count('type="number"') == len(THRESHOLD_FIELDS)


def test_admin_changes_a_threshold_and_the_audit_keeps_old_and_new(cast, admin_in):
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, spo2_warn_below=95))
    assert response.status_code == 302
    assert SiteSettings.objects.get(site=cast.site).spo2_warn_below == 95
    (row,) = audit_rows(action=AuditAction.SETTINGS)
    assert row.detail == {"changes": {"spo2_warn_below": [94, 95]}}
    assert row.object_type == "clinics.sitesettings"
    assert row.actor == cast.admin


def test_other_site_is_untouched(cast, admin_in):
    admin_in.post(_url(cast.site.pk), _data(cast.site, spo2_warn_below=95))
    assert SiteSettings.objects.get(site=cast.other_site).spo2_warn_below == 94


def test_model_clean_error_is_shown_next_to_the_field(cast, admin_in):
    before = _thresholds()
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, spo2_urgent_below=96))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["spo2_urgent_below"] == ["Must be below the SpO2 warning value."]
    assert b'value="96"' in response.content
    assert _thresholds() == before
    assert audit_rows() == []


def test_observation_below_the_rems_floor_is_refused(cast, admin_in):
    before = _thresholds()
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, min_observation_minutes=60))
    assert "min_observation_minutes" in response.context["form"].errors
    assert _thresholds() == before


def test_non_number_is_refused(cast, admin_in):
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, heart_rate_warn_above="fast"))
    assert "heart_rate_warn_above" in response.context["form"].errors
    assert audit_rows() == []


def test_unchanged_thresholds_write_nothing(cast, admin_in):
    admin_in.post(_url(cast.site.pk), _data(cast.site))
    assert audit_rows() == []


def test_site_without_a_settings_row_gets_one_on_save(cast, admin_in):
    SiteSettings.objects.filter(site=cast.other_site).delete()
    data = _data(cast.site, spo2_warn_below=93)
    assert admin_in.get(_url(cast.other_site.pk)).status_code == 200
    assert admin_in.post(_url(cast.other_site.pk), data).status_code == 302
    assert SiteSettings.objects.get(site=cast.other_site).spo2_warn_below == 93


def test_other_roles_get_404(client, cast):
    url = _url(cast.site.pk)
    assert_hidden_from_others(client, cast, "get", url)
    data = _data(cast.site, spo2_warn_below=80)
    assert_hidden_from_others(client, cast, "post", url, data, snapshot=_thresholds)


def test_unknown_site_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_patch_is_not_allowed(cast, admin_in):
    assert admin_in.patch(_url(cast.site.pk)).status_code == 405


def test_failed_save_opens_with_a_summary_linking_each_bad_field(cast, admin_in):
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, spo2_warn_below=""))
    assert response.status_code == 200
    text = response.content.decode()
    summary = text[
        text.index('id="error-summary"') : text.index("</div>", text.index('id="error-summary"'))
    ]
    assert "autofocus" in text[text.index('<div class="error-summary"') :][:200]
    assert (
        '<a href="#id_spo2_warn_below">Warning: SpO2 below (%): This field is required.</a>'
        in summary
    )
    # The summary comes before the first threshold table, at the top of the form.
    assert text.index('id="error-summary"') < text.index("<table")


def test_admin_sets_a_long_term_safety_threshold_audited_old_and_new(cast, admin_in):
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, safety_dose_rise_percent=10))
    assert response.status_code == 302
    assert SiteSettings.objects.get(site=cast.site).safety_dose_rise_percent == 10
    (row,) = audit_rows(action=AuditAction.SETTINGS)
    assert row.detail == {"changes": {"safety_dose_rise_percent": [25, 10]}}


@pytest.mark.parametrize(
    "field, value",
    [
        ("safety_recent_weeks", 0),
        ("safety_sustained_sessions", 0),
        ("safety_bladder_check_days", -5),
        ("safety_request_pattern_count", 0),
        ("safety_request_pattern_days", 0),
        ("safety_dose_rise_percent", 0),
        ("safety_dose_rise_percent", 100),
    ],
)
def test_a_zero_window_or_a_rise_outside_one_to_99_percent_is_refused(cast, admin_in, field, value):
    before = _thresholds()
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _thresholds() == before
    assert audit_rows() == []


def test_the_dosing_window_is_on_the_page_and_audited_old_and_new(cast, admin_in):
    text = admin_in.get(_url(cast.site.pk)).content.decode()
    assert "Being dosed: a dose within the last (days)" in text
    assert 'name="safety_dosing_window_days"' in text
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, safety_dosing_window_days=60))
    assert response.status_code == 302
    assert SiteSettings.objects.get(site=cast.site).safety_dosing_window_days == 60
    (row,) = audit_rows(action=AuditAction.SETTINGS)
    assert row.detail == {"changes": {"safety_dosing_window_days": [90, 60]}}


# Each value would make every reading a warning, or switch its rule off.
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("bp_rise_warn_systolic", 0, "greater than or equal to 10"),
        ("bp_rise_warn_diastolic", 0, "greater than or equal to 10"),
        ("bp_rise_warn_systolic", -5, "greater than or equal to 0"),
        ("bp_rise_warn_diastolic", 5000, "less than or equal to 100"),
        ("predose_bp_warn_systolic", 40, "greater than or equal to 120"),
        ("predose_bp_warn_diastolic", 40, "greater than or equal to 80"),
        ("screening_bp_absolute_systolic", 60, "greater than or equal to 120"),
        ("spo2_warn_below", 100, "less than or equal to 96"),
        ("resp_rate_warn_below", 30, "less than or equal to 12"),
        ("resp_rate_urgent_below", 0, "greater than or equal to 4"),
        ("heart_rate_warn_above", 0, "greater than or equal to 100"),
        ("heart_rate_warn_below", 200, "less than or equal to 60"),
        ("heart_rate_urgent_above", 30000, "less than or equal to 250"),
        ("moaas_warn_at_or_below", 5, "less than or equal to 4"),
        ("min_observation_minutes", 30000, "less than or equal to 480"),
        ("min_discharge_score", 0, "greater than or equal to 9"),
        ("madrs_remission_at_or_below", 60, "less than or equal to 12"),
        ("safety_dosing_window_days", 0, "greater than or equal to 28"),
        ("safety_dosing_window_days", 400, "less than or equal to 365"),
    ],
)
def test_a_threshold_that_would_warn_on_every_reading_is_refused_with_a_message(
    cast, admin_in, field, value, message
):
    before = _thresholds()
    response = admin_in.post(_url(cast.site.pk), _data(cast.site, **{field: value}))
    assert response.status_code == 200
    (error,) = response.context["form"].errors[field]
    assert message in error
    assert _thresholds() == before
    assert audit_rows() == []


def test_every_threshold_has_a_floor_and_a_ceiling():
    # A field without both could take a value that warns on every reading or never.
    for name in THRESHOLD_FIELDS:
        validators = concrete_field(SiteSettings, name).validators
        kinds = {type(v).__name__ for v in validators}
        assert {"MinValueValidator", "MaxValueValidator"} <= kinds, name


def test_junk_in_any_threshold_is_a_form_error_never_a_500(cast, admin_in):
    # One field at a time, the others valid, so every value reaches the model's own
    # validation and SiteSettings.clean() rather than stopping at a missing field.
    before = _thresholds()
    junk = ["-1", "9" * 30, "1e309", "2.5"]
    for name in THRESHOLD_FIELDS:
        for value in junk:
            response = admin_in.post(_url(cast.site.pk), _data(cast.site, **{name: value}))
            assert response.status_code == 200, (name, value)
            assert name in response.context["form"].errors, (name, value)
    assert _thresholds() == before
    assert audit_rows() == []
