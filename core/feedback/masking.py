"""Personal-data masking of verbatims: every text a page shows or a model clusters goes through it.

:func:`mask_text` (one text) and :func:`mask_pii` (a Series) replace, each with its own mask word
(:data:`MASKS`): e-mail addresses, also obfuscated ones ("jane at example dot com", "jane[at]example[dot]com")
and ones without a dot in the domain (``john@localhost``); IBANs, compact or spaced, whose ISO 13616 mod-97
check digits hold (or that follow the word IBAN); passport-like numbers after the word passport; card
security codes after cvv / cvc / security code; postal-address lines (a house number and a street word,
a UK, US or German postcode next to a city); card numbers (13-19 digits) and phone numbers (9-15 digits).
:func:`mask_names` masks each customer's own name words in that customer's texts. Dates, amounts,
versions and order numbers stay readable. No PII library is used: the rules are regular expressions,
with the IBAN check where the field has one.
"""

from __future__ import annotations

import re

import pandas as pd

MASKS = {"email": "[email]", "card": "[card number]", "phone": "[phone]", "number": "[number]", "iban": "[IBAN]",
         "passport": "[passport]", "card_code": "[card code]", "address": "[address]", "name": "[name]"}

# -- e-mail addresses ---------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*")
_AT = r"(?:\s*(?:\(at\)|\[at\]|\{at\}|<at>)\s*|\s+at\s+)"
_DOT = r"(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)\s*|\s+dot\s+)"
_TLD = r"(?-i:com|org|net|edu|gov|info|biz|io|co|uk|de|fr|nl|be|ch|at|es|it|eu|us|ca|au|me|app|dev)"
#: what follows the local part of "jane at example dot com", "jane (at) example (dot) com",
#: "jane[at]example[dot]com" and "jane at example.com" (not "www.example.com": a web site)
_AT_TAIL = re.compile(
    rf"{_AT}[\w-]+(?:{_DOT}[\w-]+)+"
    rf"|\s*(?:\(at\)|\[at\]|\{{at\}}|<at>)\s*[\w-]+(?:\.[\w-]+)*"
    rf"|(?P<plain>\s+at\s+(?!www\.)[a-z][\w-]*(?:\.[a-z][\w-]*)*\.{_TLD}(?![\w.]))", re.I)
#: words before " at example.com" that make a sentence, not an address ("look at example.com")
_NOT_LOCAL_WORDS = frozenset(
    "look looking looked see seen available found hosted live online us me it is are was were here there visit "
    "check go find sign signed up log login work works working based help out them you we i store shop site page "
    "download downloaded bought purchased ordered buy order sold listed".split())


def _local_start(text: str, end: int, floor: int) -> int:
    """Where the local part ("jane.doe") that ends at ``end`` starts (``end`` when there is none)."""
    i = end
    while i > floor and (text[i - 1].isalnum() or text[i - 1] in "._+-"):
        i -= 1
    return i


def _mask_obfuscated_emails(text: str) -> str:
    out, last = [], 0
    for m in _AT_TAIL.finditer(text):
        start = _local_start(text, m.start(), last)
        local = text[start:m.start()]
        if not local or (m.group("plain") and local.lower() in _NOT_LOCAL_WORDS):
            continue
        out += [text[last:start], MASKS["email"]]
        last = m.end()
    return "".join(out) + text[last:] if out else text


# -- IBAN (ISO 13616) ---------------------------------------------------------------------------
#: IBAN length per country (SWIFT IBAN registry); a code of another country is masked only after the word IBAN
IBAN_LENGTH = dict(
    AD=24, AE=23, AL=28, AT=20, AZ=28, BA=20, BE=16, BG=22, BH=22, BR=29, BY=28, CH=21, CR=22, CY=28, CZ=24,
    DE=22, DK=18, DO=28, EE=20, EG=29, ES=24, FI=18, FO=18, FR=27, GB=22, GE=22, GI=23, GL=18, GR=27, GT=28,
    HR=21, HU=28, IE=22, IL=23, IQ=23, IS=26, IT=27, JO=30, KW=30, KZ=20, LB=28, LC=32, LI=21, LT=20, LU=20,
    LV=21, LY=25, MC=27, MD=24, ME=22, MK=19, MR=27, MT=31, MU=30, NL=18, NO=15, PK=24, PL=28, PS=29, PT=25,
    QA=29, RO=24, RS=22, SA=24, SC=31, SE=24, SI=19, SK=24, SM=27, ST=25, SV=28, TL=23, TN=24, TR=26, UA=29,
    VA=22, VG=24, XK=20)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,32}(?![A-Za-z0-9])")
