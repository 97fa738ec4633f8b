"""Money amounts and salary statements: "$95k–$130k", "$300,000-$500,000+", "£45K".

A trailing "+" makes a figure open-ended: "$150K+" is ``low=150000, high=None``;
"$300K-$500K+" keeps its stated upper figure (``high=500000``) and is flagged
``open_ended``. A bare "$" is US dollars unless the page's region says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sources.records import Evidence, SalaryBand

_CUR = (
    r"(?:US\$|USD ?|AU\$|A\$|CA\$|C\$|SG\$|S\$|NZ\$|HK\$|\$|£|€|₹|¥|₱|฿|₫|RM ?|Rp ?|AED ?"
    r"|GBP ?|EUR ?|INR ?)"
)
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT = r"[kK](?![A-Za-z])|[mM](?![A-Za-z])| ?thousand\b| ?million\b"
MONEY = re.compile(
    rf"(?P<c1>{_CUR})(?P<n1>{_NUM})(?P<m1>{_MULT})?"
    rf"(?:\s?(?:[-–—]|to)\s?(?P<c2>{_CUR})?(?P<n2>{_NUM})(?P<m2>{_MULT})?)?(?P<plus>\+)?"
)
_PERIOD = re.compile(
    r"\s*(?:/\s*|per\s+|an?\s+|each\s+)?(?P<p>hour|hr|hourly|month|mo|monthly|week|wk|weekly)\b",
    re.IGNORECASE,
)
_PERIODS = {"hour": "hourly", "hr": "hourly", "hourly": "hourly", "month": "monthly"}
_PERIODS |= {"mo": "monthly", "monthly": "monthly", "week": "weekly", "wk": "weekly"}
_PERIODS |= {"weekly": "weekly"}

_SYMBOLS = {
    "US$": "USD",
    "USD": "USD",
    "AU$": "AUD",
    "A$": "AUD",
    "CA$": "CAD",
    "C$": "CAD",
    "SG$": "SGD",
    "S$": "SGD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "£": "GBP",
    "GBP": "GBP",
    "€": "EUR",
    "EUR": "EUR",
    "₹": "INR",
    "INR": "INR",
    "¥": "JPY",
    "₱": "PHP",
    "฿": "THB",
    "₫": "VND",
    "RM": "MYR",
    "Rp": "IDR",
    "AED": "AED",
}
# Currency of a bare "$" by region code (as pages write the codes).
_DOLLAR_REGIONS = {"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD"}

_MULTIPLIERS = {"k": 1e3, "m": 1e6, "thousand": 1e3, "million": 1e6}


@dataclass(frozen=True, slots=True)
class Money:
    """A parsed amount or range with its span."""

    low: float
    high: float | None
    open_ended: bool
    currency: str
    period: str
    start: int
    end: int


def _amount(num: str, mult: str | None) -> float:
    value = float(num.replace(",", ""))
    if mult:
        value *= _MULTIPLIERS[mult.strip().lower()]
    return value


def currency_of(symbol: str, region: str | None) -> str:
    """ISO 4217 code for a written currency symbol, given the page's region."""
    symbol = symbol.strip()
    if symbol == "$":
        return _DOLLAR_REGIONS.get(region or "US", "USD")
    return _SYMBOLS.get(symbol, symbol)


def parse_money(m: re.Match[str], text: str, region: str | None = None) -> Money | None:
    """A :data:`MONEY` match as numbers, or None for an inverted range."""
    m1, m2 = m["m1"], m["m2"]
    low = _amount(
        m["n1"], m1 or (m2 if m["n2"] and float(m["n1"].replace(",", "")) < 1000 else None)
    )
    high = _amount(m["n2"], m2) if m["n2"] else None
    if high is not None and high < low:
        return None
    plus = bool(m["plus"])
    if high is None and not plus:
        high = low
    period_match = _PERIOD.match(text, m.end())
    period = _PERIODS.get(period_match["p"].lower(), "annual") if period_match else "annual"
    return Money(low, high, plus, currency_of(m["c1"], region), period, m.start(), m.end())


def plausible_salary(money: Money) -> bool:
    """Guards against "$2 billion market" style amounts in free text."""
    if money.period == "hourly":
        return 5 <= money.low <= 2_000
    if money.period == "annual":
        return 5_000 <= money.low <= 20_000_000
    return money.low > 0


def band(seniority: str, money: Money, region: str | None, ev: Evidence) -> SalaryBand:
    """A :class:`SalaryBand` from a parsed amount."""
    return SalaryBand(
        seniority=seniority,
        low=money.low,
        high=money.high,
        open_ended=money.open_ended,
        currency=money.currency,
        period=money.period,
        region=region,
        evidence=ev,
    )


