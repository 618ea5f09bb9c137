from django.urls import path

from benchmarks.reference.views import fortunes

urlpatterns = [path("fortunes/", fortunes)]
