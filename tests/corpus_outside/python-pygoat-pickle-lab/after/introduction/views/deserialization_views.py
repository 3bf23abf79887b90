import base64
import pickle
from django.shortcuts import render
from django.views.decorators.http import require_http_methods


def insec_des(request):
    return render(request, 'insec_des.html')


@require_http_methods(['GET', 'POST'])
def insec_des_lab(request):
    context = {}

    if request.method == 'POST':
        try:
            data = request.POST.get('data', '')
            if data:
                decoded = base64.b64decode(data)
                user = pickle.loads(decoded)  # EXPECT insecure deserialization
                context['result'] = f"Deserialized user with admin={getattr(user, 'admin', 'N/A')}"
        except Exception as e:
            context['error'] = str(e)

    return render(request, 'insec_des_lab.html', context)
