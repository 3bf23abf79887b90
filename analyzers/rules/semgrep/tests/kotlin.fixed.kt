import java.security.MessageDigest
import kotlin.random.Random

fun commands(dir: String) {
    // ruleid: kt-command-injection
    Runtime.getRuntime().exec("ls ${dir}")
    // ok: kt-command-injection
    ProcessBuilder(listOf("ls", dir)).start()
    // ruleid: kt-command-injection
    Runtime.getRuntime().exec("tar czf " + dir + ".tgz " + dir)
}

fun queries(stmt: java.sql.Statement, id: String) {
    // ruleid: kt-sql-string-template
    stmt.executeQuery("SELECT * FROM users WHERE id = '${id}'")
    // ok: kt-sql-string-template
    stmt.executeQuery("SELECT * FROM users")
    // ruleid: kt-sql-string-template
    stmt.executeQuery("SELECT * FROM users WHERE name = '" + id + "' LIMIT 1")
}

fun hashes() {
    // ruleid: kt-weak-hash
    val md = MessageDigest.getInstance("SHA-256")
    // ok: kt-weak-hash
    val good = MessageDigest.getInstance("SHA-256")
}

fun tokens() {
    // ruleid: kt-insecure-random-secret
    val resetToken = Random.nextLong().toString(16)
    // ok: kt-insecure-random-secret
    val jitter = Random.nextInt(100)
}

class CryptoBox {
    fun seal(data: ByteArray, key: SecretKey): ByteArray {
        // ruleid: kt-weak-cipher
        val ecb = Cipher.getInstance("AES/ECB/PKCS5Padding")
        // ok: kt-weak-cipher
        val gcm = Cipher.getInstance("AES/GCM/NoPadding")
        // ruleid: kt-static-iv-or-key
        val iv = IvParameterSpec("0123456789abcdef".toByteArray())
        // ok: kt-static-iv-or-key
        val fresh = IvParameterSpec(SecureRandom().generateSeed(16))
        return gcm.doFinal(data)
    }

    fun load(file: File): Any? {
        // ruleid: kt-object-input-stream-deserialization
        return ObjectInputStream(FileInputStream(file)).readObject()
    }

    fun loadJson(file: File): Settings {
        // ok: kt-object-input-stream-deserialization
        return Json.decodeFromString(file.readText())
    }

    fun share(context: Context) {
        // ruleid: kt-world-accessible-file-mode
        context.openFileOutput("export.txt", Context.MODE_WORLD_READABLE)
        // ok: kt-world-accessible-file-mode
        context.openFileOutput("export.txt", Context.MODE_PRIVATE)
    }
}

class SettingsActivity : PreferenceActivity() {
    // ruleid: kt-fragment-injection
    override fun isValidFragment(fragmentName: String?): Boolean = true
}

class SafeSettingsActivity : PreferenceActivity() {
    // ok: kt-fragment-injection
    override fun isValidFragment(fragmentName: String?): Boolean = fragmentName == GeneralFragment::class.java.name
}

class SessionStore(private val prefs: SharedPreferences) {
    fun save(user: String, token: String) {
        // ruleid: kt-sensitive-shared-preferences
        prefs.edit().putString("auth_token", token).apply()
        // ok: kt-sensitive-shared-preferences
        prefs.edit().putString("last_user", user).apply()
    }
}

class Endpoints {
    // ruleid: kt-cleartext-http-url
    val api = URL("http://api.example.com/v1/")
    // ok: kt-cleartext-http-url
    val secure = URL("https://api.example.com/v1/")
    // ok: kt-cleartext-http-url
    val emulator = URL("http://10.0.2.2:8080/")
}

class Reminders(private val context: Context) {
    fun schedule() {
        // ruleid: kt-implicit-mutable-pending-intent
        val open = PendingIntent.getActivity(context, 0, Intent("com.example.OPEN"), PendingIntent.FLAG_MUTABLE)
        // ok: kt-implicit-mutable-pending-intent
        val safe = PendingIntent.getActivity(context, 0, Intent(context, MainActivity::class.java), PendingIntent.FLAG_IMMUTABLE)
        // ok: kt-implicit-mutable-pending-intent
        val immutable = PendingIntent.getBroadcast(context, 0, Intent("com.example.TICK"), PendingIntent.FLAG_IMMUTABLE)
    }
}
