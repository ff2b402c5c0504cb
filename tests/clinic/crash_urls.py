"""The app's URLs plus /crash/: a page that reads what was posted and then fails."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from clinic.urls import urlpatterns as clinic_urlpatterns


class NoteNotSaved(Exception):
    pass


@csrf_exempt  # the test posts without a form; the login rule still holds
def crash(request):
    raise NoteNotSaved(f"could not save the note for {request.POST.get('patient')}")


urlpatterns = [path("crash/", crash), *clinic_urlpatterns]
