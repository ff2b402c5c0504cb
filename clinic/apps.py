from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from clinic import idle

        # Stamping the new session's login time is session bookkeeping, not business logic.
        user_logged_in.connect(idle.stamp_login, dispatch_uid="clinic.idle.stamp_login")
