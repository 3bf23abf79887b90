import base64
import pickle
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def insec_des(request):
    return render(request, 'insec_des.html')


def insec_desgine_lab(request):
    context = {}

    if request.method == 'POST':
        try:
            data = request.POST.get('data', '')
            if data:
                obj = pickle.loads(base64.b64decode(data))  # EXPECT insecure deserialization
                context['result'] = f"Deserialized object: {str(obj)[:100]}"
        except Exception as e:
            context['error'] = str(e)

    return render(request, 'insec_desgine_lab.html', context)
