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
        // ok: kt-taint-command-injection
        ProcessBuilder("ls", "-l", "--", name).start()
        // ok: kt-taint-command-injection
        ProcessBuilder(listOf("ping", "-c", "1", name)).start()
        // ruleid: kt-taint-command-injection
        ProcessBuilder("sh", "-c", "cat " + name).start()
        // ruleid: kt-taint-command-injection
        ProcessBuilder(listOf("/bin/bash", "-c", "cat $name")).start()
        // ruleid: kt-taint-command-injection
        Runtime.getRuntime().exec(arrayOf("sh", "-c", "ls $name"))
        // ok: kt-taint-command-injection
        Runtime.getRuntime().exec(arrayOf("ls", "-l", name))
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

class DeepLinkActivity : AppCompatActivity() {
    fun show(db: SQLiteDatabase, web: WebView) {
        val tag = intent?.getStringExtra("tag")
        // ruleid: kt-taint-sql-injection
        db.query(SimpleSQLiteQuery("SELECT * FROM notes WHERE tag = '$tag'"))
        // ok: kt-taint-sql-injection
        db.query(SimpleSQLiteQuery("SELECT * FROM notes WHERE tag = ?", arrayOf(tag)))
        val title = resources.getString(R.string.app_name)
        // ok: kt-taint-sql-injection
        db.execSQL("UPDATE settings SET title = '$title'")
        intent.getStringExtra("page")?.let {
            // ruleid: kt-taint-webview-load
            web.loadUrl(it)
        }
        // ruleid: kt-taint-path-traversal
        val input = contentResolver.openInputStream(intent.data!!)
        // ok: kt-taint-path-traversal
        val own = contentResolver.openInputStream(Uri.parse("content://com.example.notes/1"))
        // ruleid: kt-taint-path-traversal
        openFileOutput(intent.getStringExtra("name"), MODE_PRIVATE)
        // ok: kt-taint-path-traversal
        openFileOutput("settings.json", MODE_PRIVATE)
    }

    fun forward() {
        val next = intent?.getParcelableExtra<Intent>("next")
        // ruleid: kt-taint-intent-redirection
        startForegroundService(next)
        // ok: kt-taint-intent-redirection
        startForegroundService(Intent(this, SyncService::class.java))
    }
}

class Bridge(private val db: SQLiteDatabase) {
    @JavascriptInterface
    fun save(note: String) {
        // ruleid: kt-taint-sql-injection
        db.execSQL("INSERT INTO notes(body) VALUES('" + note + "')")
        // ok: kt-taint-sql-injection
        db.execSQL("INSERT INTO notes(body) VALUES(?)", arrayOf(note))
    }
}

class EarlyReturnActivity : AppCompatActivity() {
    fun open(db: SQLiteDatabase, web: WebView) {
        val id = intent.getStringExtra("id") ?: return
        // ruleid: kt-early-return-sql-injection
        db.execSQL("DELETE FROM notes WHERE id = '$id'")
        // ok: kt-early-return-sql-injection
        db.execSQL("DELETE FROM notes WHERE id = ?", arrayOf(id))
        val url = intent.data?.getQueryParameter("url") ?: return
        val page = "https://example.com/?next=$url"
        // ruleid: kt-early-return-webview-load
        web.loadUrl(page)
        // ok: kt-early-return-webview-load
        web.loadUrl("https://example.com/help")
        val count = intent.getStringExtra("count")?.toIntOrNull() ?: return
        // ok: kt-early-return-sql-injection
        db.execSQL("DELETE FROM notes WHERE rank > $count")
    }

    fun export() {
        val name = intent.getStringExtra("name") ?: return
        // ruleid: kt-early-return-path-traversal
        val out = File(filesDir, name)
        // ok: kt-early-return-path-traversal
        val safe = File(filesDir, File(name).name)
        val host = intent.getStringExtra("host") ?: throw IllegalArgumentException("host")
        // ruleid: kt-early-return-command-injection
        Runtime.getRuntime().exec("ping -c 1 $host")
        // ok: kt-early-return-command-injection
        Runtime.getRuntime().exec(arrayOf("ping", "-c", "1", "example.com"))
    }

