"""Password strength feedback for the enrolment wizard (zxcvbn score, worded in the UI language), and
the meter that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QProgressBar, QSizePolicy, QWidget
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
        QCoreApplication.translate(
            "Password", "Easy to guess: use a sentence of four or more unusual words."
        ),
        QCoreApplication.translate("Password", "Still easy to guess: add more words."),
        QCoreApplication.translate("Password", "Still guessable: add more words."),
        QCoreApplication.translate("Password", "Good: hard to guess."),
        QCoreApplication.translate("Password", "Excellent: very hard to guess."),
    ]
    return Strength(score, score >= MIN_SCORE, words[score])


def strength_level(score: int) -> str:
    """The zxcvbn score 0..4 in one word or two, for the meter."""
    levels = [
        QCoreApplication.translate("Password", "Very weak"),
        QCoreApplication.translate("Password", "Weak"),
        QCoreApplication.translate("Password", "Fair"),
        QCoreApplication.translate("Password", "Strong"),
        QCoreApplication.translate("Password", "Very strong"),
    ]
    return levels[max(0, min(score, 4))]


class StrengthMeter(QProgressBar):
    """Four segments that fill and take a colour with the score, the level in words beside them (a plain
    progress bar, empty and white, looked like an input field). The value is the zxcvbn score 0..4."""

    COLOURS = ("#b3261e", "#b3261e", "#c77700", "#2e7d32", "#1b5e20")
    SEGMENTS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, self.SEGMENTS)
        self.setTextVisible(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.valueChanged.connect(self._describe)
        self._describe(self.value())

    def text(self) -> str:
        return strength_level(self.value())

    def _describe(self, _value: int) -> None:
        self.setAccessibleDescription(self.text())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(240, self.fontMetrics().height() + 6)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.fontMetrics().height() + 6)

    def paintEvent(self, _event: QPaintEvent) -> None:
        metrics = self.fontMetrics()
        text_width = max(metrics.horizontalAdvance(strength_level(s)) for s in range(5)) + 12
        score = max(0, self.value())
        bar_width = max(self.SEGMENTS, self.width() - text_width)
        gap, height = 4, 8
        segment = (bar_width - gap * (self.SEGMENTS - 1)) / self.SEGMENTS
        top = (self.height() - height) / 2
        empty = self.palette().color(QPalette.ColorRole.Mid)
        empty.setAlpha(90)
        filled = QColor(self.COLOURS[score])
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        for i in range(self.SEGMENTS):
            painter.setBrush(filled if i < score else empty)
            painter.drawRoundedRect(QRectF(i * (segment + gap), top, segment, height), 3, 3)
        painter.setPen(filled if score else self.palette().color(QPalette.ColorRole.WindowText))
        text_rect = QRectF(bar_width + 12, 0, text_width - 12, self.height())
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), self.text()
        )
        painter.end()
