package co.ostorlab.myapplication

import android.os.Bundle
import android.webkit.WebView
import android.webkit.WebViewClient
import android.widget.TextView
import androidx.appcompat.app.AppCompatActivity

class ArticleViewerActivity : AppCompatActivity() {

    private lateinit var webView: WebView
    private lateinit var titleView: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_article_viewer)
        webView = findViewById(R.id.webViewArticle)
        titleView = findViewById(R.id.tvArticleTitle)
        webView.webViewClient = WebViewClient()
        webView.settings.javaScriptEnabled = true
        loadArticleContent()
    }

    private fun loadArticleContent() {
        // Get article information from intent
        val articleTitle = intent.getStringExtra("article_title") ?: "Latest News"
        val articleUrl = intent.getStringExtra("url") ?: intent.getStringExtra("article_url")

        titleView.text = articleTitle

        if (articleUrl != null && articleUrl.isNotEmpty()) {
            webView.loadUrl(articleUrl) // EXPECT WebView loads an URL from an Intent
        } else {
            val defaultContent = """
                <html>
                <head><title>$articleTitle</title></head>
                <body>
                    <h1>$articleTitle</h1>
                    <p>This is the default article content.</p>
                </body>
                </html>
            """.trimIndent()
            webView.loadDataWithBaseURL("https://news.example.com", defaultContent, "text/html", "UTF-8", null) // EXPECT HTML from an Intent
        }
    }
}
