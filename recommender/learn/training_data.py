"""The training set from what Lotse logged: decisions x shown items x propensities x outcomes.

Why this shape: the learner (``recommender.learn.train``) learns, per action, how (features) ->
job found shifts from no advice, so each advice item that was *shown* is one row, weighted by
the inverse of its logged propensity (G16): the probability the logging policy showed that module
to that person, as the decision log recorded it for every eligible module
(``recommender.learn.shown_policy``; old logs: the item's own). A decision that showed nothing
(no eligible advice) is one "no advice" row (module code 0, propensity 1, because nothing else
could have been shown).

Outcome window: the label is "a ``job_found`` outcome dated within ``window_days`` (default
182, i.e. six months) after the decision". Decisions whose window has not closed yet at
``as_of`` are left out (their label is not known yet), so a fresh log never teaches the model
that advice does not work.

Rejected advice: an item a counsellor rejected (``review_state = "rejected"``) was never given to
the person, so it is not a training row; a decision left with no given item is a "no advice" row.
Unit of outcome: the outcome belongs to the person and the decision (found work within the
window), so every given item of a decision carries that decision's outcome.

Who never enters: people whose data was erased (``erased_at`` set, G14b) and people who
objected (``objection_active``, GDPR Art 21, G14c) - all of their decisions, also the ones
from before the objection. Decisions whose feature vector was purged by the retention job
(tombstone payload) or that come from another feature-set version are skipped and counted.

Scale: rows are read per partition (ranges of the random hex decision id), each partition with
four plain queries (decisions, their items, their people's outcomes, their shown policies) that run the same on
SQLite and PostgreSQL and keep memory at one partition. ``recommender.learn.dask_train`` reads the
same partitions in parallel on Dask workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, false, func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from models.tables import Decision, DecisionItem, Event, Jobcenter, JobSeeker, Outcome, as_utc
from recommender.decide.features import ALLOWED_FEATURES, FEATURE_SET_VERSION
from recommender.decide.model_meta import LOGS_SCENARIO
from recommender.decide.stored_form import CatalogueRecord, load_record, unpack_features, unpack_guardrails
from recommender.learn.shown_policy import SHOWN_POLICY_EVENT, logged_item_propensity, shown_policies, top1_propensity
from recommender.simulate.population import SimulatedData
from recommender.simulate.simulated_log import SYNTHETIC_JOBCENTER

OUTCOME_WINDOW_DAYS = 182
OUTCOME_KIND = "job_found"
REJECTED = "rejected"  # a counsellor rejected the item: the advice was not given, so it is no training row
DEFAULT_PARTITIONS = 16
_TOMBSTONE_KEY = "purged"
_NO_ROWS = ("no usable logged decisions: {decisions} decisions read, {skipped} skipped ({reasons}); "
            "decisions need a closed outcome window of {window} days before {as_of:%Y-%m-%d}")

Progress = Callable[[int, int, str], None]


class TrainingDataError(ValueError):
    """The log holds nothing that can be trained on (the message says why)."""


@dataclass
class LoggedData:
    """Logged training rows, one per shown item (or one "no advice" row per empty decision).

    ``action`` uses the model's module codes: 0 = no advice, ``j + 1`` = ``module_ids[j]``.
    ``top1_propensity`` is the probability that the logging policy put this row's module at
    rank 1 (NaN for rows not at rank 1); off-policy evaluation of a top-1 policy uses it.
    """

    module_ids: list[str]
    features: np.ndarray  # (n, len(ALLOWED_FEATURES)) float32
    action: np.ndarray  # (n,) int16
    propensity: np.ndarray  # (n,) float32, P(shown) as logged
    outcome: np.ndarray  # (n,) int8
    rank: np.ndarray  # (n,) int16, 0 for "no advice"
    exploration: np.ndarray  # (n,) bool, the decision was in the exploration slice
    needs_review: np.ndarray  # (n,) bool, the item needed a counsellor's approval
    review_state: np.ndarray  # (n,) object
    logged_uplift: np.ndarray  # (n,) float32, the logging model's uplift (NaN under rules)
    decision_id: np.ndarray  # (n,) object
    pseudonym: np.ndarray  # (n,) object
    model_version: np.ndarray  # (n,) object
    decided_at: np.ndarray  # (n,) datetime64[s]
    top1_propensity: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))
    arm: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))  # logged arm, "" = old log
    # who reported the outcome in the window (job_seeker, counsellor, case_management, ...), "" = none
    outcome_source: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    # (n, M) float32: the logged P(shown) of every module for the row's decision, NaN = old log
    # (``recommender.learn.shown_policy``).
    shown_probability: np.ndarray | None = None
    # (n, M) bool from the decision's logged guardrails; only read with ``with_eligibility``.
    eligible: np.ndarray | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.action.shape[0])

    @property
    def n_decisions(self) -> int:
        return int(len(pd.unique(self.decision_id)))

    def exploration_share(self) -> float:
        """Share of training rows from the exploration slice (the feedback-loop check, G16)."""
        return float(self.exploration.mean()) if self.n else 0.0

    def simulated(self) -> bool:
        """Whether any decision read came from the simulator (its SYNTHETIC Jobcenter), not from real use."""
        return bool(self.stats.get("simulated_decisions", 0))

    def as_training_data(self, name: str = LOGS_SCENARIO) -> SimulatedData:
        """The same rows in the container ``recommender.learn.train.fit`` takes.

        Logged data has no oracle: ``p0`` is NaN and ``tau`` is a read-only broadcast view (no
        memory), which ``fit`` never reads. ``eligible`` is the logged guardrail outcome when it
        was extracted (``fit`` compares each module with the no-advice people eligible for it),
        else "everybody eligible". A log holding any simulated decision is marked synthetic.
        """
        m = len(self.module_ids)
        eligible = self.eligible if self.eligible is not None else np.broadcast_to(np.True_, (self.n, m))
        return SimulatedData(
            scenario=name, seed=0, module_ids=list(self.module_ids), features=self.features,
            eligible=eligible, action=self.action, propensity=self.propensity,
            outcome=self.outcome, p0=np.full(self.n, np.nan, dtype=np.float32),
            tau=np.broadcast_to(np.float32(np.nan), (self.n, m)), protected={}, synthetic=self.simulated(),
        )


def partition_bounds(partitions: int) -> list[tuple[str | None, str | None]]:
    """Split the hex decision-id space into *partitions* contiguous ranges ``[lo, hi)``."""
    if not 1 <= partitions <= 256:
        raise ValueError(f"partitions must be between 1 and 256, got {partitions}")
    cuts = [format(i * 256 // partitions, "02x") for i in range(1, partitions)]
    lows: list[str | None] = [None, *cuts]
    highs: list[str | None] = [*cuts, None]
    return list(zip(lows, highs, strict=True))


def _id_range(column: Any, lo: str | None, hi: str | None) -> Any:
    conditions = []
    if lo is not None:
        conditions.append(column >= lo)
    if hi is not None:
        conditions.append(column < hi)
    return and_(*conditions) if conditions else None


@dataclass(frozen=True)
class ExtractConfig:
    """What counts as a training row; every default is documented in docs/data-science.md."""

    window_days: int = OUTCOME_WINDOW_DAYS
    as_of: datetime | None = None  # default: now
    max_age_days: int | None = None  # only decisions younger than this (e.g. the retention period)
    # The rate an *old* log's policy ran with (LOTSE_EXPLORATION_RATE); newer decisions log theirs.
    exploration_rate: float = 0.1
    partitions: int = DEFAULT_PARTITIONS
    # Also rebuild which modules each decision could offer, from its logged guardrails (for OPE).
    with_eligibility: bool = False
    # The time split (``recommender.learn.time_split``): train on decisions before, evaluate from.
    decided_before: datetime | None = None
    decided_from: datetime | None = None

    def cutoff(self) -> datetime:
        return as_utc(self.as_of or datetime.now(UTC)) - timedelta(days=self.window_days)

    def oldest(self) -> datetime | None:
        if self.max_age_days is None:
            return None
        return as_utc(self.as_of or datetime.now(UTC)) - timedelta(days=self.max_age_days)


def _decision_filter(config: ExtractConfig, lo: str | None, hi: str | None) -> list[Any]:
    conditions: list[Any] = [
        col(JobSeeker.erased_at).is_(None),
        JobSeeker.objection_active == false(),
        Decision.created_at <= config.cutoff(),
        Decision.feature_set_version == FEATURE_SET_VERSION,
    ]
    oldest = config.oldest()
    if oldest is not None:
        conditions.append(Decision.created_at >= oldest)
    if config.decided_before is not None:
        conditions.append(Decision.created_at < config.decided_before)
    if config.decided_from is not None:
        conditions.append(Decision.created_at >= config.decided_from)
    id_range = _id_range(Decision.id, lo, hi)
    if id_range is not None:
        conditions.append(id_range)
    return conditions


def decision_time_range(engine: Engine, config: ExtractConfig) -> tuple[datetime, datetime] | None:
    """First and last decision time that *config* would read (None if it reads nothing)."""
    query = (select(func.min(Decision.created_at), func.max(Decision.created_at))
             .join(JobSeeker, col(JobSeeker.id) == Decision.job_seeker_id).where(*_decision_filter(config, None, None)))
    with engine.connect() as connection:
        first, last = connection.execute(query).one()
    return None if first is None else (as_utc(first), as_utc(last))


def read_partition(engine: Engine, lo: str | None, hi: str | None, config: ExtractConfig,
                   module_ids: list[str]) -> dict[str, Any]:
    """Read one partition of the log into plain numpy columns (picklable, for Dask workers too)."""
    conditions = _decision_filter(config, lo, hi)
    decision_q = (select(col(Decision.id), col(Decision.job_seeker_id), col(JobSeeker.pseudonym),
                         col(Decision.created_at), col(Decision.features), col(Decision.exploration),
                         col(Decision.model_version), col(Decision.mode), col(Decision.record_digest),
                         *((col(Decision.guardrails),) if config.with_eligibility else ()))
                  .join(JobSeeker, col(JobSeeker.id) == Decision.job_seeker_id).where(*conditions))
    item_q = (select(col(DecisionItem.decision_id), col(DecisionItem.module_id), col(DecisionItem.rank),
                     col(DecisionItem.propensity), col(DecisionItem.uplift), col(DecisionItem.review_state))
              .join(Decision, col(Decision.id) == DecisionItem.decision_id)
              .join(JobSeeker, col(JobSeeker.id) == Decision.job_seeker_id).where(*conditions))
    policy_q = (select(col(Event.decision_id), col(Event.outputs)).join(Decision, col(Decision.id) == Event.decision_id)
                .join(JobSeeker, col(JobSeeker.id) == Decision.job_seeker_id)
                .where(col(Event.event_type) == SHOWN_POLICY_EVENT, *conditions))
    outcome_q = (select(col(Outcome.job_seeker_id), col(Outcome.occurred_on), col(Outcome.reported_by)).distinct()
                 .join(Decision, col(Decision.job_seeker_id) == Outcome.job_seeker_id)
                 .join(JobSeeker, col(JobSeeker.id) == Decision.job_seeker_id)
                 .where(col(Outcome.kind) == OUTCOME_KIND, *conditions))
    simulated_q = (select(func.count()).select_from(Decision)
                   .join(JobSeeker, col(JobSeeker.id) == Decision.job_seeker_id)
                   .join(Jobcenter, col(Jobcenter.id) == JobSeeker.jobcenter_id)
                   .where(col(Jobcenter.code) == SYNTHETIC_JOBCENTER, *conditions))
    with engine.connect() as connection:
        # The compact stored form (issue 16) unpacked with the decision's shared record.
        decisions = [_unpacked(r, load_record(connection, r[8]), config.with_eligibility)
                     for r in connection.execute(decision_q)]
        items = connection.execute(item_q).all()
        outcomes = connection.execute(outcome_q).all()
        simulated = int(connection.execute(simulated_q).scalar_one())
        policies = connection.execute(policy_q).all()
    part = _assemble(decisions, items, outcomes, policies, config, module_ids)
    part["stats"]["simulated_decisions"] = simulated
    return part


def _unpacked(row: Any, record: CatalogueRecord | None, with_eligibility: bool) -> tuple[Any, ...]:
    """A decision row with full features and, where read, guardrails (``[8]``; the digest is dropped)."""
    head = (*row[:4], unpack_features(row[4], record), *row[5:8])
    return (*head, unpack_guardrails(row[9], record)) if with_eligibility else head


def _feature_matrix(payloads: list[dict[str, Any]]) -> np.ndarray:
    frame = pd.DataFrame.from_records(payloads, columns=list(ALLOWED_FEATURES))
    return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float32, na_value=np.nan)


def _assemble(decisions: Sequence[Any], items: Sequence[Any], outcomes: Sequence[Any], policies: Sequence[Any],
              config: ExtractConfig, module_ids: list[str]) -> dict[str, Any]:
    stats = {"decisions_read": len(decisions), "purged": 0, "unknown_module_items": 0, "rejected_items": 0}
    kept = [row for row in decisions if not (isinstance(row[4], dict) and row[4].get(_TOMBSTONE_KEY))]
    stats["purged"] = len(decisions) - len(kept)
    if not kept:
        return _empty_partition(stats, len(module_ids), config.with_eligibility)
    d = pd.DataFrame({
        "decision_id": [r[0] for r in kept], "job_seeker_id": [r[1] for r in kept],
        "pseudonym": [r[2] for r in kept],
        "decided_at": pd.to_datetime([as_utc(r[3]) for r in kept], utc=True),
        "exploration": [bool(r[5]) for r in kept], "model_version": [r[6] for r in kept],
    })
    features = _feature_matrix([r[4] or {} for r in kept]) if kept else np.empty((0, len(ALLOWED_FEATURES)),
                                                                                    dtype=np.float32)
    d["row"] = np.arange(len(d))
    shown_probability, d["arm"] = shown_policies(policies, list(d["decision_id"]), module_ids,
                                                 [(r[0], r[1], r[3]) for r in items])
    codes = {m: j + 1 for j, m in enumerate(module_ids)}
    # Plain tuples and set lookups: pandas' isin on string columns and Row attribute probing
    # dominated the read time at a million rows.
    it = pd.DataFrame.from_records([tuple(r) for r in items],
                                   columns=["decision_id", "module_id", "rank", "propensity", "uplift", "review_state"])
    known = np.fromiter((m in codes for m in it["module_id"]), dtype=bool, count=len(it))
    stats["unknown_module_items"] = int((~known).sum())
    given = (it["review_state"] != REJECTED).to_numpy(bool)
    stats["rejected_items"] = int((known & ~given).sum())
    kept_ids = set(d["decision_id"])
    it = it[known & given & np.fromiter((x in kept_ids for x in it["decision_id"]), dtype=bool, count=len(it))]
    shown = set(it["decision_id"])
    no_items = np.fromiter((x not in shown for x in d["decision_id"]), dtype=bool, count=len(d))
    empty = d.loc[no_items, ["decision_id"]].assign(
        module_id=None, rank=0, propensity=1.0, uplift=np.nan, review_state="none")
    rows = pd.concat([it, empty], ignore_index=True) if len(empty) else it.reset_index(drop=True)
    rows = rows.merge(d, on="decision_id", how="inner").sort_values(["decision_id", "rank"], kind="stable")
    rows = rows.reset_index(drop=True)
    rows["action"] = rows["module_id"].map(codes).fillna(0).astype(np.int16)
    rows["outcome"], rows["outcome_source"] = _outcome_in_window(rows, outcomes, config.window_days)
    rows["needs_review"] = ~rows["review_state"].isin(["not_required", "none"])
    rows["top1_propensity"] = top1_propensity(rows, config.exploration_rate)
    shown_probability = shown_probability[rows["row"].to_numpy()]
    eligible = None
    if config.with_eligibility:
        eligible = _eligibility([r[8] for r in kept], module_ids)[rows["row"].to_numpy()]
    return {
        "eligible": eligible,
        "features": features[rows["row"].to_numpy()] if len(rows) else features[:0],
        "action": rows["action"].to_numpy(np.int16),
        "propensity": logged_item_propensity(rows["action"].to_numpy(), rows["propensity"].astype(float).to_numpy(),
                                             shown_probability),
        "shown_probability": shown_probability, "arm": rows["arm"].to_numpy(object),
        "outcome": rows["outcome"].to_numpy(np.int8), "outcome_source": rows["outcome_source"].to_numpy(object),
        "rank": rows["rank"].to_numpy(np.int16),
        "exploration": rows["exploration"].to_numpy(bool),
        "needs_review": rows["needs_review"].to_numpy(bool),
        "review_state": rows["review_state"].to_numpy(object),
        "logged_uplift": rows["uplift"].astype(float).to_numpy(np.float32),
        "decision_id": rows["decision_id"].to_numpy(object),
        "pseudonym": rows["pseudonym"].to_numpy(object),
        "model_version": rows["model_version"].to_numpy(object),
        "decided_at": rows["decided_at"].dt.tz_localize(None).to_numpy("datetime64[s]"),
        "top1_propensity": rows["top1_propensity"].to_numpy(np.float32),
        "stats": stats,
    }


def _empty_partition(stats: dict[str, int], modules: int, with_eligibility: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "features": np.empty((0, len(ALLOWED_FEATURES)), dtype=np.float32), "action": np.empty(0, np.int16),
        "propensity": np.empty(0, np.float32), "outcome": np.empty(0, np.int8), "rank": np.empty(0, np.int16),
        "exploration": np.empty(0, bool), "needs_review": np.empty(0, bool), "review_state": np.empty(0, object),
        "logged_uplift": np.empty(0, np.float32), "decision_id": np.empty(0, object), "pseudonym": np.empty(0, object),
        "model_version": np.empty(0, object), "decided_at": np.empty(0, "datetime64[s]"),
        "top1_propensity": np.empty(0, np.float32), "stats": stats, "arm": np.empty(0, object),
        "shown_probability": np.empty((0, modules), np.float32), "outcome_source": np.empty(0, object),
        "eligible": np.empty((0, modules), bool) if with_eligibility else None,
    }
    return out


def _eligibility(guardrails: list[Any], module_ids: list[str]) -> np.ndarray:
    """Modules a decision could offer: all but those a logged rule found ineligible or filtered.

    Modules without rules have no guardrail entry and are always eligible, so eligibility is
    "not blocked" rather than "has a passing rule".
    """
    codes = {m: j for j, m in enumerate(module_ids)}
    out = np.ones((len(guardrails), len(module_ids)), dtype=bool)
    for i, entries in enumerate(guardrails):
        for entry in entries or ():
            if entry.get("outcome") in ("ineligible", "filtered"):
                j = codes.get(entry.get("module_id"))
                if j is not None:
                    out[i, j] = False
    return out


def _outcome_in_window(rows: pd.DataFrame, outcomes: Sequence[Any], window_days: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Label per row (a job found within the window) and who reported it ("" = no outcome)."""
    source = np.full(len(rows), "", dtype=object)
    if not len(rows) or not outcomes:
        return np.zeros(len(rows), dtype=np.int8), source
    found = pd.DataFrame(outcomes, columns=["job_seeker_id", "occurred_on", "reported_by"])
    found["occurred_on"] = pd.to_datetime(found["occurred_on"], utc=True)
    keyed = rows[["job_seeker_id", "decided_at"]].reset_index().merge(found, on="job_seeker_id", how="inner")
    start = keyed["decided_at"].dt.floor("D")
    hit = (keyed["occurred_on"] >= start) & (keyed["occurred_on"] <= start + pd.Timedelta(days=window_days))
    out = np.zeros(len(rows), dtype=np.int8)
    out[keyed.loc[hit, "index"].to_numpy()] = 1
    source[keyed.loc[hit, "index"].to_numpy()] = keyed.loc[hit, "reported_by"].to_numpy(object)
    return out, source


