"""Money shown the Belgian way, time on the Brussels clock, the state table's typed error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from app.calls.models import APPLICATION_STATES
from app.core import clock
from app.core.errors import InvalidTransition
from app.core.money import Money, format_cents, parse_euro
from app.core.setup import local_dt, money

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (600000, "€ 6.000,00"),
        (0, "€ 0,00"),
        (5, "€ 0,05"),
        (123456789, "€ 1.234.567,89"),
        (-2550, "€ -25,50"),
    ],
)
def test_format_cents_in_belgian_dutch(cents, shown):
    assert format_cents(cents).replace(NBSP, " ").replace("\u2212", "-") == shown


def test_format_cents_other_languages_and_none():
    assert format_cents(None) == ""
    assert format_cents(600000, "fr").replace(NBSP, " ").replace("\u202f", " ") == "6 000,00 €"
    assert format_cents(600000, "en") == "€6,000.00"


def test_money_filter_follows_the_locale(app):
    with app.test_request_context("/"):
        assert money(600000).replace(NBSP, " ") == "€ 6.000,00"
        with force_locale("en"):
            assert money(600000) == "€6,000.00"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("6.000,00", 600000),
        ("6000", 600000),
        ("€ 12,5", 1250),
        ("1.250,05", 125005),
        ("25 €", 2500),
        ("1 250", 125000),
    ],
)
def test_parse_euro(text, cents):
    assert parse_euro(text) == cents


@pytest.mark.parametrize("text", ["12.50", "12,505", "-5", "abc", "", "1,2,3", "6.00,00"])
def test_parse_euro_refuses_what_is_ambiguous_or_wrong(text):
    with pytest.raises(ValueError):
        parse_euro(text)


def test_money_value_type_never_takes_floats():
    assert Money(150) + Money(50) == Money(200)
    assert Money(150) - Money(200) == Money(-50)
    with pytest.raises(TypeError):
        Money(1.5)
    with pytest.raises(TypeError):
        Money(True)


def test_local_dt_shows_brussels_time_in_winter_and_summer(app):
    with app.test_request_context("/"):
        # 31 March 2027 15:00 UTC is 17:00 in Brussels (summer time, UTC+2).
        assert local_dt(datetime(2027, 3, 31, 15, 0, tzinfo=UTC)) == "31 maart 2027, 17:00"
        # 1 January 08:00 UTC is 09:00 (winter time, UTC+1).
        assert local_dt(datetime(2027, 1, 1, 8, 0, tzinfo=UTC)) == "1 januari 2027, 09:00"
        assert local_dt(None) == ""


def test_clock_from_local_and_dst_safe_days():
    # A form's naive 17:00 on 31 March is Brussels time, so 15:00 UTC.
    assert clock.from_local(datetime(2027, 3, 31, 17, 0)) == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
    # 45 days across the spring change keep the wall clock: 12:00 stays 12:00.
    start = clock.from_local(datetime(2027, 3, 1, 12, 0))
    end = clock.add_local_days(start, 45)
    assert clock.local(end).hour == 12
    assert end - start == timedelta(days=45, hours=-1)  # one hour shorter in UTC


def test_clock_travel_and_shift():
    moment = datetime(2027, 5, 1, 10, 0, tzinfo=UTC)
    clock.travel_to(moment)
    assert clock.now() == moment
    clock.shift(timedelta(hours=2))
    assert clock.now() == datetime(2027, 5, 1, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.travel_to(datetime(2027, 5, 1))


ALLOWED = {
    ("draft", "submitted"),
    ("draft", "withdrawn"),
    ("submitted", "eligible"),
    ("submitted", "ineligible"),
    ("submitted", "withdrawn"),
    ("eligible", "in_review"),
    ("in_review", "selected"),
    ("in_review", "not_selected"),
}
STATES = sorted(APPLICATION_STATES.states)


def test_the_application_table_is_exactly_the_issue_s():
    assert set(STATES) == {
        "draft",
        "submitted",
        "eligible",
        "ineligible",
        "in_review",
        "selected",
        "not_selected",
        "withdrawn",
    }
    actual = {(s, t) for s in STATES for t in STATES if APPLICATION_STATES.can(s, t)}
    assert actual == ALLOWED


@pytest.mark.parametrize("pair", [(s, t) for s in STATES for t in STATES if (s, t) not in ALLOWED])
def test_every_other_transition_raises_a_typed_409(pair):
    with pytest.raises(InvalidTransition) as exc:
        APPLICATION_STATES.check(*pair)
    assert exc.value.status == 409 and exc.value.code == "invalid_transition"
    assert exc.value.details == {"from": pair[0], "to": pair[1]}


def test_the_clock_comes_back_after_a_restored_journey():
    from datetime import timedelta

    from app.core import clock

    before = clock.now()
    with clock.restored():
        clock.shift(timedelta(days=-30))
        clock.travel_to(before + timedelta(days=3))
        clock.shift(timedelta(days=8))
        assert clock.now() - before == timedelta(days=11)
    assert abs(clock.now() - before) < timedelta(seconds=5)
