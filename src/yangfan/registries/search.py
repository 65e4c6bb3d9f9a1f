"""Finding entries by what people type: the Chinese words, or their pinyin as an input method spells them.

An application case keeps a ``search_text`` (``services.search_text_of``): its words, and for every run of
Chinese characters the run's pinyin initials and its full pinyin without tones, so that 智慧矿山 is found by
“矿山”, “zhks”, “ks” or “kuangshan”. The search itself is a plain ``icontains`` per term, which every
database runs without an extension.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

# runs of Han characters: the unified ideographs, extension A and the compatibility ideographs (the
# extensions beyond the basic plane are rare in names and pypinyin spells few of them)
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _normal(text: str) -> str:
    """Full-width letters and digits as half-width, lower case: ``５Ｇ`` and ``5g`` are the same term."""
    return unicodedata.normalize("NFKC", text).lower()


def searchable(text: str) -> str:
    """``text`` (lower case, its words once each) followed by, for each run of Chinese characters, the run's
    pinyin initials (智慧矿山 → ``zhks``) and full pinyin (``zhihuikuangshan``); ü is written ``v`` as input
    methods type it (绿 → ``lv``). Space separated, each term once, in the order first met."""
    text = _normal(text or "")
    terms = text.split()
    for run in HAN_RUN.findall(text):
        terms.append("".join(lazy_pinyin(run, style=Style.FIRST_LETTER)))
        terms.append("".join(lazy_pinyin(run)))
    return " ".join(dict.fromkeys(t.lower() for t in terms if t))


def search_terms(query: str) -> list[str]:
    """The terms of a search box's text, as :func:`searchable` writes them."""
    return list(dict.fromkeys(_normal(query or "").split()))


def search_filter(queryset, query: str, field: str = "search_text"):
    """``queryset`` narrowed to the rows whose ``field`` contains every term of ``query`` (Chinese, pinyin
    initials or full pinyin, in any mix); an empty query narrows nothing."""
    for term in search_terms(query):
        queryset = queryset.filter(**{f"{field}__icontains": term})
    return queryset
