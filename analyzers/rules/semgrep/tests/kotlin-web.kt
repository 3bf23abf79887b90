package demo

import android.app.Activity
import android.net.http.SslError
import android.os.Bundle
import android.webkit.SslErrorHandler
import android.webkit.WebView
import android.webkit.WebViewClient
import java.io.File
import javax.net.ssl.HostnameVerifier

class NotesActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val db = openOrCreateDatabase("notes", 0, null)
        val title = intent.getStringExtra("title")
        // ruleid: kt-taint-sql-injection
        val cursor = db.rawQuery("SELECT * FROM notes WHERE title = '" + title + "'", null)
        // ok: kt-taint-sql-injection
        val safe = db.rawQuery("SELECT * FROM notes WHERE title = ?", arrayOf(title))
        val web = WebView(this)
        val url = intent.data?.getQueryParameter("url")
        // ruleid: kt-taint-webview-load
        web.loadUrl(url!!)
        // ok: kt-taint-webview-load
        web.loadUrl("https://example.com/help")
        // ruleid: kt-webview-file-access
        web.settings.allowUniversalAccessFromFileURLs = true
        // ok: kt-webview-file-access
        web.settings.allowFileAccessFromFileURLs = false
        val name = intent.getStringExtra("file")
        // ruleid: kt-taint-path-traversal
        val text = File(filesDir, name).readText()
        // ok: kt-taint-path-traversal
        val other = File(filesDir, File(name).name).readText()
        // ruleid: kt-taint-command-injection
        Runtime.getRuntime().exec("ls " + name)
        // ok: kt-taint-command-injection
        Runtime.getRuntime().exec(arrayOf("ls", "-la"))
        web.webViewClient = object : WebViewClient() {
            override fun onReceivedSslError(view: WebView, handler: SslErrorHandler, error: SslError) {
                // ruleid: kt-tls-verification-disabled
                handler.proceed()
            }
        }
        // ruleid: kt-tls-verification-disabled
        val verifier = HostnameVerifier { _, _ -> true }
        // ok: kt-tls-verification-disabled
        val strict = HostnameVerifier { host, _ -> host == "example.com" }
    }
}

class RedirectActivity : AppCompatActivity() {
    fun forward() {
        val inner = intent.getParcelableExtra<Intent>("extra_intent")
        // ruleid: kt-taint-intent-redirection
        startActivity(inner)
        // ok: kt-taint-intent-redirection
        startActivity(Intent(this, MainActivity::class.java))
    }

    fun openBrowser() {
        val target = intent.getStringExtra("redirectUrl")
        // ruleid: kt-taint-open-redirect-intent
        startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(target)))
        // ok: kt-taint-open-redirect-intent
        startActivity(Intent(Intent.ACTION_VIEW, Uri.parse("https://example.com/help")))
    }

    fun announce(password: String) {
        val open = Intent("com.example.LOGGED_IN")
        open.putExtra("password", password)
        // ruleid: kt-implicit-broadcast
        sendBroadcast(open)
        val scoped = Intent("com.example.LOGGED_IN")
        scoped.setPackage("com.example.companion")
        // ok: kt-implicit-broadcast
        sendBroadcast(scoped)
    }

    fun logIn(userName: String, password: String) {
        // ruleid: kt-log-sensitive
        Log.d("login", "password=" + password)
        // ok: kt-log-sensitive
        Log.d("login", "user $userName signed in")
    }
}
