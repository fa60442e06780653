"""The codebook of feedback themes: a human-editable data model with stable ids.

A :class:`Codebook` holds :class:`Theme` rules (keywords and phrases, exclusions, how a negated
mention counts, an owner team, an optional parent theme; the rule syntax is in
:mod:`core.feedback.rules`). Every change (create, rename, edit, merge, split, retire) returns a new
codebook and a :class:`Change` for the log; a theme id is never reused or renumbered, so tags, counts
and links keep their meaning across changes and new data. :func:`core.feedback.tagging.tag` tags
verbatims with it; :func:`core.feedback.starter.starter_codebook` is the one to start from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from core.errors import DataValidationError
from core.feedback.rules import clean_terms

NEGATION_MODES = ("ignore", "exclude")
STATUSES = ("active", "merged", "retired")
DEFAULT_TEAM = "Customer success"


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook.

    Attributes
    ----------
    id : int
        Stable id: given once, never reused or renumbered.
    name : str
        Display name (unique among active themes).
    keywords : tuple of str
        Rule terms; a verbatim that mentions any of them is tagged (see :func:`term_pattern`).
    exclude : tuple of str
        Terms that veto the tag ("price list" under Pricing, say).
    negation : {"ignore", "exclude"}
        ``ignore``: "no crash in months" is still about crashes (the sentiment says it is praise);
        ``exclude``: a negated mention does not count.
    parent : int or None
        Parent theme id: a sub-theme's verbatims also count for its parent.
    team : str
        Owner team that follow-up items are routed to.
    status : {"active", "merged", "retired"}
    merged_into : int or None
        For a merged theme, the theme that took over its rules.
    description : str
    merged_rules : tuple of (keywords, exclude, negation)
        The rules of themes merged into this one, each kept with its own exclusions and negation
        mode, so a merged theme tags exactly the union of what the themes tagged before.
    """

    id: int
    name: str
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    negation: str = "ignore"
    parent: int | None = None
    team: str = DEFAULT_TEAM
    status: str = "active"
    merged_into: int | None = None
    description: str = ""
    merged_rules: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = ()

    def rules(self) -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
        """Every rule group: its own (keywords, exclude, negation) first, then the merged ones."""
        return [(self.keywords, self.exclude, self.negation), *self.merged_rules]

    def to_dict(self) -> dict:
        """Plain JSON-ready dict."""
        return {"id": self.id, "name": self.name, "keywords": list(self.keywords), "exclude": list(self.exclude),
                "negation": self.negation, "parent": self.parent, "team": self.team, "status": self.status,
                "merged_into": self.merged_into, "description": self.description,
                "merged_rules": [{"keywords": list(k), "exclude": list(e), "negation": n}
                                 for k, e, n in self.merged_rules]}

    @classmethod
    def from_dict(cls, d: dict) -> Theme:
        """Inverse of :meth:`to_dict`."""
        groups = tuple((clean_terms(g.get("keywords")), clean_terms(g.get("exclude")),
                        g.get("negation", "ignore")) for g in (d.get("merged_rules") or ()))
        return cls(id=int(d["id"]), name=str(d["name"]), keywords=clean_terms(d.get("keywords")),
                   exclude=clean_terms(d.get("exclude")), negation=d.get("negation", "ignore"),
                   parent=None if d.get("parent") is None else int(d["parent"]), team=d.get("team") or DEFAULT_TEAM,
                   status=d.get("status", "active"),
                   merged_into=None if d.get("merged_into") is None else int(d["merged_into"]),
                   description=d.get("description") or "", merged_rules=groups)


@dataclass(frozen=True)
class Change:
    """One entry of the codebook's change log."""

    action: str  # create, rename, edit, merge, split, retire
    theme_ids: tuple[int, ...]
    detail: str
    author: str = "analyst"
    reason: str = ""
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def to_dict(self) -> dict:
        """Plain dict (``at`` as an ISO string)."""
        return {"action": self.action, "theme_ids": list(self.theme_ids), "detail": self.detail,
                "author": self.author, "reason": self.reason, "at": self.at.isoformat()}


