"""The six-digit authenticator code field (login and enrolment) and the grouped display of TOTP secrets.

No input mask: a mask has six fixed blank positions, and a click anywhere but the far left puts the
cursor after them, so typed digits vanished. Instead a validator accepts digits wherever the cursor is
and normalises what arrives: a pasted "123 456", "123-456" or "123456\\n" becomes "123456".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

CODE_LENGTH = 6
SECRET_GROUP = 4
_SEPARATORS = frozenset(" -\u00a0\u2009\u202f\t\r\n")


def _normalise(text: str, pos: int) -> tuple[str, int]:
    """`text` without separators, and where `pos` lands in it."""
    kept = [(i, c) for i, c in enumerate(text) if c not in _SEPARATORS]
    digits = "".join(c for _, c in kept)
    return digits, sum(1 for i, _ in kept if i < pos)


class CodeValidator(QValidator):
    """Up to six ASCII digits; separators are dropped, anything else is refused (nothing is lost)."""

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        digits, new_pos = _normalise(text, pos)
        if not (digits.isascii() and (digits.isdigit() or not digits)) or len(digits) > CODE_LENGTH:
            return QValidator.State.Invalid, text, pos
        state = QValidator.State.Acceptable if len(digits) == CODE_LENGTH else QValidator.State.Intermediate
        return state, digits, new_pos


class CodeField(QLineEdit):
    """Where a counsellor types or pastes the code their authenticator app shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeField")
        self.setValidator(CodeValidator(self))
        self.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.setPlaceholderText("123456")
        font = QFont(self.font())
        font.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", "monospace"])
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        self.setFont(font)

    def code(self) -> str:
        return self.text()

    def is_complete(self) -> bool:
        return len(self.text()) == CODE_LENGTH


def grouped(secret: str, size: int = SECRET_GROUP) -> str:
    """`secret` in blocks of `size` characters, easier to read and type: "ABCD EFGH IJKL"."""
    plain = "".join(secret.split())
    return " ".join(plain[i : i + size] for i in range(0, len(plain), size))
