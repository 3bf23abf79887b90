import requests
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def ssrf(request):
    return render(request, 'ssrf.html')