@dataclass(frozen=True)
class Codebook:
    """Themes by id plus the next id to hand out. Changes return a new codebook and a :class:`Change`."""

    themes: dict[int, Theme]
    next_id: int = 1

    # -- reading -------------------------------------------------------------------------------
    def active(self) -> list[Theme]:
        """Active themes, parents before their sub-themes, each level by id."""
        act = [t for t in self.themes.values() if t.status == "active"]
        top = sorted((t for t in act if t.parent is None), key=lambda t: t.id)
        out = []
        for t in top:
            out.append(t)
            out += sorted((s for s in act if s.parent == t.id), key=lambda s: s.id)
        return out

    def get(self, theme_id: int) -> Theme:
        """The theme with this id (any status).

        Raises
        ------
        core.errors.DataValidationError
            For an unknown id.
        """
        try:
            return self.themes[int(theme_id)]
        except (KeyError, ValueError, TypeError):
            raise DataValidationError(f"There is no theme with id {theme_id}.") from None

    def label(self, theme_id: int) -> str:
        """``"Parent / Child"`` for a sub-theme, else the name."""
        t = self.get(theme_id)
        return f"{self.get(t.parent).name} / {t.name}" if t.parent is not None else t.name

    def to_dict(self) -> dict:
        """JSON-ready dict (``themes`` as a list)."""
        return {"next_id": self.next_id, "themes": [t.to_dict() for t in sorted(self.themes.values(),
                                                                               key=lambda t: t.id)]}

    @classmethod
    def from_dict(cls, d: dict) -> Codebook:
        """Inverse of :meth:`to_dict`; checks every rule.

        Raises
        ------
        core.errors.DataValidationError
            If the dict is not a codebook or a rule is invalid.
        """
        if not isinstance(d, dict) or not isinstance(d.get("themes"), list):
            raise DataValidationError("A codebook is a JSON object with a list of themes under \"themes\".")
        try:
            themes = {t.id: t for t in (Theme.from_dict(x) for x in d["themes"])}
            nxt = max([int(d.get("next_id") or 1)] + [i + 1 for i in themes])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataValidationError(f"A theme in the codebook is incomplete or malformed ({exc}).") from None
        book = cls(themes, nxt)
        book.validate()
        return book

    def validate(self) -> None:
        """Check names, rules, parents and statuses.

        Raises
        ------
        core.errors.DataValidationError
        """
        names: dict[str, int] = {}
        for t in self.themes.values():
            if t.status not in STATUSES:
                raise DataValidationError(f"Theme {t.id} has the status {t.status!r}; use one of "
                                          f"{', '.join(STATUSES)}.")
            for kws, exc, neg in t.rules():
                if neg not in NEGATION_MODES:
                    raise DataValidationError(f"Theme {t.id} ({t.name}) has negation {neg!r}; use 'ignore' or "
                                              "'exclude'.")
                clean_terms(kws)
                clean_terms(exc)
            if t.status != "active":
                continue
            if not t.name.strip():
                raise DataValidationError(f"Theme {t.id} has no name.")
            key = t.name.strip().lower()
            if key in names:
                raise DataValidationError(f"Two active themes are called {t.name!r} (ids {names[key]} and {t.id}).")
            names[key] = t.id
            if not t.keywords:
                raise DataValidationError(f"Theme {t.id} ({t.name}) has no keywords, so it would never tag anything.")
            if t.parent is not None:
                p = self.themes.get(t.parent)
                if p is None or p.status != "active":
                    raise DataValidationError(f"Theme {t.id} ({t.name}) has parent {t.parent}, which is not an "
                                              "active theme.")
                if p.parent is not None:
                    raise DataValidationError(f"Theme {t.id} ({t.name}): sub-themes go one level deep; "
                                              f"{p.name} is itself a sub-theme.")

    # -- changes -------------------------------------------------------------------------------
    def _with(self, themes: dict[int, Theme], next_id: int | None = None) -> Codebook:
        book = Codebook(themes, self.next_id if next_id is None else next_id)
        book.validate()
        return book

    def _active(self, theme_id: int) -> Theme:
        t = self.get(theme_id)
        if t.status != "active":
            raise DataValidationError(f"Theme {t.id} ({t.name}) is {t.status}; only active themes can change.")
        return t

    def create(self, name: str, keywords, *, exclude=(), negation: str = "ignore", parent: int | None = None,
               team: str = DEFAULT_TEAM, description: str = "", author: str = "analyst",
               reason: str = "") -> tuple[Codebook, Change]:
        """Add a theme with the next free id."""
        if parent is not None:
            self._active(parent)
        t = Theme(self.next_id, " ".join(str(name).split()), clean_terms(keywords),
                  clean_terms(exclude), negation, parent, team or DEFAULT_TEAM, "active", None, description)
        book = self._with({**self.themes, t.id: t}, self.next_id + 1)
        return book, Change("create", (t.id,), f"Created {t.name!r} ({', '.join(t.keywords)})", author, reason)

    def rename(self, theme_id: int, name: str, *, author: str = "analyst", reason: str = "") -> tuple[Codebook, Change]:
        """Give a theme a new name; its id, rules and tags stay."""
        t = self._active(theme_id)
        new = replace(t, name=" ".join(str(name).split()))
        book = self._with({**self.themes, t.id: new})
        return book, Change("rename", (t.id,), f"Renamed {t.name!r} to {new.name!r}", author, reason)

    def edit(self, theme_id: int, *, keywords=None, exclude=None, negation: str | None = None, team: str | None = None,
             parent: int | None | str = "keep", description: str | None = None, author: str = "analyst",
             reason: str = "") -> tuple[Codebook, Change]:
        """Change a theme's rules, owner team, parent or description (``parent=None`` makes it top-level)."""
        t = self._active(theme_id)
        kw = {}
        if keywords is not None:
            kw["keywords"] = clean_terms(keywords)
        if exclude is not None:
            kw["exclude"] = clean_terms(exclude)
        if negation is not None:
            kw["negation"] = negation
        if team is not None:
            kw["team"] = team.strip() or DEFAULT_TEAM
        if parent != "keep":
            if parent is not None and int(parent) == t.id:
                raise DataValidationError(f"Theme {t.id} ({t.name}) cannot be its own parent.")
            if parent is not None and any(s.parent == t.id and s.status == "active" for s in self.themes.values()):
                raise DataValidationError(f"Theme {t.id} ({t.name}) has sub-themes, so it cannot become one.")
            kw["parent"] = None if parent is None else int(parent)
        if description is not None:
            kw["description"] = description
        new = replace(t, **kw)
        if new == t:
            raise DataValidationError(f"Nothing to change: the rules, team and parent of {t.name!r} are as typed.")
        book = self._with({**self.themes, t.id: new})
        what = ", ".join(f"{k} {getattr(t, k)!r} -> {getattr(new, k)!r}" for k in kw
                         if getattr(t, k) != getattr(new, k))
        return book, Change("edit", (t.id,), f"Edited {t.name!r}: {what or 'no change'}", author, reason)

    def merge(self, sources, into: int, *, author: str = "analyst", reason: str = "") -> tuple[Codebook, Change]:
        """Fold ``sources`` into ``into``: it takes over their rules (each with its own exclusions and
        negation mode, so it tags exactly the union of what they tagged); they keep their ids, as merged.

        Sub-themes of a merged theme move under ``into`` (or become top-level if ``into`` is a sub-theme).
        """
        target = self._active(into)
        src = [self._active(s) for s in dict.fromkeys(int(s) for s in sources)]
        if not src:
            raise DataValidationError("Choose at least one theme to merge.")
        if any(s.id == target.id for s in src):
            raise DataValidationError(f"A theme cannot be merged into itself ({target.name}).")
        themes = dict(self.themes)
        taken = tuple(g for s in src for g in s.rules())
        themes[target.id] = replace(target, merged_rules=target.merged_rules + taken)
        ids = {s.id for s in src}
        for s in src:
            themes[s.id] = replace(s, status="merged", merged_into=target.id)
        for t in self.themes.values():
            if t.parent in ids and t.status == "active" and t.id != target.id:
                themes[t.id] = replace(t, parent=target.id if target.parent is None else None)
        if target.parent in ids:
            themes[target.id] = replace(themes[target.id], parent=None)
        book = self._with(themes)
        names = ", ".join(repr(s.name) for s in src)
        return book, Change("merge", (target.id, *sorted(ids)), f"Merged {names} into {target.name!r}", author, reason)

    def split(self, theme_id: int, name: str, keywords, *, team: str | None = None, as_child: bool = False,
              author: str = "analyst", reason: str = "") -> tuple[Codebook, Change]:
        """Move ``keywords`` (some of the theme's own, or new ones) into a new theme with the next id.

        The original keeps its id and its remaining keywords. ``as_child`` makes the new theme a
        sub-theme of the original (if the original is top-level).
        """
        t = self._active(theme_id)
        moved = clean_terms(keywords)
        if not moved:
            raise DataValidationError(f"Name the keywords that move from {t.name!r} to the new theme.")
        keep = tuple(k for k in t.keywords if k not in moved)
        if not keep:
            raise DataValidationError(f"Splitting would leave {t.name!r} without keywords; rename it instead.")
        themes = dict(self.themes)
        themes[t.id] = replace(t, keywords=keep)
        parent = t.id if as_child and t.parent is None else t.parent
        new = Theme(self.next_id, " ".join(str(name).split()), moved, t.exclude, t.negation, parent, team or t.team)
        themes[new.id] = new
        book = self._with(themes, self.next_id + 1)
        return book, Change("split", (t.id, new.id), f"Split {new.name!r} ({', '.join(moved)}) out of {t.name!r}",
                            author, reason)

    def retire(self, theme_id: int, *, author: str = "analyst", reason: str = "") -> tuple[Codebook, Change]:
        """Stop tagging a theme; its id stays taken. Its sub-themes become top-level."""
        t = self._active(theme_id)
        themes = dict(self.themes)
        themes[t.id] = replace(t, status="retired")
        for s in self.themes.values():
            if s.parent == t.id and s.status == "active":
                themes[s.id] = replace(s, parent=None)
        book = self._with(themes)
        return book, Change("retire", (t.id,), f"Retired {t.name!r}", author, reason)
