"""A page's settings, declared once, in the spirit of TensorFlow Playground's `state.ts`.

Each `Setting` holds its key (the URL name), its kind and domain, its default, label and help.
From one `Table` per page come:
- the widgets (`dlviz.ui.widget`), bound to the URL;
- the parsing of URL values before any widget exists (`Table.parse`): a non-finite,
  out-of-range or unknown value falls back to the default with an exact notice, and a valid
  one is rewritten to its canonical URL form, never with a notice;
- the frozen settings object a page passes to dlviz (`Table.freeze`);
- the tests' and benchmarks' domain sweeps (`Setting.edges`, `Setting.heavy`).

A domain may depend on earlier settings (the start point's bounds on the objective): `lo`,
`hi` and `options` then take a callable of the values known so far. `when` makes a setting
conditional (a run's widgets exist only for runs 1…n): an inactive setting keeps its default
and stays out of the URL. This module knows nothing of Streamlit.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Known = Mapping[str, Any]  # the values of the settings declared before this one
SHOWN_CHARS = 40  # how much of a rejected URL value a notice quotes


class Invalid(ValueError):
    """A value outside a setting's domain; the message completes "<label> '<value>' …"."""


def _resolve(value, known: Known):
    return value(known) if callable(value) else value


def number_text(value: float | int) -> str:
    """A number as Streamlit writes it into the URL: 5.0 → "5", 0.25 → "0.25"."""
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Setting:
    key: str  # the URL parameter and widget key: never renamed, old links must keep working
    label: str
    default: Any
    help: str | None = None
    when: Callable[[Known], bool] | None = None  # active given the earlier values

    def default_for(self, known: Known) -> Any:
        """The default, which may depend on earlier settings (an objective's start point)."""
        return _resolve(self.default, known)

    def active(self, known: Known) -> bool:
        return self.when is None or bool(self.when(known))

    def parse(self, raw: Sequence[str], known: Known) -> Any:
        """The value a URL's texts for this key stand for; `Invalid` if none."""
        raise NotImplementedError

    def url(self, value) -> list[str]:
        """The canonical URL texts of `value` (what the bound widget writes)."""
        raise NotImplementedError

    def check(self, value, known: Known) -> Any:
        """`value` if it lies in the domain (a callback or an older session may hold one
        that no longer does); `Invalid` otherwise."""
        return self.parse(self.url(value), known)

    def edges(self, known: Known) -> list:
        """Values at the edges of the domain (the default included), for sweeps."""
        return [self.default_for(known)]

    def heavy(self, known: Known) -> Any:
        """The value that costs the most compute (for the caps benchmark)."""
        return self.default_for(known)

    def describe(self, value) -> str:
        """`value` as the page shows it."""
        return ", ".join(self.url(value))


@dataclass(frozen=True)
class Number(Setting):
    """A number in [lo, hi]; `integer` ones must be whole. Widget: slider or number box."""

    lo: float | Callable[[Known], float] = 0
    hi: float | Callable[[Known], float] = 1
    step: float | None = None
    integer: bool = False
    widget: str = "slider"  # "slider" | "number"
    format: str | None = None

    def bounds(self, known: Known) -> tuple[float, float]:
        return _resolve(self.lo, known), _resolve(self.hi, known)

    def parse(self, raw, known):
        text = (raw[-1] if raw else "").strip()
        try:
            value = float(text)
        except ValueError:
            raise Invalid("is not a number") from None
        if not math.isfinite(value):
            raise Invalid("is not a finite number")
        lo, hi = self.bounds(known)
        if not lo <= value <= hi:
            raise Invalid(f"is outside {number_text(lo)} … {number_text(hi)}")
        if self.integer:
            if value != int(value):
                raise Invalid("is not a whole number")
            return int(value)
        return value

    def url(self, value):
        return [number_text(int(value) if self.integer else float(value))]

    def edges(self, known):
        lo, hi = self.bounds(known)
        cast = int if self.integer else float
        return [cast(lo), cast(hi), self.default_for(known)]

    def heavy(self, known):
        return self.edges(known)[1]


