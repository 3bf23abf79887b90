package co.ostorlab.myapplication

import android.os.Bundle
import androidx.activity.ComponentActivity

class SearchActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
    }
}
