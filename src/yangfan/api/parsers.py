"""The API's JSON parser: DRF's, with a body nested deeper than Python's parser can follow refused as malformed.

``json.load`` raises ``RecursionError`` on a document of some thousands of nested lists, which DRF (catching only
``ValueError``) lets through as a 500; here it is the 400 of any other unreadable body (ADR 0019).
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON 嵌套过深，无法读取。") from None