_IBAN_WORD = re.compile(r"\biban\b\W{0,4}$", re.I)


def iban_valid(candidate: str) -> bool:
    """Whether ``candidate`` (spaces and dashes ignored) is an IBAN: its country's length and mod-97 == 1."""
    s = re.sub(r"[ \-]", "", candidate).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s) or len(s) != IBAN_LENGTH.get(s[:2], len(s)):
        return False
    digits = "".join(str(int(c, 36)) for c in s[4:] + s[:4])
    return int(digits) % 97 == 1


def _iban_cuts(raw: str) -> list[int]:
    """Where a candidate may end (longest first): the end of each group of letters and digits."""
    return [i for i in range(len(raw), 0, -1) if raw[i - 1].isalnum() and (i == len(raw) or not raw[i].isalnum())]


def _iban_mask(m: re.Match) -> str:
    raw = m.group(0)
    cuts = [c for c in _iban_cuts(raw) if 15 <= len(re.sub(r"[ \-]", "", raw[:c])) <= 34]
    for c in cuts:
        if raw[:2].upper() in IBAN_LENGTH and iban_valid(raw[:c]):
            return MASKS["iban"] + _mask_ibans(raw[c:])
    if cuts and _IBAN_WORD.search(m.string, max(0, m.start() - 12), m.start()):  # after the word IBAN: even a typo
        want = IBAN_LENGTH.get(raw[:2].upper(), 34)
        fit = [c for c in cuts if len(re.sub(r"[ \-]", "", raw[:c])) <= want]
        c = fit[0] if fit else cuts[-1]
        return MASKS["iban"] + _mask_ibans(raw[c:])
    # not an IBAN from here: look again from the next word on (an IBAN may start inside this run)
    nxt = next((i for i in range(1, len(raw)) if raw[i].isalnum() and not raw[i - 1].isalnum()), len(raw))
    return raw[:nxt] + _mask_ibans(raw[nxt:])


def _mask_ibans(text: str) -> str:
    """Replace every IBAN in ``text`` (a known country's length and valid check digits, or after the word IBAN)."""
    return _IBAN.sub(_iban_mask, text) if text else text


# -- passports and card security codes ----------------------------------------------------------
_PASSPORT = re.compile(
    r"(\bpassport(?:\s+(?:no|nr|num|number|id|#)\b\.?|\s*#)?(?:\s+is|\s+was)?\s*[:#=]?\s*)"
    r"((?=(?:[A-Za-z]*\d){5})[A-Za-z0-9]{6,10})(?![A-Za-z0-9])", re.I)
_CARD_CODE = re.compile(
    r"(\b(?:cvv2?|cvc2?|cvn|cid|csc|card\s+(?:security|verification)\s+code|security\s+code|verification\s+code)"
    r"(?:\s+(?:is|was|no\.?|number))?\s*[:#=]?\s*)(\d{3,4})(?![\w])", re.I)

# -- postal addresses ---------------------------------------------------------------------------
#: street words that name a street in any case ("12 baker road"); the weak ones only after capitalised words
_STRONG = r"Street|St|Str|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Highway|Hwy|Parkway|Pkwy"
_WEAK = (r"Drive|Dr|Way|Court|Ct|Place|Pl|Square|Sq|Row|Hill|Walk|Trail|Circle|Cir|Terrace|Crescent|Close|Mews"
         r"|Gardens|Grove|Av")
