"""Writing Atom feeds (RFC 4287) from plain data, always well-formed XML.

ElementTree does the escaping; characters XML 1.0 cannot carry at all are dropped first, since
user-written text may hold them and one would make the whole feed unreadable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text or "")


@dataclass(frozen=True)
class Person:
    name: str
    uri: str | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str
    author: Person
    content_html: str
    published: datetime | None = None
    summary: str = ""
    categories: list[tuple[str, str]] = field(default_factory=list)  # (term, label)


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: datetime
    self_url: str
    page_url: str
    entries: list[Entry]
    subtitle: str = ""


def _timestamp(moment: datetime) -> str:
    # RFC 3339, as Atom requires.
    return moment.isoformat(timespec="seconds")


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str):
    element = ET.SubElement(parent, name, attributes)
    if text is not None:
        element.text = xml_safe(text)
    return element


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, "link", {"rel": rel, "type": media_type, "href": href})


def _entry(parent: ET.Element, entry: Entry) -> None:
    element = _add(parent, "entry")
    _add(element, "id", entry.id)
    _add(element, "title", entry.title, type="text")
    _add(element, "updated", _timestamp(entry.updated))
    if entry.published is not None:
        _add(element, "published", _timestamp(entry.published))
    author = _add(element, "author")
    _add(author, "name", entry.author.name)
    if entry.author.uri:
        _add(author, "uri", entry.author.uri)
    _link(element, entry.link, "alternate", "text/html")
    for term, label in entry.categories:
        _add(element, "category", term=xml_safe(term), label=xml_safe(label))
    if entry.summary:
        _add(element, "summary", entry.summary, type="text")
    # The stored, already-sanitized HTML, escaped as text: what type="html" means.
    _add(element, "content", entry.content_html, type="html")


def render(feed: Feed) -> bytes:
    """The feed as a UTF-8 Atom document."""
    # Unprefixed names under one default namespace declaration: the usual way Atom is written.
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    _add(root, "id", feed.id)
    _add(root, "title", feed.title, type="text")
    if feed.subtitle:
        _add(root, "subtitle", feed.subtitle, type="text")
    _add(root, "updated", _timestamp(feed.updated))
    _link(root, feed.self_url, "self", "application/atom+xml")
    _link(root, feed.page_url, "alternate", "text/html")
    _add(root, "generator", "Treatment Talk")
    for entry in feed.entries:
        _entry(root, entry)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")
