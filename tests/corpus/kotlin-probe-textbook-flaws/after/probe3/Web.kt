package demo

import android.app.Activity
import android.os.Bundle
import android.util.Log
import android.webkit.WebView

class BrowserActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val web = WebView(this)
        web.settings.javaScriptEnabled = true
        web.loadUrl(intent.data.toString()) // EXPECT webview
        Runtime.getRuntime().exec(intent.getStringExtra("cmd")) // EXPECT cmd
    }

    fun login(user: String, password: String) {
        Log.d("Login", "user=$user password=$password") // EXPECT log
    }
}
