from django.urls import path

from tongban.queueing import kiosk, views

app_name = "queueing"

urlpatterns = [
    path("queue/panel/", views.panel, name="panel"),
    path("queue/panel/<slug:action>/", views.panel_action, name="panel-action"),
    path("queue/<slug:code>/display/", views.display, name="display"),
    path("queue/<slug:code>/display/board/", views.display_board, name="display-board"),
    path("queue/<slug:code>/kiosk/", kiosk.kiosk, name="kiosk"),
    path("queue/<slug:code>/kiosk/take/", kiosk.take, name="kiosk-take"),
    path("queue/<slug:code>/kiosk/<str:number>/", kiosk.slip, name="kiosk-slip"),
    path("queue/<slug:code>/tickets/<str:number>/", views.ticket_page, name="ticket"),
    path("queue/<slug:code>/tickets/<str:number>/status/", views.ticket_part, name="ticket-status"),
    path("planner/", views.planner_index, name="planner-index"),
    path("planner/<slug:code>/", views.planner, name="planner"),
]
