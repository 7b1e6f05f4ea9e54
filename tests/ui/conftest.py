"""UI test fixtures: the Qt application with Opgelucht's style and translations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.style import apply_style


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    """Dutch, like a fresh installation; restored to Dutch afterwards."""
    apply_style(qapp)
    t = Translations()
    t.switch("nl")
    yield t
    t.switch("nl")
