package com.insecureshop

import android.content.Intent
import android.os.Bundle
import android.util.Log
import android.view.View
import android.widget.EditText
import androidx.appcompat.app.AppCompatActivity
import com.insecureshop.util.Prefs
import com.insecureshop.util.Util

class LoginActivity : AppCompatActivity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_login)
    }

    fun onLogin(view: View) {
        val username = findViewById<EditText>(R.id.edtUserName).text.toString()
        val password = findViewById<EditText>(R.id.edtPassword).text.toString()

        Log.d("userName", username)
        Log.d("password", password) // EXPECT password written to the system log

        if (Util.verifyUserNamePassword(username, password)) {
            Prefs.getInstance(applicationContext).username = username
            startActivity(Intent(this, ProductListActivity::class.java))
        }
    }
}