    fun forward() {
        val next = intent.getParcelableExtra<Intent>("next") ?: return
        // ruleid: kt-early-return-intent-redirection
        startActivity(next)
        // ok: kt-early-return-intent-redirection
        startActivity(Intent(this, MainActivity::class.java))
    }
}

class FilesProvider : ContentProvider() {
    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor? {
        val context = context ?: return null
        val name = uri.lastPathSegment
        // ruleid: kt-early-return-path-traversal
        val file = File(context.filesDir, name)
        // ok: kt-early-return-path-traversal
        val index = File(context.filesDir, "index.json")
        return null
    }
}

class LinkClient : WebViewClient() {
    override fun shouldOverrideUrlLoading(view: WebView, request: WebResourceRequest): Boolean {
        val url = request.url.toString()
        if (url.startsWith("intent://")) {
            val target = Intent.parseUri(url, Intent.URI_INTENT_SCHEME)
            // ruleid: kt-taint-intent-redirection
            view.context.startActivity(target)
            return true
        }
        // ok: kt-taint-intent-redirection
        view.context.startActivity(Intent(view.context, BrowserActivity::class.java))
        return false
    }
}

class HelpActivity : AppCompatActivity() {
    fun show(web: WebView) {
        intent.data?.let { link ->
            web.apply {
                settings.javaScriptEnabled = true
                // ruleid: kt-taint-webview-load
                loadUrl(link.toString())
            }
        }
        with(web) {
            // ok: kt-taint-webview-load
            loadUrl("https://example.com/help")
        }
    }
}

fun Route.proxyRoutes(client: HttpClient) {
    get("/proxy") {
        val target = call.request.queryParameters["url"]
        // ruleid: kt-taint-ssrf
        val body = client.get(target!!).bodyAsText()
        // ok: kt-taint-ssrf
        val status = client.get("https://status.example.com/").bodyAsText()
        val cached = cache.get(target)
        // ruleid: kt-taint-server-xss
        call.respondText("<p>Fetched $target</p>", ContentType.Text.Html)
        // ok: kt-taint-server-xss
        call.respondText("<p>Fetched ${target.escapeHTML()}</p>", ContentType.Text.Html)
    }
    get("/login") {
        val next = call.parameters["next"]
        // ruleid: kt-taint-server-open-redirect
        call.respondRedirect(next!!)
        // ok: kt-taint-server-open-redirect
        call.respondRedirect("/home")
    }
}

class PluginLoader(private val context: Context) {
    fun load(name: String) {
        val jar = File(Environment.getExternalStorageDirectory(), "plugins/$name.jar")
        // ruleid: kt-taint-dynamic-code-loading
        val loader = DexClassLoader(jar.absolutePath, context.codeCacheDir.absolutePath, null, javaClass.classLoader)
        val own = File(context.filesDir, "plugins/core.jar")
        // ok: kt-taint-dynamic-code-loading
        val safe = DexClassLoader(own.absolutePath, context.codeCacheDir.absolutePath, null, javaClass.classLoader)
    }
}

fun unzip(input: InputStream, target: File) {
    ZipInputStream(input).use { zis ->
        var entry = zis.nextEntry
        while (entry != null) {
            // ruleid: kt-taint-zip-slip
            val out = File(target, entry.name)
            // ok: kt-taint-zip-slip
            val flat = File(target, File(entry.name).name)
            entry = zis.nextEntry
        }
    }
}

class ArticleActivity : AppCompatActivity() {
    private var articleUrl: String? = null
    private var helpUrl: String? = null
    private lateinit var web: WebView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        web = WebView(this)
        if (intent != null) {
            articleUrl = intent.getStringExtra("article")
        }
        helpUrl = "https://example.com/help"
        render()
    }

    private fun render() {
        // ruleid: kt-taint-webview-load
        web.loadUrl(articleUrl!!)
        // ok: kt-taint-webview-load
        web.loadUrl(helpUrl!!)
    }
}

