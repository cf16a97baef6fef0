"""Data-science benchmark (issue 9): training from logs at scale, Dask parity, fairness audit speed.

Targets on this 2-core machine:

- train from 1 M logged rows in PostgreSQL end to end (extract + train + evaluate) <= 180 s;
- Dask LocalCluster (2 workers) training reaches the single-machine AUC +- 0.005 on the same data;
- fairness audit of 100k people (audit store read + MetricFrame + bootstrap CIs) <= 60 s.

Setup (not timed): a SYNTHETIC population is written as a training log with
``recommender.simulate.simulated_log`` (the code behind ``lotse simulate log``) into a fresh
PostgreSQL schema (dropped at the end) or a temporary SQLite file, plus about 100k voluntary
reports in a separate SQLite audit store.

Environment: ``LOTSE_BENCH_LOG_ROWS`` (default 1000000), ``LOTSE_BENCH_DATABASE_URL`` (default
``LOTSE_TEST_POSTGRES_URL`` or the local PostgreSQL test server; a ``sqlite:///`` URL benchmarks SQLite).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from data.catalogue import Catalogue, load_catalogue  # noqa: E402
from models.audit_store import make_audit_engine  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from recommender.evaluate.fairness import audit_data_from_logs, funded_modules, load_audit_reports, run_audit  # noqa: E402
from recommender.evaluate.ope import evaluate_on_logs, evaluate_on_simulation  # noqa: E402
from recommender.learn.train import TrainConfig, fit  # noqa: E402
from recommender.learn.training_data import ExtractConfig, extract_training_data  # noqa: E402
from recommender.simulate.population import SimulatedData, simulate  # noqa: E402
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario  # noqa: E402
from recommender.simulate.simulated_log import write_simulated_audit, write_simulated_log  # noqa: E402

REPORT = Path(__file__).resolve().parent / "reports" / "training.json"
DATABASE_URL = os.environ.get("LOTSE_BENCH_DATABASE_URL") or os.environ.get(
    "LOTSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROWS = int(os.environ.get("LOTSE_BENCH_LOG_ROWS", "1000000"))
AUDIT_PEOPLE = 100_000
TARGETS = {"end_to_end_seconds": 180.0, "dask_auc_delta": 0.005, "fairness_seconds": 60.0}


@contextmanager
def bench_database() -> Iterator[tuple[Engine, str]]:
    """A fresh, migrated database: a new PostgreSQL schema (dropped after) or a temporary SQLite file."""
    if make_url(DATABASE_URL).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            engine = make_engine(url)
            upgrade(engine)
            try:
                yield engine, url
            finally:
                engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(DATABASE_URL, schema=schema)
    try:
        upgrade(engine)
        yield engine, DATABASE_URL + ("&" if "?" in DATABASE_URL else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    catalogue = load_catalogue()
    scenario = load_scenario(DEFAULT_SCENARIO, catalogue)
    backend = make_url(DATABASE_URL).get_backend_name()
    report: dict[str, object] = {"synthetic": True, "rows": ROWS, "targets": TARGETS, "database": backend,
                                 "machine": f"{os.cpu_count()} cores", "measured_at": datetime.now(UTC).isoformat()}
    try:
        with bench_database() as (engine, url), tempfile.TemporaryDirectory() as tmp:
            audit_url = f"sqlite:///{tmp}/audit.db"
            started = time.perf_counter()
            data = simulate(scenario, catalogue, ROWS, seed=42)
            pseudonyms = write_simulated_log(engine, data, catalogue, seed=42)
            write_simulated_audit(make_audit_engine(audit_url), data, pseudonyms,
                                  report_share=min(1.0, AUDIT_PEOPLE / ROWS), seed=42)
            report["setup_seconds"] = round(time.perf_counter() - started, 1)
            print(f"setup: {ROWS:,} logged people written into {backend} in {report['setup_seconds']} s")
            held_out = simulate(scenario, catalogue, 100_000, seed=7)

            started = time.perf_counter()
            logged = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=16))
            extract_s = time.perf_counter() - started
            result = fit(logged.as_training_data(), TrainConfig(num_threads=2))
            train_s = time.perf_counter() - started - extract_s
            logged_ope = evaluate_on_logs(result.model, logged, n_boot=100)
            sim_ope = evaluate_on_simulation(result.model, held_out, n_boot=100)
            total_s = time.perf_counter() - started
            auc_single = float(roc_auc_score(held_out.outcome, result.model.predict_matrix(
                held_out.features, held_out.action.astype(np.int64))))
            report["end_to_end"] = {
                "extract_seconds": round(extract_s, 1), "train_seconds": round(train_s, 1),
                "evaluate_seconds": round(total_s - extract_s - train_s, 1), "total_seconds": round(total_s, 1),
                "training_rows": logged.n, "held_out_auc": round(auc_single, 4),
                "dr_logged": logged_ope["dr"].as_dict(), "dr_simulated": sim_ope["estimates"]["dr"],
                "true_value_simulated": sim_ope["true_value"], "met": total_s <= TARGETS["end_to_end_seconds"]}
            print(f"end to end: extract {extract_s:.1f} s + train {train_s:.1f} s + evaluate "
                  f"{total_s - extract_s - train_s:.1f} s = {total_s:.1f} s (target <= 180 s); "
                  f"held-out AUC {auc_single:.4f}")

            started = time.perf_counter()
            reports = load_audit_reports(audit_url, set(pseudonyms))
            # Set lookups: np.isin on object arrays takes minutes at this size.
            subset = np.flatnonzero(np.fromiter((p in reports for p in logged.pseudonym), dtype=bool,
                                                count=logged.n))
            sub = logged.__class__(**{**{k: getattr(logged, k) for k in logged.__dataclass_fields__},
                                      **{k: getattr(logged, k)[subset] for k in logged.__dataclass_fields__
                                         if isinstance(getattr(logged, k), np.ndarray)}})
            audit = run_audit(audit_data_from_logs(sub, reports, funded=funded_modules(catalogue)), n_boot=200)
            fairness_s = time.perf_counter() - started
            report["fairness"] = {"people": len(reports), "seconds": round(fairness_s, 1),
                                  "alerts": len(audit["alerts"]), "met": fairness_s <= TARGETS["fairness_seconds"]}
            print(f"fairness audit of {len(reports):,} people: {fairness_s:.1f} s (target <= 60 s), "
                  f"{len(audit['alerts'])} alerts")
            report["dask"] = dask_parity(url, catalogue, held_out, auc_single)
    finally:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        print(f"report: {REPORT}")


def dask_parity(url: str, catalogue: Catalogue, held_out: SimulatedData, auc_single: float) -> dict[str, object]:
    """Train on a 2-worker Dask LocalCluster from *url* and compare the held-out AUC with single-machine."""
    from recommender.learn.dask_train import fit_dask, local_cluster

    client = local_cluster(2)
    try:
        started = time.perf_counter()
        dask_result = fit_dask(client, url, catalogue.ids, extract=ExtractConfig(partitions=16),
                               config=TrainConfig(num_threads=1))
        dask_s = time.perf_counter() - started
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
    auc_dask = float(roc_auc_score(held_out.outcome, dask_result.model.predict_matrix(
        held_out.features, held_out.action.astype(np.int64))))
    delta = auc_dask - auc_single
    print(f"dask LocalCluster (2 workers): {dask_s:.1f} s, held-out AUC {auc_dask:.4f} vs single "
          f"{auc_single:.4f} (delta {delta:+.4f}, target +-0.005)")
    return {"workers": 2, "seconds": round(dask_s, 1), "held_out_auc": round(auc_dask, 4),
            "single_machine_auc": round(auc_single, 4), "delta": round(delta, 4),
            "met": abs(delta) <= TARGETS["dask_auc_delta"]}


if __name__ == "__main__":
    main()
