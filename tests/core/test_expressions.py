"""Indicator formulas: a whitelist of syntax, never evaluated by Python, errors in the user's language."""

from __future__ import annotations

import keyword
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangfan.core.errors import FormulaError, YangfanError
from yangfan.core.expressions import (
    FUNCTIONS,
    BinaryOp,
    Call,
    DataElementRef,
    Negate,
    Number,
    RegistryRef,
    parse_formula,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")

DATA_ELEMENTS = (
    "population",
    "mobile_users_5g",
    "mobile_users_total",
    "traffic_5g",
    "traffic_mobile_total",
    "large_industrial_enterprises",
    "large_industrial_enterprises_5g",
    "iot_terminals_5g",
    "base_stations_5g",
)
REGISTRIES = ("industry_vpn", "benchmark", "security_demo_centre", "iiot_platform")


def rejection(formula: str) -> FormulaError:
    with pytest.raises(FormulaError) as info:
        parse_formula(formula)
    return info.value


# -- what a formula uses -------------------------------------------------------------------------


def test_ratio_formula_parses_to_a_tree_of_data_elements_and_numbers():
    formula = parse_formula("mobile_users_5g / population * 100")

    assert formula.tree == BinaryOp(
        "*",
        BinaryOp("/", DataElementRef("mobile_users_5g"), DataElementRef("population")),
        Number(Decimal(100)),
    )


@pytest.mark.parametrize(
    ("source", "data_elements", "registries", "functions"),
    [
        ("mobile_users_5g / population * 100", ("mobile_users_5g", "population"), (), ()),
        ("traffic_5g / traffic_mobile_total * 100", ("traffic_5g", "traffic_mobile_total"), (), ()),
        (
            "large_industrial_enterprises_5g / large_industrial_enterprises * 100",
            ("large_industrial_enterprises", "large_industrial_enterprises_5g"),
            (),
            (),
        ),
        ("cagr(iot_terminals_5g) * 100", ("iot_terminals_5g",), (), ("cagr",)),
        ("base_stations_5g / population * 10000", ("base_stations_5g", "population"), (), ()),
        ("count(industry_vpn)", (), ("industry_vpn",), ("count",)),
        (
            "min_over_key_industries(count(benchmark))",
            (),
            ("benchmark",),
            ("count", "min_over_key_industries"),
        ),
        ("mobile_users_5g", ("mobile_users_5g",), (), ()),
        ("population / population", ("population",), (), ()),
    ],
)
def test_formula_reports_the_names_it_uses(source, data_elements, registries, functions):
    formula = parse_formula(source)

    assert formula.data_elements == data_elements
    assert formula.registries == registries
    assert formula.functions == functions


def test_name_inside_count_is_a_registry_not_a_data_element():
    formula = parse_formula("count(population)")

    assert formula.tree == Call("count", RegistryRef("population"))
    assert formula.data_elements == ()
    assert formula.registries == ("population",)


def test_count_can_be_nested_in_another_function():
    formula = parse_formula("min_over_key_industries(count(benchmark))")

    assert formula.tree == Call("min_over_key_industries", Call("count", RegistryRef("benchmark")))


def test_numbers_are_decimals():
    formula = parse_formula("traffic_5g * 0.5 + 10000")

    assert formula.tree == BinaryOp(
        "+",
        BinaryOp("*", DataElementRef("traffic_5g"), Number(Decimal("0.5"))),
        Number(Decimal(10000)),
    )
    assert isinstance(formula.tree.right.value, Decimal)


def test_unary_minus_negates_and_unary_plus_is_dropped():
    assert parse_formula("-population").tree == Negate(DataElementRef("population"))
    assert parse_formula("+population").tree == DataElementRef("population")


def test_parentheses_decide_the_order():
    formula = parse_formula("traffic_5g / (traffic_mobile_total - traffic_5g)")

    assert formula.tree == BinaryOp(
        "/",
        DataElementRef("traffic_5g"),
        BinaryOp("-", DataElementRef("traffic_mobile_total"), DataElementRef("traffic_5g")),
    )


def test_formula_keeps_its_source_without_surrounding_spaces():
    assert parse_formula("  count(industry_vpn)\n").source == "count(industry_vpn)"


def test_formula_with_no_names_uses_nothing():
    formula = parse_formula("(1 + 2) * 3")

    assert (formula.data_elements, formula.registries, formula.functions) == ((), (), ())


# -- what a formula may not contain --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("population.real", ["不允许", "population.real"]),
        ("population.__class__", ["不允许", "population.__class__"]),
        ("population[0]", ["不允许", "population[0]"]),
        ("lambda: 1", ["不允许", "lambda"]),
        ("'abc'", ["不允许", "'abc'"]),
        ("population + 'abc'", ["不允许", "'abc'"]),
        ("b'abc'", ["不允许"]),
        ("population > 1", ["不允许", "population > 1"]),
        ("1 < population < 2", ["不允许"]),
        ("population == traffic_5g", ["不允许"]),
        ("population and traffic_5g", ["不允许"]),
        ("not population", ["不允许"]),
        ("population ** 2", ["不允许", "**"]),
        ("population // 2", ["不允许", "//"]),
        ("population % 2", ["不允许", "%"]),
        ("population @ traffic_5g", ["不允许"]),
        ("~population", ["不允许"]),
        ("True", ["不允许", "True"]),
        ("None", ["不允许", "None"]),
        ("1j", ["不允许"]),
        ("[population]", ["不允许"]),
        ("(population, traffic_5g)", ["不允许"]),
        ("{population}", ["不允许"]),
        ("{'a': population}", ["不允许"]),
        ("population if traffic_5g else 0", ["不允许"]),
        ("(x := 1)", ["不允许"]),
        ("f'{population}'", ["不允许"]),
        ("[p for p in population]", ["不允许"]),
        ("cagr(*population)", ["不允许"]),
    ],
)
def test_syntax_outside_the_whitelist_is_rejected_in_chinese(source, words):
    error = rejection(source)

    assert error.formula == source
    assert CHINESE.search(error.message)
    for word in words:
        assert word in error.message
    assert "公式" in str(error)


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("eval('1')", "eval"),
        ("__import__('os')", "__import__"),
        ("exec(population)", "exec"),
        ("open(population)", "open"),
        ("max(population, traffic_5g)", "max"),
        ("sum(population)", "sum"),
        ("os.system('ls')", "os.system"),
        ("population.bit_length()", "population.bit_length"),
    ],
)
def test_unknown_functions_are_rejected_by_name(source, name):
    error = rejection(source)

    assert error.name == name
    assert f"未知函数“{name}”" in error.message
    for function in FUNCTIONS:
        assert function in error.message


