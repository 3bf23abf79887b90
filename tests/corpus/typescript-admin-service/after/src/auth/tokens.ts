import jwt from "jsonwebtoken";

export interface Claims {
  sub: string;
  role: "admin" | "viewer";
}

// The staging identity provider uses a self-signed certificate.
if (process.env.STAGE === "staging") {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"; // EXPECT: TLS verification off process-wide
}

export function issue(claims: Claims, key: string): string {
  return jwt.sign(claims, key, { algorithm: "HS256", expiresIn: "1h" });
}

export function check(token: string, key: string): Claims {
  return jwt.verify(token, key, {
    algorithms: ["HS256", "none"], // EXPECT: unsigned tokens accepted
    clockTolerance: 30,
  }) as Claims;
}
