"""Discovery of what the codebook misses: untagged verbatims clustered with TF-IDF and NMF.

scikit-learn's :class:`~sklearn.feature_extraction.text.TfidfVectorizer` (English stop words, words
and word pairs, sublinear term frequency) feeds :class:`~sklearn.decomposition.NMF` with a fixed
seed, so the same verbatims give the same candidates. Each verbatim joins the candidate with its
largest weight; candidates come back largest first with their top terms, suggested keywords and a
few example verbatims. Texts must be masked (:func:`core.feedback.verbatims.mask_pii`) before they get here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InsufficientDataError

MIN_VERBATIMS = 20
MIN_WEIGHT = 0.25


@dataclass(frozen=True)
class Candidate:
    """A candidate theme: ``terms`` (top TF-IDF terms, strongest first), ``keywords`` (suggested rule
    terms), ``size`` (verbatims it holds), ``share`` (of the clustered verbatims), ``examples``
    (distinct verbatims closest to it) and ``rows`` (positions among the non-empty texts given)."""

    number: int
    terms: tuple[str, ...]
    keywords: tuple[str, ...]
    size: int
    share: float
    examples: tuple[str, ...]
    rows: tuple[int, ...]

    @property
    def title(self) -> str:
        """A working name from the top terms."""
        return " / ".join(self.terms[:3]).capitalize()


def discover(texts: pd.Series, k: int = 6, *, seed: int = 0, top: int = 8, examples: int = 4,
             min_df: int = 2) -> list[Candidate]:
    """Cluster ``texts`` into at most ``k`` candidate themes.

    Parameters
    ----------
    texts : pandas.Series
        Masked, untagged verbatims.
    k : int
        Number of NMF components (fewer when there are few distinct terms).
    seed : int
        NMF's random state.
    top : int
        Terms shown per candidate.
    examples : int
        Example verbatims per candidate.
    min_df : int
        A term must appear in at least this many distinct verbatims.

    Returns
    -------
    list of Candidate
        Largest first; empty candidates are left out.

    Raises
    ------
    core.errors.InsufficientDataError
        With fewer than :data:`MIN_VERBATIMS` texts, or no term shared by ``min_df`` of them.
    """
    # scikit-learn's text stack loads only when themes are discovered, not with every feedback page
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer  # (as above: only when discovering)

    all_texts = texts.dropna().astype(str)
    all_texts = all_texts[all_texts.str.strip() != ""]
    if len(all_texts) < MIN_VERBATIMS:
        raise InsufficientDataError(f"Discovery needs at least {MIN_VERBATIMS} untagged verbatims; there are "
                                    f"{len(all_texts)}. The codebook already covers nearly everything.")
    # each distinct text is clustered once, so a complaint repeated a thousand times (a templated ticket
    # subject, say) does not crowd out a rarer one; sizes count every verbatim again
    norm = all_texts.str.replace(r"\[[a-z ]+\]", " ", regex=True).str.lower().str.split().str.join(" ")
    codes, uniq = pd.factorize(norm, sort=True)
    weight = np.bincount(codes, minlength=len(uniq))
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    s = pd.Series(all_texts.to_numpy()[first])
    bag = pd.Series(uniq)  # what is vectorised: the distinct texts without mask placeholders
    vec = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=min(min_df, len(s)), max_df=0.6,
                          sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", max_features=5000)
    try:
        X = vec.fit_transform(bag.to_numpy())
    except ValueError:
        raise InsufficientDataError("The untagged verbatims share too few words to cluster.") from None
    vocab = vec.get_feature_names_out()
    k = int(max(1, min(k, X.shape[1] - 1, X.shape[0] - 1)))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    W = model.fit_transform(X)
    H = model.components_
    best = W.argmax(axis=1)
    # a text joins its strongest candidate only when it weighs at least MIN_WEIGHT of that candidate's
    # strongest text: one shared common word ("change", "report") is not membership
    top_w = W.max(axis=0)
    strong = (W.max(axis=1) > 0) & (W[np.arange(len(W)), best] >= MIN_WEIGHT * top_w[best])
    out = []
    vals = s.to_numpy()
    total = int(weight.sum())
    for c in range(k):
        members = np.nonzero((best == c) & strong)[0]
        if not len(members):
            continue
        size = int(weight[members].sum())
        order = np.argsort(-H[c])
        terms = tuple(vocab[i] for i in order[:top])
        keywords = tuple(t for t in terms if " " not in t)[:4] or terms[:2]
        ranked = members[np.argsort(-W[members, c], kind="stable")]
        ex: list[str] = []
        for i in ranked:
            if vals[i] not in ex:
                ex.append(vals[i])
            if len(ex) == examples:
                break
        rows = np.nonzero(np.isin(codes, members))[0]
        out.append(Candidate(0, terms, keywords, size, size / total, tuple(ex), tuple(int(i) for i in rows)))
    out.sort(key=lambda c: (-c.size, c.terms))
    return [Candidate(i + 1, c.terms, c.keywords, c.size, c.share, c.examples, c.rows) for i, c in enumerate(out)]


def candidates_table(cands: list[Candidate]) -> pd.DataFrame:
    """One row per candidate: ``candidate, size, share, top_terms, keywords, example``."""
    return pd.DataFrame([{"candidate": c.number, "size": c.size, "share": c.share, "top_terms": ", ".join(c.terms),
                          "keywords": ", ".join(c.keywords), "example": c.examples[0] if c.examples else ""}
                         for c in cands], columns=["candidate", "size", "share", "top_terms", "keywords", "example"])
