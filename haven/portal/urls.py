from django.urls import path

from haven.portal.views import activities as activity_views
from haven.portal.views import appointments as appointment_views
from haven.portal.views import auth, documents, forms, home, inbox, reminders, security, signing, verify
from haven.portal.views import calendar as calendar_views

app_name = "portal"

urlpatterns = [
    path("", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("register/", auth.register, name="register"),
    path("verify/<str:token>/", auth.verify_email, name="verify_email"),
    path("invitation/<str:token>/", auth.accept_invitation, name="accept_invitation"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/<str:token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("sign-in/code/", auth.sign_in_code, name="sign_in_code"),
    path("handout.pdf", home.handout, name="handout"),
    path("home/", home.home, name="home"),
    path("switch/", home.switch_profile, name="switch_profile"),
    path("pin/", home.enter_pin, name="enter_pin"),
    path("documents/", documents.my_documents, name="my_documents"),
    path("documents/<int:document_id>/", documents.document_view, name="document_view"),
    path("documents/<int:document_id>/download/", documents.document_download, name="document_download"),
    path("documents/<int:document_id>/verify/", verify.document_verify, name="document_verify"),
    path("inbox/", inbox.inbox_list, name="inbox"),
    path("inbox/<int:thread_id>/", inbox.thread_detail, name="thread"),
    path("inbox/new/", inbox.compose, name="compose"),
    path("inbox/attachments/<int:attachment_id>/", inbox.attachment_download, name="attachment"),
    path("inbox/emails/", inbox.message_emails, name="message_emails"),
    path("sign/<int:request_id>/", signing.sign, name="sign"),
    path("sign/<int:request_id>/pages/<int:page>.png", signing.page_image, name="sign_page_image"),
    path("sign/<int:request_id>/decline/", signing.decline_request, name="decline"),
    path("forms/", forms.forms_list, name="forms"),
    path("forms/<int:assignment_id>/", forms.form_fill, name="form_fill"),
    path("forms/<int:assignment_id>/draft/", forms.form_autosave, name="form_autosave"),
    path("forms/<int:assignment_id>/blank.pdf", forms.form_blank, name="form_blank"),
    path("forms/<int:assignment_id>/paper/", forms.form_upload, name="form_upload"),
    path("activities/", activity_views.activity_list, name="activities"),
    path("activities/<int:activity_id>/", activity_views.activity_detail, name="activity"),
    path("activities/<int:activity_id>/file/", activity_views.activity_file, name="activity_file"),
    path("activities/<int:activity_id>/completed/", activity_views.activity_completed, name="activity_completed"),
    path("activities/<int:activity_id>/done/", activity_views.activity_done, name="activity_done"),
    path("activities/<int:activity_id>/undo/", activity_views.activity_reopen, name="activity_reopen"),
    path("verify/", verify.verify, name="verify"),
    path("security/", security.security, name="security"),
    path("security/two-step/", security.two_factor_setup, name="two_factor_setup"),
    path("security/two-step/off/", security.two_factor_turn_off, name="two_factor_turn_off"),
    path("reminders/", reminders.reminder_preferences, name="reminders"),
    path("appointments/<int:appointment_id>/calendar.ics", calendar_views.appointment_ics, name="appointment_ics"),
    path("appointments/calendar/", calendar_views.calendar_subscription, name="calendar_subscription"),
    path("calendar/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path("appointments/", appointment_views.appointments, name="appointments"),
    path("appointments/book/", appointment_views.appointment_book, name="appointment_book"),
    path("appointments/request/", appointment_views.appointment_request, name="appointment_request"),
    path(
        "appointments/requests/<int:appointment_request_id>/withdraw/",
        appointment_views.appointment_request_withdraw,
        name="appointment_request_withdraw",
    ),
    path("appointments/<int:appointment_id>/", appointment_views.appointment_detail, name="appointment"),
    path("appointments/<int:appointment_id>/cancel/", appointment_views.appointment_cancel, name="appointment_cancel"),
    path(
        "appointments/<int:appointment_id>/reschedule/",
        appointment_views.appointment_reschedule,
        name="appointment_reschedule",
    ),
]
