package co.ostorlab.myapplication

import android.os.Bundle
import androidx.appcompat.app.AppCompatActivity

class ArticleViewerActivity : AppCompatActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_article_viewer)
    }
}
