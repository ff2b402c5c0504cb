"""The URL root: wires the apps together (the one place `clinic` knows about them)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import (
    health,
    security_views,
    session_views,
    source_views,
    two_factor,
    two_factor_views,
    views,
)
from treatments import home
from treatments.scheduling import hours_views, time_off_views

clinic_patterns = (
    [
        # The home page shows every app's part of the day, so it lives in the top app; the
        # time-off page, the opening hours and removing a block list the appointments they
        # touch, so they live with scheduling.
        path("", home.home, name="home"),
        path("clinic/", views.clinic_profile, name="profile"),
        path("staff/", views.staff_list, name="staff-list"),
        path("staff/new/", views.staff_create, name="staff-create"),
        path("staff/<int:pk>/edit/", views.staff_edit, name="staff-edit"),
        path("staff/<int:pk>/active/", views.staff_set_active, name="staff-set-active"),
        # Issue 14, sign-in: passwords, failed logins and lockouts.
        path("staff/<int:pk>/password/", security_views.staff_password, name="staff-password"),
        path(
            "staff/<int:pk>/password/link/",
            security_views.staff_password_link,
            name="staff-password-link",
        ),
        path("staff/sign-ins/", security_views.sign_ins, name="sign-ins"),
        path(
            "staff/sign-ins/lockouts/<int:pk>/lift/",
            security_views.lockout_lift,
            name="lockout-lift",
        ),
        path(
            "staff/<int:pk>/two-factor/reset/",
            views.staff_two_factor_reset,
            name="staff-two-factor-reset",
        ),
        path("rooms/", views.room_list, name="room-list"),
        path("rooms/new/", views.room_create, name="room-create"),
        path("rooms/<int:pk>/edit/", views.room_edit, name="room-edit"),
        path("rooms/<int:pk>/active/", views.room_set_active, name="room-set-active"),
        path("hours/", views.hours_overview, name="hours"),
        path("hours/opening/", hours_views.hours_opening, name="hours-opening"),
        path("hours/<int:practitioner_pk>/", views.hours_practitioner, name="hours-practitioner"),
        path(
            "hours/<int:practitioner_pk>/blocks/<int:pk>/remove/",
            hours_views.hours_block_remove,
            name="hours-block-remove",
        ),
        path(
            "hours/<int:practitioner_pk>/time-off/",
            time_off_views.hours_time_off,
            name="hours-time-off",
        ),
        path(
            "hours/<int:practitioner_pk>/time-off/<int:pk>/remove/",
            time_off_views.hours_time_off_remove,
            name="hours-time-off-remove",
        ),
    ],
    "clinic",
)

urlpatterns = [
    path("", include(clinic_patterns)),
    path("patients/", include("patients.urls")),
    path("", include("treatments.urls")),
    path(
        "accounts/login/",
        two_factor.exempt(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", two_factor.exempt(auth_views.LogoutView.as_view()), name="logout"),
    # Second factor (issue 14): the code after the password, setting it up, backup codes.
    path("accounts/two-factor/", two_factor_views.overview, name="two-factor"),
    path("accounts/two-factor/verify/", two_factor_views.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path(
        "accounts/two-factor/backup-codes/",
        two_factor_views.backup_codes,
        name="two-factor-backup-codes",
    ),
    # Idle logoff (issue 14): the page timer asks how long is left, and "Stay logged in".
    path("accounts/session/", session_views.session_status, name="session-status"),
    path(
        "accounts/session/keep-alive/",
        session_views.session_keep_alive,
        name="session-keep-alive",
    ),
    path(
        "accounts/password/",
        security_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # A link a manager e-mailed (issue 14); there is no public "forgotten password" form.
    path(
        "accounts/reset/<uidb64>/<token>/",
        security_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The running version's source, for everyone who uses the app (AGPL section 13).
    path("source/", source_views.source, name="source"),
    path("source/meridian-source.zip", source_views.source_download, name="source-download"),
    path("admin/", admin.site.urls),
    # For a load balancer or monitor: no login, no HTTPS redirect (clinic/health.py).
    path("healthz", health.healthz, name="healthz"),
]
