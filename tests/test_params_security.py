"""The parser is the app's attack surface: every bad input is refused quickly and runs nothing."""

from __future__ import annotations

import ast
import builtins
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlviz.params import ArchitectureError, parse_architecture
from dlviz.params_parse import MAX_CHARS

SENTINEL = "dlviz_sentinel_{n}"
# Each entry: (case id, text). "{s}" is replaced by the sentinel file's path: a case that
# executed anything would create it.
CORPUS = [
    ("import", "__import__('os').system('touch {s}')"),
    ("import-in-layer", "nn.Linear(__import__('os').system('touch {s}'), 2)"),
    ("open", "open('{s}', 'w')"),
    ("open-in-seq", "nn.Sequential(open('{s}', 'w'))"),
    ("dunder-chain", "().__class__.__bases__[0].__subclasses__()"),
    ("dunder-attr", "nn.Linear.__init__.__globals__['__builtins__']['open']('{s}', 'w')"),
    ("attr-chain", "torch.nn.modules.linear.Linear(1, 2)"),
    ("torch-load", "torch.load('{s}')"),
    ("os-prefix", "os.system('touch {s}')"),
    ("call-on-layer", "nn.Linear(1, 2).__class__('{s}')"),
    ("nfkc-name", "𝘰𝘱𝘦𝘯('{s}', 'w')"),
    ("pow", "9**9**9"),
    ("pow-arg", "nn.Linear(9**9**9, 2)"),
    ("nest-parens", "(" * 500 + "1" + ")" * 500),
    ("nest-seq", "nn.Sequential(" * 500 + ")" * 500),
    ("nest-list", "[" * 500 + "]" * 500),
    ("nest-tuple-arg", "nn.Linear(" + "(" * 500 + "1" + ")" * 500 + ", 2)"),
    ("long", "x" * 100_000),
    ("long-sizes", "1, " * 33_334),
    ("long-digits", "1" * (MAX_CHARS - 1) + ", 2"),
    ("empty", ""),
    ("blank", "  \n\t "),
    ("unclosed", "nn.Sequential(nn.Linear(1, 2)"),
    ("unopened", "nn.Linear(1, 2))"),
    ("trailing-comma-open", "nn.Sequential(nn.Linear(1, 2),"),
    ("negative", "nn.Linear(-4, 2)"),
    ("zero", "nn.Linear(0, 2)"),
    ("float-size", "nn.Linear(4.0, 2)"),
    ("float-short", "8, 2.5"),
    ("huge", "nn.Linear(10000000, 2)"),
    ("huge-short", "8, 1000001"),
    ("huge-float", "nn.LeakyReLU(1e309)"),
    ("bool-size", "nn.Linear(True, 2)"),
    ("string-size", "nn.Linear('4', 2)"),
    ("complex", "1j, 2"),
    ("unknown", "nn.Transformer()"),
    ("unknown-lstm", "nn.LSTM(4, 4)"),
    ("module", "nn.Module()"),
    ("functional", "torch.nn.functional.relu(1)"),
    ("device", "nn.Linear(4, 2, device='cuda')"),
    ("dtype", "nn.Linear(4, 2, dtype=torch.float64)"),
    ("padding-mode", "nn.Conv2d(1, 2, 3, padding_mode='circular')"),
    ("string-arg", "nn.GELU(approximate='tanh')"),
    ("none-arg", "nn.Linear(1, 2, bias=None)"),
    ("kw-unpack", "nn.Linear(**{{'in_features': 1, 'out_features': 2}})"),
    ("star", "nn.Sequential(*[nn.Linear(1, 1)])"),
    ("comprehension", "nn.Sequential(*[nn.Linear(1, 1) for _ in range(9)])"),
    ("genexp", "nn.Sequential(nn.Linear(1, 1) for _ in range(9))"),
    ("lambda", "nn.Sequential(lambda x: x)"),
    ("fstring", "nn.Linear(f'{{1}}', 2)"),
    ("subscript", "nn.Linear((1, 2)[0], 2)"),
    ("name-arg", "nn.Linear(x, 2)"),
    ("walrus", "(x := 1)"),
    ("ifexp", "nn.Linear(1, 2) if True else 0"),
    ("statement", "import os"),
    ("two-statements", "nn.Linear(1, 2); import os"),
    ("two-lines", "nn.Linear(1, 2)\nopen('{s}', 'w')"),
    ("nul", "nn.Linear(1, 2)\x00"),
    ("bare-name", "nn.Linear"),
    ("one-size", "8"),
    ("nested-seq", "nn.Sequential(nn.Sequential(nn.Linear(1, 2)))"),
    ("empty-seq", "nn.Sequential()"),
    ("missing", "nn.Linear(4)"),
    ("too-many", "nn.Linear(1, 2, True, 4)"),
    ("twice", "nn.Linear(1, in_features=1, out_features=2)"),
    ("prob", "nn.Dropout(p=2.0)"),
    ("conv-tuple", "nn.Conv2d(3, 6, (3, 3, 3))"),
    ("groups", "nn.Conv2d(4, 6, 3, groups=4)"),
    ("padding-idx", "nn.Embedding(10, 4, padding_idx=20)"),
    ("overflow", "nn.Conv2d(1000000, 1000000, (1000000, 1000000))"),
    ("mismatch", "nn.Sequential(nn.Linear(4, 3), nn.Linear(4, 2))"),
    ("mismatch-bn", "nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(4))"),
    ("mismatch-ln", "nn.Sequential(nn.Linear(4, 3), nn.LayerNorm(4))"),
    ("mismatch-emb", "nn.Sequential(nn.Embedding(10, 4), nn.Linear(5, 2))"),
    ("mismatch-conv", "nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(4, 8, 3))"),
]


