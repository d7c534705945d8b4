"""Sign in, or create an account, on the connected server."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storyreel.desktop.i18n import Translator


class SignInPage(QWidget):
    """``sign_in(email, password)``, ``sign_up(email, password, name)``, ``change_server()``."""

    sign_in = Signal(str, str)
    sign_up = Signal(str, str, str)
    change_server = Signal()

    def __init__(self, t: Translator) -> None:
        super().__init__()
        self._t = t
        self.creating = False
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.server = QLabel()
        self.notice = QLabel(wordWrap=True)
        self.notice.setStyleSheet("color: #cf1322;")
        self.keyring_note = QLabel(wordWrap=True)
        self.keyring_note.setStyleSheet("color: #8c8c8c;")
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setObjectName("password")
        self.name = QLineEdit()
        self.name.setObjectName("display-name")
        self.submit = QPushButton()
        self.submit.setDefault(True)
        self.switch = QPushButton(flat=True)
        self.other_server = QPushButton(flat=True)

        self.labels = [QLabel(), QLabel(), QLabel()]
        self.form = QFormLayout()
        for label, field in zip(self.labels, (self.email, self.password, self.name), strict=True):
            label.setBuddy(field)  # Alt + the underlined letter moves there
            self.form.addRow(label, field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit)
        buttons.addStretch()
        others = QHBoxLayout()
        others.addWidget(self.switch)
        others.addStretch()
        others.addWidget(self.other_server)
        box = QWidget()
        box.setMinimumWidth(420)
        box.setMaximumWidth(520)
        inner = QVBoxLayout(box)
        for w in (self.heading, self.server, self.notice):
            inner.addWidget(w)
        inner.addLayout(self.form)
        inner.addLayout(buttons)
        inner.addLayout(others)
        inner.addWidget(self.keyring_note)
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(box, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch()

        self.submit.clicked.connect(self._submit)
        for field in (self.email, self.password, self.name):
            field.returnPressed.connect(self._submit)
        self.switch.clicked.connect(lambda: self.set_creating(not self.creating))
        self.other_server.clicked.connect(self.change_server)
        self._server_url = ""
        self._persistent = True
        t.changed.connect(self.retranslate)
        self.retranslate()

    def prepare(self, server_url: str, persistent: bool, email: str = "", notice: str = "") -> None:
        self._server_url, self._persistent = server_url, persistent
        if email:
            self.email.setText(email)
        self.password.clear()
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.set_busy(False)
        self.retranslate()
        (self.password if self.email.text() else self.email).setFocus()

    def set_creating(self, creating: bool) -> None:
        self.creating = creating
        self.retranslate()

    def set_busy(self, busy: bool) -> None:
        for w in (self.submit, self.switch, self.email, self.password, self.name):
            w.setEnabled(not busy)

    def show_problem(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(True)
        self.set_busy(False)

    def _submit(self) -> None:
        email, password = self.email.text().strip(), self.password.text()
        if not email or not password:
            self.show_problem(self._t("signin.missing"))
            return
        self.set_busy(True)
        if self.creating:
            self.sign_up.emit(email, password, self.name.text().strip())
        else:
            self.sign_in.emit(email, password)

    def retranslate(self) -> None:
        t = self._t
        mode = "signup" if self.creating else "signin"
        self.heading.setText(t(f"{mode}.heading"))
        self.server.setText(t("signin.server", url=self._server_url))
        texts = [t("signin.email"), t("signin.password"), t("signup.name")]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.form.setRowVisible(2, self.creating)
        self.submit.setText(t(f"{mode}.submit"))
        self.switch.setText(t(f"{mode}.switch"))
        self.other_server.setText(t("signin.other_server"))
        keyring = "signin.remembered" if self._persistent else "signin.no_keyring"
        self.keyring_note.setText(t(keyring))
