"""A plain e-KTP look-alike drawn with PIL, for extractor tests (synthetic data only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype"
SANS = f"{FONT_DIR}/liberation/LiberationSans-Regular.ttf"
SANS_BOLD = f"{FONT_DIR}/liberation/LiberationSans-Bold.ttf"
OCR_A = f"{FONT_DIR}/ocr-a/OCRA.ttf"


@dataclass(frozen=True)
class KtpText:
    nik: str
    nama: str
    tempat_lahir: str
    tanggal_lahir: date
    jenis_kelamin: str
    provinsi: str = "KALIMANTAN TIMUR"
    kabupaten_kota: str = "KOTA SAMARINDA"


def draw_ktp(person: KtpText, width: int = 1011) -> np.ndarray:
    """A flatbed-style e-KTP image (BGR), card size 85.6 x 54 mm at `width` px."""
    scale = width / 1011
    height = int(638 * scale)
    card = Image.new("RGB", (width, height), (196, 226, 240))
    draw = ImageDraw.Draw(card)

    def font(path: str, size: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(path, max(6, int(size * scale)))

    header = font(SANS_BOLD, 30)
    for row, text in enumerate((f"PROVINSI {person.provinsi}", person.kabupaten_kota)):
        text_w = draw.textlength(text, font=header)
        draw.text(((width - text_w) / 2, (18 + row * 38) * scale), text, fill=(20, 20, 20),
                  font=header)
    draw.text((30 * scale, 110 * scale), "NIK", fill=(10, 10, 10), font=font(SANS_BOLD, 36))
    draw.text((180 * scale, 108 * scale), ": " + person.nik, fill=(10, 10, 10),
              font=font(OCR_A, 38))
    born = person.tanggal_lahir.strftime("%d-%m-%Y")
    rows = (("Nama", person.nama), ("Tempat/Tgl Lahir", f"{person.tempat_lahir}, {born}"),
            ("Jenis Kelamin", person.jenis_kelamin), ("Alamat", "JL. MERDEKA NO. 12"),
            ("RT/RW", "001/004"), ("Kel/Desa", "SIDODADI"), ("Kecamatan", "SAMARINDA ULU"),
            ("Agama", "ISLAM"), ("Status Perkawinan", "KAWIN"),
            ("Pekerjaan", "KARYAWAN SWASTA"), ("Kewarganegaraan", "WNI"),
            ("Berlaku Hingga", "SEUMUR HIDUP"))
    body = font(SANS, 23)
    for index, (label, value) in enumerate(rows):
        y = (170 + index * 36) * scale
        draw.text((30 * scale, y), label, fill=(15, 15, 15), font=body)
        draw.text((250 * scale, y), ": " + value, fill=(15, 15, 15), font=body)
        if label == "Jenis Kelamin":
            draw.text((470 * scale, y), "Gol. Darah : O", fill=(15, 15, 15), font=body)
    # Photo: a grey-red rectangle with a face-coloured oval.
    draw.rectangle((760 * scale, 150 * scale, 975 * scale, 430 * scale), fill=(170, 40, 40))
    draw.ellipse((805 * scale, 190 * scale, 930 * scale, 350 * scale), fill=(210, 170, 140))
    small = font(SANS, 20)
    draw.text((800 * scale, 450 * scale), "SAMARINDA", fill=(15, 15, 15), font=small)
    draw.text((805 * scale, 478 * scale), "12-03-2019", fill=(15, 15, 15), font=small)
    return cv2.cvtColor(np.asarray(card), cv2.COLOR_RGB2BGR)
