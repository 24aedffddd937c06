from django.urls import path

from tongban.portal import application, booking, bundle_application, go, licences, progress, rating, views

app_name = "portal"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("items/<str:code>/", views.item_page, name="item"),
    path("items/<str:code>/guide.pdf", views.item_pdf, name="item_pdf"),
    path("items/<str:code>/apply/", application.apply, name="apply"),
    path("items/<str:code>/book/", booking.book_item, name="book"),
    path("items/<str:code>/go/", go.go_item, name="go"),
    path("my/trips/<str:token>/", go.trip, name="trip"),
    path("bundles/<str:code>/", views.bundle_page, name="bundle"),
    path("bundles/<str:code>/apply/", bundle_application.apply_bundle, name="bundle_apply"),
    path("community/<slug:code>/", views.doorplate, name="doorplate"),
    path("my/cases/", application.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", application.my_case, name="my_case"),
    path("my/bundles/<str:number>/", bundle_application.my_bundle, name="my_bundle"),
    path("my/licences/", licences.my_licences, name="my_licences"),
    path("my/licences/<str:identifier>.pdf", licences.licence_pdf, name="licence_pdf"),
    path("bundles/<str:code>/book/", booking.book_bundle, name="book_bundle"),
    path("bundles/<str:code>/go/", go.go_bundle, name="go_bundle"),
    path("my/cases/<str:number>/rate/", rating.rate_case, name="rate_case"),
    path("my/bookings/", booking.my_bookings, name="my_bookings"),
    path("my/bookings/<str:number>/", booking.my_booking, name="my_booking"),
    path("my/bookings/<str:number>/cancel/", booking.cancel_booking, name="cancel_booking"),
    path("my/bookings/<str:number>/reschedule/", booking.reschedule_booking, name="reschedule_booking"),
    path("my/bookings/<str:number>/check-in/", booking.check_in, name="check_in"),
    path("my/tickets/<int:pk>/rate/", rating.rate_ticket, name="rate_ticket"),
    # The QR code on every case document points at /progress/<number> (cases.documents.progress_url).
    path("progress/", progress.progress, name="progress"),
    path("progress/<str:number>", progress.progress, name="progress_case"),
]
