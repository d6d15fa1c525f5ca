"""Compile the .po translations to .mo with polib (no GNU gettext needed on the machine)."""

from pathlib import Path

import polib

root = Path(__file__).resolve().parent.parent / "phongtrao" / "locale"
for po_path in root.glob("*/LC_MESSAGES/*.po"):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
