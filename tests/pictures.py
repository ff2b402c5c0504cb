"""Pictures for the picture tests, made here: the hostile ones issue 15 found and good ones."""

import base64
import io

from PIL import Image

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def nested_use_svg(levels: int = 8, copies: int = 10) -> bytes:
    """About 2 KB that asks for copies ** levels paths: it took a sheet's PDF over a minute."""
    parts = [
        f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">',
        '<path id="a0" d="M0 0h1v1h-1z"/>',
    ]
    for level in range(1, levels + 1):
        uses = f'<use xlink:href="#a{level - 1}"/>' * copies
        parts.append(f'<g id="a{level}">{uses}</g>')
    return ("".join(parts) + "</svg>").encode()


SCRIPT_SVG = f'<svg {SVG_NS}><script>alert("hello")</script><circle r="5"/></svg>'.encode()
ONLOAD_SVG = f'<svg {SVG_NS} onload="alert(1)"><circle r="5"/></svg>'.encode()
EXTERNAL_HREF_SVG = (
    f'<svg {SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<image xlink:href="https://example.org/tracker.png" width="10" height="10"/></svg>'
).encode()
EXTERNAL_FILL_SVG = (
    f'<svg {SVG_NS}><rect fill="url(https://example.org/a)" width="9"/></svg>'.encode()
)
XXE_SVG = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    + f"<svg {SVG_NS}><text>&secret;</text></svg>".encode()
)
LAUGHS_SVG = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    + f"<svg {SVG_NS}><text>&b;</text></svg>".encode()
)
GOOD_SVG = (
    f'<svg {SVG_NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="40mm" '
    'height="40mm" viewBox="0 0 40 40"><metadata>drawn in Inkscape</metadata>'
    '<defs><linearGradient id="skin"><stop offset="0" stop-color="#fcd"/>'
    '<stop offset="1" stop-color="#dab"/></linearGradient></defs>'
    '<g inkscape:label="Knees" style="stroke:#333;stroke-width:1.5;-inkscape-stroke:none">'
    '<circle cx="20" cy="12" r="6" fill="url(#skin)"/>'
    '<path d="M 14,20 C 10,30 30,30 26,20 Z" fill="none" transform="rotate(10 20 20)"/>'
    '<text x="4" y="38" font-size="4">Knees <tspan font-weight="bold">up</tspan></text>'
    "</g></svg>"
).encode()


def png(width: int = 400, height: int = 300, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "teal" if mode == "RGB" else 255).save(out, "PNG")
    return out.getvalue()


def huge_png() -> bytes:
    """12000 × 12000 pixels in about 170 KB (one colour compresses well)."""
    out = io.BytesIO()
    Image.new("L", (12000, 12000), 255).save(out, "PNG", optimize=True)
    return out.getvalue()


def data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def decoded(uri: str) -> bytes:
    return base64.b64decode(uri.partition(",")[2])
