"""What the change log tracks: object type → model and the snapshot of its logged fields.

Services build `old`/`new` with the same snapshot functions, and `verify_changelog` compares the
last logged state of every object with the row as it is now, so a row changed behind the
application's back is found even when the chain itself is intact.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tracked:
    object_type: str
    model_path: str  # "app_label.ModelName"
    snapshot: Callable[[object], dict]
    label: str


TRACKED: dict[str, Tracked] = {}


def register(object_type: str, model_path: str, snapshot: Callable[[object], dict], label: str) -> None:
    TRACKED[object_type] = Tracked(object_type, model_path, snapshot, label)
