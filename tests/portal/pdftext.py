"""Just enough PDF reading to check a WeasyPrint notice without poppler: the fonts (name,
embedded or not) and the text, decoded through each font's ToUnicode map — so a test sees
the characters a reader's PDF viewer would copy, not the bytes of the template."""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

_REF = re.compile(rb"/(\w[\w.+-]*) (\d+) 0 R")


_OBJ_START = re.compile(rb"(\d+) 0 obj\b")
_LENGTH = re.compile(rb"/Length (\d+)(?! \d+ R)")


def _stream(body: bytes) -> bytes:
    head, _, rest = body.partition(b"stream")
    data = rest.lstrip(b"\r\n")
    length = _LENGTH.search(head)
    data = data[:int(length[1])] if length else data[:data.rfind(b"endstream")].rstrip(b"\r\n")
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def _top_level_objects(pdf: bytes) -> dict[int, bytes]:
    """``N 0 obj … endobj`` bodies. A stream is read by its /Length: compressed data may contain
    the bytes "endobj" or "endstream" by chance, which a plain pattern would stop at."""
    found: dict[int, bytes] = {}
    position = 0
    while (match := _OBJ_START.search(pdf, position)) is not None:
        start = match.end()
        end = pdf.find(b"endobj", start)
        stream_at = pdf.find(b"stream", start, end if end != -1 else len(pdf))
        if stream_at != -1:
            length = _LENGTH.search(pdf, start, stream_at)
            if length:
                data_start = stream_at + len(b"stream")
                data_start += 2 if pdf[data_start:data_start + 2] == b"\r\n" else 1
                end = pdf.find(b"endobj", data_start + int(length[1]))
        if end == -1:
            break
        found[int(match[1])] = pdf[start:end].strip()
        position = end + len(b"endobj")
    return found


def objects(pdf: bytes) -> dict[int, bytes]:
    """Every object, including those packed in object streams."""
    found = _top_level_objects(pdf)
    for body in list(found.values()):
        if b"/Type /ObjStm" in body:
            count = int(re.search(rb"/N (\d+)", body)[1])
            first = int(re.search(rb"/First (\d+)", body)[1])
            raw = _stream(body)
            header = [int(x) for x in raw[:first].split()]
            offsets = [(header[2 * i], header[2 * i + 1]) for i in range(count)]
            for i, (number, offset) in enumerate(offsets):
                end = offsets[i + 1][1] if i + 1 < count else len(raw) - first
                found[number] = raw[first + offset:first + end].strip()
    return found


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


@dataclass
class Font:
    name: str  # the PDF's FontName (subset prefix + the CSS family)
    embedded: bool
    family: str  # the family in the embedded font program's own name table ("" if not embedded)


@dataclass
class PdfInfo:
    fonts: list[Font]
    text: str
    has_javascript: bool


def read(pdf: bytes) -> PdfInfo:
    objs = objects(pdf)
    fonts = []
    for body in objs.values():
        if b"/Type /FontDescriptor" in body:
            name = re.search(rb"/FontName /([^\s/<>\[\]]+)", body)[1].decode()
            program = re.search(rb"/FontFile2 (\d+) 0 R", body)
            family = ""
            if program:
                from fontTools.ttLib import TTFont

                family = TTFont(io.BytesIO(_stream(objs[int(program[1])])))["name"].getDebugName(1) or ""
            fonts.append(Font(name=name, embedded=bool(program), family=family))
    cmaps: dict[int, dict[int, str]] = {}
    for number, body in objs.items():
        if b"/Type /Font" in body and b"/ToUnicode" in body:
            cmaps[number] = _cmap(_stream(objs[int(re.search(rb"/ToUnicode (\d+) 0 R", body)[1])]))
    lines = []
    for body in objs.values():
        if b"/Type /Page" not in body or b"/Contents" not in body:
            continue
        resources = re.search(rb"/Resources (\d+) 0 R", body)
        resource_body = objs[int(resources[1])] if resources else body
        font_ref = re.search(rb"/Font (\d+) 0 R", resource_body)
        font_dict = objs[int(font_ref[1])] if font_ref else resource_body
        by_name = {name.decode(): cmaps.get(int(number), {}) for name, number in _REF.findall(font_dict)}
        content = _stream(objs[int(re.search(rb"/Contents (\d+) 0 R", body)[1])])
        current: dict[int, str] = {}
        for token in re.finditer(rb"/(\S+) [\d.]+ Tf|\[(.*?)\] ?TJ|<([0-9a-fA-F]*)> ?Tj|(ET)", content, re.S):
            if token[1]:
                current = by_name.get(token[1].decode(), {})
            elif token[4]:
                lines.append("\n")
            else:
                hexes = re.findall(rb"<([0-9a-fA-F]*)>", token[2]) if token[2] is not None else [token[3]]
                for h in hexes:
                    codes = [int(h[i:i + 4], 16) for i in range(0, len(h), 4)]
                    lines.append("".join(current.get(c, "\ufffd") for c in codes))
    return PdfInfo(fonts=fonts, text="".join(lines),
                   has_javascript=any(b"/JavaScript" in b or b"/JS " in b for b in objs.values()))
