"""Backup codes are stored only as salted, keyed hashes, and each works once."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from kapclinic.accounts import actions, backup_codes, two_factor
from kapclinic.accounts.models import BackupCode
from kapclinic.accounts.tests.helpers import holds_exactly

pytestmark = pytest.mark.django_db


def _device(user) -> StaticDevice:
    return StaticDevice.objects.get(user=user)


def test_no_code_is_stored_in_plain_text(cast):
    codes = actions.regenerate_backup_codes(actor=cast.nurse)
    assert not StaticToken.objects.exists()
    rows = list(BackupCode.objects.filter(device__user=cast.nurse))
    assert len(rows) == len(codes) == 10
    stored = " ".join(f"{row.salt} {row.digest}" for row in rows)
    for code in codes:
        assert code not in stored
        assert backup_codes.normalise(code) not in stored
    assert len({row.salt for row in rows}) == 10
    assert all(len(row.digest) == 64 for row in rows)


def test_codes_carry_sixty_random_bits_in_readable_groups(cast):
    codes = actions.regenerate_backup_codes(actor=cast.nurse)
    for code in codes:
        groups = code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(backup_codes.ALPHABET)
    assert len(backup_codes.ALPHABET) == 32 and backup_codes.LENGTH == 12  # 12 x 5 bits
    assert len(set(codes)) == 10


def test_each_code_works_once(cast):
    codes = actions.regenerate_backup_codes(actor=cast.nurse)
    device = _device(cast.nurse)
    assert backup_codes.use(device, codes[3])
    assert not backup_codes.use(device, codes[3])
    assert two_factor.backup_codes_left(cast.nurse) == 9
    assert holds_exactly(cast.nurse, codes[:3] + codes[4:])


def test_spacing_and_case_do_not_matter(cast):
    codes = actions.regenerate_backup_codes(actor=cast.nurse)
    typed = " " + codes[0].upper().replace("-", " ") + " "
    check = two_factor.check_code(cast.nurse, typed)
    assert check.device is not None and check.method == "backup_code"
    assert two_factor.backup_codes_left(cast.nurse) == 9


def test_one_persons_code_does_not_open_anothers_device(cast):
    mine = actions.regenerate_backup_codes(actor=cast.nurse)
    actions.regenerate_backup_codes(actor=cast.prescriber)
    assert two_factor.check_code(cast.prescriber, mine[0]).device is None
    assert two_factor.backup_codes_left(cast.nurse) == 10


def test_a_wrong_code_counts_towards_the_throttle(cast):
    actions.regenerate_backup_codes(actor=cast.nurse)
    assert two_factor.check_code(cast.nurse, "aaaa-bbbb-cccc").device is None
    assert _device(cast.nurse).throttling_failure_count == 1


def test_codes_survive_a_key_rotation_listed_in_the_fallbacks(cast, settings):
    codes = actions.regenerate_backup_codes(actor=cast.nurse)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert backup_codes.find(_device(cast.nurse), codes[0]) is None
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert backup_codes.use(_device(cast.nurse), codes[0])


def test_the_migration_hashes_existing_plain_text_codes(cast):
    device = StaticDevice.objects.create(user=cast.nurse, name="Backup codes", confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=token) for token in ("abcd2345", "efgh6723")]
    )
    migration = importlib.import_module(
        "kapclinic.accounts.migrations.0004_hash_plaintext_backup_codes"
    )
    migration.hash_codes(apps, None)
    assert not StaticToken.objects.exists()
    assert holds_exactly(cast.nurse, ["abcd2345", "efgh6723"])
    assert two_factor.check_code(cast.nurse, "ABCD2345").device is not None
    assert two_factor.backup_codes_left(cast.nurse) == 1
