"""URLs of the example project."""

from django.contrib import admin
from django.urls import path

from example_project.users import views

urlpatterns = [
    path("", views.home, name="home"),
    path("users/<int:user_id>/", views.user_detail, name="user-detail"),
    path("admin/", admin.site.urls),
]
