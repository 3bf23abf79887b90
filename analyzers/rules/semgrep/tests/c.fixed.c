#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void input(void) {
    char line[128];
    // ruleid: c-gets
    fgets(line, sizeof(line), stdin);
    // ok: c-gets
    fgets(line, sizeof(line), stdin);
}

void copy(char *src, const char *name) {
    char dst[16];
    // ruleid: c-unbounded-string-copy
    strcpy(dst, src);
    // ruleid: c-unbounded-string-copy
    strcat(dst, name);
    // ok: c-unbounded-string-copy
    strcpy(dst, "ok");
    // ruleid: c-sprintf-overflow
    snprintf(dst, sizeof(dst), "%s-%s", src, name);
    // ok: c-sprintf-overflow
    snprintf(dst, sizeof(dst), "%s", src);
}

void run(const char *cmd) {
    // ruleid: c-command-injection
    system(cmd);
    // ruleid: c-command-injection
    FILE *p = popen(cmd, "r");
    // ok: c-command-injection
    system("ls -la");
}

void show(const char *text) {
    // ruleid: c-format-string
    printf("%s", text);
    // ok: c-format-string
    printf("%s", text);
    // ok: c-format-string
    printf("hello\n");
}

void fetch(CURL *curl, SSL_CTX *ctx) {
    // ruleid: c-tls-verification-disabled
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    // ok: c-tls-verification-disabled
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    // ruleid: c-tls-verification-disabled
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    // ok: c-tls-verification-disabled
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
}
