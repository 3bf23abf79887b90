package com.insecureshop.util

import android.webkit.WebViewClient

class CustomWebViewClient : WebViewClient()
