package demo

import android.app.Activity
import android.database.sqlite.SQLiteDatabase
import android.os.Bundle
import org.springframework.jdbc.core.JdbcTemplate
import org.springframework.web.bind.annotation.GetMapping
import org.springframework.web.bind.annotation.RequestParam
import org.springframework.web.bind.annotation.RestController

class NotesActivity : Activity() {
    lateinit var db: SQLiteDatabase

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val title = intent.getStringExtra("title")
        val cursor = db.rawQuery("SELECT * FROM notes WHERE title = '$title'", null) // EXPECT sqli
        cursor.close()
    }
}

@RestController
class ItemController(val jdbc: JdbcTemplate) {
    @GetMapping("/items")
    fun find(@RequestParam name: String) = jdbc.queryForList("select * from items where name = '$name'") // EXPECT sqli
}
