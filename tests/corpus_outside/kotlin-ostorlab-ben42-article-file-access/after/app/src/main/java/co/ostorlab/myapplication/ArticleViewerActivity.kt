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
        setupWebView()
        loadArticleContent()
    }

    private fun setupWebView() {
        webView.webViewClient = WebViewClient()
        webView.settings.javaScriptEnabled = true
        webView.settings.domStorageEnabled = true
        webView.settings.allowFileAccess = true
        webView.settings.allowContentAccess = true
        webView.settings.allowFileAccessFromFileURLs = true // EXPECT file pages may read other files
        webView.settings.allowUniversalAccessFromFileURLs = true // EXPECT file pages may read any origin
    }

    private fun loadArticleContent() {
        val articleTitle = intent.getStringExtra("article_title") ?: "Latest News"
        val articleUrl = intent.getStringExtra("url") ?: intent.getStringExtra("article_url")
        titleView.text = articleTitle
        if (articleUrl != null && articleUrl.isNotEmpty()) {
            webView.loadUrl(articleUrl) // EXPECT URL from the Intent loaded unchecked
        }
    }
}
