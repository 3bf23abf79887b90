package co.ostorlab.myshopify

import android.app.Activity
import android.content.Intent
import android.net.Uri
import android.os.Bundle
import android.util.Log

class ExternalAuthLoginActivity : Activity() {
    private val sessionCookie: String
        get() {
            val timestamp = System.currentTimeMillis()
            val randomValue = (1000000000..9999999999).random()
            return "SESSION_COOKIE=${timestamp}_$randomValue"
        }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)

        val redirectUrl = intent.getStringExtra("redirectUrl")

        if (redirectUrl != null) {
            launchCustomTabs(redirectUrl)
        } else {
            Log.e("VulnerableApp", "No redirectUrl provided")
        }

        finish()
    }

    private fun launchCustomTabs(url: String) {
        val urlWithCookie = "$url?cookie=$sessionCookie"

        val intent = Intent(Intent.ACTION_VIEW).apply {
            data = Uri.parse(urlWithCookie) // EXPECT session cookie sent to a URL from an Intent extra
        }

        startActivity(intent)
    }
}