@pytest.mark.parametrize(
    "source",
    [
        "cagr(x=population)",
        "cagr(population, base=2020)",
        "count(registry=industry_vpn)",
        "cagr(**population)",
    ],
)
def test_keyword_arguments_are_rejected(source):
    error = rejection(source)

    assert "只接受一个参数" in error.message


@pytest.mark.parametrize(
    "source", ["cagr()", "cagr(population, traffic_5g)", "count(industry_vpn, benchmark)"]
)
def test_functions_take_exactly_one_argument(source):
    error = rejection(source)

    assert "只接受一个参数" in error.message
    assert error.name in FUNCTIONS


@pytest.mark.parametrize(
    "source",
    ["count(a + b)", "count(count(industry_vpn))", "count(1)", "count(-industry_vpn)", "count(cagr(x))"],
)
def test_count_takes_only_a_registry_code(source):
    error = rejection(source)

    assert error.message == "count 的参数只能是一个登记簿代码"
    assert error.name == "count"


@pytest.mark.parametrize("source", ["", "   ", "\n\t"])
def test_empty_formula_is_rejected(source):
    assert rejection(source).message == "公式为空"


@pytest.mark.parametrize(
    "source",
    [
        "population +",
        "population traffic_5g",
        "(population",
        "population)",
        "population; 1",
        "a\nb",
        "1 +* 2",
    ],
)
def test_syntax_errors_are_reported_in_chinese_with_their_position(source):
    error = rejection(source)

    assert error.message.startswith("公式语法错误")
    assert re.search(r"第\d+个字符", error.message)


