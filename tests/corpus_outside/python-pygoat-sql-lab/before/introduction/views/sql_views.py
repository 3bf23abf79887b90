from django.db import connection
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def sql(request):
    return render(request, 'sql.html')
