from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate, pre_migrate


class TreatmentsConfig(AppConfig):
    name = "treatments"
    verbose_name = "Treatments"

    def ready(self):
        # keys registers the records key's deploy check.
        from treatments.audit import keys, protection  # noqa: F401
        from treatments.homecare import fonts  # noqa: F401  (registers the fonts check)

        # The clinical records' triggers come back after every migrate (audit/protection.py).
        pre_migrate.connect(protection.before_migrate, sender=self)
        post_migrate.connect(protection.after_migrate, sender=self)
        checks.register(protection.check_protection, checks.Tags.database)
