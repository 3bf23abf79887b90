from django.http import HttpResponse
from django.contrib.auth.models import User
from django.db import connection


def lookup(request):
    users = User.objects.raw("SELECT * FROM auth_user WHERE username = '%s'" % request.GET["u"])  # EXPECT sqli
    return HttpResponse(", ".join(u.email for u in users))


def report(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports WHERE owner = '" + request.GET.get("owner") + "'")  # EXPECT sqli
        rows = cursor.fetchall()
    return HttpResponse(str(rows))


def greet(request):
    return HttpResponse("<h1>Hi " + request.GET.get("name", "") + "</h1>")  # EXPECT xss
