# Shared by ./run and ./test: find Python >= 3.12, keep .venv and front-end files up to date.
# shellcheck shell=bash

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

find_python() {
  local want candidates=() c
  want=$(cat .python-version 2>/dev/null || true)
  if [ -n "$want" ]; then
    command -v pyenv >/dev/null 2>&1 && candidates+=("$(pyenv root)/versions/$want/bin/python")
    candidates+=("$HOME/.pyenv/versions/$want/bin/python")
  fi
  candidates+=(python3.13 python3.12 python3.14 python3)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      PYTHON=$(command -v "$c"); return 0
    fi
  done
  die "Python >= 3.12 is needed (Django 6) but was not found. Install Python 3.13 (e.g. 'pyenv install 3.13.0') and run again."
}

# ensure_venv EXTRAS: create .venv and install the project (editable) when pyproject.toml changed.
ensure_venv() {
  local extras=$1 stamp=.venv/.installed-$1
  find_python
  if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    say "Removing .venv built with an old Python"; rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    say "Creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv || die "could not create a virtual environment with $PYTHON"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "Installing Python packages ($extras)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extras]" || die "pip install failed"
    touch "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}

ensure_assets() {
  command -v npm >/dev/null 2>&1 || die "npm (Node.js) is needed for the front-end files; install nodejs and npm."
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
  fi
  if [ ! -f phongtrao/static/vendor/htmx/htmx.min.js ] || [ package-lock.json -nt phongtrao/static/vendor ]; then
    node scripts/vendor.mjs >/dev/null
  fi
}

compile_messages() {
  .venv/bin/python scripts/compilemessages.py
}

# WeasyPrint (PDF certificates and reports) needs Pango; the documents use Liberation Serif
# (metric-compatible with Times New Roman, NĐ 30/2020), version 2 for the Vietnamese letters. Install them from Debian when missing.
ensure_pdf_libs() {
  local missing=()
  ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
  ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
  # Liberation 2 has the Vietnamese letters (ố, ề, ự, ...); version 1 lacks them.
  fc-list ':charset=1ed1' family 2>/dev/null | grep -qi 'Liberation Serif' || missing+=(fonts-liberation2 fontconfig)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing ${missing[*]} for PDF documents"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
      || die "apt-get install ${missing[*]} failed"
  else
    die "PDF documents need ${missing[*]}: install them (as root: apt-get install ${missing[*]})"
  fi
}

# The annual report's tests read PDFs back (pdftotext, pdffonts: poppler-utils) and check that LibreOffice
# opens the .docx (libreoffice --headless --convert-to pdf). Install them from Debian when missing.
ensure_document_test_tools() {
  local missing=()
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v libreoffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing ${missing[*]} for the document tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null) || die "apt-get install ${missing[*]} failed"
  else
    die "the document tests need ${missing[*]}: install them (as root: apt-get install ${missing[*]})"
  fi
}
