from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic.security import connect_receivers

        connect_receivers()

        from django.contrib.auth.signals import user_logged_in
        from django.core.signals import request_finished

        from clinic import idle, logs, two_factor

        # The log's request id lasts until Django's own lines about the request are written.
        request_finished.connect(logs.forget_request, dispatch_uid="clinic.logs.forget_request")

        # Stamping the new session's login time is session bookkeeping, not business logic.
        user_logged_in.connect(idle.stamp_login, dispatch_uid="clinic.idle.stamp_login")
        # Whether a second code is due, noted once per login (clinic/two_factor.py).
        user_logged_in.connect(
            two_factor.note_device_at_login, dispatch_uid="clinic.two_factor.note_device"
        )
