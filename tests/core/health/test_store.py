"""The current health configuration: one rule (core.health.store.current_config / save_default) for the page,
the CLI and the review."""

import pandas as pd
import pytest

from core.health import score as h
from core.health import store as hs
from core.health.monitor import snapshots
from core.history.inputs import load_inputs


@pytest.fixture(scope="module")
def last_frame(engine_on_small_demo):
    day, frame = snapshots(load_inputs(engine_on_small_demo), months=1)[-1]
    return day, frame


def test_with_nothing_saved_the_current_configuration_is_the_default_bounded_by_the_last_days_measures(
        engine_on_small_demo, last_frame):
    day, frame = last_frame
    cfg, version = hs.current_config(engine_on_small_demo, frame)
    assert version is None
    assert cfg.to_dict() == h.default_config(frame).to_dict()
    # the bounds come from that frame: a frame with other usage gives other bounds
    other = frame.assign(**{c: frame[c] * 3 for c in frame.columns if pd.api.types.is_float_dtype(frame[c])})
    assert h.default_config(other).to_dict() != cfg.to_dict()


def test_save_default_saves_version_1_once_and_the_newest_saved_version_is_current(engine_on_small_demo, last_frame):
    day, frame = last_frame
    assert hs.save_default(engine_on_small_demo, day, frame) == 1
    assert hs.save_default(engine_on_small_demo, day, frame) is None  # never a second default
    saved = hs.versions(engine_on_small_demo)
    assert list(saved["version"]) == [1]
    assert f"{day:%Y-%m-%d}" in saved["reason"].iloc[0]
    cfg, version = hs.current_config(engine_on_small_demo, frame)
    assert (version, cfg.to_dict()) == (1, h.default_config(frame).to_dict())
    changed = h.HealthConfig.from_dict(cfg.to_dict())
    stage = next(iter(changed.weights))
    a, b = [k for k, w in changed.weights[stage].items() if w >= 5][:2]
    changed.weights[stage][a] += 5  # still adding up to 100
    changed.weights[stage][b] -= 5
    v2 = hs.save_config(engine_on_small_demo, changed, "Dana", "more weight", parent=1)
    cfg2, version2 = hs.current_config(engine_on_small_demo, frame)
    assert (version2, cfg2.to_dict()) == (v2, changed.to_dict())
