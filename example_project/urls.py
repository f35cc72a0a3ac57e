"""URLs of the example project."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from django_functionalkit.rest import not_found
from example_project.catalog.api import CategoryViewSet, ProductViewSet
from example_project.orders.api import OrderViewSet
from example_project.users import views
from example_project.users.api import UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
router.register("categories", CategoryViewSet, basename="category")
router.register("products", ProductViewSet, basename="product")
router.register("orders", OrderViewSet, basename="order")

urlpatterns = [
    path("", views.home, name="home"),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^api/", not_found),  # after the API's routes: its 404s are problem details too
    path("admin/", admin.site.urls),
]
