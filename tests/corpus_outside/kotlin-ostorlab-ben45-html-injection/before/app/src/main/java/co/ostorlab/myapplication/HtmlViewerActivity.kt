package co.ostorlab.myapplication

import android.os.Bundle
import android.webkit.WebView
import android.webkit.WebViewClient
import android.widget.TextView
import androidx.activity.ComponentActivity

class HtmlViewerActivity : ComponentActivity() {
    private lateinit var webView: WebView
    private lateinit var titleView: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        titleView = TextView(this)
        webView = WebView(this).apply {
            webViewClient = WebViewClient()
        }
        webView.settings.javaScriptEnabled = true
        setContentView(webView)
        loadWorkoutContent()
    }

    private fun loadWorkoutContent() {
        webView.loadDataWithBaseURL(null, "<html><body><h2>Welcome</h2></body></html>", "text/html", "UTF-8", null)
    }
}
