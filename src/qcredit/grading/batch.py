"""Set-based grading: the rule set compiled to one SQL statement (SPEC §4, issue "Grading in
the database").

The facts of :mod:`qcredit.rules.facts` are declarative (a kind, field conditions, a window),
so each becomes one aggregate over the archive: ``string_agg(id) FILTER (WHERE …)`` gives both
"does it hold" (not NULL) and its evidence. The criteria and the grade ladder become boolean
expressions over those columns, and the whole result is written with ``INSERT … SELECT``:
the database reads every record once and Python never touches a row.

The single-enterprise path (:func:`qcredit.rules.evaluate.evaluate`) evaluates the very same
fact and criterion objects in Python; tests hold the two to identical results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from qcredit.rules.dates import add_years
from qcredit.rules.evaluate import GRADES
from qcredit.rules.model import (
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
    Match,
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


def _match_sql(match: Match, q: Query, alias: str) -> str:
    parts = [f"{alias}.kind = {q.param(match.kind)}"]
    parts += [_condition_sql(c, q, alias) for c in match.conditions]
    return "(" + " AND ".join(parts) + ")"


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

    # -- the archive, read once -----------------------------------------------------------------

    @property
    def bits(self) -> dict[str, int]:
        """Fact name → its bit in the fact mask of the check query (every fact but GradeIn)."""
        return {f.name: i for i, f in enumerate(f for f in self.facts if not isinstance(f, GradeIn))}

    def checkable(self) -> bool:
        """Whether :meth:`check` can compile this rule set: PostgreSQL (its hash functions and
        ``bit_xor``) and at most 63 facts (one ``bigint`` mask)."""
        return self.dialect.postgres and len(self.bits) <= 63

    def _order(self, alias: str, date: str = '"date"', record_id: str = "record_id", source: str = "source") -> str:
        """Archive order (date, record id, source; :func:`qcredit.rules.evaluate.order_key`), the
        order of the keys in a snapshot's evidence, as in the single-enterprise path."""
        d = self.dialect
        return (f"{alias}.enterprise_id, {alias}.{date}, {d.text_order(f'{alias}.{record_id}')}, "
                f"{d.text_order(f'{alias}.{source}')}, {alias}.id")

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
        all_current = (f"SELECT {', '.join(f'r.{c}' for c in self._columns())} FROM archive_record r"
                       f" WHERE r.superseded_at IS NULL AND r.withdrawn = {q.param(False)}"
                       f' AND r."date" <= {as_of}{enterprise_filter}')
        base = all_current

        exists = [f for f in self.facts if isinstance(f, Exists | HonourIn)]
        licence = [f for f in self.facts if isinstance(f, LicenceIn)]
        consecutive = [f for f in self.facts if isinstance(f, Consecutive)]

        # The archive is read once; only records that some fact could match are kept (most
        # records — passed samplings and inspections, full pass rates — match none), so the
        # aggregates below work on a fraction of the rows.
        exists_conds: list[str] = []
        for fact in exists:
            if isinstance(fact, Exists):
                cond = " OR ".join(_match_sql(m, q, "r") for m in fact.matches)
                cond = f"({cond}){self._window_sql(fact.window, q)}"
            else:  # HonourIn
                cond = (f"r.kind = {q.param('honour')} AND r.honour_type IN "
                        f"({', '.join(q.param(t) for t in fact.types)})"
                        f" AND (r.valid_to IS NULL OR r.valid_to >= {q.param(self.as_of)})")
                for c in fact.conditions:
                    cond += " AND " + _condition_sql(c, q, "r")
            exists_conds.append(cond)
        # The prefilter is a superset of what the facts match, grouped by kind, so that each
        # record is tested against the conditions of its own kind only (windows are left to
        # the aggregates).
        by_kind: dict[str, list[str] | None] = {}

        def admit(kind: str, condition: str | None) -> None:
            if condition is None or by_kind.get(kind, []) is None:
                by_kind[kind] = None
            else:
                by_kind.setdefault(kind, []).append(condition)

        for fact in exists:
            if isinstance(fact, Exists):
                for m in fact.matches:
                    admit(m.kind, " AND ".join(_condition_sql(c, q, "r") for c in m.conditions) or None)
            else:
                admit("honour", f"r.honour_type IN ({', '.join(q.param(t) for t in fact.types)})")
        if licence:
            admit("licence", None)
        for fact in consecutive:  # failing records, counted per enterprise; the runs are found below
            admit(fact.kind, " AND ".join([*(_condition_sql(c, q, "r") for c in fact.failing),
                                           self._window_sql(fact.window, q).removeprefix(" AND ") or "TRUE"]))
        if by_kind:
            whens = " ".join(f"WHEN {q.param(kind)} THEN "
                             f"{'TRUE' if conds is None else ' OR '.join(f'({c})' for c in conds)}"
                             for kind, conds in by_kind.items())
            base += f" AND CASE r.kind {whens} ELSE FALSE END"

        # The failing records of Consecutive facts are counted, to find the enterprises that can
        # have a run at all.
        run_conds = []
        for fact in consecutive:
            cond = " AND ".join([*(_condition_sql(c, q, "r") for c in fact.failing),
                                 self._window_sql(fact.window, q).removeprefix(" AND ") or "TRUE"])
            run_conds.append(f"r.kind = {q.param(fact.kind)} AND {cond}")

        # Each record's match of every fact condition is computed in the scan itself (on
        # PostgreSQL by the parallel workers), so the aggregate only reads its result: a boolean
        # column per fact, or, for the check, one mask with a bit per fact and the checksum of
        # the record's (fact, key) pairs.
        if check:
            mask = " | ".join(f"(CASE WHEN {c} THEN {self._bit(f)} ELSE 0 END)"
                              for f, c in zip(exists, exists_conds, strict=True)) or "0"
            hashes = " # ".join(f"(CASE WHEN {c} THEN {_hash('r.id', f)} ELSE 0 END)"
                                for f, c in zip(exists, exists_conds, strict=True)) or "0"
            match_cols = [f"({mask})::bigint AS m", f"({hashes})::bigint AS h",
                          *(f"({c}) AS mr{i}" for i, c in enumerate(run_conds))]
        else:
            match_cols = [f"({cond}) AS m{j}" for j, cond in enumerate([*exists_conds, *run_conds])]
        if exists or consecutive:
            base = base.replace(" FROM archive_record r WHERE ", f", {', '.join(match_cols)} FROM archive_record r WHERE ",
                                1)

        ctes = [f"r AS {'MATERIALIZED ' if d.postgres else ''}({base})"]
        joins = []

        if exists or consecutive:
            if check:
                cols = ["bit_or(r.m) AS m", "bit_xor(r.h) AS h"]
                cols += [f"count(*) FILTER (WHERE r.mr{i}) AS n_run{i}" for i in range(len(run_conds))]
                wanted = " OR ".join(["r.m <> 0", *(f"r.mr{i}" for i in range(len(run_conds)))])
                ctes.append(f"agg AS (SELECT r.enterprise_id, {', '.join(cols)} FROM r WHERE {wanted} "
                            f"GROUP BY r.enterprise_id)")
            else:
                cols = [f"{d.id_list('r.id')} FILTER (WHERE r.m{j}) AS {_column(fact)}" for j, fact in enumerate(exists)]
                cols += [f"count(*) FILTER (WHERE r.m{len(exists) + i}) AS n_run{i}" for i in range(len(run_conds))]
                wanted = " OR ".join(f"r.m{j}" for j in range(len(exists) + len(run_conds)))
                # The rows reach the aggregate in archive order, so the evidence lists are in it.
                ctes.append(f"agg AS (SELECT r.enterprise_id, {', '.join(cols)} FROM (SELECT r.* FROM r WHERE {wanted}"
                            f" ORDER BY {self._order('r')}) r GROUP BY r.enterprise_id)")
            joins.append("LEFT JOIN agg ON agg.enterprise_id = e.id")

        if licence:
            order = f'r."date" DESC, {d.text_order("r.record_id")} DESC, {d.text_order("r.source")} DESC'
            a = q.param
            state = (
                f"CASE WHEN r.status = {a('valid')} THEN CASE"
                f" WHEN r.valid_from IS NOT NULL AND {a(self.as_of)} < r.valid_from THEN 'pending'"
                f" WHEN r.valid_to IS NOT NULL AND {a(self.as_of)} > r.valid_to THEN 'expired' ELSE 'valid' END"
                f" WHEN r.status = {a('rectifying')} THEN CASE"
                f" WHEN r.rectify_by IS NULL OR {a(self.as_of)} <= r.rectify_by THEN 'rectifying' ELSE 'failed' END"
                f" WHEN r.status = {a('rectification_failed')} THEN 'failed' ELSE r.status END"
            )
            ctes.append(
                'lic AS (SELECT id, enterprise_id, "date", record_id, source, state FROM ('
                f'SELECT r.id, r.enterprise_id, r."date", r.record_id, r.source, {state} AS state, ROW_NUMBER() OVER '
                f"(PARTITION BY r.enterprise_id, r.number ORDER BY {order}) AS rn "
                f"FROM r WHERE r.kind = {a('licence')}) newest WHERE rn = 1)"
            )
            in_states = {fact.name: f"lic.state IN ({', '.join(q.param(s) for s in sorted(fact.states))})"
                         for fact in licence}
            if check:
                mask = " | ".join(f"(CASE WHEN {in_states[f.name]} THEN {self._bit(f)} ELSE 0 END)" for f in licence)
                hashes = " # ".join(f"(CASE WHEN {in_states[f.name]} THEN {_hash('lic.id', f)} ELSE 0 END)"
                                    for f in licence)
                ctes.append(f"lic_agg AS (SELECT lic.enterprise_id, bit_or({mask}) AS m, bit_xor({hashes}) AS h "
                            f"FROM lic GROUP BY lic.enterprise_id)")
            else:
                cols = [f"{d.id_list('lic.id')} FILTER (WHERE {in_states[f.name]}) AS {_column(f)}" for f in licence]
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
            masks, hashes = [], []
            if exists or consecutive:
                masks.append("COALESCE(agg.m, 0)")
                hashes.append("COALESCE(agg.h, 0)")
            if licence:
                masks.append("COALESCE(lic_agg.m, 0)")
                hashes.append("COALESCE(lic_agg.h, 0)")
            for i in range(len(consecutive)):
                masks.append(f"COALESCE(run{i}_agg.m, 0)")
                hashes.append(f"COALESCE(run{i}_agg.h, 0)")
            for fact in self.facts:
                if isinstance(fact, Attribute):
                    masks.append(f"(CASE WHEN e.{fact.attribute} THEN {self._bit(fact)} ELSE 0 END)")
                elif isinstance(fact, EstablishedFor):
                    cutoff = add_years(self.as_of, -self.values[fact.years_parameter])
                    masks.append(f"(CASE WHEN e.established_on <= {q.param(cutoff)} THEN {self._bit(fact)} ELSE 0 END)")
            ctes.append(f"facts AS MATERIALIZED (SELECT e.id AS enterprise_id, e.status AS status, "
                        f"({' | '.join(masks) or '0'})::bigint AS m, ({' # '.join(hashes) or '0'})::bigint AS h "
                        f"FROM archive_enterprise e {' '.join(joins)}{where})")
            # The criteria and the grade depend on the status and the mask only: they are computed
            # once per distinct (status, mask) — a few hundred — not once per enterprise.
            bit_cols = [f"((c.m & {self._bit(f)}) <> 0) AS b_{f.name}" for f in self.facts if f.name in self.bits]
            layer1 = f"SELECT c.status, c.m, {', '.join(bit_cols)} FROM (SELECT DISTINCT status, m FROM facts) c"
            graded = f"SELECT status, m, grade, {self._holds(q)} AS holds FROM ({self._layers(q, layer1)}{fence}) l4"
            return (f"WITH {', '.join(ctes)} SELECT f.enterprise_id, g.grade, g.holds, "
                    f"CASE WHEN f.status <> {q.param('active')} THEN 0 ELSE f.h END AS checksum "
                    f"FROM facts f JOIN ({graded}) g ON g.status = f.status AND g.m = f.m")

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
