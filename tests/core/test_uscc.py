"""统一社会信用代码 (GB 32100-2015): the check character, the organisation code's own check, normalising input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yangfan.core.uscc import (
    ALPHABET,
    WEIGHTS,
    check_character,
    organisation_check_character,
    uscc_normalise,
    uscc_problem,
)

# Published codes, checked by hand against the standard (the first: 9·1 + 1·3 + 1·9 + 1·27 + 6·20 + 3·8
# + 7·24 + 3·10 + 4·30 + 1·28 = 538, 538 mod 31 = 11, 31 − 11 = 20 = L) and found among the valid examples
# of python-stdnum's tests; the second has X as its organisation code's check character.
PUBLISHED = ["91110000600037341L", "9144030071526726XG"]


def test_weights_are_the_powers_of_three_modulo_31_the_standard_lists():
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert uscc_problem(code) is None


def test_the_organisation_code_check_of_gb_11714():
    # 60003734: 6·3 + 3·5 + 7·8 + 3·4 + 4·2 = 109, 109 mod 11 = 10, 11 − 10 = 1
    assert organisation_check_character("60003734") == "1"
    assert organisation_check_character("71526726") == "X"  # 11 − 1 = 10 is written X


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9111000060003734", "应为 18 位"),
        ("91110000600037341L0", "为 19 位"),
        ("91110000600O37341L", "第 12 位“O”"),
        ("9111000060003734-L", "第 17 位“-”"),
        ("911100a0600037341L", "第 7 位“a”"),
        ("9111A000600037341L", "第 5 位“A”应为数字"),
        ("91110000600037341N", "校验码应为 L"),
        # a typed example that only looks like a code: its check character is A, and even with A its
        # organisation code 100000589 is not built right (its check character would be 5)
        ("91110000100000589B", "校验码应为 A"),
        ("91110000100000589A", "组织机构代码的校验码应为 5"),
    ],
)
def test_what_is_wrong_is_said(code, message):
    problem = uscc_problem(code)
    assert problem is not None and message in problem


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (" 91110000600037341l ", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        ("91 110000 600037341L", "91110000600037341L"),
        ("\u300091110000600037341L\u3000", "91110000600037341L"),
        (None, ""),
    ],
)
def test_normalise_as_pasted(text, code):
    assert uscc_normalise(text) == code


def _code(authority: str, kind: str, division: str, body: str) -> str:
    prefix = authority + kind + division + body + organisation_check_character(body)
    return prefix + check_character(prefix)


letters = st.sampled_from(ALPHABET)
codes = st.builds(
    _code,
    letters,
    letters,
    st.text("0123456789", min_size=6, max_size=6),
    st.text(ALPHABET, min_size=8, max_size=8),
)


@given(codes)
def test_a_code_with_its_computed_check_characters_is_valid(code):
    assert uscc_problem(code) is None


@given(codes, st.integers(0, 17), st.integers(1, 30))
def test_any_single_changed_character_is_caught(code, position, shift):
    changed = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    wrong = code[:position] + changed + code[position + 1 :]
    assert uscc_problem(wrong) is not None


@given(st.text(ALPHABET, min_size=17, max_size=17))
def test_the_check_character_closes_any_prefix(prefix):
    # the weighted sum of all 18 values (the check character weighing 1) is a multiple of 31
    code = prefix + check_character(prefix)
    total = sum(ALPHABET.index(c) * w for c, w in zip(code, (*WEIGHTS, 1), strict=True))
    assert total % 31 == 0
