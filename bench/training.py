"""Data-science benchmark (issue 9): training from logs at scale, Dask parity, fairness audit speed.

Targets on this 2-core machine:

- train from 1 M logged rows in PostgreSQL end to end (extract + train + evaluate) <= 180 s;
- Dask LocalCluster (2 workers) training reaches the single-machine AUC +- 0.005 on the same data;
- fairness audit of 100k people (audit store read + MetricFrame + bootstrap CIs) <= 60 s.

Setup (not timed): a SYNTHETIC population is simulated and bulk-loaded with COPY into a fresh
PostgreSQL schema as logged decisions, items and outcomes (one decision and at most one shown
item per person), plus 100k voluntary reports in a separate SQLite audit store. The schema is
dropped at the end.

Environment: ``LOTSE_BENCH_LOG_ROWS`` (default 1000000), ``LOTSE_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sqlalchemy import text  # noqa: E402

from data.catalogue import load_catalogue  # noqa: E402
from models.audit_store import create_audit_schema, make_audit_engine, record_many  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.hashing import sha256_hex  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from recommender.decide.features import ALLOWED_FEATURES, FEATURE_SET_VERSION  # noqa: E402
from recommender.evaluate.fairness import audit_data_from_logs, funded_modules, load_audit_reports, run_audit  # noqa: E402
from recommender.evaluate.ope import evaluate_on_logs, evaluate_on_simulation  # noqa: E402
from recommender.learn.train import TrainConfig, fit  # noqa: E402
from recommender.learn.training_data import ExtractConfig, extract_training_data  # noqa: E402
from recommender.simulate.population import SimulatedData, simulate  # noqa: E402
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario  # noqa: E402

REPORT = Path(__file__).resolve().parent / "reports" / "training.json"
POSTGRES_URL = os.environ.get("LOTSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROWS = int(os.environ.get("LOTSE_BENCH_LOG_ROWS", "1000000"))
AUDIT_PEOPLE = 100_000
TARGETS = {"end_to_end_seconds": 180.0, "dask_auc_delta": 0.005, "fairness_seconds": 60.0}


def _json_features(row: np.ndarray) -> str:
    return json.dumps({n: (None if np.isnan(v) else round(float(v), 6)) for n, v in zip(ALLOWED_FEATURES, row,
                                                                                         strict=True)})


def copy_log(engine, data: SimulatedData, catalogue) -> list[str]:  # type: ignore[no-untyped-def]
    """Bulk-load *data* as logged decisions with COPY (PostgreSQL only; SYNTHETIC)."""
    rng = np.random.default_rng(42)
    n = data.n
    review = {m.id for m in catalogue.modules if m.needs_counsellor_approval}
    now = datetime.now(UTC)
    latest = now - timedelta(days=300)
    offsets = rng.integers(0, 60 * 86400, n)
    found_after = rng.integers(1, 170, n)
    approved = rng.random(n) < 0.7
    explored = rng.random(n) < 0.1
    pseudonyms = [f"sim-{uuid.UUID(bytes=rng.bytes(16)).hex}" for _ in range(n)]
    decision_ids = [rng.bytes(16).hex() for _ in range(n)]
    payload = json.dumps({"synthetic": True})
    digest = sha256_hex({"synthetic": True})
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("INSERT INTO jobcenter (code, name, created_at) VALUES ('sim-bench', "
                       "'SYNTHETIC benchmark Jobcenter', now()) RETURNING id")
        jobcenter = cursor.fetchone()[0]
        with cursor.copy("COPY job_seeker (id, pseudonym, jobcenter_id, objection_active, locale, created_at, "
                         "last_activity_at) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((i + 1, pseudonyms[i], jobcenter, False, "de", now, now))
        with cursor.copy("COPY profile_snapshot (id, job_seeker_id, payload, sha256, created_at) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((i + 1, i + 1, payload, digest, now))
        with cursor.copy("COPY decision (id, job_seeker_id, snapshot_id, mode, model_version, feature_set_version, "
                         "catalogue_version, features, guardrails, diagnostic, missing_fields, illustrative_market, "
                         "exploration, created_at) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((decision_ids[i], i + 1, i + 1, "model", "sim-logging-policy", FEATURE_SET_VERSION,
                                catalogue.version, _json_features(data.features[i]), "[]", "[]", "[]", True,
                                bool(explored[i]), latest - timedelta(seconds=int(offsets[i]))))
        with cursor.copy("COPY decision_item (id, decision_id, module_id, rank, propensity, reasons, review_state, "
                         "version, authored_by_counsellor, in_plan) FROM STDIN") as copy:
            for i in np.flatnonzero(data.action > 0):
                module = data.module_ids[int(data.action[i]) - 1]
                state = ("approved" if approved[i] else "rejected") if module in review else "not_required"
                copy.write_row((decision_ids[i][::-1], decision_ids[i], module, 1, float(data.propensity[i]), "[]",
                                state, 1, False, False))
        with cursor.copy("COPY outcome (job_seeker_id, kind, occurred_on, reported_by, created_at) FROM STDIN") as copy:
            for i in np.flatnonzero(data.outcome == 1):
                when = latest - timedelta(seconds=int(offsets[i])) + timedelta(days=int(found_after[i]))
                copy.write_row((i + 1, "job_found", when.date(), "simulation", now))
        cursor.execute("SELECT setval(pg_get_serial_sequence('job_seeker', 'id'), %s)", (n,))
        cursor.execute("SELECT setval(pg_get_serial_sequence('profile_snapshot', 'id'), %s)", (n,))
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return pseudonyms


def main() -> None:
    catalogue = load_catalogue()
    scenario = load_scenario(DEFAULT_SCENARIO, catalogue)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url_with_schema = POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    engine = make_engine(POSTGRES_URL, schema=schema)
    report: dict[str, object] = {"synthetic": True, "rows": ROWS, "targets": TARGETS,
                                 "machine": f"{os.cpu_count()} cores", "measured_at": datetime.now(UTC).isoformat()}
    try:
        upgrade(engine)
        started = time.perf_counter()
        data = simulate(scenario, catalogue, ROWS, seed=42)
        pseudonyms = copy_log(engine, data, catalogue)
        report["setup_seconds"] = round(time.perf_counter() - started, 1)
        print(f"setup: {ROWS:,} logged people copied into PostgreSQL in {report['setup_seconds']} s")
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
        with tempfile.TemporaryDirectory() as tmp:
            audit_engine = make_audit_engine(f"sqlite:///{tmp}/audit.db")
            create_audit_schema(audit_engine)
            people = min(AUDIT_PEOPLE, ROWS)
            record_many(audit_engine, ({"case_pseudonym": pseudonyms[i], "gender": str(data.protected["gender"][i]),
                                        "age_band": str(data.protected["age_band"][i]),
                                        "nationality_group": str(data.protected["citizenship_group"][i])}
                                       for i in range(people)), consent_version="synthetic")
            setup_audit = time.perf_counter() - started
            started = time.perf_counter()
            wanted = set(pseudonyms[:people])
            reports = load_audit_reports(f"sqlite:///{tmp}/audit.db", wanted)
            # Set lookups: np.isin on object arrays takes minutes at this size.
            subset = np.flatnonzero(np.fromiter((p in wanted for p in logged.pseudonym), dtype=bool,
                                                count=logged.n))
            sub = logged.__class__(**{**{k: getattr(logged, k) for k in logged.__dataclass_fields__},
                                      **{k: getattr(logged, k)[subset] for k in logged.__dataclass_fields__
                                         if isinstance(getattr(logged, k), np.ndarray)}})
            audit = run_audit(audit_data_from_logs(sub, reports, funded=funded_modules(catalogue)), n_boot=200)
            fairness_s = time.perf_counter() - started
        report["fairness"] = {"people": people, "seconds": round(fairness_s, 1), "alerts": len(audit["alerts"]),
                              "store_write_seconds": round(setup_audit, 1),
                              "met": fairness_s <= TARGETS["fairness_seconds"]}
        print(f"fairness audit of {people:,} people: {fairness_s:.1f} s (target <= 60 s), "
              f"{len(audit['alerts'])} alerts")

        from recommender.learn.dask_train import fit_dask, local_cluster

        client = local_cluster(2)
        try:
            started = time.perf_counter()
            config = TrainConfig(num_threads=1)
            dask_result = fit_dask(client, url_with_schema, catalogue.ids, extract=ExtractConfig(partitions=16),
                                   config=config)
            dask_s = time.perf_counter() - started
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
        auc_dask = float(roc_auc_score(held_out.outcome, dask_result.model.predict_matrix(
            held_out.features, held_out.action.astype(np.int64))))
        delta = auc_dask - auc_single
        report["dask"] = {"workers": 2, "seconds": round(dask_s, 1), "held_out_auc": round(auc_dask, 4),
                          "single_machine_auc": round(auc_single, 4), "delta": round(delta, 4),
                          "met": abs(delta) <= TARGETS["dask_auc_delta"]}
        print(f"dask LocalCluster (2 workers): {dask_s:.1f} s, held-out AUC {auc_dask:.4f} vs single "
              f"{auc_single:.4f} (delta {delta:+.4f}, target +-0.005)")
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        print(f"report: {REPORT}")


if __name__ == "__main__":
    main()
