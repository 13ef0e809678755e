# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wireguard_public_key: a WireGuard private key's public key, on the controller.

What ``wg pubkey`` prints, without a command task per key on the target: the
vpn_split_tunnel role needs each end's public key to configure the other end.
X25519 comes from the ``cryptography`` package, which ansible-core itself
requires on the controller; the logic stays here rather than in
module_utils, which travels to the targets. Documented in
wireguard_public_key.yml beside this file; unit-tested in
tests/unit/plugins/filter/test_wireguard_public_key.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii

from ansible.errors import AnsibleFilterError

try:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
except ImportError:  # pragma: no cover - ansible-core depends on cryptography
    X25519PrivateKey = None


def wireguard_public_key(private_key):
    """Base64 private key -> base64 public key. The key is a secret: an error
    says what is wrong with it without showing it."""
    if X25519PrivateKey is None:
        raise AnsibleFilterError('wireguard_public_key needs the Python package cryptography on the controller')
    if not isinstance(private_key, str):
        raise AnsibleFilterError('wireguard_public_key: the private key (not shown, a secret) is not a string')
    try:
        raw = base64.b64decode(private_key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b''
    if len(raw) != 32:
        raise AnsibleFilterError('wireguard_public_key: the private key (not shown, a secret; %d characters) is not '
                                 '32 bytes in base64, as made by wg genkey' % len(private_key))
    public = X25519PrivateKey.from_private_bytes(raw).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(public).decode('ascii')


class FilterModule(object):
    """WireGuard filters."""

    def filters(self):
        return {'wireguard_public_key': wireguard_public_key}
