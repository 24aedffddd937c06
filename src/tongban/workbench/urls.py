from django.urls import path

from tongban.workbench import bundle_intake, casework, clerk, queue

app_name = "workbench"
urlpatterns = [
    path("workbench/", clerk.start, name="start"),
    path("workbench/applicants/<int:pk>/", clerk.applicant_page, name="applicant"),
    path("workbench/applicants/<int:pk>/items/<str:code>/", clerk.intake, name="intake"),
    path("workbench/applicants/<int:pk>/bundles/<str:code>/", bundle_intake.bundle_intake, name="bundle_intake"),
    path("workbench/bundles/<str:number>/", bundle_intake.bundle_page, name="bundle"),
    path("workbench/cases/", clerk.hall_cases, name="cases"),
    path("workbench/tickets/<int:pk>/intake/", queue.ticket_intake, name="ticket_intake"),
    path("workbench/cases/<str:number>/", casework.case_page, name="case"),
    path("workbench/attachments/<int:pk>/", casework.attachment, name="attachment"),
    path("inbox/", casework.inbox, name="inbox"),
]
