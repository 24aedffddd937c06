from django.contrib.auth import views as auth_views
from django.urls import path

from tongban.queueing import views

app_name = "queueing"

urlpatterns = [
    path("queue/login/", views.LoginView.as_view(), name="login"),
    path("queue/logout/", auth_views.LogoutView.as_view(next_page="queueing:login"), name="logout"),
    path("queue/panel/", views.panel, name="panel"),
    path("queue/panel/<slug:action>/", views.panel_action, name="panel-action"),
    path("queue/<slug:code>/display/", views.display, name="display"),
    path("queue/<slug:code>/display/board/", views.display_board, name="display-board"),
    path("planner/", views.planner_index, name="planner-index"),
    path("planner/<slug:code>/", views.planner, name="planner"),
]