class ArticleViewerActivity : AppCompatActivity() {
    private lateinit var web: WebView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val body = intent.getStringExtra("body")
        if (body != null) {
            showArticle(body)
        }
        showFooter("© Example")
    }

    private fun showArticle(body: String) {
        // ruleid: kt-taint-webview-load
        web.loadDataWithBaseURL(null, "<article>$body</article>", "text/html", "UTF-8", null)
    }

    private fun showFooter(text: String) {
        // ok: kt-taint-webview-load
        web.loadDataWithBaseURL(null, "<footer>$text</footer>", "text/html", "UTF-8", null)
    }
}

class NotesProvider : ContentProvider() {
    private lateinit var db: SQLiteDatabase

    override fun query(uri: Uri, projection: Array<String>?, selection: String?, selectionArgs: Array<String>?, sortOrder: String?): Cursor? {
        // ruleid: kt-taint-sql-injection
        return db.query("notes", arrayOf("id", "title"), "owner = ?", selectionArgs, null, null, sortOrder)
    }

    fun recent(args: Array<String>): Cursor {
        // ok: kt-taint-sql-injection
        return db.query("notes", arrayOf("id", "title"), "owner = ?", args, null, null, "created DESC")
    }
}

class ReportActivity : AppCompatActivity() {
    fun byOwner(db: SQLiteDatabase) {
        val owner = intent.getStringExtra("owner")
        val sql = StringBuilder("SELECT * FROM reports WHERE owner = '")
        sql.append(owner).append("'")
        // ruleid: kt-taint-sql-injection
        db.rawQuery(sql.toString(), null)
        val fixed = StringBuilder("SELECT * FROM reports WHERE owner = ?")
        // ok: kt-taint-sql-injection
        db.rawQuery(fixed.toString(), arrayOf(owner))
    }
}

class PartnerActivity : AppCompatActivity() {
    fun open(web: WebView) {
        val target = intent.getStringExtra("target").orEmpty()
        if (target.startsWith("https://partner.example.com/")) {
            // ok: kt-taint-webview-load
            web.loadUrl(target)
        }
        val other = intent.getStringExtra("other").orEmpty()
        if (other.startsWith("https://partner.example.com")) {
            // ruleid: kt-taint-webview-load
            web.loadUrl(other)
        }
    }
}

class WhenValueActivity : AppCompatActivity() {
    fun show(web: WebView) {
        val page = when (intent.action) {
            "open" -> intent.getStringExtra("url")
            else -> "https://example.com/home"
        }
        // ruleid: kt-early-return-webview-load
        web.loadUrl(page!!)
        val fixed = when (intent.action) {
            "open" -> "https://example.com/open"
            else -> "https://example.com/home"
        }
        // ok: kt-early-return-webview-load
        web.loadUrl(fixed)
    }

    fun remove(db: SQLiteDatabase) {
        val where = when {
            intent.hasExtra("id") -> "id = '" + intent.getStringExtra("id") + "'"
            else -> "1 = 0"
        }
        // ruleid: kt-early-return-sql-injection
        db.execSQL("DELETE FROM notes WHERE " + where)
        val count = when {
            intent.hasExtra("n") -> intent.getStringExtra("n")?.toIntOrNull() ?: 0
            else -> 10
        }
        // ok: kt-early-return-sql-injection
        db.execSQL("DELETE FROM notes WHERE rank > " + count)
    }
}

fun Route.noteRoutes(db: Connection) {
    get("/notes/{id}") {
        val id = call.parameters["id"] ?: return@get call.respondText("missing", status = HttpStatusCode.BadRequest)
        // ruleid: kt-taint-sql-injection
        db.createStatement().executeQuery("SELECT * FROM notes WHERE id = '$id'")
    }
}

