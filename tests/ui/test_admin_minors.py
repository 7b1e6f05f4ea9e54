"""Small things an admin noticed (issue 10, minors): the safety-number page does not tell the first admin
to compare "with the admin", the settings page shows all of its text at the default window size, and the
password strength is a meter with its level in words, not an empty-looking field."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from kit.relay import RelayServer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from opgelucht_desk.core.desk import Desk
from opgelucht_desk.core.model import EnrolmentResult
from opgelucht_desk.ui.controller import Controller
from opgelucht_desk.ui.enrolment import EnrolmentWizard, SafetyNumberPage
from opgelucht_desk.ui.i18n import Translations
from opgelucht_desk.ui.password_strength import StrengthMeter, password_strength, strength_level
from ui.flows import PASSWORD, enrol

NUMBER = " ".join(["12345"] * 12)


def _safety_page(qtbot: QtBot, result: EnrolmentResult) -> SafetyNumberPage:
    page = SafetyNumberPage(SimpleNamespace(result=result))  # type: ignore[arg-type]
    qtbot.addWidget(page)
    page.initializePage()
    return page


def test_the_first_admin_is_not_told_to_compare_with_the_admin(
    qtbot: QtBot, translations: Translations
) -> None:
    first_admin = _safety_page(qtbot, EnrolmentResult(NUMBER, is_admin=True, created_org_key=True))
    assert "beheerder van uw organisatie" not in first_admin.explain.text()
    assert "Instellingen" in first_admin.explain.text()
    colleague = _safety_page(qtbot, EnrolmentResult(NUMBER, is_admin=False, created_org_key=False))
    assert "met de beheerder van uw organisatie" in colleague.explain.text()
    translations.switch("en")
    QApplication.processEvents()
    assert "administrator you compare" in first_admin.explain.text()
    assert "with your organisation administrator" in colleague.explain.text()
    translations.switch("nl")


def _fully_shown(label: QLabel) -> bool:
    """The label got at least the height its text needs at its width (nothing clipped)."""
    needed = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
    return (
        label.isVisible()
        and label.height() >= needed
        and label.visibleRegion().boundingRect().height() >= needed
    )


def test_settings_show_the_safety_number_and_the_stored_data_whole_at_the_default_size(
    qtbot: QtBot,
    relay: RelayServer,
    open_desk: Callable[[str], Desk],
    make_controller: Callable[..., Controller],
) -> None:
    controller = make_controller(open_desk("admin"))
    main = enrol(qtbot, controller, relay, relay.new_org("Stichting Ruimte"), username="ruim").main
    main.resize(1320, 780)  # MainWindow's default size
    main.tabs.setCurrentWidget(main.settings)
    settings = main.settings
    settings.show_stored()
    qtbot.waitUntil(lambda: settings.safety.isVisible() and "Op de relay" in settings.stored.text())
    QApplication.processEvents()
    assert len(settings.safety.text().splitlines()) == 3
    assert _fully_shown(settings.safety), "the safety number's third row is cut off"
    assert _fully_shown(settings.stored), "the 'Op de relay' lines are cut off"
    assert settings.scroller.verticalScrollBar().maximum() == 0, "all of it fits without scrolling"


def test_the_strength_meter_fills_and_names_the_level(qtbot: QtBot, translations: Translations) -> None:
    wizard_meter = StrengthMeter()
    qtbot.addWidget(wizard_meter)
    wizard_meter.resize(400, wizard_meter.sizeHint().height())
    wizard_meter.show()

    def picture() -> QImage:
        return wizard_meter.grab().toImage()

    def red_pixels(image: QImage) -> int:
        return sum(
            1
            for x in range(0, image.width(), 2)
            for y in range(image.height())
            if QColor(image.pixel(x, y)).red() > 150 and QColor(image.pixel(x, y)).green() < 90
        )

    wizard_meter.setValue(0)
    assert wizard_meter.text() == "Zeer zwak" and wizard_meter.accessibleDescription() == "Zeer zwak"
    empty = picture()
    wizard_meter.setValue(1)
    assert wizard_meter.text() == "Zwak"
    weak = picture()
    assert red_pixels(weak) > red_pixels(empty) + 50, "a weak password fills a red segment"
    wizard_meter.setValue(4)
    assert wizard_meter.text() == "Zeer sterk"
    translations.switch("en")
    assert wizard_meter.text() == "Very strong"
    translations.switch("nl")


def test_the_wizard_uses_the_meter(
    qtbot: QtBot, open_desk: Callable[[str], Desk], make_controller: Callable[..., Controller]
) -> None:
    wizard = make_controller(open_desk("new")).window
    assert isinstance(wizard, EnrolmentWizard)
    page = wizard.account_page
    assert isinstance(page.strength_bar, StrengthMeter)
    page.password.setText(PASSWORD)
    assert page.strength_bar.value() >= 3 and page.strength_bar.text() in {"Sterk", "Zeer sterk"}


def test_the_advice_under_the_meter_does_not_repeat_its_level(translations: Translations) -> None:
    """The wizard showed "Zeer sterk" twice (the meter's level and the line under it): the line gives
    advice in other words, in both languages."""
    samples = [
        "aaaaaaaaaaaa",
        "wachtwoord12",
        "Amsterdam2026!",
        "paars olifant dansend",
        "paars olifant dansend op regen",
    ]
    try:
        for language in ("nl", "en"):
            translations.switch(language)
            scores = set()
            for password in samples:
                strength = password_strength(password, ["anouk"])
                scores.add(strength.score)
                assert strength_level(strength.score).lower() not in strength.text.lower(), (
                    language,
                    strength,
                )
            assert len(scores) >= 3, scores  # the samples cover weak, fair and strong
    finally:
        translations.switch("nl")
