# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test backend: an HTTP server answering "NAME CLIENT_ADDRESS" on every GET.

Usage: backend.py NAME ADDRESS PORT   (run inside a namespace by the dnat test)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import sys

from http.server import BaseHTTPRequestHandler, HTTPServer

NAME, ADDRESS, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = ('%s %s\n' % (NAME, self.client_address[0])).encode('ascii')
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


class Server(HTTPServer):
    address_family = socket.AF_INET6 if ':' in ADDRESS else socket.AF_INET


Server((ADDRESS, PORT), Handler).serve_forever()
