package co.ostorlab.ben1

import android.os.Bundle
import android.webkit.JavascriptInterface
import android.webkit.WebView
import android.webkit.WebViewClient
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.runtime.Composable
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.viewinterop.AndroidView

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            val targetUrl = intent.getStringExtra("redirect_to")
            BankWebView(url = targetUrl ?: "https://www.google.com")
        }
    }
}

@Composable
fun BankWebView(url: String) {
    val context = LocalContext.current

    AndroidView(factory = {
        WebView(it).apply {
            settings.javaScriptEnabled = true
            webViewClient = WebViewClient()

            addJavascriptInterface(object {
                @JavascriptInterface
                fun showToast(message: String) {
                    Toast.makeText(context, message, Toast.LENGTH_LONG).show()
                }
            }, "Android")

            loadUrl(url) // EXPECT an intent extra decides the page the WebView loads
        }
    }, update = {
        it.loadUrl(url) // EXPECT an intent extra decides the page the WebView loads
    })
}
