"""The project's URLs plus the benchmark's plain ListView, used only while it measures."""

from django.urls import include, path

from treatments.benchmark.baseline import day_list

urlpatterns = [
    path("benchmark/day-list/<slug:day>/", day_list, name="benchmark-day-list"),
    # By name: the URL root imports every app, which a feature package may not.
    path("", include("clinic.urls")),
]
