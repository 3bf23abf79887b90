package co.ostorlab.myapplication

import android.os.Bundle
import android.webkit.WebView
import android.webkit.WebViewClient
import android.widget.LinearLayout
import android.widget.TextView
import androidx.activity.ComponentActivity

class ArticleViewerActivity : ComponentActivity() {
    private lateinit var webView: WebView
    private lateinit var titleView: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val mainLayout = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        titleView = TextView(this).apply { textSize = 20f }
        mainLayout.addView(titleView)
        webView = WebView(this).apply { webViewClient = WebViewClient() }
        setupWebView()
        mainLayout.addView(webView)
        setContentView(mainLayout)
        loadWorkoutContent()
    }

    private fun setupWebView() {
        val settings = webView.settings
        settings.javaScriptEnabled = true
        settings.domStorageEnabled = true
        settings.allowFileAccess = false
        settings.allowContentAccess = true
    }

    private fun loadWorkoutContent() {
        val workoutTitle = intent.getStringExtra("title") ?: "Fitness Activity"
        val workoutContent = intent.getStringExtra("content") ?: ""

        titleView.text = workoutTitle

        if (workoutContent.isNotEmpty()) {
            val htmlContent = """
                <html>
                <head><meta charset="UTF-8"></head>
                <body>
                    <div class="fitness-stats"><h3>FitTracker Pro - Workout Session</h3></div>
                    <div class="workout-content">
                        $workoutContent
                    </div>
                </body>
                </html>
            """
            webView.loadDataWithBaseURL(null, htmlContent, "text/html", "UTF-8", null) // EXPECT intent extra rendered as HTML with JavaScript on
        } else {
            val defaultContent = "<html><body><h2>Welcome to FitTracker Pro</h2></body></html>"
            webView.loadDataWithBaseURL(null, defaultContent, "text/html", "UTF-8", null)
        }
    }
}
