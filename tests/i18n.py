"""What the user reads in Persian: a msgid through the project's `fa` catalogue."""

from django.utils import translation


def fa(message: str, **params: object) -> str:
    with translation.override("fa"):
        text = translation.gettext(message)
    return text % params if params else text
