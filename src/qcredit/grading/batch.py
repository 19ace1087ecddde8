"""Set-based grading: the rule set compiled to one SQL statement (SPEC §4, issue "Grading in
the database").

The facts of :mod:`qcredit.rules.facts` are declarative (a kind, field conditions, a window),
so each becomes one aggregate over the archive: ``string_agg(id) FILTER (WHERE …)`` gives both
"does it hold" (not NULL) and its evidence. The criteria and the grade ladder become boolean
expressions over those columns: the database reads every record once and Python never
touches a row (:meth:`Compiler.select`).

On PostgreSQL a full regrade first runs :meth:`Compiler.check`, which builds no evidence text:
one parallel aggregate yields per enterprise a bit mask of the facts that hold and an
order-independent checksum of the evidence (``bit_or``/``bit_xor``/``count``, which PostgreSQL
aggregates partially in its parallel workers; ``string_agg`` it cannot), and the criteria are
computed once per distinct mask. Only the enterprises whose result differs from their current
one go through :meth:`Compiler.select` (grading.services).

The single-enterprise path (:func:`qcredit.rules.evaluate.evaluate`) evaluates the very same
fact and criterion objects in Python; tests hold the two to identical results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from qcredit.rules.dates import add_years
from qcredit.rules.evaluate import GRADES
from qcredit.rules.model import (
    EXPIRED,
    FAILED,
    LICENCE_STATES,
    PENDING,
    RECTIFYING,
    REVOKED,
    SUSPENDED,
    VALID,
    And,
    Attribute,
    Below,
    Consecutive,
    Eq,
    EstablishedFor,
    Exists,
    Expr,
    Fact,
    GradeIn,
    HonourIn,
    In,
    LicenceIn,
    NonBlank,
    Not,
    Or,
)
from qcredit.rules.ruleset import RuleSet

assert GRADES == ("A", "B", "C", "D", "N")


@dataclass
class Dialect:
    vendor: str

    @property
    def postgres(self) -> bool:
        return self.vendor == "postgresql"

    def id_list(self, column: str) -> str:
        """An aggregate that lists ids as text, comma-separated (NULL over no rows)."""
        if self.postgres:
            return f"string_agg({column}::text, ',')"
        return f"group_concat({column}, ',')"

    def text_order(self, column: str) -> str:
        # Code-point order in both engines, the order Python uses for str.
        return f'{column} COLLATE "C"' if self.postgres else column

    def date(self, value: date) -> object:
        return value if self.postgres else value.isoformat()

    def evidence_text(self, pairs: list[tuple[str, str]]) -> str:
        """``FACT=id,id;FACT=id`` over the non-NULL columns (see grading.models.Evaluation);
        ``'x' || NULL`` is NULL in both engines, so absent facts vanish."""
        if not pairs:
            return "''"
        if self.postgres:  # concat() skips NULLs and builds the result once
            return self.concat([f"'{k}=' || {v} || ';'" for k, v in pairs])
        return " || ".join(f"COALESCE('{k}=' || {v} || ';', '')" for k, v in pairs)

    def concat(self, parts: list[str]) -> str:
        """Text concatenation; on PostgreSQL one concat() call instead of a chain of ``||``,
        which would copy the growing string once per part (100 parts × 10⁵ rows)."""
        if self.postgres:
            # concat() takes at most 100 arguments
            chunks = [f"concat({', '.join(parts[i:i + 90])})" for i in range(0, len(parts), 90)]
            return chunks[0] if len(chunks) == 1 else f"concat({', '.join(chunks)})"
        return " || ".join(parts)


@dataclass
class Query:
    """Named ``%(pN)s`` parameters (the compiled layers nest, so positions would not do)."""

    dialect: Dialect
    params: dict = field(default_factory=dict)

    def param(self, value: object) -> str:
        if isinstance(value, date):
            value = self.dialect.date(value)
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


def _condition_sql(cond, q: Query, alias: str) -> str:
    col = f'{alias}."{cond.field}"'
    if isinstance(cond, Eq):
        return f"{col} = {q.param(cond.value)}"
    if isinstance(cond, In):
        return f"{col} IN ({', '.join(q.param(v) for v in cond.values)})"
    if isinstance(cond, Below):
        return f"{col} < {q.param(cond.bound)}"
    if isinstance(cond, NonBlank):
        return f"TRIM(COALESCE({col}, '')) <> ''"
    raise TypeError(cond)


def _and(*parts: str) -> str:
    """Conjunction of the non-empty ``parts`` (TRUE if none)."""
    return " AND ".join(p for p in parts if p) or "TRUE"


def _column(fact: Fact) -> str:
    return f"f_{fact.name}"


class Compiler:
    """Compiles a rule set for one ``as_of`` into the batch grading query."""

    def __init__(self, ruleset: RuleSet, as_of: date, dialect: Dialect):
        self.ruleset = ruleset
        self.as_of = as_of
        self.dialect = dialect
        self.values = ruleset.parameter_values(as_of)
        self.facts = ruleset.facts()

    def _window_sql(self, window, q: Query, alias: str = "r") -> str:
        if window is None:
            return ""
        return f' AND {alias}."date" > {q.param(window.after(self.as_of, self.values))}'

    def _licence_state_sql(self, q: Query, value: dict[str, str], otherwise: str) -> str:
        """The state on ``as_of`` of the licence whose newest record is ``r`` (SPEC §4.1,
        :func:`qcredit.rules.evaluate.licence_state`), as ``value[state]``; ``otherwise`` for a
        status the rules do not know."""
        a = q.param
        return (
            f"CASE WHEN r.status = {a('valid')} THEN CASE"
            f" WHEN r.valid_from IS NOT NULL AND {a(self.as_of)} < r.valid_from THEN {value[PENDING]}"
            f" WHEN r.valid_to IS NOT NULL AND {a(self.as_of)} > r.valid_to THEN {value[EXPIRED]} ELSE {value[VALID]} END"
            f" WHEN r.status = {a('rectifying')} THEN CASE"
            f" WHEN r.rectify_by IS NULL OR {a(self.as_of)} <= r.rectify_by THEN {value[RECTIFYING]} ELSE {value[FAILED]} END"
            f" WHEN r.status = {a('rectification_failed')} THEN {value[FAILED]}"
            f" WHEN r.status = {a('revoked')} THEN {value[REVOKED]} WHEN r.status = {a('suspended')} THEN {value[SUSPENDED]}"
            f" ELSE {otherwise} END"
        )

    def _after_sql(self, after: date | None, q: Query) -> str:
        return "" if after is None else f'r."date" > {q.param(after)}'

    def _atoms(self, fact: Fact, q: Query) -> list[tuple[str, object, str, date | None]]:
        """What ``fact`` (Exists, HonourIn, the failing records of Consecutive) matches: per
        alternative, (record kind, a key of its conditions, their SQL or "" if none, the window
        start or None)."""
        if isinstance(fact, Exists):
            after = fact.window.after(self.as_of, self.values) if fact.window else None
            return [(m.kind, m.conditions, " AND ".join(_condition_sql(c, q, "r") for c in m.conditions), after)
                    for m in fact.matches]
        if isinstance(fact, HonourIn):
            sql = _and(f"r.honour_type IN ({', '.join(q.param(t) for t in fact.types)})",
                       f"(r.valid_to IS NULL OR r.valid_to >= {q.param(self.as_of)})",
                       *(_condition_sql(c, q, "r") for c in fact.conditions))
            return [("honour", ("honour", fact.types, fact.conditions), sql, None)]
        if isinstance(fact, Consecutive):
            after = fact.window.after(self.as_of, self.values) if fact.window else None
            return [(fact.kind, fact.failing, " AND ".join(_condition_sql(c, q, "r") for c in fact.failing), after)]
        raise TypeError(fact)

    def _columns(self) -> list[str]:
        """The record columns the facts read (a narrow intermediate result stays in memory)."""
        columns = ["id", "enterprise_id", "kind", '"date"', "record_id", "source"]
        for fact in self.facts:
            conditions = []
            if isinstance(fact, Exists):
                conditions = [c for m in fact.matches for c in m.conditions]
            elif isinstance(fact, HonourIn):
                columns += ["honour_type", "valid_to"]
                conditions = list(fact.conditions)
            elif isinstance(fact, LicenceIn):
                columns += ["number", "status", "valid_from", "valid_to", "rectify_by"]
            elif isinstance(fact, Consecutive):
                conditions = list(fact.failing)
            columns += [f'"{c.field}"' for c in conditions]
        return list(dict.fromkeys(columns))

    # -- the compiled statements --------------------------------------------------------------------

    @property
    def bits(self) -> dict[str, int]:
        """Fact name → its bit in the fact mask of the check query (every fact but GradeIn)."""
        return {f.name: i for i, f in enumerate(f for f in self.facts if not isinstance(f, GradeIn))}

    def checkable(self) -> bool:
        """Whether :meth:`check` can compile this rule set: PostgreSQL (its hash functions and
        ``bit_xor``) and at most 63 facts (one ``bigint`` mask; its sign bit tells an enterprise
        that is not active)."""
        return self.dialect.postgres and len(self.bits) <= 63

    def _order(self, alias: str) -> str:
        """Archive order (date, record id, source; :func:`qcredit.rules.evaluate.order_key`), the
        order of the keys in a snapshot's evidence, as in the single-enterprise path."""
        d = self.dialect
        return (f'{alias}.enterprise_id, {alias}."date", {d.text_order(f"{alias}.record_id")}, '
                f'{d.text_order(f"{alias}.source")}, {alias}.id')

    def _bit(self, fact: Fact) -> str:
        return f"{1 << self.bits[fact.name]}::bigint"

    def select(self, q: Query, enterprise_ids_sql: str | None = None) -> str:
        """The SELECT that yields, per enterprise: id, grade, holds code, evidence text."""
        return self._compile(q, enterprise_ids_sql, check=False)

    def check(self, q: Query, enterprise_ids_sql: str | None = None) -> str:
        """The SELECT that yields, per enterprise: id, grade, holds code and the checksum of its
        evidence (:func:`evidence_hash_sql` of the evidence text :meth:`select` would build),
        without building any evidence text: phase 1 of a regrade (grading.services)."""
        assert self.checkable()
        return self._compile(q, enterprise_ids_sql, check=True)

    def _compile(self, q: Query, enterprise_ids_sql: str | None, check: bool) -> str:
        d = self.dialect
        as_of = q.param(self.as_of)
        enterprise_filter = f" AND r.enterprise_id IN ({enterprise_ids_sql})" if enterprise_ids_sql else ""
        current = (f"r.superseded_at IS NULL AND r.withdrawn = {q.param(False)} AND r.\"date\" <= {as_of}"
                   f"{enterprise_filter}")
        all_current = f"SELECT {', '.join(f'r.{c}' for c in self._columns())} FROM archive_record r WHERE {current}"

        exists = [f for f in self.facts if isinstance(f, Exists | HonourIn)]
        licence = [f for f in self.facts if isinstance(f, LicenceIn)]
        consecutive = [f for f in self.facts if isinstance(f, Consecutive)]

        # What each fact matches, as (kind, conditions, window start) per kind of record it reads.
        # The archive is read once; only records that some fact matches are kept (most records —
        # passed samplings and inspections, full pass rates — match none), each tested against
        # the conditions of its own kind only.
        atoms = {fact.name: self._atoms(fact, q) for fact in [*exists, *consecutive]}
        kept: dict[str, dict[object, tuple[str, date | None]] | None] = {}
        for fact in [*exists, *consecutive]:
            for kind, key, sql, after in atoms[fact.name]:
                if kept.get(kind, {}) is None:
                    continue
                known = kept.setdefault(kind, {}).get(key)
                if known:  # the same conditions for another window: the wider one
                    after = None if known[1] is None or after is None else min(known[1], after)
                kept[kind][key] = (sql, after)
        if licence:
            kept["licence"] = None
        prefilter = ""
        if kept:
            whens = []
            for kind, conds in kept.items():
                test = "TRUE" if conds is None else " OR ".join(
                    f"({_and(sql, self._after_sql(after, q))})" for sql, after in conds.values())
                whens.append(f"WHEN {q.param(kind)} THEN {test}")
            prefilter = f" AND CASE r.kind {' '.join(whens)} ELSE FALSE END"

        def fact_sql(fact: Fact, kind: str | None = None) -> str:
            """The records ``fact`` matches (of ``kind`` only, tested by the caller, if given)."""
            tests = [_and(sql, self._after_sql(after, q)) if kind else
                     _and(f"r.kind = {q.param(k)}", sql, self._after_sql(after, q))
                     for k, _, sql, after in atoms[fact.name] if kind in (None, k)]
            return " OR ".join(f"({t})" for t in tests)

        order = f'r."date" DESC, {d.text_order("r.record_id")} DESC, {d.text_order("r.source")} DESC'
        ctes: list[str] = []
        joins: list[str] = []
        if check:
            # One parallel aggregate over the archive, per enterprise: the mask of the facts its
            # records satisfy and the checksum of their (fact, key) pairs, each record's part
            # computed per kind by the scan; the failing records of each Consecutive fact; the
            # licence records, and if there is one, the mask and checksum of its state.
            kinds = list(dict.fromkeys(a[0] for fact in exists for a in atoms[fact.name]))
            masks, hashes = [], []
            for kind in kinds:
                facts = [(f, fact_sql(f, kind)) for f in exists if any(a[0] == kind for a in atoms[f.name])]
                masks.append(f"WHEN {q.param(kind)} THEN " + " | ".join(
                    f"(CASE WHEN {c} THEN {self._bit(f)} ELSE 0 END)" for f, c in facts))
                hashes.append(f"WHEN {q.param(kind)} THEN " + " # ".join(
                    f"(CASE WHEN {c} THEN {_hash('r.id', f)} ELSE 0 END)" for f, c in facts))
            cols = [f"bit_or(CASE r.kind {' '.join(masks)} ELSE 0 END) AS m" if masks else "0::bigint AS m",
                    f"bit_xor(CASE r.kind {' '.join(hashes)} ELSE 0 END) AS h" if hashes else "0::bigint AS h"]
            cols += [f"count(*) FILTER (WHERE {fact_sql(f)}) AS n_run{i}" for i, f in enumerate(consecutive)]
            if licence:
                lic_mask, lic_hash = self._licence_check_sql(q, licence)
                is_licence = f"r.kind = {q.param('licence')}"
                cols += [f"count(*) FILTER (WHERE {is_licence}) AS n_lic",
                         f"bit_or({lic_mask}) FILTER (WHERE {is_licence}) AS lm",
                         f"bit_xor({lic_hash}) FILTER (WHERE {is_licence}) AS lh"]
            ctes.append(f"agg AS (SELECT r.enterprise_id, {', '.join(cols)} FROM archive_record r "
                        f"WHERE {current}{prefilter} GROUP BY r.enterprise_id)")
            joins.append("LEFT JOIN agg ON agg.enterprise_id = e.id")
            if licence:
                # Where an enterprise has more than one licence record, the newest of each licence
                # (DISTINCT ON, PostgreSQL), read by index.
                ctes.append(
                    f"lic AS (SELECT DISTINCT ON (r.enterprise_id, r.number) r.enterprise_id, ({lic_mask})::bigint AS m,"
                    f" ({lic_hash})::bigint AS h FROM archive_record r WHERE {current} AND {is_licence} AND "
                    f"r.enterprise_id IN (SELECT enterprise_id FROM agg WHERE n_lic > 1) "
                    f"ORDER BY r.enterprise_id, r.number, {order})")
                ctes.append("lic_agg AS (SELECT enterprise_id, bit_or(m) AS m, bit_xor(h) AS h FROM lic "
                            "GROUP BY enterprise_id)")
                joins.append("LEFT JOIN lic_agg ON lic_agg.enterprise_id = e.id")
        else:
            # One scan of the archive keeping the records some fact matches, with each record's
            # match of every fact computed in the scan itself (on PostgreSQL by the parallel
            # workers) and the columns the licence states and the evidence order need.
            kept_columns = ["id", "enterprise_id", "kind", '"date"', "record_id", "source"]
            if licence:
                kept_columns += ["number", "status", "valid_from", "valid_to", "rectify_by"]
            match_cols = [f"({fact_sql(f)}) AS m{j}" for j, f in enumerate([*exists, *consecutive])]
            ctes.append(f"r AS {'MATERIALIZED ' if d.postgres else ''}(SELECT "
                        f"{', '.join([*(f'r.{c}' for c in kept_columns), *match_cols])} FROM archive_record r "
                        f"WHERE {current}{prefilter})")
            if exists or consecutive:
                cols = [f"{d.id_list('r.id')} FILTER (WHERE r.m{j}) AS {_column(fact)}" for j, fact in enumerate(exists)]
                cols += [f"count(*) FILTER (WHERE r.m{len(exists) + i}) AS n_run{i}" for i in range(len(consecutive))]
                wanted = " OR ".join(f"r.m{j}" for j in range(len(exists) + len(consecutive)))
                # The rows reach the aggregate in archive order, so the evidence lists are in it.
                ctes.append(f"agg AS (SELECT r.enterprise_id, {', '.join(cols)} FROM (SELECT r.* FROM r WHERE {wanted}"
                            f" ORDER BY {self._order('r')}) r GROUP BY r.enterprise_id)")
                joins.append("LEFT JOIN agg ON agg.enterprise_id = e.id")
            if licence:
                state = self._licence_state_sql(q, {s: q.param(s) for s in LICENCE_STATES}, "r.status")
                ctes.append(
                    'lic AS (SELECT id, enterprise_id, "date", record_id, source, state FROM ('
                    f'SELECT r.id, r.enterprise_id, r."date", r.record_id, r.source, {state} AS state, ROW_NUMBER() OVER '
                    f"(PARTITION BY r.enterprise_id, r.number ORDER BY {order}) AS rn "
                    f"FROM r WHERE r.kind = {q.param('licence')}) newest WHERE rn = 1)"
                )
                cols = [f"{d.id_list('lic.id')} FILTER (WHERE lic.state IN "
                        f"({', '.join(q.param(s) for s in sorted(f.states))})) AS {_column(f)}" for f in licence]
                ctes.append(f"lic_agg AS (SELECT lic.enterprise_id, {', '.join(cols)} FROM "
                            f"(SELECT lic.* FROM lic ORDER BY {self._order('lic')}) lic GROUP BY lic.enterprise_id)")
                joins.append("LEFT JOIN lic_agg ON lic_agg.enterprise_id = e.id")

        for i, fact in enumerate(consecutive):
            failing = " AND ".join(_condition_sql(c, q, "r") for c in fact.failing) or "1=1"
            window = self._window_sql(fact.window, q)
            # Gaps and islands: consecutive failures share (row number − row number among failures).
            ctes.append(
                f"seq{i} AS (SELECT s.enterprise_id, s.id, s.ord_date, s.ord_id, s.ord_source, s.failing, "
                f"ROW_NUMBER() OVER (PARTITION BY s.enterprise_id ORDER BY s.ord_date, s.ord_id, s.ord_source) - "
                f"ROW_NUMBER() OVER (PARTITION BY s.enterprise_id, s.failing ORDER BY s.ord_date, s.ord_id, s.ord_source)"
                f" AS island FROM (SELECT r.enterprise_id, r.id, r.\"date\" AS ord_date, "
                f"{d.text_order('r.record_id')} AS ord_id, {d.text_order('r.source')} AS ord_source, "
                # Every record of the kind in the window counts for the order (gaps and islands), read
                # by index, only for enterprises with enough failures for a run at all.
                f"CASE WHEN {failing} THEN 1 ELSE 0 END AS failing FROM ({all_current}) r "
                f"WHERE r.kind = {q.param(fact.kind)}{window}"
                # only where enough failures exist for a run at all
                f" AND r.enterprise_id IN (SELECT enterprise_id FROM agg WHERE n_run{i} >= {q.param(fact.run)})) s)"
            )
            ctes.append(
                f"run{i} AS (SELECT enterprise_id, id, ord_date, ord_id, ord_source, "
                f"COUNT(*) OVER (PARTITION BY enterprise_id, island) AS run_length FROM seq{i} WHERE failing = 1)"
            )
            in_run = f"run_length >= {q.param(fact.run)}"
            if check:
                ctes.append(
                    f"run{i}_agg AS (SELECT enterprise_id, CASE WHEN bool_or({in_run}) THEN {self._bit(fact)} ELSE 0 END"
                    f" AS m, bit_xor(CASE WHEN {in_run} THEN {_hash('id', fact)} ELSE 0 END) AS h "
                    f"FROM run{i} GROUP BY enterprise_id)"
                )
            else:
                ctes.append(
                    f"run{i}_agg AS (SELECT enterprise_id, {d.id_list('id')} FILTER (WHERE {in_run})"
                    f" AS {_column(fact)} FROM (SELECT * FROM run{i} ORDER BY enterprise_id, ord_date, ord_id, "
                    f"ord_source, id) run GROUP BY enterprise_id)"
                )
            joins.append(f"LEFT JOIN run{i}_agg ON run{i}_agg.enterprise_id = e.id")

        where = f" WHERE e.id IN ({enterprise_ids_sql})" if enterprise_ids_sql else ""
        fence = " OFFSET 0" if d.postgres else ""

        if check:
            # -- per enterprise: one mask of the facts that hold, the checksum of the evidence ------
            masks, hashes = ["COALESCE(agg.m, 0)"], ["COALESCE(agg.h, 0)"]
            if licence:  # one licence record: its state, from the aggregate; more: the newest of each
                masks.append("(CASE WHEN agg.n_lic = 1 THEN agg.lm ELSE COALESCE(lic_agg.m, 0) END)")
                hashes.append("(CASE WHEN agg.n_lic = 1 THEN agg.lh ELSE COALESCE(lic_agg.h, 0) END)")
            for i in range(len(consecutive)):
                masks.append(f"COALESCE(run{i}_agg.m, 0)")
                hashes.append(f"COALESCE(run{i}_agg.h, 0)")
            for fact in self.facts:
                if isinstance(fact, Attribute):
                    masks.append(f"(CASE WHEN e.{fact.attribute} THEN {self._bit(fact)} ELSE 0 END)")
                elif isinstance(fact, EstablishedFor):
                    cutoff = add_years(self.as_of, -self.values[fact.years_parameter])
                    masks.append(f"(CASE WHEN e.established_on <= {q.param(cutoff)} THEN {self._bit(fact)} ELSE 0 END)")
            # The key of an enterprise's result: the mask, with the sign bit set if it is not active.
            masks.append(f"(CASE WHEN e.status <> {q.param('active')} THEN (1::bigint << 63) ELSE 0 END)")
            ctes.append(f"facts AS MATERIALIZED (SELECT e.id AS enterprise_id, ({' | '.join(masks)})::bigint AS k, "
                        f"({' # '.join(hashes)})::bigint AS h FROM archive_enterprise e {' '.join(joins)}{where})")
            # The criteria and the grade depend on the key only: they are computed once per
            # distinct key — a few thousand — not once per enterprise.
            bit_cols = [f"((c.k & {self._bit(f)}) <> 0) AS b_{f.name}" for f in self.facts if f.name in self.bits]
            layer1 = (f"SELECT c.k, CASE WHEN c.k < 0 THEN 'inactive' ELSE {q.param('active')} END AS status, "
                      f"{', '.join(bit_cols)} FROM (SELECT DISTINCT k FROM facts) c")
            graded = f"SELECT k, grade, {self._holds(q)} AS holds FROM ({self._layers(q, layer1)}{fence}) l4"
            return (f"WITH {', '.join(ctes)} SELECT f.enterprise_id, g.grade, g.holds, "
                    f"CASE WHEN f.k < 0 THEN 0 ELSE f.h END AS checksum FROM facts f JOIN ({graded}) g ON g.k = f.k")

        # -- layer 1: facts as booleans and evidence --------------------------------------------------
        fact_cols = []
        evidence_pairs = []
        for fact in self.facts:
            if isinstance(fact, Attribute):
                fact_cols.append(f"e.{fact.attribute} AS b_{fact.name}")
            elif isinstance(fact, EstablishedFor):
                cutoff = add_years(self.as_of, -self.values[fact.years_parameter])
                fact_cols.append(f"(e.established_on <= {q.param(cutoff)}) AS b_{fact.name}")
            elif isinstance(fact, GradeIn):
                continue
            else:
                fact_cols.append(f"{_column(fact)} AS {_column(fact)}")
                fact_cols.append(f"({_column(fact)} IS NOT NULL) AS b_{fact.name}")
                evidence_pairs.append((fact.name, _column(fact)))
        layer1 = (f"SELECT e.id AS enterprise_id, e.status AS status, {', '.join(fact_cols)} "
                  f"FROM archive_enterprise e {' '.join(joins)}{where}")
        evidence = f"CASE WHEN status <> {q.param('active')} THEN '' ELSE {d.evidence_text(evidence_pairs)} END"
        return (f"WITH {', '.join(ctes)} SELECT enterprise_id, grade, {self._holds(q)} AS holds, {evidence} AS evidence "
                f"FROM ({self._layers(q, layer1)}{fence}) l4")

    def _licence_check_sql(self, q: Query, licence: list[LicenceIn]) -> tuple[str, str]:
        """For a licence record ``r`` taken as the newest of its licence: the mask of the
        LicenceIn facts its state satisfies and the checksum of its (fact, key) pairs."""
        def per_state(value) -> dict[str, str]:
            return {state: value([f for f in licence if state in f.states]) for state in LICENCE_STATES}

        mask = self._licence_state_sql(q, per_state(lambda facts: f"{sum(1 << self.bits[f.name] for f in facts)}"), "0")
        hash_ = self._licence_state_sql(q, per_state(lambda facts: " # ".join(_hash("r.id", f) for f in facts) or "0"),
                                        "0")
        return f"({mask})::bigint", f"({hash_})::bigint"

    def _layers(self, q: Query, layer1: str) -> str:
        """Layers 2–4 over ``layer1`` (``status`` and a boolean ``b_<fact>`` per fact): the QCO
        criteria, the grade ladder (SPEC §4), then the SRL criteria, which may ask for the grade."""
        def expr(e: Expr) -> str:
            if isinstance(e, GradeIn):
                return f"(grade IN ({', '.join(q.param(g) for g in e.grades)}))"
            if isinstance(e, Fact):
                return f"b_{e.name}"
            if isinstance(e, Not):
                return f"(NOT {expr(e.part)})"
            if isinstance(e, And):
                return "(" + " AND ".join(expr(p) for p in e.parts) + ")"
            if isinstance(e, Or):
                return "(" + " OR ".join(expr(p) for p in e.parts) + ")"
            raise TypeError(e)

        rs = self.ruleset
        crit_cols = [f"{expr(c.condition)} AS c{i}" for i, c in enumerate(rs.criteria) if c.tier in "ABCD"]
        index = {c.id: i for i, c in enumerate(rs.criteria)}

        def any_of(tier: str) -> str:
            return " OR ".join(f"c{index[c.id]}" for c in rs.tier(tier))

        def all_of(tier: str) -> str:
            return " AND ".join(f"c{index[c.id]}" for c in rs.tier(tier))

        active = q.param("active")
        grade = (f"CASE WHEN status <> {active} THEN 'N' WHEN {any_of('D')} THEN 'D' WHEN {any_of('C')} THEN 'C'"
                 f" WHEN {all_of('A')} THEN 'A' WHEN {all_of('B')} THEN 'B' ELSE 'N' END")
        # OFFSET 0 keeps PostgreSQL from flattening the layers: flattened, every reference to a
        # criterion or the grade would repeat its whole expression.
        fence = " OFFSET 0" if self.dialect.postgres else ""
        layer2 = f"SELECT l1.*, {', '.join(crit_cols)} FROM ({layer1}{fence}) l1"
        layer3 = f"SELECT l2.*, {grade} AS grade FROM ({layer2}{fence}) l2"
        srl_cols = [f"{expr(c.condition)} AS c{index[c.id]}" for c in rs.criteria if c.tier not in "ABCD"]
        return f"SELECT l3.*{', ' if srl_cols else ''}{', '.join(srl_cols)} FROM ({layer3}{fence}) l3"

    def _holds(self, q: Query) -> str:
        """The holds code over the columns c0… of :meth:`_layers`."""
        d = self.dialect
        n = len(self.ruleset.criteria)
        if d.postgres and n <= 63:
            # One integer with a bit per criterion, printed once as a bit string: no text is
            # built per criterion.
            mask = " | ".join(f"(CASE WHEN c{i} THEN {1 << (n - 1 - i)}::bigint ELSE 0 END)" for i in range(n))
            digits = f"substr(CAST(CAST(({mask}) AS bit(64)) AS text), {64 - n + 1})"
        else:
            digits = d.concat([f"(CASE WHEN c{i} THEN '1' ELSE '0' END)" for i in range(n)])
        return f"CASE WHEN status <> {q.param('active')} THEN '{'-' * n}' ELSE {digits} END"


