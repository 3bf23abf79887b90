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
def a3_lab(request):
    """Lab for demonstrating injection vulnerabilities."""
    context = {}

    if request.method == 'POST':
        try:
            username = request.POST.get('username', '')
            password = request.POST.get('password', '')

            query = f"SELECT * FROM auth_user WHERE username = '{username}' AND password = '{password}'"

            with connection.cursor() as cursor:
                cursor.execute(query)  # EXPECT SQL injection
                results = cursor.fetchall()
                if results:
                    context['message'] = "Login successful!"
                else:
                    context['error'] = "Invalid username or password"
        except ProgrammingError as e:
            context['error'] = f"Database error: {str(e)}"

    return render(request, 'a3_lab.html', context)
