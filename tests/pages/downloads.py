"""The files a page's download buttons give, read as a person who clicks them would get them: AppTest's media file
manager is recorded (:func:`recording`) so that a test can read each run's downloads afterwards
(:func:`downloads`); a download written on the click (``on_click="ignore"`` with a callable) is made by calling it,
as the server does when the button is pressed."""

from __future__ import annotations

import contextlib

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import app_test


class Recording(MediaFileManager):
    """AppTest's media file manager, remembered so that the test can read the run's downloads afterwards."""

    made: list[MediaFileManager] = []

    def __init__(self, storage):
        super().__init__(storage)
        Recording.made.append(self)


@contextlib.contextmanager
def recording(mp: pytest.MonkeyPatch):
    """Within: every AppTest run's media file manager is recorded (the last one made: ``Recording.made[-1]``)."""
    Recording.made = []
    mp.setattr(app_test, "MediaFileManager", Recording)
    yield Recording.made


def downloads(at, manager: MediaFileManager) -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes) of every download button, made-on-click ones made now."""
    out = []
    for node in at._tree:
        if getattr(node, "type", "") != "download_button":
            continue
        p = node.proto
        url = manager.execute_deferred(p.deferred_file_id) if p.deferred_file_id else p.url
        file = manager._storage.get_file(url.rsplit("/", 1)[-1])
        out.append((p.label, file.filename or "", file.content))
    return out
