"""Safe SVG pictures: an uploaded SVG is rebuilt from an allow-list, or refused in words.

Why sanitise rather than rasterise (issue 15): a home-care picture is printed about 30 mm
wide, and a line drawing stays crisp in print only as vectors; rasterising would also need
a renderer (cairo) to draw the hostile file first, which is exactly the work that hung
WeasyPrint for 61 s and Chromium for good. So the file is parsed with defusedxml (no
DOCTYPE, no entities, no external references), counted while it is parsed (parts, nesting),
and rebuilt: only the elements below, only plain presentation attributes with plain values.

Whatever can run, fetch, or multiply the work of drawing makes the picture refused with the
reason: scripts and `on…` handlers, `<foreignObject>`, `<use>`/`<symbol>` (the nested `<use>`
that took a sheet's PDF 61 s), `<image>`, any `href`, `url(…)` other than a gradient of the
picture itself, filters, clip paths, masks, patterns, markers, animation and style sheets.
Editors' own bookkeeping (Inkscape's and Illustrator's namespaces, `<metadata>`, `<title>`,
`<desc>`, comments) and attributes no renderer reads are left out silently: they change
nothing that is drawn.
"""

import io
import math
import re
import xml.etree.ElementTree as ET
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.core.exceptions import ValidationError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

MAX_ELEMENTS = 3000
MAX_DEPTH = 24
MAX_PATH_CHARACTERS = 150_000  # all `d` and `points` together
MAX_TEXT_CHARACTERS = 2000
MAX_SIZE = 5000  # width, height and the viewBox's sides, in its own units
MAX_NUMBER = 100_000  # any coordinate, length or transform value

# What a picture may be built of.
ELEMENTS = {
    "svg",
    "g",
    "defs",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
}
# Left out with everything inside them: they describe the file, they draw nothing.
SILENT_ELEMENTS = {"metadata", "title", "desc"}
# Refused, with what they are in words.
REFUSED_ELEMENTS = {
    "script": "a script",
    "foreignObject": "embedded web content (<foreignObject>)",
    "use": "copies of other parts (<use>), which can make a sheet impossible to print",
    "symbol": "copies of other parts (<symbol>)",
    "image": "an embedded or linked image (<image>)",
    "a": "a link (<a>)",
    "style": "a style sheet (<style>); save it with presentation attributes",
    "filter": "filter effects",
    "clipPath": "clip paths",
    "mask": "masks",
    "pattern": "patterns",
    "marker": "markers",
    "animate": "animation",
    "animateMotion": "animation",
    "animateTransform": "animation",
    "set": "animation",
    "switch": "alternative content (<switch>)",
}

NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
LENGTH = re.compile(rf"^\s*({NUMBER})\s*(px|pt|pc|mm|cm|in|em|ex|%)?\s*$")
NUMBERS = re.compile(NUMBER)
PATH_DATA = re.compile(r"^[MmZzLlHhVvCcSsQqTtAa0-9eE.,+\-\s]*$")
POINTS = re.compile(r"^[0-9eE.,+\-\s]*$")
TRANSFORM = re.compile(
    r"^(?:\s*(?:matrix|translate|scale|rotate|skewX|skewY)\s*\([0-9eE.,+\-\s]*\)\s*,?)*\s*$"
)
# Colours, keywords, font names, lists of numbers: nothing that could name a file or a script.
PLAIN = re.compile(r"^[A-Za-z0-9#%.,\s()\-+_'\"]*$")
LOCAL_URL = re.compile(
    r"^url\(\s*['\"]?#[A-Za-z_][\w.\-]*['\"]?\s*\)(?:\s+[A-Za-z0-9#(),.%\s\-]+)?$"
)
PX_PER_UNIT = {"px": 1, "pt": 4 / 3, "pc": 16, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96}

GEOMETRY = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy"}
PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "display",
    "visibility",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "stop-color",
    "stop-opacity",
}
OTHER = {
    "id",
    "viewBox",
    "preserveAspectRatio",
    "width",
    "height",
    "offset",
    "gradientUnits",
    "spreadMethod",
    "gradientTransform",
    "transform",
    "d",
    "points",
}


class Picture:
    """One SVG being rebuilt: the running counts behind the caps on its content."""

    def __init__(self):
        self.path_characters = 0
        self.text_characters = 0


def refuse(what: str):
    raise ValidationError(
        f"This SVG cannot be used: it contains {what}. Save it as a plain SVG (shapes, paths "
        "and text) or as a PNG, and upload it again.",
        code="unsafe_svg",
    )


def sanitised_svg(data: bytes) -> bytes:
    """The SVG rebuilt from the allow-list above, or ValidationError saying why not."""
    root = _parse(data)
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise ValidationError("That file is not an SVG picture.", code="not_svg")
    _check_size(root)
    picture = Picture()
    rebuilt = _rebuild(root, picture)
    # Plain names with the namespace declared once (ElementTree's own namespace handling
    # cannot leave attributes unqualified).
    rebuilt.set("xmlns", SVG_NS)
    return ET.tostring(rebuilt, encoding="unicode").encode()


