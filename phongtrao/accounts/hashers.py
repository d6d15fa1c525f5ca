"""The hasher of one-time passwords (bulk-created accounts).

A one-time password is 80 random bits that the user must replace at first sign-in. Key stretching
protects guessable secrets; a random one needs none, so a light PBKDF2 lets a province create its
170 commune accounts in one request instead of waiting a minute. The real password set at first
sign-in is hashed with the default hasher (the first of ``PASSWORD_HASHERS``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_onetime"
    iterations = 10_000
