"""Dated parameters (SPEC §6), loaded from the YAML files beside this module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

UNIT_LABELS = {"year": "年", "month": "个月", "workday": "个工作日", "choice": ""}


class ParameterError(LookupError):
    pass


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    reference: str
    values: tuple[tuple[date, object], ...]  # sorted by effective date
    choices: tuple[str, ...] = ()

    def at(self, day: date) -> object:
        """The value in force on ``day``."""
        current = None
        found = False
        for effective, value in self.values:
            if effective <= day:
                current, found = value, True
            else:
                break
        if not found:
            raise ParameterError(f"参数 {self.name} 在 {day.isoformat()} 没有生效值")
        return current

    def describe(self, value: object) -> str:
        return f"{value}{UNIT_LABELS.get(self.unit, '')}"

    def with_value(self, effective: date, value: object) -> Parameter:
        if self.choices and value not in self.choices:
            raise ParameterError(f"参数 {self.name} 的取值只能是 {', '.join(self.choices)}")
        if self.unit in {"year", "month", "workday"} and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise ParameterError(f"参数 {self.name} 应为非负整数")
        kept = tuple((d, v) for d, v in self.values if d != effective)
        return Parameter(self.name, self.label, self.unit, self.reference,
                         tuple(sorted((*kept, (effective, value)), key=lambda dv: dv[0])), self.choices)


@dataclass(frozen=True)
class ParameterTable:
    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError(f"未定义的参数 {name}") from None

    def values_at(self, day: date) -> dict[str, object]:
        return {name: p.at(day) for name, p in self.parameters.items()}

    def with_values(self, effective: date, overrides: Mapping[str, object]) -> ParameterTable:
        table = dict(self.parameters)
        for name, value in overrides.items():
            table[name] = self[name].with_value(effective, value)
        return ParameterTable(table)


def load(path: Path) -> ParameterTable:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    table = {}
    for name, spec in raw.items():
        values = tuple(sorted(((d if isinstance(d, date) else date.fromisoformat(str(d))), v)
                              for d, v in spec["values"].items()))
        table[name] = Parameter(name, spec["label"], spec["unit"], spec["reference"], values,
                                tuple(spec.get("choices", ())))
    return ParameterTable(table)


DEFAULT_PARAMETERS = load(Path(__file__).with_name("qco-srl.yaml"))
