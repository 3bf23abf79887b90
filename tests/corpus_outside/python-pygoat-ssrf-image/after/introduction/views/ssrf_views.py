import requests
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def ssrf(request):
    return render(request, 'ssrf.html')


def ssrf_lab2(request):
    content = None
    if request.method == 'POST':
        image_url = request.POST.get('image_url', '')
        if image_url:
            try:
                response = requests.get(image_url, timeout=5)  # EXPECT SSRF
                if 'image' in response.headers.get('Content-Type', ''):
                    content = f"Image loaded from {image_url}"
                else:
                    content = f"The URL does not point to a valid image"
            except Exception as e:
                content = f"Error loading image: {str(e)}"

    return render(request, 'ssrf_lab2.html', {'content': content})