_DIRECTION = r"(?:\s+(?:NE|NW|SE|SW|N|S|E|W|North|South|East|West)\b)?"
_NOT_A_NAME = (r"(?!(?:minutes?|hours?|days?|weeks?|months?|years?|miles?|km|blocks?|stars?|ways?|lanes?|times?"
               r"|users?|seats?|people|more|less|new|old|main|big|small)\b)")
#: the dot of an abbreviated street word ("St."), not the full stop after "Street"
_ABBR_DOT = r"(?i:(?<=St|Rd|Dr|Ct|Pl|Sq|Ln|Av)\.|(?<=Ave|Str|Hwy|Cir)\.|(?<=Blvd|Pkwy)\.)?"
#: what may follow a street of a weak type ("42 Elm Drive, ...", not "4 Google Drive folders")
_LINE_END = r"(?=\s*$|\s*[,.;:!?)\n]|\s+[A-Z0-9]|\s+(?:in|near|at|on|and|is|was|since|for)\b)"
_NUMBER = r"\b\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?,?"
_ORDINAL = r"\d+(?:st|nd|rd|th)\b"  # "10th St"
_STREET_EN = re.compile(
    # "12 Baker Street", "221B Baker St.", "1600 Pennsylvania Avenue NW", "12 baker road"
    rf"{_NUMBER}(?:\s+{_NOT_A_NAME}(?:[A-Za-z][\w'.-]*|{_ORDINAL})){{1,4}}?\s+(?i:{_STRONG})\b{_ABBR_DOT}{_DIRECTION}"
    rf"|{_NUMBER}(?:\s+(?:[A-Z][\w'.-]*|{_ORDINAL})){{1,4}}?\s+(?:{_WEAK}|{_STRONG})\b{_ABBR_DOT}{_DIRECTION}"
    rf"{_LINE_END}")
_STREET_DE = re.compile(
    # "Hauptstraße 5", "Berliner Strasse 12a", "Lindenweg 3", "Am Markt Platz 7"
    r"\b(?:(?:[A-ZÄÖÜ][\wäöüß.-]*\s+){0,3}(?:[\wäöüß-]*(?i:straße|strasse)|[A-ZÄÖÜ][\wäöüß-]*str\.)"
    r"|(?:[A-ZÄÖÜ][\wäöüß.-]*\s+){0,2}[A-ZÄÖÜ][\wäöüß-]+(?:weg|platz|allee|gasse|damm|ufer)"
    r"|(?:[A-ZÄÖÜ][\wäöüß.-]*\s+){1,3}(?:Weg|Platz|Allee|Gasse|Damm|Ufer))\s+\d{1,4}\s?[a-z]?(?![\w])")
_STREET_LATIN = re.compile(
    # "Via Roma 12", "Calle Mayor 3", "Rue de Rivoli 5", "5 rue de Rivoli"
    r"\b(?:Rue|Via|Viale|Piazza|Calle|Avenida|Plaza|Rua|Chemin|Corso)\s+(?:(?:de|del|della|des|du|la|le|di|da)\s+)*"
    r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3},?\s+\d{1,4}[a-z]?(?![\w])"
    r"|\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|boulevard|chemin|allée|place|impasse|quai)\s+"
    r"(?:(?:de|del|des|du|la|le|l'|d')\s*)*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3}")
_US_STATES = ("AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY"
              "|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR")
_CITY = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}"
_NOT_A_CITY = (r"(?!(?:Euros?|Dollars?|Pounds?|Francs?|Users?|Customers?|Seats?|Licenses?|Licences?|Accounts?"
               r"|Orders?|Tickets?|Items?|Units?|Rows?|Records?|Calls?|Emails?|Points?|Views?|Downloads?)\b)")
