package com.acme.media

import java.sql.Connection

class MediaRepository(private val conn: Connection) {
    fun title(id: Long): String? =
        conn.prepareStatement("SELECT title FROM media WHERE id = ?").use { stmt ->
            stmt.setLong(1, id)
            stmt.executeQuery().use { rs -> if (rs.next()) rs.getString(1) else null }
        }
}