suspend fun showNote(call: ApplicationCall, db: Connection) {
    val id = call.parameters["id"] ?: return
    // ruleid: kt-early-return-sql-injection
    db.createStatement().executeQuery("SELECT * FROM notes WHERE id = '$id'")
    // ok: kt-early-return-sql-injection
    db.prepareStatement("SELECT * FROM notes WHERE id = ?")
}

class LinkFragment : Fragment() {
    fun show(web: WebView) {
        val link = requireActivity().intent.data
        // ruleid: kt-taint-webview-load
        web.loadUrl(link.toString())
        val home = requireActivity().packageName
        // ok: kt-taint-webview-load
        web.loadUrl("https://example.com/" + home)
    }
}

class ShareActivity : AppCompatActivity() {
    private lateinit var web: WebView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val shared = intent.data?.getQueryParameter("page") ?: return
        openPage(shared)
        openHelp("https://example.com/help")
    }

    private fun openPage(page: String) {
        // ruleid: kt-taint-webview-load
        web.loadUrl(page)
    }

    private fun openHelp(page: String) {
        // ok: kt-taint-webview-load
        web.loadUrl(page)
    }
}

class SearchProvider : ContentProvider() {
    private lateinit var db: SQLiteDatabase

    override fun query(uri: Uri, projection: Array<String>?, selection: String?, selectionArgs: Array<String>?, sortOrder: String?): Cursor? {
        val qb = SQLiteQueryBuilder()
        // ruleid: kt-taint-sql-injection
        qb.setTables("notes_" + uri.lastPathSegment)
        // ok: kt-taint-sql-injection
        qb.setTables("notes")
        // ruleid: kt-taint-sql-injection
        val sql = SQLiteQueryBuilder.buildQueryString(false, "notes", null, selection, null, null, null, null)
        return qb.query(db, projection, "owner = ?", selectionArgs, null, null, null)
    }
}

@RestController
class NoteController(private val jdbcTemplate: JdbcTemplate) {
    @DeleteMapping("/notes")
    fun delete(@RequestParam owner: String) {
        // ruleid: kt-taint-sql-injection
        jdbcTemplate.update("DELETE FROM notes WHERE owner = '$owner'")
        // ok: kt-taint-sql-injection
        jdbcTemplate.update("DELETE FROM notes WHERE owner = ?", owner)
    }
}

class OpenLinkActivity : AppCompatActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val link = intent.getStringExtra("link") ?: return
        // ruleid: kt-early-return-open-redirect-intent
        startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(link)))
        val help = Uri.parse("https://example.com/help")
        // ok: kt-early-return-open-redirect-intent
        startActivity(Intent(Intent.ACTION_VIEW, help))
    }
}

class GrantActivity : AppCompatActivity() {
    fun share(target: String) {
        val shared = intent.getParcelableExtra<Uri>("file_uri")
        // ruleid: kt-taint-intent-redirection
        grantUriPermission(target, shared, Intent.FLAG_GRANT_READ_URI_PERMISSION)
        val own = FileProvider.getUriForFile(this, "com.example.files", File(filesDir, "report.pdf"))
        // ok: kt-taint-intent-redirection
        grantUriPermission(target, own, Intent.FLAG_GRANT_READ_URI_PERMISSION)
    }
}

class SearchLinkActivity : AppCompatActivity() {
    fun search(web: WebView) {
        val term = intent.getStringExtra("q") ?: return
        val page = "https://search.example.com/?q=$term"
        val built = Uri.parse(page).buildUpon().build().toString()
        // ruleid: kt-early-return-webview-load
        web.loadUrl(built)
        val home = Uri.parse("https://search.example.com/").buildUpon().build().toString()
        // ok: kt-early-return-webview-load
        web.loadUrl(home)
    }

    fun tryValue(web: WebView) {
        val page = try { intent.getStringExtra("page") } catch (e: RuntimeException) { null }
        // ruleid: kt-early-return-webview-load
        web.loadUrl(page!!)
    }
}

class ArticleFragment : Fragment() {
    private val args: ArticleFragmentArgs by navArgs()
    private val help = "https://example.com/help"

