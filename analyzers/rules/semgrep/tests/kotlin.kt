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
    val md = MessageDigest.getInstance("MD5")
    // ok: kt-weak-hash
    val good = MessageDigest.getInstance("SHA-256")
}

fun tokens() {
    // ruleid: kt-insecure-random-secret
    val resetToken = Random.nextLong().toString(16)
    // ok: kt-insecure-random-secret
    val jitter = Random.nextInt(100)
}
