#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"

#define NAME_MAX_LEN 64

static void greet(const char *name)
{
    char buf[NAME_MAX_LEN];
    /* Pre-existing: unbounded copy of argv; this change leaves it alone. */
    strcpy(buf, name);
    printf("hello, %s\n", buf);
}

static void log_line(const char *message)
{
    printf(message); /* EXPECT: format string from the caller */
    putchar('\n');
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME [DIR]\n", argv[0]);
        return 2;
    }
    if (argc > 2) {
        log_line(argv[2]);
        return backup_directory(argv[2], argv[1]);
    }
    greet(argv[1]);
    return 0;
}
