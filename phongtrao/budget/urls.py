from django.urls import path
app_name = "budget"
urlpatterns: list = []
