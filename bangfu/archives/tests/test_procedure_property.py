"""Random sequences of procedure actions by random people never reach an illegal state.

Hypothesis drives the archives' filing procedure (on the workflow kit) with any order of
actions — visit, review, consents, notice, objections, the notice period running out, submit,
approve / return / refuse, resubmit — by staff, two leaders, a liaison and someone who is both
staff and leader. After every action: a refused one changed nothing and wrote no audit event;
an accepted one wrote exactly one; and the archive, its case and its records agree.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Household, IdRegistration
from bangfu.archives.services import filing, procedure
from bangfu.core.errors import DomainError
from bangfu.core.models import AuditEvent
from bangfu.kits.workflow import services as kit_services
from bangfu.kits.workflow.models import Case, Review, SignOff, Step, Visit
from bangfu.notices.models import Notice, Objection
from bangfu.notices.services import objection_record, objection_settle

from .filing_factories import household_input

pytestmark = pytest.mark.django_db
S = Household.Status

ACTIONS = [
    "visit",
    "review",
    "consent_publication",
    "consent_sensitive",
    "notice",
    "objection",
    "settle",
    "time_passes",
    "submit",
    "approve",
    "return",
    "refuse",
    "resubmit",
]
ACTORS = ["staff", "leader", "leader2", "liaison", "both"]


def _people(network: Any, staff: Any, leader: Any, liaison: Any) -> dict[str, Any]:
    return {
        "staff": staff,
        "leader": leader,
        "leader2": make_user((Role.LEADER, network.township), username="leader2"),
        "liaison": liaison,
        "both": make_user(
            (Role.STAFF, network.township), (Role.LEADER, network.township), username="both"
        ),
    }


def _act(action: str, actor: Any, household: Household, flag: bool) -> None:
    today = timezone.localdate()
    if action == "visit":
        procedure.investigation_record(
            actor=actor,
            household=household,
            visited_on=today,
            visitors=["甲", "乙"],
            findings="属实",
            recommendation="agree" if flag else "disagree",
        )
    elif action == "review":
        procedure.review_record(
            actor=actor,
            household=household,
            held_on=today,
            participants="代表",
            votes_for=5 if flag else 1,
            votes_against=0 if flag else 4,
            passed=flag,
            record="评议",
        )
    elif action.startswith("consent_"):
        procedure.consent_record(
            actor=actor, household=household, kind=action.removeprefix("consent_"), given_on=today
        )
    elif action == "notice":
        procedure.notice_start(actor=actor, household=household)
    elif action == "objection":
        notice = Notice.objects.filter(status=Notice.Status.PUBLISHED).order_by("-pk").first()
        if notice is None or notice.starts_on is None:
            raise DomainError("no notice")
        objection_record(
            actor=actor,
            notice=notice,
            item=notice.items.get(),
            received_on=notice.starts_on,
            channel="phone",
            from_name="",
            contact="",
            content="异议",
        )
    elif action == "settle":
        objection = Objection.objects.filter(status=Objection.Status.OPEN).first()
        if objection is None:
            raise DomainError("no objection")
        objection_settle(actor=actor, objection=objection, upheld=flag, resolution="核实")
    elif action == "submit":
        procedure.submit_for_approval(actor=actor, household=household)
    elif action == "approve":
        procedure.decide(actor=actor, household=household, outcome="approved")
    elif action in ("return", "refuse"):
        outcome = "returned" if action == "return" else "refused"
        procedure.decide(actor=actor, household=household, outcome=outcome, reason="理由")
    elif action == "resubmit":
        procedure.household_resubmit(actor=actor, household=household)


def _next(household: Household, flag: bool, choice: int) -> tuple[str, str]:
    """The action that moves the archive on, by someone entitled to it (so that random runs
    reach the approval and beyond, not only refusals)."""
    household.refresh_from_db()
    status = household.status
    if status == S.APPLIED:
        return "visit", "staff"
    if status == S.INVESTIGATED:
        return "review", "staff"
    if status == S.REVIEWED:
        if household.consent_publication_on is None:
            return "consent_publication", "liaison"
        return ("notice" if flag or choice % 3 else "submit"), "staff"
    if status == S.PUBLICIZING:
        if household.consent_sensitive_on is None:
            return "consent_sensitive", "liaison"
        return ["time_passes", "submit", "objection", "settle"][choice % 4], "staff"
    if status == S.PENDING_APPROVAL:
        return ["approve", "return", "refuse"][choice % 3], ["leader", "leader2"][choice % 2]
    if status == S.RETURNED:
        return "resubmit", "liaison"
    return "visit", "staff"  # a decided archive: nothing moves it on


def _state(household: Household) -> tuple:
    household.refresh_from_db()
    case = Case.objects.filter(subject_id=household.pk).first()
    return (
        household.status,
        household.filed_on,
        household.consent_publication_on,
        household.consent_sensitive_on,
        len(household.opinions),
        (case.step, case.round, case.approval_unit_id, case.notice_ends_on) if case else None,
        Visit.objects.exclude(visited_on=None).count(),
        Visit.objects.count(),
        Review.objects.count(),
        SignOff.objects.count(),
        IdRegistration.objects.filter(household=household).count(),
        Objection.objects.count(),
        Notice.objects.exclude(status=Notice.Status.WITHDRAWN).count(),
    )


def _check_invariants(household: Household, people: dict[str, Any]) -> None:
    household.refresh_from_db()
    case = Case.objects.get(subject_id=household.pk)
    assert household.status == procedure._status_of(case)
    assert case.round >= 1
    # one open visit at most, and only while the round waits for its visit
    open_visits = Visit.objects.filter(case=case, visited_on=None)
    assert open_visits.count() == (1 if case.step == Step.VISIT else 0)
    # nobody signs twice in a round; nobody who made the record signs it
    signoffs = list(SignOff.objects.filter(case=case))
    assert len({(s.round, s.signed_by_id) for s in signoffs}) == len(signoffs)
    makers = procedure.makers(household)
    assert not [s for s in signoffs if s.signed_by_id in makers]
    assert not [s for s in signoffs if s.signed_by == people["liaison"]]
    this_round = [s for s in signoffs if s.round == case.round]
    if case.step == Step.APPROVED:
        review = kit_services.selectors.latest_review(case)
        assert review is not None and review.passed
        assert household.filed_on is not None and household.consent_sensitive_on is not None
        assert [s.outcome for s in this_round] == [SignOff.Outcome.APPROVED]
    if case.step == Step.REFUSED:
        assert not IdRegistration.objects.filter(household=household).exists()
        assert this_round[-1].outcome == SignOff.Outcome.REFUSED
    if case.step == Step.RETURNED:
        assert this_round[-1].outcome == SignOff.Outcome.RETURNED
    if case.step in (Step.NOTICE, Step.SUBMIT, Step.APPROVAL) and case.notice_ends_on:
        assert household.consent_publication_on is not None
    if case.step == Step.APPROVAL:
        assert household.consent_sensitive_on is not None
        assert case.approval_unit is not None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.one_of(
            # any action by anyone ...
            st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS), st.booleans()),
            # ... or the one that moves the archive on (`_next`), twice as often
            st.tuples(st.just("next"), st.integers(0, 11), st.booleans()),
            st.tuples(st.just("next"), st.integers(0, 11), st.booleans()),
        ),
        min_size=1,
        max_size=24,
    )
)
def test_random_actions_by_random_people_never_reach_an_illegal_state(
    network, staff, leader, liaison_a, steps
):
    with transaction.atomic():
        people = _people(network, staff, leader, liaison_a)
        household = filing.household_create(
            actor=liaison_a,
            data=household_input(
                network.station_a, consent_publication_on=None, consent_sensitive_on=None
            ),
        )
        on_archive = AuditEvent.objects.filter(
            object_type="archives.household", object_id=str(household.pk)
        )
        for action, who, flag in steps:
            if action == "next":
                action, who = _next(household, flag, who)
            before, events = _state(household), AuditEvent.objects.count()
            archive_events = on_archive.count()
            if action == "time_passes":
                Notice.objects.update(ends_on=timezone.localdate() - timedelta(days=1))
                continue
            try:
                _act(action, people[who], household, flag)
            except DomainError:
                assert _state(household) == before, (action, who)
                assert AuditEvent.objects.count() == events, (action, who)
            else:
                # one event on the archive per action (a consent given twice: none, a no-op);
                # the notice and its objections write their own events on the notice
                written = on_archive.count() - archive_events
                if action in ("objection", "settle"):
                    assert written == 0, (action, who)
                elif written == 0:
                    assert action.startswith("consent_") and _state(household) == before
                else:
                    assert written == 1, (action, who)
            _check_invariants(household, people)
        event(Case.objects.get(subject_id=household.pk).step)
        transaction.set_rollback(True)