def combine(parts: list[dict[str, Any]], module_ids: list[str]) -> LoggedData:
    """Concatenate partitions (in id order) into one :class:`LoggedData`."""
    keys = [k for k in LoggedData.__dataclass_fields__
            if k not in ("module_ids", "stats", "eligible", "shown_probability")]
    stats: dict[str, Any] = {"decisions_read": 0, "purged": 0, "unknown_module_items": 0, "rejected_items": 0,
                             "simulated_decisions": 0}
    for part in parts:
        for key, value in part["stats"].items():
            stats[key] += value
    arrays = {key: np.concatenate([p[key] for p in parts]) if parts else np.empty(0) for key in keys}
    if not parts:
        arrays["features"] = np.empty((0, len(ALLOWED_FEATURES)), dtype=np.float32)
    eligible = None
    if parts and all(p.get("eligible") is not None for p in parts):
        eligible = np.concatenate([p["eligible"] for p in parts])
    shown = (np.concatenate([p["shown_probability"] for p in parts]) if parts
             else np.empty((0, len(module_ids)), np.float32))
    return LoggedData(module_ids=list(module_ids), stats=stats, eligible=eligible, shown_probability=shown, **arrays)


def extract_training_data(engine: Engine, module_ids: list[str], config: ExtractConfig | None = None, *,
                          progress: Progress | None = None) -> LoggedData:
    """Build the training set from the logged decisions, items and outcomes in *engine*.

    Parameters
    ----------
    engine : Engine
        The app database (SQLite or PostgreSQL), migrated.
    module_ids : list of str
        Catalogue module ids in model column order; items of other modules are skipped.
    config : ExtractConfig, optional
        Outcome window, reference date, retention limit, partitions.
    progress : callable, optional
        ``progress(done, total, text)`` after each partition.

    Returns
    -------
    LoggedData

    Raises
    ------
    TrainingDataError
        If no row can be used; the message says how many decisions were read and skipped.
    """
    config = config or ExtractConfig()
    parts = []
    bounds = partition_bounds(config.partitions)
    for index, (lo, hi) in enumerate(bounds, start=1):
        parts.append(read_partition(engine, lo, hi, config, module_ids))
        if progress is not None:
            progress(index, len(bounds), "reading logged decisions")
    data = combine(parts, module_ids)
    sources, counts = np.unique(data.outcome_source[data.outcome == 1].astype(str), return_counts=True)
    data.stats.update({"rows": data.n, "decisions": data.n_decisions, "window_days": config.window_days,
                       "outcomes_by_source": dict(zip(sources.tolist(), counts.tolist(), strict=True)),
                       "cutoff": config.cutoff().isoformat(), "exploration_share": round(data.exploration_share(), 4),
                       "outcome_rate": round(float(data.outcome.mean()), 4) if data.n else None})
    if data.n == 0:
        skipped = data.stats["purged"]
        raise TrainingDataError(_NO_ROWS.format(decisions=data.stats["decisions_read"], skipped=skipped,
                                                reasons=f"{skipped} purged by retention", window=config.window_days,
                                                as_of=as_utc(config.as_of or datetime.now(UTC))))
    return data
