from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def playground(request):
    return render(request, "composer/playground.html", {"nav": "playground"})
