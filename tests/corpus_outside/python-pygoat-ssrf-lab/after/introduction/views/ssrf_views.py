import requests
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def ssrf(request):
    return render(request, 'ssrf.html')


@require_http_methods(['GET', 'POST'])
def ssrf_lab(request):
    content = None
    if request.method == 'POST':
        url = request.POST.get('url', '')
        if url:
            try:
                response = requests.get(url, timeout=5)  # EXPECT SSRF
                content = response.text
            except Exception as e:
                content = f"Error: {str(e)}"

    return render(request, 'ssrf_lab.html', {'content': content})
