package co.ostorlab.myapplication

import android.content.Context
import android.os.Bundle
import android.webkit.JavascriptInterface
import android.webkit.WebView
import android.webkit.WebViewClient
import android.widget.TextView
import androidx.appcompat.app.AppCompatActivity
import java.io.File

class ArticleViewerActivity : AppCompatActivity() {

    private lateinit var webView: WebView
    private lateinit var titleView: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_article_viewer)

        initializeViews()
        setupWebView()
        loadArticleContent()
    }

    private fun initializeViews() {
        webView = findViewById(R.id.webViewArticle)
        titleView = findViewById(R.id.tvArticleTitle)
    }

    private fun setupWebView() {
        webView.webViewClient = WebViewClient()
        webView.settings.javaScriptEnabled = true
        webView.settings.domStorageEnabled = true
        webView.settings.allowFileAccess = true
        webView.settings.allowContentAccess = true

        webView.addJavascriptInterface(NewsReaderInterface(this), "NewsReader")
    }

    private fun loadArticleContent() {
        // Get article information from intent
        val articleTitle = intent.getStringExtra("article_title") ?: "Latest News"
        val articleUrl = intent.getStringExtra("url") ?: intent.getStringExtra("article_url")

        // Set the article title
        titleView.text = articleTitle

        // Load the article URL in WebView
        if (articleUrl != null && articleUrl.isNotEmpty()) {
            webView.loadUrl(articleUrl) // EXPECT untrusted URL in a WebView with a JavaScript bridge
        } else {
            // Load default content if no URL provided
            val defaultContent = """
                <html>
                <head><title>Latest News</title></head>
                <body>
                    <h1>Latest News</h1>
                    <p>This is the default article content.</p>
                </body>
                </html>
            """.trimIndent()
            webView.loadDataWithBaseURL("https://www.bbc.com", defaultContent, "text/html", "UTF-8", null)
        }
    }

    override fun onBackPressed() {
        if (webView.canGoBack()) {
            webView.goBack()
        } else {
            super.onBackPressed()
        }
    }
}

class NewsReaderInterface(private val context: Context) {

    @JavascriptInterface
    fun saveArticleData(articleId: String, content: String): Boolean {
        try {
            val prefs = context.getSharedPreferences("saved_articles", Context.MODE_PRIVATE)
            prefs.edit().putString(articleId, content).apply()
            return true
        } catch (e: Exception) {
            return false
        }
    }

    @JavascriptInterface
    fun readLocalFile(filename: String): String {
        try {
            val file = File(context.filesDir, filename) // EXPECT path traversal from a JavaScript bridge
            if (file.exists()) {
                return file.readText()
            }
        } catch (e: Exception) {
            return "Error reading file: ${e.message}"
        }
        return "File not found"
    }

    @JavascriptInterface
    fun writeLocalFile(filename: String, content: String): Boolean {
        try {
            val file = File(context.filesDir, filename) // EXPECT path traversal from a JavaScript bridge
            file.writeText(content)
            return true
        } catch (e: Exception) {
            return false
        }
    }

    @JavascriptInterface
    fun executeCommand(command: String): String {
        return try {
            val process = Runtime.getRuntime().exec(command) // EXPECT command injection from a JavaScript bridge
            process.inputStream.bufferedReader().readText()
        } catch (e: Exception) {
            "Command execution failed: ${e.message}"
        }
    }
}
