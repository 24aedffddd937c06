"""`/api/v1/`: every app's viewsets on one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from tongban.appointments.api.views import AvailabilityViewSet, BookingViewSet
from tongban.cases.api.bundle_views import BundleCaseViewSet, RulePreviewView
from tongban.cases.api.views import CaseViewSet, GrantViewSet
from tongban.catalog.api.views import BundleViewSet, ItemViewSet, ServicePointByItemViewSet
from tongban.directory.api.views import DepartmentViewSet, RegionViewSet
from tongban.licences.api.views import LicenceViewSet
from tongban.queueing.api.views import QueueViewSet, RecommendationViewSet, StaffingPlanViewSet, TicketViewSet
from tongban.ratings.api.views import RatingViewSet

router = DefaultRouter()
router.trailing_slash = "/?"  # both /cases and /cases/ (DRF turns a truthy argument into "/")
router.register("regions", RegionViewSet, basename="region")
router.register("departments", DepartmentViewSet, basename="department")
router.register("service-points", ServicePointByItemViewSet, basename="service-point")
router.register("items", ItemViewSet, basename="item")
router.register("bundles", BundleViewSet, basename="bundle")
router.register("cases", CaseViewSet, basename="case")
router.register("grants", GrantViewSet, basename="grant")
router.register("bundle-cases", BundleCaseViewSet, basename="bundle-case")
router.register("licences", LicenceViewSet, basename="licence")
router.register("availability", AvailabilityViewSet, basename="availability")
router.register("bookings", BookingViewSet, basename="booking")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("queues", QueueViewSet, basename="queue")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("staffing-plans", StaffingPlanViewSet, basename="staffing-plan")
router.register("ratings", RatingViewSet, basename="rating")

urlpatterns = [
    path("items/<str:code>/rule-preview", RulePreviewView.as_view(), name="rule-preview"),
    *router.urls,
]
