"""Refuse webhook targets on loopback, private and link-local networks (SSRF guard).

The host is resolved once, every address is checked, and the request then goes to the checked
address (the URL's host is kept in the Host header and as the TLS server name), so a DNS answer
that changes between the check and the connection (rebinding) cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import httpx

BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this host"
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "100.64.0.0/10",  # carrier-grade NAT
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)


class TargetRefused(Exception):
    """The URL may not be called; the message says why (safe to show)."""


@dataclass(frozen=True)
class Target:
    url: httpx.URL  # what to connect to (the host replaced by the checked address)
    host: str  # the original host, for the Host header and TLS
    address: str


def is_blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return True
    return any(ip in network for network in BLOCKED_NETWORKS)


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"cannot resolve host {host!r}: {exc}") from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(f"host {host!r} has no address")
    return addresses


def check(url: str, allow_private: bool = False) -> Target:
    """Parse and vet `url`; return where to connect. Raises TargetRefused."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise TargetRefused(f"not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("only http and https URLs are allowed")
    host = parsed.host
    if not host:
        raise TargetRefused("the URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not allow_private:
        blocked = [a for a in addresses if is_blocked(a)]
        if blocked:
            raise TargetRefused(
                f"{host} resolves to a private, loopback or link-local address ({blocked[0]}); "
                "an Admin must tick 'allow private targets' on the webhook to call it"
            )
    address = addresses[0]
    return Target(url=parsed.copy_with(host=address), host=host, address=address)