@dataclass(frozen=True)
class Choice(Setting):
    """One of `options`; the URL holds its label. Widget: selectbox, segmented, pills, radio
    or select_slider (an ordered scale such as learning-rate stops)."""

    options: Sequence | Callable[[Known], Sequence] = ()
    labels: Mapping | Callable[[Any], str] | None = None  # option → label (the URL form)
    widget: str = "selectbox"

    def choices(self, known: Known) -> tuple:
        return tuple(_resolve(self.options, known))

    def label_of(self, option) -> str:
        if self.labels is None:
            return str(option)
        if callable(self.labels):
            return str(self.labels(option))
        return str(self.labels.get(option, option))

    def _match(self, text: str, known: Known):
        options = self.choices(known)
        for option in options:  # the label, as the widget writes it
            if self.label_of(option) == text:
                return option
        folded = text.strip().casefold()
        for option in options:  # the option's own name, or its label in another case
            if folded in (str(option).casefold(), self.label_of(option).casefold()):
                return option
        numbers = [o for o in options if isinstance(o, (int, float)) and not isinstance(o, bool)]
        try:  # "0.050" or "5e-2" for a numeric stop
            value = float(text)
        except ValueError:
            value = None
        for option in numbers:
            if value is not None and math.isclose(value, option, rel_tol=1e-9, abs_tol=0):
                return option
        if len(options) > 6:
            raise Invalid(f"is not one of its {len(options)} options")
        raise Invalid("is not one of " + ", ".join(self.label_of(o) for o in options))

    def parse(self, raw, known):
        return self._match(raw[-1] if raw else "", known)

    def check(self, value, known):
        """An option itself (the same type, equal) is in the domain as it is: no round trip
        through its label, which costs a scan of every option's label (thousands of label
        calls a run on a page of many choices). Anything else goes through the URL form."""
        for option in self.choices(known):
            if option is value or (type(option) is type(value) and option == value):
                return option
        return super().check(value, known)

    def url(self, value):
        return [self.label_of(value)]

    def edges(self, known):
        options = self.choices(known)
        return list(dict.fromkeys([options[0], options[-1], self.default_for(known)]))

    def heavy(self, known):
        return self.choices(known)[-1]


@dataclass(frozen=True)
class Span(Choice):
    """A (low, high) pair of `options`, low ≤ high: a range select slider."""

    widget: str = "select_slider"

    def parse(self, raw, known):
        parts = [r for r in raw if r != ""]
        if len(parts) != 2:
            raise Invalid("needs two values, low and high")
        low, high = (self._match(p, known) for p in parts)
        options = self.choices(known)
        if options.index(low) > options.index(high):
            raise Invalid("has its low end above its high end")
        return (low, high)

    def check(self, value, known):
        return Setting.check(self, value, known)  # a pair: low ≤ high is the URL form's rule

    def url(self, value):
        return [self.label_of(v) for v in value]

    def edges(self, known):
        options = self.choices(known)
        return [(options[0], options[-1]), tuple(self.default_for(known))]

    def heavy(self, known):
        options = self.choices(known)
        return (options[0], options[-1])


@dataclass(frozen=True)
class Multi(Choice):
    """Any subset of `options`, in their order; the URL repeats the key per label."""

    widget: str = "multiselect"
    max_count: int | None = None

    def parse(self, raw, known):
        parts = [r for r in raw if r != ""]
        chosen, unknown = [], []
        for part in parts:
            try:
                chosen.append(self._match(part, known))
            except Invalid:
                unknown.append(part)
        if unknown:
            raise Invalid(f"names no option ({', '.join(unknown)[:SHOWN_CHARS]})")
        if self.max_count is not None and len(set(chosen)) > self.max_count:
            raise Invalid(f"names more than {self.max_count}")
        options = self.choices(known)
        return tuple(o for o in options if o in chosen)

    def url(self, value):
        return [self.label_of(v) for v in value] or [""]

    def edges(self, known):
        return [(), tuple(self.choices(known)), tuple(self.default_for(known))]

    def heavy(self, known):
        options = self.choices(known)
        return tuple(options[: self.max_count] if self.max_count else options)


@dataclass(frozen=True)
class Flag(Setting):
    """On or off; the URL holds true or false. Widget: toggle or checkbox."""

    widget: str = "toggle"

    def parse(self, raw, known):
        text = (raw[-1] if raw else "").strip().lower()
        if text not in ("true", "false"):
            raise Invalid("is neither true nor false")
        return text == "true"

    def url(self, value):
        return ["true" if value else "false"]

    def edges(self, known):
        return [False, True]

    def heavy(self, known):
        return True