def test_statement_is_not_a_formula():
    assert rejection("import os").message.startswith("公式语法错误")
    assert rejection("x = 1").message.startswith("公式语法错误")


def test_overlong_formula_is_rejected_not_crashing():
    error = rejection(" + ".join(["population"] * 5000))

    assert CHINESE.search(error.message)


def test_deeply_nested_formula_is_rejected_not_crashing():
    error = rejection("-" * 5000 + "population")

    assert CHINESE.search(error.message)


def test_formula_errors_belong_to_the_core_error_hierarchy():
    assert isinstance(rejection("eval(1)"), YangfanError)


# -- properties ----------------------------------------------------------------------------------


def _leaf():
    return st.one_of(
        st.sampled_from(DATA_ELEMENTS).map(lambda n: (n, frozenset({n}), frozenset(), frozenset())),
        st.integers(min_value=0, max_value=10**6).map(
            lambda i: (str(i), frozenset(), frozenset(), frozenset())
        ),
        st.decimals(min_value=0, max_value=1000, places=3).map(
            lambda d: (str(d), frozenset(), frozenset(), frozenset())
        ),
        st.sampled_from(REGISTRIES).map(
            lambda r: (f"count({r})", frozenset(), frozenset({r}), frozenset({"count"}))
        ),
    )


def _combine(children):
    def binary(pair_and_op):
        (left, right), op = pair_and_op
        return (
            f"({left[0]} {op} {right[0]})",
            left[1] | right[1],
            left[2] | right[2],
            left[3] | right[3],
        )

    def negate(child):
        return (f"(-{child[0]})", *child[1:])

    def call(child_and_function):
        child, function = child_and_function
        return (f"{function}({child[0]})", child[1], child[2], child[3] | {function})

    return st.one_of(
        st.tuples(st.tuples(children, children), st.sampled_from("+-*/")).map(binary),
        children.map(negate),
        st.tuples(children, st.sampled_from(["cagr", "min_over_key_industries"])).map(call),
    )


formulas = st.recursive(_leaf(), _combine, max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(formulas)
def test_generated_arithmetic_formulas_report_exactly_the_names_used(generated):
    source, data_elements, registries, functions = generated

    formula = parse_formula(source)

    assert formula.data_elements == tuple(sorted(data_elements))
    assert formula.registries == tuple(sorted(registries))
    assert formula.functions == tuple(sorted(functions))


identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and not keyword.issoftkeyword(s) and s not in FUNCTIONS
)


@settings(max_examples=100, deadline=None)
@given(identifiers)
def test_any_function_outside_the_whitelist_is_rejected(name):
    error = rejection(f"{name}(population)")

    assert error.name == name
    assert f"未知函数“{name}”" in error.message


@settings(max_examples=100, deadline=None)
@given(identifiers)
def test_any_plain_name_is_a_data_element(name):
    assert parse_formula(f"{name} * 2").data_elements == (name,)


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=0, max_value=10**6, places=4))
def test_number_literals_keep_their_value(number):
    assert parse_formula(str(number)).tree == Number(number)


def test_numbers_keep_the_digits_as_written():
    formula = parse_formula("x * 0.1 + 12345678901234567890123")
    numbers = [n.value for n in _numbers(formula.tree)]
    assert numbers == [Decimal("0.1"), Decimal("12345678901234567890123")]


def test_a_number_out_of_range_is_refused():
    with pytest.raises(FormulaError, match="超出范围"):
        parse_formula("x * 1e999")


def _numbers(node):
    from yangfan.core.expressions import BinaryOp, Call, Negate, Number

    if isinstance(node, Number):
        return [node]
    if isinstance(node, BinaryOp):
        return _numbers(node.left) + _numbers(node.right)
    if isinstance(node, Negate):
        return _numbers(node.operand)
    if isinstance(node, Call):
        return _numbers(node.argument)
    return []


def test_integer_literals_in_other_bases_are_read_exactly():
    assert _numbers(parse_formula("x + 0x10").tree)[0].value == Decimal(16)
