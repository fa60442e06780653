"""Data behind the Playbooks page: the saved playbook, a run's queue previewed on the store's signals (cached per
store version, playbook, day and seed: recording a run changes the store's version, so the next preview reads the
actions it left open), the recorded runs and the calendar."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from core.plays import book_store, runs
from core.plays.calendar import booked_until, by_week
from core.plays.example import example
from core.plays.queue import run as run_queue
from core.plays.rules import Guards, Playbook, parse
from core.plays.signals import store_signals
from core.plays.summary import without_data
from ui.frame import loaders


def book(url: str) -> tuple[int | None, Playbook]:
    """(saved version, playbook): the latest saved one, else (None, the example). Read on every run (one row): a
    save does not change the store's data version, and is seen at once."""
    saved = book_store.load_book(loaders.get_engine(url))
    return saved if saved is not None else (None, example())


def versions(url: str) -> pd.DataFrame:
    """The saved versions, newest first (read on every run: a save is seen at once)."""
    return book_store.versions(loaders.get_engine(url))


@st.cache_data(ttl=600, max_entries=8, show_spinner="Reading the signals and queueing the actions ...")
def preview(url: str, version: str, rules: str, day: dt.date | None, seed: int) -> tuple[pd.DataFrame, list[str],
                                                                                        pd.Timestamp]:
    """(the queue, the triggers that cannot fire on this store, the day) of the playbook ``rules`` (its JSON) run
    on the store's signals as of ``day`` (None: the data's last day), drawn with ``seed``."""
    playbook = parse(json.loads(rules))
    signals, context, when = store_signals(loaders.get_engine(url), playbook, day)
    return run_queue(playbook, signals, when, context, seed=seed), without_data(playbook, signals), when


def recorded(url: str) -> pd.DataFrame:
    """The recorded runs, newest first."""
    return runs.runs(loaders.get_engine(url))


def run_actions(url: str, run_id: int) -> pd.DataFrame:
    return runs.run_actions(loaders.get_engine(url), run_id)


@st.cache_data(ttl=600, max_entries=8, show_spinner="Reading the calendar ...")
def calendar(url: str, version: str, gap_days: int, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(contacts per week and play, the contacts still holding customers) of the store on ``day``."""
    engine = loaders.get_engine(url)
    made = runs.contacts(engine)
    weeks = by_week(made, runs.open_actions(engine, day), day)
    return weeks, booked_until(made, Guards(gap_days=gap_days), day)
