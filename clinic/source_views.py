"""The source page and archive: open to everyone who can reach the app (AGPL section 13),
signed in or not, and before a second factor."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clinic import two_factor
from clinic.source import archive_name, source_archive


@login_not_required
@two_factor.exempt
@require_safe
def source(request):
    context = {"archive_name": archive_name(), "published_source_url": settings.SOURCE_URL}
    return render(request, "clinic/source.html", context)


@login_not_required
@two_factor.exempt
@require_safe
def source_download(request):
    response = HttpResponse(source_archive(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name()}"'
    return response