_POSTCODE = re.compile(
    rf"(?:\b{_CITY},?[ \t]+)?\b[A-Z]{{1,2}}\d[A-Z\d]?[ \t]+\d[A-Z]{{2}}\b"  # UK: "London SW1A 1AA", "CB2 1TN"
    rf"|\b{_CITY},?[ \t]+(?:{_US_STATES})[ \t]+\d{{5}}(?:-\d{{4}})?\b"  # US: "Springfield, IL 62704"
    # DE: "10115 Berlin" at the start of a line or after a comma, "in" / "to" or a street, "D-10115 Berlin"
    rf"|(?:^|(?<=[,;\n])|(?<=[,;\n] )|(?<=\] )|(?<=\bin )|(?<=\bto )|\bD-)\d{{5}}[ \t]+{_NOT_A_CITY}"
    r"[A-ZÄÖÜ][a-zäöüß]{2,}(?:[ -](?:am|an der|im)[ \t]+[A-Z][a-z]+)?", re.M)
_ADDRESS_RUN = re.compile(
    r"(?:\b(?:Flat|Apt\.?|Apartment|Suite|Unit)\s+\w{1,5},?\s*)?\[address\]"  # "Flat 2, [address]"
    r"(?:,?\s*(?:[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,?\s+)?\[address\]"  # "[address], London [address]"
    r"|,\s*[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?(?=\s*(?:[.;!?)]|$)))*")  # "[address], London."
#: cheap tests first: the German and Latin street rules run only on texts that hold one of their words
_DE_HINTS = ("straße", "strasse", "str.", "weg", "platz", "allee", "gasse", "damm", "ufer")
_LATIN_WORDS = frozenset("rue via viale piazza calle avenida plaza rua chemin corso avenue boulevard allée place "
                         "impasse quai".split())
_LATIN_HINTS = tuple(sorted(_LATIN_WORDS))
_POSTCODE_HINT = re.compile(r"\d(?:\d{4}|[A-Z\d]?[ \t]+\d[A-Z]{2})")


def _mask_addresses(text: str) -> str:
    low = text.lower()
    rules = ((any(h in low for h in _DE_HINTS), _STREET_DE), (any(h in low for h in _LATIN_HINTS), _STREET_LATIN),
             (True, _STREET_EN), (bool(_POSTCODE_HINT.search(text)), _POSTCODE))
    hit = False
    for run, rx in rules:
        if run:
            text, n = rx.subn(MASKS["address"], text)
            hit = hit or n > 0
    return _ADDRESS_RUN.sub(MASKS["address"], text) if hit else text


# -- card and phone numbers ---------------------------------------------------------------------
_DIGITS = re.compile(r"(?<![\w])\+?\(?\d[\d\s().\-/]{6,}\d(?![\w])")
_SPLIT = re.compile(r"(\s*/\s*|\s+-\s+|\s{2,}|\s*,\s*)")
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")


def _classify(piece: str) -> str:
    digits = re.sub(r"\D", "", piece)
    if 13 <= len(digits) <= 19 and not re.search(r"[()+]", piece):
        return MASKS["card"]
    if 9 <= len(digits) <= 15:
        return MASKS["phone"]
    if len(digits) > 19:
        return MASKS["number"]  # fail closed: a long run of digits is never shown
    return piece  # dates, amounts, order numbers stay


def _digits_mask(m: re.Match) -> str:
    raw = m.group(0)
    if _SPLIT.search(raw):
        # several numbers run together ("415 555 0134 / 415 555 0135", "card ... 12/28"): judge each piece
        parts = _SPLIT.split(raw)
        judged = [p if i % 2 else _classify(p) for i, p in enumerate(parts)]
        if judged != parts or all(_DATE.match(p.strip()) for p in parts[::2] if p.strip()):
            return "".join(judged)
    return _classify(raw)  # fail closed: a run whose pieces look harmless is judged whole


# -- one text, a Series -------------------------------------------------------------------------
_ANY_DIGIT = re.compile(r"\d")
_IBAN_START = re.compile(r"\d\d(?<=[A-Za-z]{2}\d\d)")
_CARD_CODE_WORD = re.compile(r"cv[vcn]|cid|csc|code")
_OBFUSCATED_AT = re.compile(r"\sat\s|[\[({<]at[\])}>]")  # on the lower-cased text
_LONG_NUMBER = re.compile(r"\d[\d\s().\-/]{6,}\d")