def _hash(key_sql: str, fact: Fact) -> str:
    """The hash of one (fact, record key) pair of a snapshot's evidence (PostgreSQL); a
    snapshot's checksum is the ``bit_xor`` of those of its pairs (:func:`evidence_hash_sql`)."""
    assert fact.name.isidentifier()
    return f"hashint8extended({key_sql}::bigint, hashtextextended('{fact.name}', 0))"


def evidence_hash_sql(column: str) -> str:
    """The checksum of stored evidence text (grading.models.Evaluation.evidence) on PostgreSQL:
    order-independent, equal to the ``checksum`` of :meth:`Compiler.check` for the same evidence.
    Kept in step with migration 0006."""
    return (f"(SELECT COALESCE(bit_xor(hashint8extended(x::bigint, hashtextextended(split_part(p, '=', 1), 0))), 0) "
            f"FROM unnest(string_to_array({column}, ';')) AS p, unnest(string_to_array(split_part(p, '=', 2), ',')) AS x "
            f"WHERE p <> '')")


def compile_select(ruleset: RuleSet, as_of: date, vendor: str, enterprise_ids_sql: str | None = None,
                   extra_params: dict | None = None) -> tuple[str, dict]:
    """(sql, named params) of the batch SELECT; ``enterprise_ids_sql`` (a subquery or a list,
    with its own named params in ``extra_params``) restricts it to some enterprises."""
    q = Query(Dialect(vendor))
    sql = Compiler(ruleset, as_of, q.dialect).select(q, enterprise_ids_sql)
    return sql, {**q.params, **(extra_params or {})}


def checkable(ruleset: RuleSet, as_of: date, vendor: str) -> bool:
    return Compiler(ruleset, as_of, Dialect(vendor)).checkable()


def compile_check(ruleset: RuleSet, as_of: date, vendor: str, enterprise_ids_sql: str | None = None,
                  extra_params: dict | None = None) -> tuple[str, dict]:
    """(sql, named params) of the check SELECT (:meth:`Compiler.check`): enterprise_id, grade,
    holds, checksum."""
    q = Query(Dialect(vendor))
    sql = Compiler(ruleset, as_of, q.dialect).check(q, enterprise_ids_sql)
    return sql, {**q.params, **(extra_params or {})}
