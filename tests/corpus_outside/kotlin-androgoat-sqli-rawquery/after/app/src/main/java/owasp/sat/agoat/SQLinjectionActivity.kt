package owasp.sat.agoat

import android.database.sqlite.SQLiteDatabase
import androidx.appcompat.app.AppCompatActivity
import android.os.Bundle
import android.util.Log
import android.widget.Button
import android.widget.EditText
import android.widget.Toast

class SQLinjectionActivity : AppCompatActivity() {
    private var mDB: SQLiteDatabase? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_sqlinjection)
        val sqliButton = findViewById<Button>(R.id.SQLiButton)
        val username = findViewById<EditText>(R.id.userName)
        sqliButton.setOnClickListener {
            val qry = "SELECT * FROM users WHERE username='" + username.text + "'"
            try {
                mDB = openOrCreateDatabase("aGoat", 0, null)
                val qryResult = mDB?.rawQuery(qry, null) // EXPECT SQL concatenated from a text field
                val strb = StringBuilder("")
                if (qryResult == null || qryResult.count <= 0) {
                    strb.append("User: (${username.text}) not found")
                } else {
                    qryResult.moveToFirst()
                    do {
                        strb.append("Username: (${qryResult.getString(1)})\n")
                    } while (qryResult.moveToNext())
                    qryResult.close()
                }
                Toast.makeText(this, strb.toString(), Toast.LENGTH_LONG).show()
            } catch (e: Exception) {
                Log.d("Error", "Error occurred when querying database: ${e.message}")
            }
            mDB?.close()
        }
    }
}
