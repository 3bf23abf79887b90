import os
import subprocess
import logging
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django.http import JsonResponse, HttpResponse
from django.db import connection
from django.db.utils import ProgrammingError

logger = logging.getLogger(__name__)


def a3(request):
    """View for A3: Injection introduction."""
    return render(request, 'a3.html')
