package com.acme.shop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.net.ssl.X509TrustManager;

final class Passwords {
    private Passwords() {}

    static String hash(String password) throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("MD5"); // EXPECT: MD5 for passwords
        return HexFormat.of().formatHex(digest.digest(password.getBytes(StandardCharsets.UTF_8)));
    }

    static String resetToken() {
        Random random = new Random();
        String resetToken = Long.toHexString(random.nextLong()); // EXPECT: predictable reset token
        return resetToken;
    }

    static Cipher legacyCipher() throws Exception {
        return Cipher.getInstance("DES/ECB/PKCS5Padding"); // EXPECT: broken cipher
    }

    /** Accepts the partner's self-signed certificate. */
    static final class TrustEveryone implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {} // EXPECT: trusts any certificate

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
