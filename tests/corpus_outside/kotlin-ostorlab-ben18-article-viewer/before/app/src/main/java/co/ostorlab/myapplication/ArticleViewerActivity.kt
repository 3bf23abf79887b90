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
        webView.loadUrl("https://news.example.com/latest")
    }
}
