package com.acme.shop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import javax.sql.DataSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class OrderController {
    private final DataSource dataSource;

    public OrderController(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @GetMapping("/orders/{id}")
    public String order(@PathVariable long id) throws SQLException {
        try (Connection conn = dataSource.getConnection();
             PreparedStatement stmt = conn.prepareStatement("SELECT status FROM orders WHERE id = ?")) {
            stmt.setLong(1, id);
            try (ResultSet rs = stmt.executeQuery()) {
                return rs.next() ? rs.getString(1) : "unknown";
            }
        }
    }

    @GetMapping("/orders")
    public int countByCustomer(@RequestParam String customer) throws SQLException {
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            ResultSet rs = stmt.executeQuery("SELECT count(*) FROM orders WHERE customer = '" + customer + "'"); // EXPECT: SQL injection
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    @PostMapping("/orders/archive")
    public void archive(@RequestParam String before) throws SQLException {
        try (Connection conn = dataSource.getConnection(); Statement stmt = conn.createStatement()) {
            stmt.executeUpdate(String.format( // EXPECT: SQL built with String.format
                "DELETE FROM orders WHERE created < '%s'", before));
        }
    }

    @PostMapping("/orders/import")
    public Object importCart(@RequestBody String encoded) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(encoded);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
            return in.readObject(); // EXPECT: deserialization of request bytes
        }
    }

    @PostMapping("/orders/label")
    public void printLabel(@RequestParam String printer) throws IOException {
        Runtime.getRuntime().exec("lp -d " + printer + " /var/labels/next.pdf"); // EXPECT: command injection
    }
}
