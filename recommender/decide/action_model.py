"""Every action booster joined into one multiclass LightGBM model, so one call scores all modules.

Scoring one person called ``Booster.predict`` once per module: a dozen or more calls whose
Python wrapper costs 30-70 µs each, while the depth-1 trees themselves cost almost nothing
(issue 16). LightGBM computes a multiclass model's raw score and ``pred_contrib`` for each
class from that class's trees alone (tree *i* belongs to class *i* mod K), so the action
boosters' trees, interleaved as the classes of one model, give in one call exactly the figures
each booster gives alone; the tests compare them bit for bit. A booster with fewer trees is
padded with one-leaf trees of value 0, which add nothing to a score or a contribution.

Built in memory when a model is loaded; the stored file keeps one LightGBM text model per
section (docs/recommender.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

# LightGBM's own text for a tree with one leaf (what it writes for a booster that learnt nothing).
_PADDING_TREE = "\n".join([
    "num_leaves=1", "num_cat=0", "split_feature=", "split_gain=", "threshold=", "decision_type=",
    "left_child=", "right_child=", "leaf_value=0", "leaf_weight=", "leaf_count=0", "internal_value=",
    "internal_weight=", "internal_count=", "is_linear=0", "shrinkage=1",
])


def _header_and_trees(text: str) -> tuple[list[str], list[str]]:
    """A one-class LightGBM text model's header lines and its trees (each without its ``Tree=i`` line)."""
    header, found, rest = text.partition("\nTree=")
    if not found or "end of trees" not in rest:
        raise ValueError("a LightGBM text model without trees")
    blocks = ("Tree=" + rest.partition("end of trees")[0]).split("Tree=")[1:]
    return header.splitlines(), [block.partition("\n")[2].strip("\n") for block in blocks]


def _multiclass_header(header: list[str], classes: int) -> str:
    """The header of one booster, rewritten for *classes* classes.

    The objective is never applied (raw scores and contributions only), but LightGBM reads the
    number of classes from it too; without ``tree_sizes`` it parses the trees one after another.
    """
    replaced = {"num_class": f"num_class={classes}", "num_tree_per_iteration": f"num_tree_per_iteration={classes}",
                "objective": f"objective=multiclass num_class:{classes}", "tree_sizes": None}
    lines = [replaced.get(line.partition("=")[0], line) for line in header]
    return "\n".join(line for line in lines if line is not None)


def _header_value(header: list[str], key: str) -> str | None:
    """The value of a header line ``key=value``; None without one."""
    return next((line.partition("=")[2] for line in header if line.partition("=")[0] == key), None)


@dataclass(frozen=True)
class ActionModel:
    """The action boosters as the classes of one LightGBM model; ``index`` maps a module to its class."""

    booster: lgb.Booster
    index: dict[str, int]

    @classmethod
    def join(cls, texts: dict[str, str]) -> ActionModel | None:
        """One model from the action boosters' texts (module id -> one-class LightGBM text); None without any.

        Raises ValueError when the boosters do not read the same features, or average their
        trees (a random forest: padding would change the divisor).
        """
        if not texts:
            return None
        parts = {module_id: _header_and_trees(text) for module_id, text in texts.items()}
        headers = [header for header, _ in parts.values()]
        if len({_header_value(header, "feature_names") for header in headers}) != 1:
            raise ValueError("the action boosters read different features")
        if any(_header_value(header, "average_output") is not None for header in headers):
            raise ValueError("the action boosters average their trees")
        if len(parts) == 1:
            return cls(lgb.Booster(model_str=next(iter(texts.values()))), {next(iter(texts)): 0})
        trees = [module_trees for _, module_trees in parts.values()]
        depth = max(len(module_trees) for module_trees in trees)
        body = "".join(
            f"Tree={iteration * len(trees) + k}\n"
            f"{module_trees[iteration] if iteration < len(module_trees) else _PADDING_TREE}\n\n"
            for iteration in range(depth) for k, module_trees in enumerate(trees))
        text = f"{_multiclass_header(headers[0], len(trees))}\n\n{body}end of trees\n"
        return cls(lgb.Booster(model_str=text), {module_id: k for k, module_id in enumerate(parts)})

    def figures(self, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For one row: each action's raw margin, shape (K,), and its ``pred_contrib``, shape (K, features + 1)."""
        raw = np.asarray(self.booster.predict(row, raw_score=True, num_threads=1)).reshape(-1)
        contributions = np.asarray(self.booster.predict(row, pred_contrib=True, num_threads=1))
        return raw, contributions.reshape(len(self.index), -1)
