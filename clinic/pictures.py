"""Small pictures uploaded through a form (a home-care illustration, the clinic's logo),
kept in the row itself as a data: URI so that a printed sheet carries its own pictures.

A picture is printed about 30 mm wide, on sheets and in every browser that opens the
library, so what is kept must be cheap to draw (issue 15: one hostile SVG took a sheet's
PDF 61 s and hung Chromium; a 12000 × 12000 PNG of 140 KB took the PDF worker from 97 to
243 MB). An SVG is rebuilt from a safe subset (clinic.svg says why it is not rasterised); a
PNG or JPEG is measured from its header before any pixel is decoded, refused above
PICTURE_MAX_PIXELS, and then decoded and saved again no larger than PICTURE_KEPT_SIDE: that
drops whatever else the file carried (metadata, trailing bytes) and bounds every later
drawing of it.
"""

import base64
import binascii
import io
import warnings
from contextlib import contextmanager
from functools import lru_cache

from django.core.exceptions import ValidationError
from PIL import Image, ImageFile, ImageOps

from clinic.svg import sanitised_svg

PICTURE_TYPES = {"image/svg+xml": ".svg", "image/png": ".png", "image/jpeg": ".jpg"}
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
# The file as uploaded; form fields and this stay well under the request cap
# (settings.REQUEST_BODY_MAX_BYTES).
PICTURE_MAX_BYTES = 1024 * 1024
SVG_MAX_BYTES = 300 * 1024  # a line drawing; more is a sign of something else
# Width × height of a PNG or JPEG, read from its header: a phone photo of 2000 × 2000 fits.
PICTURE_MAX_PIXELS = 4_000_000
# Kept no larger than this on its longest side: 30 mm at 300 dpi is about 350 pixels.
PICTURE_KEPT_SIDE = 800
PICTURE_KEPT_MAX_BYTES = 400 * 1024  # every sheet's snapshot carries a copy
PICTURE_HELP = (
    "an SVG drawing of shapes, paths and text (at most 300 KB), or a PNG or JPEG picture (at "
    "most 1 MB and 4 megapixels, e.g. 2000 × 2000)"
)
# What a file of each kind starts with.
SIGNATURES = {"image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8"}


def picture_data_uri(upload) -> str:
    """An uploaded SVG, PNG or JPEG as a data: URI of a safe picture, or ValidationError in
    words (for the field the picture was uploaded in)."""
    name = upload.name.lower()
    content_type = next((kind for kind, ext in PICTURE_TYPES.items() if name.endswith(ext)), None)
    if name.endswith(".jpeg"):
        content_type = "image/jpeg"
    if content_type is None:
        raise ValidationError("Upload an SVG, PNG or JPEG picture.", code="type")
    limit = SVG_MAX_BYTES if content_type == "image/svg+xml" else PICTURE_MAX_BYTES
    # Never more than the limit is read, whatever size the upload claims.
    data = b"" if upload.size > limit else upload.read(limit + 1)
    if upload.size > limit or len(data) > limit:
        raise ValidationError(f"The picture is larger than {_megabytes(limit)}.", code="size")
    content_type, data = safe_picture(content_type, data)
    return _data_uri(content_type, data)


def _megabytes(size: int) -> str:
    return f"{size // 2**20} MB" if size % 2**20 == 0 else f"{size // 1024} KB"


def safe_picture(content_type: str, data: bytes) -> tuple[str, bytes]:
    """(content type, bytes) of the picture made safe to keep and print, or
    ValidationError saying why it cannot be."""
    if content_type == "image/svg+xml":
        if b"<svg" not in data[:4096]:
            raise ValidationError("That file is not an SVG picture.", code="not_svg")
        return content_type, sanitised_svg(data)
    if not data.startswith(SIGNATURES[content_type]):
        raise ValidationError("That file is not a picture of its kind.", code="not_picture")
    return _raster(content_type, data)


