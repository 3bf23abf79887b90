package com.insecureshop

import android.net.Uri
import android.os.Bundle
import android.webkit.WebView
import androidx.appcompat.app.AppCompatActivity
import com.insecureshop.util.CustomWebViewClient

class WebViewActivity : AppCompatActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_webview)

        val webview = findViewById<WebView>(R.id.webview)

        webview.settings.javaScriptEnabled = true
        webview.settings.allowUniversalAccessFromFileURLs = true // EXPECT file pages may read any origin
        webview.webViewClient = CustomWebViewClient()
        val uri : Uri? = intent.data
        uri?.let {
            var data: String? = null
            if (uri.path.equals("/web")) {
                data = intent.data?.getQueryParameter("url")
            }
            if (data == null) {
                finish()
            }
            webview.loadUrl(data) // EXPECT URL from a deep link loaded unchecked
        }
    }
}
