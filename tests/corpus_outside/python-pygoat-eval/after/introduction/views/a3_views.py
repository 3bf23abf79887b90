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


@require_http_methods(['GET', 'POST'])
def a3_lab2(request):
    """Lab 2 for demonstrating more injection vulnerabilities."""
    context = {}

    if request.method == 'POST':
        action = request.POST.get('action')

        if action == 'eval':
            expression = request.POST.get('expression', '')

            if expression:
                try:
                    result = eval(expression, {'__builtins__': None}, {})  # EXPECT code injection
                    context['eval_result'] = str(result)
                except Exception as e:
                    context['eval_error'] = str(e)

    return render(request, 'a3_lab2.html', context)
