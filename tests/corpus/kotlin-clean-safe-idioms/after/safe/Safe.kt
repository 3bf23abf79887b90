package demo

import org.springframework.jdbc.core.JdbcTemplate
import org.springframework.web.bind.annotation.GetMapping
import org.springframework.web.bind.annotation.RequestParam
import org.springframework.web.bind.annotation.RestController
import org.springframework.web.util.HtmlUtils

@RestController
class SafeController(private val jdbc: JdbcTemplate) {
    @GetMapping("/items")
    fun items(@RequestParam name: String) = jdbc.queryForList("SELECT * FROM items WHERE name = ?", name)

    @GetMapping("/hi")
    fun hi(@RequestParam name: String) = "<p>${HtmlUtils.htmlEscape(name)}</p>"

    @GetMapping("/n")
    fun n(@RequestParam n: Int) = "<b>$n</b>"

    @GetMapping("/ls")
    fun ls(@RequestParam dir: String): String {
        ProcessBuilder("ls", "-l", "--", dir).start()
        return "ok"
    }
}