@pytest.fixture
def no_code_runs(monkeypatch):
    """Fail if the parser evaluates anything: eval/exec forbidden, compile only to an AST."""
    # torch imports some helpers lazily (with exec, as every import does): import them first
    parse_architecture("nn.Sequential(nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), "
                       "nn.Embedding(10, 4, padding_idx=1), nn.LayerNorm(4), nn.Linear(4, 2))")
    real_compile = builtins.compile

    def guarded_compile(source, filename, mode, flags=0, *args, **kwargs):
        assert flags & ast.PyCF_ONLY_AST, "compile() was asked for code, not an AST"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "compile", guarded_compile)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)


@pytest.mark.parametrize(("case", "text"), CORPUS, ids=[c for c, _ in CORPUS])
def test_bad_input_is_refused_fast_and_runs_nothing(case, text, tmp_path, monkeypatch,
                                                    no_code_runs):
    monkeypatch.chdir(tmp_path)
    sentinel = tmp_path / SENTINEL.format(n=case)
    text = text.replace("{s}", str(sentinel)) if "{s}" in text else text.format()
    start = time.perf_counter()
    with pytest.raises(ArchitectureError) as info:
        parse_architecture(text)
    assert time.perf_counter() - start < 0.5, "refused within a fraction of a second"
    assert not sentinel.exists() and not list(tmp_path.iterdir()), "nothing ran"
    assert isinstance(info.value, ValueError)
    assert len(str(info.value)) < 400, "a message, not a dump"


def test_messages_say_what_and_where():
    cases = {
        "nn.Linear(10, 18, device='cpu')": (19, "device"),
        "nn.Sequential(nn.Linear(10, 18), nn.Linear(19, 2))": (34, "18"),
        "nn.Linear(-1, 2)": (11, "at least 1"),
        "10, 18, x": (9, "number"),
        "nn.Linear(1, 2": (10, "never closed"),
        "model = nn.Foo(1)": (9, "Unknown layer 'Foo'"),
        "é, nn.Linear(1, 2)": (1, "number"),
        "ab, 2": (1, "number"),
    }
    for text, (col, words) in cases.items():
        with pytest.raises(ArchitectureError) as info:
            parse_architecture(text)
        assert info.value.col == col, (text, str(info.value))
        assert str(info.value).startswith(f"Column {col}:"), str(info.value)
        assert words in str(info.value), str(info.value)


def test_multiline_errors_name_the_line():
    text = "nn.Sequential(\n    nn.Linear(4, 3),\n    nn.Linear(4, 2, dtype=1),\n)"
    with pytest.raises(ArchitectureError, match=r"^Line 3, column 21: .*dtype") as info:
        parse_architecture(text)
    assert (info.value.line, info.value.col, info.value.end_col) == (3, 21, 28)


def test_columns_count_characters_not_bytes():
    with pytest.raises(ArchitectureError) as info:
        parse_architecture("nn.Sequential(nn.Linear(2, 2), nn.Ünknown(1))")
    assert info.value.col == 32  # "Ü" is two bytes in UTF-8, one character


def test_int_string_limit_is_caught(monkeypatch):
    monkeypatch.setattr("dlviz.params_parse.MAX_CHARS", 10_000)
    with pytest.raises(ArchitectureError):
        parse_architecture("nn.Linear(" + "1" * 5000 + ", 2)")


# --- fuzzing: whatever the text, only ArchitectureError (or a model) comes out -------------------

TOKENS = ["nn.", "torch.", "Sequential", "Linear", "Conv2d", "BatchNorm1d", "LayerNorm",
          "Embedding", "ReLU", "Dropout", "(", ")", "(", ")", ",", ", ", "=", "*", "**", "[",
          "]", "1", "8", "0", "-", "2.5", "1e9", "True", "None", "'a'", "bias", "p", "x",
          "__class__", ".", " ", "\n", "lambda", ":", "#", "9**9", "1000001"]


LAYER_TOKENS = ["nn.Linear(", "nn.Conv2d(", "nn.Embedding(", "nn.LayerNorm(", "nn.Dropout(",
                "nn.BatchNorm1d(", "(", "3", "4", ",", ")", "True", "-1", "(2, 2)", "0.5",
                "padding_idx=", "groups=", "p=", "2"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.lists(st.sampled_from(LAYER_TOKENS), max_size=30).map(
        lambda t: "nn.Sequential(" + "".join(t) + ")"),
))
def test_fuzz_only_architecture_errors(text):
    try:
        model = parse_architecture(text)
    except ArchitectureError as err:
        assert str(err)
    else:
        assert all(p.device.type == "meta" for p in model.parameters())
