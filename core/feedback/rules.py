"""The matcher of codebook rules: rule terms as regular expressions, negation, and which texts mention them.

Rule syntax (case-insensitive, whole words only): ``price`` matches "price" but not "priced" or
"spriced"; ``crash*`` matches "crash", "crashes", "crashed"; ``response time`` matches the phrase
with any spacing or a hyphen between the words; ``_`` stands for any one word (``need _ support``
matches "need SSO support"). A mention is *negated* when one of
:data:`NEGATIONS` (or a word ending in "n't") comes up to three words before it in the same clause
("no crash in months", "we will not cancel").
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from core.errors import DataValidationError

NEGATIONS = frozenset({"not", "no", "never", "without", "hardly", "nothing", "none", "nobody", "neither", "nor",
                       "cannot", "cant", "dont", "wont", "isnt", "wasnt", "didnt", "doesnt", "zero"})
NEGATION_WINDOW = 3  # words before a mention that can negate it
_CLAUSE_END = re.compile(r"[.;:!?,]|\bbut\b|\bhowever\b|\balthough\b", re.I)
_WORD = re.compile(r"[\w'\u2019]+")


def term_pattern(term: str) -> str:
    """Regular expression (without flags) of one rule term: whole words, ``*`` as a word-stem suffix.

    Raises
    ------
    core.errors.DataValidationError
        If the term has no letter or digit, or a ``*`` anywhere but at its end.
    """
    t = " ".join(str(term).strip().lower().split())
    if not re.search(r"\w", t):
        raise DataValidationError(f"The rule term {term!r} has no letters or digits.")
    stem = t.endswith("*")
    core = t[:-1].rstrip() if stem else t
    if "*" in core:
        raise DataValidationError(f"The rule term {term!r} may end in * (any ending) but not contain it elsewhere.")
    words = [r"\w+" if w == "_" else re.escape(w) for w in re.split(r"[\s-]+", core) if w]
    if all(w == r"\w+" for w in words):
        raise DataValidationError(f"The rule term {term!r} needs at least one real word besides _.")
    body = r"[\s\-]+".join(words) + (r"\w*" if stem else "")
    return rf"(?<![\w]){body}(?![\w])"


_EDGES = len(r"(?<![\w])"), len(r"(?![\w])")


def clean_terms(terms) -> tuple[str, ...]:
    """Rule terms lower-cased, spacing normalised, blanks and repeats dropped, each checked.

    Parameters
    ----------
    terms : str or sequence of str
        A string is split at commas, semicolons and line breaks.

    Raises
    ------
    core.errors.DataValidationError
        If a term is not valid (see :func:`term_pattern`).
    """
    if isinstance(terms, str):
        terms = [t for t in re.split(r"[,\n;]", terms)]
    out: list[str] = []
    for t in terms or ():
        t = " ".join(str(t).strip().lower().split())
        if t and t not in out:
            term_pattern(t)  # raises on a bad term
            out.append(t)
    return tuple(out)


def alternation(terms) -> re.Pattern | None:
    """One pattern for all ``terms`` (None for none): the word-boundary checks wrap the alternation once, so
    the regex engine rejects a position inside a word before trying any term (about 3x faster than per term)."""
    if not terms:
        return None
    bodies = [term_pattern(t)[_EDGES[0]:-_EDGES[1]] for t in terms]
    return re.compile(r"(?<![\w])(?:" + "|".join(bodies) + r")(?![\w])", re.I)


def mentioning(values: np.ndarray, rx: re.Pattern, negation: str) -> np.ndarray:
    """Which of ``values`` (distinct strings) mention ``rx`` (negated mentions skipped for ``exclude``)."""
    search = rx.search
    hit = np.fromiter((search(v) is not None for v in values), dtype=bool, count=len(values))
    if negation == "exclude" and hit.any():
        idx = np.nonzero(hit)[0]
        keep = [any(not negated_at(values[i], m.start()) for m in rx.finditer(values[i])) for i in idx]
        hit[idx] = np.array(keep, dtype=bool)
    return hit


def distinct_texts(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct strings) of ``texts`` (missing values as the empty string, which matches nothing)."""
    codes, uniq = pd.factorize(texts.fillna("").astype(str), sort=False)
    return codes, np.asarray(uniq, dtype=object)


def negated_at(text: str, start: int) -> bool:
    """Whether the mention starting at ``start`` in ``text`` is negated (see the module notes)."""
    before = text[:start]
    ends = [m.end() for m in _CLAUSE_END.finditer(before)]
    if ends:
        before = before[ends[-1]:]
    words = [w.lower().replace("\u2019", "'") for w in _WORD.findall(before)][-NEGATION_WINDOW:]
    return any(w in NEGATIONS or w.endswith("n't") or w.replace("'", "") in NEGATIONS for w in words)


def find_mentions(texts: pd.Series, terms, negation: str = "ignore") -> np.ndarray:
    """Boolean array: which texts mention any of ``terms`` (negated mentions skipped if ``exclude``).

    Parameters
    ----------
    texts : pandas.Series
        Texts (``None`` or NaN never match).
    terms : sequence of str
        Rule terms (see :func:`term_pattern`).
    negation : {"ignore", "exclude"}
        ``exclude``: a text counts only if at least one mention is not negated.
    """
    rx = alternation(list(terms))
    if rx is None or not len(texts):
        return np.zeros(len(texts), dtype=bool)
    codes, uniq = distinct_texts(texts)
    return mentioning(uniq, rx, negation)[codes]


def matched_terms(text: str, terms, negation: str = "ignore") -> list[str]:
    """The words of ``text`` that matched ``terms`` (in order, without repeats)."""
    rx = alternation(list(terms))
    if rx is None or not isinstance(text, str):
        return []
    out: list[str] = []
    for m in rx.finditer(text):
        if negation == "exclude" and negated_at(text, m.start()):
            continue
        w = m.group(0).lower()
        if w not in out:
            out.append(w)
    return out
