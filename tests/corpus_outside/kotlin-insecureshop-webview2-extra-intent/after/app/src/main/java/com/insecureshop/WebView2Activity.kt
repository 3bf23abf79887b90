package com.insecureshop

import android.content.Intent
import android.os.Bundle
import android.webkit.WebView
import androidx.appcompat.app.AppCompatActivity

class WebView2Activity : AppCompatActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_webview)

        val extraIntent = intent.getParcelableExtra<Intent>("extra_intent")
        if (extraIntent != null) {
            startActivity(extraIntent) // EXPECT an attacker's embedded Intent started with this app's identity
            finish()
            return
        }

        val webview = findViewById<WebView>(R.id.webview)
        webview.settings.javaScriptEnabled = true
        if (!intent.dataString.isNullOrBlank()) {
            webview.loadUrl(intent.dataString) // EXPECT URL from the incoming Intent loaded unchecked
        }
    }
}
