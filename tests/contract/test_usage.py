"""One normalisation of `usage`: the recorder's columns and the cost read the same counts."""

from __future__ import annotations

from decimal import Decimal

from playground.contract.pricing import cost_usd, usage_counts

PRICE = {"input": "1", "output": "1", "cache_write_5m": "1", "cache_write_1h": "1", "cache_read": "1",
         "web_search_per_1k": "1000"}


def test_odd_values_count_the_same_for_the_columns_and_the_cost():
    usage = {"input_tokens": 10.0, "output_tokens": True, "cache_creation_input_tokens": -5,
             "cache_read_input_tokens": "7", "server_tool_use": {"web_search_requests": 2, "flag": True}}
    counts = usage_counts(usage)
    assert counts == {"input_tokens": 10, "output_tokens": None, "cache_creation_5m": None,
                      "cache_creation_1h": None, "cache_read": None,
                      "server_tool_use": {"web_search_requests": 2}}
    # 10 input tokens at $1 per million, 2 searches at $1 each.
    assert cost_usd(usage, PRICE) == Decimal("2.00001000")


def test_a_lagging_ttl_breakdown_leaves_the_rest_at_the_5_minute_rate():
    counts = usage_counts({"cache_creation_input_tokens": 100,
                           "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 30}})
    assert (counts["cache_creation_5m"], counts["cache_creation_1h"]) == (70, 30)
    assert usage_counts({"cache_creation_input_tokens": 100})["cache_creation_1h"] is None
    assert usage_counts(None) == {}