def mask_text(text):
    """Mask personal data in one text (see the module docstring for what); ``None`` stays ``None``.

    Dates such as 2026-11-22, amounts, versions and short numbers (order numbers) stay readable.
    """
    if not isinstance(text, str):
        return text
    if "@" in text:
        text = _EMAIL.sub(MASKS["email"], text)
    low = text.lower()
    if "at" in low and _OBFUSCATED_AT.search(low):
        text = _mask_obfuscated_emails(text)
        low = text.lower()
    if not _ANY_DIGIT.search(text):
        return text
    if _IBAN_START.search(text):
        text = _mask_ibans(text)
    if "passport" in low:
        text = _PASSPORT.sub(lambda m: m.group(1) + MASKS["passport"], text)
    if _CARD_CODE_WORD.search(low):
        text = _CARD_CODE.sub(lambda m: m.group(1) + MASKS["card_code"], text)
    text = _mask_addresses(text)
    return _DIGITS.sub(_digits_mask, text) if _LONG_NUMBER.search(text) else text


def mask_pii(texts: pd.Series) -> pd.Series:
    """:func:`mask_text` over a Series (same index); each distinct text is masked once."""
    if not len(texts):
        return texts.copy()
    uniq = pd.unique(texts.dropna())
    masked = {t: mask_text(t) for t in uniq}
    return texts.map(masked.__getitem__, na_action="ignore")


# -- the customers' own names -------------------------------------------------------------------
#: words of a name that identify nobody: legal forms, titles, joining words
NAME_STOP_WORDS = frozenset({
    "inc", "llc", "ltd", "gmbh", "co", "sa", "bv", "ag", "plc", "corp", "group", "company", "kg", "ug", "srl", "sarl",
    "spa", "oy", "ab", "as", "nv", "pty", "limited", "the", "and", "of", "mr", "mrs", "ms", "dr", "von", "van",
    "de", "der", "den", "la", "le", "di", "da", "du", "del", "et", "und"})
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NAME_RUN = re.compile(r"\[name\](?:[\s,.'’-]*\[name\])+")


def name_words(name) -> list[str]:
    """The words of a customer's name that are masked: 2+ letters, not a legal form or joining word."""
    if not isinstance(name, str):
        return []
    words = {w for w in _WORD.findall(name) if len(w) >= 2 and w.lower() not in NAME_STOP_WORDS}
    return sorted(words, key=lambda w: (-len(w), w.lower()))


def _name_pattern(name) -> re.Pattern | None:
    words = name_words(name)
    if not words:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.I)


def mask_names(texts: pd.Series, customer_ids: pd.Series, names: pd.Series | None) -> pd.Series:
    """Mask each customer's own name words in that customer's texts, case-insensitively, as whole words.

    Parameters
    ----------
    texts : pandas.Series
        The texts (already through :func:`mask_pii`).
    customer_ids : pandas.Series
        The customer each text belongs to (aligned with ``texts`` by position, same length; missing: anonymous).
    names : pandas.Series or None
        The name the store holds for each customer (index ``customer_id``); None or empty: nothing to mask.

    Returns
    -------
    pandas.Series
        Same index as ``texts``; a run of masked name words ("Jane Doe") becomes one ``[name]``.
    """
    if len(customer_ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(customer_ids)} customer ids")
    out = texts.copy()
    if names is None or not len(texts):
        return out
    names = names[names.notna()]
    names = pd.Series(names.astype(str).to_numpy(), index=names.index.astype(str))
    names = names[~names.index.duplicated(keep="last")]
    patterns = {cid: rx for cid, rx in ((c, _name_pattern(n)) for c, n in names.items()) if rx is not None}
    if not patterns:
        return out
    values = out.to_numpy(dtype=object, copy=True)
    for i, (cid, text) in enumerate(zip(customer_ids.to_numpy(dtype=object), values)):
        rx = patterns.get(None if pd.isna(cid) else str(cid)) if isinstance(text, str) else None
        if rx is not None:
            values[i] = _NAME_RUN.sub(MASKS["name"], rx.sub(MASKS["name"], text))
    return pd.Series(values, index=texts.index, name=texts.name, dtype=object)