# Words that tie a figure to a seniority; "Lead"/"Staff" only capitalised (as verbs
# and nouns in lower case they mean something else).
_SENIORITY = re.compile(
    r"\b(?:(?i:entry[- ]level|junior|graduate|mid[- ]level|mid[- ]career|senior|principal"
    r"|top[- ]tier|experienced|executive|starting|median|average|typical)|Lead|Staff)\b"
)
# Where a seniority phrase ends: the verb or clause that introduces the figure.
# Lower case only: capitalised words ("Payroll Specialists") belong to the phrase.
_PHRASE_END = re.compile(
    r"\s+(?:that|who|which|earn(?:s|ed|ing)?|command(?:s|ed|ing)?|pay(?:s|ing)?|paid"
    r"|make(?:s)?|making|made|still|now|typically|often|can|could|may|might|will|are|is"
    r"|were|was|with|get(?:s|ting)?|receiv(?:e|es|ed|ing)|take(?:s)?|taking|bring(?:s|ing)?"
    r"|see(?:s|ing)?|salar(?:y|ies)|rang(?:e|es|ing)|start(?:s|ed|ing)?)\b"
    r"|\s+(?:at|of|around|about|from|between|up to)(?=\s*$)|[,;:(]"
)
_SENTENCE_START = re.compile(r"[.!?\n]\s*")


def salary_mentions(
    text: str, start: int = 0, end: int | None = None, region: str | None = None
) -> list[SalaryBand]:
    """Salary figures in running prose that a sentence ties to a seniority.

    "Senior MLEs at top companies earning $300,000-$500,000+" gives the band
    "Senior MLEs at top companies"; a figure with no seniority word in its
    sentence is not a band and is skipped.
    """
    stop = len(text) if end is None else end
    out: list[SalaryBand] = []
    for m in MONEY.finditer(text, start, stop):
        money = parse_money(m, text, region)
        if money is None or not plausible_salary(money):
            continue
        sentence_start = start
        for b in _SENTENCE_START.finditer(text, start, m.start()):
            sentence_start = b.end()
        kws = list(_SENIORITY.finditer(text, sentence_start, m.start()))
        if not kws:
            continue
        first = last = len(kws) - 1
        while first > 0 and text[kws[first - 1].end() : kws[first].start()].isspace():
            first -= 1  # "Senior staff" is one phrase
        begin = kws[first].start()
        cut = _PHRASE_END.search(text, kws[last].end(), m.start())
        phrase_end = cut.start() if cut else m.start()
        seniority = " ".join(text[begin:phrase_end].split())
        ev = Evidence(begin, money.end, text[begin : money.end])
        out.append(band(seniority, money, region, ev))
    return out


_REGIONS = {
    "united states": "US",
    "usa": "US",
    "us": "US",
    "united kingdom": "UK",
    "uk": "UK",
    "great britain": "UK",
    "canada": "CA",
    "australia": "AU",
    "new zealand": "NZ",
    "singapore": "SG",
    "malaysia": "MY",
    "philippines": "PH",
    "thailand": "TH",
    "indonesia": "ID",
    "vietnam": "VN",
    "india": "IN",
    "germany": "DE",
    "netherlands": "NL",
    "france": "FR",
    "ireland": "IE",
    "united arab emirates": "UAE",
    "uae": "UAE",
}


def region_code(name: str) -> str:
    """Region code for a country name as pages write it ("United States" -> "US")."""
    s = " ".join(name.split()).strip(" .:")
    return _REGIONS.get(s.casefold(), s)


_LABEL = re.compile(r"^[A-Za-z][A-Za-z /&.-]{0,30}$")
_BOUNDARY = re.compile(r"[|\n]")


def labelled_bands(text: str, start: int, end: int, region: str | None = None) -> list[SalaryBand]:
    """Salary figures each preceded by a short seniority label.

    Handles "Entry: $100,000 | Mid: $160,000" (label on the same line, ``|``
    separated) and "Junior" / "$95k–$130k" on consecutive lines.
    """
    out: list[SalaryBand] = []
    floor = start
    for m in MONEY.finditer(text, start, end):
        money = parse_money(m, text, region)
        if money is None:
            continue
        label_start = floor
        for b in _BOUNDARY.finditer(text, floor, m.start()):
            label_start = b.end()
        label = text[label_start : m.start()].strip().rstrip(":").strip()
        if not label:  # the label on the (last non-blank) line above: "Junior" / "$95k–$130k"
            above = text[floor:label_start].rstrip()
            label_start = max(above.rfind("\n") + 1, above.rfind("|") + 1) + floor
            label = text[label_start : floor + len(above)].strip().rstrip(":").strip()
        floor = m.end()
        if not label or not _LABEL.match(label):
            continue
        begin = text.index(label, label_start)
        out.append(band(label, money, region, Evidence(begin, m.end(), text[begin : m.end()])))
    return out
