"""Run Social Finance's demand model (cs-demand-model) on a folder of SSDA903 files and print its
projection as JSON. Run by scripts/validate_demand.py with the .venv-demand interpreter (the
reference pins pandas < 2): never imported by the project.

    .venv-demand/bin/python scripts/demand_reference.py FOLDER START END DAYS

FOLDER holds one Header and one Episodes CSV; START and END (YYYY-MM-DD) are the reference
window; DAYS the number of daily steps from END. Prints {"cells": [[band, category, children
on END, children DAYS on], ...]} for the in-care states, with the reference's own labels.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from cs_demand_model import DemandModellingDataContainer, ModelPredictor, PopulationStats
from cs_demand_model.config import Config
from cs_demand_model.datastore import fs_datastore


def main(folder: str, start: str, end: str, days: str) -> None:
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(folder), config)
    stats = PopulationStats(container.enriched_view, config)
    reference_start = dt.date.fromisoformat(start)
    reference_end = dt.date.fromisoformat(end)
    predictor = ModelPredictor.from_model(stats, reference_start, reference_end)
    predicted = predictor.predict(int(days))
    today = stats.stock_at(reference_end)
    last = predicted.iloc[-1]
    cells = []
    for key in last.index:
        if not isinstance(key, tuple) or len(key) != 2:
            continue
        band, category = key
        if category == config.PlacementCategories.NOT_IN_CARE.name:
            continue
        cells.append(
            [
                config.AgeBrackets[band].label,
                config.PlacementCategories[category].label,
                float(today.get(key, 0.0)),
                float(last[key]),
            ]
        )
    json.dump({"cells": cells}, sys.stdout)


if __name__ == "__main__":
    main(*sys.argv[1:5])
