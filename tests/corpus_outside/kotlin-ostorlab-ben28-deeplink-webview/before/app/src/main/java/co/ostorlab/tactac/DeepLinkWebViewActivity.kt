package co.ostorlab.tactac

import android.os.Bundle
import android.webkit.WebView
import androidx.activity.ComponentActivity

class DeepLinkWebViewActivity : ComponentActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val webView = WebView(this)
        webView.loadUrl("https://tactac.com")
        setContentView(webView)
    }
}
