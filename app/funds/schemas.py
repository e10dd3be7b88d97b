"""The base of every API schema: each object of a fund shows `fund` (its slug), and a
request's `?fund=` (or a body's `fund`, which only chooses the fund) is not an unknown field."""

from __future__ import annotations

from flask import has_request_context
from marshmallow import Schema as MarshmallowSchema
from marshmallow import post_dump, pre_load

from app.funds import services


class Schema(MarshmallowSchema):
    @pre_load
    def _fund_chooses_the_scope(self, data, **_kw):
        # app.funds.site read it already and set the request's fund scope from it.
        if "fund" in self.fields or not has_request_context() or not hasattr(data, "keys"):
            return data
        if "fund" in data:
            return {k: data[k] for k in data if k != "fund"}
        return data

    @post_dump(pass_original=True)
    def _fund_of_the_object(self, data, original, **_kw):
        fund_id = getattr(original, "fund_id", None)
        if fund_id is not None and "fund" not in data and isinstance(data, dict):
            data["fund"] = services.slug_of(fund_id)
        return data


__all__ = ["Schema"]
