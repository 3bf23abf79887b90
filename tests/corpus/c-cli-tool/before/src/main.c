#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

static void greet(const char *name)
{
    char buf[NAME_MAX_LEN];
    /* Pre-existing: unbounded copy of argv; this change leaves it alone. */
    strcpy(buf, name);
    printf("hello, %s\n", buf);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME\n", argv[0]);
        return 2;
    }
    greet(argv[1]);
    return 0;
}
