package demo;

import java.io.*;
import java.net.URL;
import java.nio.file.*;
import java.sql.*;
import java.util.List;
import java.util.zip.*;
import javax.naming.directory.*;
import javax.net.ssl.*;
import javax.script.ScriptEngine;
import javax.servlet.http.*;
import javax.xml.parsers.*;
import groovy.lang.GroovyShell;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.support.LdapEncoder;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.util.HtmlUtils;

public class Demo extends HttpServlet {
    private Connection conn;

    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String host = request.getParameter("host");
        // ruleid: java-taint-command-injection
        Process p = Runtime.getRuntime().exec("ping -c 1 " + host);
        // ruleid: java-taint-command-injection
        new ProcessBuilder("sh", "-c", "nslookup " + host).start();
        // ok: java-taint-command-injection
        new ProcessBuilder("ls", "-l", "--", host).start();
        // ok: java-taint-command-injection
        new ProcessBuilder(List.of("ping", "-c", "1", host)).start();
        // ruleid: java-taint-command-injection
        new ProcessBuilder(List.of("bash", "-c", "ping " + host)).start();
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "ping " + host});
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", host});
        String name = request.getParameter("name");
        Statement st = conn.createStatement();
        // ruleid: java-taint-sql-injection
        ResultSet rs = st.executeQuery("SELECT * FROM users WHERE name = '" + name + "'");
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
        ps.setString(1, name);
        // ok: java-taint-sql-injection
        ResultSet rs2 = ps.executeQuery();
        PrintWriter out = response.getWriter();
        // ruleid: java-taint-xss
        out.println("<p>Hello " + name + "</p>");
        // ok: java-taint-xss
        out.println("<p>Hello " + HtmlUtils.htmlEscape(name) + "</p>");
        String file = request.getParameter("file");
        // ruleid: java-taint-path-traversal
        FileInputStream in = new FileInputStream(new File("/srv/files", file));
        // ok: java-taint-path-traversal
        FileInputStream in2 = new FileInputStream(new File("/srv/files", new File(file).getName()));
        // ruleid: java-taint-path-traversal
        request.getRequestDispatcher("/WEB-INF/" + request.getParameter("page")).include(request, response);
        String target = request.getParameter("url");
        // ruleid: java-taint-ssrf
        InputStream remote = new URL(target).openStream();
        // ok: java-taint-ssrf
        InputStream fixed = new URL("https://api.example.com/items/" + target).openStream();
        // ruleid: java-taint-open-redirect
        response.sendRedirect(request.getParameter("next"));
        // ok: java-taint-open-redirect
        response.sendRedirect("/home/" + request.getParameter("next"));
        // ruleid: java-taint-deserialization
        Object state = new ObjectInputStream(request.getInputStream()).readObject();
        // ok: java-taint-deserialization
        Object local = new ObjectInputStream(new FileInputStream("/srv/state.bin")).readObject();
    }

    void parse(InputStream xml) throws Exception {
        // ruleid: java-xxe-parser
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.newDocumentBuilder().parse(xml);
    }

    void parseSafely(InputStream xml) throws Exception {
        // ok: java-xxe-parser
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.newDocumentBuilder().parse(xml);
    }

    void unzip(ZipInputStream zis, File dest) throws IOException {
        ZipEntry entry;
        while ((entry = zis.getNextEntry()) != null) {
            File target = new File(dest, entry.getName());
            // ruleid: java-zip-slip
            FileOutputStream fos = new FileOutputStream(target);
            fos.close();
        }
    }

    void unzipSafely(ZipInputStream zis, File dest) throws IOException {
        ZipEntry entry;
        while ((entry = zis.getNextEntry()) != null) {
            File target = new File(dest, entry.getName());
            if (!target.getCanonicalPath().startsWith(dest.getCanonicalPath() + File.separator)) {
                throw new IOException("Entry is outside of the target dir: " + entry.getName());
            }
            // ok: java-zip-slip
            FileOutputStream fos = new FileOutputStream(target);
            fos.close();
        }
    }

    void insecure(HttpsURLConnection c) {
        // ruleid: java-tls-hostname-verification-disabled
        c.setHostnameVerifier((hostname, session) -> true);
        // ok: java-tls-hostname-verification-disabled
        c.setHostnameVerifier(HttpsURLConnection.getDefaultHostnameVerifier());
    }
}

@RestController
class UserController {
    private org.springframework.jdbc.core.JdbcTemplate jdbc;

