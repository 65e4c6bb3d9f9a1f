"""统一社会信用代码 (unified social credit code) as GB 32100-2015 builds it, checked before a supplier is saved.

The 18 characters come from an alphabet of 31 (the digits and the capital letters without I, O, Z, S, V):

- position 1, the registration authority (登记管理部门代码: 1 机构编制, 5 民政, 9 工商/市场监管, Y 其他, and
  the codes assigned since, such as A and N), and position 2, the organisation type (机构类别代码) within it.
  Both are only required to be characters of the alphabet: the table of authorities has grown since 2015
  and a valid code must not be refused because this module's copy of it is old;
- positions 3–8, the administrative division of the registering authority (登记管理机关行政区划码), digits;
- positions 9–17, the organisation code (主体标识码, GB 11714-1997): eight characters and its own check
  character, position 17;
- position 18, the check character over positions 1–17, weights 3^(i−1) mod 31.

Every single mistyped character changes the check character (31 is prime and no weight is 0 mod 31), so
one wrong character is always caught.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {character: value for value, character in enumerate(ALPHABET)}
WEIGHTS = tuple(
    pow(3, i, 31) for i in range(17)
)  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28

# GB 11714-1997: the eight body characters of an organisation code weigh these; digits count as themselves
# and letters A–Z as 10–35.
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(prefix: str) -> str:
    """The 18th character of a code whose first 17 characters are ``prefix`` (all of the alphabet)."""
    if len(prefix) != 17:
        raise ValueError(f"prefix of 17 characters expected, got {len(prefix)}")
    total = sum(VALUES[character] * weight for character, weight in zip(prefix, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(body: str) -> str:
    """The 9th character of a GB 11714 organisation code whose first eight characters are ``body``."""
    if len(body) != 8:
        raise ValueError(f"body of 8 characters expected, got {len(body)}")
    total = sum(int(character, 36) * w for character, w in zip(body, ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_normalise(text) -> str:
    """A code as people paste it, made comparable: full-width characters as half-width (NFKC), upper case,
    no spaces anywhere (``91 610100 …`` as printed on some licences). Other characters are kept, so that
    :func:`uscc_problem` can name them."""
    value = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return "".join(value.split()).upper()


def uscc_problem(code: str) -> str | None:
    """``None`` when ``code`` is a valid unified social credit code, otherwise what is wrong, in Chinese.

    ``code`` is taken as it is: normalise what a user typed with :func:`uscc_normalise` first."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，“{code}”为 {len(code)} 位"
    for position, character in enumerate(code, start=1):
        if character not in VALUES:
            return (
                f"第 {position} 位“{character}”不是统一社会信用代码使用的字符"
                "（数字和除 I、O、S、V、Z 以外的大写字母）"
            )
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            return f"第 {position} 位“{code[position - 1]}”应为数字（第 3–8 位是登记管理机关行政区划码）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"第 18 位校验码“{code[17]}”不正确，校验码应为 {expected}"
    organisation = organisation_check_character(code[8:16])
    if code[16] != organisation:
        # the code's own check character agrees, so this is no typing mistake but a code built wrongly
        return f"第 17 位“{code[16]}”不正确：第 9–17 位组织机构代码的校验码应为 {organisation}"
    return None
