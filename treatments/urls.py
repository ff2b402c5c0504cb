from django.urls import path

from treatments.audit import views as audit
from treatments.courses import views as courses
from treatments.homecare import views as homecare
from treatments.notes import catalogue_views as catalogue
from treatments.notes import views as notes
from treatments.recalls import views as recalls
from treatments.reminders import views as reminders
from treatments.scheduling import calendar_views as calendar
from treatments.scheduling import day_sheet_views as day_sheet
from treatments.scheduling import views as appointments
from treatments.waitlist import views as waitlist

app_name = "treatments"

urlpatterns = [
    # reminders/views.py: the delivery log
    path("messages/", reminders.message_list, name="messages"),
    # the SMS provider's delivery reports: a machine endpoint, signed, no login
    path("reminders/sms/status/", reminders.sms_status, name="sms-status"),
    path("sheets/<int:pk>/email/", reminders.sheet_email, name="sheet-email"),
    # scheduling/calendar_views.py: the day calendar, a practitioner's week, everyone's week
    path("schedule/", calendar.schedule_day, name="schedule-today"),
    path("schedule/team/", calendar.schedule_team_week, name="schedule-team-this-week"),
    path("schedule/team/<slug:day>/", calendar.schedule_team_week, name="schedule-team-week"),
    path("schedule/<slug:day>/", calendar.schedule_day, name="schedule-day"),
    path(
        "schedule/week/<int:practitioner_pk>/<slug:day>/",
        calendar.schedule_week,
        name="schedule-week",
    ),
    # scheduling/day_sheet_views.py: the front desk's day sheet, to print or as a PDF
    path("day-sheet/", day_sheet.day_sheet_page, name="day-sheet"),
    path("day-sheet/pdf/", day_sheet.day_sheet_download, name="day-sheet-pdf"),
    # scheduling/views.py: booking, the day list, moves and status changes
    path("today/", appointments.today, name="today"),
    path("appointments/new/", appointments.appointment_create, name="appointment-create"),
    path("appointments/check/", appointments.appointment_check, name="appointment-check"),
    path("appointments/free-slots/", appointments.free_slots, name="free-slots"),
    path("appointments/patients/", appointments.patient_picker, name="patient-picker"),
    path("appointments/patient-courses/", appointments.patient_courses, name="patient-courses"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment-detail"),
    path("appointments/<int:pk>/move/", appointments.appointment_move, name="appointment-move"),
    path(
        "appointments/<int:pk>/cancel/", appointments.appointment_cancel, name="appointment-cancel"
    ),
    path(
        "appointments/<int:pk>/status/", appointments.appointment_status, name="appointment-status"
    ),
    path("appointments/<int:pk>/undo/", appointments.appointment_undo, name="appointment-undo"),
    # courses/views.py: planning a course and booking all its sessions
    path("complaints/<int:complaint_pk>/course/", courses.course_create, name="course-create"),
    path("courses/<int:pk>/", courses.course_detail, name="course-detail"),
    path("courses/<int:pk>/plan/", courses.course_edit, name="course-edit"),
    path("courses/<int:pk>/book/", courses.course_book, name="course-book"),
    path("courses/<int:pk>/discontinue/", courses.course_discontinue, name="course-discontinue"),
    path("courses/<int:pk>/complete/", courses.course_complete, name="course-complete"),
    # notes/views.py: the practitioner's day, session notes, addenda, point sets
    path("my-day/", notes.my_day, name="my-day"),
    path("appointments/<int:pk>/note/", notes.note_start, name="note-start"),
    path("notes/<int:pk>/", notes.note_detail, name="note-detail"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note-edit"),
    path("notes/<int:pk>/sign/", notes.note_sign, name="note-sign"),
    path("notes/<int:pk>/addenda/", notes.addendum_create, name="note-addendum"),
    path("point-sets/", notes.point_set_list, name="point-sets"),
    path("point-sets/new/", notes.point_set_create, name="point-set-create"),
    path("point-sets/<int:pk>/delete/", notes.point_set_delete, name="point-set-delete"),
    # notes/catalogue_views.py: the acupuncture point catalogue
    path("points/", catalogue.point_catalogue, name="point-catalogue"),
    path("points/<int:pk>/in-use/", catalogue.point_in_use, name="point-in-use"),
    # audit/views.py: what managers see of who read and changed clinical records
    path("notes/<int:pk>/history/", audit.note_history, name="note-history"),
    path("access-log/", audit.access_log, name="access-log"),
    # homecare/views.py: the library of advice, building a sheet, an issued sheet and its PDF
    path("home-care/", homecare.library, name="home-care-library"),
    path("home-care/new/", homecare.item_create, name="home-care-item-create"),
    path("home-care/<int:pk>/edit/", homecare.item_edit, name="home-care-item-edit"),
    path("sheets/new/", homecare.sheet_create, name="sheet-create"),
    path("sheets/<int:pk>/", homecare.sheet_detail, name="sheet-detail"),
    path("sheets/<int:pk>/pdf/", homecare.sheet_pdf, name="sheet-pdf"),
    # waitlist/views.py: the waitlist, its entries, and filling a freed slot from it
    path("waitlist/", waitlist.waitlist_list, name="waitlist"),
    path("waitlist/new/<int:patient_pk>/", waitlist.entry_create, name="waitlist-create"),
    path("waitlist/<int:pk>/edit/", waitlist.entry_edit, name="waitlist-edit"),
    path("waitlist/<int:pk>/remove/", waitlist.entry_remove, name="waitlist-remove"),
    path("waitlist/<int:pk>/book/", waitlist.entry_book, name="waitlist-book"),
    path("waitlist/fill/", waitlist.fill_slot, name="waitlist-fill"),
    path("waitlist/freed/<int:pk>/", waitlist.freed_slot, name="waitlist-freed"),
    # recalls/views.py: the recall list, a contact about an item, dismissing one
    path("recalls/", recalls.recalls, name="recalls"),
    path("recalls/<slug:kind>/<int:pk>/contact/", recalls.recall_contact, name="recall-contact"),
    path("recalls/<slug:kind>/<int:pk>/dismiss/", recalls.recall_dismiss, name="recall-dismiss"),
]
