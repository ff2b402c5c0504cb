from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self):
        from treatments.homecare import fonts  # noqa: F401  (registers the fonts check)
