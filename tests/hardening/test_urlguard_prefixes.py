"""IPv6 ranges refused on their outer prefix (issue 14): NAT64 local-use, site-local, Teredo.

Before, only the embedded IPv4 address was checked: `[64:ff9b:1::808:808]` (local-use NAT64
of a public address), `[fec0::1]` and a Teredo address embedding a public IPv4 all passed.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.providers.urlguard import (
    URLRefused,
    blocked_address,
    check_base_url,
    check_resolved,
)

REFUSED = [
    "64:ff9b:1::808:808", "64:ff9b:1:ffff::1", "fec0::1", "feff:ffff::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo with a public server and client
    "2001::808:808", "100::1", "2001:db8::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_the_outer_prefix_is_refused_whatever_it_embeds(address):
    assert blocked_address(address) is not None
    with pytest.raises(URLRefused):
        check_base_url(f"https://[{address}]/")
    with pytest.raises(URLRefused):
        check_resolved([address], "rebinding.example")


def test_public_ipv6_and_well_known_nat64_of_a_public_address_still_pass():
    assert blocked_address("2606:4700:4700::1111") is None
    assert blocked_address("64:ff9b::808:808") is None
    assert check_base_url("https://[2606:4700:4700::1111]/v1/") == "https://[2606:4700:4700::1111]/v1"


@given(st.integers(0, 2**80 - 1))
def test_every_address_in_the_refused_ranges_is_refused(low):
    for prefix in ("64:ff9b:1::", "fec0::", "2001::"):
        network = ipaddress.ip_network(prefix + ("/48" if prefix == "64:ff9b:1::" else "/10" if prefix == "fec0::" else "/32"))
        address = network.network_address + (low % network.num_addresses)
        assert blocked_address(str(address)) is not None, address
