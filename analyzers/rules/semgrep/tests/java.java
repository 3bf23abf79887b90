import java.io.*;
import java.security.MessageDigest;
import java.sql.*;
import java.util.Random;
import javax.crypto.Cipher;
import javax.net.ssl.*;

public class Example {
    void commands(String name) throws Exception {
        // ruleid: java-command-injection
        Runtime.getRuntime().exec("ls " + name);
        // ruleid: java-command-injection
        Runtime.getRuntime().exec("lp -d " + name + " /var/spool/label.pdf");
        // ok: java-command-injection
        Runtime.getRuntime().exec("lp -d office /var/spool/label.pdf");
        // ruleid: java-command-injection
        new ProcessBuilder("sh", "-c", name).start();
        // ok: java-command-injection
        new ProcessBuilder("ls", name).start();
        // ok: java-command-injection
        Runtime.getRuntime().exec(new String[]{"ls", name});
    }

    void queries(Connection conn, Statement stmt, String id) throws Exception {
        // ruleid: java-sql-string-concatenation
        stmt.executeQuery("SELECT * FROM users WHERE id = '" + id + "'");
        // ruleid: java-sql-string-concatenation
        stmt.executeUpdate(String.format("DELETE FROM users WHERE id = %s", id));
        // ok: java-sql-string-concatenation
        PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE id = ?");
    }

    Object read(InputStream input) throws Exception {
        ObjectInputStream in = new ObjectInputStream(input);
        // ruleid: java-object-input-stream-deserialization
        Object obj = in.readObject();
        // ok: java-object-input-stream-deserialization
        int n = new DataInputStream(input).readInt();
        return obj;
    }

    void crypto(String password) throws Exception {
        // ruleid: java-weak-hash
        MessageDigest md = MessageDigest.getInstance("MD5");
        // ok: java-weak-hash
        MessageDigest good = MessageDigest.getInstance("SHA-256");
        // ruleid: java-weak-cipher
        Cipher des = Cipher.getInstance("DES/CBC/PKCS5Padding");
        // ruleid: java-weak-cipher
        Cipher ecb = Cipher.getInstance("AES");
        // ok: java-weak-cipher
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    }

    void tokens() {
        // ruleid: java-insecure-random-secret
        String resetToken = Long.toHexString(new Random().nextLong());
        // ok: java-insecure-random-secret
        int jitter = new Random().nextInt(100);
    }
}

class TrustAll implements X509TrustManager {
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    // ruleid: java-trust-all-certificates
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    public java.security.cert.X509Certificate[] getAcceptedIssuers() { return null; }
}

class AnyHost implements HostnameVerifier {
    // ruleid: java-trust-all-certificates
    public boolean verify(String host, SSLSession session) { return true; }
}

class CheckedHost implements HostnameVerifier {
    // ok: java-trust-all-certificates
    public boolean verify(String host, SSLSession session) { return host.equals("example.com"); }
}
