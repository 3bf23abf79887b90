import base64
import pickle
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def insec_des(request):
    return render(request, 'insec_des.html')
