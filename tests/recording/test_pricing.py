"""Cost comes from an editable price table: exact ids, dated aliases, patterns."""

from __future__ import annotations

from decimal import Decimal

from playground.contract.pricing import cost_usd, find_price
from playground.recording import prices
from playground.recording.models import Exchange, Price
from tests.recording.helpers import record, team_of

PRICE = {"input": "3", "output": "15", "cache_write_5m": "3.75", "cache_write_1h": "6",
         "cache_read": "0.30", "web_search_per_1k": "10"}


def test_it_prices_every_kind_of_token():
    usage = {
        "input_tokens": 1000,
        "output_tokens": 2000,
        "cache_creation_input_tokens": 3000,
        "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
        "cache_read_input_tokens": 10000,
        "server_tool_use": {"web_search_requests": 3},
    }
    # 1000*3 + 2000*15 + 1000*3.75 + 2000*6 + 10000*0.30 per million, + 3 searches at $10/1000
    expected = (Decimal(3000 + 30000 + 3750 + 12000 + 3000) / 1_000_000) + Decimal("0.03")
    assert cost_usd(usage, PRICE) == expected.quantize(Decimal("0.00000001"))
    # Without the TTL breakdown, cache writes are 5 minute writes.
    assert cost_usd({"cache_creation_input_tokens": 1_000_000}, PRICE) == Decimal("3.75")


def test_it_finds_prices_by_id_alias_and_pattern(db):
    rows = prices.price_rows()
    assert find_price("claude-haiku-4-5", rows)["model_pattern"] == "claude-haiku-4-5"
    assert find_price("claude-haiku-4-5-20251001", rows)["model_pattern"] == "claude-haiku-4-5"
    assert find_price("claude-opus-4-1-20250805", rows)["model_pattern"] == "claude-opus-4-1*"
    assert find_price("sim-fast", rows)["input"] == 0
    assert find_price("gpt-4o", rows) is None


def test_it_uses_the_edited_price(alice):
    Price.objects.filter(model_pattern="claude-haiku-4-5").update(input=Decimal("100"), output=0)
    prices.invalidate()
    reply = {"type": "message", "role": "assistant", "model": "claude-haiku-4-5-20251001",
             "content": [], "stop_reason": "end_turn", "usage": {"input_tokens": 10_000, "output_tokens": 5}}
    rec = record({"model": "claude-haiku-4-5", "max_tokens": 5, "messages": []}, response=reply,
                 team=team_of(alice))
    assert Exchange.objects.get(public_id=rec.public_id).cost_usd == Decimal("1.00000000")


def test_it_leaves_the_cost_unknown_for_an_unpriced_model(alice):
    reply = {"type": "message", "role": "assistant", "model": "mystery-1", "content": [],
             "stop_reason": "end_turn", "usage": {"input_tokens": 10, "output_tokens": 5}}
    rec = record({"model": "mystery-1", "max_tokens": 5, "messages": []}, response=reply, team=team_of(alice))
    exchange = Exchange.objects.get(public_id=rec.public_id)
    assert exchange.cost_usd is None and exchange.input_tokens == 10
