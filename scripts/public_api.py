#!/usr/bin/env python3
"""The public items of a documented crate, one per line, sorted: read from the HTML that
`cargo doc` writes (the stable toolchain has no rustdoc JSON).

Items come from the crate's `all.html`, module re-exports from the module pages reachable from
the crate root (not from whatever older pages `target/doc` still holds). Each item contributes
its declaration (functions, constants, aliases, macros) or its members (fields, variants,
inherent methods and associated items, trait methods, trait implementations); blanket and
auto-trait implementations are left out (they follow from the rest and from the toolchain).

usage: public_api.py <target/doc>/<crate_dir>
"""

import html
import re
import sys
from pathlib import Path

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
# `<h2 id="...">` opens each section of an item page.
SECTION = re.compile(r'<h2 id="([^"]+)"')
CODE_HEADER = re.compile(r'<h([34]) class="code-header">(.*?)</h\1>', re.S)
FIELD = re.compile(r'<span id="structfield\.[^"]+" class="structfield[^"]*">.*?<code>(.*?)</code></span>', re.S)
VARIANT = re.compile(r'<section id="variant\.[^"]+" class="variant">.*?<h3 class="code-header">(.*?)</h3>', re.S)
DECL = re.compile(r'<pre class="rust item-decl"><code>(.*?)</code></pre>', re.S)
ALL_ITEM = re.compile(r'<li><a href="([^"]+)">([^<]+)</a></li>')
KINDS = {"struct", "enum", "union", "trait", "fn", "constant", "type", "macro", "static", "traitalias", "derive", "attr"}
# Sections whose code headers are part of the item's own API.
MEMBER_SECTIONS = ("implementations", "required-", "provided-")


def text(fragment: str) -> str:
    spaced = re.sub(r"<(?:div|br)\b", " <", fragment)
    flat = SPACE.sub(" ", html.unescape(TAG.sub("", spaced))).strip()
    # Signatures rustdoc wraps over several lines read as one.
    return re.sub(r",? \)", ")", flat.replace("( ", "("))


def sections(page: str):
    """(section id, its HTML) for each `<h2 id>` of the page; the part before the first is ''."""
    marks = list(SECTION.finditer(page))
    yield "", page[: marks[0].start()] if marks else page
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(page)
        yield m.group(1), page[m.start() : end]


def item_lines(root: Path, href: str, path: str):
    kind = Path(href).name.split(".")[0]
    if kind not in KINDS:
        raise SystemExit(f"unknown item kind in {href}")
    page = (root / href).read_text(encoding="utf-8")
    lines = []
    if kind in {"struct", "enum", "union", "trait"}:
        lines.append(f"{kind} {path}")
        for sid, body in sections(page):
            if sid == "fields":
                lines += [f"{path}: field {text(f)}" for f in FIELD.findall(body)]
            elif sid == "variants":
                lines += [f"{path}: variant {text(v)}" for v in VARIANT.findall(body)]
            elif sid.startswith(MEMBER_SECTIONS):
                lines += [f"{path}: {text(h)}" for level, h in CODE_HEADER.findall(body) if level == "4"]
            elif sid == "trait-implementations":
                lines += [f"{path}: {text(h)}" for level, h in CODE_HEADER.findall(body) if level == "3"]
    else:
        decl = DECL.search(page)
        lines.append(f"{kind} {path}: {text(decl.group(1)) if decl else ''}")
    return lines


def reexport_lines(root: Path, crate: str):
    lines, todo, seen = [], [("", root / "index.html")], set()
    while todo:
        module, index = todo.pop()
        if index in seen:
            continue
        seen.add(index)
        page = index.read_text(encoding="utf-8")
        name = f"{crate}{'::' + module if module else ''}"
        lines.append(f"mod {name}")
        for sid, body in sections(page):
            if sid == "reexports":
                lines += [f"{name}: {text(c)}" for c in re.findall(r'<dt id="reexport\.[^"]+"><code>(.*?)</code>', body, re.S)]
            elif sid == "modules":
                for href, sub in re.findall(r'<a class="mod" href="([^"]+)"[^>]*>([^<]+)</a>', body):
                    if href.endswith("/index.html") and "://" not in href and not href.startswith(".."):
                        todo.append((f"{module}::{sub}" if module else sub, index.parent / href))
    return lines


def main() -> None:
    root = Path(sys.argv[1])
    crate = root.name
    lines = reexport_lines(root, crate)
    page = (root / "all.html").read_text(encoding="utf-8")
    for href, path in ALL_ITEM.findall(page):
        lines += item_lines(root, href, f"{crate}::{html.unescape(path)}")
    for line in sorted(set(lines)):
        print(line)


if __name__ == "__main__":
    main()
