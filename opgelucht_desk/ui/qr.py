"""QR codes (TOTP set-up, org codes) drawn from the `qrcode` library's matrix into a QPixmap."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

QUIET_ZONE = 4  # modules of white border the QR standard asks for


def qr_image(data: str, module_px: int = 6) -> QImage:
    """A black-on-white QR code of `data` with error correction M."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    side = (len(matrix) + 2 * QUIET_ZONE) * module_px
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.drawRect(
                    QRect((x + QUIET_ZONE) * module_px, (y + QUIET_ZONE) * module_px, module_px, module_px)
                )
    painter.end()
    return image


def qr_pixmap(data: str, module_px: int = 6) -> QPixmap:
    return QPixmap.fromImage(qr_image(data, module_px))
