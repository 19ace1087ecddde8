"""Law as code: the grading criteria of QCO 三 and the red-list criteria of SRL 第八、九条.

Pure Python — no Django import — so the same code grades one enterprise on a screen, a
bundle offline, and (compiled to SQL by ``qcredit.grading.batch``) a million in a batch.
"""

from .evaluate import EnterpriseData, Evaluation, RecordData, evaluate
from .ruleset import SHIPPED, RuleSet, RuleSetError, ruleset_for

__all__ = ["SHIPPED", "EnterpriseData", "Evaluation", "RecordData", "RuleSet", "RuleSetError", "evaluate",
           "ruleset_for"]
