"""Stripe's bracket-encoded form bodies, read back by the fake's parser."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import pytest
from stripe._encode import _api_encode  # the library's own form encoder

from .stripe_wire import parse_form


def test_parse_form_rebuilds_nested_params():
    pairs = [
        ("metadata[pledge_id]", "7"),
        ("metadata[0]", "stays a key"),
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][quantity]", "2"),
        ("line_items[1][quantity]", "1"),
        ("payment_method_types[0]", "bancontact"),
        ("payment_method_types[1]", "card"),
        ("payment_intent_data[metadata][pledge_id]", "7"),
        ("expand[]", "payment_intent"),
        ("expand[]", "customer"),
        ("note", ""),
    ]
    assert parse_form(pairs) == {
        "metadata": {"pledge_id": "7", "0": "stays a key"},
        "line_items": [{"price_data": {"unit_amount": "500"}, "quantity": "2"}, {"quantity": "1"}],
        "payment_method_types": ["bancontact", "card"],
        "payment_intent_data": {"metadata": {"pledge_id": "7"}},
        "expand": ["payment_intent", "customer"],
        "note": "",
    }


def test_parse_form_reads_back_what_the_library_encodes():
    params = {
        "mode": "payment",
        "expires_at": 1_900_000_000,
        "line_items": [{"quantity": 2, "price_data": {"currency": "eur", "unit_amount": 250}}],
        "allowed_payment_method_types": ["bancontact", "card"],
        "metadata": {"pledge_id": "7", "0": "zero"},
        "payment_intent_data": {"metadata": {"pledge_id": "7"}},
        "expand": ["payment_intent"],
    }
    wire = parse_qsl(urlencode(list(_api_encode(params))), keep_blank_values=True)
    as_text = json.loads(json.dumps(params), parse_int=str)  # the wire carries only text
    assert parse_form(wire) == as_text


@pytest.mark.parametrize(
    "pairs",
    [
        [("a", "1"), ("a[b]", "2")],
        [("a[b]", "2"), ("a", "1")],
        [("a", "1"), ("a", "2")],
        [("a[0]", "x"), ("a[2]", "y")],
        [("a[][b]", "1")],
        [("bad]key", "1")],
    ],
)
def test_parse_form_refuses_contradictory_keys(pairs):
    with pytest.raises(ValueError):
        parse_form(pairs)