@dataclass(frozen=True)
class Text(Setting):
    """Free text of at most `max_chars` characters: data, parsed by the page, never run."""

    max_chars: int = 200
    widget: str = "text"  # "text" (one line) | "area"
    placeholder: str | None = None
    height: int | None = None

    def parse(self, raw, known):
        text = raw[-1] if raw else ""
        if len(text) > self.max_chars:
            raise Invalid(f"is longer than {self.max_chars} characters")
        if any(ord(c) < 32 and c not in "\n\t" for c in text):
            raise Invalid("holds control characters")
        return text

    def url(self, value):
        return [str(value)]

    def edges(self, known):
        return list(dict.fromkeys(["", "x" * self.max_chars, self.default_for(known)]))

    def describe(self, value):
        return str(value)


def seed(key: str = "seed", default: int = 0, *, label: str = "Seed",
         help: str = "Same seed, same numbers: the seed is in the URL.") -> Number:
    """The seed: part of the page's state, so part of its URL."""
    return Number(key, label, default, help, lo=0, hi=2**31 - 1, step=1, integer=True,
                  widget="number")


@dataclass(frozen=True)
class Parsed:
    values: dict  # key → value, for every active setting (defaults where the URL said nothing)
    canonical: dict  # key → URL texts, for the active settings the URL set to a valid value
    notices: list  # (setting, raw text, reason, default) for each value that fell back


@dataclass(frozen=True)
class Table:
    """A page's settings, in the order the page's widgets depend on each other."""

    settings: tuple[Setting, ...]
    name: str = "Settings"
    values_type: type = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        keys = [s.key for s in self.settings]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate setting keys in {self.name}")
        fields = [(k, Any) for k in keys]
        namespace = {"__getitem__": lambda v, key: getattr(v, key),  # read like `known`
                     "get": lambda v, key, default=None: getattr(v, key, default)}
        object.__setattr__(self, "values_type", dataclasses.make_dataclass(
            self.name, fields, frozen=True, namespace=namespace))

    def __iter__(self) -> Iterator[Setting]:
        return iter(self.settings)

    def __getitem__(self, key: str) -> Setting:
        for s in self.settings:
            if s.key == key:
                return s
        raise KeyError(key)

    def __contains__(self, key: str) -> bool:
        return any(s.key == key for s in self.settings)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.settings)

    def defaults(self) -> dict:
        known: dict = {}
        for s in self.settings:
            known[s.key] = s.default_for(known)
        return known

    def parse(self, query: Mapping[str, Sequence[str]]) -> Parsed:
        """Read a URL's query (key → its texts): every value checked in table order."""
        known, canonical, notices = {}, {}, []
        for s in self.settings:
            known[s.key] = default = s.default_for(known)
            if s.key not in query or not s.active(known):
                continue
            raw = list(query[s.key])
            try:
                known[s.key] = s.parse(raw, known)
            except Invalid as err:
                notices.append((s, ", ".join(raw), str(err), default))
                continue
            canonical[s.key] = s.url(known[s.key])
        return Parsed(known, canonical, notices)

    def resolve(self, current: Mapping[str, Any]) -> dict:
        """Every setting's value from `current` (a session's), each checked against its
        domain in table order: an inactive, missing or no longer valid value is the default."""
        known: dict = {}
        for s in self.settings:
            default = s.default_for(known)
            value = current.get(s.key, default)
            if not s.active(known) or value is None:
                value = default
            try:
                value = s.check(value, known)
            except (Invalid, TypeError, ValueError, IndexError):
                value = default
            known[s.key] = value
        return known

    def url(self, values: Mapping[str, Any]) -> dict[str, list[str]]:
        """The canonical query of `values`: the active settings that differ from default."""
        known: dict = {}
        query = {}
        for s in self.settings:
            default = s.default_for(known)
            known[s.key] = value = values.get(s.key, default)
            if s.active(known) and s.url(value) != s.url(default):
                query[s.key] = s.url(value)
        return query

    def freeze(self, values: Mapping[str, Any]):
        """The frozen settings object (`.lr`, `.seed`, …) a page passes to dlviz."""
        return self.values_type(**{k: values.get(k, self[k].default) for k in self.keys})


def notice_text(setting: Setting, raw: str, reason: str, default,
                escape: Callable[[str], str]) -> str:
    """One exact line for a URL value that fell back to the default; `escape` makes the
    quoted user text inert in markdown."""
    shown = raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"
    fallback = setting.describe(default) if default not in ("", (), None) else "nothing"
    return (f"{escape(setting.label)} “{escape(shown)}” {escape(reason)}: using "
            f"{escape(fallback)} instead.")
