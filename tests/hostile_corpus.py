"""At least 300 hostile values, generated from payloads by category and a few wrappings.

Each value is (label, bytes): bytes, so invalid UTF-8 can be sent as it is.
"""

from __future__ import annotations

PAYLOADS: dict[str, list[str | bytes]] = {
    "overlong": ["a" * 41, "a" * 255, "é" * 2_600, "x" * 5_001, "mot " * 4_000],
    "nul": ["\x00", "a\x00b", "\x00" * 8, "avis\x00<script>"],
    "invalid_utf8": [
        b"\xff",
        b"\xc3\x28",
        b"\xa0\xa1",
        b"\xe2\x28\xa1",
        b"\xf0\x28\x8c\x28",
        b"\xed\xa0\x80",
        b"\xc0\xaf",
        b"\xf8\x88\x80\x80\x80",
        b"caf\xe9",
    ],
    "control": ["\x01\x02\x1f", "\x7f", "\x85", "\r\n\r\n", "\t\t", "\x1b[31mrouge"],
    "unicode_trick": [
        "\u202eevil\u202c",
        "\u2066isolé\u2069",
        "zéro\u200blargeur",
        "\ufeff",
        "e\u0301" * 40,
        "😀👍🏽🇫🇷",
        "\U0001f4a9" * 50,
        "İıſK",
        "\ud7ff\ue000",
    ],
    "sql": [
        "' OR 1=1 --",
        "'; DROP TABLE comments; --",
        "1; SELECT pg_sleep(5)",
        '" OR ""="',
        "1' UNION SELECT password_hash FROM users --",
        "%' --",
        "admin'--",
        "1)) OR ((1=1",
    ],
    "template": [
        "{{ 7*7 }}",
        "{% for x in ().__class__.__base__.__subclasses__() %}",
        "${7*7}",
        "#{7*7}",
        "<%= 7*7 %>",
        "{{ config }}",
        "%(name)s %s {0}",
        "{{ request.environ }}",
    ],
    "xss": [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        "javascript:alert(1)",
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "'-alert(1)-'",
        "</textarea><script>",
    ],
    "number": [
        "-1",
        "0",
        "-0",
        "9" * 30,
        "1e308",
        "-9223372036854775809",
        "2147483648",
        "NaN",
        "Infinity",
        "0x10",
        "1.5",
        " 1",
        "١٢",
        "1_000",
        "+1",
        "01",
    ],
    "path": [
        "../../etc/passwd",
        "//evil.example",
        "/\\evil",
        "https://evil.example",
        "%2F%2Fevil",
        "javascript:",
        "\\\\evil",
        "/%09/evil",
    ],
    "empty": ["", " ", "   \n  "],
    "format": ["true", "null", "[]", "{}", "[1,2]", '{"a": 1}', "undefined", "None"],
}

WRAPPINGS = {
    "as_is": lambda value: value,
    "in_sentence": lambda value: "Mon avis : " + value + " fin.",
    "doubled": lambda value: value + value,
    "padded": lambda value: "  " + value + "  ",
}


def _to_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def hostile_values() -> list[tuple[str, bytes]]:
    values = []
    for category, payloads in PAYLOADS.items():
        for index, payload in enumerate(payloads):
            raw = _to_bytes(payload)
            for name, wrap in WRAPPINGS.items():
                wrapped = wrap(raw.decode("latin-1")).encode("latin-1")
                values.append((f"{category}[{index}]/{name}", wrapped))
    return values


HOSTILE = hostile_values()
assert len(HOSTILE) >= 300, len(HOSTILE)