def _parse(data: bytes) -> ET.Element:
    """The element tree, counting parts and nesting as it is read so that a file of
    100,000 parts is refused at the 3,001st, not built in memory first."""
    depth = elements = 0
    root = None
    try:
        for event, element in iterparse(
            io.BytesIO(data), events=("start", "end"), forbid_dtd=True, forbid_entities=True
        ):
            if event == "start":
                root = element if root is None else root
                depth += 1
                elements += 1
                if elements > MAX_ELEMENTS:
                    refuse(f"more than {MAX_ELEMENTS:,} parts")
                if depth > MAX_DEPTH:
                    refuse(f"parts nested more than {MAX_DEPTH} deep")
            else:
                depth -= 1
    except DefusedXmlException:
        refuse("a document type declaration or entities (<!DOCTYPE …>)")
    except ParseError:
        raise ValidationError(
            "That file is not a well-formed SVG picture.", code="not_svg"
        ) from None
    if root is None:
        raise ValidationError("That file is not an SVG picture.", code="not_svg")
    return root


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_size(root: ET.Element):
    for name in ("width", "height"):
        value = root.get(name)
        if value is None:
            continue
        match = LENGTH.match(value)
        if not match:
            refuse(f"a {name} that is not a length ({name}=…)")
        unit = match.group(2) or "px"
        size = float(match.group(1)) * PX_PER_UNIT.get(unit, 0 if unit == "%" else 16)
        if not 0 <= size <= MAX_SIZE:
            refuse(f"a {name} larger than {MAX_SIZE:,} pixels")
    if root.get("viewBox") is not None:
        numbers = [float(n) for n in NUMBERS.findall(root.get("viewBox"))]
        if len(numbers) != 4 or not POINTS.match(root.get("viewBox")):
            refuse("a viewBox that is not four numbers")
        if not all(abs(n) <= MAX_NUMBER for n in numbers) or not (
            0 < numbers[2] <= MAX_SIZE and 0 < numbers[3] <= MAX_SIZE
        ):
            refuse(f"a viewBox larger than {MAX_SIZE:,} units")


def _rebuild(element: ET.Element, picture: Picture) -> ET.Element:
    name = _local(element.tag)
    rebuilt = ET.Element(name, _attributes(element, picture))
    if name in ("text", "tspan") and element.text:
        rebuilt.text = _text(element.text, picture)
    for child in element:
        child_name = _local(child.tag)
        if _namespace(child.tag) not in ("", SVG_NS):
            continue  # an editor's own elements (Inkscape, Illustrator)
        if child_name in REFUSED_ELEMENTS:
            refuse(REFUSED_ELEMENTS[child_name])
        if child_name in SILENT_ELEMENTS:
            continue
        if child_name not in ELEMENTS:
            refuse(f"<{child_name}>, which a picture on a sheet may not have")
        copy = _rebuild(child, picture)
        if name in ("text", "tspan") and child.tail:
            copy.tail = _text(child.tail, picture)
        rebuilt.append(copy)
    return rebuilt


def _text(text: str, picture: Picture) -> str:
    picture.text_characters += len(text)
    if picture.text_characters > MAX_TEXT_CHARACTERS:
        refuse(f"more than {MAX_TEXT_CHARACTERS:,} characters of text")
    return text


def _attributes(element: ET.Element, picture: Picture) -> dict[str, str]:
    given = {}
    for key, value in element.attrib.items():
        namespace, name = _namespace(key), _local(key)
        if name == "href" or namespace == XLINK_NS:
            refuse("a link to another file or part (href)")
        if name.lower().startswith("on"):
            refuse(f"a script ({name})")
        if namespace:
            continue  # xml:space, an editor's own attributes
        given[name] = value
    # A style="…" declaration wins over the attribute of the same name, as in CSS.
    given.update(_style(given.pop("style", "")))
    kept = {}
    for name, value in given.items():
        if name in PRESENTATION or name in GEOMETRY or name in OTHER:
            kept[name] = _value(name, value.strip(), picture)
    return kept


def _style(style: str) -> dict[str, str]:
    declarations = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name = name.strip().lower()
        if name in PRESENTATION:  # others (an editor's own properties) draw nothing
            declarations[name] = value.replace("!important", "").strip()
    return declarations


def _value(name: str, value: str, picture: Picture) -> str:
    """The attribute's value if it is plain, else refused."""
    if name in ("d", "points"):
        pattern = PATH_DATA if name == "d" else POINTS
        picture.path_characters += len(value)
        if picture.path_characters > MAX_PATH_CHARACTERS:
            refuse(f"more than {MAX_PATH_CHARACTERS:,} characters of path data")
        if not pattern.match(value):
            refuse(f"path data that is not plain numbers and commands ({name}=…)")
        _bounded(value, name)
        return value
    if name in ("transform", "gradientTransform"):
        if not TRANSFORM.match(value) or len(value) > 500:
            refuse(f"a transform that is not plain numbers ({name}=…)")
        _bounded(value, name)
        return value
    if name in GEOMETRY or name in ("width", "height", "stroke-width", "font-size"):
        if LENGTH.match(value) or value in ("auto", "inherit"):
            _bounded(value, name)
            return value
        refuse(f"a {name} that is not a length")
    if name == "stroke-dasharray" and value not in ("none", "inherit"):
        # Dashes shorter than one unit along long paths are millions of dashes to draw.
        dashes = [float(n) for n in NUMBERS.findall(value)]
        if not POINTS.match(value) or any(d < 1 for d in dashes if d) or len(dashes) > 20:
            refuse("dashes shorter than one unit (stroke-dasharray)")
    if "url(" in value.lower():
        if name in ("fill", "stroke") and LOCAL_URL.match(value):
            return value
        refuse(f"a link to another file or part ({name}=url(…))")
    if len(value) > 200 or not PLAIN.match(value):
        refuse(f"a {name} that is not a plain value")
    return value


def _bounded(value: str, name: str):
    for number in NUMBERS.findall(value):
        if not math.isfinite(float(number)) or abs(float(number)) > MAX_NUMBER:
            refuse(f"a number larger than {MAX_NUMBER:,} ({name}=…)")
