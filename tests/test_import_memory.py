"""Peak memory of a large import (issue 10 item 5): a 50,000-row units file, imported by the command line
in a fresh process on its own SQLite database, must peak under 300 MB (the process's maximum resident size,
Python, Django, ICU and SQLite included). Takes about 40 s on an idle 2-core machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNER = """
import os, sys
from django.core.management import call_command
import django
django.setup()
try:
    call_command("import", "units", sys.argv[1])
finally:
    # The high-water mark of this program's own memory (VmHWM). Not getrusage's ru_maxrss: on Linux that
    # keeps the peak of the forked copy of the parent from before exec, i.e. the size of the pytest process.
    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    print(f"maxrss_kb={hwm}", file=sys.stderr)
"""


def big_units_file(path: Path, communes: int = 500, areas: int = 99) -> int:
    """The country, a province, ``communes`` communes with ``areas`` residential areas each."""
    with path.open("w", encoding="utf-8") as out:
        out.write("code,name,kind,parent_code,households\nVN,Việt Nam,country,,\nT50,Tỉnh Năm Mươi,province,VN,\n")
        for c in range(communes):
            out.write(f"T50{c:03d},Xã Số {c},commune,T50,\n")
            out.writelines(f"KDC-T50{c:03d}-{a:02d},Khu dân cư số {a} xã {c},residential_area,T50{c:03d},{100 + a}\n"
                           for a in range(areas))
    return 2 + communes * (1 + areas)


@pytest.mark.memory
def test_a_50000_row_import_peaks_under_300_mb(tmp_path: Path) -> None:
    rows = big_units_file(tmp_path / "units.csv")
    assert rows == 50_002
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "phongtrao.settings",
           "DEBUG": "0", "SECRET_KEY": "memory-test-only-" + "x" * 40, "SECURE_SSL_REDIRECT": "0",
           "PHONGTRAO_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'memory.sqlite3'}"}
    subprocess.run([sys.executable, "-m", "phongtrao", "migrate", "-v0"], env=env, check=True,
                   cwd=ROOT, timeout=300)
    done = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path / "units.csv")], env=env,  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "created: 50002" in done.stdout
    peak_mb = int(done.stderr.rsplit("maxrss_kb=", 1)[1].split()[0]) / 1024
    print(f"peak memory of a {rows}-row import: {peak_mb:.0f} MB")
    assert peak_mb < 300
