from django.conf import settings
from django.urls import path

from haven.staff.views import (
    account,
    admin,
    auth,
    calendar,
    clients,
    contacts,
    documents,
    forms,
    general_log,
    home,
    intake,
    messages,
    notes,
    portal,
    scheduling_admin,
    signing,
)
from haven.staff.views import activities as activity_views

app_name = "staff"

urlpatterns = [
    path("", home.home, name="home"),
    # Secure messages (MSG-1, MSG-2): the inbox, a thread, attachments, writing from a chart, the settings
    path("messages/", messages.inbox, name="inbox"),
    path("messages/<int:thread_id>/", messages.thread_detail, name="thread"),
    path("messages/<int:thread_id>/reply/", messages.thread_reply, name="thread_reply"),
    path("messages/<int:thread_id>/archive/", messages.thread_archive, name="thread_archive"),
    path("messages/<int:thread_id>/restore/", messages.thread_restore, name="thread_restore"),
    path("messages/<int:thread_id>/assign/", messages.thread_assign, name="thread_assign"),
    path("messages/attachments/<int:attachment_id>/", messages.attachment_download, name="message_attachment"),
    path("messages/attachments/<int:attachment_id>/file/", messages.attachment_file, name="attachment_file"),
    path("clients/<int:client_id>/messages/", messages.client_messages, name="client_messages"),
    path("clients/<int:client_id>/messages/new/", messages.message_compose, name="message_compose"),
    path("admin/messages/", messages.messaging_settings, name="admin_messages"),
    path("account/message-emails/", account.message_emails, name="account_message_emails"),
    # Appointments (APPT-1, APPT-2): the calendar, the appointment window, requests, availability, the settings
    path("calendar/", calendar.calendar, name="calendar"),
    path("clients/<int:client_id>/appointments/", calendar.client_appointments, name="client_appointments"),
    path("calendar/appointments/new/", calendar.appointment_new, name="appointment_new"),
    path("calendar/appointments/<int:appointment_id>/", calendar.appointment_detail, name="appointment"),
    path("calendar/appointments/<int:appointment_id>/edit/", calendar.appointment_edit, name="appointment_edit"),
    path("calendar/appointments/<int:appointment_id>/cancel/", calendar.appointment_cancel, name="appointment_cancel"),
    path("calendar/appointments/<int:appointment_id>/status/", calendar.appointment_status, name="appointment_status"),
    path("calendar/requests/", calendar.appointment_requests, name="appointment_requests"),
    path(
        "calendar/requests/<int:appointment_request_id>/",
        calendar.appointment_request_detail,
        name="appointment_request",
    ),
    path(
        "calendar/requests/<int:appointment_request_id>/approve/",
        calendar.appointment_request_approve,
        name="appointment_request_approve",
    ),
    path(
        "calendar/requests/<int:appointment_request_id>/decline/",
        calendar.appointment_request_decline,
        name="appointment_request_decline",
    ),
    path("calendar/availability/", scheduling_admin.availability, name="availability"),
    path("calendar/availability/<int:member_id>/", scheduling_admin.availability_of, name="availability_of"),
    path("admin/scheduling/", scheduling_admin.scheduling_settings, name="scheduling_settings"),
    path("admin/scheduling/services/new/", scheduling_admin.service_type_new, name="service_type_new"),
    path(
        "admin/scheduling/services/<int:service_type_id>/",
        scheduling_admin.service_type_edit,
        name="service_type_edit",
    ),
    # Home Activities (APPT-4): a client's, assigning, withdrawing, their files, the practice's overdue ones
    path("clients/<int:client_id>/activities/", activity_views.client_activities, name="client_activities"),
    path("clients/<int:client_id>/activities/new/", activity_views.activity_assign, name="activity_assign"),
    path("activities/overdue/", activity_views.overdue_activities, name="overdue_activities"),
    path("activities/<int:activity_id>/withdraw/", activity_views.activity_withdraw, name="activity_withdraw"),
    path("activities/<int:activity_id>/file/", activity_views.activity_file, name="activity_file"),
    path("activities/<int:activity_id>/completed/", activity_views.activity_completed, name="activity_completed"),
    # Signing in
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("two-factor/setup/", auth.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", auth.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery/", auth.two_factor_recovery, name="two_factor_recovery"),
    path("two-factor/recovery-codes/", auth.recovery_codes, name="two_factor_recovery_codes"),
    path("account/", account.account, name="account"),
    path("invitation/<str:token>/", auth.accept_invitation, name="accept_invitation"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/<str:token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    # Client charts
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<int:client_id>/", clients.client_chart, name="client_chart"),
    path("clients/<int:client_id>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:client_id>/access-history/", clients.access_history, name="client_access_history"),
    # Related contacts
    path("clients/<int:client_id>/contacts/", contacts.contact_list, name="contact_list"),
    path("clients/<int:client_id>/contacts/new/", contacts.contact_add, name="contact_add"),
    path("clients/<int:client_id>/contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact_edit"),
    path("clients/<int:client_id>/contacts/<int:contact_id>/remove/", contacts.contact_remove, name="contact_remove"),
    # Portal access (the status icon, instruction sheets, portal users)
    path("clients/<int:client_id>/portal/", portal.portal_overview, name="portal_overview"),
    path("clients/<int:client_id>/portal/self/", portal.client_portal_action, name="client_portal_action"),
    path(
        "clients/<int:client_id>/contacts/<int:contact_id>/portal/",
        portal.contact_portal_action,
        name="contact_portal_action",
    ),
    path("clients/<int:client_id>/portal/users/new/", portal.portal_user_add, name="portal_user_add"),
    path("clients/<int:client_id>/portal/<int:access_id>/", portal.portal_access_detail, name="portal_access_detail"),
    path(
        "clients/<int:client_id>/portal/<int:access_id>/manage/",
        portal.portal_access_manage,
        name="portal_access_manage",
    ),
    path(
        "clients/<int:client_id>/portal/<int:access_id>/intake-forms/",
        portal.portal_access_intake,
        name="portal_access_intake",
    ),
    path(
        "clients/<int:client_id>/portal/<int:access_id>/instructions.pdf",
        portal.instruction_sheet,
        name="portal_instruction_sheet",
    ),
    # Intake forms in the chart (FORM-3, FORM-4): sending, the answers, acknowledging, scores, the safety alert
    path("clients/<int:client_id>/intake/", intake.intake_forms, name="intake_forms"),
    path("clients/<int:client_id>/intake/send/", intake.intake_send, name="intake_send"),
    path("clients/<int:client_id>/intake/resend/", intake.intake_resend, name="intake_resend"),
    path("clients/<int:client_id>/intake/<int:assignment_id>/", intake.intake_answers, name="intake_answers"),
    path(
        "clients/<int:client_id>/intake/<int:assignment_id>/withdraw/", intake.intake_withdraw, name="intake_withdraw"
    ),
    path(
        "clients/<int:client_id>/intake/<int:assignment_id>/acknowledge/",
        intake.intake_acknowledge,
        name="intake_acknowledge",
    ),
    path(
        "clients/<int:client_id>/intake/<int:assignment_id>/send-back/",
        intake.intake_send_back,
        name="intake_send_back",
    ),
    path("clients/<int:client_id>/intake/<int:assignment_id>/export/", intake.intake_export, name="intake_export"),
    path("clients/<int:client_id>/intake/<int:assignment_id>/paper/", intake.intake_paper, name="intake_paper"),
    path("clients/<int:client_id>/intake/<int:assignment_id>/filed/", intake.intake_filed, name="intake_filed"),
    path(
        "clients/<int:client_id>/intake/<int:assignment_id>/review-alert/",
        intake.intake_review_alert,
        name="intake_review_alert",
    ),
    # Documents: the Activity Log, sharing to the portal
    path("clients/<int:client_id>/documents/", documents.activity_log, name="activity_log"),
    path("clients/<int:client_id>/documents/upload/", documents.document_upload, name="document_upload"),
    path("clients/<int:client_id>/documents/new-note/", notes.note_create, name="note_create"),
    path("clients/<int:client_id>/documents/share-all/", documents.share_all, name="document_share_all"),
    path("clients/<int:client_id>/documents/<int:document_id>/", documents.document_detail, name="document_detail"),
    path("clients/<int:client_id>/documents/<int:document_id>/share/", documents.document_share, name="document_share"),
    path("clients/<int:client_id>/documents/<int:document_id>/file/", documents.document_file, name="document_file"),
    path(
        "clients/<int:client_id>/documents/<int:document_id>/versions/new/",
        documents.document_version_add,
        name="document_version_add",
    ),
    # Share to Sign (SIGN-1..SIGN-7) and checking a seal
    path(
        "clients/<int:client_id>/documents/<int:document_id>/share-to-sign/",
        signing.document_share_to_sign,
        name="document_share_to_sign",
    ),
    path(
        "clients/<int:client_id>/documents/<int:document_id>/signature-requests/<int:request_id>/remind/",
        signing.signature_request_remind,
        name="signature_request_remind",
    ),
    path(
        "clients/<int:client_id>/documents/<int:document_id>/signature-requests/<int:request_id>/cancel/",
        signing.signature_request_cancel,
        name="signature_request_cancel",
    ),
    path(
        "clients/<int:client_id>/documents/<int:document_id>/versions/<int:version_id>/verify/",
        signing.document_version_verify,
        name="document_version_verify",
    ),
    path("verify/", signing.verify, name="verify"),
    # General Log: group notes linked to several clients (DOC-7)
    path("general-log/", general_log.general_log, name="general_log"),
    path("general-log/new/", general_log.group_note_create, name="group_note_create"),
    path("general-log/new/clients/", general_log.group_note_client_search, name="group_note_client_search"),
    path("general-log/<int:group_note_id>/", general_log.group_note_detail, name="group_note_detail"),
    path("general-log/<int:group_note_id>/share/", general_log.group_note_share, name="group_note_share"),
    path("general-log/<int:group_note_id>/unshare/", general_log.group_note_unshare, name="group_note_unshare"),
    # Forms: the practice's intake and dynamic forms, the builder, print and FHIR (FORM-1, FORM-2, FORM-5)
    path("forms/", forms.form_library, name="form_library"),
    path("forms/new/", forms.form_create, name="form_create"),
    path("forms/import/", forms.form_import, name="form_import"),
    path("forms/<int:form_id>/", forms.form_detail, name="form_detail"),
    path("forms/<int:form_id>/preview/", forms.form_preview, name="form_preview"),
    path("forms/<int:form_id>/blank.pdf", forms.form_print, name="form_print"),
    path("forms/<int:form_id>/questionnaire.json", forms.form_export, name="form_export"),
    path("forms/<int:form_id>/archive/", forms.form_archive, name="form_archive"),
    path("forms/<int:form_id>/copy/", forms.form_copy, name="form_copy"),
    # Organization Administration
    path("admin/", admin.settings_view, name="admin_settings"),
    path("admin/logo/", admin.logo_upload, name="admin_logo"),
    path("admin/staff/", admin.staff_list, name="admin_staff"),
    path("admin/staff/invite/", admin.staff_invite, name="admin_staff_invite"),
    path("admin/staff/<int:member_id>/", admin.staff_detail, name="admin_staff_detail"),
    path("admin/facilities/", admin.facility_list, name="admin_facilities"),
    path("admin/document-types/", documents.document_types, name="admin_document_types"),
    path("admin/document-types/<int:type_id>/", documents.document_type_update, name="admin_document_type_update"),
    path("admin/facilities/new/", admin.facility_edit, name="admin_facility_add"),
    path("admin/facilities/<int:facility_id>/", admin.facility_edit, name="admin_facility_edit"),
]

if not settings.PRODUCTION:  # the page answers only where HAVEN_DEMO_OUTBOX asks for it
    urlpatterns += [path("demo-outbox/", home.demo_outbox, name="demo_outbox")]