def _raster(content_type: str, data: bytes) -> tuple[str, bytes]:
    try:
        with _opened(content_type, data) as image:
            width, height = image.size
            if width * height > PICTURE_MAX_PIXELS:
                raise too_many_pixels(f"{width:,} × {height:,} pixels")
            if image.format == "JPEG":  # decode at a reduced scale where JPEG allows it
                image.draft(image.mode, (PICTURE_KEPT_SIDE, PICTURE_KEPT_SIDE))
            with _whole_files_only():
                image.load()
            return _kept(image)
    except (OSError, SyntaxError, ValueError):  # Pillow's words for a damaged file
        raise ValidationError(
            "That picture is damaged or incomplete; save it again and upload the new file.",
            code="damaged",
        ) from None


@contextmanager
def _whole_files_only():
    """Pillow refusing a truncated file while decoding. WeasyPrint, once imported, tells
    Pillow to accept them process-wide (grey where the file stops); a picture that is kept
    must be whole. (PDFs are drawn in child processes, never here.)"""
    accepted = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepted


def _opened(content_type: str, data: bytes) -> Image.Image:
    """The picture with its header read and no pixel decoded (Image.open is lazy)."""
    with warnings.catch_warnings():
        # Pillow warns from 89 megapixels; the caller refuses from 4, with the size in words.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]])
        except Image.DecompressionBombError:
            raise too_many_pixels("hundreds of megapixels") from None


def too_many_pixels(size: str) -> ValidationError:
    return ValidationError(
        f"The picture is {size}; the largest accepted is {PICTURE_MAX_PIXELS // 1_000_000} "
        "megapixels (e.g. 2000 × 2000). Make it smaller and upload it again.",
        code="pixels",
    )


def _kept(image: Image.Image) -> tuple[str, bytes]:
    """The decoded picture saved again, at most PICTURE_KEPT_SIDE on its longest side."""
    image = ImageOps.exif_transpose(image)  # the orientation goes with the metadata
    transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if transparent and image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")
    elif not transparent and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((PICTURE_KEPT_SIDE, PICTURE_KEPT_SIDE), Image.Resampling.LANCZOS)
    png = _saved(image, "PNG")
    if len(png) <= PICTURE_KEPT_MAX_BYTES:
        return "image/png", png
    if not transparent:  # a photograph: JPEG keeps it small
        jpeg = _saved(image, "JPEG", quality=85)
        if len(jpeg) <= PICTURE_KEPT_MAX_BYTES:
            return "image/jpeg", jpeg
    raise ValidationError(
        "The picture is too detailed to keep small; use a simpler drawing or a JPEG photo.",
        code="detail",
    )


def _saved(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def _data_uri(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def parse_data_uri(uri: str) -> tuple[str, bytes] | None:
    """(content type, bytes) of a picture's data: URI, or None if it is not one of ours."""
    head, _, payload = uri.partition(",")
    content_type = head.removeprefix("data:").removesuffix(";base64")
    if not head.startswith("data:") or not head.endswith(";base64"):
        return None
    if content_type not in PICTURE_TYPES:
        return None
    try:
        return content_type, base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def stored_picture_made_safe(uri: str) -> str:
    """A picture kept before issue 15 through today's checks: the safe data: URI, or "" for
    one that cannot be kept (for the data migrations)."""
    if not uri:
        return ""
    parsed = parse_data_uri(uri)
    if parsed is None:
        return ""
    try:
        return _data_uri(*safe_picture(*parsed))
    except ValidationError:
        return ""


@lru_cache(maxsize=32)  # a library page's pictures; each at most ~0.5 MB
def shown_picture(uri: str) -> str:
    """A stored picture as it may be shown or printed: an SVG rebuilt from the safe subset,
    a PNG or JPEG unchanged if its header's size is within the cap, and "" for anything
    else. For pictures kept before issue 15 in issued sheets, whose snapshot is never
    rewritten: a hostile one is left out of the page and the PDF, not drawn."""
    parsed = parse_data_uri(uri) if uri else None
    if parsed is None:
        return ""
    content_type, data = parsed
    try:
        if content_type == "image/svg+xml":
            return _data_uri(content_type, sanitised_svg(data))
        with _opened(content_type, data) as image:
            width, height = image.size
    except (ValidationError, OSError, SyntaxError, ValueError):
        return ""
    return uri if width * height <= PICTURE_MAX_PIXELS else ""
