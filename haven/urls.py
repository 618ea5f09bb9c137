from django.urls import include, path

from haven.practices import views as practice_views
from haven.staff.views import home

urlpatterns = [
    path("", home.root, name="root"),
    path("staff/", include("haven.staff.urls")),
    path("p/<slug:slug>/", include("haven.portal.urls")),
    path("practice/<slug:slug>/logo", practice_views.practice_logo, name="practice_logo"),
]

handler403 = "haven.core.views.forbidden"
handler404 = "haven.core.views.not_found"
