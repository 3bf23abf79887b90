import jwt from "jsonwebtoken";

export interface Claims {
  sub: string;
  role: "admin" | "viewer";
}

export function issue(claims: Claims, key: string): string {
  return jwt.sign(claims, key, { algorithm: "HS256", expiresIn: "1h" });
}

export function check(token: string, key: string): Claims {
  return jwt.verify(token, key, { algorithms: ["HS256"] }) as Claims;
}
