package co.ostorlab.myapplication

import android.os.Bundle
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import androidx.activity.ComponentActivity

class SearchActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val mainLayout = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        val searchInput = EditText(this).apply { hint = "Enter keywords to search..." }
        mainLayout.addView(searchInput)
        val searchButton = Button(this).apply {
            text = "Search"
            setOnClickListener {
                val query = searchInput.text.toString()
                if (query.isNotEmpty()) {
                    showSearchResults(query, mainLayout)
                }
            }
        }
        mainLayout.addView(searchButton)
        setContentView(mainLayout)
    }

    private fun showSearchResults(query: String, layout: LinearLayout) {
        val resultsTitle = TextView(this).apply {
            text = "Search Results for '$query':"
            textSize = 16f
        }
        layout.addView(resultsTitle)
        val mockResults = listOf("Article about $query - Latest developments", "Understanding $query in today's world")
        mockResults.forEach { result ->
            layout.addView(TextView(this).apply { text = "• $result" })
        }
    }
}
