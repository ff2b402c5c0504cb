"""Small pictures uploaded through a form (a home-care illustration, the clinic's logo),
kept in the row itself as a data: URI so that a printed sheet carries its own pictures."""

import base64

from django.core.exceptions import ValidationError

PICTURE_TYPES = {"image/svg+xml": ".svg", "image/png": ".png", "image/jpeg": ".jpg"}
PICTURE_MAX_BYTES = 300 * 1024
# What a file of each kind starts with; an SVG must open its <svg> element near the top.
SIGNATURES = {"image/png": b"\x89PNG", "image/jpeg": b"\xff\xd8"}


def picture_data_uri(upload) -> str:
    """An uploaded SVG, PNG or JPEG as a data: URI, or ValidationError in words (for the
    field the picture was uploaded in)."""
    name = upload.name.lower()
    content_type = next((kind for kind, ext in PICTURE_TYPES.items() if name.endswith(ext)), None)
    if name.endswith(".jpeg"):
        content_type = "image/jpeg"
    if content_type is None:
        raise ValidationError("Upload an SVG, PNG or JPEG picture.")
    if upload.size > PICTURE_MAX_BYTES:
        raise ValidationError("The picture is larger than 300 KB.")
    data = upload.read()
    if content_type in SIGNATURES and not data.startswith(SIGNATURES[content_type]):
        raise ValidationError("That file is not a picture of its kind.")
    if content_type == "image/svg+xml" and b"<svg" not in data[:2048]:
        raise ValidationError("That file is not an SVG picture.")
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"
