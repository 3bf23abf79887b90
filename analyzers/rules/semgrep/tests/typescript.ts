import { DomSanitizer, SafeHtml } from "@angular/platform-browser";
import * as jwt from "jsonwebtoken";

export class Preview {
  constructor(private sanitizer: DomSanitizer) {}

  render(html: string): SafeHtml {
    // ruleid: ts-angular-bypass-security-trust
    return this.sanitizer.bypassSecurityTrustHtml(html);
  }

  logo(): SafeHtml {
    // ok: ts-angular-bypass-security-trust
    return this.sanitizer.bypassSecurityTrustHtml("<b>logo</b>");
  }
}

export function check(token: string, key: string): unknown {
  // ruleid: ts-jwt-none-algorithm
  jwt.verify(token, key, { algorithms: ["HS256", "none"] });
  // ok: ts-jwt-none-algorithm
  return jwt.verify(token, key, { algorithms: ["RS256"] });
}

export function setup(): void {
  // ruleid: ts-tls-verification-disabled-env
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  // ok: ts-tls-verification-disabled-env
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";
}
