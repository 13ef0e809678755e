#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: probe
short_description: Check connectivity from inside a network namespace (ping, tcp, udp, traceroute, http, dns)
version_added: 0.1.0
description:
  - Runs one connectivity check from inside a network namespace and returns structured results.
  - Everything is done with Python sockets opened inside the namespace; no C(ping), C(traceroute), C(curl) or
    other binary is needed on the managed host, and no process is started.
  - C(ping) sends ICMP or ICMPv6 echo requests over a raw socket.
  - C(tcp) opens a TCP connection to O(port) (the handshake only; no data is sent).
  - C(udp) sends one datagram to O(port) and waits for any reply.
    A reply means success. An ICMP port unreachable means failure, and RV(error) starts with C(connection refused).
    No answer within O(timeout) means failure with RV(error=no reply); UDP cannot tell a port behind a
    firewall that drops packets from a service that ignores the probe's data.
  - C(traceroute) sends ICMP echo requests with hop limits 1, 2, ... and lists which router answered each
    (time exceeded), until the target replies, a router reports the destination unreachable, or O(max_hops) is reached.
    Answers are matched to the probes by ICMP identifier and sequence number, also inside the original header
    quoted by time-exceeded and unreachable messages, so other ICMP traffic in the namespace does not disturb it.
  - C(http) sends one HTTP/1.1 C(GET) request over a TCP connection opened inside the namespace
    (Python's C(http.client)) and returns the status, the response headers and the start of the body
    (at most O(max_body) bytes). Redirects are not followed. There is no TLS, only C(http://) URLs.
    O(expect_status) and O(expect_body) check the response; a response that does not match makes the task fail.
  - C(dns) asks a DNS server for O(query) of type O(record_type) (A, AAAA, PTR, CNAME, MX, TXT, NS, SOA, SRV) over
    UDP, or over TCP with O(protocol=tcp); a truncated UDP answer is asked again over TCP. The server is O(target)
    (port O(port), default 53). Without O(target) the probe does what a process in the namespace would do,
    it reads C(/etc/netns/NAME/resolv.conf) when that file exists, else C(/etc/resolv.conf) (what
    C(ip netns exec NAME) shows a process), and asks its C(nameserver) entries (the first three) in order until
    one answers. The query is built and parsed by the module itself (no C(dig), no resolver library).
    RV(answers) lists the answers of the type asked for in presentation form; O(expect_answer) checks them.
  - The probe never changes anything, so C(changed) is always V(false).
    With O(expect) set, an outcome other than the expected one makes the task fail with a message that says so.
author:
  - linuxnet.plumbing developers (!UNKNOWN)
options:
  netns:
    description:
      - Name of the network namespace to probe from, as listed by C(ip netns list) (a bind mount under C(/run/netns/)).
      - When omitted, the probe runs in the network namespace the module process runs in
        (the host's own, unless Ansible itself runs inside a namespace, for example through the
        P(linuxnet.plumbing.netns#connection) connection plugin).
      - The namespace must exist; a missing one is an error naming it.
        Use M(linuxnet.plumbing.netns) to create it.
      - A name containing C(/), C(..) or NUL is refused.
    type: str
  type:
    description:
      - The kind of probe.
      - Required unless O(probes) is given.
    type: str
    choices: [ping, tcp, udp, traceroute, http, dns]
  target:
    description:
      - Required for every O(type) except V(dns).
      - The address to probe, IPv4 or IPv6 (an IPv6 link-local address may carry a zone, V(fe80::1%eth0),
        where the interface name is one of the namespace's).
      - For O(type=http) also a URL, V(http://10.0.0.2:8080/status), V(http://[2001:db8::2]/),
        V(http://web/index.html?x=1) (an IPv6 address in brackets; port 80 when the URL has none). With a URL,
        O(port) and O(path) must be left out. Without a URL the request goes to O(target) on O(port) (default 80)
        for O(path).
      - A host name is resolved inside the namespace with the module process' resolver (C(/etc/hosts),
        C(/etc/resolv.conf) of the host; C(/etc/netns/NAME/) files are not used). The first address returned is probed.
      - Something that looks like an address but is not a valid one (V(10.0.0.300)) is refused.
      - For O(type=dns), the DNS server to ask (an address, or a name resolved as above). When omitted, the
        servers of the namespace's resolver configuration are asked (see the description).
    type: str
  port:
    description:
      - Destination port, 1 to 65535.
      - Required for O(type=tcp) and O(type=udp); for O(type=http) the default is 80 (and it must be
        omitted when O(target) is a URL); for O(type=dns) the default is 53 (also for the servers of
        C(resolv.conf)); not used by the other types (but still checked).
    type: int
  path:
    description:
      - The path (and query) O(type=http) requests when O(target) is not a URL, starting with V(/).
        Default V(/). Spaces and control characters must be percent-encoded.
      - Only for O(type=http).
    type: str
  max_body:
    description:
      - How many bytes of the body O(type=http) reads and returns, 0 to 1048576; the rest is not read
        (RV(body_truncated) says so). O(expect_body) is looked for in these bytes only.
    type: int
    default: 4096
  expect_status:
    description:
      - For O(type=http), the status the response must have, for example V(200) or V(404).
        Without it, any status below 400 counts as success.
      - "Like O(expect=success), a response with another status (or none) makes the task fail, with a message
        such as C(probe http http://10.0.0.2:8080/ in netns ns1: expected status 200 but got 404 Not Found)."
      - Cannot be combined with O(expect=failure).
    type: int
  expect_body:
    description:
      - For O(type=http), a text the body (its first O(max_body) bytes, decoded with the response's charset or
        UTF-8) must contain. A body without it makes the task fail, the message quoting the start of the body.
      - Cannot be combined with O(expect=failure).
    type: str
  query:
    description:
      - For O(type=dns) (and required there), the name to look up, for example V(www.example.com) (a trailing dot is
        optional; names are always asked fully qualified, no search domains are appended).
      - For O(record_type=PTR) also an IPv4 or IPv6 address, turned into its reverse name
        (V(192.0.2.10) asks for C(10.2.0.192.in-addr.arpa.)). An address with any other record type is refused.
      - Labels are letters, digits, C(-) and C(_) (as in SRV names) or a lone C(*); internationalised names in their
        C(xn--) form.
    type: str
  record_type:
    description:
      - For O(type=dns), the record type asked for, one of V(A), V(AAAA), V(PTR), V(CNAME), V(MX), V(TXT), V(NS),
        V(SOA), V(SRV) (case does not matter). V(A) when omitted.
    type: str
  protocol:
    description:
      - For O(type=dns), V(udp) or V(tcp) (DNS over TCP, port O(port)). V(udp) when omitted; a UDP answer with the
        truncation bit set is asked again over TCP, and RV(protocol) says which one answered.
    type: str
    choices: [udp, tcp]
  expect_answer:
    description:
      - For O(type=dns), answers that must all be among RV(answers), in presentation form as RV(answers) shows them,
        for example V(192.0.2.10), V(2001:db8::10), V(host.example.) or V(10 mail.example.).
        A single string is one expected answer; a list means every one of them must be present (other answers
        may be there too).
      - Addresses are compared normalised (V(2001:DB8:0::10) matches C(2001:db8::10)); names case-insensitively
        and with or without their trailing dot; TXT answers with or without the surrounding double quotes.
      - An address of the wrong family for O(record_type) (an IPv6 address for V(A)) is refused before the query.
      - "Like O(expect=success), a probe without all of them makes the task fail, for example with
        C(probe dns web.lab. A at 10.0.2.1 in netns ns1: expected the answer 10.0.2.10 but got NOERROR, 10.0.2.11
        (missing 10.0.2.10)). Cannot be combined with O(expect=failure)."
    type: list
    elements: str
  count:
    description:
      - Number of echo requests for O(type=ping); at least 1.
      - Other probe types send one probe (per hop for O(type=traceroute)).
    type: int
    default: 3
  interval:
    description:
      - Seconds between two echo requests of O(type=ping); fractions are allowed, V(0) sends them back to back.
    type: float
    default: 0.2
  timeout:
    description:
      - Seconds to wait for an answer, fractions allowed.
      - O(type=ping) counts a reply only when it arrives within this time of its request; after the last request
        it waits at most this long. O(type=tcp) waits this long for the connection, O(type=udp) for a reply.
        O(type=traceroute) waits this long for each group of up to 8 hops probed together.
        O(type=http) waits this long for the connection, then for each read of the response.
        O(type=dns) waits this long for the answer of each server it asks.
      - Resolving a host name is not bounded by this timeout.
    type: float
    default: 2.0
  max_hops:
    description:
      - Highest hop limit (TTL) O(type=traceroute) tries, 1 to 255.
    type: int
    default: 30
  expect:
    description:
      - V(success) or V(failure) turns the probe into an assertion; the task fails when the outcome differs.
        The result values are returned with the failure too.
      - "The failure message names the probe, the namespace, what was expected and what happened, for example
        C(probe ping 10.0.0.2 in netns ns1: expected failure but it succeeded), followed by the outcome
        in parentheses, such as C(3/3 replies)."
      - When omitted, the task only reports the outcome in RV(success) and never fails because of it
        (unless O(expect_status), O(expect_body) or O(expect_answer) is given, which imply V(success)).
    type: str
    choices: [success, failure]
  probes:
    description:
      - A list of probes run at the same time in one call, the list form of the module. Mutually exclusive with
        O(type) and the other options of a single probe but O(netns), O(count), O(interval), O(timeout),
        O(max_hops) and O(max_body), which are the defaults of every element.
      - Each element takes the options of a single probe, and O(probes[].netns) (default O(netns)).
        Every element is checked before any probe is sent; an error names the element's option path, for
        example C(probes[2].port).
      - The probes run concurrently, one thread each, so the call takes about as long as the slowest probe.
      - The results are in RV(results), in the order of the list. The task fails when any element's O(probes[].expect)
        (or what O(probes[].expect_status), O(probes[].expect_body) and O(probes[].expect_answer) imply) is not met;
        the message counts the failed elements and gives each one's message, and RV(results) is returned with it.
    type: list
    elements: dict
    version_added: 1.1.0
    suboptions:
      netns:
        description: The namespace this probe runs in; default O(netns).
        type: str
      type:
        description: As O(type); required.
        type: str
        choices: [ping, tcp, udp, traceroute, http, dns]
      target:
        description: As O(target).
        type: str
      port:
        description: As O(port).
        type: int
      path:
        description: As O(path).
        type: str
      max_body:
        description: As O(max_body).
        type: int
      expect_status:
        description: As O(expect_status).
        type: int
      expect_body:
        description: As O(expect_body).
        type: str
      query:
        description: As O(query).
        type: str
      record_type:
        description: As O(record_type).
        type: str
      protocol:
        description: As O(protocol).
        type: str
        choices: [udp, tcp]
      expect_answer:
        description: As O(expect_answer).
        type: list
        elements: str
      count:
        description: As O(count).
        type: int
      interval:
        description: As O(interval).
        type: float
      timeout:
        description: As O(timeout).
        type: float
      max_hops:
        description: As O(max_hops).
        type: int
      expect:
        description: As O(expect).
        type: str
        choices: [success, failure]
attributes:
  check_mode:
    support: full
    description:
      - The probe only reads (it sends test packets but changes no state), so it runs in check mode too
        and returns the same results as a real run.
  diff_mode:
    support: none
    description:
      - Nothing is changed, so there is no diff.
  idempotent:
    support: full
    description:
      - The module never changes anything and always reports C(changed=false).
requirements:
  - root (or CAP_NET_RAW for O(type=ping) and O(type=traceroute), and CAP_SYS_ADMIN to enter a named namespace)
    on the managed host.
  - No Python library beyond the standard library (pyroute2 is not needed).
notes:
  - O(type=ping) succeeds when at least one reply arrived, like the exit status of C(ping).
  - O(type=traceroute) succeeds when the target was reached. A hop that did not answer is V(null) in RV(hops).
    Hops are probed several at once, so a silent path costs about O(max_hops)/8 timeouts.
  - Routers rate-limit the ICMP errors traceroute relies on; repeating a traceroute many times a second
    can leave hops unanswered.
  - O(type=http) succeeds when a response arrived with the status O(expect_status) (without it, any status below 400),
    and, when O(expect_body) is given, with a body containing it. A host name in the URL is resolved like O(target)
    and sent as the C(Host) header.
  - O(type=dns) succeeds when a server answered with rcode C(NOERROR) and at least one record of O(record_type)
    (a CNAME chain to it counts), and, with O(expect_answer), all the expected answers. C(NXDOMAIN), an empty answer
    (the name exists without records of that type), C(SERVFAIL), C(REFUSED) and no answer at all are failures;
    RV(rcode) and RV(error) tell them apart. Use O(expect=failure) to prove that a name does not resolve.
  - O(type=dns) does not use C(/etc/hosts), search domains or C(nsswitch.conf); it asks the DNS servers only.
seealso:
  - module: linuxnet.plumbing.netns
'''

EXAMPLES = r'''
- name: Ping the router from ns1, just reporting
  linuxnet.plumbing.probe:
    netns: ns1
    type: ping
    target: 10.0.1.1
  register: ping_router

- name: The other side must answer
  linuxnet.plumbing.probe:
    netns: ns1
    type: ping
    target: 2001:db8:2::2
    count: 5
    expect: success

- name: The firewall must drop traffic to the database port
  linuxnet.plumbing.probe:
    netns: outside
    type: tcp
    target: 192.0.2.10
    port: 5432
    timeout: 1
    expect: failure

- name: A DNS server answers on UDP port 53
  linuxnet.plumbing.probe:
    netns: client
    type: udp
    target: 10.0.0.53
    port: 53
    expect: success

- name: The web server answers through the port forward, with its page
  linuxnet.plumbing.probe:
    netns: outside
    type: http
    target: http://192.0.2.1:8080/index.html
    expect_status: 200
    expect_body: Hello
  register: page

- name: Fetch a page by address, port and path, just reporting
  linuxnet.plumbing.probe:
    netns: client
    type: http
    target: 2001:db8:2::10
    port: 8000
    path: /status?verbose=1
    max_body: 512
  register: status_page

- name: The DNS server in the lab answers for web.lab (IPv4), over UDP
  linuxnet.plumbing.probe:
    netns: ns1
    type: dns
    target: 10.0.2.1
    query: web.lab
    expect_answer: 10.0.2.10

- name: Through ns1's own resolv.conf (/etc/netns/ns1/resolv.conf), over TCP, both addresses
  linuxnet.plumbing.probe:
    netns: ns1
    type: dns
    query: web.lab
    record_type: AAAA
    protocol: tcp
    expect_answer: ["2001:db8:2::10", "2001:db8:2::11"]
  register: web_aaaa

- name: The reverse name of an address
  linuxnet.plumbing.probe:
    netns: ns1
    type: dns
    target: 10.0.2.1
    query: 10.0.2.10
    record_type: PTR
    expect_answer: web.lab.

- name: A name that must not exist
  linuxnet.plumbing.probe:
    netns: ns1
    type: dns
    target: 10.0.2.1
    query: gone.lab
    expect: failure

- name: Trace the path from ns1 to ns2
  linuxnet.plumbing.probe:
    netns: ns1
    type: traceroute
    target: 10.0.2.2
    max_hops: 10
  register: path

- name: The path goes through router1
  ansible.builtin.assert:
    that:
      - path.reached
      - path.hops[0] == '10.0.1.1'
'''

RETURN = r'''
results:
  description:
    - With O(probes), one result per element in the order of the list, each with the values a single probe of that
      type returns (RV(success), RV(msg), RV(type), RV(target), RV(address) and the type's own), plus C(netns),
      C(expect) (what the element expected, V(null) for nothing) and C(passed) (whether it met that).
  returned: when O(probes) is given
  type: list
  elements: dict
  sample: [{"type": "ping", "netns": "ns1", "target": "10.0.2.2", "success": true, "passed": true, "expect": "success",
            "msg": "ping 10.0.2.2 from ns1: 3/3 replies, rtt avg 0.052 ms", "transmitted": 3, "received": 3}]
success:
  description:
    - Whether the probe succeeded (see the notes for what success means per type).
    - With O(probes), whether every element met what it expected.
  returned: always
  type: bool
  sample: true
msg:
  description:
    - One line saying what was probed, from where, and what happened.
    - With O(probes), how many elements met what they expected.
  returned: always
  type: str
  sample: "ping 10.0.2.2 from ns1: 3/3 replies, rtt avg 0.052 ms"
type:
  description: The probe type that ran.
  returned: when O(type) is given (a single probe)
  type: str
  sample: ping
target:
  description: The target as given (normalised when it is an address; an O(type=http) URL as given).
  returned: when O(type) is given (a single probe)
  type: str
  sample: 10.0.2.2
address:
  description:
    - The address probed (the target itself, or what a host name resolved to in the namespace).
    - For O(type=dns), the server that answered (the last one asked when none did).
  returned: when O(type) is given (a single probe)
  type: str
  sample: 10.0.2.2
port:
  description: The port probed.
  returned: when O(type) is V(tcp), V(udp), V(http) or V(dns)
  type: int
  sample: 80
error:
  description:
    - Why the probe failed, or the ICMP errors that came back; V(null) when there was nothing to report.
    - For O(type=udp), V(no reply), or C(connection refused) followed by C(ICMP port unreachable) in parentheses.
    - For O(type=tcp), for example V(connection refused) or V(timed out after 2 s).
    - For O(type=dns), why no answer came, for example V(no answer within 2 s) or V(connection refused) (one entry per
      server asked, separated by C(; ), when several were asked); V(null) when an answer came, whatever its rcode.
    - For O(type=http), why no (complete) response came, for example V(connection refused),
      V(timed out after 2 s waiting for the response) or C(not an HTTP response); V(null) when a response
      arrived, whatever its status.
  returned: always
  type: str
  sample: connection refused
transmitted:
  description: Echo requests sent (attempted).
  returned: when O(type=ping)
  type: int
  sample: 3
received:
  description: Echo replies received within O(timeout).
  returned: when O(type=ping)
  type: int
  sample: 3
loss_percent:
  description: Share of echo requests without a reply, in percent.
  returned: when O(type=ping)
  type: float
  sample: 0.0
rtt_ms:
  description:
    - Round trip times in milliseconds; V(null) values when nothing came back.
    - For O(type=tcp) the time the handshake took, for O(type=udp) the time until the reply, for O(type=http)
      the time until the response's headers arrived, for O(type=dns) the time until the answer
      (one measurement, so min, avg and max are equal).
  returned: when O(type) is V(ping), V(tcp), V(udp), V(http) or V(dns)
  type: dict
  contains:
    min:
      description: Shortest round trip.
      type: float
      returned: always
    avg:
      description: Average round trip.
      type: float
      returned: always
    max:
      description: Longest round trip.
      type: float
      returned: always
  sample: {"min": 0.041, "avg": 0.052, "max": 0.068}
connected:
  description: Whether the TCP connection was established.
  returned: when O(type=tcp)
  type: bool
  sample: true
reply:
  description: Whether a UDP reply arrived.
  returned: when O(type=udp)
  type: bool
  sample: false
hops:
  description:
    - The address that answered for each hop limit 1, 2, ..., in order; V(null) for a hop that did not answer.
    - Ends with the target when it was reached, with the router that reported the destination unreachable,
      or after O(max_hops) entries.
  returned: when O(type=traceroute)
  type: list
  elements: str
  sample: ["10.0.1.1", "10.0.2.2"]
reached:
  description: Whether the traceroute reached the target.
  returned: when O(type=traceroute)
  type: bool
  sample: true
url:
  description: The URL requested (with the address or name probed; the port left out when it is 80).
  returned: when O(type=http)
  type: str
  sample: http://10.0.0.2:8080/index.html
path:
  description: The path (and query) requested.
  returned: when O(type=http)
  type: str
  sample: /index.html
status:
  description: The HTTP status of the response; V(null) when no response came (see RV(error)).
  returned: when O(type=http)
  type: int
  sample: 200
reason:
  description: The reason phrase of the status line; V(null) when no response came.
  returned: when O(type=http)
  type: str
  sample: OK
headers:
  description:
    - The response headers, names in lower case (repeated headers joined with C(, )); the first 50 headers,
      each value cut at 1024 characters. Empty when no response came.
  returned: when O(type=http)
  type: dict
  sample: {"content-type": "text/html; charset=utf-8", "content-length": "38", "server": "SimpleHTTP/0.6 Python/3.11.2"}
body:
  description:
    - The first O(max_body) bytes of the body, decoded with the charset of the C(Content-Type) header
      (UTF-8 when none; undecodable bytes replaced); V(null) when no response came.
  returned: when O(type=http)
  type: str
  sample: "server1\n"
query:
  description: The name asked for, fully qualified (for an address with O(record_type=PTR), its reverse name).
  returned: when O(type=dns)
  type: str
  sample: 10.2.0.10.in-addr.arpa.
record_type:
  description: The record type asked for, in upper case.
  returned: when O(type=dns)
  type: str
  sample: PTR
protocol:
  description: The protocol the answer came over (V(tcp) also when a truncated UDP answer was asked again).
  returned: when O(type=dns)
  type: str
  sample: udp
rcode:
  description: The response code of the answer, V(NOERROR), V(NXDOMAIN), V(SERVFAIL), V(REFUSED), ...; V(null) when no
    answer came.
  returned: when O(type=dns)
  type: str
  sample: NOERROR
answers:
  description:
    - The data of the answer records of O(record_type), in presentation form (as C(dig +short) shows them),
      addresses for V(A) and V(AAAA), fully qualified names with a trailing dot for V(PTR), V(CNAME) and V(NS),
      C(PREFERENCE NAME) for V(MX), C(PRIORITY WEIGHT PORT NAME) for V(SRV),
      C(MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM) for V(SOA), and double-quoted strings for V(TXT).
    - Empty when the answer had none (NXDOMAIN, no data, no answer).
  returned: when O(type=dns)
  type: list
  elements: str
  sample: ["10.0.2.10", "10 mail.lab."]
records:
  description: Every record of the answer section, CNAMEs of a chain included.
  returned: when O(type=dns)
  type: list
  elements: dict
  contains:
    name:
      description: The owner name, fully qualified.
      type: str
      returned: always
    type:
      description: The record type (C(TYPEnnn) for types the module does not know).
      type: str
      returned: always
    ttl:
      description: Time to live in seconds.
      type: int
      returned: always
    data:
      description: The record data in presentation form (as in RV(answers)).
      type: str
      returned: always
  sample: [{"name": "www.lab.", "type": "CNAME", "ttl": 0, "data": "web.lab."},
           {"name": "web.lab.", "type": "A", "ttl": 0, "data": "10.0.2.10"}]
authoritative:
  description: Whether the answer had the authoritative-answer flag; V(null) when no answer came.
  returned: when O(type=dns)
  type: bool
  sample: false
server:
  description: The DNS server that answered (the last one asked when none did); the same as RV(address).
  returned: when O(type=dns)
  type: str
  sample: 10.0.2.1
resolv_conf:
  description: The resolver configuration the servers were read from when O(target) was omitted, else V(null).
  returned: when O(type=dns)
  type: str
  sample: /etc/netns/ns1/resolv.conf
body_truncated:
  description: Whether the body was longer than O(max_body) (only the first O(max_body) bytes were read).
  returned: when O(type=http)
  type: bool
  sample: false
'''

from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.module import (
    ModuleFailure,
    new_module,
    run_module,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe import (
    ProbeError,
    ProbeOptions,
    check_expect,
    effective_expect,
    expectation_message,
    run_probe,
)
from ansible_collections.linuxnet.plumbing.plugins.module_utils._engines.probe_list import (
    OPTION_FIELDS,
    SINGLE_ONLY,
    probe_element,
    run_concurrently,
)


def _options(params):
    return ProbeOptions(**dict((field, params[field]) for field in OPTION_FIELDS))


def _public(result):
    for key in ('_summary', '_description', '_expected'):
        result.pop(key)
    return result


def body(module):
    params = module.params
    if params['probes'] is not None:
        return many(params)
    if params['type'] is None:
        raise ValidationError('type', None, 'is required (or give a list of probes in probes)')
    options = _options(params)
    check_expect(params['expect'], options)
    try:
        result = run_probe(params['netns'], params['type'], params['target'], options)
    except ProbeError as exc:
        raise ModuleFailure(str(exc))
    failure = expectation_message(result, effective_expect(params['expect'], options), params['netns'])
    _public(result)
    result['changed'] = False
    if failure:
        result.pop('msg')
        raise ModuleFailure(failure, **result)
    return result


def many(params):
    """The list form: every element checked, then all probes at once."""
    jobs = [probe_element(params, index, element) for index, element in enumerate(params['probes'])]
    results = run_concurrently([job.run for job in jobs])
    failed = [job.failure(result) for job, result in zip(jobs, results)]
    failed = [text for text in failed if text]
    summary = '%d of %d probes met what they expected' % (len(jobs) - len(failed), len(jobs))
    if failed:
        raise ModuleFailure('%d of %d probes failed: %s' % (len(failed), len(jobs), '; '.join(failed)),
                            changed=False, success=False, results=[_public(r) for r in results])
    return dict(changed=False, success=True, msg=summary, results=[_public(r) for r in results])


def main():
    module = new_module(
        argument_spec=dict(
            type=dict(type='str', choices=['ping', 'tcp', 'udp', 'traceroute', 'http', 'dns']),
            target=dict(type='str'),
            port=dict(type='int'),
            path=dict(type='str'),
            max_body=dict(type='int', default=4096),
            expect_status=dict(type='int'),
            expect_body=dict(type='str'),
            query=dict(type='str'),
            record_type=dict(type='str'),
            protocol=dict(type='str', choices=['udp', 'tcp']),
            expect_answer=dict(type='list', elements='str'),
            count=dict(type='int', default=3),
            interval=dict(type='float', default=0.2),
            timeout=dict(type='float', default=2.0),
            max_hops=dict(type='int', default=30),
            expect=dict(type='str', choices=['success', 'failure']),
            probes=dict(type='list', elements='dict', options=dict(
                netns=dict(type='str'),
                type=dict(type='str', choices=['ping', 'tcp', 'udp', 'traceroute', 'http', 'dns']),
                target=dict(type='str'),
                port=dict(type='int'),
                path=dict(type='str'),
                max_body=dict(type='int'),
                expect_status=dict(type='int'),
                expect_body=dict(type='str'),
                query=dict(type='str'),
                record_type=dict(type='str'),
                protocol=dict(type='str', choices=['udp', 'tcp']),
                expect_answer=dict(type='list', elements='str'),
                count=dict(type='int'),
                interval=dict(type='float'),
                timeout=dict(type='float'),
                max_hops=dict(type='int'),
                expect=dict(type='str', choices=['success', 'failure']),
            )),
        ),
        mutually_exclusive=[('probes', option) for option in SINGLE_ONLY],
        required_if=[
            ('type', 'tcp', ['port']),
            ('type', 'udp', ['port']),
            ('type', 'ping', ['target']),
            ('type', 'tcp', ['target']),
            ('type', 'udp', ['target']),
            ('type', 'traceroute', ['target']),
            ('type', 'http', ['target']),
            ('type', 'dns', ['query']),
        ],
        needs_pyroute2=False,
    )
    run_module(module, body)


if __name__ == '__main__':
    main()
