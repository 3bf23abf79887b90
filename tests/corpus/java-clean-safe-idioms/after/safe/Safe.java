package demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.util.HtmlUtils;

@RestController
class SafeController {
    private Connection conn;
    private static final Path BASE = Paths.get("/srv/files");

    @GetMapping("/user")
    public ResponseEntity<String> user(@RequestParam String name) throws Exception {
        PreparedStatement ps = conn.prepareStatement("SELECT email FROM users WHERE name = ?");
        ps.setString(1, name);
        ps.executeQuery();
        return ResponseEntity.ok("done");
    }

    @GetMapping("/hi")
    public String hi(@RequestParam String name) {
        return "<p>" + HtmlUtils.htmlEscape(name) + "</p>";
    }

    @GetMapping("/ls")
    public String ls(@RequestParam String dir) throws Exception {
        new ProcessBuilder("ls", "-l", "--", dir).start();
        return "ok";
    }

    @GetMapping("/file")
    public String file(@RequestParam String name) throws Exception {
        Path p = BASE.resolve(name).normalize();
        if (!p.startsWith(BASE)) {
            throw new IllegalArgumentException("bad path");
        }
        return Files.readString(p);
    }

    @GetMapping(value = "/json", produces = "application/json")
    public String json(@RequestParam String q) {
        return "{\"q\": \"" + q + "\"}";
    }

    @GetMapping("/n")
    public String n(@RequestParam int n) {
        return "<b>" + n + "</b>";
    }
}
