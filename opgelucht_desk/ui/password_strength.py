"""Password strength feedback for the enrolment wizard (zxcvbn score, worded in the UI language)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject
from zxcvbn import zxcvbn

MIN_LENGTH = 12  # the relay refuses shorter passwords (docs/api.md)
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", 4 = "very unguessable"


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    text: str


class Password(QObject):
    """Translation context of the counted ("%n …") texts of this module.

    Counted texts go through `self.tr()`: Qt's Python lupdate recognises plural forms reliably only there.
    """

    def too_short(self, minimum: int) -> str:
        return self.tr("Too short: use at least %n characters.", "", minimum)


def password_strength(password: str, user_inputs: list[str]) -> Strength:
    """Score `password`, penalising the user's own name and username (`user_inputs`)."""
    if len(password) < MIN_LENGTH:
        return Strength(
            0,
            False,
            Password().too_short(MIN_LENGTH),
        )
    score = int(zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"])
    words = [
        QCoreApplication.translate("Password", "Very weak: easy to guess."),
        QCoreApplication.translate("Password", "Weak: easy to guess."),
        QCoreApplication.translate("Password", "Fair, but still guessable: add more words."),
        QCoreApplication.translate("Password", "Strong."),
        QCoreApplication.translate("Password", "Very strong."),
    ]
    return Strength(score, score >= MIN_SCORE, words[score])
