"""The administrator's tab of articles: the information pages the employees' app shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from opgelucht_desk.core.model import Article
from opgelucht_desk.ui.admin_widgets import Feedback, ListLoader
from opgelucht_desk.ui.confirm import ask
from opgelucht_desk.ui.i18n import Retranslating
from opgelucht_desk.ui.tasks import spawn

if TYPE_CHECKING:
    from opgelucht_desk.core.desk import Desk


class ArticlesTab(Retranslating, QWidget):
    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.articles: list[Article] = []
        self.loaded = False
        self._loader = ListLoader()
        self.current_id: str | None = None
        self.list = QListWidget()
        self.new = QPushButton()
        self.title = QLineEdit()
        self.language = QComboBox()
        self.language.addItem("Nederlands", "nl")
        self.language.addItem("English", "en")
        self.body = QPlainTextEdit()
        self.body.setTabChangesFocus(True)  # Tab goes on to the next field instead of typing a tab
        self.published = QCheckBox()
        self.save = QPushButton()
        self.delete = QPushButton()
        self.feedback = Feedback()
        self.form_labels = [QLabel() for _ in range(3)]
        form = QFormLayout()
        for label, field in zip(self.form_labels, (self.title, self.language, self.body), strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.published)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.delete)
        buttons.addStretch(1)
        editor = QVBoxLayout()
        editor.addLayout(form, 1)
        editor.addLayout(buttons)
        editor.addWidget(self.feedback)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addWidget(self.new)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(editor, 2)
        self.list.currentItemChanged.connect(self._chosen)
        self.new.clicked.connect(self._new_clicked)
        self.save.clicked.connect(self._save_clicked)
        self.delete.clicked.connect(self._delete_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.list.setAccessibleName(self.tr("Articles"))
        self.new.setText(self.tr("New a&rticle"))
        for label, text in zip(
            self.form_labels, (self.tr("&Title:"), self.tr("&Language:"), self.tr("&Text:")), strict=True
        ):
            label.setText(text)
        self.title.setAccessibleName(self.tr("Article title"))
        self.language.setAccessibleName(self.tr("Article language"))
        self.body.setAccessibleName(self.tr("Article text"))
        self.published.setText(self.tr("Pu&blished in the app"))
        self.save.setText(self.tr("&Save article"))
        self.delete.setText(self.tr("&Delete article"))

    def load(self, quiet: bool = False) -> None:
        self._loader.load(self.desk.articles, self._loaded, self.feedback, quiet)

    def _loaded(self, articles: list[Article]) -> None:
        if self.loaded and articles == self.articles:
            return
        self.articles, self.loaded = articles, True
        self.list.blockSignals(True)
        self.list.clear()
        for article in articles:
            item = QListWidgetItem(article.title)
            item.setData(Qt.ItemDataRole.UserRole, article.id)
            self.list.addItem(item)
            if article.id == self.current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        article = None
        if item is not None:
            article = next((a for a in self.articles if a.id == item.data(Qt.ItemDataRole.UserRole)), None)
        self.current_id = article.id if article else None
        self.title.setText(article.title if article else "")
        self.body.setPlainText(article.body if article else "")
        self.language.setCurrentIndex(max(0, self.language.findData(article.language if article else "nl")))
        self.published.setChecked(article.published if article else False)

    def _new_clicked(self) -> None:
        self.list.setCurrentRow(-1)
        self._chosen(None, None)
        self.title.setFocus()

    def _save_clicked(self) -> None:
        title, body = self.title.text().strip(), self.body.toPlainText().strip()
        if not title or not body:
            self.feedback.ok(self.tr("An article needs a title and a text."))
            return

        def done(article: Article) -> None:
            self.current_id = article.id
            self.feedback.ok(self.tr("Article saved."))
            self.load()

        spawn(
            self.desk.save_article(
                self.current_id,
                title=title,
                body=body,
                language=str(self.language.currentData()),
                published=self.published.isChecked(),
            ),
            on_done=done,
            on_error=self.feedback.fail,
        )

    def _delete_clicked(self) -> None:
        article_id = self.current_id
        if article_id is None:
            return

        def delete() -> None:
            def done(_r: object) -> None:
                self.current_id = None
                self._chosen(None, None)
                self.feedback.ok(self.tr("Article deleted."))
                self.load()

            spawn(self.desk.delete_article(article_id), on_done=done, on_error=self.feedback.fail)

        ask(self, self.tr("Delete article"), self.tr("Delete this article from the app?"), delete)
