
app_name = "proxy"
urlpatterns: list = []
