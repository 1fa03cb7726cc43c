"""What every chart returns: columns and rows (the accessible table and the CSV) plus hints
for drawing. The JSON endpoint, the table beside the chart and the CSV download share it."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chart:
    name: str
    title: str
    columns: list[str]
    rows: list[list]
    kind: str = "bar"  # how dashboard.js draws it: bar, line, pareto, band, scatter, matrix, stacked
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"name": self.name, "title": self.title, "kind": self.kind, "columns": self.columns,
                "rows": [[_plain(v) for v in row] for row in self.rows], "note": self.note, **self.extra}


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 2)
    if value is not None and not isinstance(value, (int, str, bool)):
        return float(value)
    return value
