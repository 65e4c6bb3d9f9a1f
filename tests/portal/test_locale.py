"""English is a translation of the Chinese source strings (docs/adr/0004): none may be missing."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "yangfan"
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _field(block: str, keyword: str) -> str | None:
    """The value of ``msgid``/``msgstr``, joining the continuation lines gettext wraps long strings into."""
    match = re.search(rf'^{re.escape(keyword)} "(.*)"\n((?:".*"\n?)*)', block + "\n", re.M)
    if not match:
        return None
    parts = [match.group(1), *re.findall(r'^"(.*)"$', match.group(2), re.M)]
    return "".join(json.loads(f'"{part}"') for part in parts)  # \n, \" and \\ as the .po escapes them


def _catalogue() -> dict[str, str]:
    """The entries without a context (``msgctxt``), by ``msgid`` (what ``gettext`` looks up)."""
    entries = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        msgid = _field(block, "msgid")
        if msgid and _field(block, "msgctxt") is None:
            entries[msgid] = _field(block, "msgstr") or _field(block, "msgstr[0]") or ""
    return entries


def test_every_catalogue_entry_is_translated():
    untranslated = [k for k, v in _catalogue().items() if not v]
    assert untranslated == []


def test_every_marked_string_is_in_the_catalogue():
    catalogue = _catalogue()
    marked = set()
    for path in SRC.rglob("*.html"):
        found = re.findall(r'{% translate "([^"]+)" %}', path.read_text(encoding="utf-8"))
        marked |= {text.replace("%", "%%") for text in found}  # the template tag stores % as %%
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            marked |= set(re.findall(r'\b_\("([^"]+)"\)', path.read_text(encoding="utf-8")))
    assert len(marked) > 100
    assert sorted(marked - catalogue.keys()) == []


def test_compiled_catalogue_matches_its_source():
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in _catalogue().items():
        assert compiled.gettext(msgid) == msgstr, f"run `make messages`: {msgid}"


def test_no_translation_is_a_guess():
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8"), "makemessages guessed some entries: check them"