    fun show(web: WebView) {
        // ruleid: kt-taint-webview-load
        web.loadUrl(args.articleUrl)
        // ok: kt-taint-webview-load
        web.loadUrl(help)
    }
}

class ImportActivity : AppCompatActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        if (intent.extras != null) {
            var shared = intent.getParcelableExtra<Parcelable>(Intent.EXTRA_STREAM) as Uri
            keepCopy(shared, shared.lastPathSegment)
        }
        keepLog("import.log")
    }

    private fun keepCopy(source: Uri, name: String?) {
        // ruleid: kt-taint-path-traversal
        val target = File(filesDir, name)
    }

    private fun keepLog(name: String) {
        // ok: kt-taint-path-traversal
        val target = File(filesDir, name)
    }
}

class NullableViewsActivity : AppCompatActivity() {
    private var web: WebView? = null
    private var db: SQLiteDatabase? = null

    fun open() {
        // ruleid: kt-taint-webview-load
        web?.loadUrl(intent.getStringExtra("url")!!)
        // ok: kt-taint-webview-load
        web?.loadUrl("https://example.com/help")
        val name = intent.getStringExtra("name") ?: return
        // ruleid: kt-early-return-sql-injection
        db?.execSQL("DELETE FROM notes WHERE name = '$name'")
        // ok: kt-early-return-sql-injection
        db?.execSQL("DELETE FROM notes WHERE name = ?", arrayOf(name))
    }
}

fun Application.earlyReturnRoutes(client: HttpClient) {
    routing {
        get("/hello") {
            val name = call.parameters["name"] ?: throw BadRequestException("name")
            // ruleid: kt-early-return-server-xss
            call.respondText("<h1>Hello $name</h1>", ContentType.Text.Html)
            // ok: kt-early-return-server-xss
            call.respondText("<h1>Hello ${StringEscapeUtils.escapeHtml4(name)}</h1>", ContentType.Text.Html)
        }
        get("/card") {
            val who = call.request.queryParameters["who"] ?: return@get call.respond(HttpStatusCode.BadRequest)
            val page = "<div class=\"card\">$who</div>"
            // ruleid: kt-early-return-server-xss, kt-taint-server-xss
            call.respondText(page, contentType = ContentType.Text.Html)
            val count = call.parameters["count"]?.toIntOrNull() ?: return@get
            // ok: kt-early-return-server-xss
            call.respondText("<p>$count items</p>", ContentType.Text.Html)
        }
        get("/go") {
            val next = call.parameters["next"] ?: run {
                call.respond(HttpStatusCode.BadRequest)
                return@get
            }
            // ruleid: kt-early-return-server-open-redirect, kt-taint-server-open-redirect
            call.respondRedirect(next)
        }
        post("/continue") {
            val form = call.receiveParameters()
            val next = form["next"] ?: return@post
            if (!next.startsWith("/") || next.startsWith("//")) return@post
            // ok: kt-early-return-server-open-redirect
            call.respondRedirect(next)
        }
        get("/after-login") {
            val next = call.parameters["next"] ?: throw BadRequestException("next")
            // ok: kt-early-return-server-open-redirect
            call.respondRedirect("/home")
        }
        post("/preview") {
            val url = call.receiveParameters()["url"] ?: return@post
            // ruleid: kt-early-return-ssrf
            val page = client.get(url).bodyAsText()
            call.respond(page.length)
        }
        get("/avatar") {
            val host = call.parameters["host"] ?: throw BadRequestException("host")
            val target = "https://$host/avatar.png"
            if (ALLOWED_HOSTS.contains(host)) {
                // ok: kt-early-return-ssrf
                call.respondBytes(httpClient.get(target).readBytes())
            }
            // ok: kt-early-return-ssrf
            call.respondBytes(httpClient.get("https://cdn.example.com/avatar.png").readBytes())
        }
    }
}

class DispatchActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        try {
            val nested = intent.getStringExtra("next")
            if (nested != null) {
                val next = Intent.parseUri(nested, Intent.URI_INTENT_SCHEME)
                // ruleid: kt-taint-intent-redirection
                startActivity(next)
            }
            val shown = intent.getStringExtra("page")
            // ok: kt-taint-intent-redirection
            startActivity(Intent(Intent.ACTION_VIEW, Uri.parse("https://example.com/help")).putExtra("page", shown))
            val fixed = Intent.parseUri("intent:#Intent;component=com.example/.Help;end", 0)
            // ok: kt-taint-intent-redirection
            startActivity(fixed)
        } finally {
            finish()
        }
    }
}

// --- framework sink APIs from each framework's documentation ---------------------------------

fun Application.moreKtorRoutes() {
    routing {
        get("/page/{name}") {
            val name = call.pathParameters["name"]
            // ruleid: kt-taint-server-xss
            call.respondText("<h1>$name</h1>", ContentType.parse("text/html"))
            // ok: kt-taint-server-xss
            call.respondText("$name", ContentType.Text.Plain)
        }
        get("/away") {
            val next = call.request.queryParameters["next"]
            if (next == "/home") {
                // ok: kt-taint-server-open-redirect
                call.respondRedirect(next)
            }
            // ruleid: kt-taint-server-open-redirect
            call.response.header(HttpHeaders.Location, call.request.uri)
        }
    }
}

@RestController
class GreetingController {
    @GetMapping("/greet")
    fun greet(@RequestParam name: String): String {
        // ruleid: kt-taint-server-xss
        return "<h1>Hello $name</h1>"
    }

    @GetMapping("/greet.json", produces = ["application/json"])
    fun greetJson(@RequestParam name: String): String {
        // ok: kt-taint-server-xss
        return "{\"name\": \"$name\"}"
    }

    @GetMapping("/go")
    fun go(@RequestParam next: String): ResponseEntity<Void> {
        // ruleid: kt-taint-server-open-redirect
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(next)).build()
    }

    @GetMapping("/download")
    fun download(@RequestParam name: String): FileSystemResource {
        // ruleid: kt-taint-path-traversal
        return FileSystemResource("/srv/files/$name")
    }
}

// Handlers written as expressions: the annotated parameter is request data all the same.
@RestController
class ItemController(private val jdbc: JdbcTemplate) {
    @GetMapping("/items")
    // ruleid: kt-taint-sql-injection
    fun find(@RequestParam name: String) = jdbc.queryForList("SELECT * FROM items WHERE name = '$name'")

    @GetMapping("/items/{id}")
    // ok: kt-taint-sql-injection
    fun byId(@PathVariable("id") id: String): List<Map<String, Any>> = jdbc.queryForList("SELECT * FROM items WHERE id = ?", id)

    @GetMapping("/hello")
    // ruleid: kt-taint-server-xss
    fun hello(@RequestParam name: String) = "<h1>Hello $name</h1>"

    @GetMapping("/hello.txt")
    // ruleid: kt-taint-server-xss
    fun helloText(@RequestParam(required = false) name: String?): String = "Hello " + name

    @GetMapping("/hello.json", produces = ["application/json"])
    // ok: kt-taint-server-xss
    fun helloJson(@RequestParam name: String): String = "{\"name\": \"$name\"}"

    @GetMapping("/count")
    // ok: kt-taint-server-xss
    fun count(@RequestParam name: String) = jdbc.queryForList("SELECT * FROM items WHERE name = ?", name).size

    @GetMapping("/files")
    // ruleid: kt-taint-path-traversal
    fun file(@RequestParam path: String) = FileSystemResource("/srv/files/$path")

    @GetMapping("/greet")
    fun greet(@RequestParam name: String): String {
        // ruleid: kt-taint-server-xss
        return "<p>Hi $name</p>"
    }
}

// A record looked up with request data is stored data, not the request's.
@RestController
class PostController(private val posts: PostRepository) {
    @GetMapping("/posts")
    fun show(@RequestParam name: String): String {
        val post = posts.findByName(name)
        // ok: kt-taint-server-xss
        return "<h1>${post.title}</h1>"
    }
}
