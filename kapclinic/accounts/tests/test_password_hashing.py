from django.contrib.auth.hashers import check_password, make_password

from kapclinic import settings as project_settings


def test_production_hasher_is_argon2():
    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_argon2_hashes_and_checks_a_password(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    encoded = make_password("correct horse battery staple")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("wrong horse", encoded)
