
app_name = "inspector"
urlpatterns: list = []
