package com.acme.media

import java.security.MessageDigest
import java.sql.Connection
import kotlin.random.Random

class MediaRepository(private val conn: Connection) {
    fun title(id: Long): String? =
        conn.prepareStatement("SELECT title FROM media WHERE id = ?").use { stmt ->
            stmt.setLong(1, id)
            stmt.executeQuery().use { rs -> if (rs.next()) rs.getString(1) else null }
        }

    fun byTag(tag: String): List<Long> {
        val stmt = conn.createStatement()
        val rs = stmt.executeQuery("SELECT id FROM media WHERE tag = '${tag}'") // EXPECT: SQL built from a template
        val ids = mutableListOf<Long>()
        while (rs.next()) ids += rs.getLong(1)
        return ids
    }

    fun shareLink(id: Long): String {
        val shareToken = Random.nextLong().toString(16) // EXPECT: predictable share token
        conn.prepareStatement("UPDATE media SET share_token = ? WHERE id = ?").use { stmt ->
            stmt.setString(1, shareToken)
            stmt.setLong(2, id)
            stmt.executeUpdate()
        }
        return "/s/$shareToken"
    }

    fun checksum(bytes: ByteArray): String =
        MessageDigest.getInstance("SHA-1") // EXPECT: SHA-1 for upload integrity
            .digest(bytes)
            .joinToString("") { "%02x".format(it) }
}
