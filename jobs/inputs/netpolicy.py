"""Which servers the job may fetch from: public addresses only, unless a host is allowed by name.

A feed names the pages the job fetches, so a hostile feed could make a newsroom's machine fetch
its internal services and publish the answers (SSRF). Every request, each redirect hop included,
is checked here: http(s) only; every address the host resolves to is public (not loopback,
private, link-local, CGNAT, multicast, reserved, unspecified, the cloud metadata address, nor an
IPv6 form of one of those); and the connection is made to an address that passed, then the
address actually answering is checked again (jobs.inputs.transport).

`--allow-host` / `allow_hosts:` (under `defaults:` in configs/models.yaml) name the exceptions:
a host name (its addresses are then not checked: a newsroom's own CMS), an address (URLs that
name that address itself), or a network such as 10.20.0.0/16 (any host resolving into it).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # a public v4 address in v6 form, translated by a gateway
_FIX = "pass --allow-host {host} (or allow_hosts: in the config) if this newsroom means to read it"


class Refused(Exception):
    """A request the policy does not allow; the message says why and how to allow it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def address_problem(address: str | IPAddress) -> str | None:
    """What kind of address this is when it is not a public one the job may fetch from
    ("a loopback address", ...), or None when it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        embedded = _embedded_v4(ip)
        if embedded is not None:
            inner = address_problem(embedded)
            return None if inner is None else f"an IPv6 form of {embedded}, {inner}"
    if ip in _METADATA:
        return "the cloud metadata address"
    for test, kind in (
        ("is_unspecified", "the unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(ip, test):
            return kind
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a shared (CGNAT) address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if not ip.is_global:
        return "not a public address"
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that a 6to4, Teredo or NAT64 address leads to, if it is one."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def parse_allow_entry(entry: str) -> str | ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An --allow-host entry as a lower-case host name, an address (as text, matched against the
    URL's host like a name) or a network (written with a /prefix).

    Raises ValueError for anything else (a URL, a port, a wildcard)."""
    text = entry.strip().lower().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_network(text, strict=False) if "/" in text else str(ipaddress.ip_address(text))
    except ValueError:
        pass
    labels = text.split(".")
    if text and len(text) <= 253 and all(_is_label(label) for label in labels):
        return text
    raise ValueError(f"{entry!r} is not a host name, an IP address or a network (e.g. cms.internal, 10.20.0.0/16)")


def _is_label(label: str) -> bool:
    return 0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" and all(c.isalnum() or c == "-" for c in label)


class NetPolicy:
    """The outbound-request policy of one read: public addresses, plus the allowed hosts and networks."""

    def __init__(self, allow_hosts: Iterable[str] = ()) -> None:
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow_hosts:
            parsed = parse_allow_entry(entry)
            if isinstance(parsed, str):
                self.names.add(parsed)
            else:
                self.networks.append(parsed)

    def host_allowed(self, host: str) -> bool:
        """Whether the URL's host is allowed as written: by name, or an address by itself or its network."""
        host = _bare_host(host)
        if host in self.names:
            return True
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return False
        return str(ip) in self.names or self._network_allowed(ip)

    def _network_allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == network.version and ip in network for network in self.networks)

    def address_refusal(self, host: str, address: str | IPAddress) -> str | None:
        """Why the host may not be reached at this address (None: it may), naming the fix."""
        if self.host_allowed(host):
            return None
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0] if isinstance(address, str) else address)
        except ValueError:
            return f"refused: {address!r} is not an IP address"
        if self._network_allowed(ip):
            return None
        problem = address_problem(ip)
        if problem is None:
            return None
        shown = _bare_host(host)
        where = f"{ip} is {problem}" if _literal(shown) else f"{shown} resolves to {ip}, {problem}"
        return f"refused: {where}, not a public one; {_FIX.format(host=shown)}"

    def check_url(self, url: str) -> None:
        """Refused unless the URL is http(s) with a host (its addresses are checked on connect)."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:
            raise Refused(f"not a valid URL ({exc})") from None
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise Refused(f"refused: only http and https URLs are fetched, not {parts.scheme or '(none)'}:")
        if not host:
            raise Refused("refused: the URL names no host")
        if _literal(host):  # an address in the URL is checked at once, a name when it is resolved
            refusal = self.address_refusal(host, _bare_host(host))
            if refusal is not None:
                raise Refused(refusal)

    def resolve(self, host: str, port: int) -> list[str]:
        """The host's addresses, every one checked; Refused if any is not allowed.

        One internal address among public ones refuses the host: which of them a connection
        would reach is not ours to choose. socket.gaierror when the name does not resolve."""
        host = _bare_host(host)
        if _literal(host):
            refusal = self.address_refusal(host, host)
            if refusal is not None:
                raise Refused(refusal)
            return [host]
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            refusal = self.address_refusal(host, address)
            if refusal is not None:
                raise Refused(refusal)
        return addresses

    def check_peer(self, host: str, peer: object) -> None:
        """Refused unless the address that answered (a socket's peer name) may be reached for this host."""
        address = peer[0] if isinstance(peer, tuple) and peer else peer
        if not isinstance(address, str):
            return  # not a TCP socket (e.g. a test transport): nothing connected to check
        refusal = self.address_refusal(host, address)
        if refusal is not None:
            raise Refused(f"{refusal} (the server that answered)")


def _bare_host(host: str) -> str:
    """A host as URLs and sockets give it, compared lower case without brackets or a final dot."""
    host = host.strip().lower().rstrip(".")
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _literal(host: str) -> bool:
    """Whether the host is an IP address written out rather than a name."""
    try:
        ipaddress.ip_address(_bare_host(host).split("%", 1)[0])
    except ValueError:
        return False
    return True
