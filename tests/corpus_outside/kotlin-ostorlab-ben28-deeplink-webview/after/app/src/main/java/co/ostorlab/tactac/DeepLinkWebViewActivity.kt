package co.ostorlab.tactac

import android.os.Bundle
import android.webkit.JavascriptInterface
import android.webkit.WebView
import androidx.activity.ComponentActivity

class DeepLinkWebViewActivity : ComponentActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)

        // Get URL from intent without validation
        val url = intent.getStringExtra("url") ?: "https://tactac.com"
        setContentView(webViewFor(url))
    }

    fun webViewFor(url: String): WebView {
        return WebView(this).apply {
            settings.javaScriptEnabled = true

            addJavascriptInterface(object {
                @JavascriptInterface
                fun getAuthToken(): String {
                    return "token"
                }
            }, "Android")
            loadUrl(url) // EXPECT WebView loads an URL from an Intent
        }
    }
}
