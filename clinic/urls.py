"""The URL root: wires the apps together (the one place `clinic` knows about them)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views
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
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]
