"""Errors of the red-list workflow as values with codes (STYLE: the UI, the API and the CLI all
render ``.code``; ``.message`` is Chinese and shown as it is). Refusals for want of a role or
jurisdiction are :class:`qcredit.accounts.services.AccessDenied`, never these."""

from __future__ import annotations

import enum


class RedListErrorCode(enum.Enum):
    # Nomination (SRL 第五、八、九、十条)
    NOT_ELIGIBLE = "not_eligible"  # an SRL 第九条 condition fails or no 第八条 condition holds
    JUSTIFICATION_REQUIRED = "justification_required"  # 第八条(六) needs the division's justification
    FACTS_REQUIRED = "facts_required"  # reasons and main credit facts (SRL 第十、十一条)
    OUTSIDE_LIST = "outside_list"  # the enterprise is outside the list's jurisdiction (SRL 第十八条)
    ALREADY_NOMINATED = "already_nominated"  # an open nomination of the subject exists on the list
    ALREADY_LISTED = "already_listed"  # the subject is published on the list
    OPINION_REQUIRED = "opinion_required"  # a failed legality review states its opinion
    REASON_REQUIRED = "reason_required"
    WRONG_STATE = "wrong_state"  # the transition is not allowed from the object's state
    # Meetings (SRL 第六、七条)
    MEETING_DATE_IN_PAST = "meeting_date_in_past"
    MEETING_PAST = "meeting_past"  # the agenda of a meeting that has taken place is closed
    MEETING_NOT_HELD_YET = "meeting_not_held_yet"  # a decision is recorded on or after the meeting day
    WRONG_LIST = "wrong_list"  # the item belongs to another list's meeting
    NOT_READY_FOR_MEETING = "not_ready_for_meeting"
    PROPOSAL_REQUIRED = "proposal_required"  # a revocation review goes to the meeting with the division's proposal
    ALREADY_ON_AGENDA = "already_on_agenda"
    ALREADY_DECIDED = "already_decided"
    MINUTES_REQUIRED = "minutes_required"
    NO_LEADER_PRESENT = "no_leader_present"  # collective decision (SRL 第六条)
    NOT_A_LEADER = "not_a_leader"
    # Exit (SRL 第十三、十四、十五条)
    NOT_PUBLISHED = "not_published"
    UNKNOWN_ROUTE = "unknown_route"
    # Lists (SRL 第十八条)
    LIST_EXISTS = "list_exists"


class RedListError(Exception):
    def __init__(self, code: RedListErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
