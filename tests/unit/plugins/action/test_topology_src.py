# -*- coding: utf-8 -*-
# Copyright: linuxnet.plumbing contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the topology action plugin reads the file given by src."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.linuxnet.plumbing.plugins.action.topology import read_document
from ansible_collections.linuxnet.plumbing.plugins.module_utils._core.validation import ValidationError

DOC = {'nodes': {'a': {}, 'b': {'forwarding': True}},
       'links': [{'endpoints': ['a:eth0', {'node': 'b', 'name': 'eth0', 'address': ['10.0.0.1/24']}]}]}

YAML_DOC = u'''\
nodes:
  a: {}
  b: {forwarding: true}
links:
  - endpoints:
      - a:eth0
      - {node: b, name: eth0, address: [10.0.0.1/24]}
'''


def test_json_and_yaml_files_give_the_same_document(tmp_path):
    as_json = tmp_path / 'lab.json'
    as_json.write_text(json.dumps(DOC))
    as_yaml = tmp_path / 'lab.yml'
    as_yaml.write_text(YAML_DOC)
    assert read_document(str(as_json), 'lab.json') == DOC
    assert read_document(str(as_yaml), 'lab.yml') == DOC


def test_a_yaml_file_whose_content_is_json_is_read_too(tmp_path):
    path = tmp_path / 'lab.yml'
    path.write_text(json.dumps(DOC))
    assert read_document(str(path), 'lab.yml') == DOC


@pytest.mark.parametrize('name, content, words', [
    ('bad.json', u'{"nodes": {"a": {}', 'cannot be read as JSON'),
    ('yaml-in.json', YAML_DOC, 'cannot be read as JSON'),
    ('bad.yml', u'nodes: {a: [\n', 'cannot be read as YAML'),
    ('list.json', u'[1, 2]', 'does not hold a mapping'),
    ('scalar.yml', u'just text\n', 'does not hold a mapping'),
])
def test_unreadable_documents_name_src_and_the_file(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValidationError) as err:
        read_document(str(path), 'files/' + name)
    assert err.value.option == 'src'
    assert err.value.value == 'files/' + name
    assert words in str(err.value)


def test_a_missing_file_names_src(tmp_path):
    with pytest.raises(ValidationError) as err:
        read_document(str(tmp_path / 'gone.json'), 'gone.json')
    assert err.value.option == 'src' and 'cannot be read as JSON' in str(err.value)