    @GetMapping("/users")
    public Object users(@RequestParam String name, @RequestParam int age) {
        // ruleid: java-taint-sql-injection
        Object a = jdbc.queryForList("SELECT * FROM users WHERE name = '" + name + "'");
        // ok: java-taint-sql-injection
        Object b = jdbc.queryForList("SELECT * FROM users WHERE age = " + age);
        // ok: java-taint-sql-injection
        Object c = jdbc.queryForList("SELECT * FROM users WHERE name = ?", name);
        return a;
    }

    @PostMapping("/run")
    public String run(@RequestBody String command) throws IOException {
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec(command);
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec(new String[] {"ls", "-la"});
        return "ok";
    }
}

// --- framework sink APIs from each framework's documentation ---------------------------------

@RestController
class GreetingController {
    private static final String HOME = "/home";

    @GetMapping("/greet")
    public String greet(@RequestParam String name) {
        // ruleid: java-taint-xss
        return "<h1>Hello " + name + "</h1>";
    }

    @GetMapping(value = "/greet.json", produces = "application/json")
    public String greetJson(@RequestParam String name) {
        // ok: java-taint-xss
        return "{\"name\": \"" + name + "\"}";
    }

    @GetMapping("/page")
    public ResponseEntity<String> page(@RequestParam String name) {
        // ruleid: java-taint-xss
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("<p>" + name + "</p>");
    }

    @GetMapping("/go")
    public ResponseEntity<Void> go(@RequestParam String next) {
        if (HOME.equals(next)) {
            // ok: java-taint-open-redirect
            return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(next)).build();
        }
        // ruleid: java-taint-open-redirect
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(next)).build();
    }

    @GetMapping("/fetch")
    public Object fetch(@RequestParam String url) throws IOException {
        // ruleid: java-taint-ssrf
        Request request = new Request.Builder().url(url).build();
        // ok: java-taint-ssrf
        Request fixed = new Request.Builder().url("https://api.example.com/status").build();
        return client.newCall(request).execute();
    }
}

// A record looked up with request data is stored data, not the request's.
@RestController
class PostController {
    private PostRepository posts;
    private JdbcTemplate jdbc;

    @GetMapping("/posts/by-title")
    public String byTitle(@RequestParam String title) {
        Post post = posts.findFirstByTitle(title);
        // ok: java-taint-xss
        return "<h1>" + post.getBody() + "</h1>";
    }

    @GetMapping("/notes")
    public String note(@RequestParam String owner) {
        String text = jdbc.queryForObject("SELECT body FROM notes WHERE owner = ?", String.class, owner);
        // ok: java-taint-xss
        return "<p>" + text + "</p>";
    }

    @GetMapping("/echo")
    public String echo(@RequestParam String owner) {
        // ruleid: java-taint-xss
        return "<p>" + owner + "</p>";
    }
}


class Expressions extends HttpServlet {
    private ScriptEngine engine;
    private GroovyShell shell;
    private DirContext directory;
    private LdapTemplate ldap;

    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String script = request.getParameter("script");
        // ruleid: java-taint-code-injection
        engine.eval(script);
        // ruleid: java-taint-code-injection
        shell.evaluate("return " + request.getParameter("expr"));
        // ruleid: java-taint-code-injection
        Object value = new org.springframework.expression.spel.standard.SpelExpressionParser().parseExpression(request.getParameter("spel")).getValue();
        // ruleid: java-taint-code-injection
        Class<?> type = Class.forName(request.getParameter("type"));
        // ok: java-taint-code-injection
        engine.eval("1 + 1");
        String user = request.getParameter("user");
        // ruleid: java-taint-ldap-injection
        directory.search("ou=users,dc=example,dc=com", "(uid=" + user + ")", null);
        // ruleid: java-taint-ldap-injection
        ldap.search("ou=users", "(&(objectClass=person)(cn=" + user + "))", (org.springframework.ldap.core.AttributesMapper<String>) a -> "x");
        // ok: java-taint-ldap-injection
        directory.search("ou=users,dc=example,dc=com", "(uid={0})", new Object[] {user}, null);
        // ok: java-taint-ldap-injection
        directory.search("ou=users,dc=example,dc=com", "(uid=" + LdapEncoder.filterEncode(user) + ")", null);
    }
}

@RestController
class FileController {
    private static final Path BASE = Paths.get("/srv/files");

    @GetMapping("/files/checked")
    public String checked(@RequestParam String name) throws IOException {
        Path target = BASE.resolve(name).normalize();
        if (!target.startsWith(BASE)) {
            throw new IllegalArgumentException("outside the folder");
        }
        // ok: java-taint-path-traversal
        return Files.readString(target);
    }

    @GetMapping("/files/unchecked")
    public String unchecked(@RequestParam String name) throws IOException {
        // ruleid: java-taint-path-traversal
        String text = Files.readString(BASE.resolve(name));
        // ok: java-taint-xss
        return text;
    }
}
