package org.owasp.webgoat.deserialization;

import org.owasp.webgoat.assignments.AssignmentEndpoint;
import org.owasp.webgoat.assignments.AttackResult;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.util.Base64;

@RestController
public class InsecureDeserializationTask extends AssignmentEndpoint {

    @PostMapping("/InsecureDeserialization/task")
    @ResponseBody
    public AttackResult completed(@RequestParam String token) throws IOException {
        String b64token;
        byte[] data;
        ObjectInputStream ois;
        Object o;

        b64token = token.replace('-', '+').replace('_', '/');
        try {
            data = Base64.getDecoder().decode(b64token);
            ois = new ObjectInputStream(new ByteArrayInputStream(data)); // EXPECT insecure deserialization
        } catch (Exception e) {
            return trackProgress(failed().build());
        }

        try {
            o = ois.readObject();
        } catch (Exception e) {
            o = null;
        }
        ois.close();
        return trackProgress(o == null ? failed().build() : success().build());
    }
}
