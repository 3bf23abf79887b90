package demo;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class UserController {
    private JdbcTemplate jdbcTemplate;

    @GetMapping("/user")
    public String user(@RequestParam String name) {
        return jdbcTemplate.queryForObject("SELECT email FROM users WHERE name = '" + name + "'", String.class); // EXPECT sqli
    }
}

public class F extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Runtime.getRuntime().exec("nslookup " + request.getParameter("host")); // EXPECT cmd
        response.getWriter().println("<p>" + request.getParameter("q") + "</p>"); // EXPECT xss
        response.sendRedirect(request.getParameter("next")); // EXPECT redirect
    }
}
