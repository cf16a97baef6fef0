"""Quick loop for tuning the title classifier: official TUNE and free-text TUNE only.

``bench/occupations.py`` trains two models (30-60 minutes on two shared cores) and scores the
held-out sets; deciding a change there would look at TEST and REPORT. This script trains one
model on the shipped KldB titles minus the official TEST **and** TUNE titles (the same seed-42
split), then scores the official TUNE titles (unseen by that model, like TEST in the bench) and
the free-text TUNE half (``training.freetext_halves``). It never reads TEST or REPORT figures.
One run is one training (about 10 minutes); keyword options of ``train_title_classifier`` are
passed as ``--option name=value`` (JSON values), so variants can be compared side by side.

Run: ``.venv/bin/python bench/occupations_tune.py --option compounds=false``
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.occupations import TITLES, rank_ours, split, topk_accuracy  # noqa: E402
from data.esco import esco_label_groups  # noqa: E402
from recommender.occupations.classifier import TitleClassifier  # noqa: E402
from recommender.occupations.training import (  # noqa: E402
    freetext_halves,
    kldb_descriptions,
    train_title_classifier,
    training_examples,
)


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--option", action="append", default=[], help="name=JSON value for train_title_classifier")
    parser.add_argument("--descriptions", choices=("whole", "phrases"),
                        help="also train on the KldB explanations of each code (one text, or one per phrase)")
    parser.add_argument("--save", type=Path, help="also save the model trained here to this folder")
    parser.add_argument("--model", type=Path, help="score this model (saved by --save) instead of training one")
    parser.add_argument("--neighbour-weights", type=float, nargs="+",
                        help="score the model once per weight of its nearest-title similarity (no retraining)")
    args = parser.parse_args(argv)
    options = {name: json.loads(value) for name, value in (item.split("=", 1) for item in args.option)}
    if args.descriptions:
        options["descriptions"] = kldb_descriptions(phrases=args.descriptions == "phrases")
    with TITLES.open(encoding="utf-8", newline="") as handle:
        test, tune = split(list(csv.DictReader(handle)))
    titles, codes = training_examples(exclude={r["title"] for r in test} | {r["title"] for r in tune})
    start = time.perf_counter()
    if args.model:
        model = TitleClassifier.load(args.model)
    else:
        model = train_title_classifier(titles, codes, esco_label_groups(), **options)
    train_s = time.perf_counter() - start
    if args.save:
        model.save(args.save, dict(model.meta_))
    free = freetext_halves()["tune"]
    results = []
    for weight in args.neighbour_weights or [model.neighbour_weight]:
        model.neighbour_weight = weight
        results.append({
            "options": {**options, "descriptions": args.descriptions, "model": str(args.model),
                        "neighbour_weight": weight}, "train_s": round(train_s),
            "official_tune": topk_accuracy(rank_ours(model, [r["title"] for r in tune]), [r["kldb5"] for r in tune]),
            "freetext_tune": topk_accuracy(rank_ours(model, [r["title"] for r in free]), [r["kldb5"] for r in free]),
        })
        print(json.dumps(results[-1]), flush=True)
    return {"runs": results}


if __name__ == "__main__":
    main()
