from __future__ import annotations

import pytest

from tests.unit.deploy.yaml_subset import YamlSubsetError, load

FIXTURE = """\
# a comment line
services:
  web:                      # trailing comment
    image: "python:3.11-slim"
    command: ["python", "-c", "print('a, b # c')"]
    ports:
      - "127.0.0.1:8080:8080"
    environment:
      PORT: "8080"
      URL: http://host/path#fragment
      QUOTED: 'it''s'
      ESCAPED: "tab\\there"
    depends_on:
      db:
        condition: service_healthy
    healthcheck:
      retries: 3
      ratio: 0.5
      enabled: true
    restart: "no"
    empty:
  list_of_maps:
    - name: a
      port: 1
    -
      name: b
    - - nested
volumes:
  data:
"""

EXPECTED = {
    "services": {
        "web": {
            "image": "python:3.11-slim",
            "command": ["python", "-c", "print('a, b # c')"],
            "ports": ["127.0.0.1:8080:8080"],
            "environment": {
                "PORT": "8080",
                "URL": "http://host/path#fragment",
                "QUOTED": "it's",
                "ESCAPED": "tab\there",
            },
            "depends_on": {"db": {"condition": "service_healthy"}},
            "healthcheck": {"retries": 3, "ratio": 0.5, "enabled": True},
            "restart": "no",
            "empty": None,
        },
        "list_of_maps": [{"name": "a", "port": 1}, {"name": "b"}, ["nested"]],
    },
    "volumes": {"data": None},
}


def test_the_fixture_loads_as_expected() -> None:
    assert load(FIXTURE) == EXPECTED


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a:\n\tb: 1\n", "tab in indentation"),
        ("a: &anchor 1\n", "unsupported YAML syntax at '&'"),
        ("a: *alias\n", "unsupported YAML syntax at '\\*'"),
        ("a: !tag 1\n", "unsupported YAML syntax at '!'"),
        ("a: |\n  text\n", "unsupported YAML syntax at '|'"),
        ("a: {b: 1}\n", "unsupported YAML syntax at '{'"),
        ("---\na: 1\n", "document markers"),
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: 1\n  b: 2\n", "unexpected indentation"),
        ("a:\n  b: 1\n c: 2\n", "unexpected indentation"),
        ("a:\n- 1\n", "indent sequence items under their key"),
        ("a:\n  - 1\n  b: 2\n", "cannot share one indentation level"),
        ('a: "open\n', "unterminated quoted scalar"),
        ('a: "x" y\n', "text after a quoted scalar"),
        ("a: b: c\n", "cannot contain ': '"),
        ("restart: no\n", "quote it"),
        ("port: 8080:80\n", "quote it"),
        ("mode: 0755\n", "quote it"),
        ("a: [1, [2]]\n", "nested flow"),
        ("a: [1,]\n", "empty item"),
        ("a: [1\n", "must close on the same line"),
        ('a: "\\x41"\n', "unsupported escape"),
        ("just a scalar\n", "expected 'key: value'"),
        ("  a: 1\n", "must start at column 0"),
    ],
)
def test_unsupported_or_ambiguous_yaml_fails_loudly(text: str, problem: str) -> None:
    with pytest.raises(YamlSubsetError, match=problem):
        load(text)


def test_the_error_names_the_line() -> None:
    with pytest.raises(YamlSubsetError, match=r"^line 3: "):
        load("a: 1\n# comment\nb: *x\n")
