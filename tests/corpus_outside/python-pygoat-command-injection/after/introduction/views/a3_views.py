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


def command_injection(request):
    """Vulnerable command injection endpoint."""
    if request.method == 'GET':
        host = request.GET.get('host', '127.0.0.1')

        try:
            cmd = f"ping -c 4 {host}"

            result = subprocess.run(  # EXPECT command injection
                cmd,
                shell=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True
            )

            if result.returncode == 0:
                return HttpResponse(  # EXPECT reflected XSS
                    f"<pre>Command: {cmd}\n\n{result.stdout}</pre>",
                    content_type='text/html'
                )
        except Exception as e:
            logger.error(e)

    return HttpResponse(
        "<pre>Usage: /a3/command?host=example.com</pre>",
        content_type='text/html'
    )
